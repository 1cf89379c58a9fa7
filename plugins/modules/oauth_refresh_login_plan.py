#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: oauth_refresh_login_plan
short_description: The rules of the role collab.uc.oauth_refresh_login, over every system of the play at once
version_added: 1.3.0
description:
  - Runs once on the controller (an action plugin, with C(run_once)) and works on every host of the play - the
    CUCM clusters, the Unity Connection systems and the Expressway-C systems of the role
    C(collab.uc.oauth_refresh_login) - from what each host read (the role's read tasks) and its role variables.
  - O(step=plan) fails, before any write, with every problem of every system (their host, their kind and what to
    do; problems name the role variable the user set); otherwise it returns the plan of every system (RV(states)).
  - O(step=verify) checks the result after the writes, O(step=checklist) lists what no API sets, O(step=drift)
    fails naming every setting that differs from the desired state, O(step=summary) says what the role did,
    skipped and why.
  - Internal to the role - its arguments and results may change with it. It makes no request to any system.
author:
  - collab.uc contributors (@collab-uc)
extends_documentation_fragment:
  - collab.uc.attributes
attributes:
  check_mode:
    support: full
    details: It never writes; in check mode the plan and summary say C(would change).
  diff_mode:
    support: none
  action_group:
    support: none
    membership: []
options:
  step:
    description: What to work out (see the description).
    type: str
    required: true
    choices: [plan, verify, checklist, drift, summary]
  cucm_group:
    description: The inventory group of the CUCM clusters (O(step=plan)).
    type: str
    default: cucm_clusters
  cuc_group:
    description: The inventory group of the Unity Connection systems (O(step=plan)).
    type: str
    default: cuc_systems
  expressway_group:
    description: The inventory group of the Expressway-C systems (O(step=plan)).
    type: str
    default: expressway_systems
  fail_on_change:
    description: The run detects drift (C(oauth_refresh_login_fail_on_change)); a problem outside check mode.
    type: bool
    default: false
  slicing:
    description:
      - Job slicing (C(oauth_refresh_login_slicing), the collection's docs/aap.md), O(step=plan).
      - V(slice) plans only the CUCM clusters of the play and lists the other hosts as left to the combine step;
        O(step=summary) then also returns the slice's outputs (RV(slice_variable), RV(slice_output)), which the
        role hands on with C(ansible.builtin.set_stats).
      - V(combine) takes the clusters' states from the slices' outputs (every variable of the play whose name
        starts with C(__oauth_refresh_login_slice_)), reads none of them again, and plans the other hosts; it fails
        before any read when a cluster is held by no slice or by several, was not completed by its slice, or when
        a slice ran in another mode (check mode or not).
    type: str
    choices: [none, slice, combine]
    default: none
  slice_id:
    description: With O(slicing=slice), the slice's own name (AWX's C(awx_job_id)).
    type: str
  workers:
    description:
      - How many systems O(step=plan) reads at once, at most 64 (a larger value counts as 64).
      - Each read is a few HTTPS requests that mostly wait on the network; more readers than the default cost more
        in contention for the controller's Python than they save (measured in the collection's bench/README.md).
    type: int
    default: 32
'''

EXAMPLES = r'''
- name: Stop before any write if a system is not ready
  collab.uc.oauth_refresh_login_plan:
    step: plan
  register: plan
  run_once: true
'''

RETURN = r'''
changes:
  description:
    - What the task changed (in check mode, would change), one entry per change, in the order made; empty when
      nothing changed. Every module of collab.uc returns its changes under this key, in this shape.
    - This module changes nothing, so the list is always empty. The plan of each system is in RV(states).
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
states:
  description: The state of every system, by host - C(kind), C(label), C(problems), C(changes) (C(setting),
    C(from), C(to)) and what the apply needs.
  returned: O(step=plan)
  type: dict
plan:
  description: The plan, one line per change or system without change.
  returned: O(step=plan) without problems
  type: list
  elements: str
apply_hosts:
  description: The hosts whose plan this run applies (in a slice its clusters, in the combine step the others).
  returned: O(step=plan) without problems
  type: list
  elements: str
slicing:
  description: With O(slicing=slice) C(mode), C(id) and C(deferred) (the hosts left to the combine step); with
    O(slicing=combine) C(mode), C(done) (the clusters the slices did) and C(slices) (their ids).
  returned: O(step=plan) with O(slicing) other than V(none)
  type: dict
collab_uc_slices:
  description: For the callback collab.uc.gitops_summary, in the combine step - C(hosts), what each slice's
    clusters changed (C(status), C(rows)).
  returned: O(step=plan) with O(slicing=combine)
  type: dict
slice_variable:
  description: The name of the variable the slice's outputs are handed on as.
  returned: O(step=summary) in a slice
  type: str
slice_output:
  description: The slice's outputs - C(format), C(slice), C(check_mode), C(hosts) (every host it held),
    C(states) (its clusters'), C(applied) (those it completed), C(gitops) (their rows for the GitOps summary).
  returned: O(step=summary) in a slice
  type: dict
collab_uc_preflight:
  description: For the callback collab.uc.gitops_summary - C(planned) (false when the preflight failed) and
    C(problems) (each with C(host), C(label) and C(problem)).
  returned: O(step=plan)
  type: dict
collab_uc_hosts:
  description: For the callback collab.uc.gitops_summary - every host of the play, so that the summary counts the
    systems that leave the role after the plan (C(meta end_role)) without a task result of their own.
  returned: O(step=plan)
  type: list
  elements: str
checklist:
  description: What no public API sets, with the values to set.
  returned: O(step=checklist)
  type: list
  elements: str
drift:
  description: One line per setting that differs from the desired state.
  returned: O(step=drift) when something differs
  type: list
  elements: str
summary:
  description: What the role did (or would do), what it skipped and why.
  returned: O(step=summary)
  type: list
  elements: str
'''
