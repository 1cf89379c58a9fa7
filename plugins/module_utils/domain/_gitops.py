# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The rows of the GitOps summary (callback collab.uc.gitops_summary): what one changed task result changed, from
its structured diff. The callback uses it for every task of a run; a slice of a sliced run of the role
collab.uc.oauth_refresh_login uses it for its own writes, which the combine step hands to the callback
(docs/aap.md).

Internal module: the leading underscore means its API may change without notice. Controller side only, no request.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

MISSING = '(none)'


def plain(value):
    """Ansible's tagged and custom values as plain JSON types."""
    return json.loads(json.dumps(value, default=str))


def rows_from_result(result, label=None, check_mode=False):
    """The rows ``{"setting", "from", "to"}`` of one changed task result, from its structured diff.

    ``label`` (a loop item's label) prefixes each setting. A key sync (an entry ``keys``, ``synced`` in the
    result's ``changes``) is a row of its own: done, or in check mode to be done. A change with no other row is one
    row saying so.
    """
    if not result.get('changed') or result.get('_ansible_no_log'):
        return []
    prefix = '%s: ' % label if label else ''
    rows = []
    diffs = result.get('diff')
    for diff in diffs if isinstance(diffs, list) else [diffs]:
        if not isinstance(diff, dict):
            continue
        before, after = diff.get('before'), diff.get('after')
        if not isinstance(before, dict) or not isinstance(after, dict):
            continue
        for key in sorted(set(before) | set(after), key=str):
            if before.get(key) != after.get(key):
                rows.append({'setting': prefix + str(key), 'from': plain(before.get(key)),
                             'to': plain(after.get(key))})
    changes = result.get('changes') if isinstance(result.get('changes'), list) else []
    if any(isinstance(c, dict) and c.get('action') == 'synced' for c in changes):
        last = (result.get('authz_server') or {}).get('last_sync_outcome')
        if check_mode:
            rows.append({'setting': prefix + 'key sync', 'from': plain(last), 'to': 'sync'})
        else:
            rows.append({'setting': prefix + 'key sync', 'from': MISSING, 'to': plain(last)})
    if not rows:
        rows.append({'setting': prefix.rstrip(': ') or 'change', 'from': MISSING, 'to': 'changed'})
    return rows
