# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Options of the cuc connection group; their descriptions and the port default.
    Used with ``collab.uc.https_connection``, which gives their types and the rest."""

    DOCUMENTATION = r'''
options:
  host:
    description:
      - Address (name or IP) of the Unity Connection publisher.
      - If not set, the value of the E(CUC_HOST) environment variable is used.
  port:
    description:
      - HTTPS port of Unity Connection's REST APIs.
      - If not set, the value of the E(CUC_PORT) environment variable is used, else V(443).
    default: 443
  username:
    description:
      - A Connection administrator (System Administrator role).
      - If not set, the value of the E(CUC_USERNAME) environment variable is used.
  password:
    description:
      - Password of O(username). Never logged or returned.
      - If not set, the value of the E(CUC_PASSWORD) environment variable is used.
  validate_certs:
    description:
      - Verify Connection's TLS certificate. Set to V(false) only in a lab.
      - If not set, the value of the E(CUC_VALIDATE_CERTS) environment variable is used, else V(true).
  ca_path:
    description:
      - PEM file, or directory of hashed certificates, holding the CA that signed Connection's Tomcat certificate.
      - If not set, the value of the E(CUC_CA_PATH) environment variable is used, else the system trust store.
'''
