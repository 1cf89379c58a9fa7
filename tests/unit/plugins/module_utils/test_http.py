# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""HttpSession over real sockets (a scripted local HTTP server): retry policy, auth, cookies, keep-alive."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import socket
import ssl

import pytest

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import (
    OutcomeUnknown, UCError, clip, shorten, type_words)
from ansible_collections.collab.uc.plugins.module_utils.transport._http import (
    HttpSession, RateLimiter, backoff_delay, ssl_context, time_scale)
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


def test_a_simulator_lab_at_time_scale_20_divides_the_backoff_and_retry_after(monkeypatch):
    """COLLAB_UC_TIME_SCALE=20 (a ucsim lab whose clock runs 20 times faster): Retry-After 3 (the lab's seconds)
    is waited 0.15 real seconds; unset, the session waits real seconds."""
    monkeypatch.setenv('COLLAB_UC_TIME_SCALE', '20')
    sleeps = []
    with ScriptedServer([reply(503, '', {'Retry-After': '3'}), reply(200)]) as server:
        session(server, sleeps, backoff_base=0.01, backoff_cap=2.0).request('GET', '/', 'op')
    assert sleeps == [pytest.approx(0.15)]
    monkeypatch.delenv('COLLAB_UC_TIME_SCALE')
    assert time_scale() == 1.0


@pytest.mark.parametrize('value, expected', [('', 1.0), ('1', 1.0), (' 20 ', 20.0), ('2.5', 2.5), ('1000', 1000.0)])
def test_time_scale_reads_the_environment(value, expected):
    assert time_scale({'COLLAB_UC_TIME_SCALE': value}) == expected
    assert time_scale({}) == 1.0


@pytest.mark.parametrize('value', ['0', '0.5', '1001', 'fast', 'nan', '-20'])
def test_a_time_scale_out_of_range_is_refused_in_words(value):
    with pytest.raises(UCError) as info:
        time_scale({'COLLAB_UC_TIME_SCALE': value})
    assert 'COLLAB_UC_TIME_SCALE must be a number from 1 to 1000, got %r' % value in str(info.value)
    assert 'Leave it unset for real systems' in str(info.value)


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
    # a refused connection is tried once more, not `retries` times, and says what happened in its own words
    assert 'connection was refused' in info.value.message and len(sleeps) == 1 + 1


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
    http = HttpSession('127.0.0.1', port, 'u', 'p', retries=5, sleep=sleeps.append, product='CUCM')
    with pytest.raises(UCError) as info:
        http.request('GET', '/', 'op')
    assert 'the connection was refused' in str(info.value) and 'Check the port' in str(info.value)
    assert len(sleeps) == 1                     # one retry at most, whatever retries says


def test_name_that_does_not_resolve_fails_fast_in_its_own_words():
    sleeps = []
    http = HttpSession('no-such-host.invalid', 8443, 'u', 'p', retries=5, sleep=sleeps.append, product='CUCM')
    with pytest.raises(UCError) as info:
        http.request('GET', '/', 'op')
    assert 'does not resolve' in str(info.value) and 'no-such-host.invalid' in str(info.value)
    assert len(sleeps) == 1


def test_sessions_sharing_credentials_send_one_failed_login():
    from ansible_collections.collab.uc.plugins.module_utils.transport._http import Credentials
    credentials = Credentials('u', 'wrong')
    with ScriptedServer([reply(401, 'no')] * 5) as server:
        first = session(server, credentials=credentials)
        second = session(server, credentials=credentials)
        with pytest.raises(UCError):
            first.request('GET', '/', 'op')
        with pytest.raises(UCError) as info:
            second.request('GET', '/', 'op')
    assert len(server.requests) == 1            # the second session never sent the refused credentials
    assert 'not sent again' in str(info.value) and info.value.status == 401


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


def clocked_limiter(interval):
    """A RateLimiter of ``interval`` on a fake clock that its sleeps move on: (now, slept, limiter)."""
    now = [100.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    return now, slept, RateLimiter(interval=interval, clock=lambda: now[0], sleep=sleep)


def test_rate_limiter_lets_one_call_go_at_once_and_the_next_waits_from_then():
    now, slept, limiter = clocked_limiter(2.0)
    limiter()
    now[0] += 0.5
    limiter.at_once()
    limiter()                  # at once, 0.5 s after the first
    assert slept == []
    limiter()                  # 2 s after the one that went at once
    assert slept == [2.0] and now[0] == 102.5
    limiter.at_once()
    limiter()
    limiter()                  # at_once holds for one call only
    assert slept == [2.0, 2.0]


def test_rate_limiter_at_least_slows_it_down_never_speeds_it_up():
    now = [100.0]
    slept = []
    limiter = RateLimiter(4, clock=lambda: now[0], sleep=slept.append)
    limiter.at_least(2.0)
    limiter.at_least(1.0)
    assert limiter.interval == 2.0
    limiter()
    limiter()
    assert slept == [2.0]


def test_rate_limiter_interval_doubles_on_a_rate_limit_and_shrinks_with_answers():
    now, slept, limiter = clocked_limiter(2.0)
    limiter()
    assert slept == []
    limiter.answered(served=False)                  # a bare 503: the interval stays
    assert limiter.interval == 2.0
    for dummy in range(6):
        limiter.answered(served=False, rate_limited=True)
    assert limiter.interval == 32.0 and limiter.rate_limits == 6   # doubled each time, at most 16 x the floor
    limiter.answered()
    assert limiter.interval == 31.5                 # an answer served: a quarter of the floor less
    limiter()
    assert slept == [31.5]                          # the interval now, from the last call
    for dummy in range(200):
        limiter.answered()
    assert limiter.interval == 2.0                  # never below the floor
    limiter.answered(served=False, rate_limited=True, retry_after=60.0)
    now[0] += 40.0
    limiter.at_once()
    limiter()
    assert slept == [31.5, 20.0]                    # a Retry-After holds even a call sent at once
    limiter.at_least(4.0)
    assert limiter.floor == 4.0 and limiter.interval == 4.0 and limiter.ceiling == 64.0


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


def verify_error(code, message, ca_path=None):
    exc = ssl.SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: %s' % message)
    exc.verify_code, exc.verify_message = code, message
    return HttpSession('cucm-pub', 8443, 'u', 'p', ca_path=ca_path, product='CUCM')._verify_error(exc)


@pytest.mark.parametrize('ca_path', ['/etc/uc/ca.pem', None])
def test_a_certificate_for_another_name_is_not_blamed_on_the_ca(ca_path):
    """Issue 17: a host name mismatch was reported as "ca_path holds another CA"."""
    err = str(verify_error(62, "Hostname mismatch, certificate is not valid for 'cucm-pub'.", ca_path))
    assert err.startswith("CUCM cucm-pub:8443: connect failed: TLS certificate does not name this host: Hostname "
                          "mismatch, certificate is not valid for 'cucm-pub'.; the certificate was issued by a "
                          "trusted CA")
    assert 'not for the name or address cucm-pub' in err
    assert 'Set host to a name the server\'s certificate holds' in err and 'ca_path needs no change' in err
    assert 'holds another CA' not in err
    err = str(verify_error(64, 'IP address mismatch, certificate is not valid for \'10.1.1.10\'.', ca_path))
    assert 'does not name this host' in err


def test_an_untrusted_ca_and_an_expired_certificate_say_what_to_do_for_each():
    err = str(verify_error(20, 'unable to get local issuer certificate', '/etc/uc/ca.pem'))
    assert 'not issued by a CA in ca_path /etc/uc/ca.pem' in err and 'holds another CA' in err
    err = str(verify_error(20, 'unable to get local issuer certificate'))
    assert 'no ca_path is set' in err and 'Set ca_path to the CA' in err
    err = str(verify_error(10, 'certificate has expired', '/etc/uc/ca.pem'))
    assert 'TLS certificate not valid now: certificate has expired' in err and 'Renew' in err
    assert 'ca_path' not in err


def test_clip_keeps_head_and_tail_and_says_how_much_went():
    text = 'H' * 7000 + 'M' * 50000 + 'T' * 4000
    out = clip(text)
    assert len(out) <= 10000 and out.startswith('H' * 6000) and out.endswith('T' * 3000)
    assert '[... %d characters left out ...]' % (len(text) - len(out.replace(out[out.index(' ['):out.index('] ') + 2], '')))\
        in out
    assert clip('x' * 10000) == 'x' * 10000 and clip(12) == '12'


@pytest.mark.parametrize('value, words', [
    (None, 'null (no value)'), (True, 'the boolean true'), (3, 'the number 3'), (1.5, 'the number 1.5'),
    ('x', 'a string'), ({}, 'a dictionary (mapping)'), ([], 'a list'), (object(), 'a value of another kind')])
def test_type_words_never_name_a_python_class(value, words):
    assert type_words(value) == words


def test_a_tls_context_is_made_once_per_process_for_each_setting():
    """Loading the system's CA store costs tens of milliseconds; a reading pass opens a session per system."""
    assert ssl_context(True, None) is ssl_context(True, None)
    assert ssl_context(False, None) is ssl_context(False, None)
    assert ssl_context(False, None) is not ssl_context(True, None)
    assert ssl_context(False, None).verify_mode == ssl.CERT_NONE and not ssl_context(False, None).check_hostname
    assert ssl_context(True, None).verify_mode == ssl.CERT_REQUIRED and ssl_context(True, None).check_hostname


def test_a_ca_path_that_cannot_be_read_fails_every_time_and_is_not_kept(tmp_path):
    missing = str(tmp_path / 'missing-ca.pem')
    with pytest.raises((IOError, OSError, ssl.SSLError)):
        ssl_context(True, missing)
    with pytest.raises((IOError, OSError, ssl.SSLError)):      # not kept: read again, and refused again
        ssl_context(True, missing)
    with pytest.raises(UCError) as caught:
        HttpSession('127.0.0.1', 1, 'axladmin', 's3cret', ca_path=missing, retries=0, product='CUCM').request('GET', '/', 'read')
    assert 'cannot load the CA certificates from ca_path' in str(caught.value)
