// Cassettes and mode: a session's mode (and switching it), its cassettes, their exchanges a page at a time.

import { json, query } from "./api.js";
import { refreshSessions } from "./app.js";
import { h, headerTable, problem, readable, replace } from "./dom.js";

export async function show(main, { session, signal }) {
  const target = session || "default";
  const modeBox = h("section", { id: "mode", "aria-label": "Mode" });
  const cassetteBox = h("section", { id: "cassettes", "aria-label": "Cassettes" });
  const exchangeBox = h("section", { id: "exchanges", "aria-label": "Exchanges" });
  const note = h("div", { role: "status", class: "note" });
  let latest = 0;
  const load = async () => {
    const mine = ++latest; // an older load answered late must not draw over a newer one
    const [mode, list] = await Promise.all([
      json("/api/v1/mode" + query({ session: target }), { signal }),
      json("/api/v1/cassettes" + query({ session: target }), { signal }),
    ]);
    if (mine !== latest) return;
    replace(modeBox, modeFacts(mode), modeForm(mode, target, note, load));
    replace(cassetteBox, h("h3", {}, "Cassettes"), list.length
      ? h("ul", { class: "cassettes" }, list.map((c) => h("li", {},
        h("code", {}, c.path), " ",
        h("span", { class: "badge" }, [c.replaying ? "replaying" : null, c.recording ? "recording to" : null].filter(Boolean).join(", ") || "idle"), " ",
        h("button", { type: "button", onclick: () => exchanges(exchangeBox, c.exchanges_url, note) }, "List exchanges"))))
      : h("p", { class: "muted" }, "This session has no cassette (mock mode)."));
  };
  main.append(h("div", { class: "bar" }, h("h2", {}, `Cassettes & mode · ${target}`)), note, modeBox, cassetteBox, exchangeBox);
  await load();
}

function modeFacts(mode) {
  return h("dl", { class: "facts" },
    h("dt", {}, "Mode"), h("dd", { id: "current-mode" }, h("strong", {}, mode.mode)),
    h("dt", {}, "Cassettes"), h("dd", {}, mode.cassettes.join(", ") || "none"),
    h("dt", {}, "On a miss"), h("dd", {}, mode.on_miss),
    h("dt", {}, "Recordings loaded"), h("dd", {}, mode.recordings),
    h("dt", {}, "Recording to"), h("dd", {}, mode.recording_to ?? "nothing"),
    mode.warnings.length ? [h("dt", {}, "Warnings"), h("dd", {}, mode.warnings.join("; "))] : null);
}

function modeForm(mode, session, note, reload) {
  const select = (name, options, value) => h("select", { name },
    options.map((o) => h("option", { value: o, selected: o === value }, o)));
  const form = h("form", { class: "stack", id: "mode-form", "aria-label": "Switch mode" },
    h("h3", {}, "Switch mode"),
    h("label", {}, "Mode ", select("mode", ["mock", "record", "replay"], mode.mode)),
    h("label", {}, "Cassette paths (on the server, one per line) ",
      h("textarea", { name: "cassettes", rows: 2 }, mode.cassettes.join("\n"))),
    h("label", {}, "On a miss (replay) ", select("on_miss", ["error", "passthrough", "record"], mode.on_miss)),
    h("button", { type: "submit" }, "Switch"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      mode: form.elements.mode.value,
      cassettes: form.elements.cassettes.value.split("\n").map((s) => s.trim()).filter(Boolean),
      on_miss: form.elements.on_miss.value,
    };
    note.replaceChildren();
    try {
      await json("/api/v1/mode" + query({ session }), { method: "PUT", body });
      await reload();
      await refreshSessions();
      note.replaceChildren(h("p", { class: "ok" }, `${session} is now in ${body.mode} mode.`));
    } catch (error) {
      note.replaceChildren(problem(error));
    }
  });
  return form;
}

async function exchanges(box, url, note) {
  note.replaceChildren();
  let page;
  try {
    page = await json(url);
  } catch (error) {
    note.replaceChildren(problem(error));
    return;
  }
  const detail = h("div", { class: "detail", id: "exchange-detail" });
  const first = page.total ? page.offset + 1 : 0;
  const previous = Math.max(0, page.offset - page.limit);
  const nav = h("div", { class: "pager" },
    h("button", { type: "button", disabled: page.offset === 0,
      onclick: () => exchanges(box, url.replace(/offset=\d+/, `offset=${previous}`), note) }, "Previous"),
    h("span", { id: "page-info" }, `${first} to ${page.offset + page.exchanges.length} of ${page.total}${page.truncated ? " (the file ends in an incomplete record)" : ""}`),
    h("button", { type: "button", disabled: !page.next, onclick: () => exchanges(box, page.next, note) }, "Next"));
  replace(box,
    h("h3", {}, `Exchanges of ${page.cassette}`), nav,
    h("table", { class: "grid", id: "exchange-rows" },
      h("thead", {}, h("tr", {}, ["#", "Method", "URL", "Status", ""].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, page.exchanges.map((x) => h("tr", {},
        h("td", {}, x.position), h("td", {}, x.method), h("td", { class: "url" }, x.url), h("td", {}, x.status),
        h("td", {}, h("button", { type: "button", onclick: () => exchange(detail, x) }, "Show")))))),
    detail);
}

function exchange(detail, x) {
  const preview = (body, size) => body !== null && body.length >= 4096 ? `${body}\n… (${size} bytes stored)` : body;
  replace(detail,
    h("h4", {}, `#${x.position}: ${x.method} ${x.url} → ${x.status}`),
    headerTable(x.request_headers, "Request headers"),
    readable(preview(x.request_body, x.request_size), null, x.request_size),
    headerTable(x.response_headers, "Response headers"),
    x.response_encoding ? h("p", { class: "muted" }, `Stored ${x.response_encoding}-encoded (${x.response_size} bytes), shown decoded.`) : null,
    readable(preview(x.response_body, x.response_size), null, x.response_size));
}
