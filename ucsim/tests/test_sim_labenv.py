"""`ucsim labs`, the labs in `serve --help`, and STATE_DIR/env.sh: what `make sim` tells a user to export."""

import os
import shlex
import subprocess
import sys

from simhelp import start_simulator
from ucsim import lab as labmod
from ucsim.labenv import env_vars, write_env
from ucsim.server import KINDS


def run(*args):
    return subprocess.run([sys.executable, "-m", "ucsim"] + list(args), capture_output=True, text=True,
                          check=True).stdout


def test_labs_lists_every_shipped_lab_and_serve_help_names_them():
    names = [line.split()[0] for line in run("labs").splitlines()]
    assert names == ["audit", "cluster", "default", "multi"]
    assert "audit, cluster, default, multi" in " ".join(run("serve", "--help").split())


def test_env_names_each_kind_its_accounts_and_every_systems_ports(tmp_path):
    state = str(tmp_path)
    sim = start_simulator(labmod.load("audit", set(KINDS)), state)
    try:
        env = dict(env_vars(sim, state))
        path = write_env(sim, state)
    finally:
        sim.stop()
    assert env["CUCM_HOST"] == "127.0.0.1" and env["CUCM_PORT"] == sim.systems["cucm-a"].publisher.port
    assert (env["CUCM_USERNAME"], env["CUCM_PASSWORD"]) == ("axladmin", "C1sco12345!")
    assert (env["CUCM_SSH_USERNAME"], env["CUCM_SSH_PORT"]) == ("osadmin", sim.systems["cucm-a"].publisher.ports["ssh"])
    assert (env["CUC_USERNAME"], env["EXPRESSWAY_USERNAME"]) == ("cucadmin", "admin")   # not the read-only auditor
    assert env["EXPRESSWAY_PORT"] == sim.systems["expc-a"].publisher.ports["ssh"]
    assert env["UCSIM_CUCM_B_PORT"] == sim.systems["cucm-b"].publisher.port
    assert env["CUCM_CA_PATH"] == os.path.join(state, "ca.pem")
    assert env["EXPRESSWAY_KNOWN_HOSTS"] == os.path.join(state, "known_hosts")
    # the file a shell sources: every line an export, quoted ("C1sco12345!" has a "!")
    exported = {}
    for line in open(path).read().splitlines()[1:]:
        assert line.startswith("export ")
        key, _, value = shlex.split(line[len("export "):])[0].partition("=")
        exported[key] = value
    assert exported == dict((k, str(v)) for k, v in env.items())
    assert "COLLAB_UC_TIME_SCALE" not in env                   # a lab at real time: the collection waits as usual


def test_env_of_a_faster_lab_tells_the_collection_its_time_scale(tmp_path):
    for scale, text in ((20, "20"), (2.5, "2.5")):
        lab = labmod.parse({"sim": {"time_scale": scale}, "cucm": [{"name": "x"}]}, set(KINDS))
        sim = start_simulator(lab, str(tmp_path))
        try:
            assert dict(env_vars(sim, str(tmp_path)))["COLLAB_UC_TIME_SCALE"] == text
        finally:
            sim.stop()
