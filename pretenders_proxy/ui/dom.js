// Building the page from data: text always goes in as text, never as HTML.

export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

export function headerTable(pairs, caption, shown = (name, value) => value) {
  // `shown(name, value)`: what the value cell holds (text, or an element such as a masked value).
  return h("table", { class: "headers" },
    h("caption", {}, caption),
    h("tbody", {}, pairs.map(([name, value]) => h("tr", {}, h("th", { scope: "row" }, name), h("td", {}, shown(name, value))))));
}

export function readable(text, base64, size) {
  // A body as people read it: JSON indented, text as is, anything else described.
  if (text === null || text === undefined) {
    return h("p", { class: "muted" }, `binary body, ${size ?? atob(base64 || "").length} bytes`);
  }
  if (text === "") return h("p", { class: "muted" }, "no body");
  let shown = text;
  try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch { /* not JSON: as is */ }
  return h("pre", { class: "body" }, shown);
}

export function problem(error) {
  return h("p", { class: "problem", role: "alert" }, String(error.message || error));
}

export function time(iso) {
  const moment = new Date(iso);
  return Number.isNaN(moment.getTime()) ? iso : moment.toLocaleTimeString();
}

export function safely(work, where) {
  // A click handler that shows its failure in `where` instead of leaving it unhandled.
  return async (...args) => {
    try {
      await work(...args);
    } catch (error) {
      where.replaceChildren(problem(error));
    }
  };
}

export function placeNewestFirst(list, item, id) {
  // Rows arrive from the list and the live stream in either order; keep the newest on top.
  item.dataset.order = id;
  const after = [...list.children].find((row) => Number(row.dataset.order) < id);
  list.insertBefore(item, after ?? null);
}
