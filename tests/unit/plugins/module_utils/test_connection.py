# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connection groups: what each owns, and that every module documents the groups it declares."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import os

import pytest
import yaml

from ansible_collections.collab.uc.plugins.module_utils.connection._connection import (
    GROUPS, HttpsConnection, SshCliConnection, connection, host_problem, resolve)
from ansible_collections.collab.uc.plugins.module_utils.transport._http import HttpSession
from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule
from ansible_collections.collab.uc.plugins.module_utils.transport._ssh import LoginFailed
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.ssh_server import ScriptedSsh

MODULES_DIR = os.path.join(os.path.dirname(importlib.import_module(
    'ansible_collections.collab.uc.plugins.modules.cucm_oauth').__file__))


def module_classes():
    """(name, module, UCModule class) of every module of the collection built on ``UCModule``."""
    for filename in sorted(os.listdir(MODULES_DIR)):
        if not filename.endswith('.py') or filename.startswith('_'):
            continue
        name = filename[:-3]
        module = importlib.import_module('ansible_collections.collab.uc.plugins.modules.' + name)
        classes = [value for value in vars(module).values()
                   if isinstance(value, type) and issubclass(value, UCModule) and value is not UCModule]
        if classes:
            yield name, module, classes[0]


MODULES = [name for name, _module, _cls in module_classes()]


@pytest.mark.parametrize('name, module, cls', list(module_classes()), ids=MODULES)
def test_every_module_documents_the_fragments_of_its_groups(name, module, cls):
    doc = yaml.safe_load(module.DOCUMENTATION)
    fragments = doc['extends_documentation_fragment']
    if not cls.connections:
        # a module that talks to no system (it checks values or writes a report) documents no connection group
        assert not [f for f in fragments if f.endswith('_connection')], name
        assert doc['attributes']['action_group'] == {'support': 'none'}, name
        return
    groups = [GROUPS[entry]() if isinstance(entry, str) else entry for entry in cls.connections]
    for group in groups:
        assert group.doc_fragment in fragments and group.shared_fragment in fragments
    # a module of two groups (cucm_service: HTTPS and, for Cisco Tomcat, the platform CLI) is in both action groups
    assert doc['attributes']['action_group']['membership'] == ['collab.uc.%s' % group.name for group in groups]
    uses_https = any(isinstance(group, HttpsConnection) for group in groups)
    assert ('collab.uc.https_connection' in fragments) is uses_https and 'collab.uc.attributes' in fragments
    # the shared fragment says support: full for action_group; no module overrides it
    assert 'support' not in doc['attributes']['action_group']


@pytest.mark.parametrize('name, env, port, label', [
    ('cucm', 'CUCM', 8443, 'CUCM'), ('cuc', 'CUC', 443, 'Unity Connection')])
def test_each_group_owns_its_spec_env_hints_and_factory(name, env, port, label):
    group = GROUPS[name]()
    spec = group.argument_spec()
    assert spec['port']['default'] == port
    assert spec['host']['fallback'][1] == ['%s_HOST' % env]
    assert set(group.hints) == {401, 403}
    values = dict((option, spec[option].get('default')) for option in spec)
    values.update(host='h', username='u', password='p')
    session = group.open(values)
    assert isinstance(session, HttpSession)
    assert (session.product, session.port, session.auth_hints) == (label, port, group.hints)


def test_inherit_fills_an_unset_option_from_another_group():
    class Tunnel(GROUPS['cuc']):
        name = 'tunnel'
        inherit = {'host': ('cucm', 'host')}

    cucm, tunnel = connection('cucm'), Tunnel(prefix='tunnel_')
    params = dict(host='cucm-pub', tunnel_host=None)
    assert tunnel.values(params, [cucm, tunnel])['host'] == 'cucm-pub'
    params['tunnel_host'] = 'elsewhere'
    assert tunnel.values(params, [cucm, tunnel])['host'] == 'elsewhere'


def test_every_module_built_on_ucmodule_is_checked():
    assert {'cucm_oauth', 'cucm_cli_command', 'expressway_oauth', 'cucm_node_info'} <= set(MODULES)


# --- the SSH groups: one class, a product each ----------------------------------------------------------------

SSH_GROUPS = [('cucm_cli', 'CUCM_SSH', 'CUCM platform CLI', 'collab.uc.cucm_cli_connection'),
              ('expressway', 'EXPRESSWAY', 'Expressway', 'collab.uc.expressway_connection')]
SSH_ENV = {'ssh_host': 'HOST', 'ssh_port': 'PORT', 'ssh_username': 'USERNAME', 'ssh_password': 'PASSWORD',
           'ssh_known_hosts': 'KNOWN_HOSTS', 'ssh_host_key_checking': 'HOST_KEY_CHECKING'}


@pytest.mark.parametrize('name, env, label, fragment', SSH_GROUPS)
def test_each_ssh_group_has_the_same_options_with_its_own_environment_variables(name, env, label, fragment):
    group = GROUPS[name]()
    assert isinstance(group, SshCliConnection) and (group.label, group.doc_fragment) == (label, fragment)
    assert group.shared_fragment == 'collab.uc.ssh_connection'
    spec = group.argument_spec()
    assert sorted(spec) == sorted(list(SSH_ENV) + ['ssh_login_timeout', 'ssh_command_timeout'])
    for option, suffix in SSH_ENV.items():
        assert spec[option]['fallback'][1] == ['%s_%s' % (env, suffix)], option
    assert 'fallback' not in spec['ssh_login_timeout'] and 'fallback' not in spec['ssh_command_timeout']
    defaults = ('ssh_port', 'ssh_login_timeout', 'ssh_command_timeout', 'ssh_host_key_checking', 'ssh_known_hosts')
    assert [spec[option].get('default') for option in defaults] == [22, 60, 120, 'strict', '~/.ssh/known_hosts']
    assert spec['ssh_password']['no_log'] is True
    assert spec['ssh_host_key_checking']['choices'] == ['strict', 'accept_new', 'off']
    prefixed = connection(name, prefix='target_').argument_spec()
    assert prefixed['target_ssh_host']['fallback'][1] == ['%s_TARGET_HOST' % env]


def test_a_product_changes_the_ssh_defaults_by_class_attributes():
    class Slow(GROUPS['expressway']):
        name = 'slow'
        port = 2222
        login_timeout = 300
        command_timeout = 600

    spec = Slow().argument_spec()
    assert [spec['ssh_port']['default'], spec['ssh_login_timeout']['default'],
            spec['ssh_command_timeout']['default']] == [2222, 300, 600]
    assert GROUPS['expressway']().argument_spec()['ssh_port']['default'] == 22


def test_ssh_host_defaults_to_the_cucm_host_for_the_platform_cli_only():
    cucm, cli, expressway = connection('cucm'), connection('cucm_cli'), connection('expressway')
    params = dict(host='cucm-pub.example.com', ssh_host=None)
    assert cli.values(params, [cucm, cli])['ssh_host'] == 'cucm-pub.example.com'
    assert cli.values(dict(params, ssh_host='cucm-sub1'), [cucm, cli])['ssh_host'] == 'cucm-sub1'
    assert cli.values(params, [cli])['ssh_host'] is None  # no CUCM group in the module: nothing to inherit
    values = expressway.values(params, [cucm, expressway])
    assert values['ssh_host'] is None
    assert expressway.problems(dict(values, ssh_port=22, ssh_login_timeout=60, ssh_command_timeout=120)) == [
        'ssh_host is required (or the EXPRESSWAY_HOST environment variable)']


@pytest.mark.parametrize('name, port, login, command, problem', [
    ('cucm_cli', 0, 60, 120, 'ssh_port must be between 1 and 65535, got 0'),
    ('expressway', 22, 3601, 120, 'ssh_login_timeout must be between 1 and 3600, got 3601'),
    ('expressway', 22, 60, 0, 'ssh_command_timeout must be between 1 and 86400, got 0')])
def test_ssh_ranges_are_the_same_for_every_product(name, port, login, command, problem):
    group = GROUPS[name]()
    assert group.problems(dict(ssh_host='h', ssh_port=port, ssh_login_timeout=login,
                               ssh_command_timeout=command)) == [problem]


@pytest.mark.parametrize('name, words, not_words, slow_words', [
    ('cucm_cli', 'the platform administrator, not the AXL user', 'Expressway', 'The platform CLI starts slowly'),
    ('expressway', 'an Expressway administrator account', 'AXL', 'check that the Expressway is healthy')])
def test_a_refused_login_gives_the_hint_of_its_product(tmp_path, name, words, not_words, slow_words):
    group = GROUPS[name]()
    known_hosts = str(tmp_path / 'known_hosts')
    with ScriptedSsh() as server:
        with open(known_hosts, 'w') as handle:
            handle.write(server.known_hosts_line())
        values = dict((option, spec.get('default')) for option, spec in group.argument_spec().items())
        values.update(ssh_host='127.0.0.1', ssh_port=server.port, ssh_username='admin', ssh_password='wrong',
                      ssh_known_hosts=known_hosts, ssh_login_timeout=10)
        session = group.open(values)
        assert session.product == group.label and slow_words in session.hints['login_timeout']
        with pytest.raises(LoginFailed) as caught:
            session.run('show myself')
        assert server.auth_attempts == [('keyboard-interactive', 'admin')]
    assert words in caught.value.hint and not_words not in caught.value.hint
    assert 'ssh_password' in caught.value.hint and 'not retried' in caught.value.hint.lower()


@pytest.mark.parametrize('name', ['cucm_cli', 'expressway'])
@pytest.mark.parametrize('host, words', [
    ('a' * 70 + '.example.com', 'longer than 63 characters'), ('https://cucm.example.com/', 'is a URL'),
    ('cucm pub.example.com', 'contains spaces'), ('cucm.example.com:22', 'holds a port'),
    ('admin@cucm.example.com', 'holds a user name'), ('cucm_pub', 'not a valid host name'),
])
def test_ssh_host_is_validated_as_host_is(name, host, words):
    group = connection(name)
    values = dict(ssh_host=host, ssh_port=22, ssh_login_timeout=60, ssh_command_timeout=120)
    problems = group.problems(values)
    assert problems == [host_problem('ssh_host', host)] and words in problems[0]
    assert group.problems(dict(values, ssh_host='cucm-pub.example.com')) == []
    assert group.problems(dict(values, ssh_host='10.1.1.10')) == []


def test_resolve_is_the_option_adapter_outside_modules():
    """An action plugin gets a group's values as a module would: task arguments (module_defaults applied) first,
    then the environment fallbacks, then the defaults, typed and checked by the same spec and ranges."""
    group, values, problems = resolve('cucm', {'host': 'cucm-pub.example.com', 'user': 'axl', 'port': '9443',
                                               'name': 'not a connection option'},
                                      {'CUCM_PASSWORD': 'secret', 'CUCM_USERNAME': 'ignored', 'CUCM_PORT': '1'})
    assert group.name == 'cucm' and problems == []
    assert values['host'] == 'cucm-pub.example.com' and values['username'] == 'axl' and values['port'] == 9443
    assert values['password'] == 'secret' and values['validate_certs'] is True and values['timeout'] == 30
    _group, _values, problems = resolve('cucm', {'host': 'https://cucm/'}, {})
    assert problems and 'password' in ' '.join(problems) and 'username' in ' '.join(problems), problems
    _group, _values, problems = resolve('cucm', {'host': 'https://cucm/', 'username': 'u', 'password': 'p'}, {})
    assert problems == [host_problem('host', 'https://cucm/')], problems
    _group, values, problems = resolve('expressway', {'ssh_host': 'expc', 'ssh_username': 'admin'},
                                       {'EXPRESSWAY_PASSWORD': 'pw', 'EXPRESSWAY_HOST_KEY_CHECKING': 'accept_new'})
    assert problems == [] and values['ssh_password'] == 'pw' and values['ssh_host_key_checking'] == 'accept_new'
