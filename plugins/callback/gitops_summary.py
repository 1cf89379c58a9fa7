# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: gitops_summary
type: aggregate
short_description: Write a Markdown summary of what a run changed, or would change, per system
version_added: 1.1.0
description:
  - Collects the structured diff (C(diff.before) and C(diff.after)) of every task that changed something, or would
    change something in check mode, and writes, when the run ends, a Markdown page with one section per inventory
    host (a CUCM cluster, a Unity Connection system...) and one table row per setting, C(from) and C(to), and a
    section for the failures.
  - Made for GitOps pipelines, to post on a merge request the plan of C(ansible-playbook --check --diff), and after
    the merge what was applied. It reads task results, never Ansible's screen output.
  - Needs C(--diff) (or C(diff = true) in C(ansible.cfg)) for the modules to return their diff. Values the modules
    mask (C(********)) stay masked; results of tasks with C(no_log) are left out.
  - When a role's preflight fails (collab.uc.oauth_refresh_login), the page says that no plan could be made and
    lists every problem in full, one row per system; a check run that detects drift
    (C(oauth_refresh_login_fail_on_change)) is titled as a drift check. Long messages are folded in C(<details>),
    never cut.
  - In the combine step of a sliced run of collab.uc.oauth_refresh_login (job slicing in AWX, see the
    collection's docs/aap.md), the page also holds what every slice changed, as one run's page would; enable the
    callback on the combine step's job template.
  - A change with no setting in its diff (for example a key sync of M(collab.uc.cuc_authz_server)) is one row
    naming what happens.
  - Every value is escaped by the collection's one Markdown rule (the one the OAuth audit's report uses) - a
    backslash, a pipe, C(<), C(>), C(&), C([), C(]), C(!), a backtick, a line break - so whatever a system holds
    (a cluster ID, an AuthZ server name, a message) stays plain text in its own table cell, never HTML, a link or
    an image.
author:
  - collab.uc contributors (@collab-uc)
requirements:
  - enabled with C(callbacks_enabled = collab.uc.gitops_summary) in C(ansible.cfg) or E(ANSIBLE_CALLBACKS_ENABLED)
options:
  output:
    description:
      - Path of the Markdown file to write. The file is replaced at the end of each run.
      - Not set, the summary is only printed (see O(display)).
    type: path
    env:
      - name: COLLAB_UC_GITOPS_SUMMARY
    ini:
      - section: collab_uc_gitops_summary
        key: output
  json_output:
    description:
      - Path of a JSON file with the same content, for programs (keys C(mode) - C(plan), C(drift) or C(apply) -,
        C(hosts), C(failures) and, after a role's preflight, C(preflight) with C(planned) and every problem).
    type: path
    env:
      - name: COLLAB_UC_GITOPS_SUMMARY_JSON
    ini:
      - section: collab_uc_gitops_summary
        key: json_output
  title:
    description:
      - Heading of the summary; C(plan) or C(applied) is added after it.
    type: str
    default: collab.uc
    env:
      - name: COLLAB_UC_GITOPS_SUMMARY_TITLE
    ini:
      - section: collab_uc_gitops_summary
        key: title
  display:
    description:
      - Also print the summary at the end of the run.
    type: bool
    default: false
    env:
      - name: COLLAB_UC_GITOPS_SUMMARY_DISPLAY
    ini:
      - section: collab_uc_gitops_summary
        key: display
'''

import json

from ansible import context
from ansible.plugins.callback import CallbackBase
from ansible_collections.collab.uc.plugins.module_utils.domain._gitops import MISSING, rows_from_result
from ansible_collections.collab.uc.plugins.module_utils.domain._gitops import plain as _plain
from ansible_collections.collab.uc.plugins.module_utils.domain._markdown import md_text

FOLD = 160  # a cell longer than this is folded in <details>


def _text(value):
    """A value as it shows in the table: lower-case booleans, (none) for nothing, escaped by the collection's one
    Markdown rule (module_utils/domain/_markdown.py: no pipe, HTML, link, image, code span or line break from a
    system)."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (dict, list, tuple)):
        value = json.dumps(value, sort_keys=True, default=str)
    text = md_text(value)
    return text if text else '""'


def _task_name(task):
    """The task's own name, without the role's (the table is already per system)."""
    return task.name or task.get_name()


def _cell(value):
    """A table cell that never cuts: a text longer than FOLD is folded in ``<details>`` (its start as the
    summary, all of it inside); every piece goes through the one escaping function, ``_text``."""
    text = _text(value)
    if len(text) <= FOLD:
        return text
    return '<details><summary>%s...</summary>%s</details>' % (_text(str(value)[:FOLD // 2]), text)


HEADINGS = {'plan': 'plan (check mode: nothing was written)', 'apply': 'applied',
            'drift': 'drift check (check mode: nothing was written)'}


def render_preflight(summary, title):
    """The page of a run whose preflight failed: no plan, every problem in full, one row per system."""
    preflight = summary['preflight']
    hosts = summary['hosts']
    problems = preflight['problems']
    by_host = {}
    for problem in problems:
        by_host.setdefault(problem.get('host'), []).append(problem)
    failing = [h for h in sorted(hosts) if h in by_host]
    lines = ['## %s %s: no plan could be made' % (md_text(title), summary['mode']),
             '', 'The preflight found %d problem(s) on %d of %d systems, so no plan could be made and nothing was '
             'written on any system. Fix every problem below and run again.' % (
                 len(problems), len(failing), len(hosts)),
             '', '| system | problems |', '|---|---|']
    for host in sorted(hosts):
        found = by_host.get(host, [])
        label = next((p.get('label') for p in found if p.get('label')), None)
        name = '%s (%s)' % (host, label) if label else host
        text = '<br>'.join(_cell(p['problem']) for p in found) if found else 'ready (no problem found)'
        lines.append('| %s | %s |' % (_text(name), text))
    for problem in by_host.get(None, []):
        lines.append('| (the run) | %s |' % _cell(problem['problem']))
    others = [f for f in summary['failures'] if not f.get('preflight')]
    if others:
        lines += ['', '### Other failures', '', '| system | task | message |', '|---|---|---|']
        for failure in others:
            lines.append('| %s | %s | %s |' % (_text(failure['host']), _text(failure['task']),
                                               _cell(failure['message'])))
    return '\n'.join(lines) + '\n'


def render_markdown(summary, title='collab.uc'):
    """The Markdown page of a summary ``{"mode", "hosts": {host: {"status", "rows": [...]}}, "failures"}``, the
    systems in alphabetical order; with ``summary["preflight"]`` (a preflight that failed), no plan but every
    problem, per system."""
    mode = summary['mode']
    if (summary.get('preflight') or {}).get('planned') is False:
        return render_preflight(summary, title)
    lines = ['## %s %s' % (md_text(title), HEADINGS.get(mode, mode)), '']
    hosts = summary['hosts']
    changed = [h for h in sorted(hosts) if hosts[h]['rows']]
    unchanged = [h for h in sorted(hosts) if not hosts[h]['rows'] and hosts[h]['status'] == 'ok']
    verb = 'changed' if mode == 'apply' else 'would change'
    names = (': ' + ', '.join(md_text(h) for h in changed)) if changed else ''
    lines.append('%d of %d systems %s%s.' % (len(changed), len(hosts), verb, names))
    for host in changed:
        lines += ['', '### %s' % md_text(host), '', '| setting | from | to | task |', '|---|---|---|---|']
        for row in hosts[host]['rows']:
            lines.append('| %s | %s | %s | %s |' % (_text(row['setting']), _text(row['from']), _text(row['to']),
                                                    _text(row['task'])))
    if unchanged:
        lines += ['', 'No change: %s.' % ', '.join(md_text(h) for h in unchanged)]
    if summary['failures']:
        lines += ['', '### Failures', '', '| system | task | message |', '|---|---|---|']
        for failure in summary['failures']:
            lines.append('| %s | %s | %s |' % (_text(failure['host']), _text(failure['task']),
                                               _cell(failure['message'])))
    return '\n'.join(lines) + '\n'


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'collab.uc.gitops_summary'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._hosts = {}
        self._failures = []
        self._preflight = None
        self._drift = False

    def _host(self, name):
        return self._hosts.setdefault(name, {'status': 'ok', 'rows': []})

    def _record(self, result, label=None):
        host = self._host(result._host.get_name())
        for row in rows_from_result(result._result, label, bool(context.CLIARGS.get('check'))):
            row['task'] = _task_name(result._task)
            host['rows'].append(row)

    def _note(self, result):
        """What a role's planner says about the run (collab.uc.oauth_refresh_login_plan): the preflight's
        outcome, whether the run detects drift, every host of the play (those that leave the role after the plan
        have no task result of their own), and, in the combine step of a sliced run, what the slices did."""
        for name in result._result.get('collab_uc_hosts') or []:
            self._host(str(name))
        slices = result._result.get('collab_uc_slices')
        if isinstance(slices, dict):
            for name, entry in sorted((slices.get('hosts') or {}).items()):
                host = self._host(name)
                host['rows'].extend(_plain(entry.get('rows') or []))
                if entry.get('status') and entry['status'] != 'ok':
                    host['status'] = entry['status']
        preflight = result._result.get('collab_uc_preflight')
        if isinstance(preflight, dict):
            self._preflight = _plain(preflight)
            self._drift = self._drift or bool(preflight.get('drift'))
            for problem in self._preflight.get('problems') or []:
                if problem.get('host'):
                    self._host(problem['host'])['status'] = 'failed'
            return bool(self._preflight.get('problems'))
        if 'collab_uc_drift' in result._result:
            self._drift = True
        return False

    def _failure(self, result, status):
        name = result._host.get_name()
        preflight = self._note(result)
        if not preflight:
            self._host(name)['status'] = status
        if result._result.get('_ansible_no_log'):
            message = 'the output has been hidden due to no_log'
        else:
            message = str(result._result.get('msg') or result._result.get('reason') or status)
        self._failures.append({'host': name, 'task': _task_name(result._task), 'message': message,
                               'preflight': preflight})

    def v2_runner_on_ok(self, result):
        self._note(result)
        if 'results' not in result._result:  # a loop's items are recorded one by one
            self._record(result)

    def v2_runner_item_on_ok(self, result):
        self._record(result, result._result.get('_ansible_item_label', result._result.get('item')))

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if not ignore_errors:
            self._failure(result, 'failed')

    def v2_runner_on_unreachable(self, result):
        self._failure(result, 'unreachable')

    def v2_runner_on_skipped(self, result):
        self._host(result._host.get_name())

    def summary(self):
        check = context.CLIARGS.get('check')
        mode = ('drift' if self._drift else 'plan') if check else 'apply'
        summary = {'mode': mode, 'hosts': self._hosts, 'failures': self._failures}
        if self._preflight is not None:
            summary['preflight'] = self._preflight
        return summary

    def v2_playbook_on_stats(self, stats):
        for name in sorted(stats.processed):
            self._host(name)
        summary = self.summary()
        text = render_markdown(summary, self.get_option('title'))
        if self.get_option('output'):
            with open(self.get_option('output'), 'w') as handle:
                handle.write(text)
        if self.get_option('json_output'):
            with open(self.get_option('json_output'), 'w') as handle:
                json.dump(_plain(summary), handle, indent=2, sort_keys=True)
        if self.get_option('display'):
            self._display.display(text)
