# -*- coding: utf-8 -*-
# The connection options every module of renumber.fleet takes (module_utils/agent.py CONNECTION_ARGS), documented
# once: the modules say extends_documentation_fragment: renumber.fleet.agent.
from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  url:
    description: Jolokia endpoint of the node's agent.
    type: str
    default: http://127.0.0.1:8778/jolokia
  user:
    description: Agent user; default the C(user=) line of the password file, else C(renumber).
    type: str
  password:
    description: Agent password; default read from C(password_file).
    type: str
  password_file:
    description: File with the agent's password, either the agent's credentials file (C(user=) and
      C(password=) lines) or the password alone; default C(<state_dir>/credentials), which the agent generates.
    type: path
  state_dir:
    description: The agent's state directory, where its generated credentials file is.
    type: path
    default: /var/lib/renumber
  timeout:
    description: HTTP timeout in seconds for each request that does not wait for a change.
    type: int
    default: 30
'''
