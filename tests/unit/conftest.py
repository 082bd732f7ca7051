# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Makes the collection importable as ``ansible_collections.simplebackups.simplebackups`` and
provides the fixtures every unit test uses.

The code imports itself by its collection path, so Python must find it under
``<dir>/ansible_collections/simplebackups/simplebackups``. Under ansible-test the checkout
already sits in such a tree; a plain clone does not, so a temporary tree holding a symlink to
the clone is made for the test run.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

import pytest

NAMESPACE = "simplebackups"
NAME = "simplebackups"

# Not resolved: when the checkout is reached through an ansible_collections/... symlink, the
# path as given is the one that carries the layout.
_COLLECTION_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_REAL_COLLECTION_DIR = os.path.realpath(_COLLECTION_DIR)


def _root_already_in_collection_tree():
    name_dir = _COLLECTION_DIR
    namespace_dir = os.path.dirname(name_dir)
    collections_dir = os.path.dirname(namespace_dir)
    if (os.path.basename(name_dir) == NAME and os.path.basename(namespace_dir) == NAMESPACE
            and os.path.basename(collections_dir) == "ansible_collections"):
        return os.path.dirname(collections_dir)
    return None


def _temporary_collection_tree():
    root = tempfile.mkdtemp(prefix="simplebackups-unit-")
    namespace_dir = os.path.join(root, "ansible_collections", NAMESPACE)
    os.makedirs(namespace_dir)
    link = os.path.join(namespace_dir, NAME)
    os.symlink(_REAL_COLLECTION_DIR, link)

    def remove():
        # Drop the link first, so nothing can ever recurse into the checkout.
        if os.path.islink(link):
            os.unlink(link)
        shutil.rmtree(root, ignore_errors=True)

    atexit.register(remove)
    return root


def _make_collection_importable():
    root = _root_already_in_collection_tree() or _temporary_collection_tree()
    if root not in sys.path:
        sys.path.insert(0, root)
    from ansible_collections.simplebackups.simplebackups.plugins.module_utils import api

    imported_from = os.path.realpath(api.__file__)
    if not imported_from.startswith(_REAL_COLLECTION_DIR + os.sep):
        raise RuntimeError(
            "ansible_collections.simplebackups.simplebackups is imported from %s, not from this "
            "checkout (%s): another copy of the collection is on sys.path" % (imported_from, _REAL_COLLECTION_DIR))


_make_collection_importable()

# pylint: disable=wrong-import-position
from ansible_collections.simplebackups.simplebackups.plugins.module_utils import api as api_module  # noqa: E402
from ansible_collections.simplebackups.simplebackups.tests.unit.helpers import (  # noqa: E402
    ApiConversation,
    FakeTime,
    run_module as _run_module,
)


@pytest.fixture(autouse=True)
def fake_time(monkeypatch):
    """No test ever really sleeps: api.py's clock, sleep and wall time are a fake one."""
    fake = FakeTime()
    monkeypatch.setattr(api_module, "time", fake)
    return fake


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.simplebackups_call_failed = report.failed


@pytest.fixture
def api(request):
    """The scripted HTTP conversation: each expected call in order, no more, no less."""
    conversation = ApiConversation()
    with conversation:
        yield conversation
        if getattr(request.node, "simplebackups_call_failed", False):
            # The test already failed (often on the same extra or missing call): report it once.
            conversation.checked = True


@pytest.fixture
def run_module(capsys):
    """Run a module's real ``main()`` with arguments; returns its parsed JSON result."""
    def run(main, args, check_mode=False, diff=False):
        return _run_module(main, args, capsys, check_mode=check_mode, diff=diff)
    return run


@pytest.fixture(scope="session")
def transport_errors():
    """Exceptions requests really raises, captured on the loopback before any mock is active."""
    from ansible_collections.simplebackups.simplebackups.tests.unit.helpers import (
        real_connection_refused,
        real_dropped_connection,
        real_read_timeout,
    )
    return dict(
        refused=real_connection_refused(),
        dropped=real_dropped_connection(),
        read_timeout=real_read_timeout(),
    )
