// A live list (traffic, mail): filled from the API's listing, kept current by the session's
// event stream, with a button that clears it and a pane for the chosen item.

import { eachPage, json, live, query } from "./api.js";
import { h, placeNewestFirst, safely } from "./dom.js";

export async function feed(main, { title, path, event, clearLabel, list, detail, row, shown = Infinity }, { session, signal }) {
  const status = h("span", { class: "live", role: "status", "data-state": "down" }, "connecting");
  const seen = new Set();
  const add = (item) => {
    if (seen.has(item.id)) return;
    seen.add(item.id);
    placeNewestFirst(list, row(item), item.id);
    while (list.children.length > shown) list.lastElementChild.remove();
  };
  const clear = h("button", {
    type: "button",
    onclick: safely(async () => {
      await json(path + query({ session }), { method: "DELETE" });
      list.replaceChildren();
      seen.clear();
    }, detail),
  }, clearLabel);
  main.append(
    h("div", { class: "bar" }, h("h2", {}, title, session ? ` · ${session}` : " · all sessions"), status, clear),
    h("div", { class: "split" }, h("div", { class: "pane" }, list), detail),
  );
  const load = () => eachPage(path + query({ session }), (page) => page.forEach(add), { signal });
  live(session, {
    onEvent: (name, data) => { if (name === event) add(data); },
    onOpen: (again) => {
      status.textContent = "live"; status.dataset.state = "live";
      if (again) load().catch(() => {});
    },
    onDrop: () => { status.textContent = "reconnecting"; status.dataset.state = "down"; },
  }, signal);
  await load(); // after subscribing: nothing falls between the list and the stream
}

// Mark the list's item `id` as the one shown in the detail pane.
export function markChosen(list, id) {
  for (const item of list.querySelectorAll("[aria-pressed]")) item.removeAttribute("aria-pressed");
  list.querySelector(`[data-id="${id}"]`)?.setAttribute("aria-pressed", "true");
}
