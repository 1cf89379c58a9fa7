# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""CUCM Serviceability (SOAP) client: service status and Start/Stop/Restart on one node, and waiting for them.

Internal module: the leading underscore means its API may change without notice.

This is the only code in collab.uc that speaks Serviceability
(``/controlcenterservice2/services/ControlCenterServices``, namespace ``http://schemas.cisco.com/ast/soap``).
Every call acts on the node it is sent to, so a client is bound to one node: its ``HttpSession`` connects to
that node, and ``NodeName`` in control requests is the same name. Envelopes, faults and retries come from
``_soap`` and ``HttpSession``; this client adds:

- pacing: at most one request every ``min_interval`` seconds (2 s by default) to the node, retries and polls
  included, because CUCM rate-limits Serviceability; the one exception is a control request, sent at once after
  the status read it was decided on (that read is no poll). The interval adapts (``_adaptive.AdaptiveInterval``):
  an "Exceeded allowed rate" fault (or a 503 with ``Retry-After``) doubles it, up to 16 times ``min_interval``,
  and each answer served shortens it again by a quarter of ``min_interval``; a ``Retry-After`` holds the next
  request until it has passed. The client retries throttling itself (its session hands it back at once), each
  retry paced like any request, at most the session's ``retries`` times;
- start times from ``UpTime`` (seconds), read against the controller's clock when the reply arrives, so a start
  time compares with the controller's times whatever the node's time zone or ``StartTime`` format; the raw
  ``StartTime`` is kept for reports;
- requests as Cisco's WSDL defines them: every element in its namespace, one ``ServiceStatus`` per name, the
  operation's ``SOAPAction``; replies are read by local name (qualified or not);
- reason codes turned into errors that say what to do (-1068 not activated; an unknown or not deployable
  service, with what the node can run from ``soapGetStaticServiceList``);
- ``Restart`` is not idempotent: when its answer is lost, the status is read to learn whether it happened,
  and the restart is sent again only if the service shows no sign of it;
- Cisco Tomcat serves Serviceability itself, so it is controlled through the platform CLI (``converge``'s ``cli``
  hook) and, while it is down, its node answers 503 or refuses connections: waiting for it takes that as "not
  back yet" (one paced request per poll, until the timeout). A CLI command whose answer was lost is never typed
  again: the status says whether it happened.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import time

from ansible_collections.collab.uc.plugins.module_utils import _soap
from ansible_collections.collab.uc.plugins.module_utils._adaptive import AdaptiveInterval, parse_retry_after
from ansible_collections.collab.uc.plugins.module_utils._errors import OutcomeUnknown, UCError, Unavailable, \
    error_from_reply
from ansible_collections.collab.uc.plugins.module_utils._http import throttled_hint


SERVICEABILITY_PATH = '/controlcenterservice2/services/ControlCenterServices'
NAMESPACE = 'http://schemas.cisco.com/ast/soap'
STATUSES = ('Started', 'Stopped', 'Starting', 'Stopping', 'Unknown')
ACTIONS = ('Start', 'Stop', 'Restart')
TOMCAT = 'Cisco Tomcat'

REASON_SUCCESS = -1
REASON_NOT_ACTIVATED = -1068
REASON_COMMANDED_OUT = -1069

MIN_INTERVAL = 2.0  # seconds between two requests to one node (CUCM rate-limits Serviceability)
RATE_FAULT_TEXT = 'exceeded allowed rate'

SERVICE_NAME_HINT = ('Check the service name as Cisco Unified Serviceability spells it (e.g. "Cisco CallManager") '
                     'and that this node runs it (IM and Presence nodes run other services than CUCM nodes)')
NOT_SOAP_HINT = ('Check that host and port point at a CUCM or IM and Presence node (Serviceability is served '
                 'by its Tomcat on port 8443)')


class ServiceabilityFault(_soap.SoapFault):
    """A node answered a Serviceability request with a SOAP fault."""


class WaitTimeout(UCError):
    """Services did not reach the wanted status in time; ``infos`` is what they showed last."""

    def __init__(self, infos, message, **kwargs):
        super(WaitTimeout, self).__init__(message, **kwargs)
        self.infos = infos


def is_rate_fault(response):
    """True for the "Exceeded allowed rate" fault (throttling: retried with backoff)."""
    fault = _soap.parse_fault(response.body)
    return fault is not None and RATE_FAULT_TEXT in fault['faultstring'].lower()


def _int(text, default=None):
    try:
        return int((text or '').strip())
    except ValueError:
        return default


def parse_service_info(item, received):
    """One ``ServiceInfoList/item`` as a dict: name, status, reason_code, reason, start_time (the node's text),
    up_time (seconds or None), started_at (epoch seconds on the controller's clock, or None when not Started:
    ``received - UpTime``, at most about a second after the real start since UpTime counts whole seconds)."""
    status = _soap.stripped(_soap.child(item, 'ServiceStatus')) or 'Unknown'
    # tolerate other spellings of the five statuses (case, surrounding words)
    status = next((s for s in STATUSES if s.lower() == status.lower()), status)
    up_time = _int(_soap.text(_soap.child(item, 'UpTime')))
    started_at = None
    if status == 'Started' and up_time is not None and up_time >= 0:
        started_at = received - up_time
    return {
        'name': _soap.stripped(_soap.child(item, 'ServiceName')) or '',
        'status': status,
        'reason_code': _int(_soap.text(_soap.child(item, 'ReasonCode')), REASON_SUCCESS),
        'reason': _soap.stripped(_soap.child(item, 'ReasonCodeString')) or '',
        'start_time': _soap.stripped(_soap.child(item, 'StartTime')) or None,
        'up_time': up_time,
        'started_at': started_at,
    }


def _bool(text):
    return (text or '').strip().lower() in ('true', '1')


def parse_service_specification(item):
    """One ``Services/item`` of ``soapGetStaticServiceList`` as a dict: name, type, deployable, group,
    dependent_services."""
    dependent = _soap.child(item, 'DependentServices')
    return {
        'name': _soap.stripped(_soap.child(item, 'ServiceName')) or '',
        'type': _soap.stripped(_soap.child(item, 'ServiceType')) or '',
        'deployable': _bool(_soap.text(_soap.child(item, 'Deployable'))),
        'group': _soap.stripped(_soap.child(item, 'GroupName')) or '',
        'dependent_services': [(_soap.text(s) or '').strip() for s in (dependent if dependent is not None else ())
                               if _soap.local(s.tag) == 'Service'],
    }


def fault_hint(response):
    """What to do about a Serviceability fault, by its faultstring."""
    fault = _soap.parse_fault(response.body) or {}
    text = (fault.get('faultstring') or '').lower()
    if RATE_FAULT_TEXT in text:
        return ('The node is rate-limiting Serviceability and kept refusing after the retries; wait a minute and run '
                'again, or raise poll_interval')
    if 'nodename' in text or 'node it acts on' in text:
        return 'Send the request to the node it acts on: set node (and the certificate) to that node\'s name'
    return SERVICE_NAME_HINT


class ServiceabilityClient:
    """Serviceability of one node, over one ``HttpSession`` connected to that node.

    ``node_name`` is the name control requests carry (default: the session's host, the name the client connects
    to, as ``listProcessNode`` lists it). ``clock`` and ``sleep`` are for tests.
    """

    def __init__(self, session, node_name=None, min_interval=MIN_INTERVAL, clock=time.time, sleep=time.sleep):
        self.session = session
        self.node = node_name or session.host
        self.min_interval = max(float(min_interval), MIN_INTERVAL)
        self.clock = clock
        self.sleep = sleep
        self.pace = AdaptiveInterval(self.min_interval, clock=clock)
        self._at_once = False  # the next request goes out without waiting its turn (a control after a read)
        self.requests_sent = 0
        if getattr(session, 'rate_limiter', None) is None:
            session.rate_limiter = self._pace  # every attempt (retries too) waits its turn
        session.throttle_retries = 0  # throttling comes back to _send, which paces its retries

    @property
    def interval(self):
        """The interval between two requests to this node now (seconds)."""
        return self.pace.interval

    def _pace(self):
        now = self.clock()
        at_once, self._at_once = self._at_once, False
        wait = self.pace.wait_time(now, at_once)
        if wait > 0:
            self.sleep(wait)
            now += wait
        self.pace.started(now)
        self.requests_sent += 1

    def error(self, message, operation, hint=None, details=None):
        """A ``UCError`` naming this node (for problems found in a reply or a plan)."""
        return error_from_reply(self.session, message, operation, details=details, hint=hint, status=200)

    def _send(self, operation, fields, label, idempotent):
        """The reply element of ``operation``: every element in Cisco's namespace (the WSDL's schema is
        ``elementFormDefault="qualified"``) and the operation's own ``SOAPAction`` (its name, as the binding
        declares it). Throttling (503, "Exceeded allowed rate") is retried here, each retry paced, at most the
        session's ``retries`` times; a rate limit lengthens the pace (see the module's docstring)."""
        tries = 0
        while True:
            try:
                reply = _soap.call(self.session, SERVICEABILITY_PATH, NAMESPACE, operation, fields, label=label,
                                   soap_action='"%s"' % operation, qualified=True, retry_if=is_rate_fault,
                                   idempotent=idempotent, fault_class=ServiceabilityFault,
                                   fault_message='the node answered with a SOAP fault',
                                   fault_hint=fault_hint, not_soap_hint=NOT_SOAP_HINT)
            except Unavailable as busy:
                if busy.status is None:  # no answer (a refused or dropped connection): not throttling
                    raise
                retry_after = parse_retry_after(getattr(busy, 'retry_after', None))
                # the rate fault comes as a SOAP fault (not 503); a Retry-After is a rate limit too
                self.pace.answered(served=False, rate_limited=busy.status != 503 or retry_after is not None,
                                   retry_after=retry_after, now=self.clock())
                if tries >= self.session.retries:
                    busy.hint = throttled_hint(tries)
                    raise
                tries += 1
                continue
            self.pace.answered(now=self.clock())
            return reply

    def _call(self, operation, fields, label, idempotent):
        reply = self._send(operation, fields, label, idempotent)
        received = self.clock()
        ret = _soap.find(reply, 'ServiceInfoList')
        if ret is None:
            raise self.error('the reply has no ServiceInfoList', label, hint=NOT_SOAP_HINT)
        return [parse_service_info(item, received) for item in ret if _soap.local(item.tag) == 'item']

    def static_services(self):
        """What this node can run (``soapGetStaticServiceList``): one dict per service with name, type
        (``Service`` or ``Servlet``), deployable (bool), group and dependent_services (names)."""
        label = 'soapGetStaticServiceList'
        reply = self._send('soapGetStaticServiceList', [('ServiceInformationResponse', '')], label, True)
        services = _soap.find(reply, 'Services')
        if services is None:
            raise self.error('the reply has no Services list', label, hint=NOT_SOAP_HINT)
        return [parse_service_specification(item) for item in services if _soap.local(item.tag) == 'item']

    @staticmethod
    def _by_name(infos, names, label, error):
        found = dict((i['name'].lower(), i) for i in infos)
        out = []
        for name in names:
            info = found.get(name.lower())
            if info is None:
                raise error('the reply does not list %s' % name, label)
            out.append(info)
        return out

    def status(self, names, strict=True):
        """The status of each of ``names`` on this node (in that order); with no names, of every service the node
        lists. An unknown or not deployable service (status Unknown) raises ``UCError`` (saying what the node can
        run, when it tells), unless not ``strict``."""
        names = list(names)
        label = 'soapGetServiceStatus %s' % (', '.join(names) or '(every service)')
        # one ServiceStatus per name (the schema's element repeats); an empty one asks for every service
        infos = self._call('soapGetServiceStatus', [('ServiceStatus', n) for n in names] or [('ServiceStatus', '')],
                           label, True)
        if names:
            infos = self._by_name(infos, names, label, self.error)
        unknown = [i for i in infos if i['status'] == 'Unknown'] if strict and names else []
        if unknown:
            info = unknown[0]
            raise self.error('service %s is unknown on this node (%s)'
                             % (info['name'], info['reason'] or 'status Unknown'), label,
                             hint=self._unknown_hint(), details=[('ReasonCode', info['reason_code'])])
        return infos

    def _unknown_hint(self):
        """SERVICE_NAME_HINT, with the deployable services this node lists (soapGetStaticServiceList) when it
        answers."""
        try:
            services = self.static_services()
        except UCError:
            return SERVICE_NAME_HINT
        names = sorted(s['name'] for s in services if s['deployable'] and s['name'])
        if not names:
            return SERVICE_NAME_HINT
        return '%s. This node can run: %s' % (SERVICE_NAME_HINT, ', '.join(names))

    def control(self, action, names):
        """``Start``, ``Stop`` or ``Restart`` ``names`` on this node; returns their status right after.

        A Restart whose answer is lost is not sent again blindly: the status tells whether it happened.
        """
        if action not in ACTIONS:
            raise ValueError('action must be one of %s' % ', '.join(ACTIONS))
        names = list(names)
        label = 'soapDoControlServices %s %s' % (action, ', '.join(names))
        sent_at = self.clock()
        # The control request follows the status read it was decided on at once: that read is no poll. Its retries,
        # and every poll after it, wait their turn (the first poll comes min_interval after the control).
        self._at_once = True
        try:
            infos = self._call('soapDoControlServices', self._request(action, names), label, action != 'Restart')
        except OutcomeUnknown:
            # the answer was lost: the status says whether the restart happened; only what shows no sign of it
            # is asked again (once; a second loss fails)
            infos = self.status(names)
            undone = [i['name'] for i in infos if not restart_seen(i, sent_at)]
            if undone:
                infos = [i for i in infos if i['name'] not in undone] + self._call(
                    'soapDoControlServices', self._request(action, undone), label, False)
        infos = self._by_name(infos, names, label, self.error)
        for info in infos:
            if info['reason_code'] == REASON_NOT_ACTIVATED and action != 'Stop':
                raise self.error('service %s is not activated on this node (reason code %d, %s)'
                                 % (info['name'], REASON_NOT_ACTIVATED, info['reason'] or 'Service Not Activated'),
                                 label, hint='Activate it first (Cisco Unified Serviceability > Tools > Service '
                                             'Activation), or leave it out of the list')
        return infos

    def _request(self, action, names):
        return [('ControlServiceRequest', [('NodeName', self.node), ('ControlType', action),
                                           ('ServiceList', [('item', n) for n in names])])]

    def wait(self, names, done, timeout, what, unavailable_ok=False, hint=None):
        """Poll the status of ``names`` (no faster than the pacing) until ``done(info)`` holds for each, or
        ``timeout`` seconds have passed (then ``WaitTimeout`` saying which did not and what they last showed).
        Returns the last statuses.

        ``unavailable_ok``: the node's Serviceability may be down (Cisco Tomcat restarting): an ``Unavailable``
        answer (503, a refused or dropped connection) counts as "not there yet", and each poll is one request
        (no retries of its own), so the pacing alone sets the pace."""
        deadline = self.clock() + timeout
        infos, unavailable = None, None
        retries = self.session.retries
        if unavailable_ok:
            self.session.retries = 0
        try:
            while True:
                try:
                    infos, unavailable = self.status(names), None
                except Unavailable as exc:
                    if not unavailable_ok:
                        raise
                    unavailable = exc
                pending = [i for i in infos if not done(i)] if unavailable is None else None
                if pending == []:
                    return infos
                if self.clock() + self.min_interval > deadline:
                    if unavailable is not None:
                        last = 'Serviceability of this node did not answer: %s' % unavailable.message
                        shown = ', '.join(names)
                    else:
                        last = ', '.join('%s %s' % (i['name'], i['status']) for i in pending)
                        shown = ', '.join(i['name'] for i in pending)
                    raise WaitTimeout(
                        infos, '%s did not reach %s within %d s (last status: %s)' % (shown, what, timeout, last),
                        host=self.session.endpoint, operation='wait for %s' % what, product=self.session.product,
                        hint=hint or 'Look at the service on this node (Cisco Unified Serviceability > Tools > '
                                     'Control Center - Feature Services) and its logs; nothing else was touched '
                                     'after it')
        finally:
            self.session.retries = retries


def node_service_status(client, names):
    """The status of ``names`` on the client's node for reports: each info with ``deployable`` (False for status
    Unknown) and ``activated`` (False for reason code -1068)."""
    infos = client.status(names, strict=False)
    for info in infos:
        info['deployable'] = info['status'] != 'Unknown'
        info['activated'] = info['deployable'] and info['reason_code'] != REASON_NOT_ACTIVATED
    return infos


def restart_seen(info, sent_at):
    """True when ``info`` shows a restart asked at ``sent_at``: in transition, or started since then."""
    if info['status'] in ('Stopping', 'Starting'):
        return True
    return info['started_at'] is not None and info['started_at'] >= sent_at


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
