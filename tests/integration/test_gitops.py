"""The GitOps example (examples/gitops) run as its pipelines run it, against the simulator's multi lab (two CUCM
clusters, Unity Connection and an Expressway-C): the plan job shows every change and writes nothing, the apply job
changes, a second apply changes nothing, and a change made behind Ansible's back (on a cluster, on the Expressway-C)
makes the drift job fail and name the system.

The example is copied as it is; the test adds what a lab needs and Git never holds: the simulator's CA as ca/uc-ca.pem,
its SSH host keys as ssh/known_hosts, an inventory file with the simulator's addresses and ports (inventory/zz-lab.yml, read after hosts.yml), and the
secrets as the CI variables the example names."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import ucsim
import yaml

import helpers
from helpers import REPO_ROOT

EXAMPLE = REPO_ROOT / "examples" / "gitops"
SIM_LAB = Path(ucsim.__file__).resolve().parent / "labs" / "multi.yml"
SECRETS = {
    "CUCM_A_AXL_USERNAME": "axladmin", "CUCM_A_AXL_PASSWORD": "C1sco12345!",
    "CUCM_B_AXL_USERNAME": "axladmin-b", "CUCM_B_AXL_PASSWORD": "B-Sec ret1",
    "CUC_A_ADMIN_USERNAME": "cucadmin", "CUC_A_ADMIN_PASSWORD": "C1sco12345!",
    "EXPC_A_ADMIN_USERNAME": "admin", "EXPC_A_ADMIN_PASSWORD": "Exp-Adm1n!",
}


@pytest.fixture
def repo(sim, tmp_path, installed_collection):
    """A checkout of the example repository pointed at the simulator."""
    work = tmp_path / "gitops"
    shutil.copytree(EXAMPLE, work)
    shutil.copyfile(sim.ca, work / "ca" / "uc-ca.pem")
    shutil.copyfile(sim.known_hosts, work / "ssh" / "known_hosts")
    port = dict((s["name"], s["port"]) for s in sim.systems())
    (work / "inventory" / "zz-lab.yml").write_text(json.dumps({
        "cucm_clusters": {"hosts": dict(
            (name, {"ansible_host": sim.host, "cucm_port": port[name], "oauth_refresh_login_publisher_port": port[name]})
            for name in ("cucm-a", "cucm-b"))},
        "cuc_systems": {"hosts": {"cuc-a": {"ansible_host": sim.host, "cuc_port": port["cuc-a"]}}},
        "expressway_systems": {"hosts": {"expc-a": {
            "ansible_host": sim.host, "expressway_port": sim.system("expc-a")["nodes"][0]["ports"]["ssh"]}}},
    }))
    return work


def run_job(repo, script, tmp_path, bin_dir=None):
    """Run ci/<script> as the pipeline does: from the repository, ansible-playbook on the PATH, secrets in the
    environment, nothing else of the caller's Ansible settings. bin_dir: the pipeline's own venv, whose collections
    are the checkout's ./collections (ansible.cfg), as the pipeline installs them; else the test's Ansible."""
    # the pipeline's venv gets none of the caller's Python settings; the test's own Ansible keeps them (under
    # ansible-test, its ansible-playbook finds ansible through PYTHONPATH)
    dropped = ("ANSIBLE_", "CUCM_", "CUC_", "EXPRESSWAY_", "COLLAB_UC_") + (("PYTHON", "VIRTUAL_ENV") if bin_dir else ())
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(dropped))
    env.update(SECRETS)
    env.update({
        "PATH": "%s%s%s" % (bin_dir or os.path.dirname(helpers.ansible_playbook_command()[0]), os.pathsep,
                            env.get("PATH", "")),
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_NOCOLOR": "1",
    })
    if bin_dir is None:
        env.update({"ANSIBLE_COLLECTIONS_PATH": str(helpers.collections_path()),
                    "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "False"})
    proc = subprocess.run([str(repo / "ci" / script)], cwd=str(repo), env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=600, check=False)
    name = script.split(".")[0]
    assert (repo / ("%s.md" % name)).is_file(), describe(proc)
    markdown = (repo / ("%s.md" % name)).read_text()
    summary = json.loads((repo / ("%s.json" % name)).read_text())
    return proc, markdown, summary


def rows(summary, host):
    return [(r["setting"], r["from"], r["to"]) for r in summary["hosts"][host]["rows"]]


def describe(proc):
    return "exit %s\n--- stdout ---\n%s\n--- stderr ---\n%s" % (proc.returncode, proc.stdout[-15000:], proc.stderr)


def test_plan_apply_again_and_drift(sim, repo, tmp_path):
    cucm_a = sim.system("cucm-a")["port"]

    # Merge request: the plan names every change, per cluster, and writes nothing.
    proc, markdown, summary = run_job(repo, "plan.sh", tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert sim.get_counters()["writes"] == 0
    assert summary["mode"] == "plan"
    assert rows(summary, "cucm-a") == [("refresh_login", False, True)]
    assert rows(summary, "cucm-b") == [("access_token_expiry", 60, 30)]
    assert rows(summary, "cuc-a") == [("cucm-a: server_address", "cucm-a.lab.local", sim.host),
                                      ("cucm-a: server_port", 8443, cucm_a),
                                      ("cucm-a: key sync", "never", "sync")]
    # Expressway-C: Cisco's defaults have OAuthLocal off ("with refresh" is on already); LegacyCred is left alone
    assert rows(summary, "expc-a") == [("oauth_token", "Off", "On")]
    assert markdown.startswith("## UC OAuth plan (check mode: nothing was written)\n")
    assert "4 of 4 systems would change: cuc-a, cucm-a, cucm-b, expc-a." in markdown
    assert "### cucm-b\n" in markdown and "| access_token_expiry | 60 | 30 |" in markdown
    assert "### expc-a\n" in markdown and "| oauth_token | Off | On |" in markdown
    assert sim.state("expc-a")["xconfiguration"]["CollaborationEdge OAuthLocal"] == "Off"
    secrets = ("C1sco12345!", "B-Sec ret1", "Exp-Adm1n!")
    assert not [x for x in secrets if x in markdown + proc.stdout]

    # Merge: apply.
    proc, markdown, summary = run_job(repo, "apply.sh", tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert sim.get_counters()["writes"] > 0
    assert sim.state("cucm-a")["enterprise_parameters"]["oAuthWithRefreshLoginFlow"] in ("T", "true", "t", "1")
    assert sim.state("cucm-b")["enterprise_parameters"]["oauthTokenExpiryTimer"] == "30"
    [server] = sim.state("cuc-a")["authz_servers"]
    assert server["Port"] == cucm_a and server["LastSyncStatus"].startswith("Passed")
    xconf = sim.state("expc-a")["xconfiguration"]
    assert xconf["CollaborationEdge OAuthLocal"] == "On" and xconf["CollaborationEdge LegacyCred"] == "Off"
    assert "4 of 4 systems changed" in markdown
    assert not [x for x in secrets if x in markdown + proc.stdout]

    # Apply again: nothing to do, no write.
    sim.reset(state=False)
    proc, markdown, summary = run_job(repo, "apply.sh", tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert sim.get_counters()["writes"] == 0
    assert "0 of 4 systems changed." in markdown
    assert all(not host["rows"] for host in summary["hosts"].values())

    # Nightly: no drift yet.
    proc, markdown, summary = run_job(repo, "drift.sh", tmp_path)
    assert proc.returncode == 0, describe(proc)

    # Someone changes cucm-b by hand: the drift job fails, names it and the setting, and writes nothing.
    sim.set_state({"cucm-b": {"enterprise_parameters": {"oauthTokenExpiryTimer": "45"}}})
    sim.reset(state=False)
    proc, markdown, summary = run_job(repo, "drift.sh", tmp_path)
    assert proc.returncode != 0, describe(proc)
    assert sim.get_counters()["writes"] == 0
    assert "Drift: cucm-b differ(s) from the desired state:" in proc.stdout + proc.stderr
    assert "cucm-b: access_token_expiry is 45, the desired state says 30" in proc.stdout + proc.stderr
    assert rows(summary, "cucm-b") == [("access_token_expiry", 45, 30)]
    assert not rows(summary, "cucm-a") and not rows(summary, "cuc-a")
    assert summary["mode"] == "drift" and markdown.startswith("## UC OAuth drift check"), markdown
    assert "1 of 4 systems would change: cucm-b." in markdown

    # Someone turns OAuth off on the Expressway-C by hand (seed 003): the drift job names it too.
    sim.set_state({"cucm-b": {"enterprise_parameters": {"oauthTokenExpiryTimer": "30"}},
                   "expc-a": {"xconfiguration": {"CollaborationEdge OAuthLocal": "Off"}}})
    sim.reset(state=False)
    proc, markdown, summary = run_job(repo, "drift.sh", tmp_path)
    assert proc.returncode != 0, describe(proc)
    assert sim.get_counters()["writes"] == 0
    assert "Drift: expc-a differ(s) from the desired state:" in proc.stdout + proc.stderr
    assert "expc-a: oauth_token (CollaborationEdge OAuthLocal) is Off, the desired state says On" in proc.stdout
    assert rows(summary, "expc-a") == [("oauth_token", "Off", "On")]
    assert "1 of 4 systems would change: expc-a." in markdown


def test_pipelines_run_the_tested_scripts():
    """Each pipeline job runs the script this test runs, on the event the guide promises."""
    gitlab = yaml.safe_load((EXAMPLE / ".gitlab-ci.yml").read_text())
    for job, script, event in (("plan", "ci/plan.sh", "merge_request_event"), ("apply", "ci/apply.sh", "push"),
                               ("drift", "ci/drift.sh", "schedule")):
        assert gitlab[job]["script"][0] == script
        assert event in gitlab[job]["rules"][0]["if"]
    github = yaml.safe_load((EXAMPLE / ".github" / "workflows" / "gitops.yml").read_text())
    for job, script, event in (("plan", "ci/plan.sh", "pull_request"), ("apply", "ci/apply.sh", "push"),
                               ("drift", "ci/drift.sh", "schedule")):
        steps = [step.get("run", "") for step in github["jobs"][job]["steps"]]
        assert script in steps and event in github["jobs"][job]["if"]


@pytest.mark.matrix
def test_failed_preflight_says_no_plan_could_be_made_and_lists_every_problem(sim, repo, tmp_path):
    """Acceptance (issue 20): a plan job whose preflight fails says that no plan could be made, not "0 of 4 systems
    would change"; it lists every problem in full (a long one folded in <details>), one row per system, each under
    the system it is about."""
    sim.set_state({"cucm-a": {"version": "11.5.1.12900(1)"},
                   "expc-a": {"admins": [{"userid": "admin", "password": "Exp-Adm1n!", "privilege": 1}]}})
    proc, markdown, summary = run_job(repo, "plan.sh", tmp_path)
    assert proc.returncode != 0, describe(proc)
    assert sim.get_counters()["writes"] == 0 and sim.get_counters()["write_attempts"] == 0
    assert markdown.startswith("## UC OAuth plan: no plan could be made\n"), markdown
    assert "systems would change" not in markdown and "No change" not in markdown, markdown
    assert "The preflight found 2 problem(s) on 2 of 4 systems, so no plan could be made" in markdown, markdown
    table = [line for line in markdown.splitlines() if line.startswith("| ") and "problems |" not in line]
    assert [line.split(" | ")[0][2:] for line in table] == [
        "cuc-a", "cucm-a (CUCM cluster)", "cucm-b", "expc-a (Expressway-C)"], markdown
    row = dict((line.split(" | ")[0][2:].split(" ")[0], line) for line in table)
    assert "version 11.5.1.12900(1) is below 11.5.1.13900" in row["cucm-a"], markdown
    assert "ready" in row["cuc-a"] and "ready" in row["cucm-b"], markdown
    # the Expressway's problem, under expc-a, in full (folded, not cut)
    assert "<details><summary>the account may only read" in row["expc-a"], markdown
    assert "or set oauth_refresh_login_expressway_mode to checklist</details>" in row["expc-a"], markdown
    assert "the account may only read" not in row["cucm-a"], markdown
    assert summary["mode"] == "plan" and summary["preflight"]["planned"] is False
    assert sorted((p["host"], p["problem"][:24]) for p in summary["preflight"]["problems"]) == [
        ("cucm-a", "version 11.5.1.12900(1) "), ("expc-a", "the account may only rea")]


# --------------------------------------------------------------------------------------------------------
# The pipelines' own Python: only what they install
# --------------------------------------------------------------------------------------------------------

def pipeline_install_commands():
    """The install commands of .gitlab-ci.yml (before_script), checked to be those of every GitHub job too."""
    gitlab = yaml.safe_load((EXAMPLE / ".gitlab-ci.yml").read_text())["default"]["before_script"]
    workflow = yaml.safe_load((EXAMPLE / ".github" / "workflows" / "gitops.yml").read_text())
    for name, job in workflow["jobs"].items():
        runs = "\n".join(step.get("run", "") for step in job["steps"])
        for command in gitlab:
            assert command.replace(" --quiet", "") in runs, "job %s of the GitHub workflow lacks %r" % (name, command)
    return gitlab


def pipeline_venv(repo, tmp_path):
    """A venv made as the pipeline's image makes it (python -m venv, then the pipeline's own commands): its pip
    installs exactly what the pipeline's lines say; the collection install from Galaxy is replaced by the built
    collection copied into ./collections, where ansible-galaxy would put it."""
    venv = tmp_path / "pipeline-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "ANSIBLE_")))
    env["PATH"] = "%s%s%s" % (venv / "bin", os.pathsep, env.get("PATH", ""))
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    for command in pipeline_install_commands():
        if command.startswith("ansible-galaxy collection install"):
            shutil.copytree(helpers.collections_path() / "ansible_collections" / "collab" / "uc",
                            repo / "collections" / "ansible_collections" / "collab" / "uc")
            continue
        proc = subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=str(repo), env=env,
                              capture_output=True, text=True, timeout=900, check=False)
        assert proc.returncode == 0, "%s: %s" % (command, proc.stdout[-3000:] + proc.stderr[-3000:])
    return venv / "bin"


UNDER_ANSIBLE_TEST = "/ansible-test-" in os.environ.get("PYTHONPATH", "")


@pytest.mark.skipif(UNDER_ANSIBLE_TEST, reason="the example pipeline's venv is tested by `make integration`; under "
                                               "ansible-test (the matrix) the Python it would copy is ansible-test's own")
def test_plan_apply_and_drift_in_a_venv_holding_only_what_the_pipeline_installs(sim, repo, tmp_path):
    bin_dir = pipeline_venv(repo, tmp_path)
    frozen = subprocess.run([str(bin_dir / "python"), "-m", "pip", "freeze"], capture_output=True, text=True,
                            check=True).stdout.lower()
    assert "ansible-core" in frozen and "paramiko" in frozen and "ucsim" not in frozen and "pytest" not in frozen

    proc, markdown, summary = run_job(repo, "plan.sh", tmp_path, bin_dir=bin_dir)
    assert proc.returncode == 0, describe(proc)
    assert rows(summary, "expc-a") == [("oauth_token", "Off", "On")]      # Expressway read over SSH: paramiko
    assert sim.get_counters()["writes"] == 0

    proc, markdown, summary = run_job(repo, "apply.sh", tmp_path, bin_dir=bin_dir)
    assert proc.returncode == 0, describe(proc)
    assert "4 of 4 systems changed" in markdown
    assert sim.state("expc-a")["xconfiguration"]["CollaborationEdge OAuthLocal"] == "On"

    sim.reset(state=False)
    proc, markdown, summary = run_job(repo, "drift.sh", tmp_path, bin_dir=bin_dir)
    assert proc.returncode == 0, describe(proc)
    assert sim.get_counters()["writes"] == 0
