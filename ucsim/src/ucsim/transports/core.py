"""What every transport shares: one request log, one set of counters, one fault injection, sessions.

A transport (``https.py``, ``ssh.py``) parses its wire protocol, asks this core before and after carrying a
request out, and records what happened. It never keeps a log, counters or faults of its own. The interface:

``core.record(system, transport, operation, kind, status, node=None, count=(), write_attempt=False, **fields)``
    one log entry (``id, system, node, transport, time, operation, kind, status`` + ``fields``, e.g. HTTPS's
    ``method, path, headers, body``) and its counters: ``requests``, ``by_operation``, ``reads`` / ``writes`` /
    ``auth_failures`` / ``faults`` by ``kind`` (``read``, ``write``, ``auth_failed``, ``fault``, ``other``),
    ``write_attempts`` if ``write_attempt``, and every counter named in ``count`` (``basic_auth``,
    ``ssh_commands``, ...). ``status``: the HTTP status, the CLI outcome, or None when no answer was sent.
``core.count(system, key, n=1, node=None)``: a counter without a log entry (``connections``, ``ssh_logins``).
``core.count_keyed(system, counter, key, node=None)``: one of the keyed counters (``KEYED_COUNTERS``, e.g.
    ``service_restarts`` by service name), shown as ``{key: n}`` in totals, per system and per node.
``core.fault_for(system, key, node=None)``: True when an injected fault fires (counted faults are consumed
    one by one; ``http_503_writes`` also fires at ``http_503_rate``).
``core.fault_value(system, key, node=None)``: the value of an uncounted fault (a delay, a filter) when it
    applies to this system (and node), else None. Every fault reading goes through these two and one rule
    (``_applies``): the fault ``system`` limits every key registered ``scoped`` to that system or node.
``core.latency(system, node)``: ``latency_ms`` in seconds. ``core.node_down(node)``: True while the fault
    ``node_down`` (a node name or a list; not scoped) names the node (it answers nothing).
``core.rate_refused(system, operation, node=None, settings=None)``: lab seconds until the token bucket of that
    system and operation (the fault ``rate_limit``, else the lab's ``sim.rate_limit``; ``rps`` per lab second)
    holds a token again when it is empty (the request is refused), else None (a token was taken).
``core.clock``: the lab's clock (``clock.py``): log times are ``clock.now()`` (wall clock), buckets and session
    idle times count ``clock.ticks()`` (lab seconds).
``core.register_fault(key, types=int, counted=True, scoped=True)``: a transport's own fault keys (e.g. SSH's).
``core.check_login(accounts, user, password, role=None)``: None when the account may log in, else
    ``"credentials"`` or ``"role"`` (the transport turns that into 401/403 or a refused SSH login).
``core.session_open(node, user)``, ``core.session_user(node, sid, timeout_s)``, ``core.expire_sessions(...)``:
    sessions live per node (each node its own), keyed by an opaque id.
``core.after_requests(system_name, n, action)``: run ``action()`` after ``n`` more requests of that system
    (a control API change "in the middle of a run", e.g. a password change), in the thread of the request.

``system`` and ``node`` are the simulator's cluster and node objects (``.name``; a node has ``.system``).
"""

import collections
import random
import secrets
import threading
from ..clock import REAL_TIME
from ..lab import LabError, check_rate_limit

COUNTER_KEYS = ("requests", "reads", "writes", "write_attempts", "auth_failures", "faults", "basic_auth",
                "cookie_auth", "connections", "ssh_logins", "ssh_login_failures", "ssh_commands")
KEYED_COUNTERS = ("service_restarts", "service_starts", "service_stops")
KIND_COUNTER = {"read": "reads", "write": "writes", "auth_failed": "auth_failures", "fault": "faults"}


def holds(roles, role):
    """True when ``roles`` (an account's) hold ``role``, or one of them when ``role`` is a tuple."""
    return any(r in roles for r in ((role,) if isinstance(role, str) else role))


def check_login(accounts, user, password, role=None):
    """None if ``user``/``password`` is an account of ``accounts`` ({userid: (password, roles)}) holding
    ``role`` (or one of them, a tuple); else "credentials" (unknown user or wrong password) or "role"."""
    acct = accounts.get(user)
    if acct is None or not secrets.compare_digest(acct[0].encode("utf-8"), password.encode("utf-8")):
        return "credentials"
    if role is not None and not holds(acct[1], role):
        return "role"
    return None


def _node_names(value):
    """The node names of the fault ``node_down``'s value: one name, a list of them, or None."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


class Counters:
    def __init__(self):
        self.c = dict.fromkeys(COUNTER_KEYS, 0)
        self.by_operation = collections.Counter()
        self.keyed = {k: collections.Counter() for k in KEYED_COUNTERS}

    def to_json(self):
        out = dict(self.c)
        out["by_operation"] = dict(self.by_operation)
        for k, ctr in self.keyed.items():
            out[k] = dict(ctr)
        return out


class Core:
    def __init__(self, log_max_entries, clock=REAL_TIME):
        self.lock = threading.RLock()
        self.clock = clock
        self.log = collections.deque(maxlen=log_max_entries)
        self.seq = 0
        self.names = {}  # system name -> [node names]
        self.fault_types = {}  # key -> (types, counted)
        for key in ("http_503_writes", "axl_memory_reads", "axl_memory_queries", "drop_connections",
                    "drop_after_write"):
            self.register_fault(key)
        self.register_fault("latency_ms", (int, float), counted=False)
        self.register_fault("http_503_rate", (int, float), counted=False)
        self.register_fault("seed", (int, str, type(None)), counted=False)
        self.register_fault("system", (str, type(None)), counted=False)
        self.register_fault("node_down", (str, list, type(None)), counted=False, scoped=False)
        # {"rps": R, "burst": B, "operations": [...]}: a token bucket per system and operation (rate_refused)
        self.register_fault("rate_limit", (dict, type(None)), counted=False)
        self.sessions = {}  # node name -> {sid: [userid, last_seen (clock.ticks)]}
        self._clear()

    def add_system(self, name, node_names):
        with self.lock:
            self.names[name] = list(node_names)
            self.per_system[name] = Counters()
            for n in node_names:
                self.per_node[n] = Counters()
                self.sessions[n] = {}

    def _clear(self):
        self.totals = Counters()
        self.per_system = {n: Counters() for n in self.names}
        self.per_node = {n: Counters() for nodes in self.names.values() for n in nodes}
        self.faults = {}
        self.rng = random.Random()
        self.pending = []  # [system name, requests left, action]: actions due after that many more requests
        self.buckets = {}  # (system name, operation) -> [tokens, last refill (clock.ticks, lab seconds)]

    # -- log and counters --------------------------------------------------------------------------------
    def _counters(self, system, node):
        out = [self.totals, self.per_system[system.name]]
        if node is not None:
            out.append(self.per_node[node.name])
        return out

    def count(self, system, key, n=1, node=None):
        with self.lock:
            for ctr in self._counters(system, node):
                ctr.c[key] += n

    def count_keyed(self, system, counter, key, node=None):
        with self.lock:
            for ctr in self._counters(system, node):
                ctr.keyed[counter][key] += 1

    def record(self, system, transport, operation, kind, status, node=None, count=(), write_attempt=False,
               **fields):
        with self.lock:
            self.seq += 1
            entry = {"id": self.seq, "system": system.name, "node": node.name if node is not None else None,
                     "transport": transport, "time": self.clock.now()}
            entry.update(fields)
            entry.update(status=status, operation=operation, kind=kind)
            self.log.append(entry)
            due = self._due(system.name)
            for ctr in self._counters(system, node):
                c = ctr.c
                c["requests"] += 1
                ctr.by_operation[operation] += 1
                if kind in KIND_COUNTER:
                    c[KIND_COUNTER[kind]] += 1
                if write_attempt:
                    c["write_attempts"] += 1
                for key in count:
                    c[key] += 1
        for action in due:  # outside the lock: an action may take the state's lock
            action()
        return entry

    def after_requests(self, system_name, n, action):
        """Run ``action()`` once ``n`` more requests of that system were recorded (0: at once)."""
        if n <= 0:
            action()
            return
        with self.lock:
            self.pending.append([system_name, n, action])

    def _due(self, system_name):
        due = []
        for item in list(self.pending):
            if item[0] == system_name:
                item[1] -= 1
                if item[1] <= 0:
                    self.pending.remove(item)
                    due.append(item[2])
        return due

    def requests(self, system=None, node=None, since=0):
        with self.lock:
            return [e for e in self.log if (system is None or e["system"] == system)
                    and (node is None or e["node"] == node) and e["id"] > since]

    def counters(self):
        with self.lock:
            out = self.totals.to_json()
            out["systems"] = {n: c.to_json() for n, c in self.per_system.items()}
            out["nodes"] = {n: c.to_json() for n, c in self.per_node.items()}
            return out

    def reset(self):
        with self.lock:
            self.log.clear()
            self._clear()

    # -- faults ------------------------------------------------------------------------------------------
    def register_fault(self, key, types=int, counted=True, scoped=True):
        """Fault ``key`` of ``POST /_sim/faults``: its value's ``types``; ``counted``: a number of times, consumed
        one by one (else a value that holds until cleared); ``scoped``: limited by the fault ``system``."""
        self.fault_types[key] = (types, counted, scoped)

    def set_faults(self, data):
        if not isinstance(data, dict):
            raise LabError("faults must be a JSON object")
        for k, v in data.items():
            if k not in self.fault_types:
                raise LabError("unknown fault %r (known: %s)" % (k, ", ".join(sorted(self.fault_types))))
            types, counted, _scoped = self.fault_types[k]
            if not isinstance(v, types) or isinstance(v, bool):
                raise LabError("fault %s has the wrong type" % k)
            if (counted or k == "latency_ms") and v < 0:
                raise LabError("fault %s must be >= 0" % k)
            if k == "rate_limit" and v is not None:
                check_rate_limit(v, "fault rate_limit")
            if k == "http_503_rate" and not 0 <= v <= 1:
                raise LabError("http_503_rate must be between 0.0 and 1.0")
            if k == "system" and v is not None and v not in self.names \
                    and not any(v in nodes for nodes in self.names.values()):
                raise LabError("no system or node named %r" % v)
            if k == "node_down" and v is not None:
                for name in _node_names(v):
                    if not isinstance(name, str) or not any(name in nodes for nodes in self.names.values()):
                        raise LabError("node_down: no node named %r" % (name,))
        with self.lock:
            self.faults.update(data)
            if "rate_limit" in data:
                self.buckets.clear()
            if "seed" in data:
                self.rng = random.Random(data["seed"])
            return dict(self.faults)

    def get_faults(self):
        with self.lock:
            return dict(self.faults)

    def clear_faults(self):
        with self.lock:
            self.faults.clear()
            self.buckets.clear()

    def _applies(self, system, key, node):
        """Whether fault ``key`` applies to this system (and node): the fault ``system`` limits scoped keys."""
        target = self.faults.get("system")
        return target is None or not self.fault_types[key][2] or target == system.name \
            or (node is not None and target == node.name)

    def fault_for(self, system, key, node=None):
        """Consume one injected fault ``key``; True if it fires for this system (and node)."""
        with self.lock:
            f = self.faults
            if not f or not self._applies(system, key, node):
                return False
            if f.get(key, 0) > 0:
                f[key] -= 1
                return True
            if key == "http_503_writes":
                rate = f.get("http_503_rate", 0)
                return bool(rate) and self.rng.random() < rate
            return False

    def fault_value(self, system, key, node=None):
        """The value of the uncounted fault ``key`` if it applies to this system (and node), else None."""
        with self.lock:
            return self.faults.get(key) if self._applies(system, key, node) else None

    def node_down(self, node):
        """True while the fault ``node_down`` (a node name or a list of them) names this node."""
        return node.name in _node_names(self.fault_value(node.system, "node_down", node))

    def rate_refused(self, system, operation, node=None, settings=None):
        """Take a token of the bucket of (system, operation): None when taken (or no limit applies), else the
        lab seconds until the bucket holds one again (the request is refused and takes none)."""
        with self.lock:
            limit = self.faults.get("rate_limit") if self._applies(system, "rate_limit", node) else None
            if limit is None and settings is not None:
                limit = settings.get("rate_limit")
            if not limit or (limit.get("operations") is not None and operation not in limit["operations"]):
                return None
            rps, burst = float(limit["rps"]), int(limit.get("burst", 1))
            now = self.clock.ticks()
            bucket = self.buckets.setdefault((system.name, operation), [float(burst), now])
            bucket[0] = min(float(burst), bucket[0] + (now - bucket[1]) * rps)
            bucket[1] = now
            if bucket[0] >= 1.0:
                bucket[0] -= 1.0
                return None
            return (1.0 - bucket[0]) / rps

    def latency(self, system, node=None):
        """Seconds to wait before answering (the fault ``latency_ms``)."""
        return (self.fault_value(system, "latency_ms", node) or 0) / 1000.0

    # -- logins and sessions -----------------------------------------------------------------------------
    check_login = staticmethod(check_login)

    def session_open(self, node, user):
        sid = secrets.token_hex(16).upper()
        with self.lock:
            self.sessions[node.name][sid] = [user, self.clock.ticks()]
        return sid

    def session_user(self, node, sid, timeout_s, touch=True):
        """The user of a live session of this node (refreshing it), or None (unknown or idle for more than
        ``timeout_s`` lab seconds)."""
        now = self.clock.ticks()
        with self.lock:
            sessions = self.sessions[node.name]
            sess = sessions.get(sid) if sid else None
            if sess is None:
                return None
            if now - sess[1] > timeout_s:
                del sessions[sid]
                return None
            if touch:
                sess[1] = now
            return sess[0]

    def expire_sessions(self, system=None, node=None, user=None):
        """Forget the sessions of every node (of one system, or one node; of one user); returns how many."""
        with self.lock:
            n = 0
            for sysname, nodes in self.names.items():
                for name in nodes:
                    if (system is None or sysname == system) and (node is None or name == node):
                        sessions = self.sessions[name]
                        for sid in [sid for sid, sess in sessions.items() if user is None or sess[0] == user]:
                            del sessions[sid]
                            n += 1
            return n
