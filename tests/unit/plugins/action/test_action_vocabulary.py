# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action plugins' results speak the collection's one vocabulary (issue 19): ``changes``, in the shape their
module documentation gives (tests/unit/plugins/modules/test_result_vocabulary.py checks the documentation)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from unittest import mock

from ansible_collections.collab.uc.plugins.action import oauth_refresh_login_plan as plan_action
from ansible_collections.collab.uc.plugins.action import run_lock as run_lock_action


def action(cls, args):
    task = mock.MagicMock(args=args, async_val=0, check_mode=False, diff=False)
    return cls.ActionModule(task, mock.MagicMock(), mock.MagicMock(check_mode=False), None, None, None)


def test_run_lock_changes_nothing(tmp_path):
    path = str(tmp_path / 'state.json')
    taken = action(run_lock_action, {'path': path}).run(task_vars={})
    assert not taken.get('failed'), taken
    assert taken['changed'] is False and taken['changes'] == []
    released = action(run_lock_action, {'path': path, 'state': 'absent'}).run(task_vars={})
    assert released['changes'] == [] and released['lock']['pid'] == taken['lock']['pid']


def test_oauth_refresh_login_plan_changes_nothing():
    task_vars = {'hostvars': {}, 'groups': {}, 'ansible_play_hosts_all': [], 'ansible_play_hosts': []}
    result = action(plan_action, {'step': 'summary'}).run(task_vars=task_vars)
    assert not result.get('failed'), result
    assert result['changed'] is False and result['changes'] == [] and isinstance(result['summary'], list)
