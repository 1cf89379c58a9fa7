# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Options of the cucm_cli connection group (the CUCM platform administration CLI over SSH): their descriptions.
    Used with ``collab.uc.ssh_connection``, which gives their types, defaults and choices."""

    DOCUMENTATION = r'''
options:
  ssh_host:
    description:
      - Address (name or IP) of the CUCM node whose platform CLI (C(admin:)) to log in to.
      - A host name, FQDN or IP address only, checked as C(host) is before anything is sent (no URL, port, path,
        user name or spaces; labels of at most 63 characters).
      - If not set, the value of the E(CUCM_SSH_HOST) environment variable is used; a module that also connects
        to CUCM over HTTPS uses its C(host) option then. One of them is required.
  ssh_port:
    description:
      - SSH port of the node.
      - If not set, the value of the E(CUCM_SSH_PORT) environment variable is used, else V(22).
  ssh_username:
    description:
      - The platform (OS) administrator, the account of the admin CLI. This is not the AXL application user.
      - If not set, the value of the E(CUCM_SSH_USERNAME) environment variable is used.
  ssh_password:
    description:
      - Password of O(ssh_username). Sent only in the SSH authentication exchange; never logged or returned.
      - If not set, the value of the E(CUCM_SSH_PASSWORD) environment variable is used.
      - A wrong password is never retried, as the platform locks the account after repeated failures.
  ssh_known_hosts:
    description:
      - The known_hosts file (OpenSSH format, hashed names accepted) that holds the node's host key.
      - If not set, the value of the E(CUCM_SSH_KNOWN_HOSTS) environment variable is used, else the user's
        C(~/.ssh/known_hosts).
  ssh_host_key_checking:
    description:
      - How to verify the node's SSH host key, as O(ssh_known_hosts) knows it (the SSH counterpart of
        C(validate_certs)).
      - V(strict) refuses a node whose key is not in the file. V(accept_new) trusts a node seen for the first
        time and adds its key to the file. V(off) accepts an unknown key without saving it (a lab only).
      - In check mode, V(accept_new) trusts an unknown key for that run only, writes nothing to the file and
        warns.
      - A key that differs from the one in the file is always refused, whatever this option says.
      - If not set, the value of the E(CUCM_SSH_HOST_KEY_CHECKING) environment variable is used, else V(strict).
  ssh_login_timeout:
    description:
      - Seconds to wait from connecting until the CLI prompt, between V(1) and V(3600). The platform CLI starts
        slowly (often 10 seconds).
  ssh_command_timeout:
    description:
      - Seconds to wait for one command to come back to the prompt, between V(1) and V(86400).
notes:
  - The platform CLI offers no exec channel, so the module uses an interactive shell, turns automatic pagination
    off and answers prompts only as the module documents.
  - A connection that drops while a command that changes something runs is never repeated blindly; the module
    logs in again, reads the state and reports what it finds.
'''
