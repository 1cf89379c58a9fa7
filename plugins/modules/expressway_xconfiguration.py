#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: expressway_xconfiguration
short_description: Read or set xConfiguration values of a Cisco Expressway over its admin CLI
version_added: 1.1.0
description:
  - >-
    Reads or sets any C(xConfiguration) value of a Cisco Expressway-C or Expressway-E on its admin CLI (the xAPI)
    over SSH. A read is C(xConfiguration <path>), whose reply lists one line per value, such as
    C(*c xConfiguration CollaborationEdge OAuthLocal: On); a set is C(xConfiguration <path>: <value>).
  - Idempotent. Each value is read first and set only when it differs (words such as V(On) and V(Off) compare
    ignoring case, as the xAPI accepts them in any case; quoted strings compare exactly).
  - Discovery first. Before any set, the module reads the whole section (the first word of each path, such as
    C(xConfiguration CollaborationEdge)) of every value to set, and sets only leaves the Expressway shows. When one
    is not shown, the task fails before any write, in check mode too, and its message lists every leaf of that
    section.
  - All commands of a task run on one SSH login. A set whose answer is lost (the connection drops) is never typed
    again; the module logs in once more, reads the value and reports what it finds.
  - For the MRA authorization settings, M(collab.uc.expressway_oauth) names them for you.
author:
  - collab.uc contributors (@collab-uc)
extends_documentation_fragment:
  - collab.uc.expressway_connection
  - collab.uc.ssh_connection
  - collab.uc.attributes
attributes:
  check_mode:
    support: full
    details: Reads the values and reports which would change; never sets one.
  diff_mode:
    support: full
    details: The values before and after, by path.
  action_group:
    membership: [collab.uc.expressway]
options:
  path:
    description:
      - The path of one value (V(CollaborationEdge OAuthLocal)) or, to read, of a section (V(CollaborationEdge))
        whose every value is returned. Words separated by spaces, without the C(xConfiguration) command word.
      - Mutually exclusive with O(settings).
    type: str
  value:
    description:
      - The value O(path) must hold. Without it, the task only reads.
      - A string, a whole number or a boolean, checked against the type the setting takes once read. A boolean
        (an unquoted V(On), V(yes) or V(true) in YAML) is set in the words of a two-valued setting (V(On)/V(Off),
        V(Yes)/V(No)...) and refused for any other. A string setting (one the Expressway prints in double quotes)
        takes only a string; an On/Off setting no number. A dictionary, a list or a null is refused naming the
        path, before the login.
      - A string holds only printable ASCII characters (space to C(~)), no double quote, at most 512. A control
        character (DEL, backspace, tab, ESC, Ctrl-C, Ctrl-U, NUL, a new line...), a C1 control (such as NEL) or any
        other non-ASCII character is refused before the login, since the CLI's line editor would act on it and set
        another value or setting than the one given.
    type: raw
  settings:
    description:
      - Several values to set on one login, as a dictionary of paths and values (each value as O(value) takes
        it). Mutually exclusive with O(path).
    type: dict
notes:
  - Setting values needs an administrator account with read-write access.
  - Paths and values are checked before the login; a value of the wrong type for its setting fails the task
    before any value is set.
  - In check mode with O(ssh_host_key_checking=accept_new), an unknown host key is trusted for that run only and
    not written to O(ssh_known_hosts); the task warns.
seealso:
  - module: collab.uc.expressway_oauth
'''

EXAMPLES = r'''
- name: Read the MRA section of an Expressway-C
  collab.uc.expressway_xconfiguration:
    ssh_host: expc1.example.com
    ssh_username: admin
    ssh_password: "{{ vault_expressway_password }}"
    path: CollaborationEdge
  register: mra

- name: Turn on "Authorize by OAuth token" (the fix for Jabber's "no SASL mechanism" over MRA)
  collab.uc.expressway_xconfiguration:
    ssh_host: expc1.example.com
    ssh_username: admin
    ssh_password: "{{ vault_expressway_password }}"
    path: CollaborationEdge OAuthLocal
    value: "On"

- name: Several values on one login, connection from module_defaults
  module_defaults:
    group/collab.uc.expressway:
      ssh_host: expc1.example.com
      ssh_username: admin
      ssh_password: "{{ vault_expressway_password }}"
  collab.uc.expressway_xconfiguration:
    settings:
      CollaborationEdge OAuthLocal: "On"
      Administration TimeOut: "30"
'''

RETURN = r'''
changes:
  description:
    - What the task changed (in check mode, would change), one entry per change, in the order made; empty when
      nothing changed. Every module of collab.uc returns its changes under this key, in this shape.
    - Here one entry per value set. When a set fails after others were made, the task fails with the ones made before
      it listed here (and C(changed) true).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: What changed, here the xConfiguration path.
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
      description: Same as RV(changes[].name). Deprecated, use RV(changes[].name); removed in 2.0.0.
      type: str
      returned: always
  sample:
    - {name: CollaborationEdge OAuthLocal, action: updated, before: 'Off', after: 'On',
       path: CollaborationEdge OAuthLocal}
host:
  description:
    - The system the task acted on, as addressed (O(ssh_host)), without the port.
    - Every module of collab.uc that talks to a system names it under this key.
  returned: always
  type: str
  sample: expc.example.com
xconfiguration:
  description: Every value read, by path (after the change; in check mode what it would be).
  returned: always
  type: dict
  sample: {"CollaborationEdge OAuthLocal": "On", "CollaborationEdge LegacyCred": "Off"}
value:
  description: The value of O(path) when it names one value.
  returned: when O(path) names one value
  type: str
  sample: "On"
ssh_logins:
  description: How many SSH logins the task used (one, two after a dropped connection).
  returned: always
  type: int
  sample: 1
'''

from ansible_collections.collab.uc.plugins.module_utils.clients._expressway_cli import (
    ExpresswayCli, check_path, check_value)
from ansible_collections.collab.uc.plugins.module_utils.domain._expressway_settings import ensure
from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule, change


class ExpresswayXconfiguration(UCModule):
    connections = ('expressway',)
    argument_spec = dict(
        path=dict(type='str'),
        value=dict(type='raw'),
        settings=dict(type='dict'),
    )
    module_kwargs = dict(mutually_exclusive=[('path', 'settings'), ('value', 'settings')],
                         required_one_of=[('path', 'settings')])

    def wanted(self):
        """``(path to read or None, {path: value} to set)``, validated before the login."""
        try:
            if self.params['settings'] is not None:
                if not self.params['settings']:
                    self.module.fail_json(msg='settings must name at least one path')
                return None, dict((check_path(p), check_value(check_path(p), v))
                                  for p, v in self.params['settings'].items())
            path = check_path(self.params['path'])
            if self.params['value'] is None:
                return path, {}
            return None, {path: check_value(path, self.params['value'])}
        except ValueError as exc:
            self.module.fail_json(msg='%s. Nothing was sent (no login)' % exc)

    def cli(self):
        return ExpresswayCli(self.session('expressway'))

    def execute(self):
        read_path, wanted = self.wanted()
        cli = self.cli()
        if read_path is not None:
            values = cli.read(read_path)
            result = dict(changed=False, xconfiguration=values, changes=[], ssh_logins=self.logins())
            for name, value in values.items():
                if name.lower() == read_path.lower():
                    result['value'] = value
            return result

        def changes(made):  # path: the old name of name, returned until 2.0.0
            return [change(p, 'updated', old, new, path=p) for p, old, new in made]

        with self.reporting_done(changes):  # a set failed: the ones made before it are reported with the failure
            before, after, changed = ensure(cli, wanted, self.check_mode, self.cli)
        result = dict(changed=bool(changed), xconfiguration=after, ssh_logins=self.logins(),
                      changes=changes((p, before[p], after[p]) for p in changed))
        if self.params['path']:
            result['value'] = after[check_path(self.params['path'])]
        return self.diff(result, before, after)


def main():
    ExpresswayXconfiguration().run()


if __name__ == '__main__':
    main()
