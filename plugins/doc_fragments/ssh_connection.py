# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """What every SSH connection group (the CUCM platform CLI, Expressway) shares; used with the group's own
    fragment.

    Ansible merges the fragments of a module option by option and key by key, not line by line: this fragment
    gives each ``ssh_*`` option's ``type``, ``required``, ``default`` and ``choices`` (as ``SshCliConnection``
    gives them to every product), the group's fragment its ``description`` (the product's words and its environment
    variables). A key is given by one of the two fragments only (tests/unit/plugins/doc_fragments checks it).
    """

    DOCUMENTATION = r'''
options:
  ssh_host:
    type: str
  ssh_port:
    type: int
    default: 22
  ssh_username:
    type: str
    required: true
  ssh_password:
    type: str
    required: true
  ssh_known_hosts:
    type: path
    default: ~/.ssh/known_hosts
  ssh_host_key_checking:
    type: str
    choices: [strict, accept_new, 'off']
    default: strict
  ssh_login_timeout:
    type: int
    default: 60
  ssh_command_timeout:
    type: int
    default: 120
requirements:
  - paramiko (on the controller, or wherever the task is delegated)
notes:
  - One SSH login serves every command of a task.
'''
