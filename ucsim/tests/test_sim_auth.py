import time

from simhelp import axlerr, sp


def test_wrong_password_401(c):
    status, resp, _ = c.axl("getCCMVersion", ns_version="1.0", auth=("axladmin", "wrong"))
    assert status == 401
    assert resp.getheader("WWW-Authenticate").startswith('Basic realm="')
    assert resp.getheader("Set-Cookie") is None
    status, _, _ = c.axl("getCCMVersion", ns_version="1.0", auth=("nobody", "x"))
    assert status == 401
    status, _, _ = c.axl("getCCMVersion", ns_version="1.0", auth=None)
    assert status == 401
    _, cnt = c.json("GET", "/_sim/counters")
    assert cnt["auth_failures"] == 3 and cnt["reads"] == 0
    _, log = c.json("GET", "/_sim/requests")
    assert [e["kind"] for e in log] == ["auth_failed"] * 3


def test_no_role_403(c):
    status, _, _ = c.axl("getCCMVersion", ns_version="1.0", auth=("noaxl", "C1sco12345!"))
    assert status == 403
    status, _, _ = c.request("GET", "/ssosp/token/revoke?user_id=jdoe", auth=("noaxl", "C1sco12345!"))
    assert status == 403


def test_session_cookie(c):
    status, resp, _ = c.axl("getCCMVersion", ns_version="1.0")
    cookie = resp.getheader("Set-Cookie")
    assert cookie.startswith("JSESSIONIDSSO=") and "Path=/" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    for _ in range(3):
        status, resp, _ = c.axl("getServiceParameter", sp("ClusterID"), auth=None, keep_cookie=True)
        assert status == 200 and resp.getheader("Set-Cookie") is None
    # Basic + valid cookie keeps the session
    status, resp, _ = c.axl("getCCMVersion", ns_version="1.0", keep_cookie=True)
    assert resp.getheader("Set-Cookie") is None
    _, cnt = c.json("GET", "/_sim/counters")
    assert cnt["basic_auth"] == 2 and cnt["cookie_auth"] == 3 and cnt["connections"] == 1
    _, log = c.json("GET", "/_sim/requests")
    assert sum("Authorization" in e["headers"] for e in log) == 2
    # expiry through the control API
    assert c.json("POST", "/_sim/sessions/expire")[1]["expired"] >= 1
    status, resp, _ = c.axl("getCCMVersion", ns_version="1.0", auth=None, keep_cookie=True)
    assert status == 401 and resp.getheader("WWW-Authenticate")
    # bogus cookie
    c.cookie = "JSESSIONIDSSO=nope"
    assert c.axl("getCCMVersion", ns_version="1.0", auth=None, keep_cookie=True)[0] == 401


def test_session_timeout(client_for):
    c2 = client_for("cucm2")  # session_timeout_s: 1
    c2.json("POST", "/_sim/reset", {"state": True})
    assert c2.axl("getCCMVersion", version="15.0", ns_version="1.0", auth=("admin2", "pw2"))[0] == 200
    assert c2.axl("getCCMVersion", version="15.0", ns_version="1.0", auth=None, keep_cookie=True)[0] == 200
    time.sleep(1.2)
    assert c2.axl("getCCMVersion", version="15.0", ns_version="1.0", auth=None, keep_cookie=True)[0] == 401


def test_sessions_are_per_system(sim, c, client_for):
    c.axl("getCCMVersion", ns_version="1.0")
    c3 = client_for("cucm3")
    c3.cookie = c.cookie
    assert c3.axl("getCCMVersion", version="12.5", ns_version="1.0", auth=None, keep_cookie=True)[0] == 401


def test_password_change_after_requests_ends_the_sessions(c):
    status, resp, _ = c.axl("getCCMVersion", ns_version="1.0")
    assert status == 200
    status, body = c.json("POST", "/_sim/accounts/password", {"userid": "axladmin", "password": "new-pw",
                                                               "after_requests": 2})
    assert status == 200 and body["after_requests"] == 2
    assert c.axl("getCCMVersion", ns_version="1.0", auth=None, keep_cookie=True)[0] == 200   # 1
    assert c.axl("getCCMVersion", ns_version="1.0", auth=None, keep_cookie=True)[0] == 200   # 2: then changed
    assert c.axl("getCCMVersion", ns_version="1.0", auth=None, keep_cookie=True)[0] == 401   # session ended
    assert c.axl("getCCMVersion", ns_version="1.0")[0] == 401                               # old password
    assert c.axl("getCCMVersion", ns_version="1.0", auth=("axladmin", "new-pw"))[0] == 200
    status, body = c.json("POST", "/_sim/accounts/password", {"userid": "nobody", "password": "x"})
    assert status == 400 and "no account" in body["error"]


def test_a_read_only_axl_account_reads_and_is_refused_every_write(c):
    """ASSUMPTION (assumptions.AXL_ROLES): role `axl_read`, CUCM's Standard AXL Read Only API Access."""
    c.json("POST", "/_sim/state", {"cucm1": {"users": [
        {"userid": "axlreader", "password": "R3ad-Only!", "roles": ["axl_read"]}]}})
    c.json("POST", "/_sim/reset", {"state": False})
    reader = ("axlreader", "R3ad-Only!")
    assert c.axl("getCCMVersion", ns_version="1.0", auth=reader)[0] == 200
    assert c.axl("getServiceParameter", sp("ClusterID"), auth=reader)[0] == 200
    before = c.json("GET", "/_sim/state?system=cucm1")[1]["enterprise_parameters"]["ClusterID"]
    status, _, _ = c.axl("updateServiceParameter", sp("ClusterID", value="X"), auth=reader)
    assert status == 403
    assert c.request("GET", "/ssosp/token/revoke?user_id=jdoe", auth=reader)[0] == 403
    _, cnt = c.json("GET", "/_sim/counters")
    assert cnt["reads"] == 2 and cnt["writes"] == 0 and cnt["write_attempts"] == 0, cnt
    assert c.json("GET", "/_sim/state?system=cucm1")[1]["enterprise_parameters"]["ClusterID"] == before
    _, log = c.json("GET", "/_sim/requests")
    assert [(e["operation"], e["kind"], e["status"]) for e in log][-2:] == [
        ("updateServiceParameter", "auth_failed", 403), ("revoke", "auth_failed", 403)], log[-2:]


def test_get_app_user_answers_the_roles_of_its_groups(c):
    c.json("POST", "/_sim/state", {"cucm1": {"users": [
        {"userid": "axlreader", "password": "R3ad-Only!", "roles": ["axl_read"]}]}})
    status, _, root = c.axl("getAppUser", "<name>axlreader</name>")
    assert status == 200
    assert [e.text for e in root.iter() if e.tag.endswith("userRole")] == ["Standard AXL Read Only API Access"]
    assert root.find(".//userid").text == "axlreader"
    status, _, root = c.axl("getAppUser", "<name>axladmin</name><returnedTags><userid/><associatedGroups><userGroup>"
                                          "<name/><userRoles><userRole/></userRoles></userGroup></associatedGroups>"
                                          "</returnedTags>")
    assert status == 200
    assert [e.text for e in root.iter() if e.tag.endswith("userRole")] == ["Standard AXL API Access"]
    uuid = root.find(".//appUser").get("uuid")
    status, _, root = c.axl("getAppUser", "<uuid>%s</uuid>" % uuid)
    assert status == 200 and root.find(".//userid").text == "axladmin"
    status, _, root = c.axl("getAppUser", "<name>nobody</name>")
    assert status == 500 and axlerr(root)[0] == 5007
    status, _, root = c.axl("getAppUser", "<userid>axladmin</userid>")
    assert status == 500   # not the schema's key: the contract refuses it
