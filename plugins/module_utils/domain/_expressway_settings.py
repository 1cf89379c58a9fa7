# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Expressway xConfiguration settings made to hold their values (collab.uc.expressway_xconfiguration,
collab.uc.expressway_oauth), on top of the xAPI client (``clients/_expressway_cli``), which only speaks the CLI.

Internal module: the leading underscore means its API may change without notice.

``discover`` reads the whole section of every path first and refuses, before any write, a path the Expressway does
not show (listing every leaf it shows); ``wanted_text`` renders a value in the type of its leaf; ``ensure`` reads,
compares and sets where different, and decides a set whose answer was lost from what the leaf holds on a new login.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import OutcomeUnknown, UCError, shorten
from ansible_collections.collab.uc.plugins.module_utils.clients._expressway_cli import (
    check_value, find_leaf, leaf_names, read_section, same_value, section_of)


def absent_message(path, section, values, hint=None):
    """Why ``path`` is not written: the Expressway does not show it; the message lists every leaf it shows."""
    names = leaf_names(values, section)
    shown = ('its xConfiguration %s section shows %d leaves: %s' % (section, len(names), ', '.join(names))
             if names else 'it shows no xConfiguration %s section at all' % section)
    return 'the Expressway has no xConfiguration setting %s (%s); nothing was written%s' % (
        path, shown, (': ' + hint) if hint else '')


def discover(cli, paths, sections=None, hints=None):
    """Read, once each, the whole section of every path of ``paths``, before anything is written; raise
    ``UCError`` naming every absent path and every leaf its section shows when the Expressway does not show one.

    ``sections`` ({section: {path: value}}) holds sections already read (it is filled in); ``hints`` ({path:
    text}) adds what to do about an absent path. Returns ``sections``.
    """
    sections = {} if sections is None else sections
    absent = []
    for path in paths:
        section = section_of(path)
        if section not in sections:
            sections[section] = read_section(cli, section)
        if find_leaf(sections[section], path) is None:
            absent.append((path, section))
    if absent:
        messages = [absent_message(path, section, sections[section], (hints or {}).get(path))
                    for path, section in absent]
        raise UCError('; '.join(messages), host=cli.session.endpoint,
                      operation='xConfiguration %s' % ', xConfiguration '.join(sorted(set(s for _p, s in absent))),
                      product='Expressway',
                      hint='Only settings the Expressway shows are written. Check the path against the list above '
                           '(run "xConfiguration %s" on the Expressway)' % absent[0][1])
    return sections


# The two-valued words of xConfiguration leaves: (the word for true, the word for false).
_TWO_VALUED = (('On', 'Off'), ('Yes', 'No'), ('True', 'False'), ('Enabled', 'Disabled'))


def wanted_text(value, current, path=None):
    """The value to compare and set, in the type of the leaf ``current`` (``(value, quoted)`` as read).

    A boolean (Ansible turns ``On`` unquoted into ``True``) becomes the leaf's own words (On/Off, Yes/No...); the
    text ``True``/``False`` too where the leaf holds On/Off. ValueError, naming ``path``, for a boolean or a number
    given for a string (quoted) leaf, a boolean for a leaf that is not two-valued, a number for an On/Off leaf."""
    quoted = current is not None and current[1]
    held = current[0] if current is not None else None
    if isinstance(value, bool):
        pair = None if quoted or held is None else next(
            (words for words in _TWO_VALUED if held.lower() in (words[0].lower(), words[1].lower())), None)
        if pair is None:
            raise ValueError('%s holds %s, not one of two words such as On/Off; give its value as a quoted string '
                             '(a YAML yes/no/true/false/on/off unquoted is a boolean)'
                             % (path, '"%s"' % held if quoted else held))
        return pair[0] if value else pair[1]
    text = str(value)
    if quoted and value is not None and not isinstance(value, str):
        raise ValueError('%s is a string setting; give its value as a quoted string, not the number %s'
                         % (path, text))
    if held is not None and held.lower() in ('on', 'off'):
        if text.lower() in ('true', 'false'):
            return 'On' if text.lower() == 'true' else 'Off'
        if not isinstance(value, str):
            raise ValueError('%s holds On or Off; give On or Off, not the number %s' % (path, text))
    return text


def ensure(cli, wanted, check_mode, reconnect, sections=None, hints=None):
    """Make the leaves of ``wanted`` ({path: value}) hold their values: read, compare, set where different.

    Returns ``(before, after, changed_paths)`` ({path: value}). In check mode nothing is set (``after`` is what
    would be). When the connection drops during a set, nothing is typed again: ``reconnect()`` gives a new
    ``ExpresswayCli``, the leaf is read and the outcome decided from what it holds. When a set fails after others
    were made, the ``UCError`` raised carries them as ``done``: ``[(path, before, after)]``, in the order set.

    First the whole section of every path is read (``discover``: ``sections`` and ``hints`` go to it): when the
    Expressway does not show one of the leaves, nothing is set, and the error lists the leaves it shows.
    """
    discover(cli, wanted, sections, hints)
    before, after, changed = {}, {}, []
    current = {}
    for path in wanted:
        leaf = cli.read_leaf(path)
        if leaf is None:
            raise UCError('the Expressway has no xConfiguration setting %s' % path, host=cli.session.endpoint,
                          operation='xConfiguration %s' % path, product='Expressway',
                          hint='Check the path (run "xConfiguration %s" on the Expressway to list its section)'
                               % path.split(' ')[0])
        current[path] = leaf
        before[path] = leaf[0]
    texts = {}
    for path, value in wanted.items():
        # every value checked against the type its leaf takes before the first set
        try:
            texts[path] = check_value(path, wanted_text(value, current[path], path))
        except ValueError as exc:
            raise UCError('%s; nothing was set' % exc, host=cli.session.endpoint, operation='xConfiguration %s' % path,
                          product='Expressway', hint='Give the value in the type the setting takes (its current '
                                                     'value: %s)' % shorten(current[path][0], 60))
    for path in wanted:
        text = texts[path]
        if same_value(current[path][0], text, current[path][1]):
            after[path] = current[path][0]
            continue
        if not check_mode:
            try:
                cli = _set(cli, path, text, reconnect)
            except UCError as error:
                error.done = [(p, before[p], after[p]) for p in changed]
                raise
        changed.append(path)
        after[path] = text
    return before, after, changed


def _set(cli, path, text, reconnect):
    """Set one leaf; returns the ``ExpresswayCli`` to go on with (a new one after a dropped connection)."""
    try:
        cli.set(path, text)
    except OutcomeUnknown as lost:
        cli = reconnect()
        leaf = cli.read_leaf(path)
        if leaf is None or not same_value(leaf[0], text, leaf[1]):
            raise UCError('the connection dropped while setting %s to %s, and it now holds %s: not set, not '
                          'repeated' % (path, text, leaf[0] if leaf else 'nothing'),
                          host=cli.session.endpoint, operation='xConfiguration %s: %s' % (path, text),
                          product='Expressway', hint='Run the task again (it reads the value first)',
                          details=[('cause', lost.message)])
    return cli
