# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Locks on the controller that keep two runs from working on the same thing at once.

Internal module: the leading underscore means its API may change without notice.

* ``RunLock`` / ``acquire_locks``: an exclusive ``flock`` on ``<path>.lock`` held by one process for as long as it
  runs (collab.uc.cucm_refresh_tokens holds its journal, report and lock path with it). The kernel releases it when
  the process dies.
* ``take_run_lock`` / ``release_run_lock``: a lock that outlives the process that takes it, for a run made of many
  tasks (a role): the file ``<path>.lock`` names the run's process (the ``ansible-playbook`` process), its host
  and start time; a ``RunLock`` on the same file guards the few moments it is read or written. A lock whose
  process is gone (killed, even with ``kill -9``) is stale and taken over, as a dead process' ``RunLock`` is.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import json
import os
import socket
import tempfile
import time
from datetime import datetime, timezone

try:
    import fcntl
except ImportError:  # pragma: no cover - the controller is POSIX; without fcntl there is no lock
    fcntl = None


class LockError(Exception):
    """The lock cannot be had: held by another run, or its file cannot be used."""


def utc_iso(epoch):
    """``epoch`` (seconds) as UTC ISO 8601 with a ``Z``: ``2026-05-12T07:00:53Z``."""
    return datetime.fromtimestamp(int(epoch), timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


class RunLock:
    """An exclusive lock on ``<path>.lock`` held for a run, naming the holder's PID and start time inside.

    ``acquire(timeout)`` waits up to ``timeout`` seconds (0: not at all) and raises ``error`` (``LockError`` or the
    subclass the caller gives) naming the other run. ``release()`` removes the file; a run that locked a file
    removed meanwhile opens the new one (so no two runs ever hold the lock). The kernel releases the lock when the
    process dies, so a run killed with ``kill -9`` leaves at most an unlocked file, which the next run takes.
    """

    # what the busy message says was not done, and which option waits
    not_done = 'nothing was sent to CUCM'
    timeout_option = 'lock_timeout'

    def __init__(self, option, path, clock=time.time, sleep=time.sleep, error=LockError):
        self.option = option
        self.error = error
        self.path = path + '.lock'
        self.clock = clock
        self.sleep = sleep
        self._fd = None

    def _holder(self):
        try:
            with open(self.path, 'r', encoding='utf-8') as handle:
                data = json.loads(handle.read() or '{}')
            return 'PID %s, started %s' % (data.get('pid', '?'), data.get('started', '?'))
        except (IOError, OSError, ValueError):
            return 'PID unknown'

    def acquire(self, timeout=0):
        if fcntl is None:  # pragma: no cover
            return self
        deadline = self.clock() + (timeout or 0)
        while True:
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except (IOError, OSError) as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    os.close(fd)
                    raise self.error('cannot lock %s: %s' % (self.path, exc.strerror or exc))
                if self.clock() >= deadline:
                    holder = self._holder()
                    os.close(fd)
                    raise self.error(
                        '%s %s is in use by another run (%s); %s. Wait for that run to end, '
                        'or set %s to wait for it%s' % (
                            self.option, self.path[:-len('.lock')], holder, self.not_done, self.timeout_option,
                            ' longer than %s seconds' % timeout if timeout else ''))
                os.close(fd)
                self.sleep(min(0.5, max(0.05, deadline - self.clock())))
                continue
            if self._same_file(fd):
                break
            os.close(fd)  # the run before removed the file as we opened it: take the new one
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({'pid': os.getpid(), 'started': utc_iso(self.clock())}).encode('utf-8') + b'\n')
        self._fd = fd
        return self

    def _open(self):
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, 'O_CLOEXEC', 0), 0o600)
        except (IOError, OSError) as exc:
            raise self.error('cannot create the lock file %s for %s: %s' % (self.path, self.option,
                                                                            exc.strerror or exc))

    def _same_file(self, fd):
        try:
            path_stat = os.stat(self.path)
        except OSError:
            return False
        fd_stat = os.fstat(fd)
        return (path_stat.st_dev, path_stat.st_ino) == (fd_stat.st_dev, fd_stat.st_ino)

    def release(self):
        """Remove the lock file, then unlock: a run waiting on the old file sees it gone and opens a new one."""
        if self._fd is not None:
            try:
                if self._same_file(self._fd):
                    os.unlink(self.path)
            except OSError:
                pass
            try:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            finally:
                os.close(self._fd)
                self._fd = None


def acquire_locks(paths, timeout=0, error=LockError):
    """Lock ``[(option, path)]`` (sorted, so that two runs never wait on each other); returns the locks. A lock that
    cannot be had raises ``error``."""
    locks = []
    try:
        for option, path in sorted(set((o, p) for o, p in paths if p), key=lambda item: item[1]):
            locks.append(RunLock(option, path, error=error).acquire(timeout))
    except BaseException:
        release_locks(locks)
        raise
    return locks


def release_locks(locks):
    for lock in reversed(locks):
        lock.release()


# -- a lock held across the tasks of a run ---------------------------------------------------------------------
def process_start(pid):
    """The start of process ``pid`` in clock ticks since boot (``/proc``), or None where it cannot be read; it
    tells a live holder from a new process that was given the PID of a dead one."""
    try:
        with open('/proc/%d/stat' % int(pid), 'r') as handle:
            return int(handle.read().rsplit(')', 1)[1].split()[19])
    except (IOError, OSError, ValueError, IndexError):
        return None


def pid_alive(pid, start=None):
    """Whether process ``pid`` (of this host) still runs, and is the one that started at ``start`` if given."""
    try:
        pid = int(pid)
    except (TypeError, ValueError):
        return False
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except OSError as exc:
        if exc.errno == errno.ESRCH:
            return False
        if exc.errno != errno.EPERM:  # EPERM: it runs, as another user
            return False
    if start is not None:
        now = process_start(pid)
        if now is not None and now != start:
            return False
    return True


class _GuardLock(RunLock):
    not_done = 'try again'


def read_holder(path):
    try:
        with open(path, 'r', encoding='utf-8') as handle:
            data = json.loads(handle.read())
    except (IOError, OSError) as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise LockError('cannot read the lock file %s: %s' % (path, exc.strerror or exc))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def describe_holder(holder):
    return 'PID %s on %s, started %s' % (holder.get('pid', '?'), holder.get('host', '?'), holder.get('started', '?'))


def take_run_lock(path, what, pid=None, host=None, timeout=0, clock=time.time, sleep=time.sleep, error=LockError,
                  details=None):
    """Take the lock ``<path>.lock`` for the run of process ``pid`` (default: this one) on ``host`` (default: this
    host), waiting up to ``timeout`` seconds for another run to release it. Returns ``(holder, note)``: what the
    lock file says now, and a sentence when a stale lock (its process gone) was taken over, else None. A lock
    already held by the same process is kept (taking it twice is harmless). Raises ``error`` naming the other run.
    ``what`` names what is locked, for the messages."""
    pid = os.getpid() if pid is None else int(pid)
    host = host or socket.gethostname()
    lock_path = path + '.lock'
    deadline = clock() + (timeout or 0)
    while True:
        guard = _GuardLock('the lock file', lock_path, error=error)
        guard.acquire(10)
        try:
            holder = read_holder(lock_path)
            note = None
            if holder and holder.get('pid') == pid and holder.get('host') == host:
                return holder, None
            if holder and holder.get('host') == host and not pid_alive(holder.get('pid'), holder.get('pid_start')):
                note = ('took over the lock %s of a run that is gone (%s)' % (lock_path, describe_holder(holder)))
                holder = None
            elif holder == {}:
                note = 'took over the lock %s, which named no run' % lock_path
                holder = None
            if holder is None:
                mine = {'pid': pid, 'pid_start': process_start(pid), 'host': host, 'started': utc_iso(clock()),
                        'started_epoch': clock()}
                mine.update(details or {})
                _write_atomically(lock_path, json.dumps(mine, sort_keys=True) + '\n', error)
                return mine, note
        finally:
            guard.release()
        if clock() >= deadline:
            raise error('%s is locked by another run (%s; lock file %s). Nothing was changed. Wait for that run to '
                        'end%s; if that run is gone from %s, remove the lock file.' % (
                            what, describe_holder(holder), lock_path,
                            ' (waited %s seconds)' % timeout if timeout else ', or give a lock timeout to wait for it',
                            holder.get('host', '?')))
        sleep(min(1.0, max(0.05, deadline - clock())))


def release_run_lock(path, pid=None, host=None, error=LockError):
    """Remove ``<path>.lock`` if the run of ``pid`` on ``host`` holds it; True if it did."""
    pid = os.getpid() if pid is None else int(pid)
    host = host or socket.gethostname()
    lock_path = path + '.lock'
    guard = _GuardLock('the lock file', lock_path, error=error)
    guard.acquire(10)
    try:
        holder = read_holder(lock_path)
        if holder and holder.get('pid') == pid and holder.get('host') == host:
            os.unlink(lock_path)
            return True
        return False
    finally:
        guard.release()


def _write_atomically(path, text, error):
    directory = os.path.dirname(path) or '.'
    try:
        fd, tmp = tempfile.mkstemp(prefix='.', suffix='.tmp', dir=directory)
    except (IOError, OSError) as exc:
        raise error('cannot write the lock file %s: %s' % (path, exc.strerror or exc))
    try:
        with os.fdopen(fd, 'w') as handle:
            handle.write(text)
        os.chmod(tmp, 0o600)
        os.rename(tmp, path)
    except (IOError, OSError) as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise error('cannot write the lock file %s: %s' % (path, exc.strerror or exc))
