"""collab.uc.cucm_oauth against ucsim: idempotence, request budget, check/diff mode, auth and retry behaviour.

Every test asserts on what the simulator saw (/_sim/counters, /_sim/requests), not only on what the module says.
"""

from __future__ import annotations

import base64

import pytest
import yaml

MODULE = "collab.uc.cucm_oauth"
TASK = "oauth"
WANTED = {"refresh_login": True, "access_token_expiry": 30, "refresh_token_expiry": 14,
          "device_refresh_token_expiry": 365}


def playbook(options, name=TASK, module_defaults=None, module=MODULE):
    play = {"hosts": "localhost", "gather_facts": False,
            "tasks": [{"name": name, module: options, "ignore_errors": True}]}
    if module_defaults:
        play["module_defaults"] = module_defaults
    return yaml.safe_dump([play], sort_keys=False)


def params(sim):
    return sim.state("cucm")["enterprise_parameters"]


def axl_log(sim):
    return [e for e in sim.get_requests() if e["path"].startswith("/axl")]


def ops(sim):
    return [e["operation"] for e in sim.get_requests()]


def lab(style):
    return """
cucm:
  - name: cucm1
    boolean_style: %s
    users:
      - {userid: axladmin, password: "C1sco12345!", roles: [axl]}
""" % style


@pytest.mark.matrix
def test_first_run_changes_then_idempotent_within_two_requests(sim, cucm_env, run_playbook):
    first = run_playbook(playbook(WANTED), env=cucm_env)
    result = first.task(TASK)
    assert result["status"] == "changed", first
    res = result["result"]
    assert res["before"] == {"refresh_login": False, "access_token_expiry": 60, "refresh_token_expiry": 60,
                             "device_refresh_token_expiry": 3650}
    assert res["after"] == WANTED
    assert res["changes"] == [
        {"name": "oAuthWithRefreshLoginFlow", "action": "updated", "before": False, "after": True,
         "option": "refresh_login"},
        {"name": "oauthTokenExpiryTimer", "action": "updated", "before": 60, "after": 30, "option": "access_token_expiry"},
        {"name": "refreshTokenExpiryTimer", "action": "updated", "before": 60, "after": 14,
         "option": "refresh_token_expiry"},
        {"name": "DeviceTokenExpiryTimer", "action": "updated", "before": 3650, "after": 365,
         "option": "device_refresh_token_expiry"}]
    # the deprecated key, still returned until 2.0.0
    assert res["changed_parameters"] == [c["name"] for c in res["changes"]]
    assert res["axl_version"] == "14.0" and res["host"] == cucm_env["CUCM_HOST"]
    counters = sim.get_counters()
    assert counters["writes"] == 4
    assert counters["by_operation"].get("updateServiceParameter") == 4
    state = params(sim)
    assert state["oAuthWithRefreshLoginFlow"] == "T"
    assert state["oauthTokenExpiryTimer"] == "30"
    assert state["refreshTokenExpiryTimer"] == "14"
    assert state["DeviceTokenExpiryTimer"] == "365"
    assert any("revokes every refresh token" in w for w in res["warnings"])
    assert any("reset Jabber and Webex clients" in w for w in res["warnings"])

    sim.reset(state=False)
    second = run_playbook(playbook(WANTED), env=cucm_env)
    assert second.task(TASK)["status"] == "ok", second
    assert second.task(TASK)["result"]["changes"] == []
    counters = sim.get_counters()
    assert counters["writes"] == 0
    assert counters["write_attempts"] == 0
    assert counters["requests"] <= 2
    assert ops(sim) == ["getCCMVersion", "executeSQLQuery"]
    assert "warnings" not in second.task(TASK)["result"] or not second.task(TASK)["result"]["warnings"]

    sim.reset(state=False)
    third = run_playbook(playbook(dict(WANTED, axl_version="14.0")), env=cucm_env)
    assert third.task(TASK)["status"] == "ok", third
    assert sim.get_counters()["requests"] == 1
    assert ops(sim) == ["executeSQLQuery"]
    assert 'ver=14.0 executeSQLQuery' in sim.get_requests()[0]["headers"]["SOAPAction"]


def test_only_differing_parameters_are_written(sim, cucm_env, run_playbook):
    run = run_playbook(playbook({"refresh_login": False, "access_token_expiry": 45}), env=cucm_env)
    assert run.task(TASK)["result"]["changes"] == [{"name": "oauthTokenExpiryTimer", "action": "updated", "before": 60,
                                                    "after": 45, "option": "access_token_expiry"}]
    writes = [e for e in sim.get_requests() if e["kind"] == "write"]
    assert len(writes) == 1
    assert "<name>oauthTokenExpiryTimer</name>" in writes[0]["body"]
    assert "<value>45</value>" in writes[0]["body"]


@pytest.mark.matrix
def test_check_mode_reports_changed_and_never_writes(sim, cucm_env, run_playbook):
    before = params(sim)
    run = run_playbook(playbook(WANTED), env=cucm_env, check=True)
    result = run.task(TASK)
    assert result["status"] == "changed", run
    assert sim.get_counters()["writes"] == 0
    assert sim.get_counters()["write_attempts"] == 0
    assert params(sim) == before
    # check mode lists what would change, in the same shape
    assert [(c["name"], c["action"]) for c in result["result"]["changes"]] == [
        ("oAuthWithRefreshLoginFlow", "updated"), ("oauthTokenExpiryTimer", "updated"),
        ("refreshTokenExpiryTimer", "updated"), ("DeviceTokenExpiryTimer", "updated")]
    warnings = result["result"]["warnings"]
    assert any("would revoke every refresh token" in w for w in warnings)
    assert any(w.startswith("Would save") for w in warnings)


@pytest.mark.matrix
def test_diff_shows_before_and_after(sim, cucm_env, run_playbook):
    run = run_playbook(playbook({"refresh_token_expiry": 90}), env=cucm_env, diff=True)
    result = run.task(TASK)
    diff = result["result"]["diff"]
    assert diff["before"]["refresh_token_expiry"] == 60
    assert diff["after"]["refresh_token_expiry"] == 90
    assert diff["before"]["access_token_expiry"] == diff["after"]["access_token_expiry"] == 60
    assert '-    "refresh_token_expiry": 60' in run.stdout
    assert '+    "refresh_token_expiry": 90' in run.stdout


@pytest.mark.matrix
def test_module_defaults_group_with_credentials_only_in_the_environment(sim, cucm_env, run_playbook):
    defaults = {"group/collab.uc.cucm": {"host": cucm_env["CUCM_HOST"], "port": int(cucm_env["CUCM_PORT"]),
                                         "ca_path": cucm_env["CUCM_CA_PATH"], "axl_version": "14.0"}}
    env = {"CUCM_USERNAME": cucm_env["CUCM_USERNAME"], "CUCM_PASSWORD": cucm_env["CUCM_PASSWORD"]}
    run = run_playbook(playbook({"access_token_expiry": 20}, module_defaults=defaults), env=env)
    assert run.task(TASK)["status"] == "changed", run
    # axl_version came from module_defaults: no version discovery
    assert ops(sim) == ["executeSQLQuery", "updateServiceParameter"]
    assert params(sim)["oauthTokenExpiryTimer"] == "20"
    assert cucm_env["CUCM_PASSWORD"] not in run.output


@pytest.mark.parametrize("options, message", [
    ({"access_token_expiry": 2000},
     "access_token_expiry (oauthTokenExpiryTimer) must be between 1 and 1440 minutes, got 2000"),
    ({"refresh_token_expiry": 400}, "refresh_token_expiry (refreshTokenExpiryTimer) must be between 1 and 365 days, got 400"),
    ({"device_refresh_token_expiry": 0},
     "device_refresh_token_expiry (DeviceTokenExpiryTimer) must be between 1 and 3650 days, got 0"),
])
def test_out_of_range_fails_without_any_request(sim, cucm_env, run_playbook, options, message):
    run = run_playbook(playbook(options), env=cucm_env)
    result = run.task(TASK)
    assert result["status"] == "failed"
    assert result["msg"] == message
    assert sim.get_counters()["requests"] == 0


def test_malformed_axl_version_fails_without_any_request(sim, cucm_env, run_playbook):
    run = run_playbook(playbook({"refresh_login": True, "axl_version": "14"}), env=cucm_env)
    result = run.task(TASK)
    assert result["status"] == "failed"
    assert "axl_version must be a schema version such as 14.0" in result["msg"]
    assert sim.get_counters()["requests"] == 0


def test_axl_version_the_cluster_does_not_speak_fails_with_a_hint(sim, cucm_env, run_playbook):
    run = run_playbook(playbook({"refresh_login": True, "axl_version": "16.0"}), env=cucm_env)
    result = run.task(TASK)
    assert result["status"] == "failed"
    assert "HTTP 500" in result["msg"]
    assert "Unsupported AXL schema version 16.0" in result["msg"]
    assert "is axl_version right for this CUCM?" in result["msg"]
    assert sim.get_counters()["requests"] == 1
    assert sim.get_counters()["writes"] == 0


@pytest.mark.matrix
def test_wrong_password_fails_with_401_after_exactly_one_request(sim, cucm_env, run_playbook):
    env = dict(cucm_env, CUCM_PASSWORD="wrong-password")
    run = run_playbook(playbook({"refresh_login": True}), env=env)
    result = run.task(TASK)
    assert result["status"] == "failed"
    assert "HTTP 401" in result["msg"]
    assert "authentication failed" in result["msg"]
    assert "Check username and password" in result["msg"]
    assert "Invalid username or password" in result["msg"]
    assert "<html>" not in result["msg"]
    assert "127.0.0.1:%s" % cucm_env["CUCM_PORT"] in result["msg"]
    assert result["result"]["error"]["status"] == 401
    counters = sim.get_counters()
    assert counters["requests"] == 1
    assert counters["auth_failures"] == 1
    assert "wrong-password" not in run.output


def test_user_without_axl_role_fails_403_with_the_role_hint(sim, cucm_env, run_playbook):
    env = dict(cucm_env, CUCM_USERNAME="noaxl")
    run = run_playbook(playbook({"refresh_login": True}), env=env)
    result = run.task(TASK)
    assert result["status"] == "failed"
    assert "HTTP 403" in result["msg"]
    assert "Standard AXL API Access" in result["msg"]
    assert sim.get_counters()["requests"] == 1


def test_503_on_writes_is_retried(sim, cucm_env, run_playbook):
    sim.faults(http_503_writes=2)
    run = run_playbook(playbook({"access_token_expiry": 25, "axl_version": "14.0"}), env=cucm_env)
    assert run.task(TASK)["status"] == "changed", run
    updates = [(e["operation"], e["status"]) for e in sim.get_requests() if e["operation"] == "updateServiceParameter"]
    assert updates == [("updateServiceParameter", 503), ("updateServiceParameter", 503),
                       ("updateServiceParameter", 200)]
    assert sim.get_counters()["writes"] == 1
    assert params(sim)["oauthTokenExpiryTimer"] == "25"


def test_axl_memory_fault_on_reads_is_retried(sim, cucm_env, run_playbook):
    sim.faults(axl_memory_reads=3)
    run = run_playbook(playbook({"access_token_expiry": 60}), env=cucm_env)
    assert run.task(TASK)["status"] == "ok", run
    log = [(e["operation"], e["status"]) for e in sim.get_requests()]
    assert log == [("getCCMVersion", 500)] * 3 + [("getCCMVersion", 200), ("executeSQLQuery", 200)]
    assert sim.get_counters()["faults"] == 3


def test_dropped_connection_is_retried(sim, cucm_env, run_playbook):
    sim.faults(drop_connections=2)
    run = run_playbook(playbook({"refresh_login": True, "axl_version": "14.0"}), env=cucm_env)
    assert run.task(TASK)["status"] == "changed", run
    log = [(e["operation"], e["status"]) for e in sim.get_requests()]
    assert log == [("executeSQLQuery", None), ("executeSQLQuery", None), ("executeSQLQuery", 200),
                   ("updateServiceParameter", 200)]
    assert sim.get_counters()["connections"] >= 3
    assert params(sim)["oAuthWithRefreshLoginFlow"] == "T"


def test_retries_exhausted_is_a_clear_error(sim, cucm_env, run_playbook):
    sim.faults(http_503_writes=10)
    run = run_playbook(playbook({"access_token_expiry": 25, "axl_version": "14.0", "retries": 2}), env=cucm_env)
    result = run.task(TASK)
    assert result["status"] == "failed"
    msg = result["msg"]
    assert "updateServiceParameter oauthTokenExpiryTimer failed: server busy" in msg
    assert "HTTP 503" in msg
    assert "gave up after 2 retries" in msg
    assert [e["status"] for e in sim.get_requests() if e["kind"] != "read"] == [503, 503, 503]
    assert params(sim)["oauthTokenExpiryTimer"] == "60"


def test_session_cookie_is_reused_within_a_task(sim, cucm_env, run_playbook):
    tasks = yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "one", MODULE: WANTED},
        {"name": "two", MODULE: dict(WANTED, access_token_expiry=31)},
    ]}])
    run = run_playbook(tasks, env=cucm_env)
    assert run.task("one")["status"] == "changed" and run.task("two")["status"] == "changed", run
    log = sim.get_requests()
    assert len(log) == 2 + 4 + 2 + 1
    with_basic = [e for e in log if "Authorization" in e["headers"]]
    assert len(with_basic) == 2  # one per task (each task is one process and one session)
    expected = "Basic " + base64.b64encode(b"axladmin:C1sco12345!").decode()
    assert all(e["headers"]["Authorization"] == expected for e in with_basic)
    assert [e["operation"] for e in with_basic] == ["getCCMVersion", "getCCMVersion"]
    assert all("JSESSIONIDSSO=" in e["headers"].get("Cookie", "") for e in log if "Authorization" not in e["headers"])
    counters = sim.get_counters()
    assert counters["basic_auth"] == 2
    assert counters["cookie_auth"] == len(log) - 2


@pytest.mark.parametrize("style, on, off", [("truefalse", "true", "false"), ("tf", "T", "F"), ("enum", "1", "0")])
def test_boolean_styles_round_trip(sim_factory, run_playbook, style, on, off):
    sim = sim_factory(lab(style))
    env = sim.cucm_env()
    run = run_playbook(playbook({"refresh_login": True}), env=env)
    assert run.task(TASK)["status"] == "changed", run
    assert params(sim)["oAuthWithRefreshLoginFlow"] == on
    write = [e for e in sim.get_requests() if e["kind"] == "write"][0]
    assert "<value>%s</value>" % on in write["body"]

    sim.reset(state=False)
    again = run_playbook(playbook({"refresh_login": True}), env=env)
    assert again.task(TASK)["status"] == "ok", again
    assert sim.get_counters()["writes"] == 0

    off_run = run_playbook(playbook({"refresh_login": False}), env=env)
    result = off_run.task(TASK)
    assert result["status"] == "changed", off_run
    assert params(sim)["oAuthWithRefreshLoginFlow"] == off
    assert any("off requires resetting all Jabber and Webex clients" in w for w in result["result"]["warnings"])


def test_refresh_token_expiry_change_revokes_tokens_and_says_so(sim, cucm_env, run_playbook):
    assert sim.state("cucm")["refresh_token_count"] > 0
    run = run_playbook(playbook({"refresh_token_expiry": 30}), env=cucm_env)
    result = run.task(TASK)
    assert result["status"] == "changed", run
    assert sim.state("cucm")["refresh_token_count"] == 0
    assert any("refreshTokenExpiryTimer) from 60 to 30 days revokes every refresh token" in w
               for w in result["result"]["warnings"])
