# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the roles' run-once action plugins (collab.uc.oauth_refresh_login_plan, collab.uc.authz_key_rotation_plan)
share on the controller: each host's variables as a task of the role on that host sees them, the arguments a read
module would get there (its ``module_defaults``, templated with that host's variables) and the environment of
the modules' fallbacks.

Internal module: the leading underscore means its API may change without notice. Controller side only (it uses
ansible-core's executor and templar).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json
import os

from ansible.executor import module_common
from ansible.plugins.action import ActionBase

try:  # ansible-core 2.19 and later
    from ansible.executor.module_common import _apply_action_arg_defaults
except ImportError:  # ansible-core 2.16 to 2.18
    _apply_action_arg_defaults = None

try:  # ansible-core 2.19 and later: a template made here must be marked as trusted to be rendered
    from ansible.template import trust_as_template
except ImportError:
    def trust_as_template(text):
        return text


try:  # ansible-core 2.19 and later: the template engine (an internal of ansible-core, used only as an optimisation)
    from ansible._internal._templating._engine import TemplateEngine as _TemplateEngine
    from ansible._internal._templating._jinja_bits import AnsibleTemplate as _AnsibleTemplate
except ImportError:
    _TemplateEngine = _AnsibleTemplate = None


@contextlib.contextmanager
def compiled_once():
    """Within this block, each template string is compiled by Jinja once, not once for every host.

    A run-once task templates the same ``module_defaults`` and role variables with every host's variables, each
    host with a templar of its own; ansible-core 2.19 and later compile a template string anew for each templar
    (about a millisecond each: most of the plan step's time per host). A compiled template depends only on its
    text, its options and the templar's base directory, never on the variables it is rendered with (those, and
    the templar a lookup uses, come at rendering), so it is kept here for the block, keyed by those three; a
    template that failed to compile is not kept. Elsewhere (ansible-core 2.16 to 2.18, or a future engine without
    this method) the block changes nothing."""
    original = getattr(_TemplateEngine, '_compile_template', None) if _TemplateEngine is not None else None
    if original is None:
        yield
        return
    kept = {}

    def compile_template(engine, template, options):
        key = (engine.basedir, str(template), options)
        try:
            found = kept.get(key)
        except TypeError:  # options that cannot be a key (an engine of another release): compiled as usual
            return original(engine, template, options)
        if found is None:
            found = original(engine, template, options)
            if isinstance(found, _AnsibleTemplate):
                kept[key] = found
        return found

    _TemplateEngine._compile_template = compile_template
    try:
        yield
    finally:
        _TemplateEngine._compile_template = original


def plain(value):
    """Ansible's tagged and lazy values as plain JSON types (the planners work on plain dicts)."""
    return json.loads(json.dumps(value, default=str))


def raw_module_defaults(task):
    """The ``module_defaults`` of ``task`` as written (play, blocks, role, task: outermost first), not yet
    templated. ansible-core 2.16 to 2.18 template a task's ``module_defaults`` with the variables of the host it
    runs on; a run-once task needs every host's own values, templated with that host's variables."""
    found = []
    node = task
    while node is not None:
        data = getattr(node, '_ds', None)
        if isinstance(data, dict) and data.get('module_defaults'):
            found.append(data['module_defaults'])
        role = getattr(node, '_role', None)
        role_data = getattr(role, '_ds', None) if role is not None else None
        role_defaults = role_data.get('module_defaults') if isinstance(role_data, dict) else None
        if role_defaults and role_defaults not in found:
            found.append(role_defaults)
        node = getattr(node, '_parent', None)
    play = task.get_play()
    play_data = getattr(play, '_ds', None)
    if isinstance(play_data, dict) and play_data.get('module_defaults'):
        found.append(play_data['module_defaults'])
    merged = []
    for item in reversed(found):
        merged.extend(item if isinstance(item, list) else [item])
    return merged


class PlayAction(ActionBase):
    """An action plugin run once that works on every host of the play."""

    TRANSFERS_FILES = False
    _requires_connection = False
    MAX_READERS = 64  # the most systems a run-once task reads at once, whatever its option ``workers`` says

    def check_mode(self):
        return bool(self._task.check_mode or self._play_context.check_mode)

    def readers(self, params):
        """How many systems to read at once: the option ``workers`` of ``params``, from 1 to MAX_READERS."""
        return max(1, min(params['workers'], self.MAX_READERS))

    def host_context(self, task_vars, host):
        """``(templar, variables)`` of ``host`` as a task of this role on ``host`` would see them (play, role
        defaults and variables, inventory, facts, extra vars: the variable manager's own computation)."""
        hostvars = task_vars['hostvars']
        manager, inventory = hostvars._variable_manager, hostvars._inventory
        variables = manager.get_vars(play=self._task.get_play(), host=inventory.get_host(host), task=self._task,
                                     _hosts=task_vars.get('ansible_play_hosts'),
                                     _hosts_all=task_vars.get('ansible_play_hosts_all'))
        if hasattr(self._templar, 'copy_with_new_env'):  # ansible-core 2.19 and later
            return self._templar.copy_with_new_env(available_variables=variables), variables
        from ansible.template import Templar
        return Templar(loader=self._loader, variables=variables), variables

    @staticmethod
    def render(templar, expression):
        """``expression`` (Jinja, without braces) rendered by ``templar``."""
        return templar.template(trust_as_template('{{ %s }}' % expression))

    def module_args(self, module, templar, variables):
        """The arguments ``module`` would get on the host of ``templar``: its ``module_defaults`` (its own and
        its action group's, templated with that host's variables), omitted values left out."""
        saved = self._templar
        self._templar = templar
        try:
            if _apply_action_arg_defaults is not None:
                args = _apply_action_arg_defaults(module, self._task, {}, self._templar)
            else:
                older = getattr(module_common, 'get_action_args_with_defaults')
                args = older(module, {}, raw_module_defaults(self._task), self._templar,
                             action_groups=self._task._parent._play._action_groups)
                args = self._templar.template(args)
        finally:
            self._templar = saved
        omit = variables.get('omit')
        return dict((k, v) for k, v in (args or {}).items()
                    if v is not None and not (isinstance(v, str) and omit and v.startswith(omit)))

    def environment(self, prefixes):
        """The environment of the modules' fallbacks (the variables starting with ``prefixes``): the
        controller's and the task's ``environment``."""
        environ = dict(os.environ)
        for item in self._task.environment or []:
            if isinstance(item, dict):
                environ.update(self._templar.template(item))
        return dict((k, str(v)) for k, v in environ.items() if k.startswith(prefixes))

    @staticmethod
    def hostvar(task_vars, host, name):
        """``hostvars[host][name]`` as plain data, or None (undefined, or a variable that fails to template)."""
        try:
            value = task_vars['hostvars'][host].get(name)
        except Exception:  # pylint: disable=broad-except  # an undefined or failing variable is absent
            return None
        return None if value is None else plain(value)
