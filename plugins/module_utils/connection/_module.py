# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The base of every collab.uc module: connection groups, sessions, errors, diffs.

Internal module: the leading underscore means its API may change without notice.

A module subclasses ``UCModule``, declares the connection groups it uses in ``connections`` (names of groups in
``_connection.GROUPS``, or ``connection(name, prefix=...)`` where two groups with the same option names meet),
adds its own options and implements ``execute()``, which returns the result dict. ``run()`` builds the
AnsibleModule (every group's options, with their environment fallbacks), checks the groups' ranges before any
request, calls ``execute()``, turns a ``UCError`` into a ``fail_json`` that says host, operation, status, the
product's code and message and what to do, and closes every session it opened.

Diffs follow one rule (``diff()``): in diff mode the result carries ``diff: {before, after}``, and a secret in
either shows as ``MASK``, never as its value.

Every result speaks one vocabulary (issue 19):

- ``changes``: what the task changed (in check mode, would change), a list of ``change()`` entries, each with
  ``name`` (what changed: a parameter, key, service, setting, user...), ``action`` (one of ``ACTIONS``) and,
  where meaningful, ``before`` and ``after`` (a secret as ``MASK``). Empty when nothing changed; always there,
  failures included (what was changed before the failure). ``changed`` is true exactly when it is not empty.
- ``host``: the system the task acted on, as addressed (``host``, ``node`` or ``ssh_host``), without the port
  (``error.host`` on a failure is the endpoint that answered, with the port); not in a module that talks to no
  system.
- ``version``: the product's software version, where a module reads it (``axl_version`` is another thing, the
  AXL schema version the requests use).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import re

from ansible.module_utils.basic import AnsibleModule, _load_params

from ansible_collections.collab.uc.plugins.module_utils.connection._connection import GROUPS, ConnectionGroup
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import MASK, UCError, clip, type_words

# A whole number as a person writes one: decimal ASCII digits, maybe a sign. Ansible's int type also takes
# "1e3", "30.0", "1_000" and other scripts' digits; a module of collab.uc refuses them (issue 17).
_DECIMAL = re.compile(r'^\s*[+-]?[0-9]+\s*$')


# Python's names of the types in Ansible's own messages ("is of type list", "<class 'dict'>"), in user words
_TYPE_WORDS = {'list': 'a list', 'tuple': 'a list', 'dict': 'a dictionary (mapping)', 'str': 'a string',
               'int': 'a whole number', 'float': 'a number', 'bool': 'a boolean', 'NoneType': 'null (no value)',
               'bytes': 'binary data'}
_CONVERT = re.compile(r"is of type (?:<class ')?(\w+)(?:'>)? and we were unable to convert to (\w+)(?:: .*)?$",
                      re.DOTALL)
_CLASS = re.compile(r"<class '(\w+)'>")


def user_words(msg):
    """``msg`` with Python's type names (as Ansible's argument checks print them) in user words."""
    msg = _CONVERT.sub(lambda m: 'is %s, which cannot be read as %s' % (
        _TYPE_WORDS.get(m.group(1), 'a value of another kind'), _TYPE_WORDS.get(m.group(2), m.group(2))), msg)
    return _CLASS.sub(lambda m: _TYPE_WORDS.get(m.group(1), 'a value of another kind'), msg)


# What ``changes[].action`` says, in the past tense (in check mode: what would be done).
ACTIONS = ('created', 'updated', 'deleted', 'regenerated', 'started', 'stopped', 'restarted', 'synced', 'revoked',
           'executed', 'written')
_UNSET = object()


def change(name, action, before=_UNSET, after=_UNSET, secret=False, **details):
    """One entry of a result's ``changes``, the one shape every module reports a change in: ``name`` (what
    changed), ``action`` (one of ``ACTIONS``), ``before`` and ``after`` when given (``MASK`` for a value of a
    secret, ``secret=True``; None stays None), then ``details`` (keys of the module's own, documented in its
    RETURN)."""
    if action not in ACTIONS:
        raise ValueError('change action %r is none of %s' % (action, ', '.join(ACTIONS)))
    entry = dict(name=name, action=action)
    for key, value in (('before', before), ('after', after)):
        if value is not _UNSET:
            entry[key] = MASK if secret and value is not None else value
    entry.update(details)
    return entry


class _Module(AnsibleModule):
    """AnsibleModule whose failure message is never longer than ``_errors.MAX_MESSAGE`` characters (head and tail
    kept), whichever path fails - a system's answer of a megabyte stays readable - and names no Python type.

    Every result it returns, success or failure, carries ``changes`` (empty unless the module says otherwise) and
    what ``result_defaults()`` adds (``UCModule`` sets it: the system's ``host``)."""

    result_defaults = None

    def _defaults(self, kwargs):
        kwargs.setdefault('changes', [])
        for key, value in (self.result_defaults() if self.result_defaults else {}).items():
            kwargs.setdefault(key, value)
        return kwargs

    def exit_json(self, **kwargs):
        super(_Module, self).exit_json(**self._defaults(kwargs))

    def fail_json(self, msg, **kwargs):  # pylint: disable=arguments-differ
        super(_Module, self).fail_json(msg=clip(user_words(msg) if isinstance(msg, str) else msg),
                                       **self._defaults(kwargs))


def _group(entry):
    return entry if isinstance(entry, ConnectionGroup) else GROUPS[entry]()


def connection_argument_spec(*entries):
    """The options of the connection groups ``entries`` (names or ``connection()`` instances), merged."""
    spec = {}
    for group in [_group(entry) for entry in entries]:
        for option, option_spec in group.argument_spec().items():
            if option in spec:
                raise ValueError('connection groups clash on option %r: give one of them a prefix' % option)
            spec[option] = option_spec
    return spec


def given_params():
    """The options as the task gave them, before Ansible converted them to their types ({} when unknown)."""
    try:
        given = _load_params()
    except Exception:  # pylint: disable=broad-except  # the module fails on its own when it cannot read them
        return {}
    return given if isinstance(given, dict) else {}  # not a dict: introspection (validate-modules)


def whole_number_problem(option, given):
    """Why ``given`` (an int option's value as the task gave it) is no whole number written in decimal digits,
    or None: Ansible turns the boolean true into 1, the string "1e3" into 1000 and "30.0" into 30."""
    if isinstance(given, bool):
        return '%s must be a whole number, got the boolean %s' % (option, str(given).lower())
    if isinstance(given, float) or (isinstance(given, str) and not _DECIMAL.match(given)):
        shown = clip(given if isinstance(given, str) else repr(given), 60)
        return ('%s must be a whole number written in decimal digits, such as 30, got %s; write it without a '
                'decimal point, exponent or separator' % (option, shown))
    return None


def text_problem(option, option_spec, given):
    """Why ``given`` (a str option's value as the task gave it) cannot be text, or None: Ansible turns a list or a
    dictionary given for text into its Python spelling ("['a']", "{'x': 1}")."""
    if (option_spec.get('type') or 'str') == 'str' and isinstance(given, (list, dict)):
        return '%s must be a string, got %s' % (option, type_words(given))
    return None


def _unknown_options(spec):
    """The options the task gives that ``spec`` does not know (names and aliases; Ansible's own ``_ansible_*``
    keys apart)."""
    given = given_params()
    known = set(spec)
    for option in spec.values():
        known.update(option.get('aliases') or ())
    return sorted(name for name in given if not name.startswith('_ansible_') and name not in known)


class UCModule:
    """Base class of collab.uc modules. Subclasses set ``connections`` and implement ``execute()``."""

    connections = ()
    argument_spec = {}
    module_kwargs = {}

    def __init__(self):
        self.groups = [_group(entry) for entry in self.connections]
        spec = connection_argument_spec(*self.groups)
        spec.update(self.argument_spec)
        kwargs = dict(self.module_kwargs)
        if _unknown_options(spec):
            # Ansible reports missing required options before unknown ones, so a misspelt required option
            # ("hots") would only show as "missing required arguments: host". Without the requirements, Ansible
            # names the unknown option (and lists the supported ones) however many there are.
            spec = dict((name, dict((k, v) for k, v in option.items() if k != 'required'))
                        for name, option in spec.items())
            for key in ('required_if', 'required_one_of', 'required_together', 'required_by'):
                kwargs.pop(key, None)
        self._sessions = []
        self._identity = None
        self.module = _Module(argument_spec=spec, supports_check_mode=True, **kwargs)
        self.module.result_defaults = self.result_defaults
        self.params = self.module.params
        self.validate_connection_params()

    def validate_connection_params(self):
        problems = []
        given = given_params()
        for option, option_spec in sorted(self.module.argument_spec.items()):
            for name in [option] + list(option_spec.get('aliases') or ()):
                if option_spec.get('type') == 'int':
                    # Ansible takes true as the integer 1 and "1e3" as 1000: refuse them, since nobody means
                    # "1 minute" by true, and "1e3" is more likely a typo than a thousand minutes.
                    problem = whole_number_problem(name, given[name] if name in given else self.params.get(option))
                else:
                    problem = text_problem(name, option_spec, given.get(name))
                if problem:
                    problems.append(problem)
                    break
        for group in self.groups:
            problems.extend(group.problems(self.connection_values(group.key)))
        if problems:
            self.module.fail_json(msg='; '.join(problems))

    def group(self, key=None):
        """The connection group ``key`` (its name unless declared otherwise); the first one by default."""
        if key is None:
            return self.groups[0]
        for group in self.groups:
            if group.key == key:
                return group
        raise KeyError('this module declares no connection group %r' % key)

    def connection_values(self, key=None):
        """The options of group ``key`` as ``{name: value}``, unprefixed."""
        return self.group(key).values(self.params, self.groups)

    @property
    def check_mode(self):
        return self.module.check_mode

    def session(self, key=None, **overrides):
        """A new session of group ``key`` (the first group by default); closed when the module ends."""
        group = self.group(key)
        if getattr(group, 'takes_check_mode', False):
            overrides.setdefault('check_mode', self.check_mode)
            overrides.setdefault('warn', self.module.warn)
        session = group.open(self.connection_values(key), **overrides)
        self._sessions.append(session)
        if self._identity is None:
            self._identity = getattr(session, 'host', None)
        return session

    def http_session(self, **overrides):
        """A new ``HttpSession`` of the module's first (HTTPS) group; closed when the module ends."""
        return self.session(None, **overrides)

    def logins(self):
        """How many logins the sessions opened so far made (SSH sessions count theirs; others count none)."""
        return sum(getattr(session, 'logins', 0) for session in self._sessions)

    def identity(self):
        """The system the task acts on, for ``host``: where its first session went, else the first group's host
        (None for a module without connections)."""
        if self._identity is None and self.groups:
            values = self.connection_values()
            return values.get('host') or values.get('ssh_host')
        return self._identity

    def result_defaults(self):
        """What every result of the module carries unless it says otherwise: the system's ``host``."""
        host = self.identity()
        return {} if host is None else {'host': host}

    def diff(self, result, before, after):
        """``result`` with ``diff`` added in diff mode (the rule every module follows); returns ``result``."""
        if self.module._diff:
            result['diff'] = dict(before=before, after=after)
        return result

    @contextlib.contextmanager
    def reporting_done(self, changes):
        """Within this block, a ``UCError`` that carries ``done`` (what a multi-step write made before it failed,
        as the domain layer hands it) leaves with ``changes(done)`` as its ``changes``, which ``fail`` reports."""
        try:
            yield
        except UCError as error:
            error.changes = changes(getattr(error, 'done', None) or [])
            raise

    def execute(self):
        raise NotImplementedError

    def fail(self, error, **result):
        """Fail with ``error``; the changes made before it (``error.changes``, set by the module) are reported, and
        the task is then changed as well as failed."""
        done = getattr(error, 'changes', None)
        if done:
            result.setdefault('changes', done)
            result.setdefault('changed', True)
        result.setdefault('error', error.to_dict())
        if getattr(error, 'traceback', None):  # a missing library: Ansible shows it with -vvv
            result.setdefault('exception', error.traceback)
        self.module.fail_json(msg=str(error), **result)

    def close_sessions(self):
        for session in self._sessions:
            session.close()
        self._sessions = []

    def run(self):
        try:
            try:
                result = self.execute()
            finally:
                # Also when execute() ends with fail_json (SystemExit): no module needs to close sessions itself.
                self.close_sessions()
        except UCError as error:
            self.fail(error)
        self.module.exit_json(**result)
