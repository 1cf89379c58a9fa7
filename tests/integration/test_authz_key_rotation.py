"""The role collab.uc.authz_key_rotation and the playbook collab.uc.authz_key_rotate against the simulator's default
lab (cucm1: a publisher, a subscriber and an IM and Presence node; Unity Connection cuc1 with two AuthZ servers
pointing at cucm1): a full rotation, a run killed right after the regeneration and one killed in the middle of
the restarts (each run again), check mode, and a second run after a completed rotation. Every test checks what
the simulator saw: key regenerations (state), restarts per node and service (counters, history), syncs (request
log), and the reports. The lab runs 20 times faster than real time (ucsim's clock: restarts, the CLI's delays, the
collection's pacing and timeouts in the lab's seconds; every time it reports stays on the wall clock)."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import helpers

PLAYBOOK = "- ansible.builtin.import_playbook: collab.uc.authz_key_rotate\n"
ROLE = "collab.uc.authz_key_rotation : "
PLAN_TASK = ROLE + "Show the plan"
REGEN_TASK = ROLE + "Regenerate the AuthZ keys on the publisher, only while they are the ones read before"
SYNC_TASK = ROLE + "Sync the AuthZ keys of the servers that point at the rotated clusters"
CCM = "Cisco CallManager"
XCP = "Cisco XCP Authentication Service"
TOMCAT = "Cisco Tomcat"
# the role's default: what Cisco's documents name (Cisco Tomcat restarted through each node's platform CLI)
SERVICES = {"cucm": [CCM, TOMCAT], "im_presence": [XCP]}
NODES = {"cucm1-sub1": "cucm", "cucm1-imp1": "im_presence", "cucm1-pub": "cucm"}
ROLLING = ["cucm1-sub1", "cucm1-pub", "cucm1-imp1"]  # the CUCM roll (subscribers first), then IM and Presence
SERVERS = ("cucm1", "cucm1 by address")


OLD_SYNC = "Passed - Nov 30,2026 07:00:53 AM GMT"
SIM_TIME_SCALE = 20


def prepare(sim):
    """Two AuthZ servers of cuc1 pointing at cucm1 (by a host name of its publisher and by its address), last
    synced before the rotation; then the counters and the log start from zero."""
    port = sim.system("cucm1")["port"]
    servers = [{"DisplayName": SERVERS[0], "ServerNodeAddress": "cucm1.lab.local", "Port": port,
                "ServerUsername": "axladmin", "ServerPassword": "C1sco12345!"},
               {"DisplayName": SERVERS[1], "ServerNodeAddress": sim.node("cucm1-pub")["address"], "Port": port,
                "ServerUsername": "axladmin", "ServerPassword": "C1sco12345!"}]
    sim.set_state({"cuc1": {"authz_servers": servers}})
    sim.set_state({"cuc1": {"authz_server_status": dict.fromkeys(SERVERS, OLD_SYNC)}})
    sim.reset(state=False)


def inventory(sim, state_dir: Path, services=None, **cluster_vars) -> str:
    """INI inventory in the documented layout: cucm1 in cucm_clusters, cuc1 in cuc_systems serving it, the
    connections as inventory variables (the playbook turns them into module_defaults)."""
    pub = sim.node("cucm1-pub")
    cluster = {"ansible_host": pub["address"], "cucm_port": sim.system("cucm1")["port"], "cucm_username": "axladmin",
               "cucm_password": "C1sco12345!", "cucm_ca_path": sim.ca, "cucm_ssh_port": pub["ports"]["ssh"],
               "cucm_ssh_username": "osadmin", "cucm_ssh_password": "Pl4tform-Adm1n!",
               "cucm_ssh_known_hosts": str(sim.known_hosts), "oauth_refresh_login_authz_password": "C1sco12345!",
               "authz_key_rotation_cluster_addresses": ["cucm1.lab.local"]}
    cluster.update(cluster_vars)
    cuc = sim.system("cuc1")
    connection = {"ansible_host": cuc["address"], "cuc_port": cuc["port"], "cuc_username": "cucadmin",
                  "cuc_password": "C1sco12345!", "cuc_ca_path": sim.ca, "oauth_refresh_login_serves": ["cucm1"]}

    def line(name, values):
        return " ".join([name] + [shlex.quote("%s=%s" % (k, v if isinstance(v, str) else json.dumps(v)))
                                  for k, v in values.items()])

    return "\n".join([  # the services: the role's default unless given
        "[all:vars]", "ansible_connection=local", "ansible_python_interpreter=%s" % sys.executable,
        "authz_key_rotation_state_dir=%s" % state_dir]
        + ([] if services is None else ["authz_key_rotation_services=%s" % json.dumps(services)]) + [
        "", "[cucm_clusters]", line("cucm1", cluster), "", "[cuc_systems]", line("cuc1", connection), ""])


# -- what the simulator saw -------------------------------------------------------------------------------------
def regenerations(sim):
    return sim.state("cucm1")["platform"]["authz_key_regenerations"]


def regenerated_at(sim):
    """The time of the last regeneration (the later of the two keys), the simulator's clock."""
    return max(sim.state("cucm1")["platform"]["authz_keys_regenerated_at"].values())


def restart_counts(sim):
    """{node: {service: restarts}} for every node of cucm1."""
    nodes = sim.get_counters()["nodes"]
    return {node: dict(nodes.get(node, {}).get("service_restarts", {})) for node in NODES}


def history(sim, node, service):
    return sim.state("cucm1")["services"]["nodes"][node][service]["history"]


def sync_requests(sim):
    return [r for r in sim.get_requests("cuc1") if r.get("method") == "PUT"
            and r.get("path", "").startswith("/vmrest/authz/sync/") and r["kind"] == "write"]


def wanted(node):
    return SERVICES[NODES[node]]


def report(state_dir: Path, suffix=""):
    [path] = sorted(state_dir.glob("cucm1-*%s.json" % suffix))
    if not suffix:
        assert ".plan." not in path.name
    return json.loads(path.read_text()), path.with_suffix(".md").read_text()


def record(state_dir: Path):
    path = state_dir / "cucm1.state.json"
    return json.loads(path.read_text()) if path.exists() else None


def assert_rotated_once(sim, state_dir: Path):
    """One regeneration of each key; each node's chosen services restarted exactly once after it, one node at a
    time in rolling order (the CUCM nodes, subscribers first, then the IM and Presence node), nothing else
    restarted; both AuthZ servers synced after the restarts and holding the new keys; the report complete."""
    assert regenerations(sim) == {"signing": 1, "encryption": 1}
    regen = regenerated_at(sim)
    counts = restart_counts(sim)
    assert counts == {node: dict.fromkeys(wanted(node), 1) for node in NODES}, counts
    spans = []   # per node: from the first restart asked to the last service back
    for node in ROLLING:
        entries = [history(sim, node, service) for service in wanted(node)]
        assert all(len(e) == 1 for e in entries), (node, entries)
        assert all(e[0]["requested"] > regen and e[0]["started"] is not None for e in entries), (node, entries, regen)
        spans.append((min(e[0]["requested"] for e in entries), max(e[0]["started"] for e in entries)))
    for previous, current in zip(spans, spans[1:]):
        assert current[0] >= previous[1], "a node was restarted before the previous one was back: %s" % spans
    servers = sim.state("cuc1")["authz_servers"]
    assert sorted(s["DisplayName"] for s in servers) == sorted(SERVERS)
    assert all(s["keys_current"] is True for s in servers), servers
    assert all(s["LastSyncStatus"] != OLD_SYNC for s in servers)
    last_back = spans[-1][1]
    data, markdown = report(state_dir)
    assert data["status"] == "complete" and data["mode"] == "apply" and not data["problems"], data
    assert data["cluster"] == "cucm1" and data["publisher"] == sim.node("cucm1-pub")["address"]
    assert [k["key"] for k in data["regeneration"]] == ["signing", "encryption"]
    assert all(k["checksum_after"] == sim.state("cucm1")["authz_keys"][k["key"]] != k["checksum_before"]
               for k in data["regeneration"]), data["regeneration"]
    addresses = {sim.node(n)["address"]: n for n in NODES}
    assert [(addresses[x["node"]], x["service"]) for x in data["restarts"]] == \
        [(n, service) for n in ROLLING for service in wanted(n)], data["restarts"]
    assert all(x["action"].endswith("restarted") or x["action"].startswith("already restarted")
               for x in data["restarts"]), data["restarts"]
    assert sorted(x["authz_server"] for x in data["syncs"]) == sorted(SERVERS)
    assert all("synced" in x["action"] and x["last_sync_status"].startswith("Passed") for x in data["syncs"])
    left = " ".join(data["left_for_user"])
    assert "Refresh servers" in left and "Jabber" in left, left
    assert "**complete**" in markdown and "Refresh servers" in markdown
    for row in data["restarts"] + data["syncs"]:
        assert (row.get("node") or row["authz_server"]) in markdown
    return data, last_back


def start_playbook(tmp_path: Path, inv: str, sim, log: Path = None) -> subprocess.Popen:
    """ansible-playbook in the background, in its own session (so that it can be killed with its workers); its
    output in a pipe, or in the file ``log`` (for a run that is not read until it ends); at the time scale of
    ``sim``."""
    work = tmp_path / "bg"
    work.mkdir(parents=True, exist_ok=True)
    (work / "playbook.yml").write_text(PLAYBOOK)
    (work / "inventory.ini").write_text(inv)
    (work / "ansible.cfg").write_text("# empty on purpose\n")
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("CUCM_", "CUC_", "ANSIBLE_")))
    env.update({"ANSIBLE_CONFIG": str(work / "ansible.cfg"), "ANSIBLE_COLLECTIONS_PATH": str(helpers.collections_path()),
                "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "False", "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_LOCAL_TEMP": str(work / "tmp"), "ANSIBLE_HOME": str(work / "home")}, **sim.time_env())
    cmd = helpers.ansible_playbook_command() + ["-i", str(work / "inventory.ini"), str(work / "playbook.yml")]
    out = subprocess.PIPE if log is None else open(log, "w")
    try:
        return subprocess.Popen(cmd, cwd=str(work), env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)
    finally:
        if log is not None:
            out.close()


def kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL ansible-playbook and its workers (helpers.kill_tree), and reap it."""
    helpers.kill_tree(proc)
    proc.wait(timeout=30)
    proc.stdout.close()


def kill_when(proc: subprocess.Popen, seen, what: str, timeout: float = 300.0) -> None:
    """Poll the simulator until ``seen()`` holds, then SIGKILL the playbook."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if seen():
            kill_tree(proc)
            assert proc.returncode == -signal.SIGKILL, proc.returncode
            return
        if proc.poll() is not None:
            raise AssertionError("ansible-playbook ended before %s:\n%s" % (what, proc.stdout.read()))
        time.sleep(0.05)
    kill_tree(proc)
    raise AssertionError("the simulator did not see %s within %ss" % (what, timeout))


def regen_seen(sim, key):
    def seen():
        return any(r.get("transport") == "ssh" and r["operation"] == "set key regen authz %s" % key
                   and r["kind"] == "write" for r in sim.get_requests("cucm1"))
    return seen


# -- tests ------------------------------------------------------------------------------------------------------
@pytest.mark.matrix
def test_full_rotation_then_a_second_run_does_nothing_and_a_new_id_rotates_again(sim, run_playbook, tmp_path):
    prepare(sim)
    state_dir = tmp_path / "state"
    inv = inventory(sim, state_dir)
    res = run_playbook(PLAYBOOK, inventory=inv)
    assert res.rc == 0, res.describe()
    assert res.task(REGEN_TASK, "cucm1")["changed"]
    plan = res.task(PLAN_TASK)["result"]["msg"]
    assert plan[0] == "Plan (applying now):" and len(plan) == 7, plan
    last_back = assert_rotated_once(sim, state_dir)[1]
    syncs = sync_requests(sim)
    assert len(syncs) == 2 and all(r["time"] > last_back for r in syncs), (syncs, last_back)
    done = record(state_dir)
    assert done["completed_at"] and done["cluster"] == {"host": "cucm1", "publisher": sim.node("cucm1-pub")["address"]}
    report_files = sorted(p.name for p in state_dir.iterdir())
    assert report_files == ["cucm1-%s.json" % done["id"], "cucm1-%s.md" % done["id"], "cucm1.state.json"]
    # progress (each batch of each roll as it starts) and a summary: per key, node and service, and per sync
    assert "Batch 1 of " in res.stdout
    summary = res.task("collab.uc.authz_key_rotation : Summary of the rotation", "cucm1")["result"]["msg"]
    assert summary[0] == "Rotation %s of cucm1 (apply): complete" % done["id"], summary
    pub = sim.node("cucm1-pub")["address"]
    assert "%s: signing key regenerated" % pub in summary and "%s: encryption key regenerated" % pub in summary
    assert any(line.startswith("%s: Cisco CallManager restarted (Started, started " % pub) for line in summary)
    assert sum(": AuthZ server " in line and line.endswith(" synced") for line in summary) == 2, summary

    # a second run: reads only, changes nothing, says why and how to rotate again
    sim.reset(state=False)
    again = run_playbook(PLAYBOOK, inventory=inv)
    assert again.rc == 0, again.describe()
    assert not again.changed, [r["task"] for r in again.results if r.get("changed")]
    counters = sim.get_counters()
    assert counters["writes"] == 0 and not counters["service_restarts"], counters
    assert not [r for r in sim.get_requests() if r.get("transport") == "ssh" and "regen" in r["operation"]]
    assert any("nothing to do (a new authz_key_rotation_id starts the next rotation)" in line
               for line in again.task(PLAN_TASK)["result"]["msg"])
    assert record(state_dir) == done
    assert sorted(p.name for p in state_dir.iterdir()) == report_files

    # the next rotation: a new id
    sim.reset(state=False)
    nxt = run_playbook(PLAYBOOK, inventory=inv, extravars={"authz_key_rotation_id": "2027-q1"})
    assert nxt.rc == 0, nxt.describe()
    assert regenerations(sim) == {"signing": 2, "encryption": 2}
    assert restart_counts(sim) == {node: dict.fromkeys(wanted(node), 1) for node in NODES}
    assert len(sync_requests(sim)) == 2
    assert record(state_dir)["id"] == "2027-q1" and record(state_dir)["completed_at"]
    assert json.loads((state_dir / "cucm1-2027-q1.json").read_text())["status"] == "complete"


@pytest.mark.parametrize("key", ["encryption", "signing"])
def test_killed_right_after_the_regeneration_and_run_again(sim, run_playbook, tmp_path, key):
    """SIGKILL as soon as the simulator carried out the regeneration of `key` (encryption: the last one, before
    the role recorded it; signing: between the two keys). Every command of the platform CLI is slowed down so that
    the kill lands before the next step (half a real second: the test's own polling is real time)."""
    prepare(sim)
    sim.set_state({"cucm1": {"platform": {"command_delay_s": 0.5 * sim.time_scale}}})
    state_dir = tmp_path / "state"
    inv = inventory(sim, state_dir)
    proc = start_playbook(tmp_path, inv, sim)
    kill_when(proc, regen_seen(sim, key), "the regeneration of the %s key" % key)
    killed = record(state_dir)
    assert killed["regeneration_requested_at"] and killed["regenerated_at"] is None, killed
    stale = json.loads((state_dir / "cucm1.state.json.lock").read_text())   # the killed run's lock, left behind
    assert stale["pid"] == proc.pid, stale
    assert regenerations(sim) == {"signing": 1, "encryption": 1 if key == "encryption" else 0}
    assert not any(restart_counts(sim).values()) and not sync_requests(sim)

    res = run_playbook(PLAYBOOK, inventory=inv)
    assert res.rc == 0, res.describe()
    regen = res.task(REGEN_TASK, "cucm1")["result"]
    assert regen["regenerated"] == ([] if key == "encryption" else ["encryption"]), regen
    took_over = res.task(ROLE + "Lock the cluster's state for this run", "cucm1")["result"]["took_over"]
    assert "a run that is gone (PID %d on " % proc.pid in took_over, took_over
    assert not list(state_dir.glob("*.lock*")), list(state_dir.iterdir())
    data = assert_rotated_once(sim, state_dir)[0]
    assert len(sync_requests(sim)) == 2
    actions = dict((k["key"], k["action"]) for k in data["regeneration"])
    assert actions == {"signing": "already regenerated",
                       "encryption": "already regenerated" if key == "encryption" else "regenerated"}, actions
    assert data["started_at"] < data["this_run_started_at"]


def test_killed_in_the_middle_of_the_restarts_and_run_again(sim, run_playbook, tmp_path):
    """SIGKILL once the first node (the subscriber) is back from its restart, before the publisher's; run again:
    the subscriber is not restarted again, the others once, and the report says what the first run did."""
    prepare(sim)
    state_dir = tmp_path / "state"
    inv = inventory(sim, state_dir)
    proc = start_playbook(tmp_path, inv, sim)

    def first_node_back():
        entries = [history(sim, "cucm1-sub1", service) for service in wanted("cucm1-sub1")]
        return all(e and e[-1]["started"] is not None for e in entries)

    kill_when(proc, first_node_back, "the subscriber back from its restart")
    time.sleep(3)  # a job already started in the background would restart the publisher now
    assert restart_counts(sim)["cucm1-pub"] == {}, restart_counts(sim)
    assert record(state_dir)["regenerated_at"] and record(state_dir)["restarts_done_at"] is None

    res = run_playbook(PLAYBOOK, inventory=inv)
    assert res.rc == 0, res.describe()
    assert regenerations(sim) == {"signing": 1, "encryption": 1}
    data = assert_rotated_once(sim, state_dir)[0]
    addresses = {sim.node(n)["address"]: n for n in NODES}
    actions = dict((addresses[x["node"]], x["action"]) for x in data["restarts"])
    assert actions == {"cucm1-sub1": "already restarted (before this run)", "cucm1-pub": "restarted",
                       "cucm1-imp1": "restarted"}, actions


@pytest.mark.matrix
def test_check_mode_plans_and_changes_nothing(sim, run_playbook, tmp_path):
    prepare(sim)
    state_dir = tmp_path / "state"
    res = run_playbook(PLAYBOOK, inventory=inventory(sim, state_dir), check=True)
    assert res.rc == 0, res.describe()
    counters = sim.get_counters()
    assert counters["writes"] == 0 and not counters["service_restarts"], counters
    assert regenerations(sim) == {"signing": 0, "encryption": 0}
    assert not sync_requests(sim)
    assert all(s["LastSyncStatus"] == OLD_SYNC for s in sim.state("cuc1")["authz_servers"])
    assert record(state_dir) is None
    plan = res.task(PLAN_TASK)["result"]["msg"]
    assert plan[0] == "Plan (check mode: nothing is changed):", plan
    data, markdown = report(state_dir, ".plan")
    assert data["mode"] == "check" and data["status"] == "planned", data
    assert [k["action"] for k in data["regeneration"]] == ["would regenerate"] * 2
    assert [x["action"] for x in data["restarts"]] == ["would restart"] * sum(len(wanted(n)) for n in NODES)
    assert [x["action"] for x in data["syncs"]] == ["would sync"] * 2
    assert "(plan, check mode)" in markdown and "would restart" in markdown


HOSTILE = "E\\|<img src=x onerror=alert(1)>[x](//e.example)`"
HOSTILE_MD = "E\\\\\\|&lt;img src=x onerror=alert(1)&gt;\\[x\\](//e.example)\\`"


def test_hostile_names_from_connection_stay_plain_text_in_the_markdown_report(sim, run_playbook, tmp_path):
    """Issue 17 item 4: the rotation's Markdown report escapes what systems hold (collab.uc.md_text, the rule of
    the audit's report and gitops_summary): an AuthZ server name and its sync status stay one plain cell."""
    prepare(sim)
    port = sim.system("cucm1")["port"]
    hostile = [{"DisplayName": HOSTILE, "ServerNodeAddress": "cucm1.lab.local", "Port": port,
                "ServerUsername": "axladmin", "ServerPassword": "C1sco12345!"}]
    sim.set_state({"cuc1": {"authz_servers": hostile}})   # a third AuthZ server beside prepare()'s two
    sim.set_state({"cuc1": {"authz_server_status": {HOSTILE: "Passed - " + HOSTILE}}})
    sim.reset(state=False)
    state_dir = tmp_path / "state"
    res = run_playbook(PLAYBOOK, inventory=inventory(sim, state_dir), check=True)
    assert res.rc == 0, res.describe()
    data, markdown = report(state_dir, ".plan")
    assert HOSTILE in [x["authz_server"] for x in data["syncs"]], data["syncs"]
    [row] = [line for line in markdown.splitlines() if HOSTILE_MD in line]
    assert "<img" not in markdown and "](" not in markdown.replace("\\](", ""), markdown
    # GitHub's table rule: a pipe not preceded by a backslash ends a cell; the row keeps its 4 cells
    cells = re.split(r"(?<!\\)\|", row.strip())[1:-1]
    assert len(cells) == 4 and cells[1].strip() == HOSTILE_MD, cells


def test_a_record_of_another_cluster_is_refused_before_anything(sim, run_playbook, tmp_path):
    prepare(sim)
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    other = {"format": 1, "id": "x", "cluster": {"host": "cucm1", "publisher": "10.9.9.9"}, "completed_at": None}
    (state_dir / "cucm1.state.json").write_text(json.dumps(other))
    res = run_playbook(PLAYBOOK, inventory=inventory(sim, state_dir))
    assert res.rc != 0
    [failed] = [r for r in res.results if r["failed"]]
    assert failed["task"] == ROLE + "Stop before any change if a system is not ready", res.describe()
    assert "belongs to another cluster (cucm1, publisher 10.9.9.9" in failed["msg"], failed["msg"]
    assert sim.get_counters()["writes"] == 0 and regenerations(sim) == {"signing": 0, "encryption": 0}
    assert json.loads((state_dir / "cucm1.state.json").read_text()) == other


def test_a_service_that_does_not_come_back_stops_the_rotation_with_a_report(sim, run_playbook, tmp_path):
    """The subscriber's Cisco CallManager never comes back: the roll stops there (the publisher untouched), no
    Connection is synced, and the report says what was done and what was not."""
    prepare(sim)
    sim.faults(service_never_returns=1)
    state_dir = tmp_path / "state"
    inv = inventory(sim, state_dir, services={"cucm": [CCM], "im_presence": [XCP]},   # a choice of services
                    authz_key_rotation_restart_timeout=8)
    res = run_playbook(PLAYBOOK, inventory=inv)
    assert res.rc != 0
    failed = [r for r in res.results if r["failed"]][-1]   # the roll's failure (rescued), then the role's
    assert failed["task"] == ROLE + "Fail when the rotation is not verified", res.describe()
    assert "the restarts failed: Rolling restart of Cisco CallManager stopped at batch 1 of 2" in failed["msg"]
    assert regenerations(sim) == {"signing": 1, "encryption": 1}
    counts = restart_counts(sim)
    assert counts["cucm1-sub1"] == {CCM: 1} and counts["cucm1-pub"] == {} and counts["cucm1-imp1"] == {}, counts
    assert not sync_requests(sim)
    data, markdown = report(state_dir)
    assert data["status"] == "incomplete", data
    assert [k["action"] for k in data["regeneration"]] == ["regenerated"] * 2
    assert all(x["action"] == "not restarted" for x in data["restarts"]), data["restarts"]
    assert all(x["action"] == "not synced" for x in data["syncs"]), data["syncs"]
    assert "## Problems" in markdown and "the restarts failed" in markdown
    kept = record(state_dir)
    assert kept["regenerated_at"] and kept["restarts_done_at"] is None and kept["completed_at"] is None


def test_another_id_is_refused_while_a_rotation_is_unfinished(sim, run_playbook, tmp_path):
    prepare(sim)
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    unfinished = {"format": 1, "id": "2026-q4", "cluster": {"host": "cucm1", "publisher": sim.node("cucm1-pub")["address"]},
                  "keys": ["signing", "encryption"], "started_at": 1796083200.0, "completed_at": None,
                  "regenerated_at": None, "restarts_done_at": None, "syncs_done_at": None}
    (state_dir / "cucm1.state.json").write_text(json.dumps(unfinished))
    res = run_playbook(PLAYBOOK, inventory=inventory(sim, state_dir), extravars={"authz_key_rotation_id": "2027-q1"})
    assert res.rc != 0
    [failed] = [r for r in res.results if r["failed"]]
    assert ("rotation 2026-q4 of this cluster is not finished (started 2026-12-01T00:00:00Z): run again without "
            "authz_key_rotation_id, or with 2026-q4, to finish it before rotation 2027-q1") in failed["msg"], failed["msg"]
    assert sim.get_counters()["writes"] == 0 and regenerations(sim) == {"signing": 0, "encryption": 0}


# -- every variable checked before the first regeneration (issue 17, item 6) -----------------------------------
def regen_commands(sim):
    """Every `set key regen` command the publisher's platform CLI received (write or not)."""
    return [r for r in sim.get_requests("cucm1") if r.get("transport") == "ssh"
            and "set key regen" in r.get("operation", "")]


def assert_nothing_changed(sim):
    assert not regen_commands(sim), regen_commands(sim)
    assert regenerations(sim) == {"signing": 0, "encryption": 0}
    assert not any(restart_counts(sim).values()), restart_counts(sim)
    assert not sim.get_counters()["service_restarts"], sim.get_counters()
    assert not sync_requests(sim)
    assert all(s["LastSyncStatus"] == OLD_SYNC for s in sim.state("cuc1")["authz_servers"])


BAD_VALUES = [  # (test id, cluster host variables, the variable the failure must name)
    ("batch_size-0", {"authz_key_rotation_batch_size": 0}, "authz_key_rotation_batch_size"),
    ("batch_size-minus-1", {"authz_key_rotation_batch_size": -1}, "authz_key_rotation_batch_size"),
    # cucm1 has two CUCM nodes: a batch of two would leave none running
    ("batch_size-more-than-the-nodes-allow", {"authz_key_rotation_batch_size": 2}, "authz_key_rotation_batch_size"),
    ("restart_timeout-0", {"authz_key_rotation_restart_timeout": 0}, "authz_key_rotation_restart_timeout"),
    ("restart_timeout-86401", {"authz_key_rotation_restart_timeout": 86401}, "authz_key_rotation_restart_timeout"),
    ("poll_interval-0.5", {"authz_key_rotation_poll_interval": 0.5}, "authz_key_rotation_poll_interval"),
    ("unknown-service", {"authz_key_rotation_services": {"cucm": [CCM, "Cisco CallManagr"], "im_presence": [XCP]}},
     "authz_key_rotation_services"),
    ("id-escaping-the-report-dir", {"authz_key_rotation_id": "../../escape"}, "authz_key_rotation_id"),
    ("misspelt-variable", {"authz_key_rotation_batchsize": 1}, "authz_key_rotation_batchsize"),
    ("integer-for-a-list", {"authz_key_rotation_services": {"cucm": 5, "im_presence": [XCP]}},
     "authz_key_rotation_services"),
]


@pytest.mark.parametrize("cluster_vars,variable", [pytest.param(v, n, id=i) for i, v, n in BAD_VALUES])
def test_a_rotation_with_any_invalid_variable_fails_with_no_change(
        sim, run_playbook, tmp_path, cluster_vars, variable):
    """Issue 17 item 6: a wrong value used to be found only after the regeneration (every token dead, no restart,
    no sync) or, for the id, after the whole rotation. Now the run stops before the first regeneration, naming
    the variable, and leaves no state record and no lock behind."""
    prepare(sim)
    state_dir = tmp_path / "state"
    res = run_playbook(PLAYBOOK, inventory=inventory(sim, state_dir, **cluster_vars))
    assert res.rc != 0, res.describe()
    assert_nothing_changed(sim)
    messages = " ".join(str(r.get("msg") or "") for r in res.results if r["failed"])
    assert variable in messages, (variable, messages)
    assert not res.tasks(REGEN_TASK), [r["task"] for r in res.results]
    assert record(state_dir) is None
    assert not list(state_dir.glob("*.lock")) if state_dir.exists() else True
    assert not (tmp_path / "escape.json").exists() and not list(tmp_path.glob("**/*escape*"))


# -- two rotations at once (issue 17, item 5) -------------------------------------------------------------------
def wait_for(condition, what, proc, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if proc.poll() is not None:
            raise AssertionError("ansible-playbook ended before %s" % what)
        time.sleep(0.05)
    helpers.kill_tree(proc)
    raise AssertionError("no %s within %ss" % (what, timeout))


def test_two_runs_side_by_side_rotate_once(sim, run_playbook, tmp_path):
    """A second run while the first holds cucm1's state fails before any change, naming the first (PID, host,
    start time); a third, given a lock timeout, waits for the first and then finds the rotation complete. Each
    key is regenerated once, each node's services restarted once, each AuthZ server synced once, and the lock is
    gone at the end."""
    prepare(sim)
    state_dir = tmp_path / "state"
    inv = inventory(sim, state_dir)
    lock = state_dir / "cucm1.state.json.lock"
    logs = {name: tmp_path / ("%s.log" % name) for name in ("first", "waiting")}
    first = start_playbook(tmp_path / "first", inv, sim, log=logs["first"])
    wait_for(lock.exists, "the lock file of the first run", first)
    holder = json.loads(lock.read_text())
    assert holder["pid"] == first.pid, holder
    # the first run is kept inside its lock until the second one has been refused: each of its requests (HTTPS and
    # SSH commands) answers 4 real seconds late while the second run starts (it sends none before the lock refuses
    # it), so a loaded machine cannot let the first run finish before the second one asks for the lock
    sim.faults(latency_ms=4000)
    waiting = start_playbook(tmp_path / "waiting", inventory(sim, state_dir, authz_key_rotation_lock_timeout=600),
                             sim, log=logs["waiting"])

    second = run_playbook(PLAYBOOK, inventory=inv)
    assert second.rc != 0, second.describe()
    assert not second.tasks(REGEN_TASK) and not second.tasks(SYNC_TASK), [r["task"] for r in second.results]
    messages = " ".join(str(r.get("msg") or "") for r in second.results if r["failed"])
    assert "the key rotation state of cucm1 is locked by another run (PID %d on %s, started %s" % (
        first.pid, holder["host"], holder["started"]) in messages, messages
    assert first.poll() is None, "the first run ended before the second one was refused"
    sim.clear_faults()

    assert first.wait(timeout=600) == 0, logs["first"].read_text()
    assert waiting.wait(timeout=600) == 0, logs["waiting"].read_text()
    waited = logs["waiting"].read_text()
    assert "nothing to do (a new authz_key_rotation_id starts the next rotation)" in waited, waited
    assert_rotated_once(sim, state_dir)
    syncs = sync_requests(sim)
    assert len(syncs) == 2 and len(set(r["path"] for r in syncs)) == 2, syncs
    assert not list(state_dir.glob("*.lock*")), list(state_dir.iterdir())


def test_check_mode_plan_and_apply_share_one_id_and_the_plan_says_what_will_change(sim, run_playbook, tmp_path):
    """Issue 20, item 7: the rotation id of a check-mode plan is the id its apply records (the default id comes
    from the keys it replaces, not from the time), and the plan's checksum after is a new key, not the old
    checksum twice."""
    prepare(sim)
    state_dir = tmp_path / "state"
    inv = inventory(sim, state_dir)
    planned = run_playbook(PLAYBOOK, inventory=inv, check=True)
    assert planned.rc == 0, planned.describe()
    plan, plan_markdown = report(state_dir, ".plan")
    assert [(k["action"], k["checksum_after"]) for k in plan["regeneration"]] == [("would regenerate", None)] * 2
    assert all(k["checksum_before"] == sim.state("cucm1")["authz_keys"][k["key"]] for k in plan["regeneration"])
    assert "a new key (regenerated on apply)" in plan_markdown, plan_markdown
    applied = run_playbook(PLAYBOOK, inventory=inv)
    assert applied.rc == 0, applied.describe()
    [path] = [p for p in state_dir.glob("cucm1-*.json") if ".plan." not in p.name]
    data = json.loads(path.read_text())
    assert data["status"] == "complete", data
    assert data["rotation_id"] == plan["rotation_id"] == record(state_dir)["id"], (data["rotation_id"], plan)
    assert path.name == "cucm1-%s.json" % plan["rotation_id"]


# -- the right to regenerate, seen before the first change (issue 20, item 4) ----------------------------------
@pytest.mark.parametrize("account,expected", [
    pytest.param({"cucm_ssh_username": "osviewer", "cucm_ssh_password": "Pl4tform-View1"},
                 "privilege level", id="platform-account-below-level-4"),
    pytest.param({"cucm_ssh_host": "SUBSCRIBER"}, "is a subscriber node", id="platform-cli-of-a-subscriber"),
])
def test_a_platform_account_that_may_not_regenerate_fails_in_preflight_with_zero_writes(
        sim, run_playbook, tmp_path, account, expected):
    """`show key authz` and `set key regen authz` need command privilege level 4 (UC-API-REFERENCE section 3), and
    the regeneration runs on the publisher only: the preflight reads the account's level (`show myself`) and the
    node (`show network cluster`) and stops the whole run, before any change on any system."""
    prepare(sim)
    if account.get("cucm_ssh_host") == "SUBSCRIBER":
        account = {"cucm_ssh_host": sim.node("cucm1-sub1")["address"]}
    state_dir = tmp_path / "state"
    res = run_playbook(PLAYBOOK, inventory=inventory(sim, state_dir, **account))
    assert res.rc != 0, res.describe()
    failed = [r for r in res.results if r["failed"]]
    assert [r["task"] for r in failed] == [ROLE + "Stop before any change if a system is not ready"], res.describe()
    message = failed[0]["msg"]
    assert message.startswith("Preflight found "), message
    assert "cucm1 (CUCM cluster): " in message and expected in message, message
    assert_nothing_changed(sim)
    counters = sim.get_counters()
    assert counters["writes"] == 0 and counters["write_attempts"] == 0, counters
    for name in ("cucm1", "cuc1"):
        assert not [e for e in sim.get_requests(name) if e["kind"] == "write"], name
    operations = [e["operation"] for e in sim.get_requests("cucm1") if e.get("transport") == "ssh"]
    assert "show myself" in operations and not [op for op in operations if op.startswith("set key")], operations
    assert record(state_dir) is None
    assert not list(state_dir.glob("*.lock*")), list(state_dir.iterdir())
