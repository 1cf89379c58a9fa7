# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The audit file of a run of collab.uc.cucm_refresh_tokens (JSON Lines or CSV), written atomically.

Internal module: the leading underscore means its API may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import json
import os
import tempfile

from ansible_collections.collab.uc.plugins.module_utils.domain.revocation._outcome import utc_iso


REPORT_FIELDS = ('time', 'cluster', 'user', 'client_id', 'outcome', 'tokens', 'reason')


def report_format_of(path, report_format):
    if report_format in ('jsonl', 'csv'):
        return report_format
    return 'csv' if path.lower().endswith('.csv') else 'jsonl'


def write_report(path, report_format, cluster, client_id, outcomes):
    """Write ``outcomes`` (an iterable of ``Outcome``) to ``path`` atomically: a temporary file, then a rename."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp', dir=directory)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8', newline='') as handle:
            if report_format == 'csv':
                writer = csv.writer(handle, lineterminator='\n')
                writer.writerow(REPORT_FIELDS)
                for item in outcomes:
                    writer.writerow((utc_iso(item.time), cluster, item.user, client_id or '', item.outcome,
                                     '' if item.tokens is None else item.tokens, item.reason or ''))
            else:
                for item in outcomes:
                    handle.write(json.dumps({'time': utc_iso(item.time), 'cluster': cluster, 'user': item.user,
                                             'client_id': client_id, 'outcome': item.outcome,
                                             'tokens': item.tokens, 'reason': item.reason},
                                            ensure_ascii=False) + '\n')
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
