# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The scripted API itself must fail on every deviation, or the other tests prove nothing."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.simplebackups.simplebackups.tests.unit.helpers import API_URL, TOKEN, ApiConversation

HEADERS = {"Authorization": "Bearer %s" % TOKEN, "Accept": "application/json"}


def test_one_call_too_many_fails_even_when_swallowed():
    with pytest.raises(AssertionError, match="expected 1 HTTP calls, the code made 2"):
        with ApiConversation() as conversation:
            conversation.expect("GET", "/team/current", answer={"data": {}})
            requests.get(API_URL + "/team/current", headers=HEADERS, timeout=5)
            with pytest.raises(requests.exceptions.ConnectionError):
                requests.get(API_URL + "/team/current", headers=HEADERS, timeout=5)


def test_one_call_too_few_fails():
    with pytest.raises(AssertionError):
        with ApiConversation() as conversation:
            conversation.expect("GET", "/team/current", answer={"data": {}})
            conversation.expect("GET", "/team/list", answer={"data": []})
            requests.get(API_URL + "/team/current", headers=HEADERS, timeout=5)


@pytest.mark.parametrize("call", [
    lambda: requests.get(API_URL + "/team/list", headers=HEADERS, timeout=5),
    lambda: requests.get(API_URL + "/storage/list", params={"filters[name]": "y"}, headers=HEADERS, timeout=5),
    lambda: requests.get(API_URL + "/storage/list", params={"filters[name]": "x", "page": 2}, headers=HEADERS, timeout=5),
    lambda: requests.get(API_URL + "/storage/list", params={"filters[name]": "x"},
                         headers=dict(HEADERS, Authorization="Bearer other"), timeout=5),
    lambda: requests.get(API_URL + "/storage/list", params={"filters[name]": "x"}, json={}, headers=HEADERS, timeout=5),
    lambda: requests.post(API_URL + "/storage/list", params={"filters[name]": "x"}, json={}, headers=HEADERS, timeout=5),
], ids=["path", "query-value", "extra-query", "token", "get-with-body", "method"])
def test_a_call_that_differs_does_not_match(call):
    with pytest.raises(AssertionError):
        with ApiConversation() as conversation:
            conversation.expect("GET", "/storage/list", params={"filters[name]": "x"}, answer={"data": []})
            with pytest.raises(requests.exceptions.ConnectionError):
                call()


@pytest.mark.parametrize("body, headers", [
    ({"name": "web", "extra": 1}, HEADERS),
    ({"name": "other"}, HEADERS),
    ({"name": "web"}, dict(HEADERS, Accept="text/html")),
], ids=["extra-key", "other-value", "accept"])
def test_a_write_that_differs_does_not_match(body, headers):
    with pytest.raises(AssertionError):
        with ApiConversation() as conversation:
            conversation.expect("POST", "/backup/create", sends={"name": "web"}, answer={"data": {}})
            with pytest.raises(requests.exceptions.ConnectionError):
                requests.post(API_URL + "/backup/create", json=body, headers=headers, timeout=5)
