import pytest

from simhelp import axlerr, find, rows
from ucsim import sql


def q(c, text, client_version="14.0"):
    inner = "<sql>%s</sql>" % text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return c.axl("executeSQLQuery", inner, version=client_version)


def ok_rows(c, text):
    status, _, root = q(c, text)
    assert status == 200, find(root, "Fault/faultstring").text
    return rows(root)


def test_processconfig(c):
    r = ok_rows(c, "SELECT paramname, paramvalue FROM processconfig WHERE paramname IN "
                   "('oAuthWithRefreshLoginFlow','oauthTokenExpiryTimer')")
    assert r == [{"paramname": "oAuthWithRefreshLoginFlow", "paramvalue": "F"},
                 {"paramname": "oauthTokenExpiryTimer", "paramvalue": "60"}]
    r = ok_rows(c, "select paramvalue from processconfig where lower(paramname) = 'clusterid'")
    assert r == [{"paramvalue": "StandAloneCluster"}]


def test_enduser_and_tokens(c):
    r = ok_rows(c, "select userid, firstname from enduser where userid = 'jdoe'")
    assert r == [{"userid": "jdoe", "firstname": "John"}]
    r = ok_rows(c, "select userid from enduser where userid in ('user1', 'user50', 'user51', 'jdoe') order by userid")
    assert [x["userid"] for x in r] == ["jdoe", "user1", "user50"]
    r = ok_rows(c, "select clientid, validity, state, refreshtokenindex, pkid from refreshtokendetails where userid='user7'")
    assert len(r) == 2 and {x["state"] for x in r} == {"1"} and all(int(x["validity"]) > 0 for x in r)
    r = ok_rows(c, "select count(*) from refreshtokendetails")
    assert r == [{"count": "104"}]
    r = ok_rows(c, "select userid, count(*) as n from refreshtokendetails where userid in ('jdoe','asmith') "
                   "group by userid order by n desc")
    assert r == [{"userid": "jdoe", "n": "2"}, {"userid": "asmith", "n": "1"}]
    r = ok_rows(c, "select skip 10 first 5 userid from enduser where userid like 'user%' order by userid")
    assert len(r) == 5
    r = ok_rows(c, "select userid from refreshtokendetails where validity > 0 and refreshtokenindex < 3")
    assert len(r) == 2


def test_quoting_and_injection(c):
    # properly escaped: the whole thing is one literal, no rows
    assert ok_rows(c, "select userid from enduser where userid = 'x'' OR ''1''=''1'") == []
    assert ok_rows(c, "select userid from enduser where userid in ('x'' OR 1=1 --')") == []
    r = ok_rows(c, "select userid from enduser where userid = 'o''brien & co #1 %x ü'")
    assert r == [{"userid": "o'brien & co #1 %x ü"}]
    # unescaped attempts are syntax errors
    for bad in ("select userid from enduser where userid = 'x' OR '1'='1'",
                "select userid from enduser where userid = 'x'; drop table enduser",
                "select userid from enduser where userid = 'x' -- comment",
                "select userid from enduser where userid = 'unterminated",
                "select userid from enduser union select paramvalue from processconfig",
                "select nosuchcol from enduser", "select * from nosuchtable",
                "delete from enduser", "select userid from enduser where userid = \"x\"",
                "select userid, count(*) from enduser"):
        status, _, root = q(c, bad)
        assert status == 500 and axlerr(root)[0] == 201, bad


def test_too_large(client_for):
    c3 = client_for("cucm3")
    c3.json("POST", "/_sim/reset", {"state": True})
    status, _, root = q(c3, "select * from enduser", "12.5")
    assert status == 500
    code, msg = axlerr(root)
    assert code == -1 and msg.startswith("Query request too large. Total rows matched: 200 rows")
    status, _, root = q(c3, "select first 5 userid from enduser order by userid desc", "12.5")
    assert status == 200 and rows(root)[0]["userid"] == "u0200"


def test_parser_unit():
    p = sql.parse("SELECT a, LOWER(b) AS x, COUNT(*) FROM t WHERE a IN ('1','2') AND LOWER(b) = 'q''r' GROUP BY a, b;")
    assert p.table == "t" and p.conds[1] == (True, "b", "=", ["q'r"])
    with pytest.raises(sql.SQLError):
        sql.parse("select a from t where a = 1 or 1=1")


def test_memory_fault_on_queries_only(c):
    c.json("POST", "/_sim/faults", {"axl_memory_queries": 1})
    assert c.axl("getCCMVersion", ns_version="1.0")[0] == 200            # other reads are not hit
    status, _, root = q(c, "select userid from enduser where userid = 'jdoe'")
    assert status == 500 and axlerr(root)[0] == -1
    assert ok_rows(c, "select userid from enduser where userid = 'jdoe'") == [{"userid": "jdoe"}]
    assert c.json("GET", "/_sim/faults")[1]["axl_memory_queries"] == 0


def test_absent_tables_are_not_in_the_database(c):
    c.json("POST", "/_sim/state", {"cucm1": {"absent_tables": ["refreshtokendetails"]}})
    status, _, root = q(c, "select userid from refreshtokendetails")
    assert status == 500 and "not in the database" in axlerr(root)[1]
    assert ok_rows(c, "select userid from enduser where userid = 'jdoe'") == [{"userid": "jdoe"}]
    status, body = c.json("POST", "/_sim/state", {"cucm1": {"absent_tables": ["nosuch"]}})
    assert status == 400 and "unknown tables" in body["error"]
