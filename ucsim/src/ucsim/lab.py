"""Lab files: which systems to simulate and their initial state.

A lab is YAML. Top-level keys are either ``sim`` (simulator settings) or a system kind (``cucm``, ``cuc``,
...) holding a list of systems, each a mapping with at least ``name``. Kinds the running simulator does not
know are reported and skipped, so a newer lab still starts on an older simulator. What a system's mapping
may contain is checked by the kind's state class (e.g. ``state/cucm.py``).
"""

import ipaddress
import os
import sys

import yaml

from .clock import check_scale

LABS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "labs")

SIM_SETTINGS = {
    # name: (type, default)
    "log_max_entries": (int, 100000),
    "max_body_bytes": (int, 16 * 1024 * 1024),
    "idle_timeout_s": (int, 300),
    # strict: every AXL and Serviceability request is checked against its contract (contract.py), as the
    # product's schema validation does; lenient: only what the handlers need (an older client's request form)
    "soap_contract": (str, "strict"),
    # a token bucket per system and operation: {rps: R, burst: B, operations: [names] (optional: all)}; a request
    # that finds it empty is refused (503 + Retry-After; Serviceability: "Exceeded allowed rate"). The fault
    # rate_limit (same form) overrides it.
    "rate_limit": (dict, None),
    # how many times faster than real time the lab runs (clock.py): every time the products take (restarts, rate
    # windows, idle sessions, CLI delays) lasts 1/time_scale; instants stay on the wall clock. 1 to 1000.
    "time_scale": ((int, float), 1),
}
SIM_CHOICES = {"soap_contract": ("strict", "lenient")}


class LabError(Exception):
    pass


def check_rate_limit(value, where):
    """Raise LabError unless ``value`` is ``{"rps": > 0, "burst": >= 1, "operations": [names] (optional)}``."""
    if not isinstance(value, dict) or set(value) - {"rps", "burst", "operations"}:
        raise LabError("%s must be a mapping of rps, burst and (optional) operations" % where)
    rps, burst = value.get("rps"), value.get("burst", 1)
    if isinstance(rps, bool) or not isinstance(rps, (int, float)) or rps <= 0:
        raise LabError("%s: rps must be a number > 0" % where)
    if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
        raise LabError("%s: burst must be an integer >= 1" % where)
    ops = value.get("operations")
    if ops is not None and (not isinstance(ops, list) or not all(isinstance(o, str) for o in ops)):
        raise LabError("%s: operations must be a list of operation names" % where)


class NodeSpec:
    """One node of a system: ``role`` (``publisher`` first; the kinds say which roles they know), an optional
    fixed loopback ``address`` and extra certificate ``hostnames``. ``implicit``: the one node of a system
    that lists no ``nodes:`` (named as the system, on --listen's address)."""

    def __init__(self, name, role="publisher", address=None, hostnames=(), implicit=False):
        self.name = name
        self.role = role
        self.address = address
        self.hostnames = list(hostnames)
        self.implicit = implicit


class SystemSpec:
    def __init__(self, kind, name, config, port=None, hostnames=(), nodes=None):
        self.kind = kind
        self.name = name
        self.config = config
        self.port = port
        self.hostnames = list(hostnames)
        self.nodes = nodes or [NodeSpec(name, implicit=True)]
        self.replay = []  # captured reads answered byte for byte (replay.py)

    def __repr__(self):
        return "SystemSpec(%s:%s)" % (self.kind, self.name)


class Lab:
    def __init__(self, path, settings, systems, warnings):
        self.path = path
        self.settings = settings
        self.systems = systems
        self.warnings = warnings

    def system(self, name):
        for s in self.systems:
            if s.name == name:
                return s
        raise KeyError(name)


def resolve_path(path):
    """A lab path, or the name of a shipped lab (``default``)."""
    if path is None:
        return os.path.join(LABS_DIR, "default.yml")
    if os.path.exists(path):
        return os.path.abspath(path)
    shipped = os.path.join(LABS_DIR, path if path.endswith(".yml") else path + ".yml")
    if os.sep not in path and os.path.exists(shipped):
        return shipped
    raise LabError("lab file not found: %s" % path)


def load(path, known_kinds):
    path = resolve_path(path)
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise LabError("%s: not valid YAML: %s" % (path, exc))
    return parse(data, known_kinds, path)


def parse(data, known_kinds, path="<lab>"):
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise LabError("%s: the lab must be a mapping of kinds (cucm:, cuc:) to lists of systems" % path)
    warnings = []
    settings = {k: d for k, (t, d) in SIM_SETTINGS.items()}
    sim = data.get("sim") or {}
    if not isinstance(sim, dict):
        raise LabError("%s: 'sim' must be a mapping" % path)
    for key, value in sim.items():
        if key not in SIM_SETTINGS:
            raise LabError("%s: unknown sim setting %r (known: %s)" % (path, key, ", ".join(SIM_SETTINGS)))
        typ = SIM_SETTINGS[key][0]
        if not isinstance(value, typ) or isinstance(value, bool):
            raise LabError("%s: sim.%s must be %s" % (path, key, "a number" if isinstance(typ, tuple)
                                                       else typ.__name__))
        if key == "time_scale":
            try:
                value = check_scale(value, "sim.time_scale")
            except ValueError as exc:
                raise LabError("%s: %s" % (path, exc))
        if key == "rate_limit":
            check_rate_limit(value, "%s: sim.rate_limit" % path)
        if key in SIM_CHOICES and value not in SIM_CHOICES[key]:
            raise LabError("%s: sim.%s must be one of %s" % (path, key, ", ".join(SIM_CHOICES[key])))
        settings[key] = value
    systems = []
    names = set()
    for kind, entries in data.items():
        if kind == "sim":
            continue
        if kind not in known_kinds:
            warnings.append("lab kind %r is not supported by this ucsim; its systems are ignored" % kind)
            continue
        if entries is None:
            continue
        if isinstance(entries, dict):
            entries = [entries]
        if not isinstance(entries, list):
            raise LabError("%s: '%s' must be a list of systems" % (path, kind))
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
                raise LabError("%s: %s[%d] must be a mapping with a 'name'" % (path, kind, i))
            name = entry["name"]
            if name in names:
                raise LabError("%s: duplicate system name %r" % (path, name))
            names.add(name)
            port = entry.get("port")
            if port is not None and (not isinstance(port, int) or isinstance(port, bool)
                                     or not 0 <= port <= 65535):
                raise LabError("%s: %s.port must be a port number" % (path, name))
            hostnames = entry.get("hostnames") or []
            if not isinstance(hostnames, list) or not all(isinstance(h, str) for h in hostnames):
                raise LabError("%s: %s.hostnames must be a list of names" % (path, name))
            nodes = _nodes(path, name, entry.get("nodes"), names)
            # replay: the captured reads of an imported estate (replay.py), not a key of the kind's state
            entry = dict(entry)
            replay = entry.pop("replay", None)
            if replay is not None and not isinstance(replay, list):
                raise LabError("%s: %s.replay must be a list of captured exchanges" % (path, name))
            systems.append(SystemSpec(kind, name, entry, port, hostnames, nodes))
            systems[-1].replay = replay or []
    if not systems:
        raise LabError("%s: the lab defines no system of a supported kind (%s)" % (path, ", ".join(sorted(known_kinds))))
    return Lab(path, settings, systems, warnings)


def _nodes(path, system, entries, names):
    """The NodeSpecs of a system's ``nodes:`` (None when it has none); node names join ``names``."""
    if entries is None:
        return None
    if not isinstance(entries, list) or not entries:
        raise LabError("%s: %s.nodes must be a non-empty list of nodes" % (path, system))
    out = []
    for i, node in enumerate(entries):
        if not isinstance(node, dict) or not isinstance(node.get("name"), str) or not node["name"]:
            raise LabError("%s: %s.nodes[%d] must be a mapping with a 'name'" % (path, system, i))
        unknown = set(node) - {"name", "role", "address", "hostnames"}
        if unknown:
            raise LabError("%s: %s.nodes[%d]: unknown keys %s" % (path, system, i, sorted(unknown)))
        name = node["name"]
        if name in names:
            raise LabError("%s: duplicate system or node name %r" % (path, name))
        names.add(name)
        role = node.get("role", "publisher" if i == 0 else "subscriber")
        if (role == "publisher") != (i == 0):
            raise LabError("%s: %s.nodes: the publisher comes first, and only once (%s is %s)"
                           % (path, system, name, role))
        address = node.get("address")
        if address is not None:
            try:
                ok = isinstance(address, str) and ipaddress.ip_address(address) in LOOPBACK
            except ValueError:
                ok = False
            if not ok:
                raise LabError("%s: %s.address must be an address in 127.0.0.0/8" % (path, name))
        hostnames = node.get("hostnames") or []
        if not isinstance(hostnames, list) or not all(isinstance(h, str) for h in hostnames):
            raise LabError("%s: %s.hostnames must be a list of names" % (path, name))
        out.append(NodeSpec(name, str(role), address, hostnames))
    return out


LOOPBACK = ipaddress.ip_network("127.0.0.0/8")


def account(entry, where):
    """A ``users`` entry of a lab or a state patch (``userid``, ``password``, ``roles``) as ``(userid, (password,
    frozenset of roles))``, the form ``transports.core.check_login`` reads; ``where`` (e.g. ``cuc cuc1``) names
    the system in the error."""
    if not isinstance(entry, dict) or not entry.get("userid") or "password" not in entry:
        raise LabError("%s: users entries need userid and password" % where)
    roles = entry.get("roles") or []
    if not isinstance(roles, list):
        raise LabError("%s: roles of %s must be a list" % (where, entry["userid"]))
    return str(entry["userid"]), (str(entry["password"]), frozenset(str(r) for r in roles))


def warn(msg):
    sys.stderr.write("ucsim: warning: %s\n" % msg)
