// Sessions and presets: list, create and delete sessions; a session's presets, and a form to add one.

import { json, jsonAll, newestOnly, query } from "./api.js";
import { go, refreshSessions } from "./app.js";
import { h, problem, replace } from "./dom.js";

export async function show(main, { session, signal }) {
  const target = session || "default";
  const sessionList = h("tbody", { id: "session-rows" });
  const presetList = h("tbody", { id: "preset-rows" });
  const note = h("div", { role: "status", class: "note" });
  const loadSessions = newestOnly(() => jsonAll("/api/v1/sessions", { signal }), (rows) => {
    replace(sessionList, rows.map((s) => h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#sessions?session=${encodeURIComponent(s.name)}` }, s.name)),
      h("td", {}, s.protocol), h("td", {}, s.presets), h("td", {}, requests(s)), h("td", {}, s.mails),
      h("td", {}, h("button", {
        type: "button", class: "danger", "aria-label": `Delete session ${s.name}`,
        onclick: () => act(note, async () => {
          await json(`/api/v1/sessions/${encodeURIComponent(s.name)}`, { method: "DELETE" });
          await refreshSessions();
          if (s.name === session) go("sessions", ""); else await loadSessions();
        }),
      }, "Delete")))));
  });
  const presets = async () => {
    try {
      return await jsonAll("/api/v1/presets" + query({ session: target }), { signal });
    } catch (error) {
      if (!String(error.message).startsWith("404")) throw error;
      return [];
    }
  };
  const loadPresets = newestOnly(presets, (rows) => {
    replace(presetList, rows.length ? rows.map((p) => h("tr", {},
      h("td", {}, p.id),
      h("td", {}, h("code", {}, p.rule.rule || "(any)")),
      h("td", {}, p.rule.host ?? "any"),
      h("td", {}, p.status),
      h("td", {}, p.text === null ? `${atob(p.body).length} bytes` : h("code", { class: "clip" }, p.text)),
      h("td", {}, `${p.served} / ${p.times}`),
      h("td", {}, h("button", {
        type: "button", class: "danger", "aria-label": `Delete preset ${p.id}`,
        onclick: () => act(note, async () => {
          await json(`/api/v1/presets/${p.id}`, { method: "DELETE" });
          await loadPresets();
        }),
      }, "Delete")))) : h("tr", {}, h("td", { colspan: 7, class: "muted" }, "No presets.")));
  });

  const create = h("form", { class: "inline", id: "session-form", "aria-label": "New session" },
    h("label", {}, "Name ", h("input", { name: "name", required: true, pattern: "[A-Za-z0-9._\\-]+" })),
    h("button", { type: "submit" }, "Create session"));
  create.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = create.elements.name.value.trim();
    act(note, async () => {
      await json("/api/v1/sessions", { method: "POST", body: { name } });
      await refreshSessions();
      go("sessions", name);
    });
  });

  const form = presetForm(target, note, loadPresets);
  main.append(
    h("div", { class: "bar" }, h("h2", {}, "Sessions")), note,
    h("table", { class: "grid" },
      h("thead", {}, h("tr", {}, ["Name", "Protocol", "Presets", "Requests", "Mails", ""].map((t) => h("th", { scope: "col" }, t)))),
      sessionList),
    create,
    h("h2", {}, `Presets of ${target}`),
    h("p", { class: "muted" }, "Tried in this order; the first that matches answers."),
    h("table", { class: "grid" },
      h("thead", {}, h("tr", {}, ["#", "Rule", "Host", "Status", "Body", "Served / times", ""].map((t) => h("th", { scope: "col" }, t)))),
      presetList),
    form);
  await Promise.all([loadSessions(), loadPresets()]);
}

function presetForm(session, note, reload) {
  const form = h("form", { class: "stack", id: "preset-form", "aria-label": "Add a preset" },
    h("h3", {}, "Add a preset"),
    h("label", {}, "Rule (regex on \"METHOD /path?query\") ", h("input", { name: "rule", placeholder: "GET /hello" })),
    h("label", {}, "Host (regex, empty: any) ", h("input", { name: "host", placeholder: "api\\.example\\.test" })),
    h("label", {}, "Status ", h("input", { name: "status", type: "number", min: 100, max: 999, value: 200, required: true })),
    h("label", {}, "Content-Type ", h("input", { name: "type", value: "text/plain; charset=utf-8" })),
    h("label", {}, "Body ", h("textarea", { name: "body", rows: 4 })),
    h("button", { type: "submit" }, "Add preset"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const field = (name) => form.elements[name].value;
    const body = {
      rule: field("rule"),
      status: Number(field("status")),
      text: field("body"),
      headers: field("type") ? { "Content-Type": field("type") } : {},
    };
    if (field("host").trim()) body.host = field("host").trim();
    act(note, async () => {
      const added = await json("/api/v1/presets" + query({ session }), { method: "POST", body });
      await reload();
      await refreshSessions();
      note.replaceChildren(h("p", { class: "ok" }, `Preset #${added.id} added to ${session}.`));
    });
  });
  return form;
}

async function act(note, work) {
  note.replaceChildren();
  try {
    await work();
  } catch (error) {
    note.replaceChildren(problem(error));
  }
}

function requests(s) {
  // A session that keeps no history (record_history false, issue 20) shows what it answered.
  return s.record_history ? String(s.requests) : `${s.requests_seen} answered, none kept`;
}
