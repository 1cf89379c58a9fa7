"""pytest fixtures for the integration tests: ansible-playbook with the built collection against ucsim.

Fixtures
    sim            a running simulator (tests.integration.helpers.Simulator) with fresh state: one simulator
                   per test module, reset (log, counters, faults, lab state and clock) before each test. The module
                   can choose its lab with a module-level SIM_LAB (path or YAML text) and run it faster than real
                   time with SIM_TIME_SCALE (ucsim's clock); one test can get a simulator of its own with
                   @pytest.mark.sim_lab(path_or_yaml_text, time_scale=None).
    sim_factory    sim_factory(lab=None, time_scale=None) starts another simulator, stopped after the test.
    cucm_env       CUCM_HOST/PORT/USERNAME/PASSWORD/CA_PATH for `sim`'s first CUCM system.
    cuc_env        CUC_* likewise for its first Unity Connection system.
    run_playbook   run_playbook(playbook_text_or_path, extravars=None, env=None, check=False, diff=False,
                   verbosity=0, limit=None, ...) -> helpers.PlaybookResult (rc, stdout, stderr, results, stats).
                   In a test that uses `sim`, the environment also has `sim.time_env()` (COLLAB_UC_TIME_SCALE of
                   a faster lab, so that the collection waits in the lab's seconds), unless `env` sets it.

Run with `make integration` (builds and installs the collection first), or, after `make build`,
`.venv/bin/python -m pytest tests/integration`. COLLAB_UC_COLLECTIONS_PATH selects another installed copy;
`--real-time` starts every simulator at time scale 1 (what the suite takes without the faster clocks).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

import helpers
from helpers import REPO_ROOT, Simulator, SimulatorError  # noqa: F401  (re-exported for tests)

PLAYBOOKS_DIR = REPO_ROOT / "playbooks"


REAL_TIME = []  # [True] with --real-time


def pytest_addoption(parser):
    parser.addoption("--real-time", action="store_true", default=False,
                     help="start every simulator at time scale 1 (SIM_TIME_SCALE and sim_lab's time_scale ignored)")


def pytest_configure(config):
    if config.getoption("--real-time", default=False):
        REAL_TIME.append(True)
    config.addinivalue_line("markers", "sim_lab(lab, time_scale=None): give this test its own simulator started "
                                       "with that lab (a lab file path or the lab's YAML text), at that time scale")
    config.addinivalue_line("markers", "matrix: also run on the other ansible-core releases of `make matrix` (at least "
                                       "one test per module; hacking/matrix.sh)")


@pytest.fixture(scope="session")
def installed_collection():
    """Path of the collections root with collab.uc; fails the tests early if it is missing or stale."""
    problem = helpers.check_installed_collection()
    if problem:
        pytest.fail(problem, pytrace=False)
    return helpers.collections_path()


def _start(lab, state_dir, time_scale=None):
    try:
        return Simulator.start(lab=lab, state_dir=state_dir, time_scale=None if REAL_TIME else time_scale)
    except SimulatorError as err:
        pytest.fail(str(err), pytrace=False)


@pytest.fixture
def sim_factory(tmp_path):
    """Start extra simulators: sim_factory(lab=None, time_scale=None) -> Simulator, all stopped after the test."""
    started = []
    counter = itertools.count()

    def start(lab=None, time_scale=None):
        sim = _start(lab, tmp_path / ("ucsim-%d" % next(counter)), time_scale)
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture(scope="module")
def sim_module(request, tmp_path_factory):
    """One simulator for the whole test module, started with the module's SIM_LAB (default lab if unset)."""
    lab = getattr(request.module, "SIM_LAB", None)
    sim = _start(lab, tmp_path_factory.mktemp("ucsim"), getattr(request.module, "SIM_TIME_SCALE", None))
    yield sim
    sim.stop()


@pytest.fixture
def sim(request, sim_factory):
    """A simulator with fresh state for this test (see the module docstring)."""
    marker = request.node.get_closest_marker("sim_lab")
    if marker is not None:
        return sim_factory(marker.args[0] if marker.args else marker.kwargs.get("lab"),
                           marker.kwargs.get("time_scale"))
    shared = request.getfixturevalue("sim_module")
    if not shared.running:
        pytest.fail("the simulator died (exit code %s); its log ends with:\n%s"
                    % (shared.process.returncode, shared.log_tail()), pytrace=False)
    shared.reset(state=True)
    return shared


@pytest.fixture
def cucm_env(sim):
    return sim.cucm_env()


@pytest.fixture
def cuc_env(sim):
    return sim.cuc_env()


@pytest.fixture
def run_playbook(installed_collection, tmp_path, request):
    """helpers.run_playbook, with the collection checked and each run's files kept under the test's tmp_path (and
    the time scale of the test's `sim`)."""
    counter = itertools.count()

    def run(playbook, extravars=None, env=None, check=False, diff=False, verbosity=0, limit=None, **kwargs):
        kwargs.setdefault("workdir", tmp_path / ("play-%d" % next(counter)))
        if "sim" in request.fixturenames:
            env = dict(request.getfixturevalue("sim").time_env(), **(env or {}))
        return helpers.run_playbook(playbook, extravars=extravars, env=env, check=check, diff=diff,
                                    verbosity=verbosity, limit=limit, **kwargs)

    return run


@pytest.fixture(scope="session")
def playbooks_dir() -> Path:
    return PLAYBOOKS_DIR
