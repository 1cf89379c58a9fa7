# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """What every HTTPS connection group (CUCM, Unity Connection) shares; used with the group's own fragment.

    Ansible merges the fragments of a module option by option and key by key, not line by line: this fragment
    gives what ``HttpsConnection`` gives every product (``type``, ``required``, ``aliases``, the defaults that do
    not differ) and the options documented alike for all (``timeout``, ``retries``); the group's fragment gives the
    ``description`` of the others (the product's words and its environment variables) and its ``port`` default.
    A key is given by one of the two fragments only (tests/unit/plugins/doc_fragments checks it).
    """

    DOCUMENTATION = r'''
options:
  host:
    type: str
    required: true
  port:
    type: int
  username:
    type: str
    required: true
    aliases: [user]
  password:
    type: str
    required: true
  validate_certs:
    type: bool
    default: true
  ca_path:
    type: path
  timeout:
    description:
      - Seconds to wait for the server to connect and to answer one request.
    type: int
    default: 30
  retries:
    description:
      - How often to retry a request the server throttled (HTTP 503; for CUCM also the
        C(Maximum AXL Memory Allocation Consumed) fault) or whose connection dropped, with exponential backoff and
        jitter. Between V(0) and V(20).
      - HTTP 401 and 403 are never retried, so that the server does not lock the account.
      - A write that is not safe to repeat (creating an object) is never sent again once its answer was lost; the
        module reads the state instead to learn whether it was carried out.
    type: int
    default: 5
notes:
  - Runs on the controller (or wherever it is delegated); it needs no Python package beyond ansible-core.
'''
