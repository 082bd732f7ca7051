#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: simplebackups_backup_info
short_description: List the backup jobs of the current SimpleBackups team
version_added: 1.0.0
description:
  - Returns the backup jobs of the account's current team, filtered as the API allows.
author:
  - SimpleBackups collection contributors (@simplebackups)
extends_documentation_fragment:
  - simplebackups.simplebackups.simplebackups
  - simplebackups.simplebackups.simplebackups.ACTIONGROUP
  - ansible.builtin.action_common_attributes
  - simplebackups.simplebackups.simplebackups.INFO_MODULE
options:
  id:
    description: Only the backup job with this ID.
    type: int
  name:
    description:
      - Only the backup job whose name is exactly this (the API matches partially; this
        module keeps exact matches).
    type: str
  status:
    description: Only active (V(1)) or paused (V(0)) jobs.
    type: int
    choices: [0, 1]
  type:
    description: Only jobs of this type.
    type: str
    choices: [db, file, full, sync, recipe]
  server:
    description: Only jobs running on the server with this ID.
    type: int
  storage:
    description: Only jobs sending to the storage with this ID.
    type: int
  reveal_trigger_url:
    description:
      - Return each job's C(trigger_url) as it is. It runs the job without any other
        credential, so it is masked by default.
    type: bool
    default: false
seealso:
  - module: simplebackups.simplebackups.simplebackups_backup
"""

EXAMPLES = r"""
- name: List every backup job
  simplebackups.simplebackups.simplebackups_backup_info:
    api_token: "{{ simplebackups_api_token }}"
  register: all_backups

- name: The paused database backups
  simplebackups.simplebackups.simplebackups_backup_info:
    api_token: "{{ simplebackups_api_token }}"
    type: db
    status: 0
  register: paused_db

- name: One job by exact name
  simplebackups.simplebackups.simplebackups_backup_info:
    api_token: "{{ simplebackups_api_token }}"
    name: web-01-files
  register: web_files
"""

RETURN = r"""
backups:
  description:
    - The backup jobs that match, with the fields of the API's backup object.
    - C(trigger_url) is masked unless O(reveal_trigger_url=true).
  returned: success
  type: list
  elements: dict
  sample:
    - id: 189
      name: web-01-files
      type: file
      server_id: 108
      storage_id: 96
      schedule: daily
      status: 1
      retention: 7
      file_path: /var/www
      storage: {"id": 96, "name": "AWS S3", "type": "s3"}
      server: {"id": 108, "name": "web-01", "connection_type": "ssh"}
      trigger_url: "https://my.simplebackups.io/api/backup/a1b02bad-bb03-4e98-9f46-3e04e1a8ada7/run?api_token=********"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.simplebackups.simplebackups.plugins.module_utils.api import (
    simplebackups_argument_spec,
)
from ansible_collections.simplebackups.simplebackups.plugins.module_utils.resource import (
    SimpleBackupsInfo,
    mask_trigger_url,
)


def main():
    argument_spec = simplebackups_argument_spec()
    argument_spec.update(
        id=dict(type="int"),
        name=dict(type="str"),
        status=dict(type="int", choices=[0, 1]),
        type=dict(type="str", choices=["db", "file", "full", "sync", "recipe"]),
        server=dict(type="int"),
        storage=dict(type="int"),
        reveal_trigger_url=dict(type="bool", default=False),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)

    SimpleBackupsInfo(
        module, "backups", "/backup/list",
        filters=dict((option, option) for option in ("id", "name", "status", "type", "server", "storage")),
        masker=None if module.params["reveal_trigger_url"] else mask_trigger_url,
    ).info()


if __name__ == "__main__":
    main()
