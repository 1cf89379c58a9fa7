# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of collab.uc.oauth_refresh_login_plan (documented in plugins/modules/oauth_refresh_login_plan.py):
the rules of the role collab.uc.oauth_refresh_login, run once on the controller over every host of the play
(the planner is plugins/module_utils/_oauth_refresh_login.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible.plugins.action import ActionBase

from ansible_collections.collab.uc.plugins.module_utils import _oauth_refresh_login as planner
from ansible_collections.collab.uc.plugins.module_utils._estate_read import MODULES, read_all

try:  # ansible-core 2.19 and later
    from ansible.executor.module_common import _apply_action_arg_defaults
except ImportError:  # ansible-core 2.16 to 2.18
    _apply_action_arg_defaults = None
    from ansible.executor.module_common import get_action_args_with_defaults

ENV_PREFIXES = ('CUCM_', 'CUC_', 'EXPRESSWAY_')

ARGUMENT_SPEC = {
    'step': {'type': 'str', 'required': True,
             'choices': ['input', 'plan', 'verify', 'checklist', 'drift', 'summary']},
    'variables': {'type': 'dict'},
    'authz_password': {'type': 'str', 'no_log': True},
    'workers': {'type': 'int', 'default': 16},
    'cucm_group': {'type': 'str', 'default': 'cucm_clusters'},
    'cuc_group': {'type': 'str', 'default': 'cuc_systems'},
    'expressway_group': {'type': 'str', 'default': 'expressway_systems'},
    'fail_on_change': {'type': 'bool', 'default': False},
}
INPUT = '__oauth_refresh_login_input'
STATE = '__oauth_refresh_login_state'
RESULTS = {'cucm_info': '__oauth_refresh_login_verify_info', 'cuc_results': '__oauth_refresh_login_cuc_result',
           'expressway_readback': '__oauth_refresh_login_expressway_readback'}


def _plain(value):
    """Ansible's tagged and lazy values as plain JSON types (the planner works on plain dicts)."""
    return json.loads(json.dumps(value, default=str))


def _kind(host, members, variables):
    """The kind of system ``host`` is for the role (a Connection host that is also in the Expressway group is
    Connection), and whether it is read."""
    for kind in ('cucm', 'cuc', 'expressway'):
        if host in members[kind]:
            return kind
    return None


class ActionModule(ActionBase):

    def _module_args(self, module, task_vars):
        """The read module's arguments as the module would get them on this host: its ``module_defaults`` (its
        own and its action group's, templated with this host's variables), omitted values left out."""
        if _apply_action_arg_defaults is not None:
            args = _apply_action_arg_defaults(module, self._task, {}, self._templar)
        else:
            args = get_action_args_with_defaults(module, {}, self._task.module_defaults, self._templar,
                                                 action_groups=self._task._parent._play._action_groups)
            args = self._templar.template(args)
        omit = task_vars.get('omit')
        return dict((k, v) for k, v in (args or {}).items()
                    if v is not None and not (isinstance(v, str) and omit and v.startswith(omit)))

    def _environment(self):
        """The environment of the module's fallbacks: the controller's and the task's ``environment``."""
        environ = dict(os.environ)
        for item in self._task.environment or []:
            if isinstance(item, dict):
                environ.update(self._templar.template(item))
        return dict((k, str(v)) for k, v in environ.items() if k.startswith(ENV_PREFIXES))

    def _input(self, params, task_vars, members):
        """One host's part, in its own context: its role variables, its kind, and the arguments and environment its
        read module would get (module_defaults templated with its variables)."""
        host = task_vars.get('inventory_hostname')
        variables = dict(params['variables'] or {})
        variables['authz_password_set'] = params['authz_password'] not in (None, '')
        kind = _kind(host, members, variables)
        read = kind in ('cucm', 'cuc') or (kind == 'expressway' and variables.get('expressway_mode', 'set') == 'set')
        return {'changed': False, 'kind': kind, 'vars': variables, 'authz_password': params['authz_password'],
                'read_args': self._module_args(MODULES[kind], task_vars) if kind and read else None,
                'environ': self._environment() if kind and read else None}

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
        if params['step'] == 'input':
            return dict(result, **self._input(params, task_vars, members))
        if params['step'] == 'plan':
            inputs = dict((host, get(host, INPUT) or {}) for host in order)
            jobs = dict((host, (data['kind'], data['read_args'], data['environ'],
                                data['vars'].get('expressway_refresh_setting')))
                        for host, data in inputs.items() if data.get('read_args') is not None)
            reads = read_all(jobs, workers=max(1, min(params['workers'], 64)))
            hosts = dict((host, {'kind': data.get('kind'), 'vars': data.get('vars') or {}, 'read': reads.get(host)})
                         for host, data in inputs.items())
            warnings = ['%s: %s' % (host, warning) for host in order
                        for warning in (reads.get(host) or {}).get('warnings') or []]
            if warnings:
                result['warnings'] = warnings
            result['reads'] = dict((host, 'failed' if read.get('failed') else 'read') for host, read in reads.items())
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
            variables = dict((h, (get(h, INPUT) or {}).get('vars') or {}) for h in order)
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
