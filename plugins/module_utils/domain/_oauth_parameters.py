# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The CUCM OAuth enterprise parameters as data: option names, CUCM names, ranges, boolean representations.

Internal module: the leading underscore means its API may change without notice.

This is the one table of the OAuth parameters in the collection; on/off values are read and written with
``transport/_values`` (the one table of on/off spellings; the CUPI client reads its booleans with it too). The AXL
schema documents ``T``/``F`` storage of on/off parameters and lower-case ``valueType`` values (``boolean``,
``long``, ``string``), but clusters have been seen answering ``Boolean``, ``true``/``false``, an enum index
``1``/``0``, ``Enabled``/``Disabled``... So on/off values and ``valueType`` are read tolerantly (any letter case),
and on/off values are written back in the representation (and letter case) the cluster used when it was read.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import UCError, shorten
from ansible_collections.collab.uc.plugins.module_utils.transport._values import format_bool, parse_bool

_WHOLE_NUMBER = re.compile(r'^[+-]?[0-9]+$')


def canonical_number(raw):
    """The canonical text of a whole number as CUCM stores it (``'0030'``, ``' 30'``, ``'+30'`` -> ``'30'``), or
    None when ``raw`` is no whole number in ASCII digits (``'30.0'``, ``'3e1'``, ``'３０'``, ``''``)."""
    text = '' if raw is None else str(raw).strip()
    if not _WHOLE_NUMBER.match(text):
        return None
    return str(int(text))


def is_number_type(value_type):
    """True for CUCM's whole-number valueType, in any letter case (the schema says ``long``)."""
    return (value_type or '').strip().lower() in ('long', 'int', 'integer')


class OAuthParameter:
    """One OAuth enterprise parameter: module option ``option``, CUCM programmatic name ``name``."""

    def __init__(self, option, name, label, kind, unit=None, minimum=None, maximum=None, default=None):
        self.option = option
        self.name = name
        self.label = label
        self.kind = kind
        self.unit = unit
        self.minimum = minimum
        self.maximum = maximum
        self.default = default

    @property
    def is_bool(self):
        return self.kind == 'bool'

    def check(self, value):
        """An error message when ``value`` (the option's value) is out of range, else None."""
        if value is None or self.is_bool:
            return None
        if not self.minimum <= value <= self.maximum:
            return '%s (%s) must be between %d and %d %s, got %s' % (
                self.option, self.name, self.minimum, self.maximum, self.unit, value)
        return None

    def check_raw(self, raw):
        """An error message when ``raw`` (a text value for CUCM) is not valid for this parameter, else None."""
        if self.is_bool:
            try:
                parse_bool(raw)
            except ValueError:
                return '%s must be an on/off value such as true/false, T/F, 1/0 or Enabled/Disabled, got %r' % (
                    self.name, raw)
            return None
        text = canonical_number(raw)
        if text is None:
            return '%s must be a whole number of %s between %d and %d, got %r' % (
                self.name, self.unit, self.minimum, self.maximum, shorten(str(raw), 40))
        number = int(text)
        if not self.minimum <= number <= self.maximum:
            return '%s must be between %d and %d %s, got %s' % (self.name, self.minimum, self.maximum, self.unit, number)
        return None

    def from_raw(self, raw, value_type=None):
        """The option value (bool or int) of CUCM's text ``raw``; ``ValueError`` when it cannot be understood."""
        if self.is_bool:
            return parse_bool(raw, value_type)[0]
        try:
            return int(str(raw).strip())
        except ValueError:
            raise ValueError('CUCM returned %r for %s, which is not a whole number' % (raw, self.name))

    def to_raw(self, value, current_raw=None):
        """CUCM's text for the option value ``value``; booleans in the representation of ``current_raw``."""
        if self.is_bool:
            return format_bool(value, current_raw)
        return str(int(value))


PARAMETERS = (
    OAuthParameter('refresh_login', 'oAuthWithRefreshLoginFlow', 'OAuth with Refresh Login Flow', 'bool',
                   default=False),
    OAuthParameter('access_token_expiry', 'oauthTokenExpiryTimer', 'OAuth Access Token Expiry Timer (minutes)',
                   'int', 'minutes', 1, 1440, 60),
    OAuthParameter('refresh_token_expiry', 'refreshTokenExpiryTimer',
                   'Jabber/Client OAuth Refresh Token Expiry Timer (days)', 'int', 'days', 1, 365, 60),
    # ASSUMPTION (shared with ucsim/src/ucsim/assumptions.py): Cisco documents no range; 1-3650 days.
    OAuthParameter('device_refresh_token_expiry', 'DeviceTokenExpiryTimer',
                   'Physical Phone OAuth Refresh Token Expiry Timer (days)', 'int', 'days', 1, 3650),
)
BY_OPTION = dict((p.option, p) for p in PARAMETERS)
BY_NAME = dict((p.name, p) for p in PARAMETERS)


def is_bool_type(value_type):
    """True for CUCM's on/off valueType, in any letter case (the schema says ``boolean``; ``Boolean`` is seen)."""
    return (value_type or '').strip().lower() in ('boolean', 'bool')


def read_parameters(axl, required=()):
    """Read every OAuth parameter through ``axl`` (an ``AxlClient``) in as few requests as can be.

    Returns ``(raw, values, warnings)``: ``raw`` maps CUCM names to ``{'name', 'value', 'valueType'}``, ``values``
    maps option names to the option value, or None when CUCM's value cannot be understood (``warnings`` then say
    why). A value that cannot be understood for an option in ``required`` (one the caller is about to set)
    raises ``UCError`` instead.
    """
    raw = axl.get_enterprise_parameters([p.name for p in PARAMETERS])
    values = {}
    warnings = []
    for parameter in PARAMETERS:
        current = raw[parameter.name]
        try:
            values[parameter.option] = parameter.from_raw(current['value'], current['valueType'])
        except ValueError as exc:
            if parameter.option in required:
                raise UCError(str(exc), host=axl.session.endpoint, operation='read %s' % parameter.name,
                              product=axl.session.product,
                              hint='Set %s in CUCM Administration (Enterprise Parameters) and report the stored '
                                   'value to the collab.uc maintainers' % parameter.label)
            values[parameter.option] = None
            warnings.append('%s: %s' % (parameter.name, exc))
    return raw, values, warnings
