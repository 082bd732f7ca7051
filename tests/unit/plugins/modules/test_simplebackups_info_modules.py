# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""simplebackups_team_info and simplebackups_storage_info."""

from __future__ import annotations

import pytest

from ansible_collections.simplebackups.simplebackups.plugins.modules import (
    simplebackups_storage_info,
    simplebackups_team_info,
)
from ansible_collections.simplebackups.simplebackups.tests.unit.helpers import (
    API_URL,
    TOKEN,
    storages,
    team,
    teams,
)


def args(**params):
    values = dict(api_token=TOKEN)
    values.update(params)
    return values


# -- simplebackups_team_info ------------------------------------------------------------------

@pytest.mark.parametrize("check_mode", [False, True], ids=["run", "check"])
def test_team_info_returns_teams_and_current_team(api, run_module, check_mode):
    api.expect("GET", "/team/list", answer={"data": teams()})
    api.expect("GET", "/team/current", answer={"data": team(2)})
    result = run_module(simplebackups_team_info.main, args(), check_mode=check_mode)
    assert not result.failed, result
    assert result["changed"] is False
    assert result["teams"] == teams()
    assert result["current_team"] == team(2)


def test_team_info_api_error_fails(api, run_module):
    api.expect("GET", "/team/list", status=401, answer={"message": "Unauthenticated."})
    result = run_module(simplebackups_team_info.main, args())
    assert result.failed
    assert result["msg"] == "GET /team/list failed with HTTP 401: Unauthenticated."
    assert result["failure"]["status"] == 401


# -- simplebackups_storage_info ----------------------------------------------------------------

def test_storage_info_without_filter(api, run_module):
    api.expect("GET", "/storage/list", answer={"data": storages()})
    result = run_module(simplebackups_storage_info.main, args())
    assert not result.failed, result
    assert result["changed"] is False
    assert result["storages"] == storages()


def test_storage_info_by_name_filters_and_keeps_exact_matches(api, run_module):
    s3 = [s for s in storages() if s["name"] == "AWS S3"]
    like_matches = s3 + [{"id": 97, "name": "AWS S3 archive", "type": "s3", "status": 1},
                         {"id": 98, "name": "aws s3", "type": "s3", "status": 1}]
    api.expect("GET", "/storage/list", params={"filters[name]": "AWS S3"}, answer={"data": like_matches})
    result = run_module(simplebackups_storage_info.main, args(name="AWS S3"))
    assert not result.failed, result
    assert result["storages"] == s3


def test_storage_info_unknown_name_is_empty(api, run_module):
    api.expect("GET", "/storage/list", params={"filters[name]": "nope"}, answer={"data": []})
    result = run_module(simplebackups_storage_info.main, args(name="nope"))
    assert not result.failed, result
    assert result["storages"] == []


@pytest.mark.parametrize("status", [1, 0])
def test_storage_info_by_status(api, run_module, status):
    matching = [s for s in storages() if s["status"] == status]
    api.expect("GET", "/storage/list", params={"filters[status]": str(status)}, answer={"data": matching})
    result = run_module(simplebackups_storage_info.main, args(status=status))
    assert not result.failed, result
    assert result["storages"] == matching


def test_storage_info_invalid_status_is_an_argument_error(api, run_module):
    result = run_module(simplebackups_storage_info.main, args(status=2))
    assert result.failed
    assert "status" in result["msg"]


def test_storage_info_follows_pages_keeping_filters(api, run_module):
    first = [{"id": 10 + i, "name": "backblaze-%d" % i, "type": "backblaze", "status": 1} for i in range(2)]
    second = [{"id": 20, "name": "backblaze-2", "type": "backblaze", "status": 1}]
    api.expect("GET", "/storage/list", params={"filters[status]": "1"}, answer={
        "data": first, "links": {"next": API_URL + "/storage/list?filters%5Bstatus%5D=1&page=2"},
        "meta": {"current_page": 1, "last_page": 2}})
    api.expect("GET", "/storage/list", params={"filters[status]": "1", "page": "2"}, answer={
        "data": second, "links": {"next": None}, "meta": {"current_page": 2, "last_page": 2}})
    result = run_module(simplebackups_storage_info.main, args(status=1))
    assert not result.failed, result
    assert result["storages"] == first + second
