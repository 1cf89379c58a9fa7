#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cuc_authz_server
short_description: Manage the AuthZ servers of Cisco Unity Connection and sync their OAuth keys
version_added: 1.0.0
description:
  - Creates, updates or deletes an AuthZ server of Unity Connection (System Settings > Authz Servers) through
    CUPI, the Connection REST API under C(/vmrest), and makes Connection fetch the AuthZ keys ("Sync Keys").
  - An AuthZ server is the CUCM publisher (one per cluster) that signs and encrypts the OAuth tokens Jabber and
    Webex clients present to Connection. Connection needs that cluster's keys to accept the tokens, and must
    sync them again after the keys are regenerated on CUCM.
  - The AuthZ server is found by its display name O(name).
  - Connection never returns the password of an AuthZ server, so the module cannot tell whether it differs;
    see O(update_password).
  - Needs Unity Connection 11.5(1)SU3 or later.
author:
  - collab.uc contributors (@collab-uc)
options:
  state:
    description:
      - V(present) creates the AuthZ server or brings it to the given settings.
      - V(absent) deletes it; nothing happens if there is none of that name.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - Display name of the AuthZ server (C(DisplayName)), at most 64 characters. Identifies the AuthZ server.
      - Matched as Connection matches display names, that is without the spaces around it and regardless of letter
        case, so V(cucm cluster 1) finds an AuthZ server named V(CUCM Cluster 1) (and renames it to the given
        case). Spaces around O(name) are removed before anything is sent, as Connection removes them.
      - The alias C(display_name) is deprecated and will be removed in 2.0.0; no option of collab.uc has an
        alias then.
    type: str
    required: true
    aliases: [display_name]
  server_address:
    description:
      - Host name, IP address or FQDN of the CUCM publisher (C(ServerNodeAddress)), at most 64 characters; not a
        URL, and without a port (that goes into O(server_port)). Checked before the first request.
      - Required when O(state=present).
    type: str
  server_port:
    description:
      - HTTPS port of the CUCM publisher (C(Port)), between 1 and 65535.
    type: int
    default: 8443
  server_username:
    description:
      - A CUCM administrator with the C(Standard AXL API Access) role (C(ServerUsername)), at most 64 characters.
      - Required when O(state=present).
    type: str
  server_password:
    description:
      - Password of O(server_username) (C(ServerPassword)). Never logged, returned or shown in a diff.
      - Required when O(state=present); when and whether it is sent is controlled by O(update_password).
    type: str
  ignore_certificate_errors:
    description:
      - Let Connection fetch the keys even if it does not trust the certificate of the CUCM publisher
        (C(IgnoreCertificateError)). Leave it V(false) outside a lab and upload CUCM's Tomcat certificate (or its
        CA) to Connection's tomcat-trust store instead.
    type: bool
    default: false
  update_password:
    description:
      - V(on_create) sends O(server_password) only when the AuthZ server is created. An existing AuthZ server keeps
        its password, so the task stays idempotent. Use this unless the password is being rotated.
      - V(always) sends O(server_password) on every run. Connection does not reveal the stored password, so the
        module cannot tell whether it is the same; the task then reports C(changed) on every run, and with
        O(sync_keys=on_change) syncs the keys on every run, which proves the password works.
    type: str
    choices: [always, on_create]
    default: on_create
  sync_keys:
    description:
      - When to make Connection fetch the AuthZ keys from CUCM (C(PUT /vmrest/authz/sync/<ObjectId>)).
      - V(on_change) syncs after the AuthZ server was created or changed, and when its last sync did not pass
        (never synced, or failed).
      - V(always) syncs on every run, for example after the AuthZ keys were regenerated on CUCM. A sync reports
        C(changed).
      - V(never) does not sync.
      - A sync that does not pass fails the task with the reason Connection gave, told apart as cannot connect,
        bad credentials, missing C(Standard AXL API Access) role, or untrusted certificate.
    type: str
    choices: [on_change, always, never]
    default: on_change
extends_documentation_fragment:
  - collab.uc.cuc_connection
  - collab.uc.https_connection
  - collab.uc.attributes
attributes:
  check_mode:
    support: full
    details: Reads only; reports what would change and whether a sync would happen, but neither writes nor syncs.
  diff_mode:
    support: full
    details: The password shows as C(********) when it is sent; Connection never returns it.
  action_group:
    membership: [collab.uc.cuc]
notes:
  - The sync happens on Connection, which connects to CUCM itself. The controller only talks to Connection.
  - If several AuthZ servers share the display name O(name), the task fails without changing anything.
  - A create that Connection refuses with C(DUPLICATE_OBJECT) (another run created the server meanwhile) is not an
    error; the module reads the AuthZ servers again and brings the one it finds to the given settings, so parallel
    runs with the same settings converge.
  - A sync refused for bad credentials of an existing AuthZ server, while O(update_password=on_create) kept
    O(server_password) from being sent, fails with a message saying to run with O(update_password=always).
  - C(docs/unity-connection-authz.md) in the collection explains the key sync, its failures and what to do about them.
seealso:
  - module: collab.uc.cuc_authz_server_info
  - ref: ansible_collections.collab.uc.docsite.unity_connection_authz
    description: Guide to Unity Connection AuthZ servers and their key sync.
'''

EXAMPLES = r'''
- name: Point Unity Connection at the CUCM publisher and sync the keys
  collab.uc.cuc_authz_server:
    host: cuc-pub.example.com
    username: "{{ cuc_admin }}"
    password: "{{ cuc_admin_password }}"
    name: CUCM cluster 1
    server_address: cucm-pub.example.com
    server_username: "{{ cucm_axl_user }}"
    server_password: "{{ cucm_axl_password }}"
  register: authz

- name: Show the sync status
  ansible.builtin.debug:
    msg: "{{ authz.last_sync_status }}"

- name: Rotate the AXL password Connection uses (reports changed and syncs to prove it works)
  collab.uc.cuc_authz_server:
    host: cuc-pub.example.com
    username: "{{ cuc_admin }}"
    password: "{{ cuc_admin_password }}"
    name: CUCM cluster 1
    server_address: cucm-pub.example.com
    server_username: "{{ cucm_axl_user }}"
    server_password: "{{ new_cucm_axl_password }}"
    update_password: always

- name: Re-sync the keys after they were regenerated on CUCM, with the connection from the environment
  # CUC_HOST, CUC_USERNAME, CUC_PASSWORD (and CUC_CA_PATH) are set in the environment
  collab.uc.cuc_authz_server:
    name: CUCM cluster 1
    server_address: cucm-pub.example.com
    server_username: "{{ cucm_axl_user }}"
    server_password: "{{ cucm_axl_password }}"
    sync_keys: always

- name: Several AuthZ servers with the connection set once
  module_defaults:
    group/collab.uc.cuc:
      host: cuc-pub.example.com
      username: "{{ cuc_admin }}"
      password: "{{ cuc_admin_password }}"
      ca_path: /etc/pki/uc/ca.pem
  block:
    - name: One AuthZ server per CUCM cluster
      collab.uc.cuc_authz_server:
        name: "{{ item.name }}"
        server_address: "{{ item.publisher }}"
        server_username: "{{ item.axl_user }}"
        server_password: "{{ item.axl_password }}"
      loop: "{{ cucm_clusters }}"
      loop_control:
        label: "{{ item.name }}"

- name: Remove an AuthZ server
  collab.uc.cuc_authz_server:
    host: cuc-pub.example.com
    username: "{{ cuc_admin }}"
    password: "{{ cuc_admin_password }}"
    name: Old cluster
    state: absent
'''

RETURN = r'''
changes:
  description:
    - What the task changed (in check mode, would change), one entry per change, in the order made; empty when
      nothing changed. Every module of collab.uc returns its changes under this key, in this shape.
    - Here the AuthZ server created or deleted (named by O(name)), or one entry per setting updated (named as in
      RV(authz_server), the password as V(server_password)), then V(keys) when its keys were synced.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: What changed, here the AuthZ server, one of its settings or V(keys).
      type: str
      returned: always
    action:
      description: What was done to it (in check mode, would be done).
      type: str
      returned: always
      choices: [created, updated, deleted, synced]
    before:
      description: The value before (for a deleted AuthZ server its settings); the password shows as C(********).
      type: raw
      returned: when the entry is updated or deleted
    after:
      description: The value after (for a created AuthZ server its settings); the password shows as C(********).
      type: raw
      returned: when the entry is created or updated
  sample:
    - {name: server_address, action: updated, before: cucm-old.example.com, after: cucm-pub.example.com}
    - {name: keys, action: synced}
host:
  description:
    - The system the task acted on, as addressed (O(host)), without the port.
    - Every module of collab.uc that talks to a system names it under this key.
  returned: always
  type: str
  sample: cuc-pub.example.com
authz_server:
  description:
    - The AuthZ server after the task (in check mode, as it would be). Empty when O(state=absent).
    - Never holds the password.
  returned: always
  type: dict
  contains:
    object_id:
      description: Connection's ObjectId of the AuthZ server. Null in check mode when it would be created.
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
      description: What RV(authz_server.last_sync_status) means.
      type: str
      choices: [passed, never, cannot_connect, bad_credentials, missing_axl_role, certificate_not_trusted, failed]
      sample: passed
    last_sync_time:
      description:
        - The time in RV(authz_server.last_sync_status), in epoch seconds (Connection prints it in GMT); V(null)
          when it never synced or the text holds no time the module can read.
        - Compare it with the time of a key regeneration to tell whether Connection holds the new keys.
      type: float
      version_added: 1.1.0
      sample: 1494572453
  sample:
    object_id: 5c4f8e1a-2b1d-4a8e-9f0e-3b2c1d0e9f8a
    name: CUCM cluster 1
    server_address: cucm-pub.example.com
    server_port: 8443
    server_username: axladmin
    ignore_certificate_errors: false
    last_sync_status: Passed - May 12,2017 07:00:53 AM GMT
    last_sync_outcome: passed
    last_sync_time: 1494572453
synced:
  description:
    - Whether Connection was asked to sync the keys in this run. Never V(true) in check mode.
    - A sync that did not pass fails the task, so on success V(true) means the keys were fetched.
    - Deprecated, use RV(changes) (an entry V(keys) with action V(synced), in check mode too); removed in 2.0.0.
  returned: always
  type: bool
  sample: true
last_sync_status:
  description: Connection's text about the last key sync of this AuthZ server, after the task; null if there is none.
  returned: always
  type: str
  sample: Passed - May 12,2017 07:00:53 AM GMT
diff:
  description: The settings before and after; the password, when sent, shows as C(********).
  returned: always
  type: dict
  contains:
    before:
      description: The settings before the task; empty if the AuthZ server did not exist.
      type: dict
    after:
      description: The settings after the task; empty if it was deleted.
      type: dict
  sample:
    before:
      name: CUCM cluster 1
      server_address: cucm-old.example.com
      server_port: 8443
      server_username: axladmin
      ignore_certificate_errors: false
    after:
      name: CUCM cluster 1
      server_address: cucm-pub.example.com
      server_port: 8443
      server_username: axladmin
      ignore_certificate_errors: false
error:
  description: On failure, what failed, where, and what the server answered.
  returned: failure
  type: dict
  contains:
    host:
      description: Connection's host and port.
      type: str
    operation:
      description: What was being done.
      type: str
    status:
      description: HTTP status of the failed request, if any.
      type: int
    message:
      description: What went wrong; for an error Connection answered, the message from its C(ErrorDetails).
      type: str
    hint:
      description: What to do about it.
      type: str
    code:
      description: CUPI error code from C(ErrorDetails), if Connection sent one.
      type: str
    last_sync_status:
      description: Connection's text about the failed sync, for a sync failure.
      type: str
    sync_outcome:
      description: The kind of sync failure, one of the failure values of RV(authz_server.last_sync_outcome).
      type: str
  sample:
    host: cuc-pub.example.com:443
    operation: sync AuthZ keys of CUCM cluster 1 (PUT /vmrest/authz/sync/5c4f8e1a-2b1d-4a8e-9f0e-3b2c1d0e9f8a)
    status: null
    message: "the CUCM user lacks the \"Standard AXL API Access\" role"
    last_sync_status: Not authorized - Invalid Username or Password
    sync_outcome: missing_axl_role
'''

from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule, change
from ansible_collections.collab.uc.plugins.module_utils.connection._connection import host_problem
from ansible_collections.collab.uc.plugins.module_utils.clients import _cuc_cupi as cupi
from ansible_collections.collab.uc.plugins.module_utils.domain import _cuc_authz_servers as authz


class CucAuthzServer(UCModule):
    connections = ('cuc',)
    argument_spec = dict(
        state=dict(type='str', default='present', choices=['present', 'absent']),
        name=dict(type='str', required=True, aliases=['display_name'],
                  deprecated_aliases=[dict(name='display_name', version='2.0.0', collection_name='collab.uc')]),
        server_address=dict(type='str'),
        server_port=dict(type='int', default=8443),
        server_username=dict(type='str'),
        server_password=dict(type='str', no_log=True),
        ignore_certificate_errors=dict(type='bool', default=False),
        update_password=dict(type='str', default='on_create', choices=['always', 'on_create'], no_log=False),
        sync_keys=dict(type='str', default='on_change', choices=['on_change', 'always', 'never']),
    )
    module_kwargs = dict(
        required_if=[('state', 'present', ('server_address', 'server_username', 'server_password'))],
    )

    def validate(self):
        params = self.params
        for option in ('name', 'server_username'):
            if params[option] is not None:
                params[option] = params[option].strip()   # as Connection stores them
        problems = authz.check_lengths({
            'name': (params['name'], cupi.MAX_LENGTHS[cupi.DISPLAY_NAME]),
            'server_address': (params['server_address'], cupi.MAX_LENGTHS[cupi.ADDRESS]),
            'server_username': (params['server_username'], cupi.MAX_LENGTHS[cupi.USERNAME]),
        })
        if not 1 <= params['server_port'] <= 65535:
            problems.append('server_port must be between 1 and 65535, got %s' % params['server_port'])
        if params['state'] == 'present' and not params['server_password']:
            problems.append('server_password must not be empty')
        address = host_problem('server_address', params['server_address'])
        if address and params['server_address'] and params['server_address'].strip():
            problems.append(address)
        if problems:
            self.module.fail_json(msg='Invalid options: %s' % '; '.join(problems))

    def execute(self):
        self.validate()
        params = self.params
        name = params['name']
        client = cupi.CupiClient(self.http_session())
        current = client.find_one(name)
        if params['state'] == 'absent':
            return self.absent(client, current)
        return self.present(client, current)

    def absent(self, client, current):
        before = authz.settings_view(current)
        changes = [change(before['name'], 'deleted', before=before)] if current is not None else []
        result = dict(changed=bool(changes), changes=changes, authz_server={}, synced=False, last_sync_status=None,
                      diff=dict(before=before, after={}))
        if current is not None and not self.check_mode:
            client.delete_server(current[cupi.OBJECT_ID])
        return result

    def present(self, client, current, converging=False):
        params = self.params
        desired = authz.desired_fields(params['name'], params['server_address'], params['server_port'],
                                       params['server_username'], params['ignore_certificate_errors'])
        password = params['server_password']
        if current is None:
            changes = dict(desired)
            changes[cupi.PASSWORD] = password
            password_sent = True
        else:
            changes = authz.changed_fields(current, desired)
            password_sent = params['update_password'] == 'always'
            if password_sent:
                changes[cupi.PASSWORD] = password
        changed = bool(changes)
        before = dict(current or {})
        after = dict(before)
        after.update(desired)
        after.pop(cupi.PASSWORD, None)

        last_outcome = cupi.classify_sync_status(before.get(cupi.LAST_SYNC))
        sync = params['sync_keys'] == 'always' or (
            params['sync_keys'] == 'on_change' and (changed or last_outcome != cupi.SYNC_PASSED))
        diff = dict(before=authz.settings_view(current), after=authz.settings_view(after, password_sent))
        if current is None:
            done = [change(diff['after']['name'], 'created', after=diff['after'])]
        else:
            done = [change(key, 'updated', diff['before'].get(key), value) for key, value in diff['after'].items()
                    if diff['before'].get(key) != value]
        if sync:
            done.append(change('keys', 'synced'))

        if self.check_mode:
            return self.result(after, False, diff, done)

        object_id = before.get(cupi.OBJECT_ID)
        if current is None:
            try:
                object_id = client.create_server(changes)
            except cupi.DuplicateName as duplicate:
                # Another run created it meanwhile: read it and bring it to the settings, as a second run would.
                found = client.find_one(params['name'])
                if found is None or converging:
                    raise duplicate
                return self.present(client, found, converging=True)
            for warning in client.warnings:
                self.module.warn(warning)
        elif changes:
            client.update_server(object_id, changes)

        if sync:
            server = client.sync_keys(object_id)
            if cupi.classify_sync_status(server.get(cupi.LAST_SYNC)) != cupi.SYNC_PASSED:
                error = authz.sync_failure(client.session, server, 'sync AuthZ keys of %r (PUT %s/%s)'
                                           % (params['name'], cupi.SYNC_PATH, object_id),
                                           password_kept=current is not None and not password_sent)
                result = self.result(server, True, diff, done)
                self.fail(error, **result)
            return self.result(server, True, diff, done)
        if changed:
            after = client.get_server(object_id)
        return self.result(after, False, diff, done)

    @staticmethod
    def result(server, synced, diff, changes):
        view = authz.server_view(server)
        # synced: deprecated (an entry keys/synced of changes says it, in check mode too), returned until 2.0.0
        return dict(changed=bool(changes), changes=changes, authz_server=view, synced=synced,
                    last_sync_status=view.get('last_sync_status') or None, diff=diff)


def main():
    CucAuthzServer().run()


if __name__ == '__main__':
    main()
