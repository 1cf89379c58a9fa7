# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Serviceability client over real sockets (a scripted server answering recorded-style replies): requests,
parsing, pacing, the rate fault, lost restarts, reason codes, and converging to a state."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import OutcomeUnknown, UCError
from ansible_collections.collab.uc.plugins.module_utils.transport._http import RateLimiter
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_serviceability import (
    SERVICEABILITY_PATH, ServiceabilityClient)
from ansible_collections.collab.uc.plugins.module_utils.domain._cucm_services import converge, parse_time, plan
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.scripted_server import (
    DROP, ScriptedServer, plain_http, reply, session)

CCM = 'Cisco CallManager'


@pytest.fixture(autouse=True)
def _plain(monkeypatch):
    plain_http(monkeypatch)


class Clock:
    """time for the client: sleeping moves it on."""

    def __init__(self, now=1000.0):
        self.now = now
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def item(name, status='Started', reason=-1, reason_string='', start='Tue Dec 01 08:00:00 2026', up=100):
    return ('<ns:item><ns:ServiceName>%s</ns:ServiceName><ns:ServiceStatus>%s</ns:ServiceStatus>'
            '<ns:ReasonCode>%d</ns:ReasonCode><ns:ReasonCodeString>%s</ns:ReasonCodeString>'
            '<ns:StartTime>%s</ns:StartTime><ns:UpTime>%d</ns:UpTime></ns:item>'
            % (name, status, reason, reason_string, start if status == 'Started' else '', up))


def answer(op, *items):
    return reply(200, '<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/'
                      'envelope/"><soapenv:Body><ns:%sResponse xmlns:ns="http://schemas.cisco.com/ast/soap">'
                      '<ns:%sReturn><ns:ReturnCode>0</ns:ReturnCode><ns:ReasonCode>-1</ns:ReasonCode>'
                      '<ns:ServiceInfoList>%s</ns:ServiceInfoList></ns:%sReturn></ns:%sResponse></soapenv:Body>'
                      '</soapenv:Envelope>' % (op, op, ''.join(items), op, op), {'Content-Type': 'text/xml'})


def status(*items):
    return answer('soapGetServiceStatus', *items)


def control(*items):
    return answer('soapDoControlServices', *items)


def fault(text):
    return reply(500, '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
                      '<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>%s</faultstring>'
                      '</soapenv:Fault></soapenv:Body></soapenv:Envelope>' % text)


def client(server, clock, **kwargs):
    return ServiceabilityClient(session(server, clock.sleeps), clock=clock, sleep=clock.sleep, **kwargs)


def test_status_request_and_reply_parsing():
    clock = Clock()
    with ScriptedServer([status(item(CCM, up=60), item('Cisco TFTP', 'Stopped', -1069, 'Commanded Out of Service'))]) \
            as server:
        infos = client(server, clock).status([CCM, 'cisco tftp'])
    sent = server.requests[0]
    assert sent.method == 'POST' and sent.path == SERVICEABILITY_PATH
    assert 'http://schemas.cisco.com/ast/soap' in sent.body and '<ns:soapGetServiceStatus>' in sent.body
    # the schema's ServiceStatus repeats, one name each, in Cisco's namespace; SOAPAction names the operation
    assert '<ns:ServiceStatus>Cisco CallManager</ns:ServiceStatus><ns:ServiceStatus>cisco tftp</ns:ServiceStatus>' \
        '</ns:soapGetServiceStatus>' in sent.body
    assert '<item>' not in sent.body and '<ServiceStatus' not in sent.body
    assert sent.headers['SOAPAction'] == '"soapGetServiceStatus"'
    ccm, tftp = infos
    assert (ccm['status'], ccm['up_time'], ccm['started_at']) == ('Started', 60, 940.0)  # now - UpTime
    assert ccm['start_time'] == 'Tue Dec 01 08:00:00 2026'
    assert (tftp['status'], tftp['reason_code'], tftp['reason'], tftp['started_at']) == \
        ('Stopped', -1069, 'Commanded Out of Service', None)


def static_list(*services):
    """A soapGetStaticServiceList answer: (name, deployable) pairs."""
    items = ''.join('<item><ServiceName>%s</ServiceName><ServiceType>Service</ServiceType><Deployable>%s</Deployable>'
                    '<GroupName>CM Services</GroupName><DependentServices><Service>Cisco Tomcat</Service>'
                    '</DependentServices></item>' % (name, 'true' if deployable else 'false')
                    for name, deployable in services)
    # unqualified children: the client reads replies by local name, whatever their namespace
    return reply(200, '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
                      '<ns:soapGetStaticServiceListResponse xmlns:ns="http://schemas.cisco.com/ast/soap">'
                      '<soapGetStaticServiceListReturn><Services>%s</Services></soapGetStaticServiceListReturn>'
                      '</ns:soapGetStaticServiceListResponse></soapenv:Body></soapenv:Envelope>' % items)


def test_a_reply_with_unqualified_children_is_read_too():
    body = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
            '<ns:soapGetServiceStatusResponse xmlns:ns="http://schemas.cisco.com/ast/soap"><soapGetServiceStatusReturn>'
            '<ReturnCode>0</ReturnCode><ServiceInfoList><item><ServiceName>Cisco CallManager</ServiceName>'
            '<ServiceStatus>Started</ServiceStatus><ReasonCode>-1</ReasonCode><ReasonCodeString/><StartTime/>'
            '<UpTime>7</UpTime></item></ServiceInfoList></soapGetServiceStatusReturn>'
            '</ns:soapGetServiceStatusResponse></soapenv:Body></soapenv:Envelope>')
    with ScriptedServer([reply(200, body)]) as server:
        (info,) = client(server, Clock()).status([CCM])
    assert (info['name'], info['status'], info['up_time']) == (CCM, 'Started', 7)


def test_unknown_service_is_a_clear_error_naming_what_the_node_can_run():
    with ScriptedServer([status(item('Cisco Nope', 'Unknown', -1000, 'Service Not Found')),
                         static_list((CCM, True), ('Cisco TFTP', True), ('Cisco DB', False))]) as server:
        with pytest.raises(UCError) as info:
            client(server, Clock()).status(['Cisco Nope'])
    assert 'Cisco Nope is unknown on this node' in str(info.value)
    assert '127.0.0.1:%d' % server.port in str(info.value) and 'Serviceability spells it' in str(info.value)
    assert 'This node can run: Cisco CallManager, Cisco TFTP' in str(info.value)  # deployable ones only
    sent = server.requests[1]
    assert sent.headers['SOAPAction'] == '"soapGetStaticServiceList"'
    assert '<ns:soapGetStaticServiceList><ns:ServiceInformationResponse></ns:ServiceInformationResponse>' in sent.body


def test_unknown_service_without_a_static_list_keeps_the_plain_hint():
    with ScriptedServer([status(item('Cisco Nope', 'Unknown', -1000, 'Service Not Found')),
                         fault('Operation not supported')]) as server:
        with pytest.raises(UCError) as info:
            client(server, Clock()).status(['Cisco Nope'])
    assert 'Cisco Nope is unknown on this node' in str(info.value) and 'can run' not in str(info.value)


def test_static_services_are_parsed():
    with ScriptedServer([static_list((CCM, True), ('Cisco DB', False))]) as server:
        services = client(server, Clock()).static_services()
    assert services == [
        {'name': CCM, 'type': 'Service', 'deployable': True, 'group': 'CM Services',
         'dependent_services': ['Cisco Tomcat']},
        {'name': 'Cisco DB', 'type': 'Service', 'deployable': False, 'group': 'CM Services',
         'dependent_services': ['Cisco Tomcat']}]


def test_status_of_no_names_asks_for_every_service_with_one_empty_service_status():
    with ScriptedServer([status(item(CCM), item('Cisco TFTP', 'Stopped'))]) as server:
        infos = client(server, Clock()).status([])
    assert '<ns:soapGetServiceStatus><ns:ServiceStatus></ns:ServiceStatus></ns:soapGetServiceStatus>' \
        in server.requests[0].body
    assert [i['name'] for i in infos] == [CCM, 'Cisco TFTP']


def test_requests_to_a_node_are_at_least_two_seconds_apart_retries_included():
    clock = Clock()
    with ScriptedServer([status(item(CCM)), fault('Exceeded allowed rate'), status(item(CCM))]) as server:
        cl = client(server, clock)
        cl.status([CCM])
        cl.status([CCM])   # refused for the rate, then retried
    assert len(server.requests) == 3
    assert clock.sleeps[0] == 2.0          # the pacing before the second request
    assert clock.sleeps[1:] == [4.0]       # the retry waits its turn, at the pace the rate fault doubled


def test_the_control_follows_its_status_read_at_once_and_the_first_poll_waits_its_turn():
    clock = Clock()
    with ScriptedServer([status(item(CCM)), control(item(CCM, 'Stopping')), fault('Exceeded allowed rate'),
                         control(item(CCM, 'Stopping')), status(item(CCM, 'Starting'))]) as server:
        cl = client(server, clock)
        cl.status([CCM])
        cl.control('Restart', [CCM])       # at once: the read it was decided on is no poll
        assert clock.sleeps == []
        cl.control('Restart', [CCM])       # at once, refused for the rate; its retry waits its turn
        cl.status([CCM])
    # the retry and the poll wait their turn: 4 s (the rate fault doubled the pace), then 3.5 s (one answer served
    # shortens it by a quarter of 2 s)
    assert len(server.requests) == 5 and clock.sleeps[-2:] == [4.0, 3.5]


def test_rate_faults_slow_the_node_down_a_retry_after_holds_and_answers_bring_the_pace_back():
    clock = Clock()
    script = [fault('Exceeded allowed rate')] * 5 + [status(item(CCM))] * 12
    with ScriptedServer(script) as server:
        cl = ServiceabilityClient(session(server, clock.sleeps, retries=5), clock=clock, sleep=clock.sleep)
        cl.status([CCM])                   # five rate faults (the session's 5 retries), then served
        assert clock.sleeps == [4.0, 8.0, 16.0, 32.0, 32.0] and cl.interval == 31.5   # doubled, at most 16 x 2 s
        for dummy in range(11):
            cl.status([CCM])
        assert cl.interval == 26.0         # each answer served: 0.5 s less (additive), down to 2 s in time
    with ScriptedServer([reply(503, 'busy', {'Retry-After': '10'}), status(item(CCM)),
                         reply(503, 'busy'), status(item(CCM))]) as server:
        clock = Clock()
        cl = client(server, clock)
        cl.status([CCM])                   # a Retry-After: a rate limit; the retry waits 10 s, not the pace's 4 s
        cl.status([CCM])                   # a bare 503 (Cisco Tomcat busy): retried at the pace, not slowed
    assert clock.sleeps == [10.0, 3.5, 3.5] and cl.interval == 3.0


def test_throttling_after_the_retries_fails_saying_so():
    clock = Clock()
    with ScriptedServer([fault('Exceeded allowed rate')] * 3) as server:
        cl = ServiceabilityClient(session(server, clock.sleeps, retries=2), clock=clock, sleep=clock.sleep)
        with pytest.raises(UCError) as caught:
            cl.status([CCM])
    assert len(server.requests) == 3 and 'gave up after 2 retries' in str(caught.value)


def test_the_pacing_is_the_sessions_one_rate_limiter():
    clock = Clock()
    with ScriptedServer([status(item(CCM)), status(item(CCM))]) as server:
        own = session(server, clock.sleeps)
        assert own.rate_limiter is None
        cl = ServiceabilityClient(own, clock=clock, sleep=clock.sleep, min_interval=3)
        assert isinstance(own.rate_limiter, RateLimiter) and own.rate_limiter is cl.pacer
        assert own.rate_limiter.interval == 3.0
        cl.status([CCM])
        cl.status([CCM])
    assert clock.sleeps == [3.0]


def test_a_session_with_a_rate_limiter_of_its_own_keeps_it_slowed_down_to_the_pacing():
    clock = Clock()
    with ScriptedServer([status(item(CCM)), status(item(CCM))]) as server:
        limiter = RateLimiter(50, clock=clock, sleep=clock.sleep)
        cl = ServiceabilityClient(session(server, clock.sleeps, rate_limiter=limiter), clock=clock, sleep=clock.sleep)
        assert cl.pacer is limiter and limiter.interval == 2.0
        cl.status([CCM])
        cl.status([CCM])
    assert clock.sleeps == [2.0]


def test_control_sends_node_name_type_and_services():
    clock = Clock()
    with ScriptedServer([control(item(CCM, 'Stopping'))]) as server:
        infos = client(server, clock, node_name='10.0.0.11').control('Restart', [CCM])
    body = server.requests[0].body
    assert '<ns:soapDoControlServices><ns:ControlServiceRequest><ns:NodeName>10.0.0.11</ns:NodeName>' in body
    assert '<ns:ControlType>Restart</ns:ControlType><ns:ServiceList><ns:item>Cisco CallManager</ns:item>' \
        '</ns:ServiceList></ns:ControlServiceRequest>' in body
    assert server.requests[0].headers['SOAPAction'] == '"soapDoControlServices"'
    assert infos[0]['status'] == 'Stopping'


def test_lost_restart_answer_is_not_sent_again_when_the_status_shows_it():
    clock = Clock()
    with ScriptedServer([DROP, status(item(CCM, 'Starting'))]) as server:
        infos = client(server, clock).control('Restart', [CCM])
    ops = [('soapDoControlServices' in r.body, 'soapGetServiceStatus' in r.body) for r in server.requests]
    assert ops == [(True, False), (False, True)]     # one restart, then a read: no second restart
    assert infos[0]['status'] == 'Starting'


def test_lost_restart_answer_is_sent_again_when_the_service_shows_no_sign_of_it():
    clock = Clock()
    with ScriptedServer([DROP, status(item(CCM, up=5000)), control(item(CCM, 'Stopping'))]) as server:
        infos = client(server, clock).control('Restart', [CCM])
    assert ['soapDoControlServices' in r.body for r in server.requests] == [True, False, True]
    assert infos[0]['status'] == 'Stopping'


def test_start_of_a_service_not_activated_says_what_to_do():
    with ScriptedServer([control(item(CCM, 'Stopped', -1068, 'Service Not Activated'))]) as server:
        with pytest.raises(UCError) as info:
            client(server, Clock()).control('Start', [CCM])
    assert 'not activated' in str(info.value) and 'Service Activation' in str(info.value)


def test_fault_names_the_faultstring():
    with ScriptedServer([fault('Service Cisco X is not deployable on node n')]) as server:
        with pytest.raises(UCError) as info:
            client(server, Clock()).control('Restart', ['Cisco X'])
    assert 'faultstring Service Cisco X is not deployable' in str(info.value)
    assert len(server.requests) == 1                   # a fault is not retried


def test_wait_polls_until_started_since_the_request_then_stops():
    clock = Clock()
    with ScriptedServer([status(item(CCM, 'Starting')), status(item(CCM, up=1))]) as server:
        infos = client(server, clock).wait([CCM], lambda i: i['status'] == 'Started', 60, 'Started')
    assert infos[0]['status'] == 'Started' and len(server.requests) == 2 and clock.sleeps == [2.0]


def test_wait_times_out_with_the_last_status():
    clock = Clock()
    with ScriptedServer([status(item(CCM, 'Starting'))] * 4) as server:
        with pytest.raises(UCError) as info:
            client(server, clock).wait([CCM], lambda i: i['status'] == 'Started', 6, 'Started')
    assert 'did not reach Started within 6 s (last status: Cisco CallManager Starting)' in str(info.value)
    assert len(server.requests) <= 4


def test_a_simulator_lab_at_time_scale_20_paces_and_times_out_in_its_own_seconds(monkeypatch):
    """COLLAB_UC_TIME_SCALE=20: the node's 2 s between requests last 0.1 real seconds and a 6 s wait times out
    after 0.3 real seconds; the message names the node's seconds. Start times stay on the controller's clock."""
    monkeypatch.setenv('COLLAB_UC_TIME_SCALE', '20')
    clock = Clock()
    with ScriptedServer([status(item(CCM, 'Starting'))] * 8) as server:
        cl = client(server, clock)
        with pytest.raises(UCError) as info:
            cl.wait([CCM], lambda i: i['status'] == 'Started', 6, 'Started')
    assert 'did not reach Started within 6 s' in str(info.value)
    assert clock.sleeps and all(s == pytest.approx(0.1) for s in clock.sleeps), clock.sleeps
    assert clock.now - 1000.0 <= 0.3 + 1e-9 and 2 <= len(server.requests) <= 4
    with ScriptedServer([status(item(CCM, up=100))]) as server:
        assert client(server, clock).status([CCM])[0]['started_at'] == pytest.approx(clock.now - 100)


@pytest.mark.parametrize('info, state, after, expected', [
    ({'status': 'Started', 'started_at': 10}, 'started', None, None),
    ({'status': 'Starting', 'started_at': None}, 'started', None, 'wait'),
    ({'status': 'Stopped', 'started_at': None}, 'started', None, 'Start'),
    ({'status': 'Stopped', 'started_at': None}, 'stopped', None, None),
    ({'status': 'Started', 'started_at': 10}, 'stopped', None, 'Stop'),
    ({'status': 'Started', 'started_at': 10}, 'restarted', None, 'Restart'),
    ({'status': 'Started', 'started_at': 10}, 'restarted', 5, None),
    ({'status': 'Started', 'started_at': 5.5}, 'restarted', 5, 'Restart'),  # UpTime may be a second short
    ({'status': 'Started', 'started_at': 4}, 'restarted', 5, 'Restart'),
    ({'status': 'Starting', 'started_at': None}, 'restarted', 5, 'wait'),
])
def test_plan(info, state, after, expected):
    assert plan(info, state, after) == expected


def test_converge_check_mode_reads_and_sends_nothing():
    with ScriptedServer([status(item(CCM))]) as server:
        result, error = converge(client(server, Clock()), [CCM], 'restarted', check_mode=True)
    assert error is None and result['changed'] and result['actions'] == {CCM: 'Restart'}
    assert len(server.requests) == 1 and 'soapGetServiceStatus' in server.requests[0].body


def test_converge_restarted_after_leaves_a_restarted_service_alone():
    clock = Clock()
    with ScriptedServer([status(item(CCM, up=10))]) as server:
        result, error = converge(client(server, clock), [CCM], 'restarted', restarted_after=980.0)
    assert error is None and not result['changed'] and len(server.requests) == 1


def test_converge_refuses_tomcat_before_changing_anything():
    with ScriptedServer([status(item(CCM), item('Cisco Tomcat'))]) as server:
        with pytest.raises(UCError) as info:
            converge(client(server, Clock()), [CCM, 'Cisco Tomcat'], 'restarted')
    assert 'platform CLI' in str(info.value) and 'ssh_*' in str(info.value)
    assert len(server.requests) == 1


def test_converge_restart_then_wait_for_a_start_after_the_request():
    clock = Clock()
    with ScriptedServer([status(item(CCM, up=500)), control(item(CCM, 'Stopping')),
                         status(item(CCM, up=600)),     # still the old instance: not done
                         status(item(CCM, 'Starting')), status(item(CCM, up=1))]) as server:
        result, error = converge(client(server, clock), [CCM], 'restarted', timeout=60)
    assert error is None and result['changed'] and result['services'][0]['status'] == 'Started'
    assert result['services'][0]['before'] == 'Started' and result['services'][0]['action'] == 'Restart'
    assert len(server.requests) == 5


@pytest.mark.parametrize('value, expected', [
    (1796115460, 1796115460.0), ('1796115460.5', 1796115460.5), ('2026-12-01T08:00:00Z', 1796112000.0),
    ('2026-12-01 09:00:00+01:00', 1796112000.0)])
def test_parse_time(value, expected):
    assert parse_time(value) == expected


@pytest.mark.parametrize('value', ['yesterday', '2026-12-01T08:00:00', True])
def test_parse_time_refuses(value):
    with pytest.raises(ValueError):
        parse_time(value)


# -- Cisco Tomcat through the platform CLI (the cli hook), waited for through Serviceability ---------------------
TOMCAT = 'Cisco Tomcat'
UNAVAILABLE = reply(503, '<html><body>Service Unavailable</body></html>', {'Content-Type': 'text/html'})


class Cli:
    """The ``cli`` hook: records (action, name) and the client's clock; raises ``fail`` (once) if given."""

    def __init__(self, clock, fail=None):
        self.clock = clock
        self.calls = []
        self.fail = fail

    def __call__(self, action, name):
        self.calls.append((action, name, self.clock.now))
        if self.fail is not None:
            raise self.fail


def lost():
    return OutcomeUnknown('the connection was closed by the server', host='127.0.0.1:22',
                          operation='utils service restart Cisco Tomcat', product='CUCM platform CLI')


def test_tomcat_is_restarted_through_the_cli_after_the_soap_services_and_503_means_not_back_yet():
    clock = Clock()
    cli = Cli(clock)
    with ScriptedServer([status(item(CCM, up=500), item(TOMCAT, up=500)), control(item(CCM, 'Stopping')),
                         UNAVAILABLE, UNAVAILABLE,                              # Tomcat down: not back yet
                         status(item(CCM, up=1), item(TOMCAT, up=1))]) as server:
        result, error = converge(client(server, clock), [CCM, TOMCAT], 'restarted', timeout=60, cli=cli)
    assert error is None, error
    assert [c[:2] for c in cli.calls] == [('Restart', TOMCAT)]  # typed once
    assert ['ControlServiceRequest' in r.body for r in server.requests] == [False, True, False, False, False]
    assert TOMCAT not in server.requests[1].body                  # never through Serviceability
    assert result['actions'] == {CCM: 'Restart', TOMCAT: 'Restart'}
    assert [s['status'] for s in result['services']] == ['Started', 'Started']
    # the control right after the read it was decided on; each 503 was one request (no retries of its own while
    # waiting), every poll paced 2 s after the last request
    assert len(server.requests) == 5 and clock.sleeps == [2.0, 2.0, 2.0]


def test_waiting_for_tomcat_times_out_saying_serviceability_did_not_answer():
    clock = Clock()
    with ScriptedServer([status(item(TOMCAT, up=500))] + [UNAVAILABLE] * 6) as server:
        result, error = converge(client(server, clock), [TOMCAT], 'restarted', timeout=9, cli=Cli(clock))
    assert isinstance(error, UCError) and 'did not reach Started within 9 s' in error.message
    assert 'Serviceability of this node did not answer' in error.message and 'Cisco Tomcat' in error.hint
    assert result['services'][0]['action'] == 'Restart' and len(server.requests) == 5


def test_a_lost_cli_answer_is_not_typed_again_when_serviceability_shows_tomcat_down():
    clock = Clock()
    cli = Cli(clock, fail=lost())
    with ScriptedServer([status(item(TOMCAT, up=500)), UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE,
                         status(item(TOMCAT, up=1))]) as server:
        result, error = converge(client(server, clock), [TOMCAT], 'restarted', timeout=60, cli=cli)
    assert error is None, error
    assert len(cli.calls) == 1 and result['services'][0]['status'] == 'Started'


def test_a_lost_cli_answer_with_no_sign_of_the_restart_fails_and_is_not_typed_again():
    clock = Clock()
    cli = Cli(clock, fail=lost())
    with ScriptedServer([status(item(TOMCAT, up=500)), status(item(TOMCAT, up=502))]) as server:
        result, error = converge(client(server, clock), [TOMCAT], 'restarted', timeout=60, cli=cli)
    assert isinstance(error, UCError) and 'shows no sign of the restart' in error.message
    assert 'not typed again' in error.message and error.operation == 'utils service restart Cisco Tomcat'
    assert len(cli.calls) == 1 and len(server.requests) == 2


def test_a_lost_cli_answer_seen_as_starting_is_waited_for():
    clock = Clock()
    cli = Cli(clock, fail=lost())
    with ScriptedServer([status(item(TOMCAT, up=500)), status(item(TOMCAT, 'Starting')),
                         status(item(TOMCAT, up=1))]) as server:
        result, error = converge(client(server, clock), [TOMCAT], 'restarted', timeout=60, cli=cli)
    assert error is None and len(cli.calls) == 1 and len(server.requests) == 3


def test_tomcat_still_down_after_an_interrupted_run_is_waited_for_then_judged_by_restarted_after():
    clock = Clock()
    cli = Cli(clock)
    with ScriptedServer([UNAVAILABLE, UNAVAILABLE, status(item(TOMCAT, up=3))]) as server:
        result, error = converge(client(server, clock), [TOMCAT], 'restarted', restarted_after=990.0,
                                 timeout=60, cli=cli)
    assert error is None and cli.calls == [] and not result['changed']
    assert result['actions'] == {TOMCAT: None}


def test_tomcat_check_mode_types_nothing_and_without_cli_it_names_the_options():
    clock = Clock()
    cli = Cli(clock)
    with ScriptedServer([status(item(TOMCAT, up=500))]) as server:
        result, error = converge(client(server, clock), [TOMCAT], 'restarted', check_mode=True, cli=cli)
    assert error is None and result['changed'] and result['actions'] == {TOMCAT: 'Restart'} and cli.calls == []
    with ScriptedServer([status(item(TOMCAT, up=500))]) as server:
        with pytest.raises(UCError) as info:
            converge(client(server, clock), [TOMCAT], 'restarted', cli=None, cli_missing='Set ssh_username')
    assert info.value.hint == 'Set ssh_username' and 'utils service restart Cisco Tomcat' in info.value.message


def test_a_503_outside_a_tomcat_wait_is_still_an_error():
    clock = Clock()
    with ScriptedServer([status(item(CCM, up=500)), control(item(CCM, 'Stopping'))] + [UNAVAILABLE] * 4) as server:
        result, error = converge(client(server, clock), [CCM], 'restarted', timeout=60)
    assert isinstance(error, UCError) and error.status == 503
