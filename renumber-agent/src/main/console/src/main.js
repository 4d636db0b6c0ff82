// The console: reads the agent every second through Jolokia, pulls its notifications, and redraws.
import { Agent } from "./agent.js";
import { replace, h } from "./dom.js";
import { FINAL, addEvent, changeDetails, renderInterfaces, renderMonitors, renderRecent, renderSubscribers }
  from "./views.js";
import { confirmCancel, wirePlanForm } from "./actions.js";

const SETTINGS_EVERY_MS = 5000;
// Absolute, from the origin: a page opened as http://user:password@host/console/ would otherwise resolve the
// Jolokia path with those credentials in it, which fetch() refuses.
const agent = new Agent(new URL(document.querySelector('meta[name="renumber-jolokia"]').content,
  window.location.origin).href);

// What this page has seen of each change: its drain samples and the states it went through, with times.
const records = new Map();
// Changes shown in the "active" panel: the running ones, and those this page saw running until dismissed.
const watched = new Set();
let latest = { changes: [], subscriptions: [] };

function record(id) {
  if (!records.has(id)) records.set(id, { samples: [], timeline: [] });
  return records.get(id);
}

// States in the order a change passes them; a change skips some (no WARNING without a warning).
const ORDER = ["REQUESTED", "WARNING", "ADDING", "DRAINING", "REMOVING", ...FINAL];

// A state enters the timeline once, at the earliest time known for it: the change's own times or a notification's
// time stamp, else the poll that first saw it (up to a second late, so never later than the state after it).
function mark(r, state, at) {
  const step = r.timeline.find((s) => s.state === state);
  if (!step) r.timeline.push({ state, at });
  else if (at < step.at) step.at = at;
  r.timeline.sort((a, b) => ORDER.indexOf(a.state) - ORDER.indexOf(b.state));
  for (let i = r.timeline.length - 2; i >= 0; i--) {
    r.timeline[i].at = Math.min(r.timeline[i].at, r.timeline[i + 1].at);
  }
}

function observe(change, now) {
  const r = record(change.Id);
  mark(r, "REQUESTED", Date.parse(change.RequestedAt));
  mark(r, change.State, FINAL.has(change.State) && change.FinishedAt ? Date.parse(change.FinishedAt) : now);
  // The chart counts from the drain on, and ends with one sample of the final state.
  const previous = r.samples[r.samples.length - 1];
  if (change.State === "DRAINING" || change.State === "REMOVING"
    || (FINAL.has(change.State) && previous && !FINAL.has(previous.state))) {
    r.samples.push({ t: now, remaining: change.RemainingConnections, state: change.State });
  }
  if (!FINAL.has(change.State)) watched.add(change.Id);
}

function statusLine(text, ok) {
  replace("connection", text).className = ok ? "status ok" : "status failed";
}

// One card per shown change, kept across polls: only its details are redrawn, so its buttons stay the same
// elements and a click that straddles a poll still lands.
const cards = new Map();
let shownIds = null;

function cardFor(change, now) {
  let entry = cards.get(change.Id);
  if (!entry) {
    const details = h("div", { class: "details" });
    const actions = h("div", { class: "actions" }, h("button", { type: "button", class: "cancel",
      onclick: () => confirmCancel(agent, change.Id) }, "Cancel this change…"));
    entry = { card: h("article", { class: "change", "data-change-id": change.Id }, details, actions), details,
      actions, finished: false };
    cards.set(change.Id, entry);
  }
  entry.card.setAttribute("data-state", change.State);
  entry.details.replaceChildren(...changeDetails(change, record(change.Id), now).filter(Boolean));
  if (FINAL.has(change.State) && !entry.finished) {
    entry.finished = true;
    entry.actions.replaceChildren(h("button", { type: "button", onclick: () => {
      watched.delete(change.Id);
      cards.delete(change.Id);
      render();
    } }, "Dismiss"));
  }
  return entry.card;
}

function render() {
  const now = Date.now();
  const byId = new Map(latest.changes.map((c) => [c.Id, c]));
  const shown = [...watched].map((id) => byId.get(id)).filter(Boolean)
    .sort((a, b) => Date.parse(b.RequestedAt) - Date.parse(a.RequestedAt));
  const elements = shown.map((c) => cardFor(c, now));
  const ids = shown.map((c) => c.Id).join(" ");
  if (ids !== shownIds) {
    shownIds = ids;
    replace("active-body", elements.length ? elements : h("p", { class: "quiet" }, "no change in progress"));
  }
  renderRecent(latest.changes.filter((c) => FINAL.has(c.State))
    .sort((a, b) => Date.parse(b.FinishedAt) - Date.parse(a.FinishedAt)));
  renderSubscribers(latest.subscriptions, latest.changes);
}

async function refreshSettings() {
  try {
    const settings = await agent.settings();
    renderInterfaces(settings.interfaces);
    renderMonitors(settings);
  } catch (error) {
    replace("monitors-body", h("p", { class: "refusal" }, error.message));
  }
}

agent.poll((state) => {
  const now = Date.now();
  latest = state;
  state.changes.forEach((c) => observe(c, now));
  statusLine(`connected · ${new Date(now).toLocaleTimeString([], { hour12: false })}`, true);
  render();
}, (failure) => statusLine(`agent unreachable: ${failure}`, false));

agent.listen((mbean, notification) => {
  addEvent(mbean, notification);
  const data = notification.userData ?? {};
  if (data.changeId && data.state) mark(record(data.changeId), data.state, notification.timeStamp);
  // Every notification may mean new addresses, detections or application events.
  refreshSettings();
}).catch((error) => statusLine(`notifications unavailable: ${error.message}`, false));

wirePlanForm(agent, (id) => {
  watched.add(id);
  replace("cancel-confirm");
});
refreshSettings();
setInterval(refreshSettings, SETTINGS_EVERY_MS);
