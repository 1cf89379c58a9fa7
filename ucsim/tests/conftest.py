import os

import pytest

from simhelp import HERE, Client, clients, start_simulator
from ucsim import lab as labmod
from ucsim.server import KINDS


@pytest.fixture(scope="session")
def sim(tmp_path_factory):
    state_dir = str(tmp_path_factory.mktemp("ucsim-state"))
    s = start_simulator(labmod.load(os.path.join(HERE, "lab.yml"), set(KINDS)), state_dir)
    yield s
    s.stop()


@pytest.fixture
def c(sim):
    """Client of cucm1, with state, log, counters and faults reset."""
    cl = Client(sim.systems["cucm1"].url, sim.cafile)
    sim.control.reset(state=True)
    yield cl
    cl.close()


@pytest.fixture
def client_for(sim):
    """make(system name) -> Client of that system (closed after the test)."""
    yield from clients(lambda name: sim.systems[name].url, sim.cafile)
