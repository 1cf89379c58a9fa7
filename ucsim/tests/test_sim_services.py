"""Services per node and Serviceability SOAP (lab cluster.yml): status, Start/Stop/Restart taking time,
activation, the node a request acts on, faults (never returns, node down, 503, rate), counters."""

import time
import xml.etree.ElementTree as ET

import pytest

from simhelp import clients, find, start_simulator
from ucsim import assumptions as A
from ucsim.clock import Clock as LabClock
from ucsim import lab as labmod
from ucsim.protocols.serviceability import PATH, parse_start_time
from ucsim.server import KINDS
from ucsim.state.services import ServiceError, Services

CRED = ("axladmin", "C1sco12345!")
CCM = "Cisco CallManager"


class FakeNode:
    def __init__(self, name, role):
        self.name, self.role = name, role


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


# --- the rules, on a clock the test moves ------------------------------------------------------------------
@pytest.fixture
def svc():
    s = Services("c", {"restart_s": 10, "times": {"Cisco TFTP": 4},
                       "not_activated": {"sub": ["Cisco CTIManager"]}, "stopped": {"sub": [CCM]}})
    s.fake = Clock()
    s.clock = LabClock(wall=s.fake, monotonic=s.fake)
    return s


def status(svc, node, name):
    return svc.status(node, [name])[0]


def test_restart_goes_stopping_starting_started_with_a_new_start_time(svc):
    pub = FakeNode("pub", "publisher")
    infos, acted = svc.control(pub, "Restart", [CCM])
    assert acted == [CCM] and infos[0]["status"] == "Stopping"
    svc.fake.now += 2.9
    assert status(svc, pub, CCM)["status"] == "Stopping"   # 30 % of 10 s stopping
    svc.fake.now += 0.2
    assert status(svc, pub, CCM)["status"] == "Starting"
    svc.fake.now += 6.9
    info = status(svc, pub, CCM)
    assert info["status"] == "Started" and info["start_time"] == 1010.0 and info["reason"] == A.REASON_SUCCESS
    svc.fake.now += 5
    assert status(svc, pub, CCM)["up_time"] == 5


def test_stop_then_start_and_reason_codes(svc):
    pub = FakeNode("pub", "publisher")
    svc.control(pub, "Stop", [CCM])
    svc.fake.now += 3
    info = status(svc, pub, CCM)
    assert (info["status"], info["reason"], info["reason_string"]) == ("Stopped", -1069, "Commanded Out of Service")
    assert svc.control(pub, "Stop", [CCM])[1] == []        # already stopped: nothing done
    svc.control(pub, "Start", [CCM])
    assert status(svc, pub, CCM)["status"] == "Starting"
    svc.fake.now += 7
    assert status(svc, pub, CCM)["status"] == "Started"
    assert svc.control(pub, "Start", [CCM])[1] == []       # started: nothing done


def test_not_activated_and_lab_stopped_services(svc):
    sub = FakeNode("sub", "subscriber")
    info = status(svc, sub, "Cisco CTIManager")
    assert (info["status"], info["reason"], info["reason_string"]) == ("Stopped", -1068, "Service Not Activated")
    infos, acted = svc.control(sub, "Start", ["Cisco CTIManager"])
    assert acted == [] and infos[0]["reason"] == -1068
    assert status(svc, sub, CCM)["reason"] == -1069
    svc.control(sub, "Start", [CCM])
    svc.fake.now += 10 * (1 - A.SERVICE_STOP_SHARE)       # a Start takes the starting part of the time
    assert status(svc, sub, CCM)["status"] == "Started"


def test_not_deployable_and_tomcat_are_refused_before_anything_is_done(svc):
    imp = FakeNode("imp", "im_presence")
    assert status(svc, imp, CCM)["status"] == "Unknown"
    with pytest.raises(ServiceError, match="not deployable on node imp"):
        svc.control(imp, "Restart", ["Cisco XCP Router", CCM])
    assert status(svc, imp, "Cisco XCP Router")["status"] == "Started"
    with pytest.raises(ServiceError, match="utils service restart Cisco Tomcat"):
        svc.control(imp, "Restart", ["Cisco Tomcat"])
    assert svc.control(imp, "Restart", ["Cisco Tomcat"], via="cli")[1] == ["Cisco Tomcat"]
    assert not svc.running(imp, "Cisco Tomcat")


def test_a_service_that_never_returns_stays_starting_until_started_again(svc):
    pub = FakeNode("pub", "publisher")
    svc.control(pub, "Restart", [CCM], never_returns=lambda name: True)
    svc.fake.now += 1000
    assert status(svc, pub, CCM)["status"] == "Starting"
    assert svc.control(pub, "Start", [CCM])[1] == [CCM]
    svc.fake.now += 10
    assert status(svc, pub, CCM)["status"] == "Started"
    history = svc.to_json([pub])["nodes"]["pub"][CCM]["history"]
    assert [h["action"] for h in history] == ["Restart", "Start"] and history[0]["started"] is None


def test_rate_limit_per_node_and_operation():
    s = Services("c", {"min_poll_interval_s": 60})
    a, b = FakeNode("a", "publisher"), FakeNode("b", "subscriber")
    s.admit(a, "soapGetServiceStatus")
    s.admit(b, "soapGetServiceStatus")          # per node
    s.admit(a, "soapDoControlServices")         # per operation: the control right after the read
    with pytest.raises(ServiceError, match="^Exceeded allowed rate$"):
        s.admit(a, "soapGetServiceStatus")
    with pytest.raises(ServiceError, match="^Exceeded allowed rate$"):
        s.admit(a, "soapDoControlServices")


def test_at_time_scale_20_a_restart_and_the_rate_window_last_a_twentieth_and_times_stay_wall_clock(svc):
    """The lab's 10 s restart lasts 0.5 real seconds at scale 20 (Stopping for 30 % of it); the start time and
    UpTime read the wall clock; the 60 s rate window lasts 3 real seconds."""
    svc.clock.set_scale(20)
    pub = FakeNode("pub", "publisher")
    svc.control(pub, "Restart", [CCM])
    svc.fake.now += 0.14
    assert status(svc, pub, CCM)["status"] == "Stopping"
    svc.fake.now += 0.02
    assert status(svc, pub, CCM)["status"] == "Starting"
    svc.fake.now += 0.34
    info = status(svc, pub, CCM)
    assert info["status"] == "Started" and info["start_time"] == pytest.approx(1000.5)
    svc.fake.now += 7
    assert status(svc, pub, CCM)["up_time"] == 7                      # wall seconds since the start
    history = svc.to_json([pub])["nodes"]["pub"][CCM]["history"]
    assert history[0]["requested"] == 1000.0 and history[0]["started"] == pytest.approx(1000.5)
    svc.configure({"min_poll_interval_s": 60})
    a = FakeNode("a", "publisher")
    svc.admit(a, "soapGetServiceStatus")
    svc.fake.now += 2.9
    with pytest.raises(ServiceError, match="^Exceeded allowed rate$"):
        svc.admit(a, "soapGetServiceStatus")                          # 58 lab seconds
    svc.fake.now += 0.2
    svc.admit(a, "soapGetServiceStatus")                              # 62 lab seconds
    svc.clock.set_scale(1)                                            # back to real time: a restart takes 10 s
    svc.control(pub, "Restart", [CCM])
    svc.fake.now += 9.9
    assert status(svc, pub, CCM)["status"] == "Starting"
    svc.fake.now += 0.2
    assert status(svc, pub, CCM)["status"] == "Started"


def test_bad_lab_settings():
    with pytest.raises(labmod.LabError, match="unknown keys"):
        Services("c", {"restart": 1})
    with pytest.raises(labmod.LabError, match="restart_s must be"):
        Services("c", {"restart_s": -1})


# --- over HTTPS on the cluster's nodes ------------------------------------------------------------------
@pytest.fixture(scope="module")
def ssim(tmp_path_factory):
    lab = labmod.load("cluster", set(KINDS))
    lab.system("cucm").config["services"] = {"restart_s": 0.2}
    s = start_simulator(lab, str(tmp_path_factory.mktemp("ucsim-services")))
    yield s
    s.stop()


@pytest.fixture
def node(ssim):
    gen = clients(lambda name: ssim.nodes[name].url, ssim.cafile)
    make = next(gen)
    make("cucm-pub").json("POST", "/_sim/reset", {"state": True})
    yield make
    next(gen, None)


def soap(client, op, inner, auth=CRED, action=True):
    """POST ``op`` with ``inner``; ``action``: True sends SOAPAction "op", a text sends that, None none."""
    body = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:s="%s">'
            '<soapenv:Body><s:%s>%s</s:%s></soapenv:Body></soapenv:Envelope>' % (A.SERVICEABILITY_NS, op, inner, op))
    headers = {"Content-Type": "text/xml"}
    if action is not None:
        headers["SOAPAction"] = '"%s"' % op if action is True else action
    status, _, data = client.request("POST", PATH, body, headers, auth=auth)
    return status, (ET.fromstring(data) if data.startswith(b"<?xml") else data)


def get_status(client, *names):
    return soap(client, "soapGetServiceStatus",
                "".join("<s:ServiceStatus>%s</s:ServiceStatus>" % n for n in names or ("",)))


def control(client, node_name, action, *names):
    return soap(client, "soapDoControlServices",
                "<s:ControlServiceRequest><s:NodeName>%s</s:NodeName><s:ControlType>%s</s:ControlType>"
                "<s:ServiceList>%s</s:ServiceList></s:ControlServiceRequest>"
                % (node_name, action, "".join("<s:item>%s</s:item>" % n for n in names)))


def items(root):
    ret = find(root, "ServiceInfoList")
    return [{c.tag.rsplit("}", 1)[-1]: (c.text or "") for c in item} for item in ret]


def wait_started(client, name, limit=10):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        it = items(get_status(client, name)[1])[0]
        if it["ServiceStatus"] == "Started":
            return it
        time.sleep(0.05)
    raise AssertionError("%s never started" % name)


def test_status_of_every_service_of_a_node_and_of_named_ones(ssim, node):
    st, root = soap(node("imp-pub"), "soapGetServiceStatus", "<s:ServiceStatus></s:ServiceStatus>")
    assert st == 200 and find(root, "soapGetServiceStatusReturn/ReturnCode").text == "0"
    assert {i["ServiceName"] for i in items(root)} == set(A.DEPLOYABLE_SERVICES["im_presence"])
    st, root = get_status(node("imp-pub"), "Cisco XCP Authentication Service", CCM)
    xcp, ccm = items(root)
    assert xcp["ServiceStatus"] == "Started" and xcp["ReasonCode"] == "-1" and int(xcp["UpTime"]) >= 0
    assert parse_start_time(xcp["StartTime"]) <= time.time()
    assert (ccm["ServiceStatus"], ccm["ReasonCode"]) == ("Unknown", str(A.REASON_NOT_DEPLOYABLE))


def test_restart_acts_on_the_node_it_is_sent_to_and_is_counted(ssim, node):
    sub = node("cucm-sub1")
    before = time.time()
    st, root = control(sub, ssim.nodes["cucm-sub1"].address, "Restart", CCM)
    assert st == 200 and items(root)[0]["ServiceStatus"] == "Stopping"
    assert items(get_status(node("cucm-pub"), CCM)[1])[0]["ServiceStatus"] == "Started"  # the publisher's own
    started = wait_started(sub, CCM)
    assert parse_start_time(started["StartTime"]) >= int(before)
    _, counters = sub.json("GET", "/_sim/counters")
    assert counters["nodes"]["cucm-sub1"]["service_restarts"] == {CCM: 1}
    assert counters["nodes"]["cucm-pub"]["service_restarts"] == {}
    assert counters["systems"]["cucm"]["service_restarts"] == {CCM: 1} and counters["writes"] == 1
    _, state = sub.json("GET", "/_sim/state?system=cucm")
    hist = state["services"]["nodes"]["cucm-sub1"][CCM]["history"]
    assert len(hist) == 1 and hist[0]["requested"] < hist[0]["stopped"] < hist[0]["started"]
    _, log = sub.json("GET", "/_sim/requests?node=cucm-sub1")
    assert log[0]["operation"] == "soapDoControlServices" and log[0]["kind"] == "write"


def test_a_restart_over_https_at_time_scale_40_lasts_a_fortieth_and_reports_wall_clock_times(ssim, node):
    """A 20 lab-second restart, at scale 40: Stopping right after the control, Started within about half a
    second, its StartTime and the history's times on the wall clock (after the request, before now)."""
    pub = node("cucm-pub")
    pub.json("POST", "/_sim/state", {"cucm": {"services": {"restart_s": 20}}})
    assert pub.json("POST", "/_sim/clock", {"time_scale": 40})[0] == 200
    before = time.time()
    st, root = control(pub, ssim.nodes["cucm-pub"].address, "Restart", CCM)
    assert st == 200 and items(root)[0]["ServiceStatus"] == "Stopping"
    started = wait_started(pub, CCM, limit=5)
    took = time.time() - before
    assert 0.45 <= took < 4, took
    assert int(before) <= parse_start_time(started["StartTime"]) <= time.time()
    (h,) = pub.json("GET", "/_sim/state?system=cucm")[1]["services"]["nodes"]["cucm-pub"][CCM]["history"]
    assert before <= h["requested"] < h["stopped"] < h["started"] <= time.time()
    assert h["started"] - h["requested"] == pytest.approx(0.5)


def test_node_name_of_another_node_is_refused(ssim, node):
    st, root = control(node("cucm-sub1"), "cucm-pub", "Restart", CCM)
    assert st == 500 and "send the request to the node it acts on" in find(root, "faultstring").text
    st, root = control(node("cucm-sub1"), "cucm-sub1", "Restart", "Cisco XCP Router")
    assert st == 500 and "not deployable on node cucm-sub1" in find(root, "faultstring").text
    _, counters = node("cucm-pub").json("GET", "/_sim/counters")
    assert counters["writes"] == 0 and counters["service_restarts"] == {}


def test_faults_never_returns_503_node_down_and_rate(ssim, node):
    pub, sub = node("cucm-pub"), node("cucm-sub1")
    pub.json("POST", "/_sim/faults", {"service_never_returns": 1, "system": "cucm-sub1"})
    control(sub, "cucm-sub1", "Restart", CCM)
    time.sleep(0.4)
    assert items(get_status(sub, CCM)[1])[0]["ServiceStatus"] == "Starting"
    pub.json("POST", "/_sim/faults", {"serviceability_503": 1})
    assert get_status(sub, CCM)[0] == 503
    assert get_status(sub, CCM)[0] == 200
    pub.json("POST", "/_sim/faults", {"node_down": "cucm-sub1"})
    with pytest.raises(Exception):
        get_status(sub, CCM)
    assert get_status(pub, CCM)[0] == 200
    pub.json("DELETE", "/_sim/faults")
    pub.json("POST", "/_sim/state", {"cucm": {"services": {"min_poll_interval_s": 30}}})
    imp = node("imp-pub")                      # no request yet: answered, the next one is too soon
    assert get_status(imp, "Cisco Tomcat")[0] == 200
    st, root = get_status(imp, "Cisco Tomcat")
    assert st == 500 and find(root, "faultstring").text == "Exceeded allowed rate"
    pub.json("POST", "/_sim/state", {"cucm": {"services": {"min_poll_interval_s": 0}}})
    pub.json("POST", "/_sim/faults", {"rate_limit": {"rps": 0.1, "burst": 1}, "system": "cucm-sub1"})
    assert get_status(sub, CCM)[0] == 200     # the token bucket: one, then "Exceeded allowed rate"
    st, root = get_status(sub, CCM)
    assert st == 500 and find(root, "faultstring").text == "Exceeded allowed rate"
    assert get_status(pub, CCM)[0] == 200     # another node (scoped by the fault system)
    pub.json("DELETE", "/_sim/faults")
    st, code = pub.json("POST", "/_sim/faults", {"node_down": "nope"})
    assert st == 400


def test_tomcat_through_serviceability_is_refused(ssim, node):
    st, root = control(node("cucm-pub"), "cucm-pub", "Restart", "Cisco Tomcat")
    assert st == 500 and "platform CLI" in find(root, "faultstring").text


def test_wrong_password_and_unknown_operation(ssim, node):
    assert get_status(node("cucm-pub"), CCM)[0] == 200
    assert soap(node("cucm-pub"), "soapGetServiceStatus", "", auth=("axladmin", "wrong"))[0] == 401
    st, root = soap(node("cucm-pub"), "soapGetProductInformationList", "")
    assert st == 500 and find(root, "faultcode").text == "soapenv:Client"


# --- the contract: requests as Cisco's WSDL defines them (contract.py), strict by default --------------------
def fault_of(root):
    return find(root, "Fault/faultcode").text, find(root, "Fault/faultstring").text


def test_several_service_status_elements_are_each_answered_in_order(ssim, node):
    st, root = get_status(node("cucm-pub"), "Cisco TFTP", CCM, "Cisco Nope", "Cisco Tomcat")
    assert st == 200
    assert [i["ServiceName"] for i in items(root)] == ["Cisco TFTP", CCM, "Cisco Nope", "Cisco Tomcat"]
    assert [i["ServiceStatus"] for i in items(root)] == ["Started", "Started", "Unknown", "Started"]


@pytest.mark.parametrize("inner, element", [
    # the old form: unqualified children, names as <item> of one ServiceStatus
    ("<ServiceStatus><item>Cisco CallManager</item></ServiceStatus>", "ServiceStatus"),
    ("<ServiceStatus>Cisco CallManager</ServiceStatus>", "ServiceStatus"),
    # qualified, but the names nested as items
    ("<s:ServiceStatus><s:item>Cisco CallManager</s:item></s:ServiceStatus>", "item"),
    ("", "soapGetServiceStatus"),  # ServiceStatus is required (an empty one asks for every service)
    ("<s:ServiceStatus>Cisco CallManager</s:ServiceStatus><s:Bogus/>", "Bogus"),
])
def test_a_status_request_that_breaks_the_schema_is_a_client_fault_naming_the_element(ssim, node, inner, element):
    st, root = soap(node("cucm-pub"), "soapGetServiceStatus", inner)
    code, text = fault_of(root)
    assert st == 500 and code == "soapenv:Client" and "cvc-complex-type" in text and "'%s'" % element in text
    if element == "ServiceStatus":
        assert '{"%s":ServiceStatus}' % A.SERVICEABILITY_NS in text  # says what is expected: the qualified one


@pytest.mark.parametrize("inner, element", [
    ("<ControlServiceRequest><NodeName>cucm-sub1</NodeName><ControlType>Restart</ControlType><ServiceList>"
     "<item>Cisco CallManager</item></ServiceList></ControlServiceRequest>", "ControlServiceRequest"),
    ("<s:ControlServiceRequest><s:NodeName>cucm-sub1</s:NodeName><s:ControlType>Restart</s:ControlType>"
     "<s:ServiceList><item>Cisco CallManager</item></s:ServiceList></s:ControlServiceRequest>", "item"),
    ("<s:ControlServiceRequest><s:ControlType>Restart</s:ControlType><s:NodeName>cucm-sub1</s:NodeName>"
     "<s:ServiceList/></s:ControlServiceRequest>", "ControlType"),  # out of order
    ("<s:ControlServiceRequest><s:NodeName>cucm-sub1</s:NodeName><s:ControlType>Reboot</s:ControlType>"
     "<s:ServiceList/></s:ControlServiceRequest>", "ControlType"),  # not one of the enumeration
])
def test_a_control_request_that_breaks_the_schema_is_refused_and_changes_nothing(ssim, node, inner, element):
    sub = node("cucm-sub1")
    st, root = soap(sub, "soapDoControlServices", inner)
    code, text = fault_of(root)
    assert st == 500 and code == "soapenv:Client" and "'%s'" % element in text
    assert sub.json("GET", "/_sim/counters")[1]["nodes"]["cucm-sub1"]["service_restarts"] == {}


def test_an_empty_service_list_is_allowed_by_the_schema(ssim, node):
    st, root = soap(node("cucm-sub1"), "soapDoControlServices",
                    "<s:ControlServiceRequest><s:NodeName>cucm-sub1</s:NodeName><s:ControlType>Restart</s:ControlType>"
                    "<s:ServiceList/></s:ControlServiceRequest>")
    # valid XML for the schema: refused by the rules (no service), not by the contract
    assert st == 500 and "names no service" in fault_of(root)[1]


@pytest.mark.parametrize("action", [None, '"soapDoControlServices"', "soapGetServiceStatusX"])
def test_a_missing_or_wrong_soapaction_is_a_client_fault(ssim, node, action):
    st, root = soap(node("cucm-pub"), "soapGetServiceStatus", "<s:ServiceStatus>%s</s:ServiceStatus>" % CCM,
                    action=action)
    code, text = fault_of(root)
    assert st == 500 and code == "soapenv:Client" and "SOAPAction" in text and "'soapGetServiceStatus'" in text


def test_soapaction_without_quotes_is_accepted(ssim, node):
    st, _ = soap(node("cucm-pub"), "soapGetServiceStatus", "<s:ServiceStatus>%s</s:ServiceStatus>" % CCM,
                 action="soapGetServiceStatus")
    assert st == 200


def test_static_service_list_lists_what_the_node_can_run(ssim, node):
    st, root = soap(node("imp-pub"), "soapGetStaticServiceList",
                    "<s:ServiceInformationResponse></s:ServiceInformationResponse>")
    assert st == 200
    services = find(root, "soapGetStaticServiceListReturn/Services")
    names = [find(i, "ServiceName").text for i in services]
    assert set(names) == set(A.DEPLOYABLE_SERVICES["im_presence"])
    assert {find(i, "Deployable").text for i in services} == {"true"}
    st, root = soap(node("imp-pub"), "soapGetStaticServiceList", "")
    assert st == 500 and ':ServiceInformationResponse}' in fault_of(root)[1]


def test_product_information_list(ssim, node):
    st, root = soap(node("cucm-sub1"), "getProductInformationList", "<s:ServiceInfo></s:ServiceInfo>")
    assert st == 200
    ret = find(root, "getProductInformationListReturn")
    assert find(ret, "ActiveServerVersion").text == ssim.systems["cucm"].state.version
    assert find(ret, "Products/item/ShortName").text == "CallManager"
    assert {find(i, "ServiceName").text for i in find(ret, "Services")} == set(A.DEPLOYABLE_SERVICES["subscriber"])


@pytest.fixture(scope="module")
def lenient(tmp_path_factory):
    lab = labmod.load("cluster", set(KINDS))
    lab.settings["soap_contract"] = "lenient"
    s = start_simulator(lab, str(tmp_path_factory.mktemp("ucsim-lenient")))
    yield s
    s.stop()


def test_a_lenient_lab_accepts_the_old_form(lenient):
    gen = clients(lambda name: lenient.nodes[name].url, lenient.cafile)
    pub = next(gen)("cucm-pub")
    try:
        st, root = soap(pub, "soapGetServiceStatus", "<ServiceStatus><item>Cisco CallManager</item><item>Cisco TFTP"
                                                     "</item></ServiceStatus>", action=None)
        assert st == 200 and [i["ServiceName"] for i in items(root)] == [CCM, "Cisco TFTP"]
    finally:
        next(gen, None)


def test_lenient_soap_flag():
    from ucsim.cli import build_parser
    assert build_parser().parse_args(["serve", "--lenient-soap"]).lenient_soap is True
    assert build_parser().parse_args(["serve"]).lenient_soap is False


def test_soap_contract_setting_is_checked():
    with pytest.raises(labmod.LabError, match="soap_contract must be one of strict, lenient"):
        labmod.parse({"sim": {"soap_contract": "loose"}}, set(KINDS))
    assert labmod.parse({"cucm": [{"name": "x"}]}, set(KINDS)).settings["soap_contract"] == "strict"
