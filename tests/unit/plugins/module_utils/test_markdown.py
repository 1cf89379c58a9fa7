# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one Markdown escaping rule (module_utils/domain/_markdown.py), with hostile values as systems can hold them, and
the OAuth audit's Markdown report that uses it (the gitops_summary callback's use: tests/unit/plugins/callback)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest

from ansible_collections.collab.uc.plugins.module_utils.domain._audit_report import to_markdown
from ansible_collections.collab.uc.plugins.module_utils.domain._markdown import md_text
from ansible_collections.collab.uc.plugins.module_utils.domain._oauth_audit import audit

# what a system may hold: a CUCM ClusterID or enterprise parameter, a Connection AuthZ server name, an Expressway
# leaf, a problem message
HOSTILE = [
    'East\\|Cluster',                               # the forgery: backslash before a pipe
    'a|b', 'a\\\\|b', 'trailing\\',
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<!-- hidden --> & &amp;',
    '[click](https://evil.example/)', '![pixel](https://evil.example/p.png)', '<https://evil.example/>',
    '`code` ``x``', 'line one\nline two\r\n| forged | row |', u'sep\u2028arator\x00\x1b[31m',
]
# a GFM table row's cells, as cmark-gfm splits them: a backslash escapes the next character, a bare pipe splits
_CELL = re.compile(r'(?:\\.|[^|\\\n])+|\|')


def cells(row):
    """The cells of one GFM table row (outer pipes dropped)."""
    out, current = [], ''
    for token in _CELL.findall(row):
        if token == '|':
            out.append(current)
            current = ''
        else:
            current += token
    out.append(current)
    return [c.strip() for c in out[1:-1]]


def unescape(cell):
    """What a Markdown renderer shows of an escaped cell (backslash escapes and the three entities)."""
    text = re.sub(r'\\(.)', r'\1', cell)
    return text.replace('&lt;', '<').replace('&gt;', '>').replace('&amp;', '&')


def is_inert(text):
    """No raw HTML, no link or image, no code span, no line break left in ``text``."""
    bare = re.sub(r'\\.', '', text)
    return not re.search(r'[<>`\[\]!\n\r]', bare) and '\\' not in bare


@pytest.mark.parametrize('value', HOSTILE)
def test_a_hostile_value_is_one_inert_cell_that_reads_as_the_value(value):
    text = md_text(value)
    row = '| a | %s | z |' % text
    assert cells(row) == ['a', text.strip(), 'z']
    assert is_inert(text)
    folded = re.sub(u'[\x00-\x1f\x7f\u2028\u2029]', ' ', value)
    assert unescape(text) == folded


def test_the_rule_itself():
    assert md_text('East\\|Cluster') == 'East\\\\\\|Cluster'
    assert md_text('<img src=x onerror=alert(1)>') == '&lt;img src=x onerror=alert(1)&gt;'
    assert md_text('![i](u)') == '\\!\\[i\\](u)'
    assert md_text('a & b `c`\nd') == 'a &amp; b \\`c\\` d'
    assert md_text(None) == '' and md_text(30) == '30' and md_text('access_token_expiry') == 'access_token_expiry'


@pytest.mark.parametrize('value', HOSTILE)
def test_audit_markdown_rows_stay_whole_with_hostile_values_from_every_system(value):
    systems = [
        {'name': 'cucm-a', 'kind': 'cucm', 'version': value, 'addresses': ['cucm-a.lab.local'], 'port': 8443,
         'oauth': {'refresh_login': True, 'access_token_expiry': 30, 'refresh_token_expiry': 60},
         'sso': {'enabled': False, 'token_reuse': True}, 'keys_error': value},
        {'name': 'cuc', 'kind': 'cuc', 'serves': ['cucm-a'], 'version': '14.0.1',
         'authz_servers': [{'name': value, 'server_address': 'cucm-a.lab.local', 'server_port': 8443,
                            'last_sync_status': value, 'last_sync_outcome': 'failed'}]},
        {'name': 'expc', 'kind': 'expressway', 'version': 'X14.2', 'serves': ['cucm-a'],
         'settings': {'oauth_token_with_refresh': value, 'oauth_token': True, 'user_credentials': False}},
        {'name': 'gone', 'kind': 'expressway', 'serves': [], 'error': value},
    ]
    report = audit(systems, {'refresh_login': True, 'access_token_expiry': 60, 'refresh_token_expiry': 60},
                   now=1796119200)
    page = to_markdown(report, 'OAuth audit')
    lines = page.splitlines()
    width = len(report['checks']) + 1
    table = lines[lines.index('## Systems') + 2:]
    assert [len(cells(r)) for r in table] == [width] * (2 + len(systems))
    findings = [r for r in lines if r.startswith('| Critical') or r.startswith('| Warning')]
    assert findings and all(len(cells(r)) == 4 for r in findings)
    assert all(is_inert(c) for r in findings + table[2:] for c in cells(r))
