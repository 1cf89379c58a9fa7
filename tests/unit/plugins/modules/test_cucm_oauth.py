# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.collab.uc.plugins.modules import cucm_oauth
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.axl_fake import FakeAxlSession, soap_fault
from ansible_collections.collab.uc.tests.unit.plugins.modules.cucm_helpers import run_module

DEFAULTS = {'refresh_login': False, 'access_token_expiry': 60, 'refresh_token_expiry': 60,
            'device_refresh_token_expiry': 3650}


def run(monkeypatch, fake, **kwargs):
    options = dict((k, kwargs.pop(k)) for k in list(kwargs) if k not in ('check_mode', 'diff'))
    return run_module(cucm_oauth.main, options, monkeypatch, fake, **kwargs)


@pytest.mark.parametrize('option, value, message', [
    ('access_token_expiry', 2000,
     'access_token_expiry (oauthTokenExpiryTimer) must be between 1 and 1440 minutes, got 2000'),
    ('refresh_token_expiry', 0, 'refresh_token_expiry (refreshTokenExpiryTimer) must be between 1 and 365 days, got 0'),
    ('device_refresh_token_expiry', 4000,
     'device_refresh_token_expiry (DeviceTokenExpiryTimer) must be between 1 and 3650 days, got 4000'),
])
def test_out_of_range_fails_before_any_request(monkeypatch, option, value, message):
    fake = FakeAxlSession()
    outcome = run(monkeypatch, fake, **{option: value})
    assert outcome.failed
    assert outcome['msg'] == message
    assert fake.sent == []
    assert outcome.sessions == []


def test_at_least_one_option_is_required(monkeypatch):
    fake = FakeAxlSession()
    outcome = run(monkeypatch, fake)
    assert outcome.failed
    assert 'one of the following is required' in outcome['msg']
    assert 'refresh_login' in outcome['msg']
    assert fake.sent == []


def test_bad_axl_version_fails_before_any_request(monkeypatch):
    fake = FakeAxlSession()
    outcome = run(monkeypatch, fake, refresh_login=True, axl_version='fourteen')
    assert outcome.failed
    assert "axl_version must be a schema version such as 14.0" in outcome['msg']
    assert fake.sent == []


def test_changes_only_what_differs(monkeypatch):
    fake = FakeAxlSession()
    outcome = run(monkeypatch, fake, refresh_login=True, access_token_expiry=60, refresh_token_expiry=30, diff=True)
    assert not outcome.failed, outcome.result
    assert outcome['changed'] is True
    assert outcome['changes'] == [
        {'name': 'oAuthWithRefreshLoginFlow', 'action': 'updated', 'before': False, 'after': True,
         'option': 'refresh_login'},
        {'name': 'refreshTokenExpiryTimer', 'action': 'updated', 'before': 60, 'after': 30,
         'option': 'refresh_token_expiry'}]
    assert outcome['changed_parameters'] == ['oAuthWithRefreshLoginFlow', 'refreshTokenExpiryTimer']  # deprecated
    assert outcome['before'] == DEFAULTS
    assert outcome['after'] == dict(DEFAULTS, refresh_login=True, refresh_token_expiry=30)
    assert outcome['diff'] == {'before': outcome['before'], 'after': outcome['after']}
    assert outcome['axl_version'] == '14.0'
    assert fake.operations() == ['getCCMVersion', 'executeSQLQuery', 'updateServiceParameter',
                                 'updateServiceParameter']
    assert [(w.fields['name'], w.fields['value']) for w in fake.writes()] == [
        ('oAuthWithRefreshLoginFlow', 'true'), ('refreshTokenExpiryTimer', '30')]
    assert fake.params['refreshTokenExpiryTimer'] == '30'
    assert any('revokes every refresh token' in w and 'from 60 to 30 days' in w for w in outcome.warnings)
    assert any(w.startswith('Saved oAuthWithRefreshLoginFlow, refreshTokenExpiryTimer') and 'reset Jabber' in w
               for w in outcome.warnings)
    assert not any('off' in w for w in outcome.warnings)


def test_no_change_makes_no_write_and_two_requests(monkeypatch):
    fake = FakeAxlSession()
    outcome = run(monkeypatch, fake, **DEFAULTS)
    assert outcome['changed'] is False
    assert outcome['changes'] == [] and outcome['changed_parameters'] == []
    assert fake.operations() == ['getCCMVersion', 'executeSQLQuery']
    assert outcome.warnings == []
    assert 'diff' not in outcome.result


def test_no_change_with_axl_version_makes_one_request(monkeypatch):
    fake = FakeAxlSession()
    outcome = run(monkeypatch, fake, access_token_expiry=60, axl_version='14.0')
    assert outcome['changed'] is False
    assert fake.operations() == ['executeSQLQuery']
    assert fake.sent[0].version == '14.0'
    assert outcome['axl_version'] == '14.0'


def test_check_mode_never_writes_and_warns_with_would(monkeypatch):
    fake = FakeAxlSession(values={'oAuthWithRefreshLoginFlow': True})
    outcome = run(monkeypatch, fake, refresh_login=False, refresh_token_expiry=14, check_mode=True, diff=True)
    assert outcome['changed'] is True
    assert fake.writes() == []
    assert fake.params['oAuthWithRefreshLoginFlow'] == 'true'
    assert outcome['after']['refresh_login'] is False
    assert outcome['diff']['before']['refresh_login'] is True
    assert [(c['name'], c['before'], c['after']) for c in outcome['changes']] == [
        ('oAuthWithRefreshLoginFlow', True, False), ('refreshTokenExpiryTimer', 60, 14)]
    assert any('would revoke every refresh token' in w for w in outcome.warnings)
    assert any('off would require resetting all Jabber and Webex clients' in w for w in outcome.warnings)
    assert any(w.startswith('Would save') for w in outcome.warnings)


def test_turning_refresh_login_off_warns(monkeypatch):
    fake = FakeAxlSession(values={'oAuthWithRefreshLoginFlow': True})
    outcome = run(monkeypatch, fake, refresh_login=False)
    assert outcome['changed'] is True
    assert any('refresh_login (oAuthWithRefreshLoginFlow) off requires resetting all Jabber and Webex clients' in w
               for w in outcome.warnings)
    assert not any('revoke' in w for w in outcome.warnings)


@pytest.mark.parametrize('style, on, off', [('truefalse', 'true', 'false'), ('tf', 'T', 'F'), ('enum', '1', '0')])
def test_boolean_round_trips_in_the_cluster_representation(monkeypatch, style, on, off):
    fake = FakeAxlSession(boolean_style=style)
    first = run(monkeypatch, fake, refresh_login=True)
    assert first['changed'] is True
    assert fake.writes()[-1].fields['value'] == on
    assert fake.params['oAuthWithRefreshLoginFlow'] == on
    second = run(monkeypatch, fake, refresh_login=True)
    assert second['changed'] is False
    assert second['before']['refresh_login'] is True
    third = run(monkeypatch, fake, refresh_login=False)
    assert fake.writes()[-1].fields['value'] == off
    assert third['after']['refresh_login'] is False
    assert len(fake.writes()) == 2


def test_falls_back_to_get_service_parameter_when_sql_is_refused(monkeypatch):
    fake = FakeAxlSession(sql=False, boolean_style='tf')
    outcome = run(monkeypatch, fake, refresh_login=True, axl_version='14.0')
    assert outcome['changed'] is True
    assert fake.operations() == ['executeSQLQuery'] + ['getServiceParameter'] * 4 + ['updateServiceParameter']
    assert fake.writes()[0].fields['value'] == 'T'


def test_unreadable_boolean_fails_only_when_managed(monkeypatch):
    fake = FakeAxlSession(values={'oAuthWithRefreshLoginFlow': 'weird'})
    outcome = run(monkeypatch, fake, access_token_expiry=30)
    assert not outcome.failed
    assert outcome['before']['refresh_login'] is None
    assert any("CUCM returned 'weird'" in w for w in outcome.warnings)

    fake = FakeAxlSession(values={'oAuthWithRefreshLoginFlow': 'weird'})
    outcome = run(monkeypatch, fake, refresh_login=True)
    assert outcome.failed
    assert 'read oAuthWithRefreshLoginFlow failed' in outcome['msg']
    assert "CUCM returned 'weird'" in outcome['msg']
    assert fake.writes() == []


def test_failed_write_reports_host_operation_axl_error_and_what_was_written(monkeypatch):
    fake = FakeAxlSession()
    fake.fail_writes['refreshTokenExpiryTimer'] = soap_fault('Invalid value for refreshTokenExpiryTimer: 1-90', 5009)
    outcome = run(monkeypatch, fake, access_token_expiry=30, refresh_token_expiry=200)
    assert outcome.failed
    assert outcome['changed'] is True
    # only what was written before the failure
    assert outcome['changes'] == [{'name': 'oauthTokenExpiryTimer', 'action': 'updated', 'before': 60, 'after': 30,
                                   'option': 'access_token_expiry'}]
    assert outcome['changed_parameters'] == ['oauthTokenExpiryTimer']
    error = outcome['error']
    assert error['host'] == 'cucm.example.com:8443'
    assert error['operation'] == 'updateServiceParameter refreshTokenExpiryTimer'
    assert error['status'] == 500
    assert error['axlcode'] == '5009'
    assert 'Already written: oauthTokenExpiryTimer' in outcome['msg']
    assert 'allowed range' in outcome['msg']


def test_first_write_failure_is_not_changed(monkeypatch):
    fake = FakeAxlSession()
    fake.fail_writes['oauthTokenExpiryTimer'] = soap_fault('Invalid value', 5009)
    outcome = run(monkeypatch, fake, access_token_expiry=30)
    assert outcome.failed
    assert outcome['changed'] is False
    assert outcome['changes'] == [] and outcome['changed_parameters'] == []


def test_password_is_never_in_the_result(monkeypatch):
    fake = FakeAxlSession()
    outcome = run(monkeypatch, fake, refresh_login=True, diff=True)
    assert 's3cret-Pa55' not in repr(outcome.result)
    assert 's3cret-Pa55' not in repr(outcome.warnings)
