# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures of the integration tests: the installed collection, the simulator, ansible-playbook."""

from __future__ import annotations

import os

import pytest

from sb_integration import Ansible, Background, Sim, install_collection, start_simulator


@pytest.fixture(scope="session")
def collections_path(tmp_path_factory):
    """A collections path holding simplebackups.simplebackups, built and installed from this tree."""
    return install_collection(tmp_path_factory.mktemp("collection"))


@pytest.fixture(scope="session")
def simulator_server():
    server = start_simulator()
    yield server
    server.stop()


@pytest.fixture
def sim(simulator_server):
    """The shared simulator, reset to its seed state for this test."""
    simulator = Sim(simulator_server)
    simulator.reset()
    return simulator


@pytest.fixture
def ansible(collections_path, tmp_path):
    """Runs ansible-playbook with the installed collection; the targets are its roles."""
    return Ansible(collections_path, tmp_path)


@pytest.fixture(scope="session")
def background(collections_path, tmp_path_factory):
    """Playbook runs on simulators of their own, two at a time (SB_INTEGRATION_WORKERS=1: one)."""
    pool = Background(collections_path, tmp_path_factory, int(os.environ.get("SB_INTEGRATION_WORKERS", "2")))
    yield pool
    pool.shutdown()
