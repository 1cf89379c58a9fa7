"""collab.uc.cucm_oauth_info against ucsim: what it reports, and that it only reads."""

from __future__ import annotations

import pytest
import yaml

MODULE = "collab.uc.cucm_oauth_info"
TASK = "info"

SSO_LAB = """
cucm:
  - name: cucm1
    version: "12.5.1.16900(48)"
    boolean_style: enum
    sso: {enabled: true}
    enterprise_parameters: {oAuthWithRefreshLoginFlow: Enabled, oauthTokenExpiryTimer: 15}
    users:
      - {userid: axladmin, password: "C1sco12345!", roles: [axl]}
"""


def playbook(options=None):
    return yaml.safe_dump([{"hosts": "localhost", "gather_facts": False,
                            "tasks": [{"name": TASK, MODULE: options or {}, "ignore_errors": True}]}])


@pytest.mark.matrix
def test_reports_defaults_and_only_reads(sim, cucm_env, run_playbook):
    run = run_playbook(playbook(), env=cucm_env)
    result = run.task(TASK)
    assert result["status"] == "ok", run
    res = result["result"]
    assert res["oauth"] == {"refresh_login": False, "access_token_expiry": 60, "refresh_token_expiry": 60,
                            "device_refresh_token_expiry": 3650}
    assert res["parameters"] == {"oAuthWithRefreshLoginFlow": "F", "oauthTokenExpiryTimer": "60",
                                 "refreshTokenExpiryTimer": "60", "DeviceTokenExpiryTimer": "3650"}
    assert res["version"] == "14.0.1.13900(155)" and res["cucm_version"] == res["version"]  # the old key until 2.0.0
    assert res["axl_version"] == "14.0"
    assert res["changes"] == [] and res["host"] == cucm_env["CUCM_HOST"]
    assert res["sso"] == {"enabled": False, "token_reuse": False, "version": ""}  # seed 000's empty version
    counters = sim.get_counters()
    assert counters["writes"] == 0 and counters["write_attempts"] == 0
    assert [e["operation"] for e in sim.get_requests()] == ["getCCMVersion", "executeSQLQuery", "singleSignOn"]


@pytest.mark.sim_lab(SSO_LAB)
def test_reports_another_cluster(sim, cucm_env, run_playbook):
    run = run_playbook(playbook(), env=cucm_env, check=True)
    res = run.task(TASK)["result"]
    assert res["oauth"]["refresh_login"] is True
    assert res["oauth"]["access_token_expiry"] == 15
    assert res["parameters"]["oAuthWithRefreshLoginFlow"] == "1"
    assert res["version"] == "12.5.1.16900(48)"
    assert res["axl_version"] == "12.5"
    assert res["sso"]["enabled"] is True
    assert res["sso"]["token_reuse"] is True
    assert sim.get_counters()["writes"] == 0
    soap = [e["headers"].get("SOAPAction") for e in sim.get_requests() if e["operation"] == "executeSQLQuery"]
    assert soap == ['"CUCM:DB ver=12.5 executeSQLQuery"']


def test_follows_a_change_made_by_cucm_oauth(sim, cucm_env, run_playbook):
    text = yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "set", "collab.uc.cucm_oauth": {"refresh_login": True, "refresh_token_expiry": 7}},
        {"name": TASK, MODULE: {}},
    ]}])
    run = run_playbook(text, env=cucm_env)
    res = run.task(TASK)["result"]
    assert res["oauth"]["refresh_login"] is True
    assert res["oauth"]["refresh_token_expiry"] == 7
    assert res["sso"]["token_reuse"] is True


def test_wrong_password_fails_clearly(sim, cucm_env, run_playbook):
    run = run_playbook(playbook(), env=dict(cucm_env, CUCM_PASSWORD="nope"))
    result = run.task(TASK)
    assert result["status"] == "failed"
    assert "getCCMVersion failed: authentication failed" in result["msg"]
    assert "HTTP 401" in result["msg"]
    assert sim.get_counters()["requests"] == 1
