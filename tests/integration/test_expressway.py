"""collab.uc.expressway_xconfiguration and collab.uc.expressway_oauth over SSH against ucsim's Expressway-C."""

from __future__ import annotations

import json

import pytest
import yaml

from helpers import expressway_discovery_lab, shipped_lab

SIM_LAB = shipped_lab("audit")
# expc-a without the assumed "with refresh" leaf, and with two leaves the collection does not know
NO_REFRESH_LAB = expressway_discovery_lab(extra={"CollaborationEdge SomeNewLeaf": "On",
                                                 "CollaborationEdge JabberTokenGrace": 30})
NO_REFRESH_LEAVES = "Enabled, OAuthLocal, LegacyCred, InternalAuthAvailability, SomeNewLeaf, JabberTokenGrace"
XCONF = "collab.uc.expressway_xconfiguration"
OAUTH = "collab.uc.expressway_oauth"


def playbook(*tasks, defaults=None):
    play = {"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": name, module: options, "ignore_errors": True} for name, module, options in tasks]}
    if defaults:
        play["module_defaults"] = {"group/collab.uc.expressway": defaults}
    return yaml.safe_dump([play])


def xconf(sim):
    return sim.state("expc-a")["xconfiguration"]


def ssh_ops(sim, kind=None):
    return [e["operation"] for e in sim.get_requests("expc-a")
            if e["transport"] == "ssh" and e["operation"] != "login" and (kind is None or e["kind"] == kind)]


@pytest.mark.matrix
def test_read_a_section_and_a_leaf_on_one_login(sim, run_playbook):
    run = run_playbook(playbook(("section", XCONF, {"path": "CollaborationEdge"}),
                                ("leaf", XCONF, {"path": "collaborationedge  oauthlocal"})),
                       env=sim.expressway_env())
    section = run.task("section")
    assert section["status"] == "ok", run.describe()
    values = section["result"]["xconfiguration"]
    assert values["CollaborationEdge OAuthLocal"] == "Off" and values["CollaborationEdge LegacyCred"] == "On"
    leaf = run.task("leaf")["result"]
    assert leaf["value"] == "Off" and leaf["changed"] is False and leaf["ssh_logins"] == 1
    assert sim.get_counters("expc-a")["writes"] == 0
    assert ssh_ops(sim) == ["xConfiguration CollaborationEdge", "xConfiguration collaborationedge oauthlocal"]


@pytest.mark.matrix
def test_set_is_idempotent_with_check_mode_and_diff(sim, run_playbook):
    task = ("set", XCONF, {"path": "CollaborationEdge OAuthLocal", "value": "On"})
    check = run_playbook(playbook(task), env=sim.expressway_env(), check=True, diff=True)
    res = check.task("set")
    assert res["status"] == "changed", check.describe()
    assert res["result"]["diff"] == {"before": {"CollaborationEdge OAuthLocal": "Off"},
                                     "after": {"CollaborationEdge OAuthLocal": "On"}}
    assert xconf(sim)["CollaborationEdge OAuthLocal"] == "Off" and ssh_ops(sim, "write") == []
    assert res["result"]["changes"] == [{"name": "CollaborationEdge OAuthLocal", "action": "updated", "before": "Off",
                                         "after": "On", "path": "CollaborationEdge OAuthLocal"}]
    first = run_playbook(playbook(task), env=sim.expressway_env())
    assert first.task("set")["status"] == "changed", first.describe()
    # path: the deprecated name of name, until 2.0.0
    assert first.task("set")["result"]["changes"] == [
        {"name": "CollaborationEdge OAuthLocal", "action": "updated", "before": "Off", "after": "On",
         "path": "CollaborationEdge OAuthLocal"}]
    assert first.task("set")["result"]["host"] == sim.expressway_env()["EXPRESSWAY_HOST"]
    assert xconf(sim)["CollaborationEdge OAuthLocal"] == "On"
    second = run_playbook(playbook(("set", XCONF, {"path": "CollaborationEdge OAuthLocal", "value": "on"})),
                          env=sim.expressway_env())
    assert second.task("set")["status"] == "ok", second.describe()
    assert second.task("set")["result"]["changes"] == []
    assert ssh_ops(sim, "write") == ["xConfiguration CollaborationEdge OAuthLocal: On"]


@pytest.mark.matrix
def test_settings_through_module_defaults_and_unquoted_yaml_on(sim, run_playbook):
    env = sim.expressway_env()
    defaults = {"ssh_host": env["EXPRESSWAY_HOST"], "ssh_port": int(env["EXPRESSWAY_PORT"]),
                "ssh_username": "admin", "ssh_password": "Exp-Adm1n!", "ssh_known_hosts": env["EXPRESSWAY_KNOWN_HOSTS"]}
    text = playbook(("many", XCONF, {"settings": {"CollaborationEdge OAuthWithRefresh": True,
                                                  "SystemUnit Name": "exp c 1"}}), defaults=defaults)
    run = run_playbook(text)
    res = run.task("many")
    assert res["status"] == "changed", run.describe()
    state = xconf(sim)
    assert state["CollaborationEdge OAuthWithRefresh"] == "On" and state["SystemUnit Name"] == "exp c 1"
    assert res["result"]["ssh_logins"] == 1


def test_errors_name_host_command_and_the_xapi_words(sim, run_playbook):
    run = run_playbook(playbook(("bad value", XCONF, {"path": "CollaborationEdge OAuthLocal", "value": "Maybe"}),
                                ("bad path", XCONF, {"path": "CollaborationEdge NoSuch", "value": "On"}),
                                ("read only", XCONF, {"path": "CollaborationEdge OAuthLocal", "value": "On",
                                                      "ssh_username": "auditor", "ssh_password": "Exp-Aud1t!"})),
                       env=sim.expressway_env())
    bad = run.task("bad value")
    assert bad["status"] == "failed"
    msg = bad["result"]["msg"]
    host = sim.expressway_env()["EXPRESSWAY_HOST"]
    assert "Invalid value Maybe" in msg and host in msg and "xConfiguration CollaborationEdge OAuthLocal: Maybe" in msg
    assert "no xConfiguration setting CollaborationEdge NoSuch" in run.task("bad path")["result"]["msg"]
    assert "read-write" in run.task("read only")["result"]["msg"]
    assert xconf(sim)["CollaborationEdge OAuthLocal"] == "Off"
    assert sim.get_counters("expc-a")["writes"] == 0


def test_wrong_password_once_and_unknown_host_key_refused(sim, run_playbook, tmp_path):
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    run = run_playbook(playbook(("wrong", XCONF, {"path": "CollaborationEdge", "ssh_password": "nope"}),
                                ("unknown key", XCONF, {"path": "CollaborationEdge",
                                                        "ssh_known_hosts": str(empty)})),
                       env=sim.expressway_env())
    assert "authentication failed" in run.task("wrong")["result"]["msg"]
    assert "not in" in run.task("unknown key")["result"]["msg"]
    counters = sim.get_counters("expc-a")
    assert counters["ssh_login_failures"] == 1 and counters["ssh_logins"] == 0
    assert "nope" not in run.stdout + run.stderr


def test_drop_after_the_set_is_not_repeated(sim, run_playbook):
    sim.faults(drop_after_write=1, system="expc-a")
    run = run_playbook(playbook(("set", XCONF, {"path": "CollaborationEdge OAuthLocal", "value": "On"})),
                       env=sim.expressway_env())
    res = run.task("set")
    assert res["status"] == "changed", run.describe()
    assert res["result"]["ssh_logins"] == 2
    assert ssh_ops(sim, "write") == ["xConfiguration CollaborationEdge OAuthLocal: On"]
    assert xconf(sim)["CollaborationEdge OAuthLocal"] == "On"


def test_oauth_reads_seed_003_state_then_makes_expressway_agree(sim, run_playbook):
    read = run_playbook(playbook(("read", OAUTH, {})), env=sim.expressway_env())
    res = read.task("read")["result"]
    assert res["settings"] == {"oauth_token_with_refresh": False, "oauth_token": False, "user_credentials": True}
    assert res["version"] == "X14.2.1" and res["meets_refresh_minimum"] is True and res["changed"] is False
    task = ("agree", OAUTH, {"oauth_token_with_refresh": True, "oauth_token": True})
    check = run_playbook(playbook(task), env=sim.expressway_env(), check=True, diff=True)
    out = check.task("agree")["result"]
    assert out["changed"] and out["diff"]["before"] == {"oauth_token_with_refresh": "Off", "oauth_token": "Off"}
    assert ssh_ops(sim, "write") == []
    apply = run_playbook(playbook(task), env=sim.expressway_env())
    assert apply.task("agree")["status"] == "changed", apply.describe()
    assert apply.task("agree")["result"]["settings"]["oauth_token_with_refresh"] is True
    assert [(c["name"], c["action"], c["before"], c["after"], c["setting"])
            for c in apply.task("agree")["result"]["changes"]] == [
        ("oauth_token_with_refresh", "updated", "Off", "On", "oauth_token_with_refresh"),
        ("oauth_token", "updated", "Off", "On", "oauth_token")]
    state = xconf(sim)
    assert state["CollaborationEdge OAuthWithRefresh"] == "On" and state["CollaborationEdge OAuthLocal"] == "On"
    again = run_playbook(playbook(task), env=sim.expressway_env())
    assert again.task("agree")["status"] == "ok", again.describe()
    assert again.task("agree")["result"]["changes"] == []
    assert len(ssh_ops(sim, "write")) == 2


def test_oauth_refresh_setting_name_is_an_option(sim, run_playbook):
    run = run_playbook(playbook(("other name", OAUTH, {"refresh_setting_name": "OAuthRefreshElsewhere"}),
                                ("set other", OAUTH, {"refresh_setting_name": "OAuthRefreshElsewhere",
                                                      "oauth_token_with_refresh": True})),
                       env=sim.expressway_env())
    read = run.task("other name")["result"]
    assert read["settings"]["oauth_token_with_refresh"] is None
    assert any("refresh_setting_name" in w for w in read.get("warnings", []))
    assert "no xConfiguration setting CollaborationEdge OAuthRefreshElsewhere" in run.task("set other")["result"]["msg"]
    assert sim.get_counters("expc-a")["writes"] == 0


@pytest.mark.sim_lab(NO_REFRESH_LAB)
@pytest.mark.parametrize("check", [False, True], ids=["apply", "check_mode"])
def test_oauth_without_the_assumed_leaf_fails_before_any_write_naming_the_leaves_found(sim, run_playbook, check):
    task = ("agree", OAUTH, {"oauth_token_with_refresh": True, "oauth_token": True})
    run = run_playbook(playbook(task), env=sim.expressway_env(), check=check)
    res = run.task("agree")
    assert res["status"] == "failed", run.describe()
    msg = res["result"]["msg"]
    assert "no xConfiguration setting CollaborationEdge OAuthWithRefresh" in msg, msg
    assert "section shows 6 leaves: " + NO_REFRESH_LEAVES in msg, msg
    assert "refresh_setting_name" in msg and "assumption" in msg and "nothing was written" in msg, msg
    # the section was read first; nothing was set, not even OAuthLocal, which the Expressway does show
    assert ssh_ops(sim)[0] == "xConfiguration CollaborationEdge", ssh_ops(sim)
    assert ssh_ops(sim, "write") == [] and sim.get_counters("expc-a")["writes"] == 0
    assert sim.state("expc-a")["xconfiguration_writes"] == 0
    assert xconf(sim)["CollaborationEdge OAuthLocal"] == "Off"
    assert not [op for op in ssh_ops(sim) if "OAuthWithRefresh" in op], ssh_ops(sim)


@pytest.mark.sim_lab(NO_REFRESH_LAB)
def test_oauth_reads_what_the_expressway_shows_and_sets_only_leaves_it_shows(sim, run_playbook):
    run = run_playbook(playbook(("read", OAUTH, {}), ("set shown", OAUTH, {"oauth_token": True}),
                                ("xconf", XCONF, {"settings": {"CollaborationEdge OAuthWithRefresh": "On"}})),
                       env=sim.expressway_env())
    read = run.task("read")["result"]
    assert read["settings"] == {"oauth_token_with_refresh": None, "oauth_token": False, "user_credentials": True}
    assert read["absent"] == ["oauth_token_with_refresh"]
    assert read["leaves"] == NO_REFRESH_LEAVES.split(", ")
    assert read["xconfiguration"]["CollaborationEdge SomeNewLeaf"] == "On"
    assert any(NO_REFRESH_LEAVES in w for w in read.get("warnings", [])), read.get("warnings")
    shown = run.task("set shown")
    assert shown["status"] == "changed", run.describe()
    assert shown["result"]["settings"]["oauth_token_with_refresh"] is None
    failed = run.task("xconf")["result"]["msg"]
    assert "no xConfiguration setting CollaborationEdge OAuthWithRefresh" in failed and NO_REFRESH_LEAVES in failed
    assert ssh_ops(sim, "write") == ["xConfiguration CollaborationEdge OAuthLocal: On"]


# -- issue 17: values are typed only in printable ASCII, in the type their setting takes ---------------------------
def json_playbook(*tasks):
    # JSON (a YAML subset) keeps every character escaped as \uXXXX
    return json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": name, module: options, "ignore_errors": True} for name, module, options in tasks]}],
        ensure_ascii=True) + "\n"


OAUTH_LOCAL = "CollaborationEdge OAuthLocal"
# On the old code the first three set another setting than the one given (the CLI's line editor acts on DEL,
# Ctrl-C, Ctrl-U before the xAPI sees the line): LegacyCred instead of OAuthLocal, SystemUnit Name twice.
HOSTILE_VALUES = {
    "del": "\x7f" * len("OAuthLocal: ") + "LegacyCred:Off",
    "ctrl_c": "\x03xConfiguration SystemUnit Name: pwned",
    "ctrl_u": "\x15xConfiguration SystemUnit Name: pwned2",
    "backspace": "\b" * len("OAuthLocal: ") + "LegacyCred:Off",
    "esc": "On\x1b[A",
    "tab": "On\t",
    "nul": "On\x00",
    "nel": "On\x85xConfiguration SystemUnit Name: x",
    "line_separator": "On\u2028xConfiguration SystemUnit Name: x",
    "lf": "On\nxConfiguration SystemUnit Name: x",
}


def test_values_the_line_editor_would_act_on_are_refused_before_the_login(sim, run_playbook):
    before = xconf(sim)
    tasks = [(name, XCONF, {"path": OAUTH_LOCAL, "value": value}) for name, value in HOSTILE_VALUES.items()]
    tasks += [("settings", XCONF, {"settings": {"SystemUnit Name": "ok", OAUTH_LOCAL: "\x7f\x7fOn"}}),
              ("dict", XCONF, {"settings": {"SystemUnit Name": {"a": "b"}}}),
              ("list", XCONF, {"settings": {OAUTH_LOCAL: ["On"]}}),
              ("null", XCONF, {"settings": {OAUTH_LOCAL: None}}),
              ("dict value", XCONF, {"path": "SystemUnit Name", "value": {"a": "b"}})]
    run = run_playbook(json_playbook(*tasks), env=sim.expressway_env())
    for name in HOSTILE_VALUES:
        res = run.task(name)
        assert res["status"] == "failed" and res["changed"] is False, (name, run.describe())
        if "\x00" in HOSTILE_VALUES[name] and "embedded null character" in res["msg"]:
            continue  # ansible-core 2.20 and later refuse a NUL themselves before the module runs (syslog)
        assert "the value of CollaborationEdge OAuthLocal holds U+" in res["msg"], (name, res["msg"])
        assert "Nothing was sent" in res["msg"]
    assert "the value of CollaborationEdge OAuthLocal holds U+007F (DEL)" in run.task("settings")["msg"]
    assert "the value of SystemUnit Name is a dictionary" in run.task("dict")["msg"]
    assert "the value of SystemUnit Name is a dictionary" in run.task("dict value")["msg"]
    assert "the value of CollaborationEdge OAuthLocal is a list" in run.task("list")["msg"]
    assert "the value of CollaborationEdge OAuthLocal is missing" in run.task("null")["msg"]
    assert xconf(sim) == before
    assert [e for e in sim.get_requests("expc-a") if e["transport"] == "ssh"] == []
    assert sim.get_counters("expc-a")["ssh_logins"] == 0


def test_values_are_checked_against_the_type_of_their_setting(sim, run_playbook):
    before = xconf(sim)
    run = run_playbook(playbook(
        ("bool for a string", XCONF, {"settings": {"SystemUnit Name": True}}),
        ("bool for a number", XCONF, {"settings": {"Administration TimeOut": True}}),
        ("number for on/off", XCONF, {"settings": {OAUTH_LOCAL: 1}}),
        ("number for a string", XCONF, {"settings": {"SystemUnit Name": 5, OAUTH_LOCAL: "On"}}),
    ), env=sim.expressway_env())
    for name, words in (("bool for a string", 'SystemUnit Name holds "'),
                        ("bool for a number", "Administration TimeOut holds 30, not one of two words"),
                        ("number for on/off", "give On or Off, not the number 1"),
                        ("number for a string", "SystemUnit Name is a string setting")):
        res = run.task(name)
        assert res["status"] == "failed" and words in res["msg"] and "nothing was set" in res["msg"], (name, res)
    assert xconf(sim) == before and ssh_ops(sim, "write") == []
    good = run_playbook(playbook(("number", XCONF, {"settings": {"Administration TimeOut": 45, OAUTH_LOCAL: True}})),
                        env=sim.expressway_env())
    assert good.task("number")["status"] == "changed", good.describe()
    assert xconf(sim)["Administration TimeOut"] == "45" and xconf(sim)[OAUTH_LOCAL] == "On"


def test_ssh_host_of_the_expressway_is_validated_before_anything_is_sent(sim, run_playbook):
    run = run_playbook(playbook(("long", XCONF, {"path": "CollaborationEdge", "ssh_host": "e" * 70 + ".example.com"}),
                                ("url", XCONF, {"path": "CollaborationEdge", "ssh_host": "https://expc1/"})),
                       env=sim.expressway_env())
    assert "ssh_host" in run.task("long")["msg"] and "longer than 63" in run.task("long")["msg"]
    assert "ssh_host" in run.task("url")["msg"] and "is a URL" in run.task("url")["msg"]
    assert [e for e in sim.get_requests("expc-a") if e["transport"] == "ssh"] == []
