# Enables the collection's summary callback for the playbooks beside this directory: Ansible loads the callback
# plugins found next to a playbook without configuration.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.renumber.fleet.plugins.callback.summary import CallbackModule as _Summary


class CallbackModule(_Summary):
    CALLBACK_NAME = 'renumber_summary'
    CALLBACK_NEEDS_ENABLED = False
