#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: simplebackups_server_info
short_description: List the servers of the current SimpleBackups team
version_added: 1.0.0
description:
  - Returns the servers of the account's current team, or the one with a given name.
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
      - Only the server whose name is exactly this.
    type: str
seealso:
  - module: simplebackups.simplebackups.simplebackups_server
"""

EXAMPLES = r"""
- name: List every server of the current team
  simplebackups.simplebackups.simplebackups_server_info:
    api_token: "{{ simplebackups_api_token }}"
  register: all_servers

- name: Find one server by name
  simplebackups.simplebackups.simplebackups_server_info:
    api_token: "{{ simplebackups_api_token }}"
    name: web-01
  register: web01

- name: Show its ID
  ansible.builtin.debug:
    msg: "web-01 has ID {{ web01.servers[0].id }}"
  when: web01.servers | length == 1
"""

RETURN = r"""
servers:
  description: The servers that match, as the API lists them (never a password or install command).
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Server ID.
      type: int
      sample: 78
    name:
      description: Server name.
      type: str
      sample: web-01
    host:
      description: SSH host.
      type: str
      sample: 203.0.113.10
    port:
      description: SSH port.
      type: int
      sample: 22
    user:
      description: SSH user.
      type: str
      sample: backup
    connection_type:
      description: V(ssh) or V(password).
      type: str
      sample: ssh
    status:
      description: Status of the server.
      type: int
      sample: 1
    public_key:
      description: Public key SimpleBackups logs in with.
      type: str
      sample: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHq0+gix03if8Dn++p2POXO3c0a+crUmPcZFcxzXo6Hn SB-WORKER-T007
    temp_directory:
      description: Directory for temporary files on the server.
      type: str
      sample: /home/backup
    created_at:
      description: When the server was added.
      type: str
      sample: "2025-01-01T00:06:43.000000Z"
    project:
      description: Project of the server, or null.
      type: dict
      sample: {"id": 5, "name": "project 03"}
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
    argument_spec.update(name=dict(type="str"))
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    # server/list documents no filters: the name is matched here.
    SimpleBackupsInfo(module, "servers", "/server/list").info()


if __name__ == "__main__":
    main()
