# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""meta/runtime.yml, module documentation and argument specs, for every module there is."""

from __future__ import annotations

import glob
import importlib
import os
import re

import pytest
import yaml
from packaging.specifiers import SpecifierSet

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.simplebackups.simplebackups.plugins.doc_fragments.simplebackups import ModuleDocFragment

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTION = "simplebackups.simplebackups"
GROUP = "simplebackups"
SHARED_FRAGMENT = "%s.simplebackups" % COLLECTION
ACTION_GROUP_FRAGMENT = "%s.simplebackups.ACTIONGROUP" % COLLECTION
MODULES = sorted(
    os.path.splitext(os.path.basename(path))[0]
    for path in glob.glob(os.path.join(ROOT, "plugins", "modules", "*.py"))
    if not os.path.basename(path).startswith("__")
)
# Options that carry a credential must be no_log (update_password is a choice, not a secret;
# backup_encryption_key is a public key).
SECRET_NAME = re.compile(r"^(?!update_).*(^|_)(token|password|passwd|psw|secret|connection_string)$")


def load_runtime():
    with open(os.path.join(ROOT, "meta", "runtime.yml")) as f:
        return yaml.safe_load(f)


def import_module(name):
    return importlib.import_module("ansible_collections.%s.plugins.modules.%s" % (COLLECTION, name))


def module_doc(name, part="DOCUMENTATION"):
    return yaml.safe_load(getattr(import_module(name), part))


def fragment(reference):
    """A fragment of this collection, by its reference in extends_documentation_fragment."""
    parts = reference[len(COLLECTION) + 1:].split(".")
    attribute = parts[1].upper() if len(parts) > 1 else "DOCUMENTATION"
    return yaml.safe_load(getattr(ModuleDocFragment, attribute))


def merged_doc(name):
    """The module's documentation with this collection's fragments merged in."""
    doc = module_doc(name)
    options = dict(doc.get("options") or {})
    attributes = dict(doc.get("attributes") or {})
    for reference in doc.get("extends_documentation_fragment") or []:
        if reference.startswith(COLLECTION + ".simplebackups"):
            part = fragment(reference)
            options.update(part.get("options") or {})
            for key, value in (part.get("attributes") or {}).items():
                attributes.setdefault(key, {}).update(value)
    return doc, options, attributes


class _SpecCaptured(Exception):
    pass


def argument_spec(name, monkeypatch):
    """The argument spec the module's main() really passes to AnsibleModule."""
    def capture(self, argument_spec, **kwargs):
        raise _SpecCaptured(argument_spec)

    monkeypatch.setattr(basic.AnsibleModule, "__init__", capture)
    with patch_module_args({}):
        with pytest.raises(_SpecCaptured) as caught:
            import_module(name).main()
    return caught.value.args[0]


# -- meta/runtime.yml --------------------------------------------------------------------------

def test_there_are_modules():
    assert "simplebackups_team" in MODULES
    assert "simplebackups_storage_info" in MODULES


def test_every_module_is_in_the_action_group():
    group = load_runtime()["action_groups"][GROUP]
    missing = [name for name in MODULES if name not in group and "%s.%s" % (COLLECTION, name) not in group]
    assert missing == [], "modules missing from action_groups.%s in meta/runtime.yml: %s" % (GROUP, missing)


def test_action_group_names_only_existing_modules():
    group = load_runtime()["action_groups"][GROUP]
    unknown = [name for name in group if name.split(".")[-1] not in MODULES]
    assert unknown == []


def test_requires_ansible_2_19_or_later():
    spec = SpecifierSet(load_runtime()["requires_ansible"])
    assert "2.19.0" in spec
    assert "2.21.5" in spec
    assert "2.18.99" not in spec


# -- documentation ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", MODULES)
@pytest.mark.parametrize("part", ["DOCUMENTATION", "EXAMPLES", "RETURN"])
def test_documentation_parts_are_yaml(name, part):
    parsed = module_doc(name, part)
    assert parsed, "%s.%s is empty" % (name, part)
    assert isinstance(parsed, dict if part != "EXAMPLES" else list)


@pytest.mark.parametrize("name", MODULES)
def test_documentation_names_the_module(name):
    assert module_doc(name)["module"] == name


@pytest.mark.parametrize("name", MODULES)
def test_documentation_extends_the_shared_fragments(name):
    fragments = module_doc(name).get("extends_documentation_fragment") or []
    assert SHARED_FRAGMENT in fragments
    assert ACTION_GROUP_FRAGMENT in fragments


@pytest.mark.parametrize("name", MODULES)
def test_documentation_documents_the_action_group(name):
    dummy, dummy2, attributes = merged_doc(name)
    action_group = attributes.get("action_group") or {}
    assert "%s.%s" % (COLLECTION, GROUP) in action_group.get("membership", [])
    assert action_group.get("support") == "full"
    assert "check_mode" in attributes and "diff_mode" in attributes


@pytest.mark.parametrize("name", MODULES)
def test_examples_use_the_fqcn(name):
    tasks = module_doc(name, "EXAMPLES")
    flat = []
    for task in tasks:
        flat.extend(task.get("block", [task]))
    assert any("%s.%s" % (COLLECTION, name) in task for task in flat)


# -- argument specs -------------------------------------------------------------------------

@pytest.mark.parametrize("name", MODULES)
def test_api_token_is_required_and_no_log(name, monkeypatch):
    spec = argument_spec(name, monkeypatch)
    assert spec["api_token"]["no_log"] is True
    assert spec["api_token"]["required"] is True


def _secret_options(spec, prefix=""):
    for option, details in spec.items():
        yield prefix + option, details
        if details.get("options"):
            yield from _secret_options(details["options"], prefix + option + ".")


@pytest.mark.parametrize("name", MODULES)
def test_credentials_are_no_log(name, monkeypatch):
    spec = argument_spec(name, monkeypatch)
    leaking = [option for option, details in _secret_options(spec)
               if SECRET_NAME.search(option.split(".")[-1]) and not details.get("no_log")]
    assert leaking == []


@pytest.mark.parametrize("name", MODULES)
def test_argument_spec_matches_documentation(name, monkeypatch):
    spec = argument_spec(name, monkeypatch)
    dummy, options, dummy2 = merged_doc(name)
    assert sorted(spec) == sorted(options)
    for option, details in spec.items():
        documented = options[option]
        assert details.get("type", "str") == documented.get("type", "str"), option
        assert details.get("default") == documented.get("default"), option
        assert details.get("choices") == documented.get("choices"), option
        assert bool(details.get("required")) == bool(documented.get("required")), option
