"""Helpers for the integration tests: the simulator (`ucsim serve`) and `ansible-playbook`.

Tests normally use the fixtures in conftest.py (`sim`, `sim_factory`, `run_playbook`, `cucm_env`...);
everything here also works without pytest, e.g. from a Python shell:

    from helpers import Simulator, run_playbook
    with Simulator.start() as sim:
        res = run_playbook(PLAYBOOK, env=sim.cucm_env())

Simulator contract: docs/architecture.md, section "The simulator ucsim".
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Union

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
CALLBACK_DIR = HERE / "callback_plugins"
CALLBACK_NAME = "collab_uc_results"

# CUCM credentials of the simulator's default lab (an application user with the "Standard AXL API Access" role).
CUCM_USERNAME = "axladmin"
CUCM_SSH_USERNAME = "osadmin"        # the lab's platform administrator (not the AXL user)
CUCM_SSH_PASSWORD = "Pl4tform-Adm1n!"
CUCM_PASSWORD = "C1sco12345!"
# Expressway administrator of the shipped labs with an Expressway (audit.yml).
EXPRESSWAY_USERNAME = "admin"
EXPRESSWAY_PASSWORD = "Exp-Adm1n!"
# Unity Connection administrator of the default lab; override per call where a lab differs.
CUC_USERNAME = os.environ.get("COLLAB_UC_TEST_CUC_USERNAME", "cucadmin")
CUC_PASSWORD = os.environ.get("COLLAB_UC_TEST_CUC_PASSWORD", "C1sco12345!")

READY_RE = re.compile(r"^ready (?P<url>https://(?P<host>[^\s:]+|\[[^\]]+\]):(?P<port>\d+))\s+ca=(?P<ca>\S+)\s*$")

# Environment variables a playbook run never inherits from the test process (the test says what it wants; a
# simulator started with a time scale gives COLLAB_UC_TIME_SCALE in Simulator.time_env()).
_SCRUBBED_ENV_PREFIXES = ("CUCM_", "CUC_", "EXPRESSWAY_", "ANSIBLE_", "COLLAB_UC_TIME_SCALE")


def shipped_lab(name: str) -> Path:
    """A lab shipped with the simulator (``ucsim serve --lab NAME``): from the installed ucsim package, else from
    the source tree (ansible-test's copy of the collection has no ucsim/)."""
    try:
        from ucsim.lab import LABS_DIR  # noqa: PLC0415  (optional: only where ucsim is importable)
    except ImportError:
        return REPO_ROOT / "ucsim" / "src" / "ucsim" / "labs" / (name + ".yml")
    return Path(LABS_DIR) / (name + ".yml")


def expressway_discovery_lab(absent=("CollaborationEdge OAuthWithRefresh",), extra=None) -> str:
    """The audit lab (YAML text) with its Expressway-C expc-a lacking the leaves ``absent`` (by default the
    collection's assumed name of "Authorize by OAuth token with refresh") and showing the leaves ``extra``
    ({path: value}) that the simulator does not otherwise know (ucsim's lab keys absent_leaves, extra_leaves)."""
    import yaml  # noqa: PLC0415

    lab = yaml.safe_load(shipped_lab("audit").read_text())
    for system in lab["expressway"]:
        if system["name"] == "expc-a":
            system["absent_leaves"] = list(absent)
            system["extra_leaves"] = dict(extra or {})
            for path in absent:
                (system.get("xconfiguration") or {}).pop(path, None)
    return yaml.safe_dump(lab, sort_keys=False)


def _bin_dir() -> Path:
    """The directory of the Python running the tests (the venv's bin), else the repository's .venv/bin."""
    candidate = Path(sys.executable).parent
    if (candidate / "ansible-playbook").exists():
        return candidate
    return REPO_ROOT / ".venv" / "bin"


def ucsim_command() -> List[str]:
    override = os.environ.get("COLLAB_UC_UCSIM")
    if override:
        return shlex.split(override)
    exe = _bin_dir() / "ucsim"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "ucsim"]


def ansible_playbook_command() -> List[str]:
    override = os.environ.get("COLLAB_UC_ANSIBLE_PLAYBOOK")
    return shlex.split(override) if override else [str(_bin_dir() / "ansible-playbook")]


def collections_path() -> Path:
    """Where the built collection is installed (`make build`); COLLAB_UC_COLLECTIONS_PATH overrides."""
    return Path(os.environ.get("COLLAB_UC_COLLECTIONS_PATH") or REPO_ROOT / ".build" / "collections").resolve()


def check_installed_collection(path: Optional[Path] = None) -> Optional[str]:
    """Return why the installed collection cannot be tested (missing or stale), or None if it is fine.

    Stale means a file under plugins/, meta/, roles/ or playbooks/ of the work tree differs from the installed
    copy: the tests would otherwise exercise old code. Only checked for the default location (`make build`).
    """
    root = path or collections_path()
    installed = root / "ansible_collections" / "collab" / "uc"
    # an installed build has MANIFEST.json; the source tree ansible-test runs in (tests/integration/targets) galaxy.yml
    if not (installed / "MANIFEST.json").exists() and not (
            os.environ.get("COLLAB_UC_COLLECTIONS_PATH") and (installed / "galaxy.yml").exists()):
        return "collab.uc is not installed in %s: run `make build` (or set COLLAB_UC_COLLECTIONS_PATH)" % root
    if os.environ.get("COLLAB_UC_COLLECTIONS_PATH"):
        return None
    for sub in ("plugins", "meta", "roles", "playbooks"):
        for src in sorted((REPO_ROOT / sub).rglob("*")):
            if not src.is_file() or "__pycache__" in src.parts or src.suffix == ".pyc":
                continue
            dst = installed / src.relative_to(REPO_ROOT)
            if not dst.exists() or dst.read_bytes() != src.read_bytes():
                return "the installed collab.uc in %s is stale (%s differs): run `make build`" % (
                    root, src.relative_to(REPO_ROOT))
    return None


# --------------------------------------------------------------------------------------------------------
# The simulator
# --------------------------------------------------------------------------------------------------------

class SimulatorError(RuntimeError):
    pass


class Simulator:
    """One running `ucsim serve` process and a client for its control API (`/_sim/...`).

    Attributes: url (https://127.0.0.1:PORT of the first system), host, port, ca (path of the CA PEM that
    signed every listener's certificate), state_dir, lab (path or None for the shipped default lab), log_path
    (the simulator's stderr), time_scale (how many times faster than real time the lab runs: ucsim's clock).
    """

    time_scale = 1.0

    def __init__(self, process: subprocess.Popen, url: str, host: str, port: int, ca: str,
                 state_dir: Path, lab: Optional[Path], log_path: Path):
        self.process = process
        self.url = url
        self.host = host
        self.port = port
        self.ca = ca
        self.state_dir = state_dir
        self.lab = lab
        self.log_path = log_path
        self._ssl = ssl.create_default_context(cafile=ca)
        self._systems: Optional[List[Dict[str, Any]]] = None

    # -- life cycle ---------------------------------------------------------------------------------------
    @classmethod
    def start(cls, lab: Union[str, os.PathLike, None] = None, state_dir: Union[str, os.PathLike, None] = None,
              listen: str = "127.0.0.1:0", timeout: float = 60.0, extra_args: Iterable[str] = (),
              time_scale: Optional[float] = None) -> "Simulator":
        """Start `ucsim serve` and wait for its ready line.

        lab: None for the shipped default lab, a path to a lab YAML file, or the YAML text itself (any string
        with a newline), which is written to STATE_DIR/lab.yml. state_dir: a fresh temporary directory if None.
        time_scale: run the lab that many times faster than real time (`ucsim serve --time-scale`); a playbook
        then needs `time_env()` in its environment for the collection to wait likewise.
        """
        state_dir = Path(state_dir) if state_dir else Path(tempfile.mkdtemp(prefix="ucsim-"))
        state_dir.mkdir(parents=True, exist_ok=True)
        lab_path: Optional[Path] = None
        if lab is not None:
            if isinstance(lab, str) and "\n" in lab:
                lab_path = state_dir / "lab.yml"
                lab_path.write_text(lab)
            else:
                lab_path = Path(lab).resolve()
                if not lab_path.is_file():
                    raise SimulatorError("lab file %s does not exist" % lab_path)

        cmd = ucsim_command() + ["serve", "--listen", listen, "--state-dir", str(state_dir)]
        if lab_path is not None:
            cmd += ["--lab", str(lab_path)]
        cmd += list(extra_args)
        if time_scale is not None:
            cmd += ["--time-scale", repr(float(time_scale))]

        log_path = state_dir / "ucsim.log"
        log = open(log_path, "ab")
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                                    cwd=str(state_dir), start_new_session=True,
                                    env=dict(os.environ, PYTHONUNBUFFERED="1"))
        finally:
            log.close()

        lines: "queue.Queue[Optional[str]]" = queue.Queue()

        def pump() -> None:  # read stdout for as long as the simulator lives, so it never blocks on a full pipe
            assert proc.stdout is not None
            for raw in proc.stdout:
                lines.put(raw.decode("utf-8", "replace").rstrip("\r\n"))
            lines.put(None)

        threading.Thread(target=pump, name="ucsim-stdout", daemon=True).start()

        deadline = time.monotonic() + timeout
        seen: List[str] = []
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = lines.get(timeout=max(remaining, 0.01)) if remaining > 0 else None
            except queue.Empty:
                line = None
            if line is None:
                _terminate(proc)
                raise SimulatorError(
                    "ucsim did not print its ready line within %.0fs (exit code %s)\ncommand: %s\nstdout: %s\n"
                    "stderr (%s):\n%s" % (timeout, proc.poll(), shlex.join(cmd), "\n".join(seen), log_path,
                                          _tail(log_path)))
            match = READY_RE.match(line.strip())
            if match:
                break
            seen.append(line)

        host = match.group("host").strip("[]")
        sim = cls(proc, match.group("url"), host, int(match.group("port")), match.group("ca"),
                  state_dir, lab_path, log_path)
        if time_scale is not None:
            sim.time_scale = float(time_scale)
        return sim

    def stop(self, timeout: float = 15.0) -> Optional[int]:
        """Stop the simulator (SIGTERM, then SIGKILL) and return its exit code."""
        return _terminate(self.process, timeout)

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def time_env(self) -> Dict[str, str]:
        """COLLAB_UC_TIME_SCALE for a playbook against a lab started with a time scale (the collection then
        divides its waits likewise), else nothing."""
        if self.time_scale == 1:
            return {}
        return {"COLLAB_UC_TIME_SCALE": "%d" % self.time_scale if self.time_scale == int(self.time_scale)
                else repr(self.time_scale)}

    def log_tail(self, lines: int = 60) -> str:
        return _tail(self.log_path, lines)

    def __enter__(self) -> "Simulator":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return "<Simulator %s ca=%s pid=%s>" % (self.url, self.ca, self.process.pid)

    # -- control API --------------------------------------------------------------------------------------
    def request(self, method: str, path: str, body: Any = None, port: Optional[int] = None,
                timeout: float = 30.0) -> Any:
        """Call the simulator; JSON in, JSON (or text) out. Raises SimulatorError on HTTP errors."""
        url = "https://%s:%d%s" % (self.host, port or self.port, path)
        data = None
        headers = {"Accept": "application/json"}
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, context=self._ssl, timeout=timeout) as resp:
                text = resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace")[:2000]
            raise SimulatorError("%s %s -> HTTP %s: %s" % (method, path, err.code, detail))
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return text

    @staticmethod
    def _query(**params: Any) -> str:
        params = {k: v for k, v in params.items() if v is not None}
        return ("?" + urllib.parse.urlencode(params)) if params else ""

    def systems(self, refresh: bool = False) -> List[Dict[str, Any]]:
        """`[{"name", "kind", "url", "port"}]` of every system of the lab, in lab order."""
        if self._systems is None or refresh:
            self._systems = self.request("GET", "/_sim/systems")
        return self._systems

    def system(self, name_or_kind: Optional[str] = None) -> Dict[str, Any]:
        """The system with that name, else the first of that kind ("cucm", "cuc"), else the first system."""
        systems = self.systems()
        if name_or_kind is None:
            return systems[0]
        for sys_ in systems:
            if sys_.get("name") == name_or_kind:
                return sys_
        for sys_ in systems:
            if sys_.get("kind") == name_or_kind:
                return sys_
        raise SimulatorError("no system %r in %s" % (name_or_kind, [s.get("name") for s in systems]))

    def get_counters(self, system: Optional[str] = None) -> Dict[str, Any]:
        """`/_sim/counters`: totals, or one system's counters if `system` names it."""
        counters = self.request("GET", "/_sim/counters")
        if system is None:
            return counters
        return counters["systems"][system]

    def get_requests(self, system: Optional[str] = None) -> List[Dict[str, Any]]:
        """`/_sim/requests`, oldest first, optionally of one system."""
        return self.request("GET", "/_sim/requests" + self._query(system=system))

    def reset(self, state: bool = True) -> Any:
        """Clear log, counters and faults; with state=True also restore the lab state."""
        return self.request("POST", "/_sim/reset", {"state": bool(state)})

    def faults(self, **kw: Any) -> Any:
        """Merge faults (http_503_writes=N, axl_memory_reads=N, latency_ms=X, drop_connections=N,
        http_503_rate=R, seed=S, system=NAME); with no argument, return the current faults."""
        if not kw:
            return self.request("GET", "/_sim/faults")
        return self.request("POST", "/_sim/faults", kw)

    def expire_sessions(self) -> Any:
        return self.request("POST", "/_sim/sessions/expire", {})

    def change_password(self, userid: str, password: str, after_requests: int = 0,
                        system: Optional[str] = None) -> Any:
        """Give a lab account a new password, now or after that many more requests of its system (ends its
        sessions: ucsim's PASSWORD_CHANGE_ENDS_SESSIONS)."""
        return self.request("POST", "/_sim/accounts/password", {"system": self.system(system)["name"],
                                                                "userid": userid, "password": password,
                                                                "after_requests": after_requests})

    def state(self, system: Optional[str] = None) -> Dict[str, Any]:
        """`/_sim/state` of one system (by name or kind; default: the first system)."""
        return self.request("GET", "/_sim/state" + self._query(system=self.system(system)["name"]))

    def set_state(self, patch: Dict[str, Any]) -> Any:
        """`POST /_sim/state` with a JSON patch per system, e.g. {"cucm-pub": {...}}."""
        return self.request("POST", "/_sim/state", patch)

    def node(self, name: str) -> Dict[str, Any]:
        """One node of the lab (`/_sim/systems` nodes[]: name, cluster, role, address, port, url, ports)."""
        for sys_ in self.systems():
            for node in sys_.get("nodes") or []:
                if node["name"] == name:
                    return node
        raise SimulatorError("no node %r in the lab" % name)

    def nodes(self, system: Optional[str] = None) -> List[Dict[str, Any]]:
        """The nodes of a system (by name or kind; default: the first CUCM system), publisher first."""
        return list(self.system(system or "cucm").get("nodes") or [])

    @staticmethod
    def _host_of(entry: Dict[str, Any]) -> str:
        return urllib.parse.urlsplit(entry["url"]).hostname

    # -- connection settings for modules ------------------------------------------------------------------
    def cucm_env(self, system: Optional[str] = None, username: str = CUCM_USERNAME,
                 password: str = CUCM_PASSWORD) -> Dict[str, str]:
        """CUCM_* variables for a CUCM system of the lab (default: the first CUCM system)."""
        sys_ = self.system(system or "cucm")
        return _env("CUCM", self._host_of(sys_), sys_["port"], username, password, CA_PATH=self.ca)

    def node(self, name: Optional[str] = None, system: Optional[str] = None) -> Dict[str, Any]:
        """A node of `/_sim/systems` by name (default: the publisher of `system`, or of the first CUCM)."""
        for node in (n for s in self.systems() for n in s["nodes"]):
            if node["name"] == name:
                return node
        if name is not None:
            raise SimulatorError("no node %r" % name)
        return self.system(system or "cucm")["nodes"][0]

    @property
    def known_hosts(self) -> Path:
        """The simulator's known_hosts file (every node's SSH host key), written once it listens."""
        return self.state_dir / "known_hosts"

    def cucm_ssh_env(self, node: Optional[str] = None, system: Optional[str] = None,
                     username: str = CUCM_SSH_USERNAME, password: str = CUCM_SSH_PASSWORD,
                     known_hosts: Union[str, os.PathLike, None] = None) -> Dict[str, str]:
        """CUCM_SSH_* variables for a node's platform CLI (default: the first CUCM's publisher), checking
        host keys against the simulator's known_hosts (or `known_hosts`)."""
        n = self.node(node, system)
        return _env("CUCM_SSH", n["address"], n["ports"]["ssh"], username, password,
                    KNOWN_HOSTS=str(known_hosts or self.known_hosts))

    def expressway_env(self, system: Optional[str] = None, username: str = EXPRESSWAY_USERNAME,
                       password: str = EXPRESSWAY_PASSWORD,
                       known_hosts: Union[str, os.PathLike, None] = None) -> Dict[str, str]:
        """EXPRESSWAY_* variables for an Expressway's admin CLI (default: the lab's first Expressway), checking
        host keys against the simulator's known_hosts (or `known_hosts`)."""
        n = self.system(system or "expressway")["nodes"][0]
        return _env("EXPRESSWAY", n["address"], n["ports"]["ssh"], username, password,
                    KNOWN_HOSTS=str(known_hosts or self.known_hosts))

    def cuc_env(self, system: Optional[str] = None, username: str = CUC_USERNAME,
                password: str = CUC_PASSWORD) -> Dict[str, str]:
        """CUC_* variables for a Unity Connection system of the lab (default: the first one)."""
        sys_ = self.system(system or "cuc")
        return _env("CUC", self._host_of(sys_), sys_["port"], username, password, CA_PATH=self.ca)


def _env(prefix: str, host: str, port: Any, username: str, password: str, **more: str) -> Dict[str, str]:
    """The environment variables of one connection group (``PREFIX_HOST``, ``_PORT``, ``_USERNAME``,
    ``_PASSWORD`` and ``more``, e.g. ``CA_PATH``), as the modules read them."""
    values = dict(HOST=host, PORT=str(int(port)), USERNAME=username, PASSWORD=password, **more)
    return {"%s_%s" % (prefix, key): value for key, value in values.items()}


def _terminate(proc: subprocess.Popen, timeout: float = 15.0) -> Optional[int]:
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


def process_tree(pid: int) -> List[int]:
    """``pid`` and all its descendants (from /proc)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def kill_tree(proc: subprocess.Popen) -> List[int]:
    """SIGKILL ansible-playbook's process group and every process group below it.

    ansible-playbook's workers call setsid() (ansible-core 2.19 and newer), so the module runs in a process group
    of its own there: killing only
    ansible-playbook's group would leave the module running to the end.
    """
    groups = []
    for pid in process_tree(proc.pid):
        try:
            group = os.getpgid(pid)
        except ProcessLookupError:
            continue
        if group not in groups:
            groups.append(group)
    for group in groups:
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return groups


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --------------------------------------------------------------------------------------------------------
# ansible-playbook
# --------------------------------------------------------------------------------------------------------

@dataclass(repr=False)
class PlaybookResult:
    """What one ansible-playbook run produced.

    results: one dict per task result, in order, as written by the test callback plugin:
        {"task", "action", "host", "status" (ok|changed|failed|skipped|unreachable), "changed", "failed",
         "skipped", "unreachable", "ignore_errors", "msg", "result" (the module's result dict), "diff"}
    stats: per-host play recap {"localhost": {"ok", "changed", "failures", "unreachable", "skipped", ...}}
    """
    rc: int
    stdout: str
    stderr: str
    results: List[Dict[str, Any]] = field(default_factory=list)
    stats: Dict[str, Dict[str, int]] = field(default_factory=dict)
    command: List[str] = field(default_factory=list)
    playbook: str = ""

    @property
    def output(self) -> str:
        """stdout and stderr together, e.g. to look for leaked secrets."""
        return self.stdout + "\n" + self.stderr

    def task(self, name: str, host: Optional[str] = None) -> Dict[str, Any]:
        """The (last) result of the task with that name (and host)."""
        found = self.tasks(name, host)
        if not found:
            raise KeyError("no result for task %r in %s" % (name, [r["task"] for r in self.results]))
        return found[-1]

    def tasks(self, name: str, host: Optional[str] = None) -> List[Dict[str, Any]]:
        return [r for r in self.results if r["task"] == name and (host is None or r["host"] == host)]

    @property
    def changed(self) -> bool:
        return any(r.get("changed") for r in self.results)

    @property
    def failed(self) -> bool:
        return self.rc != 0 or any(r.get("failed") and not r.get("ignore_errors") for r in self.results)

    def describe(self) -> str:
        """A readable account for assertion messages."""
        return "ansible-playbook exited %d\ncommand: %s\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
            self.rc, shlex.join(self.command), self.stdout[-20000:], self.stderr[-20000:])

    def __str__(self) -> str:
        return self.describe()

    def __repr__(self) -> str:
        return "<PlaybookResult rc=%d tasks=%d changed=%s>" % (self.rc, len(self.results), self.changed)


def run_playbook(playbook: Union[str, os.PathLike], extravars: Optional[Dict[str, Any]] = None,
                 env: Optional[Dict[str, str]] = None, check: bool = False, diff: bool = False,
                 verbosity: int = 0, limit: Optional[str] = None, inventory: Optional[str] = None,
                 timeout: float = 600.0, workdir: Union[str, os.PathLike, None] = None,
                 extra_args: Iterable[str] = ()) -> PlaybookResult:
    """Run ansible-playbook against the installed collection and return a PlaybookResult.

    playbook: a path to a playbook file, the playbook's YAML text (any string with a newline), or the name of a
    playbook of the installed collection (collab.uc.oauth_audit).
    extravars: passed as JSON with -e. env: added to a scrubbed environment (no CUCM_*, CUC_*, ANSIBLE_*
    inherited from the caller). inventory: inventory file text; default a local `localhost` using the
    Python that runs the tests. The stdout callback stays the default one; per-task results come from the
    test callback plugin tests/integration/callback_plugins/collab_uc_results.py.
    """
    work = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="collab-uc-play-"))
    work.mkdir(parents=True, exist_ok=True)

    text = os.fspath(playbook)
    if "\n" in text:
        pb_path = work / "playbook.yml"
        pb_path.write_text(text)
    elif re.match(r"^[a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_]+$", text) and not Path(text).exists():
        pb_path = text  # a playbook of an installed collection, run by its name (collab.uc.oauth_audit)
    else:
        pb_path = Path(text).resolve()
        if not pb_path.is_file():
            raise FileNotFoundError("playbook %s does not exist" % pb_path)

    inv_path = work / "inventory.ini"
    inv_path.write_text(inventory if inventory is not None else
                        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    cfg_path = work / "ansible.cfg"
    if not cfg_path.exists():
        cfg_path.write_text("# empty on purpose: the environment configures ansible\n")
    results_path = work / "results.jsonl"
    if results_path.exists():
        results_path.unlink()

    run_env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED_ENV_PREFIXES)}
    run_env.update({
        "ANSIBLE_CONFIG": str(cfg_path),
        "ANSIBLE_COLLECTIONS_PATH": str(collections_path()),
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "False",
        "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACK_DIR),
        "ANSIBLE_CALLBACKS_ENABLED": CALLBACK_NAME,
        "COLLAB_UC_RESULTS_FILE": str(results_path),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_LOCAL_TEMP": str(work / "tmp"),
        "ANSIBLE_HOME": str(work / "ansible-home"),
        "ANSIBLE_DEPRECATION_WARNINGS": "True",
        "PYTHONUNBUFFERED": "1",
    })
    if env:
        run_env.update({k: str(v) for k, v in env.items()})

    cmd = ansible_playbook_command() + ["-i", str(inv_path), str(pb_path)]
    if extravars:
        cmd += ["-e", json.dumps(extravars)]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    if verbosity:
        cmd.append("-" + "v" * int(verbosity))
    if limit:
        cmd += ["--limit", limit]
    cmd += list(extra_args)

    try:
        proc = subprocess.run(cmd, cwd=str(work), env=run_env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout, check=False)
        rc, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as exc:
        rc = -1
        stdout = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        stderr = (exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")) + \
            "\nansible-playbook timed out after %ss" % timeout

    results: List[Dict[str, Any]] = []
    stats: Dict[str, Dict[str, int]] = {}
    if results_path.exists():
        for line in results_path.read_text().splitlines():
            if not line.strip():
                continue
            entry = json.loads(line)
            if entry.get("event") == "stats":
                stats = entry.get("stats", {})
            else:
                results.append(entry)
    return PlaybookResult(rc=rc, stdout=stdout, stderr=stderr, results=results, stats=stats, command=cmd,
                          playbook=str(pb_path))
