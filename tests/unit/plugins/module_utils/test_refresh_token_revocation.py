# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import json
import os
import threading
import time

import pytest

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import UCError, Unavailable
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_axl import (
    MEMORY_FAULT_TEXT, AxlClient, sql_literal)
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_rest import (
    FAILED, NO_TOKENS, REVOKED, UNKNOWN_USER, SsospClient)
from ansible_collections.collab.uc.plugins.module_utils.domain.revocation import (
    _input, _journal, _lookup, _outcome, _report, _run)
from ansible_collections.collab.uc.plugins.module_utils.domain._run_lock import RunLock
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.refresh_token_fake import (
    DROP, FakeCucm, axl_fault, JABBER, UDS,
)

CLUSTER = 'cucm.example.com:8443'


# -- user IDs -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize('user_id', ['jdoe', 'anne o hara', "o'hara", 'a&b', '100%', 'r&d#1', u'j\u00fcrgen.m\u00fcller',
                                     u'\u6731\u5c0f\u660e', 'a+b/c?d=e', 'x' * 128])
def test_user_ids_cucm_can_hold_are_accepted(user_id):
    assert _input.user_id_problem(user_id) is None


@pytest.mark.parametrize('user_id, problem', [
    ('x' * 129, 'longer than 128 characters'),
    ('a\x00b', 'U+0000'),
    ('a\tb', 'U+0009'),
    ('a\x7fb', 'U+007F'),
    (u'a\u2028b', 'U+2028'),
    ('say "hi"', 'contains "'),
    ('<script>', 'contains <'),
    ('a>b', 'contains >'),
])
def test_user_ids_cucm_cannot_hold_are_refused(user_id, problem):
    assert problem in _input.user_id_problem(user_id)


def test_user_list_trims_and_drops_blanks_and_duplicates():
    users = _input.UserList()
    for raw in ['  jdoe ', '', '   ', 'jdoe', 'asmith\r\n', u'\u00a0bwong\u00a0', 'asmith']:
        users.add('x', raw)
    assert users.ids == ['jdoe', 'asmith', 'bwong']
    assert users.duplicates == 2
    assert users.invalid_message() is None


def test_invalid_message_names_the_first_five_and_the_count():
    users = _input.UserList()
    for number in range(8):
        users.add('users[%d]' % number, 'bad%d"' % number)
    users.add('users[8]', 'fine')
    message = users.invalid_message()
    assert message.startswith('8 user IDs cannot be CUCM user IDs')
    for number in range(5):
        assert 'users[%d]: "bad%d\\""' % (number, number) in message
    assert 'bad5' not in message
    assert 'and 3 more' in message
    assert 'Nothing was sent to CUCM' in message
    assert users.ids == ['fine']


# -- reading files --------------------------------------------------------------------------------------------
def test_lines_file_with_bom_crlf_blanks_and_list(tmp_path):
    path = tmp_path / 'leavers.txt'
    path.write_bytes(u'\ufeffjdoe\r\n\r\n  asmith  \r\nanne o,hara\r\nj\u00fcrgen\r\njdoe\r\nlast'.encode('utf-8'))
    users = _input.read_users(['first', 'asmith'], str(path))
    assert users.ids == ['first', 'asmith', 'jdoe', 'anne o,hara', u'j\u00fcrgen', 'last']
    assert users.duplicates == 2


def test_lines_file_names_the_line_of_a_bad_id(tmp_path):
    path = tmp_path / 'leavers.txt'
    path.write_text('jdoe\n\nbad<id>\n')
    message = _input.read_users(None, str(path)).invalid_message()
    assert 'leavers.txt line 3: "bad<id>" (contains <)' in message


@pytest.mark.parametrize('name, text, column, expected', [
    ('leavers.csv', 'Name,UserID,Dept\nJohn,jdoe,IT\n"Hara, Anne","o\'hara",HR\n,,\nBo,  bwong ,X\n', None,
     ['jdoe', "o'hara", 'bwong']),
    ('leavers.csv', 'login;mail\njdoe;j@x\nasmith;a@x\n', 'Login', ['jdoe', 'asmith']),
    ('export.txt', 'mail\tlogin\nj@x\tjdoe\n', 'LOGIN', ['jdoe']),
    ('leavers.csv', 'account\njdoe\nasmith\n', None, ['jdoe', 'asmith']),
    ('leavers.csv', '\n\nx,user_id\n1,jdoe\nshort\n', None, ['jdoe']),
])
def test_csv_files(tmp_path, name, text, column, expected):
    path = tmp_path / name
    path.write_text(text, encoding='utf-8')
    assert _input.read_users(None, str(path), 'auto', column).ids == expected


def test_csv_names_the_file_line_of_a_bad_id(tmp_path):
    path = tmp_path / 'leavers.csv'
    path.write_text('\n\nuserid\njdoe\n"two\nlines"\nbad>\n')
    message = _input.read_users(None, str(path)).invalid_message()
    assert '2 user IDs' in message
    assert 'leavers.csv line 6: "two\\nlines" (contains the control character U+000A)' in message
    assert 'leavers.csv line 7: "bad>"' in message


def test_csv_without_the_column_names_the_columns(tmp_path):
    path = tmp_path / 'leavers.csv'
    path.write_text('name,mail\nJohn,j@x\n')
    with pytest.raises(_input.InputError) as info:
        _input.read_users(None, str(path))
    assert '"userid" or "user_id" or "user id"' in str(info.value)
    assert '"name", "mail"' in str(info.value)
    assert 'csv_column' in str(info.value)


def test_format_lines_reads_a_csv_name_as_lines(tmp_path):
    path = tmp_path / 'odd.csv'
    path.write_text('a,b\n')
    assert _input.read_users(None, str(path), 'lines').ids == ['a,b']


def test_not_utf8_and_missing_files_are_input_errors(tmp_path):
    path = tmp_path / 'latin1.txt'
    path.write_bytes(u'j\u00fcrgen\n'.encode('latin-1'))
    with pytest.raises(_input.InputError, match='is not UTF-8 text'):
        _input.read_users(None, str(path))
    with pytest.raises(_input.InputError, match='cannot read users_file'):
        _input.read_users(None, str(tmp_path / 'missing.txt'))


def test_check_writable_path(tmp_path):
    _input.check_writable_path('report_path', str(tmp_path / 'r.csv'))
    with pytest.raises(_input.InputError, match='does not exist'):
        _input.check_writable_path('report_path', str(tmp_path / 'nope' / 'r.csv'))
    with pytest.raises(_input.InputError, match='is a directory'):
        _input.check_writable_path('journal_path', str(tmp_path))


# -- lookups --------------------------------------------------------------------------------------------------
def test_chunks_respect_count_and_size_and_keep_order():
    users = ['u%05d' % n for n in range(1203)] + ["q'" * 64] * 3
    chunks = list(_lookup.lookup_chunks(users))
    assert [u for chunk in chunks for u in chunk] == users
    assert max(len(c) for c in chunks) == _lookup.LOOKUP_CHUNK_USERS
    long_ids = ["'" * 128 + str(n) for n in range(600)]
    chunks = list(_lookup.lookup_chunks(long_ids))
    assert [u for chunk in chunks for u in chunk] == long_ids
    for chunk in chunks:
        size = sum(len(sql_literal(u).encode('utf-8')) + 2 for u in chunk)
        assert size <= _lookup.LOOKUP_CHUNK_BYTES
    assert len(chunks) > 3


def make_lookup(cucm, client_id=None, clock=time.time, allow_fallback=False, sleeps=None):
    return _lookup.LiveTokenLookup(AxlClient(cucm.session(), '14.0'), client_id, clock=clock,
                                   allow_fallback=allow_fallback,
                                   sleep=(sleeps.append if sleeps is not None else lambda _s: None))


def test_lookup_finds_existing_users_and_live_tokens_with_escaped_sql():
    cucm = FakeCucm({"o'hara": [JABBER, UDS], 'jdoe': [], u'j\u00fcrgen & co': [JABBER]})
    cucm.add_user('expired', [JABBER], validity=int(time.time()) - 3600)
    found = make_lookup(cucm).lookup(["o'hara", 'jdoe', 'ghost', u'j\u00fcrgen & co', 'expired'])
    assert found.existing == set(["o'hara", 'jdoe', u'j\u00fcrgen & co', 'expired'])
    assert found.live == {"o'hara": 2, u'j\u00fcrgen & co': 1}
    sql = cucm.sql_calls()
    assert len(sql) == 2
    assert "refreshtokendetails WHERE userid IN ('o''hara', 'jdoe', 'ghost', 'j\u00fcrgen & co', 'expired')" in sql[0]
    assert 'clientid' not in sql[0]
    # users holding tokens exist: enduser is only asked about the others
    assert sql[1] == "SELECT userid FROM enduser WHERE userid IN ('jdoe', 'ghost', 'expired')"


def test_lookup_asks_enduser_nothing_when_every_user_holds_tokens():
    cucm = FakeCucm({'jdoe': [JABBER], 'asmith': [UDS]})
    found = make_lookup(cucm).lookup(['jdoe', 'asmith'])
    assert found.existing == set(['jdoe', 'asmith']) and found.live == {'jdoe': 1, 'asmith': 1}
    assert len(cucm.sql_calls()) == 1


def test_lookup_with_client_id_counts_that_client_only_and_allows_for_clock_skew():
    cucm = FakeCucm({'jdoe': [JABBER, UDS], 'asmith': [UDS]})
    found = make_lookup(cucm, JABBER, clock=lambda: 1000000).lookup(['jdoe', 'asmith'])
    assert found.live == {'jdoe': 1}
    assert "AND validity > %d AND clientid = '%s' GROUP BY userid" % (1000000 - _lookup.CLOCK_SKEW_SECONDS, JABBER) \
        in cucm.sql_calls()[0]


def test_lookup_splits_a_chunk_whose_reply_is_too_large():
    users = dict(('u%d' % n, [JABBER]) for n in range(10))
    cucm = FakeCucm(users)
    cucm.too_large_over = 3
    found = make_lookup(cucm).lookup(sorted(users))
    assert found.live == dict((u, 1) for u in users)
    assert found.existing == set(users)


def test_lookup_fault_falls_back_and_is_not_asked_again():
    cucm = FakeCucm({'jdoe': [JABBER]})
    cucm.sql_fault = axl_fault('The specified table (refreshtokendetails) is not in the database.', 201)
    lookup = make_lookup(cucm, allow_fallback=True)
    first = lookup.lookup(['jdoe'])
    second = lookup.lookup(['asmith'])
    assert (first.existing, first.live, second.existing, second.live) == (None, None, None, None)
    assert len(cucm.sql_calls()) == 2
    assert lookup.fallback_used
    assert 'refreshtokendetails' in lookup.warning() and 'axlcode 201' in lookup.warning()


def test_lookup_fault_without_the_fallback_fails_clearly():
    cucm = FakeCucm({'jdoe': [JABBER]})
    cucm.sql_fault = axl_fault('The specified table (refreshtokendetails) is not in the database.', 201)
    with pytest.raises(UCError) as info:
        make_lookup(cucm).lookup(['jdoe'])
    assert 'fallback_revoke_all: true' in str(info.value) and 'not in the database' in str(info.value)
    assert str(info.value).count('HTTP 500') == 1
    assert len(cucm.sql_calls()) == 1


def test_lookup_throttling_is_retried_with_backoff_then_fails_without_fallback():
    cucm = FakeCucm({'jdoe': [JABBER]})
    cucm.sql_fault = axl_fault(MEMORY_FAULT_TEXT.capitalize(), -1)
    sleeps = []
    with pytest.raises(UCError) as info:
        make_lookup(cucm, allow_fallback=True, sleeps=sleeps).lookup(['jdoe'])
    assert 'stayed too busy' in str(info.value)
    assert len(sleeps) == _lookup.LOOKUP_ATTEMPTS - 1 and sleeps[0] >= _lookup.LOOKUP_BACKOFF_BASE / 2


def test_lookup_auth_failure_raises():
    cucm = FakeCucm({'jdoe': [JABBER]})

    class Refusing(object):
        def execute_sql_query(self, sql, label=None):
            raise UCError('authentication failed', host=CLUSTER, operation=label, status=401)

    with pytest.raises(UCError):
        _lookup.LiveTokenLookup(Refusing()).lookup(['jdoe'])
    assert cucm.sent == []


# -- journal and report -------------------------------------------------------------------------------------
FOREVER = 10 ** 10


def outcome(user, what=REVOKED, tokens=1, reason=None):
    return _outcome.Outcome(user, what, tokens, reason, 1778569253)


def test_journal_resumes_final_outcomes_retries_failed_and_cuts_a_torn_line(tmp_path):
    path = str(tmp_path / 'j.jsonl')
    journal = _journal.Journal(path, CLUSTER, None).load().open()
    journal.record(outcome('jdoe', tokens=2))
    journal.record(outcome('ghost', UNKNOWN_USER, 0))
    journal.record(outcome('bwong', FAILED, 0, 'HTTP 503'))
    journal.record(outcome('nokens', NO_TOKENS, 0))
    journal.record(outcome('again', FAILED, 0, 'x'))
    journal.record(outcome('again', REVOKED, 1))
    journal.close()
    with open(path, 'a') as handle:
        handle.write('{"time": "2026-05-12T07:00:53Z", "user": "torn", "outc')
    resumed = _journal.Journal(path, CLUSTER, None, max_age=FOREVER).load()
    assert sorted(resumed.previous) == ['again', 'ghost', 'jdoe', 'nokens']
    assert resumed.previous['jdoe'].tokens == 2 and resumed.previous['jdoe'].resumed
    assert _outcome.utc_iso(resumed.previous['jdoe'].time) == '2026-05-12T07:00:53Z'
    resumed.open()
    resumed.record(outcome('bwong'))
    resumed.close()
    with open(path) as handle:
        lines = [json.loads(line) for line in handle]  # every line whole again: the torn one was cut off
    assert [line.get('user') for line in lines[1:]] == ['jdoe', 'ghost', 'bwong', 'nokens', 'again', 'again',
                                                        'bwong']
    assert oct(os.stat(path).st_mode & 0o777) == '0o600'


def test_journal_of_a_complete_run_starts_afresh(tmp_path):
    path = str(tmp_path / 'j.jsonl')
    journal = _journal.Journal(path, CLUSTER, None).load().open()
    journal.record(outcome('jdoe'))
    journal.complete()
    journal.close()
    again = _journal.Journal(path, CLUSTER, None).load()
    assert again.previous == {}
    again.open().close()
    with open(path) as handle:
        lines = handle.readlines()
    assert len(lines) == 1 and json.loads(lines[0])['journal'] == _journal.JOURNAL_KIND


@pytest.mark.parametrize('cluster, client_id, text', [
    ('other.example.com:8443', None, 'was written for cluster cucm.example.com:8443 and client_id null'),
    (CLUSTER, JABBER, 'use one journal per cluster and client_id'),
])
def test_journal_of_another_cluster_or_client_is_refused(tmp_path, cluster, client_id, text):
    path = str(tmp_path / 'j.jsonl')
    _journal.Journal(path, CLUSTER, None).load().open().close()
    with pytest.raises(_journal.JournalError) as info:
        _journal.Journal(path, cluster, client_id).load()
    assert text in str(info.value)


def test_a_file_that_is_not_a_journal_is_refused_and_left_alone(tmp_path):
    path = tmp_path / 'notes.txt'
    path.write_text('my notes\n')
    with pytest.raises(_journal.JournalError, match='is not a journal'):
        _journal.Journal(str(path), CLUSTER, None).load()
    assert path.read_text() == 'my notes\n'


def test_journal_counts_garbled_lines(tmp_path):
    path = str(tmp_path / 'j.jsonl')
    journal = _journal.Journal(path, CLUSTER, None).load().open()
    journal.close()
    with open(path, 'a') as handle:
        handle.write('garbage\n{"user": "jdoe", "outcome": "revoked", "tokens": 1, "time": "2026-05-12T07:00:53Z"}\n'
                     '{"user": "asmith", "outcome": "revoked", "tokens": 1, "time": "x"}\n')
    again = _journal.Journal(path, CLUSTER, None, max_age=FOREVER).load()
    assert again.ignored_lines == 1 and again.stale == 1    # an entry of unknown age is not trusted
    assert list(again.previous) == ['jdoe']


def test_journal_trusts_only_the_same_user_list_within_the_age(tmp_path):
    path = str(tmp_path / 'j.jsonl')
    now = 1778569253 + 3600
    journal = _journal.Journal(path, CLUSTER, None, ['jdoe', 'asmith', 'nokens']).load().open()
    journal.record(outcome('jdoe', tokens=2))
    journal.record(outcome('nokens', NO_TOKENS, 0))
    journal.attempt('asmith', 1, now=1778569253)
    journal.close()
    same = _journal.Journal(path, CLUSTER, None, ['jdoe', 'asmith', 'nokens'], clock=lambda: now).load()
    assert sorted(same.previous) == ['jdoe', 'nokens'] and same.evidence == {'asmith': 1}
    other = _journal.Journal(path, CLUSTER, None, ['jdoe', 'asmith'], clock=lambda: now).load()
    assert other.previous == {} and other.evidence == {'jdoe': 2, 'asmith': 1} and other.other_users
    late = _journal.Journal(path, CLUSTER, None, ['jdoe', 'asmith', 'nokens'], max_age=60, clock=lambda: now).load()
    assert late.previous == {} and late.evidence == {} and late.stale == 3


def test_lock_names_the_other_run_and_can_wait(tmp_path):
    path = str(tmp_path / 'j.jsonl')
    first = RunLock('journal_path', path, error=_journal.JournalError).acquire()
    with pytest.raises(_journal.JournalError) as info:
        RunLock('journal_path', path, error=_journal.JournalError).acquire()
    assert 'in use by another run (PID %d, started ' % os.getpid() in str(info.value)
    assert 'lock_timeout' in str(info.value)
    sleeps = []
    clock = iter(range(100)).__next__
    with pytest.raises(_journal.JournalError) as info:
        RunLock('journal_path', path, clock=clock, sleep=sleeps.append, error=_journal.JournalError).acquire(timeout=3)
    assert sleeps and 'longer than 3 seconds' in str(info.value)
    first.release()
    RunLock('journal_path', path, error=_journal.JournalError).acquire().release()


@pytest.mark.parametrize('fmt', ['csv', 'jsonl'])
def test_report_is_written_atomically(tmp_path, fmt):
    path = str(tmp_path / ('report.' + fmt))
    with open(path, 'w') as handle:
        handle.write('old')
    items = [outcome(u'j\u00fcrgen, "the" boss', tokens=2), outcome('ghost', UNKNOWN_USER, 0),
             outcome('bwong', FAILED, 0, 'HTTP 503: busy')]
    _report.write_report(path, fmt, CLUSTER, JABBER, items)
    assert sorted(os.listdir(str(tmp_path))) == ['report.' + fmt]
    with open(path, encoding='utf-8', newline='') as handle:
        if fmt == 'csv':
            rows = list(csv.DictReader(handle))
        else:
            rows = [json.loads(line) for line in handle]
    assert [row['user'] for row in rows] == [u'j\u00fcrgen, "the" boss', 'ghost', 'bwong']
    assert rows[0]['time'] == '2026-05-12T07:00:53Z'
    assert rows[0]['cluster'] == CLUSTER and rows[0]['client_id'] == JABBER
    assert str(rows[0]['tokens']) == '2' and rows[2]['outcome'] == 'failed' and rows[2]['reason'] == 'HTTP 503: busy'
    assert list(rows[0]) == list(_report.REPORT_FIELDS)


def test_report_failure_leaves_no_temporary_file(tmp_path):
    class Boom(object):
        def __iter__(self):
            yield outcome('jdoe')
            raise RuntimeError('boom')

    with pytest.raises(RuntimeError):
        _report.write_report(str(tmp_path / 'r.jsonl'), 'jsonl', CLUSTER, None, Boom())
    assert os.listdir(str(tmp_path)) == []


# -- the run --------------------------------------------------------------------------------------------------
def revocation(cucm, users, **kwargs):
    lookup = kwargs.pop('lookup', None) or make_lookup(cucm, kwargs.get('client_id'))
    return _run.Revocation(users, lookup, lambda: SsospClient(cucm.session()), cluster=CLUSTER, **kwargs).run()


def test_run_revokes_only_users_with_live_tokens_in_parallel():
    users = dict(('u%03d' % n, [JABBER] * (n % 3)) for n in range(120))
    cucm = FakeCucm(users, latency=0.01)
    run = revocation(cucm, sorted(users) + ['ghost'], concurrency=6)
    revoked = sorted(u for u, c in users.items() if c)
    assert sorted(user for user, _client in cucm.revoke_calls()) == revoked
    assert cucm.max_in_flight == 6
    assert cucm.sessions == 1 + 6          # the lookup's and one per worker
    summary = run.summary()
    assert summary == dict(users=121, revoked=80, no_live_tokens=40, unknown_user=1, failed=0, not_attempted=0,
                           tokens=120)
    assert run.changed and run.complete and run.revoke_calls == 80
    assert [item.user for item in run.ordered()] == sorted(users) + ['ghost']


def test_run_second_time_calls_no_revoke():
    cucm = FakeCucm({'jdoe': [JABBER], 'asmith': [UDS]})
    revocation(cucm, ['jdoe', 'asmith'])
    before = len(cucm.revoke_calls())
    run = revocation(cucm, ['jdoe', 'asmith'])
    assert len(cucm.revoke_calls()) == before == 2
    assert not run.changed and run.summary()['no_live_tokens'] == 2


def test_run_check_mode_calls_no_revoke():
    cucm = FakeCucm({'jdoe': [JABBER, UDS], 'nokens': []})
    run = revocation(cucm, ['jdoe', 'nokens'], check_mode=True)
    assert cucm.revoke_calls() == []
    assert run.changed
    assert [(i.user, i.outcome, i.tokens) for i in run.ordered()] == [
        ('jdoe', 'revoked', 2), ('nokens', 'no_live_tokens', 0)]
    assert len(cucm.tokens['jdoe']) == 2


def test_run_failed_user_does_not_stop_the_others():
    users = dict(('u%02d' % n, [JABBER]) for n in range(20))
    cucm = FakeCucm(users)
    cucm.revoke_statuses['u05'] = 503
    cucm.revoke_bodies['u06'] = (500, '{"refresh_token": "%s", "error": "oops"}' % ('ab' * 32))
    run = revocation(cucm, sorted(users), concurrency=4, throttle_attempts=2, backoff_base=0.01, backoff_cap=0.02)
    outcomes = dict((i.user, i) for i in run.ordered())
    assert outcomes['u05'].outcome == 'failed' and 'busy' in outcomes['u05'].reason
    assert run.throttled_retries == 2
    assert outcomes['u06'].outcome == 'failed' and 'ab' * 32 not in outcomes['u06'].reason
    assert run.summary()['revoked'] == 18 and not run.complete and run.stop_error is None


def test_run_stops_at_once_on_401_and_journals_what_finished(tmp_path):
    users = ['u%03d' % n for n in range(200)]
    cucm = FakeCucm(dict((u, [JABBER]) for u in users), latency=0.005)
    cucm.auth_fail_after = 10
    journal = _journal.Journal(str(tmp_path / 'j'), CLUSTER, None).load().open()
    run = revocation(cucm, users, concurrency=4, journal=journal)
    journal.close()
    assert run.stop_error is not None and run.stop_error.status == 401
    # in flight when the first 401 came: at most one per worker beyond the ten that worked
    assert 11 <= len(cucm.revoke_calls()) <= 10 + 4
    summary = run.summary()
    assert summary['revoked'] == 10 and summary['failed'] == 0 and summary['not_attempted'] == 190
    assert len(_journal.Journal(str(tmp_path / 'j'), CLUSTER, None).load().previous) == 10


def test_run_stops_after_too_many_failures_in_a_row():
    users = ['u%03d' % n for n in range(300)]
    cucm = FakeCucm(dict((u, [JABBER]) for u in users))
    for user in users:
        cucm.revoke_statuses[user] = DROP
    run = revocation(cucm, users, concurrency=2)
    assert 'users in a row failed' in str(run.stop_error)
    asked = set(user for user, _client in cucm.revoke_calls())
    assert _run.MIN_CONSECUTIVE_FAILURES <= len(asked) <= _run.MIN_CONSECUTIVE_FAILURES + 2
    # a dropped answer is settled by reading the tokens again: still live, the revoke is sent once more, and a
    # second drop fails the user
    assert len(cucm.revoke_calls()) == 2 * len(asked)


def test_run_skips_users_resumed_from_a_journal():
    cucm = FakeCucm({'jdoe': [JABBER], 'asmith': [JABBER]})
    previous = {'jdoe': _outcome.Outcome('jdoe', REVOKED, 1, None, 1778569253, resumed=True)}
    run = revocation(cucm, ['jdoe', 'asmith'], previous=previous)
    assert cucm.revoke_calls() == [('asmith', None)]
    assert 'jdoe' not in ' '.join(cucm.sql_calls())
    assert run.resumed == 1 and [i.resumed for i in run.ordered()] == [True, False]


def test_run_falls_back_to_revoke_for_everybody_when_sql_faults():
    cucm = FakeCucm({'jdoe': [JABBER], 'nokens': []})
    cucm.sql_fault = axl_fault('A syntax error has occurred', 201)
    run = revocation(cucm, ['jdoe', 'nokens', 'ghost'], lookup=make_lookup(cucm, allow_fallback=True))
    assert sorted(u for u, _c in cucm.revoke_calls()) == ['ghost', 'jdoe', 'nokens']
    assert [(i.user, i.outcome) for i in run.ordered()] == [
        ('jdoe', 'revoked'), ('nokens', 'no_live_tokens'), ('ghost', 'unknown_user')]
    assert run.lookup.fallback_used


def test_run_with_client_id_passes_it_to_revoke():
    cucm = FakeCucm({'jdoe': [JABBER, UDS]})
    run = revocation(cucm, ['jdoe'], client_id=UDS)
    assert cucm.revoke_calls() == [('jdoe', UDS)]
    assert [t.client for t in cucm.tokens['jdoe']] == [JABBER]
    assert run.ordered()[0].tokens == 1


def test_unexpected_exception_fails_only_that_user():
    cucm = FakeCucm({'jdoe': [JABBER], 'asmith': [JABBER]})
    calls = []
    lock = threading.Lock()

    class Flaky(object):
        def revoke(self, user, client_id):
            with lock:
                calls.append(user)
            if user == 'jdoe':
                raise KeyError('clientID_tokens')
            return REVOKED, 1, None

    run = _run.Revocation(['jdoe', 'asmith'], make_lookup(cucm), Flaky, cluster=CLUSTER).run()
    outcomes = dict((i.user, (i.outcome, i.reason)) for i in run.ordered())
    assert outcomes['jdoe'][0] == 'failed' and 'clientID_tokens' in outcomes['jdoe'][1]
    assert outcomes['asmith'] == ('revoked', None)


def test_lock_file_is_removed_at_the_end_and_a_stale_one_is_taken(tmp_path):
    path = str(tmp_path / 'report.csv')
    with open(path + '.lock', 'w') as handle:
        handle.write('{"pid": 1, "started": "2026-05-12T07:00:53Z"}\n')     # left by a run killed with -9
    lock = RunLock('report_path', path, error=_journal.JournalError).acquire()
    with open(path + '.lock') as handle:
        assert json.loads(handle.read())['pid'] == os.getpid()
    lock.release()
    assert os.listdir(str(tmp_path)) == []


def test_a_throttled_revoke_waits_on_the_delayed_queue_not_in_its_worker():
    """One worker: the throttled user goes back on the queue (Retry-After honoured) and the worker revokes the
    others meanwhile; the throttled user is revoked once, after its wait, and the window was cut."""
    users = dict(('u%02d' % n, [JABBER]) for n in range(6))
    cucm = FakeCucm(users)
    cucm.revoke_statuses['u00'] = 503
    lookup = make_lookup(cucm)
    order = []

    class Revoker(object):
        def __init__(self):
            self.inner = SsospClient(cucm.session())
            self.inner.session.throttle_retries = 0

        def revoke(self, user, client_id=None):
            order.append(user)
            if user == 'u00' and order.count('u00') == 2:
                cucm.revoke_statuses.pop('u00')
            return self.inner.revoke(user, client_id)

    run = _run.Revocation(sorted(users), lookup, Revoker, cluster=CLUSTER, concurrency=1, backoff_base=0.2,
                          backoff_cap=0.2).run()
    assert run.summary()['revoked'] == 6 and run.throttled_retries == 1
    assert order[0] == 'u00' and order[1] == 'u01'          # the worker took the next user at once
    assert order.count('u00') == 2 and order[-1] == 'u00'   # retried after its delay (0.2 s), once
    assert run.limiter.throttled_count == 1 and run.limiter.window == 1.0


@pytest.mark.parametrize('congested, steps', [(False, [0, 0, 0]), (True, [0, 1, 2])])
def test_a_refusal_at_random_is_retried_after_the_first_backoff_step_and_congestion_backs_off(
        monkeypatch, congested, steps):
    """One user refused three times among 19 served: not congestion (the adaptive limiter's share), so each retry
    waits the first step of the backoff; while the server is congested (paced after a rate limit), the steps grow
    with the user's tries."""
    users = dict(('u%02d' % n, [JABBER]) for n in range(20))
    cucm = FakeCucm(users)
    cucm.revoke_statuses['u05'] = 503
    seen = []
    monkeypatch.setattr(_run, 'backoff_delay', lambda step, base, cap: seen.append(step) or 0.0)
    limiter = _run.AdaptiveLimiter(4)
    if congested:
        limiter.paced_since = 0.0
    run = revocation(cucm, sorted(users), concurrency=4, throttle_attempts=3, limiter=limiter)
    assert seen == steps and run.throttled_retries == 3
    assert run.summary()['revoked'] == 19 and limiter.congested is congested


@pytest.mark.parametrize('congested, retry_after, steps, floor', [
    (False, None, [0, 0, 0, 1, 2, 3, 4, 5], 0.0),      # at random: three retries at the first step, then growing
    (True, None, [0, 1, 2, 3, 4, 5, 6, 7], 0.0),       # congested: growing from the first retry
    (False, '3', [0, 0, 0, 1, 2, 3, 4, 5], 3.0),       # a Retry-After is honoured, at least that long
])
def test_the_retry_delay_of_a_throttled_user(monkeypatch, congested, retry_after, steps, floor):
    seen = []
    monkeypatch.setattr(_run, 'backoff_delay', lambda step, base, cap: seen.append((step, base, cap)) or 0.05)
    limiter = _run.AdaptiveLimiter(4)
    if congested:
        limiter.paced_since = 0.0
    run = _run.Revocation([], None, None, limiter=limiter, backoff_base=0.1, backoff_cap=4.0)
    busy = Unavailable('server busy', host=CLUSTER, operation='revoke', status=503, product='CUCM')
    busy.retry_after = retry_after
    delays = [run.retry_delay(busy, tries) for tries in range(8)]
    assert seen == [(step, 0.1, 4.0) for step in steps]
    assert delays == [max(0.05, floor)] * 8


def test_the_retry_delay_grows_with_jitter_as_the_transport_backs_off():
    run = _run.Revocation([], None, None, backoff_base=0.1, backoff_cap=4.0)
    busy = Unavailable('server busy', host=CLUSTER, operation='revoke', status=503, product='CUCM')
    first = [run.retry_delay(busy, 0) for dummy in range(200)]
    fifth = [run.retry_delay(busy, 5) for dummy in range(200)]  # step 3 (not congested): 0.4 to 0.8 s
    assert all(0.05 <= d <= 0.1 for d in first) and len(set(first)) > 1   # jitter: not all the same
    assert all(0.4 <= d <= 0.8 for d in fifth) and len(set(fifth)) > 1
