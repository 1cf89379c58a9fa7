# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of collab.uc.authz_key_rotation_plan (documented in plugins/modules/authz_key_rotation_plan.py):
the rules of the role collab.uc.authz_key_rotation on the controller. Run once (``validate``, ``plan``, ``syncs``,
``report``) it works on every host of the play and reads every system concurrently; per cluster host
(``record``) it updates and writes the cluster's state record. The planner is
plugins/module_utils/domain/_authz_key_rotation.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import time

from ansible_collections.collab.uc.plugins.module_utils.domain import _authz_key_rotation as planner
from ansible_collections.collab.uc.plugins.module_utils.domain._estate import serves_list
from ansible_collections.collab.uc.plugins.module_utils.domain._estate_read import (
    KEYS_MODULE, MODULES, NODE_MODULE, read_authz_keys, read_cluster_nodes, read_one, run_all)
from ansible_collections.collab.uc.plugins.module_utils.domain._run_lock import write_atomically
from ansible_collections.collab.uc.plugins.plugin_utils._play_action import PlayAction, compiled_once, plain

ENV_PREFIXES = ('CUCM_', 'CUC_')
ARGUMENT_SPEC = {
    'step': {'type': 'str', 'required': True, 'choices': ['validate', 'plan', 'record', 'syncs', 'report']},
    'event': {'type': 'str', 'choices': ['requested', 'regenerated', 'restarted']},
    'result': {'type': 'dict'},
    'workers': {'type': 'int', 'default': 16},
    'cucm_group': {'type': 'str', 'default': 'cucm_clusters'},
    'cuc_group': {'type': 'str', 'default': 'cuc_systems'},
    'expressway_group': {'type': 'str', 'default': 'expressway_systems'},
}
PASSWORD = planner.PREFIX + 'authz_password'
# the role's registered results and facts this plugin reads (every host has a run-once task's result)
CHECKED = '__authz_key_rotation_checked'
PLAN = '__authz_key_rotation_plan'
RECORDED = '__authz_key_rotation_recorded'
REGENERATION = '__authz_key_rotation_regen'
FAILURE = '__authz_key_rotation_failure'
# the variables that name the clusters an Expressway-C serves, the first one set wins
EXPRESSWAY_SERVES = (planner.PREFIX + 'serves', 'oauth_audit_serves', 'oauth_refresh_login_serves')


class FileProblem(Exception):
    pass


def _nice_json(data):
    """As ``to_nice_json`` writes it, with a final newline."""
    return json.dumps(data, indent=4, sort_keys=True, separators=(',', ': ')) + '\n'


def _write(path, text):
    """``text`` into ``path`` (0600, atomically), its directory created (0700) if needed."""
    directory = os.path.dirname(path)
    try:
        if directory and not os.path.isdir(directory):
            os.makedirs(directory, 0o700)
    except OSError as exc:
        raise FileProblem('cannot create the directory %s: %s' % (directory, exc.strerror or exc))
    write_atomically(path, text, FileProblem)


def _read_record(path):
    """``(record, problem)`` of the state record at ``path``: (None, None) when there is none."""
    if not path or not os.path.exists(path):
        return None, None
    try:
        with open(path) as handle:
            return json.load(handle), None
    except (IOError, OSError, ValueError) as exc:
        return None, ('its state record %s cannot be read (%s): move it away' % (path, exc))


def _given(value):
    """Whether a secret variable is set: not None or empty (ansible-core before 2.19 renders the role default's
    ``default(none)`` as the text None)."""
    return value not in (None, '', 'None')


class ActionModule(PlayAction):

    def _members(self, task_vars, params):
        groups = task_vars.get('groups') or {}
        names = {'cucm': params['cucm_group'], 'cuc': params['cuc_group']}
        return names, dict((kind, list(groups.get(name) or [])) for kind, name in names.items())

    def _values(self, templar, variables):
        """The role's variables as given (each value templated as the ``vars`` lookup does, not converted: an
        integer stays one on every ansible-core), the password left out, and every name."""
        names = sorted(name for name in variables if name.startswith(planner.PREFIX))
        return dict((name, plain(templar.template(variables[name]))) for name in names if name != PASSWORD), names

    def _validate(self, task_vars, params, order, alive):
        names, members = self._members(task_vars, params)
        problems, state_files = [], {}
        for host in [h for h in order if h in alive]:
            kind = 'cucm' if host in members['cucm'] else 'cuc'
            try:
                values, given = self._values(*self.host_context(task_vars, host))
            except Exception as exc:  # pylint: disable=broad-except  # a variable that cannot be templated
                problems.append({'host': host, 'label': None, 'problem': 'its variables cannot be templated: %s' % exc})
                continue
            found, normal = planner.check_variables(values, given, host)
            found += planner.check_paths(normal, host, kind)
            problems.extend({'host': host, 'label': None, 'problem': problem} for problem in found)
            if kind == 'cucm' and 'state_dir' in normal:
                state_files[host] = os.path.join(normal['state_dir'], '%s.state.json' % host)
        result = {'state_files': state_files, 'started_at': time.time(), 'groups': names}
        if problems:
            result.update(failed=True, collab_uc_preflight={'planned': False, 'problems': problems}, msg=(
                '%d problem(s) with the variables of collab.uc.authz_key_rotation; nothing was changed on any system. '
                'Fix them and run again:\n%s' % (len(problems), '\n'.join(
                    '- %s' % line for line in planner.problem_lines(problems)))))
        return result

    def _plan(self, task_vars, params, order, alive):
        checked = task_vars.get(CHECKED) or {}
        names, members = self._members(task_vars, params)
        check_mode = self.check_mode()
        environ = self.environment(ENV_PREFIXES)
        hosts, jobs, problems = {}, {}, []
        for host in [h for h in order if h in alive]:
            kind = 'cucm' if host in members['cucm'] else 'cuc' if host in members['cuc'] else None
            if kind is None:
                continue
            try:
                templar, variables = self.host_context(task_vars, host)
                values = self._values(templar, variables)[0]
                data = {'kind': kind, 'values': values}
                if kind == 'cucm':
                    normal = planner.check_variables(values, [])[1]
                    services = []
                    for chosen in (normal.get('services') or {}).values():
                        services.extend(s for s in chosen if s not in services)
                    data.update(address=plain(self.render(templar, 'cucm_host | default(ansible_host) '
                                                                   '| default(inventory_hostname)')),
                                password_set=_given(self.render(templar, PASSWORD)),
                                state_file=(checked.get('state_files') or {}).get(host),
                                report_dir=normal.get('report_dir'))
                    data['record'], data['record_error'] = _read_record(data['state_file'])
                    jobs[(host, 'nodes')] = (read_cluster_nodes, (
                        self.module_args(NODE_MODULE, templar, variables), environ, services))
                    jobs[(host, 'keys')] = (read_authz_keys, (
                        self.module_args(KEYS_MODULE, templar, variables), environ, True, check_mode))
                else:
                    jobs[(host, 'servers')] = (read_one, ('cuc', self.module_args(MODULES['cuc'], templar, variables),
                                                          environ))
            except Exception as exc:  # pylint: disable=broad-except  # a variable that cannot be templated
                problems.append({'host': host, 'label': None, 'problem': 'its variables cannot be templated: %s' % exc})
                continue
            hosts[host] = data
        reads = run_all(jobs, workers=self.readers(params))
        warnings = []
        for (host, part), read in sorted(reads.items()):
            warnings.extend('%s: %s' % (host, warning) for warning in read.get('warnings') or [])
            if part == 'servers':
                hosts[host]['read'] = read
            else:
                hosts[host].setdefault('read', {})[part] = read
        outcome = planner.plan(hosts, order, dict(cucm=members['cucm'], names=names),
                               checked.get('started_at') or time.time())
        problems = outcome['problems'] + problems
        result = {'states': outcome['states']}
        if warnings:
            result['warnings'] = warnings
        if problems:
            result.update(failed=True, msg=planner.preflight_message(problems),
                          collab_uc_preflight={'planned': False, 'problems': problems})
            return result
        result['plan'] = planner.plan_lines(outcome['states'], [h for h in order if h in outcome['states']],
                                            check_mode)
        result['collab_uc_preflight'] = {'planned': True, 'problems': []}
        return result

    def _current_record(self, task_vars, host, states):
        """A cluster's record as this run left it: the last record step's, else the plan's."""
        recorded = self.hostvar(task_vars, host, RECORDED)
        if isinstance(recorded, dict) and isinstance(recorded.get('record'), dict):
            return recorded['record']
        return states[host]['record']

    def _record(self, task_vars, params, states):
        host = task_vars.get('inventory_hostname')
        state = states[host]
        recorded = task_vars.get(RECORDED)
        record = (recorded['record'] if isinstance(recorded, dict) and isinstance(recorded.get('record'), dict)
                  else state['record'])
        record = plain(record)
        now = time.time()
        event = params['event']
        if event == 'requested':
            new = planner.record_requested(record, now)
        elif event == 'regenerated':
            regenerated = plain(params['result'] or {})
            unchanged = [] if self.check_mode() else planner.unchanged_keys(record, regenerated)
            if unchanged:
                return {'failed': True, 'record': record, 'msg': planner.unchanged_message(host, record, unchanged)}
            new = planner.record_regenerated(record, regenerated, now)
        elif event == 'restarted':
            new = planner.record_restarted(record, now)
        else:
            return {'failed': True, 'msg': 'step=record needs event (requested, regenerated or restarted)'}
        if self.check_mode():  # the record stays in memory: check mode writes nothing but the plan's report
            return {'changed': False, 'record': new}
        try:
            _write(state['state_file'], _nice_json(new))
        except FileProblem as exc:
            return {'failed': True, 'record': record, 'msg': '%s: %s; the rotation stops here. Give a state directory '
                    'this user can write, and run again.' % (host, exc)}
        return {'changed': True, 'record': new, 'state_file': state['state_file']}

    def _syncs(self, task_vars, states, order, alive):
        out = {}
        for host in order:
            state = states.get(host)
            if not state or state['kind'] != 'cuc' or host not in alive:
                continue
            records = dict((t['cluster'], self._current_record(task_vars, t['cluster'], states))
                           for t in state['targets'] if t['cluster'] in states)
            out[host] = planner.sync_todo(state, states, records, alive, self.check_mode())
        return {'syncs': out}

    def _report(self, task_vars, params, states, order, alive):
        check_mode = self.check_mode()
        environ = self.environment(ENV_PREFIXES)
        clusters = [h for h in order if h in alive and (states.get(h) or {}).get('kind') == 'cucm'
                    and states[h]['mode'] != 'done']
        jobs = {}
        for host in clusters:
            templar, variables = self.host_context(task_vars, host)
            jobs[(host, 'keys')] = (read_authz_keys, (self.module_args(KEYS_MODULE, templar, variables), environ,
                                                      False, check_mode))
            rolls = states[host]['rolls']
            if rolls:
                services = []
                for roll in rolls:
                    services.extend(s for s in roll['services'] if s not in services)
                jobs[(host, 'nodes')] = (read_cluster_nodes, (self.module_args(NODE_MODULE, templar, variables),
                                                              environ, services, [r['product'] for r in rolls]))
        connections = [h for h in order if (states.get(h) or {}).get('kind') == 'cuc']
        for host in connections:
            if host in alive and any(t['cluster'] in clusters for t in states[host]['targets']):
                templar, variables = self.host_context(task_vars, host)
                jobs[(host, 'servers')] = (read_one, ('cuc', self.module_args(MODULES['cuc'], templar, variables),
                                                      environ))
        reads = run_all(jobs, workers=self.readers(params))
        groups = task_vars.get('groups') or {}
        expressway_hosts = list(groups.get(params['expressway_group']) or [])
        reports = {}
        for host in clusters:
            state = states[host]
            record = plain(self._current_record(task_vars, host, states))
            regeneration = self.hostvar(task_vars, host, REGENERATION)
            this_run = []
            if isinstance(regeneration, dict) and not regeneration.get('skipped'):
                this_run = planner.regenerated_names(regeneration)
            failure = self.hostvar(task_vars, host, FAILURE)
            servers = [(c, states[c], (reads.get((c, 'servers')) or {}).get('authz_servers')) for c in connections]
            now = time.time()
            report = planner.cluster_report(
                host, state, record, {'keys': reads.get((host, 'keys')), 'nodes': reads.get((host, 'nodes'))},
                servers, check_mode, now, failure=planner.failure_text(record, failure) if failure else None,
                this_run=this_run, expressways=[e for e in expressway_hosts if host in self._serves(task_vars, e)])
            base = os.path.join(state['report_dir'], '%s-%s%s' % (host, record['id'], '.plan' if check_mode else ''))
            entry = {'status': report['status'], 'problems': report['problems'], 'report': base + '.json',
                     'summary': planner.summary_lines(report), 'left': planner.left_lines(report, base)}
            try:
                _write(base + '.json', _nice_json(report))
                _write(base + '.md', planner.report_markdown(report))
                if not check_mode and not report['problems']:
                    _write(state['state_file'], _nice_json(planner.record_completed(record, time.time())))
            except FileProblem as exc:
                report['problems'].append(str(exc))
            if report['problems']:
                entry['failure'] = planner.not_verified_message(report, base)
            reports[host] = entry
        return {'reports': reports}

    def _serves(self, task_vars, host):
        for name in EXPRESSWAY_SERVES:
            value = self.hostvar(task_vars, host, name)
            if value is not None:
                try:
                    return serves_list(value)
                except TypeError:
                    return []
        return []

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        dummy, params = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        order = list(task_vars.get('ansible_play_hosts_all') or [])
        alive = list(task_vars.get('ansible_play_hosts') or [])
        # it changes no system (changes: the collection's one key for what a task changed; a state record it
        # writes on the controller is in record)
        result.update(changed=False, changes=[])
        with compiled_once():  # every host's variables and module_defaults: the same templates, compiled once
            return dict(result, **self._step(params, task_vars, order, alive))

    def _step(self, params, task_vars, order, alive):
        step = params['step']
        if step == 'validate':
            return self._validate(task_vars, params, order, alive)
        if step == 'plan':
            return self._plan(task_vars, params, order, alive)
        planned = task_vars.get(PLAN) or {}
        states = plain(planned.get('states') or {}) if isinstance(planned, dict) else {}
        if step == 'record':
            return self._record(task_vars, params, states)
        if step == 'syncs':
            return self._syncs(task_vars, states, order, alive)
        return self._report(task_vars, params, states, order, alive)
