"""ucsim.client (the control API's Python client, the in-process and subprocess starts) and `ucsim ctl` on it."""

import json
import os
import ssl
import subprocess
import sys
import urllib.request

import pytest

from simhelp import Client as RawClient
from ucsim import cli, client
from ucsim.client import SimulatorError

LAB = {
    "cucm": [{"name": "c1", "nodes": [{"name": "c1-pub"}, {"name": "c1-sub", "role": "subscriber"}],
              "users": [{"userid": "axladmin", "password": "C1sco12345!", "roles": ["axl"]}],
              "platform": {"admins": [{"userid": "osadmin", "password": "Pl4tform-Adm1n!"}]},
              "end_users": [{"userid": "jdoe", "tokens": ["jabber", "uds"]}]}],
    "expressway": [{"name": "e1", "admins": [{"userid": "admin", "password": "Exp-Adm1n!"}]}],
}
SSO = "/ssosp/ws/public/singleSignOn"


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    with client.start(LAB, in_process=True, quiet=True, state_dir=tmp_path_factory.mktemp("ucsim-client")) as sim:
        yield sim


@pytest.fixture
def sim(running):
    running.reset()
    return running


def get(sim, path, node="c1-pub"):
    """A request of a client of the lab (not of the control API), to a node."""
    url = sim.node(node)["url"] + path
    with urllib.request.urlopen(url, context=ssl.create_default_context(cafile=sim.ca), timeout=10) as resp:
        return resp.status


def test_in_process_start_serves_the_lab_and_shows_its_inside(sim, running):
    assert isinstance(sim, client.SimulatorThread) and sim.running
    assert sim.simulator.systems["c1"].url == sim.url == sim.system("c1")["url"]
    assert [s["name"] for s in sim.systems()] == ["c1", "e1"]
    assert sim.system("expressway")["name"] == "e1" and sim.system()["name"] == "c1"
    assert [n["name"] for n in sim.nodes()] == ["c1-pub", "c1-sub"] and sim.node()["name"] == "c1-pub"
    assert sim.node("c1-sub")["role"] == "subscriber" and "ssh" in sim.node("e1")["ports"]
    with pytest.raises(SimulatorError, match="no system 'cuc'"):
        sim.system("cuc")
    with pytest.raises(SimulatorError, match="no node 'nope'"):
        sim.node("nope")
    # what `ucsim serve` writes: env.sh, known_hosts; the same lines over the control API
    env = sim.env()
    assert env["UCSIM_URL"] == sim.url and env["UCSIM_CA"] == sim.ca and env["CUCM_USERNAME"] == "axladmin"
    assert env["EXPRESSWAY_PORT"] == str(sim.node("e1")["ports"]["ssh"])
    assert sim.known_hosts.read_text() == sim.known_hosts_text() and sim.known_hosts_text().count("\n") == 3
    other = client.Client.from_state_dir(sim.state_dir)
    assert (other.url, other.ca) == (sim.url, sim.ca) and other.get_counters()["requests"] == 0


def test_log_counters_and_reset(sim):
    assert get(sim, SSO) == 200 and get(sim, SSO, node="c1-sub") == 200
    log = sim.get_requests()
    assert [(e["node"], e["path"]) for e in log] == [("c1-pub", SSO), ("c1-sub", SSO)]
    assert [e["node"] for e in sim.get_requests(node="c1-sub")] == ["c1-sub"]
    assert [e["node"] for e in sim.get_requests(system="c1", since=log[0]["id"])] == ["c1-sub"]
    assert sim.get_requests(system="e1") == []
    assert (sim.get_counters()["requests"], sim.get_counters("c1")["requests"],
            sim.get_counters(node="c1-sub")["requests"]) == (2, 2, 1)
    sim.set_state({"clear_tokens": True}, system="cucm")
    assert sim.state("c1")["tokens_by_user"] == {}
    assert sim.reset(state=False) == {"reset": True, "state": False}
    assert sim.get_requests() == [] and sim.state("c1")["tokens_by_user"] == {}   # the lab state is kept
    sim.reset()
    assert sim.state("c1")["tokens_by_user"] == {"jdoe": 2}                        # ... until state=True


def test_faults_sessions_passwords_and_state(sim):
    assert sim.faults() == {}
    shown = sim.faults(http_503_writes=2, system="c1")
    assert shown["http_503_writes"] == 2 and sim.faults()["system"] == "c1"
    sim.clear_faults()
    assert not sim.faults().get("http_503_writes")
    assert sim.expire_sessions(system="c1") == {"expired": 0}
    assert sim.change_password("axladmin", "N3w-Passw0rd!", system="cucm") == {
        "system": "c1", "userid": "axladmin", "after_requests": 0}
    assert sim.state("c1", user="jdoe")["user"]["token_count"] == 2
    assert sim.set_state({"e1": {"xconfiguration": {"CollaborationEdge OAuthLocal": "On"}}}) == {"patched": ["e1"]}
    assert sim.state("expressway")["xconfiguration"]["CollaborationEdge OAuthLocal"] == "On"
    # the simulator's refusal: its status and its words
    with pytest.raises(SimulatorError) as refused:
        sim.faults(no_such_fault=1)
    assert refused.value.status == 400 and "no_such_fault" in refused.value.answer
    with pytest.raises(SimulatorError, match="HTTP 404"):
        sim.request("GET", "/_sim/nothing")


def test_a_client_of_nothing_says_so(tmp_path):
    with pytest.raises(SimulatorError, match="env.sh cannot be read"):
        client.Client.from_state_dir(tmp_path)
    with pytest.raises(ValueError, match="https://HOST:PORT"):
        client.Client("http://127.0.0.1", "ca.pem")
    ca = tmp_path / "ca.pem"
    with client.start({"cucm": [{"name": "x"}]}, in_process=True, quiet=True, state_dir=tmp_path) as sim:
        url = sim.url
    assert not sim.running
    with pytest.raises(SimulatorError, match="does not answer"):
        client.Client(url, str(ca), timeout=2).get_counters()


def test_a_subprocess_start_stops_cleanly_and_reports_a_bad_lab(tmp_path):
    with client.start("cluster", state_dir=tmp_path / "good", quiet=True, timeout=60) as sim:
        assert isinstance(sim, client.SimulatorProcess) and sim.running and sim.process.pid
        assert [n["role"] for n in sim.nodes()] == ["publisher", "subscriber", "im_presence"]
        assert RawClient(sim.url, sim.ca).request("GET", SSO)[0] == 200
        assert sim.get_counters()["requests"] == 1
    assert sim.process.returncode == 0 and not sim.running
    with pytest.raises(SimulatorError, match=r"(?s)exit code 2.*boolean_style") as bad:
        client.start("cucm:\n  - name: x\n    boolean_style: yesno\n", state_dir=tmp_path / "bad", timeout=30)
    assert (tmp_path / "bad" / "lab.yml").is_file() and "ucsim.log" in str(bad.value)
    with pytest.raises(SimulatorError, match="does not exist"):
        client.start(str(tmp_path / "missing.yml"), state_dir=tmp_path / "missing")
    with pytest.raises(TypeError, match="subprocess only: timeout"):
        client.start(in_process=True, timeout=3)


def test_ucsim_ctl_calls_the_control_api_through_the_client(sim, capsys, monkeypatch):
    def ctl(*args, state_dir=str(sim.state_dir)):
        code = cli.main(["ctl", "--state-dir", state_dir] + list(args))
        out, err = capsys.readouterr()
        try:
            return code, json.loads(out), err
        except ValueError:
            return code, out, err

    get(sim, SSO)
    code, counters, _ = ctl("counters", "--system", "c1")
    assert code == 0 and counters["requests"] == 1
    assert ctl("requests", "--node", "c1-pub")[1][0]["path"] == SSO
    assert ctl("faults", '{"latency_ms": 5}')[1]["latency_ms"] == 5 and sim.faults()["latency_ms"] == 5
    assert ctl("clear-faults")[0] == 0 and not sim.faults().get("latency_ms")
    assert ctl("patch", '{"clear_tokens": true}', "--system", "c1")[1] == {"patched": ["c1"]}
    assert ctl("state", "c1", "--user", "jdoe")[1]["user"]["token_count"] == 0
    assert ctl("reset", "--keep-state")[1] == {"reset": True, "state": False}
    assert sim.state("c1")["tokens_by_user"] == {}
    assert ctl("reset")[1] == {"reset": True, "state": True} and sim.state("c1")["tokens_by_user"] == {"jdoe": 2}
    assert [s["name"] for s in ctl("systems")[1]] == ["c1", "e1"]
    assert ctl("known-hosts")[1] == sim.known_hosts_text()
    assert ctl("expire-sessions", "--node", "c1-sub")[1] == {"expired": 0}
    assert ctl("password", "axladmin", "An0ther!", "--after-requests", "3")[1]["after_requests"] == 3
    # by URL and CA, and from $UCSIM_STATE_DIR (what env.sh exports)
    get(sim, SSO)
    assert cli.main(["ctl", "--url", sim.url, "--ca", sim.ca, "counters"]) == 0
    assert json.loads(capsys.readouterr()[0])["requests"] == 1
    monkeypatch.setenv("UCSIM_STATE_DIR", str(sim.state_dir))
    assert cli.main(["ctl", "systems"]) == 0 and json.loads(capsys.readouterr()[0])[0]["name"] == "c1"
    # refusals: exit 1 and the simulator's words on stderr; usage errors exit 2
    code, _, err = ctl("patch", '{"nope": {}}')
    assert code == 1 and "no system 'nope'" in err
    code, _, err = ctl("faults", '{"no_such_fault": 1}')
    assert code == 1 and "HTTP 400" in err and "no_such_fault" in err
    assert cli.main(["ctl", "--url", sim.url, "counters"]) == 2
    assert cli.main(["ctl", "--state-dir", str(sim.state_dir)]) == 2
    with pytest.raises(SystemExit):
        cli.main(["ctl", "--state-dir", str(sim.state_dir), "faults", "[1]"])
    capsys.readouterr()


def test_help_names_every_product_command_and_lab():
    text = subprocess.run([sys.executable, "-m", "ucsim", "--help"], capture_output=True, text=True,
                          check=True).stdout
    for words in ("CUCM", "AXL", "Serviceability", "platform CLI over SSH", "Unity Connection", "CUPI",
                  "Expressway-C", "control API", "ucsim/README.md"):
        assert words in " ".join(text.split()), words
    commands = text.split("positional arguments:")[1].split("options:")[0].split()
    for command in ("serve", "check", "labs", "lab", "known-hosts", "ctl"):
        assert command in commands
    for lab in os.listdir(os.path.join(os.path.dirname(cli.__file__), "labs")):
        assert "\n  %s " % lab[:-4] in text
    assert cli.lab_description("cluster") == ("A CUCM cluster of three nodes (publisher, subscriber, IM and "
                                              "Presence) and a Unity Connection.")
