"""Expressway's admin CLI (xAPI): ``xConfiguration``, ``xStatus``, on top of ``state.expressway.ExpresswayState``.

A CLI dialect (``protocols/dialect.py``, the interface the SSH transport serves), registered for the kind
``expressway`` in ``server.py``: ``execute(session, line)`` returns an ``Answer``. Who may set a leaf is the
state's rule (``ExpresswayState.set_config``). The xAPI prints no prompt; every reply ends with a
line ``OK``, ``ERROR`` or ``Command not recognized.`` Exact words come from ``assumptions.py``.

Operations logged: ``xConfiguration <path>`` (read, the path as the system spells it), ``xConfiguration
<path>: <value>`` (write, carried out), ``xStatus <path>`` (read); an error is ``kind: other`` with
``status: failed``.
"""

import re

from .. import assumptions as A
from ..state.expressway import XapiError
from .dialect import Answer, normalise, pages  # noqa: F401 - the dialect interface

PROMPT = ""
KBD_PROMPT = A.XAPI_KBD_PROMPT
FAILED = "\n".join((A.XAPI_ERROR_HEAD, A.XAPI_ERROR_REASON % "Internal error.", A.XAPI_ERROR_END, A.XAPI_ERROR))
EXIT_COMMANDS = A.XAPI_EXIT_COMMANDS

SET_RE = re.compile(r"^\s*(xconfiguration)\s+([^:]+?)\s*:\s*(.*?)\s*$", re.I)
GET_RE = re.compile(r"^\s*(xconfiguration|xstatus)(?:\s+(.*?))?\s*$", re.I)


class CliSession:
    """One logged-in xAPI shell: its user. No paging (as Expressway)."""

    def __init__(self, state, user):
        self.state = state
        self.user = user
        self.pagination = False


def served(state):
    """What an Expressway's shell acts on: the system's state itself."""
    return state


def context(core, system, node):
    """No per-node context: an Expressway-C here is one node."""
    return {}


def banner(session):
    values = {"hostname": session.state.hostname, "version": session.state.version}
    return "", "\n".join([line % values for line in A.XAPI_BANNER] + [A.XAPI_OK])


def _value(value, kind):
    return '"%s"' % value if kind == "string" else value


def _error(exc, operation):
    lines = [A.XAPI_ERROR_HEAD, A.XAPI_ERROR_REASON % exc.reason]
    if exc.path:
        lines.append(A.XAPI_ERROR_XPATH % exc.path)
    return Answer("\n".join(lines + [A.XAPI_ERROR_END, A.XAPI_ERROR]), kind="other", operation=operation,
                  failed=True)


def operation_of(line):
    """The operation a line is logged under: the command with its words folded (the first word canonical)."""
    words = line.split()
    if not words:
        return ""
    head = {"xconfiguration": "xConfiguration", "xstatus": "xStatus"}.get(words[0].lower(), words[0])
    return " ".join([head] + words[1:])


def execute(session, line):
    state = session.state
    operation = operation_of(line)
    if not operation:
        return Answer("", kind="other", operation="")
    match = SET_RE.match(line)
    if match:
        value = match.group(3)
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        try:
            path = state.set_config(match.group(2), value, by=session.user)
        except XapiError as exc:
            return _error(exc, operation)
        return Answer(A.XAPI_OK, kind="write", operation="xConfiguration %s: %s" % (path, value))
    match = GET_RE.match(line)
    if match:
        config = match.group(1).lower() == "xconfiguration"
        try:
            leaves = state.config(match.group(2) or "") if config else state.status(match.group(2) or "", user=session.user)
        except XapiError as exc:
            return _error(exc, operation)
        template = A.XAPI_CONFIG_LINE if config else A.XAPI_STATUS_LINE
        text = [template % (path, _value(value, kind)) for path, value, kind in leaves]
        return Answer("\n".join(text + [A.XAPI_OK]), kind="read", operation=operation)
    return Answer(A.XAPI_UNKNOWN, kind="other", operation=operation, failed=True)
