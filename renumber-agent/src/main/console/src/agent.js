// The agent as the console sees it: the renumber MBeans through the official Jolokia client. Every refusal
// surfaces as an AgentError whose message is the agent's own error text, unchanged, for the page to show.
import Jolokia from "jolokia.js";

export const SERVICE = "renumber:type=AddressChangeService";
export const INTERFACE_MONITOR = "renumber:type=InterfaceMonitor";
export const APPLICATION_MONITOR = "renumber:type=ApplicationMonitor";
export const CHANGES = "renumber:type=AddressChange,*";
export const SUBSCRIPTIONS = "renumber:type=Subscription,*";

export const CHANGE_ATTRIBUTES = ["Id", "State", "Kind", "InterfaceName", "OldAddress", "NewAddress", "Targets",
  "Subscribers", "RemainingConnections", "Outcome", "Error", "DrainTimeoutSeconds", "RequestedAt", "StartedAt",
  "Deadline", "FinishedAt", "WarningEnd", "Acknowledged", "StartReason", "Holders", "Listeners", "OldAddressKept"];
const SUBSCRIPTION_ATTRIBUTES = ["SubscriberId", "Group", "Scope", "Pid"];

export class AgentError extends Error {}

// A pattern read that matches no MBean is an error for Jolokia (404); for the page it is an empty list.
const NOTHING_MATCHES = 404;

export class Agent {
  constructor(url) {
    // POST only: requests carry no arguments in URLs (logs, caches), and the agent checks their Origin.
    this.jolokia = new Jolokia({ url, method: "post", fetchInterval: 1000 });
  }

  /** The value of one request, or an AgentError with the agent's text. */
  async request(request) {
    let response;
    try {
      response = await this.jolokia.request(request);
    } catch (error) {
      throw new AgentError(error instanceof Response
        ? `the agent answered HTTP ${error.status} ${error.statusText}`.trim()
        : `the agent cannot be reached: ${error.message ?? error}`);
    }
    if (Jolokia.isError(response)) throw new AgentError(response.error);
    return response.value;
  }

  exec(mbean, operation, ...args) {
    return this.request({ type: "exec", mbean, operation, arguments: args });
  }

  read(mbean, attribute) {
    return this.request({ type: "read", mbean, attribute });
  }

  /** Reads every MBean a pattern matches: a list of attribute maps. */
  static patternRead(mbean, attribute) {
    return { type: "read", mbean, attribute, config: { ignoreErrors: true } };
  }

  static values(response) {
    if (Jolokia.isError(response)) {
      if (response.status === NOTHING_MATCHES) return [];
      throw new AgentError(response.error);
    }
    return Object.values(response.value ?? {});
  }

  /**
   * Calls onState({changes, subscriptions}) at every poll with fresh reads, or onFailure(text) when the agent
   * cannot be asked; one Jolokia bulk request per poll.
   */
  poll(onState, onFailure) {
    // jolokia.js spreads the responses into the callback's arguments, or passes one Response or Error when the
    // bulk request itself failed.
    this.jolokia.register((...responses) => {
      const failed = responses[0];
      if (failed instanceof Response || failed instanceof Error) {
        onFailure(failed instanceof Response ? `HTTP ${failed.status} ${failed.statusText}` : failed.message);
        return;
      }
      try {
        onState({ changes: Agent.values(responses[0]), subscriptions: Agent.values(responses[1]) });
      } catch (error) {
        onFailure(error.message);
      }
    }, Agent.patternRead(CHANGES, CHANGE_ATTRIBUTES), Agent.patternRead(SUBSCRIPTIONS, SUBSCRIPTION_ATTRIBUTES));
    this.jolokia.start(1000);
  }

  /** Settings and slower-moving state: interfaces, monitors. */
  async settings() {
    const [interfaces, service, interfaceMonitor, applicationMonitor] = await Promise.all([
      this.exec(INTERFACE_MONITOR, "listInterfaces"),
      this.read(SERVICE, ["GuardNewConnections", "ForceCloseAtDeadline", "SubscriberCount"]),
      this.read(INTERFACE_MONITOR, ["Enabled", "Listening", "WindowMillis", "SettleMillis",
        "AutoRemoveAlias", "DrainTimeoutSeconds", "LastError", "RecentDetections", "PendingSteps"]),
      this.read(APPLICATION_MONITOR, ["Applications", "RecentEvents"]),
    ]);
    return { interfaces, service, interfaceMonitor, applicationMonitor };
  }

  /** Live notifications of the service and both monitors, pulled with the poll. */
  async listen(onNotification) {
    for (const mbean of [SERVICE, INTERFACE_MONITOR, APPLICATION_MONITOR]) {
      await this.jolokia.addNotificationListener({
        mbean,
        mode: "pull",
        callback: (result) => result.notifications.forEach((n) => onNotification(mbean, n)),
      });
    }
  }
}
