# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The OAuth audit's rules (findings, matrix) and its three reports."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.collab.uc.plugins.module_utils.domain._audit_report import (
    COLOURS, to_html, to_json, to_markdown)
from ansible_collections.collab.uc.plugins.module_utils.domain._oauth_audit import audit, meets, parse_time

NOW = 1796119200  # 2026-12-01 08:00:00 UTC
OAUTH_ON = {'refresh_login': True, 'access_token_expiry': 60, 'refresh_token_expiry': 60,
            'device_refresh_token_expiry': 3650}
DESIRED = {'refresh_login': True, 'access_token_expiry': 60, 'refresh_token_expiry': 60}


def cucm(name, **kw):
    out = {'name': name, 'kind': 'cucm', 'version': '14.0.1.13900(155)', 'oauth': dict(OAUTH_ON),
           'sso': {'enabled': False, 'token_reuse': True}, 'addresses': ['%s.lab.local' % name, '10.0.0.1'],
           'port': 8443, 'keys': {'signing': {'checksum': 'ab' * 16, 'last_regenerated': None},
                                  'encryption': {'checksum': 'cd' * 16, 'last_regenerated': None}}}
    out.update(kw)
    return out


def server(target, status='Passed - Nov 30,2026 07:00:53 AM GMT', outcome='passed', port=8443):
    return {'name': target, 'server_address': '%s.lab.local' % target, 'server_port': port,
            'last_sync_status': status, 'last_sync_outcome': outcome}


def expressway(name='expc', refresh=True, token=True, serves=('cucm-a',), version='X14.2.1'):
    return {'name': name, 'kind': 'expressway', 'version': version, 'serves': list(serves),
            'settings': {'oauth_token_with_refresh': refresh, 'oauth_token': token, 'user_credentials': False}}


def ids(report):
    return sorted((f['id'], f['severity'], tuple(f['systems'])) for f in report['findings'])


def test_an_estate_that_agrees_has_no_finding():
    systems = [cucm('cucm-a'), cucm('cucm-b'), expressway(serves=['cucm-a', 'cucm-b']),
               {'name': 'cuc', 'kind': 'cuc', 'serves': ['cucm-a', 'cucm-b'],
                'authz_servers': [server('cucm-a'), server('cucm-b')]}]
    report = audit(systems, DESIRED, now=NOW)
    assert report['findings'] == [] and report['summary']['findings'] == 0
    statuses = set(c['status'] for row in report['systems'] for c in row['cells'].values())
    assert statuses <= {'ok', 'na'}


def test_seed_003_names_both_systems_and_the_fix():
    report = audit([cucm('cucm-a'), expressway(refresh=False, token=False)], DESIRED, now=NOW)
    assert ids(report) == [('refresh_mismatch', 'critical', ('cucm-a', 'expc'))]
    finding = report['findings'][0]
    assert 'cucm-a' in finding['title'] and 'expc' in finding['title'] and 'SASL' in finding['detail']
    assert 'collab.uc.expressway_oauth' in finding['fix'] and 'OAuthLocal: On' in finding['fix']


def test_unknown_refresh_setting_falls_back_to_oauthlocal_as_seed_003_reads_it():
    ok = audit([cucm('cucm-a'), expressway(refresh=None, token=True)], DESIRED, now=NOW)
    assert ok['findings'] == []
    bad = audit([cucm('cucm-a'), expressway(refresh=None, token=False)], DESIRED, now=NOW)
    assert ids(bad) == [('refresh_mismatch', 'critical', ('cucm-a', 'expc'))]


def test_expressway_with_refresh_while_cucm_is_off_is_a_warning():
    off = dict(OAUTH_ON, refresh_login=False)
    report = audit([cucm('cucm-a', oauth=off), expressway()], {}, now=NOW)
    assert ids(report) == [('refresh_mismatch', 'warning', ('cucm-a', 'expc'))]


def test_connection_findings_missing_server_failed_and_stale_sync():
    keys = {'signing': {'checksum': 'ab' * 16, 'last_regenerated': 'Tue Dec 01 07:30:00 UTC 2026'},
            'encryption': {'checksum': 'cd' * 16, 'last_regenerated': None}}
    systems = [cucm('cucm-a', keys=keys), cucm('cucm-b'), cucm('cucm-c'),
               {'name': 'cuc', 'kind': 'cuc', 'serves': ['cucm-a', 'cucm-b', 'cucm-c'], 'refresh_login': False,
                'authz_servers': [server('cucm-a'),
                                  server('cucm-c', 'Not authorized - Invalid Username or Password',
                                         'bad_credentials')]}]
    report = audit(systems, DESIRED, now=NOW)
    assert ids(report) == [
        ('no_authz_server', 'critical', ('cuc', 'cucm-b')),
        ('refresh_mismatch', 'critical', ('cucm-a', 'cuc')),
        ('refresh_mismatch', 'critical', ('cucm-b', 'cuc')),
        ('refresh_mismatch', 'critical', ('cucm-c', 'cuc')),
        ('sync_failed', 'critical', ('cuc', 'cucm-c')),
        ('sync_older_than_keys', 'critical', ('cuc', 'cucm-a'))]
    stale = [f for f in report['findings'] if f['id'] == 'sync_older_than_keys'][0]
    assert '2026-12-01 07:30:00 UTC' in stale['detail'] and 'sync_keys: always' in stale['fix']


def test_a_server_is_matched_by_address_and_port_when_clusters_share_an_address():
    a = cucm('cucm-a', addresses=['127.0.0.1'], port=8443)
    b = cucm('cucm-b', addresses=['127.0.0.1'], port=9443)
    srv = dict(server('x'), server_address='127.0.0.1', server_port=9443)
    report = audit([a, b, {'name': 'cuc', 'kind': 'cuc', 'serves': ['cucm-b'], 'authz_servers': [srv]}],
                   DESIRED, now=NOW)
    assert report['findings'] == []


def test_versions_timers_clusters_token_reuse_and_unreachable():
    systems = [cucm('cucm-a'), cucm('cucm-b', version='11.5.1.12900(21)',
                                    oauth=dict(OAUTH_ON, access_token_expiry=30),
                                    sso={'enabled': True, 'token_reuse': False}),
               expressway(version='X8.9.2'), {'name': 'gone', 'kind': 'expressway', 'error': 'cannot connect'}]
    report = audit(systems, DESIRED, now=NOW)
    assert ids(report) == [
        ('clusters_differ', 'warning', ('cucm-a', 'cucm-b')),
        ('timers_differ', 'warning', ('cucm-b',)),
        ('token_reuse_off', 'warning', ('cucm-b',)),
        ('unreachable', 'critical', ('gone',)),
        ('version_below_minimum', 'critical', ('cucm-b',)),
        ('version_below_minimum', 'critical', ('expc',))]
    assert [f['severity'] for f in report['findings']] == ['critical'] * 3 + ['warning'] * 3  # critical first
    assert report['summary'] == {'systems': 4, 'findings': 6, 'critical': 3, 'warning': 3}
    rows = dict((row['name'], row['cells']) for row in report['systems'])
    assert rows['gone']['reachable'] == {'status': 'critical', 'text': 'cannot connect'}
    assert rows['cucm-b']['version']['status'] == 'critical'


@pytest.mark.parametrize('text, epoch', [
    ('Passed - May 12,2017 07:00:53 AM GMT', 1494572453),
    ('Passed - May 12,2017 07:00:53 PM GMT', 1494615653),
    ('Fri May 12 07:00:53 UTC 2017', 1494572453),
    ('2017-05-12T07:00:53Z', 1494572453),
    ('never', None), ('', None),
])
def test_times_as_cucm_and_connection_print_them(text, epoch):
    assert parse_time(text) == epoch


def test_version_minimums():
    assert meets('11.5.1.13900-52', '11.5.1.13900') and not meets('11.5.1.12900(21)', '11.5.1.13900')
    assert meets('X8.10.1', 'X8.10.1') and not meets('X8.9', 'X8.10.1') and meets('garbage', '1') is None


def test_reports_say_the_same_in_json_markdown_and_html():
    report = audit([cucm('cucm-a'), expressway(refresh=False, token=False)], DESIRED, now=NOW)
    assert json.loads(to_json(report))['findings'] == report['findings']
    markdown = to_markdown(report, 'Audit <T>')
    assert '| Critical | **Refresh login is on in cucm-a but off on Expressway-C expc**' in markdown
    html = to_html(report, 'Audit <T>')
    assert '<title>Audit &lt;T&gt;</title>' in html and '<script' not in html
    assert html.count('<tr class="finding"') == 1 and 'data-severity="critical"' in html
    assert COLOURS['critical'][0] in html and '<td class="cell critical" data-check="mra">' in html
    clean = to_html(audit([cucm('cucm-a')], DESIRED, now=NOW), 'x')
    assert 'id="no-findings"' in clean


def test_every_collaboration_edge_leaf_seen_is_in_every_report():
    # an Expressway that does not show the assumed "with refresh" leaf, and shows one the collection does not know
    seen = {'CollaborationEdge Enabled': 'On', 'CollaborationEdge OauthLocal': 'On', 'CollaborationEdge LegacyCred': 'Off',
            'CollaborationEdge SomeNewLeaf': 'x|y'}
    system = dict(expressway(refresh=None, token=True), xconfiguration=seen, absent=['oauth_token_with_refresh'])
    report = audit([cucm('cucm-a'), system], DESIRED, now=NOW)
    row = [r for r in report['systems'] if r['name'] == 'expc'][0]
    assert row['xconfiguration'] == seen
    assert json.loads(to_json(report))['systems'][1]['xconfiguration'] == seen
    text = row['cells']['mra']['text']
    assert 'no leaf for oauth_token_with_refresh (the name of "with refresh" is assumed)' in text, text
    assert 'CollaborationEdge leaves seen: Enabled On, OauthLocal On, LegacyCred Off, SomeNewLeaf x|y' in text, text
    markdown = to_markdown(report, 'Audit')
    html = to_html(report, 'Audit')
    for leaf in ('Enabled On', 'OauthLocal On', 'LegacyCred Off', 'SomeNewLeaf x'):
        assert leaf in markdown and leaf in html, leaf
    assert 'no leaf for oauth_token_with_refresh' in markdown and 'no leaf for oauth_token_with_refresh' in html
    # without a discovery read (older input), the cell says what it said
    plain = audit([cucm('cucm-a'), expressway()], DESIRED, now=NOW)
    assert 'xconfiguration' not in plain['systems'][1] and 'leaves seen' not in plain['systems'][1]['cells']['mra']['text']


def test_a_check_to_make_by_hand_is_not_shown_as_does_not_apply():
    # Connection's own refresh login: no API reads it; cucm-b's keys were not read: both are for a person to check
    cuc = {'name': 'cuc', 'kind': 'cuc', 'serves': ['cucm-a'], 'authz_servers': [server('cucm-a')]}
    report = audit([cucm('cucm-a', keys=None), cuc], DESIRED, now=NOW)
    html, markdown = to_html(report, 'x'), to_markdown(report, 'x')
    assert '<td class="cell manual" data-check="refresh_login"><b>Check by hand</b>' in html
    assert '<td class="cell manual" data-check="keys"><b>Check by hand</b>not read' in html
    assert '<td class="cell na" data-check="mra"><b>n/a</b>' in html          # what does not apply stays n/a
    assert 'Check by hand no API reads it' in markdown
    assert '.manual { background-color: %s' % COLOURS['manual'][0] in html


def test_the_report_fits_a_narrow_window():
    html = to_html(audit([cucm('cucm-a')], DESIRED, now=NOW), 'x')
    assert '<div class="scroll">\n<table id="matrix">' in html and 'overflow-x: auto' in html
    assert '@media (max-width: 900px)' in html


def test_a_module_that_could_not_run_is_not_an_unreachable_system():
    failed = {'name': 'cucm-b', 'kind': 'cucm', 'error': 'MODULE FAILURE', 'error_kind': 'module'}
    gone = {'name': 'expc', 'kind': 'expressway', 'error': 'cannot connect', 'error_kind': 'read'}
    report = audit([cucm('cucm-a'), failed, gone], DESIRED, now=NOW)
    by_id = dict((f['id'], f) for f in report['findings'])
    assert sorted(by_id) == ['module_failed', 'unreachable']
    assert by_id['module_failed']['systems'] == ['cucm-b'] and 'ansible_python_interpreter' in by_id['module_failed']['fix']
    assert by_id['unreachable']['systems'] == ['expc'] and 'network path' in by_id['unreachable']['fix']
