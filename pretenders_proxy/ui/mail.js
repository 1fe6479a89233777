// Mail: a session's inbox, and one message as HTML (sandboxed), text, headers, raw source.

import { download, json, request } from "./api.js";
import { h, headerTable, replace, safely, time } from "./dom.js";
import { feed, markChosen } from "./feed.js";

// The message's HTML is the sender's: it runs no script (sandbox without allow-scripts) and
// loads nothing from elsewhere (this policy, inside the frame; the page's own policy on top).
const FRAME_POLICY = "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'";
const REMOTE = /^\s*(https?:)?\/\//i;

export async function show(main, options) {
  const inbox = h("ol", { class: "rows", id: "inbox", "aria-label": "Inbox" });
  const detail = h("section", { class: "detail", id: "mail-detail", "aria-label": "Message" },
    h("p", { class: "muted" }, "Choose a message to read it."));
  const row = (mail) => h("li", { class: "row" },
    h("button", { type: "button", class: "row-button mail-row", "data-id": mail.id, onclick: safely(() => open(detail, mail.id, inbox), detail) },
      h("span", { class: "subject" }, mail.subject || "(no subject)"),
      h("span", { class: "from" }, mail.from || mail.envelope.mail_from),
      h("span", { class: "to" }, `to ${mail.to || mail.envelope.rcpt_tos.join(", ")}`),
      h("span", { class: "when" }, time(mail.time))));
  await feed(main, {
    title: "Mail", path: "/api/v1/mail", event: "mail", clearLabel: "Delete these mails",
    list: inbox, detail, row,
  }, options);
}

async function open(detail, id, inbox) {
  markChosen(inbox, id);
  const mail = await json(`/api/v1/mail/${id}`);
  const view = h("div", { class: "view", id: "mail-view" });
  const views = {
    HTML: () => mail.html === null ? h("p", { class: "muted" }, "This message has no HTML part.") : frame(mail.html),
    Text: () => mail.text === null ? h("p", { class: "muted" }, "This message has no text part.") : h("pre", { class: "body" }, mail.text),
    Headers: () => headerTable(mail.headers, "Headers"),
    Raw: async () => h("pre", { class: "body raw" }, await (await request(mail.raw_url)).text()),
  };
  const tabs = h("div", { class: "tabs", role: "group", "aria-label": "View" });
  const choose = async (name) => {
    for (const tab of tabs.children) tab.setAttribute("aria-pressed", String(tab.textContent === name));
    replace(view, await views[name]());
  };
  for (const name of Object.keys(views)) {
    tabs.append(h("button", { type: "button", "aria-pressed": "false", onclick: safely(() => choose(name), view) }, name));
  }
  replace(detail,
    h("h3", {}, mail.subject || "(no subject)"),
    h("dl", { class: "facts" },
      h("dt", {}, "From"), h("dd", {}, mail.from || mail.envelope.mail_from),
      h("dt", {}, "To"), h("dd", {}, mail.to || mail.envelope.rcpt_tos.join(", ")),
      h("dt", {}, "Envelope"), h("dd", {}, `${mail.envelope.mail_from} → ${mail.envelope.rcpt_tos.join(", ")}`),
      h("dt", {}, "Session"), h("dd", {}, mail.session),
      h("dt", {}, "Received"), h("dd", {}, `${time(mail.time)}, ${mail.size} bytes`)),
    mail.note ? h("p", { class: "note", role: "note" }, mail.note) : null,
    mail.attachments.length ? h("section", { class: "attachments", "aria-label": "Attachments" },
      h("h4", {}, "Attachments"),
      h("ul", {}, mail.attachments.map((a) => h("li", {},
        h("button", { type: "button", class: "link", onclick: safely(() => download(a.url, a.filename || `attachment-${a.index}`), view) },
          `Download ${a.filename || `attachment ${a.index}`}`),
        ` ${a.content_type}, ${a.size} bytes`)))) : null,
    tabs, view);
  await choose(mail.html !== null ? "HTML" : "Text");
}

function frame(html) {
  const { text, blocked } = harmless(html);
  return [
    blocked ? h("p", { class: "note", role: "note" }, `${blocked} remote image(s) and script(s) not loaded.`) : null,
    h("iframe", { class: "mail-html", title: "The message as HTML", sandbox: "", referrerpolicy: "no-referrer", srcdoc: text }),
  ];
}

function harmless(html) {
  // Parsed inertly (no script runs, nothing loads); scripts and remote sources are dropped
  // before the frame sees it, so the browser does not even report a blocked load.
  const doc = new DOMParser().parseFromString(html, "text/html");
  let blocked = 0;
  for (const element of doc.querySelectorAll("script, iframe, object, embed, link, base, meta[http-equiv]")) {
    element.remove();
    blocked += 1;
  }
  for (const element of doc.querySelectorAll("*")) {
    for (const attribute of [...element.attributes]) {
      const name = attribute.name.toLowerCase();
      const remote = ["src", "srcset", "background", "poster", "href"].includes(name) && REMOTE.test(attribute.value);
      if (name.startsWith("on") || (remote && name !== "href")) {
        element.removeAttribute(attribute.name);
        blocked += remote ? 1 : 0;
      }
    }
  }
  const policy = doc.createElement("meta");
  policy.httpEquiv = "Content-Security-Policy";
  policy.content = FRAME_POLICY;
  doc.head.prepend(policy);
  return { text: "<!doctype html>\n" + doc.documentElement.outerHTML, blocked };
}
