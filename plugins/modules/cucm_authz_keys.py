#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cucm_authz_keys
short_description: Read or regenerate the OAuth AuthZ keys of a CUCM cluster, guarded
version_added: 1.1.0
description:
  - Reads the checksums of the AuthZ signing and encryption keys of a Cisco Unified Communications Manager (CUCM)
    cluster on its publisher's platform CLI over SSH (C(show key authz signing), C(show key authz encryption)).
    There is no API for these keys; the CLI is the only way.
  - With O(state=gathered) (the default), only reads them.
  - With O(state=regenerated), regenerates the keys named in O(keys) (C(set key regen authz ...), answered
    C(yes)), but only while a guard says the key is still the one to replace (O(only_if_checksum),
    O(max_age_days)) or O(force) is set, so that re-running a task after success changes nothing. After
    regenerating, reads the checksums again and fails if they did not change.
  - Regenerating a key invalidates every OAuth access and refresh token issued with the old key. The module warns
    what must follow (service restarts, the Unity Connection key sync, Expressway C(Refresh servers), a central
    IM and Presence cluster).
  - All commands of a task run on one SSH login. A regeneration whose answer is lost (the connection drops) is
    never typed again; the module logs in once more, reads the key and reports what it finds.
  - With O(state=regenerated) (check mode too), before any key command the module checks with read-only commands
    what the Cisco CLI reference requires for C(set key regen authz). C(show myself) must show privilege level 4,
    and C(show network cluster) must mark the node it is logged in to (found by the C(Machine Name) of
    C(show myself), else by O(ssh_host)) as the C(Publisher). Otherwise the task fails before anything else is
    typed, naming the publisher where the cluster lists one.
author:
  - collab.uc contributors (@collab-uc)
extends_documentation_fragment:
  - collab.uc.cucm_cli_connection
  - collab.uc.ssh_connection
  - collab.uc.attributes
attributes:
  check_mode:
    support: full
    details: Reads the checksums and reports which keys would be regenerated; never types a regeneration.
  diff_mode:
    support: full
    details: The checksums before and after (checksums, not keys, so nothing is secret).
  action_group:
    membership: [collab.uc.cucm_cli]
options:
  state:
    description:
      - V(gathered) only reads the checksums of both keys, as the read of a resource module is named.
      - V(regenerated) regenerates the keys of O(keys) where the guards hold.
      - V(present) means V(gathered). It is deprecated, since it reads only (the task warns); use V(gathered). It
        will be removed in 2.0.0.
    type: str
    choices: [gathered, regenerated, present]
    default: gathered
  keys:
    description:
      - The keys to regenerate. Required with O(state=regenerated); with O(state=gathered) both are read anyway.
    type: list
    elements: str
    choices: [signing, encryption]
  only_if_checksum:
    description:
      - Regenerate a key only while its current checksum is this one (compared ignoring case, spaces and colons).
        Run once with O(state=gathered) to learn the checksums.
      - Keys may be left out when O(max_age_days) or O(force) guards them.
    type: dict
    suboptions:
      signing:
        description: The checksum of the signing key to replace.
        type: str
      encryption:
        description: The checksum of the encryption key to replace.
        type: str
  max_age_days:
    description:
      - Regenerate a key only when the platform shows it was last regenerated at least this many days ago (or
        shows it was never regenerated). Between V(1) and V(36500).
      - The task fails when the platform shows a date the module cannot read; use O(only_if_checksum) then.
      - With O(only_if_checksum) too, both must hold.
    type: int
  force:
    description:
      - Regenerate the keys of O(keys) that no guard covers, on every run. Such a task is not idempotent; prefer a
        guard.
    type: bool
    default: false
notes:
  - Run it against the publisher (the only node where C(set key regen authz) runs); the new keys replicate to every
    CUCM and IM and Presence node of the cluster.
  - The account needs command privilege level 4, to read the checksums as well as to regenerate them; a lower
    account is refused and the task says to use a level-4 administrator account.
  - The platform refuses the key commands while an upgrade is in progress; the task then fails, having changed
    nothing, and says to wait until the upgrade has finished.
  - The collection's guide C(docs/authz-keys.md) walks through a rotation and what must follow it.
seealso:
  - module: collab.uc.cucm_cli_command
  - module: collab.uc.cuc_authz_server
'''

EXAMPLES = r'''
- name: Read the key checksums
  collab.uc.cucm_authz_keys:
    ssh_host: cucm-pub.example.com
    ssh_username: osadmin
    ssh_password: "{{ vault_cucm_platform_password }}"
    state: gathered
  register: keys

- name: Rotate the signing key that was compromised (re-running this task changes nothing)
  collab.uc.cucm_authz_keys:
    ssh_host: cucm-pub.example.com
    ssh_username: osadmin
    ssh_password: "{{ vault_cucm_platform_password }}"
    state: regenerated
    keys: [signing]
    only_if_checksum:
      signing: 3f2a9c4be10d7e6a55b0c1d2e3f40516
  register: rotation

- name: Rotate both keys when they are older than a year (policy), with connection options set once
  module_defaults:
    group/collab.uc.cucm_cli:
      ssh_host: cucm-pub.example.com
      ssh_username: osadmin
      ssh_password: "{{ vault_cucm_platform_password }}"
      ssh_known_hosts: "{{ playbook_dir }}/known_hosts"
  collab.uc.cucm_authz_keys:
    state: regenerated
    keys: [signing, encryption]
    max_age_days: 365
'''

RETURN = r'''
changes:
  description:
    - What the task changed (in check mode, would change), one entry per change, in the order made; empty when
      nothing changed. Every module of collab.uc returns its changes under this key, in this shape.
    - Here one entry per key regenerated; on a failure, those regenerated before it.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: What changed, here the key, V(signing) or V(encryption).
      type: str
      returned: always
    action:
      description: What was done to it (in check mode, would be done), here always V(regenerated).
      type: str
      returned: always
      choices: [regenerated]
    before:
      description: Its checksum before.
      type: str
      returned: always
    after:
      description: Its checksum after; not in check mode, where the new key does not exist yet.
      type: str
      returned: when not in check mode
    reason:
      description: Why it was (or would be) regenerated, the guard that held.
      type: str
      returned: always
  sample:
    - {name: signing, action: regenerated, before: 3f2a9c4be10d7e6a55b0c1d2e3f40516,
       after: 9b1d0c3e5f7a2b4c6d8e0f1a2b3c4d5e, reason: its checksum is still 3f2a9c4be10d7e6a55b0c1d2e3f40516}
host:
  description:
    - The system the task acted on, as addressed (O(ssh_host)), without the port.
    - Every module of collab.uc that talks to a system names it under this key.
  returned: always
  type: str
  sample: cucm-pub.example.com
checksums:
  description: The keys as the task leaves them (after any regeneration), by key.
  returned: success
  type: dict
  contains:
    signing:
      description: The signing key.
      type: dict
      returned: success
      contains:
        checksum:
          description: Its checksum as printed by C(show key authz signing); hexadecimal ones lower-cased, without colons.
          type: str
          returned: success
        last_regenerated:
          description: When it was last regenerated, as the platform prints it; V(null) when it shows none.
          type: str
          returned: success
    encryption:
      description: The encryption key, the same fields as RV(checksums.signing).
      type: dict
      returned: success
  sample:
    signing: {checksum: 9b1d0c3e5f7a2b4c6d8e0f1a2b3c4d5e, last_regenerated: Tue Dec 01 09:30:02 UTC 2026}
    encryption: {checksum: 0c4f6a8b2d1e3f5a7b9c0d2e4f6a8b1c, last_regenerated: null}
before:
  description: The keys as the task found them, the same fields as RV(checksums).
  returned: success
  type: dict
  sample:
    signing: {checksum: 3f2a9c4be10d7e6a55b0c1d2e3f40516, last_regenerated: null}
    encryption: {checksum: 0c4f6a8b2d1e3f5a7b9c0d2e4f6a8b1c, last_regenerated: null}
regenerated:
  description:
    - The keys regenerated by this task (in check mode, the keys that would be).
    - Deprecated, use RV(changes); removed in 2.0.0.
  returned: success
  type: list
  elements: str
  sample: [signing]
decisions:
  description:
    - For every key of O(keys), whether it was (or would be) regenerated or kept, and why.
    - What was regenerated is in RV(changes); this says why the other keys were kept too.
  returned: when O(state=regenerated)
  type: dict
  sample:
    signing: 'regenerate: its checksum is still 3f2a9c4be10d7e6a55b0c1d2e3f40516'
regenerated_at:
  description: When each key of RV(regenerated) was regenerated (the controller's clock, UTC, ISO 8601).
  returned: success
  type: dict
  sample: {signing: '2026-12-01T09:30:02Z'}
ssh_logins:
  description:
    - How many SSH logins the task used (one; two when a regeneration's answer was lost; none when it failed before
      logging in).
  returned: always
  type: int
  sample: 1
'''

from ansible_collections.collab.uc.plugins.module_utils.domain._authz_keys import KeyRegeneration
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_cli import AUTHZ_KEYS, CucmCli
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import UCError
from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule, change


# ``keys`` of the regeneration's result is returned as ``checksums`` (a result key named like a dict method cannot
# be read with dot notation in Jinja).
RETURNED = {'keys': 'checksums'}


def key_changes(result, check_mode):
    """``changes`` of a regeneration's result (or of the ``partial`` result of a failure)."""
    before, after = result.get('before') or {}, result.get('keys') or {}
    reasons = result.get('decisions') or {}
    out = []
    for kind in result.get('regenerated') or ():
        details = dict(reason=reasons.get(kind, '').split(': ', 1)[-1])
        if not check_mode:
            details['after'] = (after.get(kind) or {}).get('checksum')
        out.append(change(kind, 'regenerated', (before.get(kind) or {}).get('checksum'), **details))
    return out


class CucmAuthzKeys(UCModule):
    connections = ('cucm_cli',)
    argument_spec = dict(
        # present: the old name of gathered (deprecated, removed in 2.0.0)
        state=dict(type='str', default='gathered', choices=['gathered', 'regenerated', 'present']),
        keys=dict(type='list', elements='str', choices=list(AUTHZ_KEYS), no_log=False),
        only_if_checksum=dict(type='dict', options=dict(signing=dict(type='str'), encryption=dict(type='str'))),
        max_age_days=dict(type='int'),
        force=dict(type='bool', default=False),
    )
    module_kwargs = dict(required_if=[('state', 'regenerated', ('keys',))])

    def open_cli(self):
        return CucmCli(self.session('cucm_cli'))

    def execute(self):
        params = self.params
        max_age = params['max_age_days']
        if max_age is not None and not 1 <= max_age <= 36500:
            self.module.fail_json(msg='max_age_days must be between 1 and 36500, got %s' % max_age)
        guards = dict((k, v) for k, v in (params['only_if_checksum'] or {}).items() if v is not None)
        work = KeyRegeneration(self.open_cli, self.module.warn)
        if params['state'] == 'present':
            self.module.deprecate('state=present of collab.uc.cucm_authz_keys only reads the checksums: use '
                                  'state=gathered, which means the same', version='2.0.0', collection_name='collab.uc')
        if params['state'] != 'regenerated':
            if guards or max_age is not None or params['force']:
                self.module.fail_json(msg='only_if_checksum, max_age_days and force guard a regeneration: '
                                          'use them with state=regenerated')
            keys = work.read()
            return self.diff(dict(changed=False, checksums=keys, before=keys, regenerated=[], regenerated_at={},
                                  ssh_logins=self.logins()), keys, keys)
        kinds = [k for k in AUTHZ_KEYS if k in params['keys']]
        try:
            result = work.run(kinds, guards, max_age, params['force'], check_mode=self.check_mode)
        except ValueError as problem:
            self.module.fail_json(msg=str(problem), ssh_logins=self.logins())
        except UCError as error:
            partial = getattr(error, 'partial', None) or {}
            self.fail(error, changed=bool(partial.get('regenerated')), ssh_logins=self.logins(),
                      changes=key_changes(partial, False), **dict(
                          (RETURNED.get(k, k), partial[k]) for k in ('before', 'keys', 'regenerated', 'regenerated_at')
                          if k in partial))
        result['ssh_logins'] = self.logins()
        result['changes'] = key_changes(result, self.check_mode)
        result['checksums'] = result.pop('keys')
        return self.diff(result, result['before'], result['checksums'])


def main():
    CucmAuthzKeys().run()


if __name__ == '__main__':
    main()
