# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Expressway-C admin CLI client (the xAPI: ``xConfiguration``, ``xStatus``) on top of ``_ssh.CliSession``.

Internal module: the leading underscore means its API may change without notice.

Reads print one line per leaf, ``*c xConfiguration CollaborationEdge OAuthLocal: On`` (seed 003); a set is
``xConfiguration <path>: <value>`` and answers ``OK``. Errors end with ``ERROR`` (or ``Command not
recognized.``) after a ``*r ... (status=Error)`` block whose ``Reason:`` says why. Only the ``*c`` line format and
the leaf names ``OAuthLocal`` / ``LegacyCred`` are public (reference section 6): the parsers accept either case,
quoted or bare values, and tolerate a hierarchical layout (``*c xConfiguration CollaborationEdge:`` then
indented ``OAuthLocal: On``).

MRA authorization settings (MRA Deployment Guide X14.2, defaults): ``OAuthLocal`` "Authorize by OAuth token"
(Off), ``LegacyCred`` "Authorize by user credentials" (Off), and "Authorize by OAuth token with refresh" (On),
whose CLI name Cisco does not publish: ``REFRESH_SETTING`` is this collection's assumption, and every caller takes
the name as an option.

What to write and how (``discover``, ``wanted_text``, ``ensure``) is decided in ``domain/_expressway_settings``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import UCError, shorten
from ansible_collections.collab.uc.plugins.module_utils.transport._ssh import typed_problem

# ASSUMPTION (the name is not public): the xConfiguration leaf of "Authorize by OAuth token with refresh".
REFRESH_SETTING = 'OAuthWithRefresh'
MRA_SECTION = 'CollaborationEdge'
# option name -> (leaf under CollaborationEdge, Expressway's label)
MRA_SETTINGS = (
    ('oauth_token_with_refresh', None, 'Authorize by OAuth token with refresh'),
    ('oauth_token', 'OAuthLocal', 'Authorize by OAuth token'),
    ('user_credentials', 'LegacyCred', 'Authorize by user credentials'),
)
MIN_REFRESH_VERSION = 'X8.10.1'

_PATH_RE = re.compile(r'^[A-Za-z][A-Za-z0-9]*(?: [A-Za-z0-9][A-Za-z0-9_]*)*$')
_LINE_RE = re.compile(r'^\*c\s+xConfiguration\s+(?P<path>[^:]+?)\s*:\s*(?P<value>.*?)\s*$', re.I)
_STATUS_RE = re.compile(r'^\*s\s+(?P<path>[^:]+?)\s*:\s*(?P<value>.*?)\s*$', re.I)
_NESTED_RE = re.compile(r'^(?P<indent>\s*)(?P<name>[A-Za-z0-9_]+)\s*:\s*(?P<value>.*?)\s*$')
_REASON_RE = re.compile(r'(?i)^\s*reason\s*:\s*"?(.*?)"?\s*$')
_VERSION_RE = re.compile(r'(?i)\b(X\d+(?:\.\d+)*(?:\.\d+)?)\b')
ERROR_ENDINGS = ('ERROR', 'Command not recognized.', 'Command not recognized')


def check_path(path):
    """``path`` with its words folded on spaces; ValueError when it is not an xConfiguration path."""
    folded = ' '.join(str(path).split())
    if not _PATH_RE.match(folded):
        raise ValueError('an xConfiguration path is words of letters and digits separated by spaces (for example '
                         '"CollaborationEdge OAuthLocal"), got %s' % shorten(repr(path), 100))
    return folded


# The longest value typed (the line adds the path): Expressway's own limits are lower.
MAX_VALUE = 512


def check_value(path, value):
    """``value`` for leaf ``path`` as it will be typed, checked before the login: a string (printable ASCII, no
    double quote, one line), a whole number or a boolean (both kept: ``wanted_text`` renders them in the type of
    the leaf once read). ValueError, naming the path, for anything else: a dictionary, a list, no value, a
    fraction, or text holding a control character (which the CLI's line editor would act on)."""
    if isinstance(value, bool) or isinstance(value, int):
        return value
    if value is None:
        raise ValueError('the value of %s is missing (null); give the value it must hold' % path)
    if isinstance(value, dict):
        raise ValueError('the value of %s is a dictionary; an xConfiguration value is one string, number or '
                         'boolean (give one path per value)' % path)
    if isinstance(value, (list, tuple)):
        raise ValueError('the value of %s is a list; an xConfiguration value is one string, number or boolean'
                         % path)
    if not isinstance(value, str):
        raise ValueError('the value of %s is a %s (%s); give it as a quoted string' % (
            path, type(value).__name__, shorten(repr(value), 40)))
    problem = typed_problem(value, 'the value of %s' % path, limit=MAX_VALUE)
    if problem:
        raise ValueError(problem)
    if '"' in value:
        raise ValueError('the value of %s holds a double quote, which an xConfiguration value cannot hold' % path)
    return value


def unquote(value):
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1], True
    return value, False


def parse_lines(output, regex=_LINE_RE):
    """``{path: (value, quoted)}`` of the ``*c xConfiguration`` (or ``*s``) lines of ``output``, in order.

    A hierarchical layout (a ``*c`` line ending in ``:`` and indented ``Name: value`` lines below) is flattened
    to the same paths.
    """
    out = {}
    stack = []  # [(indent, path)]
    for line in output.split('\n'):
        match = regex.match(line.strip())
        if match:
            path = ' '.join(match.group('path').split())
            value = match.group('value')
            if value:
                out[path] = unquote(value)
                stack = []
            else:
                stack = [(-1, path)]
            continue
        nested = _NESTED_RE.match(line)
        if stack and nested and not line.startswith('*'):
            indent = len(nested.group('indent'))
            while len(stack) > 1 and stack[-1][0] >= indent:
                stack.pop()
            path = stack[-1][1] + ' ' + nested.group('name')
            if nested.group('value'):
                out[path] = unquote(nested.group('value'))
            else:
                stack.append((indent, path))
    return out


def same_value(current, wanted, quoted=False):
    """True when setting ``wanted`` would leave ``current``: words such as On/Off compare case-insensitively (the
    xAPI accepts any case for them), quoted strings exactly."""
    if quoted:
        return current == wanted
    return current.lower() == str(wanted).lower()


def on_off(value):
    """True/False for On/Off (also True/False, Yes/No, Enabled/Disabled); None otherwise."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in ('on', 'true', 'yes', 'enabled', '1'):
        return True
    if text in ('off', 'false', 'no', 'disabled', '0'):
        return False
    return None


def version_key(version):
    """A sortable key of an Expressway version (``X14.2.1`` -> (14, 2, 1)); None when it is not one."""
    match = _VERSION_RE.search(str(version or ''))
    if not match:
        return None
    return tuple(int(part) for part in match.group(1)[1:].split('.'))


class XapiError(UCError):
    """The xAPI answered ERROR (``reason``: its ``Reason:`` text)."""


class ExpresswayCli:
    """xConfiguration reads and sets over one ``CliSession`` (one login for every call)."""

    def __init__(self, session):
        self.session = session

    def command(self, line):
        """Run one xAPI command; its output lines (the closing OK removed). Raises ``XapiError`` on ERROR."""
        output = self.session.run(line, check=False)
        ending = (self.session.last_prompt or '').strip()
        if ending in ERROR_ENDINGS or re.search(r'(?i)\(status\s*=\s*error\)', output):
            reasons = [m.group(1) for m in (_REASON_RE.match(x) for x in output.split('\n')) if m]
            words = reasons[0] if reasons else (output.strip() or ending)
            error = XapiError('Expressway answered: %s' % shorten(words), host=self.session.endpoint,
                              operation=line, product='Expressway',
                              hint=self._hint(words), details=[('output', shorten(output))] if output else None)
            error.reason = words
            raise error
        return output

    @staticmethod
    def _hint(words):
        low = words.lower()
        if 'no match' in low or 'not recognized' in low:
            return 'Check the xConfiguration path (run "xConfiguration <section>" on the Expressway to list it)'
        if 'invalid' in low:
            return 'Check the value (the error names the values the setting accepts)'
        if 'access' in low or 'denied' in low or 'read-only' in low:
            return 'Log in with an administrator account that has read-write access'
        return 'Check the command on the Expressway admin CLI'

    def read(self, path=''):
        """``{path: value}`` of every leaf under ``path`` (a section or one leaf), values unquoted."""
        path = check_path(path) if path else ''
        output = self.command(('xConfiguration ' + path).strip())
        return dict((name, pair[0]) for name, pair in parse_lines(output).items())

    def read_leaf(self, path):
        """``(value, quoted)`` of one leaf, or None when the Expressway has no such leaf (No match)."""
        path = check_path(path)
        try:
            values = parse_lines(self.command('xConfiguration ' + path))
        except XapiError as error:
            if 'no match' in error.reason.lower():
                return None
            raise
        for name, value in values.items():
            if name.lower() == path.lower():
                return value
        return None

    def set(self, path, value):
        """Set one leaf (``OK`` or ``XapiError``). Strings with spaces go in double quotes."""
        path = check_path(path)
        text = check_value(path, value)
        if not isinstance(text, str):
            raise ValueError('the value of %s must be rendered before it is set' % path)
        if not text or re.search(r'\s', text):
            text = '"%s"' % text
        self.command('xConfiguration %s: %s' % (path, text))

    def version(self):
        """The software version (``X14.2.1``) from ``xStatus SystemUnit Software Version``, else the banner."""
        try:
            output = self.command('xStatus SystemUnit Software Version')
            for name, (value, _quoted) in parse_lines(output, _STATUS_RE).items():
                if name.lower().endswith('version') and version_key(value):
                    return _VERSION_RE.search(value).group(1)
        except XapiError:
            pass
        match = _VERSION_RE.search(self.session.banner or '')
        return match.group(1) if match else None

    def access(self):
        """The logged-in account's access: ``read-write``, ``read-only`` (or ``auditor``), or None when the
        Expressway does not show it (``xStatus Login Session AccessLevel``, an assumption: see ucsim's
        assumptions.XAPI_ACCESS_STATUS). Read-only: never a write to find out."""
        try:
            output = self.command('xStatus Login Session AccessLevel')
        except XapiError:
            return None
        for name, (value, _quoted) in parse_lines(output, _STATUS_RE).items():
            if name.lower().endswith('accesslevel'):
                word = re.sub(r'[^a-z]', '', value.lower())
                return {'readwrite': 'read-write', 'readonly': 'read-only', 'auditor': 'read-only'}.get(word)
        return None

    def mra_settings(self, refresh_setting=REFRESH_SETTING):
        """``{option: True|False|None}`` of the MRA authorization settings, and the raw leaves read."""
        raw = self.read(MRA_SECTION)
        lowered = dict((name.lower(), value) for name, value in raw.items())
        out = {}
        for option, leaf, _label in MRA_SETTINGS:
            leaf = leaf or refresh_setting
            out[option] = on_off(lowered.get(('%s %s' % (MRA_SECTION, leaf)).lower()))
        return out, raw


# --- discovery: what a section shows (domain/_expressway_settings writes only the leaves it shows) ----------

def section_of(path):
    """The top-level section of an xConfiguration path (``CollaborationEdge OAuthLocal`` -> ``CollaborationEdge``)."""
    return check_path(path).split(' ', 1)[0]


def read_section(cli, section):
    """``{path: value}`` of every leaf the Expressway shows under ``section`` (its spelling, its order); ``{}`` when
    it has no such section (No match)."""
    try:
        return cli.read(section)
    except XapiError as error:
        if 'no match' in (error.reason or '').lower():
            return {}
        raise


def leaf_names(values, section):
    """The names of the leaves of ``values`` ({path: value}) below ``section``, as the Expressway spells them
    (``CollaborationEdge OAuthLocal`` -> ``OAuthLocal``), in order."""
    prefix = section.lower() + ' '
    return [path[len(prefix):] for path in values if path.lower().startswith(prefix)]


def find_leaf(values, path):
    """The path as the Expressway spells it in ``values`` (paths compare ignoring case, seed 003 prints both
    ``OAuthLocal`` and ``OauthLocal``), or None when it does not show it."""
    wanted = ' '.join(str(path).split()).lower()
    for name in values:
        if name.lower() == wanted:
            return name
    return None
