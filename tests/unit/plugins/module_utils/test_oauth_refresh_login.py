# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The planner of collab.uc.oauth_refresh_login (_oauth_refresh_login.py) and the estate rules (_estate.py): each
decision from what was read to problems and a plan."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.collab.uc.plugins.module_utils.domain import _estate as rules
from ansible_collections.collab.uc.plugins.module_utils.domain import _oauth_refresh_login as planner

DEFAULTS = {'enabled': True, 'access_token_expiry': 60, 'refresh_token_expiry': 60,
            'device_refresh_token_expiry': None, 'authz_name': None, 'publisher': None, 'publisher_port': 8443,
            'authz_username': 'axladmin', 'authz_password_set': True, 'authz_ignore_certificate_errors': False,
            'min_cucm_version': '11.5.1.13900', 'min_cuc_version': '11.5.1.13900',
            'min_expressway_version': 'X8.10.1', 'imp_versions': [], 'cuc_version': None, 'sso_expected': None,
            'expressway_mode': 'set', 'expressway_oauth_token': True, 'expressway_user_credentials': None,
            'expressway_refresh_setting': 'OAuthWithRefresh', 'expressways': [], 'serves': []}
GROUPS = {'cucm': ['cucm1', 'cucm2'], 'cuc': ['cuc1'], 'expressway': ['expc1'],
          'names': {'cucm': 'cucm_clusters', 'cuc': 'cuc_systems', 'expressway': 'expressway_systems'}}


def variables(host, **kw):
    out = dict(DEFAULTS, authz_name=host, publisher=host + '.example.com')
    out.update(kw)
    return out


def cucm_read(refresh=True, access=60, refresh_days=60, version='14.0.1.13900(155)', token_reuse=True):
    return {'version': version, 'axl_version': '14.0',
            'oauth': {'refresh_login': refresh, 'access_token_expiry': access, 'refresh_token_expiry': refresh_days,
                      'device_refresh_token_expiry': 3650},
            'sso': {'enabled': False, 'token_reuse': token_reuse}}


def server(name, address, port=8443, outcome='passed'):
    return {'name': name, 'server_address': address, 'server_port': port, 'server_username': 'axladmin',
            'ignore_certificate_errors': False, 'last_sync_outcome': outcome, 'last_sync_status': outcome}


def expressway_read(refresh=True, oauth=True, legacy=True, access='read-write', version='X14.2.1'):
    return {'settings': {'oauth_token_with_refresh': refresh, 'oauth_token': oauth, 'user_credentials': legacy},
            'leaves': ['Enabled', 'OAuthLocal', 'LegacyCred', 'OAuthWithRefresh'], 'version': version,
            'access': access}


def estate(cluster=None, cuc=None, expc=None, cluster_vars=None, cuc_vars=None, expc_vars=None):
    hosts = {'cucm1': {'kind': 'cucm', 'vars': variables('cucm1', **(cluster_vars or {})),
                       'read': cluster or cucm_read()}}
    if cuc is not False:
        hosts['cuc1'] = {'kind': 'cuc', 'vars': variables('cuc1', **dict({'serves': ['cucm1']}, **(cuc_vars or {}))),
                         'read': cuc or {'authz_servers': [server('cucm1', 'cucm1.example.com')]}}
    if expc is not False:
        hosts['expc1'] = {'kind': 'expressway', 'vars': variables('expc1', **dict({'serves': 'cucm1'}, **(expc_vars or {}))),
                          'read': expc or expressway_read()}
    return hosts


def run(hosts, play_hosts=None, **kw):
    return planner.plan(hosts, play_hosts or list(hosts), GROUPS, **kw)


def problems(outcome):
    return planner.problem_lines(outcome['problems'])


def test_no_change_when_every_system_is_as_desired():
    outcome = run(estate())
    assert outcome['problems'] == []
    assert all(not state['changes'] for state in outcome['states'].values())
    assert planner.plan_lines(outcome['states'], ['cucm1', 'cuc1', 'expc1'], True) == [
        'Plan (check mode: nothing is written):', 'cucm1: no change', 'cuc1: no change', 'expc1: no change']


def test_cluster_changes_and_the_connection_syncs_again():
    outcome = run(estate(cluster=cucm_read(refresh=False, access=30)))
    states = outcome['states']
    assert states['cucm1']['changes'] == [{'setting': 'refresh_login', 'from': False, 'to': True},
                                          {'setting': 'access_token_expiry', 'from': 30, 'to': 60}]
    # Connection syncs the keys again after its cluster changed, though its AuthZ server is as desired
    assert states['cuc1']['changes'] == [{'setting': 'AuthZ server cucm1: key sync', 'from': 'passed',
                                          'to': 'synced again (cucm1 changes)'}]
    assert states['cuc1']['authz'][0]['sync_always'] is True


def test_timer_out_of_range_names_the_role_variable_and_plans_nothing():
    outcome = run(estate(cluster=cucm_read(access=30), cluster_vars={'refresh_token_expiry': '400'}))
    assert problems(outcome) == ['cucm1 (CUCM cluster): oauth_refresh_login_refresh_token_expiry is 400, outside '
                                 '1-365 days']
    assert outcome['states']['cucm1']['changes'] == []


@pytest.mark.parametrize('value, expected', [
    ('70000', 'oauth_refresh_login_publisher_port is 70000; give a TCP port between 1 and 65535'),
    ('https', "oauth_refresh_login_publisher_port: 'https' is not a whole number"),
])
def test_publisher_port_problems_name_the_role_variable(value, expected):
    lines = problems(run(estate(cluster_vars={'publisher_port': value})))
    assert len(lines) == 1 and lines[0].startswith('cucm1 (CUCM cluster): ' + expected), lines


@pytest.mark.parametrize('version, expected', [
    ('11.5.1.12900(1)', 'version 11.5.1.12900(1) is below 11.5.1.13900 (11.5(1)SU3)'),
    ('unknown', 'version unknown is not understood; the minimum is 11.5.1.13900'),
])
def test_cluster_version_below_the_minimum_or_not_understood(version, expected):
    lines = problems(run(estate(cluster=cucm_read(version=version))))
    assert [line for line in lines if expected in line], lines


def test_unreadable_cluster_and_its_connection_and_expressway_still_plan_without_it():
    outcome = run(estate(cluster={'msg': 'CUCM x:8443: getCCMVersion failed: authentication failed'}))
    assert problems(outcome) == ['cucm1 (CUCM cluster): cannot read it: CUCM x:8443: getCCMVersion failed: '
                                 'authentication failed']


def test_imp_versions_and_sso_expected():
    lines = problems(run(estate(cluster_vars={'imp_versions': ['11.5.1.10000', '14.0.1.13900'],
                                              'sso_expected': 'true'})))
    assert lines == ['cucm1 (CUCM cluster): single sign-on is disabled, oauth_refresh_login_sso_expected says True',
                     'cucm1 (CUCM cluster): IM and Presence version 11.5.1.10000 (oauth_refresh_login_imp_versions) '
                     'is below 11.5.1.13900 (11.5(1)SU3): upgrade IM and Presence first']


def test_stored_value_not_understood_is_a_problem():
    read = cucm_read()
    read['oauth']['refresh_token_expiry'] = None
    assert 'the stored value of refresh_token_expiry is not understood' in problems(run(estate(cluster=read)))[0]


def test_connection_creates_a_missing_authz_server_with_its_sync():
    outcome = run(estate(cuc={'authz_servers': []}))
    rows = outcome['states']['cuc1']['changes']
    assert [r['setting'] for r in rows] == ['AuthZ server cucm1: server_address', 'AuthZ server cucm1: server_port',
                                            'AuthZ server cucm1: server_username',
                                            'AuthZ server cucm1: ignore_certificate_errors',
                                            'AuthZ server cucm1: key sync']
    assert rows[-1] == {'setting': 'AuthZ server cucm1: key sync', 'from': 'absent', 'to': 'passed'}
    assert outcome['states']['cuc1']['authz'][0]['exists'] is False


def test_connection_compares_as_text_and_resyncs_a_failed_sync():
    read = {'authz_servers': [server('cucm1', 'cucm1.example.com', port='8443', outcome='bad_credentials')]}
    [item] = run(estate(cuc=read))['states']['cuc1']['authz']
    assert item['changes'] == [{'setting': 'AuthZ server cucm1: key sync', 'from': 'bad_credentials',
                                'to': 'passed'}]
    assert item['last_sync_outcome'] == 'bad_credentials'


@pytest.mark.parametrize('kw, expected', [
    ({'cuc_vars': {'serves': 'cucm1,nowhere'}},
     'cuc1 (Unity Connection): serves nowhere, which is not a host of the group cucm_clusters'),
    ({'cluster_vars': {'authz_password_set': False}},
     'cuc1 (Unity Connection): serves cucm1, which lacks oauth_refresh_login_authz_username or '
     'oauth_refresh_login_authz_password'),
    ({'cuc': {'authz_servers': [server('cucm1', 'a'), server('cucm1', 'b')]}},
     'cuc1 (Unity Connection): has several AuthZ servers named cucm1'),
    ({'cuc': {'msg': 'not found', 'error': {'status': 404}}},
     'cuc1 (Unity Connection): cannot read its AuthZ servers: not found (Unity Connection has AuthZ servers from '
     '11.5(1)SU3 on: upgrade it first)'),
    ({'cuc_vars': {'cuc_version': '11.0.1'}}, 'cuc1 (Unity Connection): version 11.0.1 is below 11.5.1.13900'),
])
def test_connection_problems(kw, expected):
    lines = problems(run(estate(**kw)))
    assert [line for line in lines if line.startswith(expected)], lines


def test_cluster_not_in_this_run():
    hosts = estate()
    del hosts['cucm1']
    lines = problems(run(hosts, play_hosts=['cuc1', 'expc1']))
    assert 'cuc1 (Unity Connection): serves cucm1, which is not in this run (run both, or neither, e.g. --limit ' \
           'cucm1,cuc1)' in lines


def test_expressway_follows_the_clusters_and_changes_what_differs():
    outcome = run(estate(cluster=cucm_read(refresh=False), expc=expressway_read(refresh=False, oauth=False)))
    state = outcome['states']['expc1']
    assert state['desired'] == {'oauth_token_with_refresh': True, 'oauth_token': True, 'user_credentials': None}
    assert state['changes'] == [
        {'setting': 'oauth_token_with_refresh (CollaborationEdge OAuthWithRefresh)', 'from': 'Off', 'to': 'On'},
        {'setting': 'oauth_token (CollaborationEdge OAuthLocal)', 'from': 'Off', 'to': 'On'}]


def test_read_only_expressway_account_is_a_problem_only_when_something_is_to_be_set():
    assert problems(run(estate(expc=expressway_read(access='read-only')))) == []
    lines = problems(run(estate(expc=expressway_read(oauth=False, access='read-only'))))
    assert len(lines) == 1 and lines[0].startswith(
        'expc1 (Expressway-C): the account may only read (its access level is read-only), and the plan sets '
        'oauth_token (CollaborationEdge OAuthLocal)'), lines
    assert 'oauth_refresh_login_expressway_mode' in lines[0]


def test_read_only_axl_account_is_a_problem_only_when_the_cluster_changes():
    read_only = dict(cucm_read(), access='read-only', roles=['Standard AXL Read Only API Access'])
    assert problems(run(estate(cluster=read_only))) == []
    changing = dict(cucm_read(refresh=False), access='read-only', roles=['Standard AXL Read Only API Access'])
    outcome = run(estate(cluster=changing))
    lines = problems(outcome)
    assert lines == ['cucm1 (CUCM cluster): the AXL account may only read (its roles: Standard AXL Read Only API '
                     'Access), and the plan sets refresh_login: give the account of group/collab.uc.cucm (or '
                     'CUCM_USERNAME) the role "Standard AXL API Access"'], lines
    assert outcome['states']['cucm1']['changes'] == []
    # read-write, or not known (the writes will tell): no problem
    for access in ('read-write', None):
        assert problems(run(estate(cluster=dict(cucm_read(refresh=False), access=access)))) == []


def test_expressway_problems():
    hosts = estate(expc=dict(expressway_read(version='X8.9.2'), leaves=['Enabled', 'OAuthLocal']))
    hosts['expc1']['read']['settings']['oauth_token_with_refresh'] = None
    hosts['cucm2'] = {'kind': 'cucm', 'vars': variables('cucm2', enabled='false'), 'read': cucm_read(refresh=False)}
    hosts['expc1']['vars']['serves'] = ['cucm1', 'cucm2']
    lines = problems(run(hosts))
    assert lines[0].startswith('expc1 (Expressway-C): serves clusters that disagree on refresh login (cucm1 on, '
                               'cucm2 off)'), lines
    assert lines[1] == ('expc1 (Expressway-C): version X8.9.2 is below X8.10.1, the minimum for refresh logins: '
                        'upgrade the Expressway first')
    assert lines[2].startswith('expc1 (Expressway-C): has no setting xConfiguration CollaborationEdge OAuthWithRefresh;'
                               ' its xConfiguration CollaborationEdge section shows 2 leaves: Enabled, OAuthLocal')


def test_expressway_unreachable_and_serving_nothing():
    lines = problems(run(estate(expc={'msg': 'cannot connect'}, expc_vars={'serves': []})))
    assert lines == ['expc1 (Expressway-C): serves no cluster: list the CUCM clusters it serves for Mobile and '
                     'Remote Access in oauth_refresh_login_serves',
                     'expc1 (Expressway-C): cannot read it: cannot connect (set oauth_refresh_login_expressway_mode to '
                     'checklist for an Expressway-C the controller cannot reach over SSH)']


def test_expressway_in_checklist_mode_is_not_read_and_listed_in_the_checklist():
    outcome = run(estate(expc={}, expc_vars={'expressway_mode': 'checklist'}))
    assert outcome['problems'] == [] and outcome['states']['expc1']['changes'] == []
    order = ['cucm1', 'cuc1', 'expc1']
    lines = planner.checklist_lines(outcome['states'], order, dict((h, variables(h)) for h in order), False)
    assert ('[ ] Expressway (expc1): Configuration > Unified Communications > Configuration > MRA Access Control: '
            '"Authorize by OAuth token with refresh" = On, to agree with CUCM, "Authorize by OAuth token" = On') in lines
    assert not [line for line in lines if 'Reset the Jabber' in line]


def test_host_in_no_group_and_drift_outside_check_mode():
    hosts = estate()
    hosts['stray'] = {'kind': None, 'vars': {}, 'read': None}
    lines = problems(run(hosts, fail_on_change=True, check_mode=False))
    assert lines == ['stray: its preflight did not run (it failed earlier, see above), or it is in none of the groups '
                     'cucm_clusters, cuc_systems, expressway_systems',
                     'oauth_refresh_login_fail_on_change detects drift: run it with --check']
    assert not run(estate(), fail_on_change=True, check_mode=True)['problems']


def test_preflight_message_lists_every_problem():
    outcome = run(estate(cluster_vars={'refresh_token_expiry': 400}, expc={'msg': 'down'}))
    message = planner.preflight_message(outcome['problems'])
    assert message.startswith('Preflight found 2 problem(s); nothing was written on any system.')
    assert message.count('\n- ') == 2


def test_drift_lines_and_summary():
    outcome = run(estate(cluster=cucm_read(access=45)))
    order = ['cucm1', 'cuc1', 'expc1']
    assert planner.drift_lines(outcome['states'], order) == [
        'cucm1: access_token_expiry is 45, the desired state says 60',
        'cuc1: AuthZ server cucm1: key sync is passed, the desired state says synced again (cucm1 changes)']
    assert planner.summary_lines(outcome['states'], order, True) == [
        'Summary: 2 of 3 systems would change: cucm1, cuc1.', 'Skipped, already as desired: expc1.']
    assert planner.summary_lines(outcome['states'], order, False, applied_hosts=['cuc1', 'expc1'])[1] == (
        'Not completed (failed during the apply, see above): cucm1.')


def test_verify_after_the_writes():
    outcome = run(estate(cluster=cucm_read(token_reuse=False), cuc={'authz_servers': []},
                         expc=expressway_read(oauth=False)))
    order = ['cucm1', 'cuc1', 'expc1']
    results = {'cucm1': {'cucm_info': {'sso': {'token_reuse': True}}},
               'cuc1': {'cuc_results': {'results': [{'authz_server': server('cucm1', 'x', outcome='bad_credentials')}]}},
               'expc1': {'expressway_readback': {'settings': {'oauth_token_with_refresh': True, 'oauth_token': False}}}}
    lines = planner.verify_problems(outcome['states'], order, results)
    assert lines[0].startswith('cuc1 (Unity Connection): the last key sync did not pass for cucm1: bad_credentials')
    assert lines[1].startswith('expc1 (Expressway-C): read back after the change, CollaborationEdge OAuthLocal is '
                               'Off, not On')
    results['cucm1'] = {}
    assert planner.verify_problems(outcome['states'], order, results)[0].startswith(
        'cucm1 (CUCM cluster): refresh login is on but the SSO status')


@pytest.mark.parametrize('version, minimum, expected', [
    ('14.0.1.13900(155)', '11.5.1.13900', False), ('11.5.1.12900-1', '11.5.1.13900', True),
    ('X8.9.2', 'X8.10.1', True), ('X14.2', 'X8.10.1', False), ('11.5', '11.5.0.0', False), ('n/a', '1', None)])
def test_versions(version, minimum, expected):
    assert rules.below(version, minimum) is expected


def test_one_table_of_minimum_versions_and_typed_variables():
    assert rules.MIN_VERSIONS == {'cucm': '11.5.1.13900', 'cuc': '11.5.1.13900', 'imp': '11.5.1.13900',
                                  'expressway': 'X8.10.1'}
    assert rules.serves_list(' a, b ,,c') == ['a', 'b', 'c'] and rules.serves_list(None) == []
    assert rules.as_bool('True') is True and rules.as_bool('') is None and rules.as_int(' 8443') == 8443
    with pytest.raises(ValueError):
        rules.as_bool('maybe')
    with pytest.raises(ValueError):
        rules.as_int(True)


# -- job slicing: the slices' outputs and the combine step --------------------------------------------------------
def sliced(check_mode=False):
    """Two slices of the estate cucm1, cucm2, cuc1, expc1: one holds cucm1 and cuc1, the other cucm2 and expc1;
    each planned (and completed) its cluster."""
    one = run({'cucm1': estate(cuc=False, expc=False)['cucm1']}, check_mode=check_mode)['states']
    two = run({'cucm2': {'kind': 'cucm', 'vars': variables('cucm2'), 'read': cucm_read(access=45)}})['states']
    rows = [{'setting': 'access_token_expiry', 'from': 45, 'to': 60, 'task': 'Set'}]
    return {planner.slice_variable(11): planner.slice_output(11, ['cucm1', 'cuc1'], one, ['cucm1'], check_mode,
                                                             {'cucm1': {'status': 'ok', 'rows': []}}),
            planner.slice_variable('j-12'): planner.slice_output('j-12', ['cucm2', 'expc1'], two, ['cucm2'],
                                                                 check_mode, {'cucm2': {'status': 'ok', 'rows': rows}})}


INVENTORY = ['cucm1', 'cucm2', 'cuc1', 'expc1']


def test_a_slice_output_is_named_after_its_slice_and_keeps_only_its_clusters_completed():
    assert planner.slice_variable(4711) == '__oauth_refresh_login_slice_4711'
    assert planner.slice_variable('a-b.c') == '__oauth_refresh_login_slice_a_b_c'
    output = planner.slice_output(7, ['cucm1', 'cuc1'], {'cucm1': {}}, ['cucm1', 'cuc1'], True, {})
    assert output == {'format': 1, 'slice': '7', 'check_mode': True, 'hosts': ['cucm1', 'cuc1'],
                      'states': {'cucm1': {}}, 'applied': ['cucm1'], 'gitops': {}}


def test_the_combine_step_takes_every_cluster_from_the_one_slice_that_held_it():
    outputs = sliced()
    combined = planner.combine_slices(outputs, ['cucm1', 'cucm2'], INVENTORY, False)
    assert combined['problems'] == []
    assert sorted(combined['slices']) == ['11', 'j-12']
    assert combined['states']['cucm2']['changes'] == [{'setting': 'access_token_expiry', 'from': 45, 'to': 60}]
    assert combined['gitops']['cucm2']['rows'][0]['setting'] == 'access_token_expiry'
    # the Connection and Expressway-C hosts are planned against those states, which are not planned again
    hosts = estate(cuc_vars={'serves': ['cucm1', 'cucm2']})
    hosts['cucm2'] = {'kind': 'cucm', 'vars': variables('cucm2'), 'read': None}   # not read by the combine step
    hosts['cucm1']['read'] = None
    hosts['cuc1']['read'] = {'authz_servers': [server('cucm1', 'cucm1.example.com'),
                                               server('cucm2', 'cucm2.example.com')]}
    outcome = run(hosts, known=combined['states'])
    assert outcome['problems'] == []
    assert outcome['states']['cucm2'] is combined['states']['cucm2']
    assert [row['setting'] for row in outcome['states']['cuc1']['changes']] == ['AuthZ server cucm2: key sync']


def test_the_combine_step_stops_when_a_slice_is_missing_mixed_in_another_mode_or_unfinished():
    outputs = sliced()
    missing = dict((k, v) for k, v in outputs.items() if k.endswith('11'))
    assert problems(planner.combine_slices(missing, ['cucm1', 'cucm2'], INVENTORY, False)) == [
        'cucm2 (CUCM cluster): no slice output holds it: its slice failed or did not run (see the sliced job); fix '
        'it and run the sliced job and this step again']
    assert problems(planner.combine_slices({}, ['cucm1'], INVENTORY, False))[0].startswith(
        'no slice output: oauth_refresh_login_slicing=combine runs after the sliced job')
    twice = dict(outputs, __oauth_refresh_login_slice_13=outputs['__oauth_refresh_login_slice_11'])
    assert 'cucm1 (CUCM cluster): held by slices 11, 11: the outputs of more than one sliced run are mixed in' in (
        problems(planner.combine_slices(twice, ['cucm1', 'cucm2'], INVENTORY, False))[0])
    lines = problems(planner.combine_slices(outputs, ['cucm1', 'cucm2'], INVENTORY, True))
    assert lines[0] == ('slice 11 ran for real and this combine step runs in check mode: give the sliced job '
                        'template and the combine job template the same job type')
    unfinished = sliced()
    unfinished['__oauth_refresh_login_slice_j_12']['applied'] = []
    assert problems(planner.combine_slices(unfinished, ['cucm1', 'cucm2'], INVENTORY, False)) == [
        'cucm2 (CUCM cluster): slice j-12 did not complete it (it failed there, see that slice\'s job): fix it and '
        'run the sliced job and this step again']
    assert problems(planner.combine_slices(outputs, ['cucm1', 'cucm2'], ['cucm1', 'cucm2', 'cuc1'], False))[0] == (
        'slice j-12 held expc1, which this inventory does not have: run the combine step on the inventory of the '
        'sliced job')
    alien = {'__oauth_refresh_login_slice_1': {'format': 0}}
    assert problems(planner.combine_slices(alien, [], INVENTORY, False)) == [
        'the variable __oauth_refresh_login_slice_1 is not the output of a slice of this collection version (format '
        '1): run the sliced job and this step with the same collection']
