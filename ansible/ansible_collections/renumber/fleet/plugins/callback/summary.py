# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
name: summary
type: aggregate
short_description: Per host, old -> new address, outcome and duration at the end of a renumbering run
version_added: 0.1.0
description:
  - Prints one line per host of the renumbering plays at the end of the run, after the recap, whether the run
    succeeded or stopped on a failure (a playbook's later plays do not run after a failed batch, so the summary
    cannot be a task).
  - The lines come from the C(renumber_summary) fact the role C(renumber.fleet.renumber) sets. A host the play
    never reached is C(NOT_STARTED); a host that was stopped in the middle of its move is C(INTERRUPTED).
  - Enable it with C(callbacks_enabled = renumber.fleet.summary); C(ansible/renumber-fleet.yml) gets it from the
    C(callback_plugins) directory beside it.
author:
  - Renumber project
'''

import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'renumber.fleet.summary'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self._hosts = []
        self._summaries = {}

    def v2_playbook_on_play_start(self, play):
        # The play's hosts as the inventory lists them, so hosts of batches that never ran are named too (while a
        # batch runs, the inventory is restricted to it).
        try:
            inventory = play.get_variable_manager()._inventory
            names = [h.name for h in inventory.get_hosts(play.hosts, ignore_restrictions=True)]
        except Exception:  # pylint: disable=broad-except
            names = []
        for name in names:
            if name not in self._hosts:
                self._hosts.append(name)

    def v2_runner_on_ok(self, result):
        facts = result._result.get('ansible_facts') or {}
        summary = facts.get('renumber_summary')
        if isinstance(summary, dict):
            host = result._host.get_name()
            self._summaries[host] = summary
            if host not in self._hosts:
                self._hosts.append(host)

    def v2_playbook_on_stats(self, stats):
        if not self._summaries:
            return
        self._display.banner('RENUMBER SUMMARY')
        for host in self._hosts:
            self._display.display(self.line(host, self._summaries.get(host)))

    @staticmethod
    def line(host, summary):
        if summary is None:
            return '%s: NOT_STARTED (the play stopped before its batch, or it is not in the renumbering group)' % host
        outcome = summary.get('outcome', '')
        duration = summary.get('duration')
        if outcome == 'STARTED':
            outcome = 'INTERRUPTED'
            duration = time.time() - float(summary.get('started') or time.time())
        text = '%s: %s -> %s %s' % (host, summary.get('old', '?'), summary.get('new', '?'), outcome)
        if duration is not None:
            text += ' in %.1f s' % float(duration)
        if summary.get('change_id'):
            text += ' [%s]' % summary['change_id']
        if summary.get('detail'):
            text += ': %s' % summary['detail']
        return text
