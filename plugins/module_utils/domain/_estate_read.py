# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The reads of the roles' preflights, callable outside a module: each opens the connection group's session from
resolved values (``_connection.resolve``), makes the same requests as the read module (the enablement:
collab.uc.cucm_oauth_info, collab.uc.cuc_authz_server_info, collab.uc.expressway_oauth without settings; the key
rotation: collab.uc.cucm_node_info, collab.uc.cucm_authz_keys with state=present) and returns the same result, or
``{'failed': True, 'msg', 'error'}``. ``run_all`` (and ``read_all``, the enablement's) runs them for many systems
in threads, with bounded workers.

Throttling in the reading pass (HTTP 503, the AXL memory fault): each system is its own server, read one request at
a time, so there is no window to narrow; what a throttled read must not do is hold a worker while it waits. In
``read_all`` a system's session hands throttling back at once (``throttle_retries`` 0), and the system's read goes
back on a ``DelayedQueue`` (``_adaptive``) for as long as its ``Retry-After`` says, else a backoff that grows with
that system's throttled tries (``THROTTLE_BACKOFF``), at most ``retries`` times (the connection's option, as its
module would retry); the worker reads the next system meanwhile. A read tried again starts over (reads only).

Internal module: the leading underscore means its API may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.collab.uc.plugins.module_utils.transport._adaptive import DelayedQueue, parse_retry_after
from ansible_collections.collab.uc.plugins.module_utils.connection._connection import resolve
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_axl import is_throttling
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import UCError, Unavailable
from ansible_collections.collab.uc.plugins.module_utils.transport._http import backoff_delay, throttled_hint

MAX_WORKERS = 16
# A throttled read waits (base, cap; seconds) before it is tried again, growing with its system's throttled tries.
THROTTLE_BACKOFF = (1.0, 30.0)
MODULES = {'cucm': 'collab.uc.cucm_oauth_info', 'cuc': 'collab.uc.cuc_authz_server_info',
           'expressway': 'collab.uc.expressway_oauth'}
# the rotation's reads: the modules whose arguments (module_defaults) they take
NODE_MODULE = 'collab.uc.cucm_node_info'
KEYS_MODULE = 'collab.uc.cucm_authz_keys'


def read_cucm_oauth(session, axl_version=None, warn=None):
    """What collab.uc.cucm_oauth_info returns: version, AXL version, OAuth parameters, SSO status."""
    from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_axl import AxlClient
    from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_rest import SsospClient
    from ansible_collections.collab.uc.plugins.module_utils.domain._oauth_parameters import PARAMETERS, read_parameters

    axl = AxlClient(session, axl_version)
    cucm_version = axl.get_ccm_version()
    raw, oauth, warnings = read_parameters(axl)
    for warning in warnings:
        if warn:
            warn(warning)
    sso = SsospClient(session).sso_status()
    # cucm_version: the old name of version, returned until 2.0.0
    return dict(changed=False, changes=[], oauth=oauth,
                parameters=dict((p.name, raw[p.name]['value']) for p in PARAMETERS),
                version=cucm_version, cucm_version=cucm_version, axl_version=axl.version,
                sso=dict(enabled=sso['sso_enabled'], token_reuse=sso['token_reuse'], version=sso['version']))


def read_cuc_authz(session):
    """What collab.uc.cuc_authz_server_info returns for every AuthZ server."""
    from ansible_collections.collab.uc.plugins.module_utils.clients import _cuc_cupi as cupi
    from ansible_collections.collab.uc.plugins.module_utils.domain import _cuc_authz_servers as authz

    client = cupi.CupiClient(session)
    return dict(changed=False, changes=[],
                authz_servers=[authz.server_view(server) for server in client.list_servers()])


def read_expressway_mra(session, refresh_setting):
    """What collab.uc.expressway_oauth returns when it sets nothing: the CollaborationEdge section, the MRA
    settings, the version and the account's access (one login)."""
    from ansible_collections.collab.uc.plugins.module_utils.clients._expressway_cli import (
        MRA_SECTION, MRA_SETTINGS, ExpresswayCli, check_path, find_leaf, leaf_names, read_section)

    refresh = check_path(refresh_setting)
    cli = ExpresswayCli(session)
    raw = read_section(cli, MRA_SECTION)
    paths = dict((option, '%s %s' % (MRA_SECTION, leaf or refresh)) for option, leaf, _label in MRA_SETTINGS)
    lowered = dict((name.lower(), value) for name, value in raw.items())
    settings = {}
    for option, _leaf, _label in MRA_SETTINGS:
        value = lowered.get(paths[option].lower())
        settings[option] = None if value is None else value.lower() == 'on'
    absent = [option for option, _leaf, _label in MRA_SETTINGS if find_leaf(raw, paths[option]) is None]
    return dict(changed=False, settings=settings, xconfiguration=raw, leaves=leaf_names(raw, MRA_SECTION),
                absent=absent, version=cli.version(), access=cli.access(), changes=[],
                ssh_logins=getattr(session, 'logins', 0))


def read_cucm_access(args, environ, axl_version=None):
    """Whether the AXL account of ``args`` (collab.uc.cucm_oauth_info's arguments with ``module_defaults``
    applied) may write: ``{'access': 'read-write' | 'read-only' | None, 'roles'}`` from the roles of its user
    groups (``getAppUser``, one read), ``access`` None with a warning when CUCM does not say (not an application
    user, or roles this collection does not know). Never raises."""
    from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_axl import AxlClient, axl_access

    group, values, failure = _resolved('cucm', MODULES['cucm'], args, environ)
    if failure:
        return failure
    session = None
    try:
        session = group.open(values)
        roles = AxlClient(session, axl_version or values.get('axl_version')).app_user_roles(values['username'])
    except UCError as error:
        return dict(access=None, roles=[], warnings=[
            'could not tell whether the AXL account %s may write (getAppUser: %s); the writes will tell'
            % (values['username'], error.message)])
    finally:
        if session is not None:
            session.close()
    access = axl_access(roles)
    result = dict(access=access, roles=roles)
    if access is None:
        result['warnings'] = ['could not tell whether the AXL account %s may write: its roles (%s) hold neither '
                              '"Standard AXL API Access" nor the read-only AXL role; the writes will tell'
                              % (values['username'], ', '.join(roles) or 'none')]
    return result


class Throttled(Exception):
    """A read refused for throttling, handed back to be tried again later (``read_all``)."""

    def __init__(self, error, retries):
        super(Throttled, self).__init__(str(error))
        self.error = error
        self.retries = retries  # how many times the connection's retries option allows it to be tried again
        self.retry_after = parse_retry_after(getattr(error, 'retry_after', None))


def _failure(error):
    return dict(failed=True, msg=str(error), error=error.to_dict())


def read_one(kind, args, environ, refresh_setting=None, hand_back=False):
    """One system's read: ``kind`` cucm, cuc or expressway; ``args`` the read module's arguments with
    ``module_defaults`` applied; ``environ`` the environment of its fallbacks. Never raises, except, with
    ``hand_back``, ``Throttled`` for throttling, which its session then does not retry itself."""
    group, values, problems = resolve(kind, args, environ)
    if problems:
        return dict(failed=True, msg='%s: %s' % (MODULES[kind], '; '.join(problems)))
    warnings = []
    session = None
    try:
        if kind == 'expressway':
            session = group.open(values, check_mode=True, warn=warnings.append)
            result = read_expressway_mra(session, refresh_setting or 'OAuthWithRefresh')
        else:
            session = group.open(values)
            if hand_back:
                session.throttle_retries = 0
            if kind == 'cucm':
                result = read_cucm_oauth(session, values.get('axl_version'), warn=warnings.append)
            else:
                result = read_cuc_authz(session)
    except Unavailable as error:
        if hand_back and is_throttling(error):
            raise Throttled(error, session.retries if session is not None else 0)
        return _failure(error)
    except UCError as error:
        return _failure(error)
    except ValueError as error:  # a refresh setting name the xAPI cannot hold
        return dict(failed=True, msg=str(error))
    finally:
        if session is not None:
            session.close()
    if warnings:
        result['warnings'] = warnings
    return result


def _resolved(kind, module, args, environ):
    """``(group, values, None)``, or ``(None, None, failure)`` naming ``module`` when the options do not hold."""
    group, values, problems = resolve(kind, args, environ)
    if problems:
        return None, None, dict(failed=True, msg='%s: %s' % (module, '; '.join(problems)))
    return group, values, None


def read_cluster_nodes(args, environ, services=(), products=('cucm', 'im_presence')):
    """What collab.uc.cucm_node_info returns (``args``: its arguments with ``module_defaults`` applied): the
    cluster's nodes (AXL), each with the status of ``services`` read on the node itself (Serviceability), or
    ``{'failed': True, 'msg'}``. Never raises."""
    from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_axl import AxlClient
    from ansible_collections.collab.uc.plugins.module_utils.domain._cucm_nodes import read_nodes
    from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_serviceability import ServiceabilityClient
    from ansible_collections.collab.uc.plugins.module_utils.domain._cucm_services import node_service_status

    group, values, failure = _resolved('cucm', NODE_MODULE, args, environ)
    if failure:
        return failure
    sessions = []

    def session(**overrides):
        sessions.append(group.open(values, **overrides))
        return sessions[-1]

    def status(name, names):
        return node_service_status(ServiceabilityClient(session(host=name)), names)

    try:
        return read_nodes(AxlClient(session(), values.get('axl_version')), status, services, products)
    except UCError as error:
        return dict(failed=True, msg=str(error), error=error.to_dict())
    finally:
        for opened in sessions:
            opened.close()


def read_authz_keys(args, environ, check_rights=False, check_mode=False):
    """What collab.uc.cucm_authz_keys returns with ``state=present`` (``args``: its arguments with
    ``module_defaults`` applied): ``checksums`` of both keys, one login. With ``check_rights``, also ``rights``:
    whether this account may regenerate them on this node (privilege level 4 and the publisher, by read-only
    commands: ``CucmCli.check_key_regeneration``), ``{'ok': True, 'privilege_level', ...}`` or ``{'ok': False,
    'msg'}``. A failure is ``{'failed': True, 'msg'}``; never raises."""
    from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_cli import CucmCli

    group, values, failure = _resolved('cucm_cli', KEYS_MODULE, args, environ)
    if failure:
        return failure
    warnings = []
    session = None
    result = dict(changed=False)
    try:
        session = group.open(values, check_mode=check_mode, warn=warnings.append)
        cli = CucmCli(session)
        if check_rights:
            try:
                result['rights'] = dict(cli.check_key_regeneration(), ok=True)
            except UCError as error:
                result['rights'] = dict(ok=False, msg=str(error))
        result['checksums'] = cli.authz_keys()
    except UCError as error:
        return dict(result, failed=True, msg=str(error), error=error.to_dict())
    finally:
        if session is not None:
            session.close()
    if warnings:
        result['warnings'] = warnings
    result['ssh_logins'] = getattr(session, 'logins', 0)
    return result


def run_all(jobs, workers=MAX_WORKERS):
    """``{key: result}`` of ``jobs`` ({key: (function, args)}), run concurrently by at most ``workers`` threads
    (each function opens its own sessions; none raises)."""
    if not jobs:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(jobs)))) as pool:
        futures = dict((key, pool.submit(function, *args)) for key, (function, args) in jobs.items())
        return dict((key, future.result()) for key, future in futures.items())


def read_all(jobs, workers=MAX_WORKERS, backoff=THROTTLE_BACKOFF):
    """``{key: result}`` of ``jobs`` ({key: (kind, args, environ, refresh_setting)}), read concurrently by at most
    ``workers`` threads (each system is one session; no system is read twice unless throttled: see the module's
    docstring)."""
    if not jobs:
        return {}
    work = DelayedQueue()
    for key in jobs:
        work.put((key, 0))
    work.close()  # the workers end once every read is done (a throttled one is put back before its worker is done)
    results = {}

    def worker():
        while True:
            item = work.get()
            if item is None:
                return
            key, tries = item
            try:
                try:
                    results[key] = read_one(*jobs[key], hand_back=True)
                except Throttled as busy:
                    if tries < busy.retries:
                        delay = max(busy.retry_after or 0.0, backoff_delay(tries, backoff[0], backoff[1]))
                        work.put((key, tries + 1), delay)
                    else:
                        busy.error.hint = throttled_hint(tries)
                        results[key] = _failure(busy.error)
            except Exception as exc:  # pylint: disable=broad-except  # one system's fault must not stop the pass
                results[key] = dict(failed=True, msg='unexpected error: %s' % exc)
            finally:
                work.done()

    threads = [threading.Thread(target=worker, name='read-%d' % n) for n in range(max(1, min(workers, len(jobs))))]
    for thread in threads:
        thread.daemon = True
        thread.start()
    for thread in threads:
        thread.join()
    return dict((key, results[key]) for key in jobs)
