#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cucm_node_info
short_description: List the nodes of a CUCM cluster, optionally with the status of services on each
version_added: 1.1.0
description:
  - Lists the nodes of a Cisco Unified Communications Manager (CUCM) cluster with AXL C(listProcessNode), sent
    to the publisher given in O(host) - each node's name, whether it is the publisher, and whether it is a CUCM or
    an IM and Presence node. The virtual node C(EnterpriseWideData) is left out.
  - With O(services), also reads the status of those services on each node through Serviceability
    (C(soapGetServiceStatus)), sent to each node itself, since every Serviceability call acts on the node it
    reaches. Services a node does not run are reported as not deployable there, not as errors.
  - Never changes anything.
author:
  - collab.uc contributors (@collab-uc)
extends_documentation_fragment:
  - collab.uc.cucm_connection
  - collab.uc.https_connection
  - collab.uc.attributes
attributes:
  check_mode:
    support: full
    details: The module never changes anything, so it runs the same in check mode.
  diff_mode:
    support: none
  action_group:
    membership: [collab.uc.cucm]
options:
  services:
    description:
      - Services whose status to read on every node, as Cisco Unified Serviceability names them
        (for example V(Cisco CallManager), V(Cisco Tomcat), V(Cisco XCP Authentication Service)).
      - Each node is asked once; requests to one node are at least 2 seconds apart, as CUCM rate-limits
        Serviceability.
    type: list
    elements: str
    default: []
  products:
    description:
      - Which nodes to return (and ask for O(services)) by product.
    type: list
    elements: str
    choices: [cucm, im_presence]
    default: [cucm, im_presence]
notes:
  - The user needs the C(Standard AXL API Access) role for C(listProcessNode) and Serviceability access for
    O(services).
  - Node names are what the cluster was installed with (an address or a host name), so the controller must be
    able to connect to them for O(services).
seealso:
  - module: collab.uc.cucm_service
'''

EXAMPLES = r'''
- name: List the nodes of the cluster
  collab.uc.cucm_node_info:
    host: cucm-pub.example.com
    username: axladmin
    password: "{{ vault_cucm_axl_password }}"
  register: cluster

- name: Status of Cisco CallManager on every CUCM node
  collab.uc.cucm_node_info:
    products: [cucm]
    services: [Cisco CallManager]
  register: ccm

- name: Subscribers first, the publisher last
  ansible.builtin.debug:
    msg: "{{ cluster.rolling_order }}"
'''

RETURN = r'''
changes:
  description:
    - What the task changed (in check mode, would change), one entry per change, in the order made; empty when
      nothing changed. Every module of collab.uc returns its changes under this key, in this shape.
    - This module changes nothing, so the list is always empty.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: What changed, which this module never reports.
      type: str
      returned: always
    action:
      description: What was done to it (in check mode, would be done).
      type: str
      returned: always
  sample: []
host:
  description:
    - The system the task acted on, as addressed (O(host)), without the port.
    - Every module of collab.uc that talks to a system names it under this key.
  returned: always
  type: str
  sample: cucm-pub.example.com
nodes:
  description: The cluster's nodes in the order CUCM lists them (publisher first, as a rule).
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The node's name as the cluster knows it (an address or host name), the one to connect to.
      type: str
      returned: success
    description:
      description: The node's description in CUCM.
      type: str
      returned: success
    publisher:
      description: Whether this is the CUCM publisher.
      type: bool
      returned: success
    product:
      description: V(cucm) for a CUCM node, V(im_presence) for an IM and Presence node.
      type: str
      returned: success
    node_usage:
      description: C(nodeUsage) as AXL answers it (C(Publisher) or C(Subscriber)).
      type: str
      returned: success
    process_node_role:
      description: C(processNodeRole) as AXL answers it (C(CUCM Voice/Video) or C(CUCM IM and Presence)).
      type: str
      returned: success
    services:
      description:
        - With O(services), the status of each on this node, in the order asked. Only present then.
      type: list
      elements: dict
      returned: when O(services) is set
      contains:
        name:
          description: The service's name.
          type: str
        status:
          description: C(Started), C(Stopped), C(Starting), C(Stopping), or C(Unknown) for a service the node
            does not run.
          type: str
        deployable:
          description: Whether the node runs this service at all.
          type: bool
        activated:
          description: Whether the service is activated (reason code -1068 means it is not).
          type: bool
        reason_code:
          description: The reason code (-1 success, -1068 Service Not Activated, -1069 Commanded Out of Service).
          type: int
        reason:
          description: The reason in words, empty on success.
          type: str
        start_time:
          description: The node's C(StartTime) text, as it prints it.
          type: str
        started_at:
          description: When the service started, in epoch seconds on the controller's clock (from C(UpTime)).
          type: float
        up_time:
          description: Seconds since the service started.
          type: int
  sample:
    - name: 10.0.0.10
      description: cucm-pub
      publisher: true
      product: cucm
      node_usage: Publisher
      process_node_role: CUCM Voice/Video
publisher:
  description: The name of the CUCM publisher, V(null) if the list has none.
  returned: success
  type: str
  sample: 10.0.0.10
rolling_order:
  description:
    - The names of the returned nodes in the order a rolling restart takes them; the CUCM subscribers and the IM
      and Presence nodes as listed, then the publisher.
  returned: success
  type: list
  elements: str
  sample: [10.0.0.11, 10.0.0.20, 10.0.0.10]
'''

from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_axl import AxlClient
from ansible_collections.collab.uc.plugins.module_utils.domain._cucm_nodes import list_nodes, rolling_order
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_serviceability import ServiceabilityClient
from ansible_collections.collab.uc.plugins.module_utils.domain._cucm_services import node_service_status


class CucmNodeInfo(UCModule):
    connections = ('cucm',)
    argument_spec = dict(
        services=dict(type='list', elements='str', default=[]),
        products=dict(type='list', elements='str', choices=['cucm', 'im_presence'], default=['cucm', 'im_presence']),
    )

    def execute(self):
        products = self.params['products']
        nodes = [n for n in list_nodes(AxlClient(self.http_session(), self.params['axl_version']))
                 if n['product'] in products]
        services = [s.strip() for s in self.params['services'] if s and s.strip()]
        if services:
            for node in nodes:
                client = ServiceabilityClient(self.http_session(host=node['name']))
                node['services'] = node_service_status(client, services)
        publisher = next((n['name'] for n in nodes if n['publisher']), None)
        return dict(changed=False, nodes=nodes, publisher=publisher, rolling_order=rolling_order(nodes, products))


def main():
    CucmNodeInfo().run()


if __name__ == '__main__':
    main()
