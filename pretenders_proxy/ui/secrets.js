// Secret header values (Authorization, Cookie, the --redact-header names...) shown masked until
// clicked, so that a shared screen or a screenshot of the Traffic pane does not give them away.

import { json } from "./api.js";
import { h } from "./dom.js";

// Masked even when the server cannot be asked: the names it redacts by default.
const DEFAULT = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"];
let names = null;

export function secretNames() {
  // Asked once per page load: the server knows its --redact-header names.
  names ??= json("/health").then(
    (health) => new Set([...DEFAULT, ...health.secret_headers.map((name) => name.toLowerCase())]),
    () => new Set(DEFAULT));
  return names;
}

export function shownValue(secret) {
  // What a header table shows for a header's value: secret ones masked, with a click to reveal.
  return (name, value) => secret.has(name.toLowerCase()) ? masked(name, value) : value;
}

function masked(name, value) {
  const button = h("button", {
    type: "button", class: "secret", title: "Click to show", "aria-label": `Show the ${name} value`,
  }, "•••••• show");
  button.addEventListener("click", () => button.replaceWith(h("span", { class: "revealed" }, value)));
  return button;
}
