# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""simplebackups_server: add, remove (queued), recreate and validate servers."""

from __future__ import annotations

import json

import pytest

from ansible_collections.simplebackups.simplebackups.plugins.modules import simplebackups_server
from ansible_collections.simplebackups.simplebackups.tests.unit.helpers import TOKEN

PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5VVVAAIHq0+gix03if8Dn++p2POXO3c0a+crUmPcZFcxzXo6Hn SB-WORKER-T007"
INSTALL_COMMAND = ('curl -sSL "https://my.simplebackups.io/api/setup/78/connect?token=34ee595255" '
                   '| bash -s 1649068f-0593-4fc2-8bb4-6743f9fa767d')
SSH_PASSWORD = "mysteri0usFlyte$-x9"


# -- builders, shaped like the reference and the contract ----------------------------------------

def server_object(**overrides):
    """A server as server/list returns it (never a password, never install_command)."""
    obj = {
        "id": 78,
        "name": "web-01",
        "host": "203.0.113.10",
        "port": 22,
        "user": "backup",
        "connection_type": "ssh",
        "status": 1,
        "public_key": PUBLIC_KEY,
        "temp_directory": "/home/backup",
        "created_at": "2025-01-01T00:06:43.000000Z",
        "project": None,
    }
    obj.update(overrides)
    return obj


def add_answer(server):
    """The answer of server/add: public_key and install_command, no host/port/user."""
    keys = ("id", "name", "connection_type", "status", "public_key", "created_at", "project")
    data = dict((key, server[key]) for key in keys)
    data["install_command"] = INSTALL_COMMAND
    return {"success": True, "message": "Server was added successfully!", "errors": [], "data": data}


REMOVED = {"success": True, "message": "Server removal queued! May take a couple of minutes.",
           "errors": [], "data": []}


def validation(status, message=""):
    return {"success": True, "data": {"status": status, "message": message}}


def args(**params):
    values = dict(api_token=TOKEN, name="web-01")
    values.update(params)
    return values


def ssh_args(**params):
    values = dict(host="203.0.113.10", user="backup", temp_directory="/home/backup")
    values.update(params)
    return args(**values)


SSH_ADD_BODY = {"name": "web-01", "connection_type": "ssh", "host": "203.0.113.10", "port": 22,
                "user": "backup", "temp_directory": "/home/backup"}


def run(run_module, params, check_mode=False, diff=True):
    return run_module(simplebackups_server.main, params, check_mode=check_mode, diff=diff)


# -- present --------------------------------------------------------------------------------------

def test_create_ssh_server_returns_secrets_at_top_level(api, run_module):
    created = server_object()
    api.expect("GET", "/server/list", answer={"data": [server_object(id=12, name="web-01-old")]})
    api.expect("POST", "/server/add", sends=SSH_ADD_BODY, answer=add_answer(created))
    api.expect("GET", "/server/list", answer={"data": [server_object(id=12, name="web-01-old"), created]})
    result = run(run_module, ssh_args())
    assert not result.failed, result
    assert result["changed"] is True
    assert result["server"] == created
    assert result["install_command"] == INSTALL_COMMAND
    assert result["public_key"] == PUBLIC_KEY
    assert "install_command" not in result["server"]
    assert result["diff"]["before"] == {}
    after = result["diff"]["after"]
    assert dict((key, after.get(key)) for key in ("connection_type", "host", "port", "user", "temp_directory")) == {
        "connection_type": "ssh", "host": "203.0.113.10", "port": 22, "user": "backup",
        "temp_directory": "/home/backup"}


def test_rerun_is_exactly_one_read(api, run_module):
    # The API may send the port as a numeric string.
    api.expect("GET", "/server/list", answer={"data": [server_object(port="22")]})
    result = run(run_module, ssh_args())
    assert not result.failed, result
    assert result["changed"] is False
    assert result["server"] == server_object(port="22")
    assert "install_command" not in result
    assert "public_key" not in result


def test_check_mode_create_reads_and_writes_nothing(api, run_module):
    api.expect("GET", "/server/list", answer={"data": []})
    result = run(run_module, ssh_args(), check_mode=True)
    assert not result.failed, result
    assert result["changed"] is True
    assert "install_command" not in result
    assert result["server"]["id"] is None
    assert result["server"]["host"] == "203.0.113.10"
    assert result["server"]["user"] == "backup"
    # "The server as the API lists it (in check mode, as it would be)": it has its name.
    assert result["server"]["name"] == "web-01"


def test_create_password_server_sends_password_and_never_returns_it(api, run_module):
    created = server_object(connection_type="password", port=2222, user="root", temp_directory=None,
                            public_key=None, project={"id": 5, "name": "project 03"})
    api.expect("GET", "/server/list", answer={"data": []})
    api.expect("POST", "/server/add", sends={
        "name": "web-01", "connection_type": "password", "host": "203.0.113.10", "port": 2222,
        "user": "root", "password": SSH_PASSWORD, "project_id": 5}, answer=add_answer(created))
    api.expect("GET", "/server/list", answer={"data": [created]})
    result = run(run_module, args(connection_type="password", host="203.0.113.10", port=2222, user="root",
                                  password=SSH_PASSWORD, project_id=5))
    assert not result.failed, result
    assert result["changed"] is True
    assert result["server"] == created
    assert "password" not in result["diff"]["after"]
    assert SSH_PASSWORD not in json.dumps(result)


def test_password_server_without_password_fails_after_the_lookup_without_writing(api, run_module):
    api.expect("GET", "/server/list", answer={"data": []})
    result = run(run_module, args(connection_type="password", host="203.0.113.10", user="root"))
    assert result.failed
    assert "connection_type=password needs password" in result["msg"]


@pytest.mark.parametrize("given, missing", [
    (dict(), "host and user"),
    (dict(host="203.0.113.10"), "user"),
    (dict(user="backup"), "host"),
])
def test_create_without_host_or_user_fails_naming_them(api, run_module, given, missing):
    api.expect("GET", "/server/list", answer={"data": []})
    result = run(run_module, args(**given))
    assert result.failed
    assert result["msg"].endswith("adding it needs %s" % missing)


def test_differences_fail_listing_them_without_writing(api, run_module):
    api.expect("GET", "/server/list", answer={"data": [server_object()]})
    result = run(run_module, args(host="198.51.100.7", port=2222, user="root", connection_type="password",
                                  password=SSH_PASSWORD))
    assert result.failed
    msg = result["msg"]
    assert "server 'web-01' (id 78) differs" in msg
    assert "connection_type: 'ssh' -> 'password'" in msg
    assert "host: '203.0.113.10' -> '198.51.100.7'" in msg
    assert "port: 22 -> 2222" in msg
    assert "user: 'backup' -> 'root'" in msg
    assert "recreate=true" in msg
    assert SSH_PASSWORD not in json.dumps(result)


def test_project_difference_fails_too(api, run_module):
    api.expect("GET", "/server/list", answer={"data": [server_object(project={"id": 5, "name": "p"})]})
    result = run(run_module, ssh_args(project_id=6))
    assert result.failed
    assert "project_id: 5 -> 6" in result["msg"]


def warnings_of(result):
    """The warnings' text: strings on older ansible-core, dicts with ``msg`` on 2.19+."""
    return " ".join(w.get("msg", str(w)) if isinstance(w, dict) else w for w in result.get("warnings", []))


def backups_on(server_id, *names):
    """backup/list filtered by server, as the service answers it."""
    return {"data": [{"id": 180 + n, "name": name, "server": {"id": server_id, "name": "web-01"}}
                     for n, name in enumerate(names)]}


def test_recreate_removes_waits_until_gone_and_adds_again(api, run_module, fake_time):
    old = server_object()
    new = server_object(id=79, host="198.51.100.7")
    api.expect("GET", "/server/list", answer={"data": [old]})
    api.expect("GET", "/backup/list", params={"filters[server]": "78"}, answer=backups_on(78))
    api.expect("POST", "/server/78/remove", sends={}, answer=REMOVED)
    api.expect("GET", "/server/list", answer={"data": [old]})
    api.expect("GET", "/server/list", answer={"data": [old]})
    api.expect("GET", "/server/list", answer={"data": []})
    api.expect("POST", "/server/add", sends=dict(SSH_ADD_BODY, host="198.51.100.7"), answer=add_answer(new))
    api.expect("GET", "/server/list", answer={"data": [new]})
    result = run(run_module, ssh_args(host="198.51.100.7", recreate=True, poll_interval=3))
    assert not result.failed, result
    assert result["changed"] is True
    assert result["server"] == new
    assert result["install_command"] == INSTALL_COMMAND
    assert result["diff"]["before"]["host"] == "203.0.113.10"
    assert result["diff"]["after"]["host"] == "198.51.100.7"
    assert fake_time.sleeps == [3, 3]
    assert not result.get("warnings"), result
    # The old server, with the key to revoke on the host.
    assert result["removed_server"] == old


def test_recreate_keeps_what_the_task_does_not_set(api, run_module, fake_time):
    # Only the host is asked: user, port, connection type, temp directory and project come
    # from the existing server, not from defaults (nor left out, which the API refuses).
    old = server_object(port="2222", user="root", temp_directory="/var/tmp", project={"id": 5, "name": "p"})
    new = server_object(id=79, host="198.51.100.7", port=2222, user="root", temp_directory="/var/tmp",
                        project={"id": 5, "name": "p"})
    api.expect("GET", "/server/list", answer={"data": [old]})
    api.expect("GET", "/backup/list", params={"filters[server]": "78"}, answer=backups_on(78, "files", "db"))
    api.expect("POST", "/server/78/remove", sends={}, answer=REMOVED)
    api.expect("GET", "/server/list", answer={"data": []})
    api.expect("POST", "/server/add", sends={
        "name": "web-01", "connection_type": "ssh", "host": "198.51.100.7", "port": 2222, "user": "root",
        "temp_directory": "/var/tmp", "project_id": 5}, answer=add_answer(new))
    api.expect("GET", "/server/list", answer={"data": [new]})
    result = run(run_module, args(host="198.51.100.7", recreate=True))
    assert not result.failed, result
    assert result["server"] == new
    assert result["diff"]["after"] == dict(result["diff"]["before"], host="198.51.100.7")
    # The backups of the removed server are named before they go.
    warning = warnings_of(result)
    assert "files (id 180)" in warning and "db (id 181)" in warning, warning


def test_recreate_in_check_mode_writes_nothing(api, run_module):
    old = server_object(port=2222, project={"id": 5, "name": "p"})
    api.expect("GET", "/server/list", answer={"data": [old]})
    api.expect("GET", "/backup/list", params={"filters[server]": "78"}, answer=backups_on(78, "files"))
    result = run(run_module, args(host="198.51.100.7", recreate=True), check_mode=True)
    assert not result.failed, result
    assert result["changed"] is True
    assert result["diff"]["after"] == dict(result["diff"]["before"], host="198.51.100.7")
    assert result["server"]["id"] is None
    assert result["server"]["port"] == 2222 and result["server"]["project"] == {"id": 5, "name": "p"}
    assert "public_key" not in result["server"]
    assert result["removed_server"] == old
    assert "would remove server id 78 and with it its 1 backup job(s): files (id 180)" in warnings_of(result)


def test_recreate_of_a_password_server_needs_the_password_before_removing(api, run_module):
    api.expect("GET", "/server/list", answer={"data": [server_object(connection_type="password")]})
    result = run(run_module, args(host="198.51.100.7", recreate=True))
    assert result.failed
    assert result["changed"] is False
    assert "recreating it needs password" in result["msg"]


def test_recreate_of_a_server_listed_without_its_user_needs_user_before_removing(api, run_module):
    listed = server_object()
    del listed["user"]      # objects may lack fields the contract lists
    api.expect("GET", "/server/list", answer={"data": [listed]})
    result = run(run_module, args(host="198.51.100.7", recreate=True))
    assert result.failed
    assert result["changed"] is False
    assert "is listed without user: set user to recreate it" in result["msg"]


def test_recreate_of_a_password_server_sends_the_password(api, run_module):
    old = server_object(connection_type="password", public_key=None)
    new = server_object(id=79, connection_type="password", public_key=None, host="198.51.100.7")
    api.expect("GET", "/server/list", answer={"data": [old]})
    api.expect("GET", "/backup/list", params={"filters[server]": "78"}, answer=backups_on(78))
    api.expect("POST", "/server/78/remove", sends={}, answer=REMOVED)
    api.expect("GET", "/server/list", answer={"data": []})
    api.expect("POST", "/server/add", sends=dict(SSH_ADD_BODY, connection_type="password", host="198.51.100.7",
                                                 password=SSH_PASSWORD), answer=add_answer(new))
    api.expect("GET", "/server/list", answer={"data": [new]})
    result = run(run_module, args(host="198.51.100.7", password=SSH_PASSWORD, recreate=True))
    assert not result.failed, result
    assert SSH_PASSWORD not in json.dumps(result)


def test_recreate_whose_removal_does_not_finish_says_what_to_add_back(api, run_module, fake_time):
    old = server_object(port=2222, connection_type="password", public_key=None)
    api.expect("GET", "/server/list", answer={"data": [old]})
    api.expect("GET", "/backup/list", params={"filters[server]": "78"}, answer=backups_on(78))
    api.expect("POST", "/server/78/remove", sends={}, answer=REMOVED)
    for dummy in range(3):
        api.expect("GET", "/server/list", answer={"data": [old]})
    result = run(run_module, args(host="198.51.100.7", password=SSH_PASSWORD, recreate=True,
                                  wait_timeout=10, poll_interval=5))
    assert result.failed
    assert result["changed"] is True      # the removal is queued
    assert "still listed 10 seconds after its removal was queued; raise wait_timeout; it must then " \
           "be added again as" in result["msg"]
    assert "'port': 2222" in result["msg"] and "'connection_type': 'password'" in result["msg"]
    assert "set wait=false" not in result["msg"]
    assert SSH_PASSWORD not in json.dumps(result)
    assert fake_time.sleeps == [5, 5]


def test_recreate_whose_add_is_refused_says_what_was_removed(api, run_module):
    old = server_object(port=2222)
    api.expect("GET", "/server/list", answer={"data": [old]})
    api.expect("GET", "/backup/list", params={"filters[server]": "78"}, answer=backups_on(78))
    api.expect("POST", "/server/78/remove", sends={}, answer=REMOVED)
    api.expect("GET", "/server/list", answer={"data": []})
    api.expect("POST", "/server/add", sends={
        "name": "web-01", "connection_type": "ssh", "host": "198.51.100.7", "port": 2222, "user": "backup",
        "temp_directory": "/home/backup"}, status=422, answer={
        "success": False, "message": "The host has already been taken.",
        "errors": {"host": ["The host has already been taken."]}})
    result = run(run_module, args(host="198.51.100.7", recreate=True))
    assert result.failed
    # The removal happened: the run changed the account even though it failed.
    assert result["changed"] is True
    assert "was removed to be recreated" in result["msg"]
    assert "'port': 2222" in result["msg"] and "The host has already been taken." in result["msg"]


# -- absent ---------------------------------------------------------------------------------------

def test_absent_removes_and_polls_until_gone(api, run_module, fake_time):
    server = server_object()
    api.expect("GET", "/server/list", answer={"data": [server]})
    api.expect("GET", "/backup/list", params={"filters[server]": "78"}, answer=backups_on(78))
    api.expect("POST", "/server/78/remove", sends={}, answer=REMOVED)
    api.expect("GET", "/server/list", answer={"data": [server]})
    api.expect("GET", "/server/list", answer={"data": [server]})
    api.expect("GET", "/server/list", answer={"data": [server_object(id=12, name="web-02")]})
    result = run(run_module, args(state="absent"))
    assert not result.failed, result
    assert result["changed"] is True
    assert result["server"] == server
    assert result["diff"]["after"] == {}
    assert fake_time.sleeps == [5, 5]


def test_absent_again_is_one_read(api, run_module):
    api.expect("GET", "/server/list", answer={"data": [server_object(id=12, name="web-02")]})
    result = run(run_module, args(state="absent"))
    assert not result.failed, result
    assert result["changed"] is False
    assert result["server"] == {}


def test_absent_in_check_mode_writes_nothing_and_names_the_backups(api, run_module):
    api.expect("GET", "/server/list", answer={"data": [server_object()]})
    api.expect("GET", "/backup/list", params={"filters[server]": "78"}, answer={"data": [
        {"id": 180, "name": "files", "server": {"id": 78, "name": "web-01"}},
        # the filter may match loosely: only this server's jobs are named
        {"id": 181, "name": "other", "server": {"id": 780, "name": "web-010"}}]})
    result = run(run_module, args(state="absent"), check_mode=True)
    assert not result.failed, result
    assert result["changed"] is True
    assert "removing server 'web-01' (id 78) would remove its 1 backup job(s) with it: files (id 180)" \
        in warnings_of(result)


def test_absent_without_wait_does_not_poll(api, run_module, fake_time):
    api.expect("GET", "/server/list", answer={"data": [server_object()]})
    api.expect("GET", "/backup/list", params={"filters[server]": "78"}, answer=backups_on(78))
    api.expect("POST", "/server/78/remove", sends={}, answer=REMOVED)
    result = run(run_module, args(state="absent", wait=False))
    assert not result.failed, result
    assert result["changed"] is True
    assert fake_time.sleeps == []


def test_absent_already_removed_by_someone_else_is_fine(api, run_module):
    api.expect("GET", "/server/list", answer={"data": [server_object()]})
    api.expect("GET", "/backup/list", params={"filters[server]": "78"}, answer=backups_on(78))
    api.expect("POST", "/server/78/remove", sends={}, status=404,
               answer={"success": False, "message": "Server not found.", "errors": [], "data": []})
    api.expect("GET", "/server/list", answer={"data": []})
    result = run(run_module, args(state="absent"))
    assert not result.failed, result
    # Somebody else deleted it first: this run changed nothing.
    assert result["changed"] is False
    assert "diff" not in result


def test_absent_wait_timeout_fails(api, run_module, fake_time):
    server = server_object()
    api.expect("GET", "/server/list", answer={"data": [server]})
    api.expect("GET", "/backup/list", params={"filters[server]": "78"}, answer=backups_on(78))
    api.expect("POST", "/server/78/remove", sends={}, answer=REMOVED)
    for dummy in range(3):
        api.expect("GET", "/server/list", answer={"data": [server]})
    result = run(run_module, args(state="absent", wait_timeout=10))
    assert result.failed
    assert "server 'web-01' (id 78) is still listed 10 seconds after its removal was queued" in result["msg"]
    assert fake_time.sleeps == [5, 5]


# -- validate_connection ----------------------------------------------------------------------------

def test_validate_connection_retries_until_true_and_changes_nothing(api, run_module, fake_time):
    api.expect("GET", "/server/list", answer={"data": [server_object()]})
    api.expect("GET", "/server/78/validate-connection", answer=validation(False, "Permission denied (publickey)."))
    api.expect("GET", "/server/78/validate-connection", answer=validation(False, "Permission denied (publickey)."))
    api.expect("GET", "/server/78/validate-connection", answer=validation(True))
    result = run(run_module, ssh_args(validate_connection=True))
    assert not result.failed, result
    assert result["changed"] is False
    assert result["validation"] == {"status": True, "message": ""}
    assert fake_time.sleeps == [5, 5]


def test_validate_connection_in_check_mode_still_validates_an_existing_server(api, run_module):
    api.expect("GET", "/server/list", answer={"data": [server_object()]})
    api.expect("GET", "/server/78/validate-connection", answer=validation(True))
    result = run(run_module, ssh_args(validate_connection=True), check_mode=True)
    assert not result.failed, result
    assert result["changed"] is False
    assert result["validation"]["status"] is True


def test_validate_connection_never_succeeding_fails_with_the_api_message(api, run_module, fake_time):
    api.expect("GET", "/server/list", answer={"data": [server_object()]})
    for dummy in range(3):
        api.expect("GET", "/server/78/validate-connection",
                   answer=validation(False, "Permission denied (publickey)."))
    result = run(run_module, ssh_args(validate_connection=True, validate_timeout=10))
    assert result.failed
    assert "could not connect to server 'web-01' (id 78) within 10 seconds" in result["msg"]
    assert result["msg"].endswith("Permission denied (publickey).")
    assert fake_time.sleeps == [5, 5]


def test_failed_validation_right_after_adding_keeps_the_one_time_secrets(api, run_module):
    """An SSH server can't validate before its install_command ran; failing must not lose it."""
    created = server_object()
    api.expect("GET", "/server/list", answer={"data": []})
    api.expect("POST", "/server/add", sends=SSH_ADD_BODY, answer=add_answer(created))
    api.expect("GET", "/server/list", answer={"data": [created]})
    api.expect("GET", "/server/78/validate-connection", answer=validation(False, "Permission denied (publickey)."))
    result = run(run_module, ssh_args(validate_connection=True, validate_timeout=0))
    assert result.failed
    assert "Permission denied (publickey)." in result["msg"]
    # The server was added: the only copy of install_command must reach the user.
    assert result.get("install_command") == INSTALL_COMMAND
    assert result.get("changed") is True


def test_api_error_on_list_fails_with_the_api_words(api, run_module):
    api.expect("GET", "/server/list", status=401, answer={"message": "Unauthenticated."})
    result = run(run_module, ssh_args())
    assert result.failed
    assert result["msg"] == "GET /server/list failed with HTTP 401: Unauthenticated."
    assert TOKEN not in json.dumps(result)
