"""SOAP 1.1 envelopes for the simulator's SOAP protocols (AXL, Serviceability): build, parse, fault."""

import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from .web import Reply, Response

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
XML_TYPE = "text/xml; charset=utf-8"


def local(tag):
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def envelope(inner):
    return ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="%s"><soapenv:Body>%s'
            '</soapenv:Body></soapenv:Envelope>' % (SOAP_NS, inner))


def fault(faultstring, detail="", client=False, operation=None):
    """A Reply: HTTP 500 with a soapenv:Fault (``detail``: XML text inside <detail>, or empty)."""
    body = envelope("<soapenv:Fault><faultcode>soapenv:%s</faultcode><faultstring>%s</faultstring>%s"
                    "</soapenv:Fault>" % ("Client" if client else "Server", escape(faultstring),
                                          "<detail>%s</detail>" % detail if detail else ""))
    return Reply(Response(500, body, XML_TYPE, kind="fault", operation=operation))


def operation(body):
    """The first element of a SOAP 1.1 envelope's Body: ``(namespace, name, element)``; a Client fault
    Reply for anything that is not such an envelope."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise fault("Error reading XMLStreamReader: %s" % exc, client=True)
    if root.tag != "{%s}Envelope" % SOAP_NS:
        raise fault("Not a SOAP 1.1 envelope: root element is %s" % root.tag, client=True)
    soap_body = next((c for c in root if c.tag == "{%s}Body" % SOAP_NS), None)
    if soap_body is None:
        raise fault("No SOAP Body in the envelope", client=True)
    children = list(soap_body)
    if not children:
        raise fault("The SOAP Body is empty: no operation", client=True)
    el = children[0]
    ns, _, name = el.tag[1:].partition("}") if el.tag.startswith("{") else ("", "", el.tag)
    return ns, name, el
