#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: address_change
short_description: Move a node's interface to a new IP address without breaking its services
version_added: 0.1.0
description:
  - Asks the node's Renumber agent, over Jolokia on the node's own loopback, to move C(interface) from
    C(old_address) to C(new_address), and waits for the end with the agent's C(awaitChange) (no polling).
  - The agent adds the new address, steers new connections to it, notifies the subscribed applications, waits
    until the connections on the old address are gone (or the drain timeout), then removes the old address.
    Any step that fails is rolled back by the agent.
  - Idempotent. When the agent reports that the old address is no longer on the interface and the new one is,
    nothing is done and C(changed) is false.
  - In check mode the agent's plan (C(planChange) or C(planMigration)) is returned and nothing changes.
  - With C(state=cancelled), cancels the change C(change_id) if it is still running and returns its final state.
  - SSH is the authenticated transport to the node; the agent stays loopback-only.
author:
  - Renumber project
extends_documentation_fragment:
  - renumber.fleet.agent
options:
  state:
    description:
      - C(moved) requests the change (or, in check mode, its plan).
      - C(cancelled) cancels C(change_id) if it has not started removing the old address; a change that ended
        already is left as it is (C(changed) false) and one past the point of cancelling is awaited.
    type: str
    choices: [moved, cancelled]
    default: moved
  interface:
    description: Interface to renumber, for example C(eth0). Required with C(state=moved).
    type: str
  old_address:
    description: Address to replace, as configured on the interface (C(10.0.0.5) or C(10.0.0.5/24)). Required
      with C(state=moved).
    type: str
  new_address:
    description: Address to move to, C(ADDRESS/PREFIX); without the prefix the old address's prefix is used.
      Required with C(state=moved).
    type: str
  targets:
    description: Subscribers to notify; empty for every subscriber whose scope covers the old address or the
      interface, otherwise a comma list of subscriber ids and C(group:NAME) entries. Required by C(migrate).
    type: str
    default: ''
  drain_timeout:
    description: Seconds to wait for the connections on the old address to close before removing it anyway
      (the change then ends C(TIMED_OUT)); 0 to 604800.
    type: int
    default: 300
  warning:
    description: When above 0, the change is scheduled (C(scheduleChange), C(scheduleMigration)); the targets are
      warned and the change starts when they are all ready or after this many seconds (1 to 86400).
    type: int
    default: 0
  migrate:
    description: Partial migration (C(migrateSubscribers)); only C(targets) move and the old address stays.
      Check mode then shows C(planMigration). A migration is not idempotent in the sense above, since the old
      address stays.
    type: bool
    default: false
  wait:
    description: Wait for the change to end with C(awaitChange); the HTTP timeout is set above
      C(warning) + C(drain_timeout). With C(false), returns right after the agent accepted the change.
    type: bool
    default: true
  allow_timeout:
    description: Whether a change that ended C(TIMED_OUT) (the old address was removed with connections still
      open) counts as success; by default the task fails, with the result describing the change.
    type: bool
    default: false
  change_id:
    description: The change to cancel, with C(state=cancelled).
    type: str
notes:
  - Needs the Renumber agent running on the node (C(java -jar renumber.jar agent)). Standard library only.
  - In check mode it returns the agent's plan.
seealso:
  - module: renumber.fleet.agent_info
'''

EXAMPLES = r'''
- name: Move eth0 from 10.0.0.5 to 10.0.1.5/24, draining for at most two minutes
  renumber.fleet.address_change:
    interface: eth0
    old_address: 10.0.0.5
    new_address: 10.0.1.5/24
    drain_timeout: 120
  register: move

- name: Warn the web group first, give it up to ten minutes to get ready
  renumber.fleet.address_change:
    interface: eth0
    old_address: 10.0.0.5
    new_address: 10.0.1.5/24
    targets: group:web
    warning: 600

- name: Cancel a change that is still running
  renumber.fleet.address_change:
    state: cancelled
    change_id: "{{ move.change_id }}"
'''

RETURN = r'''
change_id:
  description: The agent's id of the change (empty when nothing was requested).
  returned: always
  type: str
  sample: chg-1dcd0ee0
state:
  description: The change's state at the end (C(COMPLETED), C(TIMED_OUT), C(FAILED), C(CANCELLED)), the state it
    is still in when C(wait) is false, C(UNCHANGED) when the node already had the new address, C(PLANNED) in
    check mode.
  returned: always
  type: str
  sample: COMPLETED
outcome:
  description: The agent's outcome (C(DRAINED), C(TIMED_OUT), C(FAILED), C(CANCELLED)); empty while running.
  returned: always
  type: str
  sample: DRAINED
remaining_connections:
  description: Connections still on the old address at the end.
  returned: always
  type: int
  sample: 0
old_address_removed:
  description: Whether the old address is gone from the interface at the end.
  returned: always
  type: bool
error:
  description: The agent's error text for a change that failed, timed out or was cancelled.
  returned: always
  type: str
notifications:
  description: The change's notifications, oldest first (Jolokia notification pull, registered before the
    change was requested).
  returned: when a change was requested and waited for
  type: list
  elements: dict
  sample: [{type: renumber.change.started, state: DRAINING, remaining_connections: 2}]
change:
  description: Every attribute of the C(renumber:type=AddressChange,id=<change_id>) MBean at the end.
  returned: when a change was requested
  type: dict
plan:
  description: The agent's plan (keys C(valid), C(refusal), C(routes), C(rules), C(subscribers),
    C(connections), ...).
  returned: in check mode
  type: dict
addresses:
  description: The interface's addresses as the agent reported them, when nothing was done because the node
    already had the new address.
  returned: when C(state) is C(UNCHANGED)
  type: list
  elements: str
'''

import ipaddress
import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.renumber.fleet.plugins.module_utils.agent import (
    CONNECTION_ARGS, FINAL_STATES, Agent, AgentError, NotificationPull, change_mbean)

# The agent's refusal when the old address is not on the interface (AddressChangeService.resolveOld); it lists
# the interface's addresses, which is how a re-run learns the node already moved without a second request.
NOT_CONFIGURED = re.compile(r'old address (\S+) is not configured on (\S+); its addresses are \[(.*)\]')
# What awaitChange may need beyond the warning and the drain: adding the address, IPv6 duplicate address
# detection (up to 30 s), the removal.
AWAIT_MARGIN_SECONDS = 60


def already_moved(error, old_address, new_address):
    """The interface's addresses when the agent's refusal says the node already has the new address and not
    the old one; None otherwise."""
    match = NOT_CONFIGURED.search(error)
    if not match:
        return None
    addresses = [a.strip() for a in match.group(3).split(',') if a.strip()]
    try:
        old = ipaddress.ip_interface(old_address).ip
        new = ipaddress.ip_interface(new_address)
        present = [ipaddress.ip_interface(a) for a in addresses]
    except ValueError:
        return None
    has_new = any(p.ip == new.ip and ('/' not in new_address or p.network.prefixlen == new.network.prefixlen)
                  for p in present)
    has_old = any(p.ip == old for p in present)
    return addresses if has_new and not has_old else None


def operation(params):
    if params['migrate']:
        return 'scheduleMigration' if params['warning'] > 0 else 'migrateSubscribers'
    return 'scheduleChange' if params['warning'] > 0 else 'changeAddress'


def change_arguments(params):
    return [params['interface'], params['old_address'], params['new_address'], params['targets'],
            params['drain_timeout']]


def summary(change_id, attributes):
    state = attributes.get('State', '')
    kept = attributes.get('OldAddressKept', False)
    return dict(change_id=change_id, state=state, outcome=attributes.get('Outcome') or '',
                remaining_connections=attributes.get('RemainingConnections') or 0,
                error=attributes.get('Error') or '',
                old_address_removed=state in ('COMPLETED', 'TIMED_OUT') and not kept,
                change=attributes)


def plan(module, agent):
    params = module.params
    name = 'planMigration' if params['migrate'] else 'planChange'
    result = agent.execute(name, *change_arguments(params))
    refusal = result.get('refusal') or ''
    if result.get('valid'):
        module.exit_json(changed=True, change_id='', state='PLANNED', outcome='', remaining_connections=0,
                         old_address_removed=False, error='', plan=result)
    addresses = None if params['migrate'] else already_moved(refusal, params['old_address'], params['new_address'])
    if addresses is not None:
        module.exit_json(changed=False, change_id='', state='UNCHANGED', outcome='', remaining_connections=0,
                         old_address_removed=True, error='', plan=result, addresses=addresses)
    module.fail_json(msg=refusal, change_id='', state='REFUSED', plan=result)


def move(module, agent):
    params = module.params
    pull = None
    if params['wait']:
        try:
            pull = NotificationPull(agent)
        except AgentError as e:
            module.warn('no notification history: the agent refused notification pull: %s' % e.message)
    try:
        extra = [params['warning']] if params['warning'] > 0 else []
        try:
            change_id = agent.execute(operation(params), *(change_arguments(params) + extra))
        except AgentError as e:
            addresses = None if params['migrate'] else already_moved(e.message, params['old_address'],
                                                                     params['new_address'])
            if addresses is None:
                module.fail_json(msg=e.message, change_id='', state='REFUSED')
            module.exit_json(changed=False, change_id='', state='UNCHANGED', outcome='', remaining_connections=0,
                             old_address_removed=True, error='', addresses=addresses)
        try:
            if params['wait']:
                wait_seconds = params['warning'] + params['drain_timeout'] + AWAIT_MARGIN_SECONDS
                agent.execute('awaitChange', change_id, wait_seconds, timeout=wait_seconds + params['timeout'])
            result = summary(change_id, agent.read(change_mbean(change_id)))
        except AgentError as e:
            # The change was accepted: name it, so that the caller can cancel it or follow it.
            module.fail_json(msg='change %s was accepted, then: %s' % (change_id, e.message), change_id=change_id,
                             state='UNKNOWN', changed=True)
        if pull is not None:
            result['notifications'] = pull.history(change_id)
    finally:
        if pull is not None:
            pull.close()
    finish(module, result, params['wait'])


def finish(module, result, waited):
    state = result['state']
    if state in ('FAILED', 'CANCELLED'):
        module.fail_json(msg='change %s ended %s; the agent rolled it back: %s'
                         % (result['change_id'], state, result['error'] or state.lower()), changed=False, **result)
    if state == 'TIMED_OUT' and not module.params['allow_timeout']:
        module.fail_json(msg='change %s ended TIMED_OUT: %s' % (result['change_id'], result['error']),
                         changed=True, **result)
    if waited and state not in FINAL_STATES:
        module.fail_json(msg='change %s is still %s after the wait; cancel it with state=cancelled or wait longer'
                         % (result['change_id'], state), changed=True, **result)
    module.exit_json(changed=True, **result)


def cancel(module, agent):
    change_id = module.params['change_id']
    attributes = agent.read(change_mbean(change_id))
    if attributes.get('State') in FINAL_STATES:
        module.exit_json(changed=False, **summary(change_id, attributes))
    if module.check_mode:
        module.exit_json(changed=True, **summary(change_id, attributes))
    try:
        agent.execute('cancelChange', change_id)
        changed = True
    except AgentError as e:
        # Too late to cancel (the old address is being removed): the change ends by itself, soon.
        module.warn('change %s could not be cancelled: %s' % (change_id, e.message))
        changed = False
    wait_seconds = module.params['timeout']
    state = agent.execute('awaitChange', change_id, wait_seconds, timeout=wait_seconds + module.params['timeout'])
    result = summary(change_id, agent.read(change_mbean(change_id)))
    if state not in FINAL_STATES:
        module.fail_json(msg='change %s is still %s %d s after cancelling' % (change_id, state, wait_seconds),
                         changed=changed, **result)
    module.exit_json(changed=changed, **result)


def main():
    argument_spec = dict(
        state=dict(type='str', choices=['moved', 'cancelled'], default='moved'),
        interface=dict(type='str'),
        old_address=dict(type='str'),
        new_address=dict(type='str'),
        targets=dict(type='str', default=''),
        drain_timeout=dict(type='int', default=300),
        warning=dict(type='int', default=0),
        migrate=dict(type='bool', default=False),
        wait=dict(type='bool', default=True),
        allow_timeout=dict(type='bool', default=False),
        change_id=dict(type='str'),
    )
    argument_spec.update(CONNECTION_ARGS)
    module = AnsibleModule(
        argument_spec=argument_spec,
        required_if=[('state', 'moved', ('interface', 'old_address', 'new_address')),
                     ('state', 'cancelled', ('change_id',))],
        mutually_exclusive=[('password', 'password_file')],
        supports_check_mode=True,
    )
    try:
        agent = Agent.from_params(module.params)
        if module.params['state'] == 'cancelled':
            cancel(module, agent)
        elif module.check_mode:
            plan(module, agent)
        else:
            move(module, agent)
    except AgentError as e:
        module.fail_json(msg=e.message)


if __name__ == '__main__':
    main()
