"""Cisco Tomcat through the platform CLI: collab.uc.cucm_service and the role collab.uc.rolling_restart against the
simulator's default lab (cucm1: publisher 127.0.0.1, subscriber, IM and Presence). Tomcat is restarted with
``utils service restart Cisco Tomcat`` over SSH on the node itself, and its return is read through that node's
Serviceability, which answers 503 while Tomcat is down. Every test checks the simulator's request log (both
transports), its counters (restarts per node and service, SSH logins, writes) and the services' history. The lab
runs 20 times faster than real time (ucsim's clock): restarts, the CLI's delays and the collection's pacing and
timeouts are in the lab's seconds."""

from __future__ import annotations

import time

import pytest
import yaml

TOMCAT = "Cisco Tomcat"
CCM = "Cisco CallManager"
RESTART = "utils service restart Cisco Tomcat"
STOP_TASK = "collab.uc.rolling_restart : Stop the roll at the failed batch"
CUCM_NODES = ["cucm1-sub1", "cucm1-pub"]  # the rolling order of the default lab's CUCM nodes
SIM_TIME_SCALE = 20


def play(*tasks, sim=None, ssh=True, roles=None, ssh_host=False):
    """One play on localhost; the connections through module_defaults, as a user sets them once for a play: the
    HTTPS group (publisher) and, with ``ssh``, the platform CLI group (the login; with ``ssh_host`` also the
    publisher's address, as a play that regenerates keys sets it, which the role must not follow)."""
    p = {"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}
    if sim is not None:
        env = sim.cucm_env()
        defaults = {"group/collab.uc.cucm": {
            "host": env["CUCM_HOST"], "port": int(env["CUCM_PORT"]), "username": env["CUCM_USERNAME"],
            "password": env["CUCM_PASSWORD"], "ca_path": env["CUCM_CA_PATH"], "retries": 1}}
        if ssh:
            ssh_env = sim.cucm_ssh_env()
            defaults["group/collab.uc.cucm_cli"] = {
                "ssh_port": int(ssh_env["CUCM_SSH_PORT"]), "ssh_username": ssh_env["CUCM_SSH_USERNAME"],
                "ssh_password": ssh_env["CUCM_SSH_PASSWORD"], "ssh_known_hosts": ssh_env["CUCM_SSH_KNOWN_HOSTS"]}
            if ssh_host:
                defaults["group/collab.uc.cucm_cli"]["ssh_host"] = ssh_env["CUCM_SSH_HOST"]
        p["module_defaults"] = defaults
    if roles:
        p["roles"] = roles
    return yaml.safe_dump([p], sort_keys=False)


def address(sim, node):
    return sim.node(node)["address"]


def tomcat_task(sim, node, name="tomcat", **args):
    args.setdefault("services", [TOMCAT])
    args.setdefault("state", "restarted")
    args.setdefault("wait_timeout", 60)
    task = {"name": name, "collab.uc.cucm_service": dict(node=address(sim, node), **args)}
    return task


def role(**vars_):
    return [dict({"role": "collab.uc.rolling_restart", "rolling_restart_services": [TOMCAT],
                  "rolling_restart_timeout": 60}, **vars_)]


def restarts(sim, node):
    return sim.get_counters()["nodes"][node]["service_restarts"]


def history(sim, node, service=TOMCAT):
    return sim.state("cucm1")["services"]["nodes"][node][service]["history"]


def ssh_entries(sim, node=None):
    return [e for e in sim.get_requests() if e["transport"] == "ssh" and e["operation"] != "login"
            and (node is None or e["node"] == node)]


def serviceability(sim, node):
    return [e for e in sim.get_requests() if e["transport"] != "ssh" and e["node"] == node
            and e.get("path", "").startswith("/controlcenterservice2/")]


def slow_tomcat(sim, seconds=6.0):
    """Tomcat takes ``seconds`` to restart (30 % stopping), so that polls meet it down."""
    sim.set_state({"cucm1": {"services": {"times": {TOMCAT: seconds}}}})


@pytest.mark.matrix
def test_restart_tomcat_on_one_node_through_the_cli_and_wait_through_serviceability(sim, run_playbook):
    slow_tomcat(sim)
    before = time.time()
    res = run_playbook(play(tomcat_task(sim, "cucm1-sub1"), sim=sim))
    task = res.task("tomcat")
    assert task["status"] == "changed", res.describe()
    out = task["result"]
    assert out["commands"] == [RESTART] and out["ssh_host"].startswith(address(sim, "cucm1-sub1") + ":")
    (svc,) = out["services"]
    assert (svc["action"], svc["before"], svc["status"]) == ("Restart", "Started", "Started")
    assert svc["started_at"] >= before
    # one restart, on that node only, typed on that node's CLI
    assert restarts(sim, "cucm1-sub1") == {TOMCAT: 1}
    assert restarts(sim, "cucm1-pub") == {} and restarts(sim, "cucm1-imp1") == {}
    (cli,) = ssh_entries(sim, "cucm1-sub1")[1:]  # after "set cli pagination off"
    assert (cli["operation"], cli["kind"], cli["status"]) == (RESTART, "write", "ok")
    assert not ssh_entries(sim, "cucm1-pub")
    # Serviceability: one status read, then (after the command) polls that met Tomcat down (503) until it was back
    reqs = serviceability(sim, "cucm1-sub1")
    assert reqs[0]["time"] < cli["time"] and reqs[0]["status"] == 200
    polls = [r for r in reqs if r["time"] > cli["time"]]
    assert [r["operation"] for r in reqs] == ["soapGetServiceStatus"] * len(reqs)  # never a control request
    # as Cisco's WSDL wants them: SOAPAction, every element in its namespace, one ServiceStatus per name
    assert all({k.lower(): v for k, v in r["headers"].items()}.get("soapaction") == '"soapGetServiceStatus"' and
               "<ns:ServiceStatus>Cisco Tomcat</ns:ServiceStatus></ns:soapGetServiceStatus>" in r["body"] for r in reqs)
    assert 503 in [r["status"] for r in polls] and polls[-1]["status"] == 200
    times = [r["time"] for r in reqs]
    # at most one request every 2 s of the node: in real seconds at least half of that at 20 times (room for this
    # machine's jitter; test_cucm_services checks 1.9 s at real time)
    paced = (1.9 if sim.time_scale == 1 else 1.0) / sim.time_scale
    assert all(b - a >= paced for a, b in zip(times, times[1:]))
    (h,) = history(sim, "cucm1-sub1")
    assert h["started"] is not None and h["requested"] >= before
    counters = sim.get_counters()
    assert counters["ssh_logins"] == 1 and counters["writes"] == 1


def test_restarted_after_twice_types_the_command_once(sim, run_playbook):
    task = tomcat_task(sim, "cucm1-sub1", restarted_after=str(time.time()))
    first = run_playbook(play(task, sim=sim))
    second = run_playbook(play(task, sim=sim))
    assert first.task("tomcat")["status"] == "changed", first.describe()
    assert second.task("tomcat")["status"] == "ok" and second.task("tomcat")["result"]["commands"] == []
    assert restarts(sim, "cucm1-sub1") == {TOMCAT: 1}
    assert sim.get_counters()["ssh_logins"] == 1  # the second run did not even log in


@pytest.mark.matrix
def test_check_mode_says_tomcat_would_restart_and_opens_no_ssh_session(sim, run_playbook):
    res = run_playbook(play(tomcat_task(sim, "cucm1-sub1", services=[CCM, TOMCAT]), sim=sim), check=True)
    task = res.task("tomcat")
    assert task["status"] == "changed" and task["result"]["actions"] == {CCM: "Restart", TOMCAT: "Restart"}
    counters = sim.get_counters()
    assert counters["ssh_logins"] == 0 and counters["writes"] == 0 and not ssh_entries(sim)


def test_without_ssh_options_tomcat_fails_before_anything_is_changed(sim, run_playbook):
    res = run_playbook(play(tomcat_task(sim, "cucm1-sub1", services=[CCM, TOMCAT]), sim=sim, ssh=False))
    task = res.task("tomcat")
    assert task["status"] == "failed"
    assert "Cisco Tomcat cannot be controlled through Serviceability" in task["msg"]
    assert "ssh_password (or CUCM_SSH_PASSWORD) and ssh_username (or CUCM_SSH_USERNAME)" in task["msg"]
    assert "group/collab.uc.cucm_cli" in task["msg"]
    # the role fails the same way at its first node, before anything is restarted
    rr = run_playbook(play(sim=sim, ssh=False, roles=role()))
    assert rr.failed and "ssh_username" in rr.task(STOP_TASK)["msg"]
    counters = sim.get_counters()
    assert (counters["writes"], counters["write_attempts"], counters["ssh_logins"]) == (0, 0, 0)
    assert all(restarts(sim, n) == {} for n in CUCM_NODES)


def test_a_lost_cli_answer_is_never_typed_again_the_status_decides(sim, run_playbook):
    slow_tomcat(sim, 4.0)
    # the restart is carried out, then the connection drops with no reply
    sim.faults(drop_after_write=1)
    res = run_playbook(play(tomcat_task(sim, "cucm1-sub1"), sim=sim))
    task = res.task("tomcat")
    assert task["status"] == "changed", res.describe()
    assert task["result"]["services"][0]["status"] == "Started"
    assert restarts(sim, "cucm1-sub1") == {TOMCAT: 1}
    commands = [e for e in ssh_entries(sim) if e["operation"] == RESTART]
    assert len(commands) == 1 and commands[0]["status"] is None and commands[0]["carried_out"] is True


def test_a_command_lost_before_it_ran_is_not_typed_again_and_fails_clearly(sim, run_playbook):
    # the connection drops before the CLI carries the command out: the status shows no restart
    sim.faults(ssh_drop_commands=1, ssh_fault_command=RESTART)
    res = run_playbook(play(tomcat_task(sim, "cucm1-sub1"), sim=sim))
    task = res.task("tomcat")
    assert task["status"] == "failed"
    assert "shows no sign of the restart" in task["msg"] and "not typed again" in task["msg"]
    assert restarts(sim, "cucm1-sub1") == {}
    assert [e["operation"] for e in ssh_entries(sim)].count(RESTART) == 1


def test_rolling_restart_of_tomcat_interrupted_and_run_again_restarts_each_node_once(sim, run_playbook):
    after = str(time.time())
    # the roll breaks at the publisher (its CLI refuses the login): the subscriber is done, the publisher not
    sim.faults(ssh_wrong_password=1, system="cucm1-pub")
    # ssh_host in module_defaults names the publisher: the role still types each command on its own node
    res = run_playbook(play(sim=sim, ssh_host=True, roles=role(rolling_restart_restarted_after=after)))
    assert res.failed
    msg = res.task(STOP_TASK)["msg"]
    assert "Done: %s." % address(sim, "cucm1-sub1") in msg and "Failed: %s" % address(sim, "cucm1-pub") in msg
    assert restarts(sim, "cucm1-sub1") == {TOMCAT: 1} and restarts(sim, "cucm1-pub") == {}
    sim.clear_faults()
    res = run_playbook(play(sim=sim, ssh_host=True, roles=role(rolling_restart_restarted_after=after)))
    assert not res.failed, res.describe()
    assert all(restarts(sim, n) == {TOMCAT: 1} for n in CUCM_NODES)
    # in order, each node back before the next was touched; each command on the node's own CLI
    sub, pub = (history(sim, n)[0] for n in CUCM_NODES)
    assert sub["started"] <= pub["requested"]
    assert [(e["node"], e["operation"]) for e in ssh_entries(sim) if e["operation"] == RESTART] == [
        ("cucm1-sub1", RESTART), ("cucm1-pub", RESTART)]
    res = run_playbook(play(sim=sim, roles=role(rolling_restart_restarted_after=after)))
    assert not res.failed and not res.changed
    assert all(restarts(sim, n) == {TOMCAT: 1} for n in CUCM_NODES)
    assert restarts(sim, "cucm1-imp1") == {}  # products default to the CUCM nodes
