# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The attributes every collab.uc module shares, and the one rule for diffs."""

    DOCUMENTATION = r'''
attributes:
  check_mode:
    description: Can run in check mode and report what would change, without changing anything.
  diff_mode:
    description:
      - In diff mode the module returns C(diff) with the state before and after.
      - A secret in a diff shows as C(********), never as its value.
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: all
  action_group:
    description:
      - Part of the action groups named below, so its connection options can be set once for a play with
        C(module_defaults) (C(group/collab.uc.cucm) for CUCM modules, C(group/collab.uc.cuc) for Unity Connection
        modules).
    support: full
    membership: []
'''
