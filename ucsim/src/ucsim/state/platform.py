"""The Cisco VOS platform of one CUCM cluster, as the admin CLI sees it: administrators, AuthZ keys, version.

Business rules live here (who may do what, on which node; as ``state/expressway.py`` for Expressway):
``protocols/platform_cli.py`` only turns CLI lines into calls of this interface and its answers into the CLI's text,
and ``transports/ssh.py`` only carries bytes. One ``PlatformState`` per cluster: every node of the cluster shares it.

Interface used by the CLI (``user`` is the logged-in administrator, ``node`` the node the shell runs on: a ``Node``
with ``name`` and ``role``, or None for a shell with no node, taken as the publisher's):
  check_login(user, password) -> bool          administrators (``admins``: {user: password or {password, privilege}})
  privilege(user) -> int
  authorize(user, command, node=None)          raises PlatformError (the CLI's words) when the CLI reference's rules
                                                refuse ``command`` (SHOW_KEY, REGENERATE_KEY, CONTROL_SERVICE)
  key_info(kind, user=None, node=None) -> {"checksum", "last_regenerated"}     kind "signing" | "encryption";
                                                with ``user``: authorize(user, SHOW_KEY, node) first
  regenerate_key(kind, by=None, node=None) -> new checksum   notifies every listener: fn(kind, old, new); ``by`` a
                                                shell user: authorize(by, REGENERATE_KEY, node) first (None and
                                                "control API" are the simulator's own callers: no rule applies)
  add_listener(fn) / remove_listener(fn)        the cluster wiring invalidates refresh tokens, marks Unity
                                                Connection syncs stale...
  version_active, hostname                      shown by ``show version active``, ``show myself``
                                                (``utils service ...`` acts on the node's services in
                                                ``state/services.py``, the ones Serviceability reports)
  password_auth, login_delay_s, command_delay_s the SSH settings of the cluster (the transport reads them live)
  upgrading(node_name) -> bool                  an upgrade is in progress on that node (``upgrade_in_progress``)
  to_json()                                     for ``GET /_sim/state`` (no passwords)
  patch(data)                                   ``admins``, ``password_auth``, ``login_delay_s``, ``command_delay_s``,
                                                ``upgrade_in_progress`` (true, false or a list of node names)

``keys`` may be passed in: the dict is used as it is (not copied), so a cluster state that already holds the
checksums (``CucmState.authz_keys``) and this one stay one truth; ``lock`` likewise (the cluster's lock), so a
regeneration and the cluster's rules that follow it are one step for every other reader.
"""

import hashlib
import os
import secrets
import threading
import time

from .. import assumptions as A
from ..lab import LabError

KEY_KINDS = ("signing", "encryption")
DEFAULT_VERSION_ACTIVE = "14.0.1.13900-155"
DEFAULT_PRIVILEGE = 4
DEFAULT_LOGIN_DELAY_S = 0.05
SETTINGS = ("password_auth", "login_delay_s", "command_delay_s")
# what ``authorize`` rules on
SHOW_KEY, REGENERATE_KEY, CONTROL_SERVICE = "show key", "regenerate key", "control service"
INTERNAL_CALLERS = (None, "control API")  # ``by`` of a regeneration no CLI rule applies to


class PlatformError(Exception):
    """A command the platform's rules refuse; ``str(exc)`` is the CLI's line (assumptions.py)."""


def new_checksum(kind, seed=None):
    """A key checksum: 32 hex digits; derived from ``seed`` when given (stable labs), random otherwise."""
    if seed is None:
        return os.urandom(16).hex()
    return hashlib.sha256(b"authz-" + kind.encode() + seed).hexdigest()[:32]


class ShellAccess:
    """Who may log in to a system's admin shell over SSH, and the shell's SSH settings: the part of a CLI's state
    the SSH transport uses (``check_login``, ``privilege``, ``password_auth``, ``login_delay_s``,
    ``command_delay_s``). ``PlatformState`` (CUCM) and ``ExpresswayState`` build on it."""

    def __init__(self, name, admins=None, lock=None, password_auth=False, login_delay_s=DEFAULT_LOGIN_DELAY_S,
                 command_delay_s=0.0, label=None):
        self.lock = lock if lock is not None else threading.RLock()
        self.name = name
        self.label = label or name  # how messages name the system
        self.admins = {}
        self.add_admins(admins)
        self.password_auth = False
        self.login_delay_s = DEFAULT_LOGIN_DELAY_S
        self.command_delay_s = 0.0
        self.patch({"password_auth": password_auth, "login_delay_s": login_delay_s,
                    "command_delay_s": command_delay_s})

    # administrators and settings --------------------------------------------------------------------------
    def add_admins(self, admins):
        """admins: {user: password | {password, privilege}} or [{userid, password, privilege}] (lab style)."""
        if isinstance(admins, list):
            items = []
            for spec in admins:
                if not isinstance(spec, dict) or not spec.get("userid"):
                    raise LabError("%s: admins entries need a userid and a password" % self.label)
                items.append((spec["userid"], spec))
        elif isinstance(admins, dict) or admins is None:
            items = list((admins or {}).items())
        else:
            raise LabError("%s: admins must be a list or a mapping" % self.label)
        for user, spec in items:
            if isinstance(spec, dict):
                if "password" not in spec:
                    raise LabError("%s: admin %s needs a password" % (self.label, user))
                password, privilege = str(spec["password"]), int(spec.get("privilege", DEFAULT_PRIVILEGE))
            else:
                password, privilege = str(spec), DEFAULT_PRIVILEGE
            self.admins[str(user)] = (password, privilege)

    def patch(self, data):
        """Lab or test settings: ``admins`` (added), ``password_auth`` (bool), ``login_delay_s``,
        ``command_delay_s`` (seconds >= 0)."""
        if not isinstance(data, dict):
            raise LabError("%s: settings must be a mapping" % self.label)
        unknown = set(data) - set(SETTINGS) - {"admins"}
        if unknown:
            raise LabError("%s: unknown keys %s (known: admins, %s)"
                           % (self.label, sorted(unknown), ", ".join(SETTINGS)))
        with self.lock:
            if "admins" in data:
                self.add_admins(data["admins"])
            if "password_auth" in data:
                if not isinstance(data["password_auth"], bool):
                    raise LabError("%s: password_auth must be true or false" % self.label)
                self.password_auth = data["password_auth"]
            for key in ("login_delay_s", "command_delay_s"):
                if key in data:
                    value = data[key]
                    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                        raise LabError("%s: %s must be a number of seconds >= 0" % (self.label, key))
                    setattr(self, key, float(value))

    def check_login(self, user, password):
        acct = self.admins.get(user)
        if acct is None:
            return False
        return secrets.compare_digest(acct[0].encode("utf-8"), str(password).encode("utf-8"))

    def privilege(self, user):
        acct = self.admins.get(user)
        return acct[1] if acct else 0

    def access_json(self):
        with self.lock:
            return {"admins": sorted(self.admins), "password_auth": self.password_auth,
                    "login_delay_s": self.login_delay_s, "command_delay_s": self.command_delay_s}


class PlatformState(ShellAccess):
    def __init__(self, name, admins=None, keys=None, seed=None, version_active=DEFAULT_VERSION_ACTIVE,
                 hostname=None, clock=time.time, lock=None, password_auth=False,
                 login_delay_s=DEFAULT_LOGIN_DELAY_S, command_delay_s=0.0):
        super().__init__(name, admins=admins, lock=lock, password_auth=password_auth, login_delay_s=login_delay_s,
                         command_delay_s=command_delay_s, label="platform " + name)
        self.clock = clock
        self.hostname = hostname or name
        self.version_active = str(version_active)
        if isinstance(seed, str):
            seed = hashlib.sha256(seed.encode()).digest()[:16]
        self.keys = keys if keys is not None else {}
        for kind in KEY_KINDS:
            self.keys.setdefault(kind, new_checksum(kind, seed))
        self.regenerated_at = dict.fromkeys(KEY_KINDS)  # epoch seconds of the last regeneration, None = never
        self.regenerations = dict.fromkeys(KEY_KINDS, 0)
        self._listeners = []
        self.upgrade_in_progress = False  # True (every node) or a frozenset of node names

    def patch(self, data):
        """The shell settings (``ShellAccess.patch``) and ``upgrade_in_progress``: true or false for every node of
        the cluster, or a list of the node names (lab ``nodes[].name``) with an upgrade in progress."""
        if isinstance(data, dict) and "upgrade_in_progress" in data:
            data = dict(data)
            value = data.pop("upgrade_in_progress")
            if isinstance(value, bool):
                upgrading = value
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                upgrading = frozenset(value)
            else:
                raise LabError("%s: upgrade_in_progress must be true, false or a list of node names" % self.label)
            ShellAccess.patch(self, data)
            with self.lock:
                self.upgrade_in_progress = upgrading
            return
        ShellAccess.patch(self, data)

    def upgrading(self, node_name):
        """True while the node ``node_name`` (None: a shell with no node) has an upgrade in progress."""
        with self.lock:
            if isinstance(self.upgrade_in_progress, bool):
                return self.upgrade_in_progress
            return node_name in self.upgrade_in_progress

    def authorize(self, user, command, node=None):
        """The CLI reference's rules (assumptions.CLI_PRIVILEGE_REQUIRED and what follows it), in this order:
        every command here needs privilege level 4; the key commands (SHOW_KEY, REGENERATE_KEY) are refused on a
        node with an upgrade in progress; REGENERATE_KEY runs on the publisher only (``node`` None: a shell with no
        node, taken as the publisher's). Raises PlatformError with the CLI's words; returns None when allowed."""
        if self.privilege(user) < A.CLI_PRIVILEGE_REQUIRED:
            raise PlatformError(A.CLI_INSUFFICIENT)
        if command == CONTROL_SERVICE:
            return
        if command not in (SHOW_KEY, REGENERATE_KEY):
            raise ValueError("no platform rule for %r" % command)
        if self.upgrading(node.name if node is not None else None):
            raise PlatformError(A.CLI_UPGRADE_REFUSED)
        if command == REGENERATE_KEY and node is not None and node.role != "publisher":
            raise PlatformError(A.CLI_PUBLISHER_ONLY)

    # AuthZ keys -------------------------------------------------------------------------------------------
    @staticmethod
    def _kind(kind):
        if kind not in KEY_KINDS:
            raise KeyError(kind)

    def key_info(self, kind, user=None, node=None):
        """The key's checksum and last regeneration; with ``user``: as that administrator asks on ``node``
        (``authorize``: PlatformError when refused)."""
        self._kind(kind)
        if user is not None:
            self.authorize(user, SHOW_KEY, node)
        with self.lock:
            return {"checksum": self.keys[kind], "last_regenerated": self.regenerated_at[kind]}

    def add_listener(self, fn):
        """fn(kind, old_checksum, new_checksum), called after a key is regenerated, under the state lock (the
        cluster's rules that follow a regeneration happen in the same step)."""
        with self.lock:
            self._listeners.append(fn)

    def remove_listener(self, fn):
        with self.lock:
            self._listeners.remove(fn)

    def regenerate_key(self, kind, by=None, node=None):
        """A new checksum for the key ``kind``; ``by`` a shell user: as that administrator types it on ``node``
        (``authorize``: PlatformError when refused, nothing done)."""
        self._kind(kind)
        if by not in INTERNAL_CALLERS:
            self.authorize(by, REGENERATE_KEY, node)
        with self.lock:
            old = self.keys[kind]
            new = new_checksum(kind)
            while new == old:  # pragma: no cover - 128 random bits
                new = new_checksum(kind)
            self.keys[kind] = new
            self.regenerated_at[kind] = self.clock()
            self.regenerations[kind] += 1
            for fn in list(self._listeners):
                fn(kind, old, new)
        return new

    def to_json(self):
        with self.lock:
            return dict(self.access_json(), authz_keys=dict(self.keys),
                        authz_keys_regenerated_at=dict(self.regenerated_at),
                        authz_key_regenerations=dict(self.regenerations), version_active=self.version_active,
                        upgrade_in_progress=(self.upgrade_in_progress if isinstance(self.upgrade_in_progress, bool)
                                             else sorted(self.upgrade_in_progress)))
