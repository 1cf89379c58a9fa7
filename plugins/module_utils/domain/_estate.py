# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The estate rules shared by the roles' planners: the minimum versions (one table), how versions compare, the
clusters a Unity Connection or Expressway-C host serves, and which of them it cannot be planned against.

Internal module: the leading underscore means its API may change without notice. Pure functions: no request,
no Ansible object (the planners' unit tests call them with plain dicts).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# The minimum version of each kind of system for refresh logins (the role variables
# oauth_refresh_login_min_*_version default to these), and the name Cisco gives it.
MIN_VERSIONS = {'cucm': '11.5.1.13900', 'cuc': '11.5.1.13900', 'imp': '11.5.1.13900', 'expressway': 'X8.10.1'}
MIN_VERSION_NAMES = {'cucm': '11.5(1)SU3', 'cuc': '11.5(1)SU3', 'imp': '11.5(1)SU3', 'expressway': 'X8.10.1'}
KIND_LABELS = {'cucm': 'CUCM cluster', 'cuc': 'Unity Connection', 'expressway': 'Expressway-C'}

_LEADING = re.compile(r'^[Xx]?([0-9]+(?:\.[0-9]+)*)')


def version_key(version):
    """The sortable key of a version's leading numbers: (14, 0, 1, 13900) for ``14.0.1.13900(155)``, (14, 2, 1)
    for ``X14.2.1``; None when it does not start with a number."""
    match = _LEADING.match(str(version or '').strip())
    if not match:
        return None
    return tuple(int(part) for part in match.group(1).split('.'))


def below(version, minimum):
    """True when ``version`` is below ``minimum``, False when not, None when ``version`` is not understood."""
    key = version_key(version)
    if key is None:
        return None
    low = version_key(minimum) or ()
    width = max(len(key), len(low))
    return key + (0,) * (width - len(key)) < low + (0,) * (width - len(low))


def as_bool(value):
    """A role variable as a boolean (Ansible may hand over ``'True'``, ``'yes'``, ``1``); None stays None."""
    if value is None or value == '':
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ('1', 'true', 'yes', 'on', 'y', 't'):
        return True
    if text in ('0', 'false', 'no', 'off', 'n', 'f'):
        return False
    raise ValueError('%r is not a boolean (true or false)' % (value,))


def as_int(value):
    """A role variable as a whole number; None and '' stay None; ``ValueError`` when it is not one."""
    if value is None or value == '':
        return None
    if isinstance(value, bool):
        raise ValueError('%r is not a whole number' % (value,))
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not re.match(r'^[+-]?[0-9]+$', text):
        raise ValueError('%r is not a whole number' % (value,))
    return int(text)


def serves_list(value):
    """The clusters a host serves: a list, or names separated by commas (as an INI inventory or -e gives it)."""
    if value is None or value == '':
        return []
    if isinstance(value, str):
        return [name.strip() for name in value.split(',') if name.strip()]
    return [str(name) for name in value]


def unusable_clusters(host, serves, cluster_group, clusters, play_hosts, planned):
    """``{cluster: problem}`` for each cluster ``host`` serves that it cannot be planned against: not a host of
    the cluster group (``clusters``), not in this run (``play_hosts``), or without a preflight (``planned``)."""
    out = {}
    for cluster in serves:
        if cluster not in clusters:
            out[cluster] = ('serves %s, which is not a host of the group %s (an AWX job slice holds only some hosts: '
                            'run this role with job slicing off, or sliced as docs/aap.md says)'
                            % (cluster, cluster_group))
        elif cluster not in play_hosts:
            out[cluster] = ('serves %s, which is not in this run (run both, or neither, e.g. --limit %s,%s)'
                            % (cluster, cluster, host))
        elif cluster not in planned:
            out[cluster] = 'serves %s, whose preflight did not run' % cluster
    return out
