# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""collab.uc.oauth_audit_report: when writing the reports is a change (a different result, not a later time)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.collab.uc.plugins.module_utils.domain import _oauth_audit
from ansible_collections.collab.uc.plugins.modules import oauth_audit_report
from ansible_collections.collab.uc.tests.unit.plugins.modules.module_runner import Exit, catch_exit, \
    patch_module_args

CUCM = {'name': 'cucm-a', 'kind': 'cucm', 'version': '14.0.1.13900(155)',
        'oauth': {'refresh_login': True, 'access_token_expiry': 60, 'refresh_token_expiry': 60}}
EXPRESSWAY = {'name': 'expc-a', 'kind': 'expressway', 'version': 'X14.2.1', 'serves': ['cucm-a'],
              'settings': {'oauth_token_with_refresh': False, 'oauth_token': False, 'user_credentials': True}}


def run(monkeypatch, dest, systems, now, check_mode=False):
    catch_exit(monkeypatch)
    monkeypatch.setattr(_oauth_audit.time, 'time', lambda: now)
    args = {'systems': systems, 'desired': {'refresh_login': True}, 'dest': str(dest)}
    if check_mode:
        args['_ansible_check_mode'] = True
    with patch_module_args(args):
        with pytest.raises(Exit) as caught:
            oauth_audit_report.main()
    assert not caught.value.failed, caught.value.result
    return caught.value.result


def generated_at(dest):
    return json.loads((dest / 'oauth-audit.json').read_text(encoding='utf-8'))['generated_at']


def test_same_estate_later_is_ok_but_the_reports_carry_the_new_time(monkeypatch, tmp_path):
    first = run(monkeypatch, tmp_path, [CUCM, EXPRESSWAY], now=1800000000)
    assert first['changed'] and first['summary']['critical'] == 1
    assert first['changes'] == [{'name': str(tmp_path / name), 'action': 'created'}
                                for name in ('oauth-audit.json', 'oauth-audit.md', 'oauth-audit.html')]
    assert generated_at(tmp_path) == '2027-01-15T08:00:00Z'

    again = run(monkeypatch, tmp_path, [CUCM, EXPRESSWAY], now=1800003600)
    assert not again['changed'] and again['changes'] == []  # rewritten, which alone is no change
    assert generated_at(tmp_path) == '2027-01-15T09:00:00Z'
    assert '2027-01-15T09:00:00Z' in (tmp_path / 'oauth-audit.md').read_text(encoding='utf-8')


def test_a_different_result_is_a_change(monkeypatch, tmp_path):
    run(monkeypatch, tmp_path, [CUCM, EXPRESSWAY], now=1800000000)
    fixed = dict(EXPRESSWAY, settings={'oauth_token_with_refresh': True, 'oauth_token': True,
                                       'user_credentials': True})
    result = run(monkeypatch, tmp_path, [CUCM, fixed], now=1800000060)
    assert result['changed'] and result['summary']['critical'] == 0
    assert [(c['name'], c['action']) for c in result['changes']] == [
        (str(tmp_path / name), 'updated') for name in ('oauth-audit.json', 'oauth-audit.md', 'oauth-audit.html')]


def test_an_unreadable_previous_report_is_replaced_and_counts_as_a_change(monkeypatch, tmp_path):
    (tmp_path / 'oauth-audit.json').write_text('not json', encoding='utf-8')
    result = run(monkeypatch, tmp_path, [CUCM], now=1800000000)
    assert result['changed'] and generated_at(tmp_path) == '2027-01-15T08:00:00Z'


def test_check_mode_writes_no_file(monkeypatch, tmp_path):
    result = run(monkeypatch, tmp_path / 'reports', [CUCM, EXPRESSWAY], now=1800000000, check_mode=True)
    assert not result['changed'] and result['files'] == {} and not (tmp_path / 'reports').exists()
    assert result['summary']['critical'] == 1
