"""State of one simulated Unity Connection: administrators, trusted CUCM certificates, AuthZ servers.

An AuthZ server is stored with CUPI's field names and Python types (Port an int, IgnoreCertificateError a
bool); ServerPassword is kept (Connection needs it to sync) but never shown by CUPI or the control API,
which shows a fingerprint instead. A key sync (``sync``) checks the AuthZ server against the CUCM systems
of the same simulator and, when it passes, stores the checksums of that CUCM's current AuthZ keys.
"""

import hashlib
import threading
import time
import uuid

from .. import assumptions as A
from ..clock import REAL_TIME
from ..lab import LabError, account
from ..transports.core import check_login

DEFAULT_VERSION = "14.0.1.10000-117"

CUC_KEYS = {"name", "port", "hostnames", "version", "session_timeout_s", "users", "trust", "authz_servers",
            "json_values", "nodes"}

FIELDS = ("DisplayName", "ServerNodeAddress", "Port", "ServerUsername", "ServerPassword", "IgnoreCertificateError")
READ_ONLY = ("ObjectId", "LastSyncStatus", "URI")


class CupiError(Exception):
    """A refusal CUPI answers with ErrorDetails: HTTP status, code, message."""

    def __init__(self, status, code, message):
        Exception.__init__(self, message)
        self.status = status
        self.code = code
        self.message = message


def fingerprint(password):
    """What the control API shows instead of a password: enough to tell passwords apart in tests."""
    return hashlib.sha256(("ucsim:" + (password or "")).encode("utf-8")).hexdigest()[:16]


def parse_bool(value, field):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise CupiError(400, A.CUPI_INVALID_PARAMETER, "%s must be true or false, got %r" % (field, value))


def parse_port(value):
    if isinstance(value, bool):
        raise CupiError(400, A.CUPI_INVALID_PARAMETER, "Port must be an integer, got %r" % (value,))
    try:
        port = int(str(value).strip())
    except ValueError:
        raise CupiError(400, A.CUPI_INVALID_PARAMETER, "Port must be an integer, got %r" % (value,))
    if not 1 <= port <= 65535:
        raise CupiError(400, A.CUPI_INVALID_PARAMETER, "Port must be between 1 and 65535, got %d" % port)
    return port


def validate_fields(data, creating):
    """The typed fields of a POST or PUT body (a dict of CUPI fields); raises CupiError when invalid."""
    if not isinstance(data, dict):
        raise CupiError(400, A.CUPI_INVALID_PARAMETER, "The body must be an AuthzServer object")
    out = {}
    for key, value in data.items():
        if key in READ_ONLY:
            continue  # ASSUMPTION (see assumptions.py): read-only fields in a body are ignored
        if key not in FIELDS:
            raise CupiError(400, A.CUPI_INVALID_PARAMETER, "Unknown field %s for AuthzServer" % key)
        if key == "Port":
            out[key] = parse_port(value)
        elif key == "IgnoreCertificateError":
            out[key] = parse_bool(value, key)
        else:
            if value is None:
                value = ""
            if not isinstance(value, str):
                value = str(value)
            limit = A.CUPI_MAX_LENGTHS.get(key)
            if limit is not None and len(value) > limit:
                raise CupiError(400, A.CUPI_INVALID_PARAMETER,
                                "%s must be at most %d characters, got %d" % (key, limit, len(value)))
            if key != "ServerPassword":
                value = value.strip()
            if not value and key in A.CUPI_REQUIRED_FIELDS:
                raise CupiError(400, A.CUPI_MISSING_PARAMETER, "%s must not be empty" % key)
            out[key] = value
    if creating:
        missing = [k for k in A.CUPI_REQUIRED_FIELDS if not out.get(k)]
        if missing:
            raise CupiError(400, A.CUPI_MISSING_PARAMETER, "Missing required field(s): %s" % ", ".join(missing))
        out.setdefault("Port", A.CUPI_DEFAULT_PORT)
        out.setdefault("IgnoreCertificateError", False)
    return out


def sync_time_text(now=None):
    """``May 12,2017 07:00:53 AM GMT`` (English month names, whatever the locale)."""
    t = time.gmtime(now)
    hour = t.tm_hour % 12 or 12
    return "%s %02d,%d %02d:%02d:%02d %s GMT" % (A.MONTHS[t.tm_mon - 1], t.tm_mday, t.tm_year, hour, t.tm_min,
                                                 t.tm_sec, "AM" if t.tm_hour < 12 else "PM")


class CucState:
    kind = "cuc"
    node_roles = ("publisher", "subscriber")
    registry = None  # set by the simulator: ``state_of(kind, name)`` finds the CUCM a server synced with
    clock = REAL_TIME  # set by the simulator: the lab's clock (clock.py); sync times are its wall clock

    def __init__(self, name, config):
        self.lock = threading.RLock()
        self.name = name
        self.config = config
        unknown = set(config) - CUC_KEYS
        if unknown:
            raise LabError("cuc %s: unknown keys %s (known: %s)" % (name, sorted(unknown), sorted(CUC_KEYS)))
        self.version = str(config.get("version", DEFAULT_VERSION))
        self.session_timeout_s = int(config.get("session_timeout_s", 1800))
        self.json_values = config.get("json_values", A.CUPI_DEFAULT_JSON_VALUES)
        if self.json_values not in ("strings", "typed"):
            raise LabError("cuc %s: json_values must be strings or typed" % name)
        self.accounts = {}
        for u in config.get("users") or []:
            self.add_account(u)
        self.trust = self._trust(config.get("trust"))
        self.servers = {}  # ObjectId -> fields (insertion order = list order)
        self.synced_keys = {}  # ObjectId -> {"cucm", "signing", "encryption", "time"}
        for i, entry in enumerate(config.get("authz_servers") or []):
            if not isinstance(entry, dict):
                raise LabError("cuc %s: authz_servers[%d] must be a mapping" % (name, i))
            try:
                self.create(entry)
            except CupiError as exc:
                raise LabError("cuc %s: authz_servers[%d]: %s" % (name, i, exc.message))

    # -- setup --------------------------------------------------------------------------------------------
    def _trust(self, value):
        if value is None:
            return None  # every CUCM of the lab
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise LabError("cuc %s: trust must be a list of CUCM system names" % self.name)
        return list(value)

    def add_account(self, u):
        userid, acct = account(u, "cuc %s" % self.name)
        self.accounts[userid] = acct

    def trusts(self, cucm_name):
        return self.trust is None or cucm_name in self.trust

    # -- AuthZ servers ------------------------------------------------------------------------------------
    def _check_unique(self, display_name, object_id=None):
        for oid, server in self.servers.items():
            if oid != object_id and server["DisplayName"].lower() == display_name.lower():
                raise CupiError(400, A.CUPI_DUPLICATE, A.CUPI_DUPLICATE_MESSAGE % display_name)

    def check(self, data, object_id=None):
        """Validate a POST (object_id None) or PUT body without changing anything; raises CupiError."""
        fields = validate_fields(data, creating=object_id is None)
        with self.lock:
            if object_id is not None:
                self.get(object_id)
            if "DisplayName" in fields:
                self._check_unique(fields["DisplayName"], object_id)

    def create(self, data):
        fields = validate_fields(data, creating=True)
        with self.lock:
            self._check_unique(fields["DisplayName"])
            object_id = str(data.get("ObjectId") or uuid.uuid4())
            server = {"ObjectId": object_id}
            server.update(fields)
            server["LastSyncStatus"] = str(data.get("LastSyncStatus") or "")
            self.servers[object_id] = server
            return object_id

    def get(self, object_id):
        server = self.servers.get(object_id)
        if server is None:
            raise CupiError(404, A.CUPI_NOT_FOUND, A.CUPI_NOT_FOUND_MESSAGE % object_id)
        return server

    def update(self, object_id, data):
        fields = validate_fields(data, creating=False)
        with self.lock:
            server = self.get(object_id)
            if "DisplayName" in fields:
                self._check_unique(fields["DisplayName"], object_id)
            server.update(fields)

    def delete(self, object_id):
        with self.lock:
            self.get(object_id)
            del self.servers[object_id]
            self.synced_keys.pop(object_id, None)

    def sync(self, object_id, resolve, now=None):
        """Fetch the AuthZ keys of the CUCM the server points at; set and return LastSyncStatus.

        ``resolve(address, port)``: the simulator's registry, ``(cluster name, cluster state)`` of the CUCM
        a connection to address:port reaches, or None. The checks run in the order a real connection would
        fail: TCP connect (address and port), TLS (certificate trust), then the login and its AXL role.
        """
        now = self.clock.now() if now is None else now
        with self.lock:
            server = self.get(object_id)
            target = resolve(server["ServerNodeAddress"].strip(), server["Port"])
            if target is None:
                status = A.SYNC_CONNECT_FAILED % (server["ServerNodeAddress"], server["Port"])
            elif not server["IgnoreCertificateError"] and not self.trusts(target[0]):
                status = A.SYNC_CERTIFICATE_FAILED % server["ServerNodeAddress"]
            else:
                cucm_name, cucm_state = target
                with cucm_state.lock:
                    keys = dict(getattr(cucm_state, "authz_keys", None) or {})
                    refused = check_login(cucm_state.accounts, server["ServerUsername"], server["ServerPassword"],
                                          A.SYNC_AXL_ROLE)
                if refused == "credentials":
                    status = A.SYNC_BAD_CREDENTIALS
                elif refused == "role":
                    status = A.SYNC_NO_AXL_ROLE
                else:
                    status = "Passed - " + sync_time_text(now)
                    self.synced_keys[object_id] = {"cucm": cucm_name, "signing": keys.get("signing"),
                                                   "encryption": keys.get("encryption"),
                                                   "time": now}
            server["LastSyncStatus"] = status
            return status

    def keys_current(self, object_id):
        """Rule: True when the keys Connection holds for this server (its last passed sync) are still the CUCM
        cluster's current AuthZ keys; False once that cluster regenerated one of them (tokens it now signs
        fail here until the server syncs again); None when it never synced or the CUCM is unknown."""
        synced = self.synced_keys.get(object_id)
        cucm = self.registry.state_of("cucm", synced["cucm"]) if synced and self.registry is not None else None
        if cucm is None:
            return None
        with cucm.lock:
            keys = dict(cucm.authz_keys)
        return all(synced.get(k) == keys.get(k) for k in ("signing", "encryption"))

    def listing(self):
        with self.lock:
            return [dict(s) for s in self.servers.values()]

    # -- control API --------------------------------------------------------------------------------------
    def to_json(self, user=None):
        with self.lock:
            servers = []
            for server in self.servers.values():
                item = dict(server)
                item["ServerPasswordFingerprint"] = fingerprint(item.pop("ServerPassword"))
                item["synced_keys"] = dict(self.synced_keys[server["ObjectId"]]) \
                    if server["ObjectId"] in self.synced_keys else None
                item["keys_current"] = self.keys_current(server["ObjectId"])
                item["keys_stale"] = item["keys_current"] is False
                servers.append(item)
            return {
                "name": self.name, "kind": self.kind, "version": self.version,
                "session_timeout_s": self.session_timeout_s, "json_values": self.json_values,
                "users": [{"userid": u, "roles": sorted(r)} for u, (_, r) in self.accounts.items()],
                "trust": self.trust,
                "authz_servers": servers,
            }

    def patch(self, data):
        """Apply a test's patch. Keys: users [account], trust [cucm name] | null, json_values,
        session_timeout_s, authz_servers [fields] (added), delete_authz_servers [DisplayName] | true,
        authz_server_status {DisplayName: LastSyncStatus}."""
        if not isinstance(data, dict):
            raise LabError("state patch must be a mapping")
        known = {"users", "trust", "json_values", "session_timeout_s", "authz_servers", "delete_authz_servers",
                 "authz_server_status"}
        unknown = set(data) - known
        if unknown:
            raise LabError("unknown state keys %s (known: %s)" % (sorted(unknown), sorted(known)))
        with self.lock:
            for u in data.get("users") or []:
                self.add_account(u)
            if "trust" in data:
                self.trust = self._trust(data["trust"])
            if "json_values" in data:
                if data["json_values"] not in ("strings", "typed"):
                    raise LabError("json_values must be strings or typed")
                self.json_values = data["json_values"]
            if "session_timeout_s" in data:
                self.session_timeout_s = int(data["session_timeout_s"])
            delete = data.get("delete_authz_servers")
            if delete is True:
                self.servers.clear()
                self.synced_keys.clear()
            elif isinstance(delete, list):
                for oid, server in list(self.servers.items()):
                    if server["DisplayName"] in delete:
                        self.delete(oid)
            for entry in data.get("authz_servers") or []:
                try:
                    self.create(entry)
                except CupiError as exc:
                    raise LabError("authz_servers: %s" % exc.message)
            for display_name, status in (data.get("authz_server_status") or {}).items():
                found = [s for s in self.servers.values() if s["DisplayName"] == display_name]
                if not found:
                    raise LabError("no AuthZ server named %r" % display_name)
                found[0]["LastSyncStatus"] = str(status)
