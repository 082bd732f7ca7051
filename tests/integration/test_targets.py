# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Real ``ansible-playbook`` runs of the integration targets, the module EXAMPLES and the demo,
against the bundled API simulator, with assertions on the HTTP conversation it recorded.

Run from the repository root, in a venv with ansible-core: ``python -m pytest tests/integration``.
The targets, the EXAMPLES, the fault tests and the demo each run on a simulator of their own,
two at a time in the background (``SB_INTEGRATION_WORKERS=1``: one at a time); the other tests
share one simulator, reset before each. See README.md.
"""

from __future__ import annotations

import ast
import datetime
import ipaddress
import secrets
import sys
import threading
import time

import pytest
import yaml

from sb_integration import (
    PLAYBOOK_TIMEOUT,
    calls,
    REPO,
    TARGETS,
    Sim,
    role_play,
    run_on_own_simulator,
    start_simulator,
    target_vars,
)

MODULES = sorted((REPO / "plugins" / "modules").glob("*.py"))
DEMO = REPO / "tests" / "demo" / "demo.yml"
GROUP = "group/simplebackups.simplebackups.simplebackups"

# The exact HTTP conversation of each target against a fresh simulator, task by task. A
# target whose conversation is not listed here still runs; its requests are checked for
# authentication and server errors only.
TEAM_INFO = ["GET /team/list", "GET /team/current"]
CONVERSATIONS = {
    "simplebackups_team": (
        TEAM_INFO                                    # the teams before the tests
        # name and id together, neither of them: refused before any request
        + ["GET /team/current", "GET /team/list"]    # unknown name
        + ["GET /team/current", "GET /team/list"]    # unknown id
        + TEAM_INFO                                  # nothing switched
        + ["GET /team/current", "GET /team/list"]    # check mode: no PATCH
        + TEAM_INFO                                  # still the original team
        + ["GET /team/current", "GET /team/list", "PATCH /team/3/switch", "GET /team/current"]
        + TEAM_INFO
        + ["GET /team/current"]                      # again, by id: one read, nothing else
        + ["GET /team/current"]                      # again, by name in check mode
        + ["GET /team/current", "GET /team/list", "PATCH /team/1/switch", "GET /team/current"]  # always:
        + TEAM_INFO
    ),
    "simplebackups_team_info": (
        TEAM_INFO                                    # module_defaults
        + TEAM_INFO                                  # check mode
        + TEAM_INFO                                  # options on the task
        + ["GET /team/list"]                         # wrong token: 401, no retry
    ),
    "simplebackups_storage_info": ["GET /storage/list"] * 8,  # all, 4 by name, 2 by status, check mode
}
# The exact API calls of the targets that manage servers, backups and runs, with their query
# strings (``sim.calls()``): what each task reads and writes, against a fresh simulator. Ids are
# the simulator's (servers from 101, backups from 201). The documented numbers: a backup that
# is as asked costs one read (the list filtered by name), a creation by server and storage
# names four calls, an update two; check mode reads exactly what the real run reads, no write.
PREFIX = "ansible-test-sim"  # target_vars(): simplebackups_resource_prefix
SERVERS = "GET /server/list"


def named(name):
    """The backup list filtered by one of the targets' names (the API matches partially)."""
    return "GET /backup/list?filters[name]=%s-%s" % (PREFIX, name)


def with_id(backup_id):
    return "GET /backup/list?filters[id]=%s" % backup_id


def storage(name):
    return "GET /storage/list?filters[name]=%s" % name


def added_server():
    return [SERVERS, "POST /server/add", SERVERS]       # not there, add, read the new server back


def backups_on(server_id):
    """The backups a recreate takes away with the server it removes."""
    return "GET /backup/list?filters[server]=%d" % server_id


def removed_server(server_id):
    # found, its backup jobs read (they go with it: named in a warning), removed
    return [SERVERS, backups_on(server_id), "POST /server/%d/remove" % server_id]


def created_backup(name, storage_name="AWS S3"):
    # by server and storage names: the answer to create carries the backup, no read back
    return [named(name), SERVERS, storage(storage_name), "POST /backup/create"]


def updated_backup(lookup, backup_id):
    return [lookup, "PATCH /backup/%d/update" % backup_id]


def deleted_backup(lookup, backup_id):
    return [lookup, "POST /backup/%d/delete" % backup_id]


def stats(report, query):
    return "GET /stats/%s?%s" % (report, query)


CALLS = {
    "simplebackups_server": (
        # bad parameters: no host and user, no password (known after one read); the
        # connection type is refused before any request
        [SERVERS] * 2
        + [SERVERS]                                         # add in check mode: no POST
        + [SERVERS]                                         # not added
        + added_server()                                    # 101
        + [SERVERS]                                         # again: one read
        + [SERVERS]                                         # again in check mode
        + [SERVERS, "GET /server/101/validate-connection"]  # before the key: fails at once
        + ["GET /setup/101/connect", "GET /setup/101/callback"]  # the install command, no token
        + [SERVERS, "GET /server/101/validate-connection"]  # validated: no change
        + [SERVERS]                                         # differs, no recreate: refused
        + [SERVERS, backups_on(101)]                        # recreate in check mode: names its backups
        + [SERVERS]                                         # still 101
        + [SERVERS, backups_on(101), "POST /server/101/remove", SERVERS,
           "POST /server/add", SERVERS]                     # recreate: gone, add 102
        + [SERVERS]                                         # recreate again: equal
        + [SERVERS]                                         # password server in check mode
        + added_server()                                    # 103
        + [SERVERS]                                         # again
        + [SERVERS, "GET /server/103/validate-connection"]
        + [SERVERS, backups_on(102)]                        # remove in check mode
        + [SERVERS]                                         # still listed
        + removed_server(102) + [SERVERS]                   # remove and wait (gone at once here)
        + [SERVERS]                                         # gone
        + [SERVERS]                                         # remove again: nothing to do
        + removed_server(103)                               # wait=false: no read after
        + [SERVERS] * 2                                     # always: both gone
    ),
    "simplebackups_server_info": (
        [SERVERS] + added_server() * 2 + [SERVERS] * 4 + removed_server(101) + removed_server(102)
    ),
    "simplebackups_backup": (
        # bad_params.yml: eight tasks refused before any request
        added_server() * 2                                   # 101, 102
        + [storage("AWS S3"), storage("Prod S3 Archive")]
        # lookups.yml: the creation rules need to know that the backup does not exist
        + [named("backup-files"), named("backup-mysql"), named("backup-full")]
        + [named("backup-files"), SERVERS]                   # unknown server
        + [named("backup-files"), SERVERS, storage(PREFIX + "-no-such-storage")]
        + [with_id(987654321)]                               # unknown id
        + created_backup("backup-files")                     # answered 422
        # file_backup.yml
        + created_backup("backup-files")[:-1]                # check mode: names resolved, no POST
        + [named("backup-files")]                            # not created
        + created_backup("backup-files")                     # 201
        + [named("backup-files")] * 2                        # again, again in check mode: one read
        + [named("backup-files"), with_id(201)]              # update in check mode, not updated
        + updated_backup(named("backup-files"), 201)
        + [named("backup-files")]                            # update again: one read
        + updated_backup(named("backup-files"), 201)         # back to daily
        + [named("backup-files")] * 3                        # cron without custom, db options, type
        + [named("backup-files"), SERVERS]                   # other server, by name
        + [named("backup-files")]                            # other storage, by id
        + [named("backup-files")]                            # pause in check mode
        + [named("backup-files"), "PATCH /backup/201/pause", with_id(201)]
        + [named("backup-files")]                            # pause again
        + [named("backup-files"), "PATCH /backup/201/resume", with_id(201)]
        + [with_id(201)]                                     # rename in check mode
        + updated_backup(with_id(201), 201)                  # rename
        + [with_id(201)]                                     # rename again
        + [named("backup-files")]                            # delete by the old name: gone
        + [named("backup-other"), "POST /backup/create"]     # by ids: no lookup, 202
        + updated_backup(with_id(202), 202)                  # takes the name of 201
        + [named("backup-files-renamed")]                    # two backups with that name: refused
        + deleted_backup(with_id(202), 202)
        + updated_backup(named("backup-files-renamed"), 201)  # meta and secondary lists
        + [named("backup-files-renamed")]                    # again
        + updated_backup(named("backup-files-renamed"), 201)  # cleared
        + [named("backup-files-renamed")]                    # trigger URL revealed
        + [named("backup-files-renamed"), with_id(201)]      # delete in check mode, not deleted
        + deleted_backup(named("backup-files-renamed"), 201)
        + [named("backup-files-renamed")]                    # delete again
        # db_backups.yml
        + created_backup("backup-mysql")                     # 203
        + [named("backup-mysql")]                            # again, password not compared
        + updated_backup(named("backup-mysql"), 203)         # update_password=always
        + created_backup("backup-full")                      # 204
        + [named("backup-full")]                             # again
        + updated_backup(named("backup-full"), 204)
        + deleted_backup(named("backup-mysql"), 203) + deleted_backup(named("backup-full"), 204)
        # always: everything already gone, the servers removed without waiting
        + [with_id(202)]
        + [named(n) for n in ("backup-files", "backup-files-renamed", "backup-other", "backup-mysql",
                              "backup-full")]
        + removed_server(101) + removed_server(102)
    ),
    "simplebackups_backup_info": (
        added_server() * 2
        + created_backup("info-files")
        + created_backup("info-mysql") + ["PATCH /backup/202/pause", with_id(202)]  # created paused
        + created_backup("info-full", "Prod S3 Archive")
        + ["GET /backup/list", with_id(202), named("info-files"), named("info"),
           "GET /backup/list?filters[status]=0", "GET /backup/list?filters[status]=1",
           "GET /backup/list?filters[type]=db", "GET /backup/list?filters[server]=101",
           "GET /backup/list?filters[storage]=6",
           "GET /backup/list?filters[name]=%s-info-files&filters[status]=1&filters[type]=file"
           "&filters[server]=101&filters[storage]=3" % PREFIX,
           "GET /backup/list?filters[type]=full&filters[server]=102",
           "GET /backup/list?filters[server]=101",             # trigger URLs revealed
           "GET /backup/list?filters[status]=0"]               # check mode; a bad type: no request
        + deleted_backup(named("info-files"), 201) + deleted_backup(named("info-mysql"), 202)
        + deleted_backup(named("info-full"), 203)
        + removed_server(101) + removed_server(102)
    ),
    "simplebackups_backup_run": (
        # name and id, neither: refused before any request
        [named("run-files"), with_id(987654321)]             # unknown name, unknown id
        + added_server() * 2                                 # 101 (password), 102 (ssh, never validated)
        + created_backup("run-files") + created_backup("run-broken")
        + [named("run-files")]                               # check mode: found, not run
        + [stats("activity", "type=backup&resource_ids=201")]
        + [named("run-files"), "GET /backup/201/run", stats("activity", "type=backup&resource_ids=201")]
        + [with_id(201), "GET /backup/201/run"]              # by id, wait=false
        + [stats("activity", "type=backup&resource_ids=201")]
        + [named("run-files"), "GET /backup/201/run"]        # wait_timeout=0: gives up at once
        + [named("run-broken"), "GET /backup/202/run", stats("activity", "type=backup&resource_ids=202")]
        + deleted_backup(named("run-files"), 201) + deleted_backup(named("run-broken"), 202)
        + removed_server(102) + removed_server(101)
    ),
    "simplebackups_stats_info": (
        # four sets of bad options: refused before any request
        added_server()
        + created_backup("stats-daily") + created_backup("stats-custom") + created_backup("stats-on-demand")
        + created_backup("stats-paused") + ["PATCH /backup/204/pause", with_id(204)]
        + [with_id(201), "GET /backup/201/run", stats("activity", "type=backup&resource_ids=201")]
        + [stats("activity", "type=backup&date_from={yesterday}&date_to={tomorrow}&resource_ids=201"),
           stats("activity", "type=backup"),
           stats("activity", "type=backup&date_from=2020-01-01&date_to=2020-01-31&resource_ids=201,202,203,204"),
           stats("activity", "type=snapshot"),
           stats("resource", "type=backup&resource_ids=201,202"),
           stats("report", "date_from={yesterday}&date_to={tomorrow}"),
           stats("schedule", "type=backup&resource_ids=201,202,203,204"),
           stats("schedule", "type=backup&resource_ids=201,202,203,204")]   # check mode
        + deleted_backup(named("stats-daily"), 201) + deleted_backup(named("stats-custom"), 202)
        + deleted_backup(named("stats-on-demand"), 203) + deleted_backup(named("stats-paused"), 204)
        + removed_server(101)
    ),
}
# Simulator settings of a target's run (on top of sb_integration.SIMULATOR_DEFAULTS).
# removal_delay=0: a removed server is gone at the next read, so a removal that waits makes
# exactly one more read and the conversation stays exact (test_server_removal_waits_for_the_queue
# covers the queue). job_seconds=1: a run that waits is over after one poll (poll_interval=1).
# The server target authorises its key with the simulator's callback (no SSH login).
TARGET_SETTINGS = {
    "simplebackups_server": dict(validation_mode="callback", removal_delay=0),
    "simplebackups_server_info": dict(removal_delay=0),
    "simplebackups_backup": dict(removal_delay=0),
    "simplebackups_backup_info": dict(removal_delay=0),
    "simplebackups_backup_run": dict(removal_delay=0, job_seconds=1),
    "simplebackups_stats_info": dict(removal_delay=0, job_seconds=1),
}


def target_names():
    return sorted(p.name for p in TARGETS.iterdir() if (p / "tasks" / "main.yml").is_file())


def assert_authenticated(sim, entries):
    """Every request carried the simulator's token (the log keeps its first 4 characters)."""
    hint = sim.token[:4] + "\u2026"
    unauthenticated = [e for e in entries if e.get("token") is None]
    assert not unauthenticated, "requests without Authorization: %s" % unauthenticated
    assert all(e.get("token") == hint or e["status"] == 401 for e in entries), entries


def assert_calls(actual, expected):
    """The calls match one for one; on a mismatch, say where the two lists part."""
    for index, (got, wanted) in enumerate(zip(actual, expected)):
        assert got == wanted, "call %d: %r instead of %r\nexpected: %s\nactual: %s" % (
            index + 1, got, wanted, expected[max(0, index - 3):index + 4], actual[max(0, index - 3):index + 4])
    assert len(actual) == len(expected), "%d calls instead of %d; the extra or missing ones: %s" % (
        len(actual), len(expected), actual[len(expected):] or expected[len(actual):])


def assert_no_server_errors(entries):
    assert not [e for e in entries if e["status"] is None or e["status"] >= 500], entries


# -- the targets ---------------------------------------------------------------------------------


def utc_dates(moment):
    """The day before and the day after ``moment`` (UTC), as the API takes dates."""
    one_day = datetime.timedelta(days=1)
    return dict(yesterday=(moment.date() - one_day).isoformat(), tomorrow=(moment.date() + one_day).isoformat())


def target_job(target):
    def job(ansible, work):
        return run_on_own_simulator(ansible, role_play(target), settings=TARGET_SETTINGS.get(target, {}),
                                    extra_vars=target_vars)
    return job


@pytest.fixture(scope="module")
def queued(request, background):
    """Queue the runs of the targets and EXAMPLES that this session selected, in test order.

    Each runs on its own simulator, two at a time, while the tests check the runs before them;
    the longest runs go first so that the queue drains early.
    """
    jobs = []
    for item in request.session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if item.originalname == "test_target":
            jobs.append((("target", params["target"]), target_job(params["target"])))
        elif item.originalname == "test_module_examples":
            jobs.append((("examples", params["module"].stem), examples_job(params["module"])))
        elif item.originalname in BACKGROUND_JOBS:
            jobs.append(BACKGROUND_JOBS[item.originalname])
    for key, job in sorted(jobs, key=lambda key_job: key_job[0] not in LONG_JOBS):
        background.submit(key, job)
    return background


# The runs that take longest (about 20-40 s each), queued first.
LONG_JOBS = [("target", "simplebackups_backup"), "demo", ("target", "simplebackups_server")]


@pytest.mark.parametrize("target", target_names())
def test_target(target, queued):
    run = queued.result(("target", target), target_job(target))
    run.result.assert_ok()
    entries = run.requests
    assert_no_server_errors(entries)
    # The only 401s are the target's own wrong-token checks; the host-side setup script
    # (install_command) calls /setup/... without a token, as on the real service.
    assert_authenticated(run, [e for e in entries if e["status"] != 401 and not e["path"].startswith("/setup/")])
    if target in CONVERSATIONS:
        assert run.conversation() == CONVERSATIONS[target], str(run.result)
    if target in CALLS:
        dates = utc_dates(run.started)
        assert_calls(run.calls(), [call.format(**dates) for call in CALLS[target]])
    check = TARGET_CHECKS.get(target)
    if check:
        check(entries)
    # Every target leaves the account in the team it started in, and nothing behind.
    assert [a["current_team_id"] for a in run.state["accounts"] if a["id"] == 1] == [1]
    assert run.state["backups"] == [], run.state["backups"]
    assert [s for s in run.state["servers"] if s["removal_due_at"] is None] == [], run.state["servers"]


@pytest.mark.parametrize("module", MODULES, ids=[p.stem for p in MODULES])
def test_module_examples(module, queued):
    """Every module's EXAMPLES run as they are, on what they expect, with the token from a variable."""
    run = queued.result(("examples", module.stem), examples_job(module))
    spec = EXAMPLES[module.stem]
    run.result.assert_ok()
    entries = run.requests
    assert entries, "the examples made no API call"
    assert_authenticated(run, [e for e in entries if not e["path"].startswith("/setup/")])
    assert_no_server_errors(entries)
    assert all(_is_loopback(server["host"]) for server in run.state["servers"]), run.state["servers"]
    assert not (run.home / ".ssh").exists()
    if "check" in spec:
        spec["check"](run)


# -- lost answers, queued removals, recreation, the demo: each on a simulator of its own ------------


def api_play(name, tasks):
    return [dict(name=name, hosts="localhost", gather_facts=False, tasks=tasks,
                 module_defaults={GROUP: {"api_token": "{{ simplebackups_api_token }}",
                                          "api_url": "{{ simplebackups_api_url }}"}})]


FAULTS = ({"kind": "commit_then_status", "status": 502, "method": "POST", "path": "/server/add"},
          {"kind": "commit_then_status", "status": 500, "method": "POST", "path": "/backup/create"},
          {"kind": "drop", "method": "POST", "path": "/backup/create"},
          {"kind": "commit_then_drop", "method": "POST", "path": "/backup/create"},
          {"kind": "commit_then_drop", "method": "GET", "path": "/backup/201/run"})
FAULT_FILES = dict(type="file", server="web-01", storage="AWS S3", file_path="/var/www", schedule="daily", retention=7)


def uncertain_writes_job(ansible, work):
    def add_faults(sim):
        for fault in FAULTS:
            sim.control("POST", "faults", fault)

    play = api_play("Lost answers to writes", [
        {"name": "Add server web-01 (answered 502 after the commit)",
         "simplebackups.simplebackups.simplebackups_server": {"name": "web-01", "host": "127.0.0.1", "user": "backup"},
         "register": "server"},
        {"name": "Create backup a (answered 500 after the commit)",
         "simplebackups.simplebackups.simplebackups_backup": dict(FAULT_FILES, name="a"), "register": "backup_a"},
        {"name": "Create backup a again",
         "simplebackups.simplebackups.simplebackups_backup": dict(FAULT_FILES, name="a"), "register": "backup_a_again"},
        {"name": "Create backup b (connection dropped, nothing committed)",
         "simplebackups.simplebackups.simplebackups_backup": dict(FAULT_FILES, name="b"), "register": "backup_b",
         "failed_when": "backup_b is not failed"},
        {"name": "Create backup c (committed, connection dropped on the way back)",
         "simplebackups.simplebackups.simplebackups_backup": dict(FAULT_FILES, name="c"), "register": "backup_c"},
        {"name": "Create backup b again",
         "simplebackups.simplebackups.simplebackups_backup": dict(FAULT_FILES, name="b"), "register": "backup_b_again"},
        {"name": "Run backup a (job started, connection dropped on the way back)",
         "simplebackups.simplebackups.simplebackups_backup_run": {"name": "a", "wait": False}, "register": "run_a",
         "failed_when": "run_a is not failed"},
        {"name": "Check", "ansible.builtin.assert": {"that": [
            "server is changed",
            "server.recovered_from.status == 502",
            "server.install_command is not defined",         # lost with the answer
            "server.public_key == server.server.public_key",  # to authorise by other means
            "backup_a is changed and backup_a.backup.id == 201",
            "backup_a.recovered_from.status == 500",
            "backup_a.recovered_from.maybe_committed",
            "backup_a_again is not changed and backup_a_again.backup.id == 201",
            "backup_b.failure.maybe_committed",
            "backup_b.failure.status is none",
            "'POST /backup/create failed' in backup_b.msg",
            "backup_c is changed and backup_c.backup.id == 202",
            "backup_b_again is changed and backup_b_again.backup.id == 203",
            "backup_b_again.recovered_from is not defined",
            "backup_c.recovered_from.maybe_committed and backup_c.recovered_from.status is none",
            "run_a is changed",                              # the job may have started
            "run_a.failure.maybe_committed",
        ]}},
    ])
    return run_on_own_simulator(ansible, play, extra_vars=target_vars, prepare=add_faults)


def test_uncertain_writes_are_never_sent_twice(queued):
    """A write whose answer is lost is never sent again: the modules read before deciding.

    POST /server/add and POST /backup/create answered 5xx after the service committed them
    (commit_then_status): the task reads the list, finds what it made and succeeds, once. A
    POST /backup/create whose connection drops before the service processes it (drop): the
    read finds nothing, and since the write may still be under way the task fails instead of
    sending it again; the next run makes the backup, once. A create whose answer is lost on the
    way back (commit_then_drop) is found by the read. A run whose answer is lost is not sent
    again (it starts a job): the task fails saying the job may have started, and one job exists.
    """
    run = queued.result("uncertain_writes", uncertain_writes_job)
    run.result.assert_ok()
    assert "the answer to adding server 'web-01' was lost" in run.result.output
    assert_calls(calls(run.requests), (
        [SERVERS, "POST /server/add", SERVERS]                                   # 502, found
        + ["GET /backup/list?filters[name]=a", SERVERS, storage("AWS S3"),
           "POST /backup/create", "GET /backup/list?filters[name]=a"]            # 500, found
        + ["GET /backup/list?filters[name]=a"]                                   # as asked
        + ["GET /backup/list?filters[name]=b", SERVERS, storage("AWS S3"),
           "POST /backup/create",
           "GET /backup/list?filters[name]=b"]                                   # dropped, not found: no resend
        + ["GET /backup/list?filters[name]=c", SERVERS, storage("AWS S3"),
           "POST /backup/create", "GET /backup/list?filters[name]=c"]            # lost on the way back, found
        + ["GET /backup/list?filters[name]=b", SERVERS, storage("AWS S3"), "POST /backup/create"]
        + ["GET /backup/list?filters[name]=a", "GET /backup/201/run"]))          # started once, not resent
    writes = [(e["method"], e["path"], e["status"], e.get("fault")) for e in run.requests
              if e["method"] == "POST" or e["path"].endswith("/run")]
    assert writes == [("POST", "/server/add", 502, "commit_then_status"),
                      ("POST", "/backup/create", 500, "commit_then_status"),
                      ("POST", "/backup/create", None, "drop"),
                      ("POST", "/backup/create", None, "commit_then_drop"),
                      ("POST", "/backup/create", 200, None),
                      ("GET", "/backup/201/run", None, "commit_then_drop")]
    assert [s["name"] for s in run.state["servers"]] == ["web-01"]
    assert [(b["id"], b["name"]) for b in run.state["backups"]] == [(201, "a"), (202, "c"), (203, "b")]
    assert [j["backup_id"] for j in run.state["jobs"]] == [201]


def advance_clock_when(sim, condition, seconds):
    """Move the simulator's clock by ``seconds`` as soon as ``condition(calls)`` holds (a thread).

    A module that polls (a queued removal) then sees time pass without the test sleeping.
    """
    def watch():
        deadline = time.monotonic() + PLAYBOOK_TIMEOUT
        while time.monotonic() < deadline:
            if condition(sim.conversation()):
                sim.server.advance(seconds)
                return
            time.sleep(0.05)

    threading.Thread(target=watch, daemon=True).start()


def removal_queue_job(ansible, work):
    server = {"name": "old-db", "connection_type": "password", "host": "127.0.0.1", "user": "root", "password": "x"}
    play = api_play("Queued removals", [
        {"name": "Add a server", "simplebackups.simplebackups.simplebackups_server": server},
        {"name": "Remove it without waiting",
         "simplebackups.simplebackups.simplebackups_server": {"name": "old-db", "state": "absent", "wait": False},
         "register": "queued"},
        {"name": "Read it", "simplebackups.simplebackups.simplebackups_server_info": {"name": "old-db"},
         "register": "still_listed"},
        {"name": "Remove it and wait until it is gone",
         "simplebackups.simplebackups.simplebackups_server": {
             "name": "old-db", "state": "absent", "poll_interval": 1, "wait_timeout": 60},
         "register": "waited"},
        {"name": "Read it again", "simplebackups.simplebackups.simplebackups_server_info": {"name": "old-db"},
         "register": "gone"},
        {"name": "Check", "ansible.builtin.assert": {"that": [
            "queued is changed", "still_listed.servers | length == 1",
            "waited is changed", "gone.servers == []"]}},
    ])
    remove = "POST /server/101/remove"

    def watch(sim):
        # Two minutes of the service's time pass once the waiting task has seen the server listed.
        advance_clock_when(sim, lambda calls: calls.count(remove) == 2 and calls[-2:] == [remove, SERVERS], 120)

    return run_on_own_simulator(ansible, play, settings=dict(removal_delay=120), extra_vars=target_vars,
                                prepare=watch)


def test_server_removal_waits_for_the_queue(queued):
    """A removal is queued: without wait the server is still listed; with wait the task polls until it is gone."""
    run = queued.result("removal_queue", removal_queue_job)
    run.result.assert_ok()
    # A second remove while queued answers the same; the wait reads until the server is gone:
    # once while it is listed (then the clock moves), once more when it is gone (one more read
    # if the watcher was slow to move the clock), then the last task reads it.
    made = run.calls()
    assert made[:10] == added_server() + removed_server(101) + [SERVERS] + removed_server(101), made
    assert made[10:] in ([SERVERS] * 3, [SERVERS] * 4), made


def recreate_job(ansible, work):
    server = dict(name="legacy", connection_type="password", host="127.0.0.1", port=2222, user="root",
                  password="example-password", temp_directory="/var/tmp", project_id=5)
    move = {"name": "legacy", "host": "127.0.0.2", "password": "example-password", "recreate": True}
    files = dict(type="file", server="legacy", storage="AWS S3", file_path="/srv", schedule="daily", retention=7)
    play = api_play("Recreate", [
        {"name": "Add a password server", "simplebackups.simplebackups.simplebackups_server": server},
        {"name": "Back it up", "simplebackups.simplebackups.simplebackups_backup": dict(files, name="legacy-files")},
        {"name": "Recreating without the password is refused before anything is removed",
         "simplebackups.simplebackups.simplebackups_server": dict(move, password=None),
         "register": "refused", "failed_when": "refused is not failed"},
        {"name": "Move it to another host (check mode)", "simplebackups.simplebackups.simplebackups_server": move,
         "check_mode": True, "diff": True, "register": "predicted"},
        {"name": "Move it to another host", "simplebackups.simplebackups.simplebackups_server": move,
         "diff": True, "register": "moved"},
        {"name": "Back it up again", "simplebackups.simplebackups.simplebackups_backup": dict(files, name="legacy-files"),
         "register": "again"},
        {"name": "Check", "ansible.builtin.assert": {"that": [
            "refused is not changed",
            "'recreating it needs password' in refused.msg",
            "predicted.diff.after == (predicted.diff.before | combine({'host': '127.0.0.2'}))",
            "moved.diff.after == predicted.diff.after",
            "moved.server.port == 2222 and moved.server.user == 'root'",
            "again is changed",    # the job went with the removed server
        ]}},
    ])
    return run_on_own_simulator(ansible, play, settings=dict(removal_delay=0), extra_vars=target_vars)


def test_recreate_keeps_what_was_not_asked(queued):
    """recreate=true with only the host changed: the server comes back as it was, on the new host.

    The password, which the API never returns, is asked for before the server is removed; the
    check-mode diff is what the real run does; the backups that go with the removed server are
    named in a warning (in check mode too), and registered again by the next task.
    """
    run = queued.result("recreate", recreate_job)
    run.result.assert_ok(changed=5)
    servers = run.state["servers"]
    assert [(s["id"], s["name"], s["host"], s["port"], s["user"], s["connection_type"], s["temp_directory"],
             s["project_id"]) for s in servers] == [
        (102, "legacy", "127.0.0.2", 2222, "root", "password", "/var/tmp", 5)], servers
    assert [(b["name"], b["server_id"]) for b in run.state["backups"]] == [("legacy-files", 102)]
    for verb in ("would remove", "removes"):                           # check mode, then the real run
        warning = "%s server id 101 and with it its 1 backup job(s): legacy-files (id 201)" % verb
        assert run.result.output.count(warning) == 1, run.result.output
    added = [e["json"] for e in run.requests if e["path"] == "/server/add"]
    assert added[1] == dict(added[0], host="127.0.0.2"), added         # password included, nothing reset
    assert_calls(calls(run.requests), (
        added_server()
        + ["GET /backup/list?filters[name]=legacy-files", SERVERS, storage("AWS S3"), "POST /backup/create"]
        + [SERVERS]                                                    # refused up front
        + [SERVERS, backups_on(101)]                                   # check mode
        + [SERVERS, backups_on(101), "POST /server/101/remove", SERVERS, "POST /server/add", SERVERS]
        + ["GET /backup/list?filters[name]=legacy-files", SERVERS, storage("AWS S3"), "POST /backup/create"]))


def demo_job(ansible, work):
    """The demo twice, as `make demo` runs it (VALIDATION_MODE=callback, jobs of a few seconds)."""
    server = start_simulator()
    try:
        sim = Sim(server)
        sim.reset(validation_mode="callback", job_seconds=2)
        env = {"SIMPLEBACKUPS_API_TOKEN": sim.token, "SIMPLEBACKUPS_API_URL": sim.base_url}
        runs = []
        for dummy in range(2):
            result = ansible.run_file(DEMO, env=env)
            runs.append((result, sim.requests(), sim.state()))
            sim.clear_requests()
        return runs
    finally:
        server.stop()


def test_demo_is_idempotent(queued):
    """`make demo` runs the demo twice: the first run changes the account, the second nothing."""
    (first, first_requests, first_state), (second, second_requests, second_state) = queued.result("demo", demo_job)
    first.assert_ok()
    assert first.localhost["changed"] >= 1, str(first)
    writes = [e["method"] + " " + e["path"] for e in first_requests if e["method"] != "GET"]
    assert writes == ["PATCH /team/3/switch", "POST /server/add", "POST /backup/create", "POST /backup/create"], writes
    assert sum(1 for e in first_requests if e["path"].endswith("/run")) == 1
    assert [(s["name"], s["validated"]) for s in first_state["servers"]] == [("demo-web", True)]
    assert [j["current_status"] for j in first_state["jobs"]] == ["success"]
    assert "Job %d ended success" % first_state["jobs"][0]["id"] in first.stdout
    second.assert_ok(changed=0)
    # Honestly idempotent: the second run sent no write at all, not just reported none, and
    # ran no backup (GET /backup/{id}/run is a write in all but its method).
    writes = [e["method"] + " " + e["path"] for e in second_requests
              if e["method"] != "GET" or e["path"].endswith("/run")]
    assert writes == [], writes
    assert [a["current_team_id"] for a in second_state["accounts"] if a["id"] == 1] == [3]
    assert len(second_state["jobs"]) == 1


def readme_example():
    """The playbook of the README's "Quick example" section, as written there."""
    text = (REPO / "README.md").read_text()
    section = text[text.index("## Quick example"):]
    block = section[section.index("```yaml\n") + len("```yaml\n"):]
    return yaml.safe_load(block[:block.index("```")])


def readme_job(ansible, work):
    """The README's quick example, run as written (token and URL from the environment)."""
    plays = loopback_hosts(readme_example(), [])
    home = work / "home"
    home.mkdir()
    run = run_on_own_simulator(
        ansible, plays, settings=dict(validation_mode="callback", job_seconds=1),
        env=lambda sim: {"SIMPLEBACKUPS_API_URL": sim.base_url, "SIMPLEBACKUPS_API_TOKEN": sim.token,
                         "HOME": str(home)},
        args=["-i", str(example_inventory(work))])
    run.home = home
    return run


def test_readme_quick_example(queued):
    """The README's first playbook works as written: server, key, validation, backup, run."""
    run = queued.result("readme", readme_job)
    run.result.assert_ok(changed=4)   # added, install command, backup created, run
    assert_authenticated(run, [e for e in run.requests if not e["path"].startswith("/setup/")])
    assert [(s["name"], s["validated"]) for s in run.state["servers"]] == [("web-01", True)]
    assert [b["name"] for b in run.state["backups"]] == ["web-01-files"]
    assert [j["current_status"] for j in run.state["jobs"]] == ["success"]
    assert not (run.home / ".ssh").exists()


# Tests that run on a simulator of their own, queued with the targets and the EXAMPLES.
BACKGROUND_JOBS = {
    "test_readme_quick_example": ("readme", readme_job),
    "test_uncertain_writes_are_never_sent_twice": ("uncertain_writes", uncertain_writes_job),
    "test_server_removal_waits_for_the_queue": ("removal_queue", removal_queue_job),
    "test_recreate_keeps_what_was_not_asked": ("recreate", recreate_job),
    "test_demo_is_idempotent": ("demo", demo_job),
}


def check_team_target(entries):
    """Two writes: the switch and the switch back; check mode and failed lookups wrote nothing."""
    writes = [(e["method"], e["path"], e["status"]) for e in entries if e["method"] != "GET"]
    assert writes == [("PATCH", "/team/3/switch", 204), ("PATCH", "/team/1/switch", 204)]


def check_storage_info_target(entries):
    """The filters go to the API as filters[...] (which matches partially; the module narrows)."""
    queries = [e["query"] for e in entries]
    assert {} in queries
    assert {"filters[name]": "Prod S3"} in queries
    assert {"filters[name]": "Prod S"} in queries
    assert {"filters[status]": "0"} in queries
    assert {"filters[status]": "1"} in queries
    assert {"filters[name]": "Prod S3", "filters[status]": "1"} in queries


def check_team_info_target(entries):
    assert [e["status"] for e in entries] == [200] * 6 + [401]


def bodies(entries, method, path):
    return [e["json"] for e in entries if e["method"] == method and e["path"] == path]


def check_server_target(entries):
    """Adds send what was asked plus the defaults (ssh, port 22); the password only when set."""
    adds = bodies(entries, "POST", "/server/add")
    assert adds[0] == {"name": PREFIX + "-server-ssh", "host": "127.0.0.1", "user": "backup",
                       "temp_directory": "/tmp", "connection_type": "ssh", "port": 22}, adds
    assert adds[1]["name"] == adds[0]["name"] and adds[1]["port"] == 2222, adds   # recreated
    assert adds[2] == {"name": PREFIX + "-server-password", "connection_type": "password",
                       "host": "127.0.0.1", "port": 2222, "user": "root",
                       "password": PREFIX + "-not-a-real-password"}, adds
    assert all(body == {} for body in bodies(entries, "POST", "/server/101/remove")), entries


def check_backup_target(entries):
    """Creates send the options set and the resolved IDs; updates the whole definition."""
    creates = bodies(entries, "POST", "/backup/create")
    files = {"name": PREFIX + "-backup-files", "type": "file", "server_id": 101, "storage_id": 3,
             "file_path": "/var/www", "schedule": "daily", "retention": 7}
    assert creates[1] == files, creates
    assert creates[0] == dict(files, schedule="custom", schedule_cron="0 0 31 2 *"), creates
    updates = bodies(entries, "PATCH", "/backup/201/update")
    # The whole definition, merged: what the backup has (file_path) with what was asked, and
    # never the fields the API does not update.
    assert updates[0] == {"name": PREFIX + "-backup-files", "storage_path": PREFIX + "/files",
                          "file_path": "/var/www", "excluded_file_path": "/var/www/*/cache",
                          "schedule": "custom", "schedule_cron": "0 23 * * 1-5", "retention": 14,
                          "secondary_schedules": [], "secondary_storages": []}, updates
    # Back to daily: the cron of the custom schedule is not sent again.
    daily = dict((key, value) for key, value in updates[0].items() if key != "schedule_cron")
    assert updates[1] == dict(daily, schedule="daily"), updates[1]
    for entry in entries:
        if entry["method"] == "PATCH" and entry["path"].endswith("/update"):
            assert not set(entry["json"]) & {"type", "server_id", "storage_id"}, entry
    assert updates[3]["meta"] == {"backup_is_incremental": True, "backup_tar_donot_expand_symlinks": True}
    assert [s["schedule"] for s in updates[3]["secondary_schedules"]] == ["weekly", "custom"]
    assert updates[4]["secondary_schedules"] == [] and updates[4]["secondary_storages"] == []
    assert updates[4]["meta"] == {"backup_is_incremental": False, "backup_tar_donot_expand_symlinks": True}
    # Write-only secrets: the password with update_password=always, the connection string
    # with every update (the API needs the whole definition); nothing on a pause.
    password = PREFIX + "-db-password-0123456789"
    assert bodies(entries, "PATCH", "/backup/203/update")[0]["db_psw"] == password
    assert bodies(entries, "PATCH", "/backup/204/update")[0]["db_connection_string"] == (
        "postgresql://backup:%s@127.0.0.1:5432/app" % password)
    assert bodies(entries, "PATCH", "/backup/201/pause") == [{}]
    # The service refused one create (422) and nothing else failed.
    assert [e["status"] for e in entries if e["status"] >= 400] == [422]


def check_backup_run_target(entries):
    """Three runs of the good backup and one of the broken one; check mode ran nothing."""
    runs = [e["path"] for e in entries if e["path"].endswith("/run")]
    assert runs == ["/backup/201/run"] * 3 + ["/backup/202/run"]


TARGET_CHECKS = {
    "simplebackups_team": check_team_target,
    "simplebackups_team_info": check_team_info_target,
    "simplebackups_storage_info": check_storage_info_target,
    "simplebackups_server": check_server_target,
    "simplebackups_backup": check_backup_target,
    "simplebackups_backup_run": check_backup_run_target,
}


def test_paginated_lists_are_complete(sim, ansible):
    """With two items a page the targets still see every team and every storage."""
    sim.reset(page_size=2)
    targets = ["simplebackups_team_info", "simplebackups_storage_info"]
    ansible.run(role_play(*targets), target_vars(sim)).assert_ok()
    entries = sim.requests()
    pages = [(e["path"], str(e["query"].get("page", "1"))) for e in entries if e["method"] == "GET"]
    assert ("/team/list", "2") in pages
    assert ("/storage/list", "3") in pages
    assert ("/storage/list", "4") not in pages
    assert_no_server_errors(entries)


# -- single tasks, exact conversations ---------------------------------------------------------


def one_task_play(task, **play):
    play.setdefault("name", "One task")
    return [dict(play, hosts="localhost", gather_facts=False, tasks=[task])]


def team_task(sim, **options):
    options.update(api_token="{{ simplebackups_api_token }}", api_url="{{ simplebackups_api_url }}")
    return {"name": "Switch the team", "simplebackups.simplebackups.simplebackups_team": options, "register": "result"}


def test_check_mode_switch_sends_no_write(sim, ansible):
    result = ansible.run(one_task_play(team_task(sim, name="Smart Agency Inc")), target_vars(sim), check=True)
    result.assert_ok(changed=1)
    assert sim.conversation() == ["GET /team/current", "GET /team/list"]
    assert sim.current_team_id() == 1


def test_switch_to_the_current_team_is_one_read(sim, ansible):
    sim.api("PATCH", "/team/3/switch")
    sim.clear_requests()
    result = ansible.run(one_task_play(team_task(sim, name="Smart Agency Inc")), target_vars(sim))
    result.assert_ok(changed=0)
    assert sim.conversation() == ["GET /team/current"]


def test_switch_writes_once_and_reads_back(sim, ansible):
    result = ansible.run(one_task_play(team_task(sim, id=2)), target_vars(sim), args=["--diff"])
    result.assert_ok(changed=1)
    assert sim.conversation() == ["GET /team/current", "GET /team/list", "PATCH /team/2/switch", "GET /team/current"]
    assert sim.current_team_id() == 2
    assert "Jim Doe's Team" in result.stdout  # the diff names both teams
    assert "ACME Inc" in result.stdout


def test_switch_answered_with_a_server_error_after_commit(sim, ansible):
    """The switch was made but the answer was a 500: the module reads the team back and reports it."""
    sim.control("POST", "faults", {"kind": "commit_then_status", "status": 500, "method": "PATCH",
                                   "path": "/team/3/switch"})
    result = ansible.run(one_task_play(team_task(sim, name="Smart Agency Inc")), target_vars(sim))
    assert sim.current_team_id() == 3
    assert sim.conversation() == ["GET /team/current", "GET /team/list", "PATCH /team/3/switch", "GET /team/current"]
    result.assert_ok(changed=1)


# -- configuration ------------------------------------------------------------------------------


def test_configuration_from_environment(sim, ansible):
    """SIMPLEBACKUPS_API_TOKEN and SIMPLEBACKUPS_API_URL alone configure every module."""
    play = [dict(name="No connection options", hosts="localhost", gather_facts=False, tasks=[
        {"name": "Read the teams", "simplebackups.simplebackups.simplebackups_team_info": None, "register": "teams"},
        {"name": "Read the storages", "simplebackups.simplebackups.simplebackups_storage_info": {"name": "AWS S3"},
         "register": "storages"},
        {"name": "Switch", "simplebackups.simplebackups.simplebackups_team": {"name": "ACME Inc"}},
        {"name": "Check", "ansible.builtin.assert": {"that": [
            "teams.current_team.name == 'ACME Inc'", "storages.storages | length == 1"]}},
    ])]
    result = ansible.run(play, env={"SIMPLEBACKUPS_API_TOKEN": sim.token, "SIMPLEBACKUPS_API_URL": sim.base_url})
    result.assert_ok(changed=0)
    assert sim.conversation() == TEAM_INFO + ["GET /storage/list", "GET /team/current"]
    assert_authenticated(sim, sim.requests())


def test_module_defaults_group(sim, ansible):
    """module_defaults for the action group beats the environment; a task option beats both."""
    wrong = "sb-wrong-%s" % secrets.token_hex(8)
    play = [dict(
        name="module_defaults", hosts="localhost", gather_facts=False,
        module_defaults={GROUP: {"api_token": "{{ simplebackups_api_token }}",
                                 "api_url": "{{ simplebackups_api_url }}"}},
        tasks=[
            {"name": "Read the teams", "simplebackups.simplebackups.simplebackups_team_info": None},
            {"name": "Read the storages", "simplebackups.simplebackups.simplebackups_storage_info": None},
            {"name": "Switch", "simplebackups.simplebackups.simplebackups_team": {"id": 1}},
            {"name": "Read the teams with a token of the task",
             "simplebackups.simplebackups.simplebackups_team_info": {"api_token": wrong},
             "register": "result", "failed_when": "result is not failed"},
            {"name": "Check", "ansible.builtin.assert": {"that": ["result.failure.status == 401"]}},
        ])]
    result = ansible.run(play, target_vars(sim),
                         env={"SIMPLEBACKUPS_API_TOKEN": wrong, "SIMPLEBACKUPS_API_URL": "http://127.0.0.1:9/api"})
    result.assert_ok(changed=0)
    entries = sim.requests()
    assert sim.conversation() == TEAM_INFO + ["GET /storage/list", "GET /team/current", "GET /team/list"]
    assert_authenticated(sim, entries[:-1])
    assert entries[-1]["status"] == 401 and entries[-1]["token"] == wrong[:4] + "\u2026"


@pytest.mark.parametrize("verbosity", [None, "-vvv"])
def test_wrong_token_fails_without_showing_it(sim, ansible, verbosity):
    """A wrong token, as an option or from the environment: the task fails, the token is nowhere.

    (The environment is the one of ansible-playbook, as `make demo` sets it: a task's
    ``environment:`` keyword is printed by ansible-core itself at -vvv.)
    """
    wrong_option = "sb-wrong-%s" % secrets.token_hex(12)
    wrong_env = "sb-wrong-%s" % secrets.token_hex(12)
    play = [dict(name="Wrong token", hosts="localhost", gather_facts=False, tasks=[
        {"name": "Read the storages with a wrong token option",
         "simplebackups.simplebackups.simplebackups_storage_info": {"api_token": wrong_option, "api_url": sim.base_url},
         "ignore_errors": True},
        {"name": "Read the teams with a wrong token from the environment",
         "simplebackups.simplebackups.simplebackups_team_info": {"api_url": sim.base_url},
         "ignore_errors": True},
    ])]
    result = ansible.run(play, args=[verbosity] if verbosity else [], env={"SIMPLEBACKUPS_API_TOKEN": wrong_env})
    recap = result.assert_ok()
    assert recap["ignored"] == 2, str(result)
    for wrong in (wrong_option, wrong_env):
        assert wrong not in result.output
        assert wrong[4:] not in result.output
    assert "GET /storage/list failed with HTTP 401: Unauthenticated." in result.output, str(result)
    assert "GET /team/list failed with HTTP 401: Unauthenticated." in result.output, str(result)
    assert [(e["method"] + " " + e["path"], e["token"]) for e in sim.requests()] == [
        ("GET /storage/list", wrong_option[:4] + "\u2026"), ("GET /team/list", wrong_env[:4] + "\u2026")]


# -- rate limiting, transport ---------------------------------------------------------------------


def test_rate_limited_play_waits_and_succeeds(sim, ansible):
    """A play that needs more calls than the limit allows waits (Retry-After) and succeeds.

    The simulator's window is 60 s (Laravel's); the play ages it with the clock hook right
    before it runs over the limit, so each wait is a few seconds, not a minute. The seconds
    left must outlast the start of the next task on a loaded machine, or the window resets
    before the limit is hit (3 s did not, once, at load 3.3).
    """
    limit = 3
    sim.reset(rate_limit=limit, page_size=2)
    age_window = {"name": "Age the rate-limit window: 8 seconds are left of it",
                  "ansible.builtin.uri": {"url": sim.root_url + "/_sim/clock", "method": "POST",
                                          "body_format": "json", "body": {"advance": 52}}}
    play = [dict(
        name="More calls than the rate limit", hosts="localhost", gather_facts=False,
        module_defaults={GROUP: {"api_token": "{{ simplebackups_api_token }}",
                                 "api_url": "{{ simplebackups_api_url }}", "rate_limit_timeout": 30}},
        tasks=[
            {"name": "Read the teams (3 calls: all the window allows)",
             "simplebackups.simplebackups.simplebackups_team_info": None, "register": "first"},
            age_window,
            {"name": "Read the teams again (over the limit)",
             "simplebackups.simplebackups.simplebackups_team_info": None, "register": "second"},
            age_window,
            {"name": "Read the storages (3 pages, over the limit in the middle)",
             "simplebackups.simplebackups.simplebackups_storage_info": None, "register": "storages"},
            {"name": "Check", "ansible.builtin.assert": {"that": [
                "first.rate_limited_seconds is not defined",
                "second.rate_limited_seconds > 0",
                "storages.rate_limited_seconds > 0",
                "second.teams == first.teams",
                "storages.storages | length == 6",
            ]}},
        ])]
    result = ansible.run(play, target_vars(sim))
    result.assert_ok()
    entries = sim.requests()
    statuses = [(e["method"] + " " + e["path"], e["status"]) for e in entries]
    assert statuses == [
        ("GET /team/list", 200), ("GET /team/list", 200), ("GET /team/current", 200),
        ("GET /team/list", 429), ("GET /team/list", 200), ("GET /team/list", 200), ("GET /team/current", 200),
        ("GET /storage/list", 429), ("GET /storage/list", 200), ("GET /storage/list", 200), ("GET /storage/list", 200),
    ], str(result)


def test_transient_errors_on_reads_are_retried(sim, ansible):
    sim.control("POST", "faults", {"kind": "status", "status": 502, "count": 1, "method": "GET", "path": "/storage/list"})
    sim.control("POST", "faults", {"kind": "drop", "count": 1, "method": "GET", "path": "/team/current"})
    play = [dict(name="Reads through transient errors", hosts="localhost", gather_facts=False,
                 module_defaults={GROUP: {"api_token": "{{ simplebackups_api_token }}",
                                          "api_url": "{{ simplebackups_api_url }}"}},
                 tasks=[{"name": "Read the storages", "simplebackups.simplebackups.simplebackups_storage_info": None},
                        {"name": "Read the teams", "simplebackups.simplebackups.simplebackups_team_info": None}])]
    ansible.run(play, target_vars(sim)).assert_ok()
    assert [(e["path"], e["status"]) for e in sim.requests()] == [
        ("/storage/list", 502), ("/storage/list", 200),
        ("/team/list", 200), ("/team/current", None), ("/team/current", 200)]


def _certificates(directory):
    """A private CA and a server certificate for 127.0.0.1 that it signed (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def key_pem(key):
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "simplebackups integration test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = dict(ca=directory / "ca.pem", cert=directory / "server.pem", key=directory / "server.key")
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(key_pem(key))
    return paths


@pytest.fixture(scope="module")
def https_sim(tmp_path_factory):
    paths = _certificates(tmp_path_factory.mktemp("tls"))
    server = start_simulator(tls_cert=str(paths["cert"]), tls_key=str(paths["key"]))
    simulator = Sim(server)
    simulator.ca_path = str(paths["ca"])
    yield simulator
    server.stop()


def test_https_with_a_private_ca(https_sim, ansible):
    """ca_path verifies, validate_certs=false skips verification, validate_certs=true fails.

    requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a Session's ``verify``; the
    options must win over the environment, so each is tried with and without them (many
    machines and CI images set them).
    """
    sim = https_sim
    sim.reset()
    assert sim.base_url.startswith("https://")
    import requests

    tasks = []
    for label, bundle in (("no CA bundle", ""), ("a CA bundle", requests.certs.where())):
        environment = {"REQUESTS_CA_BUNDLE": bundle, "CURL_CA_BUNDLE": bundle}
        tasks += [
            {"name": "Verify the certificate with ca_path, %s in the environment" % label,
             "simplebackups.simplebackups.simplebackups_team_info": {"ca_path": sim.ca_path},
             "environment": environment, "register": "with_ca"},
            {"name": "Do not verify the certificate, %s in the environment" % label,
             "simplebackups.simplebackups.simplebackups_team_info": {"validate_certs": False},
             "environment": environment, "register": "unverified"},
            {"name": "Check", "ansible.builtin.assert": {"that": [
                "with_ca.current_team.name == 'ACME Inc'",
                "unverified.teams == with_ca.teams",
            ]}},
        ]
    tasks += [
        {"name": "Verify the certificate against the system's CAs",
         "simplebackups.simplebackups.simplebackups_storage_info": {"validate_certs": True},
         "register": "verified", "failed_when": "verified is not failed"},
        {"name": "Check that verification failed", "ansible.builtin.assert": {"that": [
            "'GET /storage/list failed' in verified.msg",
            "'CERTIFICATE_VERIFY_FAILED' in verified.msg or 'certificate verify failed' in verified.msg",
        ]}},
    ]
    play = [dict(name="HTTPS", hosts="localhost", gather_facts=False, tasks=tasks,
                 module_defaults={GROUP: {"api_token": "{{ simplebackups_api_token }}",
                                          "api_url": "{{ simplebackups_api_url }}"}})]
    result = ansible.run(play, target_vars(sim))
    result.assert_ok(changed=0)
    # The request that failed verification never reached the API.
    assert sim.conversation() == TEAM_INFO * 4


# -- documentation and demo ----------------------------------------------------------------------


def module_examples(path):
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "EXAMPLES" for t in node.targets):
            return ast.literal_eval(node.value)
    return None


def module_task(title, module, **options):
    options.setdefault("api_token", "{{ simplebackups_api_token }}")
    return {"name": title, "simplebackups.simplebackups.simplebackups_" + module: options}


# What the EXAMPLES expect to exist, made first: server web-01 (a password server: the
# simulator reaches it, so its backups run), the backup jobs the examples name.
WEB01 = dict(name="web-01", connection_type="password", host="127.0.0.1", user="backup", password="example-password")
WEB01_FILES = dict(name="web-01-files", type="file", server="web-01", storage="AWS S3", file_path="/var/www",
                   schedule="daily", retention=7)
WEB01_MYSQL = dict(name="web-01-mysql", type="db", server="web-01", storage="AWS S3", db_type="MySQL",
                   db_host="127.0.0.1", db_port=3306, db_name="*", schedule="custom", schedule_cron="0 23 * * 1-5",
                   retention=14)
ADD_WEB01 = module_task("Add server web-01", "server", **WEB01)
CREATE_WEB01_FILES = module_task("Create backup web-01-files", "backup", **WEB01_FILES)
CREATE_WEB01_MYSQL = module_task("Create backup web-01-mysql", "backup", **WEB01_MYSQL)
EXAMPLE_VARS = dict(legacy_ssh_password="example-legacy-password", mysql_backup_password="example-mysql-password")


def check_server_examples(run):
    servers = run.state["servers"]
    assert [(s["name"], s["validated"]) for s in servers] == [("web-01", True)], servers  # legacy-db removed
    assert "GET /setup/101/callback" in run.conversation()   # the install command ran on "web-01"


def check_backup_examples(run):
    backups = run.state["backups"]
    # 188 web-01-files deleted; 189 (web-01-mysql) paused and renamed, copied to storage 145
    assert [(b["id"], b["name"], b["status"]) for b in backups] == [(189, "web-01-mysql-nightly", 0)], backups
    assert backups[0]["secondary_storages"] == [{"storage_id": 145, "storage_path": "monthly"}]
    assert backups[0]["flags"] == {"backup_db_streaming": True}
    assert backups[0]["db_psw"] == "<redacted>"   # sent, and never shown


def check_backup_run_examples(run):
    jobs = run.state["jobs"]
    assert [(j["backup_id"], j["current_status"]) for j in jobs][:1] == [(189, "success")], jobs
    assert [j["backup_id"] for j in jobs] == [189, 189], jobs


def check_stats_examples(run):
    made = run.calls()
    assert "GET /stats/schedule?type=backup&resource_ids=189,190" in made
    assert "GET /stats/report?date_from=2026-01-01&date_to=2026-01-31" in made


# For each module: `seed` (what the API cannot make: storages, and the next ids, in-process),
# `setup` (pre_tasks that make the rest), simulator `settings`, `module_defaults` of the play
# (poll intervals: the examples keep the modules' defaults of 5-10 s) and a `check` of the state
# the examples leave. Every module is here: a module without EXAMPLES fails the test.
EXAMPLES = {
    "simplebackups_server": dict(
        # The install command runs on web-01 (this machine, see example_inventory); in callback
        # mode its script only calls back, and HOME is a scratch directory anyway.
        settings=dict(validation_mode="callback", removal_delay=0),
        check=check_server_examples),
    "simplebackups_server_info": dict(setup=[ADD_WEB01]),
    "simplebackups_backup": dict(
        seed=dict(storages=[(145, 1, "AWS S3 Monthly", "s3")], next_ids=dict(backup=188)),
        setup=[ADD_WEB01], check=check_backup_examples),
    "simplebackups_backup_info": dict(
        setup=[ADD_WEB01, CREATE_WEB01_FILES,
               module_task("Create backup web-01-mysql, paused", "backup", paused=True, **WEB01_MYSQL)]),
    "simplebackups_backup_run": dict(
        seed=dict(next_ids=dict(backup=189)), setup=[ADD_WEB01, CREATE_WEB01_MYSQL],
        settings=dict(job_seconds=1),
        module_defaults={"simplebackups.simplebackups.simplebackups_backup_run": {"poll_interval": 1}},
        check=check_backup_run_examples),
    "simplebackups_stats_info": dict(
        seed=dict(next_ids=dict(backup=189)), settings=dict(job_seconds=1),
        setup=[ADD_WEB01, CREATE_WEB01_FILES, CREATE_WEB01_MYSQL,
               module_task("Run web-01-files", "backup_run", name="web-01-files", poll_interval=1)],
        check=check_stats_examples),
    "simplebackups_storage_info": {},
    "simplebackups_team": {},
    "simplebackups_team_info": {},
}


def loopback_hosts(node, rewritten):
    """The tasks with every ``host:`` that is not on the loopback replaced by 127.0.0.1.

    The examples use documentation addresses (203.0.113.10, 198.51.100.7): the simulator must
    never try to reach anything but this machine (it refuses to anyway, unless told otherwise).
    """
    if isinstance(node, dict):
        result = {}
        for key, value in node.items():
            if key == "host" and isinstance(value, str) and not _is_loopback(value):
                rewritten.append(value)
                value = "127.0.0.1"
            result[key] = loopback_hosts(value, rewritten)
        return result
    if isinstance(node, list):
        return [loopback_hosts(item, rewritten) for item in node]
    return node


def _is_loopback(host):
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def example_inventory(directory):
    """web-01, the host the examples delegate to, is this machine (local connection).

    ansible_become=false: a variable beats the task keyword, so an example may ask to become
    the backup user on the host without this machine needing that user.
    """
    inventory = directory / "inventory.ini"
    inventory.write_text("web-01 ansible_connection=local ansible_python_interpreter=%s ansible_become=false\n"
                         % sys.executable)
    return inventory


def examples_job(module):
    """Run the EXAMPLES of a module on a simulator holding what they expect."""
    assert module.stem in EXAMPLES, "wire up the EXAMPLES of %s in EXAMPLES" % module.stem
    spec = EXAMPLES[module.stem]
    examples = module_examples(module)
    assert examples and examples.strip(), "%s has no EXAMPLES" % module.name
    tasks = yaml.safe_load(examples)
    assert isinstance(tasks, list) and tasks
    tasks = loopback_hosts(tasks, [])
    play = dict(name="EXAMPLES of %s" % module.stem, hosts="localhost", gather_facts=False,
                pre_tasks=spec.get("setup", []), tasks=tasks)
    if spec.get("module_defaults"):
        play["module_defaults"] = spec["module_defaults"]

    def job(ansible, work):
        home = work / "home"
        home.mkdir()
        # The examples name only api_token: the URL of the simulator comes from the environment.
        run = run_on_own_simulator(
            ansible, [play], settings=spec.get("settings"), seed=spec.get("seed"),
            extra_vars=lambda sim: target_vars(sim, **EXAMPLE_VARS),
            env=lambda sim: {"SIMPLEBACKUPS_API_URL": sim.base_url, "HOME": str(home)},
            args=["-i", str(example_inventory(work))])
        run.home = home
        return run
    return job
