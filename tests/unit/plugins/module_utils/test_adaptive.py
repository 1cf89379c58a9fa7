# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.collab.uc.plugins.module_utils._adaptive import (
    AdaptiveLimiter, DelayedQueue, parse_retry_after)


class Clock(object):
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_unpaced_until_throttled_and_the_window_bounds_what_is_in_flight():
    clock = Clock()
    lim = AdaptiveLimiter(4, clock=clock)
    assert [lim.try_acquire() for _ in range(5)] == [0.0, 0.0, 0.0, 0.0, None]   # no pacing; window 4
    lim.release()
    assert lim.try_acquire() == 0.0 and lim.rate is None


def test_throttling_cuts_to_the_admitted_rate_once_per_interval_then_grows_additively():
    clock = Clock()
    lim = AdaptiveLimiter(8, clock=clock)
    for _ in range(50):                      # 50 answers in 0.5 s: 100 a second admitted
        assert lim.try_acquire() == 0.0
        clock.now += 0.01
        lim.release()
    lim.try_acquire()
    lim.release(throttled=True)
    assert lim.rate == pytest.approx(100.0, rel=0.05) and lim.window == 4.0 and lim.decreases == 1
    lim.try_acquire()
    lim.release(throttled=True)              # the same burst: no second cut within the interval
    assert lim.decreases == 1 and lim.throttled_count == 2
    rate = lim.rate
    clock.now += 1.5
    lim.throttled()                          # a second cut: beta times the (grown) rate
    grown = rate + 0.1 * rate * 1.5
    assert lim.rate == pytest.approx(min(0.9 * grown, lim.rate), rel=0.01) and lim.decreases == 2
    before = lim.rate
    clock.now += 2.0
    lim.try_acquire()                        # two seconds without throttling: + 2 x 10 % of the cut rate
    assert lim.rate == pytest.approx(before * 1.2, rel=0.01)


def test_pacing_spaces_starts_at_the_rate():
    clock = Clock()
    lim = AdaptiveLimiter(8, clock=clock, increase=0.0)
    lim.rate = lim._base = 10.0
    assert lim.try_acquire() == 0.0
    assert lim.try_acquire() == pytest.approx(0.1)    # 10 a second: the next in 0.1 s
    clock.now += 0.1
    assert lim.try_acquire() == 0.0
    clock.now += 5.0                                  # idle time is not banked: no burst after a pause
    assert lim.try_acquire() == 0.0 and lim.try_acquire() == pytest.approx(0.1)


def test_successes_widen_the_window_back_to_the_concurrency():
    clock = Clock()
    lim = AdaptiveLimiter(4, clock=clock)
    lim.throttled()
    assert lim.window == 2.0 and lim.rate is None    # nothing admitted yet: no rate to pace at, only the window
    for _ in range(10):
        lim.try_acquire()
        lim.release()
    assert lim.window == 4.0


@pytest.mark.parametrize('value, seconds', [('3', 3.0), (' 1.5 ', 1.5), ('0', 0.0), ('99999', 120.0),
                                            (None, None), ('Wed, 21 Oct 2026 07:28:00 GMT', None), ('-1', None)])
def test_retry_after(value, seconds):
    assert parse_retry_after(value) == seconds


def test_delayed_queue_hands_out_ready_items_first_and_ends_when_closed_and_idle():
    clock = Clock()
    q = DelayedQueue(clock=clock)
    q.put('later', 5.0)
    q.put('now')
    assert q.get() == 'now'
    q.done()
    clock.now += 5.0
    assert q.get() == 'later'
    q.close()
    q.put('retry', 0.0)                      # a worker still busy may put a retry after close
    q.done()
    assert q.get() == 'retry'
    q.done()
    assert q.get() is None
