# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""On/off values as systems spell them: read any known spelling, write back the one a system used.

Internal module: the leading underscore means its API may change without notice.

The one table of on/off spellings in the collection (``BOOLEAN_PAIRS``). CUCM's enterprise parameters
(``domain/_oauth_parameters``, collab.uc.cucm_enterprise_parameter) and CUPI's booleans (``clients/_cuc_cupi``) are
read with ``parse_bool``. It sits in ``transport/`` beside ``_errors``, importing nothing, so that a client can read
a value without importing the domain layer above it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


# On/off spellings, (on, off), compared case-insensitively. The first is written when nothing else is known.
BOOLEAN_PAIRS = (
    ('true', 'false'),
    ('t', 'f'),
    ('1', '0'),
    ('enabled', 'disabled'),
    ('yes', 'no'),
    ('on', 'off'),
)


def _case_of(text):
    if text.isupper():
        return 'upper'
    if len(text) > 1 and text[0].isupper() and text[1:].islower():
        return 'title'
    return 'lower'


def _apply_case(word, case):
    if case == 'upper':
        return word.upper()
    if case == 'title':
        return word.capitalize()
    return word


def parse_bool(raw, value_type=None):
    """``(flag, (pair, case))`` of an on/off value as CUCM stores it, e.g. ``'T'`` -> ``(True, (('t', 'f'), 'upper'))``.

    ``value_type`` (CUCM's valueType) is not needed to decide and only serves the message. ``ValueError`` when
    ``raw`` is no known on/off spelling.
    """
    text = '' if raw is None else str(raw).strip()
    lowered = text.lower()
    for pair in BOOLEAN_PAIRS:
        if lowered in pair:
            return lowered == pair[0], (pair, _case_of(text))
    raise ValueError('CUCM returned %r%s, which is not an on/off value collab.uc knows (%s)' % (
        raw, ' (valueType %s)' % value_type if value_type else '',
        ', '.join('%s/%s' % pair for pair in BOOLEAN_PAIRS)))


def format_bool(flag, current_raw=None):
    """``flag`` spelled the way ``current_raw`` is (``'F'`` -> ``'T'``/``'F'``); ``true``/``false`` otherwise."""
    try:
        pair, case = parse_bool(current_raw)[1]
    except ValueError:
        pair, case = BOOLEAN_PAIRS[0], 'lower'
    return _apply_case(pair[0] if flag else pair[1], case)


def bool_equal(raw, wanted):
    """True when two on/off texts mean the same (``'T'`` and ``'true'``); False when either is no on/off text."""
    try:
        return parse_bool(raw)[0] == parse_bool(wanted)[0]
    except ValueError:
        return False
