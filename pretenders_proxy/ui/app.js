// The page's frame: which page shows (from the address's #hash), and which session.

import { jsonAll } from "./api.js";
import { h, problem, replace } from "./dom.js";
import * as traffic from "./traffic.js";
import * as sessions from "./sessions.js";
import * as mail from "./mail.js";
import * as cassettes from "./cassettes.js";

const PAGES = { traffic, sessions, mail, cassettes };
let current = null;

export function where() {
  const [page, search] = (window.location.hash.slice(1) || "traffic").split("?");
  const params = new URLSearchParams(search || "");
  return { page: PAGES[page] ? page : "traffic", session: params.get("session") || "" };
}

export function go(page, session) {
  const query = session ? `?session=${encodeURIComponent(session)}` : "";
  window.location.hash = `${page}${query}`;
}

export async function refreshSessions() {
  const select = document.getElementById("session");
  const { session } = where();
  try {
    const names = (await jsonAll("/api/v1/sessions")).map((s) => s.name);
    if (session && !names.includes(session)) names.push(session);
    replace(select, h("option", { value: "" }, "all sessions"),
      names.sort().map((name) => h("option", { value: name }, name)));
    select.value = session;
  } catch { /* the page itself says what failed */ }
}

async function show() {
  current?.abort();
  current = new AbortController();
  const { page, session } = where();
  for (const link of document.querySelectorAll("nav a")) {
    const here = link.dataset.page === page;
    link.href = `#${link.dataset.page}${session ? `?session=${encodeURIComponent(session)}` : ""}`;
    if (here) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
  document.getElementById("session").value = session;
  const main = document.getElementById("main");
  main.replaceChildren();
  main.dataset.page = page;
  document.title = `${page} · pretenders`;
  try {
    await PAGES[page].show(main, { session, signal: current.signal });
  } catch (error) {
    if (!current.signal.aborted) main.append(problem(error));
  }
}

document.getElementById("session").addEventListener("change", (event) => {
  go(where().page, event.target.value);
});
document.getElementById("session").addEventListener("focus", refreshSessions);
window.addEventListener("hashchange", show);
refreshSessions();
show();
