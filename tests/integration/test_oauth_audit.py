"""Role collab.uc.oauth_audit against ucsim's audit lab (two clusters, a Connection, an Expressway-C): the audit finds
seed 003's mismatch and the other findings the lab holds, writes nothing to any system, survives an unreachable
system, and after the enablement role (collab.uc.oauth_enable) has run over the same inventory finds none."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from helpers import CUC_PASSWORD, CUC_USERNAME, CUCM_PASSWORD, CUCM_SSH_PASSWORD, CUCM_SSH_USERNAME, \
    CUCM_USERNAME, EXPRESSWAY_PASSWORD, EXPRESSWAY_USERNAME, REPO_ROOT, expressway_discovery_lab, shipped_lab, \
    ucsim_command

SIM_LAB = shipped_lab("audit")
PLAYBOOK = str(REPO_ROOT / "playbooks" / "oauth_audit.yml")
ENABLE = "- ansible.builtin.import_playbook: collab.uc.oauth_enable\n"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def inventory(sim, report_dir, extra_expressway=None):
    def https(name):
        return sim.system(name)["port"]

    def ssh(name):
        return sim.system(name)["nodes"][0]["ports"]["ssh"]

    # one inventory for the audit and the enablement role: the serving systems name their clusters in
    # oauth_refresh_login_serves (oauth_audit_serves defaults to it); each cluster says where Connection reaches it
    cluster = ("%s cucm_host=127.0.0.1 cucm_port=%d cucm_ssh_port=%d oauth_audit_cluster_addresses='[\"%s.lab.local\"]' "
               "oauth_refresh_login_publisher=%s.lab.local oauth_refresh_login_publisher_port=%d")
    lines = [
        "[cucm_clusters]",
        cluster % ("cucm-a", https("cucm-a"), ssh("cucm-a"), "cucm-a", "cucm-a", https("cucm-a")),
        cluster % ("cucm-b", https("cucm-b"), ssh("cucm-b"), "cucm-b", "cucm-b", https("cucm-b")),
        "[cuc_systems]",
        "cuc-a cuc_host=127.0.0.1 cuc_port=%d oauth_refresh_login_serves='[\"cucm-a\", \"cucm-b\"]'" % https("cuc-a"),
        "[expressway_systems]",
        "expc-a expressway_host=127.0.0.1 expressway_port=%d oauth_refresh_login_serves='[\"cucm-a\"]'" % ssh("expc-a"),
    ]
    if extra_expressway:
        lines.append(extra_expressway)
    lines += [
        "[all:vars]",
        "ansible_connection=local",
        "ansible_python_interpreter=%s" % sys.executable,
        "cucm_username=%s" % CUCM_USERNAME, "cucm_password=%s" % CUCM_PASSWORD, "cucm_ca_path=%s" % sim.ca,
        "cucm_ssh_username=%s" % CUCM_SSH_USERNAME, "cucm_ssh_password=%s" % CUCM_SSH_PASSWORD,
        "cucm_ssh_known_hosts=%s" % sim.known_hosts,
        "oauth_refresh_login_authz_username=%s" % CUCM_USERNAME, "oauth_refresh_login_authz_password=%s" % CUCM_PASSWORD,
        "cuc_username=%s" % CUC_USERNAME, "cuc_password=%s" % CUC_PASSWORD, "cuc_ca_path=%s" % sim.ca,
        "expressway_username=%s" % EXPRESSWAY_USERNAME, "expressway_password=%s" % EXPRESSWAY_PASSWORD,
        "expressway_known_hosts=%s" % sim.known_hosts,
    ]
    if report_dir is not None:
        lines.append("oauth_audit_report_dir=%s" % report_dir)
    return "\n".join(lines) + "\n"


def sync_text(epoch):
    t = time.gmtime(epoch)
    return "Passed - %s %02d,%d %02d:%02d:%02d %s GMT" % (MONTHS[t.tm_mon - 1], t.tm_mday, t.tm_year,
                                                          t.tm_hour % 12 or 12, t.tm_min, t.tm_sec,
                                                          "AM" if t.tm_hour < 12 else "PM")


def arrange_stale_sync(sim):
    """cuc-a has an AuthZ server for cucm-a that last synced an hour ago; cucm-a's signing key was regenerated since
    (through the simulator's control API, as the CLI does it). Then the log and counters start from zero."""
    sim.set_state({"cuc-a": {"authz_servers": [{
        "DisplayName": "cucm-a", "ServerNodeAddress": "cucm-a.lab.local", "Port": sim.system("cucm-a")["port"],
        "ServerUsername": CUCM_USERNAME, "ServerPassword": CUCM_PASSWORD}],
        "authz_server_status": {"cucm-a": sync_text(time.time() - 3600)}}})
    sim.set_state({"cucm-a": {"regenerate_authz_keys": ["signing"]}})
    sim.reset(state=False)


def findings_by_id(result):
    out = {}
    for f in result["findings"]:
        out.setdefault(f["id"], []).append(f)
    return out


def report_task(run):
    return run.task("collab.uc.oauth_audit : Work out the findings and write the reports")["result"]


@pytest.fixture
def audited(sim, run_playbook, tmp_path):
    arrange_stale_sync(sim)
    report_dir = tmp_path / "reports"
    run = run_playbook(PLAYBOOK, inventory=inventory(sim, report_dir))
    assert run.rc == 0, run.describe()
    return run, report_dir


@pytest.mark.matrix
def test_finds_seed_003_and_the_other_findings_with_zero_writes(sim, audited):
    run, report_dir = audited
    result = report_task(run)
    found = findings_by_id(result)
    seed = [f for f in found["refresh_mismatch"] if f["severity"] == "critical"]
    assert len(seed) == 1 and seed[0]["systems"] == ["cucm-a", "expc-a"]
    assert "cucm-a" in seed[0]["title"] and "expc-a" in seed[0]["title"]
    assert "SASL" in seed[0]["detail"] and "collab.uc.expressway_oauth" in seed[0]["fix"]
    assert "oauth_token_with_refresh: true" in seed[0]["fix"]
    assert [f["systems"] for f in found["no_authz_server"]] == [["cuc-a", "cucm-b"]]
    assert [f["systems"] for f in found["sync_older_than_keys"]] == [["cuc-a", "cucm-a"]]
    assert [f["systems"] for f in found["clusters_differ"]] == [["cucm-a", "cucm-b"]]
    assert "refresh login: cucm-a on, cucm-b off" in found["clusters_differ"][0]["detail"]
    assert [f["systems"] for f in found["timers_differ"]] == [["cucm-b"]]
    assert "is 30 minutes, desired 60" in found["timers_differ"][0]["detail"]
    assert set(found) == {"refresh_mismatch", "no_authz_server", "sync_older_than_keys", "clusters_differ",
                          "timers_differ", "refresh_login_differs"}
    assert result["summary"] == {"systems": 4, "findings": 6, "critical": 3, "warning": 3}
    # the first report in its directory: its three files are the task's changes
    assert result["changes"] == [{"name": str(report_dir / name), "action": "created"}
                                 for name in ("oauth-audit.json", "oauth-audit.md", "oauth-audit.html")]
    # read-only: not one write (nor attempt) on any system, over HTTPS or SSH
    counters = sim.get_counters()
    assert counters["writes"] == 0 and counters["write_attempts"] == 0
    assert counters["requests"] > 0 and counters["ssh_logins"] == 3  # two publishers and the Expressway
    for name in ("cucm-a", "cucm-b", "cuc-a", "expc-a"):
        assert sim.get_counters(name)["requests"] > 0, name
    # the reports: JSON for machines, Markdown, one HTML page, all naming seed 003's pair
    data = json.loads((report_dir / "oauth-audit.json").read_text())
    assert data["findings"] == result["findings"]
    markdown = (report_dir / "oauth-audit.md").read_text()
    assert "Refresh login is on in cucm-a but off on Expressway-C expc-a" in markdown
    html = (report_dir / "oauth-audit.html").read_text()
    assert html.count('<tr class="finding"') == 6 and "<script" not in html and "http" not in html.split("<body>")[1]


def test_matrix_shows_each_system_and_check(audited):
    result = report_task(audited[0])
    rows = dict((row["name"], row["cells"]) for row in result["report"]["systems"])
    assert rows["expc-a"]["mra"]["status"] == "critical"
    assert rows["cucm-a"]["keys"]["status"] == "ok" and "signing" in rows["cucm-a"]["keys"]["text"]
    assert rows["cuc-a"]["authz_servers"]["status"] == "critical"
    assert rows["cucm-b"]["timers"]["status"] == "warning"
    assert rows["cucm-a"]["version"]["status"] == "ok"
    assert all(cell["status"] == "ok" for cell in (rows[name]["reachable"] for name in rows))


@pytest.mark.sim_lab(expressway_discovery_lab(extra={"CollaborationEdge SomeNewLeaf": "On"}))
def test_reports_list_every_collaboration_edge_leaf_seen(sim, run_playbook, tmp_path):
    # an Expressway without the assumed "with refresh" leaf, showing one the collection does not know
    report_dir = tmp_path / "reports"
    run = run_playbook(PLAYBOOK, inventory=inventory(sim, report_dir))
    assert run.rc == 0, run.describe()
    seen = ("Enabled On", "OAuthLocal Off", "LegacyCred On", "InternalAuthAvailability Off", "SomeNewLeaf On")
    data = json.loads((report_dir / "oauth-audit.json").read_text())
    row = [r for r in data["systems"] if r["name"] == "expc-a"][0]
    assert row["xconfiguration"] == dict(("CollaborationEdge " + leaf.split()[0], leaf.split()[1]) for leaf in seen)
    assert "CollaborationEdge leaves seen: " + ", ".join(seen) in row["cells"]["mra"]["text"], row
    assert "no leaf for oauth_token_with_refresh" in row["cells"]["mra"]["text"], row
    for name in ("oauth-audit.md", "oauth-audit.html"):
        text = (report_dir / name).read_text()
        assert "CollaborationEdge leaves seen: " + ", ".join(seen) in text, name
        assert "no leaf for oauth_token_with_refresh" in text, name
    assert sim.get_counters()["writes"] == 0 and sim.get_counters()["write_attempts"] == 0


def test_unreachable_system_is_a_finding_not_a_crash(sim, run_playbook, tmp_path):
    # nothing listens on port 1 of 127.0.0.1
    gone = "expc-gone expressway_host=127.0.0.1 expressway_port=1 oauth_refresh_login_serves='[\"cucm-a\"]'"
    text = inventory(sim, tmp_path / "r", extra_expressway=gone)
    run = run_playbook(PLAYBOOK, inventory=text)
    assert run.rc == 0, run.describe()
    gone = [f for f in report_task(run)["findings"] if f["id"] == "unreachable"]
    assert len(gone) == 1 and gone[0]["systems"] == ["expc-gone"] and gone[0]["severity"] == "critical"
    assert "cannot connect" in gone[0]["detail"]
    assert sim.get_counters()["writes"] == 0


@pytest.mark.matrix
def test_run_by_its_name_the_audit_writes_its_reports_into_the_working_directory(sim, run_playbook, tmp_path):
    from helpers import collections_path
    work = tmp_path / "cwd"
    installed = collections_path() / "ansible_collections" / "collab" / "uc"
    run = run_playbook("collab.uc.oauth_audit", inventory=inventory(sim, None), workdir=work)
    assert run.rc == 0, run.describe()
    for name in ("oauth-audit.json", "oauth-audit.md", "oauth-audit.html"):
        assert (work / "oauth-audit" / name).is_file(), name
    assert not (installed / "playbooks" / "oauth-audit").exists()
    assert "reports in %s" % (work / "oauth-audit") in run.stdout


def test_a_module_that_cannot_run_is_not_an_unreachable_system_and_a_play_that_read_nothing_fails(
        sim, run_playbook, tmp_path):
    # every system's module gets a Python that does not exist (the report itself runs on localhost, as always)
    lines = inventory(sim, tmp_path / "r").splitlines()
    bad = " ansible_python_interpreter=/nonexistent/python3"
    text = "\n".join(line + bad if line.startswith(("cucm-", "cuc-", "expc-")) else line for line in lines) + "\n"
    run = run_playbook(PLAYBOOK, inventory=text)
    assert run.rc != 0, run.describe()
    ids = {f["id"] for f in report_task(run)["findings"]}
    assert ids == {"module_failed"}, ids
    assert "Not one of the 4 systems could be read" in run.stdout
    assert "ansible_python_interpreter" in run.stdout
    assert (tmp_path / "r" / "oauth-audit.html").exists()
    assert sim.get_counters()["writes"] == 0


def test_fail_on_critical_fails_after_writing_the_reports(sim, run_playbook, tmp_path):
    run = run_playbook(PLAYBOOK, inventory=inventory(sim, tmp_path / "r"), extravars={"oauth_audit_fail_on": "critical"})
    assert run.rc != 0
    assert "finding(s) at or above critical" in run.stdout
    assert (tmp_path / "r" / "oauth-audit.html").exists()


def test_after_the_enablement_role_the_audit_finds_nothing(sim, run_playbook, tmp_path):
    """The lab's mismatches as shipped (seed 003's Expressway, the clusters that differ, cucm-b's timer, the missing
    AuthZ server): collab.uc.oauth_enable over the same inventory fixes them all, Expressway included, and the audit
    then finds none. (A sync older than a key regeneration is the key rotation's to repair, not the enablement's.)"""
    text = inventory(sim, tmp_path / "r")
    before = run_playbook(PLAYBOOK, inventory=text)
    assert {f["id"] for f in report_task(before)["findings"]} == {
        "refresh_mismatch", "no_authz_server", "clusters_differ", "timers_differ", "refresh_login_differs"}
    enable = run_playbook(ENABLE, inventory=text)
    assert enable.rc == 0 and enable.changed, enable.describe()
    # Expressway was set by the role, over its CLI
    written = [e["operation"] for e in sim.get_requests("expc-a") if e["kind"] == "write"]
    assert sorted(written) == ["xConfiguration CollaborationEdge OAuthLocal: On",
                               "xConfiguration CollaborationEdge OAuthWithRefresh: On"], written
    sim.reset(state=False)
    run = run_playbook(PLAYBOOK, inventory=text)
    assert run.rc == 0, run.describe()
    result = report_task(run)
    assert result["findings"] == [], json.dumps(result["findings"], indent=1)
    assert [c["action"] for c in result["changes"]] == ["updated"] * 3  # a new result over the last report
    assert all(cell["status"] in ("ok", "na") for row in result["report"]["systems"] for key, cell in
               row["cells"].items() if key != "refresh_login" or row["kind"] != "cuc"), result["report"]["systems"]
    assert sim.get_counters()["writes"] == 0
    assert "No findings" in (tmp_path / "r" / "oauth-audit.html").read_text()


# --- a capture of an estate, imported as an offline lab (docs/offline-lab.md) ---------------------------------------
REPLAY_PASSWORD = "Replay-Pw-0001"


def default_lab_inventory(sim, report_dir, password=None, capture_dir=None):
    """The shipped default lab (cucm1, cuc1, expc1) as the audit's inventory; ``password``: one for every account
    (an imported lab's), else the lab's own."""
    lines = [
        "[cucm_clusters]",
        "cucm1 cucm_host=127.0.0.1 cucm_port=%d cucm_ssh_port=%d oauth_audit_cluster_addresses='[\"cucm1.lab.local\"]'"
        % (sim.system("cucm1")["port"], sim.system("cucm1")["nodes"][0]["ports"]["ssh"]),
        "[cuc_systems]",
        "cuc1 cuc_host=127.0.0.1 cuc_port=%d oauth_refresh_login_serves='[\"cucm1\"]'" % sim.system("cuc1")["port"],
        "[expressway_systems]",
        "expc1 expressway_host=127.0.0.1 expressway_port=%d oauth_refresh_login_serves='[\"cucm1\"]'"
        % sim.system("expc1")["nodes"][0]["ports"]["ssh"],
        "[all:vars]",
        "ansible_connection=local",
        "ansible_python_interpreter=%s" % sys.executable,
        "cucm_username=%s" % CUCM_USERNAME, "cucm_password=%s" % (password or CUCM_PASSWORD), "cucm_ca_path=%s" % sim.ca,
        "cucm_ssh_username=%s" % CUCM_SSH_USERNAME, "cucm_ssh_password=%s" % (password or CUCM_SSH_PASSWORD),
        "cucm_ssh_known_hosts=%s" % sim.known_hosts,
        "cuc_username=%s" % CUC_USERNAME, "cuc_password=%s" % (password or CUC_PASSWORD), "cuc_ca_path=%s" % sim.ca,
        "expressway_username=%s" % EXPRESSWAY_USERNAME, "expressway_password=%s" % (password or EXPRESSWAY_PASSWORD),
        "expressway_known_hosts=%s" % sim.known_hosts,
        "oauth_audit_report_dir=%s" % report_dir,
    ]
    if capture_dir:
        lines.append("oauth_audit_capture_dir=%s" % capture_dir)
    return "\n".join(lines) + "\n"


def lab_secrets(lab_path):
    """Every password of a lab file (any key named password, at any depth)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if "password" in str(key).lower() and isinstance(value, str):
                    found.append(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load(Path(lab_path).read_text()))
    return sorted(set(found))


@pytest.mark.sim_lab(str(shipped_lab("default")))
def test_capture_of_the_default_lab_imported_gives_the_same_findings(sim, sim_factory, run_playbook, tmp_path):
    capture = tmp_path / "capture"
    first = run_playbook(PLAYBOOK, inventory=default_lab_inventory(sim, tmp_path / "r1", capture_dir=capture))
    assert first.rc == 0, first.describe()
    findings = report_task(first)["findings"]
    assert {f["id"] for f in findings} >= {"no_authz_server"}, findings
    assert sim.get_counters()["writes"] == 0
    files = sorted(capture.glob("*.ndjson"))
    records = [json.loads(line) for path in files for line in path.read_text().splitlines()]
    assert {r["system"] for r in records} == {"cucm1", "cuc1", "expc1"}
    assert {r["transport"] for r in records} == {"https", "ssh"}
    # every request the simulator answered with a read was captured (the log's reads, per system)
    for name in ("cucm1", "cuc1", "expc1"):
        reads = [e for e in sim.get_requests(name) if e["kind"] == "read"]
        assert reads and len([r for r in records if r["system"] == name]) >= len(reads), name
    # no password of the lab, no Basic credentials, no session cookie the simulator saw, in any file
    text = "\n".join(path.read_text() for path in files)
    secrets = set(lab_secrets(shipped_lab("default")))
    for entry in sim.get_requests():
        headers = entry.get("headers") or {}
        if headers.get("Authorization"):
            secrets.add(headers["Authorization"].split(" ", 1)[1])
        for part in (headers.get("Cookie") or "").split(";"):
            if "=" in part:
                secrets.add(part.split("=", 1)[1].strip())
    assert len(secrets) > 6
    leaked = [s for s in secrets if s and s in text]
    assert not leaked, leaked
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in files)

    # ucsim lab import, then the same audit against the imported lab: the same findings
    lab = tmp_path / "imported.yml"
    done = subprocess.run(ucsim_command() + ["lab", "import", str(capture), "-o", str(lab), "--password",
                                             REPLAY_PASSWORD], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert not [s for s in lab_secrets(shipped_lab("default")) if s in lab.read_text()]
    data = yaml.safe_load(lab.read_text())
    assert [s["name"] for s in data["cucm"] + data["cuc"] + data["expressway"]] == ["cucm1", "cuc1", "expc1"]
    assert data["cucm"][0]["version"] == "14.0.1.13900(155)" and data["expressway"][0]["version"] == "X14.2.1"
    # the model of the imported lab now says too old everywhere: only the replay of the captured reads can give
    # the same findings
    data["cucm"][0]["version"], data["expressway"][0]["version"] = "10.5.2.10000(5)", "X8.1.1"
    lab.write_text(yaml.safe_dump(data, sort_keys=False))
    replayed = sim_factory(str(lab))
    second = run_playbook(PLAYBOOK, inventory=default_lab_inventory(replayed, tmp_path / "r2", REPLAY_PASSWORD))
    assert second.rc == 0, second.describe()
    assert report_task(second)["findings"] == findings
    # the simulator answered from the capture (every read of the second audit is a captured one)
    replay_reads = [e for e in replayed.get_requests() if e["kind"] == "read"]
    assert replay_reads and replayed.get_counters()["writes"] == 0


# what a system may hold, whatever Cisco lets an administrator type: the backslash before a pipe, HTML, a
# link, a code span
HOSTILE = "E\\|<img src=x onerror=alert(1)>[x](//e.example)`"  # 45 characters: ClusterID holds 50
HOSTILE_MD = "E\\\\\\|&lt;img src=x onerror=alert(1)&gt;\\[x\\](//e.example)\\`"


def md_cells(row):
    """The cells of a GFM table row as cmark-gfm splits them: a backslash escapes the next character."""
    out, cell, i = [], "", 0
    while i < len(row):
        if row[i] == "\\":
            cell, i = cell + row[i:i + 2], i + 2
            continue
        if row[i] == "|":
            out.append(cell)
            cell = ""
        else:
            cell += row[i]
        i += 1
    return [c.strip() for c in out[1:]]


def test_hostile_values_from_systems_stay_plain_text_in_the_audit_and_the_gitops_summary(
        sim, run_playbook, tmp_path):
    """Issue 17 item 4: a Connection AuthZ server name and a CUCM ClusterID as the systems hold them end up
    escaped - one cell each, no HTML, no link - in the audit's Markdown report and in the gitops_summary page."""
    sim.set_state({"cuc-a": {"authz_servers": [{
        "DisplayName": HOSTILE, "ServerNodeAddress": "cucm-a.lab.local", "Port": sim.system("cucm-a")["port"],
        "ServerUsername": CUCM_USERNAME, "ServerPassword": CUCM_PASSWORD}],
        "authz_server_status": {HOSTILE: "Failed - " + HOSTILE}}})
    sim.set_state({"cucm-a": {"enterprise_parameters": {"ClusterID": HOSTILE}}})
    sim.reset(state=False)

    report_dir = tmp_path / "reports"
    run = run_playbook(PLAYBOOK, inventory=inventory(sim, report_dir))
    assert run.rc == 0, run.describe()
    assert json.dumps(HOSTILE)[1:-1] in json.dumps(report_task(run)["report"])   # the audit read it from Connection
    markdown = (report_dir / "oauth-audit.md").read_text()
    assert HOSTILE_MD in markdown
    assert "<img" not in markdown and "](" not in markdown.replace("\\](", "")
    lines = markdown.splitlines()
    table = lines[lines.index("## Systems") + 2:]
    width = len(report_task(run)["report"]["checks"]) + 1
    assert [len(md_cells(row)) for row in table] == [width] * (len(table)), table
    assert all(len(md_cells(row)) == 4 for row in lines if row.startswith(("| Critical", "| Warning")))

    summary = tmp_path / "gitops.md"
    env = dict(sim.cucm_env("cucm-a"), **sim.cuc_env("cuc-a"))
    env.update({"ANSIBLE_CALLBACKS_ENABLED": "collab_uc_results,collab.uc.gitops_summary",
                "COLLAB_UC_GITOPS_SUMMARY": str(summary)})
    plan = run_playbook(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "Name the cluster", "collab.uc.cucm_enterprise_parameter": {"name": "ClusterID", "value": "cucm-a"}},
        {"name": "Read the AuthZ servers", "collab.uc.cuc_authz_server_info": {}, "register": "servers"},
        {"name": "Check the AuthZ server names", "ansible.builtin.assert": {
            "that": "servers.authz_servers | map(attribute='name') | reject('match', '^[a-z0-9.-]+$') | list == []",
            "fail_msg": "Unexpected AuthZ server name: {{ servers.authz_servers | map(attribute='name') | join(', ') }}",
            "quiet": True}}]}], sort_keys=False), env=env, check=True, diff=True)
    assert plan.rc != 0 and sim.get_counters()["writes"] == 0, plan.describe()
    page = summary.read_text()
    assert "| ClusterID | %s | cucm-a | Name the cluster |" % HOSTILE_MD in page, page
    assert "| Check the AuthZ server names | Unexpected AuthZ server name: %s |" % HOSTILE_MD in page, page
    assert "<img" not in page
    rows = [row for row in page.splitlines() if row.startswith("| ")]
    assert [len(md_cells(row)) for row in rows] == [4, 4, 3, 3], rows
