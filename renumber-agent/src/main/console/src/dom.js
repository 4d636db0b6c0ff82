// DOM building without innerHTML: every text an agent or an application chose (ids, command lines, error
// messages) goes in as textContent, so none of it can become markup.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === undefined || value === null) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function replace(id, ...children) {
  const element = document.getElementById(id);
  element.replaceChildren();
  return append(element, children);
}

export function table(headings, rows, attributes = {}) {
  return h("table", attributes,
    h("thead", {}, h("tr", {}, headings.map((text) => h("th", {}, text)))),
    h("tbody", {}, rows));
}

/** "12:03:04" for an ISO-8601 instant or epoch milliseconds; "" for nothing. */
export function clock(when) {
  if (when === "" || when === null || when === undefined) return "";
  const date = new Date(when);
  return Number.isNaN(date.getTime()) ? String(when) : date.toLocaleTimeString([], { hour12: false });
}

/** "1 min 05 s" / "42 s" for milliseconds. */
export function duration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return "";
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
}
