#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: simplebackups_team_info
short_description: List the teams of a SimpleBackups account and the current one
version_added: 1.0.0
description:
  - Returns every team the account belongs to and the team that is current, that is the
    team every other request of the account is scoped to.
author:
  - SimpleBackups collection contributors (@simplebackups)
extends_documentation_fragment:
  - simplebackups.simplebackups.simplebackups
  - simplebackups.simplebackups.simplebackups.ACTIONGROUP
  - ansible.builtin.action_common_attributes
  - simplebackups.simplebackups.simplebackups.INFO_MODULE
options: {}
seealso:
  - module: simplebackups.simplebackups.simplebackups_team
"""

EXAMPLES = r"""
- name: Read the account's teams
  simplebackups.simplebackups.simplebackups_team_info:
    api_token: "{{ simplebackups_api_token }}"
  register: teams

- name: Show which team the account works in
  ansible.builtin.debug:
    msg: "Current team: {{ teams.current_team.name }} of {{ teams.teams | map(attribute='name') | join(', ') }}"
"""

RETURN = r"""
teams:
  description: Every team of the account, as the API lists them.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Team ID.
      type: int
      sample: 1
    name:
      description: Team name.
      type: str
      sample: ACME Inc
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
      sample: "2025-01-01T23:19:32.000000Z"
current_team:
  description: The team the account currently works in, with the same fields as an item of RV(teams).
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
    simplebackups_argument_spec,
)
from ansible_collections.simplebackups.simplebackups.plugins.module_utils.resource import (
    SimpleBackupsModule,
)


class SimpleBackupsTeamInfo(SimpleBackupsModule):

    def read(self):
        teams = self.client.get_list("/team/list")
        answer = self.client.get("/team/current")
        current = answer.get("data") if isinstance(answer, dict) else None
        self.result["current_team"] = current
        return teams


def main():
    module = AnsibleModule(argument_spec=simplebackups_argument_spec(), supports_check_mode=True)
    info = SimpleBackupsTeamInfo(module, "teams")
    info.exit(info.run(info.read))


if __name__ == "__main__":
    main()
