#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: authz_key_rotation_check
short_description: Check the variables of the role collab.uc.authz_key_rotation before anything changes
version_added: 1.1.0
description:
  - The preflight of the role C(collab.uc.authz_key_rotation), in Python - checks the role's variables as they
    were given, without converting them (an integer is not a list, C(0.5) is not an integer), so that a rotation
    with a wrong value stops before the first key is regenerated, not after it.
  - Types and ranges - C(authz_key_rotation_batch_size) at least 1; C(authz_key_rotation_restart_timeout) from 1
    to 86400 seconds and C(authz_key_rotation_poll_interval) at least 2 seconds (the ranges of
    M(collab.uc.cucm_service)); C(authz_key_rotation_lock_timeout) from 0 to 86400; C(authz_key_rotation_keys)
    a list of V(signing) and V(encryption); C(authz_key_rotation_services) lists by product (V(cucm),
    V(im_presence)); C(authz_key_rotation_id) a safe name (it names the report files).
  - Variables whose name starts with C(authz_key_rotation_) but that the role does not have (a misspelt name
    would otherwise be ignored).
  - With O(check_paths), that the state and report directories exist and are writable, or can be created.
  - With O(nodes) (the nodes of M(collab.uc.cucm_node_info), read with the chosen services), that the batch size
    leaves a node of each product running and that every chosen service is one the nodes of its product run.
  - Talks to no system and changes nothing; it runs on the controller (C(delegate_to) V(localhost)).
author:
  - collab.uc contributors (@collab-uc)
extends_documentation_fragment:
  - collab.uc.attributes
attributes:
  check_mode:
    support: full
    details: Reads and changes nothing in any mode.
  diff_mode:
    support: none
  action_group:
    support: none
options:
  variables:
    description:
      - The role's variables as given (name and value), for example
        C("{{ dict(names | zip(query('ansible.builtin.vars', *names))) }}").
    type: dict
    required: true
  names:
    description:
      - Every variable name of the host that starts with C(authz_key_rotation_) (for example
        C(query('ansible.builtin.varnames', '^authz_key_rotation_'))); those the role does not have are problems.
        By default the names of O(variables).
    type: list
    elements: str
  host:
    description: The inventory host name, which names the state record and the reports.
    type: str
  kind:
    description: What the host is - a CUCM cluster (its state record is checked) or a Unity Connection system.
    type: str
    choices: [cucm, cuc]
    default: cucm
  check_paths:
    description: Check the state directory and the report directory (and the state record's file).
    type: bool
    default: true
  nodes:
    description:
      - The cluster's nodes as M(collab.uc.cucm_node_info) returns them, with the status of the chosen services;
        when given, the batch size and the services are checked against them.
    type: list
    elements: dict
notes:
  - The role runs it twice on a cluster - the variables first (before any request), then the batch size and the
    services once the nodes are read.
seealso:
  - module: collab.uc.cucm_node_info
'''

EXAMPLES = r'''
- name: Check the role's variables
  collab.uc.authz_key_rotation_check:
    variables: "{{ dict(__names | zip(query('ansible.builtin.vars', *__names))) }}"
    names: "{{ __names }}"
    host: "{{ inventory_hostname }}"
  vars:
    __names: "{{ query('ansible.builtin.varnames', '^authz_key_rotation_') }}"
  delegate_to: localhost
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
problems:
  description: What is wrong, one sentence each, starting with the variable's name. The module fails when there is
    any.
  returned: always
  type: list
  elements: str
  sample: [authz_key_rotation_batch_size must be at least 1 (nodes restarted at once), got 0]
'''

from ansible_collections.collab.uc.plugins.module_utils.domain._authz_key_rotation import (
    check_nodes, check_paths, check_variables)
from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule


class AuthzKeyRotationCheck(UCModule):
    argument_spec = dict(
        variables=dict(type='dict', required=True),
        names=dict(type='list', elements='str'),
        host=dict(type='str'),
        kind=dict(type='str', choices=['cucm', 'cuc'], default='cucm'),
        check_paths=dict(type='bool', default=True),
        nodes=dict(type='list', elements='dict'),
    )

    def execute(self):
        params = self.params
        problems, normal = check_variables(params['variables'], params['names'], params['host'])
        if params['check_paths']:
            problems.extend(check_paths(normal, params['host'], params['kind']))
        if params['nodes'] is not None:
            problems.extend(check_nodes(normal, params['nodes'], params['host'] or 'the cluster'))
        if problems:
            self.module.fail_json(msg='%s: %d problem(s) with the variables of collab.uc.authz_key_rotation; nothing '
                                      'was changed on any system. Fix them and run again: %s'
                                      % (params['host'] or 'this host', len(problems), '; '.join(problems)),
                                  problems=problems)
        return dict(changed=False, problems=[])


def main():
    AuthzKeyRotationCheck().run()


if __name__ == '__main__':
    main()
