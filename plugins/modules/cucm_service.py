#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cucm_service
short_description: Start, stop or restart services on one CUCM or IM and Presence node and wait for them
version_added: 1.1.0
description:
  - Brings a list of services on one node of a Cisco Unified Communications Manager (CUCM) cluster (CUCM or
    IM and Presence) to a state through Serviceability (C(soapGetServiceStatus), C(soapDoControlServices)),
    sent to that node, since every Serviceability call acts on the node it reaches.
  - Reads the status of every service first and checks every one (known on this node, activated) before it
    changes anything. A name the node does not know fails with the services the node can run, as its
    Serviceability lists them (C(soapGetStaticServiceList)). V(started) and V(stopped) are states - a service already there is left alone (C(ok)).
    V(restarted) restarts every service, unless O(restarted_after) says which restarts are already done.
  - With O(wait) (the default), polls the status until every service shows the wanted status, at most one
    request every O(poll_interval) seconds to the node, and fails after O(wait_timeout) seconds saying which services
    did not get there and what they showed.
  - V(Cisco Tomcat) serves Serviceability itself, so it is started, stopped and restarted through the node's
    platform CLI over SSH (C(utils service restart Cisco Tomcat)), with the O(ssh_username) and O(ssh_password)
    of the platform administrator; its status is still read through Serviceability. While that node's Tomcat is
    down, its Serviceability answers 503 or refuses connections, which the wait counts as "not back yet".
    Without the SSH options, a task that would act on Cisco Tomcat fails before it changes anything.
  - For rolling restarts across a cluster, see the role C(collab.uc.rolling_restart).
author:
  - collab.uc contributors (@collab-uc)
extends_documentation_fragment:
  - collab.uc.cucm_connection
  - collab.uc.https_connection
  - collab.uc.cucm_cli_connection
  - collab.uc.ssh_connection
  - collab.uc.attributes
attributes:
  check_mode:
    support: full
    details: Reads the status and reports what would be started, stopped or restarted (Cisco Tomcat included);
      never sends a control request and never opens an SSH session.
  diff_mode:
    support: full
    details: Before is each service's status, after the status it is brought to.
  action_group:
    membership: [collab.uc.cucm, collab.uc.cucm_cli]
options:
  services:
    description:
      - The services, as Cisco Unified Serviceability names them (for example V(Cisco CallManager),
        V(Cisco XCP Authentication Service)).
      - V(Cisco Tomcat) serves Serviceability itself and is started, stopped or restarted through the platform CLI
        (needs O(ssh_username) and O(ssh_password)); reading its state (for example V(started) on a started
        Tomcat) needs no SSH. Serviceability services are controlled first, Cisco Tomcat last.
      - The alias C(name) is deprecated and will be removed in 2.0.0, since C(name) names one object in the other
        modules of collab.uc (an AuthZ server, an enterprise parameter), never a list; no option of collab.uc has
        an alias then.
    type: list
    elements: str
    required: true
    aliases: [name]
  state:
    description:
      - V(started) starts services that are not running; V(stopped) stops running ones; V(restarted) restarts
        them (see O(restarted_after)).
    type: str
    required: true
    choices: [started, stopped, restarted]
  node:
    description:
      - The node to act on, as the cluster names it (what M(collab.uc.cucm_node_info) returns as C(name)); the
        connection goes to this node, with the credentials of the connection options.
      - Default is O(host).
    type: str
  restarted_after:
    description:
      - With O(state=restarted), a service that has started since this time (or is starting now) counts as
        restarted and is left alone. So a rolling restart that was interrupted and is run again with the same
        time restarts only what still needs it.
      - Epoch seconds, or an ISO 8601 date and time with a time zone (V(2026-12-01T08:00:00Z)).
      - Compared with the controller's clock; the start time is taken from the node's C(UpTime), so the node's
        clock and time zone do not matter.
    type: str
  wait:
    description:
      - Wait until every service shows the wanted status (C(Started), or C(Stopped) for O(state=stopped)).
      - A restarted or started service counts only once it has started after the request.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the services, from 1 to 86400. (O(timeout) is the timeout of one HTTP request.)
    type: int
    default: 600
  poll_interval:
    description:
      - Seconds between two requests to the node (status polls, retries), at least 2, as CUCM rate-limits
        Serviceability.
      - The node's answers adapt it - an C(Exceeded allowed rate) fault (or a 503 with C(Retry-After)) doubles
        it, up to 16 times this value, each answer served shortens it again by a quarter of it, and a
        C(Retry-After) holds the next request until it has passed. Throttling is retried O(retries) times, each
        retry waiting its turn.
    type: float
    default: 2.0
  ssh_host:
    description:
      - Address (name or IP) of the platform CLI of O(node), used only to act on V(Cisco Tomcat).
      - Default is O(node), since the CLI acts on the node it runs on. The E(CUCM_SSH_HOST) environment variable
        is not used by this module, as it names one node for every task.
    type: str
  ssh_username:
    description:
      - The platform (OS) administrator of the node's CLI, needed only to act on V(Cisco Tomcat). This is not
        the Serviceability user.
      - If not set, the value of the E(CUCM_SSH_USERNAME) environment variable is used.
    type: str
    required: false
  ssh_password:
    description:
      - Password of O(ssh_username), needed only to act on V(Cisco Tomcat). Sent only in the SSH authentication
        exchange; never logged or returned. A wrong password is never retried.
      - If not set, the value of the E(CUCM_SSH_PASSWORD) environment variable is used.
    type: str
    required: false
notes:
  - The user needs access to Serviceability (on CUCM, for example, the C(Standard CCM Admin Users) and
    C(Standard SERVICEABILITY) roles).
  - A restart whose answer is lost (dropped connection) is not sent again blindly; the status tells whether it
    happened, and only a service that shows no sign of it is asked again. A platform CLI command (Cisco Tomcat)
    whose answer is lost is never typed again - the status decides, and the task fails if it shows no sign of it.
  - The C(wait_timeout) starts once the control requests (and the CLI command) are done.
seealso:
  - module: collab.uc.cucm_node_info
'''

EXAMPLES = r'''
- name: Restart Cisco CallManager on one subscriber and wait until it is back
  collab.uc.cucm_service:
    host: cucm-pub.example.com
    username: ccmadmin
    password: "{{ vault_cucm_password }}"
    node: cucm-sub1.example.com
    services: [Cisco CallManager]
    state: restarted
    wait_timeout: 900

- name: Restart only if it has not started since the keys were regenerated (safe to run again)
  collab.uc.cucm_service:
    node: cucm-sub1.example.com
    services: [Cisco CallManager]
    state: restarted
    restarted_after: "{{ authz_keys_regenerated_at }}"

- name: Restart Cisco Tomcat on one node through its platform CLI, then wait until Serviceability sees it back
  collab.uc.cucm_service:
    node: cucm-sub1.example.com
    services: [Cisco Tomcat]
    state: restarted
    restarted_after: "{{ authz_keys_regenerated_at }}"
    ssh_username: "{{ platform_admin }}"
    ssh_password: "{{ vault_platform_password }}"

- name: The same with the connections set once for a play (both groups)
  module_defaults:
    group/collab.uc.cucm:
      host: cucm-pub.example.com
      username: ccmadmin
      password: "{{ vault_cucm_password }}"
    group/collab.uc.cucm_cli:
      ssh_username: "{{ platform_admin }}"
      ssh_password: "{{ vault_platform_password }}"
  collab.uc.cucm_service:
    node: cucm-sub1.example.com        # also the SSH host
    services: [Cisco CallManager, Cisco Tomcat]
    state: restarted

- name: Make sure the XCP Authentication Service runs on an IM and Presence node
  collab.uc.cucm_service:
    node: imp1.example.com
    services: [Cisco XCP Authentication Service]
    state: started
'''

RETURN = r'''
changes:
  description:
    - What the task changed (in check mode, would change), one entry per change, in the order made; empty when
      nothing changed. Every module of collab.uc returns its changes under this key, in this shape.
    - Here one entry per service started, stopped or restarted, in the order given (a service only waited for is no
      change); on a failure, the services acted on or about to be.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: What changed, here the service, as the node spells it.
      type: str
      returned: always
    action:
      description: What was done to it (in check mode, would be done).
      type: str
      returned: always
      choices: [started, stopped, restarted]
    before:
      description: Its status before.
      type: str
      returned: always
    after:
      description: Its status at the end (in check mode, the status it would be brought to).
      type: str
      returned: always
  sample: [{name: Cisco CallManager, action: restarted, before: Started, after: Started}]
host:
  description:
    - The system the task acted on, as addressed (O(node), else O(host)), without the port.
    - Every module of collab.uc that talks to a system names it under this key.
  returned: always
  type: str
  sample: cucm-sub1.example.com
node:
  description:
    - The node acted on, the same as RV(host).
    - Deprecated, use RV(host); removed in 2.0.0.
  returned: always
  type: str
  sample: cucm-sub1.example.com
services:
  description: One entry per service, in the order given.
  returned: success, and on failure once the status was read
  type: list
  elements: dict
  contains:
    name:
      description: The service's name as the node spells it.
      type: str
    before:
      description: Its status before the task.
      type: str
    status:
      description:
        - Its status at the end (C(Started), C(Stopped), C(Starting), C(Stopping)).
        - C(Unknown) with O(wait=false) right after a Cisco Tomcat restart, when the node's Serviceability does not
          answer yet.
      type: str
    action:
      description: What was sent (or would be, in check mode) - V(Start), V(Stop), V(Restart) - or V(null).
      type: str
    waited:
      description: True when the service was already on its way to the wanted status and was only waited for.
      type: bool
    started_at:
      description: When it started, epoch seconds on the controller's clock; V(null) when not started.
      type: float
    start_time:
      description: The node's C(StartTime) text.
      type: str
    up_time:
      description: Seconds since it started.
      type: int
    reason_code:
      description: The reason code (-1 success, -1068 Service Not Activated, -1069 Commanded Out of Service).
      type: int
    reason:
      description: The reason in words, empty on success.
      type: str
  sample:
    - name: Cisco CallManager
      before: Started
      status: Started
      action: Restart
      waited: false
      started_at: 1796115461.0
      start_time: Tue Dec 01 08:57:41 2026
      up_time: 3
      reason_code: -1
      reason: ''
actions:
  description:
    - What each service needed ({service name - action or null}).
    - Deprecated, use RV(changes) (what was done) and RV(services) (every service); removed in 2.0.0.
  returned: success
  type: dict
  sample: {"Cisco CallManager": "Restart"}
commands:
  description:
    - The platform CLI commands typed (only for Cisco Tomcat), in order; empty in check mode.
  returned: success, and on failure once the status was read
  type: list
  elements: str
  sample: [utils service restart Cisco Tomcat]
ssh_host:
  description: Where the platform CLI was reached (V(null) when no command was typed).
  returned: success, and on failure once the status was read
  type: str
  sample: cucm-sub1.example.com:22
'''

from ansible_collections.collab.uc.plugins.module_utils.connection._connection import connection
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_cli import CucmCli, service_command
from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule, change
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_serviceability import (
    MIN_INTERVAL, TOMCAT, ServiceabilityClient)
from ansible_collections.collab.uc.plugins.module_utils.domain._cucm_services import WANTED, converge, parse_time

# the action sent to a service, as RV(changes[].action) says it
DONE = {'Start': 'started', 'Stop': 'stopped', 'Restart': 'restarted'}


class CucmService(UCModule):
    # the platform CLI is needed only for Cisco Tomcat: its options are optional here
    connections = ('cucm', connection('cucm_cli', optional=True))
    argument_spec = dict(
        services=dict(type='list', elements='str', required=True, aliases=['name'],
                      deprecated_aliases=[dict(name='name', version='2.0.0', collection_name='collab.uc')]),
        state=dict(type='str', required=True, choices=['started', 'stopped', 'restarted']),
        node=dict(type='str'),
        restarted_after=dict(type='str'),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=600),
        poll_interval=dict(type='float', default=MIN_INTERVAL),
        # the node's own CLI by default: no CUCM_SSH_HOST fallback, which would send every node's command to one
        ssh_host=dict(type='str'),
    )

    def execute(self):
        params = self.params
        services = [s.strip() for s in params['services'] if s and s.strip()]
        if not services:
            self.module.fail_json(msg='services must name at least one service')
        if len(set(s.lower() for s in services)) != len(services):
            self.module.fail_json(msg='services lists a service twice: %s' % ', '.join(services))
        if not 1 <= params['wait_timeout'] <= 86400:
            self.module.fail_json(msg='wait_timeout must be between 1 and 86400 seconds, got %s'
                                      % params['wait_timeout'])
        if params['poll_interval'] < MIN_INTERVAL:
            self.module.fail_json(msg='poll_interval must be at least %s seconds (CUCM rate-limits Serviceability), '
                                      'got %s' % (MIN_INTERVAL, params['poll_interval']))
        restarted_after = None
        if params['restarted_after'] is not None:
            if params['state'] != 'restarted':
                self.module.fail_json(msg='restarted_after only goes with state=restarted')
            try:
                restarted_after = parse_time(params['restarted_after'])
            except ValueError as exc:
                self.module.fail_json(msg='restarted_after: %s' % exc)
        node = params['node'] or self.connection_values()['host']
        client = ServiceabilityClient(self.http_session(host=node), min_interval=params['poll_interval'])
        ssh_host = params['ssh_host'] or node
        if ssh_host.lower() != node.lower() and any(s.lower() == TOMCAT.lower() for s in services):
            self.module.warn('ssh_host %s is not the node %s: the platform CLI acts on the node it runs on, so '
                             'ssh_host must be that node\'s CLI address (unset, it is the node)' % (ssh_host, node))
        cli, missing, commands = self.platform_cli(ssh_host)
        result, error = converge(client, services, params['state'], restarted_after, self.check_mode,
                                 params['wait'], params['wait_timeout'], cli=cli, cli_missing=missing)
        wanted = WANTED[params['state']]
        # node: the old name of host, returned until 2.0.0
        result.update(host=node, node=node, commands=commands, ssh_host=self._cli.host if self._cli else None,
                      changes=[change(s['name'], DONE[s['action']], s['before'],
                                      wanted if self.check_mode else s['status'])
                               for s in result['services'] if s['action']])
        self.diff(result, dict((s['name'], s['before']) for s in result['services']),
                  dict((s['name'], wanted if s['action'] or s['waited'] else s['before']) for s in result['services']))
        if error is not None:
            self.fail(error, **result)
        return result

    _cli = None

    def identity(self):
        return self.params['node'] or super(CucmService, self).identity()

    def platform_cli(self, ssh_host):
        """``(cli, missing, commands)``: the hook ``converge`` calls for Cisco Tomcat (None without SSH options),
        the hint naming the missing options, and the list of the commands typed. The SSH session is opened at
        the first command, so a task that types none (check mode, nothing to do) never logs in."""
        group = self.group('cucm_cli')
        lacking = group.missing(self.connection_values('cucm_cli'))
        commands = []
        if lacking:
            return None, ('Set %s - in the task, in module_defaults for group/collab.uc.cucm_cli, or in the '
                          'environment; ssh_host defaults to the node - or leave Cisco Tomcat out of the list'
                          % ' and '.join(lacking)), commands

        def cli(action, name):
            if self._cli is None:
                self._cli = CucmCli(self.session('cucm_cli', host=ssh_host))
            commands.append(service_command(action, name))
            self._cli.control_service(action, name)
        return cli, None, commands


def main():
    CucmService().run()


if __name__ == '__main__':
    main()
