"""A client of the simulator's control API (``/_sim/`` on every listener), and a way to start a simulator.

Start a lab and drive it from Python (the integration tests, the benchmarks and ``ucsim ctl`` use this module)::

    from ucsim.client import start

    with start("audit") as sim:                       # `ucsim serve` in a subprocess; in_process=True: threads here
        env = sim.env()                                # what STATE_DIR/env.sh exports (CUCM_HOST, CUCM_PORT, ...)
        sim.faults(http_503_writes=2, system="cucm-a")
        ...                                            # run a playbook against the lab
        assert sim.get_counters("cucm-a")["writes"] == 1
        sim.reset()                                    # log, counters, faults and lab state back to the start

or reach one that runs already: ``Client.from_state_dir(".build/sim/audit")`` (its ``env.sh``), or
``Client(url, ca)``. Every control call is a method: ``systems``, ``system``, ``node``, ``nodes``,
``known_hosts_text``, ``get_requests``, ``get_counters``, ``reset``, ``faults``, ``clear_faults``,
``expire_sessions``, ``change_password``, ``state``, ``set_state``; ``request`` is the raw call. What each answers:
``ucsim/README.md`` ("Control API").

Only the standard library is imported here (the in-process start imports the simulator itself), so a test
harness on another Python can import this module from the simulator's source tree.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shlex
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Type, TypeVar, Union

__all__ = ["SimulatorError", "Client", "Started", "SimulatorProcess", "SimulatorThread", "start", "read_env",
           "READY_RE"]

# the one line `ucsim serve` prints on stdout once every listener accepts connections
READY_RE = re.compile(r"^ready (?P<url>https://(?P<host>[^\s:]+|\[[^\]]+\]):(?P<port>\d+))\s+ca=(?P<ca>\S+)\s*$")

JSON = Any
LabArg = Union[str, "os.PathLike[str]", Mapping[str, Any], None]
S = TypeVar("S", bound="Started")
P = TypeVar("P", bound="SimulatorProcess")
H = TypeVar("H", bound="SimulatorThread")


class SimulatorError(RuntimeError):
    """A control call the simulator refused (``status``: its HTTP status, ``answer``: its body), or a simulator that
    did not start."""

    def __init__(self, message: str, status: Optional[int] = None, answer: str = ""):
        super().__init__(message)
        self.status = status
        self.answer = answer


def read_env(state_dir: Union[str, "os.PathLike[str]"]) -> Dict[str, str]:
    """What ``STATE_DIR/env.sh`` exports (written by ``ucsim serve`` before its ready line): ``UCSIM_URL``,
    ``UCSIM_CA``, ``CUCM_HOST``... as a dict."""
    path = Path(state_dir) / "env.sh"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SimulatorError("%s cannot be read (is a simulator serving from that state dir?): %s" % (path, exc))
    env = {}
    for line in text.splitlines():
        if line.startswith("export "):
            key, _, value = shlex.split(line[len("export "):])[0].partition("=")
            env[key] = value
    return env


class Client:
    """The control API of one running simulator, reached at ``url`` (any of its HTTPS listeners) with ``ca`` (the
    CA that signed the listeners' certificates, ``STATE_DIR/ca.pem``)."""

    def __init__(self, url: str, ca: Union[str, "os.PathLike[str]"], timeout: float = 30.0):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "https" or not parts.hostname or not parts.port:
            raise ValueError("the simulator's URL is https://HOST:PORT, not %r" % url)
        self.url = "%s://%s" % (parts.scheme, parts.netloc)
        self.host: str = parts.hostname
        self.port: int = parts.port
        self.ca = str(ca)
        self.timeout = timeout
        self._ssl = ssl.create_default_context(cafile=self.ca)
        self._systems: Optional[List[Dict[str, Any]]] = None

    @classmethod
    def from_state_dir(cls, state_dir: Union[str, "os.PathLike[str]"], timeout: float = 30.0) -> "Client":
        """The client of the simulator serving from ``state_dir`` (its ``env.sh``: ``UCSIM_URL``, ``UCSIM_CA``)."""
        env = read_env(state_dir)
        if not env.get("UCSIM_URL") or not env.get("UCSIM_CA"):
            raise SimulatorError("%s/env.sh names no UCSIM_URL and UCSIM_CA" % state_dir)
        return cls(env["UCSIM_URL"], env["UCSIM_CA"], timeout=timeout)

    def __repr__(self) -> str:
        return "<%s %s ca=%s>" % (type(self).__name__, self.url, self.ca)

    # -- the raw call -------------------------------------------------------------------------------------------
    def request(self, method: str, path: str, body: JSON = None, query: Optional[Mapping[str, Any]] = None,
                timeout: Optional[float] = None) -> JSON:
        """``method path[?query]`` with ``body`` as JSON; the answer's JSON (text when it is not JSON, None when
        empty). An HTTP error raises SimulatorError with the simulator's status and answer."""
        params = {k: v for k, v in (query or {}).items() if v is not None}
        url = self.url + path + ("?" + urllib.parse.urlencode(params) if params else "")
        data, headers = None, {"Accept": "application/json"}
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, context=self._ssl, timeout=timeout or self.timeout) as resp:
                text = resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            answer = err.read().decode("utf-8", "replace")[:2000]
            raise SimulatorError("%s %s -> HTTP %s: %s" % (method, path, err.code, answer), err.code, answer)
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise SimulatorError("%s %s: the simulator at %s does not answer: %s" % (method, path, self.url, reason))
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return text

    # -- systems and nodes ----------------------------------------------------------------------------------------
    def systems(self, refresh: bool = False) -> List[Dict[str, Any]]:
        """``GET /_sim/systems``: every system of the lab in lab order (``name``, ``kind``, ``url``, ``port``,
        ``address``, ``nodes``), kept after the first call (a lab's systems and ports do not change)."""
        if self._systems is None or refresh:
            self._systems = self.request("GET", "/_sim/systems")
        return self._systems

    def system(self, name_or_kind: Optional[str] = None) -> Dict[str, Any]:
        """The system with that name, else the first of that kind (``cucm``, ``cuc``, ``expressway``), else (None)
        the first system."""
        systems = self.systems()
        if name_or_kind is None:
            return systems[0]
        for key in ("name", "kind"):
            for entry in systems:
                if entry.get(key) == name_or_kind:
                    return entry
        raise SimulatorError("no system %r in %s" % (name_or_kind, [s.get("name") for s in systems]))

    def node(self, name: Optional[str] = None, system: Optional[str] = None) -> Dict[str, Any]:
        """A node by name (``name``, ``cluster``, ``role``, ``address``, ``port``, ``url``, ``ports``, and
        ``known_hosts`` on SSH nodes); default: the publisher of ``system`` (name or kind; default the first CUCM)."""
        if name is None:
            return self.nodes(system)[0]
        for entry in (n for s in self.systems() for n in s.get("nodes") or []):
            if entry["name"] == name:
                return entry
        raise SimulatorError("no node %r in the lab" % name)

    def nodes(self, system: Optional[str] = None) -> List[Dict[str, Any]]:
        """The nodes of a system (name or kind; default: the first CUCM system), publisher first."""
        return list(self.system(system or "cucm").get("nodes") or [])

    def known_hosts_text(self) -> str:
        """``GET /_sim/known_hosts``: every SSH node's known_hosts line (OpenSSH format)."""
        return self.request("GET", "/_sim/known_hosts") or ""

    # -- log, counters, faults, reset -----------------------------------------------------------------------------
    def get_requests(self, system: Optional[str] = None, node: Optional[str] = None,
                     since: Optional[int] = None) -> List[Dict[str, Any]]:
        """``GET /_sim/requests``: the request log, oldest first, of one system and/or node, after the entry ``since``
        (an ``id``)."""
        return self.request("GET", "/_sim/requests", query={"system": system, "node": node, "since": since})

    def get_counters(self, system: Optional[str] = None, node: Optional[str] = None) -> Dict[str, Any]:
        """``GET /_sim/counters``: the totals, or one system's counters (``system``), or one node's (``node``)."""
        counters = self.request("GET", "/_sim/counters")
        if node is not None:
            return counters["nodes"][node]
        return counters if system is None else counters["systems"][system]

    def reset(self, state: bool = True) -> JSON:
        """``POST /_sim/reset``: clear the log, counters and faults; ``state`` (default) also restores the lab's
        state and forgets sessions."""
        return self.request("POST", "/_sim/reset", {"state": bool(state)})

    def faults(self, **faults: Any) -> Dict[str, Any]:
        """``POST /_sim/faults``: merge faults (``http_503_writes=2``, ``latency_ms=50``, ``node_down="c-sub1"``,
        ``system="cucm1"``...; the keys: README "Control API"); the faults in force after it. Without arguments
        (``GET``): the faults in force."""
        if not faults:
            return self.request("GET", "/_sim/faults")
        return self.request("POST", "/_sim/faults", faults)

    def clear_faults(self) -> JSON:
        """``DELETE /_sim/faults``: no fault any more."""
        return self.request("DELETE", "/_sim/faults")

    def expire_sessions(self, system: Optional[str] = None, node: Optional[str] = None) -> JSON:
        """``POST /_sim/sessions/expire``: forget the JSESSIONIDSSO sessions (of one system and/or node)."""
        return self.request("POST", "/_sim/sessions/expire", {k: v for k, v in (("system", system), ("node", node))
                                                              if v is not None})

    def change_password(self, userid: str, password: str, after_requests: int = 0,
                        system: Optional[str] = None) -> JSON:
        """``POST /_sim/accounts/password``: give a lab account of ``system`` (name or kind; default the first
        system) a new password, now or after that many more requests of the system; its sessions end with it."""
        return self.request("POST", "/_sim/accounts/password", {"system": self.system(system)["name"],
                                                                "userid": userid, "password": password,
                                                                "after_requests": after_requests})

    # -- lab state ------------------------------------------------------------------------------------------------
    def state(self, system: Optional[str] = None, user: Optional[str] = None) -> Dict[str, Any]:
        """``GET /_sim/state``: one system's state (name or kind; default the first system); with ``user``, that
        user's tokens too (under ``user``)."""
        return self.request("GET", "/_sim/state", query={"system": self.system(system)["name"], "user": user})

    def set_state(self, patch: Mapping[str, Any], system: Optional[str] = None) -> JSON:
        """``POST /_sim/state``: ``patch`` is ``{system name or kind: patch}``, or, with ``system``, one system's
        patch (the keys per product: README "Control API")."""
        if system is not None:
            patch = {system: patch}
        names = {key: self.system(key)["name"] for key in patch}
        return self.request("POST", "/_sim/state", {names[key]: value for key, value in patch.items()})


class Started(Client):
    """A simulator this process started (``start``): its control API, state dir and lab, and ``stop()``. Use it as
    a context manager to stop it at the end."""

    def __init__(self, url: str, ca: str, state_dir: Path, lab: Optional[Path], timeout: float = 30.0):
        super().__init__(url, ca, timeout=timeout)
        self.state_dir = Path(state_dir)
        self.lab = lab

    @property
    def known_hosts(self) -> Path:
        """``STATE_DIR/known_hosts``: every node's SSH host key, for clients that check host keys."""
        return self.state_dir / "known_hosts"

    def env(self) -> Dict[str, str]:
        """What ``STATE_DIR/env.sh`` exports: the first system of each kind with the lab's accounts (``CUCM_*``,
        ``CUCM_SSH_*``, ``CUC_*``, ``EXPRESSWAY_*``), ``UCSIM_<SYSTEM>_PORT``, ``UCSIM_CA``, ``UCSIM_URL``..."""
        return read_env(self.state_dir)

    @property
    def running(self) -> bool:
        raise NotImplementedError

    def stop(self) -> Optional[int]:
        raise NotImplementedError

    def log_tail(self, lines: int = 60) -> str:
        """The end of the simulator's log (a process's stderr file; nothing for threads)."""
        return ""

    def __enter__(self: S) -> S:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @classmethod
    def _lab_file(cls, lab: LabArg, state_dir: Path) -> Union[Path, str, None]:
        """The lab as ``ucsim serve --lab`` takes it: None (the shipped default), a shipped lab's name, or a file
        (YAML text and mappings are written to STATE_DIR/lab.yml)."""
        if lab is None:
            return None
        if isinstance(lab, Mapping):
            import yaml  # noqa: PLC0415 - only for labs given as mappings
            text: str = yaml.safe_dump(dict(lab), sort_keys=False)
        else:
            text = os.fspath(lab)
        if "\n" in text:
            path = state_dir / "lab.yml"
            path.write_text(text, encoding="utf-8")
            return path
        if os.path.exists(text):
            return Path(text).resolve()
        if os.sep in text or text.endswith((".yml", ".yaml")):
            raise SimulatorError("lab file %s does not exist" % Path(text).resolve())
        return text  # the name of a shipped lab (`ucsim labs`)


class SimulatorProcess(Started):
    """``ucsim serve`` in a subprocess of its own (own session: a test's signals do not reach it); its stderr in
    ``log_path`` (``STATE_DIR/ucsim.log``)."""

    def __init__(self, process: "subprocess.Popen[bytes]", url: str, ca: str, state_dir: Path, lab: Optional[Path],
                 log_path: Path, timeout: float = 30.0):
        super().__init__(url, ca, state_dir, lab, timeout=timeout)
        self.process = process
        self.log_path = log_path

    @classmethod
    def start(cls: Type[P], lab: LabArg = None, state_dir: Union[str, "os.PathLike[str]", None] = None,
              listen: str = "127.0.0.1:0", timeout: float = 60.0, extra_args: Iterable[str] = (),
              command: Optional[Sequence[str]] = None, quiet: bool = False, lenient_soap: bool = False,
              log_max_entries: Optional[int] = None) -> P:
        """Start ``ucsim serve`` and wait (``timeout`` seconds) for its ready line; SimulatorError if it does not come.

        lab: None (the shipped default lab), a shipped lab's name (``audit``), a lab file, the lab's YAML text (any
        string with a newline) or a mapping. state_dir: a new temporary directory if None. command: how to run
        ucsim (default: this Python, ``-m ucsim``). quiet, lenient_soap, log_max_entries, extra_args: options of
        ``ucsim serve`` (``ucsim serve --help``)."""
        state = Path(state_dir) if state_dir else Path(tempfile.mkdtemp(prefix="ucsim-"))
        state.mkdir(parents=True, exist_ok=True)
        lab_file = cls._lab_file(lab, state)
        cmd = list(command or [sys.executable, "-m", "ucsim"])
        cmd += ["serve", "--listen", listen, "--state-dir", str(state)]
        if lab_file is not None:
            cmd += ["--lab", str(lab_file)]
        cmd += (["--quiet"] if quiet else []) + (["--lenient-soap"] if lenient_soap else [])
        if log_max_entries is not None:
            cmd += ["--log-max-entries", str(int(log_max_entries))]
        cmd += list(extra_args)
        log_path = state / "ucsim.log"
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                                    cwd=str(state), start_new_session=True,
                                    env=dict(os.environ, PYTHONUNBUFFERED="1"))
        lines: "queue.Queue[Optional[str]]" = queue.Queue()

        def pump() -> None:  # read stdout for as long as the simulator lives, so it never blocks on a full pipe
            assert proc.stdout is not None
            for raw in proc.stdout:
                lines.put(raw.decode("utf-8", "replace").rstrip("\r\n"))
            lines.put(None)

        threading.Thread(target=pump, name="ucsim-stdout", daemon=True).start()
        deadline, seen = time.monotonic() + timeout, []  # type: float, List[str]
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = lines.get(timeout=remaining) if remaining > 0 else None
            except queue.Empty:
                line = None
            match = READY_RE.match(line.strip()) if line is not None else None
            if match:
                break
            if line is None:
                _terminate(proc)
                raise SimulatorError(
                    "ucsim did not print its ready line within %.0fs (exit code %s)\ncommand: %s\nstdout: %s\n"
                    "stderr (%s):\n%s" % (timeout, proc.poll(), shlex.join(cmd), "\n".join(seen), log_path,
                                          _tail(log_path)))
            seen.append(line)
        return cls(proc, match.group("url"), match.group("ca"), state,
                   lab_file if isinstance(lab_file, Path) else None, log_path)

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> Optional[int]:
        """SIGTERM (then SIGKILL after ``timeout``); the exit code (0: stopped cleanly)."""
        return _terminate(self.process, timeout)

    def log_tail(self, lines: int = 60) -> str:
        return _tail(self.log_path, lines)

    def __repr__(self) -> str:
        return "<%s %s ca=%s pid=%s>" % (type(self).__name__, self.url, self.ca, self.process.pid)


class SimulatorThread(Started):
    """A simulator served by threads of this process: ``simulator`` is its ``ucsim.server.Simulator`` (for tests
    that look inside: systems, states, the core)."""

    def __init__(self, simulator: Any, url: str, ca: str, state_dir: Path, lab: Optional[Path],
                 timeout: float = 30.0):
        super().__init__(url, ca, state_dir, lab, timeout=timeout)
        self.simulator = simulator
        self._stopped = False

    @classmethod
    def start(cls: Type[H], lab: Any = None, state_dir: Union[str, "os.PathLike[str]", None] = None,
              listen: str = "127.0.0.1:0", quiet: bool = False, lenient_soap: bool = False,
              log_max_entries: Optional[int] = None) -> H:
        """Load the lab (as ``SimulatorProcess.start`` takes it, or a ``ucsim.lab.Lab`` already parsed), bind every
        listener, write STATE_DIR/env.sh and serve in daemon threads; lab errors raise ``ucsim.lab.LabError``."""
        from . import labenv, server  # noqa: PLC0415 - the simulator itself, only when started here
        from . import lab as labmod  # noqa: PLC0415

        state = Path(state_dir) if state_dir else Path(tempfile.mkdtemp(prefix="ucsim-"))
        state.mkdir(parents=True, exist_ok=True)
        if isinstance(lab, labmod.Lab):
            parsed, lab_file = lab, None
        else:
            lab_file = cls._lab_file(lab, state)
            parsed = labmod.load(None if lab_file is None else str(lab_file), set(server.KINDS))
            for warning in parsed.warnings:
                labmod.warn(warning)
        if lenient_soap:
            parsed.settings["soap_contract"] = "lenient"
        host, _, port = listen.rpartition(":")
        sim = server.Simulator(parsed, str(state), quiet=quiet, log_max_entries=log_max_entries)
        url = sim.start(host.strip("[]") or "127.0.0.1", int(port))
        labenv.write_env(sim, str(state))
        return cls(sim, url, str(state / "ca.pem"), state, lab_file if isinstance(lab_file, Path) else None)

    @property
    def running(self) -> bool:
        return not self._stopped

    def stop(self) -> Optional[int]:
        """Close every listener; 0."""
        if not self._stopped:
            self._stopped = True
            self.simulator.stop()
        return 0


def start(lab: LabArg = None, *, in_process: bool = False, state_dir: Union[str, "os.PathLike[str]", None] = None,
          listen: str = "127.0.0.1:0", quiet: bool = False, lenient_soap: bool = False,
          log_max_entries: Optional[int] = None, **process_options: Any) -> Started:
    """Start a simulator with ``lab`` and return its client (a context manager that stops it).

    ``in_process=False`` (default): ``ucsim serve`` in a subprocess (``SimulatorProcess.start``; also ``timeout``,
    ``command``, ``extra_args``). ``in_process=True``: served by threads of this process
    (``SimulatorThread.start``), for tests that want to look inside (``.simulator``)."""
    options: Dict[str, Any] = dict(state_dir=state_dir, listen=listen, quiet=quiet, lenient_soap=lenient_soap,
                                   log_max_entries=log_max_entries)
    if in_process:
        if process_options:
            raise TypeError("options of a subprocess only: %s" % ", ".join(sorted(process_options)))
        return SimulatorThread.start(lab, **options)
    return SimulatorProcess.start(lab, **options, **process_options)


def _terminate(proc: "subprocess.Popen[bytes]", timeout: float = 15.0) -> Optional[int]:
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)
        except ProcessLookupError:
            pass
    return proc.returncode


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
