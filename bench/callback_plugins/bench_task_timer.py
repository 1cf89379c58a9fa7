# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark-only callback: writes each task's wall time (task start to result) as JSON lines to $BENCH_TIMINGS."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: bench_task_timer
type: aggregate
short_description: task wall times for collab.uc benchmarks
description: Writes one JSON line per task result, with the task name and seconds since the task started.
requirements: [enable in ansible.cfg or ANSIBLE_CALLBACKS_ENABLED]
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_task_timer'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._path = os.environ.get('BENCH_TIMINGS')
        self._started = {}

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._started[task._uuid] = time.perf_counter()

    def _record(self, result, status):
        if not self._path:
            return
        task = result._task
        seconds = time.perf_counter() - self._started.get(task._uuid, time.perf_counter())
        with open(self._path, 'a') as handle:
            handle.write(json.dumps({'task': task.get_name(), 'status': status, 'seconds': seconds,
                                     'changed': bool(result._result.get('changed'))}) + '\n')

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed')
