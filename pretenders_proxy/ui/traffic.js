// Traffic: the requests of a session as they arrive, and one request in detail.

import { json, live, query } from "./api.js";
import { h, headerTable, placeNewestFirst, readable, replace, safely, time } from "./dom.js";

const SHOWN = 500;

export async function show(main, { session, signal }) {
  const status = h("span", { class: "live", role: "status", "data-state": "down" }, "connecting");
  const list = h("ol", { class: "rows", id: "traffic-list", "aria-label": "Requests" });
  const detail = h("section", { class: "detail", id: "traffic-detail", "aria-label": "Request detail" },
    h("p", { class: "muted" }, "Choose a request to see its headers and body."));
  const seen = new Set();
  const add = (entry) => {
    if (seen.has(entry.id)) return;
    seen.add(entry.id);
    placeNewestFirst(list, row(entry, () => showEntry(detail, entry, list)), entry.id);
    while (list.children.length > SHOWN) list.lastElementChild.remove();
  };
  const clear = h("button", {
    type: "button",
    onclick: safely(async () => {
      await json("/api/v1/requests" + query({ session }), { method: "DELETE" });
      list.replaceChildren();
      seen.clear();
    }, detail),
  }, "Forget these requests");
  main.append(
    h("div", { class: "bar" }, h("h2", {}, "Traffic", session ? ` · ${session}` : " · all sessions"), status, clear),
    h("div", { class: "split" }, h("div", { class: "pane" }, list), detail),
  );
  const load = async () => {
    for (const entry of await json("/api/v1/requests" + query({ session }), { signal })) add(entry);
  };
  live(session, {
    onEvent: (name, data) => { if (name === "request") add(data); },
    onOpen: (again) => {
      status.textContent = "live"; status.dataset.state = "live";
      if (again) load().catch(() => {});
    },
    onDrop: () => { status.textContent = "reconnecting"; status.dataset.state = "down"; },
  }, signal);
  await load(); // after subscribing: nothing falls between the list and the stream
}

function row(entry, open) {
  const source = entry.source;
  return h("li", { class: `row source-${source}` },
    h("button", { type: "button", class: "row-button", onclick: open, "data-id": entry.id },
      h("span", { class: "method" }, entry.method),
      h("span", { class: "url" }, entry.url),
      h("span", { class: `badge ${source}` }, source),
      h("span", { class: "status" }, entry.status ?? "—"),
      h("span", { class: "ms" }, `${Math.round(entry.duration_ms)} ms`),
      h("span", { class: "when" }, time(entry.time))));
}

function showEntry(detail, entry, list) {
  for (const item of list.querySelectorAll("[aria-pressed]")) item.removeAttribute("aria-pressed");
  list.querySelector(`[data-id="${entry.id}"]`)?.setAttribute("aria-pressed", "true");
  replace(detail,
    h("h3", {}, `${entry.method} ${entry.url}`),
    h("dl", { class: "facts" },
      h("dt", {}, "Session"), h("dd", {}, entry.session),
      h("dt", {}, "Answered by"), h("dd", {}, h("span", { class: `badge ${entry.source}` }, entry.source)),
      h("dt", {}, "Status"), h("dd", {}, entry.status ?? "none"),
      h("dt", {}, "Time"), h("dd", {}, `${time(entry.time)}, ${entry.duration_ms} ms`),
      entry.preset !== null ? [h("dt", {}, "Preset"), h("dd", {}, `#${entry.preset}`)] : null),
    entry.miss ? h("section", { class: "miss-report", "aria-label": "Why nothing matched" },
      h("h4", {}, "Miss: nothing matched"), h("pre", {}, entry.miss)) : null,
    entry.error ? h("p", { class: "problem" }, entry.error) : null,
    headerTable(entry.headers, "Request headers"),
    h("h4", {}, "Request body"),
    readable(entry.body, entry.body_base64),
    answer(entry.response));
  detail.focus?.();
}

function answer(response) {
  // What the request was answered with, as history kept it (a long body only in part).
  if (!response) return h("p", { class: "muted" }, "No response was sent.");
  const kept = response.truncated
    ? h("p", { class: "muted" }, `First ${atob(response.body_base64).length} of ${response.size} bytes shown.`)
    : null;
  const encoded = response.encoding ? h("p", { class: "muted" }, `Sent with Content-Encoding: ${response.encoding}.`) : null;
  return h("section", { class: "response", "aria-label": "Response" },
    headerTable(response.headers, "Response headers"),
    h("h4", {}, "Response body"),
    encoded,
    kept,
    readable(response.body, response.body_base64, response.size));
}
