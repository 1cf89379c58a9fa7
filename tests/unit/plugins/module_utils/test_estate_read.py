# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The reading pass of the enablement role (_estate_read.read_all): every system read once, a throttled read tried
again later from the delayed queue (Retry-After honoured) while its worker reads the others, at most as often as
the connection's retries allow."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

import pytest

from ansible_collections.collab.uc.plugins.module_utils.domain import _estate_read as reads
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import Unavailable
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.scripted_server import (
    ScriptedServer, plain_http, reply)


def busy(retry_after=None):
    error = Unavailable('server busy', host='cucm-a:8443', operation='getCCMVersion', status=503, product='CUCM')
    error.retry_after = retry_after
    return error


class Script(object):
    """A fake read_one: per system, the answers of its successive reads (an error is handed back as throttled)."""

    def __init__(self, answers, retries=2):
        self.answers = answers
        self.retries = retries
        self.calls = []
        self.lock = threading.Lock()

    def __call__(self, kind, args, environ, refresh_setting=None, hand_back=False):
        assert hand_back
        name = args['host']
        with self.lock:
            self.calls.append(name)
            answer = self.answers[name].pop(0)
        if isinstance(answer, Exception):
            raise reads.Throttled(answer, self.retries)
        return answer


def jobs(*names):
    return dict((name, ('cucm', {'host': name}, {}, None)) for name in names)


def test_a_throttled_read_waits_on_the_queue_while_its_worker_reads_the_others(monkeypatch):
    script = Script({'a': [busy('0.2'), {'changed': False, 'who': 'a'}], 'b': [{'changed': False, 'who': 'b'}],
                     'c': [{'changed': False, 'who': 'c'}]})
    monkeypatch.setattr(reads, 'read_one', script)
    results = reads.read_all(jobs('a', 'b', 'c'), workers=1, backoff=(0.01, 0.01))
    assert [results[k]['who'] for k in ('a', 'b', 'c')] == ['a', 'b', 'c']
    assert script.calls == ['a', 'b', 'c', 'a']   # one worker: b and c were read while a waited (Retry-After)


def test_a_read_still_throttled_after_its_retries_fails_saying_so(monkeypatch):
    script = Script({'a': [busy(), busy(), busy()], 'b': [{'changed': False}]}, retries=2)
    monkeypatch.setattr(reads, 'read_one', script)
    results = reads.read_all(jobs('a', 'b'), workers=2, backoff=(0.01, 0.01))
    assert script.calls.count('a') == 3 and script.calls.count('b') == 1
    assert results['a']['failed'] and 'server busy' in results['a']['msg']
    assert 'gave up after 2 retries' in results['a']['msg'] and results['b'] == {'changed': False}


def test_retry_after_and_the_backoff_set_the_wait(monkeypatch):
    waits = []

    class Queue(reads.DelayedQueue):
        def put(self, item, delay=0.0):
            if item[1]:
                waits.append(round(delay, 2))
            super(Queue, self).put(item, 0.0)

    monkeypatch.setattr(reads, 'DelayedQueue', Queue)
    monkeypatch.setattr(reads, 'backoff_delay', lambda attempt, base, cap: 0.5 * (attempt + 1))
    script = Script({'a': [busy('3'), busy(), {'changed': False}]}, retries=5)
    monkeypatch.setattr(reads, 'read_one', script)
    assert reads.read_all(jobs('a'))['a'] == {'changed': False}
    assert waits == [3.0, 1.0]   # the Retry-After (above the backoff), then the backoff of the second try


def test_read_one_hands_throttling_back_at_once_with_its_retry_after(monkeypatch):
    """Over HTTP: a 503 with Retry-After is not retried by the session, and says when to come back."""
    plain_http(monkeypatch)
    with ScriptedServer([reply(503, 'busy', {'Retry-After': '7'})]) as server:
        args = {'host': '127.0.0.1', 'port': server.port, 'username': 'u', 'password': 'p', 'retries': 3}
        with pytest.raises(reads.Throttled) as caught:
            reads.read_one('cuc', args, {}, hand_back=True)
        assert len(server.requests) == 1
    assert caught.value.retry_after == 7.0 and caught.value.retries == 3
