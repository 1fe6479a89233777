// Calls to the control API, with the token (if the server wants one) kept in this tab only.

const KEY = "pretenders-token";
let asking = null;

function authorization() {
  const token = sessionStorage.getItem(KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

function askToken() {
  if (asking) return asking;
  const dialog = document.getElementById("login");
  const form = document.getElementById("login-form");
  asking = new Promise((resolve) => {
    form.addEventListener("submit", () => {
      sessionStorage.setItem(KEY, document.getElementById("token").value);
      asking = null;
      resolve();
    }, { once: true });
  });
  dialog.addEventListener("cancel", (event) => event.preventDefault()); // nothing works without it
  if (!dialog.open) dialog.showModal();
  return asking;
}

export async function request(path, { method = "GET", body, signal } = {}) {
  const headers = authorization();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const answer = await fetch(path, { method, headers, body: payload, signal });
  if (answer.status === 401) {
    await askToken();
    return request(path, { method, body, signal });
  }
  if (!answer.ok) {
    let message = answer.statusText;
    try { message = (await answer.json()).error || message; } catch { /* not JSON */ }
    throw new Error(`${answer.status}: ${message}`);
  }
  return answer;
}

export async function json(path, options) {
  const answer = await request(path, options);
  return answer.status === 204 ? null : answer.json();
}

// Lists come a page at a time (`limit`; the next page's cursor in X-Next-Cursor): hand each
// page to `take` as it arrives, so a long list is never held whole.
export async function eachPage(path, take, { signal, limit = 1000 } = {}) {
  const url = new URL(path, window.location.href);
  url.searchParams.set("limit", limit);
  for (;;) {
    const answer = await request(url.pathname + url.search, { signal });
    take(await answer.json());
    const next = answer.headers.get("X-Next-Cursor");
    if (!next) return;
    url.searchParams.set("cursor", next);
  }
}

export async function jsonAll(path, options) {
  const items = [];
  await eachPage(path, (page) => items.push(...page), options);
  return items;
}

export function query(params) {
  const kept = Object.entries(params).filter(([, value]) => value !== "" && value !== undefined && value !== null);
  return kept.length ? "?" + new URLSearchParams(kept).toString() : "";
}

export async function download(url, filename) {
  // A link cannot send the token, so the bytes are fetched and handed over as a blob.
  const blob = await (await request(url)).blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
}

async function listen(session, onEvent, onOpen, signal) {
  // Server-sent events read through fetch (EventSource cannot send the token).
  const answer = await request("/api/v1/events" + query({ session }), { signal });
  const reader = answer.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  onOpen();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) name = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (name === "overflow") return;
      if (data) onEvent(name, JSON.parse(data));
    }
  }
}

export function live(session, { onEvent, onOpen, onDrop }, signal) {
  // Keep listening until the page changes; after a drop, reconnect (and the page catches up).
  const run = async () => {
    let opened = 0;
    while (!signal.aborted) {
      try {
        await listen(session, onEvent, () => onOpen(opened++ > 0), signal);
      } catch {
        if (signal.aborted) return;
      }
      if (signal.aborted) return;
      onDrop();
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };
  run();
}

// A load that draws only the newest of its answers: an older load answered late draws nothing.
export function newestOnly(fetch, draw) {
  let asked = 0;
  return async () => {
    const mine = ++asked;
    const answer = await fetch();
    if (mine === asked) draw(answer);
  };
}
