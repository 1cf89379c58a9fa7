"""The CUCM platform CLI (``admin:``): the command table, on top of ``state.platform.PlatformState`` and, for
``utils service ...``, the node's services in ``state.services.Services`` (the ones Serviceability reports).

A CLI dialect (``protocols/dialect.py``: the interface the SSH transport serves), registered for the kind ``cucm``
in ``server.py``. Transport-free: ``execute(session, line)`` returns an ``Answer`` (``dialect.Answer``: text,
the log's kind and operation, a confirmation question or a printed-in-steps continuation). Who may run a command,
and where, is the state's rule (``PlatformState.authorize``); this module words the answers, whose exact words
come from ``assumptions.py``. An unknown command is logged as ``other``: it is not a fault of the simulator.
"""

import time

from .. import assumptions as A
from .dialect import Answer, normalise, pages  # noqa: F401 - the dialect interface
from ..state.platform import CONTROL_SERVICE, REGENERATE_KEY, PlatformError
from ..state.services import COUNTERS


class CliSession:
    """One logged-in shell: its user and its settings (pagination), and the node it runs on (``context``):
    ``node``, ``services`` (a callable returning the cluster's ``Services``), ``count(counter, service)`` (the
    core's keyed counters of this node) and ``never_returns(service)`` (the fault ``service_never_returns``).
    Without a node the shell has no services (``utils service ...`` fails)."""

    def __init__(self, state, user, node=None, services=None, count=None, never_returns=None):
        self.state = state
        self.user = user
        self.pagination = True
        self.node = node
        self._services = services
        self.count = count or (lambda counter, name: None)
        self.never_returns = never_returns or (lambda name: False)

    @property
    def services(self):
        return self._services() if self._services is not None else None


def served(state):
    """What a CUCM cluster's shell acts on: its platform (administrators, AuthZ keys, upgrades)."""
    return state.platform


def context(core, system, node):
    """The ``CliSession`` context of a shell on ``node`` of the CUCM cluster ``system`` (the SSH transport's
    ``bind`` passes it): the cluster's services, looked up at each use (a lab reset makes new ones)."""
    return {"node": node, "services": lambda: system.state.services,
            "count": lambda counter, name: core.count_keyed(system, counter, name, node=node),
            "never_returns": lambda name: core.fault_for(system, "service_never_returns", node)}


def failed(text, operation):
    lines = [text] if text else []
    return Answer("\n".join(lines + [A.CLI_FAILED]), kind="other", operation=operation, failed=True)


def _when(epoch):
    return A.CLI_KEY_NEVER if epoch is None else time.strftime(A.CLI_TIME_FORMAT, time.gmtime(epoch))


def _refused(exc, operation):
    """The CLI's answer to a command the platform's rules refused (``state.platform.PlatformError``)."""
    return failed(str(exc), operation)


def show_key(session, kind):
    operation = "show key authz %s" % kind
    try:
        info = session.state.key_info(kind, user=session.user, node=session.node)
    except PlatformError as exc:
        return _refused(exc, operation)
    return Answer("\n".join([A.CLI_KEY_TITLE % kind, A.CLI_KEY_CHECKSUM % info["checksum"],
                             A.CLI_KEY_REGENERATED % _when(info["last_regenerated"])]))


def regen_key(session, kind):
    operation = "set key regen authz %s" % kind
    try:  # refused before the question, as the CLI does
        session.state.authorize(session.user, REGENERATE_KEY, session.node)
    except PlatformError as exc:
        return _refused(exc, operation)

    def answered(reply):
        if normalise(reply) not in ("yes", "y"):
            return Answer(A.CLI_REGEN_CANCELLED, kind="other", operation=operation)
        try:
            session.state.regenerate_key(kind, by=session.user, node=session.node)
        except PlatformError as exc:
            return _refused(exc, operation)
        return Answer(A.CLI_REGEN_DONE % kind, kind="write", operation=operation)

    warning = "\n".join(line % kind if "%s" in line else line for line in A.CLI_REGEN_WARNING)
    return Answer(warning, kind="other", operation=operation, confirm=(A.CLI_REGEN_CONFIRM, answered))


def show_version(session):
    return Answer("Active Master Version: %s\n%s" % (session.state.version_active, A.CLI_NO_OPTIONS))


def _names(node):
    """(fqdn, host) of a node as ``show network cluster`` and ``show myself`` print them."""
    names = node.hostnames()
    fqdn = names[0] if names else node.name
    return fqdn, fqdn.split(".")[0]


def show_myself(session):
    node = session.node
    hostname = _names(node)[1] if hasattr(node, "hostnames") else session.state.hostname
    values = {"hostname": hostname, "user": session.user, "privilege": session.state.privilege(session.user)}
    return Answer("\n".join(line % values for line in A.CLI_MYSELF))


def show_network_cluster(session):
    """One line per node of the cluster (the shell's node's system), then the processnode table."""
    if not hasattr(session.node, "system"):
        return failed("The cluster's nodes are not known", "show network cluster")
    lines, fqdns = [], []
    for node in session.node.system.nodes:
        fqdn, host = _names(node)
        lines.append(A.CLI_CLUSTER_LINE % {
            "address": node.address or node.name, "fqdn": fqdn, "host": host, "usage": A.NODE_USAGE[node.role],
            "product": "cups" if node.role == "im_presence" else "callmanager",
            "db": "DBPub" if node.role == "publisher" else "DBSub"})
        fqdns.append(fqdn)
    return Answer("\n".join(lines + list(A.CLI_CLUSTER_TABLE) + fqdns))


def pagination(session, on):
    session.pagination = on
    return Answer(A.CLI_PAGINATION_ON if on else A.CLI_PAGINATION_OFF, kind="other")


def _service_line(info):
    reason = info["reason_string"] if info["status"] == "Stopped" else ""
    return A.CLI_SERVICE_LINE % (info["name"], info["status"].upper()) + ("  " + reason if reason else "")


def service_list(session):
    services = session.services
    if services is None:
        return failed("Service Manager is not running", "utils service list")
    return Answer("\n".join(A.CLI_SERVICE_LIST_HEADER + tuple(_service_line(i)
                                                              for i in services.status(session.node))))


def service_command(session, verb, typed):
    """``utils service start|stop|restart <name>`` on the session's node: the same rules, times, start times and
    restart counts as Serviceability's ``soapDoControlServices`` (only Cisco Tomcat is refused there)."""
    action = verb.capitalize()
    services = session.services
    name = services.find(session.node, typed) if services is not None else None
    operation = "utils service %s %s" % (verb, name or " ".join(typed.split()))
    if name is None:
        return failed(A.CLI_SERVICE_UNKNOWN % " ".join(typed.split()), operation)
    try:
        session.state.authorize(session.user, CONTROL_SERVICE, session.node)
    except PlatformError as exc:
        return _refused(exc, operation)
    node = session.node
    (info,), acted = services.control(node, action, [name], never_returns=session.never_returns, via="cli")
    if not acted:  # already there, or not activated: nothing done
        return Answer("\n".join((A.CLI_SERVICE_MANAGER, _service_line(info))), kind="other", operation=operation)
    session.count(COUNTERS[action], name)
    lines = ([A.CLI_SERVICE_RESTART_WARNING] if action == "Restart" else []) + [A.CLI_SERVICE_MANAGER]
    line = A.CLI_SERVICE_LINE % (name, "%s")
    if action == "Start":
        return Answer("\n".join(lines + [line % "STARTING"]), kind="write", operation=operation)

    def stopped():
        done = [line % "STOPPED"] + ([line % "STARTING"] if action == "Restart" else [])
        return Answer("\n".join(done), kind="write", operation=operation)
    return Answer("\n".join(lines + [line % "STOPPING"]), kind="write", operation=operation,
                  then=(services.stopping_left(node, name), stopped))


# normalised command -> handler(session); the operation recorded is the command as written here.
COMMANDS = {
    "show key authz signing": lambda s: show_key(s, "signing"),
    "show key authz encryption": lambda s: show_key(s, "encryption"),
    "set key regen authz signing": lambda s: regen_key(s, "signing"),
    "set key regen authz encryption": lambda s: regen_key(s, "encryption"),
    "show version active": show_version,
    "show myself": show_myself,
    "show network cluster": show_network_cluster,
    "set cli pagination off": lambda s: pagination(s, False),
    "set cli pagination on": lambda s: pagination(s, True),
    "utils service list": service_list,
}
EXIT_COMMANDS = ("exit", "quit")
PROMPT = A.CLI_PROMPT
KBD_PROMPT = A.CLI_KBD_PROMPT
FAILED = A.CLI_FAILED


def banner(session):
    """What the shell prints after login: (before the login delay, after it)."""
    return A.CLI_STARTING, "\n".join((A.CLI_WELCOME,) + A.CLI_BANNER_EXTRA)


# "utils service <verb> <name>": the verbs that take a service name
SERVICE_VERBS = ("start", "stop", "restart")


def _service_args(line):
    """(verb, name as typed) of a ``utils service start|stop|restart <name>`` line, else None."""
    words = line.split()
    if len(words) > 3 and [w.lower() for w in words[:2]] == ["utils", "service"] and words[2].lower() in SERVICE_VERBS:
        return words[2].lower(), " ".join(words[3:])
    return None


def operation_of(line):
    """The operation name a line is logged under: the known command, ``utils service <verb> <name as typed>``, or
    the line as typed (spaces folded)."""
    if normalise(line) in COMMANDS:
        return normalise(line)
    args = _service_args(line)
    return "utils service %s %s" % args if args else " ".join(line.split())


def execute(session, line):
    """The ``Answer`` to one command line (never None; an empty line answers nothing)."""
    command = normalise(line)
    if not command:
        return Answer("", kind="other", operation="")
    handler = COMMANDS.get(command)
    if handler is None and _service_args(line):
        return service_command(session, *_service_args(line))
    if handler is None:
        return failed(A.CLI_UNKNOWN % " ".join(line.split()), operation_of(line))
    answer = handler(session)
    if answer.operation is None:
        answer.operation = command
    return answer
