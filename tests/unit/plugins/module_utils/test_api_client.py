# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SimpleBackupsClient: headers, retries, rate limiting, pagination, errors, redaction."""

from __future__ import annotations

import email.utils
import json
import os

import pytest
import requests
import yaml

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.simplebackups.simplebackups.plugins.module_utils import api as api_module
from ansible_collections.simplebackups.simplebackups.plugins.module_utils.api import SimpleBackupsAPIError
from ansible_collections.simplebackups.simplebackups.plugins.modules import simplebackups_team_info
from ansible_collections.simplebackups.simplebackups.tests.unit.helpers import (
    API_URL,
    TOKEN,
    TRIGGER_SECRET,
    ApiConversation,
    make_client,
    storages,
    team,
    teams,
)

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))))
TOO_MANY = {"message": "Too Many Attempts."}
CURRENT = {"data": {"id": 1, "name": "ACME Inc"}}


def galaxy_version():
    with open(os.path.join(COLLECTION_ROOT, "galaxy.yml")) as f:
        return yaml.safe_load(f)["version"]


def api_error(call, *args, **kwargs):
    with pytest.raises(SimpleBackupsAPIError) as caught:
        call(*args, **kwargs)
    return caught.value


def leaked(error, *secrets):
    """The secrets found in anything an error exposes (its text and its failure structure)."""
    exposed = str(error) + json.dumps(error.to_failure(), default=str)
    return [secret for secret in secrets if secret in exposed]


# -- headers and URLs ------------------------------------------------------------------------

def test_get_sends_bearer_token_accept_and_user_agent(api):
    user_agent = "simplebackups.simplebackups/%s (Ansible)" % galaxy_version()
    api.expect("GET", "/team/current", answer=CURRENT, request_headers={"User-Agent": user_agent})
    assert make_client().get("/team/current") == CURRENT


def test_writes_send_json_with_content_type(api):
    api.expect("POST", "/backup/create", sends={"name": "web", "retention": 7},
               answer={"success": True, "data": {"id": 5}})
    api.expect("PATCH", "/team/3/switch", sends={}, status=204)
    client = make_client()
    assert client.post("/backup/create", {"name": "web", "retention": 7}) == {"success": True, "data": {"id": 5}}
    assert client.patch("/team/3/switch") is None


def test_get_query_parameters_are_sent(api):
    api.expect("GET", "/storage/list", params={"filters[name]": "AWS S3"}, answer={"data": []})
    assert make_client().get("/storage/list", params={"filters[name]": "AWS S3"}) == {"data": []}


def test_api_url_trailing_slash_is_not_doubled():
    with ApiConversation(api_url="https://sim.example.test/api") as conversation:
        conversation.expect("GET", "/team/current", answer=CURRENT)
        assert make_client(api_url="https://sim.example.test/api/").get("/team/current") == CURRENT


ENV_BUNDLE = "/etc/ssl/certs/env-bundle.pem"


@pytest.mark.parametrize("env_bundle", [None, ENV_BUNDLE], ids=["no-env-bundle", "REQUESTS_CA_BUNDLE-set"])
@pytest.mark.parametrize("params, verify", [
    ({}, True),
    ({"validate_certs": False}, False),
    ({"ca_path": "/etc/simplebackups/ca.pem"}, "/etc/simplebackups/ca.pem"),
], ids=["default", "validate_certs-false", "ca_path"])
def test_timeout_and_tls_verification_reach_requests(api, monkeypatch, params, verify, env_bundle):
    # CI machines and corporate hosts often export a CA bundle for requests; the module's own
    # validate_certs/ca_path must still decide.
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    if env_bundle:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", env_bundle)
    else:
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    api.expect("GET", "/team/current", answer=CURRENT)
    make_client(timeout=12, **params).get("/team/current")
    sent = api.calls[0].request.req_kwargs
    assert sent["timeout"] == 12
    if verify is True:
        assert sent["verify"] in (True, env_bundle)
    else:
        assert sent["verify"] == verify


@pytest.mark.parametrize("env_url, used_url", [
    ("https://env.example.test/api/", "https://env.example.test/api"),
    # What an AWX credential injects when its optional URL field is left empty.
    ("", "https://my.simplebackups.io/api"),
])
def test_token_and_url_fall_back_to_environment(monkeypatch, run_module, env_url, used_url):
    monkeypatch.setenv("SIMPLEBACKUPS_API_TOKEN", "env-token-31337")
    monkeypatch.setenv("SIMPLEBACKUPS_API_URL", env_url)
    with ApiConversation(api_url=used_url, token="env-token-31337") as conversation:
        conversation.expect("GET", "/team/list", answer={"data": teams()})
        conversation.expect("GET", "/team/current", answer={"data": team(1)})
        result = run_module(simplebackups_team_info.main, {})
    assert not result.failed, result
    assert result["current_team"] == team(1)


def test_missing_token_fails_before_any_call(monkeypatch, run_module, api):
    monkeypatch.delenv("SIMPLEBACKUPS_API_TOKEN", raising=False)
    result = run_module(simplebackups_team_info.main, {})
    assert result.failed
    assert "api_token" in result["msg"]


def test_explicit_sleep_and_clock_are_used(api):
    sleeps = []
    api.expect("GET", "/team/current", status=429, answer=TOO_MANY, headers={"Retry-After": "3"})
    api.expect("GET", "/team/current", answer=CURRENT)
    client = make_client(sleep=sleeps.append, clock=lambda: 0.0)
    assert client.get("/team/current") == CURRENT
    assert sleeps == [3.0]


# -- rate limiting (429) ---------------------------------------------------------------------

def test_get_429_then_success_honours_retry_after(api, fake_time):
    api.expect("GET", "/team/current", status=429, answer=TOO_MANY,
               headers={"Retry-After": "7", "X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0"})
    api.expect("GET", "/team/current", answer=CURRENT)
    client = make_client()
    assert client.get("/team/current") == CURRENT
    assert fake_time.sleeps == [7.0]
    assert client.rate_limited_seconds == 7.0


def test_post_429_is_resent_because_it_was_not_processed(api, fake_time):
    body = {"name": "web", "retention": 7}
    api.expect("POST", "/backup/create", sends=body, status=429, answer=TOO_MANY, headers={"Retry-After": "7"})
    api.expect("POST", "/backup/create", sends=body, answer={"success": True, "data": {"id": 9}})
    assert make_client().post("/backup/create", body) == {"success": True, "data": {"id": 9}}
    assert fake_time.sleeps == [7.0]


def test_retry_after_http_date_waits_until_that_date(api, fake_time):
    thirty_seconds_later = email.utils.formatdate(fake_time.wall_now + 30, usegmt=True)
    api.expect("GET", "/team/current", status=429, answer=TOO_MANY, headers={"Retry-After": thirty_seconds_later})
    api.expect("GET", "/team/current", answer=CURRENT)
    assert make_client().get("/team/current") == CURRENT
    assert fake_time.sleeps == [pytest.approx(30.0)]


def test_retry_after_http_date_in_the_past_waits_the_minimum_second(api, fake_time):
    past = email.utils.formatdate(fake_time.wall_now - 60, usegmt=True)
    api.expect("GET", "/team/current", status=429, answer=TOO_MANY, headers={"Retry-After": past})
    api.expect("GET", "/team/current", answer=CURRENT)
    assert make_client().get("/team/current") == CURRENT
    assert fake_time.sleeps == [1.0]


def test_429_without_retry_after_uses_capped_jittered_backoff(api, fake_time):
    for dummy in range(7):
        api.expect("GET", "/team/current", status=429, answer=TOO_MANY)
    api.expect("GET", "/team/current", answer=CURRENT)
    assert make_client(rate_limit_timeout=600).get("/team/current") == CURRENT
    ceilings = [1, 2, 4, 8, 16, 30, 30]
    assert len(fake_time.sleeps) == len(ceilings)
    for wait, ceiling in zip(fake_time.sleeps, ceilings):
        assert ceiling / 2.0 <= wait <= ceiling
    assert len(set(fake_time.sleeps)) > 1


def test_rate_limit_timeout_exceeded_fails_naming_the_option(api, fake_time):
    api.expect("GET", "/team/current", status=429, answer=TOO_MANY, headers={"Retry-After": "7"})
    api.expect("GET", "/team/current", status=429, answer=TOO_MANY, headers={"Retry-After": "7"})
    error = api_error(make_client(rate_limit_timeout=10).get, "/team/current")
    assert error.status == 429
    assert "rate_limit_timeout" in str(error)
    assert fake_time.sleeps == [7.0]


@pytest.mark.parametrize("retry_after", ["7", "0", None], ids=["retry-after-7", "retry-after-0", "no-retry-after"])
def test_rate_limit_timeout_zero_fails_on_first_429(api, fake_time, retry_after):
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    api.expect("GET", "/team/current", status=429, answer=TOO_MANY, headers=headers)
    error = api_error(make_client(rate_limit_timeout=0).get, "/team/current")
    assert error.status == 429
    assert "rate_limit_timeout" in str(error)
    assert fake_time.sleeps == []


def test_module_reports_time_spent_rate_limited(api, run_module):
    api.expect("GET", "/team/list", status=429, answer=TOO_MANY, headers={"Retry-After": "7"})
    api.expect("GET", "/team/list", answer={"data": teams()})
    api.expect("GET", "/team/current", answer={"data": team(1)})
    result = run_module(simplebackups_team_info.main, {"api_token": TOKEN})
    assert not result.failed, result
    assert result["rate_limited_seconds"] == 7.0


# -- server faults and transport errors ------------------------------------------------------

def test_get_503_then_success_is_retried(api, fake_time):
    api.expect("GET", "/team/current", status=503, text="<html><body>Service Unavailable</body></html>")
    api.expect("GET", "/team/current", answer=CURRENT)
    assert make_client().get("/team/current") == CURRENT
    assert len(fake_time.sleeps) == 1
    assert 0.5 <= fake_time.sleeps[0] <= 1.0


@pytest.mark.parametrize("status", [502, 503, 504])
def test_get_transient_status_exhausts_attempts(api, fake_time, status):
    for dummy in range(api_module.READ_ATTEMPTS):
        api.expect("GET", "/team/current", status=status, answer={"message": "Server Error"})
    error = api_error(make_client().get, "/team/current")
    assert error.status == status
    assert error.maybe_committed is False
    assert len(fake_time.sleeps) == api_module.READ_ATTEMPTS - 1


@pytest.mark.parametrize("method, path, status", [
    ("POST", "/backup/create", 503),
    ("POST", "/backup/create", 500),
    ("PATCH", "/backup/189/update", 503),
    ("PATCH", "/backup/189/update", 500),
])
def test_write_answered_5xx_is_not_resent_and_may_be_committed(api, fake_time, method, path, status):
    api.expect(method, path, sends={"name": "web"}, status=status, answer={"message": "Server Error"})
    error = api_error(make_client().request, method, path, body={"name": "web"})
    assert error.status == status
    assert error.maybe_committed is True
    assert error.to_failure()["maybe_committed"] is True
    assert fake_time.sleeps == []


def test_get_500_is_not_retried(api, fake_time):
    api.expect("GET", "/team/current", status=500, answer={"message": "Server Error"})
    error = api_error(make_client().get, "/team/current")
    assert error.status == 500
    assert error.maybe_committed is False
    assert "Server Error" in str(error)
    assert fake_time.sleeps == []


@pytest.mark.parametrize("kind", ["refused", "dropped", "read_timeout"])
def test_get_transport_error_is_retried(api, fake_time, transport_errors, kind):
    api.expect("GET", "/team/current", error=transport_errors[kind])
    api.expect("GET", "/team/current", answer=CURRENT)
    assert make_client().get("/team/current") == CURRENT
    assert len(fake_time.sleeps) == 1


def test_certificate_failure_is_not_retried(api, fake_time):
    api.expect("GET", "/team/current", error=requests.exceptions.SSLError("certificate verify failed"))
    error = api_error(make_client().get, "/team/current")
    assert error.status is None
    assert "certificate verify failed" in str(error)
    assert fake_time.sleeps == []


def test_get_transport_error_exhausts_attempts(api, transport_errors):
    for dummy in range(api_module.READ_ATTEMPTS):
        api.expect("GET", "/team/current", error=transport_errors["dropped"])
    error = api_error(make_client().get, "/team/current")
    assert error.status is None
    assert error.maybe_committed is False
    assert "ConnectionError" in str(error)


def test_post_connection_refused_is_resent_because_it_never_left(api, fake_time, transport_errors):
    api.expect("POST", "/backup/create", sends={"name": "web"}, error=transport_errors["refused"])
    api.expect("POST", "/backup/create", sends={"name": "web"}, answer={"success": True, "data": {"id": 9}})
    assert make_client().post("/backup/create", {"name": "web"})["data"]["id"] == 9
    assert len(fake_time.sleeps) == 1


def test_post_connect_timeout_is_resent(api):
    api.expect("POST", "/backup/create", sends={"name": "web"},
               error=requests.exceptions.ConnectTimeout("connect timed out"))
    api.expect("POST", "/backup/create", sends={"name": "web"}, answer={"success": True, "data": {"id": 9}})
    assert make_client().post("/backup/create", {"name": "web"})["data"]["id"] == 9


@pytest.mark.parametrize("kind", ["dropped", "read_timeout"])
def test_post_sent_then_lost_is_not_resent(api, fake_time, transport_errors, kind):
    api.expect("POST", "/backup/create", sends={"name": "web"}, error=transport_errors[kind])
    error = api_error(make_client().post, "/backup/create", {"name": "web"})
    assert error.status is None
    assert error.maybe_committed is True
    assert fake_time.sleeps == []


# -- pagination ------------------------------------------------------------------------------

def page(items, **extra):
    answer = {"data": items}
    answer.update(extra)
    return answer


def test_pagination_follows_links_next(api):
    s = storages()
    api.expect("GET", "/storage/list", answer=page(s[:2], links={"next": API_URL + "/storage/list?page=2"}))
    api.expect("GET", "/storage/list", params={"page": "2"}, answer=page(s[2:], links={"next": None}))
    assert make_client().get_list("/storage/list") == s


def test_pagination_follows_meta_pages_keeping_filters(api):
    s = storages()
    filters = {"filters[status]": "1"}
    api.expect("GET", "/storage/list", params=filters, answer=page(s[:1], meta={"current_page": 1, "last_page": 3}))
    api.expect("GET", "/storage/list", params=dict(filters, page="2"),
               answer=page(s[1:2], meta={"current_page": 2, "last_page": 3}))
    api.expect("GET", "/storage/list", params=dict(filters, page="3"),
               answer=page(s[2:], meta={"current_page": 3, "last_page": 3}))
    assert make_client().get_list("/storage/list", params=filters) == s


def test_pagination_follows_top_level_next_page_url(api):
    s = storages()
    api.expect("GET", "/storage/list", answer=page(s[:2], next_page_url=API_URL + "/storage/list?page=2"))
    api.expect("GET", "/storage/list", params={"page": "2"}, answer=page(s[2:], next_page_url=None))
    assert make_client().get_list("/storage/list") == s


def test_relative_next_link_is_resolved_against_the_api_host(api):
    s = storages()
    api.expect("GET", "/storage/list", answer=page(s[:2], links={"next": "/api/storage/list?page=2"}))
    api.expect("GET", "/storage/list", params={"page": "2"}, answer=page(s[2:], links={"next": None}))
    assert make_client().get_list("/storage/list") == s


def test_no_pagination_is_one_call(api):
    api.expect("GET", "/storage/list", answer=page(storages()))
    assert make_client().get_list("/storage/list") == storages()


def test_next_link_to_another_host_is_not_followed_with_the_token(api):
    s = storages()
    api.expect("GET", "/storage/list", answer=page(
        s[:2], links={"next": "https://evil.example.test/api/storage/list?page=2"},
        meta={"current_page": 1, "last_page": 2}))
    api.expect("GET", "/storage/list", params={"page": "2"}, answer=page(
        s[2:], links={"next": None}, meta={"current_page": 2, "last_page": 2}))
    assert make_client().get_list("/storage/list") == s
    assert all(call.request.url.startswith(API_URL + "/") for call in api.calls)


def test_next_link_to_another_host_without_page_numbers_fails(api):
    api.expect("GET", "/storage/list", answer=page(
        storages(), links={"next": "https://evil.example.test/api/storage/list?page=2"}))
    error = api_error(make_client().get_list, "/storage/list")
    assert "outside api_url" in str(error)


def test_pagination_loop_is_detected(api):
    next_page = {"next": API_URL + "/storage/list?page=2"}
    api.expect("GET", "/storage/list", answer=page(storages()[:1], links=next_page))
    api.expect("GET", "/storage/list", params={"page": "2"}, answer=page(storages()[1:2], links=next_page))
    error = api_error(make_client().get_list, "/storage/list")
    assert "loop" in str(error)


def test_list_answer_without_data_list_fails(api):
    api.expect("GET", "/storage/list", answer={"message": "ok"})
    error = api_error(make_client().get_list, "/storage/list")
    assert "'data' list" in str(error)


# -- API errors -------------------------------------------------------------------------------

def test_422_carries_field_errors_in_message_and_failure(api):
    errors = {"name": ["The name field is required."], "retention": ["The retention must be at least 1."]}
    api.expect("POST", "/backup/create", sends={"retention": 0}, status=422,
               answer={"success": False, "message": "The name field is required.", "errors": errors})
    error = api_error(make_client().post, "/backup/create", {"retention": 0})
    assert error.status == 422
    text = str(error)
    assert text.startswith("POST /backup/create failed with HTTP 422: The name field is required.")
    assert "retention: The retention must be at least 1." in text
    failure = error.to_failure()
    assert failure == dict(method="POST", path="/backup/create", status=422,
                           message="The name field is required.", errors=errors, maybe_committed=False)


def test_401_message(api):
    api.expect("GET", "/team/current", status=401, answer={"message": "Unauthenticated."})
    error = api_error(make_client().get, "/team/current")
    assert str(error) == "GET /team/current failed with HTTP 401: Unauthenticated."


def test_404_message(api):
    api.expect("POST", "/backup/77/delete", sends={}, status=404,
               answer={"success": False, "message": "Backup not found.", "errors": [], "data": []})
    error = api_error(make_client().post, "/backup/77/delete")
    assert error.status == 404
    assert error.maybe_committed is False
    assert str(error) == "POST /backup/77/delete failed with HTTP 404: Backup not found."


def test_html_body_on_502_becomes_readable_text(api):
    html = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>")
    api.expect("POST", "/backup/create", sends={}, status=502, text=html)
    error = api_error(make_client().post, "/backup/create")
    assert error.status == 502
    assert "502 Bad Gateway" in str(error)
    assert "<" not in str(error)
    assert error.maybe_committed is True


def test_204_returns_none(api):
    api.expect("PATCH", "/team/2/switch", sends={}, status=204)
    assert make_client().patch("/team/2/switch") is None


def test_non_json_200_fails(api):
    api.expect("GET", "/team/current", text="<html>maintenance</html>")
    error = api_error(make_client().get, "/team/current")
    assert error.status == 200
    assert "not JSON" in str(error)


# -- the token never shows ------------------------------------------------------------------

OTHER_TRIGGER = "https://simplebackups/api/backup/a1b02bad/run?api_token=%s" % TRIGGER_SECRET


@pytest.mark.parametrize("answer", [
    dict(status=422, answer={"message": "Token %s is not allowed here" % TOKEN, "errors": {}}),
    dict(status=422, answer={"message": "The given data was invalid.",
                             "errors": {"api_token": ["The token %s is invalid." % TOKEN]}}),
    dict(status=422, answer={"message": "The given data was invalid.",
                             "errors": {"trigger_url": ["%s is taken." % OTHER_TRIGGER]}}),
    dict(status=500, answer={"message": "Crashed on %s" % OTHER_TRIGGER}),
    dict(status=500, text="<html><body>Bearer %s rejected</body></html>" % TOKEN),
    dict(status=200, text="<html>debug: Authorization: Bearer %s</html>" % TOKEN),
], ids=["message-echoes-token", "field-errors-echo-token", "field-errors-echo-api_token-url",
        "message-echoes-api_token-url", "html-echoes-token", "non-json-echoes-token"])
def test_token_never_in_error(api, answer):
    api.expect("POST", "/backup/create", sends={}, **answer)
    error = api_error(make_client().post, "/backup/create")
    assert leaked(error, TOKEN, TRIGGER_SECRET) == []


def test_token_never_in_transport_error(api):
    api.expect("POST", "/backup/create", sends={}, error=requests.exceptions.ReadTimeout(
        "Read timed out: POST %s?api_token=%s (Authorization: Bearer %s)" % (API_URL, TRIGGER_SECRET, TOKEN)))
    error = api_error(make_client().post, "/backup/create")
    assert leaked(error, TOKEN, TRIGGER_SECRET) == []


def test_token_never_in_module_failure(api, run_module):
    api.expect("GET", "/team/list", status=422, answer={
        "message": "Invalid request from %s" % OTHER_TRIGGER,
        "errors": {"trigger_url": ["%s is taken." % OTHER_TRIGGER]}})
    result = run_module(simplebackups_team_info.main, {"api_token": TOKEN})
    assert result.failed
    assert TRIGGER_SECRET not in json.dumps(result)


# -- requests missing ------------------------------------------------------------------------

def test_missing_requests_fails_with_missing_required_lib(monkeypatch, run_module, api):
    def main():
        module = AnsibleModule(argument_spec=api_module.simplebackups_argument_spec())
        api_module.SimpleBackupsClient(module)
        module.exit_json(changed=False)

    monkeypatch.setattr(api_module, "requests", None)
    result = run_module(main, {"api_token": TOKEN})
    assert result.failed
    assert "Failed to import the required Python library (requests)" in result["msg"]


def test_module_without_requests_fails_before_any_call(monkeypatch, run_module, api):
    monkeypatch.setattr(api_module, "requests", None)
    result = run_module(simplebackups_team_info.main, {"api_token": TOKEN})
    assert result.failed
    assert "requests" in result["msg"]
