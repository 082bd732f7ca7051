# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The configured base classes every module of the collection is built from.

A module describes its resource (paths, result key, identifying option, a table of fields)
and calls ``present()``, ``absent()`` or ``info()``; the base class does lookup, compare,
write, re-read, diff and check mode the same way everywhere.
"""

from __future__ import annotations

import copy
import re

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.simplebackups.simplebackups.plugins.module_utils.api import (
    SimpleBackupsAPIError,
    SimpleBackupsClient,
    redact,
)

MASK = "********"
_TRIGGER_TOKEN_RE = re.compile(r"(api_token=)[^&#]+")


class Field(object):
    """One managed option: where it sits in the API's object and in the request body.

    ``api`` is a dotted path into the API's object (``server.id``, ``flags.backup_is_incremental``);
    ``request`` the body key of create/update (``db_psw`` for ``db_password``). A ``secret`` is
    write-only: it is sent, never read back, never compared, never shown. An ``immutable`` field
    cannot change on an existing resource (``type`` of a backup). ``normalize`` makes the API's
    value and the option comparable (``"22"`` and ``22``).
    """

    def __init__(self, option, api=None, request=None, secret=False, immutable=False,
                 create=True, update=True, normalize=None, resend=False):
        self.option = option
        # A secret that every update must carry again when it is given (the API needs it
        # to accept the whole definition), whatever update_password says.
        self.resend = resend
        self.api = api or option
        self.request = request or option
        self.secret = secret
        self.immutable = immutable
        self.create = create
        self.update = update and not immutable
        self.normalize = normalize or _identity

    def read(self, obj):
        """(present, value) of this field in an API object."""
        return dig(obj, self.api)


def _identity(value):
    return value


def dig(tree, dotted):
    """(present, value) at a dotted path of nested dicts.

    A top-level key the object lacks is absent (the API does not carry it, so it is not
    compared). Below the top, a parent that is there but null, an empty PHP array (``[]``)
    or a dict without the key means the field is there and unset (``"project": null``,
    ``"flags": []``).
    """
    node = tree
    for depth, part in enumerate(dotted.split(".")):
        if depth and (node is None or node == [] or (isinstance(node, dict) and part not in node)):
            return True, None
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def nested(flat):
    """``{"meta.x": 1}`` as ``{"meta": {"x": 1}}``, for a diff a person reads."""
    tree = {}
    for key in sorted(flat):
        put(tree, key, flat[key])
    return tree


def put(tree, dotted, value):
    """Set a value at a dotted path of nested dicts, creating the dicts on the way."""
    parts = dotted.split(".")
    node = tree
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[parts[-1]] = value


def as_int(value):
    """Normalizer for numeric fields that the API sends as numbers or numeric strings."""
    if value is None or isinstance(value, bool):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def as_bool(value):
    """Normalizer for Laravel booleans (true/false, 1/0, "1"/"0", "true"/"false")."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on"):
        return True
    if isinstance(value, str) and value.lower() in ("0", "false", "no", "off", ""):
        return False
    return value


def mask_trigger_url(backup):
    """A backup object whose ``trigger_url`` no longer carries its token.

    The trigger URL runs the backup with no other credential: it is a secret.
    """
    url = backup.get("trigger_url") if isinstance(backup, dict) else None
    if not isinstance(url, str):
        return backup
    backup = dict(backup)
    backup["trigger_url"] = _TRIGGER_TOKEN_RE.sub(r"\1" + MASK, url)
    return backup


class SimpleBackupsModule(object):
    """What every module shares: the API client, the result and failing the right way."""

    def __init__(self, module, result_key):
        self.module = module
        self.result_key = result_key
        self.client = SimpleBackupsClient(module)
        self.result = dict(changed=False)

    def fail(self, msg, **kwargs):
        # Keep what the run already produced (a job, a one-time install_command...).
        details = dict(self.result)
        details.update(kwargs)
        self.module.fail_json(msg=redact(msg, (self.client.token,)), **details)

    def fail_api(self, error, doing=None):
        msg = to_native(error)
        if doing:
            msg = "%s: %s" % (doing, msg)
        self.fail(msg, failure=error.to_failure())

    def exit(self, value, **extra):
        self.result[self.result_key] = value
        self.result.update(extra)
        if self.client.rate_limited_seconds:
            self.result["rate_limited_seconds"] = round(self.client.rate_limited_seconds, 1)
        self.module.exit_json(**self.result)

    def write(self, method, path, body=None):
        """A request that changes something, never sent twice (also a GET: ``backup/{id}/run``).

        ``changed`` becomes true once it may have happened: after it succeeded, or when it
        failed in a way that may have committed it (a 5xx or a dropped connection after it was
        sent), never when the service refused it.
        """
        try:
            answer = self.client.request(method, path, body=body, safe=False)
        except SimpleBackupsAPIError as error:
            if error.maybe_committed:
                self.result["changed"] = True
            raise
        self.result["changed"] = True
        return answer

    def run(self, action, *args):
        """Call ``action`` and turn API errors into a failed task."""
        try:
            return action(*args)
        except SimpleBackupsAPIError as error:
            self.fail_api(error)
        return None  # pragma: no cover - fail_json exits

    def list_objects(self, path, filters=None, extra_params=None):
        """All objects of a list endpoint; ``filters`` become ``filters[key]=value``."""
        params = {}
        for key, value in (filters or {}).items():
            if value is not None:
                params["filters[%s]" % key] = value
        params.update(extra_params or {})
        return self.client.get_list(path, params=params or None)

    def pick_by_name(self, objects, name, resource, name_field="name"):
        """The one object whose name is exactly ``name``; fails listing ids when it is ambiguous.

        List filters on the service match partially (SQL LIKE), so only exact matches count.
        """
        matches = [obj for obj in objects if isinstance(obj, dict) and obj.get(name_field) == name]
        if len(matches) > 1:
            ids = ", ".join(str(obj.get("id")) for obj in matches)
            self.fail("%d %ss are named %r (ids %s); names must be unique to be used as identity: "
                      "rename one or select it by id" % (len(matches), resource, name, ids))
        return matches[0] if matches else None


class SimpleBackupsInfo(SimpleBackupsModule):
    """An info module: one list endpoint, optional server-side filters, exact-name narrowing."""

    def __init__(self, module, result_key, list_path, filters=None, name_option="name", masker=None):
        super(SimpleBackupsInfo, self).__init__(module, result_key)
        self.list_path = list_path
        self.filters = filters or {}
        self.name_option = name_option
        self.masker = masker

    def info(self):
        params = self.module.params
        filters = dict((api_key, params.get(option)) for option, api_key in self.filters.items())
        objects = self.run(self.list_objects, self.list_path, filters)
        name = params.get(self.name_option) if self.name_option else None
        if name is not None:
            objects = [obj for obj in objects if isinstance(obj, dict) and obj.get("name") == name]
        if self.masker:
            objects = [self.masker(obj) for obj in objects]
        self.exit(objects)


class SimpleBackupsResource(SimpleBackupsModule):
    """A resource with identity, state present/absent and a table of managed fields.

    Configured, not overridden: a module passes its paths and its ``fields`` table. Hooks exist
    for real quirks only (``validate``, ``mask``, ``after_present``).
    """

    def __init__(self, module, resource, result_key, list_path, create_path, update_path=None,
                 delete_path=None, delete_method="POST", fields=(), id_filter=None,
                 name_filter=None, id_option="id", name_option="name", update_secrets=False):
        super(SimpleBackupsResource, self).__init__(module, result_key)
        self.resource = resource
        self.list_path = list_path
        self.create_path = create_path
        self.update_path = update_path
        self.delete_path = delete_path
        self.delete_method = delete_method
        self.fields = list(fields)
        self.id_filter = id_filter
        self.name_filter = name_filter
        self.id_option = id_option
        self.name_option = name_option
        # Secrets are never returned by the API, so they can't be compared: they are sent on
        # create, and on update only when the module says so (update_password=always).
        self.update_secrets = update_secrets

    # -- reading -------------------------------------------------------------------------

    @property
    def params(self):
        return self.module.params

    def find(self):
        """The existing resource by id (when given) or by its unique name, or None."""
        wanted_id = self.params.get(self.id_option) if self.id_option else None
        if wanted_id is not None:
            filters = {self.id_filter: wanted_id} if self.id_filter else None
            objects = self.list_objects(self.list_path, filters)
            for obj in objects:
                if isinstance(obj, dict) and as_int(obj.get("id")) == as_int(wanted_id):
                    return obj
            return None
        name = self.params.get(self.name_option)
        filters = {self.name_filter: name} if self.name_filter else None
        return self.pick_by_name(self.list_objects(self.list_path, filters), name, self.resource)

    def extract(self, obj):
        """The managed, non-secret fields of an API object, keyed by option (diff material)."""
        state = {}
        if not obj:
            return state
        for field in self.fields:
            if field.secret:
                continue
            present, value = field.read(obj)
            if present:
                state[field.option] = field.normalize(value)
        return state

    def desired(self):
        """Options the user set (None means "leave as it is")."""
        return dict((f.option, self.wanted(f)) for f in self.fields if self.wanted(f) is not None)

    def wanted(self, field):
        """The value asked for a field (options with dots are suboptions), or None."""
        return dig(self.params, field.option)[1]

    def differences(self, obj):
        """{option: (current, wanted)} for set, non-secret options whose value differs.

        Only what the API's object carries is compared: an absent field is passed through.
        """
        changes = {}
        current = self.extract(obj)
        for field in self.fields:
            if field.secret or field.option not in current:
                continue
            wanted = self.wanted(field)
            if wanted is None:
                continue
            if field.normalize(wanted) != current[field.option]:
                changes[field.option] = (current[field.option], field.normalize(wanted))
        return changes

    # -- writing -------------------------------------------------------------------------

    def create_payload(self):
        body = {}
        for field in self.fields:
            value = self.wanted(field)
            if field.create and value is not None:
                put(body, field.request, value)
        return body

    def update_payload(self, obj):
        """The whole desired definition: what the resource has, overlaid with what was asked."""
        return self.merged_payload(obj, [f for f in self.fields if f.update],
                                   lambda field: self.update_secrets or field.resend)

    def merged_payload(self, obj, fields, send_secret):
        """A request body of ``fields``: the option when set, else the value ``obj`` has.

        Secrets are never read back; a given one is sent when ``send_secret(field)`` says so.
        """
        body = {}
        for field in fields:
            value = self.wanted(field)
            if field.secret:
                if value is not None and send_secret(field):
                    put(body, field.request, value)
                continue
            if value is None:
                # Sent back in the request's shape, not the read one (a secondary storage
                # is read with its storage object, sent as storage_id and storage_path).
                present, value = field.read(obj)
                value = field.normalize(value) if present else None
                if value is None:
                    continue
            put(body, field.request, value)
        return body

    def predict(self, obj=None):
        """The object as it will be after the write, for check mode (secrets left out)."""
        predicted = copy.deepcopy(obj) if obj else {"id": None}
        for field in self.fields:
            value = self.wanted(field)
            if value is None or field.secret or (obj and not field.update):
                continue
            put(predicted, field.api, value)
        return predicted

    def mask(self, obj):
        """Hook: hide secrets the API returns (trigger_url...). Default: the object as it is."""
        return obj

    def validate(self, current):
        """Hook: fail on requests the API would refuse or that can't be honoured."""

    def present(self):
        try:
            current = self.find()
            wanted_id = self.params.get(self.id_option) if self.id_option else None
            if current is None and wanted_id is not None:
                self.fail("no %s with id %s exists in the current team; leave %s unset to create one"
                          % (self.resource, wanted_id, self.id_option))
            self.validate(current)
            if current is None:
                result = self.create()
            else:
                result = self.update(current)
            result = self.after_present(result)
        except SimpleBackupsAPIError as error:
            self.fail_api(error)
        self.exit(self.mask(result) if result else result)

    def after_present(self, obj):
        """Hook: extra actions on a present resource (pause/resume, validation)."""
        return obj

    def create(self):
        self.set_diff(None, self.predict())
        if self.module.check_mode:
            self.result["changed"] = True
            return self.predict()
        answer, recovered = self.create_once(self.create_payload())
        return recovered if recovered is not None else self.reread(answer)

    def create_once(self, body):
        """POST the create, never twice: ``(answer, None)``, or ``(None, object)`` when the
        answer was lost but the read that follows finds what was created.

        After a failure that may have committed (5xx, a drop after sending) the resource is
        looked up before deciding, so a retried play never makes a duplicate; when it is not
        there, the failure stands and ``changed`` is what it was before this request.
        """
        changed_before = self.result["changed"]
        try:
            return self.write("POST", self.create_path, body), None
        except SimpleBackupsAPIError as error:
            if not error.maybe_committed:
                raise
            created = self.find()
            if created is None:
                self.result["changed"] = changed_before
                raise
            self.result["recovered_from"] = error.to_failure()
            return None, created

    def update(self, obj):
        changes = self.differences(obj)
        immutable = sorted(option for option in changes if self.field(option).immutable)
        if immutable:
            self.fail("%s %r: %s cannot be changed on an existing %s (%s); delete and recreate it instead"
                      % (self.resource, obj.get("name"), ", ".join(immutable), self.resource,
                         "; ".join("%s: %r -> %r" % (o, changes[o][0], changes[o][1]) for o in immutable)))
        if not changes and not self.secret_update_requested():
            return obj
        if self.update_path is None:
            self.fail("%s %r differs (%s) and the API cannot update a %s"
                      % (self.resource, obj.get("name"), ", ".join(sorted(changes)), self.resource))
        after = self.predict(obj)
        self.set_diff(obj, after)
        if self.module.check_mode:
            self.result["changed"] = True
            return after
        answer = self.write("PATCH", self.update_path.format(id=obj["id"]), self.update_payload(obj))
        return self.reread(answer)

    def secret_update_requested(self):
        return self.update_secrets and any(
            f.secret and f.update and self.wanted(f) is not None for f in self.fields)

    def absent(self):
        try:
            current = self.find()
            if current is not None:
                self.set_diff(current, None)
                self.before_delete(current)
                if self.module.check_mode:
                    self.result["changed"] = True
                else:
                    self.delete(current)
        except SimpleBackupsAPIError as error:
            self.fail_api(error)
        self.exit(self.mask(current) if current else {})

    def before_delete(self, obj):
        """Hook: say what a deletion takes with it (check mode included). Default: nothing."""

    def delete(self, obj):
        path = self.delete_path.format(id=obj["id"])
        try:
            self.write(self.delete_method, path, body={})
        except SimpleBackupsAPIError as error:
            # A 404 means somebody else deleted it first: the state wanted is reached, and
            # this run changed nothing.
            if error.status != 404:
                raise
            self.result.pop("diff", None)

    def reread(self, answer):
        """The resource after a write: the answer's object when it carries one, else a read."""
        data = answer.get("data") if isinstance(answer, dict) else None
        if isinstance(data, dict) and data.get("id") is not None:
            return data
        return self.find()

    def field(self, option):
        for field in self.fields:
            if field.option == option:
                return field
        raise KeyError(option)

    def set_diff(self, before_obj, after_obj):
        if not self.module._diff:
            return
        self.result["diff"] = dict(
            before=nested(self.extract(before_obj)) if before_obj else {},
            after=nested(self.extract(after_obj)) if after_obj else {},
        )
