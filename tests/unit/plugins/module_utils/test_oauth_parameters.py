# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.collab.uc.plugins.module_utils.domain._oauth_parameters import (
    BY_NAME, BY_OPTION, PARAMETERS, is_bool_type)
from ansible_collections.collab.uc.plugins.module_utils.transport._values import bool_equal, format_bool, parse_bool


def test_the_four_parameters_and_their_ranges():
    table = dict((p.option, (p.name, p.minimum, p.maximum, p.unit)) for p in PARAMETERS)
    assert table == {
        'refresh_login': ('oAuthWithRefreshLoginFlow', None, None, None),
        'access_token_expiry': ('oauthTokenExpiryTimer', 1, 1440, 'minutes'),
        'refresh_token_expiry': ('refreshTokenExpiryTimer', 1, 365, 'days'),
        'device_refresh_token_expiry': ('DeviceTokenExpiryTimer', 1, 3650, 'days'),
    }
    assert BY_NAME['oauthTokenExpiryTimer'] is BY_OPTION['access_token_expiry']


@pytest.mark.parametrize('raw, expected', [
    ('true', True), ('false', False), ('TRUE', True), ('False', False),
    ('T', True), ('F', False), ('t', True), ('f', False),
    ('1', True), ('0', False),
    ('Enabled', True), ('Disabled', False), ('enabled', True),
    ('yes', True), ('no', False), ('on', True), ('OFF', False),
    (' T ', True),
])
def test_parse_bool_reads_every_spelling(raw, expected):
    assert parse_bool(raw)[0] is expected


@pytest.mark.parametrize('raw', ['', None, '2', 'maybe', 'Enable', 'tru'])
def test_parse_bool_refuses_unknown_spellings(raw):
    with pytest.raises(ValueError) as info:
        parse_bool(raw, 'Enum')
    assert 'valueType Enum' in str(info.value)


@pytest.mark.parametrize('current, on, off', [
    ('true', 'true', 'false'), ('false', 'true', 'false'),
    ('TRUE', 'TRUE', 'FALSE'), ('True', 'True', 'False'),
    ('T', 'T', 'F'), ('F', 'T', 'F'), ('t', 't', 'f'),
    ('1', '1', '0'), ('0', '1', '0'),
    ('Enabled', 'Enabled', 'Disabled'), ('DISABLED', 'ENABLED', 'DISABLED'),
    ('yes', 'yes', 'no'), ('Off', 'On', 'Off'),
])
def test_format_bool_writes_what_the_cluster_used(current, on, off):
    assert format_bool(True, current) == on
    assert format_bool(False, current) == off


def test_format_bool_defaults_to_true_false_when_the_current_value_is_unknown():
    assert format_bool(True, None) == 'true'
    assert format_bool(False, 'garbage') == 'false'


def test_bool_equal_is_tolerant_but_not_blind():
    assert bool_equal('T', 'true')
    assert bool_equal('1', 'Enabled')
    assert not bool_equal('T', 'false')
    assert not bool_equal('T', 'maybe')


def test_is_bool_type():
    assert is_bool_type('Boolean')
    assert is_bool_type(' boolean ')
    assert not is_bool_type('Enum')
    assert not is_bool_type(None)


@pytest.mark.parametrize('option, value, message', [
    ('access_token_expiry', 2000,
     'access_token_expiry (oauthTokenExpiryTimer) must be between 1 and 1440 minutes, got 2000'),
    ('access_token_expiry', 0,
     'access_token_expiry (oauthTokenExpiryTimer) must be between 1 and 1440 minutes, got 0'),
    ('refresh_token_expiry', 366,
     'refresh_token_expiry (refreshTokenExpiryTimer) must be between 1 and 365 days, got 366'),
    ('device_refresh_token_expiry', 3651,
     'device_refresh_token_expiry (DeviceTokenExpiryTimer) must be between 1 and 3650 days, got 3651'),
    ('device_refresh_token_expiry', -1,
     'device_refresh_token_expiry (DeviceTokenExpiryTimer) must be between 1 and 3650 days, got -1'),
])
def test_check_names_option_parameter_and_range(option, value, message):
    assert BY_OPTION[option].check(value) == message


@pytest.mark.parametrize('option, value', [
    ('access_token_expiry', 1), ('access_token_expiry', 1440), ('refresh_token_expiry', 365),
    ('device_refresh_token_expiry', 3650), ('refresh_login', False), ('access_token_expiry', None),
])
def test_check_accepts_the_bounds(option, value):
    assert BY_OPTION[option].check(value) is None


def test_check_raw_validates_text_values():
    assert BY_NAME['oauthTokenExpiryTimer'].check_raw('30') is None
    assert 'between 1 and 1440 minutes, got 1441' in BY_NAME['oauthTokenExpiryTimer'].check_raw('1441')
    assert 'whole number' in BY_NAME['refreshTokenExpiryTimer'].check_raw('ten')
    assert BY_NAME['oAuthWithRefreshLoginFlow'].check_raw('Enabled') is None
    assert 'on/off' in BY_NAME['oAuthWithRefreshLoginFlow'].check_raw('sometimes')


def test_from_raw_and_to_raw():
    login = BY_OPTION['refresh_login']
    assert login.from_raw('T', 'Boolean') is True
    assert login.to_raw(False, 'T') == 'F'
    assert login.to_raw(True, '0') == '1'
    timer = BY_OPTION['access_token_expiry']
    assert timer.from_raw(' 45 ') == 45
    assert timer.to_raw(30) == '30'
    with pytest.raises(ValueError):
        timer.from_raw('forty')


@pytest.mark.parametrize('raw, canonical', [('30', '30'), ('0030', '30'), (' 30', '30'), ('+30', '30'),
                                            ('-0', '0'), ('30.0', None), ('3e1', None), (u'\uff13\uff10', None),
                                            ('', None), (None, None), ('1 000', None)])
def test_canonical_number(raw, canonical):
    from ansible_collections.collab.uc.plugins.module_utils.domain._oauth_parameters import canonical_number
    assert canonical_number(raw) == canonical
