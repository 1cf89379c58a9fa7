# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run a CUCM module's ``main()`` in-process against a fake session and capture its result as an ``Outcome``: the one
module runner (``module_runner``: its arguments, its exit caught and checked against the result vocabulary the module
documents), with the CUCM connection options, the session the module opens replaced by ``fake``, and its warnings."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule
from ansible_collections.collab.uc.tests.unit.plugins.modules.module_runner import Exit, catch_exit, patch_module_args

CUCM = dict(host='cucm.example.com', username='axladmin', password='s3cret-Pa55')


class Outcome:
    def __init__(self, failed, result, warnings, sessions):
        self.failed = failed
        self.result = result
        self.warnings = warnings
        self.sessions = sessions

    def __getitem__(self, key):
        return self.result[key]

    def get(self, key, default=None):
        return self.result.get(key, default)


def run_module(main, args, monkeypatch, fake, check_mode=False, diff=False, connection=True):
    """Run ``main`` with ``args`` (plus CUCM connection options) against ``fake``; return an ``Outcome``."""
    for name in ('HOST', 'PORT', 'USERNAME', 'PASSWORD', 'VALIDATE_CERTS', 'CA_PATH'):
        monkeypatch.delenv('CUCM_' + name, raising=False)
    warnings = []
    sessions = []

    def http_session(self, **overrides):
        sessions.append(dict(self.params))
        return fake

    catch_exit(monkeypatch)
    monkeypatch.setattr(AnsibleModule, 'warn', lambda self, text: warnings.append(text))
    monkeypatch.setattr(UCModule, 'http_session', http_session)
    full = dict(CUCM) if connection else {}
    full.update(args)
    full['_ansible_check_mode'] = check_mode
    full['_ansible_diff'] = diff
    with patch_module_args(full):
        try:
            main()
        except Exit as exc:  # its result already checked by catch_exit against the vocabulary of main's module
            return Outcome(exc.failed, exc.result, warnings, sessions)
    raise AssertionError('the module neither exited nor failed')
