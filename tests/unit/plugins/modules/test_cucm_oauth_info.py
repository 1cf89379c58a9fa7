# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.collab.uc.plugins.modules import cucm_oauth_info
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.axl_fake import FakeAxlSession
from ansible_collections.collab.uc.tests.unit.plugins.modules.cucm_helpers import run_module


def test_reports_parameters_versions_and_sso_status(monkeypatch):
    fake = FakeAxlSession(boolean_style='tf', values={'oAuthWithRefreshLoginFlow': True, 'oauthTokenExpiryTimer': 30},
                          sso_enabled=True, ccm_version='15.0.1.10000(32)')
    outcome = run_module(cucm_oauth_info.main, {}, monkeypatch, fake)
    assert not outcome.failed
    assert outcome['changed'] is False
    assert outcome['oauth'] == {'refresh_login': True, 'access_token_expiry': 30, 'refresh_token_expiry': 60,
                                'device_refresh_token_expiry': 3650}
    assert outcome['parameters'] == {'oAuthWithRefreshLoginFlow': 'T', 'oauthTokenExpiryTimer': '30',
                                     'refreshTokenExpiryTimer': '60', 'DeviceTokenExpiryTimer': '3650'}
    assert outcome['version'] == outcome['cucm_version'] == '15.0.1.10000(32)'  # cucm_version: deprecated
    assert outcome['axl_version'] == '15.0'
    assert outcome['changes'] == [] and outcome['host'] == 'cucm.example.com'
    assert outcome['sso'] == {'enabled': True, 'token_reuse': True, 'version': '1.0'}
    assert fake.operations() == ['getCCMVersion', 'executeSQLQuery', 'singleSignOn']
    assert fake.writes() == []


def test_given_axl_version_is_used_and_cucm_version_still_read(monkeypatch):
    fake = FakeAxlSession()
    outcome = run_module(cucm_oauth_info.main, {'axl_version': '12.5'}, monkeypatch, fake)
    assert outcome['axl_version'] == '12.5'
    assert outcome['version'] == '14.0.1.13900(155)'
    assert outcome['sso']['token_reuse'] is False
    assert fake.sent[1].version == '12.5'


def test_check_mode_reads_the_same(monkeypatch):
    fake = FakeAxlSession()
    outcome = run_module(cucm_oauth_info.main, {}, monkeypatch, fake, check_mode=True)
    assert not outcome.failed
    assert outcome['oauth']['refresh_login'] is False
    assert fake.writes() == []


def test_unreadable_value_is_null_with_a_warning(monkeypatch):
    fake = FakeAxlSession(values={'oAuthWithRefreshLoginFlow': 'perhaps'})
    outcome = run_module(cucm_oauth_info.main, {}, monkeypatch, fake)
    assert not outcome.failed
    assert outcome['oauth']['refresh_login'] is None
    assert outcome['parameters']['oAuthWithRefreshLoginFlow'] == 'perhaps'
    assert any("oAuthWithRefreshLoginFlow: CUCM returned 'perhaps'" in w for w in outcome.warnings)
