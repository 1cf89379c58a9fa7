#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: authz_key_rotation_plan
short_description: The rules of the role collab.uc.authz_key_rotation, over every system of the play at once
version_added: 1.3.0
description:
  - Runs on the controller (an action plugin) for the role C(collab.uc.authz_key_rotation) - the CUCM clusters and
    the Unity Connection systems of the play - with each host's role variables and the connection its modules would
    get (C(module_defaults) templated with that host's variables, and the C(CUCM_*), C(CUC_*) environment).
  - O(step=validate) (run once) checks every C(authz_key_rotation_*) variable of every host as given (the checks of
    M(collab.uc.authz_key_rotation_check)), the unknown names and the state and report directories, and fails with
    every problem before anything is read; it returns each cluster's state record file.
  - O(step=plan) (run once) reads every system concurrently, with bounded workers - each cluster's nodes with the
    chosen services' status (as M(collab.uc.cucm_node_info)), its AuthZ key checksums and whether the platform CLI
    account may regenerate them (privilege level 4 and the publisher, by read-only commands; as
    M(collab.uc.cucm_authz_keys)), its state record; each Connection's AuthZ servers (as
    M(collab.uc.cuc_authz_server_info)) - and fails, before any change, with every problem of every system;
    otherwise it returns the plan of every system (RV(states)) and the plan's lines (RV(plan)).
  - O(step=record) (per cluster host) updates the cluster's state record after a step of the apply (O(event)) and
    writes it atomically; with O(event=regenerated) it fails, naming the key, when a key still has the checksum read
    before. In check mode the record is returned and not written.
  - O(step=syncs) (run once) works out the AuthZ servers each Connection host syncs now (RV(syncs)).
  - O(step=report) (run once) reads every system being rotated again, compares what they show with the regeneration
    time, writes each cluster's report (JSON and Markdown) and marks a verified rotation complete (RV(reports)).
  - Internal to the role - its arguments and results may change with it.
author:
  - collab.uc contributors (@collab-uc)
extends_documentation_fragment:
  - collab.uc.attributes
attributes:
  check_mode:
    support: full
    details: It reads systems and never changes one; in check mode it writes the plan's report and no state record.
  diff_mode:
    support: none
  action_group:
    support: none
    membership: []
options:
  step:
    description: What to do (see the description).
    type: str
    required: true
    choices: [validate, plan, record, syncs, report]
  event:
    description: The step of the apply to record (O(step=record)).
    type: str
    choices: [requested, regenerated, restarted]
  result:
    description: The result of M(collab.uc.cucm_authz_keys) (O(step=record), O(event=regenerated)).
    type: dict
  workers:
    description: How many systems are read at once (O(step=plan), O(step=report)), at most 64.
    type: int
    default: 16
  cucm_group:
    description: The inventory group of the CUCM clusters (O(step=validate), O(step=plan)).
    type: str
    default: cucm_clusters
  cuc_group:
    description: The inventory group of the Unity Connection systems (O(step=validate), O(step=plan)).
    type: str
    default: cuc_systems
  expressway_group:
    description: The inventory group of the Expressway-C systems the report names (O(step=report)).
    type: str
    default: expressway_systems
'''

EXAMPLES = r'''
- name: Stop before any change if a system is not ready
  collab.uc.authz_key_rotation_plan:
    step: plan
  register: plan
  run_once: true
'''

RETURN = r'''
changes:
  description:
    - What the task changed (in check mode, would change), one entry per change, in the order made; empty when
      nothing changed. Every module of collab.uc returns its changes under this key, in this shape.
    - This module changes no system, so the list is always empty. The plan of each system is in RV(states), the
      state record of a cluster in RV(record).
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
state_files:
  description: The state record file of each cluster host.
  returned: O(step=validate)
  type: dict
states:
  description: The state of every system, by host - C(kind), C(label), C(problems), C(mode) (V(new), V(resume),
    V(done)), C(record) and what the apply needs.
  returned: O(step=plan)
  type: dict
plan:
  description: The plan, one line per step of each system.
  returned: O(step=plan) without problems
  type: list
  elements: str
collab_uc_preflight:
  description: For the callback collab.uc.gitops_summary - C(planned) (false when the preflight failed) and
    C(problems) (each with C(host), C(label) and C(problem)).
  returned: O(step=validate) with problems, O(step=plan)
  type: dict
record:
  description: The cluster's state record after the step (O(step=record)).
  returned: O(step=record)
  type: dict
syncs:
  description: The AuthZ servers to sync, by Connection host - C(cluster) and C(server).
  returned: O(step=syncs)
  type: dict
reports:
  description: By cluster host - C(status), C(problems), C(report) (the JSON report's path), C(summary), C(left)
    and, when the rotation is not verified, C(failure).
  returned: O(step=report)
  type: dict
'''
