# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The CUCM platform CLI client: AuthZ keys, versions, services, on top of ``_ssh.CliSession``.

Internal module: the leading underscore means its API may change without notice.

The exact texts of ``show key authz ...`` and of ``set key regen authz ...`` are not documented (reference
section 3), so the parsers here are tolerant: a checksum is the value of a line naming a checksum (hash,
digest, fingerprint), else the one long hexadecimal token of the output.

The CLI reference's rules for the key commands: ``show key authz ...`` and ``set key regen authz ...`` need
privilege level 4 and are not allowed during an upgrade, and ``set key regen authz ...`` runs on the publisher
only. ``key_command_refused`` turns the CLI's refusal into a message that says what to do; ``NodeCheck`` finds
out, with read-only commands, whether a node is the publisher and the account has level 4, before a
regeneration is typed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import OutcomeUnknown, UCError, shorten

AUTHZ_KEYS = ('signing', 'encryption')
KEY_PRIVILEGE = 4
SERVICE_ACTIONS = ('Start', 'Stop', 'Restart')
REGEN_ANSWER = 'yes'

_CHECKSUM_LINE_RE = re.compile(r'(?i)\b(?:check\s*sum|hash|digest|fingerprint|md5|sha-?\d*)\b[^:=]*?\s*(?:[:=]|\bis\b)'
                               r'\s*([0-9A-Za-z+/=:_-]{8,})')
_HEX_TOKEN_RE = re.compile(r'(?<![0-9A-Za-z])((?:[0-9A-Fa-f]{2}:){7,}[0-9A-Fa-f]{2}|[0-9A-Fa-f]{16,})(?![0-9A-Za-z])')
_REGENERATED_RE = re.compile(r'(?i)\blast\s+regenerat\w*\s*(?:on|at|time)?\s*[:=]\s*(.+?)\s*$')
_VERSION_RE = re.compile(r'(?i)active\s+master\s+version\s*:\s*(\S+)')
_CLUSTER_ROLE_RE = re.compile(r'(?i)^(publisher|subscriber)$')
_INT_RE = re.compile(r'\d+')
_SERVICE_RE = re.compile(r'^\s*(?P<name>\S.*?)\s*\[\s*(?P<state>[A-Z][A-Z ]*?)\s*\]\s*(?P<reason>.*?)\s*$')


# The commands that run without ``allow_changes`` (collab.uc.cucm_cli_command): an exact allow-list of read-only
# command prefixes, matched word by word on the command as the CLI sees it (``cli_words``: spaces folded, lower
# case; the CLI matches command words ignoring case). Whatever follows a prefix is an argument (a node, a host to
# ping), and may hold only the characters of names and addresses. Each entry is listed in the CUCM CLI reference as
# displaying or testing, not setting; the reference section 3 names the first ones (``show key authz``, ``show
# version active``, ``show network cluster``, ``utils service list``); ``show myself`` is what this collection
# reads. Deliberately NOT here, as they write files, start jobs or change the node: ``utils network capture``
# (writes a capture file; its ``host`` argument made the old word-based guard take it for ``utils network
# host``), ``utils dbreplication status`` (runs a replication check and writes its report), ``show tech ...``
# and any command given a ``file`` argument (writes the output to a file on the node).
READ_ONLY_COMMANDS = tuple(tuple(prefix.split()) for prefix in (
    'show key authz signing', 'show key authz encryption',
    'show version active', 'show version inactive',
    'show myself', 'show status', 'show hardware', 'show environment', 'show timezone config',
    'show network cluster', 'show network eth0', 'show network status', 'show network route', 'show network dhcp',
    'show network ipprefs', 'show network ntp option',
    'show cert own', 'show cert trust', 'show cert list',
    'show ctl', 'show itl', 'show diskusage', 'show memory', 'show process list', 'show process load',
    'show open ports', 'show open files', 'show stats io', 'show logins', 'show account', 'show accountlocking',
    'show web-security', 'show workingdir', 'show ups status', 'show perf list', 'show risdb list',
    'utils service list', 'utils dbreplication runtimestate', 'utils ntp status', 'utils core active list',
    'utils core inactive list', 'utils network ping', 'utils network traceroute', 'utils network host',
    'utils network arp list', 'utils fips status', 'utils sso status', 'utils system upgrade status',
    'utils firewall ipv4 status', 'utils firewall ipv4 list',
))
# Words that make a listed command write: its output to a file on the node.
_WRITING_ARGUMENTS = frozenset(('file',))
# An argument: a name, an address, a number (no quotes, pipes, redirections or separators).
_ARGUMENT_RE = re.compile(r'^[a-z0-9._:/@%=,+-]+$')


def cli_words(command):
    """The words of ``command`` as the CLI sees them: spaces folded, lower case (the CLI ignores the case of its
    command words). Only meaningful for text ``_ssh.typed_problem`` accepts: other characters are refused."""
    return command.lower().split()


def is_read_only(command):
    """True only when ``command`` is one of ``READ_ONLY_COMMANDS`` (word by word, as the CLI sees it) followed by
    plain arguments. Anything else - a command holding a character other than printable ASCII, an unlisted
    command, an argument with other characters or a ``file`` argument - may change the node."""
    if not isinstance(command, str) or not re.match(r'^[ -~]+$', command):
        return False
    words = cli_words(command)
    for prefix in READ_ONLY_COMMANDS:
        if tuple(words[:len(prefix)]) == prefix:
            arguments = words[len(prefix):]
            return all(_ARGUMENT_RE.match(word) and word not in _WRITING_ARGUMENTS for word in arguments)
    return False


def _check_kind(kind):
    if kind not in AUTHZ_KEYS:
        raise ValueError('an AuthZ key is one of %s, not %r' % (', '.join(AUTHZ_KEYS), kind))


def parse_key_checksum(output):
    """``{'checksum', 'last_regenerated'}`` from ``show key authz signing|encryption``; None when absent.

    The checksum is compared as text, so it is returned lower-cased with ``:`` separators removed when it is
    hexadecimal. ``last_regenerated`` is the platform's text, or None where it shows none.
    """
    checksum = None
    regenerated = None
    for line in output.split('\n'):
        if checksum is None:
            match = _CHECKSUM_LINE_RE.search(line)
            if match:
                checksum = match.group(1)
        if regenerated is None:
            match = _REGENERATED_RE.search(line)
            if match and match.group(1).lower() not in ('never', 'n/a', '-', 'none'):
                regenerated = match.group(1)
    if checksum is None:
        tokens = set(match.group(1) for match in _HEX_TOKEN_RE.finditer(output))
        if len(tokens) == 1:
            checksum = tokens.pop()
    if checksum is None:
        return None
    if re.match(r'^[0-9A-Fa-f:]+$', checksum):
        checksum = checksum.replace(':', '').lower()
    return {'checksum': checksum, 'last_regenerated': regenerated}


def parse_version_active(output):
    """``14.0.1.13900-155`` from ``show version active`` (``Active Master Version: ...``); None when absent."""
    match = _VERSION_RE.search(output)
    return match.group(1) if match else None


def parse_key_values(output):
    """``{key: value}`` from ``key : value`` lines (``show myself``); keys lower-cased, spaces to underscores."""
    result = {}
    for line in output.split('\n'):
        if ':' not in line:
            continue
        key, value = line.split(':', 1)
        key = '_'.join(key.strip().lower().split())
        if key:
            result[key] = value.strip()
    return result


def parse_network_cluster(output):
    """The nodes ``show network cluster`` lists: ``[{'names': [address, fqdn, host...], 'publisher': bool}]``.

    Documented line: ``<ip> <fqdn> <host> Publisher|Subscriber callmanager ...``. Tolerantly: a line counts when
    one of its words (not the first) is ``Publisher`` or ``Subscriber`` (any case); the words before it are the
    node's names (lower-cased). Other lines (headings, the processnode table) are skipped.
    """
    nodes = []
    for line in output.split('\n'):
        words = line.split()
        for index, word in enumerate(words):
            if index and _CLUSTER_ROLE_RE.match(word):
                nodes.append({'names': [w.lower() for w in words[:index]], 'publisher': word.lower() == 'publisher'})
                break
    return nodes


def _is_address(name):
    return bool(re.match(r'^[0-9.]+$', name)) or ':' in name


def _same_name(a, b):
    """Two names of a node are the same: equal, or (host names, not addresses) equal in their first label."""
    return a == b or (not _is_address(a) and not _is_address(b) and a.split('.')[0] == b.split('.')[0])


def find_own_line(nodes, machine_name=None, host=None):
    """The entry of ``parse_network_cluster`` that is the node itself: the one naming ``machine_name`` (``show
    myself``) or, failing that, the address or name the client connected to (``host``); host names are compared
    without case and by their first label too. None when no entry, or more than one, matches."""
    for wanted in (machine_name, host):
        wanted = (wanted or '').strip().lower()
        if not wanted:
            continue
        found = [node for node in nodes if any(_same_name(wanted, name) for name in node['names'])]
        if len(found) == 1:
            return found[0]
    return None


def privilege_level(myself):
    """The privilege level ``show myself`` printed (``privilege level : 4``), or None when it printed none."""
    match = _INT_RE.search(myself.get('privilege_level') or '')
    return int(match.group(0)) if match else None


def key_command_refused(error, command):
    """A ``UCError`` that says what to do when the CLI refused a key command ``command`` (level below 4, an
    upgrade in progress, not the publisher); ``error`` itself when its words say none of these."""
    text = ' '.join([error.message or ''] + [str(value) for _name, value in error.details]).lower()
    if 'privilege' in text:
        hint = ('Nothing was changed. "%s" needs command privilege level 4 (Cisco CLI reference): use a platform '
                'administrator account of level 4 (ssh_username), such as the administrator created at '
                'installation; check an account\'s level with "show myself"' % command)
        what = 'the account\'s privilege level is too low for this command'
    elif 'upgrade' in text:
        hint = ('Nothing was changed. The platform does not allow "%s" while an upgrade is in progress: wait until '
                'the upgrade has finished (and the node runs the version you want), then run the task again' % command)
        what = 'an upgrade is in progress on the node'
    elif 'publisher' in text:
        hint = ('Nothing was changed. "%s" runs on the publisher only: point ssh_host at the cluster\'s publisher '
                '(the node "show network cluster" marks Publisher)' % command)
        what = 'this node is not the publisher'
    else:
        return error
    refused = UCError('the CLI refused the command: %s (%s)' % (what, error.message), host=error.host,
                      operation=error.operation or command, product=error.product, details=error.details, hint=hint)
    refused.output = getattr(error, 'output', None)
    return refused


def parse_services(output):
    """``{name: {'state', 'reason'}}`` from ``utils service list`` / ``utils service restart`` output.

    Lines look like ``Cisco Tomcat[STARTED]`` or ``Cisco DirSync[STOPPED]  Service Not Activated``; the same
    service may appear several times (restart prints STARTING then STARTED): the last line wins.
    """
    services = {}
    for line in output.split('\n'):
        match = _SERVICE_RE.match(line)
        if not match or match.group('name').startswith('>>'):
            continue
        services[match.group('name')] = {'state': match.group('state'), 'reason': match.group('reason') or None}
    return services


def service_command(action, name):
    """The CLI command that carries out ``action`` (``Start``, ``Stop``, ``Restart``) on service ``name``."""
    return 'utils service %s %s' % (action.lower(), ' '.join(name.split()))


def service_state(services, name):
    """The state ``parse_services`` found for ``name`` (a case or spacing difference tolerated), or None."""
    info = services.get(name)
    if info is None:
        wanted = ' '.join(name.lower().split())
        info = next((i for printed, i in services.items() if ' '.join(printed.lower().split()) == wanted), None)
    return info['state'] if info else None


class CucmCli:
    """The platform CLI of one CUCM node, over one ``CliSession`` (logged in once for every call)."""

    def __init__(self, session):
        self.session = session

    @property
    def host(self):
        return self.session.endpoint

    def _unparsed(self, command, what, output):
        return UCError('could not find %s in the output' % what, host=self.session.endpoint, operation=command,
                       product=self.session.product, details=[('output', shorten(output))],
                       hint='The CLI printed something this collection does not recognise; run the command by hand '
                            'and report its output')

    def run(self, command, answers=None, timeout=None, check=True):
        """Any command; its cleaned output. ``answers`` for its confirmation prompts (see ``CliSession.run``)."""
        return self.session.run(command, answers=answers, timeout=timeout, check=check)

    def authz_key(self, kind):
        """``{'checksum', 'last_regenerated'}`` of the AuthZ ``signing`` or ``encryption`` key."""
        _check_kind(kind)
        command = 'show key authz %s' % kind
        try:
            output = self.session.run(command)
        except OutcomeUnknown:
            raise
        except UCError as error:
            raise key_command_refused(error, command)
        parsed = parse_key_checksum(output)
        if parsed is None:
            raise self._unparsed(command, 'the key checksum', output)
        return parsed

    def authz_keys(self, kinds=AUTHZ_KEYS):
        """``{kind: {'checksum', 'last_regenerated'}}`` for each of ``kinds``."""
        return dict((kind, self.authz_key(kind)) for kind in kinds)

    def regenerate_authz_key(self, kind, timeout=None):
        """Type ``set key regen authz <kind>`` and answer ``yes``; return the CLI's output.

        A drop or timeout raises ``OutcomeUnknown``: the key may or may not have been regenerated, so read the
        checksum again (``authz_key``) and decide. This method never repeats the command.
        """
        _check_kind(kind)
        command = 'set key regen authz %s' % kind
        try:
            return self.session.run(command, answers=[REGEN_ANSWER], timeout=timeout)
        except OutcomeUnknown:
            raise
        except UCError as error:
            raise key_command_refused(error, command)

    def version_active(self):
        command = 'show version active'
        output = self.session.run(command)
        version = parse_version_active(output)
        if version is None:
            raise self._unparsed(command, '"Active Master Version"', output)
        return version

    def myself(self):
        """``show myself`` as a dict (``account_name``, ``privilege_level``...)."""
        return parse_key_values(self.session.run('show myself'))

    def network_cluster(self):
        """``show network cluster`` as ``parse_network_cluster`` reads it (at least one node, else ``UCError``)."""
        command = 'show network cluster'
        output = self.session.run(command)
        nodes = parse_network_cluster(output)
        if not nodes:
            raise self._unparsed(command, 'any node line (<ip> <fqdn> <host> Publisher|Subscriber ...)', output)
        return nodes, output

    def check_key_regeneration(self):
        """Read-only checks before ``set key regen authz ...`` is typed (Cisco CLI reference): the account has
        privilege level 4 (``show myself``) and this node is the publisher (``show network cluster``). Raises
        ``UCError`` saying what to do; returns ``{'machine_name', 'privilege_level', 'publisher'}``."""
        myself = self.myself()
        level = privilege_level(myself)
        machine = myself.get('machine_name')
        host = getattr(self.session, 'host', None)
        if level is not None and level < KEY_PRIVILEGE:
            raise UCError('the account %s has privilege level %d; set key regen authz needs level %d'
                          % (myself.get('account_name') or 'used', level, KEY_PRIVILEGE),
                          host=self.host, operation='show myself', product=self.session.product,
                          hint='Nothing was regenerated or typed but read-only commands. Use a platform '
                               'administrator account of level 4 (ssh_username), such as the administrator created '
                               'at installation')
        nodes, output = self.network_cluster()
        own = find_own_line(nodes, machine, host)
        publishers = [node['names'] for node in nodes if node['publisher']]
        publisher = ' '.join(publishers[0][:2]) if len(publishers) == 1 else None
        if own is None:
            raise UCError('could not tell which node of "show network cluster" this is (Machine Name %s, connected '
                          'to %s), so whether it is the publisher is unknown' % (machine or 'not shown', host),
                          host=self.host, operation='show network cluster', product=self.session.product,
                          details=[('output', shorten(output))],
                          hint='Nothing was regenerated. set key regen authz runs on the publisher only: point '
                               'ssh_host at the publisher%s by the name or address the cluster lists for it'
                               % (' (%s)' % publisher if publisher else ''))
        if not own['publisher']:
            raise UCError('%s is a subscriber node (show network cluster), and set key regen authz runs on the '
                          'publisher only' % (machine or host), host=self.host, operation='show network cluster',
                          product=self.session.product,
                          hint='Nothing was regenerated or typed but read-only commands. Point ssh_host at the '
                               'publisher%s; the new keys then replicate to every node of the cluster'
                               % (' (%s)' % publisher if publisher else ''))
        return {'machine_name': machine, 'privilege_level': level, 'publisher': own['names']}

    def services(self):
        """``utils service list`` as ``{name: {'state', 'reason'}}``."""
        command = 'utils service list'
        output = self.session.run(command)
        services = parse_services(output)
        if not services:
            raise self._unparsed(command, 'any service', output)
        return services

    def control_service(self, action, name, timeout=None):
        """``utils service start|stop|restart <name>`` (``action`` ``Start``, ``Stop`` or ``Restart``); returns
        ``(state, output)``: the last state the CLI printed for that service (``STARTED``, ``STARTING``...) or
        None when it printed none, and the whole output.

        The words the CLI prints are not documented, so they are only reported: the caller reads the service's
        status (Serviceability) to know where it stands. An error line raises ``UCError``; a drop or a timeout
        raises ``OutcomeUnknown`` (the command may have been carried out). This method never repeats a command.
        """
        if action not in SERVICE_ACTIONS:
            raise ValueError('action must be one of %s, not %r' % (', '.join(SERVICE_ACTIONS), action))
        if not name or not name.strip() or '\n' in name or '\r' in name:
            raise ValueError('a service name is one non-empty line')
        command = service_command(action, name)
        output = self.session.run(command, timeout=timeout)
        return service_state(parse_services(output), name), output

    def restart_service(self, name, timeout=None):
        """``utils service restart <name>``; returns the final state line of that service (``STARTED``...).

        Fails when the service did not end STARTED. A drop raises ``OutcomeUnknown`` (read ``services()``).
        """
        state, output = self.control_service('Restart', name, timeout=timeout)
        if state != 'STARTED':
            raise UCError('the service did not come back STARTED (last state: %s)' % (state or 'not shown'),
                          host=self.session.endpoint, operation='utils service restart %s' % name,
                          product=self.session.product, details=[('output', shorten(output))],
                          hint='Check the service with "utils service list" on the node; restart it again only '
                               'once you know its state')
        return state
