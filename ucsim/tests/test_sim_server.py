import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
import tracemalloc

import pytest

from simhelp import Client, HERE
from ucsim import lab as labmod
from ucsim.server import KINDS, Simulator


def start(tmp_path, *extra):
    proc = subprocess.Popen([sys.executable, "-m", "ucsim", "serve", "--lab", os.path.join(HERE, "lab.yml"),
                             "--listen", "127.0.0.1:0", "--state-dir", str(tmp_path), "--quiet", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    return proc, line


def test_cli_ready_line_tls_and_sigterm(tmp_path):
    proc, line = start(tmp_path)
    try:
        m = re.fullmatch(r"ready https://127\.0\.0\.1:(\d+) ca=(\S+)\n", line)
        assert m, line
        assert m.group(2) == os.path.join(str(tmp_path), "ca.pem") and os.path.isabs(m.group(2))
        port = int(m.group(1))
        ctx = ssl.create_default_context(cafile=m.group(2))
        for name in ("127.0.0.1", "localhost", "cucm1.test"):
            with socket.create_connection(("127.0.0.1", port)) as s:
                with ctx.wrap_socket(s, server_hostname=name) as t:
                    assert t.version() in ("TLSv1.2", "TLSv1.3")
        status, _, data = Client("https://127.0.0.1:%d" % port, m.group(2)).request(
            "GET", "/ssosp/ws/public/singleSignOn")
        assert status == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "futurekind" in err  # unknown kinds are reported, not fatal
    ca1 = open(os.path.join(str(tmp_path), "ca.pem")).read()
    cert1 = open(os.path.join(str(tmp_path), "cucm1.pem")).read()
    proc, line = start(tmp_path)  # reuses CA and certificates
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=10)
    assert line.startswith("ready ") and proc.returncode == 0
    assert open(os.path.join(str(tmp_path), "ca.pem")).read() == ca1
    assert open(os.path.join(str(tmp_path), "cucm1.pem")).read() == cert1


def test_bad_lab(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("cucm:\n  - name: x\n    boolean_style: yesno\n")
    r = subprocess.run([sys.executable, "-m", "ucsim", "serve", "--lab", str(bad), "--listen", "127.0.0.1:0",
                        "--state-dir", str(tmp_path)], capture_output=True, text=True, timeout=20)
    assert r.returncode == 2 and "boolean_style" in r.stderr and r.stdout == ""


def test_time_scale_from_the_lab_or_the_command_line_and_its_bounds(tmp_path):
    """sim.time_scale in the lab (1 by default, 1 to 1000), --time-scale over it; GET /_sim/clock tells; stderr
    says what clients set; a scale out of range is refused before anything listens."""
    lab = labmod.parse({"sim": {"time_scale": 20}, "cucm": [{"name": "x"}]}, set(KINDS))
    assert lab.settings["time_scale"] == 20.0
    assert labmod.parse({"cucm": [{"name": "x"}]}, set(KINDS)).settings["time_scale"] == 1
    for bad in (0, 0.5, 1001, "fast", True):
        with pytest.raises(labmod.LabError, match="time_scale"):
            labmod.parse({"sim": {"time_scale": bad}, "cucm": [{"name": "x"}]}, set(KINDS))
    assert Simulator(lab, str(tmp_path), quiet=True).clock.scale == 20
    assert Simulator(lab, str(tmp_path), quiet=True, time_scale=2.5).clock.scale == 2.5
    proc, line = start(tmp_path, "--time-scale", "25")
    try:
        m = re.fullmatch(r"ready (\S+) ca=(\S+)\n", line)
        assert m, line
        status, _, data = Client(m.group(1), m.group(2)).request("GET", "/_sim/clock")
        assert status == 200 and json.loads(data)["time_scale"] == 25
        assert "export COLLAB_UC_TIME_SCALE=25\n" in open(os.path.join(str(tmp_path), "env.sh")).read()
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    assert "25 times faster than real time" in err and "COLLAB_UC_TIME_SCALE=25" in err
    r = subprocess.run([sys.executable, "-m", "ucsim", "serve", "--time-scale", "0", "--listen", "127.0.0.1:0",
                        "--state-dir", str(tmp_path)], capture_output=True, text=True, timeout=20)
    assert r.returncode == 2 and "--time-scale must be a number from 1 to 1000" in r.stderr and r.stdout == ""


def test_ports_follow_file_order(tmp_path):
    lab = labmod.load(os.path.join(HERE, "lab.yml"), set(KINDS))
    for _ in range(5):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base > 65000:
            continue
        sim = Simulator(lab, str(tmp_path), quiet=True)
        try:
            url = sim.start("127.0.0.1", base)
        except OSError:
            continue
        try:
            assert url == "https://127.0.0.1:%d" % base
            assert [s.port for s in sim.systems.values()] == [base, base + 1, base + 2]
        finally:
            sim.stop()
        return
    pytest.skip("no free port range")


def test_large_lab_loads_fast_and_small(tmp_path):
    data = {"cucm": [{"name": "big", "users": [{"userid": "a", "password": "p", "roles": ["axl"]}],
                      "generate_users": {"prefix": "user", "count": 100000, "tokens_per_user": 1,
                                         "clients": ["jabber"]}}]}
    tracemalloc.start()
    t0 = time.monotonic()
    lab = labmod.parse(data, set(KINDS))
    sim = Simulator(lab, str(tmp_path), quiet=True)
    took = time.monotonic() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert took < 1.0 and peak < 20 * 1024 * 1024
    st = sim.systems["big"].state
    assert st.token_count() == 100000
    assert [t.clientid for t in st.tokens_of("user99999")]
    assert st.revoke("user99999")[0].userid == "user99999" and st.token_count() == 99999
    assert st.revoke("user100001") is None
