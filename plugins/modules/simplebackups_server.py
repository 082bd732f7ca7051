#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: simplebackups_server
short_description: Add, remove and validate SimpleBackups servers
version_added: 1.0.0
description:
  - Ensures a server (a host SimpleBackups connects to over SSH to take backups) is present
    in the current team, or absent.
  - The server is identified by O(name), which must be unique in the team.
  - The API cannot update a server. When an existing server's O(host), O(port), O(user),
    O(connection_type), O(temp_directory) or O(project_id) differ from what is asked, the
    module fails listing the differences, unless O(recreate=true), which removes the server
    and adds it again (with a new key pair and a new C(install_command)).
  - For O(connection_type=ssh), the service generates a key pair when the server is added.
    Its public key must be authorised on the host, by running the C(install_command) returned
    on creation, before O(validate_connection) can succeed.
author:
  - SimpleBackups collection contributors (@simplebackups)
extends_documentation_fragment:
  - simplebackups.simplebackups.simplebackups
  - simplebackups.simplebackups.simplebackups.ACTIONGROUP
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Nothing is added or removed; O(validate_connection) still validates an existing server, which changes nothing.
  diff_mode:
    support: full
    details: The diff shows the managed fields, never O(password).
  platform:
    support: full
    platforms: all
options:
  name:
    description:
      - Name of the server; its identity in the team.
    type: str
    required: true
  state:
    description:
      - V(present) adds the server if it does not exist.
      - V(absent) removes it. The service queues removals; see O(wait). The server's backup
        jobs go with it; the module warns naming them (in check mode too), which costs one
        more read when there is a server to remove.
    type: str
    choices: [present, absent]
    default: present
  connection_type:
    description:
      - How SimpleBackups logs in to the server. V(ssh) with the key pair the service
        generates, V(password) with O(password).
      - Defaults to V(ssh) when the server is added. When unset, an existing server's is
        kept as it is.
    type: str
    choices: [ssh, password]
  host:
    description:
      - SSH host name or IP address of the server. Required to add a server.
    type: str
  port:
    description:
      - SSH port. Defaults to V(22) when the server is added. When unset, an existing
        server's is kept as it is.
    type: int
  user:
    description:
      - SSH user SimpleBackups logs in as. Required to add a server.
      - With O(connection_type=ssh) the C(install_command) must run as this user.
    type: str
  password:
    description:
      - SSH password. Required when O(connection_type=password); optional with V(ssh) for
        servers that want a password in addition to the key.
      - Write-only. The API never returns it, so it is not compared and a changed password
        is not detected; only sent when the server is added.
    type: str
  temp_directory:
    description:
      - Directory on the server, writable by O(user), for temporary files and the settings
        of SimpleBackups.
    type: str
  project_id:
    description:
      - ID of the SimpleBackups project the server belongs to.
    type: int
  recreate:
    description:
      - When the existing server differs from what is asked, remove it and add it again
        instead of failing.
      - The server is added again as it was, with what the task asks changed; what the task
        leaves unset (O(port), O(user), O(temp_directory), O(project_id)...) is kept. The API
        never returns O(password), so a password server needs O(password) to be recreated.
      - It gets a new ID, a new key pair and a new C(install_command), which must be run on
        the host again before O(validate_connection) can succeed.
      - The backup jobs of the removed server go with it (a backup's server cannot be changed);
        the module warns naming them. Register them again afterwards, as the
        C(simplebackups.simplebackups.simplebackups_host) role does.
    type: bool
    default: false
  validate_connection:
    description:
      - After the server is present, ask the service to log in to it, retrying until
        O(validate_timeout). Fails with the service's message if it never succeeds.
      - Validation changes nothing, so on its own it never reports a change.
    type: bool
    default: false
  validate_timeout:
    description:
      - Seconds to keep retrying O(validate_connection).
    type: int
    default: 60
  wait:
    description:
      - With O(state=absent), wait until the queued removal has completed and the server is
        gone from the list. Without it the server can still be listed for a couple of
        minutes after the task.
      - O(recreate=true) always waits, whatever this says, so that the server is not listed
        twice under one name.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for a removal to complete.
    type: int
    default: 300
  poll_interval:
    description:
      - Seconds between two reads while waiting or validating. The API allows 60 requests
        a minute, so keep it at a few seconds when many hosts run at once.
    type: int
    default: 5
notes:
  - >-
    RV(install_command) and RV(public_key) are only returned when the server is added, and
    RV(install_command) embeds a one-time secret. Register the result of this module with
    C(no_log: true) when the play's output is kept.
seealso:
  - module: simplebackups.simplebackups.simplebackups_server_info
  - module: simplebackups.simplebackups.simplebackups_backup
"""

EXAMPLES = r"""
- name: Add a server that SimpleBackups reaches with its own key
  simplebackups.simplebackups.simplebackups_server:
    api_token: "{{ simplebackups_api_token }}"
    name: web-01
    host: 203.0.113.10
    user: backup
    temp_directory: /home/backup
  register: web01
  no_log: true

# The install command authorises the key for the user that runs it: run it as the server's
# user. It is a "curl | bash" pipeline: pipefail makes a failed download fail the task.
- name: Authorise the service's key on the host (only when just added)
  ansible.builtin.shell:
    cmd: "set -o pipefail && {{ web01.install_command }}"
    executable: /bin/bash
  delegate_to: web-01
  become: true
  become_user: backup
  when: web01.install_command is defined
  changed_when: true
  no_log: true

- name: Check that SimpleBackups can log in
  simplebackups.simplebackups.simplebackups_server:
    api_token: "{{ simplebackups_api_token }}"
    name: web-01
    host: 203.0.113.10
    user: backup
    temp_directory: /home/backup
    validate_connection: true
    validate_timeout: 120

- name: Add a server that logs in with a password
  simplebackups.simplebackups.simplebackups_server:
    api_token: "{{ simplebackups_api_token }}"
    name: legacy-db
    connection_type: password
    host: 198.51.100.7
    port: 2222
    user: root
    password: "{{ legacy_ssh_password }}"

- name: Remove a server and wait until it is gone
  simplebackups.simplebackups.simplebackups_server:
    api_token: "{{ simplebackups_api_token }}"
    name: legacy-db
    state: absent
"""

RETURN = r"""
server:
  description:
    - The server as the API lists it (in check mode, as it would be).
    - Empty when O(state=absent) and there was no such server.
  returned: always
  type: dict
  contains:
    id:
      description: Server ID, what backups take as C(server_id).
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
      description: Status of the server in SimpleBackups.
      type: int
      sample: 1
    public_key:
      description: Public key SimpleBackups logs in with (SSH servers).
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
      description: Project of the server, with C(id) and C(name), or null.
      type: dict
      sample: {"id": 5, "name": "project 03"}
removed_server:
  description:
    - The server that O(recreate=true) removed, as the API listed it, so that its
      C(public_key) can be revoked on the host (a removed server's key should no longer
      open it).
  returned: when the server was recreated (in check mode, the server that would be removed)
  type: dict
  sample: {"id": 78, "name": "web-01", "host": "203.0.113.10", "public_key": "ssh-ed25519 AAAAC3Nz... SB-WORKER-T007"}
install_command:
  description:
    - Shell command to run on the host, as O(user), to authorise the service's key.
    - B(A secret) - it embeds a one-time setup token. Only given when the server is added;
      the API never shows it again.
  returned: when the server was added (not in check mode)
  type: str
  sample: curl -sSL "https://my.simplebackups.io/api/setup/78/connect?token=34ee595255" | bash -s 1649068f-0593-4fc2-8bb4-6743f9fa767d
public_key:
  description: The service's public key for this server, to authorise it by other means.
  returned: when the server was added (not in check mode)
  type: str
  sample: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHq0+gix03if8Dn++p2POXO3c0a+crUmPcZFcxzXo6Hn SB-WORKER-T007
validation:
  description: What the service answered to the last connection validation.
  returned: when O(validate_connection=true) and the server exists
  type: dict
  contains:
    status:
      description: Whether the service could log in.
      type: bool
      sample: true
    message:
      description: The service's message, empty on success.
      type: str
      sample: ""
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.simplebackups.simplebackups.plugins.module_utils.api import (
    SimpleBackupsAPIError,
    simplebackups_argument_spec,
)
from ansible_collections.simplebackups.simplebackups.plugins.module_utils.resource import (
    Field,
    SimpleBackupsResource,
    as_int,
    dig,
    put,
)

# There is no update endpoint: every field is fixed once the server is added.
FIELDS = [
    Field("name"),
    Field("connection_type", immutable=True),
    Field("host", immutable=True),
    Field("port", immutable=True, normalize=as_int),
    Field("user", immutable=True),
    Field("password", secret=True, update=False),
    Field("temp_directory", immutable=True),
    Field("project_id", api="project.id", immutable=True, normalize=as_int),
]


class SimpleBackupsServer(SimpleBackupsResource):

    def validate(self, current):
        if current is None:
            missing = [option for option in ("host", "user") if self.params.get(option) is None]
            if missing:
                self.fail("server %r does not exist yet and adding it needs %s"
                          % (self.params["name"], " and ".join(missing)))
            if self.params["connection_type"] == "password" and not self.params.get("password"):
                self.fail("connection_type=password needs password to add server %r" % self.params["name"])

    def update(self, obj):
        changes = self.differences(obj)
        if not changes:
            return obj
        listed = "; ".join("%s: %r -> %r" % (option, changes[option][0], changes[option][1])
                           for option in sorted(changes))
        if not self.params["recreate"]:
            self.fail("server %r (id %s) differs from what is asked (%s) and the API cannot update "
                      "servers: set recreate=true to remove and add it again (new key pair, new "
                      "install_command)" % (obj.get("name"), obj.get("id"), listed))
        # The server comes back as it is, with what was asked changed: the add needs the
        # whole definition, and what the task does not say is kept, not reset.
        body = self.readd_payload(obj)
        missing = [option for option in ("host", "user") if body.get(option) in (None, "")]
        if missing:
            self.fail("server %r (id %s) is listed without %s: set %s to recreate it"
                      % (obj.get("name"), obj.get("id"), " and ".join(missing), " and ".join(missing)))
        if body["connection_type"] == "password" and not self.params.get("password"):
            self.fail("server %r (id %s) logs in with a password, which the API never returns: "
                      "recreating it needs password" % (obj.get("name"), obj.get("id")))
        predicted = self.predict_readd(obj)
        self.set_diff(obj, predicted)
        self.result["removed_server"] = obj
        self.warn_backups_go(obj, recreating=True)
        if self.module.check_mode:
            self.result["changed"] = True
            return predicted
        # Lose nothing: whatever stops the recreate after the removal says what the removed
        # server was, so that it can be added again (a next run only knows the task's options).
        shown = dict((key, value) for key, value in body.items() if key != "password")
        self.delete(obj)
        self.wait_gone(obj, then="it must then be added again as %s" % shown)
        try:
            return self.add(body)
        except SimpleBackupsAPIError as error:
            self.fail_api(error, doing="server %r (id %s) was removed to be recreated, but adding it "
                                       "again failed; it was %s" % (obj.get("name"), obj["id"], shown))
        return None  # pragma: no cover - fail_api exits

    def readd_payload(self, obj):
        """The add request of a recreate: the existing server overlaid with what was asked."""
        body = self.merged_payload(obj, [f for f in self.fields if f.create], lambda field: True)
        body.setdefault("connection_type", "ssh")
        body.setdefault("port", 22)
        return body

    def predict_readd(self, obj):
        """The recreated server as check mode shows it: a new id and key, the rest as asked."""
        predicted = dict((key, value) for key, value in obj.items() if key not in ("public_key", "status"))
        predicted["id"] = None
        predicted.pop("created_at", None)
        for field in self.fields:
            value = self.wanted(field)
            if value is not None and not field.secret:
                put(predicted, field.api, value)
        return predicted

    def before_delete(self, obj):
        self.warn_backups_go(obj)

    def warn_backups_go(self, obj, recreating=False):
        """Say which backup jobs the removal of ``obj`` takes with it (one read)."""
        backups = [backup for backup in self.list_objects("/backup/list", {"server": obj["id"]})
                   if isinstance(backup, dict) and as_int(dig(backup, "server.id")[1]) == as_int(obj["id"])]
        if not backups:
            return
        verb = "would remove" if self.module.check_mode else "removes"
        listed = ", ".join("%s (id %s)" % (b.get("name"), b.get("id")) for b in backups)
        if recreating:
            self.module.warn(
                "recreating server %r %s server id %s and with it its %d backup job(s): %s. "
                "A backup's server cannot be changed, so register them again for the new server "
                "(the simplebackups_host role does)" % (obj.get("name"), verb, obj["id"], len(backups), listed))
        else:
            self.module.warn("removing server %r (id %s) %s its %d backup job(s) with it: %s"
                             % (obj.get("name"), obj["id"], verb, len(backups), listed))

    def create(self):
        self.set_diff(None, self.predict())
        if self.module.check_mode:
            self.result["changed"] = True
            return self.predict()
        return self.add(self.create_payload())

    def create_payload(self):
        body = super(SimpleBackupsServer, self).create_payload()
        body.setdefault("connection_type", "ssh")
        body.setdefault("port", 22)
        return body

    def predict(self, obj=None):
        predicted = super(SimpleBackupsServer, self).predict(obj)
        if obj is None:
            predicted.setdefault("connection_type", "ssh")
            predicted.setdefault("port", 22)
        return predicted

    def add(self, body):
        answer, created = self.create_once(body)
        if created is not None:
            # The one-time install_command was lost with the answer; the listed public_key
            # can still be authorised.
            self.module.warn("the answer to adding server %r was lost, but the server was added: "
                             "its install_command is not available; authorise its public_key "
                             "on the host instead" % self.params["name"])
            if created.get("public_key"):
                self.result["public_key"] = created["public_key"]
            return created
        data = answer.get("data") if isinstance(answer, dict) else None
        data = data if isinstance(data, dict) else {}
        # Shown once, at creation; kept out of the server object so that it is not
        # mistaken for a field that a later read returns.
        for secret in ("install_command", "public_key"):
            if data.get(secret) is not None:
                self.result[secret] = data[secret]
        created = self.find()
        if created is None:
            self.fail("POST %s answered success but server %r is not in the list"
                      % (self.create_path, self.params["name"]))
        return created

    def delete(self, obj):
        super(SimpleBackupsServer, self).delete(obj)
        if self.params["state"] == "absent" and self.params["wait"]:
            self.wait_gone(obj)

    def wait_gone(self, obj, then=None):
        """Poll the list until the queued removal of ``obj`` is done (``then``: what is left to do)."""
        if not self.params["wait"] and self.params["state"] == "absent":
            return
        deadline = self.client.now() + self.params["wait_timeout"]
        while True:
            servers = self.list_objects(self.list_path)
            if not any(as_int(server.get("id")) == as_int(obj["id"]) for server in servers):
                return
            if self.client.now() >= deadline:
                self.fail("server %r (id %s) is still listed %s seconds after its removal was queued; %s"
                          % (obj.get("name"), obj["id"], self.params["wait_timeout"],
                             "raise wait_timeout; " + then if then else "raise wait_timeout or set wait=false"))
            self.client.sleep(self.params["poll_interval"])

    def after_present(self, obj):
        if not self.params["validate_connection"] or not obj or obj.get("id") is None:
            return obj
        deadline = self.client.now() + self.params["validate_timeout"]
        while True:
            answer = self.client.get("/server/%s/validate-connection" % obj["id"])
            data = answer.get("data") if isinstance(answer, dict) else None
            data = data if isinstance(data, dict) else {}
            validation = dict(status=bool(data.get("status")), message=data.get("message") or "")
            self.result["validation"] = validation
            if validation["status"]:
                return obj
            if self.client.now() + self.params["poll_interval"] > deadline:
                self.fail("SimpleBackups could not connect to server %r (id %s) within %s seconds: %s"
                          % (obj.get("name"), obj["id"], self.params["validate_timeout"],
                             validation["message"] or "no reason given"))
            self.client.sleep(self.params["poll_interval"])


def main():
    argument_spec = simplebackups_argument_spec()
    argument_spec.update(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        connection_type=dict(type="str", choices=["ssh", "password"]),
        host=dict(type="str"),
        port=dict(type="int"),
        user=dict(type="str"),
        password=dict(type="str", no_log=True),
        temp_directory=dict(type="str"),
        project_id=dict(type="int"),
        recreate=dict(type="bool", default=False),
        validate_connection=dict(type="bool", default=False),
        validate_timeout=dict(type="int", default=60),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=300),
        poll_interval=dict(type="int", default=5),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    server = SimpleBackupsServer(
        module, resource="server", result_key="server",
        list_path="/server/list", create_path="/server/add",
        delete_path="/server/{id}/remove", fields=FIELDS, id_option=None,
    )
    if module.params["state"] == "present":
        server.present()
    else:
        server.absent()


if __name__ == "__main__":
    main()
