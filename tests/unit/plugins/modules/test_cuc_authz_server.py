# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.collab.uc.plugins.module_utils.transport._http import Response
from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule
from ansible_collections.collab.uc.plugins.modules import cuc_authz_server, cuc_authz_server_info
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.cupi_fake import FakeCupiSession, cupi_error
from ansible_collections.collab.uc.tests.unit.plugins.modules.module_runner import Exit, catch_exit, patch_module_args


PASSWORD = 'Sup3r-Secret-AXL'
CONNECTION = dict(host='cuc.example.com', username='admin', password='cuc-admin-pw')
SERVER = dict(name='cucm1', server_address='cucm1.example.com', server_username='axladmin',
              server_password=PASSWORD)
PASSED = 'Passed - May 12,2017 07:00:53 AM GMT'


@pytest.fixture
def fake(monkeypatch):
    session = FakeCupiSession()
    monkeypatch.setattr(UCModule, 'http_session', lambda self, **kwargs: session)
    catch_exit(monkeypatch)
    return session


def run(args, check=False, diff=True, module=cuc_authz_server):
    args = dict(CONNECTION, **args)
    if check:
        args['_ansible_check_mode'] = True
    if diff:
        args['_ansible_diff'] = True
    with patch_module_args(args):
        with pytest.raises(Exit) as info:
            module.main()
    return info.value


def ok(args, **kwargs):
    outcome = run(args, **kwargs)
    assert not outcome.failed, outcome.result
    assert PASSWORD not in json.dumps(outcome.result)
    return outcome.result


def failed(args, **kwargs):
    outcome = run(args, **kwargs)
    assert outcome.failed, outcome.result
    assert PASSWORD not in json.dumps(outcome.result)
    return outcome.result


def writes(session):
    return [(r['method'], r['path']) for r in session.writes()]


# --- create ------------------------------------------------------------------------------------------------
def test_create_and_sync(fake):
    result = ok(SERVER)
    assert result['changed'] is True
    assert result['synced'] is True
    assert result['last_sync_status'] == PASSED
    stored = fake.by_name('cucm1')
    assert stored['ServerNodeAddress'] == 'cucm1.example.com'
    assert stored['Port'] == 8443
    assert stored['ServerPassword'] == PASSWORD
    assert stored['IgnoreCertificateError'] is False
    object_id = stored['ObjectId']
    assert writes(fake) == [('POST', '/vmrest/authz/server/'), ('PUT', '/vmrest/authz/sync/%s' % object_id)]
    assert result['authz_server'] == dict(object_id=object_id, name='cucm1', server_address='cucm1.example.com',
                                          server_port=8443, server_username='axladmin',
                                          ignore_certificate_errors=False, last_sync_status=PASSED,
                                          last_sync_outcome='passed', last_sync_time=1494572453)
    assert result['diff']['before'] == {}
    assert result['diff']['after']['server_password'] == '********'
    assert result['diff']['after']['server_address'] == 'cucm1.example.com'


def test_create_whose_answer_is_lost_reports_the_one_server_created(fake):
    fake.drop_after_write = 1
    result = ok(SERVER)
    stored = fake.by_name('cucm1')
    assert len(fake.servers) == 1
    assert result['changed'] is True and result['authz_server']['object_id'] == stored['ObjectId']
    assert writes(fake) == [('POST', '/vmrest/authz/server/'), ('PUT', '/vmrest/authz/sync/%s' % stored['ObjectId'])]
    assert ok(SERVER)['changed'] is False      # and the next run finds it


def test_create_without_sync(fake):
    result = ok(dict(SERVER, sync_keys='never'))
    assert result['changed'] is True and result['synced'] is False
    assert writes(fake) == [('POST', '/vmrest/authz/server/')]
    assert result['authz_server']['last_sync_outcome'] == 'never'


def test_create_check_mode_writes_nothing(fake):
    result = ok(SERVER, check=True)
    assert result['changed'] is True
    assert result['synced'] is False
    assert fake.writes() == []
    assert fake.servers == {}
    assert result['authz_server']['object_id'] is None
    assert result['authz_server']['server_address'] == 'cucm1.example.com'
    assert result['diff']['after']['server_password'] == '********'


# --- idempotence and updates -------------------------------------------------------------------------------
def existing(fake, **overrides):
    fields = dict(DisplayName='cucm1', ServerNodeAddress='cucm1.example.com', Port=8443, ServerUsername='axladmin',
                  ServerPassword='old', IgnoreCertificateError=False, LastSyncStatus=PASSED)
    fields.update(overrides)
    return fake.add(**fields)


def test_second_run_changes_nothing(fake):
    existing(fake)
    result = ok(SERVER)
    assert result['changed'] is False
    assert result['synced'] is False
    assert fake.writes() == []
    assert fake.by_name('cucm1')['ServerPassword'] == 'old'  # update_password=on_create
    assert result['diff']['before'] == result['diff']['after']


def test_update_sends_only_changed_fields_then_syncs(fake):
    object_id = existing(fake)
    result = ok(dict(SERVER, server_port=9443, ignore_certificate_errors=True))
    assert result['changed'] is True and result['synced'] is True
    assert writes(fake) == [('PUT', '/vmrest/authz/server/%s' % object_id), ('PUT', '/vmrest/authz/sync/%s' % object_id)]
    assert fake.writes()[0]['body'] == {'Port': '9443', 'IgnoreCertificateError': 'true'}
    assert result['diff']['before']['server_port'] == 8443
    assert result['diff']['after']['server_port'] == 9443
    assert 'server_password' not in result['diff']['after']
    assert result['authz_server']['server_port'] == 9443


def test_update_check_mode(fake):
    existing(fake)
    result = ok(dict(SERVER, server_address='cucm2.example.com'), check=True)
    assert result['changed'] is True
    assert fake.writes() == []
    assert fake.by_name('cucm1')['ServerNodeAddress'] == 'cucm1.example.com'
    assert result['authz_server']['server_address'] == 'cucm2.example.com'


def test_update_password_always_sends_and_reports_changed(fake):
    object_id = existing(fake)
    result = ok(dict(SERVER, update_password='always'))
    assert result['changed'] is True and result['synced'] is True
    assert fake.writes()[0]['body'] == {'ServerPassword': PASSWORD}
    assert fake.servers[object_id]['ServerPassword'] == PASSWORD
    assert result['diff']['after']['server_password'] == '********'
    assert 'server_password' not in result['diff']['before']


def test_update_without_sync_reads_back(fake):
    object_id = existing(fake)
    result = ok(dict(SERVER, server_username='other', sync_keys='never'))
    assert result['changed'] is True and result['synced'] is False
    assert writes(fake) == [('PUT', '/vmrest/authz/server/%s' % object_id)]
    assert result['authz_server']['server_username'] == 'other'


@pytest.mark.parametrize('status', ['', 'Failed to connect to Authz Server cucm1'])
def test_on_change_syncs_when_last_sync_did_not_pass(fake, status):
    object_id = existing(fake, LastSyncStatus=status)
    result = ok(SERVER)
    assert result['changed'] is True and result['synced'] is True
    assert writes(fake) == [('PUT', '/vmrest/authz/sync/%s' % object_id)]


def test_sync_always(fake):
    object_id = existing(fake)
    result = ok(dict(SERVER, sync_keys='always'))
    assert result['changed'] is True and result['synced'] is True
    assert writes(fake) == [('PUT', '/vmrest/authz/sync/%s' % object_id)]


def test_sync_never_leaves_failed_status_alone(fake):
    existing(fake, LastSyncStatus='Failed to connect to Authz Server cucm1')
    result = ok(dict(SERVER, sync_keys='never'))
    assert result['changed'] is False
    assert fake.writes() == []
    assert result['authz_server']['last_sync_outcome'] == 'cannot_connect'


def test_sync_always_check_mode(fake):
    existing(fake)
    result = ok(dict(SERVER, sync_keys='always'), check=True)
    assert result['changed'] is True and result['synced'] is False
    assert fake.writes() == []


# --- failed syncs ------------------------------------------------------------------------------------------
@pytest.mark.parametrize('status, outcome, words', [
    ('Failed to connect to Authz Server cucm1.example.com:8443', 'cannot_connect', 'cannot reach'),
    ('Not authorized - Invalid Username or Password', 'bad_credentials', 'refused the credentials'),
    ('Not authorized - User does not have the Standard AXL API Access role', 'missing_axl_role',
     'lacks the "Standard AXL API Access" role'),
    ('Failed to validate certificates of cucm1.example.com', 'certificate_not_trusted', "does not trust CUCM's"),
])
def test_failed_sync_fails_with_reason(fake, status, outcome, words):
    fake.sync_results = [status]
    result = failed(SERVER)
    assert words in result['msg']
    assert 'cuc.example.com:443' in result['msg']
    assert 'cucm1.example.com:8443' in result['msg']
    assert status in result['msg']
    assert result['error']['sync_outcome'] == outcome
    assert result['error']['last_sync_status'] == status
    assert result['changed'] is True           # the server was created before the sync failed
    assert result['synced'] is True
    assert result['last_sync_status'] == status
    assert result['authz_server']['last_sync_outcome'] == outcome
    assert fake.by_name('cucm1') is not None


# --- absent ------------------------------------------------------------------------------------------------
def test_absent_deletes(fake):
    object_id = existing(fake)
    result = ok(dict(name='cucm1', state='absent'))
    assert result['changed'] is True
    assert writes(fake) == [('DELETE', '/vmrest/authz/server/%s' % object_id)]
    assert fake.servers == {}
    assert result['diff']['before']['name'] == 'cucm1'
    assert result['diff']['after'] == {}
    assert result['authz_server'] == {}


def test_absent_again_is_ok(fake):
    result = ok(dict(name='cucm1', state='absent'))
    assert result['changed'] is False
    assert fake.writes() == []


def test_absent_check_mode(fake):
    existing(fake)
    result = ok(dict(name='cucm1', state='absent'), check=True)
    assert result['changed'] is True
    assert fake.writes() == []
    assert fake.by_name('cucm1') is not None


# --- validation before any request -------------------------------------------------------------------------
@pytest.mark.parametrize('args, words', [
    (dict(SERVER, name='x' * 65), 'name must be at most 64 characters, got 65'),
    (dict(SERVER, server_address='h' * 65), 'server_address must be at most 64 characters'),
    (dict(SERVER, server_username='u' * 65), 'server_username must be at most 64 characters'),
    (dict(SERVER, name='  '), 'name must not be empty'),
    (dict(SERVER, server_port=0), 'server_port must be between 1 and 65535, got 0'),
    (dict(SERVER, server_port=65536), 'server_port must be between 1 and 65535'),
    (dict(SERVER, server_password=''), 'server_password must not be empty'),
    (dict(name='cucm1'), 'state is present but all of the following are missing'),
    (dict(SERVER, sync_keys='sometimes'), 'value of sync_keys must be one of'),
    (dict(SERVER, update_password='never'), 'value of update_password must be one of'),
    (dict(SERVER, server_port='https'), 'server_port'),
])
def test_invalid_options_fail_before_any_request(fake, args, words):
    result = failed(args)
    assert words in result['msg']
    assert fake.requests == []


def test_64_characters_are_accepted(fake):
    address = 'a' * 31 + '.' + 'b' * 32            # 64 characters, labels of at most 63
    ok(dict(SERVER, name='n' * 64, server_address=address, server_username='u' * 64))
    assert fake.by_name('n' * 64)['ServerNodeAddress'] == address


# --- errors ------------------------------------------------------------------------------------------------
def test_duplicate_names_fail_without_writes(fake):
    existing(fake)
    existing(fake)
    result = failed(SERVER)
    assert '2 AuthZ servers have the display name' in result['msg']
    assert fake.writes() == []


def test_cupi_error_reports_host_operation_status_and_message(fake):
    fake.responses = [('POST', '/vmrest/authz/server', cupi_error(400, 'INVALID_PARAMETER', 'ServerNodeAddress bad'))]
    result = failed(SERVER)
    assert 'cuc.example.com:443' in result['msg']
    assert 'create AuthZ server' in result['msg']
    assert 'HTTP 400' in result['msg']
    assert 'INVALID_PARAMETER' in result['msg'] and 'ServerNodeAddress bad' in result['msg']
    assert result['error']['status'] == 400
    assert result['error']['code'] == 'INVALID_PARAMETER'


def test_create_falls_back_to_name_lookup_without_uri(fake):
    original = fake.request

    def request(method, path, operation, **kwargs):
        response = original(method, path, operation, **kwargs)
        return Response(201, 'Created', {}, b'') if method == 'POST' else response
    fake.request = request
    result = ok(SERVER)
    assert result['changed'] is True and result['synced'] is True
    object_id = fake.by_name('cucm1')['ObjectId']
    assert result['authz_server']['object_id'] == object_id
    assert ('PUT', '/vmrest/authz/sync/%s' % object_id) in writes(fake)


# --- info --------------------------------------------------------------------------------------------------
def test_info_lists_every_server_without_passwords(fake):
    existing(fake)
    fake.add(DisplayName='cucm2', ServerNodeAddress='10.0.0.2', Port=9443, ServerUsername='x',
             IgnoreCertificateError=True, LastSyncStatus='Failed to validate certificates')
    result = ok({}, module=cuc_authz_server_info)
    assert result['changed'] is False
    assert [s['name'] for s in result['authz_servers']] == ['cucm1', 'cucm2']
    second = result['authz_servers'][1]
    assert second['server_port'] == 9443 and second['ignore_certificate_errors'] is True
    assert second['last_sync_outcome'] == 'certificate_not_trusted'
    assert 'old' not in json.dumps(result) and 'secret' not in json.dumps(result)
    assert fake.writes() == []


def test_info_name_filter(fake):
    existing(fake)
    fake.add(DisplayName='cucm2')
    result = ok(dict(name='cucm2'), module=cuc_authz_server_info)
    assert [s['name'] for s in result['authz_servers']] == ['cucm2']
    assert ok(dict(name='none'), module=cuc_authz_server_info)['authz_servers'] == []
