"""Inputs normalised and refused before any request, and messages an operator can act on (issue 13).

Each test runs ansible-playbook against ucsim and asserts on what the simulator saw (request log, counters,
state): a value that means what CUCM stores writes nothing, a bad host or option sends nothing.
"""

from __future__ import annotations

import socket
import time

import pytest
import yaml

import helpers
# lab, play and secret_vars are pytest fixtures, used by name as test arguments
from test_cuc_authz_server import (  # noqa: F401 pylint: disable=unused-import
    CUC, NAME, SYNC_PASSWORD, authz_task, desired, lab, play, secret_vars, servers, preset)
from test_cucm_refresh_tokens import start_playbook, stop


def task_playbook(module, options, name="task"):
    return yaml.safe_dump([{"hosts": "localhost", "gather_facts": False,
                            "tasks": [{"name": name, module: options, "ignore_errors": True}]}], sort_keys=False)


def run_task(run_playbook, env, module, options, **kwargs):
    res = run_playbook(task_playbook(module, options), env=env, **kwargs)
    return res.task("task")


# -- values compared as CUCM stores them -----------------------------------------------------------------------
@pytest.mark.parametrize("value", ["0030", " 30", "+30", "30"])
def test_numeric_value_in_another_spelling_writes_once_then_never(sim, cucm_env, run_playbook, value):
    sim.set_state({"cucm1": {"enterprise_parameters": {"oauthTokenExpiryTimer": 60}}})
    first = run_task(run_playbook, cucm_env, "collab.uc.cucm_enterprise_parameter",
                     {"name": "oauthTokenExpiryTimer", "value": value})
    assert first["status"] == "changed", first
    assert first["result"]["after"]["value"] == "30"
    for _run in range(2):
        again = run_task(run_playbook, cucm_env, "collab.uc.cucm_enterprise_parameter",
                         {"name": "oauthTokenExpiryTimer", "value": value})
        assert again["status"] == "ok", again
    writes = [r for r in sim.get_requests() if r["operation"] == "updateServiceParameter"]
    assert len(writes) == 1 and "<value>30</value>" in writes[0]["body"]


@pytest.mark.parametrize("value", ["30.0", "3e1", "thirty", "\uff13\uff10", ""])
def test_value_a_timer_cannot_hold_is_refused_before_any_request(sim, cucm_env, run_playbook, value):
    result = run_task(run_playbook, cucm_env, "collab.uc.cucm_enterprise_parameter",
                      {"name": "refreshTokenExpiryTimer", "value": value})
    assert result["status"] == "failed" and "whole number" in result["msg"], result
    assert sim.get_requests() == []


def test_numeric_value_of_a_parameter_known_only_to_cucm_is_canonical(sim, cucm_env, run_playbook):
    result = run_task(run_playbook, cucm_env, "collab.uc.cucm_enterprise_parameter",
                      {"name": "URLIdleTime", "value": "007"})
    assert result["status"] == "changed" and result["result"]["after"]["value"] == "7", result
    result = run_task(run_playbook, cucm_env, "collab.uc.cucm_enterprise_parameter",
                      {"name": "URLIdleTime", "value": "7.5"})
    assert result["status"] == "failed" and "nothing was written" in result["msg"], result
    assert len([r for r in sim.get_requests() if r["kind"] == "write"]) == 1


def test_strings_are_compared_exactly(sim, cucm_env, run_playbook):
    result = run_task(run_playbook, cucm_env, "collab.uc.cucm_enterprise_parameter",
                      {"name": "ClusterID", "value": "standalonecluster"})
    assert result["status"] == "changed", result
    assert sim.state("cucm1")["enterprise_parameters"]["ClusterID"] == "standalonecluster"


def test_boolean_for_an_integer_option_is_refused(sim, cucm_env, run_playbook):
    result = run_task(run_playbook, cucm_env, "collab.uc.cucm_oauth", {"access_token_expiry": True})
    assert result["status"] == "failed", result
    assert "access_token_expiry must be a whole number, got the boolean true" in result["msg"]
    assert sim.get_requests() == []


# -- hosts validated up front, unreachable hosts fail fast ------------------------------------------------------
@pytest.mark.parametrize("host, words", [
    ("https://127.0.0.1/", "is a URL"),
    ("127.0.0.1:8443", "holds a port"),
    ("cucm pub.example.com", "contains spaces"),
    ("cucm.example.com/axl", "holds a path"),
    ("a" * 64 + ".example.com", "longer than 63 characters"),
    ("cucm_pub.example.com", "not a valid host name"),
])
def test_bad_host_is_refused_naming_the_option_and_the_right_form(sim, cucm_env, run_playbook, host, words):
    env = dict(cucm_env, CUCM_HOST=host)
    result = run_task(run_playbook, env, "collab.uc.cucm_oauth_info", {})
    assert result["status"] == "failed", result
    assert result["msg"].startswith("host ") and words in result["msg"], result["msg"]
    assert "host name, FQDN or IP address, for example cucm-pub.example.com" in result["msg"]
    assert sim.get_requests() == []


def test_name_that_does_not_resolve_fails_fast_in_its_own_words(sim, cucm_env, run_playbook):
    env = dict(cucm_env, CUCM_HOST="no-such-cucm.invalid")
    result = run_task(run_playbook, env, "collab.uc.cucm_oauth_info", {"retries": 5})
    assert result["status"] == "failed"
    assert "does not resolve" in result["msg"] and "no-such-cucm.invalid" in result["msg"], result["msg"]
    assert "retries" not in result["msg"]


def test_refused_connection_fails_fast_in_its_own_words(sim, cucm_env, run_playbook):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    env = dict(cucm_env, CUCM_PORT=str(port))
    # measured against the same run without retries, so that a loaded machine's slower ansible-playbook start does
    # not count: 5 retries with backoff would wait at least 0.25 + 0.5 + 1 + 2 + 4 = 7.75 s more (the unit tests
    # count the attempts themselves: one more, after one wait)
    started = time.monotonic()
    baseline = run_task(run_playbook, env, "collab.uc.cucm_oauth_info", {"retries": 0})
    without_retries = time.monotonic() - started
    assert baseline["status"] == "failed" and "connection was refused" in baseline["msg"], baseline
    started = time.monotonic()
    result = run_task(run_playbook, env, "collab.uc.cucm_oauth_info", {"retries": 5})
    assert result["status"] == "failed"
    assert "connection was refused" in result["msg"] and "Check the port" in result["msg"], result["msg"]
    with_retries = time.monotonic() - started
    assert with_retries - without_retries < 5, (with_retries, without_retries)


def test_url_as_server_address_is_refused_before_any_request(sim, lab, play):
    res = play(authz_task(**desired(lab, server_address="https://cucm1.lab.local:8443/")))
    task = res.task("authz server")
    assert task["status"] == "failed" and "server_address 'https://cucm1.lab.local:8443/' is a URL" in task["msg"]
    assert sim.get_requests(CUC) == []


# -- Connection AuthZ servers matched as Connection matches them ------------------------------------------------
@pytest.mark.parametrize("given", ["  " + NAME + "  ", NAME.upper()])
def test_name_differing_in_spaces_or_case_finds_the_server(sim, lab, play, given):
    preset(sim, lab)
    res = play(authz_task(**desired(lab, name=given)))
    assert res.rc == 0, res.describe()
    assert [s["DisplayName"] for s in servers(sim)] == [given.strip()]
    assert not [r for r in sim.get_requests(CUC) if r["method"] == "POST"]
    again = play(authz_task(**desired(lab, name=given)))
    assert again.rc == 0 and again.task("authz server")["status"] == "ok", again.describe()


def test_five_parallel_creates_converge(sim, lab, tmp_path, secret_vars):
    text = yaml.safe_dump([{"hosts": "localhost", "gather_facts": False,
                            "tasks": [authz_task(**desired(lab))]}], sort_keys=False)
    env = sim.cuc_env()
    procs = []
    for number in range(5):
        work = tmp_path / ("run%d" % number)
        procs.append(start_playbook(work, text.replace("{{ axl_password }}", SYNC_PASSWORD), env))
    try:
        outputs = [proc.communicate(timeout=300)[0] for proc in procs]
    finally:
        for proc in procs:
            stop(proc)
    assert [proc.returncode for proc in procs] == [0] * 5, "\n".join(outputs)
    assert len(servers(sim)) == 1
    posts = [r for r in sim.get_requests(CUC) if r["method"] == "POST"]
    assert 1 <= len(posts) <= 5 and sum(1 for r in posts if r["status"] == 201) == 1


def test_sync_refused_after_a_wrong_password_says_to_use_update_password_always(sim, lab, play):
    first = play(authz_task(**desired(lab)), password="wrong-at-first")
    assert first.task("authz server")["status"] == "failed"
    second = play(authz_task(**desired(lab)))              # the right password now, update_password on_create
    task = second.task("authz server")
    assert task["status"] == "failed"
    assert "update_password: always" in task["msg"] and "did not send server_password" in task["msg"], task["msg"]
    third = play(authz_task(**desired(lab, update_password="always")))
    assert third.rc == 0, third.describe()


# -- messages ---------------------------------------------------------------------------------------------------
@pytest.mark.matrix
def test_timeout_names_the_option_and_its_value(sim, cucm_env, run_playbook):
    sim.faults(latency_ms=2500)
    result = run_task(run_playbook, cucm_env, "collab.uc.cucm_oauth_info", {"timeout": 1, "retries": 0})
    assert result["status"] == "failed"
    assert "no answer within 1 seconds (the timeout option)" in result["msg"], result["msg"]
    # the simulator logs the request it was slow to answer 2.5 s after it came: wait for it here, so that it lands in
    # this test's log (one request: retries 0 sends no other) and not in the next test's
    deadline = time.monotonic() + 15
    while not sim.get_requests() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(sim.get_requests()) == 1, sim.get_requests()


def test_wrong_ca_is_told_apart_from_a_missing_ca(sim, cucm_env, run_playbook, tmp_path):
    other = helpers.Simulator.start(state_dir=tmp_path / "other")     # a CA of its own
    try:
        wrong = run_task(run_playbook, dict(cucm_env, CUCM_CA_PATH=other.ca), "collab.uc.cucm_oauth_info", {})
    finally:
        other.stop()
    assert wrong["status"] == "failed" and "not issued by a CA in ca_path" in wrong["msg"], wrong["msg"]
    missing = dict(cucm_env)
    missing.pop("CUCM_CA_PATH")
    result = run_task(run_playbook, missing, "collab.uc.cucm_oauth_info", {})
    assert result["status"] == "failed" and "no ca_path is set" in result["msg"], result["msg"]


def test_no_repeated_phrases_and_html_pages_reduced_to_text(sim, cucm_env, run_playbook):
    sim.faults(http_503_writes=10)
    result = run_task(run_playbook, cucm_env, "collab.uc.cucm_refresh_tokens",
                      {"users": ["jdoe"], "retries": 0})
    [failed] = result["result"]["failed_users"]
    assert failed["reason"].count("HTTP 503") == 1, failed["reason"]
    assert "<html>" not in failed["reason"] and "Service Unavailable" in failed["reason"]


@pytest.mark.matrix
def test_unknown_option_is_named_even_when_it_is_the_only_one(sim, run_playbook):
    result = run_task(run_playbook, {}, "collab.uc.cucm_oauth_info", {"hots": "127.0.0.1"})
    assert result["status"] == "failed" and "Unsupported parameters" in result["msg"], result["msg"]
    assert ": hots." in result["msg"]
    assert sim.get_requests() == []


# -- issue 17: weaker spots ------------------------------------------------------------------------------------
def test_certificate_for_another_name_is_not_blamed_on_the_ca(sim, cucm_env, run_playbook):
    """127.1 reaches the simulator (127.0.0.1), whose certificate names 127.0.0.1, ::1 and localhost but not the
    name 127.1 (an IPv4 address needs four parts to be an address in a certificate check): the CA in ca_path is
    the right one, the name is not."""
    result = run_task(run_playbook, dict(cucm_env, CUCM_HOST="127.1"), "collab.uc.cucm_oauth_info", {})
    assert result["status"] == "failed"
    msg = result["msg"]
    assert "TLS certificate does not name this host" in msg and "not for the name or address 127.1" in msg, msg
    assert "Set host to a name the server's certificate holds" in msg and "ca_path needs no change" in msg
    assert "holds another CA" not in msg


@pytest.mark.parametrize("value", ["1e3", "60.0", "1_000"])
def test_whole_number_option_in_another_notation_is_refused_before_any_request(
        sim, cucm_env, run_playbook, value):
    """Ansible's int type reads "1e3" as 1000: a token expiry of 1000 minutes from a typo."""
    result = run_task(run_playbook, cucm_env, "collab.uc.cucm_oauth", {"access_token_expiry": value})
    assert result["status"] == "failed", result
    # ansible-core 2.16 to 2.18 refuse some of these notations themselves (in user words too); 2.19 and later
    # read them as numbers, and the collection refuses them
    assert ("access_token_expiry must be a whole number written in decimal digits, such as 30, got %s" % value
            in result["msg"]
            or "argument 'access_token_expiry' is a string, which cannot be read as a whole number" in result["msg"]), \
        result["msg"]
    assert sim.get_requests() == []


def test_yaml_boolean_as_a_user_id_is_refused_not_looked_up_as_true(sim, cucm_env, run_playbook):
    res = run_playbook(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "task", "collab.uc.cucm_refresh_tokens": {"users": ["jdoe", True]}, "ignore_errors": True}]}]),
        env=cucm_env)
    result = res.task("task")
    assert result["status"] == "failed", result
    assert "users[1] is the boolean true" in result["msg"] and "quote the IDs" in result["msg"], result["msg"]
    assert sim.get_requests() == []      # no lookup of a user "True"


def test_a_huge_answer_makes_a_message_of_at_most_10000_characters(sim, cucm_env, run_playbook):
    """CUCM's fault names the parameter it was asked for: an unknown name of 30,000 characters came back whole in
    the message. Now the message keeps what failed and what to do, and says how much was left out."""
    name = "x" * 30000
    result = run_task(run_playbook, cucm_env, "collab.uc.cucm_enterprise_parameter",
                      {"name": name, "axl_version": "14.0"})
    assert result["status"] == "failed"
    msg = result["msg"]
    assert [r["operation"] for r in sim.get_requests()] == ["getServiceParameter"]
    assert len(msg) <= 10000 and " characters left out ...] " in msg, len(msg)
    assert msg.startswith("CUCM ") and "getServiceParameter xxxx" in msg
    assert "programmatic name" in msg[-2000:]     # what to do, at the end, is kept


@pytest.mark.matrix
def test_enable_playbook_without_its_environment_names_the_variables(run_playbook, playbooks_dir):
    # only CUCM_HOST given: the message names the two variables still missing, not the module's option names
    res = run_playbook(playbooks_dir / "enable_oauth_refresh_login.yml", env={"CUCM_HOST": "127.0.0.1"})
    assert res.failed
    msg = res.task("Say what is missing")["msg"]
    assert "set CUCM_PASSWORD, CUCM_USERNAME (and CUCM_CA_PATH" in msg, msg
    assert "CUCM_HOST," not in msg and "Nothing was changed" in msg
