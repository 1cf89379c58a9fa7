# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible.module_utils import basic

from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule
from ansible_collections.collab.uc.plugins.modules import cucm_refresh_tokens
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.refresh_token_fake import (
    FakeCucm, axl_fault, JABBER, UDS,
)
from ansible_collections.collab.uc.tests.unit.plugins.modules.module_runner import Exit, catch_exit, patch_module_args


PASSWORD = 'Sup3r-Secret-AXL'
CONNECTION = dict(host='cucm.example.com', username='axladmin', password=PASSWORD)


@pytest.fixture
def cucm(monkeypatch):
    fake = FakeCucm({'jdoe': [JABBER, UDS], 'asmith': [JABBER], "anne o'hara": [UDS], 'nokens': []})
    monkeypatch.setattr(UCModule, 'http_session', lambda self, **kwargs: fake.session(**kwargs))
    catch_exit(monkeypatch)
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, text: warnings.append(text))
    fake.warnings = warnings
    return fake


def run(cucm, args, check=False):
    args = dict(CONNECTION, **args)
    if check:
        args['_ansible_check_mode'] = True
    with patch_module_args(args):
        with pytest.raises(Exit) as info:
            cucm_refresh_tokens.main()
    text = json.dumps(info.value.result)
    assert PASSWORD not in text
    for value in cucm.token_values():
        assert value not in text
    return info.value


def ok(cucm, args, **kwargs):
    outcome = run(cucm, args, **kwargs)
    assert not outcome.failed, outcome.result
    return outcome.result


def failed(cucm, args, **kwargs):
    outcome = run(cucm, args, **kwargs)
    assert outcome.failed, outcome.result
    return outcome.result


BUSY = ("CUCM cucm.example.com:8443: revoke refresh tokens of 'asmith' failed: server busy; HTTP 503; "
        "body busy. The server is throttling; gave up after 5 retries. Run again later, or raise retries")


def outcomes(result):
    return dict((item['user'], (item['outcome'], item['tokens'])) for item in result['results'])


def test_revokes_live_tokens_only_and_reports(cucm, tmp_path):
    values = cucm.token_values()
    report = tmp_path / 'report.jsonl'
    result = ok(cucm, dict(users=['jdoe', ' asmith ', 'nokens', 'ghost', "anne o'hara", 'jdoe', ''],
                           return_results='all', report_path=str(report)))
    assert result['changed'] is True
    assert outcomes(result) == {'jdoe': ('revoked', 2), 'asmith': ('revoked', 1), 'nokens': ('no_live_tokens', 0),
                                'ghost': ('unknown_user', 0), "anne o'hara": ('revoked', 1)}
    assert [item['user'] for item in result['results']] == ['jdoe', 'asmith', 'nokens', 'ghost', "anne o'hara"]
    assert result['changes'] == [{'name': 'jdoe', 'action': 'revoked', 'tokens': 2},
                                 {'name': 'asmith', 'action': 'revoked', 'tokens': 1},
                                 {'name': "anne o'hara", 'action': 'revoked', 'tokens': 1}]
    assert result['summary'] == dict(users=5, revoked=3, no_live_tokens=1, unknown_user=1, failed=0,
                                     not_attempted=0, tokens=4)
    assert sorted(cucm.revoke_calls()) == [('anne o\'hara', None), ('asmith', None), ('jdoe', None)]
    assert result['failed_users'] == [] and result['fallback_used'] is False and result['resumed'] == 0
    assert result['report_path'] == str(report) and result['revoke_calls'] == 3
    rows = [json.loads(line) for line in report.read_text(encoding='utf-8').splitlines()]
    assert [(r['user'], r['outcome'], r['tokens'], r['cluster']) for r in rows] == [
        ('jdoe', 'revoked', 2, 'cucm.example.com:8443'), ('asmith', 'revoked', 1, 'cucm.example.com:8443'),
        ('nokens', 'no_live_tokens', 0, 'cucm.example.com:8443'), ('ghost', 'unknown_user', 0, 'cucm.example.com:8443'),
        ("anne o'hara", 'revoked', 1, 'cucm.example.com:8443')]
    text = report.read_text(encoding='utf-8')
    assert not any(value in text for value in values)


def test_second_run_changes_nothing_and_calls_no_revoke(cucm):
    ok(cucm, dict(users=['jdoe', 'asmith']))
    calls = len(cucm.revoke_calls())
    result = ok(cucm, dict(users=['jdoe', 'asmith']))
    assert result['changed'] is False and result['changes'] == []
    assert len(cucm.revoke_calls()) == calls == 2
    assert result['summary']['no_live_tokens'] == 2 and result['results'] == []


@pytest.mark.parametrize('wanted, users', [('all', ['jdoe', 'nokens', 'ghost']), ('changed', ['jdoe']),
                                           ('failed', ['asmith']), ('none', [])])
def test_return_results(cucm, wanted, users):
    cucm.revoke_statuses['asmith'] = 503
    result = failed(cucm, dict(users=['jdoe', 'asmith', 'nokens', 'ghost'], return_results=wanted))
    expected = users if wanted != 'all' else ['jdoe', 'asmith', 'nokens', 'ghost']
    assert [item['user'] for item in result['results']] == expected
    assert result['failed_users'] == [{'user': 'asmith', 'reason': BUSY}]
    # changes: jdoe revoked, one entry per user, or, where results are cut down, one entry for them all
    if wanted in ('all', 'changed'):
        assert result['changes'] == [{'name': 'jdoe', 'action': 'revoked', 'tokens': 2}]
    else:
        assert result['changes'] == [{'name': 'refresh_tokens', 'action': 'revoked', 'tokens': 2, 'users': 1}]


def test_failed_user_fails_the_task_after_all_others(cucm, tmp_path):
    cucm.revoke_statuses['asmith'] = 503
    report = tmp_path / 'r.csv'
    result = failed(cucm, dict(users=['asmith', 'jdoe', "anne o'hara"], report_path=str(report)))
    assert result['msg'].startswith('1 of 3 users failed (all others were handled): asmith: CUCM')
    assert 'set journal_path to skip them' in result['msg']
    assert result['changed'] is True
    assert result['summary']['revoked'] == 2 and result['summary']['failed'] == 1
    assert "asmith,,failed,0,\"CUCM cucm.example.com:8443: revoke refresh tokens of 'asmith' failed" in report.read_text()


def test_check_mode_calls_no_revoke_and_writes_no_file(cucm, tmp_path):
    report = tmp_path / 'r.jsonl'
    journal = tmp_path / 'j.jsonl'
    result = ok(cucm, dict(users=['jdoe', 'nokens'], report_path=str(report), journal_path=str(journal)),
                check=True)
    assert result['changed'] is True
    assert outcomes(result) == {'jdoe': ('revoked', 2)}
    assert cucm.revoke_calls() == []
    assert len(cucm.tokens['jdoe']) == 2
    assert not report.exists() and not journal.exists()
    assert result['report_path'] is None


def test_check_mode_needs_no_writable_report_directory(cucm, tmp_path):
    result = ok(cucm, dict(users=['jdoe'], report_path=str(tmp_path / 'missing' / 'r.csv')), check=True)
    assert result['summary']['revoked'] == 1 and result['report_path'] is None
    assert not (tmp_path / 'missing').exists()


def test_rate_limit_is_one_limiter_shared_by_every_session(cucm):
    cucm.latency = 0.01
    for number in range(40):
        cucm.add_user('u%02d' % number, [JABBER])
    ok(cucm, dict(users=['u%02d' % n for n in range(40)], rate_limit=500, concurrency=4))
    limiters = [kwargs.get('rate_limiter') for kwargs in cucm.session_kwargs]
    assert len(limiters) == 1 + 4
    assert limiters[0] is not None and all(limiter is limiters[0] for limiter in limiters)
    assert limiters[0].interval == pytest.approx(1 / 500.0)


def test_no_rate_limit_by_default(cucm):
    ok(cucm, dict(users=['jdoe']))
    assert [kwargs.get('rate_limiter') for kwargs in cucm.session_kwargs] == [None, None]


@pytest.mark.parametrize('users, text', [
    (['ok', 'bad"one', 'x' * 129, 'tab\there'], '3 user IDs cannot be CUCM user IDs'),
    (['a\x00b'], 'users[0]: "a\\u0000b" (contains the control character U+0000)'),
])
def test_invalid_ids_fail_before_any_request(cucm, users, text):
    result = failed(cucm, dict(users=users))
    assert text in result['msg']
    assert cucm.sent == [] and cucm.sessions == 0


@pytest.mark.parametrize('users, text', [
    (['jdoe', True], 'users[1] is the boolean true'),
    ([False, 83, 1.5, None, {'a': 1}, ['x']], 'users[0] is the boolean false; users[1] is the number 83; users[2] '
                                              'is the number 1.5; users[3] is null (no value); users[4] is a '
                                              'dictionary (mapping); and 1 more'),
])
def test_a_user_id_that_is_not_text_is_refused_not_turned_into_text(cucm, users, text):
    """Issue 17: the YAML boolean true was looked up as the user "True"."""
    result = failed(cucm, dict(users=users))
    if None in users and "Elements value for option 'users'" in result['msg']:
        # ansible-core 2.16 to 2.18 refuse a null element themselves, before the module (in user words too)
        assert 'is null (no value), which cannot be read as a string' in result['msg']
    else:
        assert text in result['msg'] and 'quote the IDs' in result['msg']
    assert not [word for word in ('<class', 'NoneType', "'bool'", 'True', 'False') if word in result['msg']]
    assert cucm.sent == [] and cucm.sessions == 0


@pytest.mark.parametrize('args, text', [
    (dict(client_id=True), 'client_id must be a string, got the boolean true'),
    (dict(concurrency=0), 'concurrency must be between 1 and 32, got 0'),
    (dict(concurrency=33), 'concurrency must be between 1 and 32, got 33'),
    (dict(rate_limit=0), 'rate_limit must be greater than 0'),
    (dict(rate_limit=1001), 'rate_limit must be greater than 0'),
    (dict(client_id='C1\x01x'), 'client_id contains the control character U+0001'),
    (dict(client_id=' '), 'client_id is empty'),
    (dict(csv_column=' '), 'csv_column is empty'),
    (dict(report_path='/nonexistent-dir/r.csv'), 'report_path: the directory /nonexistent-dir does not exist'),
    (dict(retries=21), 'retries must be between 0 and 20'),
])
def test_options_are_checked_before_any_request(cucm, args, text):
    result = failed(cucm, dict(users=['jdoe'], **args))
    assert text in result['msg']
    assert cucm.sent == []


def test_bad_axl_version_fails_before_the_journal_is_touched(cucm, tmp_path):
    journal = tmp_path / 'j.jsonl'
    result = failed(cucm, dict(users=['jdoe'], axl_version='fourteen', journal_path=str(journal)))
    assert 'axl_version must be a schema version' in result['msg']
    assert cucm.sent == [] and not journal.exists()


def test_users_or_users_file_is_required(cucm):
    result = failed(cucm, dict())
    assert 'one of the following is required: users, users_file' in result['msg']


def test_users_file_csv(cucm, tmp_path):
    path = tmp_path / 'leavers.csv'
    path.write_text(u'Name;Login\nJohn;jdoe\nAnne;anne o\'hara\n', encoding='utf-8')
    result = ok(cucm, dict(users_file=str(path), csv_column='login'))
    assert sorted(user for user, _c in cucm.revoke_calls()) == ["anne o'hara", 'jdoe']
    assert result['summary']['users'] == 2


def test_sql_fault_fails_before_any_revoke_unless_the_fallback_is_allowed(cucm):
    cucm.sql_fault = axl_fault('A syntax error has occurred', 201)
    result = failed(cucm, dict(users=['jdoe', 'nokens', 'ghost']))
    assert 'cannot be asked which users hold live refresh tokens' in result['msg']
    assert 'fallback_revoke_all: true' in result['msg'] and 'axlcode 201' in result['msg']
    assert cucm.revoke_calls() == []


def test_sql_fault_falls_back_with_a_warning(cucm):
    cucm.sql_fault = axl_fault('A syntax error has occurred', 201)
    result = ok(cucm, dict(users=['jdoe', 'nokens', 'ghost'], return_results='all', fallback_revoke_all=True))
    assert result['fallback_used'] is True and result['fallback_revokes'] == 3
    assert outcomes(result) == {'jdoe': ('revoked', 2), 'nokens': ('no_live_tokens', 0), 'ghost': ('unknown_user', 0)}
    assert len(cucm.revoke_calls()) == 3
    assert any('revoke was called for every user' in w and 'axlcode 201' in w and '(3 revoke calls)' in w
               for w in cucm.warnings)


def test_sql_fault_in_check_mode_reports_every_user_as_would_revoke(cucm):
    cucm.sql_fault = axl_fault('A syntax error has occurred', 201)
    result = ok(cucm, dict(users=['jdoe', 'nokens'], return_results='all', fallback_revoke_all=True), check=True)
    assert outcomes(result) == {'jdoe': ('revoked', None), 'nokens': ('revoked', None)}
    assert cucm.revoke_calls() == []


def test_401_stops_the_run_and_keeps_the_journal(cucm, tmp_path):
    for number in range(50):
        cucm.add_user('u%02d' % number, [JABBER])
    cucm.auth_fail_after = 5
    journal = tmp_path / 'j.jsonl'
    users = ['u%02d' % n for n in range(50)]
    result = failed(cucm, dict(users=users, concurrency=2, journal_path=str(journal)))
    assert 'authentication failed' in result['msg'] and 'Check username and password' in result['msg']
    assert 'Stopped after 5 of 50 users (45 not attempted)' in result['msg']
    assert result['error']['status'] == 401
    assert len(cucm.revoke_calls()) <= 5 + 2
    lines = [line for line in journal.read_text().splitlines() if '"attempt"' not in line]
    assert len(lines) == 1 + 5 and 'complete' not in lines[-1]

    cucm.auth_fail_after = None
    calls = len(cucm.revoke_calls())
    result = ok(cucm, dict(users=users, concurrency=2, journal_path=str(journal)))
    assert result['resumed'] == 5 and result['summary']['revoked'] == 50
    assert len(cucm.revoke_calls()) - calls == 45
    assert set(u for u, _c in cucm.revoke_calls()[calls:]).isdisjoint(
        set(json.loads(line)['user'] for line in lines[1:]))
    assert '"complete": true' in journal.read_text().splitlines()[-1]


def test_journal_of_another_cluster_is_refused(cucm, tmp_path):
    journal = tmp_path / 'j.jsonl'
    ok(cucm, dict(users=['jdoe'], journal_path=str(journal)))
    result = failed(cucm, dict(users=['jdoe'], journal_path=str(journal), host='cucm2.example.com'))
    assert 'was written for cluster cucm.example.com:8443' in result['msg']
    assert 'cucm2.example.com:8443' in result['msg']
    assert len(cucm.sql_calls()) == 1                  # the first run's; the refused one asked nothing


def test_client_id_revokes_that_client_only(cucm):
    result = ok(cucm, dict(users=['jdoe', 'asmith'], client_id=UDS, return_results='all'))
    assert outcomes(result) == {'jdoe': ('revoked', 1), 'asmith': ('no_live_tokens', 0)}
    assert cucm.revoke_calls() == [('jdoe', UDS)]


def test_report_csv_by_extension(cucm, tmp_path):
    report = tmp_path / 'r.CSV'
    ok(cucm, dict(users=['jdoe'], report_path=str(report)))
    assert report.read_text().splitlines()[0] == 'time,cluster,user,client_id,outcome,tokens,reason'
    assert oct(os.stat(str(report)).st_mode & 0o777) == '0o600'
