# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Guarded regeneration of a CUCM cluster's AuthZ keys over the platform CLI (``_cucm_cli.CucmCli``).

Internal module: the leading underscore means its API may change without notice.

A regeneration kills every token issued with the old key, so it happens only while a guard says the key is
still the one the user means to replace: ``only_if_checksum`` (the current checksum) and/or ``max_age_days``
(where the platform shows when the key was last regenerated), or an explicit ``force``. Re-running a task
after success finds the guard false and changes nothing. A regeneration whose answer is lost (dropped
connection, timeout) is never typed again: the state is read on a new login and reported as found.

Before any key command of a regeneration, read-only commands check what the Cisco CLI reference requires: the
account has privilege level 4 and the node is the cluster's publisher (``CucmCli.check_key_regeneration``); a
node with an upgrade in progress refuses the key commands themselves, and the module says to wait.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import re
import time

from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_cli import AUTHZ_KEYS
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import OutcomeUnknown, UCError

# Forms the platform may print the time of the last regeneration in (the real text is not documented).
TIME_FORMATS = ('%a %b %d %H:%M:%S %Y', '%b %d %H:%M:%S %Y', '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S',
                '%m/%d/%Y %H:%M:%S', '%d %b %Y %H:%M:%S', '%Y-%m-%d')
_ZONE_RE = re.compile(r'\s+(?:UTC|GMT|Z)(?=\s|$)|(?<=\d)Z$|\s*[+-]00:?00$')
DAY = 86400


def normalise_checksum(text):
    """A checksum as compared: lower case, without ``:`` separators and spaces."""
    return re.sub(r'[\s:]', '', str(text or '')).lower()


def parse_platform_time(text):
    """Epoch seconds of a time the platform printed (UTC/GMT, in one of ``TIME_FORMATS``); None if unknown."""
    if not text:
        return None
    cleaned = ' '.join(_ZONE_RE.sub(' ', text.strip()).split())
    for fmt in TIME_FORMATS:
        try:
            return calendar.timegm(time.strptime(cleaned, fmt))
        except ValueError:
            continue
    return None


def iso_time(epoch):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(epoch))


def check_guards(kinds, only_if_checksum=None, max_age_days=None, force=False):
    """Raise ``ValueError`` unless every key of ``kinds`` has a guard (or ``force``), before anything is read."""
    unknown = set(only_if_checksum or {}) - set(kinds)
    if unknown:
        raise ValueError('only_if_checksum names %s, which keys does not list' % ', '.join(sorted(unknown)))
    for kind in kinds:
        if not force and (only_if_checksum or {}).get(kind) is None and max_age_days is None:
            raise ValueError('no guard for the %s key: give only_if_checksum.%s (its current checksum), '
                             'max_age_days, or force=true to regenerate it on every run' % (kind, kind))


def decide(kind, info, only_if_checksum=None, max_age_days=None, force=False, now=None):
    """``(regenerate, reason)`` for one key whose current state is ``info`` (``{'checksum', 'last_regenerated'}``).

    Every guard given must hold. Raises ``ValueError`` when the key has no guard or the age cannot be known.
    """
    reasons = []
    wanted = (only_if_checksum or {}).get(kind)
    check_guards([kind], {kind: wanted} if wanted is not None else None, max_age_days, force)
    if wanted is not None:
        if normalise_checksum(wanted) != normalise_checksum(info['checksum']):
            return False, ('its checksum is %s, not %s: it was already regenerated, or it is not the key meant'
                           % (info['checksum'], wanted))
        reasons.append('its checksum is still %s' % info['checksum'])
    if max_age_days is not None:
        shown = info.get('last_regenerated')
        if shown is None:
            reasons.append('the platform shows no regeneration date (never regenerated)')
        else:
            when = parse_platform_time(shown)
            if when is None:
                raise ValueError('the platform shows the %s key was last regenerated "%s", a date this module cannot '
                                 'read: use only_if_checksum instead of max_age_days' % (kind, shown))
            age_days = ((time.time() if now is None else now) - when) / float(DAY)
            if age_days < max_age_days:
                return False, 'it was regenerated %.1f days ago (%s), less than max_age_days %d' % (
                    age_days, shown, max_age_days)
            reasons.append('it was regenerated %.1f days ago (%s), max_age_days %d' % (age_days, shown, max_age_days))
    if force and not reasons:
        reasons.append('force is set')
    return True, '; '.join(reasons)


def follow_up_warning(host, kinds):
    """What an on-call engineer must know and do after the keys ``kinds`` of ``host``'s cluster changed."""
    names = ' and '.join(kinds)
    return ('The AuthZ %s key%s of the cluster of %s %s regenerated. Every OAuth access token and refresh token '
            'issued with the old key is now invalid: Jabber, Webex and other OAuth clients must sign in again. '
            'Do now, in this order: (1) restart Cisco CallManager and Cisco Tomcat on every node of the cluster and '
            'Cisco XCP Authentication Service on every IM and Presence node (Cisco documents each of them); '
            '(2) sync the AuthZ keys on every Unity Connection that uses this cluster (collab.uc.cuc_authz_server '
            'with sync_keys); (3) on every Expressway-C, run "Refresh servers" for this cluster (Configuration > '
            'Unified Communications > Unified CM servers); (4) if a centralized IM and Presence cluster serves '
            'this cluster, regenerate the keys on its own publisher too.'
            % (names, 's' if len(kinds) > 1 else '', host, 'were' if len(kinds) > 1 else 'was'))


class KeyRegeneration:
    """Reads and, where the guards hold, regenerates AuthZ keys; ``open_cli()`` gives a logged-in ``CucmCli``.

    ``open_cli`` is called once at the start, and once more only when a regeneration's answer was lost (to read
    what happened). ``warn(text)`` reports what the user must know.
    """

    def __init__(self, open_cli, warn, clock=time.time):
        self.open_cli = open_cli
        self.warn = warn
        self.clock = clock
        self.cli = None

    def read(self, kinds=AUTHZ_KEYS):
        if self.cli is None:
            self.cli = self.open_cli()
        return self.cli.authz_keys(kinds)

    def run(self, kinds, only_if_checksum=None, max_age_days=None, force=False, check_mode=False):
        """The result: ``before``, ``keys`` (after), ``regenerated``, ``decisions``, ``regenerated_at``, ``changed``.

        Raises ``ValueError`` for a guard problem (before anything is typed) and ``UCError`` for a failure; a
        failure after some key was regenerated carries ``partial`` (what was done) on the error.
        """
        check_guards(kinds, only_if_checksum, max_age_days, force)
        if self.cli is None:
            self.cli = self.open_cli()
        self.cli.check_key_regeneration()
        before = self.read(AUTHZ_KEYS)
        now = self.clock()
        plan, decisions = [], {}
        for kind in kinds:
            regenerate, reason = decide(kind, before[kind], only_if_checksum, max_age_days, force, now)
            decisions[kind] = ('%s: %s' % ('would regenerate' if check_mode else 'regenerate', reason)
                               if regenerate else 'kept: %s' % reason)
            if regenerate:
                plan.append(kind)
        result = dict(before=before, keys=dict(before), regenerated=[], decisions=decisions, regenerated_at={},
                      changed=bool(plan))
        if check_mode or not plan:
            if check_mode:
                result['regenerated'] = plan
            return result
        for kind in plan:
            try:
                self._regenerate(kind, before[kind], result)
            except UCError as error:
                if result['regenerated']:
                    error.partial = dict(result)
                    self.warn(follow_up_warning(self.cli.host, result['regenerated']))
                raise
        self.warn(follow_up_warning(self.cli.host, result['regenerated']))
        return result

    def _regenerate(self, kind, old, result):
        try:
            self.cli.regenerate_authz_key(kind)
        except OutcomeUnknown as lost:
            self.cli = None
            try:
                now = self.read(AUTHZ_KEYS)
            except UCError as again:
                raise UCError('the answer to "set key regen authz %s" was lost (%s) and reading the key again failed '
                              '(%s): whether it was regenerated is unknown' % (kind, lost.message, again.message),
                              host=lost.host, operation=lost.operation, product=lost.product,
                              hint='Log in to the publisher and run "show key authz %s"; compare with the checksum '
                                   'before, %s, and re-run the task only with the guard set to the checksum you '
                                   'find' % (kind, old['checksum']))
            result['keys'].update(now)
            if normalise_checksum(now[kind]['checksum']) == normalise_checksum(old['checksum']):
                raise UCError('the answer to "set key regen authz %s" was lost (%s); the key is unchanged (checksum '
                              '%s), so it was not regenerated' % (kind, lost.message, old['checksum']),
                              host=lost.host, operation=lost.operation, product=lost.product,
                              hint='Nothing was repeated. Run the task again: its guard regenerates the key only '
                                   'while it is still the old one')
            self.warn('The answer to "set key regen authz %s" on %s was lost (%s), but the key changed (checksum %s '
                      'to %s): it was regenerated, and not repeated' % (kind, lost.host, lost.message,
                                                                        old['checksum'], now[kind]['checksum']))
        else:
            result['keys'].update(self.cli.authz_keys([kind]))
        new = result['keys'][kind]
        if normalise_checksum(new['checksum']) == normalise_checksum(old['checksum']):
            raise UCError('the CLI accepted "set key regen authz %s" but the checksum is unchanged (%s)'
                          % (kind, old['checksum']), host=self.cli.host, operation='set key regen authz %s' % kind,
                          product=self.cli.session.product,
                          hint='Check on the publisher with "show key authz %s"; the key may not have been '
                               'regenerated' % kind)
        result['regenerated'].append(kind)
        result['regenerated_at'][kind] = iso_time(self.clock())
