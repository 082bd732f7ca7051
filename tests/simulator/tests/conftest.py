"""Fixtures for the simulator's own tests.

One simulator runs for the whole session (it starts in well under a second,
but reusing it keeps the suite fast); every test starts from the seed state
with the default config, because the ``sim`` fixture resets it.
"""

from __future__ import annotations

import os
import sys

import pytest

# The simulator package and the test helpers import without PYTHONPATH (and
# under any pytest import mode).
TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
SIMULATOR_ROOT = os.path.dirname(TESTS_DIR)
for path in (SIMULATOR_ROOT, TESTS_DIR):
    if path not in sys.path:
        sys.path.insert(0, path)

from simplebackups_simulator import SimulatorServer  # noqa: E402
from sim_helpers import Api, Control  # noqa: E402


@pytest.fixture(scope="session")
def sim_server():
    with SimulatorServer() as server:
        yield server


@pytest.fixture
def sim(sim_server):
    sim_server.reset()
    return sim_server


@pytest.fixture
def api(sim) -> Api:
    return Api(sim.base_url, sim.token)


@pytest.fixture
def api2(sim) -> Api:
    """The second account (its own team 4)."""
    return Api(sim.base_url, sim.token2)


@pytest.fixture
def anon(sim) -> Api:
    return Api(sim.base_url, None)


@pytest.fixture
def control(sim) -> Control:
    return Control(sim)
