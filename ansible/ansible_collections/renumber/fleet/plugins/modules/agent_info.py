#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: agent_info
short_description: Check that a node's Renumber agent answers, and read its changes and settings
version_added: 0.1.0
description:
  - Reads the C(renumber:type=AddressChangeService) MBean of the node's Renumber agent over Jolokia on the node's
    own loopback, with the agent's credentials. Fails with the reason when the agent is unreachable or refuses
    the credentials. Changes nothing.
author:
  - Renumber project
extends_documentation_fragment:
  - renumber.fleet.agent
options: {}
notes:
  - Supports check mode (it only reads).
seealso:
  - module: renumber.fleet.address_change
'''

EXAMPLES = r'''
- name: The agent answers
  renumber.fleet.agent_info:
  register: agent

- name: No change is running on the node
  ansible.builtin.assert:
    that: agent.active_change_count == 0
'''

RETURN = r'''
jolokia:
  description: The agent's Jolokia endpoint as it describes itself (C(agent) version, C(protocol), C(id)).
  returned: always
  type: dict
active_changes:
  description: Changes in progress, one line each (id, interface, old -> new, state, remaining connections).
  returned: always
  type: list
  elements: str
active_change_count:
  description: Number of changes in progress.
  returned: always
  type: int
recent_changes:
  description: Finished changes, most recent first, one line each.
  returned: always
  type: list
  elements: str
guard_new_connections:
  description: The agent's GuardNewConnections setting.
  returned: always
  type: bool
force_close_at_deadline:
  description: The agent's ForceCloseAtDeadline setting.
  returned: always
  type: bool
subscriber_count:
  description: Number of subscribed applications.
  returned: always
  type: int
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.renumber.fleet.plugins.module_utils.agent import (
    CONNECTION_ARGS, SERVICE, Agent, AgentError)


def main():
    module = AnsibleModule(argument_spec=dict(CONNECTION_ARGS), mutually_exclusive=[('password', 'password_file')],
                           supports_check_mode=True)
    try:
        agent = Agent.from_params(module.params)
        version = agent.version()
        service = agent.read(SERVICE)
    except AgentError as e:
        module.fail_json(msg=e.message)
    module.exit_json(changed=False,
                     jolokia=dict(agent=version.get('agent'), protocol=version.get('protocol'),
                                  id=version.get('id')),
                     active_changes=service.get('ActiveChanges') or [],
                     active_change_count=service.get('ActiveChangeCount') or 0,
                     recent_changes=service.get('RecentChanges') or [],
                     guard_new_connections=bool(service.get('GuardNewConnections')),
                     force_close_at_deadline=bool(service.get('ForceCloseAtDeadline')),
                     subscriber_count=service.get('SubscriberCount') or 0)


if __name__ == '__main__':
    main()
