# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP layer of collab.uc.

Internal module: the leading underscore means its API may change without notice.

It speaks HTTPS with the standard library only (``http.client`` and ``ssl``), so modules need no extra
Python package and import fast. One ``HttpSession`` holds one keep-alive connection, the session cookies
CUCM and Unity Connection hand out (JSESSIONIDSSO, JSESSIONID), and the retry policy:

* HTTP 503, dropped connections and whatever the caller's ``retry_if`` says are retried with exponential
  backoff and jitter, at most ``retries`` times; except that a request that is not idempotent (``idempotent``,
  by default by method) is never sent again once it went out and its answer was lost (``OutcomeUnknown``);
* HTTP 401 and 403 are never retried (CUCM locks accounts after repeated failed logins). The one exception
  is a 401 answered to a request that carried only a session cookie: the session expired, so the request is
  sent again, once, with Basic auth;
* sessions of one run to one host may share one ``Credentials``: the session cookie, and what was learnt about
  the password. Only one of them sends Basic auth at a time; once a login was refused, none sends another, and
  an expired session cookie costs one new login for all of them, not one each;
* a name that does not resolve and a refused connection are retried at most once, with their own message;
* ``COLLAB_UC_TIME_SCALE`` (``time_scale``): only for a lab of the simulator ucsim whose clock runs N times faster,
  the waits made on the system's account are divided by N: a session's backoff and Retry-After sleeps here, and
  Serviceability's pacing, polls and wait timeout (``_cucm_serviceability``). What time it is never changes: start
  times and cut-offs are compared on the wall clock.

Every failure is raised as ``UCError`` (from ``_errors``), which says which host, which operation, what the server answered
and what to do.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import os
import random
import socket
import ssl
import threading
import time

try:
    import http.client as http_client
    from urllib.parse import urlencode, quote
except ImportError:  # pragma: no cover - Python 2 is not supported by this collection
    http_client = None
    urlencode = quote = None

from ansible_collections.collab.uc.plugins.module_utils.transport import _capture
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import OutcomeUnknown, UCError, Unavailable


SESSION_COOKIES = ('JSESSIONIDSSO', 'JSESSIONID')
# RateLimiter.answered: the interval grows to at most this many times its floor.
INTERVAL_CEILING = 16
# Methods whose repetition does no more than the first request (RFC 9110, section 9.2.2).
IDEMPOTENT_METHODS = ('GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE')
# A lab of the simulator ucsim whose clock runs N times faster (its sim.time_scale; ucsim serve --time-scale N)
# sets this to N for the collection; never set for real systems (their rate limits are real seconds).
TIME_SCALE_ENV = 'COLLAB_UC_TIME_SCALE'
TIME_SCALE_MAX = 1000


class Response:
    """What the server answered: status, reason, headers (lower-case names) and the raw body."""

    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode('utf-8', 'replace')

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)


class _Dropped(Exception):
    """The connection dropped before a full response arrived; ``sent`` says whether the request had gone out."""

    def __init__(self, reason, sent):
        super(_Dropped, self).__init__(reason)
        self.reason = reason
        self.sent = sent


def throttled_hint(retries):
    """What to do about a server that still throttled (503) after ``retries`` retries."""
    return 'The server is throttling; gave up after %d retries. Run again later, or raise retries' % retries


def backoff_delay(attempt, base=0.5, cap=8.0, rng=random.random):
    """Seconds to wait before retry number ``attempt`` (0-based): exponential, capped, with equal jitter."""
    ceiling = min(cap, base * (2 ** attempt))
    return ceiling / 2.0 + rng() * ceiling / 2.0


def time_scale(environ=None):
    """How many times faster than real time the systems' clock runs: ``COLLAB_UC_TIME_SCALE`` (a number from 1 to
    1000), else 1. A wait the system imposes (a session's backoff and Retry-After, Serviceability's pacing, polls and
    wait timeout) lasts that many times less; instants are never scaled (the simulator keeps them on the wall clock,
    the controller's clock). ``UCError`` for any other value: a typo must not make a run hammer a system."""
    text = (os.environ if environ is None else environ).get(TIME_SCALE_ENV, '').strip()
    if not text:
        return 1.0
    try:
        scale = float(text)
    except ValueError:
        scale = None
    if scale is None or not 1 <= scale <= TIME_SCALE_MAX:  # NaN is out of range too
        raise UCError('%s must be a number from 1 to %d, got %r' % (TIME_SCALE_ENV, TIME_SCALE_MAX, text),
                      operation='read the environment',
                      hint='Leave it unset for real systems; for a simulator lab, set it to the lab\'s time scale')
    return scale


# OpenSSL's verify codes (x509_vfy.h): X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH; and
# X509_V_ERR_CERT_NOT_YET_VALID, X509_V_ERR_CERT_HAS_EXPIRED
_NAME_MISMATCH = (62, 64)
_EXPIRED = (9, 10)


# The TLS contexts made in this process, by (validate_certs, ca_path): loading the system's CA store takes tens of
# milliseconds of CPU (27 ms here), and a run-once reading pass opens a session per system. A context holds only
# settings and trusted CAs, and Python's ssl shares one safely between threads and connections.
_CONTEXTS = {}
_CONTEXTS_LOCK = threading.Lock()


def ssl_context(validate_certs=True, ca_path=None):
    """The TLS context for ``validate_certs`` and ``ca_path`` (a PEM file or a directory of hashed certs), made
    once per process for each pair."""
    key = (bool(validate_certs), ca_path or None)
    with _CONTEXTS_LOCK:
        context = _CONTEXTS.get(key)
        if context is None:
            context = _CONTEXTS[key] = _new_ssl_context(validate_certs, ca_path)
    return context


def _new_ssl_context(validate_certs, ca_path):
    if not validate_certs:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if ca_path:
        if os.path.isdir(ca_path):
            return ssl.create_default_context(capath=ca_path)
        return ssl.create_default_context(cafile=ca_path)
    return ssl.create_default_context()


class Credentials:
    """The credentials and session cookies of one account on one host, shared by the sessions of one run.

    Sessions (one per thread) that share it send Basic auth one at a time (``login_lock``) while no session
    cookie is known, so that a wrong password costs one failed login; ``refused`` then holds that error and no
    session sends the credentials again. A 401 to a cookie (the session expired) clears the cookies once per
    ``generation``: the first session to see it logs in again, the others use its new cookie. A server that
    hands out no session cookie (``cookieless``) is sent Basic auth on every request, without waiting.
    """

    def __init__(self, username, password):
        self.authorization = 'Basic ' + base64.b64encode(
            ('%s:%s' % (username, password)).encode('utf-8')).decode('ascii')
        self.cookies = {}
        self.generation = 0
        self.refused = None
        self.cookieless = False
        self.lock = threading.Lock()
        self.login_lock = threading.Lock()

    def snapshot(self):
        with self.lock:
            return dict(self.cookies), self.generation

    def keep(self, raw_headers):
        with self.lock:
            for value in raw_headers.get_all('Set-Cookie') or []:
                pair = value.split(';', 1)[0]
                if '=' not in pair:
                    continue
                name, cookie = pair.split('=', 1)
                name = name.strip()
                if name in SESSION_COOKIES:
                    if cookie:
                        self.cookies[name] = cookie.strip()
                    else:
                        self.cookies.pop(name, None)

    def expire(self, generation):
        """The cookies sent with ``generation`` were refused: forget them, unless another session already did."""
        with self.lock:
            if self.generation == generation:
                self.cookies.clear()
                self.generation += 1

    def clear(self):
        with self.lock:
            self.cookies.clear()
            self.generation += 1


def _connect_problem(exc):
    """``(kind, words)`` for a failure that happened before the request left, else None."""
    if isinstance(exc, socket.gaierror):
        return 'dns', 'the host name does not resolve (%s)' % (exc.strerror or exc)
    if isinstance(exc, ConnectionRefusedError):
        return 'refused', 'the connection was refused (nothing listens on that port)'
    return None


class HttpSession:
    """One keep-alive HTTPS connection to one host, with Basic auth, session cookies and retries.

    Not thread-safe: use one session per thread.
    """

    def __init__(self, host, port, username, password, validate_certs=True, ca_path=None, timeout=30,
                 retries=5, product=None, backoff_base=0.5, backoff_cap=8.0, sleep=time.sleep,
                 auth_hints=None, rate_limiter=None, credentials=None, timeout_option='timeout'):
        if http_client is None:  # pragma: no cover
            raise UCError('Python 3 is required', host=host)
        self.host = host
        self.port = int(port)
        self.timeout = timeout
        self.retries = int(retries)
        self.product = product
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        # Retries of a throttling answer (503, retry_if) inside request(); None: ``retries``. A caller with a
        # delayed queue of its own sets 0 and gets ``Unavailable`` (with ``retry_after``) at once.
        self.throttle_retries = None
        self.sleep = sleep
        self.time_scale = time_scale()  # waits on the server's account last 1/time_scale (a fast simulator lab)
        self.rate_limiter = rate_limiter
        self.auth_hints = dict(auth_hints or {})
        self.credentials = credentials if credentials is not None else Credentials(username, password)
        self.timeout_option = timeout_option
        self._context = None
        self._validate_certs = validate_certs
        self._ca_path = ca_path
        self._conn = None
        # How often Basic auth went out (once per session when the server hands out a session cookie).
        self.basic_auth_sent = 0

    @property
    def _authorization(self):
        return self.credentials.authorization

    @property
    def cookies(self):
        """The session cookies (shared with the other sessions of the same ``Credentials``)."""
        return self.credentials.cookies

    @property
    def endpoint(self):
        return '%s:%s' % (self.host, self.port)

    def close(self):
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _connection(self):
        if self._conn is None:
            if self._context is None:
                try:
                    self._context = ssl_context(self._validate_certs, self._ca_path)
                except (IOError, OSError, ssl.SSLError) as exc:
                    raise UCError('cannot load the CA certificates from ca_path %r: %s' % (self._ca_path, exc),
                                  host=self.endpoint, operation='connect', product=self.product,
                                  hint='Set ca_path to a readable PEM file or directory of CA certificates')
            self._conn = http_client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                                     context=self._context)
        return self._conn

    def _headers(self, extra, cookies):
        headers = {'Accept-Encoding': 'identity', 'Connection': 'keep-alive'}
        if extra:
            headers.update(extra)
        if cookies:
            headers['Cookie'] = '; '.join('%s=%s' % item for item in sorted(cookies.items()))
        else:
            headers['Authorization'] = self._authorization
        return headers

    def _verify_error(self, exc):
        """The UCError of a certificate the TLS handshake refused, told apart by OpenSSL's verify code: a name the
        certificate does not hold, an expired certificate, or a CA that is not trusted."""
        words = getattr(exc, 'verify_message', None) or str(exc)
        code = getattr(exc, 'verify_code', None)
        where = dict(host=self.endpoint, operation='connect', product=self.product)
        if code in _NAME_MISMATCH or 'hostname mismatch' in words.lower() or 'ip address mismatch' in words.lower():
            # OpenSSL checks the name once the chain is built up to a trusted CA: the CA is not the problem
            return UCError('TLS certificate does not name this host: %s; the certificate was issued by a trusted CA '
                           '(%s), but not for the name or address %s' % (
                               words, 'from ca_path %s' % self._ca_path if self._ca_path else "the system's CA store",
                               self.host), hint='Set host to a name the server\'s certificate holds (its subject '
                                                'alternative names; for CUCM usually the node\'s fully qualified '
                                                'domain name), or have the certificate reissued with this name; '
                                                'ca_path needs no change', **where)
        if code in _EXPIRED or 'certificate has expired' in words.lower():
            return UCError('TLS certificate not valid now: %s' % words,
                           hint='Renew the server\'s certificate (for CUCM the tomcat certificate), or correct the '
                                'clock of the host running the module if it is wrong', **where)
        if self._ca_path:
            return UCError('TLS certificate not trusted: %s; it was not issued by a CA in ca_path %s' % (
                words, self._ca_path),
                hint='ca_path is set but holds another CA: set it to the CA that signed this server\'s '
                     'certificate (for CUCM the tomcat certificate\'s issuer, or the certificate itself if it is '
                     'self-signed)', **where)
        return UCError('TLS certificate not trusted: %s; no ca_path is set, so only the system\'s CA store was '
                       'asked' % words,
                       hint='Set ca_path to the CA that signed the server certificate '
                            '(or validate_certs=false in a lab only)', **where)

    def _send_once(self, method, url, body, headers):
        conn = self._connection()
        sent_basic = 'Authorization' in headers
        sent = False
        try:
            if conn.sock is None:
                # Connecting apart from sending: a request that never went out is always safe to send again.
                conn.connect()
            sent = True
            conn.request(method, url, body=body, headers=headers)
            raw = conn.getresponse()
            data = raw.read()
        except ssl.SSLCertVerificationError as exc:
            self.close()
            raise self._verify_error(exc)
        except (http_client.HTTPException, socket.error, ssl.SSLError) as exc:
            # socket.timeout, ConnectionResetError, RemoteDisconnected, BrokenPipeError...
            self.close()
            raise _Dropped(exc, sent)
        if sent_basic:
            self.basic_auth_sent += 1
        headers_out = dict((k.lower(), v) for k, v in raw.getheaders())
        self.credentials.keep(raw.msg)
        if headers_out.get('connection', '').lower() == 'close':
            self.close()
        return Response(raw.status, raw.reason, headers_out, data), sent_basic

    def request(self, method, path, operation, body=None, headers=None, query=None, retry_if=None,
                describe_error=None, idempotent=None):
        """Send one request and return the ``Response`` (any status but 401/403, which raise).

        ``operation`` names what is being done, for messages. ``retry_if(response)`` returns True for answers
        that mean "try again later" besides 503 (the AXL memory fault). ``describe_error(response)`` returns
        the product's error details as ``[(label, value)]`` for messages.

        ``idempotent`` says whether sending the request twice does no more than sending it once; by default it
        follows the method (POST is not). A request that is not idempotent is sent again after a refused
        connection, a 503 or ``retry_if`` (the server did not carry it out), but never after its answer was
        lost: that raises ``OutcomeUnknown``, and the caller reads the state to learn what happened.
        """
        if idempotent is None:
            idempotent = method.upper() in IDEMPOTENT_METHODS
        url = path
        if query:
            url = '%s?%s' % (path, urlencode(query, quote_via=quote))
        if isinstance(body, str):
            body = body.encode('utf-8')
        captured = _capture.http_start(self, method, url, body, headers, operation)  # None unless capturing
        attempt = 0
        expired = 0
        connect_failures = 0
        credentials = self.credentials
        while True:
            if self.rate_limiter is not None:
                self.rate_limiter()
            if credentials.refused is not None:
                raise self._refused(operation, credentials.refused)
            cookies, generation = credentials.snapshot()
            login = None
            if not cookies and not credentials.cookieless:
                # Only one session at a time sends the credentials: the others wait for its cookie (or its 401).
                login = credentials.login_lock
                login.acquire()
                cookies, generation = credentials.snapshot()
                if cookies or credentials.refused is not None:
                    login.release()
                    login = None
                    continue
            try:
                try:
                    response, sent_basic = self._send_once(method, url, body, self._headers(headers, cookies))
                except _Dropped as exc:
                    problem = _connect_problem(exc.reason)
                    if problem is not None:
                        # A name that does not resolve or a port that refuses: once more at most, then say so.
                        if connect_failures >= 1 or attempt >= self.retries:
                            raise self._unreachable(operation, problem)
                        connect_failures += 1
                        self._wait(attempt, None)
                        attempt += 1
                        continue
                    if exc.sent and not idempotent:
                        raise OutcomeUnknown(
                            'the connection dropped after the request was sent, so whether it was carried out is '
                            'unknown: %s' % (self._reason(exc.reason),), host=self.endpoint, operation=operation,
                            product=self.product,
                            hint='It was not sent again, because that could do it twice; check the state on the '
                                 'server and run again')
                    if attempt >= self.retries:
                        raise Unavailable('connection failed or dropped: %s' % (self._reason(exc.reason),),
                                          host=self.endpoint, operation=operation, product=self.product,
                                          hint=self._dropped_hint(exc.reason))
                    self._wait(attempt, None)
                    attempt += 1
                    continue
                if response.status == 401 and sent_basic:
                    error = UCError('authentication failed (not retried, to avoid locking the account)',
                                    host=self.endpoint, operation=operation, status=401, product=self.product,
                                    details=describe_error(response) if describe_error else None,
                                    hint=self.auth_hints.get(401, 'Check username and password'))
                    credentials.refused = error
                    raise error
                if sent_basic and not credentials.cookies and response.status < 400:
                    credentials.cookieless = True  # no session cookie: Basic on every request, no waiting
            finally:
                if login is not None:
                    login.release()

            if response.status == 401:
                # The session cookie expired: log in again (one session does it for all that share it).
                if expired >= 2:
                    raise UCError('authentication failed: the session cookie was refused again after a new login',
                                  host=self.endpoint, operation=operation, status=401, product=self.product,
                                  details=describe_error(response) if describe_error else None,
                                  hint=self.auth_hints.get(401, 'Check username and password'))
                credentials.expire(generation)
                expired += 1
                continue
            if response.status == 403:
                raise UCError('access denied', host=self.endpoint, operation=operation, status=403,
                              product=self.product,
                              details=describe_error(response) if describe_error else None,
                              hint=self.auth_hints.get(403, 'Give the user the role this operation needs'))
            if response.status == 503 or (retry_if is not None and retry_if(response)):
                retries = self.retries if self.throttle_retries is None else self.throttle_retries
                if attempt >= retries:
                    busy = Unavailable('server busy' if response.status == 503 else 'server busy (throttled)',
                                       host=self.endpoint, operation=operation, status=response.status,
                                       product=self.product,
                                       details=describe_error(response) if describe_error else None,
                                       hint=throttled_hint(retries))
                    busy.retry_after = response.header('retry-after')  # for a caller that retries it later
                    raise busy
                self._wait(attempt, response.header('retry-after'))
                attempt += 1
                continue
            if captured is not None:
                captured(response)
            return response

    def _refused(self, operation, error):
        """The error of a login another session of the same credentials had refused (nothing was sent)."""
        return UCError('authentication failed earlier in this run with the same credentials, so they were not '
                       'sent again (to avoid locking the account)', host=self.endpoint, operation=operation,
                       status=401, product=self.product, hint=error.hint)

    def _reason(self, reason):
        if isinstance(reason, socket.timeout) or 'timed out' in str(reason):
            return 'no answer within %s seconds (the %s option)' % (self.timeout, self.timeout_option)
        return reason

    def _dropped_hint(self, reason):
        if isinstance(reason, socket.timeout) or 'timed out' in str(reason):
            return ('gave up after %d retries. If the server is only slow, raise %s (now %s); else check that it '
                    'is up' % (self.retries, self.timeout_option, self.timeout))
        return 'Check that the host and port are right and reachable; gave up after %d retries' % self.retries

    def _unreachable(self, operation, problem):
        kind, words = problem
        if kind == 'dns':
            hint = 'Check the spelling of the host name, or give its IP address; check the DNS of this machine'
        else:
            hint = 'Check the port (the default is the product\'s HTTPS port) and that the service is running'
        cls = UCError if kind == 'dns' else Unavailable  # a refused port may be a server that is restarting
        return cls(words, host=self.endpoint, operation=operation, product=self.product, hint=hint)

    def _wait(self, attempt, retry_after):
        delay = backoff_delay(attempt, self.backoff_base, self.backoff_cap)
        if retry_after:
            try:
                delay = max(delay, min(float(retry_after), self.backoff_cap * 4))
            except ValueError:
                pass
        self.sleep(delay / self.time_scale)


class RateLimiter:
    """At most ``per_second`` calls a second (or one every ``interval`` seconds), shared by every thread that calls
    it: the one rate limiter of the HTTP layer (``HttpSession.rate_limiter`` calls it before every attempt).

    ``at_once()`` lets the next call go out without waiting its turn (the calls after it wait theirs from then on):
    a request that must follow another at once, as a Serviceability control follows the status read it was decided
    on. ``at_least(interval)`` slows it down to one call every ``interval`` seconds at most (a product's own rate):
    that interval is its floor.

    ``answered()`` adapts the interval to the answers (Serviceability, one request at a time to a node): a rate limit
    (the server's rate fault, or a ``Retry-After``) doubles it, up to ``INTERVAL_CEILING`` times the floor; each
    answer served shortens it by a quarter of the floor, down to the floor (the rate falls multiplicatively and grows
    back additively); a bare 503 leaves it as it is; a ``Retry-After`` holds the next call until it has passed
    (``at_once`` included). A limiter never told of an answer keeps its interval.
    """

    def __init__(self, per_second=None, clock=time.monotonic, sleep=time.sleep, interval=None):
        self.interval = float(interval) if interval is not None else 1.0 / float(per_second)
        self.floor = self.interval
        self.clock = clock
        self.sleep = sleep
        self.rate_limits = 0
        self._lock = threading.Lock()
        self._last = None  # when the last call started
        self._hold = None  # no call before this (a Retry-After)
        self._at_once = False

    @property
    def ceiling(self):
        """The longest interval ``answered`` lengthens it to."""
        return self.floor * INTERVAL_CEILING

    def at_once(self):
        """The next call goes out at once; the one after it waits ``interval`` from then."""
        with self._lock:
            self._at_once = True

    def at_least(self, interval):
        """From now on, calls are at least ``interval`` seconds apart (a longer interval is kept)."""
        with self._lock:
            self.floor = max(self.floor, float(interval))
            self.interval = max(self.interval, self.floor)

    def answered(self, served=True, rate_limited=False, retry_after=None):
        """The answer of the last call: ``served``, or refused - for the rate (``rate_limited``: the server's rate
        fault, or a ``Retry-After``) or otherwise (a bare 503: the interval stays). ``retry_after``: seconds."""
        with self._lock:
            now = self.clock()
            if rate_limited:
                self.rate_limits += 1
                self.interval = min(self.ceiling, self.interval * 2.0)
            elif served:
                self.interval = max(self.floor, self.interval - self.floor / 4.0)
            if retry_after is not None:
                self._hold = max(self._hold or now, now + retry_after)

    def __call__(self):
        with self._lock:
            now = self.clock()
            start = now
            if self._last is not None and not self._at_once:
                start = max(start, self._last + self.interval)
            if self._hold is not None:
                start = max(start, self._hold)
            self._at_once = False
            self._last = start
        if start > now:
            self.sleep(start - now)
