# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Guards and the regeneration flow of _authz_keys, over the real CucmCli and CliSession (scripted SSH server)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar

import pytest

from ansible_collections.collab.uc.plugins.module_utils.domain._authz_keys import (
    KeyRegeneration, check_guards, decide, follow_up_warning, normalise_checksum, parse_platform_time)
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_cli import CucmCli, is_read_only
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import UCError
from ansible_collections.collab.uc.plugins.module_utils.transport._ssh import CliSession
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.ssh_server import Platform, ScriptedSsh

NOW = calendar.timegm((2026, 12, 1, 9, 0, 0, 0, 0, 0))
OLD = {'checksum': 'aa' * 16, 'last_regenerated': None}


@pytest.mark.parametrize('text, epoch', [
    ('Tue Dec 01 08:33:18 UTC 2026', calendar.timegm((2026, 12, 1, 8, 33, 18, 0, 0, 0))),
    ('Tue Dec  1 08:33:18 GMT 2026', calendar.timegm((2026, 12, 1, 8, 33, 18, 0, 0, 0))),
    ('2026-11-30 23:00:00', calendar.timegm((2026, 11, 30, 23, 0, 0, 0, 0, 0))),
    ('2026-11-30T23:00:00Z', calendar.timegm((2026, 11, 30, 23, 0, 0, 0, 0, 0))),
    ('12/01/2026 08:00:00', calendar.timegm((2026, 12, 1, 8, 0, 0, 0, 0, 0))),
    ('last full moon', None), ('', None), (None, None),
])
def test_platform_times_are_read_tolerantly(text, epoch):
    assert parse_platform_time(text) == epoch


def test_checksums_compare_ignoring_case_colons_and_spaces():
    assert normalise_checksum('AA:bb CC') == 'aabbcc'


def test_checksum_guard():
    assert decide('signing', OLD, {'signing': 'AA' * 16})[0] is True
    regenerate, reason = decide('signing', OLD, {'signing': 'bb' * 16})
    assert regenerate is False and 'already regenerated' in reason


def test_age_guard_uses_the_date_the_platform_shows():
    young = {'checksum': 'aa', 'last_regenerated': 'Mon Nov 30 09:00:00 UTC 2026'}
    old = {'checksum': 'aa', 'last_regenerated': 'Sat Oct 31 09:00:00 UTC 2026'}
    assert decide('signing', young, max_age_days=30, now=NOW)[0] is False
    assert decide('signing', old, max_age_days=30, now=NOW)[0] is True
    assert decide('signing', OLD, max_age_days=30, now=NOW) == (
        True, 'the platform shows no regeneration date (never regenerated)')
    with pytest.raises(ValueError, match='use only_if_checksum'):
        decide('signing', dict(OLD, last_regenerated='sometime'), max_age_days=30, now=NOW)


def test_both_guards_must_hold():
    old = {'checksum': 'aa', 'last_regenerated': 'Sat Oct 31 09:00:00 UTC 2026'}
    assert decide('signing', old, {'signing': 'aa'}, 30, now=NOW)[0] is True
    assert decide('signing', old, {'signing': 'bb'}, 30, now=NOW)[0] is False
    assert decide('signing', old, {'signing': 'aa'}, 60, now=NOW)[0] is False


def test_every_key_needs_a_guard_or_force():
    with pytest.raises(ValueError, match='no guard for the encryption key'):
        check_guards(['signing', 'encryption'], {'signing': 'aa'})
    with pytest.raises(ValueError, match='which keys does not list'):
        check_guards(['signing'], {'encryption': 'aa'})
    check_guards(['signing', 'encryption'], force=True)
    assert decide('signing', OLD, force=True) == (True, 'force is set')


def test_the_warning_says_what_died_and_what_must_follow():
    text = follow_up_warning('cucm-pub:22', ['signing', 'encryption'])
    for words in ('signing and encryption keys', 'cucm-pub:22', 'access token and refresh token', 'sign in again',
                  'Cisco CallManager', 'Cisco Tomcat', 'Cisco XCP Authentication Service',
                  'collab.uc.cuc_authz_server', 'Refresh servers', 'centralized IM and Presence'):
        assert words in text


@pytest.mark.parametrize('command, read_only', [
    ('show key authz signing', True), ('SHOW  version active', True), ('utils service list', True),
    ('utils dbreplication runtimestate', True), ('utils ntp status', True), ('utils network ping 10.0.0.1', True),
    ('utils service restart Cisco Tomcat', False), ('utils system restart', False),
    ('utils dbreplication reset all', False), ('set key regen authz signing', False), ('file delete x', False),
    ('utils', False), ('', False),
])
def test_read_only_commands(command, read_only):
    assert is_read_only(command) is read_only


# --- the flow over SSH -----------------------------------------------------------------------------------------

@pytest.fixture
def flow(tmp_path):
    made = []

    def make(platform):
        server = ScriptedSsh(replies=platform.replies())
        path = str(tmp_path / 'known_hosts')
        with open(path, 'w') as handle:
            handle.write(server.known_hosts_line())
        sessions = []

        def open_cli():
            session = CliSession('127.0.0.1', 'admin', 's3cret!pw', port=server.port, known_hosts=path,
                                 login_timeout=10, command_timeout=10)
            sessions.append(session)
            return CucmCli(session)

        warnings = []
        made.append((server, sessions))
        return KeyRegeneration(open_cli, warnings.append, clock=lambda: NOW), server, warnings

    yield make
    for server, sessions in made:
        for session in sessions:
            session.close()
        server.stop()


def test_regenerates_a_guarded_key_once_and_reads_it_again(flow):
    platform = Platform()
    work, server, warnings = flow(platform)
    result = work.run(['signing'], {'signing': 'aa' * 16})
    assert result['regenerated'] == ['signing'] and result['changed'] is True
    assert result['keys']['signing']['checksum'] == platform.keys['signing'] != 'aa' * 16
    assert result['regenerated_at'] == {'signing': '2026-12-01T09:00:00Z'}
    assert server.commands == ['set cli pagination off', 'show myself', 'show network cluster',
                               'show key authz signing', 'show key authz encryption',
                               'set key regen authz signing', 'show key authz signing']
    assert len(server.auth_attempts) == 1 and 'access token' in warnings[0]
    again = work.run(['signing'], {'signing': 'aa' * 16})
    assert again['changed'] is False and platform.regenerations == ['signing']


def test_check_mode_never_types_the_regeneration(flow):
    platform = Platform()
    work, server, warnings = flow(platform)
    result = work.run(['signing', 'encryption'], force=True, check_mode=True)
    assert result['regenerated'] == ['signing', 'encryption'] and result['changed'] is True
    assert not [c for c in server.commands if c.startswith('set key')] and warnings == []


def test_an_unchanged_checksum_after_regeneration_fails(flow):
    work, server, warnings = flow(Platform(fault='unchanged'))
    with pytest.raises(UCError, match='checksum is unchanged'):
        work.run(['encryption'], force=True)


def test_a_lost_answer_after_the_key_changed_is_success_and_not_repeated(flow):
    platform = Platform(fault='drop_after')
    work, server, warnings = flow(platform)
    result = work.run(['signing', 'encryption'], force=True)
    assert result['regenerated'] == ['signing', 'encryption'] and platform.regenerations == ['signing', 'encryption']
    assert len(server.auth_attempts) == 2  # a new login to read what happened
    assert any('was lost' in w and 'not repeated' in w for w in warnings)


def test_a_lost_answer_with_the_key_unchanged_fails_truly(flow):
    platform = Platform(fault='drop_before')
    work, server, warnings = flow(platform)
    with pytest.raises(UCError) as caught:
        work.run(['signing'], {'signing': 'aa' * 16})
    assert 'was not regenerated' in caught.value.message and 'Run the task again' in caught.value.hint
    assert server.commands.count('set key regen authz signing') == 1 and platform.regenerations == []


def test_a_failure_after_one_key_carries_what_was_done(flow):
    platform = Platform()
    work, server, warnings = flow(platform)
    platform.fault = None
    replies = server.replies
    replies['set key regen authz encryption'] = 'Executed command unsuccessfully'
    with pytest.raises(UCError) as caught:
        work.run(['signing', 'encryption'], force=True)
    assert caught.value.partial['regenerated'] == ['signing'] and 'signing key' in warnings[0]


# --- the CLI reference's rules: the publisher only, privilege level 4, not during an upgrade ---------------------

def test_a_subscriber_is_refused_before_any_key_command(flow):
    platform = Platform(role='Subscriber')
    work, server, warnings = flow(platform)
    with pytest.raises(UCError) as caught:
        work.run(['signing'], force=True)
    assert 'subscriber' in caught.value.message and 'publisher only' in caught.value.message
    assert 'cucm-other' in caught.value.hint and 'ssh_host' in caught.value.hint
    assert server.commands == ['set cli pagination off', 'show myself', 'show network cluster']
    assert platform.regenerations == [] and warnings == []


def test_check_mode_on_a_subscriber_is_refused_too(flow):
    work, server, warnings = flow(Platform(role='Subscriber'))
    with pytest.raises(UCError, match='publisher only'):
        work.run(['signing'], force=True, check_mode=True)
    assert all(is_read_only(c) for c in server.commands if c != 'set cli pagination off')


def test_an_account_below_level_4_is_refused_before_the_cluster_is_even_read(flow):
    work, server, warnings = flow(Platform(privilege=1))
    with pytest.raises(UCError) as caught:
        work.run(['encryption'], force=True)
    assert 'privilege level 1' in caught.value.message and 'level 4' in caught.value.hint
    assert server.commands == ['set cli pagination off', 'show myself']


def test_a_node_that_cannot_be_found_in_the_cluster_list_is_refused(flow):
    work, server, warnings = flow(Platform(machine='elsewhere'))
    server.replies['show myself'] = 'Machine Name    : nowhere\nprivilege level : 4'
    with pytest.raises(UCError) as caught:
        work.run(['signing'], force=True)
    assert 'could not tell which node' in caught.value.message and 'elsewhere.example.com' in caught.value.hint
    assert not [c for c in server.commands if c.startswith(('set key', 'show key'))]


def test_an_upgrade_refusal_says_to_wait(flow):
    platform = Platform()
    work, server, warnings = flow(platform)
    server.replies['show key authz signing'] = ('This command is not allowed while an upgrade is in progress\n'
                                                'Executed command unsuccessfully')
    with pytest.raises(UCError) as caught:
        work.run(['signing'], force=True)
    assert 'upgrade is in progress' in caught.value.message and 'wait until the upgrade has finished' in caught.value.hint
    assert platform.regenerations == []
