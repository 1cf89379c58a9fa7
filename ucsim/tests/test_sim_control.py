import base64
import http.client
import json
import re
import threading
import time

import pytest

from simhelp import Client, sp


def test_systems(c, sim):
    _, systems = c.json("GET", "/_sim/systems")
    assert [s["name"] for s in systems] == ["cucm1", "cucm2", "cucm3"]
    assert all(s["kind"] == "cucm" and s["url"].startswith("https://127.0.0.1:") for s in systems)
    assert len({s["port"] for s in systems}) == 3


def test_request_log(c):
    c.axl("getServiceParameter", sp("ClusterID"))
    c.request("GET", "/nowhere")
    _, log = c.json("GET", "/_sim/requests")
    assert [e["operation"] for e in log] == ["getServiceParameter", "GET /nowhere"]
    e = log[0]
    assert e["system"] == "cucm1" and e["method"] == "POST" and e["path"] == "/axl/" and e["status"] == 200
    assert e["kind"] == "read" and "<name>ClusterID</name>" in e["body"]
    assert e["headers"]["SOAPAction"] == '"CUCM:DB ver=14.0 getServiceParameter"'
    assert log[1]["status"] == 404 and log[1]["kind"] == "other"
    assert c.json("GET", "/_sim/requests?system=cucm2")[1] == []
    assert len(c.json("GET", "/_sim/requests?since=%d" % e["id"])[1]) == 1
    assert c.json("GET", "/_sim/requests?system=nope")[0] == 400


def test_state_get_and_patch(c):
    _, st = c.json("GET", "/_sim/state?system=cucm1")
    assert st["end_user_count"] == 54 and st["tokens_by_user"]["jdoe"] == 2 and st["tokens_by_user"]["user3"] == 2
    assert not re.search(r'"[0-9a-f]{64}"', json.dumps(st))  # no token values
    status, _ = c.json("POST", "/_sim/state", {"cucm1": {
        "enterprise_parameters": {"oAuthWithRefreshLoginFlow": True, "oauthTokenExpiryTimer": 15},
        "sso": {"enabled": True}, "tokens": {"newbie": ["jabber", {"client": "uds", "validity_days": 2}]},
        "users": [{"userid": "ro", "password": "p", "roles": ["axl"]}]}})
    assert status == 200
    _, st = c.json("GET", "/_sim/state?user=newbie")
    assert st["enterprise_parameters"]["oAuthWithRefreshLoginFlow"] == "T"
    assert st["enterprise_parameters"]["oauthTokenExpiryTimer"] == "15"
    assert st["user"]["token_count"] == 2 and st["sso"]["enabled"] is True
    assert c.axl("getCCMVersion", ns_version="1.0", auth=("ro", "p"))[0] == 200
    status, err = c.json("POST", "/_sim/state", {"cucm1": {"enterprise_parameters": {"oauthTokenExpiryTimer": 0}}})
    assert status == 400 and "oauthTokenExpiryTimer" in err["error"]
    assert c.json("POST", "/_sim/state", {"nope": {}})[0] == 400
    c.json("POST", "/_sim/state", {"cucm1": {"clear_tokens": True}})
    assert c.json("GET", "/_sim/state")[1]["refresh_token_count"] == 0
    c.json("POST", "/_sim/reset", {"state": True})
    assert c.json("GET", "/_sim/state")[1]["refresh_token_count"] == 104


def test_reset_keeps_state_unless_asked(c):
    c.axl("updateServiceParameter", sp("ClusterID", "Changed"))
    c.json("POST", "/_sim/faults", {"latency_ms": 5})
    c.json("POST", "/_sim/reset")
    assert c.json("GET", "/_sim/counters")[1]["requests"] == 0
    assert c.json("GET", "/_sim/faults")[1] == {}
    assert c.json("GET", "/_sim/state")[1]["enterprise_parameters"]["ClusterID"] == "Changed"


def test_faults_validation_and_system_scope(c, client_for):
    assert c.json("POST", "/_sim/faults", {"bogus": 1})[0] == 400
    assert c.json("POST", "/_sim/faults", {"http_503_rate": 2})[0] == 400
    _, f = c.json("POST", "/_sim/faults", {"http_503_writes": 5, "system": "cucm3"})
    assert f == {"http_503_writes": 5, "system": "cucm3"}
    assert c.axl("updateServiceParameter", sp("ClusterID", "A"))[0] == 200  # cucm1 unaffected
    c3 = client_for("cucm3")
    assert c3.axl("updateServiceParameter", sp("ClusterID", "A"), version="12.5")[0] == 503


def test_drop_connections(c):
    c.json("POST", "/_sim/faults", {"drop_connections": 1})
    c.request("GET", "/_sim/counters")  # control is never dropped
    conn = http.client.HTTPSConnection(c.host, c.port, context=c.ctx, timeout=5)
    conn.request("GET", "/ssosp/ws/public/singleSignOn")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        conn.getresponse()
    conn.close()
    status, _, _ = c.request("GET", "/ssosp/ws/public/singleSignOn")
    assert status == 200
    _, log = c.json("GET", "/_sim/requests")
    assert [(e["status"], e["kind"]) for e in log] == [(None, "fault"), (200, "read")]


def test_latency_does_not_block_others(c, sim):
    c.json("POST", "/_sim/faults", {"latency_ms": 400})
    results = []

    def one():
        cl = Client(sim.systems["cucm1"].url, sim.cafile)
        results.append(cl.request("GET", "/ssosp/ws/public/singleSignOn")[0])
        cl.close()

    t0 = time.monotonic()
    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - t0
    assert results == [200] * 8 and 0.4 <= took < 1.5
    t0 = time.monotonic()
    c.request("GET", "/_sim/counters")  # control API is not delayed
    assert time.monotonic() - t0 < 0.3


def test_log_is_bounded(c, sim):
    # lab sets log_max_entries: 1000; counters stay exact
    for _ in range(1005):
        c.request("GET", "/ssosp/ws/public/singleSignOn")
    _, log = c.json("GET", "/_sim/requests")
    assert len(log) == 1000
    assert c.json("GET", "/_sim/counters")[1]["requests"] == 1005


def test_drop_after_write_carries_the_write_out_then_closes_without_reply(c):
    c.json("POST", "/_sim/faults", {"drop_after_write": 1})
    assert c.axl("getServiceParameter", sp("ClusterID"))[0] == 200  # reads pass, the fault waits for a write
    conn = http.client.HTTPSConnection(c.host, c.port, context=c.ctx, timeout=5)
    body = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:ns="http://www.cisco.com/AXL/API/14.0"><soapenv:Body><ns:updateServiceParameter>%s'
            '</ns:updateServiceParameter></soapenv:Body></soapenv:Envelope>' % sp("ClusterID", "Dropped"))
    auth = "Basic " + base64.b64encode(b"axladmin:C1sco12345!").decode()
    conn.request("POST", "/axl/", body, {"Content-Type": "text/xml", "Authorization": auth,
                                         "SOAPAction": '"CUCM:DB ver=14.0 updateServiceParameter"'})
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        conn.getresponse()
    conn.close()
    _, st = c.json("GET", "/_sim/state")
    assert st["enterprise_parameters"]["ClusterID"] == "Dropped"  # carried out
    _, log = c.json("GET", "/_sim/requests")
    last = log[-1]
    assert (last["operation"], last["kind"], last["status"], last["carried_out"]) == \
        ("updateServiceParameter", "write", None, True)
    _, cnt = c.json("GET", "/_sim/counters")
    assert cnt["writes"] == 1 and cnt["write_attempts"] == 1
    assert c.json("GET", "/_sim/faults")[1]["drop_after_write"] == 0
    assert c.axl("updateServiceParameter", sp("ClusterID", "Next"))[0] == 200  # the next write is answered
    assert "carried_out" not in c.json("GET", "/_sim/requests")[1][-1]


def test_clock_runs_the_lab_faster_and_a_full_reset_comes_back_to_the_labs_scale(c):
    """POST /_sim/clock: at scale 20 a bucket of one token per 10 lab seconds refuses with Retry-After 10 (lab
    seconds) and admits again after half a real second; the log keeps wall-clock times; a reset with state comes
    back to the lab's scale (1), one without keeps it."""
    status, clock = c.json("GET", "/_sim/clock")
    assert status == 200 and clock["time_scale"] == 1 and abs(clock["now"] - time.time()) < 5
    for bad in ({"time_scale": 0}, {"time_scale": 1001}, {"time_scale": "fast"}, {"time_scale": True},
                {"scale": 2}, {"time_scale": 2, "x": 1}):
        assert c.json("POST", "/_sim/clock", bad)[0] == 400, bad
    status, clock = c.json("POST", "/_sim/clock", {"time_scale": 20})
    assert status == 200 and clock["time_scale"] == 20
    c.json("POST", "/_sim/faults", {"rate_limit": {"rps": 0.1, "burst": 1, "operations": ["getServiceParameter"]}})
    before = time.time()
    assert c.axl("getServiceParameter", sp("ClusterID"))[0] == 200
    status, resp, _ = c.axl("getServiceParameter", sp("ClusterID"))
    assert status == 503 and resp.getheader("Retry-After") == "10"
    time.sleep(0.3)
    assert c.axl("getServiceParameter", sp("ClusterID"))[0] == 503      # 6 lab seconds: not yet
    time.sleep(0.3)
    assert c.axl("getServiceParameter", sp("ClusterID"))[0] == 200      # 12 lab seconds
    log = c.json("GET", "/_sim/requests")[1]
    assert all(before - 1 < e["time"] < time.time() + 1 for e in log)   # wall clock, not lab seconds
    c.json("POST", "/_sim/reset", {})
    assert c.json("GET", "/_sim/clock")[1]["time_scale"] == 20
    c.json("POST", "/_sim/reset", {"state": True})
    assert c.json("GET", "/_sim/clock")[1]["time_scale"] == 1
