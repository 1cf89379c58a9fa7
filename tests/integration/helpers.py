"""Helpers for the integration tests: the simulator (`ucsim serve`, through ucsim.client) and `ansible-playbook`.

Tests normally use the fixtures in conftest.py (`sim`, `sim_factory`, `run_playbook`, `cucm_env`...);
everything here also works without pytest, e.g. from a Python shell:

    from helpers import Simulator, run_playbook
    with Simulator.start() as sim:
        res = run_playbook(PLAYBOOK, env=sim.cucm_env())

The simulator's control API and its start are ucsim.client's (ucsim/README.md, "Control API" and "ucsim.client");
this module adds the harness's ucsim command and the modules' connection variables.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Union

from ucsim import client as ucsim_client

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

# Environment variables a playbook run never inherits from the test process (the test says what it wants).
_SCRUBBED_ENV_PREFIXES = ("CUCM_", "CUC_", "EXPRESSWAY_", "ANSIBLE_")


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
# The simulator: ucsim.client's SimulatorProcess, with the connection variables of the collection's modules
# --------------------------------------------------------------------------------------------------------

SimulatorError = ucsim_client.SimulatorError  # a control call refused, or a simulator that did not start


class Simulator(ucsim_client.SimulatorProcess):
    """One running `ucsim serve` process and its control API: ucsim.client.SimulatorProcess (url, host, port, ca,
    state_dir, lab, log_path, process, known_hosts; systems(), node(), get_requests(), get_counters(), reset(),
    faults(), state(), set_state()..., stop()), started with the harness's ucsim (`ucsim_command()`), plus the
    environment variables that point the collection's modules at a system of the lab (cucm_env()...)."""

    @classmethod
    def start(cls, lab: Union[str, os.PathLike, None] = None, state_dir: Union[str, os.PathLike, None] = None,
              listen: str = "127.0.0.1:0", timeout: float = 60.0, extra_args: Iterable[str] = (),
              **options: Any) -> "Simulator":
        """Start `ucsim serve` and wait for its ready line (ucsim.client.SimulatorProcess.start).

        lab: None for the shipped default lab, a shipped lab's name, a path to a lab YAML file, or the YAML text itself
        (any string with a newline), which is written to STATE_DIR/lab.yml. state_dir: a fresh temporary directory
        if None. options: quiet, lenient_soap, log_max_entries (ucsim serve's options).
        """
        options.setdefault("command", ucsim_command())
        return super().start(lab, state_dir=state_dir, listen=listen, timeout=timeout, extra_args=extra_args,
                             **options)

    # -- connection settings for modules ------------------------------------------------------------------
    def cucm_env(self, system: Optional[str] = None, username: str = CUCM_USERNAME,
                 password: str = CUCM_PASSWORD) -> Dict[str, str]:
        """CUCM_* variables for a CUCM system of the lab (default: the first CUCM system)."""
        sys_ = self.system(system or "cucm")
        return _env("CUCM", urllib.parse.urlsplit(sys_["url"]).hostname, sys_["port"], username, password,
                    CA_PATH=self.ca)

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
        n = self.node(system=system or "expressway")
        return _env("EXPRESSWAY", n["address"], n["ports"]["ssh"], username, password,
                    KNOWN_HOSTS=str(known_hosts or self.known_hosts))

    def cuc_env(self, system: Optional[str] = None, username: str = CUC_USERNAME,
                password: str = CUC_PASSWORD) -> Dict[str, str]:
        """CUC_* variables for a Unity Connection system of the lab (default: the first one)."""
        sys_ = self.system(system or "cuc")
        return _env("CUC", urllib.parse.urlsplit(sys_["url"]).hostname, sys_["port"], username, password,
                    CA_PATH=self.ca)


def _env(prefix: str, host: str, port: Any, username: str, password: str, **more: str) -> Dict[str, str]:
    """The environment variables of one connection group (``PREFIX_HOST``, ``_PORT``, ``_USERNAME``,
    ``_PASSWORD`` and ``more``, e.g. ``CA_PATH``), as the modules read them."""
    values = dict(HOST=host, PORT=str(int(port)), USERNAME=username, PASSWORD=password, **more)
    return {"%s_%s" % (prefix, key): value for key, value in values.items()}


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
