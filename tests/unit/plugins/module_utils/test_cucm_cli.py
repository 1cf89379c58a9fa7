# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The CUCM platform CLI client: tolerant parsers, and the client over a scripted SSH server."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_cli import (
    READ_ONLY_COMMANDS, CucmCli, find_own_line, is_read_only, parse_key_checksum, parse_key_values,
    parse_network_cluster, parse_services, parse_version_active, privilege_level)
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import OutcomeUnknown, UCError
from ansible_collections.collab.uc.plugins.module_utils.transport._ssh import CliSession
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.ssh_server import DROP, ScriptedSsh

HEX = '3f2a9c0d4e5b6a7f8091a2b3c4d5e6f7'

# From the reference (section 3, TAC 222864).
SERVICE_LIST = '''Requesting service status, please wait...
Service Manager is running
Getting list of all services
>> Return code = 0
A Cisco DB[STARTED]
Cisco CallManager[STARTED]
Cisco Tomcat[STARTED]
Cisco DirSync[STOPPED]  Service Not Activated
Cisco Tftp[STOPPED]  Commanded Out of Service'''
RESTART = '''Do not press Ctrl+C while the service is restarting. If the service has not restarted properly, execute \
the same command again.
Service Manager is running
Cisco Tomcat[STARTING]
Cisco Tomcat[STARTED]'''


@pytest.mark.parametrize('text, checksum, regenerated', [
    ('AuthZ signing key\nChecksum: %s\nLast Regenerated: Tue Dec 01 08:33:18 UTC 2026' % HEX, HEX,
     'Tue Dec 01 08:33:18 UTC 2026'),
    ('Key   checksum   =   %s   \nLast regenerated: Never' % HEX.upper(), HEX, None),
    ('The checksum of the encryption key is %s.' % HEX, HEX, None),
    ('checksum (MD5): ' + ':'.join(HEX[i:i + 2] for i in range(0, 32, 2)), HEX, None),
    ('AuthZ signing key\n\n    %s\n' % HEX, HEX, None),                      # no label: the one hex token
    ('SHA-256 : qL0zO2F5YmVhZGJlZWZjYWZlYmFiZQ==', 'qL0zO2F5YmVhZGJlZWZjYWZlYmFiZQ==', None),  # base64 kept as is
])
def test_key_checksum_is_found_in_every_plausible_wording(text, checksum, regenerated):
    assert parse_key_checksum(text) == {'checksum': checksum, 'last_regenerated': regenerated}


@pytest.mark.parametrize('text', ['', 'Executed command successfully', 'two tokens %s %s' % (HEX, HEX[::-1]),
                                  'short 3f2a9c'])
def test_no_checksum_when_none_or_ambiguous(text):
    assert parse_key_checksum(text) is None


def test_version_active():
    assert parse_version_active('Active Master Version: 14.0.1.13900-155\nActive Version Installed Software '
                                'Options:\nNo Installed Software Options Found.') == '14.0.1.13900-155'
    assert parse_version_active('active  master version :  15.0.1.10000-32') == '15.0.1.10000-32'
    assert parse_version_active('Inactive Version: 12.5') is None


def test_key_values_of_show_myself():
    text = 'Machine Name    : cucm-pub\naccount name    : admin\nprivilege level : 4\nno colon here'
    assert parse_key_values(text) == {'machine_name': 'cucm-pub', 'account_name': 'admin', 'privilege_level': '4'}


def test_service_list_states_and_reasons():
    services = parse_services(SERVICE_LIST)
    assert services['Cisco Tomcat'] == {'state': 'STARTED', 'reason': None}
    assert services['Cisco DirSync'] == {'state': 'STOPPED', 'reason': 'Service Not Activated'}
    assert services['Cisco Tftp'] == {'state': 'STOPPED', 'reason': 'Commanded Out of Service'}
    assert len(services) == 5


def test_service_restart_last_state_wins():
    assert parse_services(RESTART) == {'Cisco Tomcat': {'state': 'STARTED', 'reason': None}}


# --- over SSH -----------------------------------------------------------------------------------------------

@pytest.fixture
def cli_for(tmp_path):
    servers, sessions = [], []

    def make(replies):
        merged = {'set cli pagination off': 'Automatic pagination is turned off'}
        merged.update(replies)
        server = ScriptedSsh(replies=merged)
        path = str(tmp_path / 'known_hosts')
        with open(path, 'w') as handle:
            handle.write(server.known_hosts_line())
        session = CliSession('127.0.0.1', 'admin', 's3cret!pw', port=server.port, known_hosts=path,
                             login_timeout=10, command_timeout=10)
        servers.append(server)
        sessions.append(session)
        return CucmCli(session), server

    yield make
    for session in sessions:
        session.close()
    for server in servers:
        server.stop()


def key_reply(checksum):
    return 'AuthZ key\nChecksum: %s\nLast Regenerated: Never' % checksum


def test_reads_both_key_checksums_on_one_login(cli_for):
    cli, server = cli_for({'show key authz signing': key_reply('aa' * 16),
                           'show key authz encryption': key_reply('bb' * 16)})
    keys = cli.authz_keys()
    assert keys == {'signing': {'checksum': 'aa' * 16, 'last_regenerated': None},
                    'encryption': {'checksum': 'bb' * 16, 'last_regenerated': None}}
    assert len(server.auth_attempts) == 1
    assert server.commands == ['set cli pagination off', 'show key authz signing', 'show key authz encryption']


def test_regeneration_answers_yes_once(cli_for):
    def regen(shell):
        shell.write('WARNING: tokens die\r\nDo you want to continue (yes/no) ? ')
        return 'AuthZ signing key regenerated successfully' if shell.read_line() == 'yes' else 'cancelled'

    cli, server = cli_for({'set key regen authz signing': regen})
    assert cli.regenerate_authz_key('signing').endswith('regenerated successfully')
    assert server.received[-2:] == ['set key regen authz signing', 'yes']


def test_a_drop_during_regeneration_is_outcome_unknown(cli_for):
    cli, server = cli_for({'set key regen authz encryption': DROP})
    with pytest.raises(OutcomeUnknown):
        cli.regenerate_authz_key('encryption')
    assert server.commands.count('set key regen authz encryption') == 1


def test_unparsable_key_output_says_so(cli_for):
    cli = cli_for({'show key authz signing': 'Key status: OK'})[0]
    with pytest.raises(UCError) as caught:
        cli.authz_key('signing')
    assert 'checksum' in caught.value.message and caught.value.detail('output') == 'Key status: OK'


def test_unknown_key_kind_is_refused_before_typing(cli_for):
    cli, server = cli_for({})
    with pytest.raises(ValueError):
        cli.regenerate_authz_key('both')
    assert server.commands == []


def test_version_myself_and_services(cli_for):
    cli = cli_for({'show version active': 'Active Master Version: 14.0.1.13900-155',
                   'show myself': 'account name    : admin\nprivilege level : 4',
                   'utils service list': SERVICE_LIST})[0]
    assert cli.version_active() == '14.0.1.13900-155'
    assert cli.myself()['privilege_level'] == '4'
    assert cli.services()['Cisco CallManager']['state'] == 'STARTED'


def test_restart_service_ok_and_not_started(cli_for):
    cli = cli_for({'utils service restart Cisco Tomcat': RESTART,
                   'utils service restart Cisco DirSync': 'Service Manager is running\nCisco DirSync[STOPPED]'})[0]
    assert cli.restart_service('Cisco Tomcat') == 'STARTED'
    with pytest.raises(UCError) as caught:
        cli.restart_service('Cisco DirSync')
    assert 'STOPPED' in caught.value.message and 'utils service list' in caught.value.hint


def test_run_passes_answers_through(cli_for):
    def ask(shell):
        shell.write('Continue (y/n)?')
        return 'answered %s' % shell.read_line()

    cli = cli_for({'utils dbreplication reset all': ask})[0]
    assert cli.run('utils dbreplication reset all', answers=['y']).endswith('answered y')


def test_control_service_types_the_command_and_reports_the_state_it_printed(cli_for):
    cli, server = cli_for({
        'utils service restart Cisco Tomcat': 'Service Manager is running\nCisco Tomcat[STOPPING]\n'
                                              'Cisco Tomcat[STOPPED]\nCisco Tomcat[STARTING]',
        'utils service stop Cisco Tomcat': 'Tomcat is stopping',   # words it does not know: no state
        'utils service start Cisco  Tomcat': 'never typed (spaces are folded)'})
    assert cli.control_service('Restart', 'Cisco Tomcat')[0] == 'STARTING'
    state, output = cli.control_service('Stop', 'Cisco Tomcat')
    assert state is None and output == 'Tomcat is stopping'
    assert server.commands[-2:] == ['utils service restart Cisco Tomcat', 'utils service stop Cisco Tomcat']
    with pytest.raises(ValueError):
        cli.control_service('Reload', 'Cisco Tomcat')
    with pytest.raises(ValueError):
        cli.control_service('Start', 'Cisco Tomcat\nshow myself')


def test_control_service_lost_answer_is_outcome_unknown_and_not_typed_again(cli_for):
    cli, server = cli_for({'utils service restart Cisco Tomcat': DROP})
    with pytest.raises(OutcomeUnknown):
        cli.control_service('Restart', 'Cisco Tomcat')
    assert server.commands.count('utils service restart Cisco Tomcat') == 1


# --- show network cluster, show myself, and the key commands' refusals ------------------------------------------

CLUSTER = ('10.1.1.10 cucm-pub.example.com cucm-pub Publisher callmanager DBPub authenticated\n'
           '10.1.1.11 cucm-sub1.example.com cucm-sub1 Subscriber callmanager DBSub authenticated using TCP since Mon\n'
           '10.1.1.12 imp1.example.com imp1 subscriber cups DBSub authenticated\n'
           '\nServer Table (processnode) Entries\n----------------------------------\ncucm-pub.example.com\n'
           'Publisher\n\nSuccessful\n')


def test_network_cluster_lines_are_read_tolerantly():
    nodes = parse_network_cluster(CLUSTER)
    assert nodes == [
        {'names': ['10.1.1.10', 'cucm-pub.example.com', 'cucm-pub'], 'publisher': True},
        {'names': ['10.1.1.11', 'cucm-sub1.example.com', 'cucm-sub1'], 'publisher': False},
        {'names': ['10.1.1.12', 'imp1.example.com', 'imp1'], 'publisher': False}]
    assert parse_network_cluster('no nodes here\nPublisher') == []


@pytest.mark.parametrize('machine, host, expected', [
    ('cucm-sub1', None, '10.1.1.11'),           # Machine Name = the host column
    ('CUCM-PUB', '10.9.9.9', '10.1.1.10'),      # any case
    ('cucm-pub.example.com', None, '10.1.1.10'),
    (None, '10.1.1.12', '10.1.1.12'),           # no Machine Name: the address connected to
    ('unknown', 'cucm-sub1.example.com', '10.1.1.11'),
    ('unknown', 'cucm-sub1.other.net', '10.1.1.11'),  # first labels match
    ('unknown', '10.1.1.1', None),              # addresses are compared whole
    (None, None, None),
])
def test_the_own_line_is_found_by_machine_name_then_by_host(machine, host, expected):
    own = find_own_line(parse_network_cluster(CLUSTER), machine, host)
    assert (own['names'][0] if own else None) == expected


def test_privilege_level_of_show_myself():
    assert privilege_level(parse_key_values('account name : admin\nprivilege level : 4')) == 4
    assert privilege_level(parse_key_values('Privilege Level: 1 (read only)')) == 1
    assert privilege_level(parse_key_values('account name : admin')) is None


@pytest.mark.parametrize('words, expected', [
    ('Insufficient privilege level to execute this command', ('privilege level is too low', 'level 4')),
    ('This command is not allowed while an upgrade is in progress', ('upgrade is in progress', 'wait until')),
    ('This command can be executed only on the publisher node', ('not the publisher', 'point ssh_host')),
])
def test_a_refused_key_command_says_what_to_do(cli_for, words, expected):
    refusal = words + '\nExecuted command unsuccessfully'
    cli, server = cli_for({'show key authz signing': refusal, 'set key regen authz signing': refusal})
    for call in (lambda: cli.authz_key('signing'), lambda: cli.regenerate_authz_key('signing')):
        with pytest.raises(UCError) as caught:
            call()
        assert expected[0] in caught.value.message and expected[1] in caught.value.hint
        assert caught.value.hint.startswith('Nothing was changed')
    assert 'yes' not in server.received  # refused before any question: nothing answered


def test_another_failure_of_a_key_command_keeps_the_clis_words(cli_for):
    cli, server = cli_for({'show key authz signing': 'Executed command unsuccessfully'})
    with pytest.raises(UCError) as caught:
        cli.authz_key('signing')
    assert 'Executed command unsuccessfully' in caught.value.message and 'privilege level it needs' in caught.value.hint


def test_check_key_regeneration_reads_only(cli_for):
    cli, server = cli_for({'show myself': 'Machine Name    : cucm-pub\nprivilege level : 4', 'show network cluster': CLUSTER})
    assert cli.check_key_regeneration()['publisher'] == ['10.1.1.10', 'cucm-pub.example.com', 'cucm-pub']
    cli, server = cli_for({'show myself': 'Machine Name    : imp1\nprivilege level : 4', 'show network cluster': CLUSTER})
    with pytest.raises(UCError) as caught:
        cli.check_key_regeneration()
    assert 'imp1 is a subscriber node' in caught.value.message
    assert '(10.1.1.10 cucm-pub.example.com)' in caught.value.hint
    cli, server = cli_for({'show myself': 'Machine Name    : x\nprivilege level : 4', 'show network cluster': 'Nothing'})
    with pytest.raises(UCError, match='could not find any node line'):
        cli.check_key_regeneration()


@pytest.mark.parametrize('command', [
    'show key authz signing', 'SHOW  Key AUTHZ encryption', 'show version active', 'show myself', 'show status',
    'show network cluster', 'utils service list', 'utils dbreplication runtimestate', 'utils ntp status',
    'utils network ping 10.1.1.1 count 5', 'utils network host cucm-pub.example.com', 'show process list detail',
    'utils core active list', 'show cert own tomcat/tomcat.pem',
])
def test_read_only_commands_are_an_exact_list(command):
    assert is_read_only(command)


@pytest.mark.parametrize('command', [
    'set key regen authz signing', 'utils service restart Cisco Tomcat', 'utils service stop Cisco CallManager',
    'utils network capture eth0 file cap host ip 10.1.1.1', 'utils network capture eth0 host ip 10.1.1.1',
    'utils dbreplication status', 'utils dbreplication reset all', 'utils system restart', 'file delete activelog x',
    'show tech all', 'show diskusage activelog file out', 'show', 'utils', 'utils network', 'show key authz',
    'show version active; set key regen authz signing', 'show myself | set key', 'show myself "x"',
    'show version active\x7f\x7f\x7fset key regen authz signing', 'show myself\x03utils service restart x',
    'show myself\x15set key regen authz signing', 'show\tmyself', 'show\u00a0myself', 'show myself\u2028',
    'exit', 'quit', 'delete account x', 'run sql select * from x',
    'show myselfx', 'shows myself', 'utils service listx', 'set cli pagination off',
])
def test_every_other_command_may_change_the_node(command):
    assert not is_read_only(command)


def test_the_read_only_list_holds_no_changing_word():
    changing = {'set', 'restart', 'start', 'stop', 'reset', 'delete', 'capture', 'regen', 'file', 'tech',
                'repair'}
    for prefix in READ_ONLY_COMMANDS:
        assert prefix[0] in ('show', 'utils') and not changing.intersection(prefix[1:-1]), prefix
