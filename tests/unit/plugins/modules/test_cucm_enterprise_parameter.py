# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.collab.uc.plugins.modules import cucm_enterprise_parameter
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.axl_fake import FakeAxlSession
from ansible_collections.collab.uc.tests.unit.plugins.modules.cucm_helpers import run_module


def run(monkeypatch, fake, check_mode=False, diff=False, **options):
    options.setdefault('axl_version', '14.0')
    return run_module(cucm_enterprise_parameter.main, options, monkeypatch, fake, check_mode=check_mode, diff=diff)


def test_read_only_without_value(monkeypatch):
    fake = FakeAxlSession()
    outcome = run(monkeypatch, fake, name='ClusterID')
    assert outcome['changed'] is False
    expected = {'name': 'ClusterID', 'value': 'StandAloneCluster', 'value_type': 'string'}
    assert outcome['parameter'] == expected
    assert outcome['before'] == expected and outcome['after'] == expected
    assert fake.operations() == ['getServiceParameter']


def test_sets_a_different_value_with_diff(monkeypatch):
    fake = FakeAxlSession()
    outcome = run(monkeypatch, fake, name='ClusterID', value='Lab-Cluster', diff=True)
    assert outcome['changed'] is True
    assert outcome['parameter']['value'] == 'Lab-Cluster'
    assert outcome['before']['value'] == 'StandAloneCluster'
    assert outcome['diff'] == {'before': {'ClusterID': 'StandAloneCluster'}, 'after': {'ClusterID': 'Lab-Cluster'}}
    assert [w.fields for w in fake.writes()] == [{'processNodeName': 'EnterpriseWideData', 'name': 'ClusterID',
                                                  'service': 'Enterprise Wide', 'value': 'Lab-Cluster'}]


def test_same_value_is_not_written(monkeypatch):
    fake = FakeAxlSession()
    outcome = run(monkeypatch, fake, name='oauthTokenExpiryTimer', value='60')
    assert outcome['changed'] is False
    assert fake.writes() == []


def test_values_are_compared_as_text(monkeypatch):
    fake = FakeAxlSession(values={'ClusterID': 'lab'})
    outcome = run(monkeypatch, fake, name='ClusterID', value='LAB')
    assert outcome['changed'] is True
    assert fake.params['ClusterID'] == 'LAB'


def test_check_mode_never_writes(monkeypatch):
    fake = FakeAxlSession()
    outcome = run(monkeypatch, fake, name='ClusterID', value='Other', check_mode=True, diff=True)
    assert outcome['changed'] is True
    assert outcome['after']['value'] == 'Other'
    assert outcome['diff']['after'] == {'ClusterID': 'Other'}
    assert fake.writes() == []
    assert fake.params['ClusterID'] == 'StandAloneCluster'


@pytest.mark.parametrize('style, stored, given, changed, written', [
    ('tf', True, 'true', False, None),
    ('tf', True, 'Enabled', False, None),
    ('tf', True, 'false', True, 'F'),
    ('tf', False, 'yes', True, 'T'),
    ('truefalse', False, 'T', True, 'true'),
    ('truefalse', True, 'TRUE', False, None),
    ('enum', False, 'Enabled', True, '1'),
    ('enum', True, 'on', False, None),
])
def test_on_off_values_compare_tolerantly_and_write_in_cluster_style(monkeypatch, style, stored, given, changed,
                                                                     written):
    fake = FakeAxlSession(boolean_style=style, values={'oAuthWithRefreshLoginFlow': stored})
    outcome = run(monkeypatch, fake, name='oAuthWithRefreshLoginFlow', value=given)
    assert outcome['changed'] is changed
    assert [w.fields['value'] for w in fake.writes()] == ([written] if written else [])


def test_boolean_typed_parameter_refuses_a_non_boolean_value(monkeypatch):
    fake = FakeAxlSession(boolean_style='tf')
    outcome = run(monkeypatch, fake, name='UseSSOforRTMT', value='sometimes')
    assert outcome.failed
    assert 'UseSSOforRTMT is an on/off parameter (valueType boolean' in outcome['msg']
    assert fake.writes() == []


@pytest.mark.parametrize('name, value, message', [
    ('oauthTokenExpiryTimer', '2000', 'oauthTokenExpiryTimer must be between 1 and 1440 minutes, got 2000'),
    ('refreshTokenExpiryTimer', 'soon', 'refreshTokenExpiryTimer must be a whole number of days between 1 and 365'),
    ('oAuthWithRefreshLoginFlow', 'maybe', 'oAuthWithRefreshLoginFlow must be an on/off value'),
])
def test_known_oauth_parameters_are_checked_before_any_request(monkeypatch, name, value, message):
    fake = FakeAxlSession()
    outcome = run(monkeypatch, fake, name=name, value=value)
    assert outcome.failed
    assert message in outcome['msg']
    assert fake.sent == []


def test_control_characters_fail_before_any_request(monkeypatch):
    fake = FakeAxlSession()
    outcome = run(monkeypatch, fake, name='ClusterID', value='a\x01b')
    assert outcome.failed
    assert 'value contains a control character' in outcome['msg']
    assert fake.sent == []


def test_empty_name_fails(monkeypatch):
    fake = FakeAxlSession()
    outcome = run(monkeypatch, fake, name='  ')
    assert outcome.failed
    assert outcome['msg'] == 'name must not be empty'
    assert fake.sent == []


def test_unknown_parameter_fails_with_axl_details_and_hint(monkeypatch):
    fake = FakeAxlSession()
    outcome = run(monkeypatch, fake, name='clusterid', value='x')
    assert outcome.failed
    msg = outcome['msg']
    assert 'cucm.example.com:8443: getServiceParameter clusterid failed' in msg
    assert 'HTTP 500' in msg and 'axlcode 5007' in msg
    assert 'programmatic name' in msg
    assert outcome['error']['axlcode'] == '5007'
    assert fake.writes() == []


def test_version_is_detected_when_not_given(monkeypatch):
    fake = FakeAxlSession(ccm_version='12.5.1.16900-48')
    outcome = run(monkeypatch, fake, name='ClusterID', axl_version=None)
    assert not outcome.failed
    assert fake.operations() == ['getCCMVersion', 'getServiceParameter']
    assert fake.sent[1].version == '12.5'
