"""Unity Connection CUPI: AuthZ servers and key sync, against a lab of two CUCMs and two Connections."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from simhelp import Client, start_simulator
from ucsim import assumptions as A
from ucsim import lab as labmod
from ucsim.server import KINDS, Simulator
from ucsim.state.cuc import fingerprint, sync_time_text

ADMIN = ("cucadmin", "C1sco12345!")
JSON = {"Accept": "application/json"}
LAB = {
    "cucm": [
        {"name": "cucm-a", "hostnames": ["cucm-a.test"],
         "users": [{"userid": "axladmin", "password": "pw-a", "roles": ["axl"]},
                   {"userid": "noaxl", "password": "pw-n", "roles": []}]},
        {"name": "cucm-b", "hostnames": ["cucm-b.test"],
         "users": [{"userid": "axladmin", "password": "pw-b", "roles": ["axl"]}]},
    ],
    "cuc": [
        {"name": "cuc-a", "trust": ["cucm-a"],
         "users": [{"userid": "cucadmin", "password": "C1sco12345!", "roles": ["admin"]},
                   {"userid": "cucuser", "password": "C1sco12345!", "roles": []}],
         "authz_servers": [{"DisplayName": "preset", "ServerNodeAddress": "10.9.9.9", "ServerUsername": "x",
                            "ServerPassword": "y"}]},
        {"name": "cuc-b", "json_values": "typed",
         "users": [{"userid": "cucadmin", "password": "C1sco12345!", "roles": ["admin"]}]},
    ],
}


@pytest.fixture(scope="module")
def csim(tmp_path_factory):
    lab = labmod.parse(json.loads(json.dumps(LAB)), set(KINDS))
    s = start_simulator(lab, str(tmp_path_factory.mktemp("ucsim-cupi")))
    yield s
    s.stop()


@pytest.fixture
def cuc(csim):
    cl = Client(csim.systems["cuc-a"].url, csim.cafile)
    cl.json("POST", "/_sim/reset", {"state": True})
    yield cl
    cl.close()


@pytest.fixture
def cucb(csim, cuc):
    cl = Client(csim.systems["cuc-b"].url, csim.cafile)
    yield cl
    cl.close()


def call(cl, method, path, body=None, accept=JSON, auth=ADMIN, content_type=None):
    headers = dict(accept or {})
    if content_type:
        headers["Content-Type"] = content_type
    status, resp, data = cl.request(method, path, body, headers, auth=auth)
    text = data.decode("utf-8")
    parsed = None
    if text.startswith("{"):
        parsed = json.loads(text)
    elif text.startswith("<"):
        parsed = ET.fromstring(text)
    return status, resp, parsed if parsed is not None else text


def new_server(cl, **fields):
    body = {"DisplayName": "cucm-a", "ServerNodeAddress": "cucm-a.test", "ServerUsername": "axladmin",
            "ServerPassword": "pw-a"}
    body.update(fields)
    status, resp, text = call(cl, "POST", "/vmrest/authz/server", body)
    assert status == 201, text
    assert re.fullmatch(r"/vmrest/authz/server/[0-9a-f-]{36}", text)
    assert resp.getheader("Location") == text
    return text.rsplit("/", 1)[1]


def state(cl, system="cuc-a"):
    return cl.json("GET", "/_sim/state?system=%s" % system)[1]


def port_of(csim, name):
    return csim.systems[name].port


# --- list and get --------------------------------------------------------------------------------------------
def test_list_json_single_object_and_strings(cuc):
    status, resp, data = call(cuc, "GET", "/vmrest/authz/server/")
    assert status == 200 and resp.getheader("Content-Type").startswith("application/json")
    assert data["@total"] == "1"
    server = data["AuthzServer"]
    assert isinstance(server, dict)
    assert server["DisplayName"] == "preset" and server["Port"] == "8443"
    assert server["IgnoreCertificateError"] == "false"
    assert server["ServerPassword"] == "" and server["LastSyncStatus"] == ""
    assert server["URI"] == "/vmrest/authz/server/" + server["ObjectId"]


def test_list_several_and_paging(cuc):
    for i in range(4):
        new_server(cuc, DisplayName="s%d" % i)
    _, _, data = call(cuc, "GET", "/vmrest/authz/server")
    assert data["@total"] == "5" and [s["DisplayName"] for s in data["AuthzServer"]] == ["preset", "s0", "s1", "s2", "s3"]
    _, _, page2 = call(cuc, "GET", "/vmrest/authz/server?rowsPerPage=2&pageNumber=2")
    assert page2["@total"] == "5" and [s["DisplayName"] for s in page2["AuthzServer"]] == ["s1", "s2"]
    _, _, page3 = call(cuc, "GET", "/vmrest/authz/server?rowsPerPage=2&pageNumber=3")
    assert page3["AuthzServer"]["DisplayName"] == "s3"  # a page of one: a bare object
    _, _, page9 = call(cuc, "GET", "/vmrest/authz/server?rowsPerPage=2&pageNumber=9")
    assert page9 == {"@total": "5"}
    status, _, err = call(cuc, "GET", "/vmrest/authz/server?rowsPerPage=0")
    assert status == 400 and err["errors"]["code"] == A.CUPI_INVALID_PARAMETER


def test_list_empty(cuc):
    cuc.json("POST", "/_sim/state?system=cuc-a", {"delete_authz_servers": True})
    _, _, data = call(cuc, "GET", "/vmrest/authz/server")
    assert data == {"@total": "0"}
    _, _, root = call(cuc, "GET", "/vmrest/authz/server", accept={"Accept": "application/xml"})
    assert root.tag == "AuthzServers" and root.get("total") == "0" and len(root) == 0


def test_xml_without_json_accept(cuc):
    object_id = new_server(cuc)
    status, resp, root = call(cuc, "GET", "/vmrest/authz/server", accept=None)
    assert status == 200 and "xml" in resp.getheader("Content-Type")
    assert root.tag == "AuthzServers" and root.get("total") == "2"
    assert [s.find("DisplayName").text for s in root.findall("AuthzServer")] == ["preset", "cucm-a"]
    _, _, one = call(cuc, "GET", "/vmrest/authz/server/" + object_id, accept={"Accept": "application/xml"})
    assert one.tag == "AuthzServer" and one.find("ObjectId").text == object_id and one.find("Port").text == "8443"


def test_typed_json_values(cucb):
    object_id = new_server(cucb, Port=9443, IgnoreCertificateError=True)
    _, _, data = call(cucb, "GET", "/vmrest/authz/server/" + object_id)
    assert data["Port"] == 9443 and data["IgnoreCertificateError"] is True
    _, _, listing = call(cucb, "GET", "/vmrest/authz/server")
    assert listing["@total"] == 1


def test_get_unknown_is_404_error_details(cuc):
    status, _, err = call(cuc, "GET", "/vmrest/authz/server/nope")
    assert status == 404
    assert err == {"errors": {"code": A.CUPI_NOT_FOUND, "message": A.CUPI_NOT_FOUND_MESSAGE % "nope"}}
    status, _, root = call(cuc, "GET", "/vmrest/authz/server/nope", accept={"Accept": "application/xml"})
    assert status == 404 and root.tag == "ErrorDetails" and root.find("errors/code").text == A.CUPI_NOT_FOUND


# --- writes --------------------------------------------------------------------------------------------------
def test_create_update_delete_and_counters(cuc):
    object_id = new_server(cuc, Port="8443", IgnoreCertificateError="false")
    _, _, data = call(cuc, "GET", "/vmrest/authz/server/" + object_id)
    assert data["ServerNodeAddress"] == "cucm-a.test" and data["ServerPassword"] == ""
    status, _, _ = call(cuc, "PUT", "/vmrest/authz/server/" + object_id, {"Port": "9443", "ServerPassword": "new"})
    assert status == 204
    st = state(cuc)["authz_servers"][1]
    assert st["Port"] == 9443 and st["ServerPasswordFingerprint"] == fingerprint("new")
    assert st["ServerUsername"] == "axladmin"  # untouched
    assert "ServerPassword" not in st
    status, _, _ = call(cuc, "DELETE", "/vmrest/authz/server/" + object_id)
    assert status == 204
    assert call(cuc, "DELETE", "/vmrest/authz/server/" + object_id)[0] == 404
    _, counters = cuc.json("GET", "/_sim/counters")
    mine = counters["systems"]["cuc-a"]
    assert mine["writes"] == 3 and mine["reads"] == 1
    assert mine["by_operation"]["POST /vmrest/authz/server"] == 1
    assert mine["by_operation"]["PUT /vmrest/authz/server/{id}"] == 1
    assert mine["by_operation"]["DELETE /vmrest/authz/server/{id}"] == 2
    log = cuc.json("GET", "/_sim/requests?system=cuc-a")[1]
    assert [e["kind"] for e in log] == ["write", "read", "write", "write", "other"]


def test_create_with_xml_body(cuc):
    body = ("<AuthzServer><DisplayName>x</DisplayName><ServerNodeAddress>h</ServerNodeAddress>"
            "<ServerUsername>u</ServerUsername><ServerPassword>p</ServerPassword><Port>1234</Port>"
            "<IgnoreCertificateError>true</IgnoreCertificateError></AuthzServer>")
    status, _, text = call(cuc, "POST", "/vmrest/authz/server", body, content_type="application/xml")
    assert status == 201
    server = state(cuc)["authz_servers"][-1]
    assert (server["DisplayName"], server["Port"], server["IgnoreCertificateError"]) == ("x", 1234, True)


@pytest.mark.parametrize("fields, code, words", [
    ({"DisplayName": "n" * 65}, A.CUPI_INVALID_PARAMETER, "DisplayName must be at most 64 characters"),
    ({"ServerNodeAddress": "h" * 65}, A.CUPI_INVALID_PARAMETER, "ServerNodeAddress must be at most 64"),
    ({"ServerUsername": "u" * 65}, A.CUPI_INVALID_PARAMETER, "ServerUsername must be at most 64"),
    ({"Port": "0"}, A.CUPI_INVALID_PARAMETER, "Port must be between 1 and 65535"),
    ({"Port": "https"}, A.CUPI_INVALID_PARAMETER, "Port must be an integer"),
    ({"IgnoreCertificateError": "maybe"}, A.CUPI_INVALID_PARAMETER, "IgnoreCertificateError must be true or false"),
    ({"Colour": "blue"}, A.CUPI_INVALID_PARAMETER, "Unknown field Colour"),
    ({"ServerPassword": None}, A.CUPI_MISSING_PARAMETER, "ServerPassword must not be empty"),
    ({"DisplayName": "PRESET"}, A.CUPI_DUPLICATE, "already exists"),
])
def test_create_validation(cuc, fields, code, words):
    body = {"DisplayName": "new", "ServerNodeAddress": "h", "ServerUsername": "u", "ServerPassword": "p"}
    body.update(fields)
    status, _, err = call(cuc, "POST", "/vmrest/authz/server", body)
    assert status == 400
    assert err["errors"]["code"] == code and words in err["errors"]["message"]
    assert len(state(cuc)["authz_servers"]) == 1
    _, counters = cuc.json("GET", "/_sim/counters")
    assert counters["systems"]["cuc-a"]["writes"] == 0 and counters["systems"]["cuc-a"]["write_attempts"] == 0


def test_create_missing_fields(cuc):
    status, _, err = call(cuc, "POST", "/vmrest/authz/server", {"DisplayName": "x"})
    assert status == 400 and err["errors"]["code"] == A.CUPI_MISSING_PARAMETER
    assert "ServerNodeAddress, ServerUsername, ServerPassword" in err["errors"]["message"]
    status, _, err = call(cuc, "POST", "/vmrest/authz/server", "{not json")
    assert status == 400 and err["errors"]["code"] == A.CUPI_BAD_BODY


def test_update_validation_and_unknown(cuc):
    object_id = new_server(cuc)
    status, _, err = call(cuc, "PUT", "/vmrest/authz/server/" + object_id, {"DisplayName": "Preset"})
    assert status == 400 and err["errors"]["code"] == A.CUPI_DUPLICATE
    status, _, err = call(cuc, "PUT", "/vmrest/authz/server/" + object_id, {"ServerNodeAddress": ""})
    assert status == 400 and err["errors"]["code"] == A.CUPI_MISSING_PARAMETER
    assert call(cuc, "PUT", "/vmrest/authz/server/nope", {"Port": 1})[0] == 404
    status, _, _ = call(cuc, "PUT", "/vmrest/authz/server/" + object_id, {"DisplayName": "cucm-a"})
    assert status == 204  # its own name again is fine


def test_methods_not_allowed(cuc):
    status, resp, err = call(cuc, "PATCH", "/vmrest/authz/server")
    assert status == 405 and err["errors"]["code"] == A.CUPI_METHOD_NOT_ALLOWED
    assert resp.getheader("Allow") == "GET, POST"
    object_id = state(cuc)["authz_servers"][0]["ObjectId"]
    assert call(cuc, "GET", "/vmrest/authz/sync/" + object_id)[0] == 405
    assert call(cuc, "GET", "/vmrest/users")[0] == 404


def test_injected_503_on_write_is_a_fault(cuc):
    cuc.json("POST", "/_sim/faults", {"http_503_writes": 1})
    body = {"DisplayName": "n", "ServerNodeAddress": "h", "ServerUsername": "u", "ServerPassword": "p"}
    assert call(cuc, "POST", "/vmrest/authz/server", body)[0] == 503
    assert len(state(cuc)["authz_servers"]) == 1
    assert call(cuc, "POST", "/vmrest/authz/server", body)[0] == 201


# --- auth ----------------------------------------------------------------------------------------------------
def test_auth(cuc):
    assert call(cuc, "GET", "/vmrest/authz/server", auth=None)[0] == 401
    assert call(cuc, "GET", "/vmrest/authz/server", auth=("cucadmin", "wrong"))[0] == 401
    assert call(cuc, "GET", "/vmrest/authz/server", auth=("cucuser", "C1sco12345!"))[0] == 403
    status, resp, _ = call(cuc, "GET", "/vmrest/authz/server")
    assert status == 200 and resp.getheader("Set-Cookie").startswith("JSESSIONIDSSO=")
    status, _, _ = cuc.request("GET", "/vmrest/authz/server", headers=JSON, keep_cookie=True)
    assert status == 200
    _, counters = cuc.json("GET", "/_sim/counters")
    assert counters["systems"]["cuc-a"]["auth_failures"] == 3 and counters["systems"]["cuc-a"]["cookie_auth"] == 1


# --- sync ----------------------------------------------------------------------------------------------------
def sync(cl, object_id):
    status, _, text = call(cl, "PUT", "/vmrest/authz/sync/" + object_id)
    assert status == 204, text
    return call(cl, "GET", "/vmrest/authz/server/" + object_id)[2]["LastSyncStatus"]


@pytest.mark.parametrize("address", ["cucm-a.test", "CUCM-A.test", "127.0.0.1", "localhost"])
def test_sync_passes_and_stores_key_checksums(csim, cuc, address):
    object_id = new_server(cuc, ServerNodeAddress=address, Port=port_of(csim, "cucm-a"))
    status = sync(cuc, object_id)
    assert re.fullmatch(r"Passed - [A-Z][a-z]{2} \d{2},\d{4} \d{2}:\d{2}:\d{2} [AP]M GMT", status), status
    keys = state(cuc, "cucm-a")["authz_keys"]
    assert re.fullmatch(r"[0-9a-f]{32}", keys["signing"]) and keys["signing"] != keys["encryption"]
    synced = state(cuc)["authz_servers"][1]["synced_keys"]
    assert (synced["cucm"], synced["signing"], synced["encryption"]) == ("cucm-a", keys["signing"], keys["encryption"])
    log = cuc.json("GET", "/_sim/requests?system=cuc-a")[1]
    assert [(e["operation"], e["kind"], e["status"]) for e in log if "sync" in e["path"]] == [
        ("PUT /vmrest/authz/sync/{id}", "write", 204)]
    assert cuc.json("GET", "/_sim/requests?system=cucm-a")[1] == []


def test_sync_follows_key_rotation(csim, cuc):
    object_id = new_server(cuc, Port=port_of(csim, "cucm-a"))
    sync(cuc, object_id)
    before = state(cuc)["authz_servers"][1]["synced_keys"]
    cuc.json("POST", "/_sim/state?system=cucm-a", {"regenerate_authz_keys": ["signing"]})
    keys = state(cuc, "cucm-a")["authz_keys"]
    assert keys["signing"] != before["signing"] and keys["encryption"] == before["encryption"]
    assert state(cuc)["authz_servers"][1]["synced_keys"]["signing"] == before["signing"]  # not yet
    sync(cuc, object_id)
    assert state(cuc)["authz_servers"][1]["synced_keys"]["signing"] == keys["signing"]


@pytest.mark.parametrize("fields, expected", [
    ({"Port": "wrong-port"}, A.SYNC_CONNECT_FAILED % ("cucm-a.test", 1)),
    ({"ServerNodeAddress": "cucm-x.test"}, None),
    ({"ServerPassword": "bad"}, A.SYNC_BAD_CREDENTIALS),
    ({"ServerUsername": "nobody"}, A.SYNC_BAD_CREDENTIALS),
    ({"ServerUsername": "noaxl", "ServerPassword": "pw-n"}, A.SYNC_NO_AXL_ROLE),
])
def test_sync_failures(csim, cuc, fields, expected):
    fields = dict(fields)
    if fields.get("Port") == "wrong-port":
        fields["Port"] = 1
    object_id = new_server(cuc, **dict({"Port": port_of(csim, "cucm-a")}, **fields))
    status = sync(cuc, object_id)
    if expected is None:
        assert status.startswith("Failed to connect to Authz Server cucm-x.test:")
    else:
        assert status == expected
    assert state(cuc)["authz_servers"][1]["synced_keys"] is None


def test_sync_untrusted_certificate_and_ignore(csim, cuc):
    object_id = new_server(cuc, DisplayName="b", ServerNodeAddress="cucm-b.test", Port=port_of(csim, "cucm-b"),
                           ServerPassword="pw-b")
    assert sync(cuc, object_id) == A.SYNC_CERTIFICATE_FAILED % "cucm-b.test"
    call(cuc, "PUT", "/vmrest/authz/server/" + object_id, {"IgnoreCertificateError": "true"})
    assert sync(cuc, object_id).startswith("Passed - ")
    assert state(cuc)["authz_servers"][1]["synced_keys"]["cucm"] == "cucm-b"


def test_default_trust_is_every_cucm(csim, cucb):
    object_id = new_server(cucb, ServerNodeAddress="cucm-b.test", Port=port_of(csim, "cucm-b"), ServerPassword="pw-b")
    assert sync(cucb, object_id).startswith("Passed - ")


def test_failed_sync_keeps_last_keys(csim, cuc):
    object_id = new_server(cuc, Port=port_of(csim, "cucm-a"))
    sync(cuc, object_id)
    keys = state(cuc)["authz_servers"][1]["synced_keys"]
    call(cuc, "PUT", "/vmrest/authz/server/" + object_id, {"ServerPassword": "bad"})
    assert sync(cuc, object_id) == A.SYNC_BAD_CREDENTIALS
    assert state(cuc)["authz_servers"][1]["synced_keys"] == keys


def test_sync_unknown_is_404(cuc):
    status, _, err = call(cuc, "PUT", "/vmrest/authz/sync/nope")
    assert status == 404 and err["errors"]["code"] == A.CUPI_NOT_FOUND


def test_sync_time_text():
    assert sync_time_text(1494572453) == "May 12,2017 07:00:53 AM GMT"
    assert sync_time_text(1494615653) == "May 12,2017 07:00:53 PM GMT"
    assert sync_time_text(1494547200) == "May 12,2017 12:00:00 AM GMT"


# --- labs and control API ------------------------------------------------------------------------------------
def test_lab_validation():
    with pytest.raises(labmod.LabError, match="unknown keys"):
        Simulator(labmod.parse({"cuc": [{"name": "c", "colour": 1}]}, set(KINDS)), None, quiet=True)
    with pytest.raises(labmod.LabError, match="trust must be a list"):
        Simulator(labmod.parse({"cuc": [{"name": "c", "trust": "cucm1"}]}, set(KINDS)), None, quiet=True)
    with pytest.raises(labmod.LabError, match="DisplayName must be at most 64"):
        Simulator(labmod.parse({"cuc": [{"name": "c", "authz_servers": [
            {"DisplayName": "x" * 65, "ServerNodeAddress": "h", "ServerUsername": "u", "ServerPassword": "p"}]}]},
            set(KINDS)), None, quiet=True)


def test_shipped_labs_load():
    for name in ("default", "multi"):
        lab = labmod.load(name, set(KINDS))
        kinds = [s.kind for s in lab.systems]
        assert "cuc" in kinds and "cucm" in kinds
        Simulator(lab, None, quiet=True)
    multi = labmod.load("multi", set(KINDS))
    assert [s.name for s in multi.systems if s.kind == "cucm"] == ["cucm-a", "cucm-b"]


def test_state_patch(cuc):
    status, _ = cuc.json("POST", "/_sim/state?system=cuc-a", {
        "authz_servers": [{"DisplayName": "p2", "ServerNodeAddress": "h", "ServerUsername": "u", "ServerPassword": "p"}],
        "authz_server_status": {"p2": "Failed to connect to Authz Server h"}, "trust": []})
    assert status == 200
    st = state(cuc)
    assert st["trust"] == [] and st["authz_servers"][1]["LastSyncStatus"] == "Failed to connect to Authz Server h"
    status, err = cuc.json("POST", "/_sim/state?system=cuc-a", {"bogus": 1})
    assert status == 400 and "unknown state keys" in err["error"]
