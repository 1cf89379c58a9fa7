# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The result vocabulary of collab.uc modules (issue 19), checked against each module's own RETURN: every result has
``changes``, a list of entries in the one shape (``name``, ``action`` and only keys the module documents), and
``changed`` says the same; a module that talks to a system names it in ``host``.

``check_result(module, result, failed)`` is called by the module runners of the unit tests on every result, so every
module test checks it; ``module_of_caller()`` finds the module whose ``main()`` is running."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import inspect
import os

import yaml

from ansible_collections.collab.uc.plugins.module_utils.connection._module import ACTIONS

PACKAGE = 'ansible_collections.collab.uc.plugins.modules'
MODULES_DIR = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'modules')
MODULES = sorted(name[:-3] for name in os.listdir(MODULES_DIR) if name.endswith('.py') and name != '__init__.py')
# the first sentence of every module's RV(changes): the same in all of them
COMMON = ('What the task changed (in check mode, would change), one entry per change, in the order made; empty when '
          'nothing changed. Every module of collab.uc returns its changes under this key, in this shape.')


def load(name):
    return importlib.import_module('%s.%s' % (PACKAGE, name))


def documented(module):
    """The module's RETURN as data."""
    return yaml.safe_load(module.RETURN) or {}


def module_of_caller():
    """The collab.uc module whose code is on the stack (the one whose main() runs), or None."""
    for frame in inspect.stack():
        name = frame[0].f_globals.get('__name__', '')
        if name.startswith(PACKAGE + '.'):
            return load(name.rsplit('.', 1)[1])
    return None


def check_result(module, result, failed=False):
    """Assert that ``result`` (a result of ``module``) speaks the vocabulary its RETURN documents."""
    name = module.__name__.rsplit('.', 1)[1]
    doc = documented(module)
    assert 'changes' in result, '%s returned no changes: %s' % (name, sorted(result))
    changes = result['changes']
    assert isinstance(changes, list), '%s: changes is %r' % (name, changes)
    contains = doc['changes']['contains']
    choices = contains['action'].get('choices') or []
    for entry in changes:
        assert isinstance(entry, dict) and isinstance(entry.get('name'), str) and entry['name'], (name, entry)
        assert entry.get('action') in ACTIONS and entry['action'] in choices, (name, entry, choices)
        undocumented = set(entry) - set(contains)
        assert not undocumented, '%s: changes[] holds %s, which its RETURN does not document' % (name, undocumented)
    if failed:
        assert result.get('changed') or not changes, '%s failed with changes but changed false' % name
    else:
        assert result.get('changed', False) == bool(changes), '%s: changed %r, changes %r' % (
            name, result.get('changed'), changes)
        if 'host' in doc:
            assert isinstance(result.get('host'), str) and result['host'], '%s: host %r' % (name, result.get('host'))
