# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One adaptive limiter for every bulk path: a concurrency window and a pacing rate that adapt to throttling.

Internal module: the leading underscore means its API may change without notice.

``AdaptiveLimiter`` is shared by the threads of one run against one system. Before a request a thread calls
``acquire()`` (it waits for a free slot of the window and for its turn of the pacing rate); after it, ``release()``
says how the request went: ``ok``, or ``throttled`` (HTTP 503, CUCM's "Exceeded allowed rate" fault).

* Until the first throttling nothing is paced: the window is the configured concurrency.
* Throttling halves the window (at most once per ``decrease_interval``, so one burst of refusals counts once);
  each success widens it again by ``1 / window`` (additive increase, multiplicative decrease). A bare 503 (no
  ``Retry-After``) counts as congestion only while throttled answers are more than ``loss_threshold`` (a quarter)
  of the last ``loss_sample`` answers, and only once at least ``loss_min_answers`` answers were seen (a first answer
  that is a 503 is not a quarter of anything): a server over its limit refuses most requests, so the share climbs
  past it within a few answers, while a server that refuses a few requests at random among many it serves gains
  nothing from a narrower window (each refusal costs its retry, not a slower run). ``congested`` says which it is,
  for the caller's retry delay.
* A rate limit (an answer that says when to come back, ``Retry-After``, or CUCM's "Exceeded allowed rate") also
  starts pacing: from then on the requests are paced at the rate the server admits, the highest rate of successful
  answers over one phase (``phase_seconds``) seen in the last ``filter_seconds``, times a gain that cycles
  through 1.25 (a probe: has the limit risen?), 0.75 (drain what the probe queued) and six times 1. A lower limit
  shows as a lower rate of successes, which the pace follows once the higher samples age out. While rate limits
  keep coming, the pace is also held: each cruise phase (gain 1) that was refused lowers it by 5 %, and each one
  that was not raises it by 2 %, never above the best phase (which overstates a token bucket's rate by its burst:
  paced on it alone, every cruise phase would be refused a little). A bare 503 (a server busy for other reasons,
  maybe at random) only narrows the window: it costs its retry, not a slower run.

A ``Retry-After`` is honoured by the caller for the one request it was given to (``retry_delay``): that request
goes back on a delayed queue, and the thread takes another request meanwhile (see ``domain/revocation/_run``;
the reading pass of ``domain/_estate_read`` puts a throttled system's read back on one too).

The same rule for a sender with one request at a time and a floor interval between its requests (Serviceability:
one request every 2 s to a node), where a window has nothing to narrow, is the one rate limiter of the HTTP layer,
``transport/_http.RateLimiter``, told of each answer (``answered``): a rate limit doubles its interval, each answer
served shortens it by a quarter of the floor, a bare 503 leaves it as it is, and a ``Retry-After`` holds the next
request until it has passed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import heapq
import math
import threading
import time

# The pacing gains of one cycle (probe, drain, cruise) and the length of each phase, in seconds.
GAINS = (1.25, 0.75, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
PHASE_SECONDS = 1.0
# The admitted rate is the best rate of successes over one phase in this many seconds (one cycle of gains).
FILTER_SECONDS = 8.0
DECREASE_INTERVAL = 1.0
MIN_RATE = 0.5
# While rate limits come, a cruise phase that was refused lowers the pace by HOLD_DECREASE, one that was not raises
# it by HOLD_GROWTH (see AdaptiveLimiter._hold).
HOLD_DECREASE = 0.95
HOLD_GROWTH = 1.02
# A bare 503 narrows the window only while throttled answers are more than this share of the last LOSS_SAMPLE.
LOSS_THRESHOLD = 0.25
LOSS_SAMPLE = 64
# ... and only once this many answers were seen: before, one 503 among the first answers would be "all of them".
LOSS_MIN_ANSWERS = 16
# A Retry-After above this (seconds) is taken as this (a misconfigured server must not stall a run for hours).
RETRY_AFTER_CAP = 120.0


def parse_retry_after(value):
    """Seconds of a ``Retry-After`` header given as delta-seconds, else None (an HTTP date is not used)."""
    if value is None:
        return None
    try:
        seconds = float(str(value).strip())
    except ValueError:
        return None
    if math.isnan(seconds) or seconds < 0:
        return None
    return min(seconds, RETRY_AFTER_CAP)


class AdaptiveLimiter:
    """Concurrency window + pacing rate, adapted to throttling (see the module's docstring). Thread-safe."""

    def __init__(self, concurrency, clock=time.monotonic, gains=GAINS, phase_seconds=PHASE_SECONDS,
                 filter_seconds=FILTER_SECONDS, decrease_interval=DECREASE_INTERVAL, min_rate=MIN_RATE,
                 loss_threshold=LOSS_THRESHOLD, loss_sample=LOSS_SAMPLE, loss_min_answers=LOSS_MIN_ANSWERS):
        self.max_window = max(1, int(concurrency))
        self.window = float(self.max_window)
        self.clock = clock
        self.gains = tuple(gains)
        self.phase_seconds = phase_seconds
        self.filter_seconds = filter_seconds
        self.decrease_interval = decrease_interval
        self.min_rate = min_rate
        self.loss_threshold = loss_threshold
        self._answers = collections.deque(maxlen=max(1, int(loss_sample)))  # throttled or not, newest last
        self.loss_min_answers = min(max(0, int(loss_min_answers)), self._answers.maxlen)
        self.paced_since = None  # the first throttling: pacing starts
        self.in_flight = 0
        self.throttled_count = 0
        self.decreases = 0
        self._last_cut = None
        self._next_start = None
        self._successes = collections.deque()  # times of successful answers in the last phase
        self._first = None
        self._samples = collections.deque()  # (time, rate of successes over the phase before it, a whole phase)
        self._phases = {}  # phase number since pacing began -> its rate limits (the phases not judged yet)
        self._judged = -1  # the last phase judged by _hold
        self._cap = None  # the held pace (see _hold)
        self._limited_at = None  # the last rate limit
        self._cond = threading.Condition()

    # -- the decisions (no waiting; the tests drive them with a fake clock) --
    @property
    def throttled_share(self):
        """The share of throttled answers among the last ``loss_sample`` (0.0 before any answer)."""
        with self._cond:
            return self._share()

    def _share(self):
        return sum(self._answers) / float(len(self._answers)) if self._answers else 0.0

    def _lossy(self):
        """Bare 503s are congestion: more than ``loss_threshold`` of the recent answers, enough of them seen."""
        return len(self._answers) >= max(1, self.loss_min_answers) and self._share() > self.loss_threshold

    @property
    def congested(self):
        """True while the server says it is over its limit: paced after a rate limit, or throttling more than
        ``loss_threshold`` of the recent answers, at least ``loss_min_answers`` of them seen (a caller then backs
        off its retries; else they are refusals at random, retried after a short delay)."""
        with self._cond:
            return self.paced_since is not None or self._lossy()

    @property
    def admitted(self):
        """The best rate of successes over one phase of the last ``filter_seconds`` (None: none measured)."""
        full = [rate for _when, rate, whole in self._samples if whole]
        if full:
            return max(full)
        return self._samples[-1][1] if self._samples else None  # the first phase: the latest estimate

    def rate(self, now=None):
        """The pace now (requests a second), or None while not paced."""
        now = self.clock() if now is None else now
        with self._cond:
            return self._rate(now)

    def _rate(self, now):
        if self.paced_since is None:
            return None
        while self._samples and now - self._samples[0][0] > self.filter_seconds:
            self._samples.popleft()
        admitted = self.admitted
        held = self._hold(now, admitted)
        if admitted is None:
            return None  # throttled before any success: only the window holds the sender back
        if held is not None:
            admitted = min(admitted, held)
        return max(self.min_rate, self.gains[self._phase(now) % len(self.gains)] * admitted)

    def _phase(self, now):
        """The number of the pacing phase ``now`` falls in, counted from the start of pacing."""
        return int((now - self.paced_since) / self.phase_seconds)

    def _hold(self, now, admitted):
        """The held pace (requests a second) while rate limits come, else None; judged at the end of each phase.

        The best phase overstates what a token bucket admits: a probe's phase spends the bucket's burst on top of
        its rate, and a one-second count has luck in it; paced on that alone, every cruise phase (gain 1) is
        refused a little. So each cruise phase that was refused lowers the pace it had by ``HOLD_DECREASE``, and
        each one that was not raises the held pace by ``HOLD_GROWTH`` (the limit may have risen: a little more is
        asked, a little is refused, and the pace is lowered again); the pace never exceeds the best phase. Without
        a rate limit for ``filter_seconds`` nothing is held."""
        current = self._phase(now)
        for phase in range(self._judged + 1, current):
            limits = self._phases.pop(phase, 0)
            if self.gains[phase % len(self.gains)] != 1.0 or admitted is None:
                continue
            if limits:
                self._cap = HOLD_DECREASE * (admitted if self._cap is None else min(self._cap, admitted))
            elif self._cap is not None:
                self._cap = min(self._cap * HOLD_GROWTH, admitted)
        self._judged = max(self._judged, current - 1)
        if self._limited_at is None or now - self._limited_at > self.filter_seconds:
            self._cap = None
        return self._cap

    def try_acquire(self, now=None):
        """Take a slot now and return 0.0, or return the seconds to wait before asking again (None: until a
        slot is released)."""
        with self._cond:
            return self._try(self.clock() if now is None else now)

    def _try(self, now):
        if self.in_flight >= max(1, int(self.window)):
            return None
        rate = self._rate(now)
        if rate is not None:
            if self._next_start is not None and now < self._next_start:
                return self._next_start - now
            # idle time is not banked: no burst after a pause
            self._next_start = now + 1.0 / rate
        self.in_flight += 1
        return 0.0

    def release(self, throttled=False, rate_limited=False, now=None):
        """The request of a slot got its answer: ``throttled`` for a 503 or a rate fault; ``rate_limited`` when
        the answer was a rate limit (a ``Retry-After``, "Exceeded allowed rate")."""
        with self._cond:
            now = self.clock() if now is None else now
            self.in_flight = max(0, self.in_flight - 1)
            if throttled or rate_limited:
                self._throttled(now, rate_limited)
            else:
                self._success(now)
            self._cond.notify_all()

    def _success(self, now):
        self._answers.append(False)
        if self._first is None:
            self._first = now
        self._successes.append(now)
        width = self.phase_seconds  # a sample spans one phase: a probe's rate is measured whole
        while self._successes and now - self._successes[0] > width:
            self._successes.popleft()
        span = now - self._first
        if span >= width / 10 and (not self._samples or now - self._samples[-1][0] >= width / 10):
            # a full phase: its successes; before that, an estimate: the successes after the first, over their time
            if span >= width:
                self._samples.append((now, len(self._successes) / width, True))
            else:
                self._samples.append((now, (len(self._successes) - 1) / span, False))
        while self._samples and now - self._samples[0][0] > self.filter_seconds:
            self._samples.popleft()
        if self.window < self.max_window:
            self.window = min(float(self.max_window), self.window + 1.0 / self.window)

    def throttled(self, rate_limited=False, now=None):
        """A throttling answer (also for callers that hold no slot)."""
        with self._cond:
            self._throttled(self.clock() if now is None else now, rate_limited)
            self._cond.notify_all()

    def _throttled(self, now, rate_limited):
        self.throttled_count += 1
        self._answers.append(True)
        if not rate_limited and not self._lossy():
            return  # a refusal at random among answers served: not a rate signal
        if rate_limited:
            self._limited_at = now
            if self.paced_since is not None:
                phase = self._phase(now)
                self._phases[phase] = self._phases.get(phase, 0) + 1
        if rate_limited and self.paced_since is None:
            # pacing starts: measure what the server admits from now on (before, nothing held the sender back)
            self.paced_since = now
            self._first = None
            self._successes.clear()
            self._samples.clear()
        if self._last_cut is not None and now - self._last_cut < self.decrease_interval:
            return
        self._last_cut = now
        self.decreases += 1
        self.window = max(1.0, self.window / 2.0)

    # -- blocking use --
    def acquire(self, stop=None):
        """Wait for a slot (``stop``: a ``threading.Event`` that ends the wait; returns False then)."""
        with self._cond:
            while True:
                if stop is not None and stop.is_set():
                    return False
                wait = self._try(self.clock())
                if wait == 0.0:
                    return True
                self._cond.wait(0.5 if wait is None else min(wait, 0.5))


class DelayedQueue:
    """Work items, each ready at a time of its own: a retry waits here, not in a thread.

    ``get()`` returns the next ready item (waiting for one), or None once ``close()`` was called and no item is
    left or in progress; every item got must be ended with ``done()`` (after ``put`` again for a retry).
    """

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._heap = []
        self._seq = 0
        self._busy = 0
        self._closed = False
        self._cond = threading.Condition()

    def put(self, item, delay=0.0):
        with self._cond:
            self._seq += 1
            heapq.heappush(self._heap, (self.clock() + max(0.0, delay), self._seq, item))
            self._cond.notify()

    def get(self, stop=None):
        with self._cond:
            while True:
                if stop is not None and stop.is_set():
                    return None
                if self._heap:
                    due = self._heap[0][0] - self.clock()
                    if due <= 0:
                        self._busy += 1
                        return heapq.heappop(self._heap)[2]
                    self._cond.wait(min(due, 0.5))
                    continue
                if self._closed and not self._busy:
                    return None
                self._cond.wait(0.5)

    def done(self):
        with self._cond:
            self._busy -= 1
            self._cond.notify_all()

    def close(self):
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def __len__(self):
        with self._cond:
            return len(self._heap)
