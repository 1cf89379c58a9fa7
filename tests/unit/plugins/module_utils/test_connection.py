# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connection groups: what each owns, and that every module documents the groups it declares."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib

import pytest
import yaml

from ansible_collections.collab.uc.plugins.module_utils._connection import GROUPS, connection
from ansible_collections.collab.uc.plugins.module_utils._http import HttpSession
from ansible_collections.collab.uc.plugins.module_utils._module import UCModule

MODULES = ('cucm_oauth', 'cucm_oauth_info', 'cucm_enterprise_parameter', 'cucm_refresh_tokens',
           'cuc_authz_server', 'cuc_authz_server_info')


def module_classes():
    for name in MODULES:
        module = importlib.import_module('ansible_collections.collab.uc.plugins.modules.' + name)
        classes = [value for value in vars(module).values()
                   if isinstance(value, type) and issubclass(value, UCModule) and value is not UCModule]
        yield name, module, classes[0]


@pytest.mark.parametrize('name, module, cls', list(module_classes()), ids=MODULES)
def test_every_module_documents_the_fragments_of_its_groups(name, module, cls):
    doc = yaml.safe_load(module.DOCUMENTATION)
    fragments = doc['extends_documentation_fragment']
    assert cls.connections, name
    for entry in cls.connections:
        group = GROUPS[entry]() if isinstance(entry, str) else entry
        assert group.doc_fragment in fragments
        assert doc['attributes']['action_group']['membership'] == ['collab.uc.%s' % group.name]
    assert 'collab.uc.https_connection' in fragments and 'collab.uc.attributes' in fragments
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
