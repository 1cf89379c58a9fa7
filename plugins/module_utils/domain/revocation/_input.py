# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a run of collab.uc.cucm_refresh_tokens is given, checked before anything is sent.

Internal module: the leading underscore means its API may change without notice.

``read_users`` streams user IDs from a list and a file (one ID a line, or a CSV column), trims them, drops
blanks and duplicates and checks each one (``user_id_problem``); ``check_writable_path`` checks a path the
run will write (its journal, its report).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import itertools
import json
import os
import unicodedata


# User IDs: CUCM's userid holds at most 128 characters (AXL schema: String128).
MAX_USER_ID_LENGTH = 128
# Characters refused in a user ID besides control characters. No public Cisco document lists what CUCM allows;
# these are not expected in CUCM user IDs, and in a leavers file they are the mark of a mangled export (HTML,
# quoted CSV read as lines).
FORBIDDEN_CHARACTERS = '"<>'
# Unicode categories refused anywhere in a user ID: control, surrogate, line and paragraph separators.
_FORBIDDEN_CATEGORIES = frozenset(('Cc', 'Cs', 'Zl', 'Zp'))
# How many offending IDs a message names (the count says how many there are in all).
SHOW_AT_MOST = 5


class InputError(Exception):
    """The user list, a path or an option cannot be used; raised before any request."""


def user_id_problem(user_id):
    """Why ``user_id`` (already trimmed, not empty) cannot be a CUCM user ID, or None if it can."""
    if len(user_id) > MAX_USER_ID_LENGTH:
        return 'longer than %d characters' % MAX_USER_ID_LENGTH
    for char in user_id:
        if unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
            return 'contains the control character U+%04X' % ord(char)
        if char in FORBIDDEN_CHARACTERS:
            return 'contains %s' % char
    return None


class UserList:
    """The unique, valid user IDs in the order first seen, and what was left out."""

    def __init__(self):
        self.ids = []
        self._seen = set()
        self.duplicates = 0
        self.invalid = []          # the first SHOW_AT_MOST: (where, user_id, problem)
        self.invalid_count = 0

    def add(self, where, raw):
        user_id = (raw or '').strip()
        if not user_id:
            return
        problem = user_id_problem(user_id)
        if problem is not None:
            self.invalid_count += 1
            if len(self.invalid) < SHOW_AT_MOST:
                self.invalid.append((where, user_id, problem))
        elif user_id in self._seen:
            self.duplicates += 1
        else:
            self._seen.add(user_id)
            self.ids.append(user_id)

    def invalid_message(self):
        """The message naming the rejected IDs (the first few and how many), or None when all are valid."""
        if not self.invalid_count:
            return None
        shown = '; '.join('%s: %s (%s)' % (where, json.dumps(user_id, ensure_ascii=False), problem)
                          for where, user_id, problem in self.invalid)
        more = '' if self.invalid_count <= len(self.invalid) else '; and %d more' % (
            self.invalid_count - len(self.invalid))
        return ('%d user ID%s cannot be CUCM user IDs (at most %d characters, no control characters, none of %s): '
                '%s%s. Nothing was sent to CUCM; correct or remove them and run again'
                % (self.invalid_count, '' if self.invalid_count == 1 else 's', MAX_USER_ID_LENGTH,
                   ' '.join(FORBIDDEN_CHARACTERS), shown, more))


def file_format_of(path, file_format, csv_column):
    """``lines`` or ``csv``: ``file_format`` unless ``auto``, then CSV for a ``.csv`` name or a ``csv_column``."""
    if file_format in ('lines', 'csv'):
        return file_format
    if csv_column or path.lower().endswith('.csv'):
        return 'csv'
    return 'lines'


def _header_delimiter(line):
    counts = [(line.count(d), -i, d) for i, d in enumerate((',', ';', '\t'))]
    best = max(counts)
    return best[2] if best[0] else ','


def _csv_rows(handle, name, csv_column):
    """``(row number, value)`` of the user ID column of a CSV file with a header row."""
    header_line = ''
    skipped = -1
    for skipped, header_line in enumerate(handle):
        if header_line.strip():
            break
    if not header_line.strip():
        return
    delimiter = _header_delimiter(header_line)
    reader = csv.reader(itertools.chain([header_line], handle), delimiter=delimiter)
    header = [cell.strip() for cell in next(reader, [])]
    folded = [cell.casefold() for cell in header]
    if csv_column:
        wanted = [csv_column.strip().casefold()]
    else:
        wanted = ['userid', 'user_id', 'user id']
    index = next((folded.index(w) for w in wanted if w in folded), None)
    if index is None and not csv_column and len(header) == 1:
        index = 0
    if index is None:
        raise InputError('%s: no column %s in the header row (columns: %s); set csv_column to the column that '
                         'holds the user IDs' % (name, ' or '.join(json.dumps(w) for w in wanted),
                                                 ', '.join(json.dumps(h) for h in header)))
    for row in reader:
        if index < len(row):
            yield reader.line_num + skipped, row[index]


def read_users(users=None, users_file=None, file_format='auto', csv_column=None):
    """A ``UserList`` of ``users`` followed by the IDs in ``users_file``, streamed (never read whole)."""
    result = UserList()
    for number, user_id in enumerate(users or []):
        result.add('users[%d]' % number, user_id)
    if not users_file:
        return result
    name = os.path.basename(users_file)
    kind = file_format_of(users_file, file_format, csv_column)
    try:
        # utf-8-sig drops the byte order mark spreadsheets write; newline='' lets csv see quoted line breaks.
        with open(users_file, 'r', encoding='utf-8-sig', newline='') as handle:
            if kind == 'csv':
                for line_number, value in _csv_rows(handle, name, csv_column):
                    result.add('%s line %d' % (name, line_number), value)
            else:
                for line_number, line in enumerate(handle, 1):
                    result.add('%s line %d' % (name, line_number), line)
    except UnicodeDecodeError as exc:
        raise InputError('users_file %s is not UTF-8 text (byte %d: %s); save it as UTF-8 and run again'
                         % (users_file, exc.start, exc.reason))
    except csv.Error as exc:
        raise InputError('users_file %s is not a CSV file the module can read: %s' % (users_file, exc))
    except (IOError, OSError) as exc:
        raise InputError('cannot read users_file %s: %s' % (users_file, exc.strerror or exc))
    return result


def check_writable_path(option, path):
    """Raise ``InputError`` unless a file can be created at ``path`` (its directory exists and is writable)."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise InputError('%s %s is a directory; give a file name' % (option, path))
    if not os.path.isdir(directory):
        raise InputError('%s: the directory %s does not exist; create it first' % (option, directory))
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError('%s: the directory %s is not writable by this user' % (option, directory))
