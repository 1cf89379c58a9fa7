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
  included, because CUCM rate-limits Serviceability (a simulator lab whose clock runs N times faster, the
  session's ``time_scale``, divides the pacing and a wait's timeout by N: they are the node's seconds); the one
  exception is a control request, sent at once after the status read it was decided on (that read is no poll).
  The pacing is the session's one rate limiter, whose interval adapts (``transport/_http.RateLimiter.answered``):
  an "Exceeded allowed rate" fault (or a 503 with ``Retry-After``) doubles it, up to 16 times ``min_interval``, and each answer served shortens it again by a
  quarter of ``min_interval``; a ``Retry-After`` holds the next request until it has passed. The client retries
  throttling itself (its session hands it back at once), each retry paced like any request, at most the
  session's ``retries`` times;
- start times from ``UpTime`` (seconds), read against the controller's clock when the reply arrives, so a start
  time compares with the controller's times whatever the node's time zone or ``StartTime`` format; the raw
  ``StartTime`` is kept for reports;
- requests as Cisco's WSDL defines them: every element in its namespace, one ``ServiceStatus`` per name, the
  operation's ``SOAPAction``; replies are read by local name (qualified or not);
- reason codes turned into errors that say what to do (-1068 not activated; an unknown or not deployable
  service, with what the node can run from ``soapGetStaticServiceList``);
- ``Restart`` is not idempotent: when its answer is lost, the status is read to learn whether it happened,
  and the restart is sent again only if the service shows no sign of it;
- Cisco Tomcat serves Serviceability itself, so it is controlled through the platform CLI (the ``cli`` hook of
  ``domain/_cucm_services.converge``) and, while it is down, its node answers 503 or refuses connections:
  waiting for it takes that as "not back yet" (one paced request per poll, until the timeout).

What to do with the services (``plan``, ``converge``, the reports' view) is decided in ``domain/_cucm_services``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.collab.uc.plugins.module_utils.transport import _soap
from ansible_collections.collab.uc.plugins.module_utils.transport._adaptive import parse_retry_after
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import (
    OutcomeUnknown, UCError, Unavailable, error_from_reply)
from ansible_collections.collab.uc.plugins.module_utils.transport._http import RateLimiter, throttled_hint


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
        # the node's seconds in real seconds: 1, unless a simulator lab runs its clock faster (_http.time_scale)
        self.time_scale = getattr(session, 'time_scale', 1.0)
        self.clock = clock
        self.sleep = sleep
        # The pacing is the session's one rate limiter (every attempt, retries too, waits its turn): a session
        # without one gets it, one with a limiter of its own keeps it, slowed down to min_interval at least. Its
        # interval adapts to the answers (RateLimiter.answered, told by _send).
        if getattr(session, 'rate_limiter', None) is None:
            session.rate_limiter = RateLimiter(interval=self.min_interval / self.time_scale, clock=clock, sleep=sleep)
        else:
            session.rate_limiter.at_least(self.min_interval / self.time_scale)
        self.pacer = session.rate_limiter
        session.throttle_retries = 0  # throttling comes back to _send, which paces its retries

    @property
    def interval(self):
        """The interval between two requests to this node now (seconds)."""
        return self.pacer.interval

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
                self.pacer.answered(served=False, rate_limited=busy.status != 503 or retry_after is not None,
                                    retry_after=retry_after)
                if tries >= self.session.retries:
                    busy.hint = throttled_hint(tries)
                    raise
                tries += 1
                continue
            self.pacer.answered()
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
        self.pacer.at_once()
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
        deadline = self.clock() + timeout / self.time_scale
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
                if self.clock() + self.min_interval / self.time_scale > deadline:
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


def restart_seen(info, sent_at):
    """True when ``info`` shows a restart asked at ``sent_at``: in transition, or started since then."""
    if info['status'] in ('Stopping', 'Starting'):
        return True
    return info['started_at'] is not None and info['started_at'] >= sent_at
