# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The engine of collab.uc.cucm_refresh_tokens: revoke the refresh tokens of many CUCM end users.

Internal module: the leading underscore means its API may change without notice.

This module only gathers what the module uses; the parts, in the order a run uses them, live beside it:

* ``_input``: ``read_users`` streams user IDs from a list and a file (one ID a line, or a CSV column), trims them,
  drops blanks and duplicates and checks each one (``user_id_problem``) before anything is sent;
  ``check_writable_path``;
* ``_journal``: ``Journal`` appends every finished user to a JSON Lines file as it happens, so that a run killed
  half way resumes where it stopped (``open_journal``, ``run_journaled``; the locks, ``acquire_locks``);
* ``_lookup``: ``LiveTokenLookup`` reads, with AXL ``executeSQLQuery`` in chunks, which users hold live refresh
  tokens (``refreshtokendetails``) and which of the others exist (``enduser``), so that revoke is only called
  where it changes something;
* ``_run``: ``Revocation`` runs the lookups in the calling thread and the revoke calls in a bounded pool of
  worker threads (one HTTP session each), stopping at once on 401/403;
* ``_report``: ``write_report`` writes the audit file (JSON Lines or CSV) atomically;
* ``_outcome``: ``Outcome``, what happened to one user.

Token values are never read into anything here: ``SsospClient.revoke`` only returns how many tokens went.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.collab.uc.plugins.module_utils.domain.revocation._input import (
    InputError, check_writable_path, read_users, user_id_problem)
from ansible_collections.collab.uc.plugins.module_utils.domain.revocation._journal import (
    JournalError, acquire_locks, open_journal, release_locks, run_journaled)
from ansible_collections.collab.uc.plugins.module_utils.domain.revocation._lookup import LiveTokenLookup
from ansible_collections.collab.uc.plugins.module_utils.domain.revocation._report import (
    report_format_of, write_report)
from ansible_collections.collab.uc.plugins.module_utils.domain.revocation._run import Revocation

__all__ = (
    'InputError', 'JournalError', 'LiveTokenLookup', 'Revocation', 'acquire_locks', 'check_writable_path',
    'open_journal', 'read_users', 'release_locks', 'report_format_of', 'run_journaled', 'user_id_problem',
    'write_report',
)
