"""Statistics: activity, resource, report, schedule."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from sim_helpers import add_backup, add_server

LABEL_RE = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d\d (AM|PM)")


def label(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    return f"{moment:%a, %b} {moment.day}, {moment.year} {hour}:{moment:%M} {'AM' if moment.hour < 12 else 'PM'}"


def sim_now(control) -> datetime:
    return datetime.fromtimestamp(control.get("/clock")["timestamp"], tz=timezone.utc)


@pytest.fixture
def server(api):
    return add_server(api, name="server-cloud-01")


@pytest.mark.parametrize("endpoint", ["activity", "resource", "schedule"])
def test_type_is_required_and_checked(api, endpoint):
    missing = api.get(f"/stats/{endpoint}")
    assert missing.status_code == 422
    assert missing.json() == {"success": False, "message": "The type field is required.",
                              "errors": {"type": ["The type field is required."]}}
    wrong = api.get(f"/stats/{endpoint}", params={"type": "backups"})
    assert wrong.json()["errors"] == {"type": ["The selected type is invalid."]}
    for kind in ("snapshot", "cloudsync"):
        assert api.get(f"/stats/{endpoint}", params={"type": kind}).json() == {"data": []}


@pytest.mark.parametrize("endpoint", ["activity", "resource", "report"])
def test_dates_are_validated(api, endpoint):
    response = api.get(f"/stats/{endpoint}", params={"type": "backup", "date_from": "yesterday-ish",
                                                     "date_to": "2022-13-45"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"date_from": ["The date from field must be a valid date."],
                                         "date_to": ["The date to field must be a valid date."]}
    assert response.json()["message"] == "The date from field must be a valid date."


def test_resource_ids_format(api):
    response = api.get("/stats/activity", params={"type": "backup", "resource_ids": "1,a"})
    assert response.json()["errors"] == {"resource_ids": ["The resource ids field format is invalid."]}


def test_activity_window_order_and_ids(api, control, server):
    first = add_backup(api, server["id"], name="one")
    second = add_backup(api, server["id"], name="two")
    j1 = api.get(f"/backup/{first['id']}/run").json()["data"]["id"]
    control.advance(2)
    j2 = api.get(f"/backup/{second['id']}/run").json()["data"]["id"]
    control.advance(2)
    j3 = api.get(f"/backup/{first['id']}/run").json()["data"]["id"]

    def ids(**params):
        return [j["id"] for j in api.get("/stats/activity", params={"type": "backup", **params}).json()["data"]]

    assert ids() == [j3, j2, j1]
    assert ids(resource_ids=f"{first['id']}") == [j3, j1]
    assert ids(resource_ids=f" {second['id']} , {first['id']}") == [j3, j2, j1]
    today = sim_now(control).date()
    assert ids(date_from=str(today), date_to=str(today)) == [j3, j2, j1]
    assert ids(date_from=str(today + timedelta(days=1))) == []
    assert ids(date_to=str(today - timedelta(days=1))) == []
    control.advance(40 * 86400)  # older than the default one-month window
    assert ids() == []
    assert ids(date_from=str(today)) == [j3, j2, j1]


def test_activity_is_team_scoped(api, api2, control, server):
    backup = add_backup(api, server["id"])
    api.get(f"/backup/{backup['id']}/run")
    assert api2.get("/stats/activity", params={"type": "backup"}).json() == {"data": []}
    api.patch("/team/2/switch")
    assert api.get("/stats/activity", params={"type": "backup"}).json() == {"data": []}


def test_resource_reference_shape(api, control, server):
    on_demand = add_backup(api, server["id"], name="filebackup", schedule="on-demand", storage_id="2")
    job_id = api.get(f"/backup/{on_demand['id']}/run").json()["data"]["id"]
    control.advance(6)
    data = api.get("/stats/resource", params={"type": "backup"}).json()["data"]
    assert data == [{
        "id": on_demand["id"],
        "name": "filebackup",
        "created_at": on_demand["created_at"],
        "storage": {"id": 2, "name": "SimpleStorage", "type": "simple"},
        "server": {"id": server["id"], "name": "server-cloud-01"},
        "schedules": ["On demand"],
        "logs": [data[0]["logs"][0]],
    }]
    log = data[0]["logs"][0]
    assert log["id"] == job_id and log["status"] == "success"
    assert log["backup"] == {"id": on_demand["id"], "name": "filebackup", "type": "file"}


def test_resource_ids_filter_resources(api, server):
    a = add_backup(api, server["id"], name="a")
    add_backup(api, server["id"], name="b")
    data = api.get("/stats/resource", params={"type": "backup", "resource_ids": str(a["id"])}).json()["data"]
    assert [r["id"] for r in data] == [a["id"]]


def next_times(after: datetime, hours=None, weekday=None, count=5):
    """Independent reference computation of the next runs (no croniter)."""
    results, moment = [], after.replace(minute=0, second=0, microsecond=0)
    while len(results) < count:
        moment += timedelta(hours=1)
        if hours is not None and moment.hour not in hours:
            continue
        if weekday is not None and moment.weekday() != weekday:
            continue
        results.append(label(moment))
    return results


@pytest.mark.parametrize("schedule,hours,weekday", [
    ("hourly", None, None),
    ("twice-daily", (0, 12), None),
    ("daily", (0,), None),
    ("weekly", (0,), 6),  # Sunday
])
def test_named_schedules(api, control, server, schedule, hours, weekday):
    backup = add_backup(api, server["id"], schedule=schedule)
    data = api.get("/stats/schedule", params={"type": "backup"}).json()["data"]
    expected = next_times(sim_now(control), hours, weekday)
    assert data == [{"id": backup["id"], "name": backup["name"], "schedules": expected}]
    assert all(LABEL_RE.fullmatch(s) for s in expected)


def test_custom_schedule_and_secondary_schedules(api, control, server):
    backup = add_backup(api, server["id"], schedule="custom", schedule_cron="30 15 * * *",
                        secondary_schedules=[{"schedule": "daily", "retention": 1}])
    schedules = api.get("/stats/schedule", params={"type": "backup"}).json()["data"][0]["schedules"]
    now = sim_now(control)
    candidates = []
    for day in range(4):
        base = (now + timedelta(days=day)).replace(second=0, microsecond=0)
        candidates += [base.replace(hour=0, minute=0), base.replace(hour=15, minute=30)]
    expected = [label(m) for m in sorted(c for c in candidates if c > now)[:5]]
    assert schedules == expected
    assert backup["schedule_cron"] == "30 15 * * *"


def test_schedules_move_with_the_clock_and_pause(api, control, server):
    backup = add_backup(api, server["id"], schedule="hourly")
    before = api.get("/stats/schedule", params={"type": "backup"}).json()["data"][0]["schedules"]
    control.advance(3600)
    after = api.get("/stats/schedule", params={"type": "backup"}).json()["data"][0]["schedules"]
    assert after[:4] == before[1:]
    api.patch(f"/backup/{backup['id']}/pause")
    assert api.get("/stats/schedule", params={"type": "backup"}).json()["data"][0]["schedules"] == []


def test_report_counts_and_usage(api, control, server):
    backup = add_backup(api, server["id"], retention=1)
    for dummy in range(2):
        api.get(f"/backup/{backup['id']}/run")
        control.advance(6)
    control.config(job_outcome="error")
    api.get(f"/backup/{backup['id']}/run")
    control.advance(6)
    api.get(f"/backup/{backup['id']}/run")  # still in progress
    data = api.get("/stats/report").json()["data"]
    assert list(data) == ["date_from", "date_to", "backup", "snapshot", "cloudsync", "total"]
    kept = next(j for j in api.get("/stats/activity", params={"type": "backup"}).json()["data"]
                if j["status"] == "success")
    assert data["backup"] == {"total": 4, "success": 1, "error": 1, "rotated": 1, "in_progress": 1,
                              "storage_usage": kept["filesize"]}
    assert data["snapshot"] == data["cloudsync"] == {"total": 0, "success": 0, "error": 0, "rotated": 0,
                                                     "in_progress": 0, "storage_usage": "0.00"}
    assert data["total"] == data["backup"]
    tomorrow = str(sim_now(control).date() + timedelta(days=1))
    assert api.get("/stats/report", params={"date_from": tomorrow}).json()["data"]["total"]["total"] == 0
