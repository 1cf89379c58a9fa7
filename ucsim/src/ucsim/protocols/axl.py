"""CUCM AXL (SOAP) at POST /axl/: getCCMVersion, get/updateServiceParameter, executeSQLQuery/Update."""

import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from .. import assumptions as A
from .. import sql
from ..web import Reply, Response
from ..state.cucm import ENTERPRISE_NODE, ENTERPRISE_SERVICE, PARAMS_BY_NAME, TABLES

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
AXL_NS = "http://www.cisco.com/AXL/API/"
XML_TYPE = "text/xml; charset=utf-8"

_ACTION = re.compile(r'^\s*"?\s*CUCM:DB(?:\s+ver=([^\s"]+))?(?:\s+([A-Za-z]\w*))?\s*"?\s*$')
_BODY_OP = re.compile(rb"<(?:[\w.-]+:)?Body\b[^>]*>\s*<(?:[\w.-]+:)?(\w+)")

# operation: (kind, allowed children, required children)
OPS = {
    "getCCMVersion": ("read", ("processNodeName",), ()),
    "getServiceParameter": ("read", ("processNodeName", "name", "service"), ("processNodeName", "name", "service")),
    "updateServiceParameter": ("write", ("processNodeName", "name", "service", "value"),
                               ("processNodeName", "name", "service", "value")),
    "executeSQLQuery": ("read", ("sql",), ("sql",)),
    "executeSQLUpdate": ("write", ("sql",), ("sql",)),
}


def peek(req):
    m = _ACTION.match(req.headers.get("SOAPAction") or "")
    if m and m.group(2):
        return m.group(2)
    m = _BODY_OP.search(req.body[:4096])
    return m.group(1).decode("ascii") if m else "axl"


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def envelope(inner):
    return ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="%s"><soapenv:Body>%s'
            '</soapenv:Body></soapenv:Envelope>' % (SOAP_NS, inner))


def fault(faultstring, axlcode=None, axlmessage=None, request=None, client=False, operation=None):
    detail = ""
    if axlcode is not None:
        detail = ("<detail><axlError><axlcode>%d</axlcode><axlmessage>%s</axlmessage><request>%s</request>"
                  "</axlError></detail>" % (axlcode, escape(axlmessage or faultstring), escape(request or "")))
    body = envelope("<soapenv:Fault><faultcode>soapenv:%s</faultcode><faultstring>%s</faultstring>%s"
                    "</soapenv:Fault>" % ("Client" if client else "Server", escape(faultstring), detail))
    return Reply(Response(500, body, XML_TYPE, kind="fault", operation=operation))


def axl_fault(code, message, op):
    return fault(message, code, message, op, operation=op)


def reply(version, op, inner, kind):
    body = envelope('<ns:%sResponse xmlns:ns="%s%s">%s</ns:%sResponse>' % (op, AXL_NS, version, inner, op))
    return Response(200, body, XML_TYPE, kind=kind, operation=op)


def handle(ctx):
    req, st = ctx.req, ctx.state
    ctx.authenticate("axl")
    if req.method != "POST":
        if req.method == "GET":
            return Response(200, "<html><body><h2>Cisco CallManager: AXL Web Service</h2><p>The AXL Web "
                                 "Service is working and accepting requests. Use HTTP POST to send a request."
                                 "</p></body></html>", "text/html; charset=utf-8", operation="GET /axl/")
        return Response(405, "Method Not Allowed", headers=[("Allow", "GET, POST")], kind="other")
    action = req.headers.get("SOAPAction")
    version = None
    if action is not None:
        m = _ACTION.match(action)
        if m and m.group(1):
            version = m.group(1)
    if version is None:
        version = min(st.axl_versions, key=lambda v: tuple(int(x) for x in v.split(".")))
    elif version not in st.axl_versions:
        raise fault(A.UNSUPPORTED_VERSION_FAULT % (version, ", ".join(st.axl_versions)), client=True)
    try:
        root = ET.fromstring(req.body)
    except ET.ParseError as exc:
        raise fault("Error reading XMLStreamReader: %s" % exc, client=True)
    if root.tag != "{%s}Envelope" % SOAP_NS:
        raise fault("Not a SOAP 1.1 envelope: root element is %s" % root.tag, client=True)
    body = next((c for c in root if c.tag == "{%s}Body" % SOAP_NS), None)
    if body is None:
        raise fault("No SOAP Body in the envelope", client=True)
    children = list(body)
    if not children:
        raise fault("The SOAP Body is empty: no operation", client=True)
    el = children[0]
    ns, _, op = el.tag[1:].partition("}") if el.tag.startswith("{") else ("", "", el.tag)
    ctx.operation = op
    if not ns.startswith(AXL_NS):
        raise fault("Unexpected namespace %r for %s; expected %s<version>" % (ns, op, AXL_NS), client=True)
    ns_ver = ns[len(AXL_NS):]
    if ns_ver not in st.axl_versions and not (op == "getCCMVersion" and ns_ver == "1.0"):
        raise fault(A.UNSUPPORTED_VERSION_FAULT % (ns_ver, ", ".join(st.axl_versions)), client=True)
    spec = OPS.get(op)
    if spec is None:
        raise fault("%s is not a valid AXL operation" % op, client=True)
    kind, allowed, required = spec
    args = {}
    for child in el:
        name = _local(child.tag)
        if name not in allowed or name in args:
            raise fault("Unmarshalling Error: cvc-complex-type.2.4.a: Invalid content was found starting with "
                        "element '%s'. One of '{%s}' is expected." % (name, ", ".join(allowed)), client=True)
        args[name] = child.text or ""
    for name in required:
        if name not in args:
            raise axl_fault(A.MISSING_ELEMENT_AXLCODE, "%s is required" % name, op)
    if kind == "read":
        if ctx.gate_axl_read():
            raise axl_fault(-1, A.MEMORY_FAULT_MESSAGE, op)
    else:
        ctx.gate_write()
    return globals()["_" + op](ctx, version, args, op)


def _getCCMVersion(ctx, version, args, op):
    return reply(version, op, "<return><componentVersion><version>%s</version></componentVersion></return>"
                 % escape(ctx.state.version), "read")


def _lookup(ctx, args, op):
    node, name, service = args["processNodeName"].strip(), args["name"].strip(), args["service"].strip()
    p = PARAMS_BY_NAME.get(name)
    if node != ENTERPRISE_NODE or service != ENTERPRISE_SERVICE or p is None:
        raise axl_fault(A.UNKNOWN_PARAMETER_AXLCODE, A.UNKNOWN_PARAMETER_MESSAGE % (node, service, name), op)
    return p


def _getServiceParameter(ctx, version, args, op):
    p = _lookup(ctx, args, op)
    st = ctx.state
    with st.lock:
        value, vtype = st.params[p.name], p.value_type(st.boolean_style)
    inner = ('<return><serviceParameter uuid="%s"><processNodeName>%s</processNodeName><name>%s</name>'
             '<service>%s</service><value>%s</value><valueType>%s</valueType></serviceParameter></return>'
             % (p.uuid, ENTERPRISE_NODE, p.name, ENTERPRISE_SERVICE, escape(value), vtype))
    return reply(version, op, inner, "read")


def _updateServiceParameter(ctx, version, args, op):
    p = _lookup(ctx, args, op)
    st = ctx.state
    with st.lock:
        stored = p.parse(args["value"], st.boolean_style)
        if stored is None:
            msg = A.BAD_VALUE_MESSAGE % (args["value"], p.name, p.describe(st.boolean_style))
            raise axl_fault(A.BAD_VALUE_AXLCODE, msg, op)
        old = st.params[p.name]
        st.params[p.name] = stored
        if p.name == "refreshTokenExpiryTimer" and stored != old:
            st.revoke_all()
    return reply(version, op, "<return>%s</return>" % p.uuid, "write")


def _executeSQLQuery(ctx, version, args, op):
    st = ctx.state
    try:
        q = sql.parse(args["sql"])
        with st.lock:
            names, rows = sql.execute(q, TABLES, st.table_rows)
    except sql.SQLError as exc:
        raise axl_fault(A.SQL_SYNTAX_AXLCODE, str(exc), op)
    limit = st.axl_max_response_bytes
    parts, size = [], 0
    opens = ["<%s>" % n for n in names]
    closes = ["</%s>" % n for n in names]
    fits = None
    for i, row in enumerate(rows):
        s = "<row>" + "".join(o + ("" if v is None else escape(str(v))) + c
                              for o, v, c in zip(opens, row, closes)) + "</row>"
        size += len(s.encode("utf-8")) if not s.isascii() else len(s)
        if size > limit:
            fits = i
            break
        parts.append(s)
    if fits is not None:
        raise axl_fault(A.QUERY_TOO_LARGE_AXLCODE, A.QUERY_TOO_LARGE_MESSAGE % (len(rows), max(fits, 1)), op)
    return reply(version, op, "<return>%s</return>" % "".join(parts), "read")


def _executeSQLUpdate(ctx, version, args, op):
    raise axl_fault(A.SQL_UPDATE_AXLCODE, A.SQL_UPDATE_MESSAGE, op)
