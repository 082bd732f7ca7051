"""Jobs: run, progress on the simulator clock, outcomes, rotation."""

from __future__ import annotations

import re

import pytest

from sim_helpers import add_backup, add_server


@pytest.fixture
def backup(api):
    server = add_server(api)
    return add_backup(api, server["id"], retention=2)


def activity(api, **params):
    return api.get("/stats/activity", params={"type": "backup", **params}).json()["data"]


def test_run_reference_answer(api, backup):
    response = api.get(f"/backup/{backup['id']}/run")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["errors"] == []
    assert body["message"] == "Backup dispatched! You'll be notified when your backup is available."
    data = body["data"]
    assert list(data) == ["created_at", "filename", "filesize", "id", "status", "type"]
    assert data["status"] == "initiated" and data["filesize"] is None and data["type"] == "file"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", data["created_at"])
    assert re.fullmatch(rf"simplebackups\.io\.file\.b{backup['id']}_\d\d-\d\d-\d\d_\d{{6}}\.tar\.gz", data["filename"])
    assert isinstance(data["id"], int)


def test_run_unknown_backup_is_404(api):
    response = api.get("/backup/123456/run")
    assert response.status_code == 404
    assert response.json() == {"success": False, "message": "Backup not found.", "errors": [], "data": []}


def test_job_lifecycle_follows_the_clock(api, control, backup):
    control.config(job_seconds=100)
    job_id = api.get(f"/backup/{backup['id']}/run").json()["data"]["id"]

    def job():
        return next(j for j in activity(api) if j["id"] == job_id)

    assert job()["status"] == "initiated"
    control.advance(10)
    assert job()["status"] == "initiated"
    control.advance(20)
    running = job()
    assert running["status"] == "running" and running["finished_at"] is None and running["filesize"] is None
    control.advance(75)
    done = job()
    assert done["status"] == "success"
    assert re.fullmatch(r"\d+\.\d\d", done["filesize"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", done["finished_at"])
    assert done["backup"] == {"id": backup["id"], "name": backup["name"], "type": "file"}
    assert list(done) == ["id", "status", "filesize", "created_at", "finished_at", "backup"]
    listed = api.get("/backup/list").json()["data"][0]
    assert listed["last_file_backup"] == done["finished_at"] and listed["last_db_backup"] is None


@pytest.mark.parametrize("outcome", ["error", "success"])
def test_forced_outcome(api, control, outcome):
    control.config(job_outcome=outcome)
    ssh = api.post("/server/add", {"name": "k", "connection_type": "ssh", "host": "h", "port": 22,
                                   "user": "u"}).json()["data"]
    for server_id in (add_server(api)["id"], ssh["id"]):
        backup = add_backup(api, server_id)
        api.get(f"/backup/{backup['id']}/run")
    control.advance(6)
    statuses = [j["status"] for j in activity(api)]
    assert statuses == [outcome, outcome]
    if outcome == "error":
        assert all(j["filesize"] is None for j in activity(api))


def test_auto_outcome_fails_for_unvalidated_ssh_server(api, control):
    ssh = api.post("/server/add", {"name": "k", "connection_type": "ssh", "host": "h", "port": 22,
                                   "user": "u"}).json()["data"]
    ssh_backup = add_backup(api, ssh["id"], name="on-ssh")
    pw_backup = add_backup(api, add_server(api)["id"], name="on-password")
    api.get(f"/backup/{ssh_backup['id']}/run")
    api.get(f"/backup/{pw_backup['id']}/run")
    control.advance(6)
    assert {j["backup"]["name"]: j["status"] for j in activity(api)} == {"on-ssh": "error", "on-password": "success"}


def test_rotation_keeps_retention_successful_copies(api, control, backup):
    ids = []
    for dummy in range(4):
        ids.append(api.get(f"/backup/{backup['id']}/run").json()["data"]["id"])
        control.advance(10)
    statuses = {j["id"]: j["status"] for j in activity(api)}
    assert [statuses[i] for i in ids] == ["rotated", "rotated", "success", "success"]
    rotated = next(j for j in activity(api) if j["id"] == ids[0])
    assert rotated["filesize"] is not None  # it was a good backup once


def test_errors_are_not_counted_for_rotation(api, control, backup):
    control.config(job_outcome="error")
    api.get(f"/backup/{backup['id']}/run")
    control.config(job_outcome="success")
    api.get(f"/backup/{backup['id']}/run")
    api.get(f"/backup/{backup['id']}/run")
    control.advance(6)
    assert sorted(j["status"] for j in activity(api)) == ["error", "success", "success"]


def test_lower_retention_rotates_at_once(api, control, backup):
    for dummy in range(2):
        api.get(f"/backup/{backup['id']}/run")
        control.advance(10)
    body = {"name": backup["name"], "file_path": "/var/www", "schedule": "daily", "retention": 1}
    assert api.patch(f"/backup/{backup['id']}/update", body).status_code == 200
    assert [j["status"] for j in activity(api)] == ["success", "rotated"]


def test_paused_backup_can_still_run_on_demand(api, control, backup):
    api.patch(f"/backup/{backup['id']}/pause")
    assert api.get(f"/backup/{backup['id']}/run").json()["data"]["status"] == "initiated"


def test_jobs_outlive_their_backup(api, control, backup):
    job_id = api.get(f"/backup/{backup['id']}/run").json()["data"]["id"]
    api.post(f"/backup/{backup['id']}/delete")
    control.advance(6)
    jobs = activity(api)
    assert [(j["id"], j["status"], j["backup"]["name"]) for j in jobs] == [(job_id, "success", backup["name"])]
    state = control.state()
    assert [j["id"] for j in state["jobs"]] == [job_id] and state["backups"] == []


def test_zero_job_seconds_finishes_at_once(api, control, backup):
    control.config(job_seconds=0)
    assert api.get(f"/backup/{backup['id']}/run").json()["data"]["status"] == "initiated"
    assert activity(api)[0]["status"] == "success"
