"""The request contracts of the SOAP operations the simulator serves, and their checker.

Written from Cisco's public schemas (the Serviceability WSDL ``ControlCenterServices.wsdl``, the AXL schema
``AXLSoap.xsd`` 12.5/14.0; see the reference, sections 1 and 5), not copied from them: only what a request of
the operations we and our users call may hold. A contract is a sequence of particles:

``E(name, type, min=1, max=1)``
    an element; ``max=None`` is unbounded. ``type`` is a simple type (``STRING``, ``INTEGER``, ``ULONG``,
    ``BOOLEAN``, ``enum(...)``) or a tuple of particles (a complex type holding that sequence).
``Choice(alt, ...)``
    one of several alternatives, each a tuple of particles (the first one of an alternative selects it).

``check(element, contract, namespace, qualified)`` raises ``Violation`` (the element it names, what is wrong)
when the operation element ``element`` breaks its contract: an element that is not expected there (an unknown
name, one out of order, one too many, or one in the wrong namespace: with ``qualified`` every child is in
``namespace``, as ``elementFormDefault="qualified"`` wants; else children carry no namespace), a required one
missing, or a value not of its type. Attributes are not checked (the schemas allow ``sequence`` and ``uuid``).
"""

STRING, INTEGER, ULONG, BOOLEAN = "string", "integer", "unsignedLong", "boolean"


def enum(*values):
    return ("enum",) + values


class E:
    __slots__ = ("name", "type", "min", "max")

    def __init__(self, name, type_=STRING, min_=1, max_=1):
        self.name, self.type, self.min, self.max = name, type_, min_, max_


class Choice:
    __slots__ = ("alternatives",)

    def __init__(self, *alternatives):
        self.alternatives = alternatives


class Violation(Exception):
    """``kind``: ``unexpected`` (an element not allowed there), ``missing`` (a required one absent) or ``value``
    (a value not of its type); ``element``: the element's name; ``expected``: the names allowed at that place
    (``{namespace}name`` when qualified); ``parent``: the element it is in."""

    def __init__(self, kind, element, parent, expected=(), detail=""):
        self.kind, self.element, self.parent, self.expected, self.detail = kind, element, parent, expected, detail
        super().__init__(self.message)

    @property
    def message(self):
        """Xerces' words (what a schema-validating Java server answers), naming the element."""
        expected = ", ".join(self.expected)
        if self.kind == "unexpected":
            return ("cvc-complex-type.2.4.a: Invalid content was found starting with element '%s'. One of '{%s}' "
                    "is expected." % (self.element, expected)) if expected else \
                ("cvc-complex-type.2.4.d: Invalid content was found starting with element '%s'. No child element "
                 "is expected at this point." % self.element)
        if self.kind == "missing":
            return ("cvc-complex-type.2.4.b: The content of element '%s' is not complete. One of '{%s}' is expected."
                    % (self.parent, expected))
        return "cvc-datatype-valid: Value '%s' of element '%s' is not a valid value for '%s'." % (
            self.detail, self.element, expected)


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _ns(tag):
    return tag[1:].partition("}")[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _first_names(particles):
    """The element names that may start ``particles`` (until a required element)."""
    out = []
    for p in particles:
        if isinstance(p, Choice):
            for alt in p.alternatives:
                out.extend(_first_names(alt))
            return out
        out.append(p.name)
        if p.min > 0:
            return out
    return out


def check(element, contract, namespace, qualified):
    _sequence(element, contract, namespace if qualified else "", _local(element.tag))


def _shown(names, ns):
    return ['"%s":%s' % (ns, n) if ns else n for n in names]


def _sequence(element, particles, ns, parent):
    children = list(element)
    pos = _particles(children, 0, particles, ns, parent)
    if pos < len(children):
        raise Violation("unexpected", _local(children[pos].tag), parent)


def _matches(child, name, ns):
    return _local(child.tag) == name and _ns(child.tag) == ns


def _particles(children, pos, particles, ns, parent):
    """Match ``particles`` against ``children`` from ``pos``; returns the position after them."""
    for p in particles:
        if isinstance(p, Choice):
            child = children[pos] if pos < len(children) else None
            alt = next((a for a in p.alternatives if child is not None and _matches(child, _first_names(a)[0], ns)),
                       None)
            if alt is None:
                names = _shown([_first_names(a)[0] for a in p.alternatives], ns)
                if child is None:
                    raise Violation("missing", None, parent, names)
                raise Violation("unexpected", _local(child.tag), parent, names)
            pos = _particles(children, pos, alt, ns, parent)
            continue
        count = 0
        while pos < len(children) and _matches(children[pos], p.name, ns) and (p.max is None or count < p.max):
            _value(children[pos], p, ns)
            pos += 1
            count += 1
        if count < p.min:
            names = _shown([p.name], ns)
            if pos < len(children):
                raise Violation("unexpected", _local(children[pos].tag), parent, names)
            raise Violation("missing", p.name, parent, names)
    return pos


def _value(child, p, ns):
    name = _local(child.tag)
    if isinstance(p.type, tuple) and p.type and p.type[0] != "enum":
        _sequence(child, p.type, ns, name)
        return
    if len(child):
        raise Violation("unexpected", _local(child[0].tag), name)
    text = (child.text or "").strip()
    typ = p.type
    ok = True
    if typ == INTEGER:
        ok = text.lstrip("+-").isdigit()
    elif typ == ULONG:
        ok = text.isdigit()
    elif typ == BOOLEAN:
        ok = text in ("true", "false", "1", "0")
    elif isinstance(typ, tuple):
        ok = text in typ[1:]
        typ = "enumeration [%s]" % ", ".join(typ[1:])
    if not ok:
        raise Violation("value", name, name, [typ], detail=text)


# -- Serviceability (ControlCenterServices.wsdl; elementFormDefault="qualified") -----------------------------
SERVICEABILITY_ACTIONS = {  # operation: SOAPAction its binding declares
    "soapGetServiceStatus": "soapGetServiceStatus",
    "soapDoControlServices": "soapDoControlServices",
    "soapGetStaticServiceList": "soapGetStaticServiceList",
    "getProductInformationList": "getProductInformationList",
}
_ARRAY_OF_SERVICES = (E("item", STRING, 0, None),)
SERVICEABILITY = {
    # one ServiceStatus per service name (an empty one: every service)
    "soapGetServiceStatus": (E("ServiceStatus", STRING, 1, None),),
    "soapDoControlServices": (E("ControlServiceRequest", (
        E("NodeName"), E("ControlType", enum("Start", "Stop", "Restart")), E("ServiceList", _ARRAY_OF_SERVICES))),),
    "soapGetStaticServiceList": (E("ServiceInformationResponse"),),
    "getProductInformationList": (E("ServiceInfo"),),
}

# -- AXL (AXLSoap.xsd; elementFormDefault="unqualified": the children carry no namespace) ----------------------
_PARAMETER_KEY = Choice((E("uuid"),), (E("processNodeName"), E("name"), E("service")))
_PROCESS_NODE_TAGS = tuple(E(n, STRING, 0) for n in (
    "name", "description", "mac", "ipv6Name", "nodeUsage", "lbmHubGroup", "processNodeRole"))
AXL = {
    "getCCMVersion": (E("processNodeName", STRING, 0),),
    "getServiceParameter": (_PARAMETER_KEY, E("returnedTags", tuple(E(n, STRING, 0) for n in (
        "processNodeName", "name", "service", "value", "valueType")), 0)),
    "updateServiceParameter": (_PARAMETER_KEY, E("value", STRING, 0)),
    "executeSQLQuery": (E("sql"),),
    "executeSQLUpdate": (E("sql"),),
    # RAppUser's key: name or uuid; returnedTags (every tag when left out): the tags the simulator answers
    "getAppUser": (Choice((E("name"),), (E("uuid"),)), E("returnedTags", (
        E("userid", STRING, 0), E("associatedGroups", (E("userGroup", (
            E("name", STRING, 0), E("userRoles", (E("userRole", STRING, 0, None),), 0)), 0, None),), 0)), 0)),
    "listProcessNode": (E("searchCriteria", (E("name", STRING, 0), E("description", STRING, 0),
                                             E("processNodeRole", STRING, 0))),
                        E("returnedTags", _PROCESS_NODE_TAGS), E("skip", ULONG, 0), E("first", ULONG, 0)),
}
