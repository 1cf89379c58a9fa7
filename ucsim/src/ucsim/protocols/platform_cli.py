"""The CUCM platform CLI (``admin:``): the command table, on top of ``state.platform.PlatformState``.

Transport-free: ``execute(session, line)`` returns an ``Answer`` (text with ``\\n`` line ends; the transport turns
them into CRLF, pages them and prints the prompt). A command that asks for confirmation returns an ``Answer``
with ``confirm`` set to ``(prompt, continuation)``: the transport prints the prompt, reads one line and calls
``continuation(line)`` for the next ``Answer``. Exact words come from ``assumptions.py``.

``Answer.kind`` is what the request log records: ``read``, ``write`` (carried out), ``other`` (a session setting,
a cancelled write) or ``fault`` (an unknown command counts as ``other``; it is not a fault of the simulator).
"""

import time

from .. import assumptions as A


class Answer:
    def __init__(self, text, kind="read", operation=None, confirm=None, failed=False):
        self.text = text
        self.kind = kind
        self.operation = operation
        self.confirm = confirm
        self.failed = failed

    @property
    def carried_out_write(self):
        return self.kind == "write"


class CliSession:
    """One logged-in shell: its user and its settings (pagination)."""

    def __init__(self, state, user):
        self.state = state
        self.user = user
        self.pagination = True


def normalise(line):
    return " ".join(line.split()).lower()


def failed(text, operation):
    lines = [text] if text else []
    return Answer("\n".join(lines + [A.CLI_FAILED]), kind="other", operation=operation, failed=True)


def _when(epoch):
    return A.CLI_KEY_NEVER if epoch is None else time.strftime(A.CLI_TIME_FORMAT, time.gmtime(epoch))


def show_key(session, kind):
    info = session.state.key_info(kind)
    return Answer("\n".join([A.CLI_KEY_TITLE % kind, A.CLI_KEY_CHECKSUM % info["checksum"],
                             A.CLI_KEY_REGENERATED % _when(info["last_regenerated"])]))


def regen_key(session, kind):
    operation = "set key regen authz %s" % kind
    if session.state.privilege(session.user) < A.CLI_PRIVILEGE_REQUIRED:
        return failed(A.CLI_INSUFFICIENT, operation)

    def answered(reply):
        if normalise(reply) in ("yes", "y"):
            session.state.regenerate_key(kind, by=session.user)
            return Answer(A.CLI_REGEN_DONE % kind, kind="write", operation=operation)
        return Answer(A.CLI_REGEN_CANCELLED, kind="other", operation=operation)

    warning = "\n".join(line % kind if "%s" in line else line for line in A.CLI_REGEN_WARNING)
    return Answer(warning, kind="other", operation=operation, confirm=(A.CLI_REGEN_CONFIRM, answered))


def show_version(session):
    return Answer("Active Master Version: %s\n%s" % (session.state.version_active, A.CLI_NO_OPTIONS))


def show_myself(session):
    values = {"hostname": session.state.hostname, "user": session.user,
              "privilege": session.state.privilege(session.user)}
    return Answer("\n".join(line % values for line in A.CLI_MYSELF))


def pagination(session, on):
    session.pagination = on
    return Answer(A.CLI_PAGINATION_ON if on else A.CLI_PAGINATION_OFF, kind="other")


def service_list(session):
    lines = ["Requesting service status, please wait...", "Service Manager is running",
             "Getting list of all services", ">> Return code = 0"]
    for name, state, reason in session.state.service_list():
        lines.append("%s[%s]%s" % (name, state, "  " + reason if reason else ""))
    return Answer("\n".join(lines))


# normalised command -> handler(session); the operation recorded is the command as written here.
COMMANDS = {
    "show key authz signing": lambda s: show_key(s, "signing"),
    "show key authz encryption": lambda s: show_key(s, "encryption"),
    "set key regen authz signing": lambda s: regen_key(s, "signing"),
    "set key regen authz encryption": lambda s: regen_key(s, "encryption"),
    "show version active": show_version,
    "show myself": show_myself,
    "set cli pagination off": lambda s: pagination(s, False),
    "set cli pagination on": lambda s: pagination(s, True),
    "utils service list": service_list,
}
EXIT_COMMANDS = ("exit", "quit")
# the dialect the SSH transport serves (transports/ssh.py DIALECTS)
PROMPT = A.CLI_PROMPT
KBD_PROMPT = A.CLI_KBD_PROMPT
FAILED = A.CLI_FAILED


def banner(session):
    """What the shell prints after login: (before the login delay, after it)."""
    return A.CLI_STARTING, "\n".join((A.CLI_WELCOME,) + A.CLI_BANNER_EXTRA)


def operation_of(line):
    """The operation name a line is logged under: the known command, or the line as typed (spaces folded)."""
    return normalise(line) if normalise(line) in COMMANDS else " ".join(line.split())


def execute(session, line):
    """The ``Answer`` to one command line (never None; an empty line answers nothing)."""
    command = normalise(line)
    if not command:
        return Answer("", kind="other", operation="")
    handler = COMMANDS.get(command)
    if handler is None:
        return failed(A.CLI_UNKNOWN % " ".join(line.split()), operation_of(line))
    answer = handler(session)
    if answer.operation is None:
        answer.operation = command
    return answer


def pages(text, page_lines):
    """Split output into pages of ``page_lines`` lines (one page when ``page_lines`` is 0)."""
    lines = text.split("\n")
    if not page_lines or len(lines) <= page_lines:
        return [lines]
    return [lines[i:i + page_lines] for i in range(0, len(lines), page_lines)]
