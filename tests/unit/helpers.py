# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared helpers of the unit tests: running a module, scripting the API, sample objects."""

from __future__ import annotations

import copy
import json
import socket
import threading

import pytest
import requests
import responses
from responses import matchers, registries

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.simplebackups.simplebackups.plugins.module_utils.api import (
    SimpleBackupsClient,
    simplebackups_argument_spec,
)

API_URL = "https://my.simplebackups.io/api"
TOKEN = "sbk-unit-7Q2xV9pLmN4rT8wZ"


# -- running a module ------------------------------------------------------------------

class ModuleResult(dict):
    """The JSON a module printed, plus its exit code."""

    def __init__(self, rc, data):
        super(ModuleResult, self).__init__(data)
        self.rc = rc

    @property
    def failed(self):
        return self.rc != 0 or bool(self.get("failed"))


def run_module(main, args, capsys, check_mode=False, diff=False):
    """Run ``main()`` as Ansible would and return what exit_json/fail_json printed."""
    module_args = dict(args)
    if check_mode:
        module_args["_ansible_check_mode"] = True
    if diff:
        module_args["_ansible_diff"] = True
    capsys.readouterr()
    with patch_module_args(module_args):
        with pytest.raises(SystemExit) as caught:
            main()
    out = capsys.readouterr().out
    try:
        data = json.loads(out)
    except ValueError:
        raise AssertionError("the module printed no JSON result: %r" % out)
    rc = caught.value.code if isinstance(caught.value.code, int) else 1
    return ModuleResult(rc, data)


def make_module(**params):
    """A real AnsibleModule with the collection's common options (token defaulted)."""
    args = dict(api_token=TOKEN)
    args.update(params)
    with patch_module_args(args):
        return AnsibleModule(argument_spec=simplebackups_argument_spec(), supports_check_mode=True)


def make_client(sleep=None, clock=None, **params):
    return SimpleBackupsClient(make_module(**params), sleep=sleep, clock=clock)


# -- time --------------------------------------------------------------------------------

class FakeTime(object):
    """Stands in for the ``time`` module of api.py: sleeping only advances the clocks."""

    def __init__(self):
        self.monotonic_now = 5000.0
        self.wall_now = 1767225600.0  # 2026-01-01T00:00:00Z
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.monotonic_now += seconds
        self.wall_now += seconds

    def monotonic(self):
        return self.monotonic_now

    def time(self):
        return self.wall_now


# -- the scripted API --------------------------------------------------------------------

def _no_body(request):
    if request.body in (None, b"", ""):
        return True, ""
    return False, "a GET must not carry a body, got %r" % (request.body,)


def _no_header(name):
    def match(request):
        if name in request.headers:
            return False, "unexpected header %s: %s" % (name, request.headers[name])
        return True, ""
    return match


class ApiConversation(object):
    """The exact, ordered list of HTTP calls a test allows.

    Every call must match method, URL, query, JSON body and headers (Bearer token, Accept,
    Content-Type on writes only). A call that was not expected, or an expected call that was
    not made, fails the test - even when the code under test swallows the error.
    """

    def __init__(self, api_url=API_URL, token=TOKEN):
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.expected = 0
        self.checked = False
        self.mock = responses.RequestsMock(
            assert_all_requests_are_fired=True, registry=registries.OrderedRegistry)

    def __enter__(self):
        self.mock.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None and not self.checked:
                self.assert_complete()
        finally:
            if self.checked:
                self.mock.assert_all_requests_are_fired = False
            self.mock.__exit__(exc_type, exc, tb)
        return False

    @property
    def calls(self):
        return self.mock.calls

    def describe_calls(self):
        return ["%s %s" % (call.request.method, call.request.url) for call in self.mock.calls]

    def assert_complete(self):
        assert len(self.mock.calls) == self.expected, (
            "expected %d HTTP calls, the code made %d: %s"
            % (self.expected, len(self.mock.calls), self.describe_calls()))

    def expect(self, method, path, params=None, sends=None, status=200, answer=None, text=None,
               error=None, headers=None, request_headers=None):
        """Expect one call; ``answer`` is the JSON returned, ``text`` a raw (HTML) body and
        ``error`` an exception raised instead of answering."""
        url = path if path.startswith(("http://", "https://")) else self.api_url + path
        expected_headers = {
            "Authorization": "Bearer %s" % self.token,
            "Accept": "application/json",
        }
        match = [matchers.query_param_matcher(params or {})]
        if method == "GET":
            match += [_no_body, _no_header("Content-Type")]
        else:
            if sends is None:
                raise ValueError("say what the %s %s must send" % (method, path))
            expected_headers["Content-Type"] = "application/json"
            match.append(matchers.json_params_matcher(sends))
        expected_headers.update(request_headers or {})
        match.append(matchers.header_matcher(expected_headers))

        kwargs = dict(method=method, url=url, status=status, match=match, headers=headers or {})
        if error is not None:
            kwargs["body"] = error
        elif text is not None:
            kwargs["body"] = text
            kwargs["content_type"] = "text/html; charset=UTF-8"
        elif answer is not None:
            kwargs["json"] = answer
        else:
            kwargs["body"] = ""
        self.mock.add(**kwargs)
        self.expected += 1


# -- transport failures, captured from real sockets on the loopback ----------------------

def _serve_once(handle):
    """A one-connection TCP server on 127.0.0.1; returns its URL."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(5)
    port = server.getsockname()[1]

    def serve():
        try:
            conn, dummy = server.accept()
        except OSError:
            server.close()
            return
        try:
            handle(conn)
        finally:
            conn.close()
            server.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return "http://127.0.0.1:%d/api/backup/create" % port, thread


def _capture(url, timeout=5):
    session = requests.Session()
    session.trust_env = False  # straight to the loopback, whatever proxy the environment sets
    try:
        session.post(url, json={}, timeout=timeout)
    except requests.exceptions.RequestException as exc:
        return exc
    raise AssertionError("expected %s to fail" % url)


def real_connection_refused():
    """What requests raises when nothing listens: the request never left."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return _capture("http://127.0.0.1:%d/api/backup/create" % port)


def real_dropped_connection():
    """What requests raises when the server reads the request and hangs up unanswered."""
    def read_and_hang_up(conn):
        conn.recv(65536)
    url, thread = _serve_once(read_and_hang_up)
    exc = _capture(url)
    thread.join(5)
    return exc


def real_read_timeout():
    """What requests raises when the server reads the request and never answers."""
    done = threading.Event()

    def read_and_stall(conn):
        conn.recv(65536)
        done.wait(5)
    url, thread = _serve_once(read_and_stall)
    exc = _capture(url, timeout=0.3)
    done.set()
    thread.join(5)
    return exc


# -- sample objects, shaped like the API reference's examples -----------------------------

_TEAMS = [
    {"id": 1, "owner_id": 4, "name": "ACME Inc", "timezone": "UTC",
     "created_at": "2025-01-01T23:19:32.000000Z"},
    {"id": 2, "owner_id": 4, "name": "Jim Doe's Team", "timezone": "UTC",
     "created_at": "2025-02-01T23:19:32.000000Z"},
    {"id": 3, "owner_id": 4, "name": "Smart Agency Inc", "timezone": "UTC",
     "created_at": "2025-03-01T23:19:32.000000Z"},
]

_STORAGES = [
    {"id": 1, "name": "Backblaze Limited Scope", "type": "backblaze", "status": 1,
     "created_at": "2025-01-01T00:06:43.000000Z"},
    {"id": 2, "name": "SimpleStorage", "type": "simple", "status": 1,
     "created_at": "2025-01-01T00:06:43.000000Z"},
    {"id": 96, "name": "AWS S3", "type": "s3", "status": 0,
     "created_at": "2025-01-01T00:06:43.000000Z"},
]

TRIGGER_SECRET = "mn4xfzUDNwu71JJqf90F"


def teams():
    return copy.deepcopy(_TEAMS)


def team(team_id):
    return [t for t in teams() if t["id"] == team_id][0]


def storages():
    return copy.deepcopy(_STORAGES)


def backup_object(**overrides):
    """A backup as the API returns it (the create example of the reference)."""
    obj = {
        "id": 189,
        "server_id": 108,
        "storage_id": 96,
        "type": "file",
        "name": "nightly-files",
        "schedule": "daily",
        "schedule_cron": None,
        "status": 1,
        "retention": 7,
        "created_at": "2020-11-24 19:34:45",
        "file_path": "/home/sbio",
        "excluded_file_path": None,
        "storage": {"id": 96, "name": "AWS S3", "type": "s3"},
        "server": {"id": 108, "name": "Mongo-Test-04", "connection_type": "password"},
        "project": {"id": 5, "name": "project 03"},
        "trigger_url": "https://simplebackups/api/backup/a1b02bad/run?api_token=%s" % TRIGGER_SECRET,
        "secondary_schedules": [],
        "secondary_storages": [],
    }
    obj.update(overrides)
    return obj
