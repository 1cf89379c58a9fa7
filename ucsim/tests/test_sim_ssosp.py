import urllib.parse
import xml.etree.ElementTree as ET

from simhelp import sp

# Jabber's client_id as seed 003 (Expressway log) and TAC 216948 (revocation reply) show it
JABBER = "C1b4b988f3efa1c3fc97d0d0a36f6b97f244b4fafe55e8d9d78774e305bae9ab1"
UDS = "Cc4013d474571c1963e6d45ee9c835b6373b397bef748a6c864c07e95d8e6144e"


def sso(cl):
    status, _, data = cl.request("GET", "/ssosp/ws/public/singleSignOn")
    assert status == 200
    root = ET.fromstring(data)
    # seed 000's sample: root SingleSignOn with exactly one attribute, version, empty; no XML declaration
    assert root.tag == "SingleSignOn" and root.attrib == {"version": ""}
    assert data.startswith(b'<SingleSignOn version="">')
    assert [child.tag for child in root] == ["Status", "Token"]
    return root.find("Status").get("enabled"), root.find("Token").get("reuse")


def test_sso_status_live(c, client_for):
    assert sso(c) == ("false", "false")
    assert c.axl("updateServiceParameter", sp("oAuthWithRefreshLoginFlow", "T"))[0] == 200
    assert sso(c) == ("false", "true")
    _, cnt = c.json("GET", "/_sim/counters")
    assert cnt["systems"]["cucm1"]["by_operation"]["singleSignOn"] == 2
    c2 = client_for("cucm2")
    c2.json("POST", "/_sim/reset", {"state": True})  # (reset is global: log, counters, faults of all systems)
    assert sso(c2) == ("true", "true")


def revoke(c, user, client=None, **kw):
    qs = {"user_id": user}
    if client:
        qs["client_id"] = client
    kw.setdefault("auth", ("axladmin", "C1sco12345!"))
    status, _, data = c.request("GET", "/ssosp/token/revoke?" + urllib.parse.urlencode(qs, quote_via=urllib.parse.quote), **kw)
    return status, data


def test_revoke_success_shape_and_state(c):
    status, data = revoke(c, "jdoe", JABBER)
    assert status == 200
    import json
    body = json.loads(data)
    assert data.startswith(b'{"revoked_tokens":{"status":"success","user_id":"jdoe","clientID_tokens":[{"client_id":"')
    toks = body["revoked_tokens"]["clientID_tokens"]
    assert [t["client_id"] for t in toks] == [JABBER] and len(toks[0]["refresh_token"]) == 64
    _, st = c.json("GET", "/_sim/state?user=jdoe")
    assert st["user"]["token_count"] == 1 and st["user"]["tokens"][0]["client_id"] == UDS
    status, data = revoke(c, "jdoe")
    assert [t["client_id"] for t in json.loads(data)["revoked_tokens"]["clientID_tokens"]] == [UDS]
    status, data = revoke(c, "jdoe")  # nothing left: success, empty list
    assert json.loads(data) == {"revoked_tokens": {"status": "success", "user_id": "jdoe", "clientID_tokens": []}}
    _, cnt = c.json("GET", "/_sim/counters")
    assert cnt["writes"] == 3 and cnt["by_operation"]["revoke"] == 3


def test_revoke_generated_user_and_odd_names(c):
    import json
    status, data = revoke(c, "user7")
    assert len(json.loads(data)["revoked_tokens"]["clientID_tokens"]) == 2
    odd = "o'brien & co #1 %x ü"
    status, data = revoke(c, odd)
    body = json.loads(data)["revoked_tokens"]
    assert body["status"] == "success" and body["user_id"] == odd and len(body["clientID_tokens"]) == 1
    # '+' for space also decodes
    c.json("POST", "/_sim/state", {"cucm1": {"tokens": {"a b": ["jabber"]}}})
    status, _, data = c.request("GET", "/ssosp/token/revoke?user_id=a+b", auth=("axladmin", "C1sco12345!"))
    assert len(json.loads(data)["revoked_tokens"]["clientID_tokens"]) == 1
    _, st = c.json("GET", "/_sim/state")
    assert st["refresh_token_count"] == 104 - 3


def test_revoke_unknown_user_and_errors(c):
    import json
    status, data = revoke(c, "ghost")
    assert status == 200 and json.loads(data)["revoked_tokens"]["status"] == "failure"
    status, _, _ = c.request("GET", "/ssosp/token/revoke", auth=("axladmin", "C1sco12345!"))
    assert status == 400
    assert revoke(c, "jdoe", auth=("axladmin", "bad"))[0] == 401
    _, cnt = c.json("GET", "/_sim/counters")
    assert cnt["writes"] == 0 and cnt["auth_failures"] == 1


def test_rate_limit_refuses_with_503_and_retry_after(c):
    c.json("POST", "/_sim/faults", {"rate_limit": {"rps": 0.5, "burst": 2, "operations": ["revoke"]}})
    assert [revoke(c, "nokens")[0] for _ in range(3)] == [200, 200, 503]
    status, resp, _ = c.request("GET", "/ssosp/token/revoke?user_id=jdoe", auth=("axladmin", "C1sco12345!"))
    assert status == 503 and resp.getheader("Retry-After") == "2"
    assert c.json("GET", "/_sim/state?user=jdoe")[1]["user"]["token_count"] == 2   # refused: not carried out
    log = c.json("GET", "/_sim/requests")[1]
    entries = log["requests"] if isinstance(log, dict) else log
    refused = [e for e in entries if e.get("rate_refused")]
    assert len(refused) == 2 and {e["operation"] for e in refused} == {"revoke"}
    assert c.request("GET", "/ssosp/ws/public/singleSignOn")[0] == 200  # another operation: its own (unlimited) bucket


def test_revoke_503_and_rate(c):
    c.json("POST", "/_sim/faults", {"http_503_writes": 1})
    assert revoke(c, "jdoe")[0] == 503
    assert c.json("GET", "/_sim/state?user=jdoe")[1]["user"]["token_count"] == 2
    c.json("POST", "/_sim/faults", {"http_503_rate": 0.5, "seed": 42})
    codes = [revoke(c, "nokens")[0] for _ in range(40)]
    assert 5 < codes.count(503) < 35 and set(codes) == {200, 503}
    c.json("POST", "/_sim/faults", {"http_503_rate": 0.5, "seed": 42})
    assert [revoke(c, "nokens")[0] for _ in range(40)] == codes  # reproducible with a seed
