# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The nodes of a CUCM cluster, from AXL ``listProcessNode``.

Internal module: the leading underscore means its API may change without notice.

A node's ``name`` is what ``listProcessNode`` answers (the address or host name the node was installed with):
the name a client connects to, and the ``NodeName`` Serviceability expects. The virtual node
``EnterpriseWideData`` (which holds the enterprise parameters) is left out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.collab.uc.plugins.module_utils.transport import _soap


ENTERPRISE_NODE = 'EnterpriseWideData'
IM_PRESENCE_ROLE = 'CUCM IM and Presence'
TAGS = ('name', 'description', 'nodeUsage', 'processNodeRole')


def list_nodes(axl):
    """The cluster's nodes in the order CUCM lists them, each ``{name, description, publisher (bool), product
    ('cucm' or 'im_presence'), node_usage, process_node_role}``."""
    result = axl.call('listProcessNode', [('searchCriteria', [('name', '%')]),
                                          ('returnedTags', [(tag, None) for tag in TAGS])], True)
    nodes = []
    for element in (result if result is not None else ()):
        if _soap.local(element.tag) != 'processNode':
            continue
        values = dict((tag, _soap.stripped(_soap.child(element, tag)) or '') for tag in TAGS)
        if not values['name'] or values['name'] == ENTERPRISE_NODE:
            continue
        im_presence = values['processNodeRole'].lower() == IM_PRESENCE_ROLE.lower()
        nodes.append({
            'name': values['name'],
            'description': values['description'],
            'publisher': values['nodeUsage'].lower() == 'publisher' and not im_presence,
            'product': 'im_presence' if im_presence else 'cucm',
            'node_usage': values['nodeUsage'],
            'process_node_role': values['processNodeRole'],
        })
    return nodes


def rolling_order(nodes, products=('cucm',)):
    """Names of the nodes of ``products`` in the order a rolling restart takes them: subscribers first (as
    listed), the publisher last."""
    chosen = [n for n in nodes if n['product'] in products]
    return [n['name'] for n in chosen if not n['publisher']] + [n['name'] for n in chosen if n['publisher']]
