# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""simplebackups_backup_run: start a backup job and wait for it in the job activity."""

from __future__ import annotations

import pytest

from ansible_collections.simplebackups.simplebackups.plugins.modules import simplebackups_backup_run
from ansible_collections.simplebackups.simplebackups.tests.unit.helpers import TOKEN, backup_object

FILENAME = "simplebackups.io.file.b189_26-01-01_000000.tar.gz"
ACTIVITY_QUERY = {"type": "backup", "resource_ids": "189"}


# -- builders, shaped like the reference ------------------------------------------------------------

def dispatched(job_id=9090909):
    """The answer of backup/{id}/run."""
    return {"success": True,
            "message": "Backup dispatched! You'll be notified when your backup is available.",
            "errors": [], "data": {"created_at": "2026-01-01 00:00:00", "filename": FILENAME, "filesize": None,
                                   "id": job_id, "status": "initiated", "type": "file"}}


def activity_job(status, job_id=9090909, backup_id=189):
    """A job as stats/activity lists it (the shape of the logs of stats/resource)."""
    finished = status in ("success", "error")
    return {"id": job_id, "status": status, "filesize": "12.43" if status == "success" else None,
            "created_at": "2026-01-01 00:00:00", "finished_at": "2026-01-01 00:00:12" if finished else None,
            "backup": {"id": backup_id, "name": "nightly-files", "type": "file"}}


def activity(*jobs):
    return {"data": list(jobs)}


def args(**params):
    values = dict(api_token=TOKEN)
    values.update(params)
    return values


def run(run_module, params, check_mode=False):
    return run_module(simplebackups_backup_run.main, params, check_mode=check_mode)


def expect_lookup_and_run(api):
    api.expect("GET", "/backup/list", params={"filters[name]": "nightly-files"},
               answer={"data": [backup_object(id=1890, name="nightly-files-old"), backup_object()]})
    api.expect("GET", "/backup/189/run", answer=dispatched())


# -- tests ----------------------------------------------------------------------------------------

def test_run_by_name_polls_the_activity_until_success(api, run_module, fake_time):
    expect_lookup_and_run(api)
    api.expect("GET", "/stats/activity", params=ACTIVITY_QUERY, answer=activity(activity_job("running")))
    api.expect("GET", "/stats/activity", params=ACTIVITY_QUERY,
               answer=activity(activity_job("running", job_id=9090999), activity_job("success")))
    result = run(run_module, args(name="nightly-files"))
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"] == {"id": 189, "name": "nightly-files"}
    job = result["job"]
    assert (job["id"], job["status"], job["filesize"], job["finished_at"]) == (
        9090909, "success", "12.43", "2026-01-01 00:00:12")
    assert fake_time.sleeps == [10, 10]


def test_waited_job_keeps_its_filename(api, run_module):
    """RETURN documents job.filename and the EXAMPLES read it after a waited run."""
    expect_lookup_and_run(api)
    api.expect("GET", "/stats/activity", params=ACTIVITY_QUERY, answer=activity(activity_job("success")))
    result = run(run_module, args(name="nightly-files"))
    assert not result.failed, result
    assert result["job"]["status"] == "success"
    assert result["job"].get("filename") == FILENAME


def test_run_by_id(api, run_module):
    api.expect("GET", "/backup/list", params={"filters[id]": "189"}, answer={"data": [backup_object()]})
    api.expect("GET", "/backup/189/run", answer=dispatched())
    result = run(run_module, args(id=189, wait=False))
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"] == {"id": 189, "name": "nightly-files"}


def test_job_ending_in_error_fails_with_the_job(api, run_module):
    expect_lookup_and_run(api)
    api.expect("GET", "/stats/activity", params=ACTIVITY_QUERY, answer=activity(activity_job("error")))
    result = run(run_module, args(name="nightly-files"))
    assert result.failed
    assert result["msg"] == "backup 'nightly-files': job 9090909 ended in error"
    assert result.get("job", {}).get("status") == "error"


def test_without_wait_there_is_no_polling(api, run_module, fake_time):
    expect_lookup_and_run(api)
    result = run(run_module, args(name="nightly-files", wait=False))
    assert not result.failed, result
    assert result["changed"] is True
    assert result["job"] == {"created_at": "2026-01-01 00:00:00", "filename": FILENAME, "filesize": None,
                             "id": 9090909, "status": "initiated", "type": "file"}
    assert fake_time.sleeps == []


def test_check_mode_looks_up_and_runs_nothing(api, run_module):
    api.expect("GET", "/backup/list", params={"filters[name]": "nightly-files"}, answer={"data": [backup_object()]})
    result = run(run_module, args(name="nightly-files"), check_mode=True)
    assert not result.failed, result
    assert result["changed"] is True
    assert "job" not in result
    assert result["backup"] == {"id": 189, "name": "nightly-files"}


@pytest.mark.parametrize("params, query, msg", [
    (dict(name="nightly"), {"filters[name]": "nightly"}, "no backup job named 'nightly' in the current team"),
    (dict(id=404), {"filters[id]": "404"}, "no backup job with id 404 in the current team"),
], ids=["name", "id"])
def test_unknown_backup_fails_without_running(api, run_module, params, query, msg):
    # The API's name filter matches partially: a LIKE match is not the job asked for.
    api.expect("GET", "/backup/list", params=query,
               answer={"data": [backup_object()] if "name" in params else []})
    result = run(run_module, args(**params))
    assert result.failed
    assert result["msg"] == msg


def test_duplicate_backup_names_fail_without_running(api, run_module):
    api.expect("GET", "/backup/list", params={"filters[name]": "nightly-files"},
               answer={"data": [backup_object(), backup_object(id=204)]})
    result = run(run_module, args(name="nightly-files"))
    assert result.failed
    assert "ids 189, 204" in result["msg"]


def test_wait_timeout_fails_with_the_last_job_seen(api, run_module, fake_time):
    expect_lookup_and_run(api)
    api.expect("GET", "/stats/activity", params=ACTIVITY_QUERY, answer=activity(activity_job("running")))
    api.expect("GET", "/stats/activity", params=ACTIVITY_QUERY, answer=activity(activity_job("running")))
    result = run(run_module, args(name="nightly-files", wait_timeout=20))
    assert result.failed
    assert result["msg"] == ("backup 'nightly-files': job 9090909 is still running after 20 seconds; "
                             "raise wait_timeout or set wait=false")
    assert fake_time.sleeps == [10, 10]
    assert result.get("job", {}).get("status") == "running"


def test_run_answer_without_a_job_fails(api, run_module):
    api.expect("GET", "/backup/list", params={"filters[name]": "nightly-files"}, answer={"data": [backup_object()]})
    api.expect("GET", "/backup/189/run", answer={"success": True, "message": "", "errors": [], "data": []})
    result = run(run_module, args(name="nightly-files"))
    assert result.failed
    assert result["msg"] == "GET /backup/189/run answered without a job"


def test_run_refused_fails_with_the_api_words(api, run_module):
    api.expect("GET", "/backup/list", params={"filters[name]": "nightly-files"}, answer={"data": [backup_object()]})
    api.expect("GET", "/backup/189/run", status=404,
               answer={"success": False, "message": "Backup not found.", "errors": [], "data": []})
    result = run(run_module, args(name="nightly-files"))
    assert result.failed
    assert result["msg"] == "GET /backup/189/run failed with HTTP 404: Backup not found."


def test_run_refused_reports_no_change(api, run_module):
    api.expect("GET", "/backup/list", params={"filters[name]": "nightly-files"}, answer={"data": [backup_object()]})
    api.expect("GET", "/backup/189/run", status=422,
               answer={"success": False, "message": "Backup is already running.", "errors": []})
    result = run(run_module, args(name="nightly-files"))
    assert result.failed
    assert result["changed"] is False


@pytest.mark.parametrize("status", [502, 503, 504])
def test_run_is_never_sent_twice(api, run_module, fake_time, status):
    # GET, but it starts a job: a gateway error may hide a started job, so it is not retried
    # the way reads are (one call too many fails the conversation).
    api.expect("GET", "/backup/list", params={"filters[name]": "nightly-files"}, answer={"data": [backup_object()]})
    api.expect("GET", "/backup/189/run", status=status, text="<html><body>Bad Gateway</body></html>")
    result = run(run_module, args(name="nightly-files"))
    assert result.failed
    assert result["failure"]["maybe_committed"] is True
    # It may have started: the run cannot say it changed nothing.
    assert result["changed"] is True
    assert fake_time.sleeps == []


@pytest.mark.parametrize("params, msg", [
    (dict(), "one of the following is required: name, id"),
    (dict(name="nightly-files", id=189), "parameters are mutually exclusive: name|id"),
])
def test_name_or_id_exactly_one(api, run_module, params, msg):
    result = run(run_module, args(**params))
    assert result.failed
    assert msg in result["msg"]
