# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The read-only capture (COLLAB_UC_CAPTURE_DIR): masking, refusal of writes, the records HttpSession and
CliSession append."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import glob
import json
import os
import stat

import pytest

from ansible_collections.collab.uc.plugins.module_utils.transport import _capture
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import MASK, UCError
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.scripted_server import (
    ScriptedServer, plain_http, reply, session)
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.ssh_server import ScriptedSsh

PASSWORD = 's3cret'  # scripted_server.session's
BASIC = base64.b64encode(b'axladmin:s3cret').decode('ascii')


@pytest.fixture
def capture(tmp_path, monkeypatch):
    folder = tmp_path / 'capture'
    monkeypatch.setenv(_capture.ENV_DIR, str(folder))
    monkeypatch.setenv(_capture.ENV_SYSTEM, 'cucm-a')
    monkeypatch.setattr(_capture, '_state', {'path': None, 'seq': 0})
    return folder


def records(folder):
    out = []
    for path in sorted(glob.glob(os.path.join(str(folder), '*.ndjson'))):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        with open(path) as handle:
            out.extend(json.loads(line) for line in handle)
    return out


# --- masking ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('text, masked', [
    ('<a><password>C1sco!</password><name>x</name></a>', '<a><password>%s</password><name>x</name></a>' % MASK),
    ('<ns:ServerPassword attr="1">pw</ns:ServerPassword>', '<ns:ServerPassword attr="1">%s</ns:ServerPassword>' % MASK),
    ('<userPassword/>', '<userPassword/>'),
    ('{"ServerPassword": "pw", "DisplayName": "cucm"}', '{"ServerPassword": "%s", "DisplayName": "cucm"}' % MASK),
    ('{"access_token":"eyJ.a.b","refresh_token":"r\\"x","expires_in":"3600"}',
     '{"access_token":"%s","refresh_token":"%s","expires_in":"3600"}' % (MASK, MASK)),
    ('/ssosp/x?token=abc&user_id=jdoe', '/ssosp/x?token=%s&user_id=jdoe' % MASK),
    ('Cookie: JSESSIONIDSSO=ABC123; JSESSIONID=DEF', 'Cookie: JSESSIONIDSSO=%s; JSESSIONID=%s' % (MASK, MASK)),
    # names that only contain "token" are no secret: CUCM's timers stay readable
    ('<paramname>oauthTokenExpiryTimer</paramname><oauthTokenExpiryTimer>60</oauthTokenExpiryTimer>',
     '<paramname>oauthTokenExpiryTimer</paramname><oauthTokenExpiryTimer>60</oauthTokenExpiryTimer>'),
    ('*c xConfiguration CollaborationEdge OAuthWithRefresh: On', '*c xConfiguration CollaborationEdge OAuthWithRefresh: On'),
])
def test_mask_secret_names(text, masked):
    assert _capture.mask(text) == masked


def test_mask_known_secrets_in_every_spelling():
    secret = 'p&w<"d>!'
    text = 'raw %s xml p&amp;w&lt;"d&gt;! json p&w<\\"d>! url p%%26w%%3C%%22d%%3E%%21' % secret
    masked = _capture.mask(text, [secret])
    assert 'p&w' not in masked and 'p%26w' not in masked and masked.count(MASK) == 4


@pytest.mark.parametrize('method, path, headers, body, read', [
    ('GET', '/vmrest/authz/server/', {}, '', True),
    ('GET', '/ssosp/token/revoke?user_id=x', {}, '', False),
    ('POST', '/axl/', {'SOAPAction': '"CUCM:DB ver=14.0 executeSQLQuery"'}, '', True),
    ('POST', '/axl/', {'SOAPAction': '"CUCM:DB ver=14.0 executeSQLUpdate"'}, '', False),
    ('POST', '/axl/', {'SOAPAction': 'CUCM:DB ver=14.0 updateEnterpriseParameter'}, '', False),
    ('POST', '/controlcenterservice2/services/ControlCenterServices', {'SOAPAction': 'soapGetServiceStatus'}, '', True),
    ('POST', '/controlcenterservice2/services/ControlCenterServices', {'SOAPAction': 'soapDoControlServices'}, '', False),
    ('POST', '/axl/', {}, '<soapenv:Envelope><soapenv:Body><ns:getUser/></soapenv:Body></soapenv:Envelope>', True),
    ('POST', '/vmrest/authz/server/', {}, '{}', False),
    ('PUT', '/vmrest/authz/server/1', {}, '{}', False),
    ('DELETE', '/vmrest/authz/server/1', {}, '', False),
])
def test_http_reads_and_writes(method, path, headers, body, read):
    assert _capture.http_is_read(method, path, headers, body) is read


@pytest.mark.parametrize('command, read', [
    ('show key authz signing', True), ('set cli pagination off', True), ('xConfiguration CollaborationEdge', True),
    ('xConfiguration', True), ('xStatus SystemUnit Software Version', True), ('set key regen authz signing', False),
    ('xConfiguration CollaborationEdge OAuthLocal: On', False), ('utils service restart Cisco Tomcat', False),
    ('xCommand Boot', False), ('showx', False),
])
def test_cli_reads_and_writes(command, read):
    assert _capture.cli_is_read(command) is read


# --- HttpSession ----------------------------------------------------------------------------------------------

def test_off_by_default_writes_nothing(tmp_path, monkeypatch):
    plain_http(monkeypatch)
    monkeypatch.delenv(_capture.ENV_DIR, raising=False)
    monkeypatch.chdir(str(tmp_path))
    with ScriptedServer([reply(200, 'x')]) as server:
        session(server).request('POST', '/axl/', 'update', body='<a/>', headers={'SOAPAction': 'updateUser'})
    assert os.listdir(str(tmp_path)) == []


def test_http_exchange_recorded_masked(capture, monkeypatch):
    plain_http(monkeypatch)
    cookie = {'Set-Cookie': 'JSESSIONIDSSO=SESSION-777; Path=/; Secure'}
    body = ('<return><row><paramname>oAuthWithRefreshLoginFlow</paramname><paramvalue>T</paramvalue></row>'
            '<row><password>s3cret</password><note>the password is s3cret, basic %s</note></row></return>' % BASIC)
    with ScriptedServer([reply(200, body, dict(cookie, **{'Content-Type': 'text/xml'})),
                         reply(200, '{"ok":"SESSION-777"}', {'Content-Type': 'application/json'})]) as server:
        http = session(server)
        http.request('POST', '/axl/', 'executeSQLQuery', body='<sql>select 1</sql>',
                     headers={'SOAPAction': '"CUCM:DB ver=14.0 executeSQLQuery"', 'Content-Type': 'text/xml'})
        http.request('GET', '/vmrest/x', 'read', query=[('rowsPerPage', '100')])
    first, second = records(capture)
    assert first['system'] == 'cucm-a' and first['transport'] == 'https' and first['product'] == 'CUCM'
    assert (first['method'], first['path'], first['soap_action'], first['status']) == (
        'POST', '/axl/', 'executeSQLQuery', 200)
    assert first['user'] == 'axladmin' and first['request'] == '<sql>select 1</sql>'
    assert first['headers'] == {'content-type': 'text/xml'}  # no Set-Cookie
    assert '<paramvalue>T</paramvalue>' in first['body'] and '<password>%s</password>' % MASK in first['body']
    assert second['path'] == '/vmrest/x?rowsPerPage=100' and second['body'] == '{"ok":"%s"}' % MASK
    text = json.dumps([first, second])
    for secret in (PASSWORD, BASIC, 'SESSION-777'):
        assert secret not in text
    assert (first['seq'], second['seq']) == (1, 2)


def test_http_write_refused_before_it_is_sent(capture, monkeypatch):
    plain_http(monkeypatch)
    with ScriptedServer([reply(200)]) as server:
        with pytest.raises(UCError) as info:
            session(server).request('POST', '/axl/', 'updateEnterpriseParameter', body='<a/>',
                                    headers={'SOAPAction': '"CUCM:DB ver=14.0 updateEnterpriseParameter"'})
        assert server.requests == []
    assert 'capture is read-only' in str(info.value) and _capture.ENV_DIR in info.value.hint
    assert records(capture) == []


# --- CliSession -------------------------------------------------------------------------------------------------

def test_cli_transcript_recorded_masked_and_writes_refused(capture, tmp_path):
    from ansible_collections.collab.uc.plugins.module_utils.transport._ssh import CliSession
    replies = {'set cli pagination off': 'Automatic pagination is turned off',
               'show key authz signing': 'Checksum: abc\nsecret s3cret!pw'}
    known_hosts = str(tmp_path / 'known_hosts')
    with ScriptedSsh(replies=replies, users={'osadmin': 's3cret!pw'}) as server:
        with open(known_hosts, 'a') as handle:
            handle.write(server.known_hosts_line())
        with CliSession('127.0.0.1', 'osadmin', 's3cret!pw', port=server.port, known_hosts=known_hosts,
                        login_timeout=10, command_timeout=10) as cli:
            assert cli.run('show key authz signing') == 'Checksum: abc\nsecret s3cret!pw'
            with pytest.raises(UCError, match='capture is read-only'):
                cli.run('set key regen authz signing')
        assert server.commands == ['set cli pagination off', 'show key authz signing']
    pager, shown = records(capture)
    assert pager['command'] == 'set cli pagination off'
    assert shown['command'] == 'show key authz signing' and shown['user'] == 'osadmin'
    assert shown['output'] == 'Checksum: abc\nsecret %s' % MASK and shown['closing'] == 'admin:'
    assert 's3cret!pw' not in json.dumps([pager, shown]) and 'Checksum: abc' in shown['raw']


def test_unwritable_capture_directory_is_a_clear_error(tmp_path, monkeypatch):
    plain_http(monkeypatch)
    blocker = tmp_path / 'file'
    blocker.write_text(u'not a directory')
    monkeypatch.setenv(_capture.ENV_DIR, str(blocker / 'capture'))
    monkeypatch.setattr(_capture, '_state', {'path': None, 'seq': 0})
    with ScriptedServer([reply(200, 'x')]) as server:
        with pytest.raises(UCError) as info:
            session(server).request('GET', '/vmrest/x', 'read')
    assert 'cannot write the capture file' in str(info.value) and 'oauth_audit_capture_dir' in info.value.hint
