"""CUCM AXL (SOAP) at POST /axl/: getCCMVersion, get/updateServiceParameter, listProcessNode, getAppUser,
executeSQLQuery/Update. Checks each request against its contract (``contract.AXL``, unless the lab is lenient),
parses envelopes and answers; what the cluster does is ``state/cucm.py``'s."""

import re
from xml.sax.saxutils import escape

from .. import assumptions as A
from .. import contract
from .. import soap
from ..soap import XML_TYPE, envelope
from ..web import Response
from ..state.cucm import ENTERPRISE_NODE, ENTERPRISE_SERVICE, PARAMS_BY_NAME, CucmError, braced_uuid

AXL_NS = "http://www.cisco.com/AXL/API/"

_ACTION = re.compile(r'^\s*"?\s*CUCM:DB(?:\s+ver=([^\s"]+))?(?:\s+([A-Za-z]\w*))?\s*"?\s*$')
_BODY_OP = re.compile(rb"<(?:[\w.-]+:)?Body\b[^>]*>\s*<(?:[\w.-]+:)?(\w+)")

PROCESS_NODE_TAGS = ("name", "description", "mac", "ipv6Name", "nodeUsage", "lbmHubGroup",
                     "processNodeRole")
# elements with children of their own: {element: allowed children}
NESTED = {"searchCriteria": ("name", "description", "processNodeRole"), "returnedTags": PROCESS_NODE_TAGS}

# operation: (kind, allowed children, required children)
OPS = {
    "listProcessNode": ("read", ("searchCriteria", "returnedTags", "skip", "first"),
                        ("searchCriteria", "returnedTags")),
    "getCCMVersion": ("read", ("processNodeName",), ()),
    "getServiceParameter": ("read", ("uuid", "processNodeName", "name", "service", "returnedTags"),
                            ("processNodeName", "name", "service")),
    "updateServiceParameter": ("write", ("uuid", "processNodeName", "name", "service", "value"),
                               ("processNodeName", "name", "service", "value")),
    "getAppUser": ("read", ("name", "uuid", "returnedTags"), ()),
    "executeSQLQuery": ("read", ("sql",), ("sql",)),
    "executeSQLUpdate": ("write", ("sql",), ("sql",)),
}


def peek(req):
    m = _ACTION.match(req.headers.get("SOAPAction") or "")
    if m and m.group(2):
        return m.group(2)
    m = _BODY_OP.search(req.body[:4096])
    return m.group(1).decode("ascii") if m else "axl"


_local = soap.local


def _unexpected(name, allowed):
    return fault("Unmarshalling Error: cvc-complex-type.2.4.a: Invalid content was found starting with "
                 "element '%s'. One of '{%s}' is expected." % (name, ", ".join(allowed)), client=True)


def fault(faultstring, axlcode=None, axlmessage=None, request=None, client=False, operation=None):
    detail = ""
    if axlcode is not None:
        detail = ("<axlError><axlcode>%d</axlcode><axlmessage>%s</axlmessage><request>%s</request>"
                  "</axlError>" % (axlcode, escape(axlmessage or faultstring), escape(request or "")))
    return soap.fault(faultstring, detail, client, operation)


def axl_fault(code, message, op):
    return fault(message, code, message, op, operation=op)


def reply(version, op, inner, kind):
    body = envelope('<ns:%sResponse xmlns:ns="%s%s">%s</ns:%sResponse>' % (op, AXL_NS, version, inner, op))
    return Response(200, body, XML_TYPE, kind=kind, operation=op)


def handle(ctx):
    req, st = ctx.req, ctx.state
    user = ctx.authenticate(A.AXL_ROLES)
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
    ns, op, el = soap.operation(req.body)
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
    if ctx.strict_soap:
        try:
            contract.check(el, contract.AXL[op], ns, qualified=False)
        except contract.Violation as exc:
            if exc.kind == "missing":
                raise axl_fault(A.MISSING_ELEMENT_AXLCODE, "%s is required" % (
                    exc.element or " or ".join(exc.expected)), op)
            raise fault("Unmarshalling Error: %s" % exc.message, client=True, operation=op)
    args = {}
    for child in el:
        name = _local(child.tag)
        if name not in allowed or name in args:
            raise _unexpected(name, allowed)
        if name == "returnedTags" and op in ("getServiceParameter", "getAppUser"):
            continue  # every tag is returned
        if name in NESTED:
            args[name] = {}
            for grandchild in child:
                sub = _local(grandchild.tag)
                if sub not in NESTED[name] or sub in args[name]:
                    raise _unexpected(sub, NESTED[name])
                args[name][sub] = grandchild.text or ""
        else:
            args[name] = child.text or ""
    for name in required:
        if name not in args and not (name in ("processNodeName", "name", "service") and "uuid" in args):
            raise axl_fault(A.MISSING_ELEMENT_AXLCODE, "%s is required" % name, op)
    if kind == "read":
        if ctx.gate_axl_read():
            raise axl_fault(-1, A.MEMORY_FAULT_MESSAGE, op)
    else:
        if A.AXL_WRITE_ROLE not in st.accounts[user][1]:
            ctx._deny(403, A.AXL_READ_ONLY_REFUSAL % (user, op))
        ctx.gate_write()
    try:
        return globals()["_" + op](ctx, version, args, op)
    except CucmError as exc:
        raise axl_fault(exc.code, exc.message, op)


def _getCCMVersion(ctx, version, args, op):
    return reply(version, op, "<return><componentVersion><version>%s</version></componentVersion></return>"
                 % escape(ctx.state.version), "read")


def _parameter_args(args):
    if "uuid" in args:  # the schema's other key of a service parameter
        uuid = args["uuid"].strip().lower()
        p = next((p for p in PARAMS_BY_NAME.values() if p.uuid.lower() == uuid), None)
        if p is None:
            raise CucmError(A.UNKNOWN_PARAMETER_AXLCODE, A.UNKNOWN_PARAMETER_MESSAGE % ("uuid", "", args["uuid"]))
        return ENTERPRISE_NODE, ENTERPRISE_SERVICE, p.name
    return args["processNodeName"].strip(), args["service"].strip(), args["name"].strip()


def _getServiceParameter(ctx, version, args, op):
    p = ctx.state.get_parameter(*_parameter_args(args))
    inner = ('<return><serviceParameter uuid="%s"><processNodeName>%s</processNodeName><name>%s</name>'
             '<service>%s</service><value>%s</value><valueType>%s</valueType></serviceParameter></return>'
             % (p["uuid"], p["processNodeName"], p["name"], escape(p["service"]), escape(p["value"]),
                p["valueType"]))
    return reply(version, op, inner, "read")


def _updateServiceParameter(ctx, version, args, op):
    uuid = ctx.state.update_parameter(*_parameter_args(args), value=args["value"])
    return reply(version, op, "<return>%s</return>" % uuid, "write")


def _getAppUser(ctx, version, args, op):
    """The application user and the roles of its groups (a lab account: one group per lab role)."""
    if "name" not in args and "uuid" not in args:
        raise axl_fault(A.MISSING_ELEMENT_AXLCODE, "name or uuid is required", op)
    wanted = args.get("name", "").strip()
    accounts = ctx.state.accounts
    if "uuid" in args:
        wanted = next((u for u in accounts if braced_uuid("appuser:" + u).lower() == args["uuid"].strip().lower()),
                      None)
    if not wanted or wanted not in accounts:
        raise axl_fault(A.UNKNOWN_PARAMETER_AXLCODE, A.APP_USER_NOT_FOUND % (args.get("name") or args.get("uuid")), op)
    groups = "".join("<userGroup><name>%s</name><userRoles><userRole>%s</userRole></userRoles></userGroup>"
                     % (escape(A.AXL_ROLE_GROUPS[r]), escape(A.AXL_ROLE_NAMES[r]))
                     for r in sorted(accounts[wanted][1]) if r in A.AXL_ROLE_NAMES)
    return reply(version, op, '<return><appUser uuid="%s"><userid>%s</userid><associatedGroups>%s'
                 '</associatedGroups></appUser></return>' % (braced_uuid("appuser:" + wanted), escape(wanted), groups),
                 "read")


def _count(args, name, op):
    text = args.get(name, "").strip()
    if text and not text.isdigit():
        raise axl_fault(A.BAD_VALUE_AXLCODE, "%s must be a non-negative integer, got %r" % (name, text), op)
    return int(text) if text else None


def _listProcessNode(ctx, version, args, op):
    criteria = {k: v.strip() for k, v in args["searchCriteria"].items()}
    tags = [t for t in PROCESS_NODE_TAGS if t in args["returnedTags"]] or list(PROCESS_NODE_TAGS)
    rows = ctx.state.process_nodes(criteria)
    skip, first = _count(args, "skip", op), _count(args, "first", op)
    rows = rows[skip or 0:]
    if first is not None:
        rows = rows[:first]
    items = "".join('<processNode uuid="%s">%s</processNode>'
                    % (r["uuid"], "".join("<%s>%s</%s>" % (t, escape(r.get(t) or ""), t) for t in tags))
                    for r in rows)
    return reply(version, op, "<return>%s</return>" % items, "read")


def _executeSQLQuery(ctx, version, args, op):
    st = ctx.state
    names, rows = st.query(args["sql"])
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
