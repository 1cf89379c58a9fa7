"""Helpers for the ucsim tests: a keep-alive HTTPS client, an SSH shell client, AXL envelopes, XML lookups."""

import base64
import http.client
import json
import os
import socket
import ssl
import urllib.parse
import xml.etree.ElementTree as ET

import paramiko

from ucsim import assumptions as A
from ucsim import client

HERE = os.path.dirname(os.path.abspath(__file__))
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
CRED = ("axladmin", "C1sco12345!")


def start_simulator(lab, state_dir):
    """A quiet in-process simulator for a parsed lab on free ports (``ucsim.client.start(in_process=True)``): its
    ``ucsim.server.Simulator`` (the tests look inside it), with ``cafile`` and ``control`` (the ucsim.client of its
    control API) set; ``stop()`` stops it."""
    started = client.start(lab, in_process=True, state_dir=state_dir, quiet=True)
    s = started.simulator
    s.cafile, s.control = started.ca, started
    return s


class SshShell:
    """A paramiko client of the simulated CLI, host key checked against ``known_hosts``: logs in, types lines,
    reads up to the prompt. ``banner`` is what came before the first prompt."""

    def __init__(self, host, port, known_hosts, user, password, method="keyboard-interactive"):
        keys = paramiko.HostKeys(known_hosts)
        self.transport = paramiko.Transport(socket.create_connection((host, port), timeout=10))
        self.transport.start_client(timeout=10)
        key = self.transport.get_remote_server_key()
        known = keys.lookup("[%s]:%d" % (host, port))
        assert known is not None and known[key.get_name()] == key
        if method == "password":
            self.transport.auth_password(user, password, fallback=False)
        else:
            self.transport.auth_interactive(user, lambda title, instr, prompts: [password for _ in prompts])
        self.chan = self.transport.open_session(timeout=10)
        self.chan.get_pty(term="vt100")
        self.chan.invoke_shell()
        self.chan.settimeout(10)
        self.banner = self.until(A.CLI_PROMPT)

    def until(self, *ends):
        buf = ""
        while not any(buf.endswith(e) for e in ends):
            data = self.chan.recv(65536)
            if not data:
                raise EOFError(buf)
            buf += data.decode()
        return buf

    def type(self, line, until=A.CLI_PROMPT):
        self.chan.sendall((line + "\n").encode())
        return self.until(until)

    def regen(self, kind):
        """``set key regen authz <kind>``, answered yes."""
        self.type("set key regen authz %s" % kind, until=A.CLI_REGEN_CONFIRM)
        return self.type("yes")

    def close(self):
        self.transport.close()


class Client:
    """A keep-alive HTTPS client for one system."""

    def __init__(self, url, cafile):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port
        self.ctx = ssl.create_default_context(cafile=cafile)
        self.conn = None
        self.cookie = None

    def request(self, method, path, body=None, headers=None, auth=None, keep_cookie=False):
        hdrs = dict(headers or {})
        if auth:
            hdrs["Authorization"] = "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode()
        if keep_cookie and self.cookie:
            hdrs["Cookie"] = self.cookie
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            hdrs.setdefault("Content-Type", "application/json")
        if isinstance(body, str):
            body = body.encode("utf-8")
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=10)
            try:
                self.conn.request(method, path, body=body, headers=hdrs)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        sc = resp.getheader("Set-Cookie")
        if sc:
            self.cookie = sc.split(";")[0]
        if resp.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return resp.status, resp, data

    def json(self, method, path, body=None):
        status, _, data = self.request(method, path, body)
        return status, json.loads(data)

    def axl(self, op, inner="", version="14.0", ns_version=None, auth=CRED, action=True, raw=None, **kw):
        ns = "http://www.cisco.com/AXL/API/%s" % (ns_version or version)
        body = raw if raw is not None else (
            '<soapenv:Envelope xmlns:soapenv="%s" xmlns:ns="%s"><soapenv:Body><ns:%s>%s</ns:%s>'
            '</soapenv:Body></soapenv:Envelope>' % (SOAP, ns, op, inner, op))
        headers = {"Content-Type": "text/xml"}
        if action is True:
            headers["SOAPAction"] = '"CUCM:DB ver=%s %s"' % (version, op)
        elif action:
            headers["SOAPAction"] = action
        status, resp, data = self.request("POST", "/axl/", body, headers, auth=auth, **kw)
        root = None
        if data.startswith(b"<?xml") or data.startswith(b"<soapenv"):
            root = ET.fromstring(data)
        return status, resp, root

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None


def clients(url_of, cafile):
    """A generator for fixtures: yields ``make(name)`` (a Client for ``url_of(name)``), closes them after."""
    made = []

    def make(name):
        cl = Client(url_of(name), cafile)
        made.append(cl)
        return cl

    yield make
    for cl in made:
        cl.close()


def sp(name, value=None, node="EnterpriseWideData", service="Enterprise Wide"):
    v = "" if value is None else "<value>%s</value>" % value
    return "<processNodeName>%s</processNodeName><name>%s</name><service>%s</service>%s" % (node, name, service, v)


def find(root, path):
    """Text of the first element whose local-name path matches (namespace-agnostic)."""
    parts = path.split("/")

    def walk(el, i):
        if i == len(parts):
            return el
        for c in el:
            if c.tag.rsplit("}", 1)[-1] == parts[i]:
                r = walk(c, i + 1)
                if r is not None:
                    return r
        return None

    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] == parts[0]:
            r = walk(el, 1)
            if r is not None:
                return r
    return None


def rows(root):
    ret = find(root, "return")
    return [{c.tag: (c.text or "") for c in row} for row in ret] if ret is not None else []


def axlerr(root):
    """(axlcode, axlmessage) of an AXL fault."""
    return (int(find(root, "Fault/detail/axlError/axlcode").text), find(root, "Fault/detail/axlError/axlmessage").text)
