#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cucm_oauth
short_description: Manage the OAuth enterprise parameters of a CUCM cluster
version_added: 1.0.0
description:
  - Sets the OAuth enterprise parameters of a Cisco Unified Communications Manager (CUCM) cluster through AXL, namely
    refresh logins (C(oAuthWithRefreshLoginFlow)) and the access token, refresh token and device refresh token
    expiry timers.
  - Reads every current value in one request (C(executeSQLQuery) on C(processconfig), or C(getServiceParameter)
    per parameter if the cluster refuses the query), then writes only the parameters that differ, each with
    C(updateServiceParameter). A run that changes nothing makes no write, and at most two requests
    (one with O(axl_version)).
  - Options left out are not touched. At least one of them is required; to only read the parameters, use
    M(collab.uc.cucm_oauth_info).
  - Warns about the side effects Cisco documents, in check mode too.
    Changing O(refresh_token_expiry) revokes every refresh token the cluster has issued, so users must sign in
    again. Turning O(refresh_login) off requires resetting all Jabber and Webex clients. After any change Cisco
    says to reset Jabber and Webex clients.
  - Every range is checked before the first request.
author:
  - collab.uc contributors (@collab-uc)
extends_documentation_fragment:
  - collab.uc.cucm_connection
  - collab.uc.https_connection
  - collab.uc.attributes
attributes:
  check_mode:
    support: full
    details: Reads the parameters and reports what would change, with the same warnings; never writes.
  diff_mode:
    support: full
  action_group:
    membership: [collab.uc.cucm]
options:
  refresh_login:
    description:
      - The C(OAuth with Refresh Login Flow) enterprise parameter (C(oAuthWithRefreshLoginFlow)).
      - V(true) enables refresh logins, V(false) disables them.
      - How CUCM stores this value is not documented. The module reads any of V(true)/V(false), V(T)/V(F),
        V(1)/V(0), V(Enabled)/V(Disabled), V(yes)/V(no), V(on)/V(off) (case-insensitively), and writes the new
        value in the same representation and case the cluster used.
      - Refresh logins need CUCM and IM and Presence 11.5(1)SU3 or later, Jabber 11.9 or later, and, for
        Mobile and Remote Access, Expressway X8.10.1 or later with "Authorize by OAuth token with refresh".
    type: bool
  access_token_expiry:
    description:
      - Lifetime of OAuth access tokens in minutes, between V(1) and V(1440) (C(oauthTokenExpiryTimer),
        the C(OAuth Access Token Expiry Timer); CUCM's default is 60).
    type: int
  refresh_token_expiry:
    description:
      - Lifetime of Jabber and other client refresh tokens in days, between V(1) and V(365)
        (C(refreshTokenExpiryTimer), the C(Jabber/Client OAuth Refresh Token Expiry Timer); CUCM's default is 60).
      - Changing it revokes every refresh token the cluster has issued; users must sign in again.
    type: int
  device_refresh_token_expiry:
    description:
      - Lifetime of physical phones' refresh tokens in days (C(DeviceTokenExpiryTimer), the
        C(Physical Phone OAuth Refresh Token Expiry Timer)).
      - Cisco does not document its range. This module assumes V(1) to V(3650) days, the range the collection's
        simulator also uses; CUCM itself has the last word and refuses a value it does not accept.
    type: int
notes:
  - The user needs the C(Standard AXL API Access) role. Writes go to the publisher and replicate to the cluster.
  - C(updateServiceParameter) is used for writes; C(doEnterpriseParametersReset), which resets every parameter,
    is never used.
  - Unity Connection has its own C(OAuth with Refresh Login Flow) enterprise parameter, which no public API sets.
seealso:
  - module: collab.uc.cucm_oauth_info
  - module: collab.uc.cucm_enterprise_parameter
'''

EXAMPLES = r'''
- name: Enable OAuth refresh logins with one-hour access tokens
  collab.uc.cucm_oauth:
    host: cucm-pub.example.com
    username: axladmin
    password: "{{ vault_cucm_axl_password }}"
    refresh_login: true
    access_token_expiry: 60

- name: Set every timer, with the connection given once for the whole play
  module_defaults:
    group/collab.uc.cucm:
      host: cucm-pub.example.com
      axl_version: "14.0"
      ca_path: /etc/pki/cucm-tomcat-ca.pem
  # username and password come from CUCM_USERNAME and CUCM_PASSWORD in the environment
  block:
    - name: Apply the OAuth policy
      collab.uc.cucm_oauth:
        refresh_login: true
        access_token_expiry: 30
        refresh_token_expiry: 14
        device_refresh_token_expiry: 365
      register: oauth

    - name: Show what changed
      ansible.builtin.debug:
        msg: "{{ oauth.changes | map(attribute='name') | join(', ') }}"

- name: Preview a change of the refresh-token lifetime (it would revoke every refresh token)
  collab.uc.cucm_oauth:
    host: cucm-pub.example.com
    username: axladmin
    password: "{{ vault_cucm_axl_password }}"
    refresh_token_expiry: 30
  check_mode: true
  diff: true
'''

RETURN = r'''
changes:
  description:
    - What the task changed (in check mode, would change), one entry per change, in the order made; empty when
      nothing changed. Every module of collab.uc returns its changes under this key, in this shape.
    - Here one entry per parameter written, in write order; on a failure, those written before it.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: What changed, here the CUCM programmatic name of the parameter.
      type: str
      returned: always
    action:
      description: What was done to it (in check mode, would be done), here always V(updated).
      type: str
      returned: always
      choices: [updated]
    before:
      description: Its value before, as the option value (as in RV(before)).
      type: raw
      returned: always
    after:
      description: Its value after, as the option value (as in RV(after)).
      type: raw
      returned: always
    option:
      description: The option of this module that sets it.
      type: str
      returned: always
  sample: [{name: oAuthWithRefreshLoginFlow, action: updated, before: false, after: true, option: refresh_login}]
host:
  description:
    - The system the task acted on, as addressed (O(host)), without the port.
    - Every module of collab.uc that talks to a system names it under this key.
  returned: always
  type: str
  sample: cucm-pub.example.com
before:
  description:
    - The OAuth parameters before the run, keyed by option name. A value the module cannot understand is V(null).
  returned: success
  type: dict
  contains:
    refresh_login:
      description: Whether refresh logins were enabled.
      type: bool
      returned: success
    access_token_expiry:
      description: Access token lifetime in minutes.
      type: int
      returned: success
    refresh_token_expiry:
      description: Client refresh token lifetime in days.
      type: int
      returned: success
    device_refresh_token_expiry:
      description: Phone refresh token lifetime in days.
      type: int
      returned: success
  sample:
    refresh_login: false
    access_token_expiry: 60
    refresh_token_expiry: 60
    device_refresh_token_expiry: 3650
after:
  description:
    - The OAuth parameters after the run (in check mode, as they would be), keyed by option name, same keys as
      RV(before).
  returned: success
  type: dict
  sample:
    refresh_login: true
    access_token_expiry: 60
    refresh_token_expiry: 60
    device_refresh_token_expiry: 3650
changed_parameters:
  description:
    - CUCM programmatic names of the parameters written (in check mode, that would be written), in write order.
    - Deprecated, use RV(changes); removed in 2.0.0.
  returned: success
  type: list
  elements: str
  sample: [oAuthWithRefreshLoginFlow]
axl_version:
  description:
    - The AXL schema version the requests used, as given in O(axl_version) or derived from C(getCCMVersion).
    - Not the CUCM version (M(collab.uc.cucm_oauth_info) returns that as RV(collab.uc.cucm_oauth_info#module:version)).
  returned: success
  type: str
  sample: '14.0'
diff:
  description: RV(before) and RV(after), when run with C(--diff).
  returned: success and diff mode
  type: dict
  contains:
    before:
      description: Same as RV(before).
      type: dict
      returned: success and diff mode
    after:
      description: Same as RV(after).
      type: dict
      returned: success and diff mode
error:
  description: On failure, what went wrong, for programs.
  returned: failure
  type: dict
  contains:
    host:
      description: C(host:port) that answered.
      type: str
      returned: failure
    operation:
      description: What was being done, for example C(updateServiceParameter refreshTokenExpiryTimer).
      type: str
      returned: failure
    status:
      description: HTTP status of the answer, if there was one.
      type: int
      returned: failure
    message:
      description: What went wrong.
      type: str
      returned: failure
    hint:
      description: What to do about it.
      type: str
      returned: failure
    axlcode:
      description: AXL error code, when CUCM answered with an AXL fault.
      type: str
      returned: failure
    axlmessage:
      description: AXL error message, when CUCM answered with an AXL fault.
      type: str
      returned: failure
  sample:
    host: cucm-pub.example.com:8443
    operation: updateServiceParameter oauthTokenExpiryTimer
    status: 500
    message: CUCM answered with a SOAP fault
    axlcode: '5009'
    axlmessage: Invalid value
    hint: Use a value in the allowed range shown by CUCM above
'''

from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule, change
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import UCError
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_axl import AxlClient
from ansible_collections.collab.uc.plugins.module_utils.domain._oauth_parameters import PARAMETERS, read_parameters


class CucmOauth(UCModule):
    connections = ('cucm',)
    argument_spec = dict(
        refresh_login=dict(type='bool'),
        access_token_expiry=dict(type='int', no_log=False),
        refresh_token_expiry=dict(type='int', no_log=False),
        device_refresh_token_expiry=dict(type='int', no_log=False),
    )
    module_kwargs = dict(required_one_of=[[p.option for p in PARAMETERS]])

    def execute(self):
        wanted = dict((p.option, self.params[p.option]) for p in PARAMETERS if self.params[p.option] is not None)
        for parameter in PARAMETERS:
            problem = parameter.check(wanted.get(parameter.option))
            if problem:
                self.module.fail_json(msg=problem)

        axl = AxlClient(self.http_session(), self.params['axl_version'])
        raw, before, warnings = read_parameters(axl, required=wanted)
        for warning in warnings:
            self.module.warn(warning)

        to_write = [p for p in PARAMETERS if p.option in wanted and wanted[p.option] != before[p.option]]
        after = dict(before)
        after.update((p.option, wanted[p.option]) for p in to_write)

        changes = [change(p.name, 'updated', before[p.option], after[p.option], option=p.option) for p in to_write]
        written = []
        if not self.check_mode:
            for parameter in to_write:
                value = parameter.to_raw(wanted[parameter.option], raw[parameter.name]['value'])
                try:
                    axl.update_service_parameter(parameter.name, value)
                except UCError as error:
                    if written:
                        error.hint = '%s. Already written: %s' % ((error.hint or '').rstrip('.'), ', '.join(written))
                    self.fail(error, changed=bool(written), changes=changes[:len(written)], changed_parameters=written)
                written.append(parameter.name)

        self.warn_side_effects(before, after, to_write)
        result = dict(
            changed=bool(changes),
            before=before,
            after=after,
            changes=changes,
            changed_parameters=[p.name for p in to_write],
            axl_version=axl.version,
        )
        return self.diff(result, before, after)

    def warn_side_effects(self, before, after, to_write):
        if not to_write:
            return
        would = self.check_mode
        options = [p.option for p in to_write]
        if 'refresh_token_expiry' in options:
            self.module.warn(
                'Changing refresh_token_expiry (refreshTokenExpiryTimer) from %s to %s days %s every refresh token '
                'the cluster has issued: users must sign in again.'
                % (before['refresh_token_expiry'], after['refresh_token_expiry'],
                   'would revoke' if would else 'revokes'))
        if 'refresh_login' in options and before['refresh_login'] and not after['refresh_login']:
            self.module.warn(
                'Turning refresh_login (oAuthWithRefreshLoginFlow) off %s resetting all Jabber and Webex clients.'
                % ('would require' if would else 'requires'))
        self.module.warn(
            '%s %s: Cisco says to reset Jabber and Webex clients after saving OAuth parameters.'
            % ('Would save' if would else 'Saved', ', '.join(p.name for p in to_write)))


def main():
    CucmOauth().run()


if __name__ == '__main__':
    main()
