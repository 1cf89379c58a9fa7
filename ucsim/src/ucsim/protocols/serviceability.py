"""CUCM Serviceability (SOAP) at /controlcenterservice2/services/ControlCenterServices, on every node:
soapGetServiceStatus and soapDoControlServices (Start, Stop, Restart), acting on the node the request reached.
Parses and answers; the services' rules are ``state/services.py``'s."""

import calendar
import time
from xml.sax.saxutils import escape

from .. import assumptions as A
from .. import soap
from ..state.services import COUNTERS, ServiceError
from ..web import Reply, Response

PATH = "/controlcenterservice2/services/ControlCenterServices"
NS = A.SERVICEABILITY_NS
OPS = {"soapGetServiceStatus": "read", "soapDoControlServices": "write"}
# this protocol's own fault keys (registered with the core by the simulator): {key: (types, counted)}
FAULTS = {"serviceability_503": (int, True), "service_never_returns": (int, True)}


def peek(req):
    head = req.body[:4096]
    for op in OPS:
        if op.encode() in head:
            return op
    return "%s %s" % (req.method, req.path)


def _unavailable(ctx):
    return Reply(Response(503, A.SERVICEABILITY_503_BODY, "text/html; charset=utf-8", kind="fault",
                          operation=ctx.operation))


def handle(ctx):
    req, node = ctx.req, ctx.node
    ctx.authenticate("axl")
    if req.path.rstrip("/") != PATH:
        return Response(404, "Not Found: %s" % req.path, kind="other")
    if req.method != "POST":
        return Response(405, "Method Not Allowed", headers=[("Allow", "POST")], kind="other")
    if ctx.core.fault_for(ctx.system, "serviceability_503", node):
        raise _unavailable(ctx)
    services = ctx.state.services
    if not services.running(node, A.TOMCAT):
        raise _unavailable(ctx)
    ns, op, el = soap.operation(req.body)
    ctx.operation = op
    if op not in OPS or ns != NS:
        raise soap.fault("%s (namespace %r) is not an operation of ControlCenterServices (namespace %s)"
                         % (op, ns, NS), client=True, operation=op)
    try:
        services.admit(node)
    except ServiceError as exc:
        raise soap.fault(exc.message, operation=op)
    if op == "soapGetServiceStatus":
        names = [t for t in _items(el, "ServiceStatus") if t]
        return _reply(op, services.status(node, names), "read")
    request = _child(el, "ControlServiceRequest")
    if request is None:
        raise soap.fault("ControlServiceRequest is required", client=True, operation=op)
    node_name = (_text(request, "NodeName") or "").strip()
    action = (_text(request, "ControlType") or "").strip()
    names = [t for t in _items(request, "ServiceList") if t]
    if node_name and not _names_node(node, node_name):
        raise soap.fault(A.CONTROL_OTHER_NODE_FAULT % (node_name, node.address or node.name), operation=op)
    if not names:
        raise soap.fault("ServiceList names no service", client=True, operation=op)
    ctx.gate_write()
    core, system = ctx.core, ctx.system
    try:
        infos, acted = services.control(
            node, action, names, never_returns=lambda name: core.fault_for(system, "service_never_returns", node))
    except ServiceError as exc:
        raise soap.fault(exc.message, operation=op)
    for name in acted:
        core.count_keyed(system, COUNTERS[action], name, node=node)
    return _reply(op, infos, "write")


def _names_node(node, name):
    return name.lower() == node.name.lower() or node.answers_to(name)


def _child(el, name):
    return next((c for c in el if soap.local(c.tag) == name), None)


def _text(el, name):
    c = _child(el, name)
    return None if c is None else (c.text or "")


def _items(el, name):
    """The texts of ``name``'s <item> children (or ``name``'s own text when it has none)."""
    c = _child(el, name)
    if c is None:
        return []
    items = [(i.text or "").strip() for i in c if soap.local(i.tag) == "item"]
    return items if len(c) else [(c.text or "").strip()]


def start_time_text(epoch):
    return time.strftime(A.START_TIME_FORMAT, time.gmtime(epoch)) if epoch is not None else ""


def parse_start_time(text):
    """The epoch seconds of a StartTime as this simulator prints it (for tests)."""
    return calendar.timegm(time.strptime(text, A.START_TIME_FORMAT))


def _reply(op, infos, kind):
    items = "".join(
        "<ns:item><ns:ServiceName>%s</ns:ServiceName><ns:ServiceStatus>%s</ns:ServiceStatus><ns:ReasonCode>%d"
        "</ns:ReasonCode><ns:ReasonCodeString>%s</ns:ReasonCodeString><ns:StartTime>%s</ns:StartTime>"
        "<ns:UpTime>%d</ns:UpTime></ns:item>"
        % (escape(i["name"]), i["status"], i["reason"], escape(i["reason_string"]), start_time_text(i["start_time"]),
           i["up_time"]) for i in infos)
    body = soap.envelope(
        '<ns:%sResponse xmlns:ns="%s"><ns:%sReturn><ns:ReturnCode>%s</ns:ReturnCode><ns:ReasonCode>%d'
        '</ns:ReasonCode><ns:ReasonString></ns:ReasonString><ns:ServiceInfoList>%s</ns:ServiceInfoList>'
        '</ns:%sReturn></ns:%sResponse>' % (op, NS, op, A.RETURN_CODE_OK, A.REASON_SUCCESS, items, op, op))
    return Response(200, body, soap.XML_TYPE, kind=kind, operation=op)
