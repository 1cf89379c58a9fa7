# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""collab.uc.cucm_authz_keys and collab.uc.cucm_cli_command, run in-process over SSH to a scripted CLI."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.module_utils import basic

from ansible_collections.collab.uc.plugins.module_utils.connection import _connection
from ansible_collections.collab.uc.plugins.module_utils.transport import _ssh
from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule
from ansible_collections.collab.uc.plugins.modules import cucm_authz_keys, cucm_cli_command
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.ssh_server import Platform, ScriptedSsh
from ansible_collections.collab.uc.tests.unit.plugins.modules.module_runner import (
    Exit, catch_exit, patch_module_args)

PASSWORD = 's3cret!pw'
ENV = ('HOST', 'PORT', 'USERNAME', 'PASSWORD', 'KNOWN_HOSTS', 'HOST_KEY_CHECKING')


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """run(main, args, platform=None, check_mode=False, diff=False) -> (failed, result, warnings, server)."""
    for name in ENV:
        monkeypatch.delenv('CUCM_SSH_' + name, raising=False)
    catch_exit(monkeypatch)
    servers = []

    def run(main, args, platform=None, check_mode=False, diff=False, replies=None):
        platform = platform or Platform()
        scripted = platform.replies()
        scripted.update(replies or {})
        server = ScriptedSsh(replies=scripted)
        servers.append(server)
        known_hosts = tmp_path / 'known_hosts'
        known_hosts.write_text(server.known_hosts_line())
        full = dict(ssh_host='127.0.0.1', ssh_port=server.port, ssh_username='admin', ssh_password=PASSWORD,
                    ssh_known_hosts=str(known_hosts), _ansible_check_mode=check_mode, _ansible_diff=diff)
        full.update(args)
        warnings = []
        monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, text: warnings.append(text))
        with patch_module_args(full):
            with pytest.raises(Exit) as done:
                main()
        return done.value.failed, done.value.result, warnings, server

    yield run
    for server in servers:
        server.stop()


def test_reads_both_keys(cli):
    failed, result, warnings, server = cli(cucm_authz_keys.main, {})
    assert not failed, result
    assert result['changed'] is False and result['ssh_logins'] == 1
    assert result['checksums'] == {'signing': {'checksum': 'aa' * 16, 'last_regenerated': None},
                                   'encryption': {'checksum': 'bb' * 16, 'last_regenerated': None}}
    assert [c for c in server.commands if c.startswith('set key')] == []


def test_regenerated_with_a_guard_then_ok(cli):
    platform = Platform()
    args = dict(state='regenerated', keys=['signing'], only_if_checksum=dict(signing='AA' * 16))
    failed, result, warnings, server = cli(cucm_authz_keys.main, args, platform, diff=True)
    assert not failed, result
    assert result['changed'] is True and result['changes'] == [
        {'name': 'signing', 'action': 'regenerated', 'before': 'aa' * 16, 'after': platform.keys['signing'],
         'reason': result['changes'][0]['reason']}]
    assert 'aa' * 16 in result['changes'][0]['reason'] and result['regenerated'] == ['signing']  # deprecated key
    assert result['diff']['before']['signing']['checksum'] == 'aa' * 16
    assert result['diff']['after']['signing']['checksum'] == platform.keys['signing']
    assert 'every OAuth access token and refresh token' in warnings[0].replace('Every', 'every')
    failed, result, warnings, server = cli(cucm_authz_keys.main, args, platform)
    assert not failed and result['changed'] is False and warnings == [] and result['changes'] == []
    assert platform.regenerations == ['signing']


def test_check_mode_and_guard_errors(cli):
    platform = Platform()
    args = dict(state='regenerated', keys=['encryption'], max_age_days=10)
    failed, result, dummy, server = cli(cucm_authz_keys.main, args, platform, check_mode=True)
    assert not failed and result['changed'] is True
    assert [(c['name'], c['action'], c['before'], 'after' in c) for c in result['changes']] == [
        ('encryption', 'regenerated', 'bb' * 16, False)]  # no after: the new key does not exist in check mode
    assert platform.regenerations == []
    failed, result, dummy, server = cli(cucm_authz_keys.main, dict(state='regenerated', keys=['signing']))
    assert failed and 'no guard' in result['msg'] and server.auth_attempts == []
    failed, result, dummy, dummy = cli(cucm_authz_keys.main, dict(state='regenerated'))
    assert failed and 'keys' in result['msg']
    failed, result, dummy, dummy = cli(cucm_authz_keys.main, dict(force=True))
    assert failed and 'use them with state=regenerated' in result['msg']
    failed, result, dummy, dummy = cli(cucm_authz_keys.main, dict(state='regenerated', keys=['signing'], max_age_days=0))
    assert failed and 'max_age_days must be between 1 and 36500' in result['msg']
    failed, result, dummy, dummy = cli(cucm_authz_keys.main, dict(ssh_login_timeout=0))
    assert failed and 'ssh_login_timeout must be between 1 and 3600' in result['msg']


def test_a_failure_after_a_regeneration_reports_it(cli):
    platform = Platform()
    args = dict(state='regenerated', keys=['signing', 'encryption'], force=True)
    refused = {'set key regen authz encryption': 'Executed command unsuccessfully'}
    failed, result, warnings, dummy = cli(cucm_authz_keys.main, args, platform, replies=refused)
    assert failed and result['changed'] is True and [c['name'] for c in result['changes']] == ['signing']
    assert result['changes'][0]['after'] == platform.keys['signing'] != result['changes'][0]['before']
    assert 'Executed command unsuccessfully' in result['msg'] and 'signing key' in warnings[0]


def test_the_password_is_in_no_result(cli):
    failed, result, dummy, dummy = cli(cucm_authz_keys.main, dict(ssh_password='wrong-' + PASSWORD))
    assert failed and 'authentication failed for user admin' in result['msg']
    assert PASSWORD not in repr(result)


def test_cli_command_runs_read_only_commands_on_one_login(cli):
    failed, result, dummy, server = cli(cucm_cli_command.main, dict(commands=[
        'show key authz signing', {'command': 'utils  service list'}]),
        replies={'utils service list': 'Cisco Tomcat[STARTED]'})
    assert not failed, result
    assert result['changed'] is False and result['ssh_logins'] == 1
    assert result['stdout'] == ['Checksum: %s\nLast Regenerated: Never' % ('aa' * 16), 'Cisco Tomcat[STARTED]']
    assert result['results'][1] == {'command': 'utils service list', 'output': 'Cisco Tomcat[STARTED]',
                                    'lines': ['Cisco Tomcat[STARTED]']}
    assert len(server.auth_attempts) == 1


def test_cli_command_refuses_changes_unless_allowed_and_answers_only_as_given(cli):
    failed, result, dummy, server = cli(cucm_cli_command.main, dict(commands=['set key regen authz signing']))
    assert failed and 'allow_changes' in result['msg'] and server.auth_attempts == []
    platform = Platform()
    failed, result, dummy, server = cli(cucm_cli_command.main, dict(allow_changes=True, commands=[
        'set key regen authz signing']), platform)
    assert failed and 'no answer was given' in result['msg'] and platform.regenerations == []
    assert server.received[-1] == 'no'  # declined
    failed, result, dummy, server = cli(cucm_cli_command.main, dict(allow_changes=True, commands=[
        {'command': 'set key regen authz signing', 'answers': ['yes']}]), platform)
    assert not failed and result['changed'] is True and platform.regenerations == ['signing']
    failed, result, dummy, server = cli(cucm_cli_command.main, dict(allow_changes=True, commands=[
        'set key regen authz signing']), platform, check_mode=True)
    assert not failed and result['changed'] is True and result['not_run'] == ['set key regen authz signing']
    assert server.auth_attempts == [] and platform.regenerations == ['signing']


@pytest.mark.parametrize('command', [
    'show version active' + '\x7f' * 19 + 'set key regen authz signing', 'show myself\x03set key regen authz signing',
    'show myself\x15set key regen authz signing', 'show myself' + '\x08' * 11 + 'set key regen authz signing',
    'show\x00myself', 'show myself\x1b[A', 'show myself\u2028set key', 'show myself\x85set key', 'show\tmyself',
])
@pytest.mark.parametrize('allow_changes', [False, True])
def test_cli_command_refuses_control_characters_before_the_login(cli, command, allow_changes):
    platform = Platform()
    failed, result, dummy, server = cli(cucm_cli_command.main, dict(allow_changes=allow_changes, commands=[
        {'command': command, 'answers': ['yes']}]), platform)
    assert failed and 'commands[0] holds U+' in result['msg'] and 'Nothing was sent' in result['msg']
    assert server.auth_attempts == [] and platform.regenerations == [] and not result.get('changed')


def test_cli_command_refuses_answers_with_control_characters_before_the_login(cli):
    failed, result, dummy, server = cli(cucm_cli_command.main, dict(allow_changes=True, commands=[
        {'command': 'set key regen authz signing', 'answers': ['no\nset key regen authz encryption']}]))
    assert failed and 'commands[0].answers[0] holds U+000A (line feed)' in result['msg']
    assert server.auth_attempts == []


def test_cli_command_refused_or_declined_is_not_a_change(cli):
    platform = Platform()
    failed, result, dummy, server = cli(cucm_cli_command.main, dict(allow_changes=True, commands=[
        'set key regen authz signing']), platform)
    assert failed and 'no answer was given' in result['msg'] and result['changed'] is False
    refused = {'set key regen authz signing': 'Executed command unsuccessfully'}
    failed, result, dummy, server = cli(cucm_cli_command.main, dict(allow_changes=True, commands=[
        {'command': 'set key regen authz signing', 'answers': ['yes']}]), platform, replies=refused)
    assert failed and 'Executed command unsuccessfully' in result['msg'] and result['changed'] is False
    assert platform.regenerations == []


def test_cli_command_in_check_mode_with_accept_new_writes_no_known_hosts(cli, tmp_path):
    known_hosts = tmp_path / 'empty_known_hosts'
    failed, result, warnings, server = cli(cucm_cli_command.main, dict(
        commands=['show key authz signing'], ssh_known_hosts=str(known_hosts), ssh_host_key_checking='accept_new'),
        check_mode=True)
    assert not failed, result
    assert not known_hosts.exists() and 'did NOT save it' in warnings[0]
    failed, result, warnings, server = cli(cucm_cli_command.main, dict(
        commands=['show key authz signing'], ssh_known_hosts=str(known_hosts), ssh_host_key_checking='accept_new'))
    assert not failed and known_hosts.read_text() == server.known_hosts_line() and warnings == []


@pytest.mark.parametrize('commands, message', [
    ([], 'at least one'), (['two\nlines'], 'U+000A (line feed)'), ([' '], 'one non-empty line'),
    ([{'cmd': 'x'}], 'must be a command line'),
    ([{'command': 'show x', 'answers': 'yes'}], 'answers must be a list'),
])
def test_cli_command_validates_before_the_login(cli, commands, message):
    failed, result, dummy, server = cli(cucm_cli_command.main, dict(commands=commands))
    assert failed and message in result['msg'] and server.auth_attempts == []


# --- the connection group ------------------------------------------------------------------------------------

class BothGroups(UCModule):
    """A module using CUCM over HTTPS and the platform CLI: ssh_host defaults to host."""
    connections = ('cucm', 'cucm_cli')

    def execute(self):
        return dict(changed=False, values=self.connection_values('cucm_cli'))


def test_ssh_host_defaults_to_the_cucm_host_and_env_fallbacks(monkeypatch):
    catch_exit(monkeypatch)
    for name in ENV:
        monkeypatch.delenv('CUCM_SSH_' + name, raising=False)
    monkeypatch.setenv('CUCM_SSH_PASSWORD', 'from-env')
    monkeypatch.setenv('CUCM_SSH_HOST_KEY_CHECKING', 'accept_new')
    with patch_module_args(dict(host='cucm-pub', username='axl', password='p', ssh_username='os')):
        with pytest.raises(Exit) as done:
            BothGroups().run()
    values = done.value.result['values']
    assert (values['ssh_host'], values['ssh_port'], values['ssh_password'], values['ssh_host_key_checking'],
            values['ssh_login_timeout'], values['ssh_command_timeout']) == (
        'cucm-pub', 22, 'from-env', 'accept_new', 60, 120)
    spec = _connection.connection('cucm_cli').argument_spec()
    assert spec['ssh_password']['no_log'] is True
    assert spec['ssh_known_hosts']['fallback'][1] == ['CUCM_SSH_KNOWN_HOSTS']


def test_ssh_host_is_required_without_the_cucm_group(cli):
    failed, result, dummy, dummy = cli(cucm_authz_keys.main, dict(ssh_host=None))
    assert failed and result['msg'] == 'ssh_host is required (or the CUCM_SSH_HOST environment variable)'


def test_a_missing_paramiko_fails_with_ansibles_message(cli, monkeypatch):
    monkeypatch.setattr(_ssh, 'HAS_PARAMIKO', False)
    monkeypatch.setattr(_ssh, 'PARAMIKO_IMPORT_ERROR', 'Traceback: No module named paramiko')
    failed, result, dummy, server = cli(cucm_authz_keys.main, {})
    assert failed and 'Failed to import the required Python library (paramiko)' in result['msg']
    assert result['exception'] == 'Traceback: No module named paramiko' and server.auth_attempts == []
