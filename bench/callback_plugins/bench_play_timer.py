# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark-only callback: writes each play's wall time (play start to the next play's start, or the end of the
run) as JSON lines to $BENCH_PLAY_TIMINGS."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: bench_play_timer
type: aggregate
short_description: play wall times for collab.uc benchmarks
description: Writes one JSON line per play, with the play name and its seconds from start to the next play's start.
requirements: [enable in ansible.cfg or ANSIBLE_CALLBACKS_ENABLED]
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_play_timer'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._path = os.environ.get('BENCH_PLAY_TIMINGS')
        self._current = None

    def _close(self):
        if self._current and self._path:
            name, started = self._current
            with open(self._path, 'a') as handle:
                handle.write(json.dumps({'play': name, 'seconds': time.perf_counter() - started}) + '\n')
        self._current = None

    def v2_playbook_on_play_start(self, play):
        self._close()
        self._current = (play.get_name(), time.perf_counter())

    def v2_playbook_on_stats(self, stats):
        self._close()
