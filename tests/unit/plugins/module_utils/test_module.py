# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The UCModule base: connection options with environment fallbacks, validation, UCError to fail_json."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.collab.uc.plugins.module_utils.connection._connection import connection
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import UCError
from ansible_collections.collab.uc.plugins.module_utils.transport._http import HttpSession
from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule, change, connection_argument_spec
from ansible_collections.collab.uc.tests.unit.plugins.modules.module_runner import Exit, catch_exit, patch_module_args

ENV = ('HOST', 'PORT', 'USERNAME', 'PASSWORD', 'VALIDATE_CERTS', 'CA_PATH')


class Probe(UCModule):
    connections = ('cucm',)
    argument_spec = dict(secret=dict(type='str', no_log=True))
    error = None

    def execute(self):
        session = self.http_session()
        if self.error is not None:
            raise self.error
        return dict(changed=False, session=dict(host=session.host, port=session.port, retries=session.retries,
                                                product=session.product, timeout=session.timeout,
                                                basic=session._authorization))


class CucProbe(Probe):
    connections = ('cuc',)


@pytest.fixture
def capture(monkeypatch):
    for product in ('CUCM', 'CUC'):
        for name in ENV:
            monkeypatch.delenv('%s_%s' % (product, name), raising=False)

    catch_exit(monkeypatch)

    def run(cls, args):
        with patch_module_args(args):
            try:
                cls().run()
            except Exit as exc:
                return exc.failed, exc.result
        raise AssertionError('neither exited nor failed')

    return run


def test_connection_argument_spec_per_product():
    cucm = connection_argument_spec('cucm')
    cuc = connection_argument_spec('cuc')
    assert cucm['port']['default'] == 8443 and cuc['port']['default'] == 443
    assert 'axl_version' in cucm and 'axl_version' not in cuc
    assert cucm['password']['no_log'] is True
    assert cucm['username']['aliases'] == ['user']
    assert cucm['host']['fallback'][1] == ['CUCM_HOST']
    assert cuc['password']['fallback'][1] == ['CUC_PASSWORD']


def test_connection_comes_from_the_environment(capture, monkeypatch):
    monkeypatch.setenv('CUCM_HOST', 'cucm-pub.example.com')
    monkeypatch.setenv('CUCM_PORT', '9443')
    monkeypatch.setenv('CUCM_USERNAME', 'envuser')
    monkeypatch.setenv('CUCM_PASSWORD', 'envpass')
    failed, result = capture(Probe, {})
    assert not failed, result
    assert result['session']['host'] == 'cucm-pub.example.com'
    assert result['session']['port'] == 9443
    assert result['session']['product'] == 'CUCM'
    assert result['session']['retries'] == 5 and result['session']['timeout'] == 30
    expected = HttpSession('h', 1, 'envuser', 'envpass')._authorization
    assert result['session']['basic'] == expected


def test_options_win_over_the_environment(capture, monkeypatch):
    monkeypatch.setenv('CUCM_HOST', 'from-env')
    failed, result = capture(Probe, dict(host='from-option', username='u', password='p'))
    assert result['session']['host'] == 'from-option'


def test_cuc_uses_its_own_variables_and_port(capture, monkeypatch):
    monkeypatch.setenv('CUC_HOST', 'cuc.example.com')
    monkeypatch.setenv('CUC_USERNAME', 'admin')
    monkeypatch.setenv('CUC_PASSWORD', 'pw')
    monkeypatch.setenv('CUCM_HOST', 'not-this-one')
    failed, result = capture(CucProbe, {})
    assert result['session']['host'] == 'cuc.example.com'
    assert result['session']['port'] == 443
    assert result['session']['product'] == 'Unity Connection'


def test_missing_connection_fails(capture):
    failed, result = capture(Probe, {})
    assert failed
    assert 'host' in result['msg'] and 'password' in result['msg']


@pytest.mark.parametrize('option, value, message', [
    ('port', 0, 'port must be between 1 and 65535, got 0'),
    ('port', 70000, 'port must be between 1 and 65535, got 70000'),
    ('timeout', 0, 'timeout must be at least 1 second, got 0'),
    ('retries', 21, 'retries must be between 0 and 20, got 21'),
    ('retries', -1, 'retries must be between 0 and 20, got -1'),
])
def test_connection_options_are_validated(capture, option, value, message):
    args = dict(host='h', username='u', password='p')
    args[option] = value
    failed, result = capture(Probe, args)
    assert failed
    assert result['msg'] == message


def test_ucerror_becomes_fail_json_with_error_dict(capture):
    Probe.error = UCError('access denied', host='h:8443', operation='getCCMVersion', status=403,
                          hint='Give the user the role', product='CUCM')
    try:
        failed, result = capture(Probe, dict(host='h', username='u', password='p'))
    finally:
        Probe.error = None
    assert failed
    assert result['msg'] == 'CUCM h:8443: getCCMVersion failed: access denied; HTTP 403. Give the user the role'
    assert result['error']['status'] == 403
    assert result['error']['operation'] == 'getCCMVersion'
    assert result['changes'] == [] and 'changed' not in result


def test_a_failure_after_changes_reports_them_and_is_changed(capture):
    Probe.error = UCError('the connection dropped', host='expc', operation='xConfiguration B: On')
    Probe.error.changes = [change('A', 'updated', 'Off', 'On')]
    try:
        failed, result = capture(Probe, dict(host='h', username='u', password='p'))
    finally:
        Probe.error = None
    assert failed and result['changed'] is True
    assert result['changes'] == [dict(name='A', action='updated', before='Off', after='On')]


class StepsProbe(Probe):
    """A write in steps whose second step fails: the domain layer hands what was done in ``error.done``."""
    done = None

    def execute(self):
        self.http_session()

        def changes(made):
            return [change(name, 'updated', old, new) for name, old, new in made]

        with self.reporting_done(changes):
            error = UCError('the connection dropped', host='expc', operation='xConfiguration B: On')
            if self.done is not None:
                error.done = self.done
            raise error


@pytest.mark.parametrize('done, expected', [
    ([('A', 'Off', 'On')], [dict(name='A', action='updated', before='Off', after='On')]),
    (None, []),
])
def test_a_write_in_steps_that_fails_reports_the_steps_done(capture, done, expected):
    StepsProbe.done = done
    try:
        failed, result = capture(StepsProbe, dict(host='h', username='u', password='p'))
    finally:
        StepsProbe.done = None
    assert failed and result['changes'] == expected
    assert result.get('changed', False) is bool(expected)
    assert 'xConfiguration B: On failed' in result['msg']


class FailingProbe(UCModule):
    """Opens a session, then ends with fail_json from inside execute(), as modules do on their own errors."""
    connections = ('cucm',)
    opened = []

    def execute(self):
        session = self.http_session()
        session._conn = session.closed_connection = ClosableConnection()
        FailingProbe.opened.append(session)
        self.module.fail_json(msg='the module gave up')


class ClosableConnection:
    closed = False

    def close(self):
        self.closed = True


def test_sessions_are_closed_when_execute_fails_on_its_own(capture):
    FailingProbe.opened = []
    failed, result = capture(FailingProbe, dict(host='h', username='u', password='p'))
    assert failed and result['msg'] == 'the module gave up'
    assert len(FailingProbe.opened) == 1
    session = FailingProbe.opened[0]
    assert session._conn is None
    assert session.closed_connection.closed


class TwoSystems(UCModule):
    """A module that talks to CUCM and to Unity Connection: the second group's options carry the prefix cuc_."""
    connections = ('cucm', connection('cuc', prefix='cuc_'))
    argument_spec = dict(server_password=dict(type='str', no_log=True))
    opened = []

    def execute(self):
        cucm = self.session('cucm')
        cuc = self.session('cuc')
        TwoSystems.opened = [cucm, cuc]
        for session in (cucm, cuc):
            session._conn = ClosableConnection()
        result = dict(changed=False, sessions=[dict(host=s.host, port=s.port, product=s.product, retries=s.retries,
                                                    basic=s._authorization) for s in (cucm, cuc)],
                      axl_version=self.connection_values('cucm')['axl_version'])
        return self.diff(result, {'server_password': 'x'}, {'server_password': '********'})


def test_two_connection_groups_in_one_module(capture, monkeypatch):
    monkeypatch.setenv('CUC_PASSWORD', 'cuc-env-pass')
    failed, result = capture(TwoSystems, dict(host='cucm-pub', username='axl', password='p1', axl_version='14.0',
                                              cuc_host='cuc-pub', cuc_user='cupi', cuc_retries=2))
    assert not failed, result
    cucm, cuc = result['sessions']
    assert (cucm['host'], cucm['port'], cucm['product'], cucm['retries']) == ('cucm-pub', 8443, 'CUCM', 5)
    assert (cuc['host'], cuc['port'], cuc['product'], cuc['retries']) == ('cuc-pub', 443, 'Unity Connection', 2)
    assert cucm['basic'] == HttpSession('h', 1, 'axl', 'p1')._authorization
    assert cuc['basic'] == HttpSession('h', 1, 'cupi', 'cuc-env-pass')._authorization
    assert result['axl_version'] == '14.0'
    assert 'diff' not in result          # not in diff mode
    # the base closed both sessions
    assert [session._conn for session in TwoSystems.opened] == [None, None]


def test_two_connection_groups_validate_each_prefixed_option(capture):
    failed, result = capture(TwoSystems, dict(host='h', username='u', password='p', cuc_host='c', cuc_username='u',
                                              cuc_password='p', cuc_port=0))
    assert failed and result['msg'] == 'cuc_port must be between 1 and 65535, got 0'


def test_two_groups_with_the_same_options_need_a_prefix():
    with pytest.raises(ValueError, match='give one of them a prefix'):
        connection_argument_spec('cucm', 'cuc')
    spec = connection_argument_spec('cucm', connection('cuc', prefix='cuc_'), connection('cucm', prefix='target_'))
    assert spec['cuc_host']['fallback'][1] == ['CUC_HOST']
    assert spec['target_host']['fallback'][1] == ['CUCM_TARGET_HOST']
    assert spec['cuc_username']['aliases'] == ['cuc_user']
    assert spec['cuc_password']['no_log'] is True and 'axl_version' in spec and 'target_axl_version' in spec


def test_diff_is_returned_in_diff_mode_only(capture):
    failed, result = capture(TwoSystems, dict(host='h', username='u', password='p', cuc_host='c', cuc_username='u',
                                              cuc_password='p', _ansible_diff=True))
    assert not failed and result['diff'] == {'before': {'server_password': 'x'},
                                             'after': {'server_password': '********'}}


class IntProbe(Probe):
    argument_spec = dict(minutes=dict(type='int'))


def test_boolean_for_an_integer_option_is_refused(capture):
    failed, result = capture(IntProbe, dict(host='h', username='u', password='p', minutes=True))
    assert failed and result['msg'] == 'minutes must be a whole number, got the boolean true'


@pytest.mark.parametrize('given, shown', [('1e3', '1e3'), ('30.0', '30.0'), ('1_000', '1_000'),
                                          (u'\u0663\u0660', u'\u0663\u0660'), (30.0, '30.0')])
def test_a_whole_number_must_be_written_in_decimal_digits(capture, given, shown):
    """Issue 17: Ansible's int type takes "1e3" as 1000 (minutes, for a token expiry); collab.uc refuses it."""
    failed, result = capture(IntProbe, dict(host='h', username='u', password='p', minutes=given))
    assert failed, result
    if result['msg'].startswith("argument 'minutes' is a"):
        # ansible-core 2.16 to 2.18 refuse some of these notations themselves (reworded in user words)
        assert result['msg'].endswith('which cannot be read as a whole number'), result['msg']
        return
    assert result['msg'] == ('minutes must be a whole number written in decimal digits, such as 30, got %s; write it '
                             'without a decimal point, exponent or separator' % shown)


@pytest.mark.parametrize('given, value', [('30', 30), (' 30 ', 30), ('+30', 30), ('-5', -5), (30, 30)])
def test_whole_numbers_in_decimal_digits_pass(capture, given, value):
    failed, result = capture(IntProbe, dict(host='h', username='u', password='p', minutes=given))
    assert not failed, result


def test_a_failure_message_of_a_megabyte_keeps_its_head_and_tail(capture):
    """Issue 17: a system's answer of any size made a message of that size; now at most 10,000 characters, with
    what failed (head), what to do (tail) and a marker saying how much was left out."""
    answer = 'A' * 400000 + 'the end of the answer'
    Probe.error = UCError('the server answered', host='cucm1', operation='getThing', status=500,
                          details=[('axlmessage', answer)], hint='Read the server log', product='CUCM')
    try:
        failed, result = capture(Probe, dict(host='h', username='u', password='p'))
    finally:
        Probe.error = None
    msg = result['msg']
    assert failed and len(msg) <= 10000
    assert msg.startswith('CUCM cucm1: getThing failed: the server answered; HTTP 500; axlmessage AAAA')
    assert msg.endswith('the end of the answer. Read the server log')
    assert ' characters left out ...] ' in msg
    assert len(result['error']['axlmessage']) <= 10000


def test_unknown_option_is_named_even_when_required_ones_are_missing(capture):
    failed, result = capture(Probe, dict(hots='cucm.example.com'))
    assert failed and 'Unsupported parameters' in result['msg'] and 'hots' in result['msg']
    assert 'missing required' not in result['msg']


@pytest.mark.parametrize('host, words', [
    ('https://cucm/', 'is a URL'), ('cucm:8443', 'holds a port'), ('cu cm', 'contains spaces'),
    ('cucm/axl', 'holds a path'), ('x' * 64, 'longer than 63'), ('-cucm', 'not a valid host name'),
    ('.'.join(['a' * 60] * 5), 'longer than 253'), ('admin@cucm', 'holds a user name')])
def test_bad_host_names_the_option_and_the_form(capture, host, words):
    failed, result = capture(Probe, dict(host=host, username='u', password='p'))
    assert failed and result['msg'].startswith('host ') and words in result['msg']
    assert 'for example cucm-pub.example.com or 10.1.1.10' in result['msg']


@pytest.mark.parametrize('host', ['cucm', 'cucm-pub.example.com', 'cucm.example.com.', '10.1.1.10', '::1',
                                  'fe80::1'])
def test_good_hosts_pass(capture, host):
    failed, result = capture(Probe, dict(host=host, username='u', password='p'))
    assert not failed and result['session']['host'] == host


def test_sessions_of_one_module_share_credentials():
    from ansible_collections.collab.uc.plugins.module_utils.connection._connection import GROUPS
    group = GROUPS['cucm']()
    values = dict(host='h', port=8443, username='u', password='p', validate_certs=True, ca_path=None, timeout=30,
                  retries=5, axl_version=None)
    first, second = group.open(values), group.open(values)
    other = group.open(dict(values, host='other'))
    assert first.credentials is second.credentials and other.credentials is not first.credentials


class TextProbe(Probe):
    argument_spec = dict(label=dict(type='str'), minutes=dict(type='int'), on=dict(type='bool'))


@pytest.mark.parametrize('args, msg', [
    (dict(label=['a']), 'label must be a string, got a list'),
    (dict(label={'x': 1}), 'label must be a string, got a dictionary (mapping)'),
    (dict(minutes=[1]), "argument 'minutes' is a list, which cannot be read as a whole number"),
    (dict(minutes={'x': 1}), "argument 'minutes' is a dictionary (mapping), which cannot be read as a whole number"),
    (dict(on=[1]), "argument 'on' is a list, which cannot be read as a boolean"),
])
def test_a_value_of_the_wrong_kind_is_named_in_user_words(capture, args, msg):
    """Issue 17: no Python class name ("of type list", "<class 'list'>") nor Python spelling ("{'x': 1}") in a
    message; a list given for text is refused rather than sent as "['a']"."""
    failed, result = capture(TextProbe, dict(host='h', username='u', password='p', **args))
    assert failed and result['msg'] == msg, result
