# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The connection fragments: a group's own fragment and the shared one document its argument spec together.

Ansible merges fragments option by option and, within an option, key by key (the first fragment listed wins a
key both give, and a ``description`` is never joined). So each key of an option comes from one fragment only,
and the two together say exactly what the group's argument spec says.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib

import pytest
import yaml

from ansible_collections.collab.uc.plugins.module_utils.connection._connection import GROUPS

SPEC_KEYS = ('type', 'required', 'default', 'choices', 'aliases')


def fragment(name):
    """The DOCUMENTATION of fragment ``collab.uc.<name>``, parsed."""
    module = importlib.import_module('ansible_collections.collab.uc.plugins.doc_fragments.' + name.split('.')[-1])
    return yaml.safe_load(module.ModuleDocFragment.DOCUMENTATION)


def merged(group):
    """The options of ``group`` as a module extending its two fragments sees them; fails on a key given twice."""
    own, shared = fragment(group.doc_fragment)['options'], fragment(group.shared_fragment)['options']
    options = {}
    for name in set(own) | set(shared):
        twice = set(own.get(name, {})) & set(shared.get(name, {}))
        assert not twice, '%s: %s given by both %s and %s' % (
            name, sorted(twice), group.doc_fragment, group.shared_fragment)
        options[name] = dict(shared.get(name, {}), **own.get(name, {}))
    return options


@pytest.mark.parametrize('name', sorted(GROUPS))
def test_the_two_fragments_of_a_group_document_its_spec_exactly(name):
    group = GROUPS[name]()
    spec, docs = group.argument_spec(), merged(group)
    assert sorted(docs) == sorted(spec)
    for option, option_spec in spec.items():
        documented = dict((key, docs[option][key]) for key in SPEC_KEYS if key in docs[option])
        expected = dict((key, option_spec[key]) for key in SPEC_KEYS if option_spec.get(key) not in (None, False))
        assert documented == expected, option
        assert docs[option].get('description'), option


@pytest.mark.parametrize('name', sorted(GROUPS))
def test_every_description_naming_an_environment_variable_names_the_groups_own(name):
    group = GROUPS[name]()
    for option, (spec, env_suffix) in group.options().items():
        text = ' '.join(merged(group)[option]['description'])
        if env_suffix:
            assert 'E(%s)' % group.env_name(env_suffix) in text, option
        assert 'E(' not in text.replace('E(%s)' % group.env_name(env_suffix or ''), ''), option


@pytest.mark.parametrize('shared', ['https_connection', 'ssh_connection'])
def test_a_shared_fragment_names_no_environment_variable_and_describes_only_what_is_alike(shared):
    options = fragment(shared)['options']
    groups = [group for group in (cls() for cls in GROUPS.values()) if group.shared_fragment == 'collab.uc.' + shared]
    assert len(groups) >= 2
    for option, doc in options.items():
        assert 'E(' not in ' '.join(doc.get('description', [])), option
        if 'description' in doc:  # documented alike for all: then no group has an environment variable for it
            assert all(group.options()[option][1] is None for group in groups), option
