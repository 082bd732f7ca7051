#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: simplebackups_storage_info
short_description: List the storages of the current SimpleBackups team
version_added: 1.0.0
description:
  - Returns the storage providers (S3, Backblaze, SimpleStorage...) of the account's current
    team, optionally filtered by name and status.
  - Storages are created in the SimpleBackups dashboard; the API only lists them. Use this
    module to find the ID of the storage a backup sends its files to.
author:
  - SimpleBackups collection contributors (@simplebackups)
extends_documentation_fragment:
  - simplebackups.simplebackups.simplebackups
  - simplebackups.simplebackups.simplebackups.ACTIONGROUP
  - ansible.builtin.action_common_attributes
  - simplebackups.simplebackups.simplebackups.INFO_MODULE
options:
  name:
    description:
      - Only the storage whose name is exactly this.
      - The API matches names partially; this module keeps exact matches only, so the
        result has one element, or none, unless several storages share the name.
    type: str
  status:
    description:
      - Only storages with this status, V(1) (active) or V(0) (inactive).
    type: int
    choices: [0, 1]
seealso:
  - module: simplebackups.simplebackups.simplebackups_team
"""

EXAMPLES = r"""
- name: List every storage of the current team
  simplebackups.simplebackups.simplebackups_storage_info:
    api_token: "{{ simplebackups_api_token }}"
  register: all_storages

- name: Find the ID of one storage by its name
  simplebackups.simplebackups.simplebackups_storage_info:
    api_token: "{{ simplebackups_api_token }}"
    name: AWS S3
  register: s3

- name: Fail early when that storage does not exist
  ansible.builtin.assert:
    that: s3.storages | length == 1
    fail_msg: No storage named 'AWS S3' in the current team

- name: Only the active storages
  simplebackups.simplebackups.simplebackups_storage_info:
    api_token: "{{ simplebackups_api_token }}"
    status: 1
  register: active
"""

RETURN = r"""
storages:
  description: The storages that match, in the order the API lists them.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Storage ID, what backups take as C(storage_id).
      type: int
      sample: 96
    name:
      description: Storage name.
      type: str
      sample: AWS S3
    type:
      description: Storage provider.
      type: str
      sample: s3
    status:
      description: V(1) active, V(0) inactive.
      type: int
      sample: 1
    created_at:
      description: When the storage was added.
      type: str
      sample: "2025-01-01T00:06:43.000000Z"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.simplebackups.simplebackups.plugins.module_utils.api import (
    simplebackups_argument_spec,
)
from ansible_collections.simplebackups.simplebackups.plugins.module_utils.resource import (
    SimpleBackupsInfo,
)


def main():
    argument_spec = simplebackups_argument_spec()
    argument_spec.update(
        name=dict(type="str"),
        status=dict(type="int", choices=[0, 1]),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    SimpleBackupsInfo(
        module, "storages", "/storage/list",
        filters=dict(name="name", status="status"),
    ).info()


if __name__ == "__main__":
    main()
