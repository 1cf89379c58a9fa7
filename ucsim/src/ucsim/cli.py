"""The ``ucsim`` command."""

import argparse
import os
import signal
import sys
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


def _time_scale(value):
    from .clock import check_scale
    try:
        return check_scale(float(value), "--time-scale")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc) if "must be" in str(exc) else "--time-scale wants a number")


def _labs_dir():
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "labs")


def _lab_names():
    try:
        return sorted(f[:-4] for f in os.listdir(_labs_dir()) if f.endswith(".yml"))
    except OSError:
        return []


def labs(args):
    """Each shipped lab's name and the first line of its header comment."""
    for name in _lab_names():
        first = ""
        with open(os.path.join(_labs_dir(), name + ".yml")) as handle:
            for line in handle:
                if line.startswith("#"):
                    first = line.lstrip("#").strip()
                    break
        print("%-10s %s" % (name, first))
    return 0


def build_parser():
    p = argparse.ArgumentParser(prog="ucsim", description="Offline simulator of Cisco UC APIs (CUCM AXL, ssosp)")
    p.add_argument("--version", action="version", version="ucsim " + __version__)
    sub = p.add_subparsers(dest="command")
    s = sub.add_parser("serve", help="serve the systems of a lab over HTTPS")
    s.add_argument("--lab", default=None,
                   help="lab YAML file, or the name of a shipped lab: %s (default: default)" % ", ".join(_lab_names()))
    s.add_argument("--listen", type=_parse_listen, default=("127.0.0.1", 8443),
                   help="HOST:PORT of the first system (PORT 0: pick free ports); default 127.0.0.1:8443")
    s.add_argument("--state-dir", default=None,
                   help="directory for the CA and certificates (default: ./.ucsim)")
    s.add_argument("--lenient-soap", action="store_true",
                   help="accept AXL and Serviceability requests that break their schema (sim.soap_contract: lenient)")
    s.add_argument("--quiet", action="store_true", help="no per-request log lines on stderr")
    s.add_argument("--log-max-entries", type=int, default=None,
                   help="bound of the request log (default: lab sim.log_max_entries, 100000)")
    s.add_argument("--time-scale", type=_time_scale, default=None,
                   help="run the lab N times faster than real time: restarts, rate windows, idle sessions and CLI "
                        "delays last 1/N, instants stay on the wall clock (default: lab sim.time_scale, 1)")
    c = sub.add_parser("check", help="load and validate a lab, print its systems")
    c.add_argument("--lab", default=None,
                   help="lab YAML file, or the name of a shipped lab: %s (default: default)" % ", ".join(_lab_names()))
    sub.add_parser("labs", help="list the shipped labs with their first line of description")
    lab = sub.add_parser("lab", help="lab files: import a capture")
    labsub = lab.add_subparsers(dest="lab_command")
    i = labsub.add_parser("import", help="turn a capture (oauth_audit_capture_dir) into a lab that replays it")
    i.add_argument("directory", help="the capture directory (its *.ndjson files)")
    i.add_argument("-o", "--output", default=None, help="the lab file to write (default: standard output)")
    i.add_argument("--password", default="ucsim-replay",
                   help="the password of every account of the lab (a capture holds none); default ucsim-replay")
    k = sub.add_parser("known-hosts", help="print the known_hosts lines of a running simulator's SSH listeners")
    k.add_argument("--state-dir", default=None, help="the simulator's state dir (default: ./.ucsim)")
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
    sim = Simulator(lab, state_dir, quiet=args.quiet, log_max_entries=args.log_max_entries,
                    time_scale=args.time_scale)
    host, port = args.listen
    url = sim.start(host, port)
    from .labenv import scale_text, write_env
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
    if sim.time_scale != 1:
        sys.stderr.write("ucsim: the lab runs %g times faster than real time (restarts, rate windows, idle sessions, "
                         "CLI delays); clients divide their waits likewise: COLLAB_UC_TIME_SCALE=%s\n"
                         % (sim.time_scale, scale_text(sim.time_scale)))
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
                "lab": lab_command}[args.command](args)
    except LabError as exc:
        sys.stderr.write("ucsim: lab error: %s\n" % exc)
        return 2
    except OSError as exc:
        sys.stderr.write("ucsim: %s\n" % exc)
        return 1


if __name__ == "__main__":
    sys.exit(main())
