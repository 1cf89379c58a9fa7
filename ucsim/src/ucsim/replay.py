"""Captured estates: ``ucsim lab import DIR`` (a capture -> a lab) and the replay of captured reads.

A capture is what ``collab.uc.oauth_audit`` writes with ``oauth_audit_capture_dir`` (the collection's
``plugins/module_utils/transport/_capture.py``): files ``*.ndjson`` of one JSON object a line, one per exchange,
masked:

    HTTPS  {"transport": "https", "system", "product", "host", "port", "user", "method", "path", "soap_action",
            "request", "status", "headers": {"content-type"}, "body" | "body_base64", ...}
    SSH    {"transport": "ssh", "system", "product", "host", "port", "user", "command", "output", "closing",
            "prompt_ends_line", "raw", ...}

``import_capture`` groups the records by system (``system``: the inventory host name; else the host), takes the
kind from the product, and writes a lab whose systems have the captured accounts (all with one password, as the
capture holds none), what the model can hold and accepts (versions, CUCM's OAuth enterprise parameters,
Connection's AuthZ servers, Expressway leaves; a key the model refuses is dropped with a note), and a ``replay:``
list: the captured reads. ``replay`` is not a key of the kinds' state: ``lab.parse`` takes it off the system's
mapping (``SystemSpec.replay``).

Replay: the HTTPS transport asks ``answer(ctx)`` before the protocol handler, and the SSH transport serves
``dialect(module, system)``, whose ``execute`` asks the table first. A request that matches a captured read
(HTTPS: method, path with query, SOAP operation and the request body with the whitespace between elements folded;
SSH: the command with its spaces folded) is answered with the captured status, content type and body byte for byte
(after the authentication its handler asks: an AXL user, a Connection administrator), or the captured output; the
first captured reply of a key wins. Anything else goes to the model as before, so a replayed lab still takes
writes.
"""

import base64
import glob
import json
import os
import re
import threading

from . import assumptions as A
from .lab import LabError
from .web import Response

PRODUCT_KINDS = {"CUCM": "cucm", "CUCM platform CLI": "cucm", "Unity Connection": "cuc", "Expressway": "expressway"}
_SOAP_BODY_OP = re.compile(r"<(?:[\w.-]+:)?Body[^>]*>\s*<(?:[\w.-]+:)?([\w.-]+)")
_lock = threading.Lock()


# --- keys ---------------------------------------------------------------------------------------------------
def soap_operation(action, body):
    """The SOAP operation: the last word of SOAPAction (after ``/``, ``:``, ``#``), else the Body's first element."""
    action = (action or "").strip().strip('"')
    if action:
        return re.split(r"[/:#\s]", action)[-1] or None
    match = _SOAP_BODY_OP.search(body or "")
    return match.group(1) if match else None


def normal_body(text):
    return re.sub(r">\s+<", "><", (text or "").strip())


def http_key(method, path, operation, body):
    return (method.upper(), path, operation or "", normal_body(body))


def cli_key(command):
    return " ".join(command.split())


class Table:
    """The replay entries of one system, by key (the first captured reply of a key wins)."""

    def __init__(self, entries):
        self.http = {}
        self.cli = {}
        for entry in entries or ():
            if not isinstance(entry, dict):
                raise LabError("replay entries must be mappings")
            if "command" in entry:
                self.cli.setdefault(cli_key(entry["command"]), entry)
            elif "method" in entry and "path" in entry:
                key = http_key(entry["method"], entry["path"], entry.get("soap_action"), entry.get("request"))
                self.http.setdefault(key, entry)
            else:
                raise LabError("a replay entry needs command (SSH) or method and path (HTTPS): %r" % sorted(entry))

    def lookup_http(self, req):
        if not self.http:
            return None
        text = req.body.decode("utf-8", "replace")
        return self.http.get(http_key(req.method, req.target, soap_operation(req.headers.get("SOAPAction"), text),
                                      text))

    def lookup_cli(self, line):
        return self.cli.get(cli_key(line)) if self.cli else None


def table(system):
    """The replay table of a system (built on first use from its lab ``replay:``), or None when it has none."""
    entries = getattr(system.spec, "replay", None)
    if not entries:
        return None
    with _lock:
        if "_replay_table" not in system.__dict__:
            system._replay_table = Table(entries)
        return system._replay_table


# --- the transports' hooks ---------------------------------------------------------------------------------
def answer(ctx):
    """The captured reply of this HTTPS request (a ``Response``), or None (the protocol handler answers)."""
    replay = table(ctx.system)
    entry = replay.lookup_http(ctx.req) if replay is not None else None
    if entry is None:
        return None
    # as the handlers: an AXL user on CUCM, a System Administrator on Connection (raises Reply(401/403))
    ctx.authenticate(A.CUPI_ADMIN_ROLE if ctx.system.kind == "cuc" else "axl")
    body = base64.b64decode(entry["body_base64"]) if "body_base64" in entry else entry.get("body", "").encode("utf-8")
    return Response(int(entry.get("status", 200)), body, entry.get("content_type") or "text/plain",
                    kind="read", operation=ctx.operation)


class _Dialect:
    """A CLI dialect module whose ``execute`` answers captured reads first."""

    def __init__(self, module, system):
        self._module = module
        self._system = system

    def __getattr__(self, name):
        return getattr(self._module, name)

    def execute(self, session, line):
        replay = table(self._system)
        entry = replay.lookup_cli(line) if replay is not None else None
        if entry is None:
            return self._module.execute(session, line)
        text = entry.get("output", "")
        if entry.get("prompt_ends_line") and entry.get("closing"):
            text = (text + "\n" if text else "") + entry["closing"]
        return self._module.Answer(text, kind="read", operation=self._module.operation_of(line))


def dialect(module, system):
    """``module`` (a CLI dialect) as the SSH transport of ``system`` serves it: with its replay table first."""
    return _Dialect(module, system) if getattr(system.spec, "replay", None) else module


# --- import -------------------------------------------------------------------------------------------------
def read_capture(directory):
    """Every record of the capture files under ``directory``, in capture order."""
    paths = sorted(glob.glob(os.path.join(directory, "**", "*.ndjson"), recursive=True))
    if not paths:
        raise LabError("%s holds no capture (*.ndjson files written by oauth_audit_capture_dir)" % directory)
    records = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError as exc:
                    raise LabError("%s:%d: not a JSON record: %s" % (path, number, exc))
                if not isinstance(record, dict) or record.get("transport") not in ("https", "ssh"):
                    raise LabError("%s:%d: not a capture record" % (path, number))
                records.append(record)
    records.sort(key=lambda r: (r.get("time") or 0, r.get("seq") or 0))
    return records


def _is_address(host):
    return bool(re.match(r"^[\d.]+$|:", host or ""))


def _kind(records, name):
    kinds = set()
    for record in records:
        kind = PRODUCT_KINDS.get(record.get("product"))
        if kind is None:
            raise LabError("system %s: unknown product %r in the capture" % (name, record.get("product")))
        kinds.add(kind)
    if len(kinds) != 1:
        raise LabError("system %s: records of several products %s" % (name, sorted(kinds)))
    return kinds.pop()


def _users(records, transport):
    return sorted(set(r["user"] for r in records if r.get("transport") == transport and r.get("user")))


def _replay_entry(record):
    if record["transport"] == "ssh":
        entry = {"command": record["command"], "output": record.get("output") or ""}
        if record.get("prompt_ends_line"):
            entry.update(prompt_ends_line=True, closing=record.get("closing") or "")
        return entry
    entry = {"method": record["method"], "path": record["path"]}
    if record.get("soap_action"):
        entry["soap_action"] = record["soap_action"]
    if record.get("request"):
        entry["request"] = record["request"]
    entry.update(status=record.get("status", 200), content_type=(record.get("headers") or {}).get("content-type"))
    if "body_base64" in record:
        entry["body_base64"] = record["body_base64"]
    else:
        entry["body"] = record.get("body") or ""
    return entry


def _reads(records):
    """The records a replay answers: CLI reads (not the pager setting), HTTPS answers below 400."""
    out = []
    for r in records:
        if r["transport"] == "ssh" and not re.match(r"(?i)^set\s", r["command"]):
            out.append(_replay_entry(r))
        elif r["transport"] == "https" and int(r.get("status") or 0) < 400:
            out.append(_replay_entry(r))
    return out


def _find(records, pattern, field="body"):
    for record in records:
        match = re.search(pattern, record.get(field) or "")
        if match:
            return match.group(1).strip()
    return None


def _cucm(name, records, password, notes):
    system = {"name": name}
    version = _find([r for r in records if r.get("soap_action") == "getCCMVersion"], r"<version>([^<]+)</version>")
    if version:
        system["version"] = version
    parameters = {}
    for record in records:
        if record.get("soap_action") == "executeSQLQuery" and "processconfig" in (record.get("request") or ""):
            for name, value in SQL_PARAM_ROW.findall(record.get("body") or ""):
                parameters.setdefault(name, value)
    if parameters:
        system["enterprise_parameters"] = parameters
    users = _users(records, "https") or ["axladmin"]
    system["users"] = [{"userid": u, "password": password, "roles": ["axl"]} for u in users]
    admins = _users(records, "ssh")
    if admins:
        system["platform"] = {"admins": [{"userid": u, "password": password} for u in admins]}
    return system


def _cuc(name, records, password, notes):
    users = _users(records, "https") or ["cucadmin"]
    system = {"name": name, "users": [{"userid": u, "password": password, "roles": ["admin"]} for u in users]}
    servers = []
    for record in records:
        if record.get("method") != "GET" or not re.match(r"(?i)/vmrest/authz/server/?(\?|$)", record.get("path", "")):
            continue
        try:
            found = json.loads(record.get("body") or "{}").get("AuthZServer") or []
        except (ValueError, AttributeError):
            continue
        for server in [found] if isinstance(found, dict) else found:
            entry = {k: server[k] for k in ("DisplayName", "ServerNodeAddress", "Port", "ServerUsername")
                     if isinstance(server, dict) and k in server}
            if entry.get("DisplayName") and all(e["DisplayName"] != entry["DisplayName"] for e in servers):
                entry["ServerPassword"] = password
                servers.append(entry)
    if servers:
        system["authz_servers"] = servers
    return system


SQL_PARAM_ROW = re.compile(r"<row>\s*<paramname>([^<]+)</paramname>\s*<paramvalue>([^<]*)</paramvalue>\s*</row>")
XCONFIG_LINE = re.compile(r'^\*c xConfiguration (.+?): ?"?(.*?)"?\s*$')


def _expressway(name, records, password, notes):
    from .state.expressway import ExpresswayState
    system = {"name": name}
    version = _find([r for r in records if r.get("transport") == "ssh"], r"(?m)Software Version: \"?([^\"\n]+)",
                    field="output")
    if version:
        system["version"] = version
    system["admins"] = [{"userid": u, "password": password} for u in (_users(records, "ssh") or ["admin"])]
    leaves, unknown = {}, []
    probe = ExpresswayState(name, {})
    for record in records:
        if record.get("transport") != "ssh" or not record.get("command", "").lower().startswith("xconfiguration"):
            continue
        for line in (record.get("output") or "").split("\n"):
            match = XCONFIG_LINE.match(line.strip())
            if not match:
                continue
            path, value = match.group(1), match.group(2)
            try:
                probe.set_config(path, value, by="lab")
                leaves[path] = value
            except Exception:  # a leaf the model does not know (or a value it refuses): replayed only
                if path not in unknown:
                    unknown.append(path)
    if leaves:
        system["xconfiguration"] = leaves
    if unknown:
        notes.append("expressway %s: leaves the simulator's model does not know, answered from the capture only: %s"
                     % (name, ", ".join(unknown)))
    return system


BUILDERS = {"cucm": _cucm, "cuc": _cuc, "expressway": _expressway}


def import_capture(directory, password):
    """``(lab mapping, notes)`` of the capture under ``directory``; every account gets ``password``."""
    records = read_capture(directory)
    by_system = {}
    for record in records:
        by_system.setdefault(record.get("system") or record.get("host") or "system", []).append(record)
    lab = {"sim": {"log_max_entries": 100000}}
    notes = []
    for name, mine in by_system.items():
        kind = _kind(mine, name)
        system = BUILDERS[kind](name, mine, password, notes)
        hosts = sorted(set(r["host"] for r in mine if r.get("host") and not _is_address(r["host"])))
        if hosts:
            system["hostnames"] = hosts
        _fit(kind, system, notes)
        system["replay"] = _reads(mine)
        lab.setdefault(kind, []).append(system)
    return lab, notes


OPTIONAL_KEYS = ("enterprise_parameters", "authz_servers", "xconfiguration", "version")


def _fit(kind, system, notes):
    """Keep in the model what it accepts; drop (with a note) an optional key it refuses (a parameter or a value it
    does not know): the replay answers its reads anyway."""
    from .server import _resolve
    state_cls = _resolve(kind)[0]
    kept = {k: v for k, v in system.items() if k not in OPTIONAL_KEYS}
    try:
        state_cls(system["name"], dict(kept))
    except (LabError, ValueError, TypeError, KeyError) as exc:
        raise LabError("%s %s: the simulator's model refuses the imported system: %s" % (kind, system["name"], exc))
    for key in OPTIONAL_KEYS:
        if key not in system:
            continue
        try:
            state_cls(system["name"], dict(kept, **{key: system[key]}))
            kept[key] = system[key]
        except (LabError, ValueError, TypeError, KeyError) as exc:
            notes.append("%s %s: %s not kept in the model (%s); answered from the capture only"
                         % (kind, system["name"], key, exc))
            del system[key]
