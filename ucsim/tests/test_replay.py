"""Captured estates: ``ucsim lab import DIR`` turns a capture (the collection's oauth_audit_capture_dir) into a lab,
and the simulator answers the captured reads with the captured bodies byte for byte (other requests: the model)."""

import json
import os
import socket

import paramiko
import pytest
import yaml

from simhelp import Client, start_simulator
from ucsim import cli
from ucsim import lab as labmod
from ucsim import replay
from ucsim.server import KINDS

PASSWORD = "Replay-Pw-1"
# What a real CUCM could answer, unlike the model: another version, odd spacing, CRLF, a non-ASCII character.
VERSION_BODY = ('<?xml version="1.0" encoding="UTF-8"?>\r\n<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org'
                '/soap/envelope/"><soapenv:Body>\n  <ns:getCCMVersionResponse xmlns:ns="http://www.cisco.com/AXL/API'
                '/15.0"><return><componentVersion><version>15.0.1.12900(234)</version></componentVersion></return>'
                '</ns:getCCMVersionResponse>  </soapenv:Body></soapenv:Envelope>\u00e9 ')
VERSION_REQUEST = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="http://www.'
                   'cisco.com/AXL/API/15.0"><soapenv:Body><ns:getCCMVersion><processNodeName/></ns:getCCMVersion>'
                   '</soapenv:Body></soapenv:Envelope>')
XCONFIG = ("*c xConfiguration CollaborationEdge OAuthLocal: On\n"
           "*c xConfiguration CollaborationEdge SomethingNew: \"Only in X15\"")
SQL_BODY = ("<return><row><paramname>oAuthWithRefreshLoginFlow</paramname><paramvalue>T</paramvalue></row>"
            "<row><paramname>oauthTokenExpiryTimer</paramname><paramvalue>30</paramvalue></row></return>")
RECORDS = [
    {"transport": "https", "system": "cucm-real", "product": "CUCM", "host": "cucm-pub.example.com", "port": 8443,
     "user": "axlreader", "method": "POST", "path": "/axl/", "soap_action": "getCCMVersion",
     "request": VERSION_REQUEST, "status": 200, "headers": {"content-type": "text/xml; charset=utf-8"},
     "body": VERSION_BODY, "time": 1.0, "seq": 1},
    {"transport": "ssh", "system": "cucm-real", "product": "CUCM platform CLI", "host": "cucm-pub.example.com",
     "port": 22, "user": "osadmin", "command": "set cli pagination off", "output": "Automatic Pagination : Off",
     "closing": "admin:", "prompt_ends_line": False, "time": 2.0, "seq": 2},
    {"transport": "ssh", "system": "cucm-real", "product": "CUCM platform CLI", "host": "cucm-pub.example.com",
     "port": 22, "user": "osadmin", "command": "show  key authz signing",
     "output": "AuthZ signing key\nChecksum: 0123456789abcdef\nLast Regenerated: 01/02/2026 03:04:05",
     "closing": "admin:", "prompt_ends_line": False, "time": 3.0, "seq": 3},
    {"transport": "https", "system": "cucm-real", "product": "CUCM", "host": "cucm-pub.example.com", "port": 8443,
     "user": "axlreader", "method": "POST", "path": "/axl/", "soap_action": "executeSQLQuery",
     "request": "<sql>select paramname, paramvalue from processconfig where ...</sql>", "status": 200,
     "headers": {"content-type": "text/xml"}, "body": SQL_BODY, "time": 1.5, "seq": 7},
    {"transport": "https", "system": "cuc-real", "product": "Unity Connection", "host": "10.1.1.20", "port": 443,
     "user": "cucreader", "method": "GET", "path": "/vmrest/authz/server/?rowsPerPage=100&pageNumber=1",
     "status": 200, "headers": {"content-type": "application/json"},
     "body": '{"@total":"1","AuthZServer":{"DisplayName":"cucm-real","ServerNodeAddress":"cucm-pub.example.com",'
             '"Port":"8443","ServerUsername":"axlreader","ServerPassword":"********"}}',
     "time": 4.0, "seq": 4},
    {"transport": "ssh", "system": "exp-real", "product": "Expressway", "host": "exp.example.com", "port": 22,
     "user": "auditor", "command": "xConfiguration CollaborationEdge", "output": XCONFIG, "closing": "OK",
     "prompt_ends_line": True, "time": 5.0, "seq": 5},
    {"transport": "ssh", "system": "exp-real", "product": "Expressway", "host": "exp.example.com", "port": 22,
     "user": "auditor", "command": "xStatus SystemUnit Software Version",
     "output": '*s SystemUnit Software Version: "X15.0.2"', "closing": "OK", "prompt_ends_line": True,
     "time": 6.0, "seq": 6},
]

SQL = next(r for r in RECORDS if r.get("soap_action") == "executeSQLQuery")
CUPI = next(r for r in RECORDS if r["system"] == "cuc-real")


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    root = tmp_path_factory.mktemp("capture")
    capture = root / "capture"
    capture.mkdir()
    with open(capture / "capture-cucm-real-1-1.ndjson", "w", encoding="utf-8") as handle:
        for record in RECORDS:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    out = root / "lab.yml"
    assert cli.main(["lab", "import", str(capture), "-o", str(out), "--password", PASSWORD]) == 0
    return out


@pytest.fixture(scope="module")
def rsim(imported, tmp_path_factory):
    s = start_simulator(labmod.load(str(imported), set(KINDS)), str(tmp_path_factory.mktemp("ucsim-replay")))
    yield s
    s.stop()


def test_import_builds_systems_accounts_versions_and_leaves(imported):
    text = imported.read_text(encoding="utf-8")
    lab = yaml.safe_load(text)
    cucm, cuc, exp = lab["cucm"][0], lab["cuc"][0], lab["expressway"][0]
    assert (cucm["name"], cuc["name"], exp["name"]) == ("cucm-real", "cuc-real", "exp-real")
    assert cucm["version"] == "15.0.1.12900(234)" and exp["version"] == "X15.0.2"
    assert cucm["hostnames"] == ["cucm-pub.example.com"] and "hostnames" not in cuc  # an address is no name
    assert cucm["users"] == [{"userid": "axlreader", "password": PASSWORD, "roles": ["axl"]}]
    assert cucm["platform"]["admins"] == [{"userid": "osadmin", "password": PASSWORD}]
    assert cuc["users"][0]["userid"] == "cucreader" and exp["admins"][0]["userid"] == "auditor"
    # a leaf the model knows goes to the model; one it does not know is answered from the capture only
    assert exp["xconfiguration"] == {"CollaborationEdge OAuthLocal": "On"}
    assert cucm["enterprise_parameters"] == {"oAuthWithRefreshLoginFlow": "T", "oauthTokenExpiryTimer": "30"}
    assert cuc["authz_servers"] == [{"DisplayName": "cucm-real", "ServerNodeAddress": "cucm-pub.example.com",
                                     "Port": "8443", "ServerUsername": "axlreader", "ServerPassword": PASSWORD}]
    assert "SomethingNew" in text.split("\nsim:")[0]  # named in the header notes
    # the pager setting is the model's (it changes the session); the reads are replayed
    assert [e.get("command") or e["soap_action"] for e in cucm["replay"]] == [
        "getCCMVersion", "executeSQLQuery", "show  key authz signing"]
    # and the file loads (ucsim check)
    assert cli.main(["check", "--lab", str(imported)]) == 0


def test_import_keeps_out_of_the_model_what_it_refuses(tmp_path):
    record = dict(SQL, body=SQL_BODY.replace("oauthTokenExpiryTimer", "someFutureParameter"))
    (tmp_path / "c.ndjson").write_text(json.dumps(record) + "\n" + json.dumps(RECORDS[0]) + "\n")
    lab, notes = replay.import_capture(str(tmp_path), PASSWORD)
    assert "enterprise_parameters" not in lab["cucm"][0] and lab["cucm"][0]["version"] == "15.0.1.12900(234)"
    assert len(notes) == 1 and "someFutureParameter" in notes[0] and "enterprise_parameters" in notes[0]
    assert len(lab["cucm"][0]["replay"]) == 2


def test_import_refuses_a_directory_without_capture(tmp_path):
    with pytest.raises(labmod.LabError, match="holds no capture"):
        replay.import_capture(str(tmp_path), PASSWORD)


def test_captured_axl_read_is_answered_byte_for_byte(rsim):
    cl = Client(rsim.systems["cucm-real"].url, rsim.cafile)
    headers = {"Content-Type": "text/xml", "SOAPAction": '"CUCM:DB ver=15.0 getCCMVersion"'}
    # spacing between elements does not matter to the key
    body = VERSION_REQUEST.replace("<soapenv:Body>", "<soapenv:Body>\n  ")
    status, resp, data = cl.request("POST", "/axl/", body, headers, auth=("axlreader", PASSWORD))
    assert status == 200 and data == VERSION_BODY.encode("utf-8")
    assert resp.getheader("Content-Type") == "text/xml; charset=utf-8"
    # the session cookie it got works for the next replayed read too
    status, _, data = cl.request("POST", "/axl/", body, headers, keep_cookie=True)
    assert status == 200 and data == VERSION_BODY.encode("utf-8")
    # authentication is checked as by the handler: a wrong password gets 401, not the capture
    status, _, data = Client(rsim.systems["cucm-real"].url, rsim.cafile).request(
        "POST", "/axl/", body, headers, auth=("axlreader", "wrong"))
    assert status == 401 and b"15.0.1" not in data
    # a request that was not captured goes to the model (its own version)
    status, _, root = cl.axl("getCCMVersion", auth=("axlreader", PASSWORD))
    assert status == 200 and root is not None
    log = [e for e in rsim.requests("cucm-real") if e["operation"] == "getCCMVersion"]
    assert [e["kind"] for e in log] == ["read", "read", "auth_failed", "read"]
    cl.close()


def test_captured_cupi_read_is_answered_byte_for_byte(rsim):
    cl = Client(rsim.systems["cuc-real"].url, rsim.cafile)
    status, _, data = cl.request("GET", "/vmrest/authz/server/?rowsPerPage=100&pageNumber=1",
                                 auth=("cucreader", PASSWORD))
    assert status == 200 and data == CUPI["body"].encode("utf-8")
    status, _, data = cl.request("GET", "/vmrest/authz/server/?rowsPerPage=50&pageNumber=1",
                                 auth=("cucreader", PASSWORD))
    assert status == 200 and data != CUPI["body"].encode("utf-8")  # the model's (no server)
    cl.close()


def _shell(sim, name, user, until):
    node = sim.nodes[name]
    keys = paramiko.HostKeys(os.path.join(sim.state_dir, "known_hosts"))
    transport = paramiko.Transport(socket.create_connection((node.address, node.ports["ssh"]), timeout=10))
    transport.start_client(timeout=10)
    assert keys.lookup("[%s]:%d" % (node.address, node.ports["ssh"])) is not None
    transport.auth_interactive(user, lambda title, instr, prompts: [PASSWORD for _ in prompts])
    chan = transport.open_session(timeout=10)
    chan.get_pty(term="vt100", width=200)
    chan.invoke_shell()
    chan.settimeout(10)

    def read():
        buf = ""
        while not buf.endswith(until):
            data = chan.recv(65536)
            if not data:
                raise EOFError(buf)
            buf += data.decode()
        return buf

    def run(line):
        chan.sendall((line + "\r").encode())
        return read().replace("\r\n", "\n")

    read()
    return transport, run


def test_captured_cli_reads_are_replayed(rsim):
    transport, run = _shell(rsim, "exp-real", "auditor", "OK\r\n")
    out = run("xConfiguration   CollaborationEdge")
    assert out == "xConfiguration   CollaborationEdge\n" + XCONFIG + "\nOK\n"
    assert run("xStatus SystemUnit Software Version").endswith('"X15.0.2"\nOK\n')
    transport.close()
    transport, run = _shell(rsim, "cucm-real", "osadmin", "admin:")
    run("set cli pagination off")
    out = run("show key authz signing")
    assert "Checksum: 0123456789abcdef\nLast Regenerated: 01/02/2026 03:04:05\n" in out
    transport.close()
    ops = [(e["operation"], e["kind"]) for e in rsim.requests("exp-real") if e["transport"] == "ssh"]
    assert ("xConfiguration CollaborationEdge", "read") in ops
