# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Options of the expressway connection group (the Expressway-C admin CLI, the xAPI, over SSH): their
    descriptions. Used with ``collab.uc.ssh_connection``, which gives their types, defaults and choices."""

    DOCUMENTATION = r'''
options:
  ssh_host:
    description:
      - Address (name or IP) of the Expressway-C whose admin CLI to log in to.
      - A host name, FQDN or IP address only, checked as C(host) is before anything is sent (no URL, port, path,
        user name or spaces; labels of at most 63 characters).
      - If not set, the value of the E(EXPRESSWAY_HOST) environment variable is used. One of them is required.
  ssh_port:
    description:
      - SSH port of the Expressway.
      - If not set, the value of the E(EXPRESSWAY_PORT) environment variable is used, else V(22).
  ssh_username:
    description:
      - An Expressway administrator account (for example V(admin)). Setting values needs read-write access.
      - If not set, the value of the E(EXPRESSWAY_USERNAME) environment variable is used.
  ssh_password:
    description:
      - Password of O(ssh_username). Sent only in the SSH authentication exchange; never logged or returned.
      - If not set, the value of the E(EXPRESSWAY_PASSWORD) environment variable is used.
      - A wrong password is never retried.
  ssh_known_hosts:
    description:
      - The known_hosts file (OpenSSH format, hashed names accepted) that holds the Expressway's host key.
      - If not set, the value of the E(EXPRESSWAY_KNOWN_HOSTS) environment variable is used, else the user's
        C(~/.ssh/known_hosts).
  ssh_host_key_checking:
    description:
      - How to verify the Expressway's SSH host key, as O(ssh_known_hosts) knows it (the SSH counterpart of
        C(validate_certs)).
      - V(strict) refuses a system whose key is not in the file. V(accept_new) trusts a system seen for the first
        time and adds its key to the file. V(off) accepts an unknown key without saving it (a lab only).
      - In check mode, V(accept_new) trusts an unknown key for that run only, writes nothing to the file and
        warns.
      - A key that differs from the one in the file is always refused, whatever this option says.
      - If not set, the value of the E(EXPRESSWAY_HOST_KEY_CHECKING) environment variable is used, else
        V(strict).
  ssh_login_timeout:
    description:
      - Seconds to wait from connecting until the CLI is ready (its C(OK) line), between V(1) and V(3600).
  ssh_command_timeout:
    description:
      - Seconds to wait for one command's reply (up to its C(OK) or C(ERROR) line), between V(1) and V(86400).
notes:
  - The xAPI shell prints no prompt; each reply ends with a line C(OK), C(ERROR) or C(Command not recognized.),
    which the module waits for.
  - A connection that drops while a value is being set is never repeated blindly; the module reports that the
    outcome is unknown, and a new run reads the value first.
'''
