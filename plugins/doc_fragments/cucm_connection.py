# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Options of the cucm connection group; their descriptions and the port default.
    Used with ``collab.uc.https_connection``, which gives their types and the rest."""

    DOCUMENTATION = r'''
options:
  host:
    description:
      - Address (name or IP) of the CUCM publisher.
      - If not set, the value of the E(CUCM_HOST) environment variable is used.
  port:
    description:
      - HTTPS port of CUCM's Tomcat.
      - If not set, the value of the E(CUCM_PORT) environment variable is used, else V(8443).
    default: 8443
  username:
    description:
      - An application or end user with the C(Standard AXL API Access) role.
      - If not set, the value of the E(CUCM_USERNAME) environment variable is used.
  password:
    description:
      - Password of O(username). Never logged or returned.
      - If not set, the value of the E(CUCM_PASSWORD) environment variable is used.
  validate_certs:
    description:
      - Verify CUCM's TLS certificate. Set to V(false) only in a lab.
      - If not set, the value of the E(CUCM_VALIDATE_CERTS) environment variable is used, else V(true).
  ca_path:
    description:
      - PEM file, or directory of hashed certificates, holding the CA that signed CUCM's Tomcat certificate.
      - If not set, the value of the E(CUCM_CA_PATH) environment variable is used, else the system trust store.
  axl_version:
    description:
      - AXL schema version to speak, for example V(14.0) or V(15.0).
      - When omitted, it is found with C(getCCMVersion), at the cost of one request.
    type: str
notes:
  - One HTTP session is used per task, with keep-alive and the C(JSESSIONIDSSO) cookie, so Basic auth is sent once.
'''
