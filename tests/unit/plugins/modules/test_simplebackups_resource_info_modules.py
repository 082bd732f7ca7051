# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""simplebackups_server_info, simplebackups_backup_info and simplebackups_stats_info."""

from __future__ import annotations

import json

import pytest

from ansible_collections.simplebackups.simplebackups.plugins.modules import (
    simplebackups_backup_info,
    simplebackups_server_info,
    simplebackups_stats_info,
)
from ansible_collections.simplebackups.simplebackups.tests.unit.helpers import (
    API_URL,
    TOKEN,
    TRIGGER_SECRET,
    backup_object,
)

MASKED_TRIGGER = "https://simplebackups/api/backup/a1b02bad/run?api_token=********"


def args(**params):
    values = dict(api_token=TOKEN)
    values.update(params)
    return values


# -- builders, shaped like the reference -----------------------------------------------------------

def server(server_id, name, **overrides):
    obj = {"id": server_id, "name": name, "host": "203.0.113.%d" % server_id, "port": 22, "user": "backup",
           "connection_type": "ssh", "status": 1, "public_key": "ssh-ed25519 AAAAC3Nza SB-WORKER-T007",
           "temp_directory": "/home/backup", "created_at": "2025-01-01T00:06:43.000000Z", "project": None}
    obj.update(overrides)
    return obj


def job_log(job_id, status, backup_id=10016):
    return {"id": job_id, "status": status, "filesize": "12.43", "created_at": "2022-02-25 12:30:04",
            "finished_at": "2022-02-25 12:30:17",
            "backup": {"id": backup_id, "name": "withered-morning-7291", "type": "file"}}


def resource_entry(resource_id, name):
    return {"id": resource_id, "name": name, "created_at": "2022-02-24 14:41:23",
            "storage": {"id": 103, "name": "my-awesome-space3", "type": "digitalocean_spaces"},
            "server": {"id": 118, "name": "silent-butterfly-1303"}, "schedules": ["On demand"], "logs": []}


# -- simplebackups_server_info ---------------------------------------------------------------------

SERVERS = [server(78, "web-01"), server(79, "web-01-old"), server(80, "WEB-01"), server(81, "db-01")]


@pytest.mark.parametrize("check_mode", [False, True], ids=["run", "check"])
def test_server_info_lists_every_server(api, run_module, check_mode):
    api.expect("GET", "/server/list", answer={"data": SERVERS})
    result = run_module(simplebackups_server_info.main, args(), check_mode=check_mode)
    assert not result.failed, result
    assert result["changed"] is False
    assert result["servers"] == SERVERS


def test_server_info_by_name_keeps_the_exact_match_only(api, run_module):
    api.expect("GET", "/server/list", answer={"data": SERVERS})
    result = run_module(simplebackups_server_info.main, args(name="web-01"))
    assert not result.failed, result
    assert result["servers"] == [server(78, "web-01")]


def test_server_info_unknown_name_is_empty(api, run_module):
    api.expect("GET", "/server/list", answer={"data": SERVERS})
    result = run_module(simplebackups_server_info.main, args(name="web"))
    assert not result.failed, result
    assert result["servers"] == []


def test_server_info_follows_pages(api, run_module):
    api.expect("GET", "/server/list", answer={"data": SERVERS[:2], "next_page_url": API_URL + "/server/list?page=2"})
    api.expect("GET", "/server/list", params={"page": "2"}, answer={"data": SERVERS[2:], "next_page_url": None})
    result = run_module(simplebackups_server_info.main, args(name="db-01"))
    assert not result.failed, result
    assert result["servers"] == [server(81, "db-01")]


def test_server_info_api_error_fails(api, run_module):
    api.expect("GET", "/server/list", status=401, answer={"message": "Unauthenticated."})
    result = run_module(simplebackups_server_info.main, args())
    assert result.failed
    assert result["msg"] == "GET /server/list failed with HTTP 401: Unauthenticated."


# -- simplebackups_backup_info ---------------------------------------------------------------------

@pytest.mark.parametrize("option, value, query", [
    ("id", 189, {"filters[id]": "189"}),
    ("name", "nightly-files", {"filters[name]": "nightly-files"}),
    ("status", 0, {"filters[status]": "0"}),
    ("status", 1, {"filters[status]": "1"}),
    ("type", "db", {"filters[type]": "db"}),
    ("server", 108, {"filters[server]": "108"}),
    ("storage", 96, {"filters[storage]": "96"}),
], ids=["id", "name", "status-0", "status-1", "type", "server", "storage"])
def test_backup_info_passes_each_filter_to_the_api(api, run_module, option, value, query):
    api.expect("GET", "/backup/list", params=query, answer={"data": [backup_object()]})
    result = run_module(simplebackups_backup_info.main, args(**{option: value}))
    assert not result.failed, result
    assert result["changed"] is False
    assert result["backups"] == [dict(backup_object(), trigger_url=MASKED_TRIGGER)]


def test_backup_info_combines_filters(api, run_module):
    api.expect("GET", "/backup/list", params={"filters[type]": "file", "filters[status]": "1",
                                              "filters[server]": "108"}, answer={"data": []})
    result = run_module(simplebackups_backup_info.main, args(type="file", status=1, server=108))
    assert not result.failed, result
    assert result["backups"] == []


def test_backup_info_by_name_keeps_exact_matches_only(api, run_module):
    like = [backup_object(), backup_object(id=190, name="nightly-files-old"),
            backup_object(id=191, name="Nightly-Files")]
    api.expect("GET", "/backup/list", params={"filters[name]": "nightly-files"}, answer={"data": like})
    result = run_module(simplebackups_backup_info.main, args(name="nightly-files"))
    assert not result.failed, result
    assert [b["id"] for b in result["backups"]] == [189]


def test_backup_info_masks_every_trigger_url(api, run_module):
    api.expect("GET", "/backup/list", answer={"data": [backup_object(), backup_object(id=190, name="b")]})
    result = run_module(simplebackups_backup_info.main, args())
    assert not result.failed, result
    assert [b["trigger_url"] for b in result["backups"]] == [MASKED_TRIGGER, MASKED_TRIGGER]
    assert TRIGGER_SECRET not in json.dumps(result)


def test_backup_info_reveals_trigger_urls_when_asked(api, run_module):
    api.expect("GET", "/backup/list", answer={"data": [backup_object()]})
    result = run_module(simplebackups_backup_info.main, args(reveal_trigger_url=True))
    assert not result.failed, result
    assert result["backups"] == [backup_object()]


def test_backup_info_invalid_filter_value_fails_before_any_request(api, run_module):
    result = run_module(simplebackups_backup_info.main, args(type="snapshot"))
    assert result.failed
    assert "type" in result["msg"]


# -- simplebackups_stats_info ----------------------------------------------------------------------

@pytest.mark.parametrize("report, params, query", [
    ("activity", dict(), {"type": "backup"}),
    ("activity", dict(type="snapshot", date_from="2022-01-01", date_to="2022-01-31", resource_ids=[10, 214, 477]),
     {"type": "snapshot", "date_from": "2022-01-01", "date_to": "2022-01-31", "resource_ids": "10,214,477"}),
    ("resource", dict(date_from="2022-02-01"), {"type": "backup", "date_from": "2022-02-01"}),
    ("resource", dict(type="cloudsync", resource_ids=[13]), {"type": "cloudsync", "resource_ids": "13"}),
    ("schedule", dict(), {"type": "backup"}),
    ("schedule", dict(resource_ids=[189, 190]), {"type": "backup", "resource_ids": "189,190"}),
], ids=["activity-default", "activity-all", "resource-date", "resource-ids", "schedule-default", "schedule-ids"])
def test_stats_list_reports_path_and_query(api, run_module, report, params, query):
    data = [job_log(9937389, "error"), job_log(9937412, "success")]
    api.expect("GET", "/stats/%s" % report, params=query, answer={"data": data})
    result = run_module(simplebackups_stats_info.main, args(report=report, **params))
    assert not result.failed, result
    assert result["changed"] is False
    assert result["stats"] == data


def test_stats_resource_returns_the_resources(api, run_module):
    data = [resource_entry(10015, "filebackup"), resource_entry(10017, "file-super-brook-4222")]
    api.expect("GET", "/stats/resource", params={"type": "backup"}, answer={"data": data})
    result = run_module(simplebackups_stats_info.main, args(report="resource"))
    assert not result.failed, result
    assert result["stats"] == data


@pytest.mark.parametrize("params, query", [
    (dict(), {}),
    (dict(date_from="2026-01-01", date_to="2026-01-31"), {"date_from": "2026-01-01", "date_to": "2026-01-31"}),
    (dict(type="snapshot", date_to="2026-01-31"), {"date_to": "2026-01-31"}),
], ids=["no-dates", "dates", "type-ignored"])
def test_stats_report_returns_the_dict_under_data(api, run_module, params, query):
    report = {"backups": {"success": 12, "error": 1}, "storage": {"used": "1.2 GB"}}
    api.expect("GET", "/stats/report", params=query, answer={"data": report})
    result = run_module(simplebackups_stats_info.main, args(report="report", **params))
    assert not result.failed, result
    assert result["stats"] == report


def test_stats_activity_follows_links_next(api, run_module):
    first, second = [job_log(3, "success")], [job_log(2, "error"), job_log(1, "rotated")]
    api.expect("GET", "/stats/activity", params={"type": "backup", "resource_ids": "10016"}, answer={
        "data": first, "links": {"next": API_URL + "/stats/activity?type=backup&resource_ids=10016&page=2"},
        "meta": {"current_page": 1, "last_page": 2}})
    api.expect("GET", "/stats/activity", params={"type": "backup", "resource_ids": "10016", "page": "2"},
               answer={"data": second, "links": {"next": None}, "meta": {"current_page": 2, "last_page": 2}})
    result = run_module(simplebackups_stats_info.main, args(report="activity", resource_ids=[10016]))
    assert not result.failed, result
    assert result["stats"] == first + second


def test_stats_schedule_follows_page_numbers(api, run_module):
    first = [{"id": 189, "name": "a", "schedules": ["Sat, Mar 12, 2022 3:00 AM"]}]
    second = [{"id": 190, "name": "b", "schedules": ["On demand"]}]
    api.expect("GET", "/stats/schedule", params={"type": "backup"},
               answer={"data": first, "meta": {"current_page": 1, "last_page": 2}})
    api.expect("GET", "/stats/schedule", params={"type": "backup", "page": "2"},
               answer={"data": second, "meta": {"current_page": 2, "last_page": 2}})
    result = run_module(simplebackups_stats_info.main, args(report="schedule"))
    assert not result.failed, result
    assert result["stats"] == first + second


@pytest.mark.parametrize("params, expected", [
    (dict(report="activity", date_from="2022-13-01"), "date_from must be a date as YYYY-MM-DD, got '2022-13-01'"),
    (dict(report="report", date_to="31/01/2022"), "date_to must be a date as YYYY-MM-DD, got '31/01/2022'"),
    (dict(report="resource", date_from="2022-02-30"), "date_from must be a date as YYYY-MM-DD"),
    (dict(report="activity", date_from="2022-02-01", date_to="2022-01-01"),
     "date_from (2022-02-01) is after date_to (2022-01-01)"),
    (dict(report="schedule", date_from="2022-01-01"), "date_from is not used by report=schedule"),
    (dict(report="report", resource_ids=[1]), "resource_ids is not used by report=report"),
    (dict(report="weekly"), "report"),
], ids=["bad-month", "bad-format", "bad-day", "reversed", "date-on-schedule", "ids-on-report", "bad-report"])
def test_stats_invalid_options_fail_before_any_request(api, run_module, params, expected):
    result = run_module(simplebackups_stats_info.main, args(**params))
    assert result.failed
    assert expected in result["msg"]
    assert len(api.calls) == 0


def test_stats_api_error_fails_with_the_api_words(api, run_module):
    api.expect("GET", "/stats/activity", params={"type": "backup"}, status=422, answer={
        "success": False, "message": "The selected type is invalid.",
        "errors": {"type": ["The selected type is invalid."]}})
    result = run_module(simplebackups_stats_info.main, args(report="activity"))
    assert result.failed
    assert result["msg"] == "GET /stats/activity failed with HTTP 422: The selected type is invalid."
