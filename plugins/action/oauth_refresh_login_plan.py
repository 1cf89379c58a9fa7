# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of collab.uc.oauth_refresh_login_plan (documented in plugins/modules/oauth_refresh_login_plan.py):
the rules of the role collab.uc.oauth_refresh_login, run once on the controller over every host of the play
(the planner is plugins/module_utils/_oauth_refresh_login.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.plugins.action import ActionBase

from ansible_collections.collab.uc.plugins.module_utils import _oauth_refresh_login as planner

ARGUMENT_SPEC = {
    'step': {'type': 'str', 'required': True, 'choices': ['plan', 'verify', 'checklist', 'drift', 'summary']},
    'cucm_group': {'type': 'str', 'default': 'cucm_clusters'},
    'cuc_group': {'type': 'str', 'default': 'cuc_systems'},
    'expressway_group': {'type': 'str', 'default': 'expressway_systems'},
    'fail_on_change': {'type': 'bool', 'default': False},
}
INPUT = '__oauth_refresh_login_input'
READ = {'cucm': '__oauth_refresh_login_info', 'cuc': '__oauth_refresh_login_cuc_info',
        'expressway': '__oauth_refresh_login_expressway_info'}
STATE = '__oauth_refresh_login_state'
RESULTS = {'cucm_info': '__oauth_refresh_login_verify_info', 'cuc_results': '__oauth_refresh_login_cuc_result',
           'expressway_readback': '__oauth_refresh_login_expressway_readback'}


def _plain(value):
    """Ansible's tagged and lazy values as plain JSON types (the planner works on plain dicts)."""
    return json.loads(json.dumps(value, default=str))


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        dummy, params = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        hostvars = task_vars['hostvars']
        groups = task_vars.get('groups') or {}
        order = list(task_vars.get('ansible_play_hosts_all') or [])
        alive = list(task_vars.get('ansible_play_hosts') or [])
        check_mode = bool(self._task.check_mode or self._play_context.check_mode)
        names = {'cucm': params['cucm_group'], 'cuc': params['cuc_group'], 'expressway': params['expressway_group']}
        members = dict((kind, set(groups.get(name) or [])) for kind, name in names.items())

        def get(host, name):
            try:
                value = hostvars[host].get(name)
            except Exception:  # pylint: disable=broad-except  # an undefined or failing variable is absent
                return None
            return None if value is None else _plain(value)

        result['changed'] = False
        if params['step'] == 'plan':
            hosts = {}
            for host in order:
                data = get(host, INPUT) or {}
                kind = next((k for k in ('cucm', 'cuc', 'expressway') if host in members[k]), None)
                read = get(host, READ[kind]) if data and kind else None
                if isinstance(read, dict) and read.get('skipped'):
                    read = None
                hosts[host] = {'kind': kind if data else None, 'vars': data, 'read': read}
            outcome = planner.plan(hosts, alive, dict(cucm=sorted(members['cucm']), cuc=sorted(members['cuc']),
                                                      expressway=sorted(members['expressway']), names=names),
                                   check_mode=check_mode, fail_on_change=params['fail_on_change'])
            result['states'] = outcome['states']
            if outcome['problems']:
                result.update(failed=True, msg=planner.preflight_message(outcome['problems']),
                              collab_uc_preflight={'planned': False, 'problems': outcome['problems']})
                return result
            result['plan'] = planner.plan_lines(outcome['states'], order, check_mode)
            result['collab_uc_preflight'] = {'planned': True, 'problems': [],
                                             'drift': bool(params['fail_on_change'])}
            return result
        states = dict((host, get(host, STATE)) for host in order)
        states = dict((h, s) for h, s in states.items() if s)
        order = [h for h in order if h in states]
        if params['step'] == 'verify':
            live = [h for h in alive if h in states]
            results = dict((h, dict((key, get(h, var)) for key, var in RESULTS.items())) for h in live)
            problems = planner.verify_problems(states, live, results)
            if problems:
                return dict(result, failed=True, msg=' '.join(problems), problems=problems)
            result['msg'] = 'verified: %s' % ', '.join(live)
        elif params['step'] == 'checklist':
            variables = dict((h, get(h, INPUT) or {}) for h in order)
            result['checklist'] = planner.checklist_lines(states, order, variables, check_mode)
        elif params['step'] == 'drift':
            lines = planner.drift_lines(states, order)
            if lines:
                differ = []
                for host in order:
                    if states[host]['changes'] and host not in differ:
                        differ.append(host)
                return dict(result, failed=True, drift=lines, collab_uc_drift=True,
                            msg='Drift: %s differ(s) from the desired state:\n%s'
                            % (', '.join(differ), '\n'.join('- %s' % line for line in lines)))
            result['collab_uc_drift'] = False
        else:
            result['summary'] = planner.summary_lines(states, order, check_mode, applied_hosts=alive)
        return result
