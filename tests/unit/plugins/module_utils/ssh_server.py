# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A small scripted SSH server (paramiko, loopback, in a thread) for unit tests of ``_ssh.CliSession``.

``ScriptedSsh(replies={command: reply})`` serves an interactive shell with echo and an ``admin:`` prompt. A
reply is text (sent with CRLF line ends, then the prompt), ``DROP`` (the connection is closed at once) or a
callable ``reply(shell)`` that writes (``shell.write``), reads (``shell.read_line``, ``shell.read_key``) and may
return ``DROP``. Every authentication attempt, command line and shell is recorded. ``Platform`` scripts the AuthZ
key commands of a CUCM publisher (with faults) for it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import threading
import time

import paramiko

DROP = 'drop'
PROMPT = 'admin:'
BANNER = ('Command Line Interface is starting up, please wait ...\r\n'
          '\x1b[1m   Welcome to the Platform Command Line Interface\x1b[0m\r\n\r\n')


class _Gone(Exception):
    pass


class Shell:
    def __init__(self, chan, received):
        self.chan = chan
        self.received = received
        self.pending = b''

    def write(self, text):
        self.chan.sendall(text.encode('utf-8'))

    def read_key(self):
        while not self.pending:
            data = self.chan.recv(1024)
            if not data:
                raise _Gone()
            self.pending += data
        ch, self.pending = self.pending[:1], self.pending[1:]
        return ch.decode('latin-1')

    def read_line(self, echo=True):
        buf = ''
        while True:
            ch = self.read_key()
            if ch in '\r\n':
                if echo:
                    self.write('\r\n')
                self.received.append(buf)
                return buf
            buf += ch
            if echo:
                self.write(ch)


class _Iface(paramiko.ServerInterface):
    def __init__(self, server):
        self.server = server
        self.user = None
        self.shell = threading.Event()

    def get_allowed_auths(self, username):
        return ','.join(self.server.auth_methods)

    def check_auth_interactive(self, username, submethods):
        if 'keyboard-interactive' not in self.server.auth_methods:
            return paramiko.AUTH_FAILED
        self.user = username
        return paramiko.InteractiveQuery('', '', ('Password: ', False))

    def check_auth_interactive_response(self, responses):
        return self._check('keyboard-interactive', self.user, responses[0] if responses else None)

    def check_auth_password(self, username, password):
        if 'password' not in self.server.auth_methods:
            return paramiko.AUTH_FAILED
        return self._check('password', username, password)

    def _check(self, method, user, password):
        self.server.auth_attempts.append((method, user))
        ok = self.server.users.get(user) == password
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_channel_request(self, kind, chanid):
        return paramiko.OPEN_SUCCEEDED if kind == 'session' else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_pty_request(self, channel, term, width, height, pixelwidth, pixelheight, modes):
        self.server.terms.append(term)
        return True

    def check_channel_shell_request(self, channel):
        self.shell.set()
        return True

    def check_channel_exec_request(self, channel, command):
        self.server.exec_requests += 1
        return False


class ScriptedSsh:
    def __init__(self, replies=None, users=None, auth_methods=('keyboard-interactive',), login_delay=0.0,
                 banner=BANNER, prompt=PROMPT, host_key=None, extra_host_keys=()):
        self.replies = dict(replies or {})
        self.users = dict(users or {'admin': 's3cret!pw'})
        self.auth_methods = tuple(auth_methods)
        self.login_delay = login_delay
        self.banner = banner
        self.prompt = prompt
        self.host_key = host_key or paramiko.ECDSAKey.generate(bits=256)
        self.extra_host_keys = list(extra_host_keys)  # offered too (the client picks the type)
        self.auth_attempts = []
        self.commands = []
        self.received = []  # every line typed into the shell, answers included
        self.terms = []
        self.shells = 0
        self.exec_requests = 0
        self._stop = threading.Event()
        self._sock = socket.socket()
        self._sock.bind(('127.0.0.1', 0))
        self._sock.listen(8)
        self._sock.settimeout(0.05)
        self.port = self._sock.getsockname()[1]
        self._transports = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def known_hosts_line(self, key=None):
        key = key or self.host_key
        return '[127.0.0.1]:%d %s %s\n' % (self.port, key.get_name(), key.get_base64())

    def stop(self):
        self._stop.set()
        self._sock.close()
        for t in self._transports:
            t.close()
        self._thread.join(2)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def _accept(self):
        while not self._stop.is_set():
            try:
                client = self._sock.accept()[0]
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        transport = paramiko.Transport(client)
        self._transports.append(transport)
        for key in [self.host_key] + self.extra_host_keys:
            transport.add_server_key(key)
        iface = _Iface(self)
        try:
            transport.start_server(server=iface)
            chan = transport.accept(10)
            if chan is None or not iface.shell.wait(10):
                return
            self.shells += 1
            shell = Shell(chan, self.received)
            shell.write(self.banner)
            if self.login_delay:
                time.sleep(self.login_delay)
            if self.prompt is None:
                return  # the shell closes before any prompt
            while True:
                shell.write(self.prompt)
                line = shell.read_line()
                if not line.strip():
                    continue
                self.commands.append(line)
                reply = self.replies.get(line, 'Executed command unsuccessfully')
                if callable(reply):
                    reply = reply(shell)
                if reply == DROP:
                    return
                if reply:
                    shell.write(reply.replace('\r\n', '\n').replace('\n', '\r\n') + '\r\n')
        except (_Gone, EOFError, OSError, paramiko.SSHException):
            return
        finally:
            transport.close()


class Platform:
    """Keys a scripted CLI serves; ``regen`` replies (with a fault) as the platform would."""

    def __init__(self, fault=None, role='Publisher', privilege=4, machine='cucm-pub'):
        self.keys = {'signing': 'aa' * 16, 'encryption': 'bb' * 16}
        self.fault = fault  # None | 'drop_after' | 'drop_before' | 'unchanged'
        self.regenerations = []
        self.role = role  # how show network cluster marks this node (the CLI's words)
        self.privilege = privilege
        self.machine = machine

    def myself(self, shell):
        return ('Machine Name    : %s\naccount name    : admin\nprivilege level : %d\n'
                'command count disabled : false' % (self.machine, self.privilege))

    def cluster(self, shell):
        other = 'Subscriber' if self.role == 'Publisher' else 'Publisher'
        return ('10.0.0.1 %s.example.com %s %s callmanager DBPub authenticated\n'
                '10.0.0.2 cucm-other.example.com cucm-other %s callmanager DBSub authenticated using TCP\n\n'
                'Server Table (processnode) Entries\n----------------------------------\n%s.example.com\n'
                'cucm-other.example.com\n' % (self.machine, self.machine, self.role, other, self.machine))

    def show(self, kind):
        return lambda shell: 'Checksum: %s\nLast Regenerated: Never' % self.keys[kind]

    def regen(self, kind):
        def reply(shell):
            if self.fault == 'drop_before':
                self.fault = None
                return DROP
            shell.write('Do you want to continue (yes/no) ? ')
            if shell.read_line() != 'yes':
                return 'cancelled'
            if self.fault != 'unchanged':
                self.keys[kind] = ('%02x' % (len(self.regenerations) + 0xc0)) * 16
            self.regenerations.append(kind)
            if self.fault == 'drop_after':
                self.fault = None
                return DROP
            return 'AuthZ %s key regenerated successfully' % kind
        return reply

    def replies(self):
        out = {'set cli pagination off': 'Automatic pagination is turned off', 'show myself': self.myself,
               'show network cluster': self.cluster}
        for kind in ('signing', 'encryption'):
            out['show key authz %s' % kind] = self.show(kind)
            out['set key regen authz %s' % kind] = self.regen(kind)
        return out
