#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cuc_authz_server_info
short_description: List the AuthZ servers of Cisco Unity Connection and their key sync status
version_added: 1.0.0
description:
  - Reads every AuthZ server of Unity Connection through CUPI (C(GET /vmrest/authz/server/)), page by page, with its
    CUCM address, port, user, certificate setting and the status of its last key sync.
  - Passwords are never returned (Connection does not reveal them).
author:
  - collab.uc contributors (@collab-uc)
options:
  name:
    description:
      - Return only the AuthZ server with this display name. Without it, every AuthZ server is returned.
      - The alias C(display_name) is deprecated and will be removed in 2.0.0; no option of collab.uc has an
        alias then.
    type: str
    aliases: [display_name]
extends_documentation_fragment:
  - collab.uc.cuc_connection
  - collab.uc.https_connection
  - collab.uc.attributes
attributes:
  check_mode:
    support: full
    details: The module only reads; it runs the same in check mode.
  diff_mode:
    support: N/A
    details: The module changes nothing.
  action_group:
    membership: [collab.uc.cuc]
seealso:
  - module: collab.uc.cuc_authz_server
  - ref: ansible_collections.collab.uc.docsite.unity_connection_authz
    description: Guide to Unity Connection AuthZ servers and their key sync.
'''

EXAMPLES = r'''
- name: Read the AuthZ servers of Unity Connection
  collab.uc.cuc_authz_server_info:
    host: cuc-pub.example.com
    username: "{{ cuc_admin }}"
    password: "{{ cuc_admin_password }}"
  register: authz

- name: Fail if a key sync did not pass
  ansible.builtin.assert:
    that: authz.authz_servers | rejectattr('last_sync_outcome', 'equalto', 'passed') | list | length == 0
    fail_msg: >-
      {{ authz.authz_servers | rejectattr('last_sync_outcome', 'equalto', 'passed')
         | map(attribute='name') | join(', ') }} did not sync

- name: Read one AuthZ server, connection from CUC_HOST, CUC_USERNAME, CUC_PASSWORD in the environment
  collab.uc.cuc_authz_server_info:
    name: CUCM cluster 1
  register: cluster1
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
  sample: cuc-pub.example.com
authz_servers:
  description:
    - The AuthZ servers, in the order Connection lists them; only the one named O(name) if it is set (empty if there
      is none of that name).
  returned: success
  type: list
  elements: dict
  contains:
    object_id:
      description: Connection's ObjectId of the AuthZ server.
      type: str
      sample: 5c4f8e1a-2b1d-4a8e-9f0e-3b2c1d0e9f8a
    name:
      description: Display name.
      type: str
      sample: CUCM cluster 1
    server_address:
      description: Host name, IP address or FQDN of the CUCM publisher.
      type: str
      sample: cucm-pub.example.com
    server_port:
      description: HTTPS port of the CUCM publisher.
      type: int
      sample: 8443
    server_username:
      description: The CUCM user Connection fetches the keys with.
      type: str
      sample: axladmin
    ignore_certificate_errors:
      description: Whether Connection ignores the certificate of the CUCM publisher.
      type: bool
      sample: false
    last_sync_status:
      description: Connection's text about the last key sync (C(LastSyncStatus)); empty if it never synced.
      type: str
      sample: Passed - May 12,2017 07:00:53 AM GMT
    last_sync_outcome:
      description:
        - What RV(authz_servers[].last_sync_status) means. V(never) if there was no sync yet, V(failed) for a failure
          of a kind the module does not recognise.
      type: str
      choices: [passed, never, cannot_connect, bad_credentials, missing_axl_role, certificate_not_trusted, failed]
      sample: passed
    last_sync_time:
      description:
        - The time in RV(authz_servers[].last_sync_status), in epoch seconds (Connection prints it in GMT); V(null)
          when it never synced or the text holds no time the module can read.
        - Compare it with the time of a key regeneration to tell whether Connection holds the new keys.
      type: float
      version_added: 1.1.0
      sample: 1494572453
'''

from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule
from ansible_collections.collab.uc.plugins.module_utils.clients import _cuc_cupi as cupi
from ansible_collections.collab.uc.plugins.module_utils.domain import _cuc_authz_servers as authz


class CucAuthzServerInfo(UCModule):
    connections = ('cuc',)
    argument_spec = dict(
        name=dict(type='str', aliases=['display_name'],
                  deprecated_aliases=[dict(name='display_name', version='2.0.0', collection_name='collab.uc')]),
    )

    def execute(self):
        name = self.params['name']
        client = cupi.CupiClient(self.http_session())
        servers = client.list_servers() if name is None else client.find_by_name(name)
        return dict(changed=False, authz_servers=[authz.server_view(server) for server in servers])


def main():
    CucAuthzServerInfo().run()


if __name__ == '__main__':
    main()
