# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of collab.uc.oauth_refresh_login_plan (documented in plugins/modules/oauth_refresh_login_plan.py):
the rules of the role collab.uc.oauth_refresh_login, run once on the controller over every host of the play
(the planner is plugins/module_utils/domain/_oauth_refresh_login.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.collab.uc.plugins.module_utils.domain import _oauth_refresh_login as planner
from ansible_collections.collab.uc.plugins.module_utils.domain._estate_read import MODULES, read_all, read_cucm_access, run_all
from ansible_collections.collab.uc.plugins.plugin_utils._play_action import PlayAction, compiled_once, plain
from ansible_collections.collab.uc.plugins.module_utils.domain._gitops import rows_from_result

ENV_PREFIXES = ('CUCM_', 'CUC_', 'EXPRESSWAY_')

ARGUMENT_SPEC = {
    'step': {'type': 'str', 'required': True, 'choices': ['plan', 'verify', 'checklist', 'drift', 'summary']},
    # HTTPS reads mostly wait on the network: 32 read 50 clusters in two rounds of requests where 16 took four; more
    # threads than that cost more in contention for the controller's interpreter than they save (bench/README.md)
    'workers': {'type': 'int', 'default': 32},
    'cucm_group': {'type': 'str', 'default': 'cucm_clusters'},
    'cuc_group': {'type': 'str', 'default': 'cuc_systems'},
    'expressway_group': {'type': 'str', 'default': 'expressway_systems'},
    'fail_on_change': {'type': 'bool', 'default': False},
    'slicing': {'type': 'str', 'default': 'none', 'choices': ['none', 'slice', 'combine']},
    'slice_id': {'type': 'str'},
}
# the role variables the planner reads, without their prefix oauth_refresh_login_
ROLE_VARIABLES = ('enabled', 'access_token_expiry', 'refresh_token_expiry', 'device_refresh_token_expiry', 'serves',
                  'authz_name', 'publisher', 'publisher_port', 'authz_username', 'authz_ignore_certificate_errors',
                  'min_cucm_version', 'min_cuc_version', 'min_expressway_version', 'imp_versions', 'cuc_version',
                  'sso_expected', 'expressway_mode', 'expressway_oauth_token', 'expressway_user_credentials',
                  'expressway_refresh_setting', 'expressways')
PLAN = '__oauth_refresh_login_plan'  # the plan step's registered result (run_once: every host has it)
RESULTS = {'cucm_info': '__oauth_refresh_login_verify_info', 'cuc_results': '__oauth_refresh_login_cuc_result',
           'expressway_readback': '__oauth_refresh_login_expressway_readback'}
# A slice's own writes, for the GitOps summary of the combine step: apply.yml's task on a cluster (its name, as the
# callback collab.uc.gitops_summary names the task of a row) and the variable it registers.
CLUSTER_WRITE = ('Set refresh login and the token expiry timers', '__oauth_refresh_login_cucm_result')
LEFT = 'Left to the combine step (oauth_refresh_login_slicing=combine, after every slice): %s.'


def _kind(host, members):
    """The kind of system ``host`` is for the role (a Connection host that is also in the Expressway group is
    Connection), and whether it is read."""
    for kind in ('cucm', 'cuc', 'expressway'):
        if host in members[kind]:
            return kind
    return None


class ActionModule(PlayAction):

    def _role_options(self):
        """The options of the role's entry point ``main`` (meta/argument_specs.yml), or None outside the role."""
        role = getattr(self._task, '_role', None)
        path = os.path.join(role._role_path, 'meta', 'argument_specs.yml') if role is not None else None
        if not path or not os.path.isfile(path):
            return None
        data = self._loader.load_from_file(path) or {}
        return ((data.get('argument_specs') or {}).get('main') or {}).get('options') or None

    def _input(self, task_vars, host, kind, options, validator):
        """One host's part, in its own context: its role variables, checked against the role's argument spec (as
        Ansible's own validation of the role's arguments does, for every host here at once), and the arguments and
        environment its read module would get (its module_defaults templated with its variables)."""
        templar, variables = self.host_context(task_vars, host)
        provided = {}
        invalid = None
        if options:
            # one templating of every role variable the host has (a template per variable costs a Jinja compile)
            provided = templar.template(dict((name, variables[name]) for name in options if name in variables))
            # checked as plain data: the validator deep-copies what it checks, and a deep copy of Ansible's tagged
            # values costs several times that of the same plain values (same types: str, int, bool, list, dict)
            errors = validator.validate(plain(provided), validate_role_argument_spec=True).error_messages
            if errors:
                invalid = 'its role variables are not valid: %s' % '; '.join(str(e) for e in errors)
        newer = hasattr(self._templar, 'copy_with_new_env')  # ansible-core 2.19 and later: values keep their types
        values = {}
        for name in ('authz_password',) + ROLE_VARIABLES:
            key = planner.PREFIX + name
            values[name] = provided[key] if newer and key in provided else self.render(templar, key)
        values['authz_password_set'] = values.pop('authz_password') not in (None, '')
        read = kind in ('cucm', 'cuc') or (kind == 'expressway' and values.get('expressway_mode', 'set') == 'set')
        args = self.module_args(MODULES[kind], templar, variables) if kind and read else None
        found = {'kind': kind, 'vars': plain(values), 'read_args': args}
        if invalid:
            found.update(read_args=None, error=invalid)
        return found

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        dummy, params = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        groups = task_vars.get('groups') or {}
        order = list(task_vars.get('ansible_play_hosts_all') or [])
        alive = list(task_vars.get('ansible_play_hosts') or [])
        check_mode = self.check_mode()
        names = {'cucm': params['cucm_group'], 'cuc': params['cuc_group'], 'expressway': params['expressway_group']}
        members = dict((kind, set(groups.get(name) or [])) for kind, name in names.items())

        def get(host, name):
            return self.hostvar(task_vars, host, name)

        # it writes nothing (changes: the collection's one key for what a task changed; the plans are in states)
        result.update(changed=False, changes=[])
        if params['step'] == 'plan':
            return self._plan(result, params, task_vars, order, alive, members, names, check_mode)
        planned = task_vars.get(PLAN) or {}
        states = plain(planned.get('states') or {}) if isinstance(planned, dict) else {}
        slicing = (planned.get('slicing') or {}) if isinstance(planned, dict) else {}
        order = [h for h in order if h in states]
        done = slicing.get('done') or []  # combine step: the clusters the slices applied and verified
        if params['step'] == 'verify':
            live = [h for h in alive if h in states and h not in done]
            # the results of apply.yml's tasks exist only where it ran: elsewhere the plan's own read is the state
            # (a result of an earlier play, registered under the same name, must not stand for this one's)
            applied = set(planned.get('apply_hosts') or [])
            results = dict((h, dict((key, get(h, var)) for key, var in RESULTS.items())) for h in live if h in applied)
            problems = planner.verify_problems(states, live, results)
            if problems:
                return dict(result, failed=True, msg=' '.join(problems), problems=problems)
            result['msg'] = 'verified: %s' % (', '.join(live) or 'nothing to verify in this run')
            if done:
                result['msg'] += ' (the clusters in their slices)'
        elif params['step'] == 'checklist':
            variables = dict((h, (planned.get('variables') or {}).get(h) or {}) for h in order)
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
            if slicing.get('mode') == 'slice':
                if slicing.get('deferred'):
                    result['summary'].append(LEFT % ', '.join(slicing['deferred']))
                result.update(self._slice_output(slicing, states, order, alive, check_mode, get))
        return result

    def _plan(self, result, params, task_vars, order, alive, members, names, check_mode):
        """The plan step: read, plan, and hand every host its state; in a sliced run, the part of this step."""
        slicing = params['slicing']
        result['collab_uc_hosts'] = list(order)  # the summary's systems, those that leave the role included
        environ = self.environment(ENV_PREFIXES)
        inputs = {}
        options = self._role_options()
        validator = ArgumentSpecValidator(options) if options else None  # one for every host: it copies the spec
        with compiled_once():  # every host's variables and module_defaults: the same templates, compiled once
            for host in order:
                kind = _kind(host, members)
                try:
                    inputs[host] = self._input(task_vars, host, kind, options, validator) if kind else {}
                except Exception as exc:  # pylint: disable=broad-except  # a variable that cannot be templated
                    inputs[host] = {'kind': kind, 'vars': {}, 'read_args': None,
                                    'error': 'its variables cannot be templated: %s' % exc}
        # a role variable of the wrong type stops the run before any read, with every such host (the planner's rules
        # assume valid types); the playbook collab.uc.oauth_enable leaves the check to this step
        invalid = [{'host': host, 'label': None, 'problem': data['error']} for host, data in inputs.items()
                   if data.get('error', '').startswith('its role variables')]
        if invalid:
            result.update(failed=True, msg=planner.preflight_message(invalid),
                          collab_uc_preflight={'planned': False, 'problems': invalid})
            return result
        # a slice does the clusters (they depend on no other host) and leaves the others to the combine step; the
        # combine step takes the clusters from the slices' outputs and reads only the others
        deferred = [h for h in order if slicing == 'slice' and inputs[h].get('kind') in ('cuc', 'expressway')]
        combined = None
        if slicing == 'combine':
            outputs = dict((name, plain(value)) for name, value in task_vars.items()
                           if str(name).startswith(planner.SLICE_VARIABLE))
            clusters = [h for h in order if inputs[h].get('kind') == 'cucm']
            combined = planner.combine_slices(outputs, clusters, order, check_mode)
            if combined['problems']:  # before any read
                result.update(failed=True, msg=planner.preflight_message(combined['problems']),
                              collab_uc_preflight={'planned': False, 'problems': combined['problems']})
                return result
        skip = set(deferred) | set(combined['states'] if combined else ())
        jobs = dict((host, (data['kind'], data['read_args'], environ,
                            data['vars'].get('expressway_refresh_setting')))
                    for host, data in inputs.items() if data.get('read_args') is not None and host not in skip)
        reads = read_all(jobs, workers=self.readers(params))
        hosts = dict((host, {'kind': data.get('kind') if data.get('vars') else None, 'vars': data.get('vars') or {},
                             'read': reads.get(host)})
                     for host, data in inputs.items() if host not in deferred)
        warnings = ['%s: %s' % (host, warning) for host in order
                    for warning in (reads.get(host) or {}).get('warnings') or []]
        if warnings:
            result['warnings'] = warnings
        result['reads'] = dict((host, 'failed' if read.get('failed') else 'read') for host, read in reads.items())
        groups_of = dict(cucm=sorted(members['cucm']), cuc=sorted(members['cuc']),
                         expressway=sorted(members['expressway']), names=names)
        known = combined['states'] if combined else None
        outcome = planner.plan(hosts, alive, groups_of, check_mode=check_mode,
                               fail_on_change=params['fail_on_change'], known=known)
        # the right to write, where the plan writes: the AXL account of each cluster that changes (one read)
        writing = [host for host, state in outcome['states'].items()
                   if state['kind'] == 'cucm' and state['changes'] and host in inputs
                   and inputs[host].get('read_args') is not None and host not in skip]
        access = run_all(dict((host, (read_cucm_access, (inputs[host]['read_args'], environ,
                                                         (reads.get(host) or {}).get('axl_version'))))
                              for host in writing), workers=self.readers(params))
        if access:
            for host, found in access.items():
                hosts[host]['read'] = dict(hosts[host]['read'] or {}, access=found.get('access'),
                                           roles=found.get('roles'))
                warnings.extend('%s: %s' % (host, warning) for warning in found.get('warnings') or [])
            if warnings:
                result['warnings'] = warnings
            outcome = planner.plan(hosts, alive, groups_of, check_mode=check_mode,
                                   fail_on_change=params['fail_on_change'], known=known)
        result['states'] = outcome['states']
        for host, data in inputs.items():
            if data.get('error'):
                outcome['problems'].append({'host': host, 'label': None, 'problem': data['error']})
        if slicing == 'slice' and not params.get('slice_id'):
            outcome['problems'].append({'host': None, 'label': None, 'problem': (
                'oauth_refresh_login_slicing=slice needs oauth_refresh_login_slice_id, a name of its own for each '
                'slice (in AWX it is the job id, awx_job_id, which AWX sets)')})
        if outcome['problems']:
            result.update(failed=True, msg=planner.preflight_message(outcome['problems']),
                          collab_uc_preflight={'planned': False, 'problems': outcome['problems']})
            return result
        planned = [h for h in order if h in outcome['states']]
        done = list(combined['states']) if combined else []
        result['apply_hosts'] = [h for h in planned if outcome['states'][h]['changes'] and h not in done]
        result['plan'] = planner.plan_lines(outcome['states'], planned, check_mode)
        if deferred:
            result['plan'].append(LEFT % ', '.join(deferred))
        result['variables'] = dict((h, data.get('vars') or {}) for h, data in inputs.items())
        result['collab_uc_preflight'] = {'planned': True, 'problems': [], 'drift': bool(params['fail_on_change'])}
        if slicing == 'slice':
            result['slicing'] = {'mode': 'slice', 'id': params['slice_id'], 'deferred': deferred}
        elif combined:
            result['slicing'] = {'mode': 'combine', 'done': [h for h in order if h in done],
                                 'slices': combined['slices']}
            result['collab_uc_slices'] = {'hosts': combined['gitops']}
        return result

    def _slice_output(self, slicing, states, order, alive, check_mode, get):
        """What a slice hands to the combine step: ``slice_variable`` (the artifact's variable) and
        ``slice_output`` (its clusters' states, which of them completed, their GitOps rows)."""
        task, variable = CLUSTER_WRITE
        gitops = {}
        for host in order:
            rows = rows_from_result(get(host, variable) or {}, check_mode=check_mode)
            for row in rows:
                row['task'] = task
            gitops[host] = {'status': 'ok' if host in alive else 'failed', 'rows': rows}
        hosts = list(order) + [h for h in slicing.get('deferred') or [] if h not in order]
        return {'slice_variable': planner.slice_variable(slicing.get('id')),
                'slice_output': planner.slice_output(slicing.get('id'), hosts, states,
                                                     [h for h in order if h in alive], check_mode, gitops)}
