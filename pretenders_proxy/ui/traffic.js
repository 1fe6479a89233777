// Traffic: the requests of a session as they arrive, and one request in detail.

import { json } from "./api.js";
import { h, headerTable, readable, replace, safely, time } from "./dom.js";
import { feed, markChosen } from "./feed.js";
import { secretNames, shownValue } from "./secrets.js";

const SHOWN = 500;

export async function show(main, options) {
  const list = h("ol", { class: "rows", id: "traffic-list", "aria-label": "Requests" });
  const detail = h("section", { class: "detail", id: "traffic-detail", "aria-label": "Request detail" },
    h("p", { class: "muted" }, "Choose a request to see its headers and body."));
  const shown = shownValue(await secretNames());
  await feed(main, {
    title: "Traffic", path: "/api/v1/requests", event: "request", clearLabel: "Forget these requests",
    list, detail, shown: SHOWN, row: (entry) => row(entry, safely(() => open(detail, entry.id, list, shown), detail)),
  }, options);
}

function row(entry, open) {
  const source = entry.source;
  return h("li", { class: `row source-${source}` },
    h("button", { type: "button", class: "row-button", onclick: open, "data-id": entry.id },
      h("span", { class: "method" }, entry.method),
      h("span", { class: "url" }, protocol(entry), entry.url),
      h("span", { class: `badge ${source}` }, source),
      h("span", { class: "status" }, entry.status ?? "—"),
      h("span", { class: "ms" }, `${Math.round(entry.duration_ms)} ms`),
      h("span", { class: "when" }, time(entry.time))));
}

function protocol(entry) {
  // What is not plain HTTP says so before its URL: a WebSocket upgrade, or a connection of
  // another protocol (raw TCP, TLS pretenders did not decrypt, UDP, DNS) shown as CONNECT.
  return entry.protocol === "http" ? null : h("span", { class: "protocol" }, entry.protocol);
}

function refused(entry) {
  return !["http", "websocket"].includes(entry.protocol);
}

async function open(detail, id, list, shown) {
  // Rows may come from the event stream, which carries summaries: the whole entry is asked for.
  showEntry(detail, await json(`/api/v1/requests/${id}`), list, shown);
}

function showEntry(detail, entry, list, shown) {
  markChosen(list, entry.id);
  replace(detail,
    h("h3", {}, `${entry.method} ${entry.url}`),
    h("dl", { class: "facts" },
      h("dt", {}, "Session"), h("dd", {}, entry.session),
      h("dt", {}, "Answered by"), h("dd", {}, h("span", { class: `badge ${entry.source}` }, entry.source)),
      h("dt", {}, "Protocol"), h("dd", {}, entry.protocol),
      h("dt", {}, "Status"), h("dd", {}, entry.status ?? "none"),
      h("dt", {}, "Time"), h("dd", {}, `${time(entry.time)}, ${entry.duration_ms} ms`),
      entry.preset !== null ? [h("dt", {}, "Preset"), h("dd", {}, `#${entry.preset}`)] : null),
    entry.miss ? h("section", { class: "miss-report", "aria-label": "Why nothing matched" },
      h("h4", {}, refused(entry) ? "Refused: it may not go upstream" : "Miss: nothing matched"),
      h("pre", {}, entry.miss)) : null,
    entry.error ? h("p", { class: "problem" }, entry.error) : null,
    headerTable(entry.headers, "Request headers", shown),
    h("h4", {}, "Request body"),
    cut(entry.body_truncated, entry.body_base64, entry.body_size),
    readable(entry.body, entry.body_base64, entry.body_size),
    answer(entry.response, shown),
    conversation(entry.websocket));
  detail.focus?.();
}

function conversation(websocket) {
  // The WebSocket that followed a 101: each message with its direction, kind, size and when.
  if (!websocket) return null;
  const closed = websocket.close_code === null ? "never closed"
    : `closed ${websocket.close_code}${websocket.close_reason ? ` "${websocket.close_reason}"` : ""} by the ${websocket.closed_by_client ? "client" : "server"}`;
  const kept = websocket.total > websocket.messages.length
    ? h("p", { class: "muted kept" }, `First ${websocket.messages.length} of ${websocket.total} messages shown (history keeps no more).`) : null;
  return h("section", { class: "websocket", "aria-label": "WebSocket messages" },
    h("h4", {}, `WebSocket: ${websocket.total} messages, ${closed}`),
    websocket.cut ? h("p", { class: "problem" }, `Cut: ${websocket.cut}`) : null,
    kept,
    h("ol", { class: "messages" }, websocket.messages.map(message)));
}

function message(sent) {
  const from = sent.from_client ? "client" : "server";
  const shown = sent.type === "text" ? sent.text : `binary, ${sent.size} bytes`;
  return h("li", { class: `message from-${from}` },
    h("span", { class: "direction", title: `from the ${from}` }, sent.from_client ? "→" : "←"),
    h("span", { class: "kind" }, sent.type),
    h("span", { class: "at" }, `${sent.at.toFixed(3)} s`),
    h("span", { class: "size" }, `${sent.size} B`),
    h(sent.type === "text" ? "code" : "span", { class: "preview" }, shown),
    sent.truncated ? h("span", { class: "muted" }, " (cut)") : null);
}

function answer(response, shown) {
  // What the request was answered with, as history kept it (a long body only in part).
  if (!response) return h("p", { class: "muted" }, "No response was sent.");
  const kept = cut(response.truncated, response.body_base64, response.size);
  const encoded = response.encoding ? h("p", { class: "muted" }, `Sent with Content-Encoding: ${response.encoding}.`) : null;
  return h("section", { class: "response", "aria-label": "Response" },
    headerTable(response.headers, "Response headers", shown),
    h("h4", {}, "Response body"),
    encoded,
    kept,
    readable(response.body, response.body_base64, response.size),
    // HTTP/2 trailers: a gRPC call's status (grpc-status, grpc-message) is there.
    response.trailers?.length ? headerTable(response.trailers, "Response trailers", shown) : null);
}

function cut(truncated, base64, size) {
  // History keeps the first 64 KiB of a body: say so when that is all there is to show.
  if (!truncated) return null;
  return h("p", { class: "muted kept" }, `First ${kib(atob(base64).length)} of ${kib(size)} shown (history keeps no more).`);
}

function kib(bytes) {
  return bytes < 1024 ? `${bytes} bytes` : `${Math.round(bytes / 1024).toLocaleString("en")} KiB`;
}
