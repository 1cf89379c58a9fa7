# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Expressway xAPI client: tolerant parsers, and the client on the expressway group's real CliSession against a
scripted SSH server that prints no prompt (replies end with OK / ERROR)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib

import pytest

from ansible_collections.collab.uc.plugins.module_utils.connection._connection import connection
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import OutcomeUnknown, UCError
from ansible_collections.collab.uc.plugins.module_utils.clients._expressway_cli import (
    ExpresswayCli, XapiError, check_path, check_value, find_leaf, leaf_names,
    on_off, parse_lines, read_section, same_value, section_of, version_key)
from ansible_collections.collab.uc.plugins.module_utils.domain._expressway_settings import (
    absent_message, discover, ensure, wanted_text)
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.ssh_server import DROP, ScriptedSsh

PASSWORD = 's3cret!pw'
BANNER = 'Welcome to expc1\r\nCisco Expressway-C Release X14.2.1\r\nOK\r\n'
SECTION = ('*c xConfiguration CollaborationEdge Enabled: On\n*c xConfiguration CollaborationEdge OAuthLocal: Off\n'
           '*c xConfiguration CollaborationEdge LegacyCred: On\n'
           '*c xConfiguration CollaborationEdge OAuthWithRefresh: Off\nOK')
NO_MATCH = ('*r Result (status=Error):\n    Reason: "No match on address expression."\n'
            '    XPath: "CollaborationEdge Nope"\n** end\nERROR')


def test_parse_flat_lines_quoted_and_bare_values():
    out = parse_lines('*c xConfiguration CollaborationEdge OAuthLocal: On\n'
                      '*c xConfiguration   SystemUnit Name:  "exp c"  \nOK')
    assert out == {'CollaborationEdge OAuthLocal': ('On', False), 'SystemUnit Name': ('exp c', True)}


def test_parse_hierarchical_layout_is_flattened():
    text = '*c xConfiguration CollaborationEdge:\n    OAuthLocal: On\n    Sub:\n      Leaf: 3\n    LegacyCred: Off\nOK'
    assert parse_lines(text) == {'CollaborationEdge OAuthLocal': ('On', False),
                                 'CollaborationEdge Sub Leaf': ('3', False),
                                 'CollaborationEdge LegacyCred': ('Off', False)}


@pytest.mark.parametrize('path', ['', 'Collaboration:Edge', 'Edge;reboot', '"x"', 'xConfiguration: On'])
def test_bad_paths_are_refused_before_any_command(path):
    with pytest.raises(ValueError):
        check_path(path)


def test_values_compare_as_the_xapi_accepts_them():
    assert same_value('On', 'on') and not same_value('exp c', 'EXP C', quoted=True)
    assert wanted_text('True', ('Off', False)) == 'On' and wanted_text('True', ('"x"', True)) == 'True'
    assert on_off('Off') is False and on_off('maybe') is None
    assert version_key('X14.2.1') == (14, 2, 1) and version_key('X8.10.1') < version_key('X14.0')
    assert version_key('unknown') is None


@pytest.mark.parametrize('value, words', [
    ({'a': 1}, 'the value of P Q is a dictionary'), (['On'], 'the value of P Q is a list'),
    (None, 'the value of P Q is missing'), (1.5, 'the value of P Q is a float'),
    ('On\x7f\x7fx', 'U+007F (DEL) at character 3'), ('\x03xConfiguration SystemUnit Name: x', 'U+0003 (Ctrl-C)'),
    ('a\x15b', 'U+0015 (Ctrl-U)'), ('a\nb', 'U+000A (line feed)'), ('a\u2028b', 'U+2028 (line separator)'),
    ('a\x85b', 'U+0085 (NEL, next line)'), ('a\tb', 'U+0009 (tab)'), ('\x1b[A', 'U+001B (ESC)'),
    ('say "hi"', 'double quote'), ('x' * 513, 'at most 512'),
])
def test_values_that_cannot_be_typed_are_refused_naming_the_path(value, words):
    with pytest.raises(ValueError) as caught:
        check_value('P Q', value)
    assert words in str(caught.value)


def test_values_in_the_type_the_leaf_takes():
    assert check_value('P', 'exp c 1') == 'exp c 1' and check_value('P', True) is True and check_value('P', 30) == 30
    assert wanted_text(True, ('Off', False), 'P') == 'On' and wanted_text(False, ('yes', False), 'P') == 'No'
    assert wanted_text(True, ('Disabled', False), 'P') == 'Enabled' and wanted_text(30, ('10', False), 'P') == '30'
    for value, current, words in ((True, ('exp', True), 'P holds "exp", not one of two words'),
                                  (True, ('30', False), 'P holds 30, not one of two words'),
                                  (5, ('exp', True), 'P is a string setting'),
                                  (1, ('On', False), 'P holds On or Off; give On or Off, not the number 1')):
        with pytest.raises(ValueError) as caught:
            wanted_text(value, current, 'P')
        assert words in str(caught.value)


def serve(replies):
    return ScriptedSsh(replies=replies, banner=BANNER, prompt='')


def cli_for(server, tmp_path):
    known = tmp_path / 'known_hosts'
    known.write_text(server.known_hosts_line())
    group = connection('expressway')
    session = group.open(dict(ssh_host='127.0.0.1', ssh_port=server.port, ssh_username='admin',
                              ssh_password=PASSWORD, ssh_known_hosts=str(known), ssh_host_key_checking='strict',
                              ssh_login_timeout=10, ssh_command_timeout=10))
    return ExpresswayCli(session), session


@contextlib.contextmanager
def reconnecting(server, tmp_path):
    """``(cli, reconnect, sessions)``: a CLI on ``server``, a ``reconnect()`` that opens another (as the modules give
    ``ensure``), and every session opened, all closed at the end."""
    cli, session = cli_for(server, tmp_path)
    sessions = [session]

    def reconnect():
        again, other = cli_for(server, tmp_path)
        sessions.append(other)
        return again

    try:
        yield cli, reconnect, sessions
    finally:
        for opened in sessions:
            opened.close()


def test_read_set_and_version_on_one_login_without_a_pagination_command(tmp_path):
    replies = {'xConfiguration CollaborationEdge': SECTION, 'xConfiguration CollaborationEdge OAuthLocal: On': 'OK',
               'xStatus SystemUnit Software Version': '*s SystemUnit Software Version: "X14.2.1"\nOK'}
    with serve(replies) as server:
        cli, session = cli_for(server, tmp_path)
        try:
            assert cli.read('CollaborationEdge')['CollaborationEdge OAuthLocal'] == 'Off'
            cli.set('CollaborationEdge OAuthLocal', 'On')
            assert cli.version() == 'X14.2.1'
            settings, raw = cli.mra_settings()
            assert settings == {'oauth_token_with_refresh': False, 'oauth_token': False, 'user_credentials': True}
            assert session.logins == 1 and session.last_prompt == 'OK'
        finally:
            session.close()
        assert server.commands == ['xConfiguration CollaborationEdge', 'xConfiguration CollaborationEdge OAuthLocal: On',
                                   'xStatus SystemUnit Software Version', 'xConfiguration CollaborationEdge']


def test_error_reply_raises_with_the_reason_and_a_missing_leaf_reads_as_none(tmp_path):
    replies = {'xConfiguration CollaborationEdge Nope': NO_MATCH, 'xCommand Foo': 'Command not recognized.'}
    with serve(replies) as server:
        cli, session = cli_for(server, tmp_path)
        try:
            assert cli.read_leaf('CollaborationEdge Nope') is None
            with pytest.raises(XapiError) as info:
                cli.command('xCommand Foo')
            assert 'Command not recognized' in str(info.value) and '127.0.0.1' in str(info.value)
            with pytest.raises(XapiError) as info:
                cli.read('CollaborationEdge Nope')
            assert info.value.reason == 'No match on address expression.'
            assert 'xConfiguration <section>' in info.value.hint
        finally:
            session.close()


def test_ensure_sets_only_what_differs_and_check_mode_sets_nothing(tmp_path):
    replies = {'xConfiguration CollaborationEdge': SECTION,
               'xConfiguration CollaborationEdge OAuthLocal': '*c xConfiguration CollaborationEdge OAuthLocal: Off\nOK',
               'xConfiguration CollaborationEdge LegacyCred': '*c xConfiguration CollaborationEdge LegacyCred: On\nOK',
               'xConfiguration CollaborationEdge OAuthLocal: On': 'OK'}
    wanted = {'CollaborationEdge OAuthLocal': 'On', 'CollaborationEdge LegacyCred': 'on'}
    with serve(replies) as server:
        cli, session = cli_for(server, tmp_path)
        try:
            assert ensure(cli, wanted, True, None) == (
                {'CollaborationEdge OAuthLocal': 'Off', 'CollaborationEdge LegacyCred': 'On'},
                {'CollaborationEdge OAuthLocal': 'On', 'CollaborationEdge LegacyCred': 'On'},
                ['CollaborationEdge OAuthLocal'])
            assert not [c for c in server.commands if ':' in c]
            ensure(cli, wanted, False, None)
            assert [c for c in server.commands if ':' in c] == ['xConfiguration CollaborationEdge OAuthLocal: On']
        finally:
            session.close()


def test_a_set_whose_answer_is_lost_is_read_again_not_repeated(tmp_path):
    state = {'value': 'Off'}

    def carried_out_then_dropped(shell):
        state['value'] = 'On'
        return DROP

    def read(shell):
        shell.write('*c xConfiguration CollaborationEdge OAuthLocal: %s\r\nOK\r\n' % state['value'])

    replies = {'xConfiguration CollaborationEdge': SECTION, 'xConfiguration CollaborationEdge OAuthLocal': read,
               'xConfiguration CollaborationEdge OAuthLocal: On': carried_out_then_dropped}
    with serve(replies) as server, reconnecting(server, tmp_path) as (cli, reconnect, sessions):
        before, after, changed = ensure(cli, {'CollaborationEdge OAuthLocal': 'On'}, False, reconnect)
        assert (before, after, changed) == ({'CollaborationEdge OAuthLocal': 'Off'},
                                            {'CollaborationEdge OAuthLocal': 'On'}, ['CollaborationEdge OAuthLocal'])
        assert server.commands.count('xConfiguration CollaborationEdge OAuthLocal: On') == 1
        assert len(sessions) == 2


def test_lost_set_that_did_not_happen_fails_without_repeating(tmp_path):
    replies = {'xConfiguration CollaborationEdge': SECTION,
               'xConfiguration CollaborationEdge OAuthLocal': '*c xConfiguration CollaborationEdge OAuthLocal: Off\nOK',
               'xConfiguration CollaborationEdge OAuthLocal: On': DROP}
    with serve(replies) as server, reconnecting(server, tmp_path) as (cli, reconnect, _sessions):
        with pytest.raises(UCError) as info:
            ensure(cli, {'CollaborationEdge OAuthLocal': 'On'}, False, reconnect)
        assert not isinstance(info.value, OutcomeUnknown)
        assert 'not set, not repeated' in str(info.value)
        assert server.commands.count('xConfiguration CollaborationEdge OAuthLocal: On') == 1


# --- discovery: the whole section first, only leaves the Expressway shows are written --------------------------

# seed 003's Expressway spells OauthLocal so in one place; this one lacks the assumed OAuthWithRefresh and has a leaf
# the collection does not know
WITHOUT_REFRESH = ('*c xConfiguration CollaborationEdge Enabled: On\n*c xConfiguration CollaborationEdge OauthLocal: Off\n'
                   '*c xConfiguration CollaborationEdge LegacyCred: On\n'
                   '*c xConfiguration CollaborationEdge SomeNewLeaf: "x y"\nOK')
HIERARCHICAL = ('*c xConfiguration CollaborationEdge:\n    Enabled: On\n    OAuthLocal: Off\n    LegacyCred: On\n'
                '    Extra:\n      Depth: 2\nOK')


def test_section_parsing_names_every_leaf_as_the_expressway_spells_it():
    values = dict((p, v[0]) for p, v in parse_lines(WITHOUT_REFRESH).items())
    assert leaf_names(values, 'CollaborationEdge') == ['Enabled', 'OauthLocal', 'LegacyCred', 'SomeNewLeaf']
    assert leaf_names(values, 'collaborationedge') == ['Enabled', 'OauthLocal', 'LegacyCred', 'SomeNewLeaf']
    assert values['CollaborationEdge SomeNewLeaf'] == 'x y'
    nested = dict((p, v[0]) for p, v in parse_lines(HIERARCHICAL).items())
    assert leaf_names(nested, 'CollaborationEdge') == ['Enabled', 'OAuthLocal', 'LegacyCred', 'Extra Depth']
    assert leaf_names({'SystemUnit Name': 'x'}, 'CollaborationEdge') == []
    assert find_leaf(values, 'CollaborationEdge  OAuthLocal') == 'CollaborationEdge OauthLocal'
    assert find_leaf(values, 'CollaborationEdge OAuthWithRefresh') is None
    assert find_leaf(values, 'CollaborationEdge') is None, 'a section is not a leaf'
    assert section_of('collaborationedge   OAuthLocal') == 'collaborationedge'


def test_absent_message_lists_every_leaf_found():
    values = dict((p, v[0]) for p, v in parse_lines(WITHOUT_REFRESH).items())
    msg = absent_message('CollaborationEdge OAuthWithRefresh', 'CollaborationEdge', values, 'set the name')
    assert msg == ('the Expressway has no xConfiguration setting CollaborationEdge OAuthWithRefresh (its xConfiguration '
                   'CollaborationEdge section shows 4 leaves: Enabled, OauthLocal, LegacyCred, SomeNewLeaf); nothing '
                   'was written: set the name')
    assert 'shows no xConfiguration CollaborationEdge section at all' in absent_message(
        'CollaborationEdge OAuthLocal', 'CollaborationEdge', {})


def test_discovery_reads_the_section_once_and_fails_before_any_write(tmp_path):
    replies = {'xConfiguration CollaborationEdge': WITHOUT_REFRESH, 'xConfiguration Nothing': NO_MATCH,
               'xConfiguration CollaborationEdge OAuthLocal': '*c xConfiguration CollaborationEdge OauthLocal: Off\nOK',
               'xConfiguration CollaborationEdge OAuthLocal: On': 'OK',
               'xConfiguration CollaborationEdge OAuthWithRefresh: On': 'OK'}
    wanted = {'CollaborationEdge OAuthLocal': 'On', 'CollaborationEdge OAuthWithRefresh': 'On'}
    with serve(replies) as server:
        cli, session = cli_for(server, tmp_path)
        try:
            for check_mode in (True, False):
                with pytest.raises(UCError) as info:
                    ensure(cli, wanted, check_mode, None,
                           hints={'CollaborationEdge OAuthWithRefresh': 'the name is an assumption'})
                text = str(info.value)
                assert 'no xConfiguration setting CollaborationEdge OAuthWithRefresh' in text, text
                assert 'shows 4 leaves: Enabled, OauthLocal, LegacyCred, SomeNewLeaf' in text, text
                assert 'the name is an assumption' in text and '127.0.0.1' in text, text
            assert read_section(cli, 'Nothing') == {}
            # sections already read are not read again; a leaf it shows (any case) passes
            sections = {}
            assert discover(cli, ['CollaborationEdge oauthlocal', 'CollaborationEdge LegacyCred'], sections) is sections
            assert list(sections) == ['CollaborationEdge']
            ensure(cli, {'CollaborationEdge OAuthLocal': 'On'}, False, None, sections=sections)
        finally:
            session.close()
        assert not [c for c in server.commands if 'OAuthWithRefresh' in c], server.commands
        assert server.commands == ['xConfiguration CollaborationEdge'] * 2 + [
            'xConfiguration Nothing', 'xConfiguration CollaborationEdge',
            'xConfiguration CollaborationEdge OAuthLocal', 'xConfiguration CollaborationEdge OAuthLocal: On']


def test_a_set_that_fails_after_another_carries_the_one_made(tmp_path):
    replies = {'xConfiguration CollaborationEdge': SECTION,
               'xConfiguration CollaborationEdge OAuthLocal': '*c xConfiguration CollaborationEdge OAuthLocal: Off\nOK',
               'xConfiguration CollaborationEdge LegacyCred': '*c xConfiguration CollaborationEdge LegacyCred: Off\nOK',
               'xConfiguration CollaborationEdge OAuthLocal: On': 'OK',
               'xConfiguration CollaborationEdge LegacyCred: On': DROP}
    wanted = {'CollaborationEdge OAuthLocal': 'On', 'CollaborationEdge LegacyCred': 'On'}
    with serve(replies) as server, reconnecting(server, tmp_path) as (cli, reconnect, _sessions):
        with pytest.raises(UCError) as info:
            ensure(cli, wanted, False, reconnect)
        assert 'LegacyCred' in str(info.value) and 'not set, not repeated' in str(info.value)
        assert info.value.done == [('CollaborationEdge OAuthLocal', 'Off', 'On')]
