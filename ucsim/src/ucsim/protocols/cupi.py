"""Unity Connection CUPI under /vmrest/: AuthZ servers and their key sync.

JSON when the Accept header asks for it, XML otherwise; errors as ErrorDetails in the same format.
See assumptions.py ("Unity Connection CUPI") for what the public reference leaves open.
"""

import json
import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from .. import assumptions as A
from ..state.cuc import CupiError
from ..web import Reply, Response

SERVERS = "/vmrest/authz/server"
SYNC = "/vmrest/authz/sync"
XML_TYPE = "application/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
ORDER = ("URI", "ObjectId", "DisplayName", "ServerNodeAddress", "Port", "ServerUsername", "ServerPassword",
         "IgnoreCertificateError", "LastSyncStatus")


def _route(req):
    """(resource, ObjectId or None) of a path: resource is 'servers', 'sync' or None."""
    path = req.path.rstrip("/")
    if path == SERVERS:
        return "servers", None
    if path.startswith(SERVERS + "/"):
        rest = path[len(SERVERS) + 1:]
        return ("servers", rest) if "/" not in rest else (None, None)
    if path.startswith(SYNC + "/"):
        rest = path[len(SYNC) + 1:]
        return ("sync", rest) if rest and "/" not in rest else (None, None)
    return None, None


def peek(req):
    resource, oid = _route(req)
    if resource == "servers":
        return "%s %s%s" % (req.method, SERVERS, "/{id}" if oid else "")
    if resource == "sync":
        return "%s %s/{id}" % (req.method, SYNC)
    return "%s %s" % (req.method, req.path)


def _wants_json(req):
    return "json" in (req.headers.get("Accept") or "").lower()


# -- rendering ------------------------------------------------------------------------------------------------
def _public(ctx, server):
    out = {}
    for key in ORDER:
        if key == "URI":
            value = "%s/%s" % (SERVERS, server["ObjectId"])
        elif key == "ServerPassword":
            value = ""
        else:
            value = server[key]
        if ctx.state.json_values == "strings" or not _wants_json(ctx.req):
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, int):
                value = str(value)
        out[key] = value
    return out


def _xml_object(fields, tag="AuthzServer"):
    inner = "".join("<%s>%s</%s>" % (k, escape(str(v)), k) for k, v in fields.items())
    return "<%s>%s</%s>" % (tag, inner, tag)


def _reply(ctx, status, data_json, data_xml, kind, operation=None):
    if _wants_json(ctx.req):
        body = json.dumps(data_json, separators=(",", ":"), ensure_ascii=False)
        return Response(status, body, JSON_TYPE, kind=kind, operation=operation)
    return Response(status, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + data_xml, XML_TYPE,
                    kind=kind, operation=operation)


def error(ctx, status, code, message, kind="other"):
    data_json = {"errors": {"code": code, "message": message}}
    data_xml = "<ErrorDetails><errors><code>%s</code><message>%s</message></errors></ErrorDetails>" % (
        escape(code), escape(message))
    return _reply(ctx, status, data_json, data_xml, kind)


def _no_content(kind):
    return Response(204, b"", "text/plain; charset=utf-8", kind=kind)


# -- request bodies -------------------------------------------------------------------------------------------
def _body(ctx):
    req = ctx.req
    text = req.body.decode("utf-8", "replace").strip()
    if not text:
        return {}
    ctype = (req.headers.get("Content-Type") or "").lower()
    if "xml" in ctype or (not ctype and text.startswith("<")) or ("json" not in ctype and text.startswith("<")):
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            raise CupiError(400, A.CUPI_BAD_BODY, "The body is not valid XML: %s" % exc)
        return {child.tag.rsplit("}", 1)[-1]: (child.text or "") for child in root}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CupiError(400, A.CUPI_BAD_BODY, "The body is not valid JSON: %s" % exc)
    if isinstance(data, dict) and isinstance(data.get("AuthzServer"), dict) and len(data) == 1:
        data = data["AuthzServer"]
    if not isinstance(data, dict):
        raise CupiError(400, A.CUPI_BAD_BODY, "The body must be an AuthzServer object")
    return data


def _positive(req, name):
    value = req.q(name)
    if value is None:
        return None
    if not re.fullmatch(r"\d{1,9}", value.strip()) or int(value) < 1:
        raise CupiError(400, A.CUPI_INVALID_PARAMETER, "%s must be a positive integer, got %r" % (name, value))
    return int(value)


# -- handlers -------------------------------------------------------------------------------------------------
def handle(ctx):
    ctx.authenticate(A.CUPI_ADMIN_ROLE)
    resource, oid = _route(ctx.req)
    try:
        if resource == "servers":
            return _servers(ctx, oid)
        if resource == "sync":
            return _sync(ctx, oid)
        raise CupiError(404, A.CUPI_NOT_FOUND, "No CUPI resource %s" % ctx.req.path)
    except CupiError as exc:  # refused before anything was carried out
        return error(ctx, exc.status, exc.code, exc.message, kind="other")


def _not_allowed(ctx, allowed):
    resp = error(ctx, 405, A.CUPI_METHOD_NOT_ALLOWED, "%s is not allowed here (allowed: %s)"
                 % (ctx.req.method, ", ".join(allowed)), kind="other")
    resp.headers.append(("Allow", ", ".join(allowed)))
    raise Reply(resp)


def _servers(ctx, oid):
    req, st = ctx.req, ctx.state
    method = req.method
    if oid is None:
        if method == "GET":
            return _list(ctx)
        if method == "POST":
            data = _body(ctx)
            st.check(data)
            ctx.gate_write()
            new_id = st.create(data)
            uri = "%s/%s" % (SERVERS, new_id)
            return Response(201, uri, "text/plain; charset=utf-8", [("Location", uri)], kind="write")
        _not_allowed(ctx, ("GET", "POST"))
    if method == "GET":
        with st.lock:
            server = dict(st.get(oid))
        fields = _public(ctx, server)
        return _reply(ctx, 200, fields, _xml_object(fields), "read")
    if method == "PUT":
        data = _body(ctx)
        st.check(data, oid)
        ctx.gate_write()
        st.update(oid, data)
        return _no_content("write")
    if method == "DELETE":
        st.get(oid)
        ctx.gate_write()
        st.delete(oid)
        return _no_content("write")
    _not_allowed(ctx, ("GET", "PUT", "DELETE"))


def _list(ctx):
    req, st = ctx.req, ctx.state
    rows = _positive(req, "rowsPerPage")
    page = _positive(req, "pageNumber") or 1
    servers = st.listing()
    total = len(servers)
    if rows is not None:
        servers = servers[(page - 1) * rows:page * rows]
    items = [_public(ctx, s) for s in servers]
    data_json = {"@total": str(total) if st.json_values == "strings" else total}
    if len(items) == 1:
        data_json["AuthzServer"] = items[0]
    elif items:
        data_json["AuthzServer"] = items
    data_xml = '<AuthzServers total="%d">%s</AuthzServers>' % (total, "".join(_xml_object(i) for i in items))
    return _reply(ctx, 200, data_json, data_xml, "read")


def _sync(ctx, oid):
    if ctx.req.method != "PUT":
        _not_allowed(ctx, ("PUT",))
    st = ctx.state
    st.get(oid)
    ctx.gate_write()
    st.sync(oid, lambda address, port: ctx.registry.resolve("cucm", address, port))
    return _no_content("write")
