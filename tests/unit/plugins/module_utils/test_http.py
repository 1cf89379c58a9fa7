# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""HttpSession over real sockets (a scripted local HTTP server): retry policy, auth, cookies, keep-alive."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import socket

import pytest

from ansible_collections.collab.uc.plugins.module_utils._errors import OutcomeUnknown, UCError, shorten
from ansible_collections.collab.uc.plugins.module_utils._http import HttpSession, RateLimiter, backoff_delay
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.scripted_server import (
    DROP, ScriptedServer, plain_http, reply, session)

BASIC = 'Basic ' + base64.b64encode(b'axladmin:s3cret').decode('ascii')
COOKIE = {'Set-Cookie': 'JSESSIONIDSSO=S1; Path=/; Secure; HttpOnly'}


@pytest.fixture(autouse=True)
def _plain(monkeypatch):
    plain_http(monkeypatch)


def test_success_sends_basic_auth_and_keeps_the_body():
    with ScriptedServer([reply(200, 'hello', {'X-Thing': 'y'})]) as server:
        response = session(server).request('POST', '/axl/', 'op', body=u'b\u00f6dy', headers={'Content-Type': 'text/xml'})
    assert response.status == 200
    assert response.text == 'hello'
    assert response.header('x-thing') == 'y'
    sent = server.requests[0]
    assert sent.headers['Authorization'] == BASIC
    assert sent.body == u'b\u00f6dy'
    assert sent.headers['Content-Type'] == 'text/xml'


def test_query_is_url_encoded():
    with ScriptedServer([reply(200)]) as server:
        session(server).request('GET', '/ssosp/token/revoke', 'revoke', query=[('user_id', "o'b r&n")])
    assert server.requests[0].path == '/ssosp/token/revoke?user_id=o%27b%20r%26n'


def test_503_is_retried_with_growing_backoff():
    sleeps = []
    with ScriptedServer([reply(503), reply(503), reply(503), reply(200, 'ok')]) as server:
        response = session(server, sleeps, retries=5, backoff_base=1.0, backoff_cap=100.0).request('POST', '/axl/', 'op')
    assert response.status == 200
    assert len(server.requests) == 4
    assert len(sleeps) == 3
    # equal jitter: retry n waits between half and all of base * 2**n
    for attempt, delay in enumerate(sleeps):
        assert 2 ** attempt / 2.0 <= delay <= 2 ** attempt


def test_503_retries_exhausted_is_a_clear_error():
    sleeps = []
    with ScriptedServer([reply(503, 'busy')] * 3) as server:
        with pytest.raises(UCError) as info:
            session(server, sleeps, retries=2).request('POST', '/axl/', 'updateServiceParameter x')
    assert len(server.requests) == 3
    assert len(sleeps) == 2
    error = info.value
    assert error.status == 503
    assert error.operation == 'updateServiceParameter x'
    assert 'gave up after 2 retries' in error.hint
    assert str(error).startswith('CUCM 127.0.0.1:%d: updateServiceParameter x failed: server busy' % server.port)


def test_retry_after_is_honoured_but_capped():
    sleeps = []
    with ScriptedServer([reply(503, '', {'Retry-After': '3'}), reply(503, '', {'Retry-After': '9999'}), reply(200)]) \
            as server:
        session(server, sleeps, backoff_base=0.01, backoff_cap=2.0).request('GET', '/', 'op')
    assert sleeps[0] == 3.0
    assert sleeps[1] == 8.0


@pytest.mark.parametrize('status, hint', [(401, 'Check username and password'), (403, 'Give the user the AXL role')])
def test_401_and_403_are_never_retried(status, hint):
    sleeps = []
    with ScriptedServer([reply(status, 'no'), reply(200)]) as server:
        with pytest.raises(UCError) as info:
            session(server, sleeps).request('POST', '/axl/', 'getCCMVersion')
    assert len(server.requests) == 1
    assert sleeps == []
    assert info.value.status == status
    assert info.value.hint == hint
    assert 'HTTP %d' % status in str(info.value)


def test_401_names_the_error_details_the_caller_can_read():
    with ScriptedServer([reply(401, 'locked')]) as server:
        with pytest.raises(UCError) as info:
            session(server).request('GET', '/', 'op', describe_error=lambda r: [('body', r.text)])
    assert info.value.detail('body') == 'locked'


def test_session_cookie_replaces_basic_auth():
    with ScriptedServer([reply(200, '', COOKIE), reply(200), reply(200)]) as server:
        http = session(server)
        for dummy in range(3):
            http.request('POST', '/axl/', 'op')
    assert [('Authorization' in r.headers) for r in server.requests] == [True, False, False]
    assert [r.headers.get('Cookie') for r in server.requests] == [None, 'JSESSIONIDSSO=S1', 'JSESSIONIDSSO=S1']
    assert http.basic_auth_sent == 1
    assert [r.connection for r in server.requests] == [1, 1, 1]


def test_cookie_only_401_reauthenticates_once():
    with ScriptedServer([reply(200, '', COOKIE), reply(401), reply(200, 'again')]) as server:
        http = session(server)
        http.request('GET', '/', 'op')
        response = http.request('GET', '/', 'op')
    assert response.text == 'again'
    assert [('Authorization' in r.headers) for r in server.requests] == [True, False, True]
    assert 'Cookie' not in server.requests[2].headers
    assert http.basic_auth_sent == 2


def test_cookie_only_401_then_basic_401_fails_without_looping():
    with ScriptedServer([reply(200, '', COOKIE), reply(401), reply(401), reply(200)]) as server:
        http = session(server)
        http.request('GET', '/', 'op')
        with pytest.raises(UCError) as info:
            http.request('GET', '/', 'op')
    assert len(server.requests) == 3
    assert info.value.status == 401


def test_a_cleared_cookie_is_forgotten():
    with ScriptedServer([reply(200, '', COOKIE), reply(200, '', {'Set-Cookie': 'JSESSIONIDSSO=; Path=/'}),
                         reply(200)]) as server:
        http = session(server)
        for dummy in range(3):
            http.request('GET', '/', 'op')
    assert 'Authorization' in server.requests[2].headers


def test_unrelated_cookies_are_not_sent():
    with ScriptedServer([reply(200, '', {'Set-Cookie': 'tracker=1; Path=/'}), reply(200)]) as server:
        http = session(server)
        http.request('GET', '/', 'op')
        http.request('GET', '/', 'op')
    assert 'Cookie' not in server.requests[1].headers


@pytest.mark.parametrize('method, idempotent', [('GET', None), ('PUT', None), ('DELETE', None), ('POST', True)])
def test_dropped_idempotent_request_is_retried_on_a_new_connection(method, idempotent):
    sleeps = []
    with ScriptedServer([DROP, reply(200, 'ok')]) as server:
        response = session(server, sleeps).request(method, '/axl/', 'op', body='x', idempotent=idempotent)
    assert response.text == 'ok'
    assert len(server.requests) == 2
    assert len(sleeps) == 1
    assert [r.connection for r in server.requests] == [1, 2]


@pytest.mark.parametrize('method, idempotent', [('POST', None), ('PUT', False)])
def test_write_that_is_not_idempotent_is_never_repeated_after_its_answer_was_lost(method, idempotent):
    sleeps = []
    with ScriptedServer([DROP, reply(201, 'created twice')]) as server:
        with pytest.raises(OutcomeUnknown) as info:
            session(server, sleeps).request(method, '/vmrest/authz/server/', 'create AuthZ server', body='{}',
                                            idempotent=idempotent)
    assert len(server.requests) == 1 and sleeps == []
    error = info.value
    assert isinstance(error, UCError) and error.operation == 'create AuthZ server' and error.status is None
    assert 'whether it was carried out is unknown' in error.message
    assert 'not sent again' in error.hint
    assert str(error).startswith('CUCM 127.0.0.1:%d: create AuthZ server failed: the connection dropped after the '
                                 'request was sent' % server.port)


def test_write_that_is_not_idempotent_is_retried_when_the_server_did_not_take_it():
    """503 and a refused connection mean the server did not carry the request out: a POST may be sent again."""
    sleeps = []
    with ScriptedServer([reply(503), reply(201, 'created')]) as server:
        http = session(server, sleeps)
        assert http.request('POST', '/vmrest/authz/server/', 'create', body='{}').text == 'created'
    assert len(server.requests) == 2 and len(sleeps) == 1

    probe = socket.socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()
    refused = HttpSession('127.0.0.1', port, 'u', 'p', retries=2, sleep=sleeps.append, product='CUC')
    with pytest.raises(UCError) as info:
        refused.request('POST', '/vmrest/authz/server/', 'create', body='{}')
    assert not isinstance(info.value, OutcomeUnknown)
    assert 'connection failed or dropped' in info.value.message and len(sleeps) == 1 + 2


def test_dropped_connections_exhausted_is_a_clear_error():
    with ScriptedServer([DROP] * 3) as server:
        with pytest.raises(UCError) as info:
            session(server, retries=2).request('GET', '/', 'getCCMVersion')
    assert len(server.requests) == 3
    assert 'connection failed or dropped' in info.value.message
    assert 'gave up after 2 retries' in info.value.hint
    assert info.value.status is None


def test_connection_refused_is_a_clear_error():
    probe = socket.socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()
    sleeps = []
    http = HttpSession('127.0.0.1', port, 'u', 'p', retries=1, sleep=sleeps.append, product='CUCM')
    with pytest.raises(UCError) as info:
        http.request('GET', '/', 'op')
    assert 'connection failed or dropped' in str(info.value)
    assert len(sleeps) == 1


def test_retry_if_retries_what_the_caller_says():
    with ScriptedServer([reply(500, 'busy fault'), reply(500, 'other fault')]) as server:
        response = session(server).request('POST', '/axl/', 'op', retry_if=lambda r: r.text == 'busy fault')
    assert response.status == 500
    assert response.text == 'other fault'
    assert len(server.requests) == 2


def test_zero_retries_means_one_attempt():
    with ScriptedServer([reply(503), reply(200)]) as server:
        with pytest.raises(UCError):
            session(server, retries=0).request('GET', '/', 'op')
    assert len(server.requests) == 1


def test_backoff_delay_bounds_and_cap():
    assert backoff_delay(0, base=0.5, cap=8.0, rng=lambda: 0.0) == 0.25
    assert backoff_delay(0, base=0.5, cap=8.0, rng=lambda: 1.0) == 0.5
    assert backoff_delay(3, base=0.5, cap=8.0, rng=lambda: 1.0) == 4.0
    assert backoff_delay(10, base=0.5, cap=8.0, rng=lambda: 1.0) == 8.0
    assert backoff_delay(10, base=0.5, cap=8.0, rng=lambda: 0.0) == 4.0


def test_rate_limiter_spaces_calls():
    now = [100.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)

    limiter = RateLimiter(4, clock=lambda: now[0], sleep=sleep)
    limiter()
    limiter()
    limiter()
    assert slept == [0.25, 0.5]


def test_ucerror_text_and_dict():
    error = UCError('CUCM answered with a SOAP fault', host='cucm:8443', operation='getServiceParameter x',
                    status=500, details=[('axlcode', '5007'), ('axlmessage', 'Item not valid')],
                    hint='Check the programmatic name.', product='CUCM')
    assert str(error) == ('CUCM cucm:8443: getServiceParameter x failed: CUCM answered with a SOAP fault; HTTP 500; '
                          'axlcode 5007; axlmessage Item not valid. Check the programmatic name.')
    assert error.to_dict() == {'host': 'cucm:8443', 'operation': 'getServiceParameter x', 'status': 500,
                               'message': 'CUCM answered with a SOAP fault', 'hint': 'Check the programmatic name.',
                               'axlcode': '5007', 'axlmessage': 'Item not valid'}
    assert error.detail('axlcode') == '5007'
    assert error.detail('nothing') is None


def test_ucerror_dict_keeps_our_message_when_the_server_sends_one():
    error = UCError('Unity Connection refused the request', host='cuc:443', operation='POST authz server',
                    status=400, details=[('code', 'INVALID_PARAMETER'), ('message', 'DisplayName too long')])
    as_dict = error.to_dict()
    assert as_dict['message'] == 'Unity Connection refused the request'
    assert as_dict['server_message'] == 'DisplayName too long'
    assert as_dict['code'] == 'INVALID_PARAMETER'


def test_shorten_folds_whitespace_and_cuts_long_bodies():
    assert shorten('  <html>\n  <body>Busy</body>\n</html>\n') == '<html> <body>Busy</body> </html>'
    assert shorten('x' * 301) == 'x' * 300 + '...'
    assert shorten('x' * 300) == 'x' * 300
    assert shorten(None) == ''
