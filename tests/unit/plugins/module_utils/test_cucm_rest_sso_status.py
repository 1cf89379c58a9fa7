# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""SsospClient.sso_status over a real socket, with the reply shapes of the public samples."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import UCError
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_rest import SsospClient, parse_sso_status
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.scripted_server import (
    ScriptedServer, plain_http, reply, session)

# The shape of the developer guide's sample (seed 000): empty version, SSO on, no token reuse.
GUIDE_SAMPLE = '<SingleSignOn version="">\n    <Status enabled="true"/>\n    <Token reuse="false"/>\n</SingleSignOn>'
# The shape of the Expressway trace (seed 003): another root element, blank lines, trailing spaces.
TRACE_SAMPLE = ("<?xml version='1.0' encoding='UTF-8'?>\n<SSOResult version=\"1.0\">\n\n\n"
                "            <Status enabled=\"false\"/>\n\n            <Token reuse=\"true\"/>        \n\n</SSOResult>\n")


@pytest.fixture(autouse=True)
def _plain(monkeypatch):
    plain_http(monkeypatch)


@pytest.mark.parametrize('text, expected', [
    (GUIDE_SAMPLE, {'version': '', 'sso_enabled': True, 'token_reuse': False}),
    (TRACE_SAMPLE, {'version': '1.0', 'sso_enabled': False, 'token_reuse': True}),
    ('<SingleSignOn><Status enabled="TRUE"/></SingleSignOn>', {'version': None, 'sso_enabled': True,
                                                               'token_reuse': None}),
    # variants neither sample shows, read the same way: a namespace, other letter case, spaces in values
    ('<s:SingleSignOn xmlns:s="urn:cisco:sso" s:version="2.0"><s:Status s:enabled="true"/><s:Token reuse="true"/>'
     '</s:SingleSignOn>', {'version': '2.0', 'sso_enabled': True, 'token_reuse': True}),
    ('<SingleSignOn Version=""><status Enabled=" False "/><TOKEN Reuse="TRUE"/></SingleSignOn>',
     {'version': '', 'sso_enabled': False, 'token_reuse': True}),
    ('<SingleSignOn version=""><Response><Status enabled="true"/></Response><Token reuse="false"/></SingleSignOn>',
     {'version': '', 'sso_enabled': True, 'token_reuse': False}),
])
def test_parse_sso_status(text, expected):
    assert parse_sso_status(text) == expected


def test_parse_sso_status_refuses_non_xml():
    with pytest.raises(ValueError):
        parse_sso_status('<html>oops')


def test_sso_status_gets_the_public_endpoint():
    with ScriptedServer([reply(200, TRACE_SAMPLE, {'Content-Type': 'text/xml'})]) as server:
        status = SsospClient(session(server)).sso_status()
    assert status == {'version': '1.0', 'sso_enabled': False, 'token_reuse': True}
    sent = server.requests[0]
    assert sent.method == 'GET'
    assert sent.path == '/ssosp/ws/public/singleSignOn'


def test_sso_status_error_page_is_reported():
    with ScriptedServer([reply(404, 'Not here')]) as server:
        with pytest.raises(UCError) as info:
            SsospClient(session(server)).sso_status()
    assert info.value.status == 404
    assert info.value.detail('body') == 'Not here'
    assert 'ssosp' in info.value.hint


def test_sso_status_garbage_is_reported():
    with ScriptedServer([reply(200, 'not xml at all <')]) as server:
        with pytest.raises(UCError) as info:
            SsospClient(session(server)).sso_status()
    assert 'not the expected XML' in info.value.message
