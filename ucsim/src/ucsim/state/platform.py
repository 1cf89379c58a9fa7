"""The Cisco VOS platform of one CUCM cluster, as the admin CLI sees it: administrators, AuthZ keys, version.

Business rules live here; ``protocols/platform_cli.py`` only turns CLI lines into calls of this interface and
``transports/ssh.py`` only carries bytes. One ``PlatformState`` per cluster: every node of the cluster shares it.

Interface used by the CLI:
  check_login(user, password) -> bool          administrators (``admins``: {user: password or {password, privilege}})
  privilege(user) -> int
  key_info(kind) -> {"checksum", "last_regenerated"}     kind "signing" | "encryption"
  regenerate_key(kind, by=None) -> new checksum   notifies every listener: fn(kind, old, new)
  add_listener(fn) / remove_listener(fn)        the cluster wiring invalidates refresh tokens, marks Unity
                                                Connection syncs stale...
  version_active, hostname, services            shown by ``show version active``, ``show myself``, ``utils service list``
  to_json()                                     for ``GET /_sim/state`` (no passwords)

``keys`` may be passed in: the dict is used as it is (not copied), so a cluster state that already holds the
checksums (``CucmState.authz_keys``) and this one stay one truth.
"""

import hashlib
import os
import secrets
import threading
import time

from ..lab import LabError

KEY_KINDS = ("signing", "encryption")
DEFAULT_VERSION_ACTIVE = "14.0.1.13900-155"
DEFAULT_PRIVILEGE = 4
DEFAULT_SERVICES = (
    ("Cisco CallManager", "STARTED", None),
    ("Cisco Tomcat", "STARTED", None),
    ("Cisco DirSync", "STOPPED", "Service Not Activated"),
)


def new_checksum(kind, seed=None):
    """A key checksum: 32 hex digits; derived from ``seed`` when given (stable labs), random otherwise."""
    if seed is None:
        return os.urandom(16).hex()
    return hashlib.sha256(b"authz-" + kind.encode() + seed).hexdigest()[:32]


class PlatformState:
    def __init__(self, name, admins=None, keys=None, seed=None, version_active=DEFAULT_VERSION_ACTIVE,
                 hostname=None, services=DEFAULT_SERVICES, clock=time.time):
        self.lock = threading.RLock()
        self.name = name
        self.clock = clock
        self.hostname = hostname or name
        self.version_active = str(version_active)
        self.admins = {}
        for user, spec in (admins or {}).items():
            if isinstance(spec, dict):
                if "password" not in spec:
                    raise LabError("platform %s: admin %s needs a password" % (name, user))
                password, privilege = str(spec["password"]), int(spec.get("privilege", DEFAULT_PRIVILEGE))
            else:
                password, privilege = str(spec), DEFAULT_PRIVILEGE
            self.admins[str(user)] = (password, privilege)
        if isinstance(seed, str):
            seed = hashlib.sha256(seed.encode()).digest()[:16]
        self.keys = keys if keys is not None else {}
        for kind in KEY_KINDS:
            self.keys.setdefault(kind, new_checksum(kind, seed))
        self.regenerated_at = dict.fromkeys(KEY_KINDS)  # epoch seconds of the last regeneration, None = never
        self.regenerations = dict.fromkeys(KEY_KINDS, 0)
        self.services = [[n, s, r] for n, s, r in services]
        self._listeners = []

    # administrators ---------------------------------------------------------------------------------------
    def check_login(self, user, password):
        acct = self.admins.get(user)
        if acct is None:
            return False
        return secrets.compare_digest(acct[0].encode("utf-8"), str(password).encode("utf-8"))

    def privilege(self, user):
        acct = self.admins.get(user)
        return acct[1] if acct else 0

    # AuthZ keys -------------------------------------------------------------------------------------------
    @staticmethod
    def _kind(kind):
        if kind not in KEY_KINDS:
            raise KeyError(kind)

    def key_info(self, kind):
        self._kind(kind)
        with self.lock:
            return {"checksum": self.keys[kind], "last_regenerated": self.regenerated_at[kind]}

    def add_listener(self, fn):
        """fn(kind, old_checksum, new_checksum), called after a key is regenerated (outside the state lock)."""
        with self.lock:
            self._listeners.append(fn)

    def remove_listener(self, fn):
        with self.lock:
            self._listeners.remove(fn)

    def regenerate_key(self, kind, by=None):
        self._kind(kind)
        with self.lock:
            old = self.keys[kind]
            new = new_checksum(kind)
            while new == old:  # pragma: no cover - 128 random bits
                new = new_checksum(kind)
            self.keys[kind] = new
            self.regenerated_at[kind] = self.clock()
            self.regenerations[kind] += 1
            listeners = list(self._listeners)
        for fn in listeners:
            fn(kind, old, new)
        return new

    # services ---------------------------------------------------------------------------------------------
    def service_list(self):
        with self.lock:
            return [tuple(s) for s in self.services]

    def to_json(self):
        with self.lock:
            return {"admins": sorted(self.admins), "authz_keys": dict(self.keys),
                    "authz_keys_regenerated_at": dict(self.regenerated_at),
                    "authz_key_regenerations": dict(self.regenerations), "version_active": self.version_active}
