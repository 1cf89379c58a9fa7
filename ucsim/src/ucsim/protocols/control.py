"""The control API under /_sim/ (on every listener; never logged or counted)."""

import json

from ..lab import LabError
from ..web import Response, json_response


def _body(req):
    if not req.body.strip():
        return {}
    return json.loads(req.body.decode("utf-8"))


def handle(sim, node, req):
    """A control request that reached ``node`` (its system is the default ``system``)."""
    try:
        return _handle(sim, node.system, req)
    except (LabError, ValueError, TypeError, KeyError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        return json_response({"error": str(msg)}, 400)


def _system_name(sim, req, default):
    name = req.q("system", default)
    if name is not None and name not in sim.systems:
        raise LabError("no system named %r (have: %s)" % (name, ", ".join(sim.systems)))
    return name


def _node_name(sim, name):
    if name is not None and name not in sim.nodes:
        raise LabError("no node named %r (have: %s)" % (name, ", ".join(sim.nodes)))
    return name


def _handle(sim, system, req):
    path, method = req.path.rstrip("/"), req.method
    if path == "/_sim/requests" and method == "GET":
        since = int(req.q("since", "0") or 0)
        return json_response(sim.requests(_system_name(sim, req, None), since, _node_name(sim, req.q("node"))))
    if path == "/_sim/counters" and method == "GET":
        return json_response(sim.counters())
    if path == "/_sim/reset" and method == "POST":
        data = _body(req)
        sim.reset(state=bool(data.get("state")))
        return json_response({"reset": True, "state": bool(data.get("state"))})
    if path == "/_sim/faults":
        if method == "GET":
            return json_response(sim.faults)
        if method == "POST":
            return json_response(sim.set_faults(_body(req)))
        if method == "DELETE":
            sim.core.clear_faults()
            return json_response({})
    if path == "/_sim/sessions/expire" and method == "POST":
        data = _body(req)
        name = data.get("system")
        if name is not None and name not in sim.systems:
            raise LabError("no system named %r" % name)
        return json_response({"expired": sim.expire_sessions(name, _node_name(sim, data.get("node")))})
    if path == "/_sim/accounts/password" and method == "POST":
        data = _body(req)
        name = data.get("system", system.name)
        if name not in sim.systems:
            raise LabError("no system named %r" % name)
        userid, password = data.get("userid"), data.get("password")
        after = data.get("after_requests", 0)
        if not isinstance(userid, str) or not isinstance(password, str):
            raise LabError("userid and password must be strings")
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            raise LabError("after_requests must be an integer >= 0")
        sim.change_password(name, userid, password, after)
        return json_response({"system": name, "userid": userid, "after_requests": after})
    if path == "/_sim/state":
        if method == "GET":
            name = _system_name(sim, req, system.name)
            return json_response(sim.systems[name].state.to_json(user=req.q("user")))
        if method == "POST":
            data = _body(req)
            if not isinstance(data, dict):
                raise LabError("state patch must be a JSON object {system: patch}")
            if req.q("system"):
                data = {_system_name(sim, req, None): data}
            for name in data:
                if name not in sim.systems:
                    raise LabError("no system named %r (have: %s)" % (name, ", ".join(sim.systems)))
            for name, patch in data.items():
                sim.systems[name].state.patch(patch)
            return json_response({"patched": list(data)})
    if path == "/_sim/clock":
        if method == "GET":
            return json_response(sim.clock.to_json())
        if method == "POST":
            data = _body(req)
            if not isinstance(data, dict) or set(data) != {"time_scale"}:
                raise LabError("the clock patch is {\"time_scale\": N} (a number from 1 to 1000)")
            sim.set_time_scale(data["time_scale"])
            return json_response(sim.clock.to_json())
    if path == "/_sim/systems" and method == "GET":
        return json_response(sim.systems_json())
    if path == "/_sim/known_hosts" and method == "GET":
        return Response(200, sim.known_hosts(), "text/plain; charset=utf-8")
    return json_response({"error": "no control endpoint %s %s" % (method, req.path)}, 404)
