# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The preflight checks of the variables of the role collab.uc.authz_key_rotation (module
collab.uc.authz_key_rotation_check): every value checked for its type without conversion (an integer is not a
list), its range and, once the cluster's nodes are read, against the nodes - before anything changes.

Internal module: the leading underscore means its API may change without notice.

Each check returns problems, sentences that start with the variable's name.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import math
import os
import re

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import type_words

PREFIX = 'authz_key_rotation_'

# Every variable of meta/argument_specs.yml (a unit test compares them).
ROLE_VARIABLES = frozenset(PREFIX + name for name in (
    'cucm_group', 'cuc_group', 'expressway_group', 'serves', 'keys', 'services', 'batch_size', 'restart_timeout',
    'poll_interval', 'publisher_port', 'cluster_addresses', 'authz_password', 'id', 'state_dir', 'report_dir',
    'lock_timeout'))

KEYS = ('signing', 'encryption')
PRODUCTS = ('cucm', 'im_presence')
PRODUCT_NAMES = {'cucm': 'CUCM', 'im_presence': 'IM and Presence'}
# The ranges of collab.uc.cucm_service (wait_timeout, poll_interval) that collab.uc.rolling_restart passes on.
TIMEOUT_MIN, TIMEOUT_MAX = 1, 86400
POLL_MIN = 2.0  # _cucm_serviceability.MIN_INTERVAL: CUCM rate-limits Serviceability
LOCK_TIMEOUT_MAX = 86400
ID_PATTERN = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')
HOST_PATTERN = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._:@-]{0,253}$')


def _show(value):
    text = repr(value) if not isinstance(value, str) else "'%s'" % value
    return text if len(text) <= 80 else text[:77] + '...'


def _given(value):
    """What a variable holds, in YAML's words (``_errors.type_words``), with the value where those words do not
    already say it: ``the number 5``, ``a string ('10m')``."""
    words = type_words(value)
    if value is None or isinstance(value, (bool, int, float)):
        return words
    return '%s (%s)' % (words, _show(value))


def as_integer(value):
    """``value`` as an int: an int (not a boolean) or the text of one (``-e name=2`` gives text); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.match(r'^\s*[-+]?\d+\s*$', value):
        return int(value)
    return None


def as_number(value):
    """``value`` as a finite float: a number (not a boolean) or its text; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _string_list(name, value, problems, allow_text=False, allow_empty=True):
    """A list of non-empty strings (or, with ``allow_text``, names separated by commas); None if not one."""
    if allow_text and isinstance(value, str):
        value = [part.strip() for part in value.split(',') if part.strip()]
    if not isinstance(value, (list, tuple)):
        problems.append('%s must be a list%s, not %s' % (
            name, ' or names separated by commas' if allow_text else '', _given(value)))
        return None
    bad = [item for item in value if not isinstance(item, str) or not item.strip()]
    if bad:
        problems.append('%s must list non-empty strings, not %s' % (name, ', '.join(_show(b) for b in bad)))
        return None
    if not value and not allow_empty:
        problems.append('%s must not be empty' % name)
        return None
    return list(value)


def unknown_variables(names, known=ROLE_VARIABLES):
    """Problems for the names that start with ``authz_key_rotation_`` and are not variables of the role."""
    problems = []
    for name in sorted(set(names)):
        if not name.startswith(PREFIX) or name in known:
            continue
        close = difflib.get_close_matches(name[len(PREFIX):], sorted(k[len(PREFIX):] for k in known), n=1,
                                          cutoff=0.75)
        close = [PREFIX + c for c in close]
        problems.append('%s is not a variable of collab.uc.authz_key_rotation%s; it would be ignored. Fix or remove it '
                        '(the variables: ansible-doc -t role collab.uc.authz_key_rotation)'
                        % (name, ' (did you mean %s?)' % close[0] if close else ''))
    return problems


def check_variables(values, names=None, host=None):
    """Problems of the role's variables ``values`` (name -> value, as given: no conversion) and the unknown ones
    among ``names``; ``host`` (the inventory host name) goes into file names. Returns ``(problems, normal)``,
    ``normal`` holding the values the later checks use (those that passed)."""
    problems = unknown_variables(names if names is not None else values.keys())
    normal = {}

    def get(short):
        return values.get(PREFIX + short)

    for short in ('cucm_group', 'cuc_group', 'expressway_group'):
        name = PREFIX + short
        if name in values and (not isinstance(values[name], str) or not values[name].strip()):
            problems.append('%s must be the name of an inventory group, not %s'
                            % (name, _given(values[name])))

    if PREFIX + 'serves' in values:
        serves = _string_list(PREFIX + 'serves', get('serves'), problems, allow_text=True)
        if serves is not None:
            normal['serves'] = serves

    if PREFIX + 'keys' in values:
        keys = _string_list(PREFIX + 'keys', get('keys'), problems, allow_empty=False)
        if keys is not None:
            wrong = [k for k in keys if k not in KEYS]
            if wrong:
                problems.append('%s must list signing and/or encryption, not %s'
                                % (PREFIX + 'keys', ', '.join(_show(k) for k in wrong)))
            elif len(set(keys)) != len(keys):
                problems.append('%s names a key twice: %s' % (PREFIX + 'keys', ', '.join(keys)))
            else:
                normal['keys'] = keys

    if PREFIX + 'services' in values:
        services = get('services')
        name = PREFIX + 'services'
        if services is None:
            normal['services'] = {}
        elif not isinstance(services, dict):
            problems.append('%s must be a dictionary of lists by product (cucm, im_presence), not %s'
                            % (name, _given(services)))
        else:
            chosen = {}
            for product in sorted(services, key=str):
                if product not in PRODUCTS:
                    problems.append('%s has %s: the products are cucm and im_presence' % (name, _show(product)))
                    continue
                if services[product] is None:
                    chosen[product] = []
                    continue
                listed = _string_list('%s.%s' % (name, product), services[product], problems)
                if listed is not None:
                    chosen[product] = [s.strip() for s in listed]
            if len(chosen) == len(services):
                normal['services'] = chosen

    name = PREFIX + 'batch_size'
    if name in values:
        batch = as_integer(get('batch_size'))
        if batch is None:
            problems.append('%s must be an integer, not %s'
                            % (name, _given(get('batch_size'))))
        elif batch < 1:
            problems.append('%s must be at least 1 (nodes restarted at once), got %s' % (name, batch))
        else:
            normal['batch_size'] = batch

    name = PREFIX + 'restart_timeout'
    if name in values:
        timeout = as_integer(get('restart_timeout'))
        if timeout is None:
            problems.append('%s must be an integer (seconds), not %s' % (
                name, _given(get('restart_timeout'))))
        elif not TIMEOUT_MIN <= timeout <= TIMEOUT_MAX:
            problems.append('%s must be between %s and %s seconds, got %s' % (name, TIMEOUT_MIN, TIMEOUT_MAX, timeout))
        else:
            normal['restart_timeout'] = timeout

    name = PREFIX + 'poll_interval'
    if name in values:
        interval = as_number(get('poll_interval'))
        if interval is None:
            problems.append('%s must be a number (seconds), not %s' % (
                name, _given(get('poll_interval'))))
        elif not POLL_MIN <= interval <= TIMEOUT_MAX:
            problems.append('%s must be at least %s seconds (CUCM rate-limits Serviceability) and at most %s, got %s'
                            % (name, POLL_MIN, TIMEOUT_MAX, get('poll_interval')))
        else:
            normal['poll_interval'] = interval

    name = PREFIX + 'lock_timeout'
    if name in values:
        wait = as_integer(get('lock_timeout'))
        if wait is None or not 0 <= wait <= LOCK_TIMEOUT_MAX:
            problems.append('%s must be an integer from 0 to %s seconds, not %s'
                            % (name, LOCK_TIMEOUT_MAX, _show(get('lock_timeout'))))
        else:
            normal['lock_timeout'] = wait

    name = PREFIX + 'publisher_port'
    if name in values:
        port = as_integer(get('publisher_port'))
        if port is None or not 1 <= port <= 65535:
            problems.append('%s must be a TCP port (1 to 65535), not %s' % (name, _show(get('publisher_port'))))

    if PREFIX + 'cluster_addresses' in values:
        _string_list(PREFIX + 'cluster_addresses', get('cluster_addresses'), problems)

    name = PREFIX + 'id'
    if values.get(name) not in (None, ''):
        rotation_id = get('id')
        if isinstance(rotation_id, int) and not isinstance(rotation_id, bool):
            rotation_id = str(rotation_id)
        if not isinstance(rotation_id, str) or not ID_PATTERN.match(rotation_id) or '..' in rotation_id:
            problems.append('%s must be a safe name (a letter or digit, then up to 63 letters, digits, dots, '
                            'hyphens or underscores, no "..": it names the report files), not %s'
                            % (name, _show(get('id'))))
        else:
            normal['id'] = rotation_id

    if host is not None and (not HOST_PATTERN.match(host) or '..' in host):
        problems.append('the inventory host name %s cannot name the state record and report files (letters, '
                        'digits, dots, hyphens, underscores): give the host another name (its address in '
                        'ansible_host)' % _show(host))

    for short in ('state_dir', 'report_dir'):
        name = PREFIX + short
        if name in values:
            if not isinstance(get(short), str) or not get(short).strip():
                problems.append('%s must be a directory path, not %s'
                                % (name, _given(get(short))))
            else:
                normal[short] = os.path.abspath(os.path.expanduser(get(short)))
    return problems, normal


def directory_problem(name, path):
    """Why ``path`` cannot be used as (or created as) a directory this user writes in, or None."""
    probe = path
    while not os.path.exists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    if not os.path.isdir(probe):
        return '%s %s cannot be used: %s is not a directory' % (name, path, probe)
    if not os.access(probe, os.W_OK | os.X_OK):
        return '%s %s cannot be %s: %s is not writable by this user' % (
            name, path, 'written' if probe == path else 'created', probe)
    return None


def file_problem(name, path):
    """Why the file ``path`` (in a usable directory) cannot be written, or None."""
    if os.path.isdir(path):
        return '%s: %s is a directory' % (name, path)
    if os.path.exists(path) and not os.access(path, os.W_OK):
        return '%s: %s exists and is not writable by this user' % (name, path)
    return None


def check_paths(normal, host, kind):
    """Problems with the state directory and the report directory (and, on a cluster, their files)."""
    problems = []
    for short in ('state_dir', 'report_dir'):
        if short in normal:
            problem = directory_problem(PREFIX + short, normal[short])
            if problem:
                problems.append(problem)
    if kind == 'cucm' and not problems and 'state_dir' in normal:
        problem = file_problem(PREFIX + 'state_dir', os.path.join(normal['state_dir'], '%s.state.json' % host))
        if problem:
            problems.append(problem)
    return problems


def check_nodes(normal, nodes, cluster):
    """Problems of the batch size and the services against the cluster's ``nodes`` (collab.uc.cucm_node_info's
    nodes, with the status of the chosen services on each)."""
    problems = []
    services = normal.get('services', {})
    batch = normal.get('batch_size')
    for product in PRODUCTS:
        on = [n for n in nodes if n.get('product') == product]
        wanted = services.get(product) or []
        if not on or not wanted:
            continue
        if batch is not None and len(on) > 1 and batch > len(on) - 1:
            problems.append('%s %s is more than the nodes allow: a batch must leave one node running, and %s has %s '
                            '%s nodes (%s), so at most %s' % (
                                PREFIX + 'batch_size', batch, cluster, len(on), PRODUCT_NAMES[product],
                                ', '.join(n.get('name', '?') for n in on), len(on) - 1))
        for node in on:
            known = dict((s.get('name'), s) for s in node.get('services') or [])
            missing = [s for s in wanted if s not in known or not known[s].get('deployable', True)]
            if missing:
                problems.append('%s.%s names %s, which %s does not run (Serviceability answers Unknown): name the '
                                'services as Cisco Unified Serviceability does (Cisco CallManager, Cisco Tomcat, ...)'
                                % (PREFIX + 'services', product, ', '.join(_show(m) for m in missing),
                                   node.get('name', '?')))
    return problems
