"""The AWX / AAP credential types shipped in docs/aap/credential-types.yml: rendered as AWX renders injectors
(Jinja in a sandbox; inputs left empty are undefined, unticked booleans false, each file template written to a
file of its own and named by tower.filename.NAME), the environment they give is enough for the modules."""

from __future__ import annotations

import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from helpers import REPO_ROOT, CUCM_PASSWORD, CUCM_USERNAME, CUC_PASSWORD, CUC_USERNAME, EXPRESSWAY_PASSWORD, \
    EXPRESSWAY_USERNAME

TYPES = {t["name"]: t for t in yaml.safe_load((REPO_ROOT / "docs" / "aap" / "credential-types.yml").read_text())}


def inject(name, inputs, tmp_path):
    """The environment AWX gives a job for a credential of type NAME with these inputs."""
    ctype = TYPES[name]
    fields = ctype["inputs"]["fields"]
    assert set(inputs) <= {f["id"] for f in fields}
    assert set(ctype["inputs"]["required"]) <= set(inputs)
    namespace = dict(inputs)
    for field in fields:
        if field["type"] == "boolean":
            namespace.setdefault(field["id"], False)
    env = ImmutableSandboxedEnvironment()
    files = {}
    for key, template in ctype["injectors"].get("file", {}).items():
        path = tmp_path / ("awx-" + key.split(".", 1)[1])
        path.write_text(env.from_string(template).render(**namespace))
        files[key.split(".", 1)[1]] = str(path)
    namespace["tower"] = {"filename": files}
    return dict((k, env.from_string(v).render(**namespace)) for k, v in ctype["injectors"]["env"].items())


def info_playbook(module):
    return yaml.safe_dump([{"hosts": "localhost", "gather_facts": False,
                            "tasks": [{"name": "info", module: {}}]}])


@pytest.mark.matrix
def test_cucm_type_gives_the_modules_their_connection(sim, run_playbook, tmp_path):
    env = inject("collab.uc CUCM", {"cucm_host": sim.host, "cucm_port": str(sim.port), "cucm_username": CUCM_USERNAME,
                                    "cucm_password": CUCM_PASSWORD, "cucm_ca_cert": open(sim.ca).read()}, tmp_path)
    assert env["CUCM_VALIDATE_CERTS"] == "true" and env["CUCM_CA_PATH"].startswith(str(tmp_path))
    res = run_playbook(info_playbook("collab.uc.cucm_oauth_info"), env=env)
    assert res.rc == 0, res.describe()
    assert [e["operation"] for e in sim.get_requests()] == ["getCCMVersion", "executeSQLQuery", "singleSignOn"]


def test_cucm_type_defaults_verify_certificates_against_the_system_store(sim, run_playbook, tmp_path):
    env = inject("collab.uc CUCM", {"cucm_host": sim.host, "cucm_username": CUCM_USERNAME,
                                    "cucm_password": CUCM_PASSWORD}, tmp_path)
    assert env["CUCM_PORT"] == "8443" and env["CUCM_VALIDATE_CERTS"] == "true" and env["CUCM_CA_PATH"] == ""
    env["CUCM_PORT"] = str(sim.port)   # the simulator's port; its CA is in no system store
    res = run_playbook(info_playbook("collab.uc.cucm_oauth_info"), env=env)
    assert res.rc != 0
    assert "certificate" in res.output.lower()
    assert sim.get_requests() == []


def test_unity_connection_type_gives_the_modules_their_connection(sim, run_playbook, tmp_path):
    system = sim.system("cuc")
    env = inject("collab.uc Unity Connection", {
        "cuc_host": sim.host, "cuc_port": str(system["port"]), "cuc_username": CUC_USERNAME,
        "cuc_password": CUC_PASSWORD, "cuc_ca_cert": open(sim.ca).read()}, tmp_path)
    res = run_playbook(info_playbook("collab.uc.cuc_authz_server_info"), env=env)
    assert res.rc == 0, res.describe()
    assert sim.get_requests() and all(e["status"] == 200 for e in sim.get_requests())


@pytest.mark.matrix
def test_platform_cli_type_sets_the_ssh_connection_variables(tmp_path):
    env = inject("collab.uc CUCM platform CLI", {"cucm_ssh_username": "platform", "cucm_ssh_password": "secret",
                                                 "cucm_ssh_known_hosts": "cucm1 ssh-ed25519 AAAA\n"}, tmp_path)
    assert env["CUCM_SSH_USERNAME"] == "platform" and env["CUCM_SSH_PASSWORD"] == "secret"
    assert open(env["CUCM_SSH_KNOWN_HOSTS"]).read() == "cucm1 ssh-ed25519 AAAA\n"
    env = inject("collab.uc CUCM platform CLI", {"cucm_ssh_username": "platform", "cucm_ssh_password": "secret"},
                 tmp_path)
    assert env["CUCM_SSH_KNOWN_HOSTS"] == "~/.ssh/known_hosts"
    # CUCM_SSH_HOST is left out on purpose: the CLI modules default it to the CUCM host
    assert "CUCM_SSH_HOST" not in env


def test_expressway_type_gives_the_modules_their_connection(sim, run_playbook, tmp_path):
    node = sim.system("expressway")["nodes"][0]
    env = inject("collab.uc Expressway", {
        "expressway_host": node["address"], "expressway_port": str(node["ports"]["ssh"]),
        "expressway_username": EXPRESSWAY_USERNAME, "expressway_password": EXPRESSWAY_PASSWORD,
        "expressway_known_hosts": sim.known_hosts.read_text()}, tmp_path)
    assert open(env["EXPRESSWAY_KNOWN_HOSTS"]).read() == sim.known_hosts.read_text()   # checked, not skipped
    res = run_playbook(info_playbook("collab.uc.expressway_oauth"), env=env)
    assert not res.failed, res.describe()
    assert res.task("info")["result"]["settings"]["oauth_token_with_refresh"] is not None
    assert sim.get_counters()["writes"] == 0
    env = inject("collab.uc Expressway", {"expressway_host": "expc", "expressway_username": "a",
                                          "expressway_password": "b"}, tmp_path)
    assert env["EXPRESSWAY_PORT"] == "22" and env["EXPRESSWAY_KNOWN_HOSTS"] == "~/.ssh/known_hosts"
