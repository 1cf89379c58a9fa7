# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The planner of the role collab.uc.oauth_refresh_login: from what each system answered (the read modules'
results) and the role variables of each host, the problems and the plan of every system, the checklist, the
drift and the verification. Pure functions over plain dicts (the action plugin
collab.uc.oauth_refresh_login_plan hands them the play's hosts; the unit tests call them directly).

Internal module: the leading underscore means its API may change without notice.

A host's input: ``{'kind': 'cucm'|'cuc'|'expressway'|None, 'vars': {role variable without its
oauth_refresh_login_ prefix: value}, 'read': the read module's result or None}``; a cluster's read may carry
``access`` (``read-write``, ``read-only`` or None) and ``roles``, the AXL account's right to write, which the
action reads for the clusters whose plan writes. Problems name the role
variables (``oauth_refresh_login_publisher_port``), never module options.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.collab.uc.plugins.module_utils.domain._estate import (
    KIND_LABELS, MIN_VERSION_NAMES, MIN_VERSIONS, as_bool, as_int, below, serves_list, unusable_clusters)
from ansible_collections.collab.uc.plugins.module_utils.domain._oauth_parameters import BY_OPTION

PREFIX = 'oauth_refresh_login_'
TIMERS = ('access_token_expiry', 'refresh_token_expiry', 'device_refresh_token_expiry')
AUTHZ_KEYS = ('server_address', 'server_port', 'server_username', 'ignore_certificate_errors')
MRA_PATHS = {'oauth_token': 'CollaborationEdge OAuthLocal', 'user_credentials': 'CollaborationEdge LegacyCred'}
MRA_ORDER = ('oauth_token_with_refresh', 'oauth_token', 'user_credentials')
MRA_LABELS = {'oauth_token_with_refresh': 'Authorize by OAuth token with refresh',
              'oauth_token': 'Authorize by OAuth token', 'user_credentials': 'Authorize by user credentials'}
MRA_PAGE = 'Configuration > Unified Communications > Configuration > MRA Access Control:'


def _var(name):
    return PREFIX + name


def _on_off(value):
    return 'On' if value else 'Off'


def _typed(variables, name, convert, problems):
    """A role variable converted (``as_bool``/``as_int``); a problem naming the variable when it cannot be."""
    try:
        return convert(variables.get(name))
    except ValueError as exc:
        problems.append('%s: %s' % (_var(name), exc))
        return None


def _minimum(variables, kind):
    return str(variables.get('min_%s_version' % kind) or MIN_VERSIONS[kind])


def _version_problem(version, minimum, name, what):
    """A problem when ``version`` is below ``minimum`` or not understood, else None."""
    low = below(version, minimum)
    if low is None:
        return 'version %s is not understood; the minimum is %s' % (version, minimum)
    if low:
        return 'version %s is below %s (%s), the minimum for refresh logins: upgrade %s first' % (
            version, minimum, name, what)
    return None


def cluster_desired(variables, problems):
    """The desired OAuth settings of a cluster, ``{'refresh_login': bool, timer: int or None}``; a problem for
    each value that is not a whole number or out of range, naming the role variable."""
    desired = {'refresh_login': bool(_typed(variables, 'enabled', as_bool, problems))}
    for key in TIMERS:
        value = _typed(variables, key, as_int, problems)
        parameter = BY_OPTION[key]
        if value is not None and not parameter.minimum <= value <= parameter.maximum:
            problems.append('%s is %s, outside %d-%d %s' % (
                _var(key), value, parameter.minimum, parameter.maximum, parameter.unit))
            value = None
        desired[key] = value
    return desired


def cluster_authz(variables, problems):
    """What a Unity Connection system needs to reach the cluster's publisher (no password: ``password_set``)."""
    port = _typed(variables, 'publisher_port', as_int, problems)
    if port is not None and not 1 <= port <= 65535:
        problems.append('%s is %s; give a TCP port between 1 and 65535 (8443, the default, is the publisher\'s '
                        'HTTPS port)' % (_var('publisher_port'), port))
    name = str(variables.get('authz_name') or '')
    if not name or len(name) > 64:
        problems.append('%s is %r; give a name of 1 to 64 characters (the AuthZ server\'s display name in Unity '
                        'Connection)' % (_var('authz_name'), name))
    username = variables.get('authz_username') or None
    if username is not None and len(str(username)) > 64:
        problems.append('%s has more than 64 characters' % _var('authz_username'))
    return {'name': name, 'server_address': str(variables.get('publisher') or ''), 'server_port': port,
            'server_username': username,
            'ignore_certificate_errors': bool(_typed(variables, 'authz_ignore_certificate_errors', as_bool,
                                                     problems)),
            'password_set': bool(variables.get('authz_password_set'))}


def plan_cluster(variables, read):
    """The state of a CUCM cluster: its problems, and, when it has none, its changes."""
    problems = []
    desired = cluster_desired(variables, problems)
    authz = cluster_authz(variables, problems)
    read = read or {}
    oauth = read.get('oauth')
    version = read.get('version')
    minimum = _minimum(variables, 'cucm')
    if not isinstance(oauth, dict):
        problems.append('cannot read it: %s' % (read.get('msg') or 'no answer'))
    else:
        problem = _version_problem(version, minimum, MIN_VERSION_NAMES['cucm'], 'the cluster')
        if problem:
            problems.append(problem)
        for key, want in desired.items():
            if want is not None and oauth.get(key) is None:
                problems.append('the stored value of %s is not understood (see the warning of the read task): set '
                                'it once in CUCM Administration > Enterprise Parameters' % key)
        sso = read.get('sso') or {}
        expected = _typed(variables, 'sso_expected', as_bool, problems)
        if expected is not None and sso.get('enabled') is not None and bool(sso['enabled']) != expected:
            problems.append('single sign-on is %s, %s says %s' % ('enabled' if sso['enabled'] else 'disabled',
                                                                  _var('sso_expected'), expected))
    for imp in serves_list(variables.get('imp_versions')):
        if below(imp, minimum) is not False:
            problems.append('IM and Presence version %s (%s) is below %s (%s): upgrade IM and Presence first'
                            % (imp, _var('imp_versions'), minimum, MIN_VERSION_NAMES['imp']))
    changes = []
    if not problems:
        for key, want in desired.items():
            if want is not None and oauth.get(key) != want:
                changes.append({'setting': key, 'from': oauth.get(key), 'to': want})
    if changes and read.get('access') == 'read-only':
        problems.append('the AXL account may only read (its roles: %s), and the plan sets %s: give the account of '
                        'group/collab.uc.cucm (or CUCM_USERNAME) the role "Standard AXL API Access"'
                        % (', '.join(read.get('roles') or []) or 'none', ', '.join(c['setting'] for c in changes)))
        changes = []
    return {'kind': 'cucm', 'label': KIND_LABELS['cucm'], 'enabled': desired['refresh_login'], 'desired': desired,
            'version': version, 'sso': read.get('sso'), 'axl_version': read.get('axl_version'),
            'authz': authz, 'problems': problems, 'changes': changes}


def _same(have, want):
    """Compared as text (ansible-core before 2.19 may hand values over as strings)."""
    return str(have).lower() == str(want).lower()


def plan_connection(host, variables, read, clusters, unusable):
    """The state of a Unity Connection system: problems, then the plan of the AuthZ server of each cluster it
    serves (``clusters``: {cluster: its planned state})."""
    problems = []
    read = read or {}
    servers = read.get('authz_servers')
    if not isinstance(servers, list):
        status = (read.get('error') or {}).get('status') if isinstance(read.get('error'), dict) else None
        problems.append('cannot read its AuthZ servers: %s%s' % (
            read.get('msg') or 'no answer',
            ' (Unity Connection has AuthZ servers from 11.5(1)SU3 on: upgrade it first)' if status == 404 else ''))
        servers = []
    version = variables.get('cuc_version') or None
    if version:
        problem = _version_problem(version, _minimum(variables, 'cuc'), MIN_VERSION_NAMES['cuc'], 'Unity Connection')
        if problem:
            problems.append('%s (%s)' % (problem, _var('cuc_version')))
    if read.get('access') == 'read-only':
        problems.append('the account may only read (it lacks the System Administrator role): give the account '
                        'of group/collab.uc.cuc (or CUC_USERNAME) the System Administrator role')
    usable = []
    for cluster in serves_list(variables.get('serves')):
        if cluster in unusable:
            problems.append(unusable[cluster])
            continue
        authz = clusters[cluster]['authz']
        if not authz['server_username'] or not authz['password_set']:
            problems.append('serves %s, which lacks %s or %s (the AXL account Connection fetches its keys with)'
                            % (cluster, _var('authz_username'), _var('authz_password')))
        elif len([s for s in servers if s.get('name') == authz['name']]) > 1:
            problems.append('has several AuthZ servers named %s: delete or rename the duplicates' % authz['name'])
        else:
            usable.append((cluster, authz, bool(clusters[cluster]['changes'])))
    plan = []
    for cluster, want, cluster_changes in usable if not problems else []:
        have = next((s for s in servers if s.get('name') == want['name']), None)
        rows = []
        for key in AUTHZ_KEYS:
            if have is None or not _same(have.get(key), want[key]):
                rows.append({'setting': 'AuthZ server %s: %s' % (want['name'], key),
                             'from': None if have is None else have.get(key), 'to': want[key]})
        outcome = 'absent' if have is None else have.get('last_sync_outcome')
        if rows or outcome != 'passed' or cluster_changes:
            rows.append({'setting': 'AuthZ server %s: key sync' % want['name'], 'from': outcome,
                         'to': 'passed' if rows or outcome != 'passed'
                         else 'synced again (%s changes)' % cluster})
        plan.append({'cluster': cluster, 'name': want['name'], 'exists': have is not None,
                     'last_sync_outcome': outcome, 'sync_always': cluster_changes, 'changes': rows})
    return {'kind': 'cuc', 'label': KIND_LABELS['cuc'], 'version': version, 'problems': problems,
            'servers': servers, 'authz': plan, 'changes': [row for item in plan for row in item['changes']]}


def plan_expressway(variables, read, clusters, unusable):
    """The state of an Expressway-C: problems (among them a read-only account when something is to be set), the
    desired MRA authorization and the changes."""
    problems = []
    mode = variables.get('expressway_mode') or 'set'
    setting = str(variables.get('expressway_refresh_setting') or 'OAuthWithRefresh')
    paths = dict(MRA_PATHS, oauth_token_with_refresh='CollaborationEdge %s' % setting)
    serves = serves_list(variables.get('serves'))
    usable = [c for c in serves if c not in unusable]
    enabled = [clusters[c]['enabled'] for c in usable]
    desired = {'oauth_token_with_refresh': enabled[0] if enabled else None,
               'oauth_token': _typed(variables, 'expressway_oauth_token', as_bool, problems),
               'user_credentials': _typed(variables, 'expressway_user_credentials', as_bool, problems)}
    if not serves:
        problems.append('serves no cluster: list the CUCM clusters it serves for Mobile and Remote Access in %s'
                        % _var('serves'))
    problems.extend(unusable[c] for c in serves if c in unusable)
    if len(set(enabled)) > 1:
        problems.append('serves clusters that disagree on refresh login (%s), and Expressway has one "Authorize by '
                        'OAuth token with refresh" for all: give them the same %s'
                        % (', '.join('%s %s' % (c, 'on' if e else 'off') for c, e in zip(usable, enabled)),
                           _var('enabled')))
    read = read or {}
    settings = read.get('settings') if mode == 'set' else None
    changes = []
    if mode == 'set' and not isinstance(settings, dict):
        problems.append('cannot read it: %s (set %s to checklist for an Expressway-C the controller cannot reach '
                        'over SSH)' % (read.get('msg') or 'no answer', _var('expressway_mode')))
    elif mode == 'set':
        version = read.get('version')
        minimum = str(variables.get('min_expressway_version') or MIN_VERSIONS['expressway'])
        if version and below(version, minimum):
            problems.append('version %s is below %s, the minimum for refresh logins: upgrade the Expressway first'
                            % (version, minimum))
        leaves = read.get('leaves') or []
        for option in MRA_ORDER:
            if desired[option] is not None and settings.get(option) is None:
                problems.append(
                    'has no setting xConfiguration %s; its xConfiguration CollaborationEdge section shows %d leaves: '
                    '%s%s' % (paths[option], len(leaves), ', '.join(leaves) or 'none',
                              (' (the CLI name of "Authorize by OAuth token with refresh" is not public and %s is an '
                               'assumption: set %s to its name among these, or set %s to checklist and set it by '
                               'hand)' % (setting, _var('expressway_refresh_setting'), _var('expressway_mode')))
                              if option == 'oauth_token_with_refresh' else ''))
        for option in MRA_ORDER:
            want, have = desired[option], settings.get(option)
            if want is not None and have != want:
                changes.append({'setting': '%s (%s)' % (option, paths[option]),
                                'from': None if have is None else _on_off(have), 'to': _on_off(want)})
        if changes and read.get('access') == 'read-only':
            problems.append('the account may only read (its access level is read-only), and the plan sets %s: give '
                            'the account of group/collab.uc.expressway (or EXPRESSWAY_USERNAME) read-write access, '
                            'or set %s to checklist' % (', '.join(c['setting'] for c in changes),
                                                        _var('expressway_mode')))
    return {'kind': 'expressway', 'label': KIND_LABELS['expressway'], 'mode': mode,
            'version': read.get('version') if mode == 'set' else None, 'serves': serves, 'paths': paths,
            'desired': desired, 'settings': settings, 'access': read.get('access'), 'problems': problems,
            'changes': [] if problems else changes}


def plan(hosts, play_hosts, groups, check_mode=False, fail_on_change=False, known=None):
    """Every system's state and the run's problems.

    ``hosts``: {host: input} (see the module's docstring) for every host of the play, in play order;
    ``play_hosts``: the hosts still in the play; ``groups``: {'cucm': [...], 'cuc': [...], 'expressway': [...]}
    with the names of the group variables in ``groups['names']``; ``known``: {cluster: state} of clusters planned
    (and applied) elsewhere, by the slices of a sliced run (``combine_slices``), which are not planned again.
    Returns ``{'states': {host: state}, 'problems': [{'host', 'label', 'problem'}]}``.
    """
    names = groups.get('names') or {}
    states = {}
    for host, data in hosts.items():
        if data.get('kind') == 'cucm':
            if known and host in known:
                states[host] = known[host]
            else:
                states[host] = plan_cluster(data.get('vars') or {}, data.get('read'))
    clusters = dict((h, s) for h, s in states.items())
    for host, data in hosts.items():
        kind = data.get('kind')
        if kind not in ('cuc', 'expressway'):
            continue
        variables = data.get('vars') or {}
        unusable = unusable_clusters(host, serves_list(variables.get('serves')), names.get('cucm', 'cucm_clusters'),
                                     groups.get('cucm') or [], play_hosts, clusters)
        if kind == 'cuc':
            states[host] = plan_connection(host, variables, data.get('read'), clusters, unusable)
        else:
            states[host] = plan_expressway(variables, data.get('read'), clusters, unusable)
    problems = []
    for host, data in hosts.items():
        state = states.get(host)
        if state is None:
            problems.append({'host': host, 'label': None, 'problem': (
                'its preflight did not run (it failed earlier, see above), or it is in none of the groups %s'
                % ', '.join(names.get(k, k) for k in ('cucm', 'cuc', 'expressway')))})
            continue
        for problem in state['problems']:
            problems.append({'host': host, 'label': state['label'], 'problem': problem})
    if fail_on_change and not check_mode:
        problems.append({'host': None, 'label': None,
                         'problem': '%s detects drift: run it with --check' % _var('fail_on_change')})
    return {'states': states, 'problems': problems}


def problem_lines(problems):
    """``host (label): problem`` for each problem."""
    out = []
    for item in problems:
        if item['host'] is None:
            out.append(item['problem'])
        elif item['label']:
            out.append('%s (%s): %s' % (item['host'], item['label'], item['problem']))
        else:
            out.append('%s: %s' % (item['host'], item['problem']))
    return out


def preflight_message(problems):
    return ('Preflight found %d problem(s); nothing was written on any system. Fix them and run again:\n%s'
            % (len(problems), '\n'.join('- %s' % line for line in problem_lines(problems))))


def plan_lines(states, order, check_mode):
    """The plan shown before the writes: per system, ``setting: from -> to``, or no change."""
    lines = ['Plan (%s):' % ('check mode: nothing is written' if check_mode else 'applying now')]
    for host in order:
        changes = states[host]['changes']
        if changes:
            lines.extend('%s: %s: %s -> %s' % (host, row['setting'], row['from'], row['to']) for row in changes)
        else:
            lines.append('%s: no change' % host)
    return lines


def drift_lines(states, order):
    """One line per setting that differs from the desired state (empty when nothing does)."""
    return ['%s: %s is %s, the desired state says %s' % (host, row['setting'], row['from'], row['to'])
            for host in order for row in states[host]['changes']]


def checklist_lines(states, order, variables, check_mode):
    """What no public API sets, with the values to set, per system (``variables``: {host: its role variables})."""
    lines = ['Left for you (no API sets these):']
    kinds = dict((h, states[h]['kind']) for h in order)
    expressways = [h for h in order if kinds[h] == 'expressway']

    def add(line):
        if line not in lines:
            lines.append(line)

    for host in order:
        if kinds[host] != 'cucm':
            continue
        hv = variables.get(host) or {}
        serving = [name for name in expressways if host in states[name]['serves']]
        listed = serves_list(hv.get('expressways'))
        for name in serving:
            state = states[name]
            if state['mode'] == 'set':
                continue
            desired = state['desired']
            line = '[ ] Expressway (%s): %s "%s" = %s, to agree with CUCM' % (
                name, MRA_PAGE, MRA_LABELS['oauth_token_with_refresh'], _on_off(desired['oauth_token_with_refresh']))
            for option in ('oauth_token', 'user_credentials'):
                if desired[option] is not None:
                    line += ', "%s" = %s' % (MRA_LABELS[option], _on_off(desired[option]))
            add(line)
        if listed or not serving:
            line = '[ ] Expressway (%s): %s "%s" = %s, to agree with CUCM' % (
                ', '.join(listed) if listed else 'every Expressway-C that serves %s for Mobile and Remote Access' % host,
                MRA_PAGE, MRA_LABELS['oauth_token_with_refresh'], _on_off(states[host]['enabled']))
            for option, name in (('oauth_token', 'expressway_oauth_token'),
                                 ('user_credentials', 'expressway_user_credentials')):
                try:
                    value = as_bool(hv.get(name))
                except ValueError:
                    value = None
                if value is not None:
                    line += ', "%s" = %s' % (MRA_LABELS[option], _on_off(value))
            lines.append(line)
        everyone = serving + listed
        add('[ ] Expressway (%s): Configuration > Unified Communications > Unified CM servers (and IM and Presence '
            'Service nodes, Unity Connection servers): "Refresh servers"'
            % (', '.join(everyone) if everyone else
               'every Expressway-C that serves %s for Mobile and Remote Access' % host))
        if not hv.get('imp_versions'):
            lines.append('[ ] %s: check that every IM and Presence node runs 11.5(1)SU3 or later (no module reads it; '
                         'list the versions in %s to have the preflight check them)' % (host, _var('imp_versions')))
    for host in order:
        if kinds[host] != 'cuc':
            continue
        hv = variables.get(host) or {}
        try:
            enabled = as_bool(hv.get('enabled'))
        except ValueError:
            enabled = None
        lines.append('[ ] Unity Connection %s: System Settings > Enterprise Parameters > SSO and OAuth Configuration: '
                     '"OAuth with Refresh Login Flow" = %s' % (host, 'Enabled' if enabled else 'Disabled'))
        if not hv.get('cuc_version'):
            lines.append('[ ] Unity Connection %s: runs 11.5(1)SU3 or later (its AuthZ server API answered, which it '
                         'has from 11.5(1)SU3; set %s to have the preflight check it)' % (host, _var('cuc_version')))
    if any(states[h]['changes'] for h in order):
        lines.append('[ ] Reset the Jabber and Webex clients, as Cisco says to after OAuth settings change (%s above)'
                     % ('would change' if check_mode else 'changed'))
    return lines


def verify_problems(states, order, results):
    """What is wrong after the writes (``results``: {host: {'cucm_info', 'cuc_results', 'expressway_readback'}},
    the results of apply.yml's tasks, absent where the host did not run them)."""
    problems = []
    for host in order:
        state = states[host]
        got = results.get(host) or {}
        if state['kind'] == 'cucm' and state['enabled']:
            info = got.get('cucm_info') or {}
            sso = info.get('sso') if isinstance(info.get('sso'), dict) else (state.get('sso') or {})
            if not as_bool(sso.get('token_reuse') or False):
                problems.append('%s (CUCM cluster): refresh login is on but the SSO status (/ssosp/ws/public/'
                                'singleSignOn) says Token reuse is %s. Check the enterprise parameter OAuth with '
                                'Refresh Login Flow on the publisher, wait for replication, and run again.'
                                % (host, sso.get('token_reuse')))
        elif state['kind'] == 'cuc':
            written = [r['authz_server'] for r in (got.get('cuc_results') or {}).get('results') or []
                       if isinstance(r, dict) and r.get('authz_server')]
            names = set(s.get('name') for s in written)
            final = written + [s for s in state['servers'] if s.get('name') not in names]
            managed = set(item['name'] for item in state['authz'])
            failed = [s for s in final if s.get('name') in managed and s.get('last_sync_outcome') != 'passed']
            if failed:
                problems.append('%s (Unity Connection): the last key sync did not pass for %s. '
                                'docs/unity-connection-authz.md explains each kind of failure; fix it and run again.'
                                % (host, '; '.join('%s: %s' % (s.get('name'), s.get('last_sync_status'))
                                                   for s in failed)))
        elif state['kind'] == 'expressway' and state['mode'] == 'set':
            back = got.get('expressway_readback') or {}
            read = back.get('settings') if isinstance(back.get('settings'), dict) else (state['settings'] or {})
            wrong = []
            for option in MRA_ORDER:
                want = state['desired'][option]
                if want is not None and read.get(option) != want:
                    have = read.get(option)
                    wrong.append('%s is %s, not %s' % (state['paths'][option],
                                                       'missing' if have is None else _on_off(have), _on_off(want)))
            if wrong:
                problems.append('%s (Expressway-C): read back after the change, %s. Check that the account may write '
                                '(read-write access) and that nobody changed it meanwhile, and run again.'
                                % (host, '; '.join(wrong)))
    return problems


def summary_lines(states, order, check_mode, applied_hosts=None):
    """The role's summary: what it did (or would do), what it left as it was, and why."""
    changed = [h for h in order if states[h]['changes']]
    unchanged = [h for h in order if not states[h]['changes']]
    verb = 'would change' if check_mode else 'changed'
    lines = ['Summary: %d of %d systems %s%s.' % (len(changed), len(order), verb,
                                                  (': ' + ', '.join(changed)) if changed else '')]
    if applied_hosts is not None and not check_mode:
        missing = [h for h in changed if h not in applied_hosts]
        if missing:
            lines.append('Not completed (failed during the apply, see above): %s.' % ', '.join(missing))
    if unchanged:
        lines.append('Skipped, already as desired: %s.' % ', '.join(unchanged))
    manual = [h for h in order if states[h]['kind'] == 'expressway' and states[h]['mode'] != 'set']
    if manual:
        lines.append('Not reached (oauth_refresh_login_expressway_mode checklist, see the checklist): %s.'
                     % ', '.join(manual))
    return lines


# -- job slicing (docs/aap.md) ----------------------------------------------------------------------------------
# A sliced run is two steps. Each slice of the sliced job (oauth_refresh_login_slicing=slice) reads, plans, applies
# and verifies the CUCM clusters it holds, which depend on no other host, and hands its outputs to the combine step
# as an AWX artifact (set_stats), under a variable of its own. The combine step (oauth_refresh_login_slicing=
# combine, not sliced, after the sliced job in the same AWX workflow, which passes it every slice's artifacts as
# extra variables) takes the clusters' states from them, does the Unity Connection and Expressway-C systems, whose
# plans depend on the clusters they serve, and writes the one plan, checklist, summary and GitOps summary.
SLICE_FORMAT = 1
SLICE_VARIABLE = '__oauth_refresh_login_slice_'  # + the slice's id: the artifact of one slice


def slice_variable(slice_id):
    """The name of the variable that carries one slice's outputs (``slice_id`` made a valid variable name)."""
    return SLICE_VARIABLE + ''.join(c if c.isalnum() else '_' for c in str(slice_id))


def slice_output(slice_id, hosts, states, applied, check_mode, gitops):
    """One slice's outputs: every host it held (``hosts``), the planned state of each of its clusters, those
    still in its play at the end (``applied``: their writes and verification passed) and its GitOps rows."""
    return {'format': SLICE_FORMAT, 'slice': str(slice_id), 'check_mode': bool(check_mode), 'hosts': list(hosts),
            'states': states, 'applied': [h for h in applied if h in states], 'gitops': gitops}


def combine_slices(outputs, clusters, inventory, check_mode):
    """The clusters of a sliced run, from the slices' outputs (``outputs``: {variable: output}; ``clusters``: the
    cluster hosts of this run; ``inventory``: every host of this run). Every cluster must be held by exactly one
    slice, planned and completed there, and the slices must have run in this run's mode.

    Returns ``{'states': {cluster: state}, 'gitops': {host: {'status', 'rows'}}, 'slices': [ids],
    'problems': [{'host', 'label', 'problem'}]}``.
    """
    problems = []
    label = KIND_LABELS['cucm']
    usable = []
    for name in sorted(outputs):
        output = outputs[name]
        if not isinstance(output, dict) or output.get('format') != SLICE_FORMAT:
            problems.append({'host': None, 'label': None, 'problem': (
                'the variable %s is not the output of a slice of this collection version (format %s): run the '
                'sliced job and this step with the same collection' % (name, SLICE_FORMAT))})
            continue
        if bool(output.get('check_mode')) != bool(check_mode):
            modes = ['in check mode' if mode else 'for real' for mode in (output.get('check_mode'), check_mode)]
            problems.append({'host': None, 'label': None, 'problem': (
                'slice %s ran %s and this combine step runs %s: give the sliced job template and the combine job '
                'template the same job type' % (output.get('slice'), modes[0], modes[1]))})
            continue
        strangers = [h for h in output.get('hosts') or [] if h not in inventory]
        if strangers:
            problems.append({'host': None, 'label': None, 'problem': (
                'slice %s held %s, which this inventory does not have: run the combine step on the inventory of '
                'the sliced job' % (output.get('slice'), ', '.join(strangers)))})
            continue
        usable.append(output)
    if not outputs:
        problems.append({'host': None, 'label': None, 'problem': (
            'no slice output: oauth_refresh_login_slicing=combine runs after the sliced job '
            '(oauth_refresh_login_slicing=slice) in the same AWX workflow, which hands it the variables %s* that '
            'every slice sets (set_stats); see docs/aap.md' % SLICE_VARIABLE)})
    states, gitops = {}, {}
    for cluster in clusters:
        holders = [o for o in usable if cluster in (o.get('hosts') or [])]
        if not holders:
            if usable or not outputs:
                problems.append({'host': cluster, 'label': label, 'problem': (
                    'no slice output holds it: its slice failed or did not run (see the sliced job); fix it and run '
                    'the sliced job and this step again')})
            continue
        if len(holders) > 1:
            problems.append({'host': cluster, 'label': label, 'problem': (
                'held by slices %s: the outputs of more than one sliced run are mixed in; pass only those of one '
                'run' % ', '.join(str(o.get('slice')) for o in holders))})
            continue
        output = holders[0]
        state = (output.get('states') or {}).get(cluster)
        if not isinstance(state, dict):
            problems.append({'host': cluster, 'label': label, 'problem': (
                'slice %s held it but did not plan it: see that slice\'s job' % output.get('slice'))})
            continue
        if cluster not in (output.get('applied') or []):
            problems.append({'host': cluster, 'label': label, 'problem': (
                'slice %s did not complete it (it failed there, see that slice\'s job): fix it and run the sliced '
                'job and this step again' % output.get('slice'))})
            continue
        states[cluster] = state
        entry = (output.get('gitops') or {}).get(cluster)
        if isinstance(entry, dict):
            gitops[cluster] = entry
    return {'states': states, 'gitops': gitops, 'slices': [o.get('slice') for o in usable], 'problems': problems}
