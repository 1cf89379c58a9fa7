# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one SSH layer of collab.uc: an interactive platform CLI session (CUCM ``admin:``) over paramiko.

Internal module: the leading underscore means its API may change without notice.

The CUCM platform CLI offers no exec channel, only an interactive vt100 shell, so ``CliSession``:

* connects once (``open``, or lazily at the first ``run``) and runs every command of a task on that one login;
* verifies the host key against a known_hosts file (``strict``: an unknown key fails; ``accept_new``: an unknown
  key is appended to the file; ``off``: an unknown key is accepted and not saved). A key that differs from a
  known one always fails;
* authenticates with keyboard-interactive first and falls back to plain password only when the server does not
  offer keyboard-interactive. A failed login is never retried (the platform locks accounts);
* waits for the prompt within ``login_timeout``, turns automatic pagination off, and answers pager prompts
  that appear anyway;
* answers confirmation prompts from the caller's explicit ``answers`` only (a prompt with no answer left is
  declined and raised);
* types only printable ASCII (``typed_problem``): a command, an answer or a value holding a control character
  (DEL, backspace, Ctrl-C, Ctrl-U, NUL, ESC, tab...), a C1 control or any non-ASCII character is refused before
  the login and again before it is sent, since the CLI's line editor acts on such characters (erasing,
  cancelling or recalling what was typed) and the CLI would run another command than the one judged;
* cleans the output of echo, prompt, ANSI/VT100 escape sequences, CR/LF and backspaces, and raises
  ``UCError`` for error lines such as "Executed command unsuccessfully";
* raises ``_errors.OutcomeUnknown`` (with ``output``: what the CLI printed until then) when the connection drops
  (or the command times out, ``CommandTimeout``) while a command runs: the command may or may not have been
  carried out, so callers read the state again and decide. Nothing here repeats a command.

The password is sent only in the authentication exchange: it is never typed into the shell, never logged,
and masked in every message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import os
import re
import socket
import time
import traceback

from ansible_collections.collab.uc.plugins.module_utils.transport import _capture
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import MASK, OutcomeUnknown, UCError, shorten

try:
    import paramiko
    HAS_PARAMIKO = True
    PARAMIKO_IMPORT_ERROR = None
except ImportError:
    paramiko = None
    HAS_PARAMIKO = False
    PARAMIKO_IMPORT_ERROR = traceback.format_exc()


HOST_KEY_CHECKING = ('strict', 'accept_new', 'off')
DEFAULT_KNOWN_HOSTS = '~/.ssh/known_hosts'
CUCM_PROMPT = r'admin:\s*$'
PRODUCT = 'CUCM platform CLI'
# The advice of the failures that depends on the product (these are the platform CLI's; a connection group passes
# its own as ``hints``): a refused login, no prompt within the login timeout.
HINTS = {
    'login': 'Check ssh_username and ssh_password (the platform administrator, not the AXL user). Not retried: '
             'the platform locks the account after repeated failures',
    'login_timeout': 'The platform CLI starts slowly (often 10 s or more); raise ssh_login_timeout or check that '
                     'the node is healthy',
}

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), charset selection (ESC ( B) and two-byte escapes (ESC =, ESC 7).
ESCAPE_RE = re.compile(r'\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()*+][0-9A-Za-z]'
                       r'|\x1b[ -/]*[0-~]')
# Control characters other than newline, CR, backspace and tab (bell, shift in/out, NUL...).
CONTROL_RE = re.compile(r'[\x00-\x07\x0b\x0c\x0e-\x1f\x7f]')

# Pager prompts shown when pagination is on: answered with a space (next page).
PAGER_RE = re.compile(r'(?i)(press\s*<?enter>?\s*for\s*1\s*line.*|-+\s*more\s*-+.*|<more>)\s*$')
# Confirmation prompts: answered from the caller's ``answers`` only.
CONFIRM_RE = re.compile(r'(?i)(\(\s*y(?:es)?\s*/\s*n(?:o)?\s*\)|\[\s*y(?:es)?\s*/\s*n(?:o)?\s*\])\s*[?:]?\s*$')
# Lines that mean the command failed. "Executed command unsuccessfully" is what the CLI prints; the others are
# tolerated spellings of the same (the exact texts are not documented).
ERROR_RES = (
    re.compile(r'(?i)executed\s+command\s+unsuccessfully'),
    re.compile(r'(?i)^\s*(?:%\s*)?(?:error|syntax\s+error|invalid\s+(?:command|input|option|parameter)s?'
               r'|unrecognized\s+command|unknown\s+command|command\s+not\s+found|incomplete\s+command)\b'),
)


# What may be typed into a CLI session: printable ASCII, space to tilde. Anything else is refused: C0 controls and
# DEL are line-editing keys (BS/DEL erase, Ctrl-C cancels the line, Ctrl-U kills it, ESC starts cursor and history
# keys, tab completes), C1 controls (U+0080-U+009F, among them NEL and the 8-bit CSI) and the Unicode line and
# paragraph separators end or edit lines on some terminals, and the UTF-8 bytes of any other non-ASCII character
# include 0x80-0x9F, which an 8-bit line editor takes for C1 controls. The CLIs' own commands and values are ASCII.
TYPED_RE = re.compile(r'^[ -~]*$')
MAX_TYPED = 1024
_CONTROL_NAMES = dict(enumerate((
    'NUL', 'Ctrl-A', 'Ctrl-B', 'Ctrl-C', 'Ctrl-D', 'Ctrl-E', 'Ctrl-F', 'BEL', 'backspace', 'tab', 'line feed',
    'Ctrl-K', 'form feed', 'carriage return', 'Ctrl-N', 'Ctrl-O', 'Ctrl-P', 'Ctrl-Q', 'Ctrl-R', 'Ctrl-S', 'Ctrl-T',
    'Ctrl-U', 'Ctrl-V', 'Ctrl-W', 'Ctrl-X', 'Ctrl-Y', 'Ctrl-Z', 'ESC', 'Ctrl-\\', 'Ctrl-]', 'Ctrl-^', 'Ctrl-_')))
_CONTROL_NAMES.update({0x7f: 'DEL', 0x85: 'NEL, next line', 0x9b: 'CSI', 0xa0: 'no-break space',
                       0x2028: 'line separator', 0x2029: 'paragraph separator'})


def char_name(char):
    """``U+007F (DEL)``: a character as messages show it."""
    code = ord(char)
    name = _CONTROL_NAMES.get(code)
    if name is None:
        if 0x80 <= code <= 0x9f:
            name = 'C1 control'
        else:
            try:
                import unicodedata
                name = unicodedata.name(char)
            except (ValueError, ImportError):
                name = 'not printable'
    return 'U+%04X (%s)' % (code, name)


def typed_problem(text, what='the text', limit=MAX_TYPED):
    """Why ``text`` may not be typed into a CLI session (None when it may): not a string, longer than ``limit``,
    or holding a character other than printable ASCII (named with its position). ``what`` names it."""
    if not isinstance(text, str):
        return '%s must be a string, got %s' % (what, type(text).__name__)
    if len(text) > limit:
        return '%s is %d characters long; at most %d may be typed into the CLI' % (what, len(text), limit)
    if TYPED_RE.match(text):
        return None
    for position, char in enumerate(text):
        if not ' ' <= char <= '~':
            return ('%s holds %s at character %d; only printable ASCII characters (space to ~) may be typed into '
                    'the CLI (its line editor acts on control characters, erasing, cancelling or recalling what was '
                    'typed, and takes bytes of other characters for controls)' % (what, char_name(char), position + 1))
    return None  # pragma: no cover - the regular expression matched


def shown(text):
    """``text`` fit for a message: every character but printable ASCII written as an escape (``\\x7f``)."""
    if TYPED_RE.match(text):
        return text
    return ''.join(char if ' ' <= char <= '~' else char.encode('unicode_escape').decode('ascii') for char in text)


class UnsafeInput(UCError):
    """A command, answer or value that may not be typed into the CLI (see ``typed_problem``). Nothing was sent."""


class CommandTimeout(OutcomeUnknown):
    """No prompt came back within the command timeout (the command may still be running).

    Like every ``OutcomeUnknown`` raised here, ``output`` holds what the CLI printed before that (cleaned).
    """


class LoginFailed(UCError):
    """Authentication was refused (never retried: the platform locks accounts)."""


class HostKeyError(UCError):
    """The server's host key is unknown (and checking is strict) or differs from the known one."""


# --- output cleaning ----------------------------------------------------------------------------------------

def _render_line(line):
    """What a terminal shows for one line: CR returns to column 0, backspace moves left, text overwrites."""
    if '\r' not in line and '\b' not in line:
        return line
    cells = []
    col = 0
    for ch in line:
        if ch == '\r':
            col = 0
        elif ch == '\b':
            col = max(0, col - 1)
        else:
            if col < len(cells):
                cells[col] = ch
            else:
                cells.append(ch)
            col += 1
    return ''.join(cells)


def clean_text(raw):
    """Terminal output as plain text: escapes and control characters removed, CR/LF and backspaces applied.

    Accepts bytes (decoded as UTF-8, bad bytes replaced) or text. Lines are right-stripped; CRLF, LF and a lone
    CR that ends a line all become ``\\n``.
    """
    if isinstance(raw, bytes):
        raw = raw.decode('utf-8', 'replace')
    text = ESCAPE_RE.sub('', raw)
    text = text.replace('\r\n', '\n').replace('\n\r', '\n')
    text = CONTROL_RE.sub('', text)
    lines = [_render_line(line).rstrip() for line in text.split('\n')]
    return '\n'.join(line.expandtabs() if '\t' in line else line for line in lines)


def strip_transcript(text, command=None, prompt=CUCM_PROMPT):
    """A cleaned command transcript without the echoed command, pager prompts and the closing prompt.

    ``text`` is ``clean_text`` output of everything read after the command was sent. Leading and trailing blank
    lines are dropped; inner ones are kept.
    """
    prompt_re = re.compile(prompt) if isinstance(prompt, str) else prompt
    lines = text.split('\n')
    if command is not None and lines:
        first = lines[0].strip()
        wanted = ' '.join(command.split())
        # the echo: the command itself, possibly after the prompt (some shells echo the prompt again)
        if first and (' '.join(first.split()).endswith(wanted) or wanted.startswith(' '.join(first.split()))):
            lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]  # a shell whose closing line is a whole line (Expressway's OK) ends with a newline
    if lines and prompt_re.search(lines[-1]):
        lines = lines[:-1]
    kept = []
    for line in lines:
        stripped = PAGER_RE.sub('', line).rstrip()
        if stripped != line.rstrip() and not stripped.strip():
            continue  # a pager prompt alone on its line
        kept.append(stripped)
    while kept and not kept[0].strip():
        kept.pop(0)
    while kept and not kept[-1].strip():
        kept.pop()
    return '\n'.join(kept)


def error_lines(output):
    """The lines of ``output`` that say the command failed (empty when it did not)."""
    return [line.strip() for line in output.split('\n') if any(rx.search(line) for rx in ERROR_RES)]


def _normalise_answers(answers):
    """answers: strings (answered in order to confirmation prompts) or {prompt: regex, answer: text} / pairs."""
    if isinstance(answers, (str, dict)):
        answers = [answers]
    out = []
    for item in answers or ():
        if isinstance(item, dict):
            if 'answer' not in item:
                raise ValueError('an answer needs an "answer" key: %r' % (item,))
            pattern = item.get('prompt')
            out.append((re.compile(pattern) if pattern else None, str(item['answer'])))
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            out.append((re.compile(item[0]) if item[0] else None, str(item[1])))
        else:
            out.append((None, str(item)))
    return out


# --- host keys ----------------------------------------------------------------------------------------------

def known_hosts_name(host, port):
    """The known_hosts name of an endpoint: ``host`` on port 22, ``[host]:port`` elsewhere (as OpenSSH)."""
    return host if int(port) == 22 else '[%s]:%d' % (host, int(port))


def fingerprint(key):
    """OpenSSH's SHA256 fingerprint of a paramiko key."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return 'SHA256:' + base64.b64encode(digest).decode('ascii').rstrip('=')


# --- the session --------------------------------------------------------------------------------------------

class CliSession:
    """One login to an interactive platform CLI, for every command of a task. Not thread-safe.

    ``prompt`` is a regular expression matched against the last line of the cleaned output (CUCM: ``admin:``).
    ``char_delay`` (seconds) sends each character apart, for prompts that drop characters sent fast.
    ``pagination_command`` is sent once after login (``None`` to skip); its failure is not fatal.
    ``prompt_ends_line``: the prompt is a whole line ended by a newline (shells with no prompt, whose replies end
    with a closing line such as Expressway's ``OK``), so the last complete line is matched too.
    ``hints`` replaces entries of ``HINTS`` (the product's advice for a refused login or a slow prompt).
    ``timeout_option`` names the option that sets ``command_timeout`` (``ssh_command_timeout``) in the timeout
    message. ``save_new_host_keys`` False (check mode): ``accept_new`` trusts an unknown key for this session only,
    writes nothing and says so through ``warn`` (a callable taking a message, e.g. ``AnsibleModule.warn``).
    """

    def __init__(self, host, username, password, port=22, known_hosts=DEFAULT_KNOWN_HOSTS,
                 host_key_checking='strict', login_timeout=60, command_timeout=120, prompt=CUCM_PROMPT,
                 pagination_command='set cli pagination off', char_delay=0.0, product=PRODUCT,
                 terminal_width=200, terminal_height=50, sleep=time.sleep, clock=time.monotonic,
                 prompt_ends_line=False, hints=None, timeout_option=None, save_new_host_keys=True, warn=None):
        if not HAS_PARAMIKO:
            raise UCError('the Python library paramiko is required for the platform CLI over SSH',
                          host=host, operation='connect', product=product,
                          hint='Install paramiko on the controller (pip install paramiko)')
        if host_key_checking not in HOST_KEY_CHECKING:
            raise ValueError('host_key_checking must be one of %s' % ', '.join(HOST_KEY_CHECKING))
        self.host = host
        self.port = int(port)
        self.username = username
        self._password = password
        self.known_hosts = os.path.expanduser(known_hosts) if known_hosts else None
        self.host_key_checking = host_key_checking
        self.login_timeout = float(login_timeout)
        self.command_timeout = float(command_timeout)
        self.prompt_re = re.compile(prompt)
        self.prompt_ends_line = bool(prompt_ends_line)
        self.pagination_command = pagination_command
        self.char_delay = float(char_delay or 0)
        self.product = product
        self.hints = dict(HINTS, **(hints or {}))
        self.timeout_option = timeout_option
        self.save_new_host_keys = bool(save_new_host_keys)
        self.warn = warn
        self.terminal_width = terminal_width
        self.terminal_height = terminal_height
        self.sleep = sleep
        self.clock = clock
        self._transport = None
        self._channel = None
        self._broken = None
        # Figures a module may report and tests may check.
        self.logins = 0
        self.commands_sent = 0
        self.host_key_added = False
        self.host_key_accepted = None  # 'type fingerprint' of a key accept_new trusted without saving it
        self.banner = ''
        # The line that ended the last output (the prompt; on shells that print no prompt, the closing line such
        # as Expressway's OK/ERROR, which strip_transcript removes from the output).
        self.last_prompt = None

    @property
    def endpoint(self):
        return '%s:%s' % (self.host, self.port)

    # messages ---------------------------------------------------------------------------------------------
    def _mask(self, text):
        text = text if isinstance(text, str) else str(text)
        if self._password:
            text = text.replace(self._password, MASK)
        return text

    def _error(self, cls, message, operation, hint=None, details=None, output=None):
        """A ``cls`` error of this endpoint, password masked. ``output`` (what the CLI printed) goes on the error."""
        details = [(name, self._mask(value)) for name, value in (details or [])]
        # the operation is the command typed: a long one is cut so that it does not swamp the message
        operation = self._mask(shorten(shown(operation), 200)) if operation else operation
        error = cls(self._mask(message), host=self.endpoint, operation=operation, product=self.product,
                    hint=hint, details=details)
        if output is not None:
            error.output = output
        return error

    # connection -------------------------------------------------------------------------------------------
    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        channel, transport = self._channel, self._transport
        self._channel = self._transport = None
        for thing in (channel, transport):
            if thing is not None:
                try:
                    thing.close()
                except Exception:  # pragma: no cover - closing a dead connection
                    pass

    def open(self):
        """Connect, verify the host key, log in once and wait for the prompt. Idempotent while connected."""
        if self._channel is not None:
            return
        if self._broken:
            raise self._error(UCError, 'the session is no longer usable after: %s' % self._broken, 'connect',
                              hint='Start a new session (run the task again once the state is known)')
        deadline = self.clock() + self.login_timeout
        try:
            self._connect(deadline)
        except Exception:
            self.close()
            raise
        try:
            self._authenticate(deadline)
            self._start_shell(deadline)
        except Exception as exc:
            # Once credentials were sent, a failure may have counted against the account: never log in again.
            self._broken = 'a failed login (%s)' % self._mask(getattr(exc, 'message', exc))
            self.close()
            raise
        if self.pagination_command:
            try:
                self.run(self.pagination_command, check=False)
            except OutcomeUnknown:
                raise
            except UCError:
                pass

    def _remaining(self, deadline, operation):
        left = deadline - self.clock()
        if left <= 0:
            raise self._error(UCError, 'no CLI prompt within the login timeout of %gs' % self.login_timeout,
                              operation, hint=self.hints['login_timeout'])
        return left

    def _connect(self, deadline):
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self._remaining(deadline, 'connect'))
        except (socket.error, OSError) as exc:
            raise self._error(UCError, 'cannot connect: %s' % exc, 'connect',
                              hint='Check ssh_host and ssh_port, and that SSH is reachable from the controller')
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # one short line per command: no Nagle wait
        except (socket.error, OSError):  # pragma: no cover - not a TCP socket
            pass
        transport = paramiko.Transport(sock)
        self._transport = transport
        known = self._known_keys()
        if known:
            # Ask for a key type we know first, as OpenSSH does, so a known host is not mistaken for a changed one.
            options = transport.get_security_options()
            names = set(known)
            if 'ssh-rsa' in names:
                names.update(('rsa-sha2-512', 'rsa-sha2-256'))
            types = [t for t in options.key_types if t in names] + [t for t in options.key_types if t not in names]
            try:
                options.key_types = types
            except ValueError:  # pragma: no cover - a type paramiko does not offer
                pass
        try:
            transport.banner_timeout = self._remaining(deadline, 'connect')
            transport.start_client(timeout=self._remaining(deadline, 'connect'))
        except UCError:
            raise
        except (paramiko.SSHException, socket.error, EOFError, OSError) as exc:
            raise self._error(UCError, 'SSH handshake failed: %s' % (exc or type(exc).__name__), 'connect',
                              hint='Check that ssh_host/ssh_port is the SSH service of the node')
        self._check_host_key(transport.get_remote_server_key(), known)

    def _known_keys(self):
        """{key type: key} that the known_hosts file holds for this endpoint."""
        if not self.known_hosts or not os.path.exists(self.known_hosts):
            return {}
        try:
            keys = paramiko.HostKeys(self.known_hosts)
        except (IOError, OSError, paramiko.SSHException) as exc:
            raise self._error(HostKeyError, 'cannot read the known_hosts file %s: %s' % (self.known_hosts, exc),
                              'host key', hint='Fix or replace the file named by ssh_known_hosts')
        entry = keys.lookup(known_hosts_name(self.host, self.port))
        return dict(entry.items()) if entry else {}

    def _check_host_key(self, key, known):
        name = known_hosts_name(self.host, self.port)
        offered = '%s %s' % (key.get_name(), fingerprint(key))
        if known:
            mine = known.get(key.get_name())
            if mine is not None and mine.asbytes() == key.asbytes():
                return
            raise self._error(HostKeyError, 'the host key of %s CHANGED (offered %s, known_hosts %s has %s); '
                              'this may be an attack' % (name, offered, self.known_hosts,
                                                         ', '.join('%s %s' % (t, fingerprint(k))
                                                                   for t, k in sorted(known.items()))),
                              'host key', hint='Refused whatever ssh_host_key_checking says. If the node was '
                                               'reinstalled, verify the new key out of band and replace its '
                                               'line in the known_hosts file')
        if self.host_key_checking == 'strict':
            raise self._error(HostKeyError, 'the host key of %s is not in %s (offered %s)'
                              % (name, self.known_hosts or 'any known_hosts file', offered), 'host key',
                              hint='Add the node\'s key to the known_hosts file (ssh-keyscan, verified out of '
                                   'band), or set ssh_host_key_checking=accept_new to trust it on first use')
        if self.host_key_checking == 'accept_new' and self.known_hosts and not self.save_new_host_keys:
            # check mode writes nothing: the key is trusted for this session only, and the user is told
            self.host_key_accepted = offered
            if self.warn is not None:
                self.warn('%s: the host key of %s (%s) is not in %s; check mode trusted it for this run only and '
                          'did NOT save it (ssh_host_key_checking=accept_new saves it on a run without check mode)'
                          % (self.product, name, offered, self.known_hosts))
            return
        if self.host_key_checking == 'accept_new' and self.known_hosts:
            line = '%s %s %s\n' % (name, key.get_name(), key.get_base64())
            try:
                directory = os.path.dirname(self.known_hosts)
                if directory and not os.path.isdir(directory):
                    os.makedirs(directory, 0o700)
                fd = os.open(self.known_hosts, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                with os.fdopen(fd, 'a') as handle:
                    handle.write(line)
            except (IOError, OSError) as exc:
                raise self._error(HostKeyError, 'cannot add the host key to %s: %s' % (self.known_hosts, exc),
                                  'host key', hint='Make the known_hosts file writable or add the key yourself')
            self.host_key_added = True

    def _authenticate(self, deadline):
        transport = self._transport
        transport.auth_timeout = self._remaining(deadline, 'login')
        password = self._password

        def answer(_title, _instructions, prompts):  # paramiko's handler: only the prompts matter
            # Every hidden prompt gets the password; a visible one asking for a user name gets the user name.
            replies = []
            for text, echo in prompts:
                if echo and re.search(r'(?i)user|login', text or ''):
                    replies.append(self.username)
                else:
                    replies.append(password)
            return replies

        hint = self.hints['login']
        try:
            try:
                transport.auth_interactive(self.username, answer)
            except paramiko.BadAuthenticationType as exc:
                if 'password' not in (exc.allowed_types or []):
                    raise self._error(LoginFailed, 'the server offers neither keyboard-interactive nor password '
                                      'authentication (offers: %s)' % ', '.join(exc.allowed_types or []),
                                      'login', hint='Check that ssh_host is a Cisco platform CLI')
                transport.auth_password(self.username, password, fallback=False)
        except UCError:
            raise
        except paramiko.AuthenticationException as exc:
            raise self._error(LoginFailed, 'authentication failed for user %s (%s)'
                              % (self.username, exc or 'refused'), 'login', hint=hint)
        except (paramiko.SSHException, socket.error, EOFError, OSError) as exc:
            raise self._error(UCError, 'the connection failed during login: %s' % (exc or type(exc).__name__),
                              'login', hint=hint)
        if not transport.is_authenticated():  # pragma: no cover - paramiko raises before that
            raise self._error(LoginFailed, 'authentication failed for user %s' % self.username, 'login', hint=hint)
        self.logins += 1

    def _start_shell(self, deadline):
        try:
            channel = self._transport.open_session(timeout=self._remaining(deadline, 'login'))
            channel.get_pty(term='vt100', width=self.terminal_width, height=self.terminal_height)
            channel.invoke_shell()
        except UCError:
            raise
        except (paramiko.SSHException, socket.error, EOFError, OSError) as exc:
            raise self._error(UCError, 'the server refused the interactive shell: %s' % (exc or type(exc).__name__),
                              'login', hint='Check that the account may use the platform CLI')
        self._channel = channel
        try:
            raw = self._read_until_prompt(deadline, 'login', answers=None)
        except OutcomeUnknown as exc:
            self._channel = None
            printed = getattr(exc, 'output', '')
            raise self._error(UCError, 'the connection closed before the CLI prompt: %s' % exc.message, 'login',
                              details=[('output', shorten(printed))] if printed else None,
                              hint='Check that the account may use the platform CLI and that the node is healthy')
        self.banner = strip_transcript(clean_text(raw), None, self.prompt_re)

    # commands ---------------------------------------------------------------------------------------------
    def _send(self, text, operation):
        # The last guard: nothing but printable ASCII (and the newline that ends a line) is ever typed.
        problem = typed_problem(text[:-1] if text.endswith('\n') else text, 'the text to type')
        if problem:
            raise self._error(UnsafeInput, 'refused to type it: %s' % problem, operation,
                              hint='Nothing was sent. Give commands, answers and values in printable ASCII')
        try:
            if self.char_delay > 0:
                for ch in text:
                    self._channel.sendall(ch.encode('utf-8'))
                    self.sleep(self.char_delay)
            else:
                self._channel.sendall(text.encode('utf-8'))
        except (socket.error, EOFError, OSError, paramiko.SSHException) as exc:
            self._lost(operation, 'the connection dropped while sending: %s' % (exc or type(exc).__name__), '')

    def _lost(self, operation, why, output, cls=OutcomeUnknown):
        self._broken = '%s (%s)' % (why, operation)
        self.close()
        raise self._error(cls, why, operation, output=output,
                          details=[('output', shorten(output))] if output.strip() else None,
                          hint='The command may or may not have been carried out: read the state again before '
                               'deciding; never repeat it blindly')

    def _timeout_words(self, timeout):
        if timeout is not None and timeout != self.command_timeout:
            return 'no prompt within the command timeout of %gs given for this command' % timeout
        words = 'no prompt within the command timeout of %gs' % self.command_timeout
        if self.timeout_option:
            words += ' (%s; raise it if the command needs longer)' % self.timeout_option
        return words

    def _read_until_prompt(self, deadline, operation, answers, timeout=None):
        """Read until the prompt closes the output; answer pagers and confirmations on the way. Returns raw text."""
        channel = self._channel
        buf = []
        pending = answers
        scanned = 0  # length of the text already answered (so one prompt is answered once)
        declined = None
        while True:
            text = ''.join(buf)
            tail = clean_text(text[scanned:])
            last = tail.rsplit('\n', 1)[-1]
            if self.prompt_ends_line and not last and '\n' in tail:
                last = tail[:-1].rsplit('\n', 1)[-1]  # the complete line before the final newline
            if self.prompt_re.search(last):
                self.last_prompt = last.strip()
                if declined is not None:
                    raise self._error(UCError, 'the command asked "%s" and no answer was given; it was declined'
                                      % declined, operation,
                                      details=[('output', shorten(self._partial(text, operation)))],
                                      hint='Give the answer explicitly (answers) if the command must go on')
                return text
            if PAGER_RE.search(last):
                scanned = len(text)
                self._send(' ', operation)
                continue
            if CONFIRM_RE.search(last) and pending is not None:
                scanned = len(text)
                reply = self._answer_for(last, pending)
                if reply is None:
                    # Decline, wait for the prompt (so the session stays usable), then raise.
                    declined = last.strip()
                    reply = 'n' if re.search(r'(?i)\(\s*y\s*/', last) else 'no'
                self._send(reply + '\n', operation)
                continue
            now = self.clock()
            if now >= deadline:
                output = clean_text(text)
                if operation == 'login':
                    self._broken = 'no prompt within the login timeout'
                    self.close()
                    raise self._error(UCError, 'no CLI prompt within the login timeout of %gs'
                                      % self.login_timeout, 'login',
                                      details=[('output', shorten(output))] if output.strip() else None,
                                      hint=self.hints['login_timeout'])
                self._lost(operation, self._timeout_words(timeout), self._partial(text, operation),
                           cls=CommandTimeout)
            channel.settimeout(min(0.5, max(0.01, deadline - now)))
            try:
                data = channel.recv(65536)
            except socket.timeout:
                continue
            except (socket.error, EOFError, OSError, paramiko.SSHException) as exc:
                self._lost(operation, 'the connection dropped: %s' % (exc or type(exc).__name__), self._partial(text, operation))
            if not data:
                self._lost(operation, 'the connection was closed by the server', self._partial(text, operation))
            buf.append(data.decode('utf-8', 'replace'))

    def _partial(self, text, operation):
        """What a command printed before the connection was lost (cleaned, without its echo)."""
        return strip_transcript(clean_text(text), None if operation == 'login' else operation, self.prompt_re)

    def _drain(self):
        """Forget output that arrived after the last prompt (so it is not taken for the next command's)."""
        try:
            while self._channel.recv_ready():
                if not self._channel.recv(65536):
                    break
        except (socket.error, EOFError, OSError, paramiko.SSHException):  # pragma: no cover - seen at the next read
            pass

    @staticmethod
    def _answer_for(prompt_line, pending):
        for i, (pattern, reply) in enumerate(pending):
            if pattern is None or pattern.search(prompt_line):
                del pending[i]
                return reply
        return None

    def run(self, command, answers=None, timeout=None, check=True):
        """Run one command; return its cleaned output (no echo, no prompt).

        ``answers``: replies to confirmation prompts, in order (strings), or ``{prompt: regex, answer: text}``.
        A confirmation with no answer left is declined and raised. ``check``: raise ``UCError`` when an error
        line appears (the CLI's words in the message). A drop or a timeout raises ``OutcomeUnknown``.
        The output is returned as printed (parsers need it whole); messages mask the password, and Ansible masks
        ``no_log`` values in module results.
        """
        if not isinstance(command, str) or not command.strip():
            raise ValueError('a CLI command is one non-empty line')
        # checked before the login: a command or an answer that may not be typed sends nothing
        pending = _normalise_answers(answers)
        problems = [typed_problem(command, 'the command')] + [
            typed_problem(reply, 'answer %d' % (n + 1)) for n, (dummy, reply) in enumerate(pending)]
        problems = [problem for problem in problems if problem]
        if problems:
            raise self._error(UnsafeInput, 'refused to type it: %s' % '; '.join(problems), command,
                              hint='Nothing was sent. Give commands and answers in printable ASCII')
        command = command.strip()
        captured = _capture.cli_start(self, command)  # None unless capturing (which refuses writes)
        self.open()
        self._drain()
        self.commands_sent += 1
        self._send(command + '\n', command)
        limit = self.command_timeout if timeout is None else float(timeout)
        raw = self._read_until_prompt(self.clock() + limit, command, pending, timeout=limit)
        output = strip_transcript(clean_text(raw), command, self.prompt_re)
        if captured is not None:
            captured(raw, output)
        if check:
            errors = error_lines(output)
            if errors:
                raise self._error(UCError, 'the CLI answered: %s' % shorten(' / '.join(errors)), command,
                                  details=[('output', shorten(output))],
                                  hint='Check the command and its arguments, and that the account has the '
                                       'privilege level it needs')
        return output
