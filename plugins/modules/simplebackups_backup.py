#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: simplebackups_backup
short_description: Manage SimpleBackups backup jobs
version_added: 1.0.0
description:
  - Creates, updates, pauses, resumes and deletes backup jobs of the current team. A backup
    job takes files (O(type=file)), a database (O(type=db)) or both (O(type=full)) from a
    server on a schedule, and sends them to a storage.
  - The job is identified by O(name), which must be unique in the team, or by O(id) (then
    O(name) is the name it should have, which renames it).
  - All the rules of the API are checked before any request is made, and the names of
    servers and storages are resolved to IDs.
  - O(type), the server and the storage of an existing backup cannot be changed (the API does
    not allow it); the module fails and says so. Delete and recreate the backup instead.
  - Updates send the whole definition (what the backup has, overlaid with the options set),
    as the API requires. Options left unset keep their current value.
  - Deleting a backup job keeps the backup files already on the storage.
author:
  - SimpleBackups collection contributors (@simplebackups)
extends_documentation_fragment:
  - simplebackups.simplebackups.simplebackups
  - simplebackups.simplebackups.simplebackups.ACTIONGROUP
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads, resolves and validates as usual; predicts the result without writing.
  diff_mode:
    support: full
    details: The diff shows the managed fields; secrets (passwords, connection strings, the trigger URL) are left out.
  platform:
    support: full
    platforms: all
options:
  name:
    description:
      - Name of the backup job; its identity in the team unless O(id) is given.
    type: str
    required: true
  id:
    description:
      - ID of an existing backup job. Use it to rename a job to O(name).
    type: int
  state:
    description:
      - Whether the backup job should exist.
    type: str
    choices: [present, absent]
    default: present
  paused:
    description:
      - V(true) pauses the schedule (the job can still be run on demand), V(false) resumes it.
      - Unset leaves it as it is. New jobs start active.
    type: bool
  type:
    description:
      - What is backed up. Required to create a job; cannot be changed afterwards.
    type: str
    choices: [full, file, db]
  server_id:
    description:
      - ID of the server the backup runs on. Required (or O(server)) to create a job; cannot be changed.
    type: int
  server:
    description:
      - Name of the server the backup runs on, instead of O(server_id).
    type: str
  storage_id:
    description:
      - ID of the storage the backup is sent to. Required (or O(storage)) to create a job; cannot be changed.
    type: int
  storage:
    description:
      - Name of the storage, instead of O(storage_id).
    type: str
  tunnel_server_id:
    description:
      - ID of a tunnel (bastion) server the database connection goes through. Set on creation only.
    type: int
  tunnel_server:
    description:
      - Name of the tunnel server, instead of O(tunnel_server_id).
    type: str
  storage_path:
    description:
      - Path under the storage where the backup files go, for example V(daily/db-backups).
    type: str
  project_id:
    description:
      - ID of the SimpleBackups project of the job.
    type: int
  db_type:
    description:
      - Database engine. With O(type=db) or O(type=full), required unless O(db_connection_string) is given.
    type: str
    choices: [MySQL, mongoDB, PostgreSQL]
  db_host:
    description:
      - Database host as seen from the server, for example V(127.0.0.1).
      - With O(type=db) or O(type=full), required unless O(db_connection_string) is given.
    type: str
  db_port:
    description:
      - Database port. With O(type=db) or O(type=full), required unless O(db_connection_string) is given.
    type: int
  db_user:
    description:
      - Database user.
    type: str
  db_password:
    description:
      - Database password, sent as C(db_psw).
      - Write-only, see O(update_password).
    type: str
  db_name:
    description:
      - Database name, or V(*) for every MySQL database.
      - With O(type=db) or O(type=full), required unless O(db_connection_string) is given.
    type: str
  db_connection_string:
    description:
      - Full database connection string, instead of the separate C(db_*) options.
      - Write-only. The API never returns it, so it is not compared; because the API needs
        the whole definition on update, it is sent with every update of the job.
    type: str
  file_path:
    description:
      - Path or paths to back up. Required with O(type=file) and O(type=full).
    type: str
  excluded_file_path:
    description:
      - Path or paths to leave out, for example V(/home/*/vendor).
    type: str
  schedule:
    description:
      - When the job runs. Required to create a job.
    type: str
    choices: [on-demand, twice-daily, hourly, daily, weekly, custom]
  schedule_cron:
    description:
      - Cron expression (five fields) when O(schedule=custom), for example V(0 23 * * 1-5).
    type: str
  retention:
    description:
      - Number of backups kept on the storage. Required to create a job.
    type: int
  meta:
    description:
      - Additional options of the backup. Unset suboptions keep their current value.
    type: dict
    suboptions:
      backup_is_incremental:
        description: Incremental file backups.
        type: bool
      backup_tar_donot_expand_symlinks:
        description: Do not follow symbolic links when archiving.
        type: bool
      backup_tar_no_compression:
        description: Do not compress the archive.
        type: bool
      backup_file_flatten_archive_contents:
        description: Flatten the directory structure inside the archive.
        type: bool
      backup_file_streaming:
        description: Stream files to the storage instead of archiving first.
        type: bool
      backup_tar_donot_ignore_failed_read:
        description: Fail the backup when a file cannot be read.
        type: bool
      backup_file_using_sudo:
        description: Read the files with sudo.
        type: bool
      backup_store_uncompressed_db:
        description: Store database dumps uncompressed.
        type: bool
      backup_is_incremental_database:
        description: Incremental database backups.
        type: bool
      backup_db_streaming:
        description: Stream the database dump to the storage.
        type: bool
      backup_db_dumpall_single:
        description: Dump all databases into a single file.
        type: bool
      backup_postgres_quick:
        description: Quick PostgreSQL dumps.
        type: bool
      backup_encryption_key:
        description:
          - RSA public key in PEM format to encrypt the backups with.
          - The API does not return it, so a changed key is only sent with O(update_password=always).
        type: str
  secondary_schedules:
    description:
      - Additional schedules of the job, each with its own retention.
      - Replaces the current list when set; V([]) removes them all.
    type: list
    elements: dict
    suboptions:
      schedule:
        description: When this schedule runs.
        type: str
        required: true
        choices: [on-demand, twice-daily, hourly, daily, weekly, custom]
      retention:
        description: Number of backups of this schedule kept.
        type: int
        required: true
      schedule_cron:
        description: Cron expression when O(secondary_schedules[].schedule=custom).
        type: str
  secondary_storages:
    description:
      - Additional storages the backup is copied to.
      - Replaces the current list when set; V([]) removes them all.
    type: list
    elements: dict
    suboptions:
      storage_id:
        description: ID of the storage.
        type: int
        required: true
      storage_path:
        description: Path under that storage.
        type: str
  update_password:
    description:
      - V(on_create) sends the write-only secrets (O(db_password), O(meta.backup_encryption_key))
        only when the job is created, since the API never returns them to compare.
      - V(always) sends them with an update every time, which then always reports a change.
    type: str
    choices: [on_create, always]
    default: on_create
  reveal_trigger_url:
    description:
      - The job's C(trigger_url) runs it without any other credential. It is returned masked
        unless this is V(true).
    type: bool
    default: false
seealso:
  - module: simplebackups.simplebackups.simplebackups_backup_info
  - module: simplebackups.simplebackups.simplebackups_backup_run
  - module: simplebackups.simplebackups.simplebackups_server
  - module: simplebackups.simplebackups.simplebackups_storage_info
"""

EXAMPLES = r"""
- name: Back up the web root every day, keeping a week
  simplebackups.simplebackups.simplebackups_backup:
    api_token: "{{ simplebackups_api_token }}"
    name: web-01-files
    type: file
    server: web-01
    storage: AWS S3
    file_path: /var/www
    excluded_file_path: /var/www/*/cache
    schedule: daily
    retention: 7

- name: A MySQL backup on weekdays at 23:00, streamed, also copied to a second storage
  simplebackups.simplebackups.simplebackups_backup:
    api_token: "{{ simplebackups_api_token }}"
    name: web-01-mysql
    type: db
    server: web-01
    storage: AWS S3
    db_type: MySQL
    db_host: 127.0.0.1
    db_port: 3306
    db_user: backup
    db_password: "{{ mysql_backup_password }}"
    db_name: "*"
    schedule: custom
    schedule_cron: "0 23 * * 1-5"
    retention: 14
    meta:
      backup_db_streaming: true
    secondary_storages:
      - storage_id: 145
        storage_path: monthly

- name: Pause a backup during maintenance
  simplebackups.simplebackups.simplebackups_backup:
    api_token: "{{ simplebackups_api_token }}"
    name: web-01-mysql
    paused: true

- name: Rename a backup job by its ID
  simplebackups.simplebackups.simplebackups_backup:
    api_token: "{{ simplebackups_api_token }}"
    id: 189
    name: web-01-mysql-nightly

- name: Delete a backup job (the files on the storage are kept)
  simplebackups.simplebackups.simplebackups_backup:
    api_token: "{{ simplebackups_api_token }}"
    name: web-01-files
    state: absent
"""

RETURN = r"""
backup:
  description:
    - The backup job as the API returns it (in check mode, as it would be).
    - C(trigger_url) is masked unless O(reveal_trigger_url=true). Database passwords and
      connection strings are never returned by the API.
    - Empty when O(state=absent) and there was no such job.
  returned: always
  type: dict
  sample:
    id: 189
    name: web-01-files
    type: file
    server_id: 108
    storage_id: 96
    schedule: daily
    schedule_cron: null
    status: 1
    retention: 7
    file_path: /var/www
    excluded_file_path: /var/www/*/cache
    storage: {"id": 96, "name": "AWS S3", "type": "s3"}
    server: {"id": 108, "name": "web-01", "connection_type": "ssh"}
    project: null
    flags: {"backup_is_incremental": false}
    trigger_url: "https://my.simplebackups.io/api/backup/a1b02bad-bb03-4e98-9f46-3e04e1a8ada7/run?api_token=********"
    secondary_schedules: []
    secondary_storages: []
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.simplebackups.simplebackups.plugins.module_utils.api import (
    simplebackups_argument_spec,
)
from ansible_collections.simplebackups.simplebackups.plugins.module_utils.resource import (
    Field,
    SimpleBackupsResource,
    as_bool,
    as_int,
    mask_trigger_url,
)

SCHEDULES = ["on-demand", "twice-daily", "hourly", "daily", "weekly", "custom"]
META_FLAGS = [
    "backup_is_incremental", "backup_tar_donot_expand_symlinks", "backup_tar_no_compression",
    "backup_file_flatten_archive_contents", "backup_file_streaming",
    "backup_tar_donot_ignore_failed_read", "backup_file_using_sudo",
    "backup_store_uncompressed_db", "backup_is_incremental_database", "backup_db_streaming",
    "backup_db_dumpall_single", "backup_postgres_quick",
]
DB_OPTIONS = ["db_type", "db_host", "db_port", "db_user", "db_password", "db_name", "db_connection_string"]
FILE_OPTIONS = ["file_path", "excluded_file_path"]


def _compact(item, keys, numeric):
    """A list item reduced to the keys that matter, None dropped, numbers as int."""
    result = {}
    for key in keys:
        value = item.get(key) if isinstance(item, dict) else None
        if value is None:
            continue
        result[key] = as_int(value) if key in numeric else value
    return result


def schedules_list(value):
    if value is None:
        return None
    return [_compact(item, ("schedule", "retention", "schedule_cron"), ("retention",)) for item in value]


def storages_list(value):
    if value is None:
        return None
    return [_compact(item, ("storage_id", "storage_path"), ("storage_id",)) for item in value]


FIELDS = [
    Field("name"),
    Field("type", immutable=True),
    Field("server_id", immutable=True, normalize=as_int),
    Field("storage_id", immutable=True, normalize=as_int),
    Field("tunnel_server_id", immutable=True, normalize=as_int),
    Field("storage_path"),
    Field("project_id", api="project.id", normalize=as_int),
    Field("db_type"),
    Field("db_host"),
    Field("db_port", normalize=as_int),
    Field("db_user"),
    Field("db_password", request="db_psw", secret=True),
    Field("db_name"),
    Field("db_connection_string", secret=True, resend=True),
    Field("file_path"),
    Field("excluded_file_path"),
    Field("schedule"),
    Field("schedule_cron"),
    Field("retention", normalize=as_int),
    Field("secondary_schedules", normalize=schedules_list),
    Field("secondary_storages", normalize=storages_list),
    Field("meta.backup_encryption_key", secret=True),
] + [Field("meta.%s" % flag, api="flags.%s" % flag, normalize=as_bool) for flag in META_FLAGS]


class SimpleBackupsBackup(SimpleBackupsResource):

    def __init__(self, module, **kwargs):
        super(SimpleBackupsBackup, self).__init__(module, **kwargs)
        self._servers = None

    # -- input rules, checked before any request ----------------------------------------

    def check_static_rules(self):
        """The reference's conditional rules that need nothing from the service."""
        params = self.params
        problems = []
        cron_fields = [("schedule", "schedule_cron", params)]
        for index, item in enumerate(params.get("secondary_schedules") or []):
            cron_fields.append(("secondary_schedules[%d].schedule" % index,
                                "secondary_schedules[%d].schedule_cron" % index, item))
        for schedule_option, cron_option, source in cron_fields:
            schedule = source.get(schedule_option.rsplit(".", 1)[-1])
            cron = source.get("schedule_cron")
            if schedule == "custom" and not cron:
                problems.append("%s=custom needs %s (a cron expression such as '0 23 * * 1-5')"
                                % (schedule_option, cron_option))
            if cron and schedule is not None and schedule != "custom":
                problems.append("%s is only used with %s=custom, not %s" % (cron_option, schedule_option, schedule))
            if cron and len(cron.split()) != 5:
                problems.append("%s must have five fields (minute hour day month weekday), got %r"
                                % (cron_option, cron))
        retentions = [("retention", params.get("retention"))]
        retentions.extend(("secondary_schedules[%d].retention" % index, item["retention"])
                          for index, item in enumerate(params.get("secondary_schedules") or []))
        for option, value in retentions:
            if value is not None and value < 1:
                problems.append("%s must be at least 1, got %s" % (option, value))
        if params.get("db_port") is not None and not 0 < params["db_port"] < 65536:
            problems.append("db_port must be a TCP port (1-65535), got %s" % params["db_port"])
        self.check_type_rules(params.get("type"), problems)
        if problems:
            self.fail("invalid options: %s" % "; ".join(problems))

    def check_type_rules(self, backup_type, problems):
        if backup_type == "file":
            given = [option for option in DB_OPTIONS if self.params.get(option) is not None]
            if given:
                problems.append("%s only apply to type db or full, not type=file" % ", ".join(given))
        if backup_type == "db":
            given = [option for option in FILE_OPTIONS if self.params.get(option) is not None]
            if given:
                problems.append("%s only apply to type file or full, not type=db" % ", ".join(given))

    def check_create_rules(self):
        params = self.params
        problems = []
        required = [("type", "type"), ("server", "server or server_id"), ("storage", "storage or storage_id"),
                    ("schedule", "schedule"), ("retention", "retention")]
        for key, label in required:
            if params.get(key) is None and params.get("%s_id" % key) is None:
                problems.append(label)
        backup_type = params.get("type")
        if backup_type in ("db", "full") and not params.get("db_connection_string"):
            problems.extend("%s (or db_connection_string) for type=%s" % (option, backup_type)
                            for option in ("db_type", "db_host", "db_port", "db_name")
                            if params.get(option) is None)
        if backup_type in ("file", "full") and params.get("file_path") is None:
            problems.append("file_path for type=%s" % backup_type)
        if problems:
            self.fail("backup %r does not exist yet; creating it needs %s"
                      % (params["name"], ", ".join(problems)))

    def validate(self, current):
        if current is None:
            self.check_create_rules()
        else:
            problems = []
            cron = self.params.get("schedule_cron")
            if cron and self.params.get("schedule") is None and current.get("schedule") != "custom":
                problems.append("schedule_cron is only used with schedule=custom, not %s (the schedule of "
                                "backup %r): set schedule=custom too" % (current.get("schedule"), current.get("name")))
            self.check_type_rules(current.get("type"), problems)
            if problems:
                self.fail("backup %r is of type %s: %s" % (current.get("name"), current.get("type"), "; ".join(problems)))
        self.resolve_references(current)

    def update_payload(self, obj):
        body = super(SimpleBackupsBackup, self).update_payload(obj)
        if body.get("schedule") != "custom":
            # A cron kept from an earlier custom schedule would contradict the new schedule.
            body.pop("schedule_cron", None)
        return body

    # -- names to IDs ----------------------------------------------------------------------

    def resolve_references(self, current):
        """Turn server/storage/tunnel_server names into IDs, reading only when needed."""
        params = self.params
        for option, path in (("server", "server"), ("storage", "storage")):
            name = params.get(option)
            if name is None:
                continue
            known = current.get(path) if current else None
            if isinstance(known, dict) and known.get("name") == name:
                params["%s_id" % option] = as_int(known.get("id"))
                continue
            params["%s_id" % option] = self.lookup_id(option, name)
        if params.get("tunnel_server") is not None:
            params["tunnel_server_id"] = self.lookup_id("tunnel_server", params["tunnel_server"])

    def lookup_id(self, option, name):
        if option == "storage":
            found = self.pick_by_name(self.list_objects("/storage/list", {"name": name}), name, "storage")
        else:
            if self._servers is None:
                self._servers = self.list_objects("/server/list")
            found = self.pick_by_name(self._servers, name, "server")
        if found is None:
            self.fail("%s: no %s named %r in the current team" % (option, "storage" if option == "storage" else "server", name))
        return as_int(found.get("id"))

    # -- pause / resume, masking, diff ---------------------------------------------------------

    def after_present(self, obj):
        wanted = self.params.get("paused")
        if wanted is None or not obj:
            return obj
        is_paused = as_int(obj.get("status")) == 0
        if obj.get("id") is not None and is_paused == wanted:
            return obj
        diff = self.result.get("diff")
        if self.module._diff:
            before = diff["before"] if diff else self.extract(obj)
            after = diff["after"] if diff else self.extract(obj)
            before.setdefault("paused", is_paused if obj.get("id") is not None else None)
            after["paused"] = wanted
            self.result["diff"] = dict(before=before, after=after)
        if self.module.check_mode or obj.get("id") is None:
            self.result["changed"] = True
            predicted = dict(obj)
            predicted["status"] = 0 if wanted else 1
            return predicted
        self.write("PATCH", "/backup/%s/%s" % (obj["id"], "pause" if wanted else "resume"), {})
        # pause/resume answer without the backup: read it back.
        return self.find_by_id(obj["id"])

    def find_by_id(self, backup_id):
        for obj in self.list_objects(self.list_path, {"id": backup_id}):
            if as_int(obj.get("id")) == as_int(backup_id):
                return obj
        self.fail("backup %s disappeared while being paused or resumed" % backup_id)
        return None

    def extract(self, obj):
        state = super(SimpleBackupsBackup, self).extract(obj)
        if obj and obj.get("status") is not None and obj.get("id") is not None:
            state["paused"] = as_int(obj.get("status")) == 0
        return state

    def mask(self, obj):
        return obj if self.params["reveal_trigger_url"] else mask_trigger_url(obj)


def main():
    argument_spec = simplebackups_argument_spec()
    meta_options = dict((flag, dict(type="bool")) for flag in META_FLAGS)
    meta_options["backup_encryption_key"] = dict(type="str", no_log=False)
    argument_spec.update(
        name=dict(type="str", required=True),
        id=dict(type="int"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        paused=dict(type="bool"),
        type=dict(type="str", choices=["full", "file", "db"]),
        server_id=dict(type="int"),
        server=dict(type="str"),
        storage_id=dict(type="int"),
        storage=dict(type="str"),
        tunnel_server_id=dict(type="int"),
        tunnel_server=dict(type="str"),
        storage_path=dict(type="str"),
        project_id=dict(type="int"),
        db_type=dict(type="str", choices=["MySQL", "mongoDB", "PostgreSQL"]),
        db_host=dict(type="str"),
        db_port=dict(type="int"),
        db_user=dict(type="str"),
        db_password=dict(type="str", no_log=True),
        db_name=dict(type="str"),
        db_connection_string=dict(type="str", no_log=True),
        file_path=dict(type="str"),
        excluded_file_path=dict(type="str"),
        schedule=dict(type="str", choices=SCHEDULES),
        schedule_cron=dict(type="str"),
        retention=dict(type="int"),
        meta=dict(type="dict", options=meta_options),
        secondary_schedules=dict(type="list", elements="dict", options=dict(
            schedule=dict(type="str", required=True, choices=SCHEDULES),
            retention=dict(type="int", required=True),
            schedule_cron=dict(type="str"),
        )),
        secondary_storages=dict(type="list", elements="dict", options=dict(
            storage_id=dict(type="int", required=True),
            storage_path=dict(type="str"),
        )),
        update_password=dict(type="str", choices=["on_create", "always"], default="on_create", no_log=False),
        reveal_trigger_url=dict(type="bool", default=False),
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=[
            ("server", "server_id"),
            ("storage", "storage_id"),
            ("tunnel_server", "tunnel_server_id"),
            ("db_connection_string", "db_host"),
            ("db_connection_string", "db_port"),
            ("db_connection_string", "db_user"),
            ("db_connection_string", "db_password"),
            ("db_connection_string", "db_name"),
        ],
        supports_check_mode=True,
    )
    backup = SimpleBackupsBackup(
        module, resource="backup", result_key="backup",
        list_path="/backup/list", create_path="/backup/create",
        update_path="/backup/{id}/update", delete_path="/backup/{id}/delete",
        fields=FIELDS, id_filter="id", name_filter="name",
        update_secrets=module.params["update_password"] == "always",
    )
    if module.params["state"] == "present":
        backup.check_static_rules()
        backup.present()
    else:
        backup.absent()


if __name__ == "__main__":
    main()
