#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cucm_cli_command
short_description: Run platform CLI commands on a CUCM node and return their output
version_added: 1.1.0
description:
  - Runs commands on the platform administration CLI (C(admin:)) of a Cisco Unified Communications Manager (CUCM)
    or IM and Presence node over SSH, and returns their output cleaned of echo, prompt, paging and terminal
    escape sequences. For what the collection has no module for.
  - Read-only by default. Without O(allow_changes), only the commands of an exact list of read-only commands run,
    judged as the CLI sees them (spaces folded, case ignored) - C(show key authz signing|encryption),
    C(show version active|inactive), C(show myself), C(show status), C(show hardware), C(show environment),
    C(show timezone config), C(show network cluster|eth0|status|route|dhcp|ipprefs), C(show network ntp option),
    C(show cert own|trust|list), C(show ctl), C(show itl), C(show diskusage), C(show memory),
    C(show process list|load), C(show open ports|files), C(show stats io), C(show logins), C(show account),
    C(show accountlocking), C(show web-security), C(show workingdir), C(show ups status), C(show perf list),
    C(show risdb list), C(utils service list), C(utils dbreplication runtimestate), C(utils ntp status),
    C(utils core active|inactive list), C(utils network ping|traceroute|host), C(utils network arp list),
    C(utils fips status), C(utils sso status), C(utils system upgrade status) and
    C(utils firewall ipv4 status|list) - each followed only by plain arguments (names, addresses, numbers) and
    never by C(file) (which writes the output to a file on the node). Any other command (C(set ...),
    C(utils service restart ...), C(utils network capture ...), C(utils dbreplication status), C(show tech ...),
    ...) is refused before the login.
  - Commands and answers may hold only printable ASCII characters (space to C(~)), at most 1024 each. A control
    character (DEL, backspace, tab, ESC, Ctrl-C, Ctrl-U, NUL, a new line...), a C1 control (such as NEL) or any
    other non-ASCII character is refused before the login, whatever O(allow_changes) says, since the CLI's line
    editor would act on it (erase, cancel or recall what was typed) and run another command than the one given.
  - A command that asks for confirmation gets only the answers given in its C(answers); a question with no answer
    left is declined and the task fails.
  - All commands of a task run on one SSH login, in order; the first one that fails ends the task (the CLI's
    words in the message, and the outputs so far in the result).
author:
  - collab.uc contributors (@collab-uc)
extends_documentation_fragment:
  - collab.uc.cucm_cli_connection
  - collab.uc.ssh_connection
  - collab.uc.attributes
attributes:
  check_mode:
    support: partial
    details: Read-only commands run in check mode; any other command is not run, and the task reports it as a change.
  diff_mode:
    support: none
  action_group:
    membership: [collab.uc.cucm_cli]
options:
  commands:
    description:
      - The commands, in order. Each is a command line (a string), or a dictionary with C(command) and
        C(answers).
      - C(answers) is the list of replies to the command's confirmation questions (for example V(yes)), in the
        order the CLI asks them. A command without C(answers) declines every question.
      - Commands and answers are lines of printable ASCII (see the description).
    type: list
    elements: raw
    required: true
  allow_changes:
    description:
      - Also run commands that are not read-only (C(set ...), C(utils service restart ...), ...). The task then
        reports V(changed) when such a command ran. A command the CLI refused (C(Executed command unsuccessfully))
        or whose question was declined changed nothing and does not count; one whose connection dropped or that
        timed out may have, and does.
    type: bool
    default: false
notes:
  - The platform refuses commands above the account's privilege level with C(Executed command unsuccessfully).
  - A command whose connection drops is not repeated; the task fails saying it may or may not have been carried
    out.
  - In check mode with O(ssh_host_key_checking=accept_new), an unknown host key is trusted for that run only and
    not written to O(ssh_known_hosts); the task warns.
seealso:
  - module: collab.uc.cucm_authz_keys
'''

EXAMPLES = r'''
- name: Read the active version and the services of the publisher
  collab.uc.cucm_cli_command:
    ssh_host: cucm-pub.example.com
    ssh_username: osadmin
    ssh_password: "{{ vault_cucm_platform_password }}"
    commands:
      - show version active
      - utils service list
  register: cli

- name: Show what was read
  ansible.builtin.debug:
    msg: "{{ cli.results[0].output }}"

- name: Restart Cisco Tomcat on a subscriber (changes the node, so allow_changes)
  collab.uc.cucm_cli_command:
    ssh_host: cucm-sub1.example.com
    ssh_username: osadmin
    ssh_password: "{{ vault_cucm_platform_password }}"
    allow_changes: true
    commands:
      - utils service restart Cisco Tomcat

- name: A command that asks for confirmation gets its answers explicitly
  collab.uc.cucm_cli_command:
    ssh_host: cucm-pub.example.com
    ssh_username: osadmin
    ssh_password: "{{ vault_cucm_platform_password }}"
    allow_changes: true
    commands:
      - command: set key regen authz signing
        answers: ['yes']
'''

RETURN = r'''
changes:
  description:
    - What the task changed (in check mode, would change), one entry per change, in the order made; empty when
      nothing changed. Every module of collab.uc returns its changes under this key, in this shape.
    - Here one entry per command run that may change the node (any command not on the read-only list), in order; in
      check mode, each such command, which is not run (RV(not_run)).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: What changed, here the command as typed.
      type: str
      returned: always
    action:
      description: What was done to it (in check mode, would be done), here always V(executed).
      type: str
      returned: always
      choices: [executed]
    outcome:
      description:
        - V(unknown) for a command whose answer was lost (a drop, a timeout), so that whether it ran is unknown;
          the task then fails. Absent otherwise.
      type: str
      returned: on failure, for the command whose answer was lost
  sample: [{name: utils service restart Cisco Tomcat, action: executed}]
host:
  description:
    - The system the task acted on, as addressed (O(ssh_host)), without the port.
    - Every module of collab.uc that talks to a system names it under this key.
  returned: always
  type: str
  sample: cucm-sub1.example.com
results:
  description: One entry per command that ran, in order.
  returned: always
  type: list
  elements: dict
  contains:
    command:
      description: The command as typed.
      type: str
      returned: always
    output:
      description: What the CLI printed, without the echoed command, the prompt, pager prompts and escapes.
      type: str
      returned: always
    lines:
      description: RV(results[].output) as a list of lines.
      type: list
      elements: str
      returned: always
  sample:
    - command: show version active
      output: "Active Master Version: 14.0.1.13900-155"
      lines: ["Active Master Version: 14.0.1.13900-155"]
stdout:
  description: The output of every command that ran, in order (as other collections' C(*_command) modules return).
  returned: always
  type: list
  elements: str
  sample: ["Active Master Version: 14.0.1.13900-155"]
stdout_lines:
  description: RV(stdout), each output as a list of lines.
  returned: always
  type: list
  elements: list
  sample: [["Active Master Version: 14.0.1.13900-155"]]
not_run:
  description: In check mode, the commands not run because they are not read-only.
  returned: always
  type: list
  elements: str
  sample: []
ssh_logins:
  description: How many SSH logins the task used (one; none when nothing had to run).
  returned: always
  type: int
  sample: 1
'''

from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_cli import CucmCli, is_read_only
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import OutcomeUnknown, UCError, shorten
from ansible_collections.collab.uc.plugins.module_utils.transport._ssh import shown, typed_problem
from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule, change


class CucmCliCommand(UCModule):
    connections = ('cucm_cli',)
    argument_spec = dict(
        commands=dict(type='list', elements='raw', required=True),
        allow_changes=dict(type='bool', default=False),
    )

    def commands(self):
        """``[(command, answers)]`` from the option, validated (before any login)."""
        out = []
        for n, item in enumerate(self.params['commands']):
            if isinstance(item, str):
                command, answers = item, []
            elif isinstance(item, dict) and set(item) <= {'command', 'answers'} and isinstance(
                    item.get('command'), str):
                command, answers = item['command'], item.get('answers') or []
                if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
                    self.module.fail_json(msg='commands[%d].answers must be a list of strings' % n)
            else:
                self.module.fail_json(msg='commands[%d] must be a command line or a dictionary with command and '
                                          'answers, got %s' % (n, shorten(repr(item), 200)))
            problems = [typed_problem(command, 'commands[%d]' % n)] + [
                typed_problem(answer, 'commands[%d].answers[%d]' % (n, i)) for i, answer in enumerate(answers)]
            problems = [problem for problem in problems if problem]
            if problems:
                self.module.fail_json(msg='%s. Nothing was sent (no login)' % '; '.join(problems))
            if not command.strip():
                self.module.fail_json(msg='commands[%d] must be one non-empty line' % n)
            out.append((' '.join(command.split()), list(answers)))
        if not out:
            self.module.fail_json(msg='commands must list at least one command')
        return out

    def execute(self):
        commands = self.commands()
        changing = [command for command, dummy in commands if not is_read_only(command)]
        if changing and not self.params['allow_changes']:
            self.module.fail_json(msg='refused, as they may change the node: %s. Only the read-only commands listed '
                                      'in the module documentation run by default; set allow_changes=true to run '
                                      'these. Nothing was sent (no login)'
                                      % shorten(', '.join(shown(command) for command in changing), 1000))
        results, skipped, changes = [], [], []
        cli = None
        running = None
        try:
            for command, answers in commands:
                if command in changing and self.check_mode:
                    skipped.append(command)
                    changes.append(change(command, 'executed'))
                    continue
                if cli is None:
                    cli = CucmCli(self.session('cucm_cli'))
                running = command
                output = cli.run(command, answers=answers)
                running = None
                if command in changing:
                    changes.append(change(command, 'executed'))
                results.append(dict(command=command, output=output, lines=output.split('\n') if output else []))
        except UCError as error:
            # A command the CLI refused or whose question was declined changed nothing; one whose answer was lost
            # (a drop, a timeout) may have changed the node.
            if isinstance(error, OutcomeUnknown) and running in changing:
                changes.append(change(running, 'executed', outcome='unknown'))
            self.fail(error, changed=bool(changes), **self.report(results, skipped, changes))
        return dict(changed=bool(changes), **self.report(results, skipped, changes))

    def report(self, results, skipped, changes):
        return dict(results=results, stdout=[r['output'] for r in results],
                    stdout_lines=[r['lines'] for r in results], not_run=skipped, changes=changes,
                    ssh_logins=self.logins())


def main():
    CucmCliCommand().run()


if __name__ == '__main__':
    main()
