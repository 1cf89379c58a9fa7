# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""collab.uc.cucm_service refuses bad arguments before its first request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.collab.uc.plugins.module_utils.transport import _http
from ansible_collections.collab.uc.plugins.modules import cucm_service
from ansible_collections.collab.uc.tests.unit.plugins.module_utils import test_cucm_serviceability
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.scripted_server import ScriptedServer, plain_http
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.ssh_server import ScriptedSsh
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


# -- Cisco Tomcat: the real clients, Serviceability on a scripted HTTP server and the CLI on a scripted SSH server
TOMCAT = 'Cisco Tomcat'
RESTART = 'utils service restart Cisco Tomcat'
UNAVAILABLE = test_cucm_serviceability.UNAVAILABLE


def tomcat_status(up, status='Started'):
    return test_cucm_serviceability.status(test_cucm_serviceability.item(TOMCAT, status, up=up))


@pytest.fixture
def tomcat(tmp_path, monkeypatch):
    """run(script, replies=None, ssh=True, check_mode=False) -> (failed, result, http server, ssh server)."""
    plain_http(monkeypatch)
    catch_exit(monkeypatch)
    for name in ('HOST', 'PORT', 'USERNAME', 'PASSWORD', 'KNOWN_HOSTS', 'HOST_KEY_CHECKING'):
        monkeypatch.delenv('CUCM_SSH_' + name, raising=False)
    servers = []

    def run(script, replies=None, ssh=True, check_mode=False, **args):
        http = ScriptedServer(script).__enter__()
        cli = ScriptedSsh(replies=dict({'set cli pagination off': 'Automatic pagination is turned off'},
                                       **(replies or {})))
        servers.extend([http, cli])
        known_hosts = tmp_path / 'known_hosts'
        known_hosts.write_text(cli.known_hosts_line())
        full = dict(host='127.0.0.1', port=http.port, username='u', password='p', validate_certs=False,
                    services=[TOMCAT], state='restarted', wait_timeout=60, _ansible_check_mode=check_mode)
        if ssh:
            full.update(ssh_port=cli.port, ssh_username='admin', ssh_password='s3cret!pw',
                        ssh_known_hosts=str(known_hosts))
        full.update(args)
        with patch_module_args(full):
            with pytest.raises(Exit) as done:
                cucm_service.main()
        return done.value.failed, done.value.result, http, cli

    yield run
    for server in servers:
        server.__exit__(None, None, None) if isinstance(server, ScriptedServer) else server.stop()


def test_tomcat_restart_types_the_command_on_the_node_and_waits_through_503(tomcat):
    failed, result, http, cli = tomcat([tomcat_status(500), UNAVAILABLE, tomcat_status(1)],
                                       replies={RESTART: 'Service Manager is running\nCisco Tomcat[STARTING]'})
    assert not failed, result
    assert result['changed'] and result['commands'] == [RESTART] and result['ssh_host'] == '127.0.0.1:%d' % cli.port
    assert cli.commands == ['set cli pagination off', RESTART] and len(http.requests) == 3
    assert result['services'][0]['status'] == 'Started'


def test_tomcat_without_ssh_options_fails_naming_them_before_anything_is_changed(tomcat):
    failed, result, http, cli = tomcat([tomcat_status(500)], ssh=False)
    assert failed
    assert 'ssh_password (or CUCM_SSH_PASSWORD) and ssh_username (or CUCM_SSH_USERNAME)' in result['msg']
    assert len(http.requests) == 1 and 'soapGetServiceStatus' in http.requests[0].body and cli.commands == []


def test_tomcat_check_mode_opens_no_ssh_session(tomcat):
    failed, result, http, cli = tomcat([tomcat_status(500)], check_mode=True)
    assert not failed and result['changed'] and result['changes'] == [
        {'name': TOMCAT, 'action': 'restarted', 'before': 'Started', 'after': 'Started'}]
    assert result['actions'] == {TOMCAT: 'Restart'}  # the deprecated key, until 2.0.0
    assert result['commands'] == [] and cli.commands == [] and cli.auth_attempts == []
