# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connection groups: how a module reaches one system (CUCM over HTTPS, Unity Connection over HTTPS, ...).

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

from ansible.module_utils.basic import env_fallback

from ansible_collections.collab.uc.plugins.module_utils._http import HttpSession


GROUPS = {}


def register(cls):
    """Make the group class ``cls`` known by its ``name`` (usable as a class decorator)."""
    GROUPS[cls.name] = cls
    return cls


def connection(name, prefix='', key=None):
    """A group instance for a module's ``connections``: group ``name``, options prefixed with ``prefix``."""
    return GROUPS[name](prefix=prefix, key=key)


class ConnectionGroup:
    """One kind of connection as a module sees it. Instances are per module: they hold the prefix and the key."""

    name = None             # the group's name, e.g. 'cucm'
    label = None            # the product as messages name it, e.g. 'CUCM'
    env = None              # environment variable prefix, e.g. 'CUCM' (CUCM_HOST, ...)
    doc_fragment = None     # the fragment that documents the options, e.g. 'collab.uc.cucm_connection'
    hints = {}              # hints for failures, e.g. {401: ..., 403: ...}
    inherit = {}            # option: (group name, option) used when the option is unset

    def __init__(self, prefix='', key=None):
        self.prefix = prefix
        self.key = key or self.name

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

    def open(self, values, **overrides):
        """A new session to the system; the module closes it when it ends."""
        raise NotImplementedError


def _range(problems, option, value, low, high):
    if value is not None and not low <= value <= high:
        problems.append('%s must be between %d and %d, got %s' % (option, low, high, value))


class HttpsConnection(ConnectionGroup):
    """A product's REST or SOAP APIs over HTTPS with Basic auth, session cookies and retries (``HttpSession``)."""

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
        )
        kwargs.update(overrides)
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
