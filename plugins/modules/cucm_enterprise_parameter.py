#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cucm_enterprise_parameter
short_description: Read or set one CUCM enterprise parameter
version_added: 1.0.0
description:
  - Reads one enterprise parameter of a Cisco Unified Communications Manager (CUCM) cluster with AXL
    C(getServiceParameter) (process node C(EnterpriseWideData), service C(Enterprise Wide)) and, when O(value) is
    given and differs, sets it with C(updateServiceParameter).
  - Values are compared as CUCM stores them. Whole numbers (C(valueType) C(Long), and the OAuth timers) are
    compared and written in canonical form, so V(0030), V(" 30") and V(+30) all mean V(30) and write nothing when
    CUCM holds V(30); a value that is not a whole number is refused before any write (for the OAuth timers, before
    any request). Other text values are compared exactly, letter case and spaces included.
  - For on/off parameters (C(valueType) C(Boolean), or C(oAuthWithRefreshLoginFlow)) the comparison is tolerant,
    so V(true) equals V(T), V(1), V(Enabled), V(yes) or V(on); a different value is written in the representation
    and letter case the cluster uses.
  - For the OAuth parameters C(oauthTokenExpiryTimer), C(refreshTokenExpiryTimer), C(DeviceTokenExpiryTimer) and
    C(oAuthWithRefreshLoginFlow), O(value) is checked before the first request (see M(collab.uc.cucm_oauth) for the
    ranges). Other parameters are checked by CUCM.
  - To manage the OAuth parameters with typed options and warnings about their side effects, use
    M(collab.uc.cucm_oauth).
author:
  - collab.uc contributors (@collab-uc)
extends_documentation_fragment:
  - collab.uc.cucm_connection
  - collab.uc.https_connection
  - collab.uc.attributes
attributes:
  check_mode:
    support: full
    details: Reads the parameter and reports whether it would change; never writes.
  diff_mode:
    support: full
  action_group:
    membership: [collab.uc.cucm]
options:
  name:
    description:
      - Programmatic name of the enterprise parameter, for example V(oauthTokenExpiryTimer) or V(ClusterID).
        It is case-sensitive and is not the label CUCM Administration shows.
    type: str
    required: true
  value:
    description:
      - The value to set, as text (quote numbers in YAML if you like, they are sent as text either way).
      - When omitted, the module only reads the parameter.
    type: str
notes:
  - The user needs the C(Standard AXL API Access) role.
  - Some parameters have side effects; for example changing C(refreshTokenExpiryTimer) revokes every refresh token
    the cluster has issued. M(collab.uc.cucm_oauth) warns about those.
seealso:
  - module: collab.uc.cucm_oauth
  - module: collab.uc.cucm_oauth_info
'''

EXAMPLES = r'''
- name: Read the cluster ID
  collab.uc.cucm_enterprise_parameter:
    host: cucm-pub.example.com
    username: axladmin
    password: "{{ vault_cucm_axl_password }}"
    name: ClusterID
  register: cluster_id

- name: Show it
  ansible.builtin.debug:
    msg: "Cluster ID is {{ cluster_id.parameter.value }}"

- name: Turn on SSO for RTMT (connection from the environment, CUCM_HOST, CUCM_USERNAME, CUCM_PASSWORD)
  collab.uc.cucm_enterprise_parameter:
    name: UseSSOforRTMT
    value: "true"
'''

RETURN = r'''
changes:
  description:
    - What the task changed (in check mode, would change), one entry per change, in the order made; empty when
      nothing changed. Every module of collab.uc returns its changes under this key, in this shape.
    - Here the parameter, when its value is (or would be) written.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: What changed, here the programmatic name of the parameter.
      type: str
      returned: always
    action:
      description: What was done to it (in check mode, would be done), here always V(updated).
      type: str
      returned: always
      choices: [updated]
    before:
      description: Its value before, as CUCM stores it.
      type: str
      returned: always
    after:
      description: Its value after, as CUCM stores it.
      type: str
      returned: always
  sample: [{name: oauthTokenExpiryTimer, action: updated, before: '60', after: '30'}]
host:
  description:
    - The system the task acted on, as addressed (O(host)), without the port.
    - Every module of collab.uc that talks to a system names it under this key.
  returned: always
  type: str
  sample: cucm-pub.example.com
parameter:
  description: The parameter after the run (in check mode, as it would be).
  returned: success
  type: dict
  contains:
    name:
      description: Programmatic name.
      type: str
      returned: success
      sample: ClusterID
    value:
      description: The value as CUCM stores it.
      type: str
      returned: success
      sample: StandAloneCluster
    value_type:
      description: CUCM's C(valueType) of the parameter, for example C(Boolean), C(Long), C(String) or C(Enum).
      type: str
      returned: success
      sample: String
before:
  description: The parameter before the run, with the same keys as RV(parameter).
  returned: success
  type: dict
  sample: {name: oauthTokenExpiryTimer, value: '60', value_type: Long}
after:
  description: The parameter after the run (in check mode, as it would be), with the same keys as RV(parameter).
  returned: success
  type: dict
  sample: {name: oauthTokenExpiryTimer, value: '30', value_type: Long}
diff:
  description: The value before and after, keyed by the parameter's name, when run with C(--diff).
  returned: success and diff mode
  type: dict
  sample: {before: {oauthTokenExpiryTimer: '60'}, after: {oauthTokenExpiryTimer: '30'}}
error:
  description: On failure, what went wrong, for programs (host, operation, status, message, hint, axlcode, axlmessage).
  returned: failure
  type: dict
  sample:
    host: cucm-pub.example.com:8443
    operation: getServiceParameter clusterid
    status: 500
    message: CUCM answered with a SOAP fault
    axlcode: '5007'
    axlmessage: Item not valid
    hint: Check the programmatic name (it is case-sensitive)
'''

from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule, change
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_axl import AxlClient
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import shorten
from ansible_collections.collab.uc.plugins.module_utils.transport._soap import xml_escape
from ansible_collections.collab.uc.plugins.module_utils.domain._oauth_parameters import (
    BY_NAME, canonical_number, is_bool_type, is_number_type)
from ansible_collections.collab.uc.plugins.module_utils.transport._values import bool_equal, format_bool, parse_bool


class CucmEnterpriseParameter(UCModule):
    connections = ('cucm',)
    argument_spec = dict(
        name=dict(type='str', required=True),
        value=dict(type='str'),
    )

    def execute(self):
        name = self.params['name'].strip()
        value = self.params['value']
        if not name:
            self.module.fail_json(msg='name must not be empty')
        for label, text in (('name', name), ('value', value)):
            if text is not None:
                try:
                    xml_escape(text)
                except ValueError as exc:
                    self.module.fail_json(msg='%s %s' % (label, exc))
        known = BY_NAME.get(name)
        if known is not None and value is not None:
            problem = known.check_raw(value)
            if problem:
                self.module.fail_json(msg=problem)

        axl = AxlClient(self.http_session(), self.params['axl_version'])
        current = axl.get_service_parameter(name)
        before = dict(name=current['name'], value=current['value'], value_type=current['valueType'])
        after = dict(before)
        changed = False
        if value is not None:
            if is_bool_type(current['valueType']) or (known is not None and known.is_bool):
                try:
                    flag = parse_bool(value)[0]
                except ValueError:
                    self.module.fail_json(msg='%s is an on/off parameter (valueType %s, currently %r): value must be '
                                              'one of true/false, T/F, 1/0, Enabled/Disabled, yes/no, on/off, got %r'
                                              % (name, current['valueType'], current['value'], value))
                changed = not bool_equal(current['value'], value)
                new_value = format_bool(flag, current['value'])
            elif is_number_type(current['valueType']) or (known is not None and not known.is_bool):
                new_value = canonical_number(value)
                if new_value is None:
                    self.module.fail_json(msg='%s holds a whole number (valueType %s, currently %r): value must be '
                                              'a whole number such as 30, got %r; nothing was written'
                                              % (name, current['valueType'], current['value'], shorten(value, 40)))
                changed = (canonical_number(current['value']) or current['value']) != new_value
            else:
                changed = current['value'] != value
                new_value = value
            if changed:
                after['value'] = new_value
                if not self.check_mode:
                    axl.update_service_parameter(name, new_value)

        changes = [change(name, 'updated', before['value'], after['value'])] if changed else []
        result = dict(changed=bool(changes), changes=changes, parameter=after, before=before, after=after)
        return self.diff(result, {name: before['value']}, {name: after['value']})


def main():
    CucmEnterpriseParameter().run()


if __name__ == '__main__':
    main()
