# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unity Connection AuthZ servers as modules show, compare and judge them (collab.uc.cuc_authz_server,
collab.uc.cuc_authz_server_info), on top of the CUPI client (``clients/_cuc_cupi``), which only speaks CUPI.

Internal module: the leading underscore means its API may change without notice.

Views (``server_view``, ``settings_view``: option names, never the password), the fields a module manages and
what differs (``desired_fields``, ``changed_fields``), length checks, and what a failed key sync means and what to
do (``SYNC_PROBLEMS``, ``sync_failure``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import MASK, error_from_reply
from ansible_collections.collab.uc.plugins.module_utils.clients._cuc_cupi import (
    ADDRESS, DISPLAY_NAME, IGNORE_CERT, LAST_SYNC, OBJECT_ID, PORT, SYNC_BAD_CREDENTIALS, SYNC_CANNOT_CONNECT,
    SYNC_CERTIFICATE, SYNC_FAILED, SYNC_MISSING_AXL_ROLE, SYNC_NEVER, USERNAME, classify_sync_status, sync_time)


SYNC_PROBLEMS = {
    SYNC_CANNOT_CONNECT: (
        'Connection cannot reach the AuthZ server',
        'Check server_address and server_port (the CUCM publisher, HTTPS port 8443 by default) and that '
        'Connection can reach it'),
    SYNC_BAD_CREDENTIALS: (
        'CUCM refused the credentials',
        'Check server_username and server_password (a CUCM administrator with the "Standard AXL API Access" '
        'role); note that a CUCM user without the AXL role may be refused the same way'),
    SYNC_MISSING_AXL_ROLE: (
        'the CUCM user lacks the "Standard AXL API Access" role',
        'Give server_username an access control group with the "Standard AXL API Access" role on CUCM, '
        'or use another administrator'),
    SYNC_CERTIFICATE: (
        "Connection does not trust CUCM's certificate",
        "Upload CUCM's Tomcat certificate (or its CA) to Connection's tomcat-trust store, or set "
        'ignore_certificate_errors=true in a lab only'),
    SYNC_FAILED: (
        'the key synchronisation failed',
        "Read the status text; check the AuthZ server's address, port and credentials in Connection"),
    SYNC_NEVER: (
        'Connection reported no sync status after the sync',
        'Run the task again; if it persists, use "Sync Keys" in Connection Administration and read its message'),
}


# --- what modules show -----------------------------------------------------------------------------------
# Module option / result names of the CUPI fields, in the order results show them.
OPTION_NAMES = (
    ('name', DISPLAY_NAME),
    ('server_address', ADDRESS),
    ('server_port', PORT),
    ('server_username', USERNAME),
    ('ignore_certificate_errors', IGNORE_CERT),
)


def server_view(server):
    """An AuthZ server as modules return it: option names, sync status and its meaning, never the password."""
    if not server:
        return {}
    view = {'object_id': server.get(OBJECT_ID)}
    for option, field in OPTION_NAMES:
        view[option] = server.get(field)
    view['last_sync_status'] = server.get(LAST_SYNC) or ''
    view['last_sync_outcome'] = classify_sync_status(server.get(LAST_SYNC))
    view['last_sync_time'] = sync_time(server.get(LAST_SYNC))
    return view


def settings_view(server, password_sent=False):
    """The settings of an AuthZ server for a diff: option names, and the mask when the password is sent."""
    if not server:
        return {}
    view = dict((option, server.get(field)) for option, field in OPTION_NAMES)
    if password_sent:
        view['server_password'] = MASK
    return view


def desired_fields(name, address, port, username, ignore_certificate_errors):
    """The CUPI fields a module manages, from its options (the password is handled apart)."""
    return {
        DISPLAY_NAME: name,
        ADDRESS: address,
        PORT: port,
        USERNAME: username,
        IGNORE_CERT: ignore_certificate_errors,
    }


def changed_fields(current, desired):
    """The fields of ``desired`` whose value differs from ``current`` (both normalised)."""
    return dict((key, value) for key, value in desired.items() if current.get(key) != value)


def check_lengths(values):
    """Messages for ``{option: (value, limit)}`` whose value is empty or longer than its limit."""
    problems = []
    for option, (value, limit) in sorted(values.items()):
        if value is None:
            continue
        if not value.strip():
            problems.append('%s must not be empty' % option)
        elif len(value) > limit:
            problems.append('%s must be at most %d characters, got %d' % (option, limit, len(value)))
    return problems


def sync_failure(session, server, operation, password_kept=False):
    """The ``UCError`` for a sync whose LastSyncStatus did not pass, saying why and what to do.

    ``password_kept``: the module did not send the password (``update_password: on_create`` on an existing
    server), so a refused password is the stored one, not the task's: the hint says to send it.
    """
    status = server.get(LAST_SYNC) or ''
    outcome = classify_sync_status(status)
    problem, hint = SYNC_PROBLEMS.get(outcome, SYNC_PROBLEMS[SYNC_FAILED])
    if password_kept and outcome == SYNC_BAD_CREDENTIALS:
        problem += ' (the password Connection holds; this task did not send server_password)'
        hint = ('The AuthZ server already existed and update_password: on_create kept server_password from being '
                'sent, so Connection still uses the password stored earlier. If server_password is the right one, '
                'run the task once with update_password: always to store it; else ' + hint[0].lower() + hint[1:])
    target = '%s:%s' % (server.get(ADDRESS), server.get(PORT))
    return error_from_reply(session, 'Connection could not fetch the AuthZ keys from %s: %s' % (target, problem),
                            operation, details=[('last_sync_status', status), ('sync_outcome', outcome)], hint=hint)
