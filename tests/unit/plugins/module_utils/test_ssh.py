# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""CliSession against a scripted paramiko SSH server on loopback; the output cleaning functions."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time

import paramiko
import pytest

from ansible_collections.collab.uc.plugins.module_utils.transport import _ssh
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import MASK, OutcomeUnknown, UCError
from ansible_collections.collab.uc.plugins.module_utils.transport._ssh import (
    CliSession, CommandTimeout, HostKeyError, LoginFailed, clean_text, error_lines,
    known_hosts_name, strip_transcript)
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.ssh_server import DROP, ScriptedSsh

PASSWORD = 's3cret!pw'
PAGINATION = {'set cli pagination off': 'Automatic pagination is turned off'}


@pytest.fixture
def known_hosts(tmp_path):
    return str(tmp_path / 'known_hosts')


def trusted(server, path):
    with open(path, 'a') as handle:
        handle.write(server.known_hosts_line())
    return path


def session(server, known_hosts, **options):
    args = dict(port=server.port, known_hosts=known_hosts, login_timeout=10, command_timeout=10)
    args.update(options)
    return CliSession('127.0.0.1', args.pop('username', 'admin'), args.pop('password', PASSWORD), **args)


def serve(replies=None, **options):
    merged = dict(PAGINATION)
    merged.update(replies or {})
    return ScriptedSsh(replies=merged, **options)


def no_password_in(err):
    for text in (str(err), repr(err.to_dict())):
        assert PASSWORD not in text


# --- output cleaning ----------------------------------------------------------------------------------------

def test_clean_text_removes_escapes_and_applies_crlf_cr_and_backspaces():
    raw = (b'\x1b[?1h\x1b=\x1b[1mBold\x1b[0m title\r\n'
           b'abc\x08\x08XY\r\n'           # backspaces move left, text overwrites
           b'--More--\r        \rnext line\r\n'  # CR returns to column 0 and the pager prompt is erased
           b'\x1b]0;window title\x07tab\there\r\n'
           b'bell\x07 gone\n\r'
           b'caf\xc3\xa9 \xff')
    assert clean_text(raw).split('\n') == ['Bold title', 'aXY', 'next line', 'tab     here', 'bell gone',
                                           u'caf\u00e9 \ufffd']


def test_strip_transcript_drops_echo_prompt_pager_lines_and_outer_blank_lines():
    text = clean_text('show  version   active\r\n\r\nActive Master Version: 14.0.1.13900-155\r\n'
                      '  Press <enter> for 1 line, <space> for one page, or <q> to quit\r\n'
                      '\r\nmore\r\n\r\nadmin:')
    assert strip_transcript(text, 'show version active') == 'Active Master Version: 14.0.1.13900-155\n\nmore'


def test_strip_transcript_keeps_a_first_line_that_is_not_the_echo():
    assert strip_transcript('Result line\nadmin:', 'show myself') == 'Result line'


@pytest.mark.parametrize('line', ['Executed command unsuccessfully', '  executed  command unsuccessfully.',
                                  'Error: no such service', 'Syntax error: unexpected token', 'Invalid command: x',
                                  'Unrecognized command', 'Command not found'])
def test_error_lines_are_recognised(line):
    assert error_lines('first\n%s\nlast' % line) == [line.strip()]


def test_ordinary_output_has_no_error_line():
    assert error_lines('Cisco Tomcat[STARTED]\n>> Return code = 0\nno errors were found') == []


def test_known_hosts_name_is_bracketed_off_port_22():
    assert known_hosts_name('cucm', 22) == 'cucm'
    assert known_hosts_name('127.0.0.1', 2222) == '[127.0.0.1]:2222'


# --- login --------------------------------------------------------------------------------------------------

def test_keyboard_interactive_login_once_for_every_command(known_hosts):
    with serve({'show myself': 'account name : admin', 'show version active': 'Active Master Version: 14'}) as srv:
        with session(srv, trusted(srv, known_hosts)) as cli:
            assert cli.run('show myself') == 'account name : admin'
            assert cli.run('show version active') == 'Active Master Version: 14'
            assert cli.logins == 1 and cli.commands_sent == 3
            assert 'Welcome to the Platform Command Line Interface' in cli.banner
        assert srv.auth_attempts == [('keyboard-interactive', 'admin')]
        assert srv.commands == ['set cli pagination off', 'show myself', 'show version active']
        assert srv.terms == [b'vt100'] and srv.shells == 1 and srv.exec_requests == 0


def test_plain_password_when_keyboard_interactive_is_not_offered(known_hosts):
    with serve({'show myself': 'ok'}, auth_methods=('password',)) as srv:
        with session(srv, trusted(srv, known_hosts)) as cli:
            assert cli.run('show myself') == 'ok'
        assert srv.auth_attempts == [('password', 'admin')]


@pytest.mark.parametrize('methods', [('keyboard-interactive',), ('password',),
                                     ('keyboard-interactive', 'password')])
def test_wrong_password_is_one_attempt_and_never_retried(known_hosts, methods):
    with serve(auth_methods=methods) as srv:
        cli = session(srv, trusted(srv, known_hosts), password='wrong-' + PASSWORD)
        with pytest.raises(LoginFailed) as caught:
            cli.run('show myself')
        with pytest.raises(UCError) as again:
            cli.run('show myself')  # the session refuses to log in again with the same credentials
        assert srv.auth_attempts == [(methods[0], 'admin')]
        assert srv.commands == []
    err = caught.value
    assert err.host == '127.0.0.1:%d' % srv.port and err.operation == 'login'
    assert 'ssh_password' in err.hint and 'not retried' in err.hint.lower()
    assert 'wrong-' not in str(err)
    assert 'no longer usable' in again.value.message and not isinstance(again.value, LoginFailed)


def test_password_never_appears_in_error_messages_even_when_the_server_prints_it(known_hosts):
    with serve({'show secret': 'the password is %s' % PASSWORD, 'show bad': 'Error: %s refused' % PASSWORD}) as srv:
        with session(srv, trusted(srv, known_hosts)) as cli:
            assert cli.run('show secret') == 'the password is %s' % PASSWORD  # results: Ansible masks no_log values
            with pytest.raises(UCError) as caught:
                cli.run('show bad')
    no_password_in(caught.value)
    assert MASK in str(caught.value)


def test_login_timeout_when_the_prompt_comes_too_late(known_hosts):
    with serve(login_delay=5) as srv:
        cli = session(srv, trusted(srv, known_hosts), login_timeout=0.5)
        with pytest.raises(UCError) as caught:
            cli.open()
        with pytest.raises(UCError) as again:
            cli.open()
        assert len(srv.auth_attempts) == 1 and 'no longer usable' in again.value.message
    assert 'login timeout' in caught.value.message and caught.value.operation == 'login'
    assert 'ssh_login_timeout' in caught.value.hint
    assert not isinstance(caught.value, OutcomeUnknown)


def test_a_shell_that_closes_before_the_prompt_is_a_login_failure_not_an_unknown_outcome(known_hosts):
    with serve(prompt=None) as srv:
        cli = session(srv, trusted(srv, known_hosts))
        with pytest.raises(UCError) as caught:
            cli.open()
        assert srv.commands == [] and len(srv.auth_attempts) == 1
    err = caught.value
    assert not isinstance(err, OutcomeUnknown) and err.operation == 'login'
    assert 'before the CLI prompt' in err.message and 'Welcome' in err.detail('output')


def test_missing_paramiko_fails_with_a_clear_message(monkeypatch):
    monkeypatch.setattr(_ssh, 'HAS_PARAMIKO', False)
    with pytest.raises(UCError) as caught:
        CliSession('127.0.0.1', 'admin', PASSWORD)
    assert 'paramiko' in str(caught.value)


def test_unknown_host_key_checking_value_is_refused():
    with pytest.raises(ValueError):
        CliSession('127.0.0.1', 'admin', PASSWORD, host_key_checking='yes')


# --- host keys ----------------------------------------------------------------------------------------------

def test_unknown_host_key_is_refused_by_default_before_any_login(known_hosts):
    with serve() as srv:
        with pytest.raises(HostKeyError) as caught:
            session(srv, known_hosts).open()
        assert srv.auth_attempts == []
    assert 'not in' in caught.value.message and 'SHA256:' in caught.value.message
    assert 'accept_new' in caught.value.hint
    assert not os.path.exists(known_hosts)


def test_accept_new_records_the_key_and_strict_trusts_it_afterwards(known_hosts):
    with serve({'show myself': 'ok'}) as srv:
        with session(srv, known_hosts, host_key_checking='accept_new') as first:
            assert first.host_key_added
        with open(known_hosts) as handle:
            assert handle.read() == srv.known_hosts_line()
        assert oct(os.stat(known_hosts).st_mode & 0o777) == oct(0o600)
        with session(srv, known_hosts) as second:
            assert second.run('show myself') == 'ok' and not second.host_key_added


def test_accept_new_creates_the_directory_of_the_file(tmp_path):
    path = str(tmp_path / 'new' / 'known_hosts')
    with serve() as srv:
        with session(srv, path, host_key_checking='accept_new'):
            pass
    assert os.path.exists(path)


def test_off_accepts_an_unknown_key_without_recording_it(known_hosts):
    with serve({'show myself': 'ok'}) as srv:
        with session(srv, known_hosts, host_key_checking='off') as cli:
            assert cli.run('show myself') == 'ok'
    assert not os.path.exists(known_hosts)


@pytest.mark.parametrize('checking', ['strict', 'accept_new', 'off'])
def test_a_changed_host_key_is_refused_whatever_the_setting(known_hosts, checking):
    with serve() as srv:
        other = paramiko.ECDSAKey.generate(bits=256)
        with open(known_hosts, 'w') as handle:
            handle.write(srv.known_hosts_line(other))
        with pytest.raises(HostKeyError) as caught:
            session(srv, known_hosts, host_key_checking=checking).open()
        assert srv.auth_attempts == []
        with open(known_hosts) as handle:
            assert handle.read() == srv.known_hosts_line(other)  # never replaced
    assert 'CHANGED' in caught.value.message and 'Refused whatever' in caught.value.hint


def test_a_hashed_known_hosts_entry_is_trusted(known_hosts):
    with serve({'show myself': 'ok'}) as srv:
        name, keytype, key = srv.known_hosts_line().split()
        with open(known_hosts, 'w') as handle:
            handle.write('# comment\n%s %s %s\n' % (paramiko.HostKeys.hash_host(name), keytype, key))
        with session(srv, known_hosts) as cli:
            assert cli.run('show myself') == 'ok'


def test_a_single_answer_may_be_given_as_a_string(known_hosts):
    with serve({'utils x': confirm('Continue (y/n)?', 'done')}) as srv:
        with session(srv, trusted(srv, known_hosts)) as cli:
            assert cli.run('utils x', answers='yes').endswith('done')


def test_the_known_key_type_is_asked_for_when_the_server_has_several(known_hosts):
    rsa = paramiko.RSAKey.generate(1024)
    # The server also offers an ECDSA key, which paramiko prefers: the client must ask for the known RSA key.
    with serve({'show myself': 'ok'}, host_key=rsa, extra_host_keys=[paramiko.ECDSAKey.generate(bits=256)]) as srv:
        with session(srv, trusted(srv, known_hosts)) as cli:
            assert cli.run('show myself') == 'ok'
            assert cli._transport.get_remote_server_key().get_name() == 'ssh-rsa'


# --- commands -----------------------------------------------------------------------------------------------

def test_error_line_raises_naming_host_command_and_the_cli_words(known_hosts):
    with serve({'utils service restart Cisco Nothing': 'Service not found\nExecuted command unsuccessfully'}) as srv:
        with session(srv, trusted(srv, known_hosts)) as cli:
            with pytest.raises(UCError) as caught:
                cli.run('utils service restart Cisco Nothing')
            assert cli.run('utils service restart Cisco Nothing', check=False).endswith('unsuccessfully')
    err = caught.value
    assert err.host == '127.0.0.1:%d' % srv.port and err.operation == 'utils service restart Cisco Nothing'
    assert 'Executed command unsuccessfully' in err.message
    assert err.detail('output') == 'Service not found Executed command unsuccessfully'
    assert str(err).startswith('CUCM platform CLI 127.0.0.1:%d: utils service restart Cisco Nothing failed' % srv.port)


def confirm(question, done):
    def reply(shell):
        shell.write(question)
        answer = shell.read_line()
        return done if answer == 'yes' else 'Cancelled (%s)' % answer
    return reply


def test_confirmation_is_answered_from_the_answers(known_hosts):
    replies = {'set key regen authz signing': confirm('Do you want to continue (yes/no) ? ', 'Key regenerated'),
               'utils x': confirm('Continue (y/n)?', 'unused')}
    with serve(replies) as srv:
        with session(srv, trusted(srv, known_hosts)) as cli:
            out = cli.run('set key regen authz signing', answers=['yes'])
            assert out.endswith('Key regenerated')
            out = cli.run('utils x', answers=[{'prompt': r'\(y/n\)', 'answer': 'n'}])
            assert out.endswith('Cancelled (n)')
        assert srv.received == ['set cli pagination off', 'set key regen authz signing', 'yes', 'utils x', 'n']


def test_an_unanswered_confirmation_is_declined_and_raised(known_hosts):
    replies = {'set key regen authz signing': confirm('Do you want to continue (yes/no) ? ', 'Key regenerated'),
               'utils y': confirm('Continue (y/n)?', 'unused')}
    with serve(replies) as srv:
        with session(srv, trusted(srv, known_hosts)) as cli:
            with pytest.raises(UCError) as caught:
                cli.run('set key regen authz signing')
            assert 'no answer was given' in caught.value.message
            assert 'answers' in caught.value.hint
            with pytest.raises(UCError):
                cli.run('utils y', answers=[{'prompt': 'never matches', 'answer': 'y'}])
        assert srv.received == ['set cli pagination off', 'set key regen authz signing', 'no', 'utils y', 'n']


def test_pager_prompts_are_answered_and_left_out_of_the_output(known_hosts):
    lines = ['line %02d' % i for i in range(30)]

    def paged(shell):
        shell.write('\r\n'.join(lines[:20]) + '\r\n')
        shell.write('  Press <enter> for 1 line, <space> for one page, or <q> to quit')
        key = shell.read_key()
        shell.write('\r' + ' ' * 66 + '\r')
        return '\n'.join(lines[20:]) + '\nkey=%r' % key

    with serve({'utils service list': paged}) as srv:
        with session(srv, trusted(srv, known_hosts)) as cli:
            out = cli.run('utils service list')
    assert out.split('\n') == lines + ["key=' '"]


def test_output_with_escapes_backspaces_and_crlf_is_cleaned(known_hosts):
    messy = '\x1b[2K\x1b[32mActive Master Version:\x1b[0m 14.0.1.13900-155\r\r\nX\x08Y\r\n\x1b[?25h'
    with serve({'show version active': messy}) as srv:
        with session(srv, trusted(srv, known_hosts)) as cli:
            assert cli.run('show version active') == 'Active Master Version: 14.0.1.13900-155\nY'


def test_a_drop_during_a_command_is_outcome_unknown_and_never_repeated(known_hosts):
    with serve({'set key regen authz signing': DROP}) as srv:
        cli = session(srv, trusted(srv, known_hosts))
        with pytest.raises(OutcomeUnknown) as caught:
            cli.run('set key regen authz signing', answers=['yes'])
        assert srv.commands.count('set key regen authz signing') == 1
        with pytest.raises(UCError) as again:
            cli.run('show key authz signing')
        assert not isinstance(again.value, OutcomeUnknown) and 'no longer usable' in again.value.message
        assert len(srv.auth_attempts) == 1
    err = caught.value
    assert err.operation == 'set key regen authz signing' and 'read the state again' in err.hint
    assert err.output == '' and err.detail('output') is None
    no_password_in(err)


def test_a_command_timeout_is_outcome_unknown(known_hosts):
    def slow(shell):
        time.sleep(2)
        return 'late'

    with serve({'utils slow': slow}) as srv:
        with session(srv, trusted(srv, known_hosts)) as cli:
            with pytest.raises(CommandTimeout) as caught:
                cli.run('utils slow', timeout=0.3)
    assert isinstance(caught.value, OutcomeUnknown) and 'command timeout' in caught.value.message


def test_char_delay_sends_each_character_apart(known_hosts):
    slept = []
    with serve({'show myself': 'ok'}) as srv:
        with session(srv, trusted(srv, known_hosts), char_delay=0.001, sleep=slept.append,
                     pagination_command=None) as cli:
            assert cli.run('show myself') == 'ok'
        assert srv.commands == ['show myself']
    assert slept == [0.001] * len('show myself\n')


@pytest.mark.parametrize('command', ['', '   '])
def test_a_command_is_not_empty(command):
    cli = CliSession('127.0.0.1', 'admin', PASSWORD)
    with pytest.raises(ValueError):
        cli.run(command)


# Byte sequences a line editor acts on (or that hide a second line), each around a changing command.
HOSTILE = ['show a\nshow b', 'x\r', 'show version active' + '\x7f' * 19 + 'set key regen authz signing',
           'show myself' + '\b' * 11 + 'set key regen authz signing', 'show myself\x03set key regen authz signing',
           'show myself\x15set key regen authz signing', 'show myself\x17\x17set key', 'show\x00 myself',
           'show\tmyself', 'show myself\x1b[A', 'show myself\x1bOA', 'show myself\x9b\x41', 'show myself\x1b',
           'show myself\u2028set key regen authz signing', 'show myself\u2029x', 'show myself\x85set key',
           'show my\u00a0self', 'show myself\x0bx', 'show myself\x0cx', 'show \u0131myself', 'show myself\ud800',
           'show myself\u200b', 'show myself\u202e', 'show myself\x04', 'x' * 1025]


@pytest.mark.parametrize('command', HOSTILE)
def test_a_command_holding_anything_but_printable_ascii_is_never_typed_and_nothing_is_sent(known_hosts, command):
    with serve({'show myself': 'ok'}) as srv:
        cli = session(srv, trusted(srv, known_hosts))
        with pytest.raises(_ssh.UnsafeInput) as caught:
            cli.run(command)
        assert srv.auth_attempts == [] and srv.received == [] and cli.logins == 0
    message = str(caught.value)
    assert 'printable ASCII' in message or 'at most 1024' in message
    assert all(' ' <= char <= '~' for char in message), message  # the command is shown escaped
    assert 'Nothing was sent' in message


@pytest.mark.parametrize('answer', ['yes\nset key regen authz encryption', 'n\x7fyes', '\x03', 'y\x1b[A',
                                    'yes\u2028'])
def test_an_answer_holding_anything_but_printable_ascii_is_refused_before_the_login(known_hosts, answer):
    with serve({'set key regen authz signing': 'ok'}) as srv:
        cli = session(srv, trusted(srv, known_hosts))
        with pytest.raises(_ssh.UnsafeInput) as caught:
            cli.run('set key regen authz signing', answers=['yes', answer])
        assert srv.auth_attempts == [] and srv.received == []
    assert 'answer 2 holds U+' in caught.value.message


def test_the_last_guard_refuses_to_send_a_control_character_on_an_open_session(known_hosts):
    with serve({'show myself': 'ok'}) as srv:
        with session(srv, trusted(srv, known_hosts)) as cli:
            with pytest.raises(_ssh.UnsafeInput):
                cli._send('show myself\x03set key regen authz signing\n', 'show myself')
            assert cli.run('show myself') == 'ok'
        assert srv.received == ['set cli pagination off', 'show myself']


@pytest.mark.parametrize('text, words', [
    ('show myself', None), ('x' * 1024, None), (' ~!"#$%&()*+,-./:;<=>?@[\\]^_`{|}', None),
    ('a\x7f', 'U+007F (DEL) at character 2'), ('\x08', 'U+0008 (backspace) at character 1'),
    ('a\x03', 'U+0003 (Ctrl-C)'), ('a\x15', 'U+0015 (Ctrl-U)'), ('\x00', 'U+0000 (NUL)'), ('\t', 'U+0009 (tab)'),
    ('\x1b[A', 'U+001B (ESC)'), ('\x85', 'U+0085 (NEL, next line)'), ('\x9b', 'U+009B (CSI)'),
    ('\x90', 'U+0090 (C1 control)'), ('\u2028', 'U+2028 (line separator)'), ('\u2029', 'U+2029 (paragraph separator)'),
    ('\u00e9', 'U+00E9 (LATIN SMALL LETTER E WITH ACUTE)'), ('x' * 1025, '1025 characters long; at most 1024'),
    (b'show', 'must be a string, got bytes'),
])
def test_typed_problem_allows_printable_ascii_only_and_names_the_character(text, words):
    problem = _ssh.typed_problem(text, 'the command')
    if words is None:
        assert problem is None
    else:
        assert problem.startswith('the command ') and words in problem, problem


def test_a_long_command_is_shortened_in_messages(known_hosts):
    command = 'show ' + 'x' * 5000
    with serve({command: 'Executed command unsuccessfully'}) as srv:
        with session(srv, trusted(srv, known_hosts)) as cli:
            with pytest.raises(UCError) as caught:
                cli.run(command)
    assert len(str(caught.value)) < 2000 and len(caught.value.operation) <= 203


def test_the_command_timeout_message_names_its_option(known_hosts):
    def slow(shell):
        time.sleep(2)
        return 'late'

    with serve({'utils slow': slow}) as srv:
        with session(srv, trusted(srv, known_hosts), command_timeout=0.3, timeout_option='ssh_command_timeout') as cli:
            with pytest.raises(CommandTimeout) as caught:
                cli.run('utils slow')
    assert 'command timeout of 0.3s (ssh_command_timeout; raise it' in str(caught.value)


def test_accept_new_in_check_mode_trusts_the_key_for_the_session_only_and_writes_nothing(known_hosts):
    warnings = []
    with serve({'show myself': 'ok'}) as srv:
        with session(srv, known_hosts, host_key_checking='accept_new', save_new_host_keys=False,
                     warn=warnings.append) as cli:
            assert cli.run('show myself') == 'ok'
            assert not cli.host_key_added and cli.host_key_accepted.startswith('ecdsa-sha2-nistp256 SHA256:')
        assert not os.path.exists(known_hosts)
        with pytest.raises(HostKeyError):
            session(srv, known_hosts).open()  # still unknown to a strict session
    assert len(warnings) == 1 and 'did NOT save it' in warnings[0] and known_hosts in warnings[0]


def test_connection_refused_says_what_to_check(known_hosts):
    with serve() as srv:
        port = srv.port
    cli = CliSession('127.0.0.1', 'admin', PASSWORD, port=port, known_hosts=known_hosts, login_timeout=2)
    with pytest.raises(UCError) as caught:
        cli.open()
    assert caught.value.operation == 'connect' and 'ssh_port' in caught.value.hint
