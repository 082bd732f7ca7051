# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.simplebackups.simplebackups.plugins.modules import simplebackups_team
from ansible_collections.simplebackups.simplebackups.tests.unit.helpers import TOKEN, team, teams


def args(**params):
    values = dict(api_token=TOKEN)
    values.update(params)
    return values


def run(run_module, check_mode=False, **params):
    return run_module(simplebackups_team.main, args(**params), check_mode=check_mode, diff=True)


def test_already_current_by_name_is_one_read(api, run_module):
    api.expect("GET", "/team/current", answer={"data": team(1)})
    result = run(run_module, name="ACME Inc")
    assert not result.failed, result
    assert result["changed"] is False
    assert result["team"] == team(1)
    assert result["previous_team"] == team(1)
    assert result["diff"] == {"before": {"id": 1, "name": "ACME Inc"}, "after": {"id": 1, "name": "ACME Inc"}}


def test_already_current_by_id_is_one_read(api, run_module):
    api.expect("GET", "/team/current", answer={"data": dict(team(2), id="2")})
    result = run(run_module, id=2)
    assert not result.failed, result
    assert result["changed"] is False
    assert result["team"]["name"] == "Jim Doe's Team"


def test_switch_by_name(api, run_module):
    api.expect("GET", "/team/current", answer={"data": team(1)})
    api.expect("GET", "/team/list", answer={"data": teams()})
    api.expect("PATCH", "/team/3/switch", sends={}, status=204)
    api.expect("GET", "/team/current", answer={"data": team(3)})
    result = run(run_module, name="Smart Agency Inc")
    assert not result.failed, result
    assert result["changed"] is True
    assert result["team"] == team(3)
    assert result["previous_team"] == team(1)
    assert result["diff"] == {"before": {"id": 1, "name": "ACME Inc"},
                              "after": {"id": 3, "name": "Smart Agency Inc"}}


def test_switch_by_id(api, run_module):
    api.expect("GET", "/team/current", answer={"data": team(1)})
    api.expect("GET", "/team/list", answer={"data": teams()})
    api.expect("PATCH", "/team/2/switch", sends={}, status=204)
    api.expect("GET", "/team/current", answer={"data": team(2)})
    result = run(run_module, id=2)
    assert not result.failed, result
    assert result["changed"] is True
    assert result["team"] == team(2)


def test_switch_answered_500_after_commit_reads_back_and_succeeds(api, run_module):
    api.expect("GET", "/team/current", answer={"data": team(1)})
    api.expect("GET", "/team/list", answer={"data": teams()})
    api.expect("PATCH", "/team/3/switch", sends={}, status=500, answer="<html>Server Error</html>")
    api.expect("GET", "/team/current", answer={"data": team(3)})
    result = run(run_module, name="Smart Agency Inc")
    assert not result.failed, result
    assert result["changed"] is True
    assert result["team"] == team(3)
    assert result["recovered_from"]["status"] == 500


def test_switch_answered_500_without_commit_fails_after_one_read(api, run_module):
    api.expect("GET", "/team/current", answer={"data": team(1)})
    api.expect("GET", "/team/list", answer={"data": teams()})
    api.expect("PATCH", "/team/3/switch", sends={}, status=503, answer="<html>Unavailable</html>")
    api.expect("GET", "/team/current", answer={"data": team(1)})
    result = run(run_module, name="Smart Agency Inc")
    assert result.failed
    assert "PATCH /team/3/switch failed with HTTP 503" in result["msg"]
    assert result["failure"]["maybe_committed"] is True


def test_check_mode_switch_sends_no_patch(api, run_module):
    api.expect("GET", "/team/current", answer={"data": team(1)})
    api.expect("GET", "/team/list", answer={"data": teams()})
    result = run(run_module, check_mode=True, name="Smart Agency Inc")
    assert not result.failed, result
    assert result["changed"] is True
    assert result["team"] == team(3)
    assert result["previous_team"] == team(1)
    assert result["diff"]["after"] == {"id": 3, "name": "Smart Agency Inc"}


def test_unknown_name_fails_listing_the_teams(api, run_module):
    api.expect("GET", "/team/current", answer={"data": team(1)})
    api.expect("GET", "/team/list", answer={"data": teams()})
    result = run(run_module, name="Smart Agency")
    assert result.failed
    assert "no team named 'Smart Agency'" in result["msg"]
    for t in teams():
        assert "%s (id %s)" % (t["name"], t["id"]) in result["msg"]


def test_unknown_id_fails(api, run_module):
    api.expect("GET", "/team/current", answer={"data": team(1)})
    api.expect("GET", "/team/list", answer={"data": teams()})
    result = run(run_module, id=9)
    assert result.failed
    assert "no team with id 9" in result["msg"]


def test_duplicate_team_names_fail_listing_ids(api, run_module):
    twins = teams() + [dict(team(3), id=7)]
    api.expect("GET", "/team/current", answer={"data": team(1)})
    api.expect("GET", "/team/list", answer={"data": twins})
    result = run(run_module, name="Smart Agency Inc")
    assert result.failed
    assert "ids 3, 7" in result["msg"]


def test_name_and_id_together_is_an_argument_error(api, run_module):
    result = run(run_module, name="ACME Inc", id=1)
    assert result.failed
    assert "mutually exclusive" in result["msg"]


def test_neither_name_nor_id_is_an_argument_error(api, run_module):
    result = run(run_module)
    assert result.failed
    assert "one of the following is required" in result["msg"]


def test_concurrent_switch_is_detected(api, run_module):
    api.expect("GET", "/team/current", answer={"data": team(1)})
    api.expect("GET", "/team/list", answer={"data": teams()})
    api.expect("PATCH", "/team/3/switch", sends={}, status=204)
    api.expect("GET", "/team/current", answer={"data": team(2)})
    result = run(run_module, name="Smart Agency Inc")
    assert result.failed
    assert "another client switched teams" in result["msg"]


def test_switch_refused_fails_with_api_words(api, run_module):
    api.expect("GET", "/team/current", answer={"data": team(1)})
    api.expect("GET", "/team/list", answer={"data": teams()})
    api.expect("PATCH", "/team/3/switch", sends={}, status=404,
               answer={"success": False, "message": "Team not found.", "errors": [], "data": []})
    result = run(run_module, name="Smart Agency Inc")
    assert result.failed
    assert result["msg"] == "PATCH /team/3/switch failed with HTTP 404: Team not found."
    assert result["failure"]["status"] == 404


def test_current_team_without_object_fails(api, run_module):
    api.expect("GET", "/team/current", answer={"data": []})
    result = run(run_module, name="ACME Inc")
    assert result.failed
    assert "without a team object" in result["msg"]
