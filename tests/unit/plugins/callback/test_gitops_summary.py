# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rows and the Markdown of the gitops_summary callback, from module results as the modules return them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.collab.uc.plugins.callback.gitops_summary import (
    CallbackModule, render_markdown, rows_from_result)
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.test_markdown import HOSTILE, cells, is_inert

OAUTH_CHANGED = {
    'changed': True,
    'diff': {'before': {'refresh_login': False, 'access_token_expiry': 60},
             'after': {'refresh_login': True, 'access_token_expiry': 60}},
}


def test_rows_name_only_the_settings_that_differ():
    assert rows_from_result(OAUTH_CHANGED) == [{'setting': 'refresh_login', 'from': False, 'to': True}]


def test_unchanged_and_no_log_results_give_no_rows():
    assert rows_from_result(dict(OAUTH_CHANGED, changed=False)) == []
    assert rows_from_result(dict(OAUTH_CHANGED, _ansible_no_log=True)) == []


def test_created_authz_server_with_masked_password_and_a_sync_in_check_mode():
    result = {'changed': True, 'synced': False, 'authz_server': {'last_sync_outcome': 'never'},
              'changes': [{'name': 'cucm-a', 'action': 'created'}, {'name': 'keys', 'action': 'synced'}],
              'diff': {'before': {}, 'after': {'server_port': 8443, 'server_password': '********'}}}
    assert rows_from_result(result, 'cucm-a', check_mode=True) == [
        {'setting': 'cucm-a: server_password', 'from': None, 'to': '********'},
        {'setting': 'cucm-a: server_port', 'from': None, 'to': 8443},
        {'setting': 'cucm-a: key sync', 'from': 'never', 'to': 'sync'},
    ]


def test_a_sync_done_and_a_change_without_a_diff():
    synced = {'changed': True, 'synced': True, 'authz_server': {'last_sync_outcome': 'passed'},
              'changes': [{'name': 'keys', 'action': 'synced'}],
              'diff': {'before': {'server_port': 1}, 'after': {'server_port': 1}}}
    assert rows_from_result(synced) == [{'setting': 'key sync', 'from': '(none)', 'to': 'passed'}]


def test_a_change_that_syncs_nothing_has_no_sync_row_in_check_mode():
    """Only a sync the module lists in changes is a row: a check run that would change the port alone (sync_keys
    never) does not announce a sync."""
    result = {'changed': True, 'synced': False, 'authz_server': {'last_sync_outcome': 'passed'},
              'changes': [{'name': 'server_port', 'action': 'updated', 'before': 8443, 'after': 9443}],
              'diff': {'before': {'server_port': 8443}, 'after': {'server_port': 9443}}}
    assert rows_from_result(result, check_mode=True) == [{'setting': 'server_port', 'from': 8443, 'to': 9443}]
    assert rows_from_result({'changed': True}, 'item') == [{'setting': 'item', 'from': '(none)', 'to': 'changed'}]


def test_markdown_lists_changes_per_system_in_order_then_the_rest_and_failures():
    summary = {
        'mode': 'plan',
        'hosts': {
            'cucm-b': {'status': 'ok', 'rows': [{'setting': 'access_token_expiry', 'from': 60, 'to': 30,
                                                 'task': 'Set | timers'}]},
            'cucm-a': {'status': 'ok', 'rows': []},
            'cuc-a': {'status': 'failed', 'rows': []},
        },
        'failures': [{'host': 'cuc-a', 'task': 'Read', 'message': 'line one\nline two'}],
    }
    assert render_markdown(summary, 'UC') == '\n'.join([
        '## UC plan (check mode: nothing was written)',
        '',
        '1 of 3 systems would change: cucm-b.',
        '',
        '### cucm-b',
        '',
        '| setting | from | to | task |',
        '|---|---|---|---|',
        '| access_token_expiry | 60 | 30 | Set \\| timers |',
        '',
        'No change: cucm-a.',
        '',
        '### Failures',
        '',
        '| system | task | message |',
        '|---|---|---|',
        '| cuc-a | Read | line one line two |',
    ]) + '\n'
    summary['mode'] = 'apply'
    assert render_markdown(summary).startswith('## collab.uc applied\n\n1 of 3 systems changed: cucm-b.')


def test_failed_preflight_says_no_plan_could_be_made_and_lists_every_problem_per_system():
    long = 'the account may only read ' + 'x' * 300 + ' END'
    summary = {
        'mode': 'plan',
        'hosts': {'cucm-a': {'status': 'failed', 'rows': []}, 'cuc-a': {'status': 'ok', 'rows': []},
                  'expc-a': {'status': 'failed', 'rows': []}},
        'failures': [{'host': 'cucm-a', 'task': 'Stop', 'message': 'Preflight found 3 problem(s)', 'preflight': True}],
        'preflight': {'planned': False, 'problems': [
            {'host': 'cucm-a', 'label': 'CUCM cluster', 'problem': 'version 11.0 is below 11.5.1.13900'},
            {'host': 'expc-a', 'label': 'Expressway-C', 'problem': long},
            {'host': 'expc-a', 'label': 'Expressway-C', 'problem': 'a | b'}]},
    }
    text = render_markdown(summary, 'UC')
    lines = text.splitlines()
    assert lines[0] == '## UC plan: no plan could be made'
    assert 'The preflight found 3 problem(s) on 2 of 3 systems, so no plan could be made' in lines[2]
    assert 'would change' not in text and 'No change' not in text and '### Failures' not in text
    rows = [line for line in lines if line.startswith('| ') and not line.startswith('| system')]
    assert rows[0] == '| cuc-a | ready (no problem found) |'
    assert rows[1] == '| cucm-a (CUCM cluster) | version 11.0 is below 11.5.1.13900 |'
    assert rows[2].startswith('| expc-a (Expressway-C) | <details><summary>the account may only read ')
    assert ' END</details><br>a \\| b |' in rows[2]
    assert len(rows) == 3


def test_drift_run_is_titled_as_drift():
    summary = {'mode': 'drift', 'hosts': {'cucm-b': {'status': 'ok', 'rows': [
        {'setting': 'access_token_expiry', 'from': 45, 'to': 30, 'task': 'Set'}]}}, 'failures': []}
    assert render_markdown(summary, 'UC').startswith(
        '## UC drift check (check mode: nothing was written)\n\n1 of 1 systems would change: cucm-b.')


@pytest.mark.parametrize('value', HOSTILE)
def test_hostile_values_stay_inside_their_cells(value):
    summary = {'mode': 'plan', 'failures': [{'host': 'cucm-a', 'task': 'Check', 'message': value}],
               'hosts': {'cucm-a': {'status': 'failed', 'rows': [
                   {'setting': 'ClusterID', 'from': value, 'to': 'East', 'task': 'Set the cluster ID'},
                   {'setting': 'cucm-a: server_address', 'from': value, 'to': [value], 'task': value}]}}}
    page = render_markdown(summary, 'UC')
    rows = [line for line in page.splitlines()
            if line.startswith('| ') and not line.startswith(('| setting |', '| system |'))]
    assert len(rows) == 3  # two changes and a failure, each one line whatever the value holds
    changes = [cells(r) for r in rows[:2]]
    assert [len(c) for c in changes] == [4, 4] and len(cells(rows[2])) == 3
    assert changes[0][0] == 'ClusterID' and changes[0][2] == 'East' and changes[0][3] == 'Set the cluster ID'
    assert all(is_inert(c) for r in rows for c in cells(r))
    assert '<' not in page.split('\n', 1)[1] and '](' not in page.replace('\\](', '')


class _Named:
    def __init__(self, name):
        self.name = name

    def get_name(self):
        return self.name


class _Result:
    """What the callback reads of a task result: the host, the task and the result."""

    def __init__(self, host, task, result):
        self._host, self._task, self._result = _Named(host), _Named(task), result


def test_the_combine_step_of_a_sliced_run_adds_what_the_slices_changed():
    callback = CallbackModule()
    slices = {'hosts': {'cucm-b': {'status': 'ok', 'rows': [
        {'setting': 'access_token_expiry', 'from': 45, 'to': 60, 'task': 'Set refresh login'}]},
        'cucm-a': {'status': 'ok', 'rows': []}}}
    callback.v2_runner_on_ok(_Result('cuc-a', 'Stop before any write', {
        'changed': False, 'collab_uc_slices': slices,
        'collab_uc_preflight': {'planned': True, 'problems': [], 'drift': False}}))
    callback.v2_runner_on_ok(_Result('cuc-a', 'Point Unity Connection', dict(OAUTH_CHANGED)))
    hosts = callback.summary()['hosts']
    assert hosts['cucm-b'] == {'status': 'ok', 'rows': slices['hosts']['cucm-b']['rows']}
    assert hosts['cucm-a'] == {'status': 'ok', 'rows': []}
    assert [r['task'] for r in hosts['cuc-a']['rows']] == ['Point Unity Connection']


def test_the_hosts_that_leave_the_role_after_the_plan_are_counted_as_systems_without_change():
    callback = CallbackModule()
    callback.v2_runner_on_ok(_Result('cucm-a', 'Stop before any write', {
        'changed': False, 'collab_uc_hosts': ['cucm-a', 'cucm-b', 'cuc-a'],
        'collab_uc_preflight': {'planned': True, 'problems': [], 'drift': False}}))
    callback.v2_runner_on_ok(_Result('cuc-a', 'Point Unity Connection', dict(OAUTH_CHANGED)))
    hosts = callback.summary()['hosts']
    assert sorted(hosts) == ['cuc-a', 'cucm-a', 'cucm-b']
    assert hosts['cucm-b'] == {'status': 'ok', 'rows': []}
    page = render_markdown(callback.summary())
    assert '1 of 3 systems changed' in page and 'No change: cucm-a, cucm-b.' in page, page
