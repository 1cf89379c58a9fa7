"""What an admin CLI *dialect* provides: the interface between the SSH transport and a product's CLI.

The SSH transport (``transports/ssh.py``) carries bytes: login, echo, line editing, paging, confirmations. What the
shell says is the dialect's: a protocol module registered for a system kind with ``register_kind(...,
dialect="protocols.<module>")`` in ``server.py``, as the HTTPS protocols are registered by path prefix. Two exist:
``platform_cli`` (CUCM's ``admin:``, on the cluster's ``state.platform``) and ``expressway_cli`` (Expressway's
xAPI, on the system's state).

A dialect is a module that provides every member of ``Dialect`` below (``check`` verifies it when the kind is
registered). Business rules stay in the state (who may do what); a dialect parses a line, calls the state and words
the answer. The shared pieces of every dialect are here: ``Answer``, ``normalise``, ``pages``.
"""

from typing import Any, Callable, Dict, List, Optional, Protocol, Tuple


class Answer:
    """One answer of a dialect to a command line.

    ``text`` (``\\n`` line ends; the transport turns them into CRLF, pages them and prints the prompt); ``kind``:
    what the request log records, ``read``, ``write`` (carried out), ``other`` (a session setting, a cancelled
    write, an unknown command) or ``fault``; ``operation``: the log's operation name; ``failed``: the CLI said the
    command failed (logged ``status: failed``).
    ``confirm`` = ``(question, continuation)``: the transport prints ``text`` and the question, reads one line and
    calls ``continuation(line)`` for the next ``Answer``. ``then`` = ``(seconds, continuation)``: the transport prints
    ``text``, waits that long, then calls ``continuation()`` for the rest (a service restart printed as it stops).
    """

    def __init__(self, text, kind="read", operation=None, confirm=None, failed=False, then=None):
        self.text = text
        self.kind = kind
        self.operation = operation
        self.confirm = confirm
        self.failed = failed
        self.then = then

    @property
    def carried_out_write(self):
        return self.kind == "write"


def normalise(line):
    """A command line with its spaces folded, in lower case (how the command tables are keyed)."""
    return " ".join(line.split()).lower()


def pages(text, page_lines):
    """Split output into pages of ``page_lines`` lines (one page when ``page_lines`` is 0)."""
    lines = text.split("\n")
    if not page_lines or len(lines) <= page_lines:
        return [lines]
    return [lines[i:i + page_lines] for i in range(0, len(lines), page_lines)]


AnswerType = Answer


class Dialect(Protocol):
    """The members a dialect module provides (a module satisfies this Protocol structurally)."""

    PROMPT: str                    # printed before each command ("" for none)
    KBD_PROMPT: str                # the keyboard-interactive login prompt (e.g. "Password:")
    FAILED: str                    # the answer of a command a fault made fail (ssh_command_fails)
    EXIT_COMMANDS: Tuple[str, ...]  # normalised lines that close the shell
    Answer: type                   # what ``execute`` returns (this module's ``Answer`` or a subclass)
    CliSession: Callable[..., Any]  # CliSession(served state, user, **context(...)): one logged-in shell; it has
    #                                 ``pagination`` (bool: whether the transport pages its output)

    def served(self, state: Any) -> Any:
        """The object of a system's state the shell acts on (CUCM: the cluster's ``platform``)."""

    def context(self, core: Any, system: Any, node: Any) -> Dict[str, Any]:
        """Keyword arguments of every ``CliSession`` of a shell on ``node`` of ``system`` ({} when none)."""

    def banner(self, session: Any) -> Tuple[str, str]:
        """What the shell prints after login: (before the login delay, after it)."""

    def normalise(self, line: str) -> str:
        """A line as the command table knows it."""

    def operation_of(self, line: str) -> str:
        """The operation a line is logged under before it is carried out (faults are asked with it)."""

    def execute(self, session: Any, line: str) -> AnswerType:
        """The answer to one command line (never None)."""

    def pages(self, text: str, page_lines: int) -> List[List[str]]:
        """``text`` cut into pages of ``page_lines`` lines (0: one page)."""


MEMBERS = tuple(name for name in list(Dialect.__annotations__) + sorted(vars(Dialect))
                if not name.startswith("_"))


def check(module, kind: Optional[str] = None):
    """``module`` if it provides every member of ``Dialect``; TypeError naming what it lacks otherwise."""
    missing = [name for name in MEMBERS if not hasattr(module, name)]
    if missing:
        raise TypeError("the CLI dialect %s%s lacks %s (protocols/dialect.py: Dialect)"
                        % (getattr(module, "__name__", module), " of kind %s" % kind if kind else "",
                           ", ".join(missing)))
    return module
