# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import xml.etree.ElementTree as ET

import pytest

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import UCError
from ansible_collections.collab.uc.plugins.module_utils.transport import _soap
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_axl import (
    AxlClient, AxlFault, axl_version_from_ccm_version, check_axl_version, is_memory_fault, sql_literal)
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.axl_fake import (
    FakeAxlSession, soap_fault, soap_reply, xml_response)
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.scripted_server import (
    DROP, ScriptedServer, plain_http, reply, session)

MEMORY = 'Maximum AXL Memory Allocation Consumed. Please retry once requests in progress have completed'


# --- versions ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize('full, version', [
    ('14.0.1.13900(155)', '14.0'),
    ('12.5.1.16900-48', '12.5'),
    ('12.5.1.11900(146)', '12.5'),
    ('15.0.1.10000(32)', '15.0'),
    ('11.5', '11.5'),
    (' 9.1.2.10000-28', '9.1'),
])
def test_axl_version_from_ccm_version(full, version):
    assert axl_version_from_ccm_version(full) == version


@pytest.mark.parametrize('full', ['', None, 'unknown', 'v14', '14', '14.x.1', '140.0.1'])
def test_axl_version_from_ccm_version_refuses_nonsense(full):
    assert axl_version_from_ccm_version(full) is None


@pytest.mark.parametrize('given', ['14.0', '12.5', '15.0', '8.5', ' 14.0 '])
def test_check_axl_version_accepts(given):
    assert check_axl_version(given) == given.strip()


@pytest.mark.parametrize('given', ['14', '14.0.1', 'v14.0', 'latest', '', '14.0"><x', '1.2.3'])
def test_check_axl_version_refuses(given):
    with pytest.raises(ValueError) as info:
        check_axl_version(given)
    assert 'axl_version must be' in str(info.value)


def test_bad_axl_version_fails_before_any_request():
    fake = FakeAxlSession()
    with pytest.raises(UCError) as info:
        AxlClient(fake, '14')
    assert info.value.operation == 'check axl_version'
    assert "got '14'" in str(info.value)
    assert fake.sent == []


def test_version_is_detected_once_with_get_ccm_version_in_namespace_1_0():
    fake = FakeAxlSession(ccm_version='12.5.1.16900-48')
    axl = AxlClient(fake)
    assert axl.version == '12.5'
    assert axl.version == '12.5'
    assert axl.get_ccm_version() == '12.5.1.16900-48'
    assert fake.operations() == ['getCCMVersion']
    sent = fake.sent[0]
    assert sent.version == '1.0'
    assert 'SOAPAction' not in sent.headers
    assert sent.fields == {'processNodeName': ''}


def test_given_version_is_used_without_detection():
    fake = FakeAxlSession()
    axl = AxlClient(fake, '15.0')
    axl.get_service_parameter('ClusterID')
    assert fake.operations() == ['getServiceParameter']
    sent = fake.sent[0]
    assert sent.version == '15.0'
    assert sent.headers['SOAPAction'] == '"CUCM:DB ver=15.0 getServiceParameter"'
    assert sent.headers['Content-Type'] == 'text/xml; charset=utf-8'
    assert sent.method == 'POST' and sent.path == '/axl/'


def test_weird_ccm_version_is_a_clear_error():
    fake = FakeAxlSession(ccm_version='unknown build')
    with pytest.raises(UCError) as info:
        AxlClient(fake).version
    assert "cannot tell the AXL schema version from the CUCM version 'unknown build'" in str(info.value)
    assert 'Set axl_version' in info.value.hint


def test_missing_version_element_is_a_clear_error():
    fake = FakeAxlSession()
    fake.faults.append(('getCCMVersion', soap_reply('getCCMVersion', '1.0', '<return><componentVersion/></return>')))
    with pytest.raises(UCError) as info:
        AxlClient(fake).get_ccm_version()
    assert 'componentVersion/version' in info.value.message


# --- envelopes -----------------------------------------------------------------------------------------------

def test_values_are_xml_escaped():
    fake = FakeAxlSession()
    axl = AxlClient(fake, '14.0')
    axl.update_service_parameter('ClusterID', 'a<b & "c" > d')
    assert fake.writes()[0].fields['value'] == 'a<b & "c" > d'
    assert fake.params['ClusterID'] == 'a<b & "c" > d'
    assert '&lt;b &amp;' in fake.writes()[0].body


def test_envelope_namespace_and_operation():
    root = ET.fromstring(_soap.envelope('http://www.cisco.com/AXL/API/14.0', 'getServiceParameter',
                                        [('name', 'x'), ('empty', None), ('list', [('a', '1')])]))
    body = root.find('{http://schemas.xmlsoap.org/soap/envelope/}Body')
    operation = body[0]
    assert operation.tag == '{http://www.cisco.com/AXL/API/14.0}getServiceParameter'
    assert [(child.tag, child.text) for child in operation][:2] == [('name', 'x'), ('empty', None)]
    assert operation.find('list/a').text == '1'


def test_control_characters_are_refused_before_sending():
    fake = FakeAxlSession()
    with pytest.raises(UCError) as info:
        AxlClient(fake, '14.0').update_service_parameter('ClusterID', 'bad\x00value')
    assert 'control character' in str(info.value)
    assert fake.sent == []


# --- service parameters --------------------------------------------------------------------------------------

def test_get_service_parameter():
    fake = FakeAxlSession(boolean_style='tf', values={'oAuthWithRefreshLoginFlow': True})
    parameter = AxlClient(fake, '14.0').get_service_parameter('oAuthWithRefreshLoginFlow')
    assert parameter == {'name': 'oAuthWithRefreshLoginFlow', 'value': 'T', 'valueType': 'boolean'}
    assert fake.sent[0].fields == {'processNodeName': 'EnterpriseWideData', 'name': 'oAuthWithRefreshLoginFlow',
                                   'service': 'Enterprise Wide'}


def test_update_service_parameter_sends_all_four_fields():
    fake = FakeAxlSession()
    assert AxlClient(fake, '14.0').update_service_parameter('oauthTokenExpiryTimer', 30) == '{1}'
    assert fake.writes()[0].fields == {'processNodeName': 'EnterpriseWideData', 'name': 'oauthTokenExpiryTimer',
                                       'service': 'Enterprise Wide', 'value': '30'}
    assert fake.params['oauthTokenExpiryTimer'] == '30'


def test_reply_parsing_ignores_prefixes_and_namespaces():
    fake = FakeAxlSession()
    fake.faults.append(('getServiceParameter', xml_response(200, (
        '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Header/><e:Body>'
        '<q:getServiceParameterResponse xmlns:q="http://www.cisco.com/AXL/API/99.9"><return>'
        '<serviceParameter><name>ClusterID</name><value/><valueType>String</valueType></serviceParameter>'
        '</return></q:getServiceParameterResponse></e:Body></e:Envelope>'))))
    assert AxlClient(fake, '14.0').get_service_parameter('ClusterID') == {
        'name': 'ClusterID', 'value': '', 'valueType': 'String'}


def test_reply_without_service_parameter_is_an_error():
    fake = FakeAxlSession()
    fake.faults.append(('getServiceParameter', soap_reply('getServiceParameter', '14.0', '<return/>')))
    with pytest.raises(UCError) as info:
        AxlClient(fake, '14.0').get_service_parameter('ClusterID')
    assert 'no return/serviceParameter' in info.value.message


# --- faults ---------------------------------------------------------------------------------------------------

def test_unknown_parameter_fault_names_axlcode_message_and_hint():
    fake = FakeAxlSession()
    with pytest.raises(AxlFault) as info:
        AxlClient(fake, '14.0').get_service_parameter('clusterid')
    error = info.value
    assert error.status == 500
    assert error.operation == 'getServiceParameter clusterid'
    assert error.detail('axlcode') == '5007'
    assert 'was not found' in error.detail('axlmessage')
    assert 'programmatic name' in error.hint
    text = str(error)
    assert text.startswith('CUCM cucm.example.com:8443: getServiceParameter clusterid failed:')
    assert 'HTTP 500; axlcode 5007; axlmessage Item not valid' in text


@pytest.mark.parametrize('fault, hint', [
    (soap_fault('A syntax error has occurred', 201), 'SQL'),
    (soap_fault("Invalid value '2000' for parameter oauthTokenExpiryTimer: must be between 1 and 1440", 5009),
     'allowed range'),
    (soap_fault('Value is out of range', 5000), 'allowed range'),
    (soap_fault('Query request too large. Total rows matched: 9 rows.', -1), 'fewer rows'),
    (soap_fault("Unmarshalling Error: cvc-complex-type.2.4.a: Invalid content was found starting with element 'x'"),
     'axl_version'),
    (soap_fault('getFoo is not a valid AXL operation'), 'axl_version'),
])
def test_fault_hints(fault, hint):
    fake = FakeAxlSession()
    fake.faults.append((None, fault))
    with pytest.raises(AxlFault) as info:
        AxlClient(fake, '14.0').execute_sql_query('select 1 from x')
    assert hint in info.value.hint


def test_fault_without_axl_error_reports_faultstring():
    fake = FakeAxlSession()
    fake.faults.append((None, soap_fault('Unsupported AXL schema version 16.0')))
    with pytest.raises(AxlFault) as info:
        AxlClient(fake, '16.0').get_service_parameter('ClusterID')
    assert info.value.details == [('faultstring', 'Unsupported AXL schema version 16.0')]
    assert 'axl_version' in info.value.hint and '16.0' in info.value.hint


def test_non_soap_error_page_is_reported_with_its_status_and_body():
    fake = FakeAxlSession()
    fake.faults.append((None, xml_response(404, '<html><body>Not Found</body></html>')))
    with pytest.raises(UCError) as info:
        AxlClient(fake, '14.0').get_service_parameter('ClusterID')
    assert info.value.status == 404
    assert 'Not Found' in info.value.detail('body')
    assert '/axl/' in info.value.hint


def test_reply_with_a_doctype_is_not_parsed():
    fake = FakeAxlSession()
    fake.faults.append((None, xml_response(200, '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')))
    with pytest.raises(UCError) as info:
        AxlClient(fake, '14.0').get_service_parameter('ClusterID')
    assert 'not a SOAP envelope' in info.value.message


@pytest.mark.parametrize('response, expected', [
    (soap_fault(MEMORY, -1), True),
    (soap_fault(MEMORY), True),
    (soap_fault('Query request too large. Total rows matched: 9 rows.', -1), False),
    (soap_fault('Item not valid', 5007), False),
    (soap_reply('executeSQLQuery', '14.0', '<return><row><x>%s</x></row></return>' % MEMORY), False),
])
def test_is_memory_fault(response, expected):
    assert is_memory_fault(response) is expected


# --- SQL ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('text, literal', [
    ('jdoe', "'jdoe'"),
    ("o'brien", "'o''brien'"),
    ("'; drop table enduser; --", "'''; drop table enduser; --'"),
    ('', "''"),
    (u'j\u00f6rg', u"'j\u00f6rg'"),
])
def test_sql_literal_quotes(text, literal):
    assert sql_literal(text) == literal


@pytest.mark.parametrize('text', ['a\x00b', 'a\nb', 'tab\there', '\x7f', 'x\r'])
def test_sql_literal_refuses_control_characters(text):
    with pytest.raises(ValueError):
        sql_literal(text)


def test_sql_literal_refuses_non_strings():
    with pytest.raises(ValueError) as info:
        sql_literal(5)
    assert str(info.value) == 'an SQL literal must be a string, got the number 5'   # not "got int"


def test_execute_sql_query_rows():
    fake = FakeAxlSession()
    fake.faults.append((None, soap_reply('executeSQLQuery', '14.0',
                                         '<return><row><userid>jdoe</userid><lastname/></row>'
                                         '<row><userid>a&amp;b</userid><lastname>X</lastname></row></return>')))
    rows = AxlClient(fake, '14.0').execute_sql_query("select userid, lastname from enduser")
    assert rows == [{'userid': 'jdoe', 'lastname': ''}, {'userid': 'a&b', 'lastname': 'X'}]
    assert fake.sent[0].fields == {'sql': 'select userid, lastname from enduser'}


@pytest.mark.parametrize('inner', ['<return/>', '<return></return>', ''])
def test_execute_sql_query_tolerates_empty_replies(inner):
    fake = FakeAxlSession()
    fake.faults.append((None, soap_reply('executeSQLQuery', '14.0', inner)))
    assert AxlClient(fake, '14.0').execute_sql_query('select x from y') == []


# --- enterprise parameters in one read --------------------------------------------------------------------------

NAMES = ['oAuthWithRefreshLoginFlow', 'oauthTokenExpiryTimer', 'refreshTokenExpiryTimer']


def test_enterprise_parameters_in_one_sql_request():
    fake = FakeAxlSession(boolean_style='tf', values={'oauthTokenExpiryTimer': 30})
    found = AxlClient(fake, '14.0').get_enterprise_parameters(NAMES)
    assert fake.operations() == ['executeSQLQuery']
    assert found['oAuthWithRefreshLoginFlow'] == {'name': 'oAuthWithRefreshLoginFlow', 'value': 'F',
                                                  'valueType': None}
    assert found['oauthTokenExpiryTimer']['value'] == '30'
    sql = fake.sent[0].fields['sql']
    assert sql == ("select paramname, paramvalue from processconfig where fkprocessnode = "
                   "'00000000-1111-0000-0000-000000000000' and paramname in ('oAuthWithRefreshLoginFlow', "
                   "'oauthTokenExpiryTimer', 'refreshTokenExpiryTimer')")


def test_enterprise_parameters_fall_back_to_get_service_parameter_when_sql_faults():
    fake = FakeAxlSession(sql=False)
    found = AxlClient(fake, '14.0').get_enterprise_parameters(NAMES)
    assert fake.operations() == ['executeSQLQuery'] + ['getServiceParameter'] * 3
    assert found['oAuthWithRefreshLoginFlow'] == {'name': 'oAuthWithRefreshLoginFlow', 'value': 'false',
                                                  'valueType': 'Boolean'}


def test_enterprise_parameters_missing_from_sql_are_read_one_by_one():
    fake = FakeAxlSession(sql_omit=['refreshTokenExpiryTimer'])
    found = AxlClient(fake, '14.0').get_enterprise_parameters(NAMES)
    assert fake.operations() == ['executeSQLQuery', 'getServiceParameter']
    assert fake.sent[1].fields['name'] == 'refreshTokenExpiryTimer'
    assert found['refreshTokenExpiryTimer']['valueType'] == 'long'


def test_enterprise_parameters_do_not_swallow_auth_errors():
    class Denied(FakeAxlSession):
        def request(self, *args, **kwargs):
            raise UCError('access denied', status=403)

    with pytest.raises(UCError) as info:
        AxlClient(Denied(), '14.0').get_enterprise_parameters(NAMES)
    assert info.value.status == 403


# --- over a real socket: retries of the memory fault ----------------------------------------------------------------

def _fault_text(message, code=-1):
    return soap_fault(message, code).body.decode('utf-8')


def _ok_version():
    return soap_reply('getCCMVersion', '1.0', '<return><componentVersion><version>14.0.1.13900(155)</version>'
                                              '</componentVersion></return>').body.decode('utf-8')


def test_memory_fault_is_retried_over_http(monkeypatch):
    plain_http(monkeypatch)
    sleeps = []
    with ScriptedServer([reply(500, _fault_text(MEMORY)), reply(500, _fault_text(MEMORY)), reply(200, _ok_version())]) \
            as server:
        axl = AxlClient(session(server, sleeps))
        assert axl.version == '14.0'
    assert len(server.requests) == 3
    assert len(sleeps) == 2
    assert server.requests[0].path == '/axl/'
    assert '"http://www.cisco.com/AXL/API/1.0"' in server.requests[0].body


def test_memory_fault_retries_exhausted_is_a_clear_error(monkeypatch):
    plain_http(monkeypatch)
    with ScriptedServer([reply(500, _fault_text(MEMORY))] * 3) as server:
        with pytest.raises(UCError) as info:
            AxlClient(session(server, retries=2), '14.0').execute_sql_query('select x from y')
    assert len(server.requests) == 3
    error = info.value
    assert error.detail('axlcode') == '-1'
    assert 'gave up after 2 retries' in error.hint
    assert 'executeSQLQuery' in str(error)


def test_query_too_large_is_not_retried(monkeypatch):
    plain_http(monkeypatch)
    with ScriptedServer([reply(500, _fault_text('Query request too large. Total rows matched: 9 rows.'))]) as server:
        with pytest.raises(AxlFault):
            AxlClient(session(server), '14.0').execute_sql_query('select x from y')
    assert len(server.requests) == 1


def test_axl_requests_share_one_connection_and_one_basic_auth(monkeypatch):
    plain_http(monkeypatch)
    param = soap_reply('getServiceParameter', '14.0', '<return><serviceParameter><name>ClusterID</name>'
                                                      '<value>X</value><valueType>String</valueType>'
                                                      '</serviceParameter></return>').body.decode('utf-8')
    cookie = {'Set-Cookie': 'JSESSIONIDSSO=ABC123; Path=/; Secure; HttpOnly'}
    with ScriptedServer([reply(200, _ok_version(), cookie), reply(200, param), DROP, reply(200, param)]) as server:
        axl = AxlClient(session(server))
        axl.version
        axl.get_service_parameter('ClusterID')
        axl.get_service_parameter('ClusterID')
    authorized = [r for r in server.requests if 'Authorization' in r.headers]
    assert len(authorized) == 1
    assert all(r.headers.get('Cookie') == 'JSESSIONIDSSO=ABC123' for r in server.requests[1:])
    # keep-alive: one connection until the drop, then a new one for the retry
    assert [r.connection for r in server.requests] == [1, 1, 1, 2]


def test_enterprise_parameters_do_not_fall_back_on_a_protocol_fault():
    fake = FakeAxlSession()
    fake.faults.append((None, soap_fault('Unsupported AXL schema version 16.0; this server supports: 14.0')))
    with pytest.raises(AxlFault) as info:
        AxlClient(fake, '16.0').get_enterprise_parameters(NAMES)
    assert fake.operations() == ['executeSQLQuery']
    assert 'axl_version' in info.value.hint


def test_error_pages_are_reported_as_text():
    fake = FakeAxlSession()
    fake.faults.append((None, xml_response(502, '<html><head><title>Proxy Error</title><style>p {}</style></head>'
                                                '<body><h1>Bad Gateway</h1><p>The upstream server &amp; all</p>'
                                                '</body></html>')))
    with pytest.raises(UCError) as info:
        AxlClient(fake, '14.0').get_service_parameter('ClusterID')
    assert info.value.detail('body') == 'Bad Gateway The upstream server & all'
