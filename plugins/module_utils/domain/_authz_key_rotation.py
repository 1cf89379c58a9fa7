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
import hashlib
import math
import os
import re
import time

from ansible_collections.collab.uc.plugins.module_utils.domain._estate import serves_list, unusable_clusters

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


# The numeric role variables: key, conversion, what it must be, lowest, highest (None: no bound), the range in words.
NUMBERS = (
    ('batch_size', as_integer, 'an integer', 1, None, 'at least 1 (nodes restarted at once)'),
    ('restart_timeout', as_integer, 'an integer (seconds)', TIMEOUT_MIN, TIMEOUT_MAX,
     'between %s and %s seconds' % (TIMEOUT_MIN, TIMEOUT_MAX)),
    ('poll_interval', as_number, 'a number (seconds)', POLL_MIN, TIMEOUT_MAX,
     'at least %s seconds (CUCM rate-limits Serviceability) and at most %s' % (POLL_MIN, TIMEOUT_MAX)),
)


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

    for key, convert, kind, low, high, out_of_range in NUMBERS:
        name = PREFIX + key
        if name not in values:
            continue
        number = convert(get(key))
        if number is None:
            problems.append('%s must be %s, not %s' % (name, kind, _given(get(key))))
        elif number < low or (high is not None and number > high):
            problems.append('%s must be %s, got %s' % (name, out_of_range, get(key) if convert is as_number else number))
        else:
            normal[key] = number

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


# -- the planner: from what was read to problems, the plan, the record's steps and the report ------------------
# Pure functions over plain dicts (the action plugin collab.uc.authz_key_rotation_plan hands them every host of the
# play; the unit tests call them directly). A cluster host's input: ``{'kind': 'cucm', 'host', 'values' (the role
# variables as given, full names), 'address' (cucm_host or ansible_host), 'password_set', 'state_file',
# 'report_dir', 'read': {'nodes', 'keys'} (collab.uc.cucm_node_info's and collab.uc.cucm_authz_keys' results,
# ``keys`` with ``rights``), 'record' (the state record found, or None), 'record_error'}``; a Connection host's:
# ``{'kind': 'cuc', 'host', 'values', 'read': collab.uc.cuc_authz_server_info's result}``.

ISO = '%Y-%m-%dT%H:%M:%SZ'
LABELS = {'cucm': 'CUCM cluster', 'cuc': 'Unity Connection'}
RECORD_FORMAT = 1
NOT_YET = float('inf')  # the regeneration time of a rotation not regenerated: nothing counts as after it
LEFT_FOR_USER = (
    'Expressway-C: on %s, run "Refresh servers" (Configuration > Unified Communications > Unified CM servers, and the '
    'IM and Presence and Unity Connection servers pages) so that it fetches the new keys; no API does it.',
    'Jabber and other OAuth clients: every access and refresh token issued with the old keys is now invalid; users '
    'sign in again (on premises and over MRA). Tell them before the next working day.',
    'A centralized IM and Presence cluster that serves %s keeps its own keys: regenerate them on its own publisher '
    '(and Synchronize under System > Centralized Deployment).')
DECIDED_FROM = {
    'regeneration': 'state record (checksums before, regeneration time) and the checksums the publisher shows now',
    'restarts': 'the start time of each service on each node (Serviceability) against the regeneration time',
    'syncs': 'the time of the last passed sync of each AuthZ server (Connection) against the regeneration time'}


def iso(epoch):
    """``epoch`` (seconds) as UTC ISO 8601 to the second, or None."""
    return None if epoch is None else time.strftime(ISO, time.gmtime(int(float(epoch))))


def _unique(items):
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def default_id(checksums, host):
    """The id of a rotation started without ``authz_key_rotation_id``: from the keys it replaces (and the host),
    so that a check-mode plan and the apply that follows it share one id."""
    text = '%s:%s:%s' % (checksums.get('signing', ''), checksums.get('encryption', ''), host)
    return 'keys-' + hashlib.sha1(text.encode('utf-8')).hexdigest()[:12]


def new_record(host, publisher, keys, checksums, wanted_id, now):
    """A rotation's first state record (format 1), nothing done yet."""
    return {'format': RECORD_FORMAT, 'id': str(wanted_id) if wanted_id is not None else default_id(checksums, host),
            'cluster': {'host': host, 'publisher': publisher}, 'keys': list(keys), 'started_at': now,
            'checksums_before': dict(checksums), 'regeneration_requested_at': None, 'regenerated_at': None,
            'regenerated_keys': [], 'checksums_after': None, 'restarts_done_at': None, 'syncs_done_at': None,
            'completed_at': None}


def record_mode(record, host, publisher, wanted_id, state_file):
    """``(mode, problems)`` from the state record found: ``new`` (none, or a completed one and a new id),
    ``resume`` (an unfinished one) or ``done`` (completed, and no other id asked); problems for a record that is
    not one of this role, of another cluster, or an unfinished rotation while another id is asked."""
    if record is None:
        return 'new', []
    cluster = record.get('cluster') if isinstance(record, dict) else None
    if not isinstance(record, dict) or record.get('format') != RECORD_FORMAT or not isinstance(cluster, dict) \
            or record.get('id') is None:
        return 'new', ['its state record %s is not a state record of this role (format 1): move it away' % state_file]
    if cluster.get('host') != host or (publisher is not None and cluster.get('publisher') != publisher):
        return 'new', ['its state record %s belongs to another cluster (%s, publisher %s; this one is %s, publisher '
                       '%s): give each cluster its own host name, or move the record away'
                       % (state_file, cluster.get('host'), cluster.get('publisher'), host, publisher or 'unknown')]
    if record.get('completed_at') is None:
        if wanted_id is not None and str(wanted_id) != str(record['id']):
            return 'resume', ['rotation %s of this cluster is not finished (started %s): run again without '
                              'authz_key_rotation_id, or with %s, to finish it before rotation %s (or move %s away to '
                              'give it up)' % (record['id'], iso(record.get('started_at') or 0), record['id'],
                                               wanted_id, state_file)]
        return 'resume', []
    if wanted_id is None or str(wanted_id) == str(record['id']):
        return 'done', []
    return 'new', []


def plan_cluster(data, now):
    """The state of a CUCM cluster: its problems, the rotation's mode and record, and what this run does."""
    host = data['host']
    values = data.get('values') or {}
    normal = check_variables(values, names=[])[1]
    read = data.get('read') or {}
    problems = []
    nodes_read = read.get('nodes') or {}
    keys_read = read.get('keys') or {}
    nodes = nodes_read.get('nodes') if isinstance(nodes_read.get('nodes'), list) else None
    if nodes is None:
        problems.append('cannot list its nodes: %s' % (nodes_read.get('msg') or 'no answer'))
    else:
        problems.extend(check_nodes(normal, nodes, host))
    checksums = {}
    if isinstance(keys_read.get('checksums'), dict):
        for kind in KEYS:
            checksums[kind] = (keys_read['checksums'].get(kind) or {}).get('checksum')
    else:
        problems.append('cannot read the AuthZ keys on the platform CLI: %s (the playbook passes cucm_ssh_* as '
                        'module_defaults for group/collab.uc.cucm_cli)' % (keys_read.get('msg') or 'no answer'))
    publisher = nodes_read.get('publisher') if nodes is not None else None
    wanted_id = normal.get('id')
    if data.get('record_error'):
        problems.append(data['record_error'])
    mode, record_problems = record_mode(data.get('record'), host, publisher, wanted_id, data.get('state_file'))
    problems.extend(record_problems)
    record = data.get('record') if mode != 'new' else new_record(
        host, publisher, normal.get('keys') or list(KEYS), checksums, wanted_id, now)
    regenerate = mode != 'done' and record.get('regenerated_at') is None
    rights = keys_read.get('rights') or {}
    if regenerate and rights and not rights.get('ok') and checksums:
        problems.append('its platform CLI account may not regenerate the AuthZ keys, so the rotation would stop '
                        'after its first step: %s' % rights.get('msg'))
    nodes = nodes or []
    port = as_integer(values.get(PREFIX + 'publisher_port'))
    addresses = _unique(str(name).lower() for name in [data.get('address') or host, host]
                        + [n['name'] for n in nodes] + list(values.get(PREFIX + 'cluster_addresses') or []))
    services = normal.get('services') or {}
    rolls = []
    for product in PRODUCTS:
        on = [n['name'] for n in nodes if n.get('product') == product]
        if services.get(product) and on:
            rolls.append({'product': product, 'services': services[product], 'nodes': on})
    return {'kind': 'cucm', 'label': LABELS['cucm'], 'problems': problems, 'mode': mode, 'record': record,
            'publisher': publisher, 'nodes': nodes, 'rolls': rolls, 'addresses': addresses, 'port': port,
            'checksums': checksums, 'password_set': bool(data.get('password_set')), 'run_started_at': now,
            'state_file': data.get('state_file'), 'report_dir': data.get('report_dir') or normal.get('report_dir'),
            'batch_size': normal.get('batch_size'), 'todo': mode != 'done', 'regenerate': regenerate,
            'restart': mode != 'done' and record.get('restarts_done_at') is None,
            'guard': dict((k, v) for k, v in (record.get('checksums_before') or {}).items()
                          if k in (record.get('keys') or []))}


def connection_serves(values):
    """The clusters a Connection host serves, as its variable gives them (a list, or names separated by commas)."""
    try:
        return serves_list(values.get(PREFIX + 'serves'))
    except TypeError:  # not a list (collab.uc.authz_key_rotation_check says so first)
        return []


def plan_connection(data, clusters, unusable):
    """The state of a Unity Connection system: its problems and the AuthZ servers that point at each cluster it
    serves (``targets``: the address of a node of the cluster, another of its names, and its port)."""
    read = data.get('read') or {}
    problems = []
    servers = read.get('authz_servers') if isinstance(read.get('authz_servers'), list) else None
    if servers is None:
        problems.append('cannot read its AuthZ servers: %s' % (read.get('msg') or 'no answer'))
    serves = connection_serves(data.get('values') or {})
    if not serves:
        problems.append('serves no cluster: set authz_key_rotation_serves (or oauth_refresh_login_serves) to the '
                        'clusters whose AuthZ servers it holds')
    targets = []
    for cluster in serves:
        if cluster in unusable:
            problems.append(unusable[cluster])
            continue
        if servers is None:
            continue
        state = clusters[cluster]
        mine = [s for s in servers if str(s.get('server_address') or '').lower() in state['addresses']
                and as_integer(s.get('server_port')) == state['port']]
        if not mine:
            problems.append('has no AuthZ server pointing at %s (any of %s, port %s): run collab.uc.oauth_enable '
                            'first, or name the address it uses in authz_key_rotation_cluster_addresses of %s'
                            % (cluster, ', '.join(state['addresses']), state['port'], cluster))
        elif state['mode'] != 'done' and not state['password_set']:
            problems.append('serves %s, which lacks authz_key_rotation_authz_password (the password of the AXL '
                            'account Connection syncs with; Connection needs it sent even for a sync)' % cluster)
        targets.extend({'cluster': cluster, 'server': server} for server in mine)
    return {'kind': 'cuc', 'label': LABELS['cuc'], 'problems': problems, 'serves': serves, 'targets': targets}


def plan(hosts, order, groups, now):
    """Every host's state and the run's problems.

    ``hosts``: {host: input} of the hosts still in the play (see above); ``order``: every host of the play
    (``ansible_play_hosts_all``); ``groups``: {'cucm': [hosts of the cluster group], 'names': {'cucm', 'cuc'}}.
    Returns ``{'states': {host: state}, 'problems': [{'host', 'label', 'problem'}]}``.
    """
    names = groups.get('names') or {}
    states = {}
    for host, data in hosts.items():
        if data.get('kind') == 'cucm':
            states[host] = plan_cluster(dict(data, host=host), now)
    clusters = dict(states)
    for host, data in hosts.items():
        if data.get('kind') == 'cuc':
            unusable = unusable_clusters(host, connection_serves(data.get('values') or {}),
                                         names.get('cucm', 'cucm_clusters'), groups.get('cucm') or [], order, clusters)
            states[host] = plan_connection(dict(data, host=host), clusters, unusable)
    problems = []
    for host in order:
        state = states.get(host)
        if state is None:
            problems.append({'host': host, 'label': None, 'problem': (
                'its preflight did not run (it failed earlier, see above), or it is in neither %s nor %s'
                % (names.get('cucm', 'cucm_clusters'), names.get('cuc', 'cuc_systems')))})
            continue
        for problem in state['problems']:
            problems.append({'host': host, 'label': state['label'], 'problem': problem})
    return {'states': states, 'problems': problems}


def problem_lines(problems):
    """``host (label): problem`` for each problem."""
    return [('%s (%s): %s' % (p['host'], p['label'], p['problem'])) if p.get('label')
            else '%s: %s' % (p['host'], p['problem']) for p in problems]


def preflight_message(problems):
    return ('Preflight found %d problem(s); nothing was changed on any system. Fix them and run again:\n%s'
            % (len(problems), '\n'.join('- %s' % line for line in problem_lines(problems))))


def plan_lines(states, order, check_mode):
    """The plan printed before any change: per cluster what will be regenerated and restarted (and what is done
    already), per Connection system the AuthZ servers to sync."""
    lines = ['Plan (%s):' % ('check mode: nothing is changed' if check_mode else 'applying now')]
    for host in order:
        state = states[host]
        if state['kind'] == 'cucm':
            lines.extend('%s: %s' % (host, line) for line in _cluster_plan(state))
            continue
        targets = [t for t in state['targets'] if states[t['cluster']]['mode'] != 'done']
        for target in targets:
            record = states[target['cluster']]['record']
            name = target['server'].get('name')
            if record.get('syncs_done_at') is not None:
                lines.append('%s: AuthZ server %s (%s) synced by %s (state record)'
                             % (host, name, target['cluster'], iso(record['syncs_done_at'])))
            else:
                lines.append('%s: sync the keys of AuthZ server %s (%s) after the restarts, unless its last sync '
                             'passed after the regeneration (now: %s)'
                             % (host, name, target['cluster'], target['server'].get('last_sync_status')
                                or 'never synced'))
        if not targets:
            lines.append('%s: nothing to do' % host)
    return lines


def _cluster_plan(state):
    record = state['record']
    if state['mode'] == 'done':
        return ['rotation %s was completed at %s; nothing to do (a new authz_key_rotation_id starts the next '
                'rotation)' % (record['id'], iso(record['completed_at']))]
    lines = ['rotation %s%s' % (record['id'], ' (new)' if state['mode'] == 'new'
                                else ' (resumed; started %s)' % iso(record.get('started_at') or 0))]
    if record.get('regenerated_at') is None:
        before = record.get('checksums_before') or {}
        left = [k for k in record.get('keys') or [] if k in state['checksums']]
        todo = [k for k in left if state['checksums'][k] == before.get(k, '')]
        if todo:
            lines.append('regenerate the AuthZ %s key on %s (only while its checksum is still the one read before: '
                         '%s)' % (' and '.join(todo), state['publisher'], ', '.join(before[k] for k in todo)))
        done = [k for k in left if k not in todo]
        if done:
            lines.append('the %s key was already regenerated (its checksum differs from the one recorded before): '
                         'not again' % ' and '.join(done))
    else:
        lines.append('keys regenerated at %s (state record): not again' % iso(record['regenerated_at']))
    if record.get('restarts_done_at') is None:
        for roll in state['rolls']:
            lines.append('restart %s on %s, %s node(s) at a time, except where they started after the regeneration'
                         % (', '.join(roll['services']), ', '.join(roll['nodes']), state['batch_size']))
    else:
        lines.append('services restarted on every node by %s (state record): not again'
                     % iso(record['restarts_done_at']))
    return lines


# -- the record's steps (the apply writes the record after each) ----------------------------------------------
def record_requested(record, now):
    """The record before the regeneration is asked: the time it was first asked."""
    return dict(record, regeneration_requested_at=record.get('regeneration_requested_at') or now)


def unchanged_keys(record, regenerated):
    """The keys of the rotation whose checksum, after collab.uc.cucm_authz_keys (``regenerated``: its result), is
    still the one read before the rotation."""
    after = regenerated.get('checksums') or {}
    before = record.get('checksums_before') or {}
    return [k for k in record.get('keys') or [] if (after.get(k) or {}).get('checksum') == before.get(k)]


def unchanged_message(host, record, unchanged):
    return ('The %s key of %s still has the checksum read before the regeneration (%s): the platform did not '
            'regenerate it. Look at the publisher\'s CLI (show key authz ...), then run again: the state record keeps '
            'the checksums, so nothing is done twice.'
            % (' and '.join(unchanged), host, ', '.join(str(record['checksums_before'].get(k)) for k in unchanged)))


def regenerated_names(result):
    """The keys collab.uc.cucm_authz_keys regenerated, from its ``changes`` (the deprecated ``regenerated``
    only where ``changes`` is absent)."""
    if result.get('changes') is not None:
        return [entry['name'] for entry in result['changes'] if entry.get('action') == 'regenerated']
    return list(result.get('regenerated') or [])


def record_regenerated(record, regenerated, now):
    """The record once the keys were seen changed: ``regenerated_at`` (taken now, after they changed, so that
    every restart and sync that counts comes after it), the keys regenerated and the checksums after."""
    after = regenerated.get('checksums') or {}
    return dict(record, regenerated_at=now,
                regenerated_keys=_unique(list(record.get('regenerated_keys') or [])
                                         + regenerated_names(regenerated)),
                checksums_after=dict((k, (after.get(k) or {}).get('checksum')) for k in KEYS))


def record_restarted(record, now):
    return dict(record, restarts_done_at=now)


def record_completed(record, now):
    return dict(record, syncs_done_at=record.get('syncs_done_at') or now, completed_at=now)


def regeneration_time(record):
    """The recorded regeneration time, or ``NOT_YET``: nothing counts as done after a regeneration not done."""
    at = record.get('regenerated_at')
    return NOT_YET if at is None else float(at)


def synced_after(server, at):
    """True when the AuthZ server's last sync passed at or after ``at`` (epoch seconds; Connection's clock)."""
    when = server.get('last_sync_time') if server else None
    return (server is not None and server.get('last_sync_outcome') == 'passed' and when is not None
            and at != NOT_YET and int(float(when)) >= int(at))


def sync_todo(state, clusters, records, alive, check_mode):
    """The AuthZ servers of a Connection host to sync now (after the clusters' restarts): those of a cluster still
    in the run, being rotated, whose restarts are done (in check mode: would be), not yet synced by the rotation,
    and whose last sync did not pass after the regeneration. ``records``: each cluster's record as it is now."""
    out = []
    for target in state['targets']:
        cluster = target['cluster']
        if cluster not in alive or clusters[cluster]['mode'] == 'done':
            continue
        record = records[cluster]
        if record.get('syncs_done_at') is not None:
            continue
        if record.get('restarts_done_at') is None and not check_mode:
            continue
        if synced_after(target['server'], regeneration_time(record)):
            continue
        out.append(target)
    return out


# -- verification and the report ------------------------------------------------------------------------------
def cluster_report(host, state, record, after, connections, check_mode, now, failure=None, this_run=(),
                   expressways=()):
    """The report of a cluster's rotation: what the systems show now (``after``: {'keys': the keys read again,
    'nodes': the nodes read again with the chosen services} of the cluster; ``connections``: [(Connection host,
    its state, its AuthZ servers read again or None)]) against the regeneration time, with the problems of the
    verification. A key is regenerated when its checksum differs from the one before; a service was restarted
    after the regeneration when it is Started and started at or after it; an AuthZ server synced after it when its
    last sync passed at or after it. ``this_run``: the keys this run regenerated (or would); ``failure``: the step
    that failed in this run."""
    problems = [failure] if failure else []
    regenerated = record.get('regenerated_at') is not None
    at = regeneration_time(record)
    run = float(state['run_started_at'])
    keys = []
    keys_read = after.get('keys') or {}
    now_keys = keys_read.get('checksums') or {}
    if keys_read.get('failed'):  # then what is left to verify of the keys is unknown: that one problem says it
        problems.append('cannot read the AuthZ keys again: %s' % keys_read.get('msg'))
    before = record.get('checksums_before') or {}
    for kind in record.get('keys') or []:
        checksum = (now_keys.get(kind) or {}).get('checksum')
        changed = checksum is not None and checksum != before.get(kind)
        if check_mode:
            action = 'would regenerate' if kind in this_run else 'already regenerated'
        else:
            action = 'regenerated' if kind in this_run else 'already regenerated'
            if keys_read.get('failed'):
                action = 'not verified (not read again)'
            elif not changed:
                problems.append('the %s key still has the checksum read before the rotation (%s)'
                                % (kind, before.get(kind)))
                action = 'not regenerated'
        # a check-mode plan says what will change: a new key, not the checksum it has now
        keys.append({'key': kind, 'node': state['publisher'], 'action': action, 'checksum_before': before.get(kind),
                     'checksum_after': None if check_mode and kind in this_run else checksum})
    restarts = []
    nodes_after = after.get('nodes') or {}
    if nodes_after.get('failed'):
        problems.append('cannot read the nodes\' services again: %s' % nodes_after.get('msg'))
    by_name = dict((n['name'], n) for n in nodes_after.get('nodes') or [])
    for roll in state['rolls']:
        for name in nodes_after.get('rolling_order') or []:
            node = by_name.get(name)
            if node is None or node.get('product') != roll['product']:
                continue
            for service in node.get('services') or []:
                if service.get('name') not in roll['services']:
                    continue
                started = service.get('started_at')
                if started is not None and service.get('status') == 'Started' and float(started) >= at:
                    action = 'restarted' if float(started) >= run else 'already restarted (before this run)'
                elif check_mode:
                    action = 'would restart'
                else:
                    action = 'not restarted'
                    problems.append('%s on %s was not restarted after the regeneration (status %s, started %s)'
                                    % (service.get('name'), name, service.get('status'),
                                       service.get('start_time') or 'never'))
                restarts.append({'node': name, 'product': node.get('product'), 'service': service.get('name'),
                                 'action': action, 'status': service.get('status'), 'started_at': iso(started)})
    syncs = []
    for system, connection, servers in connections:
        for target in connection['targets']:
            if target['cluster'] != host:
                continue
            wanted = target['server']
            found = None
            if servers is not None:
                found = next((s for s in servers if s.get('object_id') == wanted.get('object_id')), None)
            if synced_after(found, at):
                action = ('synced' if int(float(found['last_sync_time'])) >= int(run)
                          else 'already synced (before this run)')
            elif check_mode:
                action = 'would sync'
            else:
                action = 'not synced'
                problems.append('AuthZ server %s on %s %s' % (
                    wanted.get('name'), system,
                    'was not read again (that system failed earlier in this run)' if found is None
                    else 'was not synced after the regeneration (%s)' % (found.get('last_sync_status') or 'never')))
            syncs.append({'system': system, 'authz_server': wanted.get('name'), 'object_id': wanted.get('object_id'),
                          'action': action,
                          'last_sync_status': found.get('last_sync_status') if found is not None else None})
    left = [LEFT_FOR_USER[0] % (', '.join(expressways) if expressways
                                else 'every Expressway-C that serves %s for MRA' % host),
            LEFT_FOR_USER[1], LEFT_FOR_USER[2] % host]
    return {'format': 1, 'rotation_id': record['id'], 'cluster': host, 'publisher': state['publisher'],
            'mode': 'check' if check_mode else 'apply',
            'status': 'planned' if check_mode else ('complete' if not problems else 'incomplete'),
            'started_at': iso(record.get('started_at')), 'regenerated_at': iso(record['regenerated_at'])
            if regenerated else None, 'this_run_started_at': iso(run), 'report_written_at': iso(now),
            'regeneration': keys, 'restarts': restarts, 'syncs': syncs, 'problems': problems,
            'left_for_user': left, 'state_record': state['state_file'], 'decided_from': dict(DECIDED_FROM)}


def failure_text(record, message):
    """What the report says of a step that failed in this run: the regeneration while the record has no
    regeneration time, else the restarts."""
    return '%s failed: %s' % ('the regeneration' if record.get('regenerated_at') is None else 'the restarts',
                              message or 'see the task above')


def summary_lines(report):
    """The summary printed at the end: per key, per node and service, per AuthZ server what was done, then the
    problems."""
    lines = ['Rotation %s of %s (%s): %s' % (report['rotation_id'], report['cluster'], report['mode'],
                                             report['status'])]
    lines.extend('%s: %s key %s' % (x['node'], x['key'], x['action']) for x in report['regeneration'])
    lines.extend('%s: %s %s (%s, started %s)' % (x['node'], x['service'], x['action'], x['status'],
                                                 x['started_at'] or 'never') for x in report['restarts'])
    lines.extend('%s: AuthZ server %s %s' % (x['system'], x['authz_server'], x['action']) for x in report['syncs'])
    lines.extend('problem: %s' % p for p in report['problems'])
    return lines


def left_lines(report, base):
    return ['Rotation %s of %s: %s; report %s.md' % (report['rotation_id'], report['cluster'], report['status'],
                                                     base), 'Left for you:'] + list(report['left_for_user'])


def not_verified_message(report, base):
    return ('Rotation %s of %s is not verified: %s. The report %s.md says what was done. Fix the cause and run the '
            'playbook again: the state record keeps the rotation, so nothing that is done is done twice.'
            % (report['rotation_id'], report['cluster'], '; '.join(report['problems']), base))


def report_markdown(report):
    """The Markdown report, from the same data as the JSON one; every value passes through ``md_text``."""
    from ansible_collections.collab.uc.plugins.module_utils.domain._markdown import md_text as md

    check = report['mode'] == 'check'
    title = '# AuthZ key rotation %s of %s%s' % (md(report['rotation_id']), md(report['cluster']),
                                                 ' (plan, check mode)' if check else '')
    regenerated = 'not yet (check mode)' if check else report['regenerated_at'] or 'not regenerated'
    out = [title, '',
           '| | |', '|---|---|',
           '| Status | **%s** |' % md(report['status']),
           '| Cluster | %s (publisher %s) |' % (md(report['cluster']), md(report['publisher'])),
           '| Rotation started | %s |' % md(report['started_at']),
           '| Keys regenerated by | %s |' % md(regenerated),
           '| This run started | %s |' % md(report['this_run_started_at']),
           '| Report written | %s |' % md(report['report_written_at']),
           '| State record | %s |' % md(report['state_record']), '']
    if report['problems']:
        out += ['## Problems', ''] + ['- %s' % md(p) for p in report['problems']]
        out += ['', 'Fix the cause and run the playbook again: what is done is not done again.', '']
    out += ['## 1. Key regeneration (publisher\'s platform CLI)', '',
            '| key | node | what | checksum before | checksum after |', '|---|---|---|---|---|']
    for k in report['regeneration']:
        after = ('a new key (regenerated on apply)' if k['checksum_after'] is None
                 and k['action'] == 'would regenerate' else md(k['checksum_after']))
        out.append('| %s | %s | %s | %s | %s |' % (md(k['key']), md(k['node']), md(k['action']),
                                                   md(k['checksum_before']), after))
    out += ['', '## 2. Service restarts (in the order of the rolls)', '']
    if report['restarts']:
        out += ['| node | product | service | what | started at | status |', '|---|---|---|---|---|---|']
        out += ['| %s | %s | %s | %s | %s | %s |' % (md(x['node']), md(x['product']), md(x['service']),
                                                     md(x['action']), md(x['started_at']), md(x['status']))
                for x in report['restarts']]
    else:
        out.append('No service restart was chosen.')
    out += ['', '## 3. Unity Connection key syncs', '']
    if report['syncs']:
        out += ['| Connection | AuthZ server | what | last sync status |', '|---|---|---|---|']
        out += ['| %s | %s | %s | %s |' % (md(x['system']), md(x['authz_server']), md(x['action']),
                                           md(x['last_sync_status'])) for x in report['syncs']]
    else:
        out.append('No Unity Connection system of this run serves %s.' % md(report['cluster']))
    out += ['', '## Left for you', ''] + ['- [ ] %s' % md(line) for line in report['left_for_user']]
    out += ['', '"already ..." means an earlier, interrupted run did it after the regeneration; it was not done '
            'again. Decided from:', 'the state record and the checksums (regeneration), each service\'s start time '
            '(restarts), each AuthZ server\'s last', 'passed sync (syncs), each against the regeneration time.']
    return '\n'.join(out) + '\n'
