#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: expressway_oauth
short_description: Read or set the MRA authorization settings of a Cisco Expressway-C
version_added: 1.1.0
description:
  - Reads or sets the Mobile and Remote Access (MRA) authorization settings of a Cisco Expressway-C
    (Configuration > Unified Communications > Configuration > MRA Access Control) on its admin CLI over SSH, so
    that a play can make Expressway agree with CUCM's OAuth refresh login. When CUCM issues refresh tokens but
    Expressway does not accept OAuth tokens, Jabber gets its tokens and then fails with "The server doesn't
    offer any SASL authentication mechanism".
  - O(oauth_token) is C(xConfiguration CollaborationEdge OAuthLocal) ("Authorize by OAuth token"),
    O(user_credentials) is C(CollaborationEdge LegacyCred) ("Authorize by user credentials"), and
    O(oauth_token_with_refresh) is "Authorize by OAuth token with refresh", whose CLI name Cisco does not
    publish; O(refresh_setting_name) names it.
  - Names seen on a real Expressway (an MRA troubleshooting transcript in a Cisco Community article, "Overview -
    What is OAuth") are only C(OAuthLocal) and C(LegacyCred). The name of the "with refresh" setting is
    B(assumed) (V(OAuthWithRefresh)); no public source gives it.
  - Discovery first. The module reads the whole C(xConfiguration CollaborationEdge) section before anything else
    and writes only leaves the Expressway shows (names compare ignoring case). When a setting to be set has no leaf
    there, the task fails before any C(xConfiguration) write, in check mode too, and its message lists every leaf
    the section shows, so that you can pick the right name for O(refresh_setting_name). A setting only read whose
    leaf is absent is returned as V(null) (RV(absent) names it).
  - Options left unset are only read. Idempotent; check mode and diff supported.
  - Also returns the software version and whether it meets the minimum for refresh logins (X8.10.1).
author:
  - collab.uc contributors (@collab-uc)
extends_documentation_fragment:
  - collab.uc.expressway_connection
  - collab.uc.ssh_connection
  - collab.uc.attributes
attributes:
  check_mode:
    support: full
    details: Reads the settings and reports which would change; never sets one.
  diff_mode:
    support: full
    details: The settings before and after.
  action_group:
    membership: [collab.uc.expressway]
options:
  oauth_token_with_refresh:
    description:
      - '"Authorize by OAuth token with refresh": Expressway accepts the self-describing tokens that CUCM issues
        with refresh login (the MRA Deployment Guide''s default: on).'
      - Unset, the setting is only read.
    type: bool
  oauth_token:
    description:
      - '"Authorize by OAuth token" (C(OAuthLocal); default off on Expressway).'
      - Unset, the setting is only read.
    type: bool
  user_credentials:
    description:
      - '"Authorize by user credentials" (C(LegacyCred); default off on Expressway).'
      - Unset, the setting is only read.
    type: bool
  refresh_setting_name:
    description:
      - The name, under C(xConfiguration CollaborationEdge), of the "Authorize by OAuth token with refresh"
        setting.
      - B(Assumption.) Cisco does not publish this name; the default V(OAuthWithRefresh) is the collection's
        assumption, which the simulator implements. Check it on your Expressway (C(xConfiguration
        CollaborationEdge) lists the section) and set this option if it differs.
      - When the Expressway does not show this leaf, reading returns V(null) for it with a warning that lists the
        leaves it shows, and setting it fails before anything is written. The assumed name is never written to an
        Expressway that does not show it.
    type: str
    default: OAuthWithRefresh
notes:
  - Setting values needs an administrator account with read-write access.
  - After a regeneration of CUCM's AuthZ keys, Expressway must also "Refresh servers" (Configuration > Unified
    Communications > Unified CM servers); no API or CLI command for it is public, so this module does not do it.
seealso:
  - module: collab.uc.expressway_xconfiguration
  - module: collab.uc.cucm_oauth
'''

EXAMPLES = r'''
- name: Make Expressway accept OAuth tokens with refresh, as CUCM issues them
  collab.uc.expressway_oauth:
    ssh_host: expc1.example.com
    ssh_username: admin
    ssh_password: "{{ vault_expressway_password }}"
    oauth_token_with_refresh: true
    oauth_token: true

- name: Only read (connection from module_defaults)
  module_defaults:
    group/collab.uc.expressway:
      ssh_host: expc1.example.com
      ssh_username: admin
      ssh_password: "{{ vault_expressway_password }}"
  collab.uc.expressway_oauth:
  register: exp

- name: Show it
  ansible.builtin.debug:
    msg: "refresh {{ exp.settings.oauth_token_with_refresh }}, version {{ exp.version }}"
'''

RETURN = r'''
changes:
  description:
    - What the task changed (in check mode, would change), one entry per change, in the order made; empty when
      nothing changed. Every module of collab.uc returns its changes under this key, in this shape.
    - Here one entry per setting written. When a write fails after others were made, the task fails with the ones made
      before it listed here (and C(changed) true).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: What changed, here the option of the setting.
      type: str
      returned: always
    action:
      description: What was done to it (in check mode, would be done), here always V(updated).
      type: str
      returned: always
      choices: [updated]
    before:
      description: The value before.
      type: str
      returned: always
    after:
      description: The value after.
      type: str
      returned: always
    path:
      description: The xConfiguration path.
      type: str
      returned: always
    setting:
      description: Same as RV(changes[].name). Deprecated, use RV(changes[].name); removed in 2.0.0.
      type: str
      returned: always
  sample:
    - {name: oauth_token, action: updated, path: CollaborationEdge OAuthLocal, before: 'Off', after: 'On',
       setting: oauth_token}
host:
  description:
    - The system the task acted on, as addressed (O(ssh_host)), without the port.
    - Every module of collab.uc that talks to a system names it under this key.
  returned: always
  type: str
  sample: expc.example.com
settings:
  description: The MRA authorization settings after the task (in check mode what they would be); V(null) for a
    setting the Expressway does not have.
  returned: always
  type: dict
  contains:
    oauth_token_with_refresh:
      description: '"Authorize by OAuth token with refresh".'
      type: bool
      returned: always
    oauth_token:
      description: '"Authorize by OAuth token" (C(OAuthLocal)).'
      type: bool
      returned: always
    user_credentials:
      description: '"Authorize by user credentials" (C(LegacyCred)).'
      type: bool
      returned: always
  sample: {"oauth_token_with_refresh": true, "oauth_token": true, "user_credentials": false}
xconfiguration:
  description: Every C(xConfiguration CollaborationEdge) value read, by path (before the task's changes).
  returned: always
  type: dict
  sample: {"CollaborationEdge OAuthLocal": "Off", "CollaborationEdge LegacyCred": "On"}
leaves:
  description: The names of every leaf the Expressway shows under C(xConfiguration CollaborationEdge), as it spells
    them, in its order (the discovery read).
  returned: always
  type: list
  elements: str
  sample: ["Enabled", "OAuthLocal", "LegacyCred", "InternalAuthAvailability"]
absent:
  description: The settings (option names) whose leaf the Expressway does not show; their RV(settings) are V(null)
    and they are never written.
  returned: always
  type: list
  elements: str
  sample: ["oauth_token_with_refresh"]
version:
  description: The software version (C(xStatus SystemUnit Software Version)), V(null) when it cannot be read.
  returned: always
  type: str
  sample: X14.2.1
access:
  description:
    - The account's access level as the Expressway shows it (C(xStatus Login Session AccessLevel)) -
      V(read-write) or V(read-only) (an auditor counts as read-only) - read only when the task sets nothing, so
      that a preflight sees whether the account may write before anything is written.
    - V(null) when the task sets something or the Expressway does not show it (the name of this status is an
      assumption, see ucsim's assumptions).
  returned: always
  type: str
  sample: read-write
meets_refresh_minimum:
  description: Whether RV(version) is at least X8.10.1, the first release that accepts refresh-login tokens;
    V(null) when the version is unknown.
  returned: always
  type: bool
  sample: true
ssh_logins:
  description: How many SSH logins the task used.
  returned: always
  type: int
  sample: 1
'''

from ansible_collections.collab.uc.plugins.module_utils.clients._expressway_cli import (
    MIN_REFRESH_VERSION, MRA_SECTION, MRA_SETTINGS, ExpresswayCli, check_path, find_leaf, leaf_names,
    read_section, version_key)
from ansible_collections.collab.uc.plugins.module_utils.domain._expressway_settings import ensure
from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule, change


DEFAULT_REFRESH_SETTING = 'OAuthWithRefresh'


class ExpresswayOauth(UCModule):
    connections = ('expressway',)
    argument_spec = dict(
        oauth_token_with_refresh=dict(type='bool'),
        oauth_token=dict(type='bool'),
        user_credentials=dict(type='bool'),
        refresh_setting_name=dict(type='str', default=DEFAULT_REFRESH_SETTING),
    )

    def paths(self):
        try:
            refresh = check_path(self.params['refresh_setting_name'])
        except ValueError as exc:
            self.module.fail_json(msg='refresh_setting_name: %s' % exc)
        return dict((option, '%s %s' % (MRA_SECTION, leaf or refresh)) for option, leaf, _label in MRA_SETTINGS)

    def cli(self):
        return ExpresswayCli(self.session('expressway'))

    def refresh_hint(self, path):
        return ('the CLI name of "Authorize by OAuth token with refresh" is not public (%s is %s): set '
                'refresh_setting_name to its name among the leaves listed, or leave oauth_token_with_refresh unset and '
                'set it in the web interface (Configuration > Unified Communications > Configuration > MRA Access '
                'Control)' % (path, "this collection's assumption" if self.params['refresh_setting_name'] ==
                              DEFAULT_REFRESH_SETTING else 'the name given in refresh_setting_name'))

    def execute(self):
        paths = self.paths()
        cli = self.cli()
        # Discovery: the whole section first; a setting is written only where the Expressway shows its leaf.
        raw = read_section(cli, MRA_SECTION)
        sections = {MRA_SECTION: raw}
        lowered = dict((name.lower(), value) for name, value in raw.items())
        absent = [option for option, _leaf, _label in MRA_SETTINGS if find_leaf(raw, paths[option]) is None]
        wanted = dict((paths[option], 'On' if self.params[option] else 'Off')
                      for option, _leaf, _label in MRA_SETTINGS if self.params[option] is not None)
        refresh_path = paths['oauth_token_with_refresh']
        names = dict((paths[o], o) for o in paths)

        def changes(made):  # setting: the old name of name, returned until 2.0.0
            return [change(names[p], 'updated', old, new, path=p, setting=names[p]) for p, old, new in made]

        with self.reporting_done(changes):  # a set failed: the ones made before it are reported with the failure
            before, after, changed = ensure(cli, wanted, self.check_mode, self.cli, sections=sections,
                                            hints={refresh_path: self.refresh_hint(refresh_path)})
        current = {}
        for option, _leaf, _label in MRA_SETTINGS:
            path = paths[option]
            value = after.get(path, lowered.get(path.lower()))
            current[option] = None if value is None else value.lower() == 'on'
        leaves = leaf_names(raw, MRA_SECTION)
        if 'oauth_token_with_refresh' in absent:
            self.module.warn('the Expressway has no setting %s (the name of "Authorize by OAuth token with refresh" '
                             'is an assumption; its %s section shows %s): set refresh_setting_name to its name'
                             % (refresh_path, MRA_SECTION, ', '.join(leaves) or 'no leaf'))
        version = cli.version()
        # the right to write, seen before any write: read only when the task sets nothing (the role's preflight)
        access = cli.access() if not wanted else None
        key = version_key(version)
        result = dict(changed=bool(changed), settings=current, xconfiguration=raw, leaves=leaves, absent=absent,
                      version=version, access=access,
                      meets_refresh_minimum=None if key is None else key >= version_key(MIN_REFRESH_VERSION),
                      changes=changes((p, before[p], after[p]) for p in changed),
                      ssh_logins=self.logins())
        return self.diff(result, dict((names[p], v) for p, v in before.items()),
                         dict((names[p], v) for p, v in after.items()))


def main():
    ExpresswayOauth().run()


if __name__ == '__main__':
    main()
