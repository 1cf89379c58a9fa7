"""The simulator: systems (clusters) made of nodes, their transports, and the registry that finds them.

- A *system* is one product instance of the lab (a CUCM cluster, a Unity Connection): its state (one object,
  ``state/<kind>.py``) and the protocols it serves (``protocols/<proto>.py``).
- A *node* is one server of a system: its own loopback address, its own listeners (``transports/``) and
  sessions, the system's state shared with the other nodes. A system without ``nodes:`` is one publisher
  node, named as the system, on --listen's address.
- The *core* (``transports/core.py``) holds the one request log, counters and fault injection.
- The *registry* (``Simulator.resolve``): how a protocol finds another system by the address and port a
  real server would connect to (Unity Connection's key sync reaching a CUCM cluster).

Products plug in through ``register_kind``: a state class, a mapping of path prefixes to protocol modules,
each exposing ``peek(req)`` (the operation name, cheaply, for requests answered before the handler runs) and
``handle(ctx)`` (returns a ``Response``), and optionally ``FAULTS`` ({fault key: (types, counted)}, its own fault
keys, registered with the core); and the admin CLI ``dialect`` its shell speaks over SSH, a module providing
``protocols.dialect.Dialect`` (checked when the kind is first used).
Transports plug in through ``register_transport``: a module with ``bind(sim, node, host, port)``.
"""

import collections
import importlib
import ipaddress
import os
import threading

from . import assumptions as A
from .lab import LabError
from .protocols.dialect import check as check_dialect
from .transports.core import Core
from .tls import BASE_NAMES

KINDS = {}  # kind -> (state class or "module:Class", {prefix: protocol}, dialect module or dotted name or None)


def register_kind(kind, state_cls, routes, dialect=None):
    """state_cls: a class or "module:Class" (relative to this package); routes: {path prefix: protocol
    module or its dotted name} (HTTPS; the longest matching prefix wins); dialect: the CLI module (or its dotted
    name) the system's shell speaks over SSH, None when the product has no CLI here. Names are imported when the
    first Simulator is built (no import cycles)."""
    KINDS[kind] = (state_cls, dict(routes), dialect)


def _module(name):
    return importlib.import_module("." + name, __package__) if isinstance(name, str) else name


def _resolve(kind):
    """(state class, [(prefix, protocol module)] longest prefix first, dialect module or None) of a kind."""
    state_cls, routes, dialect = KINDS[kind]
    if isinstance(state_cls, str):
        mod, _, cls = state_cls.partition(":")
        state_cls = getattr(_module(mod), cls)
    routes = {prefix: _module(proto) for prefix, proto in routes.items()}
    if dialect is not None:
        dialect = check_dialect(_module(dialect), kind)
    KINDS[kind] = (state_cls, routes, dialect)
    return state_cls, sorted(routes.items(), key=lambda kv: -len(kv[0])), dialect


TRANSPORTS = {}  # name -> (module or dotted name, kinds that serve it or None: the kinds with a dialect)


def register_transport(name, module, kinds=None):
    """module (or its dotted name, relative to this package) has ``bind(sim, node, host, port)`` returning a
    socketserver-like listener (``server_address``, ``serve_forever``, ``shutdown``, ``server_close``);
    every node of a system of one of ``kinds`` (None: of every kind registered with a CLI ``dialect``) gets one,
    all on the same port. The ``https`` transport's port follows --listen; another transport's port is the
    system's lab key ``<name>_port`` (default 0: free)."""
    TRANSPORTS[name] = (module, None if kinds is None else tuple(kinds))


def _transport(name):
    module, kinds = TRANSPORTS[name]
    module = _module(module)
    TRANSPORTS[name] = (module, kinds)
    return module


def _serves(kinds, kind):
    """True when a transport registered for ``kinds`` serves systems of ``kind``."""
    return KINDS[kind][2] is not None if kinds is None else kind in kinds


# --- system kinds and transports: one line each -------------------------------------------------------------
register_kind("cucm", "state.cucm:CucmState", {"/axl": "protocols.axl", "/ssosp/": "protocols.ssosp",
                                               "/controlcenterservice2/": "protocols.serviceability"},
              dialect="protocols.platform_cli")
register_kind("cuc", "state.cuc:CucState", {"/vmrest/": "protocols.cupi"})
register_kind("expressway", "state.expressway:ExpresswayState", {}, dialect="protocols.expressway_cli")
register_transport("https", "transports.https", ("cucm", "cuc", "expressway"))
register_transport("ssh", "transports.ssh")  # every kind with a CLI dialect

FIRST_NODE_ADDRESS = 2  # nodes of systems that list `nodes:` get 127.0.0.2, 127.0.0.3, ... in lab order
PORT_ATTEMPTS = 20      # with PORT 0: tries to find one port free on every node's address


class Node:
    def __init__(self, spec, system):
        self.spec = spec
        self.name = spec.name
        self.role = spec.role
        self.system = system
        self.host = None
        self.ports = {}      # transport -> port
        self.listeners = {}  # transport -> listener

    @property
    def port(self):
        return self.ports.get("https")

    @property
    def address(self):
        return self.host

    @property
    def url(self):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "https://%s:%d" % (host, self.port)

    def hostnames(self):
        """Names a client may use for this node besides its address: the node's ``hostnames`` (and the
        system's, for its publisher)."""
        names = list(self.spec.hostnames)
        if self is self.system.nodes[0]:
            names = list(self.system.spec.hostnames) + names
        return names

    def cert_names(self):
        """What this node's TLS certificate (and SSH host key line) carries besides 127.0.0.1, ::1, localhost."""
        return self.hostnames() + ([] if self.spec.implicit else [self.host])

    def answers_to(self, address):
        """True if a client connecting to ``address`` (a name or IP, any case) reaches this node."""
        names = {h.lower() for h in self.hostnames()}
        if self.host:
            names.add(self.host.lower())
        if self.spec.implicit:
            names.update(BASE_NAMES)
        return address.strip().lower() in names

    def to_json(self):
        out = {"name": self.name, "cluster": self.system.name, "role": self.role, "address": self.host,
               "port": self.port, "url": self.url if self.port is not None else None, "ports": dict(self.ports)}
        lines = self.known_hosts_lines()
        if lines:
            out["known_hosts"] = lines
        return out

    def known_hosts_lines(self):
        """The known_hosts lines of this node's listeners that have a host key (SSH)."""
        return [listener.known_hosts_line() for listener in self.listeners.values()
                if hasattr(listener, "known_hosts_line")]


class System:
    """One system (cluster) of the lab: its shared state, routes and nodes (publisher first)."""

    def __init__(self, spec, state_cls, routes, registry=None, dialect=None):
        self.spec = spec
        self.registry = registry
        self.name = spec.name
        self.kind = spec.kind
        self.state_cls = state_cls
        self.routes = routes
        self.dialect = dialect  # the CLI module its shell speaks over SSH (protocols/dialect.py), or None
        roles = getattr(state_cls, "node_roles", ("publisher",))
        for n in spec.nodes:
            if n.role not in roles:
                raise LabError("%s %s: node %s has role %r (known: %s)" % (spec.kind, spec.name, n.name, n.role,
                                                                           ", ".join(roles)))
        self.nodes = [Node(n, self) for n in spec.nodes]
        self.state = None
        self.new_state()

    def new_state(self):
        """A fresh state from the lab; the state sees the cluster's nodes as ``state.nodes`` and the
        simulator's registry as ``state.registry`` (how its rules learn about another system)."""
        self.state = self.state_cls(self.name, self.spec.config)
        self.state.nodes = self.nodes
        self.state.registry = self.registry

    @property
    def publisher(self):
        return self.nodes[0]

    @property
    def host(self):
        return self.publisher.host

    @property
    def port(self):
        return self.publisher.port

    @property
    def url(self):
        return self.publisher.url

    def route(self, path):
        for prefix, proto in self.routes:
            if path.startswith(prefix):
                return proto
        return None


class Simulator:
    def __init__(self, lab, state_dir, quiet=False, log_max_entries=None):
        self.lab = lab
        self.state_dir = state_dir
        self.quiet = quiet
        self.core = Core(log_max_entries or lab.settings["log_max_entries"])
        self.lock = self.core.lock
        self.systems = collections.OrderedDict()
        self.nodes = collections.OrderedDict()
        for spec in lab.systems:
            state_cls, routes, dialect = _resolve(spec.kind)
            for _, proto in routes:  # a protocol's own fault keys (e.g. Serviceability's)
                for key, (types, counted) in getattr(proto, "FAULTS", {}).items():
                    self.core.register_fault(key, types, counted)
            system = System(spec, state_cls, routes, registry=self, dialect=dialect)
            self.systems[spec.name] = system
            for node in system.nodes:
                self.nodes[node.name] = node
            self.core.add_system(system.name, [n.name for n in system.nodes])

    # -- registry: how a protocol finds another system -----------------------------------------------------
    def resolve(self, kind, address, port):
        """``(system name, state)`` of the system of ``kind`` whose node a client reaches at address:port,
        or None (nothing listens there)."""
        for system in self.systems.values():
            if system.kind != kind:
                continue
            for node in system.nodes:
                if node.port is not None and node.port == port and node.answers_to(address):
                    return system.name, system.state
        return None

    def state_of(self, kind, name):
        """The state of the system of ``kind`` named ``name`` (as a server remembers whom it synced with), or
        None when there is none."""
        system = self.systems.get(name)
        return system.state if system is not None and system.kind == kind else None

    # -- control API -----------------------------------------------------------------------------------------
    def set_faults(self, data):
        return self.core.set_faults(data)

    @property
    def faults(self):
        return self.core.get_faults()

    def reset(self, state=False):
        self.core.reset()
        if state:
            for s in self.systems.values():
                s.new_state()
            self.core.expire_sessions()

    def expire_sessions(self, system=None, node=None):
        return self.core.expire_sessions(system, node)

    def change_password(self, system, userid, password, after_requests=0):
        """Give the account ``userid`` of ``system`` a new password, now or after that many more requests of
        the system; its sessions end with it (assumptions.PASSWORD_CHANGE_ENDS_SESSIONS)."""
        target = self.systems[system]
        if userid not in target.state.accounts:
            raise LabError("system %s has no account %r" % (system, userid))

        def change():
            with target.state.lock:
                roles = target.state.accounts[userid][1]
                target.state.accounts[userid] = (password, roles)
            if A.PASSWORD_CHANGE_ENDS_SESSIONS:
                self.core.expire_sessions(system, user=userid)

        self.core.after_requests(system, after_requests, change)

    def requests(self, system=None, since=0, node=None):
        return self.core.requests(system, node, since)

    def counters(self):
        return self.core.counters()

    def systems_json(self):
        return [{"name": s.name, "kind": s.kind, "url": s.url if s.port is not None else None, "port": s.port,
                 "address": s.host, "nodes": [n.to_json() for n in s.nodes]} for s in self.systems.values()]

    # -- listeners -------------------------------------------------------------------------------------------
    def _allocate_addresses(self, host):
        """--listen's host for implicit nodes; 127.0.0.N (N from 2, skipping taken ones) for listed nodes."""
        taken = {host} | {n.spec.address for n in self.nodes.values() if n.spec.address}
        n = FIRST_NODE_ADDRESS
        for node in self.nodes.values():
            if node.spec.implicit:
                node.host = host
            elif node.spec.address:
                node.host = node.spec.address
            else:
                while str(ipaddress.IPv4Address("127.0.0.0") + n) in taken:
                    n += 1
                node.host = str(ipaddress.IPv4Address("127.0.0.0") + n)
                taken.add(node.host)

    def _bind(self, system, transport, port):
        """Bind one listener of transport per node of system, every one on the same port; returns that port."""
        module = _transport(transport)
        for attempt in range(PORT_ATTEMPTS):
            bound, p = [], port
            try:
                for node in system.nodes:
                    listener = module.bind(self, node, node.host, p)
                    bound.append(listener)
                    p = listener.server_address[1]
            except OSError:
                for listener in bound:
                    listener.server_close()
                if port != 0 or not bound or attempt == PORT_ATTEMPTS - 1:
                    raise
                continue
            for node, listener in zip(system.nodes, bound):
                node.listeners[transport], node.ports[transport] = listener, p
            return p

    def start(self, host, port):
        """Bind every listener, start serving; returns the first system's URL."""
        self._allocate_addresses(host)
        next_port = port
        for s in self.systems.values():
            if s.spec.port is not None:
                p = s.spec.port
            elif port == 0:
                p = 0
            else:
                p = next_port
            bound = self._bind(s, "https", p)
            if s.spec.port is None and port != 0:
                next_port = bound + 1
            for name, (_, kinds) in TRANSPORTS.items():
                if name != "https" and _serves(kinds, s.kind):
                    self._bind(s, name, int(s.spec.config.get(name + "_port") or 0))
        self.write_known_hosts()
        for node in self.nodes.values():
            for transport, listener in node.listeners.items():
                t = threading.Thread(target=listener.serve_forever, kwargs={"poll_interval": 0.2},
                                     name="%s-%s" % (transport, node.name), daemon=True)
                t.start()
        return next(iter(self.systems.values())).url

    def known_hosts(self):
        """Every node's known_hosts lines (OpenSSH format), one text."""
        return "".join(line + "\n" for node in self.nodes.values() for line in node.known_hosts_lines())

    def write_known_hosts(self):
        """``STATE_DIR/known_hosts``: the lines a client needs to connect with host key checking on."""
        if self.state_dir:
            path = os.path.join(self.state_dir, "known_hosts")
            with open(path + ".tmp", "w") as handle:
                handle.write(self.known_hosts())
            os.replace(path + ".tmp", path)

    def stop(self):
        for node in self.nodes.values():
            for listener in node.listeners.values():
                listener.shutdown()
                listener.server_close()
