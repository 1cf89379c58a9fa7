import pytest

from simhelp import axlerr, find, sp


def test_getccmversion_any_namespace(c):
    for ns in ("1.0", "14.0", "11.0"):
        status, _, root = c.axl("getCCMVersion", ns_version=ns)
        assert status == 200
        assert find(root, "return/componentVersion/version").text == "14.0.1.13900(155)"
        # reply namespace is the SOAPAction version
        assert find(root, "Body")[0].tag == "{http://www.cisco.com/AXL/API/14.0}getCCMVersionResponse"


def test_version_selection(c):
    status, _, root = c.axl("getCCMVersion", action='"CUCM:DB ver=12.5 getCCMVersion"', ns_version="1.0")
    assert status == 200 and find(root, "Body")[0].tag.startswith("{http://www.cisco.com/AXL/API/12.5}")
    # no version: oldest supported schema (11.0 for a 14.0 system)
    status, _, root = c.axl("getCCMVersion", action=False, ns_version="1.0")
    assert find(root, "Body")[0].tag.startswith("{http://www.cisco.com/AXL/API/11.0}")
    status, _, root = c.axl("getCCMVersion", version="15.0")
    assert status == 500 and "Unsupported AXL schema version 15.0" in find(root, "Fault/faultstring").text
    assert find(root, "Fault/detail") is None


def test_get_service_parameter_defaults(c):
    # valueType as the schema spells it (XParam, lower case); on/off stored as the documented T/F
    expect = {"oAuthWithRefreshLoginFlow": ("F", "boolean"), "oauthTokenExpiryTimer": ("60", "long"),
              "refreshTokenExpiryTimer": ("60", "long"), "DeviceTokenExpiryTimer": ("3650", "long"),
              "UseSSOforRTMT": ("T", "boolean"), "ClusterID": ("StandAloneCluster", "string"),
              "SSOLoginBehaviorForIos": ("0", "long"), "OAuthAccessTokenForDevices": ("F", "boolean")}
    for name, (value, vtype) in expect.items():
        status, _, root = c.axl("getServiceParameter", sp(name))
        assert status == 200, name
        p = find(root, "return/serviceParameter")
        assert {e.tag: e.text for e in p} == {"processNodeName": "EnterpriseWideData", "name": name,
                                              "service": "Enterprise Wide", "value": value, "valueType": vtype}


def test_update_and_read_back(c):
    status, _, root = c.axl("updateServiceParameter", sp("oauthTokenExpiryTimer", "30"))
    assert status == 200 and find(root, "return").text.startswith("{")
    _, _, root = c.axl("getServiceParameter", sp("oauthTokenExpiryTimer"))
    assert find(root, "return/serviceParameter/value").text == "30"
    status, _, _ = c.axl("updateServiceParameter", sp("oAuthWithRefreshLoginFlow", "T"))
    assert status == 200
    _, st = c.json("GET", "/_sim/state")
    assert st["enterprise_parameters"]["oAuthWithRefreshLoginFlow"] == "T"
    _, cnt = c.json("GET", "/_sim/counters")
    assert cnt["writes"] == 2 and cnt["reads"] == 1 and cnt["by_operation"]["updateServiceParameter"] == 2


@pytest.mark.parametrize("name,value", [("oauthTokenExpiryTimer", "0"), ("oauthTokenExpiryTimer", "1441"),
                                        ("oauthTokenExpiryTimer", "abc"), ("refreshTokenExpiryTimer", "366"),
                                        ("oAuthWithRefreshLoginFlow", "true"), ("oAuthWithRefreshLoginFlow", "Enabled"),
                                        ("SSOLoginBehaviorForIos", "2")])
def test_update_bad_value(c, name, value):
    status, _, root = c.axl("updateServiceParameter", sp(name, value))
    assert status == 500
    code, msg = axlerr(root)
    assert code == 5009 and name in msg
    if name == "oauthTokenExpiryTimer":
        assert "1 and 1440" in msg
    _, cnt = c.json("GET", "/_sim/counters")
    assert cnt["writes"] == 0 and cnt["faults"] == 1


def test_unknown_parameter_and_node(c):
    for inner in (sp("noSuchParam"), sp("ClusterID", node="cucm1"), sp("ClusterID", service="Cisco CallManager")):
        status, _, root = c.axl("getServiceParameter", inner)
        assert status == 500 and axlerr(root)[0] == 5007
        assert find(root, "Fault/detail/axlError/request").text == "getServiceParameter"


def test_boolean_styles(client_for):
    c2 = client_for("cucm2")
    c2.json("POST", "/_sim/reset", {"state": True})
    auth = ("admin2", "pw2")
    _, _, root = c2.axl("getServiceParameter", sp("oAuthWithRefreshLoginFlow"), version="15.0", auth=auth)
    p = find(root, "return/serviceParameter")
    assert (p.find("value").text, p.find("valueType").text) == ("T", "boolean")
    status, _, root = c2.axl("updateServiceParameter", sp("oAuthWithRefreshLoginFlow", "false"), version="15.0", auth=auth)
    assert status == 500 and "must be T or F" in axlerr(root)[1]
    status, _, _ = c2.axl("updateServiceParameter", sp("oAuthWithRefreshLoginFlow", "F"), version="15.0", auth=auth)
    assert status == 200
    c3 = client_for("cucm3")
    c3.json("POST", "/_sim/reset", {"state": True})
    _, _, root = c3.axl("getServiceParameter", sp("oAuthWithRefreshLoginFlow"), version="12.5")
    p = find(root, "return/serviceParameter")
    assert (p.find("value").text, p.find("valueType").text) == ("0", "long")
    assert c3.axl("updateServiceParameter", sp("oAuthWithRefreshLoginFlow", "1"), version="12.5")[0] == 200
    # the style can be switched for a test; values are converted
    c3.json("POST", "/_sim/state", {"cucm3": {"boolean_style": "truefalse"}})
    _, _, root = c3.axl("getServiceParameter", sp("oAuthWithRefreshLoginFlow"), version="12.5")
    p = find(root, "return/serviceParameter")
    assert (p.find("value").text, p.find("valueType").text) == ("true", "boolean")


def test_refresh_timer_change_revokes_all(c):
    _, st = c.json("GET", "/_sim/state")
    assert st["refresh_token_count"] == 4 + 100
    assert c.axl("updateServiceParameter", sp("refreshTokenExpiryTimer", "60"))[0] == 200  # same value
    assert c.json("GET", "/_sim/state")[1]["refresh_token_count"] == 104
    assert c.axl("updateServiceParameter", sp("refreshTokenExpiryTimer", "30"))[0] == 200
    assert c.json("GET", "/_sim/state")[1]["refresh_token_count"] == 0


@pytest.mark.parametrize("raw,needle", [
    ("this is not xml", "Error reading"),
    ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"/>', "No SOAP Body"),
    ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>',
     "empty"),
    ('<x/>', "Not a SOAP"),
])
def test_malformed(c, raw, needle):
    status, _, root = c.axl("getCCMVersion", raw=raw)
    assert status == 500
    assert find(root, "Fault/faultcode").text == "soapenv:Client"
    assert needle in find(root, "Fault/faultstring").text
    assert find(root, "Fault/detail") is None


def test_unknown_element_and_operation(c):
    status, _, root = c.axl("getServiceParameter", sp("ClusterID") + "<bogus>1</bogus>")
    assert status == 500 and "Unmarshalling Error" in find(root, "Fault/faultstring").text
    assert "bogus" in find(root, "Fault/faultstring").text
    status, _, root = c.axl("getPhoneX", "<name>x</name>")
    assert status == 500 and "not a valid AXL operation" in find(root, "Fault/faultstring").text
    status, _, root = c.axl("getServiceParameter", "<processNodeName>EnterpriseWideData</processNodeName>")
    assert status == 500 and axlerr(root)[0] == 5003


def test_sql_update_refused(c):
    status, _, root = c.axl("executeSQLUpdate", "<sql>update processconfig set paramvalue='x'</sql>")
    assert status == 500 and axlerr(root)[0] == 5001
    _, cnt = c.json("GET", "/_sim/counters")
    assert cnt["write_attempts"] == 1 and cnt["writes"] == 0 and cnt["faults"] == 1


def test_memory_fault_injection(c):
    c.json("POST", "/_sim/faults", {"axl_memory_reads": 2})
    for _ in range(2):
        status, _, root = c.axl("getCCMVersion", ns_version="1.0")
        assert status == 500 and axlerr(root) == (-1, "Maximum AXL Memory Allocation Consumed. Please retry once "
                                                      "requests in progress have completed")
    assert c.axl("getCCMVersion", ns_version="1.0")[0] == 200
    _, cnt = c.json("GET", "/_sim/counters")
    assert cnt["reads"] == 1 and cnt["faults"] == 2
    _, f = c.json("GET", "/_sim/faults")
    assert f["axl_memory_reads"] == 0


def test_503_writes(c):
    c.json("POST", "/_sim/faults", {"http_503_writes": 1})
    status, resp, _ = c.axl("updateServiceParameter", sp("ClusterID", "X"))
    assert status == 503
    assert c.axl("getServiceParameter", sp("ClusterID"))[0] == 200  # reads are not throttled
    assert c.axl("updateServiceParameter", sp("ClusterID", "X"))[0] == 200
    _, cnt = c.json("GET", "/_sim/counters")
    assert cnt["writes"] == 1 and cnt["write_attempts"] == 2 and cnt["faults"] == 1


def test_lab_on_off_values_in_any_spelling_are_stored_in_the_system_style():
    from ucsim.state.cucm import CucmState
    st = CucmState("x", {"enterprise_parameters": {"oAuthWithRefreshLoginFlow": "true", "UseSSOforRTMT": "Disabled",
                                                   "AdvertiseG722Codec": "F"}})
    assert st.boolean_style == "tf"  # the documented storage is the default
    names = ("oAuthWithRefreshLoginFlow", "UseSSOforRTMT", "AdvertiseG722Codec")
    assert [st.params[n] for n in names] == ["T", "F", "F"]
    enum = CucmState("y", {"boolean_style": "enum", "enterprise_parameters": {"oAuthWithRefreshLoginFlow": "T"}})
    assert enum.get_parameter("EnterpriseWideData", "Enterprise Wide", "oAuthWithRefreshLoginFlow")[
        "valueType"] == "long" and enum.params["oAuthWithRefreshLoginFlow"] == "1"


# --- the contract (contract.AXL): children carry no namespace, in the schema's order ---------------------------
@pytest.mark.parametrize("op, inner, element", [
    # qualified children: AXL's schema is elementFormDefault="unqualified"
    ("executeSQLQuery", "<ns:sql>select 1 from processconfig</ns:sql>", "sql"),
    ("getServiceParameter", "<name>ClusterID</name><processNodeName>EnterpriseWideData</processNodeName>"
                            "<service>Enterprise Wide</service>", "name"),  # out of order
    ("listProcessNode", "<searchCriteria><name>%</name></searchCriteria><returnedTags><name/></returnedTags>"
                        "<first>ten</first>", "first"),  # not an unsignedLong
    ("listProcessNode", "<searchCriteria><nodeUsage>Publisher</nodeUsage></searchCriteria>"
                        "<returnedTags><name/></returnedTags>", "nodeUsage"),  # no search criterion
    ("getCCMVersion", "<processNodeName>a</processNodeName><processNodeName>b</processNodeName>", "processNodeName"),
])
def test_a_request_that_breaks_the_schema_is_a_client_fault_naming_the_element(c, op, inner, element):
    status, _, root = c.axl(op, inner)
    text = find(root, "Fault/faultstring").text
    assert status == 500 and find(root, "Fault/faultcode").text == "soapenv:Client"
    assert text.startswith("Unmarshalling Error: cvc-") and "'%s'" % element in text


def test_what_the_schema_allows_is_accepted(c):
    status, _, root = c.axl("getServiceParameter", sp("ClusterID") + "<returnedTags><value/></returnedTags>")
    assert status == 200 and find(root, "return/serviceParameter/value").text == "StandAloneCluster"
    uuid = find(root, "return/serviceParameter").get("uuid")
    status, _, root = c.axl("updateServiceParameter", "<uuid>%s</uuid><value>ClusterB</value>" % uuid)
    assert status == 200
    status, _, root = c.axl("getServiceParameter", "<uuid>%s</uuid>" % uuid)
    assert status == 200 and find(root, "return/serviceParameter/value").text == "ClusterB"
    status, _, root = c.axl("getServiceParameter", "<uuid>{00000000-0000-0000-0000-000000000000}</uuid>")
    assert status == 500 and axlerr(root)[0] == 5007
    status, _, root = c.axl("listProcessNode", "<searchCriteria><name>%</name></searchCriteria><returnedTags><name/>"
                                               "<mac/></returnedTags><skip>1</skip><first>1</first>")
    assert status == 200 and len(find(root, "return")) == 1
