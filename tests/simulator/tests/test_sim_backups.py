"""Backups: create, update, list (filters), pause, resume, delete."""

from __future__ import annotations

import re

import pytest

from sim_helpers import add_backup, add_server, backup_body

REFERENCE_META = {
    "backup_store_uncompressed_db": False,
    "backup_tar_no_compression": False,
    "backup_file_flatten_archive_contents": False,
    "backup_is_incremental": True,
    "backup_tar_donot_expand_symlinks": True,
    "backup_file_streaming": True,
    "backup_tar_donot_ignore_failed_read": False,
    "backup_postgres_quick": False,
}


@pytest.fixture
def server(api):
    return add_server(api, name="Mongo-Test-04")


def reference_body(server_id):
    """The reference's create example, pointed at objects of the seed."""
    return {
        "name": "VPS-Server-Backup", "type": "full", "db_type": "mongoDB", "db_host": "127.0.0.1",
        "db_port": "3306", "db_user": "dbuser", "db_psw": "dbpass123", "db_name": "mydb", "project_id": "5",
        "file_path": "/home/sbio", "server_id": str(server_id), "storage_id": "3", "schedule": "on-demand",
        "retention": "7", "meta": dict(REFERENCE_META),
        "secondary_schedules": [{"schedule": "daily", "retention": "1"}],
        "secondary_storages": [{"storage_id": "1", "storage_path": "test1"}],
    }


def test_create_reference_example(api, server):
    response = api.post("/backup/create", reference_body(server["id"]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "Backup was created successfully!"
    assert body["errors"] == []
    data = body["data"]
    assert list(data)[:22] == [
        "id", "server_id", "storage_id", "type", "name", "schedule", "schedule_cron", "status", "retention",
        "created_at", "file_path", "excluded_file_path", "storage", "server", "project", "flags",
        "last_file_backup", "last_db_backup", "trigger_url", "restore_command", "secondary_schedules",
        "secondary_storages",
    ]
    assert data["server_id"] == server["id"] and data["storage_id"] == 3
    assert data["type"] == "full" and data["name"] == "VPS-Server-Backup"
    assert data["schedule"] == "on-demand" and data["schedule_cron"] is None
    assert data["status"] == 1 and data["retention"] == 7
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", data["created_at"])
    assert data["file_path"] == "/home/sbio" and data["excluded_file_path"] is None
    assert data["storage"] == {"id": 3, "name": "AWS S3", "type": "s3"}
    assert data["server"] == {"id": server["id"], "name": "Mongo-Test-04", "connection_type": "password"}
    assert data["project"] == {"id": 5, "name": "project 03"}
    assert data["flags"] == REFERENCE_META
    assert data["last_file_backup"] is None and data["last_db_backup"] is None
    assert re.fullmatch(rf"{re.escape(api.base_url)}/backup/[0-9a-f-]{{36}}/run\?api_token=[A-Za-z0-9]{{20}}",
                        data["trigger_url"])
    assert data["restore_command"] is None
    assert data["secondary_schedules"] == [{"schedule": "daily", "schedule_cron": None, "retention": 1}]
    assert data["secondary_storages"] == [
        {"storage_id": 1, "storage_path": "test1",
         "storage": {"id": 1, "name": "Backblaze Limited Scope", "type": "backblaze"}}]
    assert (data["db_type"], data["db_host"], data["db_port"], data["db_user"], data["db_name"]) == (
        "mongoDB", "127.0.0.1", 3306, "dbuser", "mydb")
    assert data["project_id"] == 5 and data["tunnel_server_id"] is None and data["storage_path"] is None


def test_secrets_are_never_returned(api, server, control):
    body = reference_body(server["id"])
    body["db_connection_string"] = "mongodb://u:pw@h/db"
    body["meta"]["backup_encryption_key"] = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"
    created = api.post("/backup/create", body).json()["data"]
    listed = api.get("/backup/list").json()["data"][0]
    for data in (created, listed):
        text = str(data)
        assert "dbpass123" not in text and "mongodb://" not in text and "BEGIN PUBLIC KEY" not in text
        assert "db_psw" not in data and "db_connection_string" not in data
        assert "backup_encryption_key" not in data["flags"]
    state = str(control.state())
    assert "dbpass123" not in state and "mongodb://" not in state and "BEGIN PUBLIC KEY" not in state


def test_list_item_has_the_create_shape(api, server):
    created = add_backup(api, server["id"])
    assert api.get("/backup/list").json() == {"data": [created]}


def test_flags_empty_is_php_empty_array(api, server):
    assert add_backup(api, server["id"])["flags"] == []


def test_numbers_and_booleans_in_any_accepted_form(api, server):
    data = add_backup(api, server["id"], retention=4, server_id=server["id"], storage_id=3,
                      meta={"backup_is_incremental": "1", "backup_file_streaming": 0,
                            "backup_db_streaming": "false", "backup_postgres_quick": "true"})
    assert data["retention"] == 4
    assert data["flags"] == {"backup_is_incremental": True, "backup_file_streaming": False,
                             "backup_db_streaming": False, "backup_postgres_quick": True}


def test_create_requires_the_reference_fields(api):
    response = api.post("/backup/create", {})
    assert response.status_code == 422
    body = response.json()
    assert body["success"] is False
    assert body["message"] == "The name field is required."
    assert body["errors"] == {
        "name": ["The name field is required."],
        "type": ["The type field is required."],
        "db_type": ["The db type field is required unless type is in file."],
        "db_host": ["The db host field is required unless type is in file."],
        "db_port": ["The db port field is required unless type is in file."],
        "db_name": ["The db name field is required unless type is in file."],
        "file_path": ["The file path field is required unless type is in db."],
        "server_id": ["The server id field is required."],
        "storage_id": ["The storage id field is required."],
        "schedule": ["The schedule field is required."],
        "retention": ["The retention field is required."],
    }


@pytest.mark.parametrize("changes,field,message", [
    ({"type": "snapshot"}, "type", "The selected type is invalid."),
    ({"schedule": "monthly"}, "schedule", "The selected schedule is invalid."),
    ({"schedule": "custom"}, "schedule_cron", "The schedule cron field is required when schedule is custom."),
    ({"schedule": "custom", "schedule_cron": "0 23 * *"}, "schedule_cron",
     "The schedule cron field must be a valid cron expression."),
    ({"schedule": "custom", "schedule_cron": "0 0 30 2 *"}, "schedule_cron",
     "The schedule cron field must be a valid cron expression."),
    ({"schedule": "custom", "schedule_cron": "@daily"}, "schedule_cron",
     "The schedule cron field must be a valid cron expression."),
    ({"retention": "seven"}, "retention", "The retention field must be an integer."),
    ({"retention": 2.5}, "retention", "The retention field must be an integer."),
    ({"retention": True}, "retention", "The retention field must be an integer."),
    ({"retention": 0}, "retention", "The retention field must be at least 1."),
    ({"server_id": "9999"}, "server_id", "The selected server id is invalid."),
    ({"storage_id": "9999"}, "storage_id", "The selected storage id is invalid."),
    ({"storage_id": "11"}, "storage_id", "The selected storage id is invalid."),  # account 2's storage
    ({"tunnel_server_id": 9999}, "tunnel_server_id", "The selected tunnel server id is invalid."),
    ({"project_id": "77"}, "project_id", "The selected project id is invalid."),
    ({"project_id": "9"}, "project_id", "The selected project id is invalid."),
    ({"name": ""}, "name", "The name field is required."),
    ({"name": "   "}, "name", "The name field is required."),
    ({"name": 5}, "name", "The name field must be a string."),
    ({"meta": "yes"}, "meta", "The meta field must be an array."),
    ({"meta": {"backup_is_incremental": "yes"}}, "meta.backup_is_incremental",
     "The meta.backup is incremental field must be true or false."),
    ({"meta": {"backup_is_incremental": 2}}, "meta.backup_is_incremental",
     "The meta.backup is incremental field must be true or false."),
    ({"meta": {"backup_incremental": True}}, "meta.backup_incremental",
     "The meta.backup incremental field is prohibited."),
    ({"secondary_schedules": {"schedule": "daily"}}, "secondary_schedules",
     "The secondary schedules field must be an array."),
    ({"secondary_schedules": [{"retention": 1}]}, "secondary_schedules.0.schedule",
     "The secondary schedules.0.schedule field is required."),
    ({"secondary_schedules": [{"schedule": "daily", "retention": 1}, {"schedule": "custom", "retention": 1}]},
     "secondary_schedules.1.schedule_cron",
     "The secondary schedules.1.schedule cron field is required when secondary schedules.1.schedule is custom."),
    ({"secondary_schedules": [{"schedule": "weekly", "retention": 0}]}, "secondary_schedules.0.retention",
     "The secondary schedules.0.retention field must be at least 1."),
    ({"secondary_storages": [{"storage_id": 999, "storage_path": "x"}]}, "secondary_storages.0.storage_id",
     "The selected secondary storages.0.storage id is invalid."),
    ({"secondary_storages": [{"storage_path": "x"}]}, "secondary_storages.0.storage_id",
     "The secondary storages.0.storage id field is required."),
])
def test_create_field_errors(api, server, changes, field, message):
    response = api.post("/backup/create", backup_body(server["id"], **changes))
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["errors"][field] == [message]
    assert body["message"] == next(iter(body["errors"].values()))[0]


def test_db_fields_by_type(api, server):
    db = backup_body(server["id"], type="db", file_path=...)
    errors = api.post("/backup/create", db).json()["errors"]
    assert set(errors) == {"db_type", "db_host", "db_port", "db_name"}
    db.update(db_type="mysql", db_host="h", db_port="3306", db_name="*")
    assert api.post("/backup/create", db).json()["errors"] == {"db_type": ["The selected db type is invalid."]}
    db["db_type"] = "MySQL"
    data = api.post("/backup/create", db).json()["data"]
    assert data["type"] == "db" and data["db_name"] == "*" and data["file_path"] is None


def test_connection_string_replaces_db_fields(api, server):
    body = backup_body(server["id"], type="db", file_path=..., db_connection_string="mysql://u:p@h:3306/db")
    response = api.post("/backup/create", body)
    assert response.status_code == 200, response.text


def test_full_backup_needs_both_groups(api, server):
    body = backup_body(server["id"], type="full", file_path=...)
    errors = api.post("/backup/create", body).json()["errors"]
    assert set(errors) == {"db_type", "db_host", "db_port", "db_name", "file_path"}


def test_custom_schedule_keeps_its_cron(api, server):
    data = add_backup(api, server["id"], schedule="custom", schedule_cron="0 23 * * 1-5")
    assert (data["schedule"], data["schedule_cron"]) == ("custom", "0 23 * * 1-5")


def test_update_reference_example(api, server):
    backup = add_backup(api, server["id"], type="full", db_type="MySQL", db_host="h", db_port=3306, db_name="d",
                        db_psw="old")
    body = reference_body(server["id"])
    del body["type"], body["server_id"], body["storage_id"]
    response = api.patch(f"/backup/{backup['id']}/update", body)
    assert response.status_code == 200, response.text
    payload = response.json()
    assert payload["message"] == "Backup was updated successfully!"
    data = payload["data"]
    assert data["id"] == backup["id"] and data["name"] == "VPS-Server-Backup"
    assert data["schedule"] == "on-demand" and data["retention"] == 7 and data["db_type"] == "mongoDB"
    assert data["created_at"] == backup["created_at"] and data["trigger_url"] == backup["trigger_url"]
    assert api.get("/backup/list").json()["data"] == [data]


def test_update_ignores_type_server_and_storage(api, server):
    other = add_server(api, name="other")
    backup = add_backup(api, server["id"])
    body = backup_body(server["id"], type="db", server_id=other["id"], storage_id="1", name="renamed")
    data = api.patch(f"/backup/{backup['id']}/update", body).json()["data"]
    assert (data["type"], data["server_id"], data["storage_id"], data["name"]) == (
        "file", server["id"], 3, "renamed")


def test_update_uses_the_stored_type_for_rules(api, server):
    backup = add_backup(api, server["id"])  # a file backup
    body = {"name": "n", "schedule": "daily", "retention": 2, "type": "file"}
    response = api.patch(f"/backup/{backup['id']}/update", body)
    assert response.json()["errors"] == {"file_path": ["The file path field is required unless type is in db."]}
    body["file_path"] = "/srv"
    assert api.patch(f"/backup/{backup['id']}/update", body).status_code == 200


def test_update_requires_the_whole_definition(api, server):
    backup = add_backup(api, server["id"])
    response = api.patch(f"/backup/{backup['id']}/update", {"retention": 5})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"name", "file_path", "schedule"}


@pytest.mark.parametrize("schedule", ["on-demand", "twice-daily", "hourly", "daily", "weekly"])
def test_update_accepts_all_six_schedules(api, server, schedule):
    backup = add_backup(api, server["id"])
    body = backup_body(server["id"], schedule=schedule)
    assert api.patch(f"/backup/{backup['id']}/update", body).json()["data"]["schedule"] == schedule


def test_update_merges_meta_and_keeps_unsent_secrets(api, server, sim):
    backup = add_backup(api, server["id"], meta={"backup_is_incremental": True}, type="full", db_type="MySQL",
                        db_host="h", db_port=3306, db_name="d", db_psw="pw1")
    body = backup_body(server["id"], type="full", db_type="MySQL", db_host="h2", db_port=3307, db_name="d",
                       meta={"backup_file_streaming": False})
    data = api.patch(f"/backup/{backup['id']}/update", body).json()["data"]
    assert data["flags"] == {"backup_is_incremental": True, "backup_file_streaming": False}
    assert data["db_host"] == "h2" and data["db_port"] == 3307
    stored = sim.simulator.store["backups"][backup["id"]]
    assert stored["db_psw"] == "pw1"


def test_update_unknown_backup_is_404(api):
    response = api.patch("/backup/4242/update", {"name": "x"})
    assert response.status_code == 404
    assert response.json() == {"success": False, "message": "Backup not found.", "errors": [], "data": []}


def test_list_filters(api, server):
    other = add_server(api, name="other")
    a = add_backup(api, server["id"], name="Nightly site")
    b = add_backup(api, other["id"], name="nightly DB", type="db", file_path=..., db_type="MySQL", db_host="h",
                   db_port=3306, db_name="x", storage_id="2")
    c = add_backup(api, server["id"], name="weekly")
    api.patch(f"/backup/{c['id']}/pause")

    def ids(**filters):
        params = {f"filters[{k}]": v for k, v in filters.items()}
        return [x["id"] for x in api.get("/backup/list", params=params).json()["data"]]

    assert ids() == [a["id"], b["id"], c["id"]]
    assert ids(name="NIGHTLY") == [a["id"], b["id"]]
    assert ids(name="nightly site") == [a["id"]]
    assert ids(id=str(b["id"])) == [b["id"]]
    assert ids(id="abc") == []
    assert ids(status="0") == [c["id"]]
    assert ids(status="1") == [a["id"], b["id"]]
    assert ids(type="db") == [b["id"]]
    assert ids(type="sync") == []
    assert ids(server=str(server["id"])) == [a["id"], c["id"]]
    assert ids(storage="2") == [b["id"]]
    assert ids(name="nightly", server=str(other["id"])) == [b["id"]]


def test_duplicate_names_are_allowed(api, server):
    add_backup(api, server["id"], name="same")
    add_backup(api, server["id"], name="same")
    assert len(api.get("/backup/list", params={"filters[name]": "same"}).json()["data"]) == 2


def test_pause_and_resume_are_idempotent_with_reference_messages(api, server):
    backup = add_backup(api, server["id"], schedule="daily")
    paused = ("Backup has been paused! We will no longer run this backup automatically with respect to the "
              "selected schedule (daily). However, you can still run this backup on demand.")
    resumed = "Backup has been resumed! We will run this backup with respect to the selected schedule (daily)."
    for dummy in range(2):
        response = api.patch(f"/backup/{backup['id']}/pause")
        assert response.json() == {"success": True, "message": paused, "errors": [], "data": []}
        assert api.get("/backup/list").json()["data"][0]["status"] == 0
    for dummy in range(2):
        response = api.patch(f"/backup/{backup['id']}/resume")
        assert response.json() == {"success": True, "message": resumed, "errors": [], "data": []}
        assert api.get("/backup/list").json()["data"][0]["status"] == 1


def test_pause_resume_unknown_is_404(api):
    assert api.patch("/backup/77/pause").status_code == 404
    assert api.patch("/backup/77/resume").json()["message"] == "Backup not found."


def test_delete(api, server):
    backup = add_backup(api, server["id"])
    response = api.post(f"/backup/{backup['id']}/delete")
    assert response.json() == {"success": True, "message": "Backup was successfully deleted!", "errors": [],
                               "data": []}
    assert api.get("/backup/list").json() == {"data": []}
    assert api.post(f"/backup/{backup['id']}/delete").status_code == 404


def test_every_failing_rule_reports_like_laravel(api, server):
    response = api.post("/backup/create", backup_body(server["id"], server_id="abc", retention="x"))
    errors = response.json()["errors"]
    assert errors["server_id"] == ["The server id field must be an integer.", "The selected server id is invalid."]
    assert errors["retention"] == ["The retention field must be an integer."]


def test_strings_are_trimmed(api, server):
    assert add_backup(api, server["id"], name="  padded  ")["name"] == "padded"
