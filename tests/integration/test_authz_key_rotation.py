"""The role collab.uc.authz_key_rotation and the playbook collab.uc.authz_key_rotate against the simulator's default
lab (cucm1: a publisher, a subscriber and an IM and Presence node; Unity Connection cuc1 with two AuthZ servers
pointing at cucm1): a full rotation, a run killed right after the regeneration and one killed in the middle of
the restarts (each run again), check mode, and a second run after a completed rotation. Every test checks what
the simulator saw: key regenerations (state), restarts per node and service (counters, history), syncs (request
log), and the reports."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import helpers

PLAYBOOK = "- ansible.builtin.import_playbook: collab.uc.authz_key_rotate\n"
ROLE = "collab.uc.authz_key_rotation : "
PLAN_TASK = ROLE + "Show the plan"
REGEN_TASK = ROLE + "Regenerate the AuthZ keys on the publisher, only while they are the ones read before"
SYNC_TASK = ROLE + "Sync the AuthZ keys of the servers that point at the rotated clusters"
CCM = "Cisco CallManager"
XCP = "Cisco XCP Authentication Service"
# Cisco Tomcat is restarted through the platform CLI (see the module collab.uc.cucm_service)
SERVICES = {"cucm": [CCM], "im_presence": [XCP]}
NODES = {"cucm1-sub1": "cucm", "cucm1-imp1": "im_presence", "cucm1-pub": "cucm"}
ROLLING = ["cucm1-sub1", "cucm1-imp1", "cucm1-pub"]
SERVERS = ("cucm1", "cucm1 by address")


OLD_SYNC = "Passed - Nov 30,2026 07:00:53 AM GMT"


def prepare(sim):
    """Two AuthZ servers of cuc1 pointing at cucm1 (by a host name of its publisher and by its address), last
    synced before the rotation; then the counters and the log start from zero."""
    port = sim.system("cucm1")["port"]
    servers = [{"DisplayName": SERVERS[0], "ServerNodeAddress": "cucm1.lab.local", "Port": port,
                "ServerUsername": "axladmin", "ServerPassword": "C1sco12345!"},
               {"DisplayName": SERVERS[1], "ServerNodeAddress": sim.node("cucm1-pub")["address"], "Port": port,
                "ServerUsername": "axladmin", "ServerPassword": "C1sco12345!"}]
    sim.set_state({"cuc1": {"authz_servers": servers}})
    sim.set_state({"cuc1": {"authz_server_status": dict.fromkeys(SERVERS, OLD_SYNC)}})
    sim.reset(state=False)


def inventory(sim, state_dir: Path, services=None, **cluster_vars) -> str:
    """INI inventory in the documented layout: cucm1 in cucm_clusters, cuc1 in cuc_systems serving it, the
    connections as inventory variables (the playbook turns them into module_defaults)."""
    pub = sim.node("cucm1-pub")
    cluster = {"ansible_host": pub["address"], "cucm_port": sim.system("cucm1")["port"], "cucm_username": "axladmin",
               "cucm_password": "C1sco12345!", "cucm_ca_path": sim.ca, "cucm_ssh_port": pub["ports"]["ssh"],
               "cucm_ssh_username": "osadmin", "cucm_ssh_password": "Pl4tform-Adm1n!",
               "cucm_ssh_known_hosts": str(sim.known_hosts), "oauth_refresh_login_authz_password": "C1sco12345!",
               "authz_key_rotation_cluster_addresses": ["cucm1.lab.local"]}
    cluster.update(cluster_vars)
    cuc = sim.system("cuc1")
    connection = {"ansible_host": cuc["address"], "cuc_port": cuc["port"], "cuc_username": "cucadmin",
                  "cuc_password": "C1sco12345!", "cuc_ca_path": sim.ca, "oauth_refresh_login_serves": ["cucm1"]}

    def line(name, values):
        return " ".join([name] + [shlex.quote("%s=%s" % (k, v if isinstance(v, str) else json.dumps(v)))
                                  for k, v in values.items()])

    return "\n".join([
        "[all:vars]", "ansible_connection=local", "ansible_python_interpreter=%s" % sys.executable,
        "authz_key_rotation_state_dir=%s" % state_dir,
        "authz_key_rotation_services=%s" % json.dumps(SERVICES if services is None else services),
        "", "[cucm_clusters]", line("cucm1", cluster), "", "[cuc_systems]", line("cuc1", connection), ""])


def test_smoke(sim, run_playbook, tmp_path):
    prepare(sim)
    res = run_playbook(PLAYBOOK, inventory=inventory(sim, tmp_path / "state"))
    print(res.describe())
    print(res.output)
    assert res.rc == 0
