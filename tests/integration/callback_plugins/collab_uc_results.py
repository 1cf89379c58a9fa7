# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: one JSON line per task result, for tests/integration/helpers.py.

Enabled by the harness with ANSIBLE_CALLBACK_PLUGINS=<this dir> and ANSIBLE_CALLBACKS_ENABLED=collab_uc_results;
writes to the file named by COLLAB_UC_RESULTS_FILE. The stdout callback stays the default one.
Not part of the collection (tests/ is not built).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: collab_uc_results
type: aggregate
short_description: write task results as JSON lines (tests only)
description:
  - Writes one JSON object per task result to the file named by E(COLLAB_UC_RESULTS_FILE), and the play recap last.
requirements:
  - enabled with E(ANSIBLE_CALLBACKS_ENABLED)
'''

import json
import os

from ansible.plugins.callback import CallbackBase


def _plain(value):
    """Turn whatever Ansible put into a result (tagged strings, sets, custom objects) into JSON types."""
    if isinstance(value, dict):
        return dict((str(k), _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bytes):
        return value.decode('utf-8', 'replace')
    return str(value)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'collab_uc_results'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._path = os.environ.get('COLLAB_UC_RESULTS_FILE')

    def _write(self, entry):
        if not self._path:
            return
        with open(self._path, 'a') as fh:
            fh.write(json.dumps(_plain(entry), sort_keys=True) + '\n')

    def _record(self, status, result, ignore_errors=False):
        res = dict(result._result)
        task = result._task
        self._write({
            'event': 'result',
            'status': status,
            'task': task.get_name(),
            'action': task.action,
            'host': result._host.get_name(),
            'changed': bool(res.get('changed', False)),
            'failed': status == 'failed',
            'skipped': status == 'skipped',
            'unreachable': status == 'unreachable',
            'ignore_errors': bool(ignore_errors),
            'msg': res.get('msg'),
            'diff': res.get('diff'),
            'result': res,
        })

    def v2_runner_on_ok(self, result):
        self._record('changed' if result._result.get('changed', False) else 'ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record('failed', result, ignore_errors=ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._record('skipped', result)

    def v2_runner_on_unreachable(self, result):
        self._record('unreachable', result)

    def v2_playbook_on_stats(self, stats):
        hosts = sorted(stats.processed.keys())
        self._write({'event': 'stats', 'stats': dict((h, stats.summarize(h)) for h in hosts)})
