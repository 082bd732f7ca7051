# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""simplebackups_backup: create, update, pause/resume and delete backup jobs."""

from __future__ import annotations

import json

import pytest

from ansible_collections.simplebackups.simplebackups.plugins.modules import simplebackups_backup
from ansible_collections.simplebackups.simplebackups.tests.unit.helpers import (
    TOKEN,
    TRIGGER_SECRET,
    backup_object,
    storages,
)

DB_PASSWORD = "dbpass-K3yq8Zr1"
CONNECTION_STRING = "mysql://backup:cs-Secr3tW0rd@127.0.0.1:3306/shop"
MASKED_TRIGGER = "https://simplebackups/api/backup/a1b02bad/run?api_token=********"
REVEALED_TRIGGER = "https://simplebackups/api/backup/a1b02bad/run?api_token=%s" % TRIGGER_SECRET


# -- builders, shaped like the reference --------------------------------------------------------

def server(server_id, name):
    return {"id": server_id, "name": name, "host": "203.0.113.%d" % server_id, "port": 22, "user": "backup",
            "connection_type": "password", "status": 1, "public_key": None, "temp_directory": None,
            "created_at": "2025-01-01T00:06:43.000000Z", "project": None}


SERVERS = [server(7, "web-01"), server(108, "Mongo-Test-04")]


def db_backup_object(**overrides):
    obj = backup_object(id=190, name="nightly-mysql", type="db", file_path=None, excluded_file_path=None,
                        db_type="MySQL", db_host="127.0.0.1", db_port=3306, db_user="backup", db_name="*",
                        flags={"backup_db_streaming": True})
    obj.update(overrides)
    return obj


def written(obj, message="Backup was created successfully!"):
    return {"success": True, "message": message, "errors": [], "data": obj}


OK_EMPTY = {"success": True, "message": "done", "errors": [], "data": []}


def args(**params):
    values = dict(api_token=TOKEN, name="nightly-files")
    values.update(params)
    return values


def run(run_module, params, check_mode=False, diff=True):
    return run_module(simplebackups_backup.main, params, check_mode=check_mode, diff=diff)


def by_name(name="nightly-files"):
    return {"filters[name]": name}


# The file backup created by name, and what the API answers with.
FILE_BACKUP_ARGS = dict(
    type="file", server="Mongo-Test-04", storage="AWS S3",
    file_path="/home/sbio", excluded_file_path="/home/*/vendor", storage_path="daily/files",
    schedule="daily", retention=7,
    meta=dict(backup_is_incremental=True, backup_file_streaming=False),
    secondary_schedules=[dict(schedule="weekly", retention=4)],
    secondary_storages=[dict(storage_id=2, storage_path="copies")],
)

FILE_BACKUP_BODY = {
    "name": "nightly-files", "type": "file", "server_id": 108, "storage_id": 96,
    "file_path": "/home/sbio", "excluded_file_path": "/home/*/vendor", "storage_path": "daily/files",
    "schedule": "daily", "retention": 7,
    "meta": {"backup_is_incremental": True, "backup_file_streaming": False},
    # Ansible fills unset suboptions with None; the API takes these as nullable.
    "secondary_schedules": [{"schedule": "weekly", "retention": 4, "schedule_cron": None}],
    "secondary_storages": [{"storage_id": 2, "storage_path": "copies"}],
}


def created_file_backup(**overrides):
    obj = backup_object(
        storage_path="daily/files", excluded_file_path="/home/*/vendor",
        flags={"backup_is_incremental": True, "backup_file_streaming": False},
        secondary_schedules=[{"schedule": "weekly", "schedule_cron": None, "retention": 4}],
        secondary_storages=[{"storage_id": 2, "storage_path": "copies",
                             "storage": {"id": 2, "name": "SimpleStorage", "type": "simple"}}],
    )
    obj.update(overrides)
    return obj


def expect_name_lookups(api, found=()):
    """The reads of a create by names: the job by name, the servers, the storage by name."""
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": list(found)})
    api.expect("GET", "/server/list", answer={"data": SERVERS})
    like = [s for s in storages() if s["name"] == "AWS S3"] + [
        {"id": 97, "name": "AWS S3 archive", "type": "s3", "status": 1}]
    api.expect("GET", "/storage/list", params={"filters[name]": "AWS S3"}, answer={"data": like})


# -- create ---------------------------------------------------------------------------------------

def test_create_by_names_sends_the_exact_body_and_masks_the_trigger_url(api, run_module):
    expect_name_lookups(api)
    api.expect("POST", "/backup/create", sends=FILE_BACKUP_BODY, answer=written(created_file_backup()))
    result = run(run_module, args(**FILE_BACKUP_ARGS))
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"] == dict(created_file_backup(), trigger_url=MASKED_TRIGGER)
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["server_id"] == 108
    assert result["diff"]["after"]["storage_id"] == 96
    assert TRIGGER_SECRET not in json.dumps(result)


def test_create_reveals_the_trigger_url_when_asked(api, run_module):
    expect_name_lookups(api)
    api.expect("POST", "/backup/create", sends=FILE_BACKUP_BODY, answer=written(created_file_backup()))
    result = run(run_module, args(reveal_trigger_url=True, **FILE_BACKUP_ARGS))
    assert not result.failed, result
    assert result["backup"]["trigger_url"] == REVEALED_TRIGGER


def test_rerun_by_names_is_exactly_one_read(api, run_module):
    # The server and storage names are those of the job's own server and storage objects.
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [created_file_backup()]})
    result = run(run_module, args(**FILE_BACKUP_ARGS))
    assert not result.failed, result
    assert result["changed"] is False
    assert result["backup"] == dict(created_file_backup(), trigger_url=MASKED_TRIGGER)


def test_check_mode_create_resolves_names_and_writes_nothing(api, run_module):
    expect_name_lookups(api)
    result = run(run_module, args(**FILE_BACKUP_ARGS), check_mode=True)
    assert not result.failed, result
    assert result["changed"] is True
    predicted = result["backup"]
    assert predicted["id"] is None
    assert (predicted["name"], predicted["server_id"], predicted["storage_id"]) == ("nightly-files", 108, 96)
    assert predicted["flags"] == {"backup_is_incremental": True, "backup_file_streaming": False}


def test_create_db_backup_sends_the_password_as_db_psw_and_never_shows_it(api, run_module):
    created = db_backup_object(schedule="custom", schedule_cron="0 23 * * 1-5", retention=14, flags={})
    api.expect("GET", "/backup/list", params=by_name("nightly-mysql"), answer={"data": []})
    api.expect("POST", "/backup/create", sends={
        "name": "nightly-mysql", "type": "db", "server_id": 108, "storage_id": 96, "db_type": "MySQL",
        "db_host": "127.0.0.1", "db_port": 3306, "db_user": "backup", "db_psw": DB_PASSWORD, "db_name": "*",
        "schedule": "custom", "schedule_cron": "0 23 * * 1-5", "retention": 14,
    }, answer=written(created))
    result = run(run_module, args(
        name="nightly-mysql", type="db", server_id=108, storage_id=96, db_type="MySQL", db_host="127.0.0.1",
        db_port=3306, db_user="backup", db_password=DB_PASSWORD, db_name="*", schedule="custom",
        schedule_cron="0 23 * * 1-5", retention=14))
    assert not result.failed, result
    assert result["changed"] is True
    for side in ("before", "after"):
        assert "db_password" not in result["diff"][side]
    assert DB_PASSWORD not in json.dumps(result)
    assert TRIGGER_SECRET not in json.dumps(result)


def test_create_db_backup_with_a_connection_string(api, run_module):
    created = db_backup_object(db_type=None, db_host=None, db_port=None, db_user=None, db_name=None)
    api.expect("GET", "/backup/list", params=by_name("nightly-mysql"), answer={"data": []})
    api.expect("POST", "/backup/create", sends={
        "name": "nightly-mysql", "type": "db", "server_id": 108, "storage_id": 96,
        "db_connection_string": CONNECTION_STRING, "schedule": "daily", "retention": 7,
    }, answer=written(created))
    result = run(run_module, args(name="nightly-mysql", type="db", server_id=108, storage_id=96,
                                  db_connection_string=CONNECTION_STRING, schedule="daily", retention=7))
    assert not result.failed, result
    assert result["changed"] is True
    assert "db_connection_string" not in result["diff"]["after"]
    assert CONNECTION_STRING not in json.dumps(result)


def test_create_answered_500_after_commit_is_recovered_by_reading_back(api, run_module):
    expect_name_lookups(api)
    api.expect("POST", "/backup/create", sends=FILE_BACKUP_BODY, status=500, answer={"message": "Server Error"})
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [created_file_backup()]})
    result = run(run_module, args(**FILE_BACKUP_ARGS))
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"] == dict(created_file_backup(), trigger_url=MASKED_TRIGGER)
    assert result["recovered_from"]["status"] == 500


def test_create_on_a_dropped_connection_is_recovered_by_reading_back(api, run_module, transport_errors):
    expect_name_lookups(api)
    api.expect("POST", "/backup/create", sends=FILE_BACKUP_BODY, error=transport_errors["dropped"])
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [created_file_backup()]})
    result = run(run_module, args(**FILE_BACKUP_ARGS))
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"]["id"] == 189
    assert result["recovered_from"]["maybe_committed"] is True


def test_create_answered_500_and_not_committed_fails_with_the_api_message(api, run_module):
    expect_name_lookups(api)
    api.expect("POST", "/backup/create", sends=FILE_BACKUP_BODY, status=500, answer={"message": "Server Error"})
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": []})
    result = run(run_module, args(**FILE_BACKUP_ARGS))
    assert result.failed
    assert result["msg"] == "POST /backup/create failed with HTTP 500: Server Error"
    assert result["failure"]["maybe_committed"] is True


def test_create_refused_with_422_fails_with_the_field_errors(api, run_module):
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": []})
    api.expect("POST", "/backup/create", sends={
        "name": "nightly-files", "type": "file", "server_id": 108, "storage_id": 5, "file_path": "/srv",
        "schedule": "daily", "retention": 7}, status=422, answer={
        "success": False, "message": "The selected storage id is invalid.",
        "errors": {"storage_id": ["The selected storage id is invalid."]}})
    result = run(run_module, args(type="file", server_id=108, storage_id=5, file_path="/srv", schedule="daily",
                                  retention=7))
    assert result.failed
    assert result["msg"] == "POST /backup/create failed with HTTP 422: The selected storage id is invalid."
    assert result["failure"]["errors"] == {"storage_id": ["The selected storage id is invalid."]}


def test_rate_limited_create_waits_and_is_sent_again(api, run_module, fake_time):
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": []})
    body = {"name": "nightly-files", "type": "file", "server_id": 108, "storage_id": 96, "file_path": "/srv",
            "schedule": "daily", "retention": 7}
    api.expect("POST", "/backup/create", sends=body, status=429, answer={"message": "Too Many Attempts."},
               headers={"Retry-After": "2", "X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0"})
    api.expect("POST", "/backup/create", sends=body, answer=written(backup_object(file_path="/srv")))
    result = run(run_module, args(type="file", server_id=108, storage_id=96, file_path="/srv", schedule="daily",
                                  retention=7))
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"]["id"] == 189
    assert fake_time.sleeps == [2.0]
    assert result["rate_limited_seconds"] == 2.0


def test_unknown_server_name_fails_without_writing(api, run_module):
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": []})
    api.expect("GET", "/server/list", answer={"data": SERVERS})
    params = dict(FILE_BACKUP_ARGS)
    params["server"] = "Mongo-Test"
    result = run(run_module, args(**params))
    assert result.failed
    assert result["msg"] == "server: no server named 'Mongo-Test' in the current team"


def test_duplicate_names_fail_listing_the_ids(api, run_module):
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [
        backup_object(), backup_object(id=204), backup_object(id=300, name="nightly-files-old")]})
    result = run(run_module, args(retention=9))
    assert result.failed
    assert "2 backups are named 'nightly-files' (ids 189, 204)" in result["msg"]


# -- validation: before any request -------------------------------------------------------------

@pytest.mark.parametrize("params, expected", [
    (dict(schedule="custom"), "schedule=custom needs schedule_cron"),
    (dict(schedule="daily", schedule_cron="0 23 * * 1-5"),
     "schedule_cron is only used with schedule=custom, not daily"),
    (dict(schedule="custom", schedule_cron="0 23 * *"), "schedule_cron must have five fields"),
    (dict(retention=0), "retention must be at least 1, got 0"),
    (dict(type="file", db_host="127.0.0.1"), "db_host only apply to type db or full, not type=file"),
    (dict(type="file", db_password=DB_PASSWORD, db_name="*"),
     "db_password, db_name only apply to type db or full, not type=file"),
    (dict(type="db", file_path="/srv"), "file_path only apply to type file or full, not type=db"),
    (dict(type="db", excluded_file_path="/srv/cache"), "excluded_file_path only apply to type file or full"),
    (dict(db_connection_string=CONNECTION_STRING, db_host="127.0.0.1"),
     "mutually exclusive: db_connection_string|db_host"),
    (dict(server="web-01", server_id=7), "mutually exclusive: server|server_id"),
    (dict(secondary_schedules=[dict(schedule="custom", retention=2)]),
     "secondary_schedules[0].schedule=custom needs secondary_schedules[0].schedule_cron"),
    (dict(secondary_schedules=[dict(schedule="daily", retention=1), dict(schedule="weekly", retention=0)]),
     "secondary_schedules[1].retention must be at least 1, got 0"),
    (dict(secondary_schedules=[dict(schedule="daily", retention=1, schedule_cron="0 1 * * *")]),
     "secondary_schedules[0].schedule_cron is only used with secondary_schedules[0].schedule=custom"),
    (dict(db_port=70000), "db_port must be a TCP port (1-65535), got 70000"),
    (dict(schedule="yearly"), "schedule"),
], ids=["custom-without-cron", "cron-without-custom", "cron-four-fields", "retention-zero", "db-option-on-file",
        "db-options-on-file", "file-option-on-db", "excluded-on-db", "connection-string-and-host",
        "server-and-server-id", "secondary-custom-without-cron", "secondary-retention-zero",
        "secondary-cron-without-custom", "db-port-range", "unknown-schedule"])
def test_invalid_options_fail_before_any_request(api, run_module, params, expected):
    result = run(run_module, args(**params))
    assert result.failed
    assert expected in result["msg"]
    assert len(api.calls) == 0


@pytest.mark.parametrize("params, missing", [
    (dict(), ["type", "server or server_id", "storage or storage_id", "schedule", "retention"]),
    (dict(type="db", server_id=108, storage_id=96, schedule="daily", retention=7),
     ["db_type (or db_connection_string) for type=db", "db_host (or db_connection_string) for type=db",
      "db_port (or db_connection_string) for type=db", "db_name (or db_connection_string) for type=db"]),
    (dict(type="file", server="web-01", storage="AWS S3", schedule="daily", retention=7),
     ["file_path for type=file"]),
    (dict(type="full", server_id=108, storage_id=96, schedule="daily", retention=7,
          db_connection_string=CONNECTION_STRING),
     ["file_path for type=full"]),
], ids=["nothing", "db-fields", "file-path", "full-file-path"])
def test_create_requirements_fail_before_any_write_naming_what_is_missing(api, run_module, params, missing):
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": []})
    result = run(run_module, args(**params))
    assert result.failed
    assert result["msg"] == "backup 'nightly-files' does not exist yet; creating it needs %s" % ", ".join(missing)


# -- update ---------------------------------------------------------------------------------------

def custom_backup(**overrides):
    obj = backup_object(schedule="custom", schedule_cron="0 23 * * 1-5", storage_path="daily/files",
                        flags={"backup_is_incremental": True})
    obj.update(overrides)
    return obj


# What the job has, as an update body (no type, server_id, storage_id: the API can't change them).
CUSTOM_BACKUP_DEFINITION = {
    "name": "nightly-files", "storage_path": "daily/files", "project_id": 5, "file_path": "/home/sbio",
    "schedule": "custom", "schedule_cron": "0 23 * * 1-5", "retention": 7,
    "secondary_schedules": [], "secondary_storages": [], "meta": {"backup_is_incremental": True},
}


def test_update_sends_the_whole_merged_definition(api, run_module):
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [custom_backup()]})
    api.expect("PATCH", "/backup/189/update", sends=dict(CUSTOM_BACKUP_DEFINITION, retention=14),
               answer=written(custom_backup(retention=14), "Backup was updated successfully!"))
    result = run(run_module, args(retention=14, server="Mongo-Test-04"))
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"] == dict(custom_backup(retention=14), trigger_url=MASKED_TRIGGER)
    assert (result["diff"]["before"]["retention"], result["diff"]["after"]["retention"]) == (7, 14)


def test_update_to_a_fixed_schedule_drops_the_cron(api, run_module):
    body = dict(CUSTOM_BACKUP_DEFINITION, schedule="weekly")
    del body["schedule_cron"]
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [custom_backup()]})
    api.expect("PATCH", "/backup/189/update", sends=body,
               answer=written(custom_backup(schedule="weekly", schedule_cron=None)))
    result = run(run_module, args(schedule="weekly"))
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"]["schedule"] == "weekly"


def test_update_of_meta_and_secondary_lists(api, run_module):
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [custom_backup()]})
    body = dict(CUSTOM_BACKUP_DEFINITION,
                meta={"backup_is_incremental": False, "backup_file_using_sudo": True},
                secondary_storages=[{"storage_id": 2, "storage_path": None}])
    api.expect("PATCH", "/backup/189/update", sends=body, answer=written(custom_backup(
        flags={"backup_is_incremental": False, "backup_file_using_sudo": True},
        secondary_storages=[{"storage_id": 2, "storage_path": None}])))
    result = run(run_module, args(meta=dict(backup_is_incremental=False, backup_file_using_sudo=True),
                                  secondary_storages=[dict(storage_id=2)]))
    assert not result.failed, result
    assert result["changed"] is True


def test_update_resends_kept_secondary_lists_in_the_request_shape(api, run_module):
    """Read back with their storage object; sent back as storage_id and storage_path only."""
    existing = created_file_backup()
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [existing]})
    api.expect("PATCH", "/backup/189/update", sends={
        "name": "nightly-files", "storage_path": "daily/files", "project_id": 5,
        "file_path": "/home/sbio", "excluded_file_path": "/home/*/vendor",
        "schedule": "daily", "retention": 14,
        "secondary_schedules": [{"schedule": "weekly", "retention": 4}],
        "secondary_storages": [{"storage_id": 2, "storage_path": "copies"}],
        "meta": {"backup_is_incremental": True, "backup_file_streaming": False},
    }, answer=written(created_file_backup(retention=14)))
    result = run(run_module, args(retention=14))
    assert not result.failed, result
    assert result["changed"] is True


def test_a_flag_on_a_backup_without_flags_is_an_update(api, run_module):
    """The API answers "flags": [] (PHP's empty array) when no flag is set: a flag asked is a change."""
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [custom_backup(flags=[])]})
    body = dict(CUSTOM_BACKUP_DEFINITION, meta={"backup_file_streaming": True})
    api.expect("PATCH", "/backup/189/update", sends=body,
               answer=written(custom_backup(flags={"backup_file_streaming": True})))
    result = run(run_module, args(meta=dict(backup_file_streaming=True)))
    assert not result.failed, result
    assert result["changed"] is True
    assert result["diff"]["before"]["meta"]["backup_file_streaming"] is None
    assert result["diff"]["after"]["meta"]["backup_file_streaming"] is True


def test_check_mode_update_sends_no_patch_and_shows_the_diff(api, run_module):
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [custom_backup()]})
    result = run(run_module, args(retention=14), check_mode=True)
    assert not result.failed, result
    assert result["changed"] is True
    before, after = result["diff"]["before"], result["diff"]["after"]
    assert set(key for key in after if after[key] != before.get(key)) == {"retention"}
    assert after["retention"] == 14
    assert result["backup"]["retention"] == 14
    assert result["backup"]["trigger_url"] == MASKED_TRIGGER


def test_rename_by_id(api, run_module):
    api.expect("GET", "/backup/list", params={"filters[id]": "189"}, answer={"data": [custom_backup()]})
    api.expect("PATCH", "/backup/189/update", sends=dict(CUSTOM_BACKUP_DEFINITION, name="nightly-www"),
               answer=written(custom_backup(name="nightly-www")))
    result = run(run_module, args(id=189, name="nightly-www"))
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"]["name"] == "nightly-www"
    assert (result["diff"]["before"]["name"], result["diff"]["after"]["name"]) == ("nightly-files", "nightly-www")


def test_unknown_id_fails_without_writing(api, run_module):
    api.expect("GET", "/backup/list", params={"filters[id]": "999"}, answer={"data": []})
    result = run(run_module, args(id=999, retention=3))
    assert result.failed
    assert "no backup with id 999 exists" in result["msg"]


@pytest.mark.parametrize("params, lookups, named", [
    (dict(type="db"), [], ["type"]),
    (dict(server="web-01"), ["server"], ["server_id"]),
    (dict(storage_id=2), [], ["storage_id"]),
    (dict(type="full", server_id=7, storage="SimpleStorage"), ["storage"], ["server_id", "storage_id", "type"]),
], ids=["type", "server", "storage", "all-three"])
def test_immutable_changes_fail_naming_them_without_writing(api, run_module, params, lookups, named):
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [backup_object()]})
    if "server" in lookups:
        api.expect("GET", "/server/list", answer={"data": SERVERS})
    if "storage" in lookups:
        api.expect("GET", "/storage/list", params={"filters[name]": "SimpleStorage"},
                   answer={"data": [s for s in storages() if s["name"] == "SimpleStorage"]})
    result = run(run_module, args(**params))
    assert result.failed
    assert "backup 'nightly-files': %s cannot be changed" % ", ".join(named) in result["msg"]


def test_cron_without_schedule_on_a_fixed_schedule_job_fails_without_writing(api, run_module):
    """The job runs daily: a cron alone can't apply, and an update would drop it again every run."""
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [backup_object(schedule="daily")]})
    result = run(run_module, args(schedule_cron="0 1 * * *"))
    assert result.failed
    assert "schedule_cron is only used with schedule=custom, not daily" in result["msg"]


def test_db_options_on_an_existing_file_backup_fail_without_writing(api, run_module):
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [backup_object()]})
    result = run(run_module, args(db_host="127.0.0.1"))
    assert result.failed
    assert "db_host only apply to type db or full, not type=file" in result["msg"]


# -- write-only secrets on update ---------------------------------------------------------------------

DB_DEFINITION = {
    "name": "nightly-mysql", "project_id": 5, "db_type": "MySQL", "db_host": "127.0.0.1", "db_port": 3306,
    "db_user": "backup", "db_name": "*", "schedule": "daily", "retention": 7,
    "secondary_schedules": [], "secondary_storages": [], "meta": {"backup_db_streaming": True},
}


def test_password_is_not_sent_on_update_with_update_password_on_create(api, run_module):
    api.expect("GET", "/backup/list", params=by_name("nightly-mysql"), answer={"data": [db_backup_object()]})
    api.expect("PATCH", "/backup/190/update", sends=dict(DB_DEFINITION, retention=30),
               answer=written(db_backup_object(retention=30)))
    result = run(run_module, args(name="nightly-mysql", db_password=DB_PASSWORD, retention=30))
    assert not result.failed, result
    assert result["changed"] is True
    assert DB_PASSWORD not in json.dumps(result)


def test_password_alone_changes_nothing_with_update_password_on_create(api, run_module):
    api.expect("GET", "/backup/list", params=by_name("nightly-mysql"), answer={"data": [db_backup_object()]})
    result = run(run_module, args(name="nightly-mysql", db_password=DB_PASSWORD))
    assert not result.failed, result
    assert result["changed"] is False


def test_password_is_sent_and_changed_with_update_password_always(api, run_module):
    api.expect("GET", "/backup/list", params=by_name("nightly-mysql"), answer={"data": [db_backup_object()]})
    api.expect("PATCH", "/backup/190/update", sends=dict(DB_DEFINITION, db_psw=DB_PASSWORD),
               answer=written(db_backup_object()))
    result = run(run_module, args(name="nightly-mysql", db_password=DB_PASSWORD, update_password="always"))
    assert not result.failed, result
    assert result["changed"] is True
    for side in ("before", "after"):
        assert "db_password" not in result["diff"][side]
    assert DB_PASSWORD not in json.dumps(result)


def connection_string_backup(**overrides):
    return db_backup_object(db_host=None, db_port=None, db_user=None, db_name=None, **overrides)


def test_connection_string_is_sent_again_with_every_update(api, run_module):
    api.expect("GET", "/backup/list", params=by_name("nightly-mysql"),
               answer={"data": [connection_string_backup()]})
    api.expect("PATCH", "/backup/190/update", sends={
        "name": "nightly-mysql", "project_id": 5, "db_type": "MySQL", "db_connection_string": CONNECTION_STRING,
        "schedule": "daily", "retention": 30, "secondary_schedules": [], "secondary_storages": [],
        "meta": {"backup_db_streaming": True}}, answer=written(connection_string_backup(retention=30)))
    result = run(run_module, args(name="nightly-mysql", db_connection_string=CONNECTION_STRING, retention=30))
    assert not result.failed, result
    assert result["changed"] is True
    assert CONNECTION_STRING not in json.dumps(result)


def test_update_of_a_connection_string_backup_without_the_string_keeps_the_stored_one(api, run_module):
    """The service keeps a write-only secret that an update does not send; a refusal would be its 422."""
    api.expect("GET", "/backup/list", params=by_name("nightly-mysql"),
               answer={"data": [connection_string_backup()]})
    api.expect("PATCH", "/backup/190/update", sends={
        "name": "nightly-mysql", "project_id": 5, "db_type": "MySQL",
        "schedule": "daily", "retention": 30, "secondary_schedules": [], "secondary_storages": [],
        "meta": {"backup_db_streaming": True}}, answer=written(connection_string_backup(retention=30)))
    result = run(run_module, args(name="nightly-mysql", retention=30))
    assert not result.failed, result
    assert result["changed"] is True


# -- pause / resume -------------------------------------------------------------------------------

def test_pause_an_active_backup_then_read_it_back(api, run_module):
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [backup_object(status=1)]})
    api.expect("PATCH", "/backup/189/pause", sends={}, answer=OK_EMPTY)
    api.expect("GET", "/backup/list", params={"filters[id]": "189"}, answer={"data": [backup_object(status=0)]})
    result = run(run_module, args(paused=True))
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"] == dict(backup_object(status=0), trigger_url=MASKED_TRIGGER)
    assert (result["diff"]["before"]["paused"], result["diff"]["after"]["paused"]) == (False, True)


def test_pause_an_already_paused_backup_is_one_read(api, run_module):
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [backup_object(status=0)]})
    result = run(run_module, args(paused=True))
    assert not result.failed, result
    assert result["changed"] is False


def test_resume_a_paused_backup(api, run_module):
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [backup_object(status=0)]})
    api.expect("PATCH", "/backup/189/resume", sends={}, answer=OK_EMPTY)
    api.expect("GET", "/backup/list", params={"filters[id]": "189"}, answer={"data": [backup_object(status=1)]})
    result = run(run_module, args(paused=False))
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"]["status"] == 1


def test_check_mode_pause_sends_no_patch(api, run_module):
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [backup_object(status=1)]})
    result = run(run_module, args(paused=True), check_mode=True)
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"]["status"] == 0
    assert result["diff"]["after"]["paused"] is True


# -- absent ---------------------------------------------------------------------------------------

def test_absent_deletes(api, run_module):
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [backup_object()]})
    api.expect("POST", "/backup/189/delete", sends={}, answer=OK_EMPTY)
    result = run(run_module, args(state="absent"))
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"]["trigger_url"] == MASKED_TRIGGER
    assert result["diff"]["after"] == {}


def test_absent_again_is_one_read(api, run_module):
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [backup_object(name="nightly-files-2")]})
    result = run(run_module, args(state="absent"))
    assert not result.failed, result
    assert result["changed"] is False
    assert result["backup"] == {}


def test_absent_in_check_mode_sends_no_delete(api, run_module):
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [backup_object()]})
    result = run(run_module, args(state="absent"), check_mode=True)
    assert not result.failed, result
    assert result["changed"] is True


def test_absent_when_the_delete_answers_404_is_reached(api, run_module):
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [backup_object()]})
    api.expect("POST", "/backup/189/delete", sends={}, status=404,
               answer={"success": False, "message": "Backup not found.", "errors": [], "data": []})
    result = run(run_module, args(state="absent"))
    assert not result.failed, result
    # Somebody else deleted it first: this run changed nothing.
    assert result["changed"] is False
    assert "diff" not in result


def test_absent_delete_failing_with_500_is_reported(api, run_module):
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": [backup_object()]})
    api.expect("POST", "/backup/189/delete", sends={}, status=500,
               text="<html><body><h1>Server Error</h1></body></html>")
    result = run(run_module, args(state="absent"))
    assert result.failed
    assert result["msg"] == "POST /backup/189/delete failed with HTTP 500: Server Error"


def test_absent_read_rate_limited_then_answered(api, run_module, fake_time):
    api.expect("GET", "/backup/list", params=by_name(), status=429, answer={"message": "Too Many Attempts."},
               headers={"Retry-After": "3"})
    api.expect("GET", "/backup/list", params=by_name(), answer={"data": []})
    result = run(run_module, args(state="absent"))
    assert not result.failed, result
    assert result["changed"] is False
    assert fake_time.sleeps == [3.0]
