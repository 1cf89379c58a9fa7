"""CUCM REST on /ssosp: public SSO status and refresh-token revocation."""

import json

from .. import assumptions as A
from ..web import Response, json_response

SSO_STATUS = "/ssosp/ws/public/singleSignOn"
REVOKE = "/ssosp/token/revoke"


def peek(req):
    if req.path.rstrip("/") == SSO_STATUS:
        return "singleSignOn"
    if req.path.rstrip("/") == REVOKE:
        return "revoke"
    return "%s %s" % (req.method, req.path)


def handle(ctx):
    path = ctx.req.path.rstrip("/")
    if path == SSO_STATUS:
        return _sso_status(ctx)
    if path == REVOKE:
        return _revoke(ctx)
    return Response(404, "Not Found: %s" % ctx.req.path, kind="other")


def _sso_status(ctx):
    if ctx.req.method not in ("GET", "HEAD"):
        return Response(405, "Method Not Allowed", headers=[("Allow", "GET")], kind="other")
    enabled, reuse = ctx.state.sso_status()
    # seed 000's sample: this root, its one attribute version="" (assumptions.py), no XML declaration
    body = ('<SingleSignOn version="%s">\n    <Status enabled="%s"/>\n    <Token reuse="%s"/>\n</SingleSignOn>\n'
            % (A.SSO_VERSION, "true" if enabled else "false", "true" if reuse else "false"))
    return Response(200, body, "text/xml; charset=utf-8", kind="read", operation="singleSignOn")


def _revoke(ctx):
    req = ctx.req
    ctx.authenticate("axl")
    if req.method != "GET":
        return Response(405, "Method Not Allowed", headers=[("Allow", "GET")], kind="other")
    user = req.q("user_id")
    if user is None or user == "":
        return json_response({"revoked_tokens": {"status": "failure", "user_id": "",
                                                 "message": "user_id is required"}}, 400, kind="fault")
    cid = req.q("client_id") or None  # matched exactly: no aliases here, unlike labs
    ctx.gate_write()
    st = ctx.state
    with st.lock:
        removed = st.revoke(user, cid)
    if removed is None:
        return json_response({"revoked_tokens": {"status": "failure", "user_id": user,
                                                 "message": A.REVOKE_UNKNOWN_USER_MESSAGE}},
                             A.REVOKE_UNKNOWN_USER_STATUS, kind="fault")
    out = {"revoked_tokens": {"status": "success", "user_id": user,
                              "clientID_tokens": [{"client_id": t.clientid, "refresh_token": t.value}
                                                  for t in removed]}}
    return Response(200, json.dumps(out, separators=(",", ":"), ensure_ascii=False), "application/json",
                    kind="write", operation="revoke")
