"""One Expressway-C system: its xConfiguration tree (the MRA settings of CollaborationEdge and a few others),
its status (version) and the administrators of its admin CLI.

Business rules live here (which leaves exist, which values they take, who may set them); the xAPI's words are in
``protocols/expressway_cli.py`` and ``assumptions.py``. Interface used by the CLI (besides ``ShellAccess``'s
``check_login``, ``privilege`` and SSH settings):

  config(prefix) -> [(path, value, kind)]      leaves under a path prefix (canonical spelling, lab order)
  set_config(path, value, by) -> path         validated; raises XapiError(reason, path)
  status(prefix, user) -> [(path, value, kind)]  (with user: its access level too)
  hostname, version

Lab keys: ``name``, ``version`` (e.g. ``X14.2.1``), ``hostname``, ``hostnames``, ``admins``
([{userid, password, privilege}]), ``password_auth``, ``login_delay_s``, ``command_delay_s``, ``ssh_port``,
``xconfiguration`` ({path: value}, e.g. ``{"CollaborationEdge OAuthLocal": "On"}``), ``port``, and two for the
discovery of leaves (assumptions.XAPI_ABSENT_LEAVES): ``absent_leaves`` ([path], leaves this Expressway does not
have, e.g. ``["CollaborationEdge OAuthWithRefresh"]``: the assumed name of "Authorize by OAuth token with refresh")
and ``extra_leaves`` ({path: value}, leaves the simulator does not otherwise know, listed after the others; a value
On/Off makes an On/Off leaf, digits a number, anything else a string).
"""

from .. import assumptions as A
from ..lab import LabError
from .platform import SETTINGS, ShellAccess

ON_OFF = ("On", "Off")


class Leaf:
    """One xConfiguration leaf: ``kind`` ``enum`` (``choices``), ``int`` (``lo``..``hi``) or ``string``."""

    def __init__(self, path, kind, default, choices=None, lo=None, hi=None, maxlen=255):
        self.path = path
        self.kind = kind
        self.default = default
        self.choices = choices
        self.lo, self.hi = lo, hi
        self.maxlen = maxlen

    def parse(self, value):
        """The stored value of ``value`` (text), or raise XapiError."""
        text = str(value)
        if self.kind == "enum":
            for choice in self.choices:
                if choice.lower() == text.lower():
                    return choice
            raise XapiError(A.XAPI_INVALID_VALUE % (text, "/".join(self.choices)), self.path)
        if self.kind == "int":
            try:
                number = int(text)
            except ValueError:
                number = None
            if number is None or not self.lo <= number <= self.hi:
                raise XapiError(A.XAPI_INVALID_VALUE % (text, "%d..%d" % (self.lo, self.hi)), self.path)
            return str(number)
        if len(text) > self.maxlen:
            raise XapiError(A.XAPI_INVALID_VALUE % (text[:20] + "...", "at most %d characters" % self.maxlen),
                            self.path)
        return text


def _extra_leaf(path, value):
    """A leaf a lab adds (``extra_leaves``): its kind follows its value."""
    if isinstance(value, bool):  # YAML's On/Off are booleans unless quoted
        value = "On" if value else "Off"
    text = str(value)
    if text.lower() in ("on", "off"):
        return Leaf(path, "enum", text.capitalize(), ON_OFF)
    if text.isdigit():
        return Leaf(path, "int", text, lo=0, hi=2 ** 31 - 1)
    return Leaf(path, "string", text)


def _discovery(name, leaves, config):
    """The lab's ``absent_leaves`` taken out of ``leaves`` and its ``extra_leaves`` added (LabError when wrong)."""
    absent = config.get("absent_leaves") or []
    extra = config.get("extra_leaves") or {}
    if not isinstance(absent, list) or not all(isinstance(p, str) for p in absent):
        raise LabError("expressway %s: absent_leaves must be a list of xConfiguration paths" % name)
    if not isinstance(extra, dict):
        raise LabError("expressway %s: extra_leaves must be a mapping {path: value}" % name)
    known = {fold(leaf.path) for leaf in leaves}
    for path in absent:
        if fold(path) not in known:
            raise LabError("expressway %s: absent_leaves: %r is not a leaf the simulator has (it has: %s)"
                           % (name, path, ", ".join(leaf.path for leaf in leaves)))
    kept = [leaf for leaf in leaves if fold(leaf.path) not in {fold(p) for p in absent}]
    for path, value in extra.items():
        words = " ".join(str(path).split())
        if len(words.split(" ")) < 2 or fold(words) in known:
            raise LabError("expressway %s: extra_leaves: %r must be a new path of at least two words (Section Leaf)"
                           % (name, path))
        kept.append(_extra_leaf(words, value))
    return kept


def _leaves(name):
    return [
        Leaf("CollaborationEdge Enabled", "enum", "On", ON_OFF),
        Leaf("CollaborationEdge OAuthLocal", "enum", "Off", ON_OFF),
        Leaf("CollaborationEdge LegacyCred", "enum", "Off", ON_OFF),
        Leaf("CollaborationEdge " + A.XAPI_REFRESH_SETTING, "enum", "On", ON_OFF),
        Leaf("CollaborationEdge InternalAuthAvailability", "enum", "Off", ON_OFF),
        Leaf("Administration TimeOut", "int", "30", lo=0, hi=65535),
        Leaf("SystemUnit Name", "string", name, maxlen=50),
    ]


class XapiError(Exception):
    def __init__(self, reason, path):
        super().__init__(reason)
        self.reason = reason
        self.path = path


def fold(path):
    return " ".join(str(path).split()).lower()


class ExpresswayState(ShellAccess):
    node_roles = ("publisher",)
    kind = "expressway"
    LAB_KEYS = {"name", "version", "hostname", "hostnames", "admins", "xconfiguration", "port", "ssh_port",
                "https_port", "absent_leaves", "extra_leaves"} | set(SETTINGS)

    def __init__(self, name, config):
        unknown = set(config) - self.LAB_KEYS
        if unknown:
            raise LabError("expressway %s: unknown keys %s (known: %s)"
                           % (name, sorted(unknown), ", ".join(sorted(self.LAB_KEYS))))
        super().__init__(name, admins=config.get("admins"), label="expressway " + name,
                         **{k: config[k] for k in SETTINGS if k in config})
        self.version = str(config.get("version", "X14.2.1"))
        self.hostname = str(config.get("hostname") or name)
        self.leaves = _discovery(name, _leaves(self.hostname), config)
        self.values = {leaf.path: leaf.default for leaf in self.leaves}
        self.writes = 0
        self.nodes = []
        self.registry = None
        self._set_many(config.get("xconfiguration") or {}, by="lab")

    # xConfiguration ---------------------------------------------------------------------------------------
    def leaf(self, path):
        wanted = fold(path)
        for leaf in self.leaves:
            if fold(leaf.path) == wanted:
                return leaf
        raise XapiError(A.XAPI_NO_MATCH, " ".join(str(path).split()))

    def config(self, prefix=""):
        wanted = fold(prefix)
        with self.lock:
            out = [(leaf.path, self.values[leaf.path], leaf.kind) for leaf in self.leaves
                   if not wanted or fold(leaf.path) == wanted or fold(leaf.path).startswith(wanted + " ")]
        if not out:
            raise XapiError(A.XAPI_NO_MATCH, " ".join(str(prefix).split()))
        return out

    def set_config(self, path, value, by=None):
        leaf = self.leaf(path)
        if by != "lab" and by != "control API" and self.privilege(by) < A.XAPI_WRITE_PRIVILEGE:
            raise XapiError(A.XAPI_READ_ONLY, leaf.path)
        stored = leaf.parse(value)
        with self.lock:
            self.values[leaf.path] = stored
            if by not in ("lab", "control API"):
                self.writes += 1
        return leaf.path

    def _set_many(self, values, by):
        if not isinstance(values, dict):
            raise LabError("%s: xconfiguration must be a mapping {path: value}" % self.label)
        for path, value in values.items():
            if isinstance(value, bool):  # YAML's On/Off are booleans unless quoted
                value = "On" if value else "Off"
            try:
                self.set_config(path, value, by=by)
            except XapiError as exc:
                raise LabError("%s: xconfiguration %s: %s" % (self.label, path, exc.reason))

    # status -----------------------------------------------------------------------------------------------
    def status(self, prefix="", user=None):
        leaves = [("SystemUnit Product", "Cisco Expressway-C", "string"),
                  ("SystemUnit Software Version", self.version, "string"),
                  ("SystemUnit Software Name", "Release", "string")]
        if user is not None:  # the session's own access level (assumptions.XAPI_ACCESS_STATUS)
            write = self.privilege(user) >= A.XAPI_WRITE_PRIVILEGE
            leaves.append((A.XAPI_ACCESS_STATUS, A.XAPI_ACCESS_VALUES[0 if write else 1], "string"))
        wanted = fold(prefix)
        out = [leaf for leaf in leaves
               if not wanted or fold(leaf[0]) == wanted or fold(leaf[0]).startswith(wanted + " ")]
        if not out:
            raise XapiError(A.XAPI_NO_MATCH, " ".join(str(prefix).split()))
        return out

    # control API ------------------------------------------------------------------------------------------
    def to_json(self, user=None):
        with self.lock:
            return dict(self.access_json(), name=self.name, kind=self.kind, version=self.version,
                        hostname=self.hostname, xconfiguration=dict(self.values), xconfiguration_writes=self.writes)

    def patch(self, data):
        """A test's patch: ``xconfiguration`` {path: value} (behind the CLI's back: not a counted write),
        ``version``, and the SSH settings (``admins``, ``password_auth``, ``login_delay_s``, ``command_delay_s``)."""
        if not isinstance(data, dict):
            raise LabError("state patch must be a mapping")
        unknown = set(data) - {"xconfiguration", "version", "admins"} - set(SETTINGS)
        if unknown:
            raise LabError("unknown state keys %s (known: xconfiguration, version, admins, %s)"
                           % (sorted(unknown), ", ".join(SETTINGS)))
        access = {k: v for k, v in data.items() if k == "admins" or k in SETTINGS}
        if access:
            super().patch(access)
        if "version" in data:
            self.version = str(data["version"])
        self._set_many(data.get("xconfiguration") or {}, by="control API")
