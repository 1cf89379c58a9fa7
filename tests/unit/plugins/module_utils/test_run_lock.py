# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The lock a run holds across its tasks (take_run_lock / release_run_lock): another run is named and refused or
waits; the lock of a process that is gone is taken over; only the holder releases it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.collab.uc.plugins.module_utils.domain import _run_lock as rl


def dead_pid():
    proc = subprocess.Popen([sys.executable, '-c', 'pass'])
    proc.wait()
    return proc.pid


def live_child():
    return subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])


def test_take_writes_the_holder_and_release_removes_it(tmp_path):
    path = str(tmp_path / 'c.state.json')
    holder, note = rl.take_run_lock(path, 'the state of c', pid=os.getpid(), host='ctl')
    assert note is None and holder['pid'] == os.getpid() and holder['host'] == 'ctl' and holder['started']
    on_disk = json.loads((tmp_path / 'c.state.json.lock').read_text())
    assert on_disk['pid'] == os.getpid() and on_disk['host'] == 'ctl'
    assert sorted(os.listdir(str(tmp_path))) == ['c.state.json.lock']   # the guard is gone
    # the same run taking it again keeps it
    assert rl.take_run_lock(path, 'the state of c', pid=os.getpid(), host='ctl')[0]['started'] == holder['started']
    assert rl.release_run_lock(path, pid=os.getpid(), host='ctl') is True
    assert os.listdir(str(tmp_path)) == []
    assert rl.release_run_lock(path, pid=os.getpid(), host='ctl') is False


def test_another_live_run_is_named_and_refused_or_waited_for(tmp_path):
    path = str(tmp_path / 'c.state.json')
    other = live_child()
    try:
        rl.take_run_lock(path, 'the state of c', pid=other.pid, host='ctl')
        with pytest.raises(rl.LockError) as info:
            rl.take_run_lock(path, 'the state of c', pid=os.getpid(), host='ctl')
        text = str(info.value)
        assert 'the state of c is locked by another run (PID %d on ctl, started ' % other.pid in text, text
        assert 'Nothing was changed' in text and 'lock timeout' in text
        sleeps = []
        clock = iter(range(100)).__next__
        with pytest.raises(rl.LockError, match=r'waited 3 seconds'):
            rl.take_run_lock(path, 'x', pid=os.getpid(), host='ctl', timeout=3, clock=clock, sleep=sleeps.append)
        assert sleeps
        # not the holder: release leaves it alone
        assert rl.release_run_lock(path, pid=os.getpid(), host='ctl') is False
        assert json.loads((tmp_path / 'c.state.json.lock').read_text())['pid'] == other.pid
    finally:
        other.kill()
        other.wait()
    # its process is gone now: the lock is stale and taken over
    holder, note = rl.take_run_lock(path, 'the state of c', pid=os.getpid(), host='ctl')
    assert holder['pid'] == os.getpid()
    assert 'took over' in note and 'PID %d' % other.pid in note


def test_a_wait_ends_when_the_other_run_releases(tmp_path):
    path = str(tmp_path / 'c.state.json')
    other = live_child()
    try:
        rl.take_run_lock(path, 'x', pid=other.pid, host='ctl')
        calls = []

        def sleep(seconds):
            calls.append(seconds)
            rl.release_run_lock(path, pid=other.pid, host='ctl')

        holder, note = rl.take_run_lock(path, 'x', pid=os.getpid(), host='ctl', timeout=60, sleep=sleep)
        assert holder['pid'] == os.getpid() and note is None and len(calls) == 1
    finally:
        other.kill()
        other.wait()


def test_stale_lock_of_a_dead_pid_is_taken_over(tmp_path):
    path = str(tmp_path / 'c.state.json')
    gone = dead_pid()
    (tmp_path / 'c.state.json.lock').write_text(json.dumps({'pid': gone, 'host': 'ctl', 'started': 'then'}))
    holder, note = rl.take_run_lock(path, 'x', pid=os.getpid(), host='ctl')
    assert holder['pid'] == os.getpid() and 'PID %d on ctl, started then' % gone in note


def test_a_lock_of_another_host_is_never_taken_over(tmp_path):
    path = str(tmp_path / 'c.state.json')
    (tmp_path / 'c.state.json.lock').write_text(json.dumps({'pid': dead_pid(), 'host': 'elsewhere', 'started': 't'}))
    with pytest.raises(rl.LockError, match='if that run is gone from elsewhere, remove the lock file'):
        rl.take_run_lock(path, 'x', pid=os.getpid(), host='ctl')


def test_a_reused_pid_is_not_the_holder(tmp_path, monkeypatch):
    monkeypatch.setattr(rl, 'process_start', lambda pid: 222)
    assert rl.pid_alive(os.getpid(), start=222) and not rl.pid_alive(os.getpid(), start=111)
    assert not rl.pid_alive(dead_pid()) and not rl.pid_alive('x') and not rl.pid_alive(0)


def test_an_unreadable_lock_file_is_taken_over(tmp_path):
    path = str(tmp_path / 'c.state.json')
    (tmp_path / 'c.state.json.lock').write_text('')
    holder, note = rl.take_run_lock(path, 'x', pid=os.getpid(), host='ctl')
    assert holder['pid'] == os.getpid() and 'named no run' in note


def test_runlock_still_raises_the_callers_error(tmp_path):
    class MyError(rl.LockError):
        pass

    path = str(tmp_path / 'j')
    first = rl.acquire_locks([('journal_path', path)], error=MyError)
    with pytest.raises(MyError, match='in use by another run'):
        rl.acquire_locks([('journal_path', path)], error=MyError)
    rl.release_locks(first)
    rl.release_locks(rl.acquire_locks([('journal_path', path)], error=MyError))
