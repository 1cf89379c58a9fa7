# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.collab.uc.plugins.module_utils.clients import _cuc_cupi as cupi
from ansible_collections.collab.uc.plugins.module_utils.domain import _cuc_authz_servers as authz
from ansible_collections.collab.uc.plugins.module_utils.transport._http import Response
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import UCError
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.memory_transport import DROP
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.cupi_fake import (
    FakeCupiSession, cupi_error, json_response)


def names(servers):
    return [s['DisplayName'] for s in servers]


# --- normalisation -----------------------------------------------------------------------------------------
@pytest.mark.parametrize('value, expected', [
    ('true', True), ('True', True), ('false', False), ('FALSE', False), ('1', True), ('0', False),
    (True, True), (False, False), (None, None), ('', False), (0, False), (1, True),
])
def test_to_bool(value, expected):
    assert cupi.to_bool(value) is expected


def test_to_bool_refuses_garbage():
    with pytest.raises(ValueError):
        cupi.to_bool('maybe')


@pytest.mark.parametrize('value, expected', [('8443', 8443), (8443, 8443), (' 443 ', 443), ('8443.0', 8443),
                                             ('', None), (None, None)])
def test_to_int(value, expected):
    assert cupi.to_int(value) == expected


def test_to_int_refuses_garbage():
    with pytest.raises(ValueError):
        cupi.to_int('84x3')


def test_normalise_server_types_and_drops_password():
    server = cupi.normalise_server({'ObjectId': 'a', 'DisplayName': 'c1', 'Port': '8443',
                                    'IgnoreCertificateError': 'true', 'ServerPassword': 'leak',
                                    'URI': '/vmrest/authz/server/a'})
    assert server['Port'] == 8443
    assert server['IgnoreCertificateError'] is True
    assert 'ServerPassword' not in server
    assert server['URI'] == '/vmrest/authz/server/a'


def test_wire_values_are_strings():
    assert cupi.wire_value('Port', 8443) == '8443'
    assert cupi.wire_value('IgnoreCertificateError', True) == 'true'
    assert cupi.wire_value('IgnoreCertificateError', False) == 'false'
    assert cupi.wire_value('DisplayName', 'x') == 'x'


# --- list shapes -------------------------------------------------------------------------------------------
@pytest.mark.parametrize('options', [
    dict(), dict(strings=False), dict(single_as_object=False), dict(wrap=True), dict(xml=True),
])
def test_list_tolerates_shapes_with_one_server(options):
    session = FakeCupiSession(servers=[dict(DisplayName='c1', Port=8444, IgnoreCertificateError=True)], **options)
    servers = cupi.CupiClient(session).list_servers()
    assert len(servers) == 1
    assert servers[0]['DisplayName'] == 'c1'
    assert servers[0]['Port'] == 8444
    assert servers[0]['IgnoreCertificateError'] is True
    assert 'ServerPassword' not in servers[0]


@pytest.mark.parametrize('options', [dict(), dict(wrap=True), dict(xml=True)])
def test_list_empty(options):
    assert cupi.CupiClient(FakeCupiSession(**options)).list_servers() == []


def test_list_asks_json_and_pages():
    session = FakeCupiSession(servers=[dict(DisplayName='c%d' % i) for i in range(7)])
    servers = cupi.CupiClient(session, rows_per_page=3).list_servers()
    assert names(servers) == ['c%d' % i for i in range(7)]
    pages = [r['query']['pageNumber'] for r in session.requests]
    assert pages == ['1', '2', '3']
    assert all(r['query']['rowsPerPage'] == '3' for r in session.requests)
    assert session.requests[0]['headers']['Accept'] == 'application/json'
    assert session.requests[0]['path'] == '/vmrest/authz/server/'


def test_list_exact_multiple_of_page_size_stops_on_total():
    session = FakeCupiSession(servers=[dict(DisplayName='c%d' % i) for i in range(6)])
    servers = cupi.CupiClient(session, rows_per_page=3).list_servers()
    assert len(servers) == 6
    assert len(session.requests) == 2


def test_list_server_ignoring_paging_is_read_once():
    session = FakeCupiSession(servers=[dict(DisplayName='c%d' % i) for i in range(5)], ignore_paging=True)
    servers = cupi.CupiClient(session, rows_per_page=2).list_servers()
    assert len(servers) == 5
    assert len(session.requests) == 1


def test_list_without_total_pages_until_short_page():
    session = FakeCupiSession()
    pages = [
        json_response(200, {'AuthzServer': [{'ObjectId': 'a', 'DisplayName': 'a'}, {'ObjectId': 'b', 'DisplayName': 'b'}]}),
        json_response(200, {'AuthzServer': {'ObjectId': 'c', 'DisplayName': 'c'}}),
    ]
    session.responses = [('GET', '/vmrest/authz/server', r) for r in pages]
    assert names(cupi.CupiClient(session, rows_per_page=2).list_servers()) == ['a', 'b', 'c']
    assert len(session.requests) == 2


def test_find_by_name_matches_as_connection_does():
    session = FakeCupiSession(servers=[dict(DisplayName='CUCM1'), dict(DisplayName=' cucm1 '), dict(DisplayName='cucm')])
    found = cupi.CupiClient(session).find_by_name('cucm1 ')
    assert names(found) == ['CUCM1', ' cucm1 ']             # spaces around and letter case do not count
    assert cupi.same_name(u'Stra\u00dfe', 'STRASSE')


def test_html_error_page_is_reduced_to_its_text():
    page = ('<html><head><title>Error</title><style>p {color: red}</style></head><body><h1>HTTP Status 500</h1>'
            '<p>Internal &amp; bad</p><script>x()</script></body></html>')
    assert cupi.page_text(page) == 'HTTP Status 500 Internal & bad'


# --- one server, writes ------------------------------------------------------------------------------------
def test_get_server_bare_and_wrapped():
    session = FakeCupiSession(servers=[dict(DisplayName='c1', ObjectId='x1')])
    assert cupi.CupiClient(session).get_server('x1')['DisplayName'] == 'c1'
    session.responses = [('GET', '/vmrest/authz/server/x1',
                          json_response(200, {'AuthzServer': {'ObjectId': 'x1', 'DisplayName': 'w', 'Port': '1'}}))]
    server = cupi.CupiClient(session).get_server('x1')
    assert server['DisplayName'] == 'w' and server['Port'] == 1


def test_create_returns_object_id_from_uri_and_sends_strings():
    session = FakeCupiSession()
    object_id = cupi.CupiClient(session).create_server({
        'DisplayName': 'c1', 'ServerNodeAddress': 'h', 'Port': 8443, 'ServerUsername': 'u',
        'ServerPassword': 'pw', 'IgnoreCertificateError': False})
    assert object_id in session.servers
    request = session.requests[-1]
    assert request['method'] == 'POST'
    assert request['headers']['Content-Type'] == 'application/json'
    assert request['body']['Port'] == '8443'
    assert request['body']['IgnoreCertificateError'] == 'false'
    assert session.servers[object_id]['ServerPassword'] == 'pw'


FIELDS = {'DisplayName': 'c1', 'ServerNodeAddress': 'h', 'Port': 8443, 'ServerUsername': 'u',
          'ServerPassword': 'pw', 'IgnoreCertificateError': False}


def posts(session):
    return [r for r in session.requests if r['method'] == 'POST']


def test_create_whose_answer_is_lost_is_not_sent_again_and_is_found_by_name():
    session = FakeCupiSession(servers=[dict(DisplayName='other')])
    session.drop_after_write = 1
    client = cupi.CupiClient(session)
    object_id = client.create_server(dict(FIELDS))
    assert len(posts(session)) == 1
    assert [s['DisplayName'] for s in session.servers.values()].count('c1') == 1
    assert object_id == session.by_name('c1')['ObjectId']
    assert len(client.warnings) == 1 and 'the answer was lost' in client.warnings[0]
    assert 'ObjectId %s' % object_id in client.warnings[0]


def test_create_lost_before_it_arrived_is_sent_once_more():
    session = FakeCupiSession()
    session.responses = [('POST', '/vmrest/authz/server', DROP)]   # dropped, not carried out
    client = cupi.CupiClient(session)
    object_id = client.create_server(dict(FIELDS))
    assert len(posts(session)) == 2 and list(session.servers) == [object_id]
    assert 'sent once more' in client.warnings[0]


def test_create_lost_twice_is_an_error_that_says_so():
    session = FakeCupiSession()
    session.responses = [('POST', '/vmrest/authz/server', DROP), ('POST', '/vmrest/authz/server', DROP)]
    with pytest.raises(UCError) as info:
        cupi.CupiClient(session).create_server(dict(FIELDS))
    assert len(posts(session)) == 2 and session.servers == {}
    assert 'the answer to the create was lost' in info.value.message and '0 servers carry its name' in info.value.message


def test_create_lost_with_duplicates_afterwards_is_an_error():
    session = FakeCupiSession(servers=[dict(DisplayName='c1')])
    session.responses = [('POST', '/vmrest/authz/server', DROP)]
    session.servers['id-9999'] = dict(session.servers['id-0001'], ObjectId='id-9999')
    with pytest.raises(UCError) as info:
        cupi.CupiClient(session).create_server(dict(FIELDS))
    assert len(posts(session)) == 1 and '2 servers carry its name' in str(info.value)


def test_delete_update_and_sync_are_repeated_after_a_lost_answer():
    session = FakeCupiSession(servers=[dict(DisplayName='a'), dict(DisplayName='b')])
    client = cupi.CupiClient(session)
    for call in (lambda: client.update_server('id-0001', {'Port': 9443}), lambda: client.sync_keys('id-0001'),
                 # carried out, answer lost, sent again: the 404 means it is gone
                 lambda: client.delete_server('id-0002')):
        session.drop_after_write = 1
        call()
    assert session.servers['id-0001']['Port'] == 9443 and 'id-0002' not in session.servers
    assert [r['method'] for r in session.writes()] == ['PUT', 'PUT', 'PUT', 'PUT', 'DELETE', 'DELETE']
    assert session.connections == 4 and len(session.slept) == 3


@pytest.mark.parametrize('text, expected', [
    ('/vmrest/authz/server/abc-123', 'abc-123'),
    ('https://cuc:443/vmrest/authz/server/abc-123\n', 'abc-123'),
    ('"/vmrest/authz/server/abc-123/"', 'abc-123'),
    ('{"ObjectId": "abc-123"}', 'abc-123'),
    ('{"URI": "/vmrest/authz/server/abc-123"}', 'abc-123'),
    ('<AuthzServer><URI>/vmrest/authz/server/abc-123</URI></AuthzServer>', 'abc-123'),
    ('', None),
    ('created it', None),
])
def test_object_id_from_uri(text, expected):
    assert cupi.object_id_from_uri(text) == expected


def test_create_uses_location_when_body_empty():
    session = FakeCupiSession()
    session.responses = [('POST', '/vmrest/authz/server',
                          Response(201, 'Created', {'location': 'https://cuc/vmrest/authz/server/loc-1'}, b''))]
    assert cupi.CupiClient(session).create_server({'DisplayName': 'x'}) == 'loc-1'


def test_update_sends_only_given_fields():
    session = FakeCupiSession(servers=[dict(DisplayName='c1', ObjectId='x1')])
    cupi.CupiClient(session).update_server('x1', {'Port': 9443})
    request = session.requests[-1]
    assert (request['method'], request['path']) == ('PUT', '/vmrest/authz/server/x1')
    assert request['body'] == {'Port': '9443'}
    assert session.servers['x1']['Port'] == 9443


def test_delete():
    session = FakeCupiSession(servers=[dict(DisplayName='c1', ObjectId='x1')])
    cupi.CupiClient(session).delete_server('x1')
    assert session.servers == {}
    assert session.requests[-1]['method'] == 'DELETE'


def test_sync_puts_then_reads_status():
    session = FakeCupiSession(servers=[dict(DisplayName='c1', ObjectId='x1')])
    session.sync_results = ['Failed to connect to Authz Server cucm:8443']
    server = cupi.CupiClient(session).sync_keys('x1')
    assert [(r['method'], r['path']) for r in session.requests] == [
        ('PUT', '/vmrest/authz/sync/x1'), ('GET', '/vmrest/authz/server/x1')]
    assert server['LastSyncStatus'] == 'Failed to connect to Authz Server cucm:8443'


# --- errors ------------------------------------------------------------------------------------------------
def test_error_details_json_single_and_list():
    single = cupi_error(400, 'INVALID_PARAMETER', 'DisplayName is too long')
    assert cupi.error_details(single) == [('code', 'INVALID_PARAMETER'), ('message', 'DisplayName is too long')]
    several = json_response(400, {'ErrorDetails': {'errors': [{'code': 'A', 'message': 'one'},
                                                              {'code': 'B', 'message': 'two'}]}})
    assert cupi.error_details(several) == [('code', 'A, B'), ('message', 'one / two')]


def test_error_details_xml():
    body = b'<ErrorDetails><errors><code>NOT_FOUND</code><message>no such object</message></errors></ErrorDetails>'
    details = cupi.error_details(Response(404, 'Not Found', {}, body))
    assert details == [('code', 'NOT_FOUND'), ('message', 'no such object')]


def test_error_details_other_body_is_shortened():
    details = cupi.error_details(Response(500, 'Error', {}, b'<html>' + b'x' * 1000 + b'</html>'))
    assert details[0][0] == 'body'
    assert len(details[0][1]) < 320


def test_http_error_raises_with_code_message_and_hint():
    session = FakeCupiSession(servers=[dict(DisplayName='c1', ObjectId='x1')])
    with pytest.raises(UCError) as info:
        cupi.CupiClient(session).get_server('nope')
    error = info.value
    assert error.status == 404
    assert error.detail('code') == 'NOT_FOUND'
    assert 'No AuthzServer with ObjectId nope' in error.detail('message')
    assert error.host == 'cuc.example.com:443'
    text = str(error)
    assert 'cuc.example.com:443' in text and 'HTTP 404' in text and 'GET /vmrest/authz/server/nope' in text
    assert 'run the task again' in text


def test_duplicate_create_error_says_why():
    session = FakeCupiSession(servers=[dict(DisplayName='c1')])
    with pytest.raises(UCError) as info:
        cupi.CupiClient(session).create_server({'DisplayName': 'c1'})
    assert info.value.status == 400
    assert info.value.detail('code') == 'DUPLICATE_OBJECT'
    assert 'correct the task' in str(info.value)


def test_unparseable_reply():
    session = FakeCupiSession()
    session.responses = [('GET', '/vmrest/authz/server', Response(200, 'OK', {}, b'hello'))]
    with pytest.raises(UCError) as info:
        cupi.CupiClient(session).list_servers()
    assert 'neither the expected JSON nor XML' in str(info.value)


def test_auth_failure_passes_cupi_details():
    session = FakeCupiSession()
    session.responses = [('GET', '/vmrest', cupi_error(401, 'AUTHENTICATION_FAILED', 'bad login'))]
    with pytest.raises(UCError) as info:
        cupi.CupiClient(session).list_servers()
    assert info.value.status == 401
    assert info.value.detail('message') == 'bad login'


# --- sync status -------------------------------------------------------------------------------------------
@pytest.mark.parametrize('text, outcome', [
    ('Passed - May 12,2017 07:00:53 AM GMT', cupi.SYNC_PASSED),
    ('passed', cupi.SYNC_PASSED),
    ('Success', cupi.SYNC_PASSED),
    ('', cupi.SYNC_NEVER),
    (None, cupi.SYNC_NEVER),
    ('Failed to connect to Authz Server cucm1.example.com', cupi.SYNC_CANNOT_CONNECT),
    ('Failed to connect to Authz Server: connection refused', cupi.SYNC_CANNOT_CONNECT),
    ('Connection timed out', cupi.SYNC_CANNOT_CONNECT),
    # a port or address holding 401/403 is no HTTP status
    ('Failed to connect to Authz Server cucm9.lab.local:40105. Check the address and port of the server',
     cupi.SYNC_CANNOT_CONNECT),
    ('Failed to connect to Authz Server 10.4.0.3:8443', cupi.SYNC_CANNOT_CONNECT),
    ('Failed to connect to Authz Server cucm:4403', cupi.SYNC_CANNOT_CONNECT),
    ('Not authorized (401)', cupi.SYNC_BAD_CREDENTIALS),
    ('HTTP 401', cupi.SYNC_BAD_CREDENTIALS),
    ('Not authorized - Invalid Username or Password', cupi.SYNC_BAD_CREDENTIALS),
    ('Not Authorized - invalid username or password', cupi.SYNC_BAD_CREDENTIALS),
    ('Not authorized - User does not have the Standard AXL API Access role', cupi.SYNC_MISSING_AXL_ROLE),
    ('Not authorized - Access denied (HTTP 403)', cupi.SYNC_MISSING_AXL_ROLE),
    ('Failed to validate certificates of the Authz Server', cupi.SYNC_CERTIFICATE),
    ('Failed to connect to Authz Server: PKIX path building failed', cupi.SYNC_CERTIFICATE),
    ('Something odd happened', cupi.SYNC_FAILED),
])
def test_classify_sync_status(text, outcome):
    assert cupi.classify_sync_status(text) == outcome


@pytest.mark.parametrize('text, epoch', [
    ('Passed - May 12,2017 07:00:53 AM GMT', 1494572453),
    ('Passed - May 12,2017 07:00:53 PM GMT', 1494615653),
    ('Passed - Dec 01,2026 12:00:00 AM GMT', 1796083200),   # 12 AM is midnight
    ('Passed - Dec 01,2026 12:30:00 PM GMT', 1796128200),   # 12 PM is noon
    ('Passed - December 1, 2026 13:30:00 GMT', 1796131800),  # a 24-hour clock, a long month name
    ('passed - dec 01,2026 01:30:00 pm', 1796131800),          # no zone: GMT, as Connection prints it
    ('Passed', None),
    ('', None),
    (None, None),
    ('Passed - Foo 01,2026 01:30:00 PM GMT', None),
    ('Passed - Dec 01,2026 13:30:00 PM GMT', None),            # a 12-hour clock past 12
    ('Failed to connect to Authz Server cucm1.example.com', None),
])
def test_sync_time(text, epoch):
    assert cupi.sync_time(text) == epoch


def test_server_view_has_the_sync_time():
    view = authz.server_view({'ObjectId': 'a', 'DisplayName': 'c',
                              'LastSyncStatus': 'Passed - May 12,2017 07:00:53 AM GMT'})
    assert view['last_sync_time'] == 1494572453 and view['last_sync_outcome'] == cupi.SYNC_PASSED
    assert authz.server_view({'ObjectId': 'a', 'DisplayName': 'c'})['last_sync_time'] is None


def test_every_failure_outcome_has_a_problem_and_hint():
    for outcome in cupi.SYNC_OUTCOMES:
        if outcome != cupi.SYNC_PASSED:
            problem, hint = authz.SYNC_PROBLEMS[outcome]
            assert problem and hint


def test_sync_failure_error_names_target_reason_and_fix():
    session = FakeCupiSession()
    error = authz.sync_failure(session, {'ServerNodeAddress': 'cucm1', 'Port': 8443,
                                         'LastSyncStatus': 'Not authorized - User lacks AXL role'}, 'sync x')
    text = str(error)
    assert 'cucm1:8443' in text
    assert 'Standard AXL API Access' in text
    assert error.detail('sync_outcome') == cupi.SYNC_MISSING_AXL_ROLE
    assert error.detail('last_sync_status') == 'Not authorized - User lacks AXL role'
    assert error.host == 'cuc.example.com:443' and error.operation == 'sync x'


# --- views -------------------------------------------------------------------------------------------------
def test_server_view_never_has_password():
    view = authz.server_view({'ObjectId': 'a', 'DisplayName': 'c', 'ServerNodeAddress': 'h', 'Port': 1,
                              'ServerUsername': 'u', 'ServerPassword': 'pw', 'IgnoreCertificateError': False,
                              'LastSyncStatus': 'Passed - x'})
    assert view == {'object_id': 'a', 'name': 'c', 'server_address': 'h', 'server_port': 1, 'server_username': 'u',
                    'ignore_certificate_errors': False, 'last_sync_status': 'Passed - x', 'last_sync_outcome': 'passed',
                    'last_sync_time': None}
    assert authz.server_view(None) == {}


def test_settings_view_masks_password_only_when_sent():
    server = {'DisplayName': 'c', 'ServerPassword': 'pw'}
    assert 'server_password' not in authz.settings_view(server)
    assert authz.settings_view(server, password_sent=True)['server_password'] == '********'


def test_changed_fields():
    current = {'DisplayName': 'c', 'Port': 8443, 'IgnoreCertificateError': False}
    desired = {'DisplayName': 'c', 'Port': 9443, 'IgnoreCertificateError': False}
    assert authz.changed_fields(current, desired) == {'Port': 9443}


def test_check_lengths():
    problems = authz.check_lengths({'name': ('x' * 65, 64), 'server_address': ('  ', 64),
                                   'server_username': (None, 64), 'ok': ('x' * 64, 64)})
    assert problems == ['name must be at most 64 characters, got 65', 'server_address must not be empty']


@pytest.mark.parametrize('body, words', [('[1, 2]', 'a list'), ('null', 'null (no value)'), ('"x"', 'a string'),
                                         ('true', 'the boolean true')])
def test_a_body_that_is_no_json_object_is_described_in_json_words(body, words):
    """Issue 17: the message named a Python class ("got list", "got NoneType")."""
    with pytest.raises(ValueError) as info:
        cupi.parse_body(body)
    assert str(info.value) == 'expected a JSON object, got %s' % words
