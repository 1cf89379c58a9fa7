# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What happened to one user of a run of collab.uc.cucm_refresh_tokens (never a token value), and the times in
its journal and report.

Internal module: the leading underscore means its API may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time
from datetime import datetime, timezone

from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_rest import (
    REVOKED, NO_TOKENS, UNKNOWN_USER, FAILED,
)


UTC = timezone.utc

OUTCOMES = (REVOKED, NO_TOKENS, UNKNOWN_USER, FAILED)
# Outcomes a resumed run does not ask again; a failed user is tried again.
FINAL_OUTCOMES = frozenset((REVOKED, NO_TOKENS, UNKNOWN_USER))


def utc_iso(epoch):
    """``epoch`` (seconds) as UTC ISO 8601 with a ``Z``: ``2026-05-12T07:00:53Z``."""
    return datetime.fromtimestamp(int(epoch), UTC).strftime('%Y-%m-%dT%H:%M:%SZ')


class Outcome:
    """What happened to one user (never a token value)."""

    __slots__ = ('user', 'outcome', 'tokens', 'reason', 'time', 'resumed')

    def __init__(self, user, outcome, tokens=0, reason=None, when=None, resumed=False):
        self.user = user
        self.outcome = outcome
        self.tokens = tokens
        self.reason = reason
        self.time = when if when is not None else time.time()
        self.resumed = resumed

    def journal_line(self):
        return json.dumps({'time': utc_iso(self.time), 'user': self.user, 'outcome': self.outcome,
                           'tokens': self.tokens, 'reason': self.reason}, ensure_ascii=False)

    def as_result(self):
        return {'user': self.user, 'outcome': self.outcome, 'tokens': self.tokens, 'reason': self.reason,
                'time': utc_iso(self.time), 'resumed': self.resumed}
