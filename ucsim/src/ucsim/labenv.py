"""What a user exports to point the collection at a running simulator: ``STATE_DIR/env.sh``.

Written by ``ucsim serve`` once every listener is bound (ports are only known then), printed by ``make sim``
(hacking/sim.sh), read by the inventory of ``examples/lab/`` and by the guide tests (tests/integration/test_guides.py).

* ``CUCM_*``, ``CUCM_SSH_*``, ``CUC_*``, ``EXPRESSWAY_*``: the first system of each kind (the modules' environment
  fallbacks), with the lab's first account that may do the job (AXL user, platform administrator of level 4,
  Connection administrator, Expressway administrator);
* ``UCSIM_<SYSTEM>_PORT`` and ``UCSIM_<SYSTEM>_SSH_PORT`` for every system (name in capitals, ``-`` as ``_``),
  ``UCSIM_CA`` and ``UCSIM_KNOWN_HOSTS``, ``UCSIM_URL``, ``UCSIM_STATE_DIR``;
* ``COLLAB_UC_TIME_SCALE`` when the lab runs faster than real time (``clock.py``): the collection then divides
  its waits (pacing, polls, timeouts, backoff) by the same scale.
"""

import os
import shlex


def _first(accounts, ok):
    for a in accounts or []:
        if isinstance(a, dict) and ok(a):
            return a
    return None


def _cucm_axl(config):
    return _first(config.get("users"), lambda a: "axl" in (a.get("roles") or []))


def _platform_admin(config):
    return _first((config.get("platform") or {}).get("admins"), lambda a: int(a.get("privilege", 4)) >= 4)


def _cuc_admin(config):
    return _first(config.get("users"), lambda a: "admin" in (a.get("roles") or []))


def _expressway_admin(config):
    return _first(config.get("admins"), lambda a: int(a.get("privilege", 4)) >= 4)


def env_vars(sim, state_dir):
    """The (name, value) pairs, in the order printed."""
    ca = os.path.join(state_dir, "ca.pem")
    known_hosts = os.path.join(state_dir, "known_hosts")
    out = []
    seen = set()
    first = next(iter(sim.systems.values()), None)
    for s in sim.systems.values():
        if s.kind in seen:
            continue
        seen.add(s.kind)
        pub, config = s.publisher, s.spec.config
        if s.kind == "cucm":
            axl = _cucm_axl(config) or {}
            out += [("CUCM_HOST", pub.host), ("CUCM_PORT", pub.port), ("CUCM_USERNAME", axl.get("userid")),
                    ("CUCM_PASSWORD", axl.get("password")), ("CUCM_CA_PATH", ca)]
            admin = _platform_admin(config)
            if admin and "ssh" in pub.ports:
                out += [("CUCM_SSH_HOST", pub.host), ("CUCM_SSH_PORT", pub.ports["ssh"]),
                        ("CUCM_SSH_USERNAME", admin.get("userid")), ("CUCM_SSH_PASSWORD", admin.get("password")),
                        ("CUCM_SSH_KNOWN_HOSTS", known_hosts)]
        elif s.kind == "cuc":
            admin = _cuc_admin(config) or {}
            out += [("CUC_HOST", pub.host), ("CUC_PORT", pub.port), ("CUC_USERNAME", admin.get("userid")),
                    ("CUC_PASSWORD", admin.get("password")), ("CUC_CA_PATH", ca)]
        elif s.kind == "expressway":
            admin = _expressway_admin(config) or {}
            out += [("EXPRESSWAY_HOST", pub.host), ("EXPRESSWAY_PORT", pub.ports.get("ssh")),
                    ("EXPRESSWAY_USERNAME", admin.get("userid")), ("EXPRESSWAY_PASSWORD", admin.get("password")),
                    ("EXPRESSWAY_KNOWN_HOSTS", known_hosts)]
    for s in sim.systems.values():
        key = "UCSIM_%s" % s.name.upper().replace("-", "_").replace(".", "_")
        if s.publisher.port is not None:
            out.append((key + "_PORT", s.publisher.port))
        if "ssh" in s.publisher.ports:
            out.append((key + "_SSH_PORT", s.publisher.ports["ssh"]))
    out += [("UCSIM_CA", ca), ("UCSIM_KNOWN_HOSTS", known_hosts),
            ("UCSIM_URL", first.url if first is not None else ""), ("UCSIM_STATE_DIR", state_dir)]
    scale = getattr(sim, "time_scale", 1)
    if scale != 1:
        out.append(("COLLAB_UC_TIME_SCALE", scale_text(scale)))
    return [(k, v) for k, v in out if v is not None]


def scale_text(scale):
    """A time scale as a client reads it back exactly (``20``, not ``20.0``)."""
    return str(int(scale)) if scale == int(scale) else repr(float(scale))


def env_text(sim, state_dir):
    return "".join("export %s=%s\n" % (k, shlex.quote(str(v))) for k, v in env_vars(sim, state_dir))


def write_env(sim, state_dir):
    """``STATE_DIR/env.sh``, written whole (a reader never sees half of it)."""
    path = os.path.join(state_dir, "env.sh")
    with open(path + ".tmp", "w") as handle:
        handle.write("# the simulator's systems, ports and accounts: . %s\n" % shlex.quote(path))
        handle.write(env_text(sim, state_dir))
    os.replace(path + ".tmp", path)
    return path
