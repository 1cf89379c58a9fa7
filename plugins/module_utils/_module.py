# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The base of every collab.uc module: connection options, sessions, errors, diffs.

Internal module: the leading underscore means its API may change without notice.

A module subclasses ``UCModule``, names its product (``cucm`` or ``cuc``), adds its own options and implements
``execute()``, which returns the result dict. ``run()`` builds the AnsibleModule (connection options from the
product's doc fragment, with environment fallbacks), calls ``execute()``, turns a ``UCError`` into a
``fail_json`` that says host, operation, status, the product's code and message and what to do, and closes
every session it opened.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, env_fallback

from ansible_collections.collab.uc.plugins.module_utils._errors import UCError, MASK
from ansible_collections.collab.uc.plugins.module_utils._http import HttpSession


PRODUCTS = {
    'cucm': {
        'label': 'CUCM',
        'env': 'CUCM',
        'port': 8443,
        'hints': {
            401: 'Check username and password (an application or end user with the '
                 '"Standard AXL API Access" role)',
            403: 'Give the user the "Standard AXL API Access" role (an AXL access group) on CUCM',
        },
    },
    'cuc': {
        'label': 'Unity Connection',
        'env': 'CUC',
        'port': 443,
        'hints': {
            401: 'Check username and password of the Connection administrator',
            403: 'Give the user the System Administrator role in Unity Connection',
        },
    },
}


def connection_argument_spec(product):
    """The connection options every module of ``product`` takes; see the product's doc fragment."""
    env = PRODUCTS[product]['env']
    spec = dict(
        host=dict(type='str', required=True, fallback=(env_fallback, ['%s_HOST' % env])),
        port=dict(type='int', default=PRODUCTS[product]['port'], fallback=(env_fallback, ['%s_PORT' % env])),
        username=dict(type='str', required=True, aliases=['user'],
                      fallback=(env_fallback, ['%s_USERNAME' % env])),
        password=dict(type='str', required=True, no_log=True, fallback=(env_fallback, ['%s_PASSWORD' % env])),
        validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['%s_VALIDATE_CERTS' % env])),
        ca_path=dict(type='path', fallback=(env_fallback, ['%s_CA_PATH' % env])),
        timeout=dict(type='int', default=30),
        retries=dict(type='int', default=5),
    )
    if product == 'cucm':
        spec['axl_version'] = dict(type='str')
    return spec


def mask_secrets(data, secret_keys):
    """A copy of ``data`` (a dict) with the values of ``secret_keys`` replaced by a mask when set."""
    if data is None:
        return None
    masked = dict(data)
    for key in secret_keys:
        if masked.get(key) not in (None, ''):
            masked[key] = MASK
    return masked


class UCModule:
    """Base class of collab.uc modules. Subclasses set ``product`` and implement ``execute()``."""

    product = None
    argument_spec = {}
    module_kwargs = {}

    def __init__(self):
        spec = connection_argument_spec(self.product)
        spec.update(self.argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **self.module_kwargs)
        self.params = self.module.params
        self._sessions = []
        self.validate_connection_params()

    def validate_connection_params(self):
        params = self.params
        if not 1 <= params['port'] <= 65535:
            self.module.fail_json(msg='port must be between 1 and 65535, got %s' % params['port'])
        if params['timeout'] < 1:
            self.module.fail_json(msg='timeout must be at least 1 second, got %s' % params['timeout'])
        if not 0 <= params['retries'] <= 20:
            self.module.fail_json(msg='retries must be between 0 and 20, got %s' % params['retries'])

    @property
    def check_mode(self):
        return self.module.check_mode

    def http_session(self, **overrides):
        """A new ``HttpSession`` to the module's host; closed when the module ends."""
        params = self.params
        kwargs = dict(
            host=params['host'], port=params['port'], username=params['username'], password=params['password'],
            validate_certs=params['validate_certs'], ca_path=params['ca_path'], timeout=params['timeout'],
            retries=params['retries'], product=PRODUCTS[self.product]['label'],
            auth_hints=PRODUCTS[self.product]['hints'],
        )
        kwargs.update(overrides)
        session = HttpSession(**kwargs)
        self._sessions.append(session)
        return session

    def execute(self):
        raise NotImplementedError

    def fail(self, error, **result):
        result.setdefault('error', error.to_dict())
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
