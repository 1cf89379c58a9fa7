"""collab.uc.cucm_refresh_tokens through ansible-playbook against ucsim.

Every test asserts on what the simulator saw (request log, counters) and holds (state), not only on what the
module says about itself.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


import pytest

import helpers

TOKEN_SEED = "collab-uc-refresh-tokens"
GENERATED = 3000          # users user00001.. with one jabber token each
SPECIAL = ["anne o'hara", "r&d team", "100% sure", "hash#tag", "j\u00fcrgen m\u00fcller", "a+b/c=d?e",
           "\u0437\u043e\u044f"]

SIM_LAB = """
sim:
  log_max_entries: 200000
cucm:
  - name: cucm1
    token_seed: %s
    users:
      - {userid: axladmin, password: "C1sco12345!", roles: [axl]}
      - {userid: noaxl, password: "C1sco12345!", roles: []}
    end_users:
      - {userid: jdoe, tokens: [jabber, uds]}
      - {userid: asmith, tokens: [jabber]}
      - {userid: nokens}
    generate_users: {prefix: user, digits: 5, count: %d, tokens_per_user: 1, clients: [jabber]}
""" % (TOKEN_SEED, GENERATED)


def generated(first, last):
    return ["user%05d" % n for n in range(first, last + 1)]


def generated_token_value(n):
    """The value ucsim gives the token of generated user ``user<n>`` (ASSUMPTION about ucsim's generator, checked
    against the simulator itself by test_token_values_never_leak before it is relied on)."""
    seed = hashlib.sha256(TOKEN_SEED.encode()).digest()[:16]
    return hashlib.sha256(b"t0:%d:" % (n - 1) + seed).hexdigest()


def write_lines(path: Path, users) -> Path:
    path.write_text("".join(u + "\n" for u in users), encoding="utf-8")
    return path


def playbook(check_mode=None, **args) -> str:
    """A one-task playbook running the module with ``args``; the connection comes from CUCM_* variables."""
    task = {"name": "revoke", "collab.uc.cucm_refresh_tokens": args, "register": "revocation"}
    if check_mode is not None:
        task["check_mode"] = check_mode
    return "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - %s\n" % json.dumps(task)


def revoke_log(sim):
    return [r for r in sim.get_requests() if r["operation"] == "revoke"]


def tokens_of(sim, user):
    return sim.state("cucm1", user=user)["user"]["token_count"]


def live_tokens_by_user(sim):
    return sim.state("cucm1")["tokens_by_user"]


def run(run_playbook, cucm_env, **kwargs):
    verbosity = kwargs.pop("verbosity", 0)
    res = run_playbook(playbook(**kwargs), env=cucm_env, verbosity=verbosity)
    return res, (res.task("revoke")["result"] if res.results else {})


# -- idempotence ------------------------------------------------------------------------------------------------
@pytest.mark.matrix
def test_second_run_changes_nothing_and_calls_revoke_zero_times(sim, cucm_env, run_playbook, tmp_path):
    users = ["jdoe", "asmith", "nokens", "ghost"] + generated(1, 200)
    leavers = write_lines(tmp_path / "leavers.txt", users)
    res, result = run(run_playbook, cucm_env, users_file=str(leavers))
    assert res.rc == 0, res.describe()
    assert result["changed"] is True
    assert result["summary"] == {"users": 204, "revoked": 202, "no_live_tokens": 1, "unknown_user": 1, "failed": 0,
                                 "not_attempted": 0, "tokens": 203}
    assert len(result["changes"]) == 202 and {c["action"] for c in result["changes"]} == {"revoked"}
    assert sorted(c["name"] for c in result["changes"]) == sorted(["jdoe", "asmith"] + generated(1, 200))
    assert sum(c["tokens"] for c in result["changes"]) == 203
    calls = revoke_log(sim)
    assert len(calls) == 202 and all(r["status"] == 200 for r in calls)
    assert sorted(r["path"].split("user_id=")[1] for r in calls) == sorted(["jdoe", "asmith"] + generated(1, 200))
    by_user = live_tokens_by_user(sim)
    assert not any(u in by_user for u in users)
    assert "user00201" in by_user                     # users not listed keep their tokens
    counters = sim.get_counters()
    assert counters["basic_auth"] <= 1 + 8            # the lookup's session and one per worker

    res, result = run(run_playbook, cucm_env, users_file=str(leavers))
    assert res.rc == 0, res.describe()
    assert result["changed"] is False and res.stats["localhost"]["changed"] == 0 and result["changes"] == []
    assert len(revoke_log(sim)) == 202                # not one revoke call more
    assert result["summary"]["no_live_tokens"] == 203 and result["revoke_calls"] == 0


@pytest.mark.matrix
def test_check_mode_calls_no_revoke(sim, cucm_env, run_playbook, tmp_path):
    report = tmp_path / "report.csv"
    res, result = run(run_playbook, cucm_env, users=["jdoe", "nokens", "ghost"], report_path=str(report),
                      journal_path=str(tmp_path / "journal"), check_mode=True)
    assert res.rc == 0, res.describe()
    assert result["changed"] is True
    assert [(r["user"], r["outcome"], r["tokens"]) for r in result["results"]] == [("jdoe", "revoked", 2)]
    assert result["changes"] == [{"name": "jdoe", "action": "revoked", "tokens": 2}]  # would be revoked
    assert revoke_log(sim) == [] and sim.get_counters()["writes"] == 0
    assert tokens_of(sim, "jdoe") == 2
    assert not report.exists() and not (tmp_path / "journal").exists()


# -- user IDs -------------------------------------------------------------------------------------------------
def test_special_user_ids_are_encoded_and_escaped(sim, cucm_env, run_playbook, tmp_path):
    sim.set_state({"cucm1": {"end_users": [{"userid": u, "tokens": ["jabber", "uds"]} for u in SPECIAL]}})
    leavers = write_lines(tmp_path / "leavers.txt", SPECIAL + ["ghost'; DROP TABLE enduser; --"])
    res, result = run(run_playbook, cucm_env, users_file=str(leavers), return_results="all")
    assert res.rc == 0, res.describe()
    outcomes = dict((r["user"], (r["outcome"], r["tokens"])) for r in result["results"])
    assert outcomes == dict([(u, ("revoked", 2)) for u in SPECIAL] + [("ghost'; DROP TABLE enduser; --",
                                                                      ("unknown_user", 0))])
    for user in SPECIAL:
        assert tokens_of(sim, user) == 0, user
    paths = set(r["path"] for r in revoke_log(sim))
    assert paths == set(["/ssosp/token/revoke?user_id=anne%20o%27hara", "/ssosp/token/revoke?user_id=r%26d%20team",
                         "/ssosp/token/revoke?user_id=100%25%20sure", "/ssosp/token/revoke?user_id=hash%23tag",
                         "/ssosp/token/revoke?user_id=j%C3%BCrgen%20m%C3%BCller",
                         "/ssosp/token/revoke?user_id=a%2Bb%2Fc%3Dd%3Fe",
                         "/ssosp/token/revoke?user_id=%D0%B7%D0%BE%D1%8F"])
    sql = [r["body"] for r in sim.get_requests() if r["operation"] == "executeSQLQuery"]
    assert len(sql) == 2 and all(r["status"] == 200 for r in sim.get_requests())
    tokens_query, users_query = sql
    assert "FROM refreshtokendetails WHERE userid IN ('anne o''hara', 'r&amp;d team', '100% sure', 'hash#tag', " \
           "'j\u00fcrgen m\u00fcller', 'a+b/c=d?e', '\u0437\u043e\u044f', 'ghost''; DROP TABLE enduser; --')" \
        in tokens_query
    # only the user without tokens is looked up in enduser
    assert "FROM enduser WHERE userid IN ('ghost''; DROP TABLE enduser; --')</sql>" in users_query
    assert sim.state("cucm1")["end_user_count"] == GENERATED + 3 + len(SPECIAL)   # nothing was dropped


def test_ids_cucm_cannot_hold_are_named_and_nothing_is_sent(sim, cucm_env, run_playbook, tmp_path):
    leavers = write_lines(tmp_path / "leavers.txt", ["jdoe", 'say "hi"', "<b>x</b>", "x" * 129, "ok"])
    res, result = run(run_playbook, cucm_env, users_file=str(leavers))
    assert res.rc != 0
    message = res.task("revoke")["msg"]
    assert message.startswith("3 user IDs cannot be CUCM user IDs")
    assert 'leavers.txt line 2: "say \\"hi\\"" (contains ")' in message
    assert 'leavers.txt line 3: "<b>x</b>" (contains <)' in message
    assert "leavers.txt line 4" in message and "longer than 128 characters" in message
    assert sim.get_requests() == []


# -- secrets --------------------------------------------------------------------------------------------------
@pytest.mark.matrix
def test_token_values_never_leak(sim, cucm_env, run_playbook, tmp_path):
    # Check the token-value formula against the simulator: revoke user03000's token directly and compare.
    ctx = ssl.create_default_context(cafile=sim.ca)
    req = urllib.request.Request(sim.url + "/ssosp/token/revoke?user_id=user03000", headers={
        "Authorization": "Basic " + base64.b64encode(b"axladmin:C1sco12345!").decode()})
    with urllib.request.urlopen(req, context=ctx) as resp:
        answer = json.loads(resp.read())
    assert answer["revoked_tokens"]["clientID_tokens"][0]["refresh_token"] == generated_token_value(3000)

    values = [generated_token_value(n) for n in range(1, 101)]
    report = tmp_path / "report.jsonl"
    journal = tmp_path / "journal.jsonl"
    leavers = write_lines(tmp_path / "leavers.txt", generated(1, 100))
    res, result = run(run_playbook, cucm_env, users_file=str(leavers), report_path=str(report),
                      journal_path=str(journal), return_results="all", verbosity=4)
    assert res.rc == 0, res.describe()
    assert result["summary"]["revoked"] == 100
    assert "ANSIBLE_MODULE_ARGS" in res.output or "<localhost>" in res.output     # -vvvv really was verbose
    texts = {"output": res.output, "report": report.read_text(), "journal": journal.read_text(),
             "result": json.dumps(result)}
    for name, text in texts.items():
        leaked = [v for v in values if v in text]
        assert not leaked, "%s holds token values %s" % (name, leaked[:3])
        assert "C1sco12345!" not in text, name


# -- faults ---------------------------------------------------------------------------------------------------
def test_503s_every_user_revoked_once(sim, cucm_env, run_playbook, tmp_path):
    sim.faults(http_503_rate=0.1, seed=42)
    users = generated(1, 400)
    report = tmp_path / "report.csv"
    res, result = run(run_playbook, cucm_env, users_file=str(write_lines(tmp_path / "l.txt", users)),
                      report_path=str(report))
    assert res.rc == 0, res.describe()
    log = revoke_log(sim)
    assert sum(1 for r in log if r["status"] == 503) > 10                  # the faults really happened
    assert sorted(r["path"] for r in log if r["status"] == 200) == sorted(
        "/ssosp/token/revoke?user_id=" + u for u in users)                  # each user revoked exactly once
    with open(report, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["user"] for r in rows) == users and set(r["outcome"] for r in rows) == {"revoked"}
    holding = live_tokens_by_user(sim)
    assert not any(u in holding for u in users)


def test_dropped_connections_are_retried(sim, cucm_env, run_playbook, tmp_path):
    users = generated(1, 1000)
    journal = tmp_path / "journal.jsonl"
    sim.faults(latency_ms=5)
    proc = start_playbook(tmp_path, playbook(users_file=str(write_lines(tmp_path / "l.txt", users)),
                                             journal_path=str(journal)), cucm_env)
    try:
        wait_for_lines(journal, 100, proc)
        sim.faults(drop_connections=12)                 # now, in the middle of the revoke calls
        out, _err = proc.communicate(timeout=300)
    finally:
        stop(proc)
    assert proc.returncode == 0, out
    assert sim.faults().get("drop_connections") == 0                        # every drop happened
    ok = sorted(r["path"] for r in revoke_log(sim) if r["status"] == 200)
    assert ok == sorted("/ssosp/token/revoke?user_id=" + u for u in users)


def test_failed_user_fails_the_task_after_the_others_and_is_retried(sim, cucm_env, run_playbook, tmp_path):
    journal = tmp_path / "journal.jsonl"
    args = dict(users=["jdoe", "asmith", "user00001"], concurrency=1, retries=0, journal_path=str(journal))
    sim.faults(http_503_writes=1)                       # the first revoke call is throttled, and not retried
    res, result = run(run_playbook, cucm_env, **args)
    assert res.rc != 0
    assert result["failed_users"][0]["user"] == "jdoe"
    assert "HTTP 503" in result["failed_users"][0]["reason"] and "127.0.0.1" in result["failed_users"][0]["reason"]
    assert res.task("revoke")["msg"].startswith("1 of 3 users failed (all others were handled): jdoe: ")
    assert result["summary"]["revoked"] == 2 and result["changed"] is True
    assert tokens_of(sim, "jdoe") == 2 and tokens_of(sim, "asmith") == 0

    before = len(revoke_log(sim))
    res, result = run(run_playbook, cucm_env, **args)
    assert res.rc == 0, res.describe()
    assert [r["path"] for r in revoke_log(sim)[before:]] == ["/ssosp/token/revoke?user_id=jdoe"]
    assert result["resumed"] == 2 and result["summary"]["revoked"] == 3 and tokens_of(sim, "jdoe") == 0
    # only this run's revocation is a change: the two resumed from the journal were the first run's
    assert result["changes"] == [{"name": "jdoe", "action": "revoked", "tokens": 2}]


def test_401_stops_at_once_after_one_request(sim, cucm_env, run_playbook, tmp_path):
    env = dict(cucm_env, CUCM_PASSWORD="wrong-password")
    res, result = run(run_playbook, env, users_file=str(write_lines(tmp_path / "l.txt", generated(1, 50))))
    assert res.rc != 0
    message = res.task("revoke")["msg"]
    assert "authentication failed" in message and "Standard AXL API Access" in message
    assert "wrong-password" not in res.output
    log = sim.get_requests()
    assert len(log) == 1 and log[0]["status"] == 401


def test_401_mid_run_stops_new_requests_and_keeps_the_journal(sim, cucm_env, run_playbook, tmp_path):
    sim.faults(latency_ms=20)
    journal = tmp_path / "journal.jsonl"
    users = generated(1, 2000)
    proc = start_playbook(tmp_path, playbook(users_file=str(write_lines(tmp_path / "l.txt", users)),
                                             journal_path=str(journal), concurrency=4), cucm_env)
    try:
        # the header line, then 200 users done (attempt and outcome each), plus up to 4 attempts in flight
        # (concurrency 4) whose outcomes are not written yet: 405 lines hold at least 200 outcomes
        wait_for_lines(journal, 1 + 400 + 4, proc)
        sim.set_state({"cucm1": {"users": [{"userid": "axladmin", "password": "changed!", "roles": ["axl"]}]}})
        sim.expire_sessions()
        out, _err = proc.communicate(timeout=120)
    finally:
        stop(proc)
    assert proc.returncode != 0
    assert "authentication failed" in out and "run again with the same journal_path" in out
    log = revoke_log(sim)
    first_401 = next(i for i, r in enumerate(log) if r["status"] == 401)
    # after the first 401 only the requests in flight end (each may try its cookie, then Basic auth once)
    assert len(log) - first_401 <= 2 * 4, "requests after the first 401: %d" % (len(log) - first_401)
    done = [r for r in log if r["status"] == 200]
    lines = [json.loads(line) for line in journal.read_text().splitlines()[1:]]
    lines = [line for line in lines if "outcome" in line]          # attempts are journaled apart
    assert sorted(line["user"] for line in lines) == sorted(r["path"].split("=")[1] for r in done)
    assert 200 <= len(done) < 2000


def test_absent_token_table_fails_before_any_revoke_unless_the_fallback_is_allowed(
        sim, cucm_env, run_playbook, tmp_path):
    sim.set_state({"cucm1": {"absent_tables": ["refreshtokendetails", "enduser"]}})
    res, result = run(run_playbook, cucm_env, users=["jdoe", "nokens", "ghost"], axl_version="14.0")
    assert res.rc != 0
    message = res.task("revoke")["msg"]
    assert "cannot be asked which users hold live refresh tokens" in message and "fallback_revoke_all" in message
    assert revoke_log(sim) == []

    res, result = run(run_playbook, cucm_env, users=["jdoe", "nokens", "ghost"], axl_version="14.0",
                      return_results="all", fallback_revoke_all=True)
    assert res.rc == 0, res.describe()
    assert result["fallback_used"] is True and result["fallback_revokes"] == 3
    assert any("revoke was called for every user" in w and "(3 revoke calls)" in w
               for w in result.get("warnings", [])), result
    assert [(r["user"], r["outcome"]) for r in result["results"]] == [
        ("jdoe", "revoked"), ("nokens", "no_live_tokens"), ("ghost", "unknown_user")]
    assert sorted(r["path"] for r in revoke_log(sim)) == [
        "/ssosp/token/revoke?user_id=ghost", "/ssosp/token/revoke?user_id=jdoe", "/ssosp/token/revoke?user_id=nokens"]
    sql = [r for r in sim.get_requests() if r["operation"] == "executeSQLQuery"]
    assert len(sql) == 1 + 2              # the first run stopped at the first refusal; then each table once


def test_memory_faults_during_the_lookup_are_retried_and_never_revoke_everyone(sim, cucm_env, run_playbook,
                                                                               tmp_path):
    users = ["jdoe", "asmith", "user00001"] + ["ghost%03d" % n for n in range(200)]     # 203, 3 hold tokens
    sim.faults(axl_memory_queries=6)
    res, result = run(run_playbook, cucm_env, users=users, retries=2)
    assert res.rc == 0, res.describe()
    assert sim.faults().get("axl_memory_queries") == 0                  # every fault happened
    assert result["fallback_used"] is False and result["fallback_revokes"] == 0
    assert result["summary"]["revoked"] == 3 and result["summary"]["unknown_user"] == 200
    counters = sim.get_counters()
    assert counters["by_operation"]["revoke"] == 3 and counters["writes"] == 3


def test_memory_faults_that_persist_fail_the_task_clearly(sim, cucm_env, run_playbook, tmp_path):
    sim.faults(axl_memory_queries=1000)
    res, result = run(run_playbook, cucm_env, users=["jdoe", "asmith", "ghost"], retries=0)
    assert res.rc != 0
    message = res.task("revoke")["msg"]
    assert "stayed too busy" in message and "Maximum AXL Memory" in message and "raise retries" in message
    assert revoke_log(sim) == []


# -- answers lost, credentials changed, concurrent runs --------------------------------------------------------
def test_revoke_whose_answer_is_lost_is_reported_revoked_and_carried_out_once(
        sim, cucm_env, run_playbook, tmp_path):
    report = tmp_path / "report.jsonl"
    sim.faults(drop_after_write=1)
    res, result = run(run_playbook, cucm_env, users=["jdoe", "asmith", "nokens"], concurrency=1,
                      return_results="all", report_path=str(report))
    assert res.rc == 0, res.describe()
    assert sim.faults().get("drop_after_write") == 0
    jdoe = [r for r in revoke_log(sim) if r["path"].endswith("user_id=jdoe")]
    assert len(jdoe) == 1 and jdoe[0]["status"] is None and jdoe[0]["carried_out"] is True   # carried out once
    outcomes = dict((r["user"], (r["outcome"], r["tokens"])) for r in result["results"])
    assert outcomes == {"jdoe": ("revoked", 2), "asmith": ("revoked", 1), "nokens": ("no_live_tokens", 0)}
    assert result["changed"] is True and result["answers_lost"] == 1
    rows = dict((r["user"], r["outcome"]) for r in map(json.loads, report.read_text().splitlines()))
    assert rows["jdoe"] == "revoked"
    assert tokens_of(sim, "jdoe") == 0


def test_revoke_in_flight_when_killed_is_reported_revoked_on_resume(sim, cucm_env, run_playbook, tmp_path):
    journal = tmp_path / "journal.jsonl"
    args = dict(users=["jdoe", "asmith"], concurrency=1, journal_path=str(journal), return_results="all")
    sim.faults(latency_ms=4000)
    proc = start_playbook(tmp_path, playbook(**args), cucm_env)
    try:
        deadline = time.monotonic() + 120
        while '"attempt": true' not in (journal.read_text() if journal.exists() else ""):
            assert time.monotonic() < deadline and proc.poll() is None, "no attempt was journaled"
            time.sleep(0.05)
        # the attempt is journaled just before the request is sent: give a loaded machine a second to send it
        # (the simulator then holds it for the 4 s latency), and kill -9 while jdoe's revoke is on its way
        time.sleep(1.0)
        assert revoke_log(sim) == [], "the revoke was answered before the kill: the test proves nothing"
        kill_tree(proc)
        proc.wait(timeout=30)
    finally:
        stop(proc)
    deadline = time.monotonic() + 15                     # the simulator carries it out all the same
    while tokens_of(sim, "jdoe") and time.monotonic() < deadline:
        time.sleep(0.25)
    sim.faults(latency_ms=0)
    assert tokens_of(sim, "jdoe") == 0
    res, result = run(run_playbook, cucm_env, **args)
    assert res.rc == 0, res.describe()
    outcomes = dict((r["user"], (r["outcome"], r["tokens"], r["resumed"])) for r in result["results"])
    assert outcomes == {"jdoe": ("revoked", 2, True), "asmith": ("revoked", 1, False)}
    assert len([r for r in revoke_log(sim) if r["path"].endswith("user_id=jdoe")]) == 1


def test_five_parallel_runs_on_one_journal(sim, cucm_env, tmp_path):
    users = generated(1, GENERATED)
    leavers = write_lines(tmp_path / "leavers.txt", users)
    journal = tmp_path / "journal.jsonl"
    report = tmp_path / "report.jsonl"
    text = playbook(users_file=str(leavers), journal_path=str(journal), report_path=str(report))
    sim.faults(latency_ms=30)
    procs = [start_playbook(tmp_path / "run0", text, cucm_env)]
    try:
        wait_for_lines(journal, 20, procs[0])            # the first run holds the lock and revokes
        procs += [start_playbook(tmp_path / ("run%d" % n), text, cucm_env) for n in range(1, 5)]
        outputs = [proc.communicate(timeout=600)[0] for proc in procs]
    finally:
        for proc in procs:
            stop(proc)
    assert procs[0].returncode == 0, outputs[0]
    for proc, out in zip(procs[1:], outputs[1:]):
        assert proc.returncode != 0 and "is in use by another run (PID " in out and "started 20" in out, out
    lines = journal.read_text().splitlines()
    records = [json.loads(line) for line in lines]        # every line readable
    assert sum(1 for r in records if r.get("complete")) == 1
    ok = [r["path"] for r in revoke_log(sim) if r["status"] == 200]
    assert sorted(ok) == sorted("/ssosp/token/revoke?user_id=" + u for u in users)   # each revoked once
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    assert sorted(r["user"] for r in rows) == users and set(r["outcome"] for r in rows) == {"revoked"}


def test_header_only_csv_fails_unless_an_empty_list_is_fine(sim, cucm_env, run_playbook, tmp_path):
    leavers = tmp_path / "leavers.csv"
    leavers.write_text("userid,name\n")
    res, _result = run(run_playbook, cucm_env, users_file=str(leavers))
    assert res.rc != 0 and "yields no user ID" in res.task("revoke")["msg"]
    res, result = run(run_playbook, cucm_env, users_file=str(leavers), allow_empty=True)
    assert res.rc == 0 and result["summary"]["users"] == 0
    assert sim.get_requests() == []


CREDENTIALS_LAB = """
sim:
  log_max_entries: 200000
cucm:
  - name: cucm1
    token_seed: credentials
    users:
      - {userid: axladmin, password: "C1sco12345!", roles: [axl]}
    generate_users: {prefix: user, digits: 5, count: 4500, tokens_per_user: 1, clients: [jabber]}
"""


def failed_basic_logins(sim):
    return [r for r in sim.get_requests() if r["kind"] == "auth_failed" and "Authorization" in r["headers"]]


@pytest.mark.sim_lab(CREDENTIALS_LAB)
def test_password_changed_mid_run_costs_one_failed_login(sim, cucm_env, tmp_path):
    users = generated(1, 4500)
    journal = tmp_path / "journal.jsonl"
    sim.change_password("axladmin", "changed-by-the-identity-team", after_requests=1500)
    proc = start_playbook(tmp_path, playbook(users_file=str(write_lines(tmp_path / "l.txt", users)),
                                             journal_path=str(journal), concurrency=8), cucm_env)
    try:
        out, _err = proc.communicate(timeout=600)
    finally:
        stop(proc)
    assert proc.returncode != 0 and "authentication failed" in out
    assert len(failed_basic_logins(sim)) == 1, failed_basic_logins(sim)
    done = [r for r in revoke_log(sim) if r["status"] == 200]
    assert 1000 < len(done) < 4500


@pytest.mark.sim_lab(CREDENTIALS_LAB)
def test_expired_session_costs_one_new_login_for_the_run(sim, cucm_env, run_playbook, tmp_path):
    users = generated(1, 3000)
    sim.change_password("axladmin", helpers.CUCM_PASSWORD, after_requests=1000)   # same password: sessions end
    res, result = run(run_playbook, cucm_env, users_file=str(write_lines(tmp_path / "l.txt", users)),
                      concurrency=8)
    assert res.rc == 0, res.describe()
    assert result["summary"]["revoked"] == 3000
    assert sim.get_counters()["basic_auth"] == 2          # the first login and one after the sessions ended
    assert failed_basic_logins(sim) == []


# -- killed and resumed ---------------------------------------------------------------------------------------
def start_playbook(tmp_path: Path, text: str, env: dict) -> subprocess.Popen:
    """ansible-playbook in the background, in its own process group (run_playbook only runs to the end)."""
    work = tmp_path / "bg"
    work.mkdir(parents=True, exist_ok=True)
    (work / "playbook.yml").write_text(text)
    (work / "inventory.ini").write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n"
                                        % sys.executable)
    run_env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("CUCM_", "CUC_", "ANSIBLE_")))
    run_env.update(env)
    run_env.update({"ANSIBLE_COLLECTIONS_PATH": str(helpers.collections_path()), "ANSIBLE_NOCOLOR": "1",
                    "ANSIBLE_LOCAL_TEMP": str(work / "tmp"), "ANSIBLE_HOME": str(work / "home"),
                    "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "False"})
    cmd = helpers.ansible_playbook_command() + ["-i", str(work / "inventory.ini"), str(work / "playbook.yml")]
    return subprocess.Popen(cmd, cwd=str(work), env=run_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def wait_for_lines(path: Path, count: int, proc: subprocess.Popen, timeout: float = 120.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            lines = path.read_bytes().count(b"\n")
            if lines >= count:
                return lines
        if proc.poll() is not None:
            raise AssertionError("ansible-playbook ended early:\n%s" % proc.stdout.read())
        time.sleep(0.05)
    raise AssertionError("the journal did not reach %d lines in %ss" % (count, timeout))


process_tree = helpers.process_tree
kill_tree = helpers.kill_tree


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        kill_tree(proc)
    proc.wait(timeout=30)
    if proc.stdout:
        proc.stdout.close()


def test_killed_run_resumes_and_reports_each_user_once(sim, cucm_env, run_playbook, tmp_path):
    users = generated(1, GENERATED)
    leavers = write_lines(tmp_path / "leavers.txt", users)
    journal = tmp_path / "journal.jsonl"
    report = tmp_path / "report.jsonl"
    args = dict(users_file=str(leavers), journal_path=str(journal), report_path=str(report), concurrency=8)
    sim.faults(latency_ms=20)
    proc = start_playbook(tmp_path, playbook(**args), cucm_env)
    try:
        wait_for_lines(journal, GENERATED, proc)        # attempts and outcomes: about half the users done
        # ansible-playbook's group, and on ansible-core 2.19 and newer the worker's (setsid) with the module
        assert len(kill_tree(proc)) >= 1
        proc.wait(timeout=30)
        time.sleep(0.5)
    finally:
        stop(proc)
    assert proc.returncode == -signal.SIGKILL
    assert not report.exists()
    calls = len(revoke_log(sim))
    time.sleep(0.5)
    assert len(revoke_log(sim)) == calls                  # the module is dead too: no request since
    journaled = [json.loads(line)["user"] for line in journal.read_text().splitlines()[1:]
                 if line.endswith("}") and '"outcome"' in line]
    assert GENERATED // 3 <= len(journaled) < GENERATED
    revoked_before = len([r for r in revoke_log(sim) if r["status"] == 200])

    sim.faults(latency_ms=0)
    res, result = run(run_playbook, cucm_env, **args)
    assert res.rc == 0, res.describe()
    assert result["resumed"] >= len(journaled) - 1      # a torn last line is asked again
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    assert sorted(r["user"] for r in rows) == users                   # every user, each once
    outcomes = [r["outcome"] for r in rows]
    # revoked by either run; a user whose revoke was in flight when the process died is reported revoked too
    assert outcomes.count("revoked") == GENERATED
    holding = live_tokens_by_user(sim)
    assert not any(u in holding for u in users)
    revoked_paths = [r["path"] for r in revoke_log(sim) if r["status"] == 200]
    assert len(revoked_paths) == len(set(revoked_paths)) == GENERATED          # nobody revoked twice
    assert len(revoked_paths) - revoked_before == result["revoke_calls"]
    assert '"complete": true' in journal.read_text().splitlines()[-1]
