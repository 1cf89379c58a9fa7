# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one escaping rule for text that goes into a Markdown page of collab.uc (the OAuth audit's report, the
gitops_summary callback's plan): whatever a system or a person wrote stays one table cell of plain text.

Internal module: the leading underscore means its API may change without notice.

Values read from systems (a CUCM ClusterID or enterprise parameter, a Connection AuthZ server name, an Expressway
leaf, a problem message) may hold anything. In a cell, ``md_text`` makes sure that

- a pipe never ends the cell: ``|`` is ``\\|``, and a backslash is ``\\\\`` first, so that ``\\|`` from a system
  cannot turn the escape into an escaped backslash followed by a live pipe;
- no HTML reaches the page (``<script>``, ``<img onerror=...>``, comments, autolinks): ``&``, ``<``, ``>`` are
  the entities ``&amp;``, ``&lt;``, ``&gt;``;
- no link or image is made: ``[``, ``]`` and ``!`` are backslash-escaped;
- no code span is opened or closed: a backtick is backslash-escaped too;
- the row stays one line: line breaks and other control characters are spaces.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

_ESCAPES = {
    '\\': '\\\\',
    '|': '\\|',
    '&': '&amp;',
    '<': '&lt;',
    '>': '&gt;',
    '[': '\\[',
    ']': '\\]',
    '!': '\\!',
    '`': '\\`',
}
# line and paragraph separators Markdown renderers (or the browsers showing them) may break a line at
_BREAKS = u'\u0085\u2028\u2029'


def md_text(value):
    """``value`` (any type; None is empty) as the text of one Markdown table cell or line: see the module's rule."""
    text = u'' if value is None else u'%s' % (value,)
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char < u' ' or char == u'\x7f' or char in _BREAKS:
            out.append(u' ')
        else:
            out.append(char)
    return u''.join(out)
