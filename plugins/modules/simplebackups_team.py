#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: simplebackups_team
short_description: Switch the SimpleBackups account to a team
version_added: 1.0.0
description:
  - Makes a team the current team of the SimpleBackups account, selected by O(name) or O(id).
  - Does nothing when that team is already the current one.
  - B(The switch is account-wide and lasting.) Every later API request of the account is
    scoped to the new team, from any client that uses a token of the account (other
    playbooks, CI jobs, scripts and people using the API at the same time), until the next
    switch. Servers, backups and storages belong to one team, so the same playbook sees
    different objects before and after a switch.
  - Run team switches in one place (for example once, at the start of a play, with
    C(run_once)) and never from concurrent jobs that expect different teams.
author:
  - SimpleBackups collection contributors (@simplebackups)
extends_documentation_fragment:
  - simplebackups.simplebackups.simplebackups
  - simplebackups.simplebackups.simplebackups.ACTIONGROUP
attributes:
  check_mode:
    description: In check mode the team is looked up and the switch is predicted, not made.
    support: full
  diff_mode:
    description: The diff shows the current team before and after.
    support: full
options:
  name:
    description:
      - Name of the team to switch to, exactly as in the team list.
      - Fails when no team, or more than one team, has that name.
      - Exactly one of O(name) and O(id) is required.
    type: str
  id:
    description:
      - ID of the team to switch to.
      - Exactly one of O(name) and O(id) is required.
    type: int
seealso:
  - module: simplebackups.simplebackups.simplebackups_team_info
"""

EXAMPLES = r"""
- name: Work in the agency's team from here on
  simplebackups.simplebackups.simplebackups_team:
    api_token: "{{ simplebackups_api_token }}"
    name: Smart Agency Inc
  run_once: true

- name: Switch by id, the token coming from module_defaults
  module_defaults:
    group/simplebackups.simplebackups.simplebackups:
      api_token: "{{ simplebackups_api_token }}"
  block:
    - name: Switch to team 2
      simplebackups.simplebackups.simplebackups_team:
        id: 2
      register: switched

    - name: Say which team was current before
      ansible.builtin.debug:
        msg: "Switched from {{ switched.previous_team.name }} to {{ switched.team.name }}"
"""

RETURN = r"""
team:
  description: The current team after the task (in check mode, the team it would switch to).
  returned: success
  type: dict
  contains:
    id:
      description: Team ID.
      type: int
      sample: 3
    name:
      description: Team name.
      type: str
      sample: Smart Agency Inc
    owner_id:
      description: ID of the account that owns the team.
      type: int
      sample: 4
    timezone:
      description: Time zone of the team's schedules.
      type: str
      sample: UTC
    created_at:
      description: When the team was created.
      type: str
      sample: "2025-03-01T23:19:32.000000Z"
previous_team:
  description: The team that was current before the task, with the same fields as RV(team).
  returned: success
  type: dict
  sample:
    id: 1
    name: ACME Inc
    owner_id: 4
    timezone: UTC
    created_at: "2025-01-01T23:19:32.000000Z"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.simplebackups.simplebackups.plugins.module_utils.api import (
    SimpleBackupsAPIError,
    simplebackups_argument_spec,
)
from ansible_collections.simplebackups.simplebackups.plugins.module_utils.resource import (
    SimpleBackupsModule,
    as_int,
)


class SimpleBackupsTeam(SimpleBackupsModule):

    def switch(self):
        wanted_id = self.module.params["id"]
        wanted_name = self.module.params["name"]
        previous = self.current_team()
        self.result["previous_team"] = previous
        if self.is_wanted(previous, wanted_id, wanted_name):
            self.set_diff(previous, previous)
            return previous

        teams = self.client.get_list("/team/list")
        if wanted_id is not None:
            matches = [team for team in teams if as_int(team.get("id")) == wanted_id]
            target = matches[0] if matches else None
        else:
            target = self.pick_by_name(teams, wanted_name, "team")
        if target is None:
            self.fail("no team %s in this account; the account's teams are: %s"
                      % ("with id %s" % wanted_id if wanted_id is not None else "named %r" % wanted_name,
                         ", ".join("%s (id %s)" % (t.get("name"), t.get("id")) for t in teams) or "none"))

        self.set_diff(previous, target)
        if self.module.check_mode:
            self.result["changed"] = True
            return target
        uncertain = None
        try:
            self.write("PATCH", "/team/%s/switch" % target["id"], {})
        except SimpleBackupsAPIError as error:
            if not error.maybe_committed:
                raise
            # The switch may have happened before the failure: look before deciding.
            uncertain = error
        # The switch answers 204 without a body: read back what is current now.
        current = self.current_team()
        if uncertain is not None:
            if as_int(current.get("id")) != as_int(target["id"]):
                # Read back: the switch did not happen.
                self.result["changed"] = False
                raise uncertain
            self.result["recovered_from"] = uncertain.to_failure()
        if as_int(current.get("id")) != as_int(target["id"]):
            self.fail("switched to team %s (id %s) but the current team is now %s (id %s): another "
                      "client switched teams at the same time" % (target.get("name"), target["id"],
                                                                  current.get("name"), current.get("id")))
        self.set_diff(previous, current)
        return current

    def current_team(self):
        answer = self.client.get("/team/current")
        team = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(team, dict):
            self.fail("GET /team/current answered without a team object")
        return team

    @staticmethod
    def is_wanted(team, wanted_id, wanted_name):
        if wanted_id is not None:
            return as_int(team.get("id")) == wanted_id
        return team.get("name") == wanted_name

    def set_diff(self, before, after):
        if self.module._diff:
            self.result["diff"] = dict(
                before=dict(id=before.get("id"), name=before.get("name")),
                after=dict(id=after.get("id"), name=after.get("name")),
            )


def main():
    argument_spec = simplebackups_argument_spec()
    argument_spec.update(
        name=dict(type="str"),
        id=dict(type="int"),
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=[("name", "id")],
        required_one_of=[("name", "id")],
        supports_check_mode=True,
    )
    team = SimpleBackupsTeam(module, "team")
    team.exit(team.run(team.switch))


if __name__ == "__main__":
    main()
