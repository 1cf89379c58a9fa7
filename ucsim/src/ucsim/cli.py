"""The ``ucsim`` command: ``serve`` a lab, ``check`` one, list the shipped ``labs``, ``lab import`` a capture, print
``known-hosts``, and ``ctl``: the control API of a running simulator (through ``ucsim.client``)."""

import argparse
import json
import os
import signal
import sys
import textwrap
import threading

from . import __version__
from .lab import LabError


def _parse_listen(value):
    host, sep, port = value.rpartition(":")
    if not sep:
        raise argparse.ArgumentTypeError("--listen wants HOST:PORT, e.g. 127.0.0.1:8443")
    host = host.strip("[]") or "127.0.0.1"
    try:
        port = int(port)
    except ValueError:
        raise argparse.ArgumentTypeError("bad port in --listen: %r" % port)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError("port out of range: %d" % port)
    return host, port


def _labs_dir():
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "labs")


def _lab_names():
    try:
        return sorted(f[:-4] for f in os.listdir(_labs_dir()) if f.endswith(".yml"))
    except OSError:
        return []


def lab_description(name):
    """The first sentence of a shipped lab's header comment (what ``ucsim labs`` and ``ucsim --help`` show)."""
    words = []
    with open(os.path.join(_labs_dir(), name + ".yml")) as handle:
        for line in handle:
            text = line.lstrip("#").strip()
            if not line.startswith("#") or not text or text.startswith(("Format:", "- ")):
                break
            words.append(text)
    text = " ".join(words)
    end = text.find(". ")
    return text[:end + 1] if end >= 0 else text


def labs(args):
    """Each shipped lab's name and the first sentence of its description."""
    for name in _lab_names():
        print("%-10s %s" % (name, lab_description(name)))
    return 0


DESCRIPTION = """\
Offline simulator of the Cisco UC APIs collab.uc uses, on loopback: CUCM clusters (AXL, the SSO status and
refresh-token revocation on /ssosp, Serviceability's ControlCenterServices, the platform CLI over SSH), Unity
Connection (CUPI /vmrest) and Expressway-C (its admin CLI, xConfiguration and xStatus, over SSH). A lab file says
which systems run; a control API (/_sim/ on every listener; `ucsim ctl`, ucsim.client) resets them, reads their
request log, counters and state, and injects faults. Guide: ucsim/README.md."""


def _epilog():
    lines = ["shipped labs (--lab NAME):"]
    lines += ["  %-10s %s" % (name, textwrap.shorten(lab_description(name), 100, placeholder="...")) for name in
              _lab_names()]
    lines += ["", "examples:",
              "  ucsim serve --lab audit --listen 127.0.0.1:0 --state-dir /tmp/lab   # ready https://... ca=...",
              "  . /tmp/lab/env.sh                                                  # CUCM_HOST, CUCM_PORT, ...",
              "  ucsim ctl --state-dir /tmp/lab counters --system cucm-a"]
    return "\n".join(lines)


def _lab_option(parser):
    parser.add_argument("--lab", default=None,
                        help="lab YAML file, or the name of a shipped lab: %s (default: default)"
                             % ", ".join(_lab_names()))


def _json_object(value):
    try:
        data = json.loads(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError("not JSON: %s" % exc)
    if not isinstance(data, dict):
        raise argparse.ArgumentTypeError("a JSON object {...} is wanted, not %s" % type(data).__name__)
    return data


def _ctl_parser(sub):
    c = sub.add_parser("ctl", help="call the control API of a running simulator (JSON on stdout)",
                       description="Call the control API (/_sim/) of a running simulator, found by its state dir "
                                   "(env.sh) or by --url and --ca; the answer is printed as JSON (known-hosts: "
                                   "text). Exit 1 when the simulator refuses the call or does not answer.")
    c.add_argument("--state-dir", default=None,
                   help="the simulator's state dir (default: $UCSIM_STATE_DIR, else ./.ucsim)")
    c.add_argument("--url", default=None, help="https://HOST:PORT of any listener (with --ca; instead of --state-dir)")
    c.add_argument("--ca", default=None, help="the CA file of the simulator (STATE_DIR/ca.pem)")
    calls = c.add_subparsers(dest="call", metavar="CALL")
    calls.add_parser("systems", help="GET /_sim/systems: the lab's systems and nodes, their addresses and ports")
    calls.add_parser("known-hosts", help="GET /_sim/known_hosts: every SSH node's known_hosts line")
    r = calls.add_parser("requests", help="GET /_sim/requests: the request log, oldest first")
    r.add_argument("--system", default=None)
    r.add_argument("--node", default=None)
    r.add_argument("--since", type=int, default=None, help="only entries after this id")
    n = calls.add_parser("counters", help="GET /_sim/counters: totals, or one system's or node's counters")
    n.add_argument("--system", default=None)
    n.add_argument("--node", default=None)
    x = calls.add_parser("reset", help="POST /_sim/reset: clear log, counters and faults, and restore the lab state")
    x.add_argument("--keep-state", action="store_true", help="clear log, counters and faults only")
    f = calls.add_parser("faults", help="GET /_sim/faults, or POST a JSON object of faults to merge")
    f.add_argument("faults", nargs="?", type=_json_object, default=None,
                   help='e.g. \'{"http_503_writes": 2, "system": "cucm1"}\'')
    calls.add_parser("clear-faults", help="DELETE /_sim/faults")
    e = calls.add_parser("expire-sessions", help="POST /_sim/sessions/expire")
    e.add_argument("--system", default=None)
    e.add_argument("--node", default=None)
    w = calls.add_parser("password", help="POST /_sim/accounts/password: give a lab account a new password")
    w.add_argument("userid")
    w.add_argument("password")
    w.add_argument("--system", default=None, help="name or kind (default: the first system)")
    w.add_argument("--after-requests", type=int, default=0, help="change it after that many more requests")
    t = calls.add_parser("state", help="GET /_sim/state: one system's state")
    t.add_argument("system", nargs="?", default=None, help="name or kind (default: the first system)")
    t.add_argument("--user", default=None, help="also that user's tokens")
    p = calls.add_parser("patch", help="POST /_sim/state: change a system's state behind its APIs' back")
    p.add_argument("patch", type=_json_object, help='{"SYSTEM": {...}}, or one system\'s patch with --system')
    p.add_argument("--system", default=None, help="name or kind of the one system patched")
    return c


def build_parser():
    p = argparse.ArgumentParser(prog="ucsim", description=DESCRIPTION, epilog=_epilog(),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version="ucsim " + __version__)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    s = sub.add_parser("serve", help="serve the systems of a lab (HTTPS; SSH for the CLIs) until SIGTERM/SIGINT",
                       description="Serve the systems of a lab: HTTPS on every node, SSH on CUCM nodes and "
                                   "Expressways. Prints one line `ready https://HOST:PORT ca=STATE_DIR/ca.pem` once "
                                   "every listener accepts connections, after writing STATE_DIR/env.sh (what to "
                                   "export) and STATE_DIR/known_hosts; logs to stderr. A bad lab exits 2.")
    _lab_option(s)
    s.add_argument("--listen", type=_parse_listen, default=("127.0.0.1", 8443),
                   help="HOST:PORT of the first system (PORT 0: pick free ports); default 127.0.0.1:8443")
    s.add_argument("--state-dir", default=None,
                   help="directory for the CA, certificates, SSH host keys, env.sh and known_hosts "
                        "(default: ./.ucsim; what is there is reused)")
    s.add_argument("--lenient-soap", action="store_true",
                   help="accept AXL and Serviceability requests that break their schema (sim.soap_contract: lenient)")
    s.add_argument("--quiet", action="store_true", help="no per-request log lines on stderr")
    s.add_argument("--log-max-entries", type=int, default=None,
                   help="bound of the request log (default: lab sim.log_max_entries, 100000)")
    c = sub.add_parser("check", help="load and validate a lab, print its systems and nodes")
    _lab_option(c)
    sub.add_parser("labs", help="list the shipped labs with the first sentence of their description")
    lab = sub.add_parser("lab", help="lab files: import a capture")
    labsub = lab.add_subparsers(dest="lab_command")
    i = labsub.add_parser("import", help="turn a capture (oauth_audit_capture_dir) into a lab that replays it")
    i.add_argument("directory", help="the capture directory (its *.ndjson files)")
    i.add_argument("-o", "--output", default=None, help="the lab file to write (default: standard output)")
    i.add_argument("--password", default="ucsim-replay",
                   help="the password of every account of the lab (a capture holds none); default ucsim-replay")
    k = sub.add_parser("known-hosts", help="print the known_hosts lines of a running simulator's SSH listeners")
    k.add_argument("--state-dir", default=None, help="the simulator's state dir (default: ./.ucsim)")
    _ctl_parser(sub)
    return p


def known_hosts(args):
    """The state dir's known_hosts file (written by ``serve`` once its listeners are bound)."""
    path = os.path.join(os.path.abspath(args.state_dir or ".ucsim"), "known_hosts")
    if not os.path.exists(path):
        sys.stderr.write("ucsim: %s does not exist (is a simulator serving from that state dir?)\n" % path)
        return 1
    with open(path) as handle:
        sys.stdout.write(handle.read())
    return 0


def _load(lab_path):
    from . import lab as labmod
    from .server import KINDS
    lab = labmod.load(lab_path, set(KINDS))
    for w in lab.warnings:
        labmod.warn(w)
    return lab


def serve(args):
    from .server import Simulator
    lab = _load(args.lab)
    if args.lenient_soap:
        lab.settings["soap_contract"] = "lenient"
    state_dir = os.path.abspath(args.state_dir or ".ucsim")
    os.makedirs(state_dir, exist_ok=True)
    # Handler threads spend their time waiting (injected latency, sockets); a short GIL switch interval lets a
    # thread whose wait ended run at once instead of queueing up to 5 ms behind a busy one, so the latency a
    # client sees is the latency injected, also with many connections at a time.
    sys.setswitchinterval(0.0005)
    sim = Simulator(lab, state_dir, quiet=args.quiet, log_max_entries=args.log_max_entries)
    host, port = args.listen
    url = sim.start(host, port)
    from .labenv import write_env
    env_path = write_env(sim, state_dir)
    stop = threading.Event()

    def _on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    sys.stdout.write("ready %s ca=%s\n" % (url, os.path.join(state_dir, "ca.pem")))
    sys.stdout.flush()
    for n in sim.nodes.values():
        sys.stderr.write("ucsim: %s (%s %s, %s) listening on %s%s\n"
                         % (n.name, n.system.kind, n.system.name, n.role, n.url,
                            "".join(" %s:%d" % (t, p) for t, p in sorted(n.ports.items()) if t != "https")))
    sys.stderr.write("ucsim: what to export (hosts, ports, accounts, CA, known_hosts): . %s\n" % env_path)
    if lab.settings.get("soap_contract") == "lenient":
        sys.stderr.write("ucsim: lenient SOAP: AXL and Serviceability requests are not checked against their "
                         "contracts\n")
    sys.stderr.flush()
    while not stop.wait(0.5):
        pass
    sys.stderr.write("ucsim: stopping\n")
    sim.stop()
    return 0


def check(args):
    lab = _load(args.lab)
    from .server import Simulator
    sim = Simulator(lab, state_dir=None, quiet=True)
    for s in sim.systems.values():
        print("%s\t%s\tport=%s" % (s.name, s.kind, s.spec.port if s.spec.port is not None else "auto"))
        if not s.publisher.spec.implicit:
            for n in s.nodes:
                print("  node %s\t%s\taddress=%s" % (n.name, n.role, n.spec.address or "auto"))
    return 0


def ctl(args):
    """One control API call through ucsim.client; its answer as JSON (text for known-hosts) on stdout."""
    from .client import Client, SimulatorError
    if args.call is None:
        sys.stderr.write("ucsim ctl: give a call (ucsim ctl --help)\n")
        return 2
    try:
        if args.url or args.ca:
            if not (args.url and args.ca):
                sys.stderr.write("ucsim ctl: --url and --ca go together\n")
                return 2
            client = Client(args.url, args.ca)
        else:
            client = Client.from_state_dir(args.state_dir or os.environ.get("UCSIM_STATE_DIR") or ".ucsim")
        call = {
            "systems": lambda: client.systems(),
            "known-hosts": lambda: client.known_hosts_text(),
            "requests": lambda: client.get_requests(args.system, args.node, args.since),
            "counters": lambda: client.get_counters(args.system, args.node),
            "reset": lambda: client.reset(state=not args.keep_state),
            "faults": lambda: client.faults(**(args.faults or {})),
            "clear-faults": lambda: client.clear_faults(),
            "expire-sessions": lambda: client.expire_sessions(args.system, args.node),
            "password": lambda: client.change_password(args.userid, args.password, args.after_requests,
                                                       args.system),
            "state": lambda: client.state(args.system, args.user),
            "patch": lambda: client.set_state(args.patch, args.system),
        }[args.call]
        answer = call()
    except (SimulatorError, ValueError, KeyError) as exc:
        sys.stderr.write("ucsim ctl %s: %s\n" % (args.call, exc.args[0] if exc.args else exc))
        return 1
    sys.stdout.write(answer if isinstance(answer, str) else json.dumps(answer, indent=1) + "\n")
    return 0


def lab_command(args):
    if args.lab_command != "import":
        sys.stderr.write("ucsim lab: give a subcommand (import)\n")
        return 2
    from . import replay
    import yaml
    lab, notes = replay.import_capture(args.directory, args.password)
    _load_data(lab)  # refuse to write a lab this simulator cannot load
    header = ["# Imported by `ucsim lab import %s`: the systems of a capture, every account with the password given"
              % args.directory,
              "# by --password; replay: the captured reads, answered byte for byte (ucsim/README.md)."]
    header += ["# NOTE: " + note for note in notes]
    text = "\n".join(header) + "\n" + yaml.safe_dump(lab, sort_keys=False, allow_unicode=True, width=4096)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
        systems = [s["name"] for kind, entries in lab.items() if kind != "sim" for s in entries]
        sys.stderr.write("ucsim: wrote %s: %d systems (%s), %d captured reads\n" % (
            args.output, len(systems), ", ".join(systems),
            sum(len(s["replay"]) for kind, entries in lab.items() if kind != "sim" for s in entries)))
    else:
        sys.stdout.write(text)
    return 0


def _load_data(data):
    from . import lab as labmod
    from .server import KINDS, Simulator
    Simulator(labmod.parse(data, set(KINDS)), state_dir=None, quiet=True)


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return {"serve": serve, "check": check, "known-hosts": known_hosts, "labs": labs,
                "lab": lab_command, "ctl": ctl}[args.command](args)
    except LabError as exc:
        sys.stderr.write("ucsim: lab error: %s\n" % exc)
        return 2
    except OSError as exc:
        sys.stderr.write("ucsim: %s\n" % exc)
        return 1


if __name__ == "__main__":
    sys.exit(main())
