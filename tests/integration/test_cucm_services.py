"""collab.uc.cucm_node_info, collab.uc.cucm_service and the role collab.uc.rolling_restart against a simulated
cluster of nodes. Every test checks what the simulator saw: which node got which request and when (request
log), restarts per node and service (counters), and the services' history (state: when each restart was asked
and when the service was back). The lab runs 10 times faster than real time (ucsim's clock: restarts, the rate
window and the collection's pacing and timeouts in the lab's seconds); one restart also runs at real time."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import pytest
import yaml

CCM = "Cisco CallManager"
SERVICEABILITY_NS = "http://schemas.cisco.com/ast/soap"
# three CUCM nodes and an IM and Presence node; a restart takes 1 s of the lab, a node refuses a Serviceability
# request sooner than 1 s after the last one (the collection paces 2 s): 0.1 and 0.1 real seconds at the time scale
SIM_TIME_SCALE = 10
SIM_LAB = """
cucm:
  - name: clu
    nodes:
      - {name: clu-pub, role: publisher}
      - {name: clu-sub1, role: subscriber}
      - {name: clu-sub2, role: subscriber}
      - {name: clu-imp, role: im_presence}
    services:
      restart_s: 1.0
      min_poll_interval_s: 1.0
      not_activated: {clu-sub2: [Cisco CTIManager]}
    users:
      - {userid: axladmin, password: "C1sco12345!", roles: [axl]}
"""
ORDER = ["clu-sub1", "clu-sub2", "clu-pub"]
STOP_TASK = "collab.uc.rolling_restart : Stop the roll at the failed batch"
SUMMARY_TASK = "collab.uc.rolling_restart : Summary of the roll"


def play(*tasks, env=None, roles=None):
    p = {"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}
    if env is not None:  # the connection through module_defaults, as a user sets it once for a play
        p["module_defaults"] = {"group/collab.uc.cucm": {
            "host": env["CUCM_HOST"], "port": int(env["CUCM_PORT"]), "username": env["CUCM_USERNAME"],
            "password": env["CUCM_PASSWORD"], "ca_path": env["CUCM_CA_PATH"], "retries": 1}}
    if roles:
        p["roles"] = roles
    return yaml.safe_dump([p], sort_keys=False)


def address(sim, node):
    return sim.node(node)["address"]


def restarts(sim, node):
    return sim.get_counters()["nodes"][node]["service_restarts"]


def history(sim, node, service=CCM, system="clu"):
    return sim.state(system)["services"]["nodes"][node][service]["history"]


def serviceability_requests(sim, node=None):
    return [r for r in sim.get_requests() if r["path"].startswith("/controlcenterservice2/")
            and (node is None or r["node"] == node)]


def assert_wsdl_form(reqs):
    """Each Serviceability request as Cisco's WSDL wants it: the operation's SOAPAction, and every element of the
    body (children included) in Cisco's namespace (elementFormDefault="qualified")."""
    assert reqs
    for r in reqs:
        action = [v for k, v in r["headers"].items() if k.lower() == "soapaction"]
        assert [a.strip('"') for a in action] == [r["operation"]], r
        (op,) = ET.fromstring(r["body"]).find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
        assert {e.tag.partition("}")[0] for e in op.iter()} == {"{" + SERVICEABILITY_NS}, r["body"]


def service_task(sim, node, state="restarted", name="service", **args):
    args.setdefault("services", [CCM])
    return {"name": name, "collab.uc.cucm_service": dict(node=address(sim, node), state=state, **args)}


def role(**vars_):
    return [dict({"role": "collab.uc.rolling_restart"}, **vars_)]


@pytest.mark.matrix
def test_node_info_lists_the_cluster_and_service_status_per_node(sim, run_playbook, cucm_env):
    res = run_playbook(play({"name": "nodes", "collab.uc.cucm_node_info": {"services": [CCM, "Cisco Tomcat"]}}),
                       env=cucm_env)
    nodes = res.task("nodes")["result"]["nodes"]
    assert [n["description"] for n in nodes] == ["clu-pub", "clu-sub1", "clu-sub2", "clu-imp"]
    assert [n["name"] for n in nodes] == [address(sim, n["description"]) for n in nodes]
    assert [(n["publisher"], n["product"]) for n in nodes] == [
        (True, "cucm"), (False, "cucm"), (False, "cucm"), (False, "im_presence")]
    assert [s["status"] for n in nodes for s in n["services"]] == ["Started", "Started"] * 3 + ["Unknown", "Started"]
    assert nodes[3]["services"][0]["deployable"] is False
    assert [s["name"] for s in nodes[3]["services"]] == [CCM, "Cisco Tomcat"]
    assert res.task("nodes")["result"]["rolling_order"] == [
        address(sim, n) for n in ("clu-sub1", "clu-sub2", "clu-imp", "clu-pub")]
    assert res.task("nodes")["result"]["changes"] == [] and res.task("nodes")["result"]["host"] == cucm_env["CUCM_HOST"]
    log = sim.get_requests()
    assert [r["node"] for r in log if r["operation"] == "listProcessNode"] == ["clu-pub"]  # AXL on the publisher
    # Serviceability to each node itself, once each
    assert sorted(r["node"] for r in serviceability_requests(sim)) == sorted(["clu-pub", "clu-sub1", "clu-sub2",
                                                                              "clu-imp"])
    assert_wsdl_form(serviceability_requests(sim))
    # one ServiceStatus per name (the simulator refuses the old nested <item> form)
    assert all("<ns:ServiceStatus>Cisco CallManager</ns:ServiceStatus><ns:ServiceStatus>Cisco Tomcat"
               "</ns:ServiceStatus>" in r["body"] for r in serviceability_requests(sim))


@pytest.mark.parametrize("scale", [1, SIM_TIME_SCALE])
def test_restart_one_service_on_one_node_and_wait(sim, run_playbook, cucm_env, scale):
    """At real time (a real restart of 1 s, a node refusing requests sooner than 1.9 s apart, the collection's 2 s
    pacing in real seconds) and at the module's time scale (all of them in the lab's seconds)."""
    sim.request("POST", "/_sim/clock", {"time_scale": scale})
    if scale == 1:
        sim.set_state({"clu": {"services": {"min_poll_interval_s": 1.9}}})
    # one second of the node in real seconds; at a faster scale the intervals keep half the pacing as margin for
    # this machine's jitter (at real time 1.9 s of the 2 s)
    second, paced = 1.0 / scale, (1.9 if scale == 1 else 1.0)
    before = time.time()
    res = run_playbook(play(service_task(sim, "clu-sub1")), env=dict(cucm_env, COLLAB_UC_TIME_SCALE=str(scale)))
    task = res.task("service")["result"]
    assert task["changed"] and task["services"][0]["action"] == "Restart" and task["services"][0]["status"] == "Started"
    assert task["changes"] == [{"name": CCM, "action": "restarted", "before": "Started", "after": "Started"}]
    assert task["host"] == task["node"] == address(sim, "clu-sub1")  # node: the deprecated name of host
    assert task["services"][0]["started_at"] >= before
    assert restarts(sim, "clu-sub1") == {CCM: 1}
    assert all(restarts(sim, n) == {} for n in ("clu-pub", "clu-sub2", "clu-imp"))
    (h,) = history(sim, "clu-sub1")
    assert h["started"] is not None and h["started"] <= time.time()   # waited until it was back
    reqs = serviceability_requests(sim, "clu-sub1")
    assert [r["operation"] for r in reqs][:2] == ["soapGetServiceStatus", "soapDoControlServices"]
    assert all(r["status"] == 200 for r in reqs)    # never refused for the rate (lab: one per 1.9 s, or 1 s)
    # the control request at once after the read it was decided on; then at most one poll every 2 s per node
    assert reqs[1]["time"] - reqs[0]["time"] < paced * second <= reqs[2]["time"] - reqs[1]["time"]
    times = [r["time"] for r in reqs if r["operation"] == "soapGetServiceStatus"]
    assert len(times) >= 2 and all(b - a >= paced * second for a, b in zip(times, times[1:]))
    assert f'<ns:NodeName>{address(sim, "clu-sub1")}</ns:NodeName>' in reqs[1]["body"]
    assert_wsdl_form(reqs)


def test_restarted_after_twice_restarts_once(sim, run_playbook, cucm_env):
    task = service_task(sim, "clu-sub2", restarted_after=str(time.time()))
    first = run_playbook(play(task), env=cucm_env)
    second = run_playbook(play(task), env=cucm_env)
    assert first.task("service")["changed"] is True
    assert first.task("service")["result"]["changes"] == [
        {"name": CCM, "action": "restarted", "before": "Started", "after": "Started"}]
    assert second.task("service")["changed"] is False and second.task("service")["result"]["changes"] == []
    assert second.task("service")["result"]["actions"] == {CCM: None}  # the deprecated key, until 2.0.0
    assert restarts(sim, "clu-sub2") == {CCM: 1}


def test_started_on_a_started_service_is_ok_and_stopped_then_started(sim, run_playbook, cucm_env):
    res = run_playbook(play(service_task(sim, "clu-sub1", state="started")), env=cucm_env)
    assert res.task("service")["changed"] is False
    res = run_playbook(play(service_task(sim, "clu-sub1", state="stopped", name="stop"),
                            service_task(sim, "clu-sub1", state="stopped", name="stop again"),
                            service_task(sim, "clu-sub1", state="started", name="start")), env=cucm_env, diff=True)
    assert res.task("stop")["changed"] and res.task("stop")["result"]["services"][0]["status"] == "Stopped"
    assert res.task("stop")["diff"] == {"before": {CCM: "Started"}, "after": {CCM: "Stopped"}}
    assert res.task("stop")["result"]["changes"] == [
        {"name": CCM, "action": "stopped", "before": "Started", "after": "Stopped"}]
    assert res.task("stop again")["changed"] is False and res.task("stop again")["result"]["changes"] == []
    assert res.task("start")["changed"] and res.task("start")["result"]["services"][0]["status"] == "Started"
    assert [(c["name"], c["action"]) for c in res.task("start")["result"]["changes"]] == [(CCM, "started")]
    counters = sim.get_counters()["nodes"]["clu-sub1"]
    assert counters["service_stops"] == {CCM: 1} and counters["service_starts"] == {CCM: 1}


@pytest.mark.matrix
def test_check_mode_restarts_nothing(sim, run_playbook, cucm_env):
    res = run_playbook(play(service_task(sim, "clu-sub1"), env=cucm_env), check=True)
    assert res.task("service")["changed"] is True and res.task("service")["result"]["changes"] == [
        {"name": CCM, "action": "restarted", "before": "Started", "after": "Started"}]
    rr = run_playbook(play(env=cucm_env, roles=role()), check=True)
    assert not rr.failed
    assert all(restarts(sim, n) == {} for n in ORDER)
    assert not [r for r in sim.get_requests() if r["operation"] == "soapDoControlServices"]


def test_service_not_activated_and_tomcat_fail_before_anything_changes(sim, run_playbook, cucm_env):
    res = run_playbook(play(service_task(sim, "clu-sub2", services=[CCM, "Cisco CTIManager"])), env=cucm_env)
    assert res.failed and "Cisco CTIManager is not activated" in res.task("service")["msg"]
    res = run_playbook(play(service_task(sim, "clu-sub1", services=["Cisco Tomcat"])), env=cucm_env)
    assert res.failed and "platform CLI" in res.task("service")["msg"]
    res = run_playbook(play(service_task(sim, "clu-imp", services=["Cisco Nope"])), env=cucm_env)
    msg = res.task("service")["msg"]
    assert res.failed and "Cisco Nope is unknown on this node" in msg
    # with what the node can run, as its soapGetStaticServiceList says
    assert "This node can run: Cisco Presence Engine, Cisco SIP Proxy, Cisco Tomcat" in msg
    assert [r["operation"] for r in serviceability_requests(sim, "clu-imp")][-1] == "soapGetStaticServiceList"
    assert not [r for r in sim.get_requests() if r["operation"] == "soapDoControlServices"]
    assert_wsdl_form(serviceability_requests(sim))


@pytest.mark.matrix
def test_rolling_restart_three_nodes_one_at_a_time_in_order(sim, run_playbook, cucm_env):
    res = run_playbook(play(env=cucm_env, roles=role()))
    assert not res.failed, res.describe()
    spans = [history(sim, n) for n in ORDER]
    assert all(len(h) == 1 for h in spans)
    # subscribers first, the publisher last; never two nodes down at once (batch of one)
    asked = [h[0]["requested"] for h in spans]
    assert asked == sorted(asked)
    for earlier, later in zip(spans, spans[1:]):
        assert earlier[0]["started"] <= later[0]["requested"]
    # the request log says the same: each node's restart after the previous node reported Started
    # (a request refused for the rate and sent again is not a restart: count those carried out)
    controls = [r for r in sim.get_requests() if r["operation"] == "soapDoControlServices" and r["status"] == 200]
    assert [r["node"] for r in controls] == ORDER
    assert all(restarts(sim, n) == {CCM: 1} for n in ORDER)
    # progress as it goes: each batch and its node on stdout, in order, then a summary of what was restarted
    out = res.stdout
    marks = [out.index("TASK [collab.uc.rolling_restart : Start batch %d of 3: %s]" % (i, address(sim, n)))
             for i, n in enumerate(ORDER, 1)]
    assert marks == sorted(marks), out
    summary = res.task(SUMMARY_TASK)["result"]["msg"]
    assert summary[0].startswith("Rolling restart of %s over 3 node(s) in 3 batch(es)" % CCM), summary
    assert summary[1:] == ["batch %d, %s: restarted %s" % (i, address(sim, n), CCM) for i, n in enumerate(ORDER, 1)]
    assert out.index("Rolling restart of %s over 3 node(s)" % CCM) > marks[-1]


def test_rolling_restart_in_batches_of_two(sim, run_playbook, cucm_env):
    # restarts of 8 real seconds, so that the two jobs of a batch overlap however slowly this machine starts them
    sim.set_state({"clu": {"services": {"restart_s": 8.0 * sim.time_scale}}})
    res = run_playbook(play(env=cucm_env, roles=role(rolling_restart_batch_size=2)))
    assert not res.failed, res.describe()
    (s1,), (s2,), (pub,) = (history(sim, n) for n in ORDER)
    assert s1["requested"] < s2["started"] and s2["requested"] < s1["started"]   # together
    assert pub["requested"] >= max(s1["started"], s2["started"])                 # after both were back


def test_rolling_restart_batch_as_large_as_the_cluster_is_refused(sim, run_playbook, cucm_env):
    res = run_playbook(play(env=cucm_env, roles=role(rolling_restart_batch_size=3)))
    assert res.failed and "a batch must leave at least one of them running" in res.output
    assert all(restarts(sim, n) == {} for n in ORDER)


def test_a_service_that_never_returns_stops_the_roll_before_the_next_node(sim, run_playbook, cucm_env):
    sim.faults(service_never_returns=1, system="clu-sub2")
    res = run_playbook(play(env=cucm_env, roles=role(rolling_restart_timeout=8)))
    assert res.failed
    msg = res.task(STOP_TASK)["msg"]
    assert "did not reach Started within 8 s" in msg
    assert "Failed: %s" % address(sim, "clu-sub2") in msg
    assert "Done: %s." % address(sim, "clu-sub1") in msg
    assert "Not done: %s, %s." % (address(sim, "clu-sub2"), address(sim, "clu-pub")) in msg
    assert restarts(sim, "clu-sub1") == {CCM: 1} and restarts(sim, "clu-sub2") == {CCM: 1}
    assert restarts(sim, "clu-pub") == {}          # the publisher was never touched


def test_max_fail_percentage_never_lets_a_second_node_go_down(sim, run_playbook, cucm_env):
    """Issue 17 item 7: with max_fail_percentage 50 the roll went on past clu-sub1, whose Cisco CallManager never
    came back, restarted clu-sub2 while clu-sub1 was still down, and ended ok. Now the failed batch stops the roll,
    the play fails, and no other node is touched."""
    sim.faults(service_never_returns=1, system="clu-sub1")
    res = run_playbook(play(env=cucm_env, roles=role(rolling_restart_timeout=6,
                                                     rolling_restart_max_fail_percentage=50)))
    assert res.rc != 0 and res.stats["localhost"]["failures"] == 1, res.describe()
    msg = res.task(STOP_TASK)["msg"]
    assert "Failed: %s" % address(sim, "clu-sub1") in msg and "Done: none." in msg
    assert "whatever rolling_restart_max_fail_percentage says" in msg
    assert restarts(sim, "clu-sub1") == {CCM: 1}
    assert restarts(sim, "clu-sub2") == {} and restarts(sim, "clu-pub") == {}   # never two nodes down at once
    controls = [r["node"] for r in sim.get_requests() if r["operation"] == "soapDoControlServices"]
    assert set(controls) == {"clu-sub1"}


@pytest.mark.parametrize("value", [101, -1])
def test_max_fail_percentage_out_of_range_is_refused_before_any_request(sim, run_playbook, cucm_env, value):
    res = run_playbook(play(env=cucm_env, roles=role(rolling_restart_max_fail_percentage=value)))
    assert res.failed
    msg = res.task("collab.uc.rolling_restart : Check the role's variables before the first request")["msg"]
    assert "rolling_restart_max_fail_percentage is %s, it must be a whole number from 0 to 100" % value in msg
    assert "batch" not in msg.replace("rolling_restart_max_fail_percentage", "")
    assert sim.get_requests() == []


@pytest.mark.sim_lab(None, time_scale=SIM_TIME_SCALE)  # the shipped default lab: cucm1's pub and sub run CallManager
def test_interrupted_roll_run_again_restarts_each_node_exactly_once(sim, run_playbook, cucm_env):
    after = str(time.time())
    # the roll breaks after the first node: the publisher's Serviceability answers 503 (AXL still works)
    sim.faults(serviceability_503=20, system="cucm1-pub")
    res = run_playbook(play(env=cucm_env, roles=role(rolling_restart_restarted_after=after)))
    assert res.failed and "Done: %s." % address(sim, "cucm1-sub1") in res.output
    assert restarts(sim, "cucm1-sub1") == {CCM: 1} and restarts(sim, "cucm1-pub") == {}
    sim.clear_faults()
    res = run_playbook(play(env=cucm_env, roles=role(rolling_restart_restarted_after=after)))
    assert not res.failed, res.describe()
    assert restarts(sim, "cucm1-sub1") == {CCM: 1} and restarts(sim, "cucm1-pub") == {CCM: 1}
    res = run_playbook(play(env=cucm_env, roles=role(rolling_restart_restarted_after=after)))
    assert not res.failed and not res.changed
    assert restarts(sim, "cucm1-sub1") == {CCM: 1} and restarts(sim, "cucm1-pub") == {CCM: 1}
    # the summary says why nothing was restarted
    summary = res.task(SUMMARY_TASK)["result"]["msg"]
    assert "batch 1, %s: skipped %s (already restarted after %s)" % (address(sim, "cucm1-sub1"), CCM, after) \
        in summary, summary
