# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.collab.uc.plugins.module_utils.transport._adaptive import (
    AdaptiveLimiter, DelayedQueue, parse_retry_after)


class Clock(object):
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def serve(lim, clock, count, every):
    """``count`` requests answered ok, one each ``every`` seconds."""
    for dummy in range(count):
        wait = lim.try_acquire()
        if wait:                             # paced: wait for its turn
            clock.now += wait
            wait = lim.try_acquire()
        assert wait == 0.0
        clock.now += every
        lim.release()


def test_unpaced_until_throttled_and_the_window_bounds_what_is_in_flight():
    clock = Clock()
    lim = AdaptiveLimiter(4, clock=clock)
    assert [lim.try_acquire() for dummy in range(5)] == [0.0, 0.0, 0.0, 0.0, None]   # no pacing; window 4
    lim.release()
    assert lim.try_acquire() == 0.0 and lim.rate() is None


def test_throttling_halves_the_window_once_per_interval_and_successes_widen_it_again():
    clock = Clock()
    lim = AdaptiveLimiter(8, clock=clock, loss_min_answers=1)   # judged from the first answer: the cuts themselves
    lim.throttled()
    lim.throttled()                          # the same burst: one cut
    assert lim.window == 4.0 and lim.decreases == 1 and lim.throttled_count == 2
    assert lim.rate() is None                # throttled before any success: no rate to pace at yet
    clock.now += 1.0
    lim.throttled()
    assert lim.window == 2.0 and lim.decreases == 2
    serve(lim, clock, 40, 0.001)
    assert lim.window == 8.0


def test_after_throttling_the_pace_is_the_admitted_rate_with_a_probe_and_a_drain():
    clock = Clock()
    lim = AdaptiveLimiter(8, clock=clock)
    serve(lim, clock, 100, 0.01)             # one second at 100 answers a second
    lim.throttled()                          # a bare 503 among them: a refusal at random, not congestion
    assert lim.rate() is None and lim.window == 8.0 and not lim.congested
    for dummy in range(20):                  # most answers throttled: congestion, the window only
        lim.throttled()
    assert lim.rate() is None and lim.window == 4.0 and lim.congested
    clock.now += 1.0
    lim.throttled(rate_limited=True)         # a Retry-After: pacing starts, measured from now on
    assert lim.admitted is None and lim.rate() is None
    serve(lim, clock, 20, 0.01)
    assert lim.admitted == pytest.approx(100, rel=0.02)   # an estimate (less than a phase measured)
    serve(lim, clock, 80, 0.01)
    start = clock.now - 0.1
    assert lim.admitted == pytest.approx(100, rel=0.02)
    assert lim.rate() == pytest.approx(125, rel=0.02)        # phase 1 (1 s): probe
    clock.now = start + 1.0
    assert lim.rate() == pytest.approx(75, rel=0.02)         # phase 2: drain
    clock.now = start + 2.0
    assert lim.rate() == pytest.approx(100, rel=0.02)        # then cruise at the admitted rate
    clock.now = start + 5.99
    assert lim.rate() == pytest.approx(100, rel=0.02)
    clock.now = start + 9.5
    assert lim.rate() is None                                # its samples aged out (8 s): unpaced until new ones


def test_pacing_spaces_starts_and_banks_no_idle_time():
    clock = Clock()
    lim = AdaptiveLimiter(8, clock=clock, gains=(1.0,))
    lim.throttled(rate_limited=True)
    lim._samples.append((clock.now, 10.0, True))   # the server admitted 10 a second
    lim.window = 8.0
    assert lim.try_acquire() == 0.0
    assert lim.try_acquire() == pytest.approx(0.1)    # 10 a second: the next in 0.1 s
    clock.now += 0.1
    assert lim.try_acquire() == 0.0
    clock.now += 2.0                                  # idle time is not banked: no burst after a pause
    assert lim.try_acquire() == 0.0 and lim.try_acquire() == pytest.approx(0.1)


def test_a_lower_limit_is_followed_once_the_higher_samples_age_out():
    clock = Clock()
    lim = AdaptiveLimiter(8, clock=clock, gains=(1.0,))
    lim.throttled(rate_limited=True)
    serve(lim, clock, 100, 0.01)             # 100 a second
    serve(lim, clock, 500, 0.02)             # then 50 a second for 10 s
    assert lim.admitted == pytest.approx(50, rel=0.05) and lim.rate() == pytest.approx(50, rel=0.05)


def answers(lim, clock, start, end, count, refused=0):
    """``count`` successes and ``refused`` rate limits spread evenly from ``start`` to ``end`` (clock seconds)."""
    total = count + refused
    for n in range(total):
        clock.now = start + (end - start) * n / total
        if n < refused:
            lim.throttled(rate_limited=True)
        else:
            lim.release()


def test_while_rate_limits_come_a_refused_cruise_phase_lowers_the_pace_and_an_unrefused_one_raises_it_a_little():
    clock = Clock()
    lim = AdaptiveLimiter(8, clock=clock, gains=(1.25, 0.75, 1.0, 1.0))
    t0 = clock.now
    lim.throttled(rate_limited=True)                  # a Retry-After: pacing starts
    answers(lim, clock, t0, t0 + 1, 60, refused=2)    # probe: 60 a second got through (a bucket's 50 + its burst)
    answers(lim, clock, t0 + 1, t0 + 2, 45)           # drain
    answers(lim, clock, t0 + 2, t0 + 3, 50, refused=5)  # cruise at the best phase (60): refused
    clock.now = t0 + 3.0
    best = lim.admitted
    assert best >= 59                                 # the best phase still says about 60 ...
    assert lim.rate() == pytest.approx(0.95 * best)   # ... the refused cruise phase lowered the pace by 5 %
    answers(lim, clock, t0 + 3, t0 + 4, 50, refused=3)  # refused again: 5 % lower again
    clock.now = t0 + 4.0                              # a probe phase (4 % 4 == 0)
    assert lim.rate() == pytest.approx(1.25 * 0.95 * 0.95 * best)
    answers(lim, clock, t0 + 4, t0 + 5, 55)
    answers(lim, clock, t0 + 5, t0 + 6, 40)
    answers(lim, clock, t0 + 6, t0 + 7, 50)           # cruise, not refused: the limit may have risen
    clock.now = t0 + 7.0
    assert lim.rate() == pytest.approx(0.95 * 0.95 * 1.02 * best)
    for second in range(7, 16):                       # no rate limit any more: after 8 s nothing is held
        answers(lim, clock, t0 + second, t0 + second + 1, 70)
    clock.now = t0 + 18.0                             # a cruise phase (18 % 4 == 2)
    assert lim.rate() == pytest.approx(1.0 * lim.admitted) and lim.admitted >= 69


def test_the_hold_is_lifted_once_no_rate_limit_came_for_the_filter_time():
    clock = Clock()
    lim = AdaptiveLimiter(8, clock=clock, gains=(1.0,))
    t0 = clock.now
    lim.throttled(rate_limited=True)
    answers(lim, clock, t0, t0 + 1, 50, refused=5)
    clock.now = t0 + 1.0
    assert lim.rate() == pytest.approx(0.95 * lim.admitted)  # held: the phase was refused
    answers(lim, clock, t0 + 1, t0 + 10, 9 * 80)      # 80 a second, never refused
    clock.now = t0 + 10.0
    assert lim.rate() == pytest.approx(80, rel=0.03)  # 8 s without a rate limit: the best phase again


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


def test_bare_503s_narrow_the_window_only_above_a_share_of_the_recent_answers():
    clock = Clock()
    lim = AdaptiveLimiter(8, clock=clock, loss_sample=20)
    serve(lim, clock, 18, 0.01)
    for dummy in range(2):                   # 2 of 20 (10 %) throttled, each a second apart: no cut
        lim.throttled()
        clock.now += 1.0
    assert lim.window == 8.0 and lim.decreases == 0 and lim.throttled_share == pytest.approx(0.1)
    assert not lim.congested
    for dummy in range(4):                   # 6 of 20 (30 %): above a quarter, congestion; one cut a second
        lim.throttled()
    assert lim.window == 4.0 and lim.decreases == 1 and lim.congested
    serve(lim, clock, 20, 0.01)              # answered again: the share falls, the window widens
    assert lim.throttled_share == 0.0 and not lim.congested and lim.window > 7.0
    clock.now += 1.0
    lim.throttled(rate_limited=True)         # a rate limit always counts, and pacing keeps it congested
    assert lim.decreases == 2 and lim.congested


def test_a_503_among_the_first_answers_is_no_congestion_but_a_server_refusing_all_is_within_a_few():
    clock = Clock()
    lim = AdaptiveLimiter(8, clock=clock)    # the defaults: a quarter of the last 64, judged from 16 answers on
    lim.throttled()                          # the very first answer a 503 (100 % of one answer): no rate signal
    assert lim.throttled_share == 1.0 and not lim.congested and lim.window == 8.0 and lim.decreases == 0
    serve(lim, clock, 3, 0.01)
    lim.throttled()                          # 2 of 5: still too few answers to judge
    assert not lim.congested and lim.window == 8.0
    serve(lim, clock, 20, 0.01)
    assert lim.throttled_share == pytest.approx(2 / 25.0) and not lim.congested
    busy = AdaptiveLimiter(8, clock=clock)
    for count in range(1, 17):               # every answer a 503: judged at the 16th, then a cut
        busy.throttled()
        assert busy.congested is (count >= 16)
    assert busy.decreases == 1 and busy.window == 4.0
    never = AdaptiveLimiter(8, clock=clock, loss_threshold=0.0, loss_min_answers=0)
    never.throttled()                        # the rule before: every 503 counts at once
    assert never.congested and never.decreases == 1
