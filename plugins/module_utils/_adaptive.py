# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One adaptive limiter for every bulk path: a concurrency window and a pacing rate that adapt to throttling.

Internal module: the leading underscore means its API may change without notice.

``AdaptiveLimiter`` is shared by the threads of one run against one system. Before a request a thread calls
``acquire()`` (it waits for a free slot of the window and for its turn of the pacing rate); after it, ``release()``
says how the request went: ``ok``, or ``throttled`` (HTTP 503, CUCM's "Exceeded allowed rate" fault).

* Until the first throttling nothing is paced: the window is the configured concurrency.
* Throttling (at most once per ``decrease_interval``, so one burst of refusals counts once) cuts the window by
  half and sets the pacing rate to the smaller of ``beta`` times the current rate and the rate of successful
  answers in the last second (multiplicative decrease; under a token bucket the rate of successes is the
  bucket's rate).
* Every second without throttling the rate grows by ``increase`` times the rate set at the last cut (additive
  increase), and each success widens the window by ``1 / window`` (one slot a window of successes).

A ``Retry-After`` is honoured by the caller for the one request it was given to (``retry_delay``): that request
goes back on a delayed queue, and the thread takes another request meanwhile (see ``_refresh_token_revocation``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import heapq
import threading
import time

# Cut the rate to at most this share of what it was, and grow it back by INCREASE of that a second.
BETA = 0.9
INCREASE = 0.1
DECREASE_INTERVAL = 1.0
MIN_RATE = 0.5
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
    if seconds != seconds or seconds < 0:  # NaN or negative
        return None
    return min(seconds, RETRY_AFTER_CAP)


class AdaptiveLimiter:
    """Concurrency window + pacing rate, adapted to throttling (see the module's docstring). Thread-safe."""

    def __init__(self, concurrency, clock=time.monotonic, beta=BETA, increase=INCREASE,
                 decrease_interval=DECREASE_INTERVAL, min_rate=MIN_RATE):
        self.max_window = max(1, int(concurrency))
        self.window = float(self.max_window)
        self.clock = clock
        self.beta = beta
        self.increase = increase
        self.decrease_interval = decrease_interval
        self.min_rate = min_rate
        self.rate = None  # requests a second; None: not paced
        self.in_flight = 0
        self.throttled_count = 0
        self.decreases = 0
        self._base = None  # the rate set at the last cut
        self._grown_at = None
        self._last_cut = None
        self._next_start = None
        self._successes = collections.deque()
        self._first = None
        self._cond = threading.Condition()

    # -- the decisions (no waiting; the tests drive them with a fake clock) --
    def _grow(self, now):
        if self.rate is not None and self._grown_at is not None and now > self._grown_at:
            self.rate += self.increase * self._base * (now - self._grown_at)
        self._grown_at = now

    def try_acquire(self, now=None):
        """Take a slot now and return 0.0, or return the seconds to wait before asking again."""
        with self._cond:
            return self._try(self.clock() if now is None else now)

    def _try(self, now):
        self._grow(now)
        if self.in_flight >= max(1, int(self.window)):
            return None  # wait for a release
        if self.rate is not None and self._next_start is not None and now < self._next_start:
            return self._next_start - now
        if self.rate is not None:
            start = now if self._next_start is None else max(now, self._next_start)
            # never bank more than one interval of idle time: no burst after a pause
            self._next_start = max(start, now) + 1.0 / self.rate
        self.in_flight += 1
        return 0.0

    def release(self, throttled=False, now=None):
        """The request of a slot got its answer: ``throttled`` for a 503 or a rate fault."""
        with self._cond:
            now = self.clock() if now is None else now
            self.in_flight = max(0, self.in_flight - 1)
            if throttled:
                self.throttled(now)
            else:
                if self._first is None:
                    self._first = now
                self._successes.append(now)
                self._prune(now)
                if self.window < self.max_window:
                    self.window = min(float(self.max_window), self.window + 1.0 / self.window)
            self._cond.notify_all()

    def throttled(self, now=None):
        """A throttling answer (also for callers that hold no slot, e.g. an ``HttpSession`` hook)."""
        with self._cond:
            now = self.clock() if now is None else now
            self.throttled_count += 1
            if self._last_cut is not None and now - self._last_cut < self.decrease_interval:
                return
            self._prune(now)
            self._grow(now)
            # the rate of successes in the last second: what the server admits
            span = min(1.0, now - self._first) if self._first is not None else 0.0
            admitted = len(self._successes) / span if span > 0.05 and self._successes else None
            if self.rate is not None:
                self.rate = max(self.min_rate, min(self.beta * self.rate, admitted or self.rate))
            elif admitted is not None:
                self.rate = max(self.min_rate, admitted)
            if self.rate is not None:
                self._base = self.rate
            self._last_cut = now
            self.decreases += 1
            self.window = max(1.0, self.window / 2.0)
            self._cond.notify_all()

    def _prune(self, now):
        while self._successes and now - self._successes[0] > 1.0:
            self._successes.popleft()

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
