"""Services of a CUCM cluster's nodes: status, start times, Start/Stop/Restart taking time, activation.

Business rules only; ``protocols/serviceability.py`` (SOAP) and ``protocols/platform_cli.py`` (``utils service
list|start|stop|restart``) call these methods: one list of services per node, whichever way it is reached. A
cluster has one ``Services`` (in ``CucmState.services``); each node's services are made on first use from the
node's role (``assumptions.DEPLOYABLE_SERVICES``). Times are wall-clock epoch seconds, like the request log's,
so tests can line up a node's down time with the requests that caused it. Status moves lazily: every read
computes where a transition stands at that moment. The durations below are lab seconds (``clock.py``): at a time
scale of N a restart of ``restart_s`` lasts ``restart_s / N`` real seconds, and the rate window likewise; start
times and ``up_time`` stay on the wall clock.

Lab mapping (``services:`` of a cucm system; also a ``POST /_sim/state`` patch key)::

    services:
      restart_s: 1.0                     # a Restart takes this long to Started (Stopping, then Starting)
      times: {Cisco CallManager: 3.0}    # per service
      min_poll_interval_s: 0             # "Exceeded allowed rate" for requests to a node faster than this
      not_activated: {cucm-sub1: [Cisco CTIManager]}   # node -> services not activated
      stopped: {cucm-sub1: [Cisco TFTP]}               # node -> services commanded out of service
"""

import threading

from .. import assumptions as A
from ..clock import REAL_TIME
from ..lab import LabError

KEYS = ("restart_s", "times", "min_poll_interval_s", "not_activated", "stopped")
ACTIONS = ("Start", "Stop", "Restart")
# the core's keyed counter of each action (restart counts per node and service, whatever the transport)
COUNTERS = {"Restart": "service_restarts", "Start": "service_starts", "Stop": "service_stops"}


class ServiceError(Exception):
    """A control request the node refuses (a SOAP fault): ``message``."""

    def __init__(self, message):
        Exception.__init__(self, message)
        self.message = message


class Service:
    """One service on one node. ``base`` is Started or Stopped since ``since``; ``transition`` a command in
    progress ``{action, requested, stopped, started, target}`` (``started`` None: never comes back)."""

    def __init__(self, name, activated, started_at):
        self.name = name
        self.activated = activated
        self.base = "Started" if activated else "Stopped"
        self.reason = A.REASON_SUCCESS if activated else A.REASON_NOT_ACTIVATED
        self.since = started_at if activated else None
        self.transition = None
        self.history = []  # one entry per command: action, requested, stopped, started (times or None)

    def settle(self, now):
        """Status at ``now``: finish a transition whose time has come."""
        t = self.transition
        if t is None:
            return self.base
        if now < t["stopped"]:
            return "Stopping"
        if t["target"] == "Stopped":
            self.base, self.reason, self.since, self.transition = "Stopped", A.REASON_COMMANDED_OUT, None, None
            return self.base
        if t["started"] is None or now < t["started"]:
            return "Starting"
        self.base, self.reason, self.since, self.transition = "Started", A.REASON_SUCCESS, t["started"], None
        return self.base

    def info(self, now):
        status = self.settle(now)
        reason = self.reason if status in ("Started", "Stopped") else A.REASON_SUCCESS
        up = int(now - self.since) if status == "Started" and self.since is not None else 0
        return {"name": self.name, "status": status, "reason": reason,
                "reason_string": A.REASON_STRINGS.get(reason, ""), "start_time": self.since if status == "Started"
                else None, "up_time": up}

    def command(self, action, now, duration, never_returns):
        """Start, Stop or Restart at ``now``; the service takes ``duration`` (real) seconds for a whole restart."""
        status = self.settle(now)
        stop_s = duration * A.SERVICE_STOP_SHARE
        running = status in ("Started", "Starting")
        if action == "Stop":
            if status in ("Stopped", "Stopping"):
                return False
            stopped, started, target = now + stop_s, None, "Stopped"
        else:
            if not self.activated:
                return False
            if action == "Start" and running and not (status == "Starting" and self.transition["started"] is None):
                return False
            stopped = now + stop_s if running or status == "Stopping" else now
            started = None if never_returns else stopped + (duration - stop_s)
            target = "Started"
        self.transition = {"action": action, "requested": now, "stopped": stopped, "started": started,
                           "target": target}
        self.history.append({"action": action, "requested": now, "stopped": stopped, "started": started})
        return True

    def to_json(self, now):
        out = self.info(now)
        out.update(activated=self.activated, history=[dict(h) for h in self.history])
        return out


class Services:
    """The services of every node of one cluster."""

    def __init__(self, cluster, config):
        self.cluster = cluster
        self.lock = threading.RLock()
        self.clock = REAL_TIME  # the lab's clock once the cluster state has it (CucmState.clock); tests move one
        self.created = self.clock.now()
        self.restart_s = A.DEFAULT_RESTART_S
        self.times = {}
        self.min_poll_interval_s = 0.0
        self.not_activated = {}
        self.stopped = {}
        self.by_node = {}      # node name -> {service name: Service}
        self.last_answer = {}  # (node name, operation) -> clock.ticks() of the last request answered
        self.configure(config or {}, "lab")

    def configure(self, config, where="state"):
        if not isinstance(config, dict):
            raise LabError("cucm %s: services must be a mapping (%s)" % (self.cluster, ", ".join(KEYS)))
        unknown = set(config) - set(KEYS)
        if unknown:
            raise LabError("cucm %s: services: unknown keys %s (known: %s)" % (self.cluster, sorted(unknown),
                                                                             ", ".join(KEYS)))
        try:
            if "restart_s" in config:
                self.restart_s = _seconds(config["restart_s"], "restart_s")
            for name, value in (config.get("times") or {}).items():
                self.times[str(name)] = _seconds(value, "times[%s]" % name)
            if "min_poll_interval_s" in config:
                self.min_poll_interval_s = _seconds(config["min_poll_interval_s"], "min_poll_interval_s")
            for key in ("not_activated", "stopped"):
                for node, names in (config.get(key) or {}).items():
                    if not isinstance(names, list):
                        raise LabError("%s[%s] must be a list of service names" % (key, node))
                    getattr(self, key)[str(node)] = [str(n) for n in names]
        except (TypeError, ValueError) as exc:
            raise LabError("cucm %s: services (%s): %s" % (self.cluster, where, exc))
        for node in list(self.by_node):
            if node in (config.get("not_activated") or {}) or node in (config.get("stopped") or {}):
                del self.by_node[node]  # rebuilt from the new settings on next use

    def duration(self, service):
        """The lab seconds a whole restart of ``service`` takes."""
        return self.times.get(service, self.restart_s)

    def _node(self, node):
        services = self.by_node.get(node.name)
        if services is None:
            services = {}
            off = set(self.not_activated.get(node.name, ()))
            for name, activated in A.DEPLOYABLE_SERVICES.get(node.role, {}).items():
                services[name] = Service(name, activated and name not in off, self.created)
            for name in self.stopped.get(node.name, ()):
                if name in services:
                    s = services[name]
                    s.base, s.reason, s.since = "Stopped", A.REASON_COMMANDED_OUT, None
            self.by_node[node.name] = services
        return services

    # -- rules the protocols call -----------------------------------------------------------------------
    def admit(self, node, operation):
        """A Serviceability request ``operation`` reached ``node``: ServiceError "Exceeded allowed rate" when it
        comes sooner than ``min_poll_interval_s`` lab seconds after the last request of the same operation the node
        answered (the window is per node and operation: a control request right after a status read is admitted)."""
        with self.lock:
            now = self.clock.ticks()
            key = (node.name, operation)
            last = self.last_answer.get(key)
            if self.min_poll_interval_s and last is not None and now - last < self.min_poll_interval_s:
                raise ServiceError(A.RATE_FAULT)
            self.last_answer[key] = now

    def running(self, node, name):
        """True when ``name`` is Started on ``node`` (e.g. Cisco Tomcat, which serves Serviceability)."""
        with self.lock:
            s = self._node(node).get(name)
            return s is not None and s.settle(self.clock.now()) == "Started"

    def find(self, node, name):
        """The name ``node`` gives the service ``name`` (case and spacing aside), or None if it deploys none."""
        wanted = " ".join(name.split()).lower()
        with self.lock:
            return next((n for n in self._node(node) if n.lower() == wanted), None)

    def stopping_left(self, node, name):
        """Real seconds until ``name`` on ``node`` has stopped, in the command in progress (0 when not stopping)."""
        with self.lock:
            s = self._node(node).get(name)
            t = s.transition if s is not None else None
            return max(0.0, t["stopped"] - self.clock.now()) if t is not None else 0.0

    def status(self, node, names=None):
        """Info dicts (name, status, reason, reason_string, start_time, up_time) of ``names`` on ``node``
        (every deployable service when empty); an unknown name is status Unknown, reason not deployable."""
        with self.lock:
            services, now = self._node(node), self.clock.now()
            out = []
            for name in names or list(services):
                s = services.get(name)
                if s is None:
                    out.append({"name": name, "status": "Unknown", "reason": A.REASON_NOT_DEPLOYABLE,
                                "reason_string": A.REASON_NOT_DEPLOYABLE_STRING, "start_time": None, "up_time": 0})
                else:
                    out.append(s.info(now))
            return out

    def control(self, node, action, names, never_returns=lambda name: False, via="serviceability"):
        """Carry out Start/Stop/Restart of ``names`` on ``node``. ServiceError (nothing done) for a service
        the node does not deploy, or Cisco Tomcat through Serviceability. Returns (info dicts, names acted
        on); ``never_returns(name)`` is asked once per service that starts."""
        if action not in ACTIONS:
            raise ServiceError("ControlType must be Start, Stop or Restart, got %r" % action)
        with self.lock:
            services, now = self._node(node), self.clock.now()
            for name in names:
                if name not in services:
                    raise ServiceError(A.CONTROL_NOT_DEPLOYABLE_FAULT % (name, node.name))
                if name == A.TOMCAT and via == "serviceability":
                    raise ServiceError(A.CONTROL_TOMCAT_FAULT)
            acted = []
            for name in names:
                s = services[name]
                starts = action != "Stop" and s.activated
                if s.command(action, now, self.clock.real(self.duration(name)), starts and never_returns(name)):
                    acted.append(name)
            return [services[n].info(now) for n in names], acted

    def to_json(self, nodes):
        with self.lock:
            now = self.clock.now()
            return {"restart_s": self.restart_s, "times": dict(self.times),
                    "min_poll_interval_s": self.min_poll_interval_s,
                    "nodes": {n.name: {name: s.to_json(now) for name, s in self._node(n).items()} for n in nodes}}


def _seconds(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError("%s must be a number of seconds >= 0" % what)
    return float(value)
