"""Test hooks: faults, config, clock, reset, state dump."""

from __future__ import annotations

import time

import pytest
import requests

from sim_helpers import add_backup, add_server


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_status_fault_answers_html_without_touching_state(api, control, status):
    control.fault(kind="status", status=status, path="/server/add")
    response = api.post("/server/add", {"name": "a", "connection_type": "password", "host": "h", "port": 22,
                                        "user": "u", "password": "p"})
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<html>" in response.text and str(status) in response.text
    assert control.state()["servers"] == []
    assert api.get("/server/list").status_code == 200  # count=1: used up
    assert control.get("/faults") == {"faults": []}


def test_fault_count_method_and_prefix(api, control):
    control.fault(kind="status", status=503, count=2, method="GET", path="/stats/*")
    assert api.get("/team/list").status_code == 200
    assert api.get("/stats/report").status_code == 503
    assert api.get("/stats/activity", params={"type": "backup"}).status_code == 503
    assert api.get("/stats/report").status_code == 200


def test_faults_apply_after_auth_and_throttle(anon, api, control):
    control.fault(kind="status", status=500)
    assert anon.get("/team/list").status_code == 401
    control.config(rate_limit=1)
    assert api.get("/team/list").status_code == 500  # the fault used this (counted) request
    assert api.get("/team/list").status_code == 429


def test_commit_then_status_changes_state(api, control):
    control.fault(kind="commit_then_status", status=500, method="POST", path="/server/add")
    response = api.post("/server/add", {"name": "ghost", "connection_type": "password", "host": "h", "port": 22,
                                        "user": "u", "password": "p"})
    assert response.status_code == 500
    assert [s["name"] for s in api.get("/server/list").json()["data"]] == ["ghost"]


def test_drop_closes_the_connection(api, control):
    control.fault(kind="drop", path="/team/list")
    with pytest.raises(requests.ConnectionError):
        api.get("/team/list")
    assert api.get("/team/list").status_code == 200
    entry = control.requests()[-2]
    assert entry["fault"] == "drop" and entry["status"] is None


def test_a_dropped_request_is_logged_before_the_next_one(api, control):
    control.fault(kind="drop", path="/team/list")
    with pytest.raises(requests.ConnectionError):
        api.get("/team/list")
    api.get("/team/current")
    log = control.requests()
    assert [(e["path"], e["status"], e.get("fault")) for e in log[-2:]] == [
        ("/team/list", None, "drop"), ("/team/current", 200, None)]


def test_commit_then_drop_changes_state_and_answers_nothing(api, control):
    control.fault(kind="commit_then_drop", method="POST", path="/server/add")
    with pytest.raises(requests.ConnectionError):
        api.post("/server/add", {"name": "ghost", "connection_type": "password", "host": "h", "port": 22,
                                 "user": "u", "password": "p"})
    assert [s["name"] for s in api.get("/server/list").json()["data"]] == ["ghost"]
    entry = control.requests()[-2]
    assert (entry["path"], entry["status"], entry["fault"]) == ("/server/add", None, "commit_then_drop")


def test_latency(api, control):
    control.fault(kind="latency", seconds=0.3)
    start = time.monotonic()
    response = api.get("/team/current")
    assert response.status_code == 200 and time.monotonic() - start >= 0.3
    assert response.headers["X-RateLimit-Remaining"] == "59"


def test_fault_log_entry(api, control):
    control.fault(kind="status", status=502)
    api.get("/team/list")
    assert control.requests()[-1] | {"seq": 0} == {
        "seq": 0, "method": "GET", "path": "/team/list", "query": {}, "json": None, "status": 502,
        "token": "sb-s\u2026", "fault": "status"}


@pytest.mark.parametrize("spec", [
    {"kind": "explode"}, {"kind": "status", "status": 200}, {"kind": "status", "count": 0},
    {"kind": "latency"}, {"kind": "status", "path": "backup/create"}, {"kind": "status", "colour": "red"},
])
def test_bad_fault_specs_are_400(sim, spec):
    response = requests.post(sim.root_url + "/_sim/faults", json=spec, timeout=10)
    assert response.status_code == 400 and "error" in response.json()


def test_clear_faults(api, control):
    control.fault(kind="status", status=500)
    control.delete("/faults")
    assert api.get("/team/list").status_code == 200


def test_config_get_set_and_errors(sim, control):
    assert control.get("/config") == {"page_size": None, "rate_limit": 60, "job_seconds": 6.0,
                                      "removal_delay": 5.0, "validation_mode": "ssh", "job_outcome": "auto",
                                      "ssh_timeout": 5.0}
    updated = control.config(rate_limit=10, job_outcome="error", validation_mode="callback")
    assert (updated["rate_limit"], updated["job_outcome"], updated["validation_mode"]) == (10, "error", "callback")
    for bad in ({"validation_mode": "telnet"}, {"rate_limit": 0}, {"token": "x"}, {"job_seconds": "slow"}):
        response = requests.post(sim.root_url + "/_sim/config", json=bad, timeout=10)
        assert response.status_code == 400, bad
    assert control.get("/config")["rate_limit"] == 10


def test_clock_advance(control):
    before = control.get("/clock")
    after = control.advance(3600)
    assert after["offset"] == pytest.approx(before["offset"] + 3600)
    assert after["timestamp"] - before["timestamp"] >= 3600
    response = requests.post(control.root + "/clock", json={"advance": -5}, timeout=10)
    assert response.status_code == 400


def test_reset(api, control):
    add_server(api)
    api.patch("/team/2/switch")
    control.config(page_size=2)
    control.advance(100)
    control.post("/reset", {"keep_config": True})
    assert control.get("/config")["page_size"] == 2
    assert len(control.requests()) == 2  # kept along with the config
    state = control.state()
    assert state["servers"] == [] and state["accounts"][0]["current_team_id"] == 1
    assert control.get("/clock")["offset"] == 0
    control.post("/reset")
    assert control.get("/config")["page_size"] is None and control.requests() == []


def test_state_dump_redacts_secrets(api, control):
    ssh = api.post("/server/add", {"name": "k", "connection_type": "ssh", "host": "h", "port": 22, "user": "u",
                                   "password": "key-and-password"}).json()["data"]
    server = add_server(api, password="pw-secret")
    add_backup(api, server["id"], db_psw="db-secret", type="full", db_type="MySQL", db_host="h", db_port=1,
               db_name="n")
    state = control.state()
    text = str(state)
    for secret in ("key-and-password", "pw-secret", "db-secret", "sb-sim-token", "OPENSSH PRIVATE KEY"):
        assert secret not in text
    token = ssh["install_command"].split("token=")[1].split('"')[0]
    assert token not in text
    assert set(state) >= {"accounts", "teams", "storages", "projects", "servers", "backups", "jobs", "clock"}
    assert state["accounts"][0]["token"] == "sb-s\u2026"
    servers = {s["id"]: s for s in state["servers"]}
    assert servers[ssh["id"]]["validated"] is False and servers[ssh["id"]]["private_key"] == "<redacted>"
