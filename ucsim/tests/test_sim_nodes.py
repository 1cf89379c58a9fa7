"""Clusters of nodes: each node on its own loopback address, sharing the cluster's state (lab cluster.yml)."""

import json
import socket
import socketserver

import pytest

from simhelp import Client, clients, find, sp, start_simulator
from ucsim import lab as labmod
from ucsim.lab import LabError
from ucsim import server
from ucsim.server import KINDS, Simulator

NODES = ["cucm-pub", "cucm-sub1", "imp-pub"]
CUC_ADMIN = ("cucadmin", "C1sco12345!")
LIST_NODES = ("<searchCriteria><name>%</name></searchCriteria>"
              "<returnedTags><name/><description/><nodeUsage/><processNodeRole/></returnedTags>")


@pytest.fixture(scope="module")
def nsim(tmp_path_factory):
    s = start_simulator(labmod.load("cluster", set(KINDS)), str(tmp_path_factory.mktemp("ucsim-nodes")))
    yield s
    s.stop()


@pytest.fixture
def node_client(nsim):
    """make(node name) -> Client of that node; state, log, counters and faults reset first."""
    gen = clients(lambda name: nsim.nodes[name].url, nsim.cafile)
    make = next(gen)
    make("cucm-pub").json("POST", "/_sim/reset", {"state": True})
    yield make
    next(gen, None)


def test_systems_list_nodes_on_their_own_addresses_and_one_port(nsim, node_client):
    _, systems = node_client("cucm-pub").json("GET", "/_sim/systems")
    cucm = systems[0]
    assert [n["name"] for n in cucm["nodes"]] == NODES
    assert [n["role"] for n in cucm["nodes"]] == ["publisher", "subscriber", "im_presence"]
    assert [n["address"] for n in cucm["nodes"]] == ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    assert len({n["port"] for n in cucm["nodes"]}) == 1 and cucm["port"] == cucm["nodes"][0]["port"]
    assert all(n["cluster"] == "cucm" and n["url"] == "https://%s:%d" % (n["address"], n["port"])
               for n in cucm["nodes"])
    assert cucm["url"] == cucm["nodes"][0]["url"]  # a cluster's URL is its publisher's
    cuc = systems[1]  # a system without `nodes:` is one publisher node on --listen's address, named as it
    assert [(n["name"], n["role"], n["address"]) for n in cuc["nodes"]] == [("cuc1", "publisher", "127.0.0.1")]


def test_each_node_answers_on_its_address_with_a_certificate_for_it(nsim, node_client):
    for name in NODES:  # Client verifies the certificate against the address it connects to
        status, _, root = node_client(name).axl("getCCMVersion", ns_version="1.0")
        assert status == 200, name
    _, log = node_client("cucm-pub").json("GET", "/_sim/requests")
    assert [(e["system"], e["node"], e["transport"]) for e in log] == [("cucm", n, "https") for n in NODES]
    _, counters = node_client("cucm-pub").json("GET", "/_sim/counters")
    assert counters["systems"]["cucm"]["reads"] == 3
    assert [counters["nodes"][n]["reads"] for n in NODES] == [1, 1, 1]
    _, log = node_client("cucm-pub").json("GET", "/_sim/requests?node=cucm-sub1")
    assert [e["node"] for e in log] == ["cucm-sub1"]


def test_nodes_share_the_cluster_state(node_client):
    pub, sub = node_client("cucm-pub"), node_client("cucm-sub1")
    assert pub.axl("updateServiceParameter", sp("refreshTokenExpiryTimer", "30"))[0] == 200
    _, _, root = sub.axl("getServiceParameter", sp("refreshTokenExpiryTimer"))
    assert find(root, "return/serviceParameter/value").text == "30"
    _, state = sub.json("GET", "/_sim/state?system=cucm")
    assert state["refresh_token_count"] == 0  # the timer change revoked the cluster's tokens


def test_sessions_are_per_node(node_client):
    pub, sub = node_client("cucm-pub"), node_client("cucm-sub1")
    assert pub.axl("getCCMVersion", ns_version="1.0")[0] == 200 and pub.cookie
    assert pub.axl("getCCMVersion", ns_version="1.0", auth=None, keep_cookie=True)[0] == 200
    sub.cookie = pub.cookie  # the publisher's session means nothing to the subscriber
    assert sub.axl("getCCMVersion", ns_version="1.0", auth=None, keep_cookie=True)[0] == 401
    assert pub.json("POST", "/_sim/sessions/expire", {"node": "cucm-pub"})[1] == {"expired": 1}


def test_list_process_node_answers_the_cluster_nodes(node_client):
    status, _, root = node_client("cucm-sub1").axl("listProcessNode", LIST_NODES)
    assert status == 200
    nodes = [{c.tag: c.text or "" for c in el} for el in find(root, "return")]
    assert nodes == [
        {"name": "EnterpriseWideData", "description": "", "nodeUsage": "Publisher",
         "processNodeRole": "CUCM Voice/Video"},
        {"name": "127.0.0.2", "description": "cucm-pub", "nodeUsage": "Publisher",
         "processNodeRole": "CUCM Voice/Video"},
        {"name": "127.0.0.3", "description": "cucm-sub1", "nodeUsage": "Subscriber",
         "processNodeRole": "CUCM Voice/Video"},
        {"name": "127.0.0.4", "description": "imp-pub", "nodeUsage": "Subscriber",
         "processNodeRole": "CUCM IM and Presence"},
    ]
    assert all(el.get("uuid", "").startswith("{") for el in find(root, "return"))
    _, _, root = node_client("cucm-pub").axl(
        "listProcessNode", "<searchCriteria><processNodeRole>%IM and Presence</processNodeRole></searchCriteria>"
                           "<returnedTags><name/></returnedTags>")
    assert [[c.tag for c in el] for el in find(root, "return")] == [["name"]]
    assert find(root, "return/processNode/name").text == "127.0.0.4"
    status, _, root = node_client("cucm-pub").axl("listProcessNode", "<returnedTags><name/></returnedTags>")
    assert status == 500 and "searchCriteria" in find(root, "Fault/faultstring").text


def test_a_node_address_is_what_a_client_connects_to(nsim, node_client):
    """Connection's key sync reaches the cluster through any node's address and the cluster's port."""
    cuc = node_client("cuc1")
    port = nsim.nodes["cucm-sub1"].port
    for address, expect in (("127.0.0.3", "Passed"), ("imp-pub.lab.local", "Passed"), ("127.0.0.9", "Failed")):
        body = {"DisplayName": "via-" + address, "ServerNodeAddress": address, "Port": str(port),
                "ServerUsername": "axladmin", "ServerPassword": "C1sco12345!"}
        status, resp, data = cuc.request("POST", "/vmrest/authz/server", body, {"Accept": "application/json"},
                                         auth=CUC_ADMIN)
        assert status == 201
        oid = data.decode().rsplit("/", 1)[-1]
        assert cuc.request("PUT", "/vmrest/authz/sync/" + oid, auth=CUC_ADMIN)[0] == 204
        _, state = cuc.json("GET", "/_sim/state?system=cuc1")
        server = next(s for s in state["authz_servers"] if s["ObjectId"] == oid)
        assert server["LastSyncStatus"].startswith(expect), (address, server)
        if expect == "Passed":
            assert server["synced_keys"]["cucm"] == "cucm"


def test_a_fault_can_target_one_node(node_client):
    pub, sub = node_client("cucm-pub"), node_client("cucm-sub1")
    pub.json("POST", "/_sim/faults", {"http_503_writes": 1, "system": "cucm-sub1"})
    assert pub.axl("updateServiceParameter", sp("ClusterID", "A"))[0] == 200
    assert sub.axl("updateServiceParameter", sp("ClusterID", "B"))[0] == 503
    assert pub.json("POST", "/_sim/faults", {"system": "nowhere"})[0] == 400


def _lab(nodes, name="c"):
    return {"cucm": [{"name": name, "nodes": nodes,
                      "users": [{"userid": "axladmin", "password": "C1sco12345!", "roles": ["axl"]}]}]}


@pytest.mark.parametrize("nodes, words", [
    ([{"name": "s", "role": "subscriber"}, {"name": "p", "role": "publisher"}], "publisher comes first"),
    ([{"name": "p"}, {"name": "p"}], "duplicate"),
    ([{"name": "c"}], "duplicate"),
    ([{"name": "p", "address": "10.0.0.1"}], "127.0.0.0/8"),
    ([{"name": "p"}, {"name": "x", "role": "gateway"}], "role"),
    ([], "non-empty"),
    ([{"name": "p", "port": 1}], "unknown keys"),
])
def test_bad_nodes_are_lab_errors(nodes, words):
    with pytest.raises(LabError, match=words):
        Simulator(labmod.parse(json.loads(json.dumps(_lab(nodes))), set(KINDS)), None, quiet=True)


def test_fixed_addresses_are_kept_and_skipped(tmp_path):
    lab = labmod.parse(_lab([{"name": "p"}, {"name": "s1", "address": "127.0.0.3"}, {"name": "s2"}]), set(KINDS))
    sim = start_simulator(lab, str(tmp_path))
    try:
        assert [n.address for n in sim.systems["c"].nodes] == ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
        status, _, root = Client(sim.nodes["s2"].url, sim.cafile).axl("listProcessNode", LIST_NODES)
        assert [el.find("name").text for el in find(root, "return")][1:] == ["127.0.0.2", "127.0.0.3",
                                                                              "127.0.0.4"]
    finally:
        sim.stop()


class _LineTransport:
    """A minimal transport as the SSH one plugs in: a TCP listener per node answering one line, recording
    into the shared core."""

    @staticmethod
    def bind(sim, node, host, port):
        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                command = self.rfile.readline().decode().strip()
                sim.core.record(node.system, "line", command, "read", "ok", node=node, count=("ssh_commands",))
                self.wfile.write(b"ok " + node.name.encode() + b"\n")

        return socketserver.ThreadingTCPServer((host, port), Handler)


def test_a_transport_plugs_in_with_one_registration(tmp_path, monkeypatch):
    monkeypatch.setitem(server.TRANSPORTS, "line", (_LineTransport, ("cucm",)))
    lab = labmod.parse(_lab([{"name": "p"}, {"name": "s", "role": "subscriber"}]), set(KINDS))
    sim = start_simulator(lab, str(tmp_path))
    try:
        ports = {n.name: n.ports for n in sim.systems["c"].nodes}
        assert ports["p"]["line"] == ports["s"]["line"] and ports["p"]["line"] != ports["p"]["https"]
        for node in sim.systems["c"].nodes:
            with socket.create_connection((node.address, node.ports["line"]), timeout=5) as conn:
                conn.sendall(b"show myself\n")
                assert conn.makefile().readline() == "ok %s\n" % node.name
        _, systems = Client(sim.systems["c"].url, sim.cafile).json("GET", "/_sim/systems")
        assert systems[0]["nodes"][1]["ports"] == ports["s"]
        log = sim.requests()
        assert [(e["transport"], e["node"], e["operation"]) for e in log] == [("line", "p", "show myself"),
                                                                               ("line", "s", "show myself")]
        assert sim.counters()["ssh_commands"] == 2
    finally:
        sim.stop()


def test_a_cli_dialect_plugs_in_with_its_kind_and_must_provide_the_interface(tmp_path, monkeypatch):
    """The SSH transport serves every kind registered with a dialect (``register_kind(..., dialect=)``), and a dialect
    that lacks a member of ``protocols.dialect.Dialect`` is refused when the kind is first used."""
    import types

    from ucsim.protocols import dialect, expressway_cli

    assert server.TRANSPORTS["ssh"][1] is None  # no product table: the kinds with a dialect
    assert [k for k in KINDS if server._serves(None, k)] == ["cucm", "expressway"]
    assert dialect.check(expressway_cli) is expressway_cli
    lame = types.ModuleType("lame")
    for name in dialect.MEMBERS:
        setattr(lame, name, getattr(expressway_cli, name))
    del lame.operation_of
    with pytest.raises(TypeError, match="lame of kind expressway2 lacks operation_of"):
        dialect.check(lame, "expressway2")
    monkeypatch.setitem(server.KINDS, "expressway2", ("state.expressway:ExpresswayState", {}, lame))
    with pytest.raises(TypeError, match="lacks operation_of"):
        Simulator(labmod.parse({"expressway2": [{"name": "e"}]}, set(server.KINDS)), None, quiet=True)
    lame.operation_of = expressway_cli.operation_of
    monkeypatch.setitem(server.KINDS, "expressway2", ("state.expressway:ExpresswayState", {}, lame))
    sim = start_simulator(labmod.parse({"expressway2": [{"name": "e"}]}, set(server.KINDS)), str(tmp_path))
    try:
        assert sim.systems["e"].dialect is lame and "ssh" in sim.systems["e"].publisher.ports
    finally:
        sim.stop()
