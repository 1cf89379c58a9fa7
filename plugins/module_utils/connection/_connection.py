# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connection groups: how a module reaches one system (CUCM over HTTPS, Unity Connection over HTTPS, the CUCM
platform CLI over SSH, Expressway's admin CLI over SSH).

Internal module: the leading underscore means its API may change without notice.

A group owns everything about one kind of connection: its options (argument spec), the environment variables
they fall back to, the error hints of its product, the doc fragment that documents the options and the factory
of its sessions. A module declares the groups it uses (``UCModule.connections``); when two groups with the same
option names meet in one module, one of them gets a ``prefix`` (``cuc_host``, ``cuc_username``...) and its
environment variables the same infix (``CUC_HOST`` stays ``CUC_HOST`` for an unprefixed group; a group ``cucm``
with prefix ``target_`` reads ``CUCM_TARGET_HOST``; a prefix that only names the group, ``cuc_`` on ``cuc``,
keeps the group's own ``CUC_HOST``).

Adding a group: subclass ``ConnectionGroup`` (or ``HttpsConnection``), set ``name``, ``label``, ``env``,
``doc_fragment`` and ``options()``, implement ``open()`` (and ``problems()`` for range checks), and
``register()`` it. ``inherit`` names options taken from another group of the same module when unset
(``{'host': ('cucm', 'host')}``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import UCError, shorten
from ansible_collections.collab.uc.plugins.module_utils.transport._http import Credentials, HttpSession


GROUPS = {}


def register(cls):
    """Make the group class ``cls`` known by its ``name`` (usable as a class decorator)."""
    GROUPS[cls.name] = cls
    return cls


def connection(name, prefix='', key=None, optional=False):
    """A group instance for a module's ``connections``: group ``name``, options prefixed with ``prefix``;
    ``optional``: none of its options is required (the module needs the connection only for some tasks, and
    says which options are missing, ``missing()``, when it does)."""
    return GROUPS[name](prefix=prefix, key=key, optional=optional)


class ConnectionGroup:
    """One kind of connection as a module sees it. Instances are per module: they hold the prefix and the key."""

    name = None             # the group's name, e.g. 'cucm'
    label = None            # the product as messages name it, e.g. 'CUCM'
    env = None              # environment variable prefix, e.g. 'CUCM' (CUCM_HOST, ...)
    doc_fragment = None     # the fragment that documents the options, e.g. 'collab.uc.cucm_connection'
    shared_fragment = None  # the fragment of what groups of its kind share, e.g. 'collab.uc.https_connection'
    hints = {}              # hints for failures: HTTPS {401: ..., 403: ...}, SSH {'login': ...} (_ssh.HINTS)
    inherit = {}            # option: (group name, option) used when the option is unset

    def __init__(self, prefix='', key=None, optional=False):
        self.prefix = prefix
        self.key = key or self.name
        self.optional = optional

    def options(self):
        """``{option: (spec dict, environment suffix or None)}`` of the group, unprefixed."""
        raise NotImplementedError

    def option(self, name):
        """The module option name of the group's option ``name``."""
        return self.prefix + name

    def env_name(self, suffix):
        """The environment variable of option ``suffix``: ``CUCM_HOST``; with prefix ``target_``
        ``CUCM_TARGET_HOST``; a prefix that only repeats the group (``cuc_`` on ``cuc``) keeps ``CUC_HOST``."""
        infix = self.prefix.rstrip('_').upper()
        if infix == self.env:
            infix = ''
        return '_'.join(part for part in (self.env, infix, suffix) if part)

    def argument_spec(self):
        spec = {}
        for name, (option_spec, env_suffix) in self.options().items():
            option_spec = dict(option_spec)
            if env_suffix:
                option_spec['fallback'] = (env_fallback, [self.env_name(env_suffix)])
            if self.prefix and option_spec.get('aliases'):
                option_spec['aliases'] = [self.prefix + alias for alias in option_spec['aliases']]
            if self.optional:
                option_spec.pop('required', None)
            spec[self.option(name)] = option_spec
        return spec

    def values(self, params, groups=None):
        """The group's options as ``{name: value}`` (unprefixed), with ``inherit`` filled from ``groups``."""
        values = dict((name, params.get(self.option(name))) for name in self.options())
        for name, (group_name, other) in self.inherit.items():
            if values.get(name) is None:
                for group in groups or ():
                    if group.name == group_name and group is not self:
                        values[name] = group.values(params)[other]
                        break
        return values

    def problems(self, values):
        """Messages for values out of range (checked before the first request)."""
        return []

    def missing(self, values):
        """The options (with their environment variables) a connection needs that ``values`` lacks, as words
        for a message: ``ssh_username (or CUCM_SSH_USERNAME)``; empty when the connection can be opened."""
        return ['%s (or %s)' % (self.option(name), self.env_name(env)) if env else self.option(name)
                for name, (spec, env) in sorted(self.options().items())
                if spec.get('required') and values.get(name) is None]

    def open(self, values, **overrides):
        """A new session to the system; the module closes it when it ends."""
        raise NotImplementedError


def resolve(name, args, environ, prefix=''):
    """The option adapter for code outside modules (an action plugin on the controller): the values of group
    ``name`` (``{option: value}``, unprefixed) from ``args`` - the task's arguments with ``module_defaults``
    applied, as the module would get them - and ``environ`` (the environment the module would run in: its
    fallbacks, ``CUCM_HOST``...), checked and typed by the group's own argument spec (defaults, choices, required
    options) and range checks. Returns ``(group, values, problems)``; ``problems`` name the options as a module
    would. Options of ``args`` the group does not know are ignored (a module option such as ``name``)."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    group = connection(name, prefix=prefix)
    spec = group.argument_spec()
    params = {}
    for option, option_spec in spec.items():
        fallback = option_spec.pop('fallback', None)
        value = None
        for given in [option] + list(option_spec.get('aliases') or ()):
            if args.get(given) is not None:
                value = args[given]
                break
        if value is None and fallback:
            value = next((environ[var] for var in fallback[1] if environ.get(var) is not None), None)
        if value is not None:
            params[option] = value
    result = ArgumentSpecValidator(spec).validate(params)
    problems = [str(error) for error in result.errors]
    values = group.values(result.validated_parameters)
    if not problems:
        problems = group.problems(values)
    return group, values, problems


_LABEL = re.compile(r'^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$')
HOST_FORM = 'a host name, FQDN or IP address, for example cucm-pub.example.com or 10.1.1.10'


def host_problem(option, value):
    """Why ``value`` cannot be the host name, FQDN or IP address of option ``option``, or None if it can.

    Refused, with a message naming the option and showing the right form: a URL (scheme), a path, a port, spaces,
    characters no host name holds, labels over 63 characters and names over 253.
    """
    if value is None:
        return None
    shown = repr(shorten(value, 80))
    if not value.strip():
        return '%s is empty; give %s' % (option, HOST_FORM)
    if value != value.strip() or any(char.isspace() for char in value):
        return '%s %s contains spaces; give %s' % (option, shown, HOST_FORM)
    if '://' in value:
        return '%s %s is a URL; give only the host (%s), and the port, if not the default, in port' % (
            option, shown, HOST_FORM)
    if '/' in value or '?' in value or '#' in value:
        return '%s %s holds a path; give only the host (%s)' % (option, shown, HOST_FORM)
    if '@' in value:
        return '%s %s holds a user name; give only the host (%s), and the user in username' % (
            option, shown, HOST_FORM)
    try:
        ipaddress.ip_address(value)
        return None
    except ValueError:
        pass
    if value.count(':') == 1 or (value.startswith('[') and ']:' in value):
        return '%s %s holds a port; give only the host (%s), and the port in port' % (option, shown, HOST_FORM)
    name = value[:-1] if value.endswith('.') else value
    if len(name) > 253:
        return '%s %s is longer than 253 characters, the most a host name may have; give %s' % (
            option, shown, HOST_FORM)
    for label in name.split('.'):
        if len(label) > 63:
            return '%s %s has a label (between dots) longer than 63 characters; give %s' % (option, shown, HOST_FORM)
        if not _LABEL.match(label):
            return ('%s %s is not a valid host name (letters, digits and hyphens between dots, no hyphen at either '
                    'end of a label); give %s' % (option, shown, HOST_FORM))
    return None


def _range(problems, option, value, low, high):
    if value is not None and not low <= value <= high:
        problems.append('%s must be between %d and %d, got %s' % (option, low, high, value))


class HttpsConnection(ConnectionGroup):
    """A product's REST or SOAP APIs over HTTPS with Basic auth, session cookies and retries (``HttpSession``)."""

    shared_fragment = 'collab.uc.https_connection'
    port = 443

    def options(self):
        return dict(
            host=(dict(type='str', required=True), 'HOST'),
            port=(dict(type='int', default=self.port), 'PORT'),
            username=(dict(type='str', required=True, aliases=['user']), 'USERNAME'),
            password=(dict(type='str', required=True, no_log=True), 'PASSWORD'),
            validate_certs=(dict(type='bool', default=True), 'VALIDATE_CERTS'),
            ca_path=(dict(type='path'), 'CA_PATH'),
            timeout=(dict(type='int', default=30), None),
            retries=(dict(type='int', default=5), None),
        )

    def problems(self, values):
        problems = []
        problem = host_problem(self.option('host'), values['host'])
        if problem:
            problems.append(problem)
        _range(problems, self.option('port'), values['port'], 1, 65535)
        if values['timeout'] is not None and values['timeout'] < 1:
            problems.append('%s must be at least 1 second, got %s' % (self.option('timeout'), values['timeout']))
        _range(problems, self.option('retries'), values['retries'], 0, 20)
        return problems

    def open(self, values, **overrides):
        kwargs = dict(
            host=values['host'], port=values['port'], username=values['username'], password=values['password'],
            validate_certs=values['validate_certs'], ca_path=values['ca_path'], timeout=values['timeout'],
            retries=values['retries'], product=self.label, auth_hints=self.hints,
            timeout_option=self.option('timeout'),
        )
        kwargs.update(overrides)
        if 'credentials' not in kwargs:
            # The sessions a module opens to one host share the cookie and what was learnt about the password.
            shared = self.__dict__.setdefault('_credentials', {})
            key = (kwargs['host'], kwargs['port'], kwargs['username'], kwargs['password'])
            if key not in shared:
                shared[key] = Credentials(kwargs['username'], kwargs['password'])
            kwargs['credentials'] = shared[key]
        return HttpSession(**kwargs)


@register
class CucmConnection(HttpsConnection):
    """CUCM's Tomcat: AXL (``/axl/``) and the ``/ssosp`` REST endpoints."""

    name = 'cucm'
    label = 'CUCM'
    env = 'CUCM'
    doc_fragment = 'collab.uc.cucm_connection'
    port = 8443
    hints = {
        401: 'Check username and password (an application or end user with the '
             '"Standard AXL API Access" role)',
        403: 'Give the user the "Standard AXL API Access" role (an AXL access group) on CUCM',
    }

    def options(self):
        options = super(CucmConnection, self).options()
        options['axl_version'] = (dict(type='str'), None)
        return options


@register
class CucConnection(HttpsConnection):
    """Unity Connection's CUPI (``/vmrest``)."""

    name = 'cuc'
    label = 'Unity Connection'
    env = 'CUC'
    doc_fragment = 'collab.uc.cuc_connection'
    port = 443
    hints = {
        401: 'Check username and password of the Connection administrator',
        403: 'Give the user the System Administrator role in Unity Connection',
    }


class SshCliConnection(ConnectionGroup):
    """An interactive admin CLI over SSH: one ``_ssh.CliSession`` (one login) per task, with the same ``ssh_*``
    options, ranges and factory for every product. A product is a subclass that sets ``name``, ``label``, ``env``
    and ``doc_fragment`` (the options' descriptions; ``shared_fragment`` has their types and defaults), and where
    it differs from the platform CLI that ``CliSession`` speaks by default: ``hints`` (``_ssh.HINTS`` entries),
    ``session_kwargs`` (its prompt, its paging), the defaults ``port``, ``login_timeout``, ``command_timeout``.

    ``_ssh`` (and with it paramiko) is imported only by modules that declare such a group, so HTTPS-only modules
    neither need paramiko nor pay for importing it; a missing paramiko fails when the session is opened, with
    Ansible's ``missing_required_lib`` message.
    """

    shared_fragment = 'collab.uc.ssh_connection'
    # UCModule.session passes check_mode (accept_new then writes no known_hosts) and the module's warn
    takes_check_mode = True
    port = 22
    login_timeout = 60
    command_timeout = 120
    session_kwargs = {}

    def options(self):
        from ansible_collections.collab.uc.plugins.module_utils.transport import _ssh
        return dict(
            ssh_host=(dict(type='str'), 'HOST'),
            ssh_port=(dict(type='int', default=self.port), 'PORT'),
            ssh_username=(dict(type='str', required=True), 'USERNAME'),
            ssh_password=(dict(type='str', required=True, no_log=True), 'PASSWORD'),
            ssh_known_hosts=(dict(type='path', default=_ssh.DEFAULT_KNOWN_HOSTS), 'KNOWN_HOSTS'),
            ssh_host_key_checking=(dict(type='str', default='strict', choices=list(_ssh.HOST_KEY_CHECKING)),
                                   'HOST_KEY_CHECKING'),
            ssh_login_timeout=(dict(type='int', default=self.login_timeout), None),
            ssh_command_timeout=(dict(type='int', default=self.command_timeout), None),
        )

    def problems(self, values):
        problems = []
        if not values['ssh_host']:
            problems.append('%s is required (or the %s environment variable)'
                            % (self.option('ssh_host'), self.env_name('HOST')))
        else:
            problem = host_problem(self.option('ssh_host'), values['ssh_host'])
            if problem:
                problems.append(problem)
        _range(problems, self.option('ssh_port'), values['ssh_port'], 1, 65535)
        _range(problems, self.option('ssh_login_timeout'), values['ssh_login_timeout'], 1, 3600)
        _range(problems, self.option('ssh_command_timeout'), values['ssh_command_timeout'], 1, 86400)
        return problems

    def open(self, values, check_mode=False, warn=None, **overrides):
        from ansible_collections.collab.uc.plugins.module_utils.transport import _ssh
        if not _ssh.HAS_PARAMIKO:
            error = UCError(missing_required_lib('paramiko'), host=values['ssh_host'], operation='connect',
                            product=self.label)
            error.traceback = _ssh.PARAMIKO_IMPORT_ERROR
            raise error
        kwargs = dict(
            host=values['ssh_host'], port=values['ssh_port'], username=values['ssh_username'],
            password=values['ssh_password'], known_hosts=values['ssh_known_hosts'],
            host_key_checking=values['ssh_host_key_checking'], login_timeout=values['ssh_login_timeout'],
            command_timeout=values['ssh_command_timeout'], product=self.label, hints=self.hints,
            timeout_option=self.option('ssh_command_timeout'), save_new_host_keys=not check_mode, warn=warn,
        )
        kwargs.update(self.session_kwargs)
        kwargs.update(overrides)
        return _ssh.CliSession(**kwargs)


@register
class CucmCliConnection(SshCliConnection):
    """The CUCM platform CLI (``admin:``) over SSH: ``CliSession``'s own prompt, paging and hints."""

    name = 'cucm_cli'
    label = 'CUCM platform CLI'
    env = 'CUCM_SSH'
    doc_fragment = 'collab.uc.cucm_cli_connection'
    inherit = {'ssh_host': ('cucm', 'host')}


# Expressway's xAPI prints no prompt: every reply ends with one of these lines (as netmiko's cisco_tp reads it).
EXPRESSWAY_PROMPT = r'^(?:OK|ERROR|Command not recognized\.?)\s*$'


@register
class ExpresswayConnection(SshCliConnection):
    """Expressway-C's admin CLI (the xAPI: ``xConfiguration``, ``xStatus``) over SSH; paging is off by default."""

    name = 'expressway'
    label = 'Expressway'
    env = 'EXPRESSWAY'
    doc_fragment = 'collab.uc.expressway_connection'
    hints = {
        'login': 'Check ssh_username and ssh_password (an Expressway administrator account). Not retried: '
                 'repeated failures can lock the account',
        'login_timeout': 'Raise ssh_login_timeout or check that the Expressway is healthy and its SSH service up',
    }
    session_kwargs = dict(prompt=EXPRESSWAY_PROMPT, pagination_command=None, prompt_ends_line=True)
