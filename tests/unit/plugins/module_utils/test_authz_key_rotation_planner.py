# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The planner of collab.uc.authz_key_rotation (_authz_key_rotation.py): each decision from what was read and the
state record to problems, the plan, the record's steps, the key syncs and the report (the rule "restarted and
synced after the regeneration")."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.collab.uc.plugins.module_utils.domain import _authz_key_rotation as akr

NOW = 1796083200.0          # 2026-12-01T00:00:00Z, the run's start
BEFORE = {'signing': 'aaaa', 'encryption': 'bbbb'}
AFTER = {'signing': 'cccc', 'encryption': 'dddd'}
SERVICES = {'cucm': ['Cisco CallManager', 'Cisco Tomcat'], 'im_presence': ['Cisco XCP Authentication Service']}
GROUPS = {'cucm': ['cucm1'], 'names': {'cucm': 'cucm_clusters', 'cuc': 'cuc_systems'}}
STATE_FILE = '/state/cucm1.state.json'


def values(**kw):
    out = {'authz_key_rotation_keys': ['signing', 'encryption'], 'authz_key_rotation_services': SERVICES,
           'authz_key_rotation_batch_size': 1, 'authz_key_rotation_publisher_port': 8443,
           'authz_key_rotation_cluster_addresses': [], 'authz_key_rotation_id': None,
           'authz_key_rotation_state_dir': '/state', 'authz_key_rotation_report_dir': '/state'}
    out.update(('authz_key_rotation_' + k, v) for k, v in kw.items())
    return out


def node(name, product='cucm', publisher=False, services=None):
    infos = [{'name': s, 'status': 'Started', 'deployable': True} for s in (services or [])]
    return {'name': name, 'product': product, 'publisher': publisher, 'services': infos}


def nodes_read(services=True):
    chosen = SERVICES if services else {'cucm': [], 'im_presence': []}
    return {'nodes': [node('10.0.0.1', publisher=True, services=chosen['cucm']),
                      node('10.0.0.2', services=chosen['cucm']),
                      node('10.0.0.3', 'im_presence', services=chosen['im_presence'])],
            'publisher': '10.0.0.1'}


def keys_read(checksums=None, rights=True):
    out = {'checksums': dict((k, {'checksum': v}) for k, v in (checksums or BEFORE).items())}
    if rights is not None:
        out['rights'] = {'ok': True} if rights is True else {'ok': False, 'msg': rights}
    return out


def cluster_input(record=None, read=None, **kw):
    data = {'kind': 'cucm', 'host': 'cucm1', 'values': values(**kw.pop('variables', {})), 'address': 'CUCM1.lab',
            'password_set': True, 'state_file': STATE_FILE, 'report_dir': '/state',
            'read': read or {'nodes': nodes_read(), 'keys': keys_read()}, 'record': record, 'record_error': None}
    data.update(kw)
    return data


def record(**kw):
    out = akr.new_record('cucm1', '10.0.0.1', ['signing', 'encryption'], BEFORE, None, NOW - 3600)
    out.update(kw)
    return out


def server(name='cucm1', address='cucm1.lab', port=8443, outcome='passed', synced=None, object_id=None):
    return {'name': name, 'object_id': object_id or 'id-' + name, 'server_address': address, 'server_port': port,
            'server_username': 'axladmin', 'ignore_certificate_errors': False, 'last_sync_outcome': outcome,
            'last_sync_status': 'Passed - old' if outcome == 'passed' else 'Failed', 'last_sync_time': synced}


def connection_input(servers=None, serves=('cucm1',), read=None):
    return {'kind': 'cuc', 'values': {'authz_key_rotation_serves': list(serves)},
            'read': read or {'authz_servers': servers if servers is not None else [server()]}}


def planned(cluster=None, connection=None, order=('cucm1', 'cuc1'), groups=None):
    hosts = {'cucm1': cluster or cluster_input()}
    if connection is not False:
        hosts['cuc1'] = connection or connection_input()
    return akr.plan(hosts, list(order), groups or GROUPS, NOW)


# -- the state record: new, resume, done ----------------------------------------------------------------------
def test_no_record_starts_a_new_rotation_named_after_the_keys_it_replaces():
    state = akr.plan_cluster(cluster_input(), NOW)
    assert state['mode'] == 'new' and state['problems'] == []
    assert state['record']['id'] == akr.default_id(BEFORE, 'cucm1') and state['record']['id'].startswith('keys-')
    assert state['record']['checksums_before'] == BEFORE and state['record']['started_at'] == NOW
    assert state['record']['cluster'] == {'host': 'cucm1', 'publisher': '10.0.0.1'}
    assert state['todo'] and state['regenerate'] and state['restart']
    assert state['guard'] == BEFORE


def test_the_default_id_is_the_same_for_the_plan_and_its_apply_and_changes_with_the_keys_or_the_host():
    assert akr.default_id(BEFORE, 'cucm1') == akr.default_id(dict(BEFORE), 'cucm1')
    assert akr.default_id(AFTER, 'cucm1') != akr.default_id(BEFORE, 'cucm1')
    assert akr.default_id(BEFORE, 'cucm2') != akr.default_id(BEFORE, 'cucm1')
    later = akr.plan_cluster(cluster_input(), NOW + 600)
    assert later['record']['id'] == akr.plan_cluster(cluster_input(), NOW)['record']['id']


def test_a_given_id_names_a_new_rotation():
    state = akr.plan_cluster(cluster_input(variables={'id': '2027-q1'}), NOW)
    assert state['record']['id'] == '2027-q1'


def test_only_the_chosen_keys_are_guarded():
    state = akr.plan_cluster(cluster_input(variables={'keys': ['encryption']}), NOW)
    assert state['record']['keys'] == ['encryption'] and state['guard'] == {'encryption': 'bbbb'}


@pytest.mark.parametrize('found,problem', [
    ({'format': 2, 'id': 'x', 'cluster': {'host': 'cucm1'}}, 'is not a state record of this role (format 1)'),
    ({'format': 1, 'cluster': {'host': 'cucm1'}}, 'is not a state record of this role (format 1)'),
    (['not', 'a', 'record'], 'is not a state record of this role (format 1)'),
    ({'format': 1, 'id': 'x', 'cluster': {'host': 'cucm2', 'publisher': '10.0.0.1'}, 'completed_at': None},
     'belongs to another cluster (cucm2, publisher 10.0.0.1; this one is cucm1, publisher 10.0.0.1)'),
    ({'format': 1, 'id': 'x', 'cluster': {'host': 'cucm1', 'publisher': '10.9.9.9'}, 'completed_at': None},
     'belongs to another cluster (cucm1, publisher 10.9.9.9'),
])
def test_a_record_of_another_kind_or_cluster_is_refused(found, problem):
    state = akr.plan_cluster(cluster_input(record=found), NOW)
    [only] = state['problems']
    assert problem in only and STATE_FILE in only


def test_the_publisher_is_compared_only_when_it_was_read():
    found = record(cluster={'host': 'cucm1', 'publisher': '10.9.9.9'})
    read = {'nodes': {'failed': True, 'msg': 'AXL refused'}, 'keys': keys_read()}
    state = akr.plan_cluster(cluster_input(record=found, read=read), NOW)
    assert state['problems'] == ['cannot list its nodes: AXL refused']
    assert state['mode'] == 'resume'


def test_an_unreadable_record_is_a_problem():
    state = akr.plan_cluster(cluster_input(record_error='its state record x cannot be read: move it away'), NOW)
    assert state['problems'] == ['its state record x cannot be read: move it away']


def test_an_unfinished_record_is_resumed_and_says_what_is_left():
    found = record(id='2026-q4', regenerated_at=NOW - 1800, regenerated_keys=['signing', 'encryption'])
    state = akr.plan_cluster(cluster_input(record=found, read={'nodes': nodes_read(), 'keys': keys_read(AFTER)}), NOW)
    assert state['mode'] == 'resume' and state['problems'] == [] and state['record'] == found
    assert not state['regenerate'] and state['restart'] and state['todo']


def test_an_unfinished_rotation_refuses_another_id():
    found = record(id='2026-q4')
    state = akr.plan_cluster(cluster_input(record=found, variables={'id': '2027-q1'}), NOW)
    [problem] = state['problems']
    assert problem.startswith('rotation 2026-q4 of this cluster is not finished (started 2026-11-30T23:00:00Z): run '
                              'again without authz_key_rotation_id, or with 2026-q4, to finish it before rotation '
                              '2027-q1'), problem
    assert akr.plan_cluster(cluster_input(record=found, variables={'id': '2026-q4'}), NOW)['problems'] == []


@pytest.mark.parametrize('wanted,mode', [(None, 'done'), ('2026-q4', 'done'), ('2027-q1', 'new')])
def test_a_completed_rotation_is_left_alone_unless_a_new_id_is_given(wanted, mode):
    found = record(id='2026-q4', completed_at=NOW - 60, regenerated_at=NOW - 600, restarts_done_at=NOW - 300)
    state = akr.plan_cluster(cluster_input(record=found, variables={'id': wanted}), NOW)
    assert state['mode'] == mode and state['problems'] == []
    assert state['todo'] == (mode == 'new')
    if mode == 'new':
        assert state['record']['id'] == '2027-q1' and state['record']['regenerated_at'] is None
    else:
        assert state['record'] == found and not state['regenerate'] and not state['restart']


# -- what else a cluster's preflight finds --------------------------------------------------------------------
def test_reads_that_failed_are_problems_naming_what_to_check():
    read = {'nodes': {'failed': True, 'msg': 'HTTP 401'}, 'keys': {'failed': True, 'msg': 'SSH login refused'}}
    state = akr.plan_cluster(cluster_input(read=read), NOW)
    assert state['problems'] == [
        'cannot list its nodes: HTTP 401',
        'cannot read the AuthZ keys on the platform CLI: SSH login refused (the playbook passes cucm_ssh_* as '
        'module_defaults for group/collab.uc.cucm_cli)']


def test_the_batch_size_and_the_services_are_checked_against_the_nodes():
    state = akr.plan_cluster(cluster_input(variables={'batch_size': 2}), NOW)
    [problem] = state['problems']
    assert problem.startswith('authz_key_rotation_batch_size 2 is more than the nodes allow'), problem
    missing = dict(SERVICES, cucm=['Cisco CallManager', 'Cisco CallManagr'])
    state = akr.plan_cluster(cluster_input(variables={'services': missing}), NOW)
    assert state['problems'] and all("'Cisco CallManagr'" in p for p in state['problems'])


def test_an_account_that_may_not_regenerate_fails_the_preflight_when_the_plan_regenerates():
    refused = 'the account osviewer has privilege level 1; set key regen authz needs level 4'
    read = {'nodes': nodes_read(), 'keys': keys_read(rights=refused)}
    state = akr.plan_cluster(cluster_input(read=read), NOW)
    [problem] = state['problems']
    assert problem == ('its platform CLI account may not regenerate the AuthZ keys, so the rotation would stop after '
                       'its first step: ' + refused)
    # nothing to regenerate (already done, or the rotation complete): the account's level does not matter
    found = record(regenerated_at=NOW - 600)
    assert akr.plan_cluster(cluster_input(record=found, read=read), NOW)['problems'] == []
    done = record(regenerated_at=NOW - 600, restarts_done_at=NOW - 300, completed_at=NOW - 60)
    assert akr.plan_cluster(cluster_input(record=done, read=read), NOW)['problems'] == []


def test_rolls_per_product_that_has_nodes_and_services():
    state = akr.plan_cluster(cluster_input(), NOW)
    assert state['rolls'] == [
        {'product': 'cucm', 'services': SERVICES['cucm'], 'nodes': ['10.0.0.1', '10.0.0.2']},
        {'product': 'im_presence', 'services': SERVICES['im_presence'], 'nodes': ['10.0.0.3']}]
    only_cucm = {'cucm': ['Cisco CallManager'], 'im_presence': []}
    read = {'nodes': nodes_read(), 'keys': keys_read()}
    state = akr.plan_cluster(cluster_input(read=read, variables={'services': only_cucm}), NOW)
    assert [r['product'] for r in state['rolls']] == ['cucm']
    read['nodes']['nodes'] = [n for n in read['nodes']['nodes'] if n['product'] == 'im_presence']
    state = akr.plan_cluster(cluster_input(read=read, variables={'services': only_cucm}), NOW)
    assert state['rolls'] == []


def test_the_addresses_of_a_cluster_are_its_address_host_nodes_and_other_names_in_lower_case_once():
    state = akr.plan_cluster(cluster_input(variables={'cluster_addresses': ['Pub.Example.com', 'cucm1']}), NOW)
    assert state['addresses'] == ['cucm1.lab', 'cucm1', '10.0.0.1', '10.0.0.2', '10.0.0.3', 'pub.example.com']
    assert state['port'] == 8443


# -- a Connection's preflight --------------------------------------------------------------------------------
def test_the_authz_servers_that_point_at_a_cluster_are_its_targets():
    servers = [server('by name', 'CUCM1.LAB'), server('by address', '10.0.0.2'), server('other port', port=9443),
               server('other cluster', 'cucm2.lab')]
    outcome = planned(connection=connection_input(servers))
    assert outcome['problems'] == []
    targets = outcome['states']['cuc1']['targets']
    assert [(t['cluster'], t['server']['name']) for t in targets] == [('cucm1', 'by name'), ('cucm1', 'by address')]


def test_a_connection_without_a_server_for_a_cluster_it_serves_is_a_problem():
    outcome = planned(connection=connection_input([server(address='elsewhere')]))
    [problem] = outcome['problems']
    assert problem['host'] == 'cuc1' and problem['label'] == 'Unity Connection'
    assert problem['problem'].startswith('has no AuthZ server pointing at cucm1 (any of cucm1.lab, cucm1, 10.0.0.1, '
                                         '10.0.0.2, 10.0.0.3, port 8443): run collab.uc.oauth_enable first')


def test_the_sync_password_is_needed_only_while_the_cluster_is_rotated():
    outcome = planned(cluster=cluster_input(password_set=False))
    [problem] = outcome['problems']
    assert problem['problem'].startswith('serves cucm1, which lacks authz_key_rotation_authz_password'), problem
    done = record(regenerated_at=NOW - 600, restarts_done_at=NOW - 300, completed_at=NOW - 60)
    assert planned(cluster=cluster_input(password_set=False, record=done))['problems'] == []


@pytest.mark.parametrize('serves,groups,order,problem', [
    ([], GROUPS, ['cucm1', 'cuc1'], 'serves no cluster: set authz_key_rotation_serves (or oauth_refresh_login_serves)'),
    (['cucm9'], GROUPS, ['cucm1', 'cuc1'], 'serves cucm9, which is not a host of the group cucm_clusters'),
    (['cucm1'], dict(GROUPS, cucm=['cucm1', 'cucm2']), ['cucm1', 'cuc1'], None),
    (['cucm2'], dict(GROUPS, cucm=['cucm1', 'cucm2']), ['cucm1', 'cuc1'],
     'serves cucm2, which is not in this run (run both, or neither, e.g. --limit cucm2,cuc1)'),
    (['cucm2'], dict(GROUPS, cucm=['cucm1', 'cucm2']), ['cucm1', 'cucm2', 'cuc1'],
     'serves cucm2, whose preflight did not run'),
])
def test_a_connection_serving_a_cluster_it_cannot_be_planned_against(serves, groups, order, problem):
    outcome = planned(connection=connection_input(serves=serves), groups=groups, order=order)
    found = [p['problem'] for p in outcome['problems'] if p['host'] == 'cuc1']
    assert found == ([problem] if problem else []) or (problem and found[0].startswith(problem)), found


def test_a_connection_that_cannot_be_read_is_a_problem_and_names_the_answer():
    outcome = planned(connection=connection_input(read={'failed': True, 'msg': 'HTTP 403'}))
    assert [p['problem'] for p in outcome['problems']] == ['cannot read its AuthZ servers: HTTP 403']


def test_a_host_in_neither_group_or_whose_preflight_did_not_run_is_a_problem():
    outcome = planned(order=['cucm1', 'cuc1', 'stray'])
    [problem] = outcome['problems']
    assert problem == {'host': 'stray', 'label': None, 'problem': 'its preflight did not run (it failed earlier, see '
                       'above), or it is in neither cucm_clusters nor cuc_systems'}


def test_the_preflight_message_lists_every_problem_with_its_host():
    outcome = planned(cluster=cluster_input(read={'nodes': {'failed': True, 'msg': 'down'}, 'keys': keys_read()}),
                      connection=connection_input(read={'failed': True, 'msg': 'HTTP 403'}))
    message = akr.preflight_message(outcome['problems'])
    assert message.splitlines() == [
        'Preflight found 2 problem(s); nothing was changed on any system. Fix them and run again:',
        '- cucm1 (CUCM cluster): cannot list its nodes: down',
        '- cuc1 (Unity Connection): cannot read its AuthZ servers: HTTP 403']


# -- the plan -----------------------------------------------------------------------------------------------
def test_the_plan_of_a_new_rotation():
    outcome = planned(connection=connection_input([server('a', 'cucm1.lab'), server('b', '10.0.0.1')]))
    lines = akr.plan_lines(outcome['states'], ['cucm1', 'cuc1'], False)
    rid = outcome['states']['cucm1']['record']['id']
    assert lines == [
        'Plan (applying now):',
        'cucm1: rotation %s (new)' % rid,
        'cucm1: regenerate the AuthZ signing and encryption key on 10.0.0.1 (only while its checksum is still the '
        'one read before: aaaa, bbbb)',
        'cucm1: restart Cisco CallManager, Cisco Tomcat on 10.0.0.1, 10.0.0.2, 1 node(s) at a time, except where '
        'they started after the regeneration',
        'cucm1: restart Cisco XCP Authentication Service on 10.0.0.3, 1 node(s) at a time, except where they started '
        'after the regeneration',
        'cuc1: sync the keys of AuthZ server a (cucm1) after the restarts, unless its last sync passed after the '
        'regeneration (now: Passed - old)',
        'cuc1: sync the keys of AuthZ server b (cucm1) after the restarts, unless its last sync passed after the '
        'regeneration (now: Passed - old)']
    assert akr.plan_lines(outcome['states'], ['cucm1', 'cuc1'], True)[0] == 'Plan (check mode: nothing is changed):'


def test_the_plan_of_a_rotation_killed_between_the_two_keys_regenerates_only_the_other():
    found = record()
    read = {'nodes': nodes_read(), 'keys': keys_read({'signing': 'cccc', 'encryption': 'bbbb'})}
    outcome = planned(cluster=cluster_input(record=found, read=read))
    lines = akr.plan_lines(outcome['states'], ['cucm1', 'cuc1'], False)
    assert lines[1] == 'cucm1: rotation %s (resumed; started 2026-11-30T23:00:00Z)' % found['id']
    assert lines[2].startswith('cucm1: regenerate the AuthZ encryption key on 10.0.0.1 (only while its checksum is '
                               'still the one read before: bbbb)')
    assert lines[3] == ('cucm1: the signing key was already regenerated (its checksum differs from the one recorded '
                        'before): not again')


def test_the_plan_of_a_rotation_whose_regeneration_and_restarts_are_recorded():
    found = record(regenerated_at=NOW - 600, restarts_done_at=NOW - 300, syncs_done_at=NOW - 100)
    outcome = planned(cluster=cluster_input(record=found, read={'nodes': nodes_read(), 'keys': keys_read(AFTER)}))
    lines = akr.plan_lines(outcome['states'], ['cucm1', 'cuc1'], False)
    assert lines[2:] == ['cucm1: keys regenerated at 2026-11-30T23:50:00Z (state record): not again',
                         'cucm1: services restarted on every node by 2026-11-30T23:55:00Z (state record): not again',
                         'cuc1: AuthZ server cucm1 (cucm1) synced by 2026-11-30T23:58:20Z (state record)']


def test_the_plan_of_a_completed_rotation_does_nothing():
    done = record(id='2026-q4', regenerated_at=NOW - 600, restarts_done_at=NOW - 300, completed_at=NOW - 60)
    outcome = planned(cluster=cluster_input(record=done))
    assert akr.plan_lines(outcome['states'], ['cucm1', 'cuc1'], False)[1:] == [
        'cucm1: rotation 2026-q4 was completed at 2026-11-30T23:59:00Z; nothing to do (a new authz_key_rotation_id '
        'starts the next rotation)', 'cuc1: nothing to do']


# -- the record's steps ---------------------------------------------------------------------------------------
def test_the_time_the_regeneration_was_first_asked_is_kept():
    assert akr.record_requested(record(), NOW)['regeneration_requested_at'] == NOW
    assert akr.record_requested(record(regeneration_requested_at=NOW - 5), NOW)['regeneration_requested_at'] == NOW - 5


def test_the_regeneration_is_recorded_after_the_keys_were_seen_changed():
    regenerated = {'regenerated': ['encryption'], 'checksums': dict((k, {'checksum': v}) for k, v in AFTER.items())}
    start = record(regenerated_keys=['signing'])
    assert akr.unchanged_keys(start, regenerated) == []
    new = akr.record_regenerated(start, regenerated, NOW)
    assert new['regenerated_at'] == NOW and new['regenerated_keys'] == ['signing', 'encryption']
    assert new['checksums_after'] == AFTER and start['regenerated_at'] is None


def test_a_key_that_kept_its_checksum_is_named():
    regenerated = {'regenerated': [], 'checksums': {'signing': {'checksum': 'cccc'}, 'encryption': {'checksum': 'bbbb'}}}
    assert akr.unchanged_keys(record(), regenerated) == ['encryption']
    message = akr.unchanged_message('cucm1', record(), ['encryption'])
    assert message.startswith('The encryption key of cucm1 still has the checksum read before the regeneration '
                              '(bbbb): the platform did not regenerate it.'), message


def test_restarts_and_completion_are_recorded():
    assert akr.record_restarted(record(), NOW)['restarts_done_at'] == NOW
    done = akr.record_completed(record(syncs_done_at=NOW - 9), NOW)
    assert done['syncs_done_at'] == NOW - 9 and done['completed_at'] == NOW
    assert akr.record_completed(record(), NOW)['syncs_done_at'] == NOW


# -- the key syncs --------------------------------------------------------------------------------------------
def sync_case(target_server, record_now, mode='resume', alive=('cucm1', 'cuc1'), check_mode=False):
    states = {'cucm1': {'mode': mode}}
    state = {'targets': [{'cluster': 'cucm1', 'server': target_server}]}
    return akr.sync_todo(state, states, {'cucm1': record_now}, list(alive), check_mode)


def test_a_server_is_synced_once_the_restarts_are_done():
    restarted = record(regenerated_at=NOW, restarts_done_at=NOW + 60)
    assert len(sync_case(server(synced=NOW - 3600), restarted)) == 1
    # a sync that passed at or after the regeneration (an interrupted run's) counts: not again
    assert sync_case(server(synced=NOW + 30), restarted) == []
    assert sync_case(server(synced=NOW), restarted) == []
    # a failed sync after the regeneration does not count
    assert len(sync_case(server(outcome='failed', synced=NOW + 30), restarted)) == 1


def test_no_sync_before_the_restarts_or_for_a_cluster_that_failed_or_is_done():
    assert sync_case(server(synced=NOW - 3600), record(regenerated_at=NOW)) == []
    restarted = record(regenerated_at=NOW, restarts_done_at=NOW + 60)
    assert sync_case(server(synced=NOW - 3600), restarted, alive=('cuc1',)) == []
    assert sync_case(server(synced=NOW - 3600), restarted, mode='done') == []
    assert sync_case(server(synced=NOW - 3600), dict(restarted, syncs_done_at=NOW + 90)) == []


def test_check_mode_would_sync_what_the_apply_would():
    # in check mode nothing is regenerated: no sync counts as after it
    assert len(sync_case(server(synced=NOW + 30), record(), check_mode=True)) == 1
    assert sync_case(server(synced=NOW + 30), record(regenerated_at=NOW), check_mode=True) == []


# -- the report: "regenerated, restarted and synced after the regeneration" -----------------------------------
def cluster_state(**kw):
    state = akr.plan_cluster(cluster_input(), NOW)
    state.update(kw)
    return state


def nodes_after(started):
    """Every chosen service Started at ``started[node]`` (None: never started)."""
    out = []
    for name, product, publisher in (('10.0.0.1', 'cucm', True), ('10.0.0.2', 'cucm', False),
                                     ('10.0.0.3', 'im_presence', False)):
        out.append({'name': name, 'product': product, 'publisher': publisher, 'services': [
            {'name': s, 'status': 'Started' if started.get(name) is not None else 'Stopped',
             'started_at': started.get(name), 'start_time': None} for s in SERVICES[product]]})
    return {'nodes': out, 'rolling_order': ['10.0.0.2', '10.0.0.1', '10.0.0.3']}


def report_of(record_now, started, servers, check_mode=False, keys=None, this_run=('signing', 'encryption'),
              failure=None, expressways=()):
    targets = [{'cluster': 'cucm1', 'server': server(s['name'], object_id=s['object_id'])} for s in servers or []]
    connections = [('cuc1', {'targets': targets}, servers)]
    after = {'keys': keys_read(keys or AFTER, rights=None), 'nodes': nodes_after(started)}
    return akr.cluster_report('cucm1', cluster_state(), record_now, after, connections, check_mode, NOW + 900,
                              failure=failure, this_run=list(this_run), expressways=list(expressways))


REGENERATED = NOW + 10


def test_a_complete_rotation_is_verified_from_what_the_systems_show():
    started = {'10.0.0.1': NOW + 100, '10.0.0.2': NOW + 50, '10.0.0.3': NOW + 150}
    report = report_of(record(regenerated_at=REGENERATED), started, [server(synced=NOW + 200)])
    assert report['status'] == 'complete' and report['problems'] == [] and report['mode'] == 'apply'
    assert [(k['key'], k['action'], k['checksum_before'], k['checksum_after']) for k in report['regeneration']] == [
        ('signing', 'regenerated', 'aaaa', 'cccc'), ('encryption', 'regenerated', 'bbbb', 'dddd')]
    # in the order of the rolls: the CUCM nodes (subscribers first), then IM and Presence
    assert [(x['node'], x['service'], x['action']) for x in report['restarts']] == [
        ('10.0.0.2', 'Cisco CallManager', 'restarted'), ('10.0.0.2', 'Cisco Tomcat', 'restarted'),
        ('10.0.0.1', 'Cisco CallManager', 'restarted'), ('10.0.0.1', 'Cisco Tomcat', 'restarted'),
        ('10.0.0.3', 'Cisco XCP Authentication Service', 'restarted')]
    assert report['restarts'][0]['started_at'] == '2026-12-01T00:00:50Z'
    assert [(x['system'], x['authz_server'], x['action']) for x in report['syncs']] == [('cuc1', 'cucm1', 'synced')]
    assert report['regenerated_at'] == '2026-12-01T00:00:10Z' and report['this_run_started_at'] == '2026-12-01T00:00:00Z'
    assert report['state_record'] == STATE_FILE and report['rotation_id'] == record()['id']


def test_what_an_interrupted_run_did_after_the_regeneration_counts_as_already_done():
    # the regeneration and a restart happened in an earlier run (before this run started), after the regeneration
    earlier = record(regenerated_at=NOW - 600)
    started = {'10.0.0.1': NOW + 100, '10.0.0.2': NOW - 300, '10.0.0.3': NOW + 150}
    report = report_of(earlier, started, [server(synced=NOW - 100)], this_run=())
    assert report['status'] == 'complete'
    assert [k['action'] for k in report['regeneration']] == ['already regenerated'] * 2
    actions = dict((x['node'], x['action']) for x in report['restarts'])
    assert actions == {'10.0.0.2': 'already restarted (before this run)', '10.0.0.1': 'restarted',
                       '10.0.0.3': 'restarted'}
    assert report['syncs'][0]['action'] == 'already synced (before this run)'


def test_a_service_or_a_sync_from_before_the_regeneration_does_not_count():
    started = {'10.0.0.1': REGENERATED - 1, '10.0.0.2': NOW + 50, '10.0.0.3': None}
    report = report_of(record(regenerated_at=REGENERATED), started, [server(synced=REGENERATED - 1)])
    assert report['status'] == 'incomplete'
    actions = [(x['node'], x['action']) for x in report['restarts']]
    assert ('10.0.0.1', 'not restarted') in actions and ('10.0.0.3', 'not restarted') in actions
    assert ('10.0.0.2', 'restarted') in actions
    assert ('Cisco CallManager on 10.0.0.1 was not restarted after the regeneration (status Started, started never)'
            in report['problems'])
    assert report['syncs'][0]['action'] == 'not synced'
    assert 'AuthZ server cucm1 on cuc1 was not synced after the regeneration (Passed - old)' in report['problems']


def test_nothing_counts_as_done_after_a_regeneration_that_did_not_happen():
    started = {'10.0.0.1': NOW + 100, '10.0.0.2': NOW + 50, '10.0.0.3': NOW + 150}
    report = report_of(record(), started, [server(synced=NOW + 200)], keys=BEFORE, this_run=(),
                       failure=akr.failure_text(record(), 'SSH login refused'))
    assert report['problems'][0] == 'the regeneration failed: SSH login refused'
    assert [k['action'] for k in report['regeneration']] == ['not regenerated'] * 2
    assert 'the signing key still has the checksum read before the rotation (aaaa)' in report['problems']
    assert all(x['action'] == 'not restarted' for x in report['restarts'])
    assert report['syncs'][0]['action'] == 'not synced' and report['regenerated_at'] is None


def test_a_connection_that_failed_is_reported_as_not_read_again():
    servers = [server(synced=NOW + 200)]
    targets = [{'cluster': 'cucm1', 'server': servers[0]}]
    started = {'10.0.0.1': NOW + 100, '10.0.0.2': NOW + 50, '10.0.0.3': NOW + 150}
    after = {'keys': keys_read(AFTER, rights=None), 'nodes': nodes_after(started)}
    report = akr.cluster_report('cucm1', cluster_state(), record(regenerated_at=REGENERATED), after,
                                [('cuc1', {'targets': targets}, None)], False, NOW, this_run=['signing', 'encryption'])
    assert report['problems'] == ['AuthZ server cucm1 on cuc1 was not read again (that system failed earlier in this '
                                  'run)']
    assert report['syncs'][0]['last_sync_status'] is None


def test_reads_that_fail_in_the_verification_are_problems():
    after = {'keys': {'failed': True, 'msg': 'SSH down'}, 'nodes': {'failed': True, 'msg': 'AXL down'}}
    report = akr.cluster_report('cucm1', cluster_state(), record(regenerated_at=REGENERATED), after, [], False, NOW)
    assert report['problems'] == ['cannot read the AuthZ keys again: SSH down',
                                  "cannot read the nodes' services again: AXL down"]
    assert [k['action'] for k in report['regeneration']] == ['not verified (not read again)'] * 2
    assert report['status'] == 'incomplete' and report['restarts'] == []


def test_the_check_mode_report_says_what_would_change():
    report = report_of(record(), {'10.0.0.1': NOW - 900}, [server(synced=NOW - 100)], check_mode=True, keys=BEFORE)
    assert report['status'] == 'planned' and report['mode'] == 'check' and report['problems'] == []
    assert [(k['action'], k['checksum_after']) for k in report['regeneration']] == [('would regenerate', None)] * 2
    assert set(x['action'] for x in report['restarts']) == {'would restart'}
    assert report['syncs'][0]['action'] == 'would sync'


def test_what_is_left_names_the_expressways_that_serve_the_cluster():
    started = {'10.0.0.1': NOW + 100, '10.0.0.2': NOW + 50, '10.0.0.3': NOW + 150}
    report = report_of(record(regenerated_at=REGENERATED), started, [], expressways=['expc1', 'expc2'])
    assert report['left_for_user'][0].startswith('Expressway-C: on expc1, expc2, run "Refresh servers"')
    report = report_of(record(regenerated_at=REGENERATED), started, [])
    assert report['left_for_user'][0].startswith('Expressway-C: on every Expressway-C that serves cucm1 for MRA')
    assert 'Jabber' in report['left_for_user'][1] and 'cucm1' in report['left_for_user'][2]


def test_the_failed_step_is_named_from_the_record():
    assert akr.failure_text(record(), 'x') == 'the regeneration failed: x'
    assert akr.failure_text(record(regenerated_at=NOW), None) == 'the restarts failed: see the task above'


def test_summary_left_and_failure_lines():
    started = {'10.0.0.1': NOW + 100, '10.0.0.2': NOW + 50, '10.0.0.3': None}
    report = report_of(record(regenerated_at=REGENERATED), started, [server(synced=NOW + 200)])
    lines = akr.summary_lines(report)
    assert lines[0] == 'Rotation %s of cucm1 (apply): incomplete' % report['rotation_id']
    assert '10.0.0.1: signing key regenerated' in lines
    assert '10.0.0.2: Cisco CallManager restarted (Started, started 2026-12-01T00:00:50Z)' in lines
    assert '10.0.0.3: Cisco XCP Authentication Service not restarted (Stopped, started never)' in lines
    assert 'cuc1: AuthZ server cucm1 synced' in lines and lines[-1].startswith('problem: ')
    left = akr.left_lines(report, '/state/cucm1-x')
    assert left[:2] == ['Rotation %s of cucm1: incomplete; report /state/cucm1-x.md' % report['rotation_id'],
                        'Left for you:']
    message = akr.not_verified_message(report, '/state/cucm1-x')
    assert message.startswith('Rotation %s of cucm1 is not verified: Cisco XCP' % report['rotation_id'])
    assert 'The report /state/cucm1-x.md says what was done.' in message


def test_the_markdown_report_escapes_what_systems_hold():
    hostile = 'E|<img src=x>[x](//e)`'
    started = {'10.0.0.1': NOW + 100, '10.0.0.2': NOW + 50, '10.0.0.3': NOW + 150}
    report = report_of(record(regenerated_at=REGENERATED), started,
                       [dict(server(hostile, synced=NOW + 200), last_sync_status='Passed - ' + hostile)])
    markdown = akr.report_markdown(report)
    assert markdown.startswith('# AuthZ key rotation %s of cucm1\n' % report['rotation_id'])
    assert '| Status | **complete** |' in markdown and '## Problems' not in markdown
    assert '<img' not in markdown and '](' not in markdown.replace('\\](', '')
    [row] = [line for line in markdown.splitlines() if line.startswith('| cuc1 |')]
    assert row == ('| cuc1 | E\\|&lt;img src=x&gt;\\[x\\](//e)\\` | synced | Passed - E\\|&lt;img src=x&gt;\\[x\\](//e)'
                   '\\` |'), row


def test_the_markdown_report_of_a_plan_and_of_a_failed_rotation():
    plan = akr.report_markdown(report_of(record(), {}, [], check_mode=True, keys=BEFORE))
    assert '(plan, check mode)' in plan.splitlines()[0] and '| Keys regenerated by | not yet (check mode) |' in plan
    assert '| signing | 10.0.0.1 | would regenerate | aaaa | a new key (regenerated on apply) |' in plan
    assert 'No Unity Connection system of this run serves cucm1.' in plan
    failed = report_of(record(), {}, [], keys=BEFORE, this_run=(), failure='the regeneration failed: refused')
    markdown = akr.report_markdown(failed)
    assert '## Problems\n\n- the regeneration failed: refused\n' in markdown
    assert '| Keys regenerated by | not regenerated |' in markdown
    no_restart = akr.report_markdown(dict(failed, restarts=[]))
    assert 'No service restart was chosen.' in no_restart


def test_the_report_is_json():
    report = report_of(record(regenerated_at=REGENERATED), {}, [])
    assert json.loads(json.dumps(report)) == report
    assert sorted(report) == sorted(['format', 'rotation_id', 'cluster', 'publisher', 'mode', 'status', 'started_at',
                                     'regenerated_at', 'this_run_started_at', 'report_written_at', 'regeneration',
                                     'restarts', 'syncs', 'problems', 'left_for_user', 'state_record',
                                     'decided_from'])
