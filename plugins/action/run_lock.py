# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of collab.uc.run_lock (documented in plugins/modules/run_lock.py): the lock is held for the
ansible-playbook process, the parent of the worker process this runs in, so it outlives the task."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.plugins.action import ActionBase

from ansible_collections.collab.uc.plugins.module_utils.domain._run_lock import (
    LockError, release_run_lock, take_run_lock, read_holder)

ARGUMENT_SPEC = {
    'path': {'type': 'path', 'required': True},
    'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'},
    'timeout': {'type': 'int', 'default': 0},
    'what': {'type': 'str', 'default': 'the file'},
}


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        dummy, params = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        path = os.path.abspath(os.path.expanduser(params['path']))
        # a lock held for the run is no change of the state it guards (changes: the collection's one key)
        result.update(changed=False, changes=[], lock_path=path + '.lock')
        if not 0 <= params['timeout'] <= 86400:
            return dict(result, failed=True, msg='run_lock: timeout must be between 0 and 86400 seconds, got %s'
                        % params['timeout'])
        run_pid = os.getppid()  # the ansible-playbook process; this worker ends with the task
        try:
            if params['state'] == 'absent':
                holder = read_holder(path + '.lock')
                if release_run_lock(path, pid=run_pid):
                    result.update(lock=holder)
                return result
            directory = os.path.dirname(path)
            if not os.path.isdir(directory):
                os.makedirs(directory, 0o700)
            holder, note = take_run_lock(path, params['what'], pid=run_pid, timeout=params['timeout'])
        except LockError as exc:
            return dict(result, failed=True, msg=str(exc))
        except (IOError, OSError) as exc:
            return dict(result, failed=True, msg='cannot lock %s (%s): %s; nothing was changed. Give a directory '
                        'this user can write.' % (params['what'], path + '.lock', exc.strerror or exc))
        result.update(lock=dict((k, holder[k]) for k in ('pid', 'host', 'started') if k in holder),
                      took_over=note)
        if note:
            result['warnings'] = [note]
        return result
