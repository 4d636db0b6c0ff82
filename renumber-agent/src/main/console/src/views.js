// Rendering of what the agent reports; no requests are made here.
import { h, replace, table, clock, duration } from "./dom.js";
import { drainChart } from "./chart.js";

export const FINAL = new Set(["COMPLETED", "TIMED_OUT", "FAILED", "CANCELLED"]);

const time = (iso) => (iso ? Date.parse(iso) : NaN);

const KINDS = { REQUESTED: "requested change", DETECTED: "renumbered by hand (detected)",
  MIGRATION: "migration of the targets" };

function stateBadge(state) {
  return h("span", { class: `state state-${state.toLowerCase()}`, "data-state": state }, state);
}

function list(lines, empty) {
  return lines.length === 0 ? h("p", { class: "quiet" }, empty) : h("ul", {}, lines.map((line) => h("li", {}, line)));
}

export function renderInterfaces(interfaces) {
  const rows = interfaces.flatMap((nic) => (nic.addresses.length === 0 ? [{ nic, address: null }]
    : nic.addresses.map((address) => ({ nic, address })))).map(({ nic, address }) => h("tr", {},
    h("td", {}, nic.name),
    h("td", {}, address ? address.address : "—"),
    h("td", {}, address ? address.family : ""),
    h("td", {}, address ? stateBadge(address.state) : ""),
    h("td", {}, address ? [address.tentative ? h("span", { class: "flag" }, "tentative") : null,
      address.deprecated ? h("span", { class: "flag" }, "deprecated") : null] : ""),
    h("td", { class: "nowrap" }, address ? `${address.preferredLifetime} / ${address.validLifetime}` : "")));
  replace("interfaces-body", table(["Interface", "Address", "Family", "State", "Flags", "Preferred / valid lifetime"],
    rows));
  replace("interface-names", interfaces.map((nic) => h("option", { value: nic.name })));
}

/**
 * What a change's card shows, redrawn at each poll: its states as a timeline, the drain chart, who holds the old
 * address. The card itself and its buttons are kept across polls (see main.js), so a click is never lost.
 */
export function changeDetails(change, record, now) {
  const deadline = time(change.Deadline);
  const finished = FINAL.has(change.State);
  const facts = [
    h("dt", {}, "Connections left"), h("dd", { class: "remaining" }, change.RemainingConnections),
  ];
  if (!finished && Number.isFinite(deadline)) {
    facts.push(h("dt", {}, "Deadline"), h("dd", { class: "deadline" },
      `in ${duration(Math.max(0, deadline - now))} (${clock(deadline)}, drain timeout ${change.DrainTimeoutSeconds} s)`));
  }
  if (change.WarningEnd && change.State === "WARNING") {
    facts.push(h("dt", {}, "Warning"), h("dd", {}, `starts by ${clock(change.WarningEnd)}; ready: `
      + `${change.Acknowledged.length} of ${change.Subscribers.length}`
      + (change.Acknowledged.length ? ` (${change.Acknowledged.join(", ")})` : "")));
  }
  if (change.StartReason) facts.push(h("dt", {}, "Started because"), h("dd", {}, change.StartReason));
  if (finished) {
    facts.push(h("dt", {}, "Outcome"), h("dd", { class: "outcome" }, change.Outcome || "—"),
      h("dt", {}, "Duration"), h("dd", {}, duration(time(change.FinishedAt) - time(change.RequestedAt))));
  }
  if (change.Error) facts.push(h("dt", {}, "Error"), h("dd", { class: "agent-text" }, change.Error));

  return [
    h("header", {}, h("h3", {}, change.Id), stateBadge(change.State), h("span", { class: "quiet" }, KINDS[change.Kind] ?? change.Kind)),
    h("p", {}, `${change.InterfaceName}: ${change.OldAddress} → ${change.NewAddress}`,
      h("span", { class: "quiet" }, ` · targets: ${change.Targets || "every matching subscriber"}`)),
    h("ol", { class: "timeline" }, record.timeline.map((step, i) => h("li", {
      class: i === record.timeline.length - 1 ? "current" : "done", "data-state": step.state,
    }, h("span", {}, step.state), h("time", {}, clock(step.at))))),
    h("div", { class: "drain" }, drainChart(record.samples, deadline), h("dl", {}, facts)),
    finished ? null : h("div", { class: "holders" },
      h("h4", {}, "Holding the old address, by process"), list(change.Holders, "no process holds it"),
      change.Listeners.length ? [h("h4", {}, "Listeners on the old address"), list(change.Listeners, "")] : null),
  ];
}

export function renderRecent(changes) {
  const rows = changes.map((c) => h("tr", { "data-change-id": c.Id },
    h("td", {}, c.Id), h("td", {}, c.InterfaceName), h("td", {}, `${c.OldAddress} → ${c.NewAddress}`),
    h("td", {}, c.Kind), h("td", {}, stateBadge(c.State)), h("td", {}, c.Outcome),
    h("td", {}, duration(time(c.FinishedAt) - time(c.RequestedAt))), h("td", {}, clock(c.FinishedAt)),
    h("td", { class: "agent-text" }, c.Error)));
  replace("recent-body", rows.length ? table(["Change", "Interface", "Addresses", "Kind", "State", "Outcome",
    "Duration", "Finished", "Error"], rows) : h("p", { class: "quiet" }, "no finished change in the agent's history"));
}

export function renderSubscribers(subscriptions, changes) {
  const warning = changes.filter((c) => c.State === "WARNING");
  const acknowledgement = (id) => warning.filter((c) => c.Subscribers.includes(id))
    .map((c) => (c.Acknowledged.includes(id) ? `ready for ${c.Id}` : `warned of ${c.Id}, not ready`)).join("; ");
  const rows = subscriptions.sort((a, b) => a.SubscriberId.localeCompare(b.SubscriberId)).map((s) => h("tr", {},
    h("td", {}, s.SubscriberId), h("td", {}, s.Group || "—"), h("td", {}, s.Scope || "all"),
    h("td", {}, s.Pid || "unknown"), h("td", {}, acknowledgement(s.SubscriberId) || "—")));
  replace("subscribers-body", rows.length ? table(["Subscriber", "Group", "Scope", "Process", "Warning acknowledged"],
    rows) : h("p", { class: "quiet" }, "no subscriber"));
}

function settings(pairs) {
  return h("dl", { class: "settings" }, pairs.flatMap(([name, value]) => [h("dt", {}, name),
    h("dd", {}, String(value))]));
}

export function renderMonitors({ service, interfaceMonitor: im, applicationMonitor: am }) {
  replace("monitors-body",
    h("div", {}, h("h3", {}, "Address change service"), settings([
      ["Guard new connections", service.GuardNewConnections], ["Force close at deadline", service.ForceCloseAtDeadline],
      ["Subscribers", service.SubscriberCount]])),
    h("div", {}, h("h3", {}, "Interface monitor"), settings([
      ["Enabled", im.Enabled], ["Listening", im.Listening], ["Window", `${im.WindowMillis} ms`],
      ["Settle", `${im.SettleMillis} ms`], ["Auto-remove alias", im.AutoRemoveAlias],
      ["Drain timeout", `${im.DrainTimeoutSeconds} s`], ["Last error", im.LastError || "—"]]),
    h("h4", {}, "Recent detections"), list(im.RecentDetections.slice(0, 5), "none"),
    h("h4", {}, "Pending steps"), list(im.PendingSteps, "none")),
    h("div", {}, h("h3", {}, "Application monitor"), h("h4", {}, "Declared applications"),
      list(am.Applications, "none"), h("h4", {}, "Recent events"), list(am.RecentEvents.slice(0, 5), "none")));
}

export function addEvent(mbean, notification) {
  const list = document.getElementById("events-list");
  list.prepend(h("li", { "data-type": notification.type }, h("time", {}, clock(notification.timeStamp)),
    h("code", {}, notification.type), " ", notification.message));
  while (list.children.length > 50) list.lastChild.remove();
}
