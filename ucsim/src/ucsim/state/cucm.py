"""State of one simulated CUCM cluster: enterprise parameters, accounts, end users, refresh tokens.

Refresh tokens are stored compactly: users made by ``generate_users`` and their tokens are virtual
(derived from an index and a per-state random seed), with one byte per token saying whether it still
exists. Users and tokens given one by one (lab ``end_users``, ``POST /_sim/state``) live in dicts.
"""

import hashlib
import os
import re
import threading

from .. import assumptions as A
from .. import sql
from ..lab import LabError, account
from .platform import PlatformState
from .services import Services

DEFAULT_VERSION = "14.0.1.13900(155)"
ENTERPRISE_NODE = "EnterpriseWideData"
ENTERPRISE_SERVICE = "Enterprise Wide"


def braced_uuid(text):
    """A stable AXL-style uuid ({XXXXXXXX-XXXX-...}) derived from text."""
    h = hashlib.sha1(text.encode()).hexdigest().upper()
    return "{%s-%s-%s-%s-%s}" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:32])


class Param:
    __slots__ = ("name", "kind", "default", "lo", "hi", "choices", "maxlen", "uuid")

    def __init__(self, name, kind, default, lo=None, hi=None, choices=None, maxlen=None):
        self.name, self.kind, self.default = name, kind, default
        self.lo, self.hi, self.choices, self.maxlen = lo, hi, choices, maxlen
        self.uuid = braced_uuid("ucsim-param:" + name)

    def value_type(self, style):
        """The schema's valueType (boolean, long, string)."""
        return A.BOOLEAN_STYLES[style]["valueType"] if self.kind == "bool" else A.VALUE_TYPES[self.kind]

    def describe(self, style):
        if self.kind == "bool":
            st = A.BOOLEAN_STYLES[style]
            return "must be %s or %s" % (st[True], st[False])
        if self.kind == "long":
            return "must be an integer between %d and %d" % (self.lo, self.hi)
        if self.kind == "enum":
            return "must be one of %s" % ", ".join("%s (%s)" % kv for kv in self.choices.items())
        return "must be a string of at most %d characters" % self.maxlen

    def parse(self, value, style):
        """Validate a value as written by updateServiceParameter; return the stored string or None."""
        if self.kind == "bool":
            st = A.BOOLEAN_STYLES[style]
            for b in (True, False):
                if value == st[b] or (style == "truefalse" and value.lower() == st[b]):
                    return st[b]
            return None
        if self.kind == "long":
            if not re.fullmatch(r"[+-]?\d{1,18}", value.strip()):
                return None
            n = int(value)
            return str(n) if self.lo <= n <= self.hi else None
        if self.kind == "enum":
            return value if value in self.choices else None
        return value if len(value) <= self.maxlen else None

    def coerce(self, value, style):
        """A value from a lab or a state patch: logical (bool, Enabled/Disabled, any style's stored form, in
        any case) for on/off parameters, else the stored form (int or text); None if not valid."""
        if self.kind == "bool":
            if isinstance(value, (bool, int)):
                logical = bool(value)
            else:
                logical = LOGICAL.get(str(value).strip().lower())
            return None if logical is None else A.BOOLEAN_STYLES[style][logical]
        if isinstance(value, bool):
            value = "true" if value else "false"
        if isinstance(value, int):
            value = str(value)
        if not isinstance(value, str):
            return None
        return self.parse(value, style)

    def is_on(self, stored):
        """True if a stored on/off value (of any boolean_style) is on."""
        return stored in ON_VALUES


ON_VALUES = frozenset(style[True] for style in A.BOOLEAN_STYLES.values())
# what a lab or a state patch may write for on/off: every style's values, and the UI's Enabled / Disabled
LOGICAL = {style[b].lower(): b for style in A.BOOLEAN_STYLES.values() for b in (True, False)}
LOGICAL.update(enabled=True, disabled=False)

PARAMS = [
    Param("oAuthWithRefreshLoginFlow", "bool", False),
    Param("oauthTokenExpiryTimer", "long", 60, 1, 1440),
    Param("refreshTokenExpiryTimer", "long", 60, 1, 365),
    Param("DeviceTokenExpiryTimer", "long", 3650, 1, 3650),
    Param("OAuthAccessTokenForDevices", "bool", False),
    Param("SSOLoginBehaviorForIos", "enum", "0",
          choices={"0": "Use embedded browser (WebView)", "1": "Use native browser"}),
    Param("UseSSOforRTMT", "bool", True),
    Param("ClusterID", "string", "StandAloneCluster", maxlen=50),
    Param("AdvertiseG722Codec", "bool", True),
    Param("URLIdleTime", "long", 0, 0, 604800),
    Param("EnableCiscoSupportDiagnostics", "bool", False),
]
PARAMS_BY_NAME = {p.name: p for p in PARAMS}

CUCM_KEYS = {"name", "port", "hostnames", "version", "axl_versions", "session_timeout_s", "sso",
             "boolean_style", "enterprise_parameters", "users", "end_users", "generate_users",
             "axl_max_response_bytes", "token_seed", "nodes", "platform", "ssh_port", "services",
             "key_regen_tokens"}

TABLES = {
    "processconfig": ("pkid", "fkprocessnode", "tkservice", "paramname", "paramvalue"),
    "enduser": ("pkid", "userid", "firstname", "lastname"),
    "refreshtokendetails": ("pkid", "refreshtokenindex", "userid", "clientid", "validity", "state"),
}


class CucmError(Exception):
    """A request the cluster refuses: ``code`` (CUCM's error code, AXL's axlcode) and ``message``."""

    def __init__(self, code, message):
        Exception.__init__(self, message)
        self.code = code
        self.message = message


def _uuid(data):
    h = hashlib.blake2b(data, digest_size=16).hexdigest()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def supported_axl_versions(version):
    m = re.match(r"(\d+)\.(\d+)", version)
    if not m:
        raise LabError("version %r does not look like a CUCM version (e.g. 14.0.1.13900(155))" % version)
    own = (int(m.group(1)), int(m.group(2)))
    out = []
    for v in A.KNOWN_AXL_SCHEMAS:
        t = tuple(int(x) for x in v.split("."))
        if own[0] - A.AXL_SCHEMA_WINDOW_MAJORS <= t[0] and t <= own:
            out.append(v)
    if "%d.%d" % own not in out:
        out.append("%d.%d" % own)
    return out


def client_id(spec):
    return A.CLIENT_IDS.get(spec.lower(), spec) if isinstance(spec, str) else None


class Token:
    __slots__ = ("pkid", "index", "userid", "clientid", "value", "validity", "state")

    def __init__(self, pkid, index, userid, clientid, value, validity, state=A.TOKEN_STATE_ACTIVE):
        self.pkid, self.index, self.userid, self.clientid = pkid, index, userid, clientid
        self.value, self.validity, self.state = value, validity, state

    def row(self):
        return {"pkid": self.pkid, "refreshtokenindex": self.index, "userid": self.userid,
                "clientid": self.clientid, "validity": self.validity, "state": self.state}


class Generator:
    """count virtual end users prefix<start..>, each with tokens_per_user tokens."""

    def __init__(self, no, spec, seed, validity, index_base):
        if not isinstance(spec, dict):
            raise LabError("generate_users entries must be mappings")
        unknown = set(spec) - {"prefix", "count", "start", "digits", "tokens_per_user", "clients",
                               "firstname", "lastname"}
        if unknown:
            raise LabError("generate_users: unknown keys %s" % sorted(unknown))
        self.no = no
        self.prefix = str(spec.get("prefix", "user"))
        self.count = int(spec.get("count", 0))
        self.start = int(spec.get("start", 1))
        self.digits = int(spec.get("digits", 0))
        self.tpu = int(spec.get("tokens_per_user", 1))
        clients = spec.get("clients") or ["jabber"]
        self.clients = [client_id(c) for c in clients]
        if self.count < 0 or self.tpu < 0 or not all(self.clients):
            raise LabError("generate_users: count/tokens_per_user must be >= 0 and clients names or ids")
        self.firstname = str(spec.get("firstname", "User"))
        self.lastname = spec.get("lastname")
        self.seed = seed
        self.validity = validity
        self.index_base = index_base
        self.alive = bytearray(b"\x01") * (self.count * self.tpu)
        self.userids = None

    def userid(self, i):
        return "%s%0*d" % (self.prefix, self.digits, self.start + i)

    def index_of(self, userid):
        if not userid.startswith(self.prefix):
            return None
        rest = userid[len(self.prefix):]
        if not rest.isdigit() or not rest.isascii():
            return None
        n = int(rest) - self.start
        if 0 <= n < self.count and self.userid(n) == userid:
            return n
        return None

    def user_row(self, i, pkid=True):
        return {"pkid": _uuid(b"u%d:%d:" % (self.no, i) + self.seed) if pkid else None, "userid": self.userid(i),
                "firstname": self.firstname, "lastname": self.lastname or str(self.start + i)}

    def token(self, i, j):
        k = i * self.tpu + j
        value = hashlib.sha256(b"t%d:%d:" % (self.no, k) + self.seed).hexdigest()
        return Token(self.token_pkid(k), self.index_base + k, self.userid(i),
                     self.clients[j % len(self.clients)], value, self.validity)

    def token_pkid(self, k):
        return _uuid(b"p%d:%d:" % (self.no, k) + self.seed)

    def token_rows(self, pkid=True):
        """Rows of every live token, without building Token objects (table scans)."""
        tpu, clients, nc = self.tpu, self.clients, len(self.clients)
        base, validity, alive = self.index_base, self.validity, self.alive
        for k in _rows_of(alive):
            yield {"pkid": self.token_pkid(k) if pkid else None, "refreshtokenindex": base + k,
                   "userid": self.userid(k // tpu), "clientid": clients[(k % tpu) % nc], "validity": validity,
                   "state": _ROW_STATE[alive[k]]}

    def tokens_of(self, i):
        base = i * self.tpu
        out = []
        for j in range(self.tpu):
            if self.alive[base + j]:
                token = self.token(i, j)
                token.state = _ROW_STATE[self.alive[base + j]]
                out.append(token)
        return out

    def live_count(self):
        """Rows in the table (usable or invalidated)."""
        return len(self.alive) - self.alive.count(0)

    def usable_count(self):
        return self.alive.count(1)

    def invalidate(self):
        """Mark every row invalid (a key regeneration in mode ``invalid``); gone rows stay gone."""
        self.alive = self.alive.translate(_INVALIDATE)


# A generator's ``alive`` byte per token: 0 no row (revoked), 1 a usable row, 2 a row a key regeneration made
# unusable. Its ``state`` column as ``_ROW_STATE`` says.
_ROW_STATE = {1: A.TOKEN_STATE_ACTIVE, 2: A.TOKEN_STATE_INVALID}
_INVALIDATE = bytes([0, 2, 2]) + bytes(range(3, 256))


def _rows_of(alive):
    """Indexes of the non-zero bytes of ``alive`` (rows that exist), in order (each kind searched once ahead)."""
    ahead = {1: alive.find(1), 2: alive.find(2)}
    while True:
        found = [k for k in ahead.values() if k >= 0]
        if not found:
            return
        k = min(found)
        yield k
        ahead[alive[k]] = alive.find(alive[k], k + 1)


def _like(pattern, value):
    """SQL LIKE with ``%`` (any text), case-insensitive, as AXL's list searchCriteria match."""
    rx = ".*".join(re.escape(part) for part in pattern.split("%"))
    return re.fullmatch(rx, value or "", re.IGNORECASE | re.DOTALL) is not None


class CucmState:
    """A CUCM cluster. ``nodes`` (set by the simulator): its nodes, publisher first, each with ``name``,
    ``role`` (one of ``node_roles``) and ``address``."""

    kind = "cucm"
    node_roles = tuple(A.NODE_USAGE)
    nodes = ()

    @property
    def clock(self):
        """The lab's clock (``clock.py``; set by the simulator), which the cluster's services and platform read."""
        return self.services.clock

    @clock.setter
    def clock(self, clock):
        self.services.clock = clock
        self.platform.clock = clock

    def __init__(self, name, config):
        self.lock = threading.RLock()
        self.name = name
        self.config = config
        unknown = set(config) - CUCM_KEYS
        if unknown:
            raise LabError("cucm %s: unknown keys %s (known: %s)" % (name, sorted(unknown), sorted(CUCM_KEYS)))
        self.version = str(config.get("version", DEFAULT_VERSION))
        self.axl_versions = [str(v) for v in config.get("axl_versions") or supported_axl_versions(self.version)]
        self.session_timeout_s = int(config.get("session_timeout_s", 1800))
        sso = config.get("sso") or {}
        self.sso_enabled = bool(sso.get("enabled", False))
        self.boolean_style = config.get("boolean_style", A.DEFAULT_BOOLEAN_STYLE)
        if self.boolean_style not in A.BOOLEAN_STYLES:
            raise LabError("cucm %s: boolean_style must be one of %s" % (name, ", ".join(A.BOOLEAN_STYLES)))
        self.axl_max_response_bytes = int(config.get("axl_max_response_bytes", 8 * 1024 * 1024))
        seed = config.get("token_seed")
        self.seed = os.urandom(16) if seed is None else hashlib.sha256(str(seed).encode()).digest()[:16]
        # AuthZ key checksums (what `show key authz signing|encryption` prints); a Unity Connection sync copies them
        self.authz_keys = {k: hashlib.sha256(b"authz-" + k.encode() + self.seed).hexdigest()[:32]
                           for k in ("signing", "encryption")}
        # The platform (admin CLI over SSH): its own administrators, the same key checksums and lock.
        self.platform = PlatformState(name, keys=self.authz_keys, lock=self.lock,
                                      version_active=self.version.replace("(", "-").rstrip(")"),
                                      hostname=(config.get("hostnames") or [name])[0].split(".")[0])
        self.platform.patch(config.get("platform") or {})
        self.platform.add_listener(self._key_regenerated)
        self.key_regen_tokens = self._regen_mode(config.get("key_regen_tokens", A.KEY_REGEN_TOKENS_DEFAULT))
        self._seq = 0
        self.absent_tables = set()  # tables this release does not have (state patch absent_tables, tests)
        self.services = Services(name, config.get("services"))  # services of every node (state/services.py)
        self.params = {p.name: p.coerce(p.default, self.boolean_style) for p in PARAMS}
        for pname, value in (config.get("enterprise_parameters") or {}).items():
            self.set_param_raw(pname, value, where="lab")
        self.accounts = {}
        for u in config.get("users") or []:
            self.add_account(u)
        now = int(self.clock.now())
        validity = now + 86400 * int(self.params["refreshTokenExpiryTimer"])
        gens = config.get("generate_users") or []
        if isinstance(gens, dict):
            gens = [gens]
        self.generators = []
        base = 1
        for no, spec in enumerate(gens):
            g = Generator(no, spec, self.seed, validity, base)
            base += g.count * g.tpu
            self.generators.append(g)
        self._next_index = base
        self.end_users = {}  # userid -> [pkid, firstname, lastname]
        self.tokens = {}  # userid -> [Token]  (explicit tokens only)
        for u in config.get("end_users") or []:
            if not isinstance(u, dict) or not u.get("userid"):
                raise LabError("cucm %s: end_users entries need a userid" % name)
            if self._generated(str(u["userid"])):
                raise LabError("cucm %s: end user %r collides with generate_users" % (name, u["userid"]))
            self.add_end_user(u)

    # -- helpers ------------------------------------------------------------------------------------------
    def _rand(self, n):
        self._seq += 1
        return hashlib.sha256(b"r%d:" % self._seq + self.seed).digest()[:n]

    def _generated(self, userid):
        for g in self.generators:
            i = g.index_of(userid)
            if i is not None:
                return g, i
        return None

    def set_param_raw(self, pname, value, where="state"):
        p = PARAMS_BY_NAME.get(pname)
        if p is None:
            raise LabError("%s: unknown enterprise parameter %r (known: %s)" % (where, pname, ", ".join(PARAMS_BY_NAME)))
        stored = p.coerce(value, self.boolean_style)
        if stored is None:
            raise LabError("%s: bad value %r for %s: %s" % (where, value, pname, p.describe(self.boolean_style)))
        self.params[pname] = stored

    def add_account(self, u):
        userid, acct = account(u, "cucm %s" % self.name)
        self.accounts[userid] = acct

    def add_end_user(self, u):
        uid = str(u["userid"])
        if self._generated(uid):
            raise LabError("end user %r is a generated user" % uid)
        if uid not in self.end_users:
            self.end_users[uid] = [_uuid(b"e" + uid.encode() + self.seed), "", uid]
        rec = self.end_users[uid]
        if "firstname" in u:
            rec[1] = str(u["firstname"])
        if "lastname" in u:
            rec[2] = str(u["lastname"])
        for t in u.get("tokens") or []:
            self.add_token(uid, t)

    def add_token(self, userid, spec):
        """spec: a client name/id, or {client, validity_days | validity, state}."""
        if isinstance(spec, dict):
            cid = client_id(spec.get("client") or spec.get("client_id"))
            days = spec.get("validity_days")
            validity = spec.get("validity")
            state = int(spec.get("state", A.TOKEN_STATE_ACTIVE))
        else:
            cid, days, validity, state = client_id(spec), None, None, A.TOKEN_STATE_ACTIVE
        if not cid:
            raise LabError("token for %s needs a client (name or id)" % userid)
        if validity is None:
            if days is None:
                days = int(self.params["refreshTokenExpiryTimer"])
            validity = int(self.clock.now()) + int(days) * 86400
        if userid not in self.end_users and not self._generated(userid):
            self.end_users[userid] = [_uuid(b"e" + userid.encode() + self.seed), "", userid]
        tok = Token(_uuid(self._rand(16)), self._next_index, userid, cid, self._rand(32).hex(), int(validity), state)
        self._next_index += 1
        self.tokens.setdefault(userid, []).append(tok)
        return tok

    # -- queries ------------------------------------------------------------------------------------------
    def is_end_user(self, userid):
        return userid in self.end_users or self._generated(userid) is not None

    def tokens_of(self, userid):
        out = list(self.tokens.get(userid, ()))
        gi = self._generated(userid)
        if gi:
            out = gi[0].tokens_of(gi[1]) + out
        return out

    def revoke(self, userid, cid=None):
        """Remove a user's tokens (one client's if cid); return the removed tokens, None if no such user."""
        if not self.is_end_user(userid):
            return None
        removed = []
        gi = self._generated(userid)
        if gi:
            g, i = gi
            for j in range(g.tpu):
                k = i * g.tpu + j
                if g.alive[k] and (cid is None or g.clients[j % len(g.clients)] == cid):
                    removed.append(g.token(i, j))
                    g.alive[k] = 0
        keep = []
        for t in self.tokens.get(userid, ()):
            (removed if cid is None or t.clientid == cid else keep).append(t)
        if keep:
            self.tokens[userid] = keep
        else:
            self.tokens.pop(userid, None)
        return removed

    def _regen_mode(self, mode):
        if mode not in A.KEY_REGEN_TOKENS_MODES:
            raise LabError("cucm %s: key_regen_tokens must be one of %s, not %r"
                           % (self.name, ", ".join(A.KEY_REGEN_TOKENS_MODES), mode))
        return mode

    def _key_regenerated(self, kind, old, new):
        """Rule: a new AuthZ key invalidates every refresh token of the cluster (they were signed or encrypted
        with the old one). What becomes of their rows is not documented (``key_regen_tokens``, assumptions.py):
        ``invalid`` keeps them with state ``TOKEN_STATE_INVALID``, ``deleted`` removes them. Unity Connection
        servers that synced the old keys see themselves stale (``CucState``), as they compare what they hold with
        these checksums."""
        if self.key_regen_tokens == "deleted":
            self.revoke_all()
        else:
            self.invalidate_all()

    def invalidate_all(self):
        for toks in self.tokens.values():
            for t in toks:
                t.state = A.TOKEN_STATE_INVALID
        for g in self.generators:
            g.invalidate()

    def usable_token_count(self):
        return (sum(1 for v in self.tokens.values() for t in v if t.state == A.TOKEN_STATE_ACTIVE)
                + sum(g.usable_count() for g in self.generators))

    def revoke_all(self):
        self.tokens.clear()
        for g in self.generators:
            g.alive = bytearray(len(g.alive))

    def token_count(self):
        return sum(len(v) for v in self.tokens.values()) + sum(g.live_count() for g in self.generators)

    def param_on(self, name):
        return PARAMS_BY_NAME[name].is_on(self.params[name])

    def sso_status(self):
        """(SSO enabled, token reuse) as /ssosp's public status shows them: token reuse is on exactly when
        the refresh login flow is (assumptions.py, /ssosp)."""
        with self.lock:
            return self.sso_enabled, self.param_on("oAuthWithRefreshLoginFlow")

    # -- service parameters (AXL get/updateServiceParameter) -----------------------------------------------
    def parameter(self, node, service, name):
        """The Param of an enterprise parameter; CucmError 5007 for any other node, service or name."""
        p = PARAMS_BY_NAME.get(name)
        if node != ENTERPRISE_NODE or service != ENTERPRISE_SERVICE or p is None:
            raise CucmError(A.UNKNOWN_PARAMETER_AXLCODE, A.UNKNOWN_PARAMETER_MESSAGE % (node, service, name))
        return p

    def get_parameter(self, node, service, name):
        """``{uuid, processNodeName, name, service, value, valueType}`` of a parameter as stored."""
        p = self.parameter(node, service, name)
        with self.lock:
            return {"uuid": p.uuid, "processNodeName": ENTERPRISE_NODE, "name": p.name,
                    "service": ENTERPRISE_SERVICE, "value": self.params[p.name],
                    "valueType": p.value_type(self.boolean_style)}

    def update_parameter(self, node, service, name, value):
        """Validate and store a value written over AXL; returns the parameter's uuid. Changing
        refreshTokenExpiryTimer revokes every refresh token of the cluster (documented side effect)."""
        p = self.parameter(node, service, name)
        with self.lock:
            stored = p.parse(value, self.boolean_style)
            if stored is None:
                raise CucmError(A.BAD_VALUE_AXLCODE,
                                A.BAD_VALUE_MESSAGE % (value, p.name, p.describe(self.boolean_style)))
            old = self.params[p.name]
            self.params[p.name] = stored
            if p.name == "refreshTokenExpiryTimer" and stored != old:
                self.revoke_all()
        return p.uuid

    # -- executeSQLQuery -------------------------------------------------------------------------------------
    def query(self, text):
        """``(column names, rows)`` of a read-only SQL query; CucmError 201 for SQL it cannot run."""
        try:
            q = sql.parse(text)
            with self.lock:
                tables = {t: cols for t, cols in TABLES.items() if t not in self.absent_tables}
                return sql.execute(q, tables, self.table_rows)
        except sql.SQLError as exc:
            raise CucmError(A.SQL_SYNTAX_AXLCODE, str(exc))

    # -- process nodes (AXL listProcessNode) -------------------------------------------------------------------
    def process_nodes(self, criteria=None):
        """The processnode rows: EnterpriseWideData, then the cluster's nodes in lab order, each
        ``{uuid, name, description, nodeUsage, processNodeRole}``, filtered by ``criteria`` ({tag: LIKE})."""
        rows = [{"uuid": "{%s}" % A.ENTERPRISE_NODE_PKID.upper(), "name": ENTERPRISE_NODE, "description": "",
                 "nodeUsage": A.ENTERPRISE_NODE_USAGE, "processNodeRole": A.ENTERPRISE_NODE_ROLE}]
        for node in self.nodes:
            rows.append({"uuid": braced_uuid("ucsim-node:%s:%s" % (self.name, node.name)),
                         "name": node.address or node.name, "description": node.name,
                         "nodeUsage": A.NODE_USAGE[node.role], "processNodeRole": A.NODE_ROLE[node.role]})
        for tag, pattern in (criteria or {}).items():
            rows = [r for r in rows if _like(pattern, r.get(tag, ""))]
        return rows

    # -- SQL tables ---------------------------------------------------------------------------------------
    def table_rows(self, table, userids=None, columns=None):
        """Rows of a table as dicts. userids: only rows of these users (an index lookup). columns: the
        columns the caller reads (others may be None, to skip computing them)."""
        pkid = columns is None or "pkid" in columns
        if table == "processconfig":
            for p in PARAMS:
                yield {"pkid": _uuid(b"pc" + p.name.encode()), "fkprocessnode": A.ENTERPRISE_NODE_PKID,
                       "tkservice": A.ENTERPRISE_TKSERVICE, "paramname": p.name, "paramvalue": self.params[p.name]}
        elif table == "enduser":
            if userids is not None:
                for uid in userids:
                    rec = self.end_users.get(uid)
                    if rec is not None:
                        yield {"pkid": rec[0], "userid": uid, "firstname": rec[1], "lastname": rec[2]}
                    else:
                        gi = self._generated(uid)
                        if gi:
                            yield gi[0].user_row(gi[1])
                return
            for g in self.generators:
                for i in range(g.count):
                    yield g.user_row(i, pkid)
            for uid, rec in list(self.end_users.items()):
                yield {"pkid": rec[0], "userid": uid, "firstname": rec[1], "lastname": rec[2]}
        elif table == "refreshtokendetails":
            if userids is not None:
                for uid in userids:
                    for t in self.tokens_of(uid):
                        yield t.row()
                return
            for g in self.generators:
                yield from g.token_rows(pkid)
            for toks in list(self.tokens.values()):
                for t in toks:
                    yield t.row()
        else:
            raise KeyError(table)

    # -- control API --------------------------------------------------------------------------------------
    def to_json(self, user=None):
        with self.lock:
            out = {
                "name": self.name, "kind": self.kind, "version": self.version,
                "axl_versions": self.axl_versions, "boolean_style": self.boolean_style,
                "sso": {"enabled": self.sso_enabled},
                "session_timeout_s": self.session_timeout_s,
                "enterprise_parameters": dict(self.params),
                "users": [{"userid": u, "roles": sorted(r)} for u, (_, r) in self.accounts.items()],
                "end_user_count": len(self.end_users) + sum(g.count for g in self.generators),
                "refresh_token_count": self.token_count(),
                "usable_refresh_token_count": self.usable_token_count(),
                "key_regen_tokens": self.key_regen_tokens,
                "authz_keys": dict(self.authz_keys),
                "platform": self.platform.to_json(),
                "services": self.services.to_json(self.nodes),
            }
            if user is not None:
                toks = self.tokens_of(user)
                out["user"] = {"userid": user, "exists": self.is_end_user(user), "token_count": len(toks),
                               "tokens": [{"client_id": t.clientid, "validity": t.validity, "state": t.state,
                                           "refreshtokenindex": t.index} for t in toks]}
            else:
                counts = {u: len(v) for u, v in self.tokens.items() if v}
                for g in self.generators:
                    if g.tpu:
                        for i in range(g.count):
                            n = g.tpu - g.alive[i * g.tpu:(i + 1) * g.tpu].count(0)
                            if n:
                                uid = g.userid(i)
                                counts[uid] = counts.get(uid, 0) + n
                out["tokens_by_user"] = counts
            return out

    def patch(self, data):
        """Apply a test's patch. Keys: enterprise_parameters {name: value}, sso {enabled}, boolean_style,
        session_timeout_s, users [account], end_users [{userid, firstname, lastname, tokens}],
        tokens {userid: [client or {client, validity_days, validity, state}]} (added),
        clear_tokens: true | [userid], regenerate_authz_keys [signing | encryption] (the CLI's rule: every
        refresh token is invalidated), key_regen_tokens (invalid | deleted: what a regeneration does to the token
        rows), platform {admins, password_auth, login_delay_s, command_delay_s, upgrade_in_progress},
        absent_tables [table]."""
        if not isinstance(data, dict):
            raise LabError("state patch must be a mapping")
        known = {"enterprise_parameters", "sso", "boolean_style", "session_timeout_s", "users", "end_users",
                 "tokens", "clear_tokens", "version", "axl_versions", "axl_max_response_bytes",
                 "regenerate_authz_keys", "platform", "absent_tables", "services", "key_regen_tokens"}
        unknown = set(data) - known
        if unknown:
            raise LabError("unknown state keys %s (known: %s)" % (sorted(unknown), sorted(known)))
        with self.lock:
            if "boolean_style" in data:
                style = data["boolean_style"]
                if style not in A.BOOLEAN_STYLES:
                    raise LabError("boolean_style must be one of %s" % ", ".join(A.BOOLEAN_STYLES))
                for p in PARAMS:
                    if p.kind == "bool":
                        self.params[p.name] = A.BOOLEAN_STYLES[style][p.is_on(self.params[p.name])]
                self.boolean_style = style
            if "version" in data:
                self.version = str(data["version"])
                if "axl_versions" not in data:
                    self.axl_versions = supported_axl_versions(self.version)
            if "axl_versions" in data:
                self.axl_versions = [str(v) for v in data["axl_versions"]]
            if "axl_max_response_bytes" in data:
                self.axl_max_response_bytes = int(data["axl_max_response_bytes"])
            if "session_timeout_s" in data:
                self.session_timeout_s = int(data["session_timeout_s"])
            if "absent_tables" in data:  # [table]: as on a release without them ("not in the database")
                unknown = set(data["absent_tables"] or []) - set(TABLES)
                if unknown:
                    raise LabError("absent_tables: unknown tables %s (known: %s)" % (sorted(unknown), sorted(TABLES)))
                self.absent_tables = set(data["absent_tables"] or [])
            if "key_regen_tokens" in data:
                self.key_regen_tokens = self._regen_mode(data["key_regen_tokens"])
            for k in data.get("regenerate_authz_keys") or []:  # "signing" / "encryption": as the CLI does it
                if k not in self.authz_keys:
                    raise LabError("regenerate_authz_keys: %r is not signing or encryption" % k)
                self.platform.regenerate_key(k, by="control API")
            if "platform" in data:
                self.platform.patch(data["platform"])
            if "services" in data:
                self.services.configure(data["services"])
            if "sso" in data:
                self.sso_enabled = bool((data["sso"] or {}).get("enabled", self.sso_enabled))
            for pname, value in (data.get("enterprise_parameters") or {}).items():
                self.set_param_raw(pname, value)
            for u in data.get("users") or []:
                self.add_account(u)
            for u in data.get("end_users") or []:
                if not isinstance(u, dict) or not u.get("userid"):
                    raise LabError("end_users entries need a userid")
                self.add_end_user(u)
            clear = data.get("clear_tokens")
            if clear is True:
                self.revoke_all()
            elif isinstance(clear, list):
                for uid in clear:
                    self.revoke(str(uid))
            for uid, specs in (data.get("tokens") or {}).items():
                for spec in specs if isinstance(specs, list) else [specs]:
                    self.add_token(str(uid), spec)
