#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: oauth_audit_report
short_description: Turn what was read from UC systems into OAuth audit findings and reports
version_added: 1.1.0
description:
  - Compares the OAuth state read from CUCM clusters, Unity Connection and Expressway-C systems (role
    role C(collab.uc.oauth_audit) gathers it) and returns a matrix of systems and checks, and findings, each with a
    severity, the systems involved and the fix.
  - Findings - refresh login on in CUCM but off on an Expressway-C or Unity Connection that serves it (Jabber's
    "no SASL mechanism" failure over MRA); clusters that differ from each other; a Unity Connection with no AuthZ server for
    a cluster it serves; an AuthZ server whose last key sync failed or is older than the cluster's last key
    regeneration; versions below the minimum for refresh logins; refresh login and token timers that differ from
    the desired state; Token reuse off where refresh login is on; a system that could not be read.
  - Writes the reports to O(dest) - C(oauth-audit.json) for machines, C(oauth-audit.md) for merge requests and
    tickets, and C(oauth-audit.html), one self-contained page (no script, no external resource) with the matrix in
    green, amber and red and the findings, readable by someone who does not know Ansible.
  - Talks to no system; it runs where the reports go (the controller, with C(delegate_to) V(localhost)).
author:
  - collab.uc contributors (@collab-uc)
extends_documentation_fragment:
  - collab.uc.attributes
attributes:
  check_mode:
    support: full
    details: Computes the findings but writes no file.
  diff_mode:
    support: none
  action_group:
    support: none
options:
  systems:
    description:
      - What was read from each system, as role C(collab.uc.oauth_audit) gathers it. Each is a dictionary with
        C(name), C(kind) (V(cucm), V(cuc) or V(expressway)) and C(error) (set when the system could not be read),
        and per kind - CUCM C(version), C(oauth) (as M(collab.uc.cucm_oauth_info) returns it), C(sso), C(keys) (as
        M(collab.uc.cucm_authz_keys) returns them) or C(keys_error), C(addresses) and C(port) of the publisher;
        Unity Connection C(serves) (cluster names), C(authz_servers) (as M(collab.uc.cuc_authz_server_info) returns
        them), optional C(version) and C(refresh_login) (no API reads them); Expressway-C C(serves), C(version),
        C(settings), and optionally C(xconfiguration) and C(absent) (as M(collab.uc.expressway_oauth) returns them;
        every C(CollaborationEdge) leaf it shows is listed in the reports, with the settings whose leaf it does not
        show).
    type: list
    elements: dict
    required: true
  desired:
    description: The desired state of every CUCM cluster; an unset key is not checked.
    type: dict
    default: {}
    suboptions:
      refresh_login:
        description: Refresh login on (V(true)) or off.
        type: bool
      access_token_expiry:
        description: Access token lifetime in minutes.
        type: int
      refresh_token_expiry:
        description: Refresh token lifetime in days.
        type: int
      device_refresh_token_expiry:
        description: Phone refresh token lifetime in days.
        type: int
  minimums:
    description: Minimum versions for refresh logins.
    type: dict
    default: {}
    suboptions:
      cucm:
        description: CUCM and IM and Presence (11.5(1)SU3).
        type: str
        default: 11.5.1.13900
      cuc:
        description: Unity Connection (11.5(1)SU3).
        type: str
        default: 11.5.1.13900
      expressway:
        description: Expressway-C.
        type: str
        default: X8.10.1
  dest:
    description:
      - Directory to write the three reports into (created if missing). Unset, no file is written.
      - The reports are written on every run (they say when the estate was last looked at). The task reports
        C(changed) only when the result differs from the C(oauth-audit.json) already there - other systems, checks,
        cells or findings - not when only the time of the audit does, so a second audit of an unchanged estate
        is C(ok).
    type: path
  title:
    description: Title of the reports.
    type: str
    default: OAuth audit of the UC estate
'''

EXAMPLES = r'''
- name: Report (normally done by role collab.uc.oauth_audit)
  collab.uc.oauth_audit_report:
    systems:
      - {name: cucm-a, kind: cucm, version: 14.0.1.13900(155), oauth: {refresh_login: true}}
      - {name: expc-a, kind: expressway, version: X14.2.1, serves: [cucm-a],
         settings: {oauth_token_with_refresh: false, oauth_token: false, user_credentials: true}}
    desired:
      refresh_login: true
    dest: "{{ playbook_dir }}/oauth-audit"
  delegate_to: localhost
  run_once: true
  register: audit
'''

RETURN = r'''
changes:
  description:
    - What the task changed (in check mode, would change), one entry per change, in the order made; empty when
      nothing changed. Every module of collab.uc returns its changes under this key, in this shape.
    - Here the report files, when the estate's result differs from the last report in O(dest) (they are written on
      every run, which alone is no change).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: What changed, here the path of a report file.
      type: str
      returned: always
    action:
      description: What was done to it (in check mode, would be done).
      type: str
      returned: always
      choices: [created, updated]
  sample: [{name: /tmp/oauth-audit/oauth-audit.json, action: updated}]
findings:
  description: The findings, critical first.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The kind of finding.
      type: str
      returned: always
      sample: refresh_mismatch
    severity:
      description: V(critical) (red, breaks logins or voicemail) or V(warning) (amber).
      type: str
      returned: always
      sample: critical
    title:
      description: One line a person reads.
      type: str
      returned: always
      sample: Refresh login is on in cucm-a but off on Expressway-C expc-a
    systems:
      description: The systems involved.
      type: list
      elements: str
      returned: always
      sample: [cucm-a, expc-a]
    detail:
      description: What was seen and what it breaks.
      type: str
      returned: always
    fix:
      description: What to do, with the module or role that does it.
      type: str
      returned: always
summary:
  description: Counts of systems and findings.
  returned: always
  type: dict
  sample: {systems: 4, findings: 5, critical: 3, warning: 2}
report:
  description: The whole report (what C(oauth-audit.json) holds) - checks, systems with their cells, findings.
  returned: always
  type: dict
files:
  description: The files written (none in check mode or without O(dest)).
  returned: always
  type: dict
  sample: {json: /tmp/oauth-audit/oauth-audit.json, markdown: /tmp/oauth-audit/oauth-audit.md,
           html: /tmp/oauth-audit/oauth-audit.html}
'''

import json
import os
import tempfile

from ansible_collections.collab.uc.plugins.module_utils.domain._audit_report import (
    same_result, to_html, to_json, to_markdown)
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import shorten
from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule, change, given_params, \
    whole_number_problem
from ansible_collections.collab.uc.plugins.module_utils.domain._oauth_audit import audit

TIMER_OPTIONS = ('access_token_expiry', 'refresh_token_expiry', 'device_refresh_token_expiry')

KINDS = ('cucm', 'cuc', 'expressway')
FILES = (('json', 'oauth-audit.json', to_json), ('markdown', 'oauth-audit.md', to_markdown),
         ('html', 'oauth-audit.html', to_html))


def read(path):
    """The text of ``path``, or None when there is no such file."""
    if not os.path.exists(path):
        return None
    with open(path, 'rb') as handle:
        return handle.read().decode('utf-8', 'replace')


def write(path, text):
    """Write ``text`` to ``path`` atomically."""
    data = text.encode('utf-8')
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.oauth-audit-')
    with os.fdopen(fd, 'wb') as handle:
        handle.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


class OauthAuditReport(UCModule):
    argument_spec = dict(
        systems=dict(type='list', elements='dict', required=True),
        desired=dict(type='dict', default={}, options=dict(
            refresh_login=dict(type='bool'), access_token_expiry=dict(type='int', no_log=False),
            refresh_token_expiry=dict(type='int', no_log=False),
            device_refresh_token_expiry=dict(type='int', no_log=False))),
        minimums=dict(type='dict', default={}, options=dict(
            cucm=dict(type='str', default='11.5.1.13900'), cuc=dict(type='str', default='11.5.1.13900'),
            expressway=dict(type='str', default='X8.10.1'))),
        dest=dict(type='path'),
        title=dict(type='str', default='OAuth audit of the UC estate'),
    )

    def execute(self):
        module = self.module
        given = given_params().get('desired')
        for option in TIMER_OPTIONS:
            problem = whole_number_problem('desired.%s' % option, given.get(option)) \
                if isinstance(given, dict) else None
            if problem:
                module.fail_json(msg=problem)
        names = set()
        for n, system in enumerate(module.params['systems']):
            if not system.get('name') or system.get('kind') not in KINDS:
                module.fail_json(msg='systems[%d] needs a name and a kind (%s), got %s' % (
                    n, ', '.join(KINDS), shorten(json.dumps(system, sort_keys=True, default=str), 300)))
            if system['name'] in names:
                module.fail_json(msg='systems: %s is listed twice' % system['name'])
            names.add(system['name'])
        report = audit(module.params['systems'], module.params['desired'], module.params['minimums'])
        files, changes = {}, []
        dest = module.params['dest']
        if dest and not module.check_mode:
            try:
                if not os.path.isdir(dest):
                    os.makedirs(dest)
                # changed: the estate's result differs from the last report in dest (its generation time aside);
                # the files are written every run, so that they say when the estate was last looked at
                changed = not same_result(report, read(os.path.join(dest, FILES[0][1])))
                for key, name, render in FILES:
                    path = os.path.join(dest, name)
                    existed = os.path.exists(path)
                    write(path, render(report) if render is to_json else render(report, module.params['title']))
                    files[key] = path
                    if changed:
                        changes.append(change(path, 'updated' if existed else 'created'))
            except (IOError, OSError) as exc:
                module.fail_json(msg='cannot write the audit reports to %s: %s' % (dest, exc), report=report)
        return dict(changed=bool(changes), changes=changes, findings=report['findings'], summary=report['summary'],
                    report=report, files=files)


def main():
    OauthAuditReport().run()


if __name__ == '__main__':
    main()
