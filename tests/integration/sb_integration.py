# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Helpers that run real ``ansible-playbook`` against the bundled API simulator.

The collection is built and installed (``ansible-galaxy collection build`` + ``install``) into
a temporary collections path once per session, exactly as a user gets it. Playbooks run with
the ``ansible-playbook`` of the interpreter that runs pytest, so the ansible-core under test is
the one of the venv (2.19 or 2.21).
"""

from __future__ import annotations

import concurrent.futures
import datetime
import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
TARGETS = REPO / "tests" / "integration" / "targets"
SIMULATOR_PATH = REPO / "tests" / "simulator"
BIN = Path(sys.executable).parent
ANSIBLE_PLAYBOOK = BIN / "ansible-playbook"
ANSIBLE_GALAXY = BIN / "ansible-galaxy"

# Seconds one ansible-playbook run may take before the test fails (the rate-limit and
# certificate tests wait on purpose, for a few seconds).
PLAYBOOK_TIMEOUT = 120

# The simulator is fast and generous by default; tests that need limits set them.
SIMULATOR_DEFAULTS = dict(rate_limit=100000, page_size=None)

if str(SIMULATOR_PATH) not in sys.path:
    sys.path.insert(0, str(SIMULATOR_PATH))

_RECAP_RE = re.compile(
    r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)\s+"
    r"failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)\s+ignored=(?P<ignored>\d+)",
    re.MULTILINE,
)


# -- the collection under test --------------------------------------------------------------


def install_collection(work):
    """Build this tree and install it into ``work/collections``; returns that collections path."""
    if not ANSIBLE_PLAYBOOK.exists():
        raise RuntimeError("no ansible-playbook next to %s: run pytest from a venv with ansible-core" % sys.executable)
    build = work / "build"
    installed = work / "collections"
    env = _hermetic_env(work)
    _check_call([str(ANSIBLE_GALAXY), "collection", "build", "--output-path", str(build), str(REPO)], env, work)
    tarballs = sorted(build.glob("simplebackups-simplebackups-*.tar.gz"))
    assert len(tarballs) == 1, tarballs
    _check_call([str(ANSIBLE_GALAXY), "collection", "install", "--force", "-p", str(installed), str(tarballs[0])],
                env, work)
    assert (installed / "ansible_collections" / "simplebackups" / "simplebackups" / "meta" / "runtime.yml").is_file()
    return installed


def _check_call(command, env, cwd):
    done = subprocess.run(command, env=env, cwd=str(cwd), capture_output=True, text=True, timeout=PLAYBOOK_TIMEOUT,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError("%s failed (rc %s):\n%s\n%s" % (" ".join(command), done.returncode, done.stdout, done.stderr))


def _hermetic_env(work, extra=None):
    """The environment of an ansible run: nothing inherited that could change its behaviour."""
    env = dict((key, value) for key, value in os.environ.items()
               if not key.startswith(("ANSIBLE_", "SIMPLEBACKUPS_")))
    config = work / "ansible.cfg"
    if not config.exists():
        config.write_text("[defaults]\n")
    env.update(
        ANSIBLE_CONFIG=str(config),
        ANSIBLE_HOME=str(work / "ansible_home"),
        ANSIBLE_LOCAL_TEMP=str(work / "ansible_tmp"),
        ANSIBLE_REMOTE_TMP=str(work / "ansible_remote_tmp"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_RETRY_FILES_ENABLED="false",
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra or {})
    return env


# -- the simulator ------------------------------------------------------------------------------


class Sim(object):
    """A running simulator and its control endpoints (``/_sim/...``)."""

    def __init__(self, server):
        self.server = server
        self.base_url = server.base_url
        self.root_url = server.root_url.rstrip("/")
        self.token = server.token

    def control(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.root_url + "/_sim/" + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10, context=self.server_ssl_context()) as answer:
            content = answer.read()
        return json.loads(content) if content else None

    def server_ssl_context(self):
        if not self.root_url.startswith("https://"):
            return None
        import ssl
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context

    def reset(self, **config):
        """Back to the seed state, an empty request log and the given settings."""
        self.control("POST", "reset")
        settings = dict(SIMULATOR_DEFAULTS)
        settings.update(config)
        self.control("POST", "config", settings)
        self.control("DELETE", "faults")
        self.clear_requests()

    def requests(self):
        answer = self.control("GET", "requests")
        return answer["requests"] if isinstance(answer, dict) else answer

    def clear_requests(self):
        self.control("DELETE", "requests")

    def conversation(self):
        """The API calls made since the last reset, as ``METHOD /path`` strings."""
        return conversation(self.requests())

    def calls(self):
        """The API calls made since the last reset, as ``METHOD /path?query`` strings."""
        return calls(self.requests())

    def state(self):
        return self.control("GET", "state")

    def seed(self, storages=(), next_ids=None):
        """Add storages to the state and move the next ids of new objects, in-process.

        For what the API cannot make (storages) or choose (ids): the module EXAMPLES name
        storage 145 and backup 189. ``storages``: ``(id, team_id, name, type)`` tuples.
        """
        simulator = self.server.simulator
        with simulator.lock:
            store = simulator.store
            created_at = store["storages"][1]["created_at"]
            for storage_id, team_id, name, kind in storages:
                store["storages"][storage_id] = dict(id=storage_id, team_id=team_id, name=name, type=kind,
                                                     status=1, created_at=created_at)
            store.state["next_ids"].update(next_ids or {})
            store.mark_dirty()

    def current_team_id(self):
        """The current team of the token's account, straight from the simulator's state."""
        accounts = self.state()["accounts"]
        return [a for a in accounts if a["id"] == 1][0]["current_team_id"]

    def api(self, method, path, token=None):
        """One call to the API itself (not the control endpoints)."""
        request = urllib.request.Request(
            self.base_url + path, method=method,
            headers={"Authorization": "Bearer %s" % (token or self.token), "Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=10, context=self.server_ssl_context()) as answer:
            content = answer.read()
        return json.loads(content) if content else None


def conversation(entries):
    """Request log entries as ``METHOD /path`` strings."""
    return ["%s %s" % (entry["method"], entry["path"]) for entry in entries]


def calls(entries):
    """Request log entries as ``METHOD /path?query`` strings (the query as sent, in its order).

    The host-side setup calls (install_command) are shown without their secret query.
    """
    result = []
    for entry in entries:
        call = "%s %s" % (entry["method"], entry["path"])
        query = entry.get("query") or {}
        if query and not entry["path"].startswith("/setup/"):
            call += "?" + "&".join("%s=%s" % item for item in query.items())
        result.append(call)
    return result


def start_simulator(**config):
    from simplebackups_simulator.server import SimulatorServer

    settings = dict(SIMULATOR_DEFAULTS)
    settings.update(port=0, quiet=True)
    settings.update(config)
    return SimulatorServer(**settings).start()


class PlaybookResult(object):

    def __init__(self, command, completed):
        self.command = command
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.output = completed.stdout + completed.stderr
        self.recap = dict((m.group("host"), dict((k, int(v)) for k, v in m.groupdict().items() if k != "host"))
                          for m in _RECAP_RE.finditer(completed.stdout))

    @property
    def localhost(self):
        return self.recap.get("localhost")

    def __str__(self):
        return "$ %s\nrc=%s\n--- stdout\n%s\n--- stderr\n%s" % (" ".join(self.command), self.rc, self.stdout, self.stderr)

    def assert_ok(self, changed=None):
        recap = self.localhost
        assert self.rc == 0 and recap is not None and recap["failed"] == 0 and recap["unreachable"] == 0, str(self)
        if changed is not None:
            assert recap["changed"] == changed, str(self)
        return recap

    def assert_failed(self):
        recap = self.localhost
        assert self.rc != 0 and recap is not None and recap["failed"] >= 1, str(self)
        return recap


class Ansible(object):
    """Runs playbooks with the installed collection and the integration targets as roles."""

    def __init__(self, collections, work):
        self.collections = collections
        self.work = work
        self.count = 0

    def run(self, plays, extra_vars=None, env=None, args=(), check=False):
        """Write ``plays`` (a list of plays) to a playbook and run it; returns a PlaybookResult."""
        run_dir = self._run_dir()
        playbook = run_dir / "playbook.yml"
        playbook.write_text(yaml.safe_dump(plays, sort_keys=False))
        return self.run_file(playbook, extra_vars, env, args, check, run_dir)

    def run_file(self, playbook, extra_vars=None, env=None, args=(), check=False, run_dir=None):
        """Run an existing playbook file; returns a PlaybookResult."""
        run_dir = run_dir or self._run_dir()
        command = [str(ANSIBLE_PLAYBOOK), str(playbook)]
        if extra_vars:
            vars_file = run_dir / "vars.json"
            vars_file.write_text(json.dumps(extra_vars, indent=2))
            command += ["-e", "@%s" % vars_file]
        if check:
            command.append("--check")
        command += list(args)
        full_env = _hermetic_env(self.work, dict(
            ANSIBLE_COLLECTIONS_PATH=str(self.collections),
            ANSIBLE_ROLES_PATH=str(TARGETS),
        ))
        full_env.update(env or {})
        completed = subprocess.run(command, env=full_env, cwd=str(run_dir), capture_output=True, text=True,
                                   timeout=PLAYBOOK_TIMEOUT, stdin=subprocess.DEVNULL, check=False)
        return PlaybookResult(command, completed)

    def _run_dir(self):
        self.count += 1
        run_dir = self.work / ("run%02d" % self.count)
        run_dir.mkdir()
        return run_dir


def target_vars(sim, **extra):
    """The variables of integration_config.yml.template, for the simulator."""
    values = dict(
        simplebackups_api_token=sim.token,
        simplebackups_api_url=sim.base_url,
        simplebackups_resource_prefix="ansible-test-sim",
        simplebackups_simulator=True,
        # The servers the targets add point at the loopback: the simulator never logs in
        # anywhere else (and refuses to, unless SSH_ALLOW_REMOTE is set).
        simplebackups_server_host="127.0.0.1",
        # The simulator's clock is driven by the tests: one second between polls is plenty.
        simplebackups_poll_interval=1,
    )
    values.update(extra)
    return values


def role_play(*roles, name="Run integration targets"):
    return [dict(name=name, hosts="localhost", gather_facts=False, roles=list(roles))]


# -- playbooks on their own simulators, in the background -------------------------------------


class Recording(object):
    """One playbook run on a simulator of its own: its result, the API calls it made, the end state."""

    def __init__(self, result, requests, state, token, started):
        self.result = result
        self.requests = requests
        self.state = state
        self.token = token
        self.started = started  # UTC date-time the run started (the stats target's dates)

    def conversation(self):
        return conversation(self.requests)

    def calls(self):
        return calls(self.requests)


def run_on_own_simulator(ansible, plays, settings=None, seed=None, extra_vars=None, env=None, args=(),
                         prepare=None):
    """Start a simulator, set it up, run ``plays`` against it, record, stop it.

    ``extra_vars`` and ``env`` may be callables of the Sim (its URL is known once it runs);
    ``prepare(sim)`` runs right before the playbook (faults, watchers).
    """
    server = start_simulator()
    try:
        sim = Sim(server)
        sim.reset(**(settings or {}))
        if seed:
            sim.seed(**seed)
        if prepare:
            prepare(sim)
        started = datetime.datetime.now(datetime.timezone.utc)
        result = ansible.run(plays, extra_vars(sim) if callable(extra_vars) else extra_vars,
                             env=env(sim) if callable(env) else env, args=args)
        return Recording(result, sim.requests(), sim.state(), sim.token, started)
    finally:
        server.stop()


class Background(object):
    """Runs independent playbooks, each on its own simulator, ``workers`` at a time.

    A test submits the runs it will check (all of them up front, in the order the tests come)
    and waits for its own: while it checks one, the next ones run. Nothing is shared between
    the runs but the installed collection, which they only read.
    """

    def __init__(self, collections, tmp_path_factory, workers):
        self.collections = collections
        self.tmp_path_factory = tmp_path_factory
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers),
                                                          thread_name_prefix="playbook")
        self.futures = {}

    def submit(self, key, job):
        """Queue ``job(ansible, work_dir)`` under ``key`` (once)."""
        if key not in self.futures:
            work = self.tmp_path_factory.mktemp(re.sub(r"[^A-Za-z0-9_.-]+", "-", str(key)))
            self.futures[key] = self.pool.submit(job, Ansible(self.collections, work), work)
        return self.futures[key]

    def result(self, key, job=None):
        if job is not None:
            self.submit(key, job)
        return self.futures[key].result(timeout=PLAYBOOK_TIMEOUT * 3)

    def shutdown(self):
        for future in self.futures.values():
            future.cancel()
        self.pool.shutdown(wait=True)
