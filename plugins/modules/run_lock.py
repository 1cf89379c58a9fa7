#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: run_lock
short_description: Lock a file on the controller for the rest of this ansible-playbook run
version_added: 1.2.0
description:
  - Takes (O(state=present)) or releases (O(state=absent)) the lock C(<path>.lock) on the controller for the
    C(ansible-playbook) process that runs the task, so that two runs never work on the same state at once. The
    lock outlives the task; the role C(collab.uc.authz_key_rotation) takes one per cluster (on its state record)
    before it reads anything and releases it at its end, failed or not.
  - The lock file names the run that holds it - its process ID, the controller's host name and when it took the
    lock. Another run fails naming it, or waits up to O(timeout) seconds for it.
  - A lock whose process is gone (killed, even with C(kill -9)) on this host is stale and taken over (RV(took_over)
    says so). A lock of another host (a state directory shared over the network) is never taken over - remove the
    file once that run is gone.
  - Runs on the controller only (an action plugin), whatever C(delegate_to) says.
author:
  - collab.uc contributors (@collab-uc)
extends_documentation_fragment:
  - collab.uc.attributes
attributes:
  check_mode:
    support: full
    details: The lock is taken and released in check mode too - a check run reads the state the lock guards.
  diff_mode:
    support: none
  action_group:
    support: none
    membership: []
options:
  path:
    description:
      - The file to lock (it need not exist); the lock is C(<path>.lock). Its directory is created (mode C(0700))
        when missing.
    type: path
    required: true
  state:
    description: V(present) takes the lock, V(absent) releases it if this run holds it.
    type: str
    choices: [present, absent]
    default: present
  timeout:
    description: Seconds to wait for another run to release the lock, from 0 (fail at once) to 86400.
    type: int
    default: 0
  what:
    description: What the lock guards, in words, for the messages (for example C(the rotation state of cucm1)).
    type: str
    default: the file
notes:
  - The holder is the C(ansible-playbook) process (the parent of the worker that runs the task), so the lock is
    held for the whole run, across tasks and plays, and is the same for every host of the run.
'''

EXAMPLES = r'''
- name: Lock the state of this cluster for the run
  collab.uc.run_lock:
    path: "{{ state_dir }}/{{ inventory_hostname }}.state.json"
    what: the state of {{ inventory_hostname }}
    timeout: 60

- name: Release it
  collab.uc.run_lock:
    path: "{{ state_dir }}/{{ inventory_hostname }}.state.json"
    state: absent
'''

RETURN = r'''
changes:
  description:
    - What the task changed (in check mode, would change), one entry per change, in the order made; empty when
      nothing changed. Every module of collab.uc returns its changes under this key, in this shape.
    - Always empty, like C(changed) always false; a lock held for the run is no change of the state it guards
      (RV(lock) says who holds it).
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
lock:
  description: What the lock file says (state V(present)), or said before it was removed (state V(absent), when
    this run held it).
  returned: when the lock is held (or was, for V(absent))
  type: dict
  contains:
    pid:
      description: The process ID of the C(ansible-playbook) run that holds it.
      type: int
    host:
      description: The controller's host name.
      type: str
    started:
      description: When the run took the lock (UTC, ISO 8601).
      type: str
  sample: {pid: 4242, host: ansible-ctl, started: '2026-12-06T17:40:00Z'}
lock_path:
  description: The lock file.
  returned: always
  type: str
  sample: /home/ops/authz_key_rotation/cucm1.state.json.lock
took_over:
  description: Why a stale lock was taken over (its run is gone), else V(null).
  returned: state V(present)
  type: str
'''
