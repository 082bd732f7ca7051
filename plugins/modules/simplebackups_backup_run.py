#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: simplebackups_backup_run
short_description: Run a SimpleBackups backup job now and wait for it
version_added: 1.0.0
description:
  - Starts a run of a backup job, given by O(name) or O(id), outside its schedule.
  - By default waits until the job has finished, reading the job activity, and fails when
    the job ends in error.
  - Every run that is started reports a change.
author:
  - SimpleBackups collection contributors (@simplebackups)
extends_documentation_fragment:
  - simplebackups.simplebackups.simplebackups
  - simplebackups.simplebackups.simplebackups.ACTIONGROUP
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The backup is looked up; nothing is run.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: all
options:
  name:
    description:
      - Name of the backup job to run. Exactly one of O(name) and O(id) is required.
    type: str
  id:
    description:
      - ID of the backup job to run.
    type: int
  wait:
    description:
      - Wait until the job has finished (C(success), or C(error), which fails the task).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the job to finish.
    type: int
    default: 1800
  poll_interval:
    description:
      - Seconds between two reads of the job's status. The API allows 60 requests a minute
        per token; keep this at several seconds when many jobs are awaited at once.
    type: int
    default: 10
seealso:
  - module: simplebackups.simplebackups.simplebackups_backup
  - module: simplebackups.simplebackups.simplebackups_stats_info
"""

EXAMPLES = r"""
- name: Take a backup before the upgrade and wait for it
  simplebackups.simplebackups.simplebackups_backup_run:
    api_token: "{{ simplebackups_api_token }}"
    name: web-01-mysql
    wait_timeout: 3600
  register: pre_upgrade

- name: Show the file it made
  ansible.builtin.debug:
    msg: "{{ pre_upgrade.job.filename }} ({{ pre_upgrade.job.filesize }} MB)"

- name: Start a run without waiting
  simplebackups.simplebackups.simplebackups_backup_run:
    api_token: "{{ simplebackups_api_token }}"
    id: 189
    wait: false
"""

RETURN = r"""
job:
  description: The job of the run, as last read.
  returned: when a run was started (not in check mode)
  type: dict
  contains:
    id:
      description: Job ID.
      type: int
      sample: 9090909
    status:
      description: C(initiated), C(running), C(success) or C(error) (later C(rotated) once it is rotated out).
      type: str
      sample: success
    filename:
      description: Name of the backup file.
      type: str
      sample: simplebackups.io.file.b101010_20-01-27_000000.tar.gz
    filesize:
      description: Size of the backup file, once finished.
      type: str
      sample: "12.43"
    created_at:
      description: When the job was created.
      type: str
      sample: "2020-01-27 00:00:00"
    finished_at:
      description: When the job finished.
      type: str
      sample: "2020-01-27 00:00:12"
backup:
  description: ID and name of the backup job that was run.
  returned: success
  type: dict
  sample: {"id": 189, "name": "web-01-mysql"}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.simplebackups.simplebackups.plugins.module_utils.api import (
    simplebackups_argument_spec,
)
from ansible_collections.simplebackups.simplebackups.plugins.module_utils.resource import (
    SimpleBackupsModule,
    as_int,
)

FINAL = ("success", "error", "rotated")
JOB_FIELDS = ("id", "status", "filename", "filesize", "created_at", "finished_at", "type")


class SimpleBackupsRun(SimpleBackupsModule):

    def backup(self):
        params = self.module.params
        if params["id"] is not None:
            found = [b for b in self.list_objects("/backup/list", {"id": params["id"]})
                     if as_int(b.get("id")) == params["id"]]
            backup = found[0] if found else None
            label = "with id %s" % params["id"]
        else:
            backup = self.pick_by_name(self.list_objects("/backup/list", {"name": params["name"]}),
                                       params["name"], "backup")
            label = "named %r" % params["name"]
        if backup is None:
            self.fail("no backup job %s in the current team" % label)
        self.result["backup"] = dict(id=backup.get("id"), name=backup.get("name"))
        return backup

    def run_backup(self):
        backup = self.backup()
        if self.module.check_mode:
            self.result["changed"] = True
            return None
        # Starting a job is not safe to repeat: never resent after a 5xx or a drop.
        answer = self.write("GET", "/backup/%s/run" % backup["id"])
        job = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(job, dict) or job.get("id") is None:
            self.fail("GET /backup/%s/run answered without a job" % backup["id"])
        job = self.job_view(job)
        if self.module.params["wait"]:
            job = self.wait(backup, job)
        return job

    def wait(self, backup, job):
        params = self.module.params
        deadline = self.client.now() + params["wait_timeout"]
        while job.get("status") not in FINAL:
            if self.client.now() + params["poll_interval"] > deadline:
                self.result["job"] = job
                self.fail("backup %r: job %s is still %s after %s seconds; raise wait_timeout or set wait=false"
                          % (backup.get("name"), job["id"], job.get("status"), params["wait_timeout"]))
            self.client.sleep(params["poll_interval"])
            jobs = self.client.get_list("/stats/activity", params={
                "type": "backup", "resource_ids": str(backup["id"])})
            for candidate in jobs:
                if as_int(candidate.get("id")) == as_int(job["id"]):
                    # Activity items lack the run's filename and type: keep them.
                    job = dict(job, **self.job_view(candidate))
                    break
        if job["status"] == "error":
            self.result["job"] = job
            self.fail("backup %r: job %s ended in error" % (backup.get("name"), job["id"]))
        return job

    @staticmethod
    def job_view(job):
        return dict((key, job.get(key)) for key in JOB_FIELDS if key in job)


def main():
    argument_spec = simplebackups_argument_spec()
    argument_spec.update(
        name=dict(type="str"),
        id=dict(type="int"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
        poll_interval=dict(type="int", default=10),
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=[("name", "id")],
        required_one_of=[("name", "id")],
        supports_check_mode=True,
    )
    runner = SimpleBackupsRun(module, "job")
    job = runner.run(runner.run_backup)
    if job is None:
        runner.module.exit_json(**runner.result)
    runner.exit(job)


if __name__ == "__main__":
    main()
