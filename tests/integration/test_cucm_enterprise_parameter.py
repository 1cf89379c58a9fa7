"""collab.uc.cucm_enterprise_parameter against ucsim: read, set, idempotence, check/diff mode, errors."""

from __future__ import annotations

import pytest
import yaml

MODULE = "collab.uc.cucm_enterprise_parameter"
TASK = "param"


def playbook(options):
    return yaml.safe_dump([{"hosts": "localhost", "gather_facts": False,
                            "tasks": [{"name": TASK, MODULE: options, "ignore_errors": True}]}], sort_keys=False)


def params(sim):
    return sim.state("cucm")["enterprise_parameters"]


def ops(sim):
    return [e["operation"] for e in sim.get_requests()]


TF_LAB = """
cucm:
  - name: cucm1
    boolean_style: tf
    enterprise_parameters: {oAuthWithRefreshLoginFlow: true}
    users:
      - {userid: axladmin, password: "C1sco12345!", roles: [axl]}
"""


def test_reads_without_value_and_never_writes(sim, cucm_env, run_playbook):
    run = run_playbook(playbook({"name": "ClusterID", "axl_version": "14.0"}), env=cucm_env)
    result = run.task(TASK)
    assert result["status"] == "ok", run
    assert result["result"]["parameter"] == {"name": "ClusterID", "value": "StandAloneCluster", "value_type": "string"}
    assert result["result"]["changes"] == []
    assert ops(sim) == ["getServiceParameter"]
    assert sim.get_counters()["writes"] == 0


@pytest.mark.matrix
def test_sets_then_idempotent(sim, cucm_env, run_playbook):
    run = run_playbook(playbook({"name": "ClusterID", "value": "Lab-East"}), env=cucm_env, diff=True)
    result = run.task(TASK)
    assert result["status"] == "changed", run
    assert result["result"]["diff"] == {"before": {"ClusterID": "StandAloneCluster"}, "after": {"ClusterID": "Lab-East"}}
    assert result["result"]["before"]["value"] == "StandAloneCluster"
    assert result["result"]["after"]["value"] == "Lab-East"
    assert result["result"]["changes"] == [{"name": "ClusterID", "action": "updated", "before": "StandAloneCluster",
                                            "after": "Lab-East"}]
    assert params(sim)["ClusterID"] == "Lab-East"
    assert ops(sim) == ["getCCMVersion", "getServiceParameter", "updateServiceParameter"]

    sim.reset(state=False)
    again = run_playbook(playbook({"name": "ClusterID", "value": "Lab-East", "axl_version": "14.0"}), env=cucm_env)
    assert again.task(TASK)["status"] == "ok", again
    assert again.task(TASK)["result"]["changes"] == []
    assert ops(sim) == ["getServiceParameter"]
    assert sim.get_counters()["writes"] == 0


@pytest.mark.matrix
def test_check_mode_reports_changed_and_never_writes(sim, cucm_env, run_playbook):
    run = run_playbook(playbook({"name": "oauthTokenExpiryTimer", "value": "30"}), env=cucm_env, check=True, diff=True)
    result = run.task(TASK)
    assert result["status"] == "changed", run
    assert result["result"]["diff"] == {"before": {"oauthTokenExpiryTimer": "60"},
                                        "after": {"oauthTokenExpiryTimer": "30"}}
    assert result["result"]["changes"] == [{"name": "oauthTokenExpiryTimer", "action": "updated", "before": "60",
                                            "after": "30"}]
    assert sim.get_counters()["writes"] == 0
    assert sim.get_counters()["write_attempts"] == 0
    assert params(sim)["oauthTokenExpiryTimer"] == "60"


def test_unknown_name_fails_with_axl_code_and_hint(sim, cucm_env, run_playbook):
    run = run_playbook(playbook({"name": "clusterid", "value": "x", "axl_version": "14.0"}), env=cucm_env)
    result = run.task(TASK)
    assert result["status"] == "failed"
    msg = result["msg"]
    assert "getServiceParameter clusterid failed" in msg
    assert "HTTP 500" in msg and "axlcode 5007" in msg
    assert "programmatic name" in msg
    assert result["result"]["error"]["axlcode"] == "5007"
    assert sim.get_counters()["writes"] == 0


def test_value_refused_by_cucm_reports_axl_message(sim, cucm_env, run_playbook):
    run = run_playbook(playbook({"name": "URLIdleTime", "value": "-5", "axl_version": "14.0"}), env=cucm_env)
    result = run.task(TASK)
    assert result["status"] == "failed"
    assert "updateServiceParameter URLIdleTime failed" in result["msg"]
    assert "axlcode 5009" in result["msg"]
    assert "between 0 and 604800" in result["msg"]
    assert "allowed range" in result["msg"]


def test_known_oauth_parameter_out_of_range_fails_without_any_request(sim, cucm_env, run_playbook):
    run = run_playbook(playbook({"name": "oauthTokenExpiryTimer", "value": "2000"}), env=cucm_env)
    result = run.task(TASK)
    assert result["status"] == "failed"
    assert result["msg"] == "oauthTokenExpiryTimer must be between 1 and 1440 minutes, got 2000"
    assert sim.get_counters()["requests"] == 0


@pytest.mark.sim_lab(TF_LAB)
def test_on_off_values_compare_tolerantly_and_keep_the_cluster_style(sim, cucm_env, run_playbook):
    same = run_playbook(playbook({"name": "oAuthWithRefreshLoginFlow", "value": "true"}), env=cucm_env)
    assert same.task(TASK)["status"] == "ok", same
    assert sim.get_counters()["writes"] == 0

    off = run_playbook(playbook({"name": "oAuthWithRefreshLoginFlow", "value": "Disabled"}), env=cucm_env)
    result = off.task(TASK)
    assert result["status"] == "changed", off
    assert result["result"]["parameter"] == {"name": "oAuthWithRefreshLoginFlow", "value": "F", "value_type": "boolean"}
    assert params(sim)["oAuthWithRefreshLoginFlow"] == "F"
