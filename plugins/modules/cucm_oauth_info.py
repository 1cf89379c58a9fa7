#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cucm_oauth_info
short_description: Read the OAuth settings of a CUCM cluster
version_added: 1.0.0
description:
  - Reads, without changing anything, the OAuth enterprise parameters of a Cisco Unified Communications Manager
    (CUCM) cluster (as M(collab.uc.cucm_oauth) option values and as the raw values CUCM stores), the CUCM version
    (AXL C(getCCMVersion)), and the single sign-on status CUCM publishes on
    C(/ssosp/ws/public/singleSignOn) (C(Status enabled) and C(Token reuse)).
  - Makes three requests, four when the cluster refuses the C(processconfig) query and each parameter is read
    with C(getServiceParameter) instead.
author:
  - collab.uc contributors (@collab-uc)
extends_documentation_fragment:
  - collab.uc.cucm_connection
  - collab.uc.https_connection
  - collab.uc.attributes
attributes:
  check_mode:
    support: full
    details: The module never changes anything, so it runs the same in check mode.
  diff_mode:
    support: none
  action_group:
    membership: [collab.uc.cucm]
options: {}
notes:
  - The user needs the C(Standard AXL API Access) role.
seealso:
  - module: collab.uc.cucm_oauth
  - module: collab.uc.cucm_enterprise_parameter
'''

EXAMPLES = r'''
- name: Read the OAuth settings
  collab.uc.cucm_oauth_info:
    host: cucm-pub.example.com
    username: axladmin
    password: "{{ vault_cucm_axl_password }}"
  register: oauth_info

- name: Refresh logins must be on before Expressway authorizes by OAuth token with refresh
  ansible.builtin.assert:
    that:
      - oauth_info.oauth.refresh_login
      - oauth_info.sso.token_reuse
'''

RETURN = r'''
changes:
  description:
    - What the task changed (in check mode, would change), one entry per change, in the order made; empty when
      nothing changed. Every module of collab.uc returns its changes under this key, in this shape.
    - This module changes nothing, so the list is always empty.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: What changed, which this module never reports.
      type: str
      returned: always
    action:
      description: What was done to it (in check mode, would be done).
      type: str
      returned: always
  sample: []
host:
  description:
    - The system the task acted on, as addressed (O(host)), without the port.
    - Every module of collab.uc that talks to a system names it under this key.
  returned: always
  type: str
  sample: cucm-pub.example.com
oauth:
  description:
    - The OAuth parameters as M(collab.uc.cucm_oauth) option values. A value the module cannot understand is
      V(null) (with a warning); RV(parameters) has it as CUCM stores it.
  returned: success
  type: dict
  contains:
    refresh_login:
      description: Whether refresh logins are enabled (C(oAuthWithRefreshLoginFlow)).
      type: bool
      returned: success
    access_token_expiry:
      description: Access token lifetime in minutes (C(oauthTokenExpiryTimer)).
      type: int
      returned: success
    refresh_token_expiry:
      description: Client refresh token lifetime in days (C(refreshTokenExpiryTimer)).
      type: int
      returned: success
    device_refresh_token_expiry:
      description: Phone refresh token lifetime in days (C(DeviceTokenExpiryTimer)).
      type: int
      returned: success
  sample:
    refresh_login: true
    access_token_expiry: 60
    refresh_token_expiry: 60
    device_refresh_token_expiry: 3650
parameters:
  description: The same parameters keyed by CUCM programmatic name, with the values as CUCM stores them (text).
  returned: success
  type: dict
  sample:
    oAuthWithRefreshLoginFlow: 'true'
    oauthTokenExpiryTimer: '60'
    refreshTokenExpiryTimer: '60'
    DeviceTokenExpiryTimer: '3650'
version:
  description:
    - The full CUCM version from C(getCCMVersion).
    - Every module of collab.uc that reads a product's software version returns it under this key.
  returned: success
  type: str
  sample: 14.0.1.13900(155)
cucm_version:
  description:
    - Same as RV(version).
    - Deprecated, use RV(version); removed in 2.0.0.
  returned: success
  type: str
  sample: 14.0.1.13900(155)
axl_version:
  description:
    - The AXL schema version the requests used, as given in O(axl_version) or derived from RV(version).
    - Not the CUCM version, which is RV(version).
  returned: success
  type: str
  sample: '14.0'
sso:
  description: The single sign-on status CUCM publishes (no authentication needed to read it).
  returned: success
  type: dict
  contains:
    enabled:
      description: C(Status enabled), whether SSO is enabled; V(null) if the reply does not say.
      type: bool
      returned: success
    token_reuse:
      description: C(Token reuse); V(true) on clusters with refresh logins on. V(null) if the reply does not say.
      type: bool
      returned: success
    version:
      description:
        - The C(version) attribute of the reply's root element as given; V(null) when it has none.
        - Cisco's own sample shows it empty (C(<SingleSignOn version="">)), so do not rely on it.
      type: str
      returned: success
  sample:
    enabled: false
    token_reuse: true
    version: ''
'''

from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule
from ansible_collections.collab.uc.plugins.module_utils.domain._estate_read import read_cucm_oauth


class CucmOauthInfo(UCModule):
    connections = ('cucm',)
    argument_spec = {}

    def execute(self):
        # the same read the role's controller-side pass makes (collab.uc.oauth_refresh_login_plan)
        return read_cucm_oauth(self.http_session(), self.params['axl_version'], warn=self.module.warn)


def main():
    CucmOauthInfo().run()


if __name__ == '__main__':
    main()
