# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The OAuth audit's reports: JSON (for machines), Markdown (for merge requests and tickets) and one
self-contained HTML page (a matrix of systems x checks in green, amber and red, then the findings with their
fixes), from the result of ``_oauth_audit.audit``.

Internal module: the leading underscore means its API may change without notice.

The HTML page needs nothing but itself: inline CSS, no script, no external font or image. Colours (also what the
browser test looks for): ``COLOURS``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.collab.uc.plugins.module_utils.domain._markdown import md_text
from ansible_collections.collab.uc.plugins.module_utils.domain._oauth_audit import NOT_APPLICABLE

try:
    from html import escape as _escape
except ImportError:  # pragma: no cover - Python 2
    from cgi import escape as _escape

# status -> (background, text colour, word a person reads)
COLOURS = {
    'ok': ('#2e7d32', '#ffffff', 'OK'),
    'warning': ('#f9a825', '#000000', 'Warning'),
    'critical': ('#c62828', '#ffffff', 'Critical'),
    'na': ('#e0e0e0', '#333333', 'n/a'),
    # a check no API can make (a value to declare, keys not read): a person checks it by hand; not "does not apply"
    'manual': ('#bbdefb', '#0d47a1', 'Check by hand'),
}
SEVERITY_WORDS = {'critical': 'Critical', 'warning': 'Warning'}


def escape(text):
    return _escape('' if text is None else str(text), quote=True)


def to_json(report):
    return json.dumps(report, indent=2, sort_keys=True) + '\n'


def same_result(report, previous_json):
    """True when ``previous_json`` (the text of an earlier ``oauth-audit.json``, or None) holds the same result as
    ``report``: the same systems, cells and findings; only the time it was generated may differ."""
    if previous_json is None:
        return False
    try:
        previous = json.loads(previous_json)
    except ValueError:
        return False
    if not isinstance(previous, dict):
        return False
    return _timeless(previous) == _timeless(json.loads(to_json(report)))


def _timeless(report):
    return dict((k, v) for k, v in report.items() if k != 'generated_at')


def _display(cell):
    """The status a person sees: a check that applies but that nothing could read is to be checked by hand."""
    if cell['status'] == 'na' and cell['text'] != NOT_APPLICABLE:
        return 'manual'
    return cell['status']


def _shown(cell):
    """The text of a matrix cell a person needs (none for a check that does not apply to the system)."""
    return '' if cell['status'] == 'na' and cell['text'] == NOT_APPLICABLE else cell['text']


def to_markdown(report, title):
    s = report['summary']
    lines = ['# %s' % md_text(title), '',
             '%d systems, %d findings (%d critical, %d warning). Generated %s.' % (
                 s['systems'], s['findings'], s['critical'], s['warning'], md_text(report['generated_at'])), '']
    if report['findings']:
        lines += ['## Findings', '', '| Severity | Finding | Systems | Fix |', '|---|---|---|---|']
        for f in report['findings']:
            cells = (SEVERITY_WORDS[f['severity']], md_text(f['title']), md_text(f['detail']),
                     md_text(', '.join(f['systems'])), md_text(f['fix']))
            lines.append('| %s | **%s** %s | %s | %s |' % cells)
    else:
        lines += ['No findings: every system agrees and meets the desired state.']
    lines += ['', '## Systems', '']
    checks = report['checks']
    lines.append('| System | ' + ' | '.join(md_text(c['label']) for c in checks) + ' |')
    lines.append('|---|' + '---|' * len(checks))
    for row in report['systems']:
        cells = []
        for c in checks:
            cell = row['cells'][c['key']]
            cells.append('%s %s' % (COLOURS[_display(cell)][2], md_text(_shown(cell))) if _shown(cell) else 'n/a')
        lines.append('| %s (%s) | %s |' % (md_text(row['name']), md_text(row['label']), ' | '.join(cells)))
    return '\n'.join(lines) + '\n'


_CSS = '''
body { font-family: Arial, Helvetica, sans-serif; margin: 24px; color: #212121; background: #ffffff; }
h1 { font-size: 24px; margin: 0 0 4px 0; }
h2 { font-size: 18px; margin: 28px 0 8px 0; }
p.summary { font-size: 15px; margin: 4px 0 16px 0; }
div.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; }
@media (max-width: 900px) {
  body { margin: 8px; }
  th, td { padding: 4px; font-size: 12px; overflow-wrap: anywhere; }
  td.system { white-space: normal; }
}
th, td { border: 1px solid #9e9e9e; padding: 6px 8px; text-align: left; vertical-align: top; font-size: 13px; }
th { background: #37474f; color: #ffffff; }
td.system { font-weight: bold; white-space: nowrap; }
td.system span { display: block; font-weight: normal; color: #555555; font-size: 12px; }
td.cell b { display: block; }
span.badge { display: inline-block; padding: 2px 8px; border-radius: 3px; font-weight: bold; }
ul.legend { list-style: none; padding: 0; margin: 8px 0; }
ul.legend li { display: inline-block; margin-right: 16px; }
'''


def _style(status):
    background, colour = COLOURS[status][:2]
    return 'background-color: %s; color: %s;' % (background, colour)


def to_html(report, title):
    s = report['summary']
    css = _CSS + ''.join('.%s { %s }\n' % (status, _style(status)) for status in COLOURS)
    out = ['<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<title>%s</title>' % escape(title), '<style>%s</style>' % css, '</head>', '<body>',
           '<h1>%s</h1>' % escape(title),
           '<p class="summary" id="summary">%d systems checked: <strong>%d findings</strong> (%d critical, %d '
           'warning). Generated %s.</p>' % (s['systems'], s['findings'], s['critical'], s['warning'],
                                            escape(report['generated_at'])),
           '<ul class="legend">%s</ul>' % ''.join(
               '<li><span class="badge %s">%s</span> %s</li>' % (status, COLOURS[status][2], words)
               for status, words in (('ok', 'agrees with the desired state'), ('warning', 'differs or unknown'),
                                     ('critical', 'breaks logins or voicemail'),
                                     ('manual', 'no API reads it: check it by hand'), ('na', 'does not apply')))]
    out += ['<h2>Findings</h2>']
    if report['findings']:
        out += ['<div class="scroll">', '<table id="findings">', '<thead><tr><th>Severity</th><th>Finding</th><th>Systems</th>'
                '<th>How to fix it</th></tr></thead>', '<tbody>']
        for f in report['findings']:
            out.append('<tr class="finding" data-id="%s" data-severity="%s"><td class="%s"><b>%s</b></td>'
                       '<td><b>%s</b><br>%s</td><td>%s</td><td>%s</td></tr>' % (
                           escape(f['id']), escape(f['severity']), f['severity'], SEVERITY_WORDS[f['severity']],
                           escape(f['title']), escape(f['detail']), escape(', '.join(f['systems'])),
                           escape(f['fix'])))
        out += ['</tbody>', '</table>', '</div>']
    else:
        out.append('<p class="ok badge" id="no-findings">No findings: every system agrees and meets the desired '
                   'state.</p>')
    out += ['<h2>Systems</h2>', '<div class="scroll">', '<table id="matrix">', '<thead><tr><th>System</th>%s</tr></thead>' % ''.join(
        '<th>%s</th>' % escape(c['label']) for c in report['checks']), '<tbody>']
    for row in report['systems']:
        serves = (' serves %s' % ', '.join(row['serves'])) if row['serves'] else ''
        cells = []
        for c in report['checks']:
            cell = row['cells'][c['key']]
            cells.append('<td class="cell %s" data-check="%s"><b>%s</b>%s</td>' % (
                _display(cell), escape(c['key']), COLOURS[_display(cell)][2],
                escape(_shown(cell))))
        out.append('<tr class="system" data-system="%s"><td class="system">%s<span>%s%s</span></td>%s</tr>' % (
            escape(row['name']), escape(row['name']), escape(row['label']), escape(serves), ''.join(cells)))
    out += ['</tbody>', '</table>', '</div>', '</body>', '</html>']
    return '\n'.join(out) + '\n'
