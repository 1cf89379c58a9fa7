# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One vocabulary across the modules (issue 19): ``changes`` documented the same way in every RETURN and returned in
that shape by the real module code (the modules other tests do not run here, each in a changing and an unchanged
run; every other module test checks it on its own results through the runners), ``host`` and ``version``, the old
keys marked deprecated, class names in one style, deprecated aliases and ``state`` values. The action plugins'
results: tests/unit/plugins/action/test_action_vocabulary.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from unittest import mock

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as ansible_warnings

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import MASK
from ansible_collections.collab.uc.plugins.module_utils.connection._module import ACTIONS, UCModule, change
from ansible_collections.collab.uc.plugins.modules import (
    authz_key_rotation_check, cuc_authz_server_info, cucm_authz_keys, cucm_node_info, cucm_service,
    expressway_oauth, expressway_xconfiguration)
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.axl_fake import FakeAxlSession, soap_reply
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.cupi_fake import FakeCupiSession
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.ssh_server import Platform, ScriptedSsh
from ansible_collections.collab.uc.tests.unit.plugins.modules.cucm_helpers import run_module
from ansible_collections.collab.uc.tests.unit.plugins.modules.module_runner import (
    Exit, catch_exit, patch_module_args)
from ansible_collections.collab.uc.tests.unit.plugins.modules.vocabulary import (
    COMMON, MODULES, check_result, documented, load)

# the modules run by an action plugin on the controller: their module file is documentation only
ACTION_PLUGINS = ('oauth_refresh_login_plan', 'run_lock')
# module -> its old keys (dotted: a key of changes' entries), each still returned and documented as deprecated
DEPRECATED = {
    'cucm_oauth': ['changed_parameters'],
    'cucm_oauth_info': ['cucm_version'],
    'cucm_authz_keys': ['regenerated'],
    'cucm_service': ['actions', 'node'],
    'cuc_authz_server': ['synced'],
    'expressway_oauth': ['changes.setting'],
    'expressway_xconfiguration': ['changes.path'],
}
PASSWORD = 's3cret!pw'


def description(entry):
    text = entry['description']
    return ' '.join(text) if isinstance(text, list) else text


def camel(name):
    return ''.join(word.capitalize() for word in name.split('_'))


# --- the documentation --------------------------------------------------------------------------------------
@pytest.mark.parametrize('name', MODULES)
def test_every_module_documents_changes_in_the_one_shape(name):
    doc = documented(load(name))['changes']
    assert doc['description'][0] == COMMON
    assert (doc['type'], doc['elements'], doc['returned']) == ('list', 'dict', 'always')
    contains = doc['contains']
    for key in ('name', 'action'):
        assert (contains[key]['type'], contains[key]['returned']) == ('str', 'always'), key
    assert set(contains['action'].get('choices') or ()) <= set(ACTIONS)
    for key in ('before', 'after'):
        if key in contains:
            assert contains[key]['type'] in ('raw', 'str'), (name, key)


@pytest.mark.parametrize('name', MODULES)
def test_modules_that_talk_to_a_system_document_it_as_host(name):
    module = load(name)
    classes = [c for c in vars(module).values() if isinstance(c, type) and issubclass(c, UCModule)
               and c is not UCModule]
    talks = any(c.connections for c in classes)
    doc = documented(module)
    assert ('host' in doc) == talks, name
    if talks:
        assert 'Every module of collab.uc that talks to a system names it under this key.' in description(doc['host'])
        assert doc['host']['returned'] == 'always'


@pytest.mark.parametrize('name, key', [(name, key) for name, keys in sorted(DEPRECATED.items()) for key in keys])
def test_old_keys_are_documented_as_deprecated_until_2_0_0(name, key):
    doc = documented(load(name))
    for part in key.split('.')[:-1]:
        doc = doc[part]['contains']
    text = description(doc[key.split('.')[-1]])
    assert re.search(r'Deprecated, use RV\([a-z_.\[\]]+\)[^.]*; removed in 2\.0\.0\.$', text), text


def test_version_is_the_key_of_software_versions_and_axl_version_says_it_is_another_thing():
    for name in ('cucm_oauth_info', 'expressway_oauth'):
        assert 'version' in documented(load(name)), name
    for name in MODULES:
        doc = documented(load(name))
        if 'axl_version' in doc:
            assert 'AXL schema version' in description(doc['axl_version'])
            assert 'Not the CUCM version' in description(doc['axl_version']), name
        assert 'cucm_version' not in doc or 'Deprecated' in description(doc['cucm_version'])


@pytest.mark.parametrize('name', [name for name in MODULES if name not in ACTION_PLUGINS])
def test_class_names_are_the_module_name_in_camel_case(name):
    module = load(name)
    classes = [c.__name__ for c in vars(module).values() if isinstance(c, type) and issubclass(c, UCModule)
               and c.__module__ == module.__name__]
    assert classes == [camel(name)], classes
    with mock.patch.object(module, camel(name)) as cls:
        module.main()
    cls.return_value.run.assert_called_once_with()


def test_no_option_keeps_an_alias_that_is_not_deprecated():
    for name in MODULES:
        module = load(name)
        for cls in [c for c in vars(module).values() if isinstance(c, type) and issubclass(c, UCModule)]:
            for option, spec in cls.argument_spec.items():
                deprecated = set(a['name'] for a in spec.get('deprecated_aliases') or ())
                assert set(spec.get('aliases') or ()) <= deprecated, (name, option)
                for alias in spec.get('deprecated_aliases') or ():
                    assert (alias['version'], alias['collection_name']) == ('2.0.0', 'collab.uc')


# --- the helper ---------------------------------------------------------------------------------------------
def test_change_builds_the_one_shape_and_masks_secrets():
    assert change('x', 'updated') == {'name': 'x', 'action': 'updated'}
    assert change('x', 'updated', 1, 2, option='y') == {'name': 'x', 'action': 'updated', 'before': 1, 'after': 2,
                                                        'option': 'y'}
    assert change('pw', 'updated', None, 'secret', secret=True) == {'name': 'pw', 'action': 'updated',
                                                                    'before': None, 'after': MASK}
    assert change('k', 'regenerated', after=None) == {'name': 'k', 'action': 'regenerated', 'after': None}
    with pytest.raises(ValueError):
        change('x', 'changed')


# --- the modules other tests do not run, run here -----------------------------------------------------------
class NodesFake(FakeAxlSession):
    """AXL with listProcessNode: a publisher and a subscriber."""

    def _listProcessNode(self, version, fields):
        nodes = ''.join('<processNode><name>%s</name><description>%s</description><nodeUsage>%s</nodeUsage>'
                        '<processNodeRole>CUCM Voice/Video</processNodeRole></processNode>' % node
                        for node in (('10.0.0.10', 'pub', 'Publisher'), ('10.0.0.11', 'sub1', 'Subscriber')))
        return soap_reply('listProcessNode', version, '<return>%s</return>' % nodes)


def test_cucm_node_info_changes_nothing(monkeypatch):
    outcome = run_module(cucm_node_info.main, {'axl_version': '14.0'}, monkeypatch, NodesFake())
    assert not outcome.failed, outcome.result
    assert outcome['changes'] == [] and outcome['host'] == 'cucm.example.com'
    assert outcome['rolling_order'] == ['10.0.0.11', '10.0.0.10']


def run_main(main, args, check_mode=False):
    with patch_module_args(dict(args, _ansible_check_mode=check_mode)):
        with pytest.raises(Exit) as done:
            main()
    return done.value


def test_cuc_authz_server_info_changes_nothing_and_display_name_is_deprecated(monkeypatch):
    session = FakeCupiSession()
    monkeypatch.setattr(UCModule, 'http_session', lambda self, **kwargs: session)
    monkeypatch.setattr(ansible_warnings, '_global_deprecations', type(ansible_warnings._global_deprecations)())
    catch_exit(monkeypatch)
    connection = dict(host='cuc.example.com', username='admin', password='pw')
    outcome = run_main(cuc_authz_server_info.main, dict(connection, name='cucm1'))
    assert not outcome.failed and outcome.result['changes'] == [] and outcome.result['host'] == 'cuc.example.com'
    assert not ansible_warnings.get_deprecation_messages()
    outcome = run_main(cuc_authz_server_info.main, dict(connection, display_name='cucm1'))
    assert not outcome.failed and outcome.result['authz_servers'] == []
    assert any("Alias 'display_name' is deprecated" in d['msg'] for d in ansible_warnings.get_deprecation_messages())


def test_authz_key_rotation_check_changes_nothing(monkeypatch):
    catch_exit(monkeypatch)
    outcome = run_main(authz_key_rotation_check.main, {'variables': {}, 'check_paths': False})
    assert not outcome.failed, outcome.result
    assert outcome.result['changes'] == [] and 'host' not in outcome.result
    outcome = run_main(authz_key_rotation_check.main, {'variables': {'authz_key_rotation_batch_size': 0},
                                                       'check_paths': False})
    assert outcome.failed and outcome.result['problems'] and outcome.result['changes'] == []


# Expressway: a scripted xAPI over SSH that keeps the values it is given
SECTION = 'xConfiguration CollaborationEdge'


class Expressway:
    def __init__(self):
        self.leaves = {'Enabled': 'On', 'OAuthLocal': 'Off', 'LegacyCred': 'On', 'OAuthWithRefresh': 'Off'}

    def replies(self):
        out = {SECTION: lambda shell: ''.join('*c %s %s: %s\n' % (SECTION, leaf, value)
                                              for leaf, value in self.leaves.items()) + 'OK',
               'xStatus SystemUnit Software Version': '*s SystemUnit Software Version: "X14.2.1"\nOK',
               'xStatus Login Session AccessLevel': '*s Login Session AccessLevel: "ReadWrite"\nOK'}
        for leaf in self.leaves:
            out['%s %s' % (SECTION, leaf)] = self.reader(leaf)
            for value in ('On', 'Off'):
                out['%s %s: %s' % (SECTION, leaf, value)] = self.setter(leaf, value)
        return out

    def reader(self, leaf):
        return lambda shell: '*c %s %s: %s\nOK' % (SECTION, leaf, self.leaves[leaf])

    def setter(self, leaf, value):
        def answer(shell):
            self.leaves[leaf] = value
            return 'OK'
        return answer


@pytest.fixture
def expressway(tmp_path, monkeypatch):
    """run(main, args, check_mode=False) -> result, against one Expressway whose values persist between runs."""
    for name in ('HOST', 'PORT', 'USERNAME', 'PASSWORD', 'KNOWN_HOSTS', 'HOST_KEY_CHECKING'):
        monkeypatch.delenv('EXPRESSWAY_' + name, raising=False)
    catch_exit(monkeypatch)
    system = Expressway()
    server = ScriptedSsh(replies=system.replies(), banner='Welcome\r\nCisco Expressway-C Release X14.2.1\r\nOK\r\n',
                         prompt='')
    known = tmp_path / 'known_hosts'
    known.write_text(server.known_hosts_line())

    def run(main, args, check_mode=False):
        full = dict(ssh_host='127.0.0.1', ssh_port=server.port, ssh_username='admin', ssh_password=PASSWORD,
                    ssh_known_hosts=str(known), **args)
        outcome = run_main(main, full, check_mode)
        assert not outcome.failed, outcome.result
        return outcome.result

    run.system = system
    yield run
    server.stop()


def test_expressway_xconfiguration_lists_what_it_sets_and_nothing_when_it_holds(expressway):
    args = {'path': 'CollaborationEdge OAuthLocal', 'value': 'On'}
    check = expressway(expressway_xconfiguration.main, args, check_mode=True)
    expected = [{'name': 'CollaborationEdge OAuthLocal', 'action': 'updated', 'before': 'Off', 'after': 'On',
                 'path': 'CollaborationEdge OAuthLocal'}]
    assert check['changes'] == expected and expressway.system.leaves['OAuthLocal'] == 'Off'
    done = expressway(expressway_xconfiguration.main, args)
    assert done['changes'] == expected and done['host'] == '127.0.0.1'
    assert expressway.system.leaves['OAuthLocal'] == 'On'
    assert expressway(expressway_xconfiguration.main, args)['changes'] == []
    assert expressway(expressway_xconfiguration.main, {'path': 'CollaborationEdge'})['changes'] == []


def test_expressway_oauth_lists_each_setting_and_nothing_when_it_agrees(expressway):
    assert expressway(expressway_oauth.main, {})['changes'] == []
    args = {'oauth_token_with_refresh': True, 'oauth_token': True}
    done = expressway(expressway_oauth.main, args)
    assert done['changes'] == [
        {'name': 'oauth_token_with_refresh', 'action': 'updated', 'before': 'Off', 'after': 'On',
         'path': 'CollaborationEdge OAuthWithRefresh', 'setting': 'oauth_token_with_refresh'},
        {'name': 'oauth_token', 'action': 'updated', 'before': 'Off', 'after': 'On',
         'path': 'CollaborationEdge OAuthLocal', 'setting': 'oauth_token'}]
    assert done['version'] == 'X14.2.1'
    assert expressway(expressway_oauth.main, args)['changes'] == []


# --- state and aliases --------------------------------------------------------------------------------------
@pytest.fixture
def platform_cli(tmp_path, monkeypatch):
    """run(main, args) -> (failed, result, deprecations) against a scripted CUCM platform CLI."""
    for name in ('HOST', 'PORT', 'USERNAME', 'PASSWORD', 'KNOWN_HOSTS', 'HOST_KEY_CHECKING'):
        monkeypatch.delenv('CUCM_SSH_' + name, raising=False)
    catch_exit(monkeypatch)
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, text: None)
    servers = []

    def run(main, args):
        monkeypatch.setattr(ansible_warnings, '_global_deprecations', type(ansible_warnings._global_deprecations)())
        server = ScriptedSsh(replies=Platform().replies())
        servers.append(server)
        known = tmp_path / 'known_hosts'
        known.write_text(server.known_hosts_line())
        outcome = run_main(main, dict(ssh_host='127.0.0.1', ssh_port=server.port, ssh_username='admin',
                                      ssh_password=PASSWORD, ssh_known_hosts=str(known), **args))
        return outcome.failed, outcome.result, [d['msg'] for d in ansible_warnings.get_deprecation_messages()]

    yield run
    for server in servers:
        server.stop()


def test_cucm_authz_keys_gathered_reads_and_present_is_a_deprecated_name_of_it(platform_cli):
    failed, gathered, deprecations = platform_cli(cucm_authz_keys.main, {'state': 'gathered'})
    assert not failed and gathered['changes'] == [] and deprecations == []
    failed, default, deprecations = platform_cli(cucm_authz_keys.main, {})
    assert not failed and default['checksums'] == gathered['checksums'] and deprecations == []
    failed, present, deprecations = platform_cli(cucm_authz_keys.main, {'state': 'present'})
    assert not failed and present['checksums'] == gathered['checksums'] and present['changes'] == []
    assert any('state=gathered' in d for d in deprecations), deprecations
    failed, result, dummy = platform_cli(cucm_authz_keys.main, {'state': 'gathered', 'force': True})
    assert failed and 'use them with state=regenerated' in result['msg']


def test_name_of_cucm_service_is_a_deprecated_alias(monkeypatch):
    monkeypatch.setattr(ansible_warnings, '_global_deprecations', type(ansible_warnings._global_deprecations)())
    outcome = run_module(cucm_service.main, {'name': ['Cisco CallManager'], 'state': 'restarted',
                                             'poll_interval': 1.0}, monkeypatch, FakeAxlSession())
    assert outcome.failed and 'poll_interval must be at least' in outcome['msg']  # the alias was taken
    assert any("Alias 'name' is deprecated" in d['msg'] for d in ansible_warnings.get_deprecation_messages()), \
        ansible_warnings.get_deprecation_messages()


def test_the_runners_check_every_result_against_its_module(monkeypatch):
    """A result without changes, or with an entry its module does not document, fails the module's tests."""
    with pytest.raises(AssertionError):
        check_result(cucm_node_info, {'changed': False})
    with pytest.raises(AssertionError):
        check_result(cucm_node_info, {'changed': True, 'changes': [change('x', 'updated')], 'host': 'h'})
    with pytest.raises(AssertionError):
        check_result(expressway_xconfiguration, {'changed': True, 'host': 'h', 'changes': [
            dict(change('P', 'updated', 'Off', 'On'), surprise=1)]})
    with pytest.raises(AssertionError):
        check_result(expressway_xconfiguration, {'changed': False, 'host': 'h', 'changes': [
            change('P', 'updated', 'Off', 'On', path='P')]})
    check_result(expressway_xconfiguration, {'changed': True, 'host': 'h', 'changes': [
        change('P', 'updated', 'Off', 'On', path='P')]})
