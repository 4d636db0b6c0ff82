// The write actions: plan a change and start it only from a confirmed plan; cancel only after a second,
// explicit confirmation. Nothing here acknowledges a warning: that is each application's own call.
import { h, replace } from "./dom.js";
import { SERVICE } from "./agent.js";

const MODES = {
  immediate: { plan: "planChange", start: "changeAddress", warned: false, label: "Start the change now" },
  warning: { plan: "planChange", start: "scheduleChange", warned: true, label: "Warn the targets, then start" },
  migration: { plan: "planMigration", start: "migrateSubscribers", warned: false, label: "Start the migration now" },
  "migration-warning": { plan: "planMigration", start: "scheduleMigration", warned: true,
    label: "Warn the targets, then migrate" },
};

function refusal(id, text) {
  return replace(id, h("p", { class: "refusal", role: "alert" }, h("strong", {}, "Refused by the agent: "),
    h("span", { class: "agent-text" }, text)));
}

function readForm(form) {
  const data = new FormData(form);
  const text = (name) => String(data.get(name) ?? "").trim();
  const mode = MODES[text("mode")] ?? MODES.immediate;
  return {
    mode,
    args: [text("interfaceName"), text("oldAddress"), text("newAddress"), text("targets"),
      Number(text("drainTimeoutSeconds"))],
    warningSeconds: Number(text("warningSeconds")),
  };
}

function planView(plan) {
  const rows = (items, render) => (items.length === 0 ? "none" : h("ul", {}, items.map((i) => h("li", {}, render(i)))));
  const facts = [
    ["Kind", plan.kind], ["Interface", plan.interfaceName], ["Old address", plan.oldAddress],
    ["New address", plan.newAddress], ["New address usable", plan.usable],
    ["Drain timeout", `${plan.drainTimeoutSeconds} s`],
    ["Refuse new connections to the old address", plan.guardNewConnections ? "yes" : "no"],
    ["Force-close at the deadline", plan.forceCloseAtDeadline ? "yes" : "no"],
    ["Routes", rows(plan.routes, (r) => `table ${r.table}: ${r.before} → ${r.after}`)],
    ["Policy rules", rows(plan.rules, (r) => `${r.action}: ${r.rule}`)],
    ["Subscribers told", rows(plan.subscribers, (s) => `${s.id} (group ${s.group || "—"}, scope ${s.scope || "all"}, `
      + `pid ${s.pid || "unknown"})`)],
    ["Legacy applications restarted", rows(plan.applications, (a) => a)],
    ["Connections on the old address", rows(plan.connections, (c) => `${c.local} ↔ ${c.remote} ${c.state} `
      + `${c.process ? `${c.process} (pid ${c.pid})` : ""}`)],
    ["Listeners on the old address", rows(plan.listeners, (l) => l)],
    ["Holders", rows(plan.holders, (l) => l)],
  ];
  return h("dl", { class: "plan" }, facts.flatMap(([name, value]) => [h("dt", {}, name), h("dd", {}, value)]));
}

/**
 * Wires the plan form: Plan asks the agent for the dry run; only a valid plan offers the start button, and any
 * edit of the form withdraws it, so what starts is exactly what was shown.
 */
export function wirePlanForm(agent, onStarted) {
  const form = document.getElementById("plan-form");
  const withdraw = () => replace("plan-result");
  form.addEventListener("input", withdraw);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { mode, args, warningSeconds } = readForm(form);
    replace("plan-result", h("p", { class: "quiet" }, "asking the agent for a plan…"));
    let plan;
    try {
      plan = await agent.exec(SERVICE, mode.plan, ...args);
    } catch (error) {
      refusal("plan-result", error.message);
      return;
    }
    if (!plan.valid) {
      refusal("plan-result", plan.refusal);
      return;
    }
    const start = h("button", { type: "button", id: "confirm-start", class: "primary" }, mode.label);
    const discard = h("button", { type: "button", onclick: withdraw }, "Discard the plan");
    replace("plan-result", h("h3", {}, "Plan: nothing has changed yet"), planView(plan),
      h("div", { class: "actions" }, start, discard));
    start.addEventListener("click", async () => {
      start.disabled = true;
      const startArgs = mode.warned ? [...args, warningSeconds] : args;
      try {
        const id = await agent.exec(SERVICE, mode.start, ...startArgs);
        replace("plan-result", h("p", { class: "accepted" }, "Accepted: change ", h("code", {}, id)));
        onStarted(id);
      } catch (error) {
        refusal("plan-result", error.message);
      }
    });
  });
}

/** Asks for a second, explicit click before cancelling; shows the agent's refusal as it is. */
export function confirmCancel(agent, changeId) {
  const status = h("div", { class: "cancel-status" });
  const confirm = h("button", { type: "button", class: "danger confirm-cancel" }, `Cancel change ${changeId}`);
  const keep = h("button", { type: "button" }, "Keep it running");
  const box = h("form", { class: "confirm", onsubmit: (e) => e.preventDefault() },
    h("p", {}, "Cancelling puts the routes back on the old address and removes the new one."), confirm, keep, status);
  keep.addEventListener("click", () => replace("cancel-confirm"));
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    try {
      await agent.exec(SERVICE, "cancelChange", changeId);
      status.replaceChildren(h("p", { class: "accepted" }, "Cancel requested."));
    } catch (error) {
      status.replaceChildren(h("p", { class: "refusal", role: "alert" }, h("strong", {}, "Refused by the agent: "),
        h("span", { class: "agent-text" }, error.message)));
      confirm.disabled = false;
    }
  });
  replace("cancel-confirm", box);
}
