# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""CUCM services on one node brought to a state (collab.uc.cucm_service) and reported (collab.uc.cucm_node_info).

Internal module: the leading underscore means its API may change without notice.

The rules on top of the Serviceability client (``clients/_cucm_serviceability``), which only speaks the API:
``plan()`` decides what one service needs, ``converge()`` reads every status, refuses before any change what cannot
be done, carries out the Serviceability actions and then Cisco Tomcat's through the platform CLI (a lost CLI answer
is judged from the status, never typed again) and waits; ``node_service_status`` adds what a report shows;
``parse_time`` reads the ``restarted_after`` option.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import OutcomeUnknown, UCError, Unavailable
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_serviceability import (
    ACTIONS, REASON_NOT_ACTIVATED, TOMCAT, restart_seen)


def node_service_status(client, names):
    """The status of ``names`` on the client's node for reports: each info with ``deployable`` (False for status
    Unknown) and ``activated`` (False for reason code -1068)."""
    infos = client.status(names, strict=False)
    for info in infos:
        info['deployable'] = info['status'] != 'Unknown'
        info['activated'] = info['deployable'] and info['reason_code'] != REASON_NOT_ACTIVATED
    return infos


def parse_time(value):
    """Epoch seconds of ``value``: a number (epoch seconds) or an ISO 8601 date and time with an offset
    (``2026-12-01T08:00:00Z``, ``2026-12-01 08:00:00+01:00``); ``ValueError`` otherwise."""
    if isinstance(value, bool):
        raise ValueError('not a time: %r' % (value,))
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    iso = text.replace(' ', 'T', 1)
    if iso.endswith('Z') or iso.endswith('z'):
        iso = iso[:-1] + '+00:00'
    try:
        moment = datetime.datetime.fromisoformat(iso)
    except ValueError:
        raise ValueError('%r is neither epoch seconds nor an ISO 8601 date and time' % (value,))
    if moment.tzinfo is None:
        raise ValueError('%r has no time zone: add Z or an offset such as +01:00' % (value,))
    return moment.timestamp()


# -- converging services to a state (collab.uc.cucm_service) ----------------------------------------------------
WANTED = {'started': 'Started', 'stopped': 'Stopped', 'restarted': 'Started'}
CLI_NEEDED = ('%s cannot be controlled through Serviceability (it serves Serviceability itself): it is started, '
              'stopped and restarted through the platform CLI over SSH ("utils service restart Cisco Tomcat"), and '
              'no platform CLI login was given')
CLI_NEEDED_HINT = 'Set the ssh_* options (ssh_username, ssh_password) of the platform CLI, or leave it out of the list'
TOMCAT_DOWN_HINT = ('Serviceability is served by Cisco Tomcat: while Tomcat restarts the node answers 503 or refuses '
                    'connections. Check Cisco Tomcat on this node ("utils service list" on its platform CLI); '
                    'nothing else was touched after it')
# how a service shows, in its status, that a CLI command reached it
_SIGNS = {'Start': ('Starting', 'Started'), 'Stop': ('Stopping', 'Stopped')}


def is_tomcat(name):
    return name.lower() == TOMCAT.lower()


def plan(info, state, restarted_after=None):
    """What one service needs to reach ``state``: None (nothing), ``'wait'`` (on its way there), or the action
    (``Start``, ``Stop``, ``Restart``). With ``restarted_after`` (epoch seconds), a service that has started
    since then, or is starting now, counts as restarted."""
    status = info['status']
    if state == 'started':
        return None if status == 'Started' else 'wait' if status == 'Starting' else 'Start'
    if state == 'stopped':
        return None if status == 'Stopped' else 'wait' if status == 'Stopping' else 'Stop'
    if restarted_after is not None:
        # started_at comes from a whole-seconds UpTime and may be up to a second late: judge on the safe side
        if status == 'Started' and info['started_at'] is not None and info['started_at'] - 1 >= restarted_after:
            return None
        if status == 'Starting':
            return 'wait'
    return 'Restart'


def converge(client, names, state, restarted_after=None, check_mode=False, wait=True, timeout=300, cli=None,
             cli_missing=None):
    """Bring ``names`` on the client's node to ``state``; returns ``(result, error)``: ``result`` has
    ``changed``, ``services`` (one dict per service: name, before, status, action, started_at, start_time,
    up_time, reason_code, reason) and ``actions``; ``error`` is the ``UCError`` that stopped it, or None.

    Every status is read first and every problem (unknown, not activated, Cisco Tomcat without ``cli``) raised
    before anything is changed (``cli_missing``: the hint that says how to give ``cli``). ``cli(action, name)``
    carries out actions on Cisco Tomcat, after the Serviceability ones (its restart takes Serviceability down);
    a CLI answer that was lost (``OutcomeUnknown``) is never typed again: the status says whether it happened.
    While waiting for a Tomcat acted on, a node that answers 503 or refuses is "not back yet".
    Check mode reads and reports what would be done, and does nothing."""
    tomcat = [n for n in names if is_tomcat(n)]
    try:
        before = client.status(names)
    except Unavailable:
        if not (tomcat and wait) or check_mode:
            raise
        # Tomcat may still be restarting after a run that was interrupted: wait until the node answers again.
        before = client.wait(names, lambda info: True, timeout, 'an answer of Serviceability', unavailable_ok=True,
                             hint=TOMCAT_DOWN_HINT)
    actions = dict((i['name'], plan(i, state, restarted_after)) for i in before)
    for info in before:
        action = actions[info['name']]
        if action in ('Start', 'Restart') and info['reason_code'] == REASON_NOT_ACTIVATED:
            raise client.error('service %s is not activated on this node' % info['name'], 'plan %s' % state,
                               hint='Activate it first (Cisco Unified Serviceability > Tools > Service '
                                    'Activation), or leave it out of the list')
        if is_tomcat(info['name']) and action not in (None, 'wait') and cli is None:
            raise client.error(CLI_NEEDED % info['name'], 'plan %s' % state, hint=cli_missing or CLI_NEEDED_HINT)
    result = {'changed': any(a not in (None, 'wait') for a in actions.values()), 'actions': actions,
              'services': [_report(i, i, actions[i['name']]) for i in before]}
    if check_mode:
        return result, None
    sent_at = {}
    via_cli = []
    error = None
    try:
        for action in ACTIONS:
            todo = [i['name'] for i in before if actions[i['name']] == action]
            soap_names = [n for n in todo if not is_tomcat(n)]
            if soap_names:
                now = client.clock()
                client.control(action, soap_names)
                for name in soap_names:
                    sent_at[name] = now
        for action in ACTIONS:
            for name in [i['name'] for i in before if actions[i['name']] == action and is_tomcat(i['name'])]:
                sent_at[name] = client.clock()
                via_cli.append(name)
                try:
                    cli(action, name)
                except OutcomeUnknown as exc:
                    _decide_after_lost_cli(client, name, action, sent_at[name], exc)
        after = before
        if wait and any(a is not None for a in actions.values()):
            wanted = WANTED[state]

            def done(info):
                if info['status'] != wanted:
                    return False
                since = sent_at.get(info['name'])
                if state == 'stopped' or since is None and restarted_after is None:
                    return True
                floor = since if since is not None else restarted_after
                return info['started_at'] is not None and info['started_at'] >= floor
            after = client.wait(names, done, timeout, wanted, unavailable_ok=bool(via_cli or tomcat),
                                hint=TOMCAT_DOWN_HINT if via_cli else None)
        elif sent_at:
            try:
                after = client.status(names)
            except Unavailable:
                if not via_cli:
                    raise
                # not waiting, and Tomcat (Serviceability) is down right after its restart: nothing to read
                after = [dict(i, status='Unknown', started_at=None, up_time=None) for i in before]
    except UCError as exc:
        error, after = exc, getattr(exc, 'infos', None) or before
    by_name = dict((i['name'], i) for i in after)
    result['services'] = [_report(b, by_name.get(b['name'], b), actions[b['name']]) for b in before]
    return result, error


def _decide_after_lost_cli(client, name, action, sent_at, lost):
    """The answer of a CLI command on ``name`` was lost: return when the status shows the command reached it
    (then it is waited for as usual), raise ``UCError`` when it shows no sign of it. Never types it again."""
    try:
        info = client.status([name])[0]
    except Unavailable:
        # Serviceability (Tomcat) does not answer: Tomcat is down, so the stop or restart did happen; a start
        # shows when Serviceability answers again (the wait).
        return
    if restart_seen(info, sent_at) if action == 'Restart' else info['status'] in _SIGNS[action]:
        return
    raise UCError('the answer of the platform CLI was lost (%s) and %s shows no sign of the %s (status %s%s): it '
                  'was not typed again, since that could do it twice'
                  % (lost.message, name, action.lower(), info['status'],
                     ', started before the command' if info['started_at'] is not None else ''),
                  host=lost.host, operation=lost.operation, product=lost.product,
                  hint='Check %s on the node ("utils service list"), then run the task again (with restarted_after, '
                       'a restart that did happen is not done again)' % name)


def _report(before, info, action):
    return {'name': info['name'], 'before': before['status'], 'status': info['status'],
            'action': action if action != 'wait' else None, 'waited': action == 'wait',
            'started_at': info['started_at'], 'start_time': info['start_time'], 'up_time': info['up_time'],
            'reason_code': info['reason_code'], 'reason': info['reason']}
