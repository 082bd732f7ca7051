"""HTTP rules: authentication, routing errors, throttling, the request log."""

from __future__ import annotations

import pytest
import requests

from sim_helpers import Api


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer wrong-token"},
    {"Authorization": "Token sb-sim-token"},
    {"Authorization": "bearer sb-sim-token"},  # Laravel's bearerToken() is case-sensitive
])
def test_bad_or_missing_token_is_401(sim, headers):
    response = requests.get(sim.base_url + "/backup/list", headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}
    assert "X-RateLimit-Limit" not in response.headers


def test_every_authenticated_endpoint_requires_the_token(anon):
    endpoints = [
        ("POST", "/backup/create"), ("PATCH", "/backup/1/update"), ("GET", "/backup/list"),
        ("GET", "/backup/1/run"), ("PATCH", "/backup/1/pause"), ("PATCH", "/backup/1/resume"),
        ("POST", "/backup/1/delete"), ("GET", "/server/list"), ("POST", "/server/add"),
        ("GET", "/server/1/validate-connection"), ("POST", "/server/1/remove"), ("GET", "/storage/list"),
        ("GET", "/stats/activity"), ("GET", "/stats/resource"), ("GET", "/stats/report"),
        ("GET", "/stats/schedule"), ("GET", "/team/list"), ("GET", "/team/current"), ("PATCH", "/team/1/switch"),
    ]
    for method, path in endpoints:
        response = anon.request(method, path, json={})
        assert response.status_code == 401, (method, path)


def test_unknown_route_is_laravel_404(api):
    response = api.get("/backup/nothing/here")
    assert response.status_code == 404
    assert response.json() == {"message": "The route api/backup/nothing/here could not be found."}


def test_unknown_route_answers_404_even_without_token(anon):
    assert anon.get("/nope").status_code == 404


@pytest.mark.parametrize("method,path,allowed", [
    ("GET", "/backup/create", "POST"),
    ("POST", "/backup/list", "GET, HEAD"),
    ("GET", "/backup/5/update", "PATCH"),
    ("DELETE", "/team/1/switch", "PATCH"),
])
def test_wrong_method_is_laravel_405(api, method, path, allowed):
    response = api.request(method, path)
    assert response.status_code == 405
    assert response.json() == {
        "message": f"The {method} method is not supported for route api{path}. Supported methods: {allowed}."
    }


def test_trailing_slash_is_ignored(api):
    assert api.get("/team/list/").status_code == 200


def test_rate_limit_headers_count_down(api):
    first = api.get("/team/list")
    second = api.get("/team/current")
    assert first.headers["X-RateLimit-Limit"] == "60"
    assert first.headers["X-RateLimit-Remaining"] == "59"
    assert second.headers["X-RateLimit-Remaining"] == "58"


def test_rate_limit_headers_on_errors_too(api):
    response = api.get("/backup/999/run")
    assert response.status_code == 404
    assert response.headers["X-RateLimit-Remaining"] == "59"


def test_429_after_the_limit_then_window_reset(api, api2, control):
    control.config(rate_limit=3)
    for expected in ("2", "1", "0"):
        assert api.get("/team/list").headers["X-RateLimit-Remaining"] == expected
    refused = api.get("/team/list")
    assert refused.status_code == 429
    assert refused.json() == {"message": "Too Many Attempts."}
    assert refused.headers["X-RateLimit-Limit"] == "3"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert int(refused.headers["X-RateLimit-Reset"]) > 0
    # Refusals are not counted, and other tokens have their own window.
    assert api2.get("/team/list").status_code == 200
    control.advance(int(refused.headers["Retry-After"]))
    again = api.get("/team/list")
    assert again.status_code == 200
    assert again.headers["X-RateLimit-Remaining"] == "2"


def test_fixed_window_starts_at_first_hit(api, control):
    control.config(rate_limit=2)
    api.get("/team/list")
    control.advance(30)
    api.get("/team/list")
    refused = api.get("/team/list")
    assert refused.status_code == 429
    assert 29 <= int(refused.headers["Retry-After"]) <= 30


def test_401_is_not_rate_counted(sim, api, control):
    control.config(rate_limit=2)
    bad = Api(sim.base_url, "wrong")
    for dummy in range(5):
        assert bad.get("/team/list").status_code == 401
    assert api.get("/team/list").headers["X-RateLimit-Remaining"] == "1"


def test_request_log_records_api_requests_only(api, anon, control):
    control.delete("/requests")
    api.get("/storage/list", params={"filters[name]": "S3"})
    api.post("/server/add", {"name": "x"})
    anon.get("/team/list")
    control.get("/state")  # hooks are not logged
    log = control.requests()
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("GET", "/storage/list", 200), ("POST", "/server/add", 422), ("GET", "/team/list", 401),
    ]
    assert log[0]["query"] == {"filters[name]": "S3"}
    assert log[1]["json"] == {"name": "x"}
    assert log[0]["json"] is None
    assert log[0]["token"] == "sb-s\u2026"
    assert log[2]["token"] is None
    assert log[0]["seq"] < log[1]["seq"] < log[2]["seq"]
    assert "sb-sim-token" not in str(log)


def test_request_log_clear(api, control):
    api.get("/team/list")
    assert control.delete("/requests") == {"requests": []}
    assert control.requests() == []


def test_body_without_json_content_type_counts_as_empty(sim):
    response = requests.post(sim.base_url + "/server/add", data='{"name": "x"}',
                             headers={"Authorization": f"Bearer {sim.token}", "Content-Type": "text/plain"},
                             timeout=10)
    assert response.status_code == 422
    assert "name" in response.json()["errors"]


def test_concurrent_writes_are_consistent(sim, api, control):
    import threading

    control.config(rate_limit=1000)
    errors = []

    def add(n):
        response = api.post("/server/add", {"name": f"s{n}", "connection_type": "password", "host": "127.0.0.1",
                                            "port": 22, "user": "u", "password": "p"})
        if response.status_code != 200:
            errors.append(response.text)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = [s["id"] for s in api.get("/server/list").json()["data"]]
    assert len(ids) == len(set(ids)) == 24
