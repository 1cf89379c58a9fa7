# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""collab.uc.cucm_service refuses bad arguments before its first request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.collab.uc.plugins.module_utils import _http
from ansible_collections.collab.uc.plugins.modules import cucm_service
from ansible_collections.collab.uc.tests.unit.plugins.modules.module_runner import Exit, catch_exit, \
    patch_module_args

CONNECTION = dict(host='127.0.0.1', username='u', password='p')


@pytest.mark.parametrize('args, words', [
    (dict(services=['Cisco CallManager'], state='started', restarted_after='1796115460'),
     'restarted_after only goes with state=restarted'),
    (dict(services=['Cisco CallManager'], state='restarted', restarted_after='2026-12-01T08:00:00'),
     'has no time zone'),
    (dict(services=['Cisco CallManager'], state='restarted', poll_interval=0.5), 'poll_interval must be at least 2'),
    (dict(services=['Cisco CallManager'], state='restarted', wait_timeout=0), 'wait_timeout must be between 1 and 86400'),
    (dict(services=['Cisco CallManager', 'cisco callmanager'], state='restarted'), 'lists a service twice'),
    (dict(services=[' '], state='restarted'), 'at least one service'),
])
def test_bad_arguments_fail_before_any_request(monkeypatch, args, words):
    catch_exit(monkeypatch)

    def no_request(*a, **kw):
        raise AssertionError('a request was sent')
    monkeypatch.setattr(_http.HttpSession, 'request', no_request)
    with patch_module_args(dict(CONNECTION, **args)):
        with pytest.raises(Exit) as info:
            cucm_service.main()
    assert info.value.failed and words in info.value.result['msg']
