#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: simplebackups_stats_info
short_description: Read SimpleBackups job activity, resource logs, reports and schedules
version_added: 1.0.0
description:
  - Reads one of the statistics endpoints of the SimpleBackups API for the current team.
author:
  - SimpleBackups collection contributors (@simplebackups)
extends_documentation_fragment:
  - simplebackups.simplebackups.simplebackups
  - simplebackups.simplebackups.simplebackups.ACTIONGROUP
  - ansible.builtin.action_common_attributes
  - simplebackups.simplebackups.simplebackups.INFO_MODULE
options:
  report:
    description:
      - V(activity) lists jobs, newest first.
      - V(resource) lists resources with their job logs and next scheduled runs.
      - V(report) is the activity report (how many jobs ran, their outcome, storage use) of the period.
      - V(schedule) lists the next five scheduled runs of each resource.
    type: str
    choices: [activity, resource, report, schedule]
    required: true
  type:
    description:
      - Kind of resource to report on. Used by V(activity), V(resource) and V(schedule);
        ignored by V(report), which covers every kind.
    type: str
    choices: [backup, snapshot, cloudsync]
    default: backup
  date_from:
    description:
      - First day of the period, as V(YYYY-MM-DD). The API defaults to one month ago.
      - Not used by V(schedule).
    type: str
  date_to:
    description:
      - Last day of the period, as V(YYYY-MM-DD). The API defaults to now.
      - Not used by V(schedule).
    type: str
  resource_ids:
    description:
      - Only these resources (backup IDs when O(type=backup)). Not used by V(report).
    type: list
    elements: int
seealso:
  - module: simplebackups.simplebackups.simplebackups_backup_run
"""

EXAMPLES = r"""
- name: Jobs of the last week
  simplebackups.simplebackups.simplebackups_stats_info:
    api_token: "{{ simplebackups_api_token }}"
    report: activity
    date_from: "{{ '%Y-%m-%d' | strftime(now(utc=true).timestamp() - 7 * 86400) }}"
  register: activity

- name: The failed ones
  ansible.builtin.debug:
    msg: "{{ activity.stats | selectattr('status', 'equalto', 'error') | list }}"

- name: Next runs of two backups
  simplebackups.simplebackups.simplebackups_stats_info:
    api_token: "{{ simplebackups_api_token }}"
    report: schedule
    resource_ids: [189, 190]
  register: next_runs

- name: The activity report of January
  simplebackups.simplebackups.simplebackups_stats_info:
    api_token: "{{ simplebackups_api_token }}"
    report: report
    date_from: "2026-01-01"
    date_to: "2026-01-31"
  register: january
"""

RETURN = r"""
stats:
  description:
    - What the endpoint returned under C(data), all pages joined.
    - A list for V(activity), V(resource) and V(schedule); a dictionary for V(report).
  returned: success
  type: raw
  sample:
    - id: 9937389
      status: success
      filesize: "12.43"
      created_at: "2022-02-24 14:38:32"
      finished_at: "2022-02-24 14:38:34"
      backup: {"id": 13, "name": "long-lab-1095", "type": "file"}
"""

import datetime

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.simplebackups.simplebackups.plugins.module_utils.api import (
    simplebackups_argument_spec,
)
from ansible_collections.simplebackups.simplebackups.plugins.module_utils.resource import (
    SimpleBackupsModule,
)

USES_TYPE = ("activity", "resource", "schedule")
USES_DATES = ("activity", "resource", "report")
USES_IDS = ("activity", "resource", "schedule")


class SimpleBackupsStats(SimpleBackupsModule):

    def query(self):
        params = self.module.params
        report = params["report"]
        query = {}
        if report in USES_TYPE:
            query["type"] = params["type"]
        if report in USES_DATES:
            for option in ("date_from", "date_to"):
                if params[option] is not None:
                    query[option] = params[option]
        if report in USES_IDS and params["resource_ids"]:
            query["resource_ids"] = ",".join(str(i) for i in params["resource_ids"])
        path = "/stats/%s" % report
        if report == "report":
            answer = self.client.get(path, params=query or None)
            return answer.get("data") if isinstance(answer, dict) and "data" in answer else answer
        return self.client.get_list(path, params=query)

    def check(self):
        params = self.module.params
        problems = []
        for option in ("date_from", "date_to"):
            value = params[option]
            if value is None:
                continue
            if params["report"] not in USES_DATES:
                problems.append("%s is not used by report=%s" % (option, params["report"]))
                continue
            try:
                datetime.datetime.strptime(value, "%Y-%m-%d")
            except ValueError:
                problems.append("%s must be a date as YYYY-MM-DD, got %r" % (option, value))
        if params["resource_ids"] and params["report"] not in USES_IDS:
            problems.append("resource_ids is not used by report=report")
        if not problems and params["date_from"] and params["date_to"] and params["date_from"] > params["date_to"]:
            problems.append("date_from (%s) is after date_to (%s)" % (params["date_from"], params["date_to"]))
        if problems:
            self.fail("invalid options: %s" % "; ".join(problems))


def main():
    argument_spec = simplebackups_argument_spec()
    argument_spec.update(
        report=dict(type="str", required=True, choices=["activity", "resource", "report", "schedule"]),
        type=dict(type="str", choices=["backup", "snapshot", "cloudsync"], default="backup"),
        date_from=dict(type="str"),
        date_to=dict(type="str"),
        resource_ids=dict(type="list", elements="int"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    stats = SimpleBackupsStats(module, "stats")
    stats.check()
    stats.exit(stats.run(stats.query))


if __name__ == "__main__":
    main()
