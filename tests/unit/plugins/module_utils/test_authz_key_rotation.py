# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The checks of the variables of the role collab.uc.authz_key_rotation (_authz_key_rotation)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.collab.uc.plugins.module_utils.domain import _authz_key_rotation as akr

DEFAULTS = {
    'authz_key_rotation_cucm_group': 'cucm_clusters', 'authz_key_rotation_cuc_group': 'cuc_systems',
    'authz_key_rotation_expressway_group': 'expressway_systems', 'authz_key_rotation_serves': [],
    'authz_key_rotation_keys': ['signing', 'encryption'],
    'authz_key_rotation_services': {'cucm': ['Cisco CallManager', 'Cisco Tomcat'],
                                    'im_presence': ['Cisco XCP Authentication Service']},
    'authz_key_rotation_batch_size': 1, 'authz_key_rotation_restart_timeout': 900,
    'authz_key_rotation_poll_interval': 2.0, 'authz_key_rotation_lock_timeout': 0,
    'authz_key_rotation_publisher_port': 8443, 'authz_key_rotation_cluster_addresses': [],
    'authz_key_rotation_id': None, 'authz_key_rotation_state_dir': '~/authz_key_rotation',
    'authz_key_rotation_report_dir': '~/authz_key_rotation',
}


def problems_of(**changes):
    values = dict(DEFAULTS, **changes)
    return akr.check_variables(values, host='cucm1')[0]


def test_the_defaults_pass():
    problems, normal = akr.check_variables(DEFAULTS, host='cucm1')
    assert problems == []
    assert normal['batch_size'] == 1 and normal['poll_interval'] == 2.0 and normal['keys'] == ['signing', 'encryption']


@pytest.mark.parametrize('name, value, words', [
    ('batch_size', 0, 'at least 1'),
    ('batch_size', -1, 'at least 1'),
    ('batch_size', 1.5, 'must be an integer'),
    ('batch_size', True, 'must be an integer, not the boolean true'),
    ('batch_size', [1], 'must be an integer, not a list'),
    ('restart_timeout', 0, 'between 1 and 86400'),
    ('restart_timeout', 86401, 'between 1 and 86400'),
    ('restart_timeout', '10m', 'must be an integer'),
    ('poll_interval', 0.5, 'at least 2.0 seconds'),
    ('poll_interval', 0, 'at least 2.0 seconds'),
    ('poll_interval', float('nan'), 'must be a number'),
    ('lock_timeout', -1, 'from 0 to 86400'),
    ('lock_timeout', 86401, 'from 0 to 86400'),
    ('keys', 5, 'must be a list'),
    ('keys', 'signing', 'must be a list'),
    ('keys', [], 'must not be empty'),
    ('keys', ['signing', 'authz'], "signing and/or encryption, not 'authz'"),
    ('keys', ['signing', 'signing'], 'names a key twice'),
    ('services', 5, 'must be a dictionary'),
    ('services', {'cucm': 5}, 'authz_key_rotation_services.cucm must be a list'),
    ('services', {'cucm': 'Cisco Tomcat'}, 'authz_key_rotation_services.cucm must be a list'),
    ('services', {'cucm': ['']}, 'non-empty strings'),
    ('services', {'unity': ['x']}, "has 'unity': the products are cucm and im_presence"),
    ('serves', 5, 'must be a list or names separated by commas'),
    ('cluster_addresses', 5, 'must be a list'),
    ('cluster_addresses', [5], 'non-empty strings'),
    ('publisher_port', 0, 'TCP port'),
    ('publisher_port', 70000, 'TCP port'),
    ('cucm_group', 5, 'name of an inventory group'),
    ('id', '../../escape', 'must be a safe name'),
    ('id', 'a/b', 'must be a safe name'),
    ('id', 'a..b', 'must be a safe name'),
    ('id', '.hidden', 'must be a safe name'),
    ('id', 'x' * 65, 'must be a safe name'),
    ('id', ['2027'], 'must be a safe name'),
    ('state_dir', 5, 'must be a directory path'),
    ('report_dir', '', 'must be a directory path'),
])
def test_each_bad_value_is_a_problem_naming_the_variable(name, value, words):
    problems = problems_of(**{'authz_key_rotation_' + name: value})
    assert len(problems) == 1, problems
    assert problems[0].startswith('authz_key_rotation_' + name) and words in problems[0], problems


@pytest.mark.parametrize('name, value', [
    ('batch_size', '2'), ('restart_timeout', '60'), ('poll_interval', '2.5'), ('poll_interval', 3),
    ('id', '2027-q1'), ('id', 2027), ('id', 'Q1_2027.rotation'), ('serves', 'cucm1, cucm2'),
    ('services', {'cucm': ['Cisco CallManager'], 'im_presence': None}), ('services', None),
    ('lock_timeout', 600),
])
def test_good_values_pass(name, value):
    assert problems_of(**{'authz_key_rotation_' + name: value}) == []


def test_unknown_variables_are_named_with_a_suggestion():
    names = list(DEFAULTS) + ['authz_key_rotation_batchsize', 'authz_key_rotation_frobnicate', 'other_var',
                              '__authz_key_rotation_internal']
    problems = akr.check_variables(DEFAULTS, names=names, host='cucm1')[0]
    assert len(problems) == 2, problems
    assert problems[0].startswith('authz_key_rotation_batchsize is not a variable of collab.uc.authz_key_rotation')
    assert 'did you mean authz_key_rotation_batch_size?' in problems[0]
    assert problems[1].startswith('authz_key_rotation_frobnicate is not a variable') and 'did you mean' not in problems[1]


def test_a_host_name_that_cannot_name_files():
    assert 'inventory host name' in akr.check_variables(DEFAULTS, host='../x')[0][0]


def test_the_known_variables_are_those_of_argument_specs():
    here = os.path.dirname(os.path.abspath(__file__))
    spec = os.path.join(here, '..', '..', '..', '..', 'roles', 'authz_key_rotation', 'meta', 'argument_specs.yml')
    if not os.path.exists(spec):
        pytest.skip('the role is not in this copy of the collection')
    with open(spec) as handle:
        names = set(line.strip().rstrip(':') for line in handle
                    if line.startswith('      authz_key_rotation_') and line.rstrip().endswith(':'))
    assert names == set(akr.ROLE_VARIABLES)


def test_paths_writable_or_creatable(tmp_path):
    normal = {'state_dir': str(tmp_path / 'new' / 'deeper'), 'report_dir': str(tmp_path)}
    assert akr.check_paths(normal, 'cucm1', 'cucm') == []
    (tmp_path / 'file').write_text('x')
    problems = akr.check_paths({'state_dir': str(tmp_path / 'file' / 'sub'), 'report_dir': str(tmp_path)},
                               'cucm1', 'cucm')
    assert len(problems) == 1 and 'is not a directory' in problems[0]
    (tmp_path / 'cucm1.state.json').mkdir()
    problems = akr.check_paths({'state_dir': str(tmp_path)}, 'cucm1', 'cucm')
    assert problems and 'is a directory' in problems[0]


@pytest.mark.skipif(os.geteuid() == 0, reason='root writes anywhere')
def test_a_read_only_directory(tmp_path):
    ro = tmp_path / 'ro'
    ro.mkdir()
    ro.chmod(0o500)
    try:
        problems = akr.check_paths({'report_dir': str(ro / 'reports')}, 'cucm1', 'cucm')
        assert problems and problems[0].startswith('authz_key_rotation_report_dir') and 'not writable' in problems[0]
    finally:
        ro.chmod(0o700)


NODES = [
    {'name': 'pub', 'product': 'cucm', 'services': [
        {'name': 'Cisco CallManager', 'deployable': True}, {'name': 'Cisco Tomcat', 'deployable': True},
        {'name': 'Cisco CallManagr', 'deployable': False}]},
    {'name': 'sub', 'product': 'cucm', 'services': [
        {'name': 'Cisco CallManager', 'deployable': True}, {'name': 'Cisco Tomcat', 'deployable': True},
        {'name': 'Cisco CallManagr', 'deployable': False}]},
    {'name': 'imp', 'product': 'im_presence', 'services': [{'name': 'Cisco XCP Authentication Service',
                                                            'deployable': True}]},
]


def test_batch_size_against_the_nodes():
    services = {'cucm': ['Cisco CallManager'], 'im_presence': ['Cisco XCP Authentication Service']}
    assert akr.check_nodes({'batch_size': 1, 'services': services}, NODES, 'cucm1') == []
    problems = akr.check_nodes({'batch_size': 2, 'services': services}, NODES, 'cucm1')
    assert len(problems) == 1 and problems[0].startswith('authz_key_rotation_batch_size 2 is more than the nodes allow')
    assert 'cucm1 has 2 CUCM nodes (pub, sub), so at most 1' in problems[0]
    # a product whose services are not restarted, or with one node, does not limit it
    assert akr.check_nodes({'batch_size': 5, 'services': {'im_presence': ['Cisco XCP Authentication Service']}},
                           NODES, 'cucm1') == []


def test_services_the_nodes_do_not_run():
    services = {'cucm': ['Cisco CallManagr'], 'im_presence': ['Cisco Tomcat']}
    problems = akr.check_nodes({'batch_size': 1, 'services': services}, NODES, 'cucm1')
    assert len(problems) == 3, problems
    assert problems[0].startswith("authz_key_rotation_services.cucm names 'Cisco CallManagr', which pub does not run")
    assert problems[2].startswith("authz_key_rotation_services.im_presence names 'Cisco Tomcat', which imp")
