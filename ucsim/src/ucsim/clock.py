"""The lab's clock: what time it is, and how long the lab's rules take.

One ``Clock`` per simulator (``Simulator.clock``), shared by the core, the transports and every system's state
(``state.clock``). Its *time scale* (lab ``sim.time_scale``, ``ucsim serve --time-scale``, ``POST /_sim/clock``;
1 by default) says how many times faster than real time the lab runs:

* durations the products take or impose are *lab seconds*, each lasting ``1 / scale`` real seconds: a service's
  stop and start (``services: restart_s, times``), Serviceability's rate window (``min_poll_interval_s``), the token
  bucket of ``rate_limit`` (its ``rps`` per lab second) and the ``Retry-After`` it sends (lab seconds), an idle
  session's expiry (``session_timeout_s``), the platform CLI's login and command delays (``login_delay_s``,
  ``command_delay_s``) and the wait of ``utils service restart`` while the service stops;
* instants are never scaled: ``now()`` is the wall clock (epoch seconds). Start times and ``UpTime``, the request
  log's ``time``, a service's history, token validity, key regeneration and sync times all read it, so they compare
  with the client's own clock (a playbook's ``now()``, a module's ``time.time()``) at any scale;
* injected faults stay real seconds (``latency_ms``, ``ssh_login_delay_s``): they test a client's real timeouts.

A client that waits on the lab's account (polls paced to the rate window, a wait's timeout, backoff) divides its
waits by the same scale: the collection reads it from ``COLLAB_UC_TIME_SCALE``, which ``env.sh`` exports for a lab
that is not at scale 1. A change of the scale applies to what starts after it (a transition in progress keeps its
end); lab seconds already elapsed stay elapsed (``ticks`` goes on from where it was).
"""

import threading
import time

SCALE_MIN = 1
SCALE_MAX = 1000


def check_scale(value, where="time_scale"):
    """``value`` as a float when it is a number from SCALE_MIN to SCALE_MAX, else ValueError naming ``where``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not SCALE_MIN <= value <= SCALE_MAX:
        raise ValueError("%s must be a number from %d to %d, got %r" % (where, SCALE_MIN, SCALE_MAX, value))
    return float(value)


class Clock:
    """Instants on the wall clock (``now``); lab seconds that last ``1 / scale`` real seconds (``real``, ``ticks``,
    ``wait``). ``wall`` and ``monotonic`` are for tests (a clock they move)."""

    def __init__(self, scale=1, wall=time.time, monotonic=time.monotonic):
        self._wall = wall
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._scale = check_scale(scale)
        self._base_real = monotonic()
        self._base_ticks = 0.0

    @property
    def scale(self):
        return self._scale

    def set_scale(self, scale):
        """From now on, one lab second lasts ``1 / scale`` real seconds (ValueError out of range)."""
        scale = check_scale(scale)
        with self._lock:
            real = self._monotonic()
            self._base_ticks += (real - self._base_real) * self._scale
            self._base_real, self._scale = real, scale
        return scale

    def now(self):
        """What time it is: wall-clock epoch seconds, whatever the scale."""
        return self._wall()

    __call__ = now  # where a rule takes a plain clock callable (PlatformState's regeneration time)

    def ticks(self):
        """Lab seconds since the clock started (monotonic): what rate windows, buckets and idle timeouts measure."""
        with self._lock:
            return self._base_ticks + (self._monotonic() - self._base_real) * self._scale

    def real(self, lab_seconds):
        """How many real seconds ``lab_seconds`` last at the current scale."""
        return lab_seconds / self._scale

    def wait(self, event, lab_seconds):
        """``event.wait`` for ``lab_seconds`` (real seconds: ``real``); True when the event was set meanwhile."""
        return event.wait(self.real(lab_seconds)) if lab_seconds > 0 else event.is_set()

    def to_json(self):
        return {"time_scale": self._scale, "now": self.now(), "ticks": self.ticks()}


REAL_TIME = Clock()  # what a state uses until the simulator gives it the lab's clock (standalone use, unit tests)
