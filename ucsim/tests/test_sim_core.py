"""The transport-neutral core: log, counters, faults and sessions as any transport (HTTPS, SSH) uses them."""

import time

import pytest

from ucsim.clock import Clock
from ucsim.lab import LabError
from ucsim.transports.core import Core, check_login


class Obj:
    def __init__(self, name, system=None):
        self.name, self.system = name, system


@pytest.fixture
def core():
    k = Core(100)
    k.add_system("cucm", ["pub", "sub"])
    k.add_system("cuc", ["cuc"])
    return k


CUCM = Obj("cucm")
PUB, SUB = Obj("pub", CUCM), Obj("sub", CUCM)


def test_an_ssh_transport_records_into_the_same_log_and_counters(core):
    core.count(CUCM, "ssh_logins", node=PUB)
    core.record(CUCM, "ssh", "set key regen authz signing", "write", "ok", node=PUB, count=("ssh_commands",),
                write_attempt=True, user="admin")
    core.record(CUCM, "ssh", "login", "auth_failed", None, node=SUB, count=("ssh_login_failures",))
    core.record(CUCM, "https", "getCCMVersion", "read", 200, node=SUB, method="POST", path="/axl/")
    log = core.requests()
    assert [(e["transport"], e["node"], e["operation"], e["kind"], e["status"]) for e in log] == [
        ("ssh", "pub", "set key regen authz signing", "write", "ok"),
        ("ssh", "sub", "login", "auth_failed", None),
        ("https", "sub", "getCCMVersion", "read", 200)]
    assert log[0]["user"] == "admin" and log[2]["path"] == "/axl/"
    c = core.counters()
    assert {k: c[k] for k in ("requests", "reads", "writes", "write_attempts", "auth_failures", "ssh_logins",
                              "ssh_login_failures", "ssh_commands")} == {
        "requests": 3, "reads": 1, "writes": 1, "write_attempts": 1, "auth_failures": 1, "ssh_logins": 1,
        "ssh_login_failures": 1, "ssh_commands": 1}
    assert c["nodes"]["pub"]["ssh_commands"] == 1 and c["nodes"]["sub"]["ssh_commands"] == 0
    assert c["systems"]["cucm"]["requests"] == 3 and c["systems"]["cuc"]["requests"] == 0
    assert [e["id"] for e in core.requests(node="sub", since=log[1]["id"])] == [log[2]["id"]]
    core.reset()
    assert core.requests() == [] and core.counters()["ssh_logins"] == 0


def test_faults_are_consumed_per_key_and_scoped_to_a_system_or_node(core):
    core.register_fault("ssh_wrong_password")
    core.set_faults({"ssh_wrong_password": 1, "drop_after_write": 2, "system": "sub"})
    assert not core.fault_for(CUCM, "ssh_wrong_password", PUB)   # another node
    assert core.fault_for(CUCM, "ssh_wrong_password", SUB)
    assert not core.fault_for(CUCM, "ssh_wrong_password", SUB)   # consumed
    assert [core.fault_for(CUCM, "drop_after_write", SUB) for _ in range(3)] == [True, True, False]
    core.set_faults({"system": "cucm", "latency_ms": 250})
    assert core.latency(CUCM, PUB) == 0.25 and core.latency(Obj("cuc"), None) == 0
    for bad in ({"nope": 1}, {"drop_after_write": -1}, {"drop_after_write": True}, {"system": "x"}):
        with pytest.raises(LabError):
            core.set_faults(bad)
    core.clear_faults()
    assert core.get_faults() == {}


def test_every_fault_reading_follows_one_scope_rule_and_node_down_is_not_scoped(core):
    core.register_fault("ssh_login_delay_s", (int, float), counted=False)
    core.register_fault("everywhere", (int, float), counted=False, scoped=False)
    core.set_faults({"system": "cuc", "node_down": ["sub"], "ssh_login_delay_s": 3, "everywhere": 2,
                     "latency_ms": 100})
    assert core.node_down(SUB) and not core.node_down(PUB)           # names a CUCM node while system says cuc
    assert core.fault_value(CUCM, "ssh_login_delay_s", PUB) is None and core.latency(CUCM, PUB) == 0
    assert core.fault_value(Obj("cuc"), "ssh_login_delay_s") == 3 and core.latency(Obj("cuc")) == 0.1
    assert core.fault_value(CUCM, "everywhere", PUB) == 2
    core.set_faults({"node_down": "pub", "system": None})
    assert core.node_down(PUB) and not core.node_down(SUB) and core.latency(CUCM, SUB) == 0.1
    core.set_faults({"node_down": None})
    assert not core.node_down(PUB)
    for bad in ({"node_down": "nope"}, {"node_down": ["pub", 3]}):
        with pytest.raises(LabError):
            core.set_faults(bad)


def test_503_rate_is_seeded(core):
    core.set_faults({"http_503_rate": 0.5, "seed": 7})
    first = [core.fault_for(CUCM, "http_503_writes") for _ in range(20)]
    core.set_faults({"seed": 7})
    assert [core.fault_for(CUCM, "http_503_writes") for _ in range(20)] == first and any(first) and not all(first)


def test_logins_and_sessions_per_node(core):
    accounts = {"admin": ("pw", frozenset(["axl"]))}
    assert check_login(accounts, "admin", "pw", "axl") is None
    assert check_login(accounts, "admin", "bad", "axl") == "credentials"
    assert check_login(accounts, "nobody", "pw") == "credentials"
    assert check_login(accounts, "admin", "pw", "admin") == "role"
    sid = core.session_open(PUB, "admin")
    assert core.session_user(PUB, sid, 60) == "admin"
    assert core.session_user(SUB, sid, 60) is None          # sessions belong to one node
    assert core.session_user(PUB, sid, -1) is None          # idle longer than the timeout: gone
    assert core.session_user(PUB, sid, 60) is None
    core.session_open(PUB, "admin")
    core.session_open(SUB, "admin")
    assert core.expire_sessions(system="cucm", node="sub") == 1 and core.expire_sessions() == 1


def moved_clock(now, scale=1):
    """A lab clock whose real time is ``now[0]`` (the test moves it)."""
    return Clock(scale, monotonic=lambda: now[0])


def test_rate_limit_is_a_token_bucket_per_system_and_operation(core):
    now = [100.0]
    core.clock = moved_clock(now)
    core.set_faults({"rate_limit": {"rps": 2, "burst": 3, "operations": ["revoke", "executeSQLQuery"]}})
    took = [core.rate_refused(CUCM, "revoke", PUB) for _ in range(4)]
    assert took[:3] == [None, None, None] and took[3] == pytest.approx(0.5)   # burst 3, then 1 token per 0.5 s
    assert core.rate_refused(CUCM, "executeSQLQuery", PUB) is None   # a bucket of its own
    assert core.rate_refused(Obj("cuc"), "revoke", None) is None    # another system's bucket
    assert core.rate_refused(CUCM, "getCCMVersion", PUB) is None    # not a limited operation
    now[0] += 0.25
    assert core.rate_refused(CUCM, "revoke", PUB) == pytest.approx(0.25)  # a refusal takes none
    now[0] += 0.25
    assert core.rate_refused(CUCM, "revoke", PUB) is None
    core.clear_faults()
    lab = {"rate_limit": {"rps": 1, "burst": 1}}                                 # the lab setting, all operations
    assert core.rate_refused(CUCM, "x", PUB, lab) is None
    assert core.rate_refused(CUCM, "x", PUB, lab) == pytest.approx(1.0)
    for bad in ({"rps": 0}, {"rps": 1, "burst": 0}, {"rps": 1, "x": 1}, {"rps": 1, "operations": "revoke"}, []):
        with pytest.raises(LabError):
            core.set_faults({"rate_limit": bad})


def test_rate_limit_lab_setting_is_checked_and_applies_to_every_system():
    from ucsim import lab as labmod
    from ucsim.server import KINDS
    lab = labmod.parse({"sim": {"rate_limit": {"rps": 5, "burst": 2}}, "cucm": [{"name": "x"}]}, set(KINDS))
    assert lab.settings["rate_limit"] == {"rps": 5, "burst": 2}
    assert labmod.parse({"cucm": [{"name": "x"}]}, set(KINDS)).settings["rate_limit"] is None
    for bad in ({"rps": -1}, {"rps": 5, "burst": 1.5}, "fast"):
        with pytest.raises(LabError, match="rate_limit"):
            labmod.parse({"sim": {"rate_limit": bad}, "cucm": [{"name": "x"}]}, set(KINDS))
    now = [0.0]
    k = Core(10, clock=moved_clock(now))
    k.add_system("a", ["a"])
    k.add_system("b", ["b"])
    took = [k.rate_refused(Obj(name), "op", None, lab.settings) for name in "aaabb"]
    assert took[:2] == [None, None] and took[2] == pytest.approx(0.2) and took[3:] == [None, None]


def test_a_faster_clock_refills_the_bucket_and_ages_sessions_in_lab_seconds():
    """At time scale 10 a bucket of 2 tokens per lab second refills one token in 0.05 real seconds, and its
    refusal says how many lab seconds to wait (Retry-After); a session idle for 6 real seconds is idle for 60 lab
    seconds. Log times stay on the wall clock."""
    now = [0.0]
    k = Core(10, clock=moved_clock(now, scale=10))
    k.add_system("cucm", ["pub"])
    k.set_faults({"rate_limit": {"rps": 2, "burst": 1}})
    assert k.rate_refused(CUCM, "revoke", PUB) is None
    assert k.rate_refused(CUCM, "revoke", PUB) == pytest.approx(0.5)       # lab seconds
    now[0] += 0.025
    assert k.rate_refused(CUCM, "revoke", PUB) == pytest.approx(0.25)      # half a token came in 0.025 s
    now[0] += 0.025
    assert k.rate_refused(CUCM, "revoke", PUB) is None
    sid = k.session_open(PUB, "admin")
    now[0] += 5.9
    assert k.session_user(PUB, sid, 60) == "admin"                          # 59 lab seconds idle
    now[0] += 6.1
    assert k.session_user(PUB, sid, 60) is None                             # 61 lab seconds idle
    k.clock.set_scale(1)                                                    # back to real time: the same lab
    assert k.clock.ticks() == pytest.approx(120.5)                          # seconds go on from there
    sid = k.session_open(PUB, "admin")
    now[0] += 59
    assert k.session_user(PUB, sid, 60) == "admin"
    entry = k.record(CUCM, "https", "getCCMVersion", "read", 200, node=PUB)
    assert abs(entry["time"] - time.time()) < 5                             # the wall clock, not lab seconds
