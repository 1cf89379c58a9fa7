# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every module test needs to run a module's ``main()`` in-process: its arguments, and its exit caught (every
result checked against the result vocabulary its module documents, ``vocabulary.check_result``)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.module_utils import basic

from ansible_collections.collab.uc.tests.unit.plugins.modules.vocabulary import check_result, module_of_caller

__all__ = ['Exit', 'catch_exit', 'patch_module_args']

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    import contextlib
    from unittest import mock

    @contextlib.contextmanager
    def patch_module_args(args):
        with mock.patch.object(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode()):
            yield


class Exit(Exception):
    """Raised instead of exiting: ``result`` is what the module returned, ``failed`` whether it failed."""

    def __init__(self, result, failed):
        super(Exit, self).__init__(result)
        self.result = result
        self.failed = failed


def _checked(result, failed):
    module = module_of_caller()
    if module is not None:
        check_result(module, result, failed)
    return result


def _exit_json(self, **result):
    raise Exit(_checked(result, False), False)


def _fail_json(self, msg, **result):
    result['msg'] = msg
    raise Exit(_checked(result, True), True)


def catch_exit(monkeypatch):
    """Make ``exit_json`` and ``fail_json`` raise ``Exit`` for the rest of the test."""
    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', _exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', _fail_json)
