"""CUCM Serviceability (SOAP) at /controlcenterservice2/services/ControlCenterServices, on every node:
soapGetServiceStatus, soapDoControlServices (Start, Stop, Restart), soapGetStaticServiceList and
getProductInformationList, acting on the node the request reached. Each request is checked against its contract
(``contract.SERVICEABILITY``: every element in the namespace, the SOAPAction of the operation) unless the lab is
lenient. Parses and answers; the services' rules are ``state/services.py``'s."""

import calendar
import time
from xml.sax.saxutils import escape

from .. import assumptions as A
from .. import contract
from .. import soap
from ..state.services import COUNTERS, ServiceError
from ..web import Reply, Response

PATH = "/controlcenterservice2/services/ControlCenterServices"
NS = A.SERVICEABILITY_NS
OPS = {"soapGetServiceStatus": "read", "soapDoControlServices": "write", "soapGetStaticServiceList": "read",
       "getProductInformationList": "read"}
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
    if ctx.strict_soap:
        _check(req, op, el)
    try:
        services.admit(node, op)
    except ServiceError as exc:
        raise soap.fault(exc.message, operation=op)
    if op == "soapGetServiceStatus":
        # one name per ServiceStatus (empty: every service); lenient: also the old ServiceStatus/item form
        names = [t for c in el if soap.local(c.tag) == "ServiceStatus" for t in _texts(c) if t]
        return _reply(op, services.status(node, names), "read")
    if op == "soapGetStaticServiceList":
        return _static_reply(op, services.status(node), "read")
    if op == "getProductInformationList":
        return _product_reply(ctx, op, services.status(node))
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
    return [] if c is None else _texts(c)


def _texts(c):
    """The texts of ``c``'s <item> children, or ``c``'s own text when it has none."""
    items = [(i.text or "").strip() for i in c if soap.local(i.tag) == "item"]
    return items if len(c) else [(c.text or "").strip()]


def _check(req, op, el):
    """Refuse (Client fault naming the element) a request that breaks the operation's contract, or whose
    SOAPAction is not the one the binding declares for it."""
    action = (req.headers.get("SOAPAction") or "").strip().strip('"')
    wanted = contract.SERVICEABILITY_ACTIONS[op]
    if action != wanted:
        raise soap.fault(A.SERVICEABILITY_SOAPACTION_FAULT % (req.headers.get("SOAPAction"), op, wanted),
                         client=True, operation=op)
    try:
        contract.check(el, contract.SERVICEABILITY[op], NS, qualified=True)
    except contract.Violation as exc:
        raise soap.fault(exc.message, client=True, operation=op)


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


def _static_reply(op, infos, kind):
    """soapGetStaticServiceList: what the node can run (every service it deploys, activated or not)."""
    items = "".join(
        "<ns:item><ns:ServiceName>%s</ns:ServiceName><ns:ServiceType>Service</ns:ServiceType>"
        "<ns:Deployable>true</ns:Deployable><ns:GroupName>%s</ns:GroupName><ns:DependentServices>%s"
        "</ns:DependentServices></ns:item>"
        % (escape(i["name"]), escape(A.SERVICE_GROUP), "" if i["name"] == A.TOMCAT else
           "<ns:Service>%s</ns:Service>" % A.TOMCAT) for i in infos)
    body = soap.envelope('<ns:%sResponse xmlns:ns="%s"><ns:%sReturn><ns:Services>%s</ns:Services></ns:%sReturn>'
                         '</ns:%sResponse>' % (op, NS, op, items, op, op))
    return Response(200, body, soap.XML_TYPE, kind=kind, operation=op)


def _product_reply(ctx, op, infos):
    """getProductInformationList: the version, the publisher, one product and the services of this node."""
    cluster = ctx.system
    publisher = next((n for n in cluster.nodes if n.role == "publisher"), ctx.node)
    version = escape(getattr(ctx.state, "version", "") or "")
    name, short = A.PRODUCT_BY_ROLE.get(ctx.node.role, A.PRODUCT_BY_ROLE["publisher"])
    services = "".join(
        "<ns:item><ns:ServiceName>%s</ns:ServiceName><ns:ServiceType>Service</ns:ServiceType>"
        "<ns:Deployable>true</ns:Deployable><ns:GroupName>%s</ns:GroupName><ns:ProductID>%s</ns:ProductID>"
        "<ns:DependentServices/></ns:item>" % (escape(i["name"]), escape(A.SERVICE_GROUP), short) for i in infos)
    body = soap.envelope(
        '<ns:%sResponse xmlns:ns="%s"><ns:%sReturn><ns:ActiveServerVersion>%s</ns:ActiveServerVersion>'
        '<ns:PrimaryNode>%s</ns:PrimaryNode><ns:SecondaryNode></ns:SecondaryNode><ns:Products><ns:item>'
        '<ns:ProductName>%s</ns:ProductName><ns:ProductVersion>%s</ns:ProductVersion><ns:ProductDescription>%s'
        '</ns:ProductDescription><ns:ProductID>%s</ns:ProductID><ns:ShortName>%s</ns:ShortName></ns:item>'
        '</ns:Products><ns:Services>%s</ns:Services></ns:%sReturn></ns:%sResponse>'
        % (op, NS, op, version, escape(publisher.address or publisher.name), name, version, name, short, short,
           services, op, op))
    return Response(200, body, soap.XML_TYPE, kind="read", operation=op)
