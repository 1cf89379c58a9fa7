#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cucm_refresh_tokens
short_description: Revoke the OAuth refresh tokens of CUCM end users, for example of leavers
version_added: 1.0.0
description:
  - Revokes the OAuth refresh tokens that Cisco Unified Communications Manager (CUCM) issued to end users
    (Jabber, Webex and other OAuth clients), so that they cannot get new access tokens. Made for offboarding;
    one task handles a list of tens of thousands of leavers.
  - User IDs come from O(users) and O(users_file); blank lines and duplicates are ignored and surrounding
    whitespace is trimmed. Every ID is checked before anything is sent; the task fails naming the IDs CUCM
    cannot hold (see O(users)).
  - Idempotent. The module first reads, with AXL C(executeSQLQuery) in chunks of up to 500 users, which users
    exist (table C(enduser)) and which hold live refresh tokens (table C(refreshtokendetails), validity later
    than now), and calls the revocation API (C(GET /ssosp/token/revoke?user_id=...)) only for users holding live
    tokens. A second run over the same users therefore makes no revoke call and reports RV(ignore:changed=false).
  - Throttling during that lookup (HTTP 503, the AXL C(Maximum AXL Memory Allocation Consumed) fault) is retried
    with backoff (O(retries) times, three rounds); if it persists the task fails with a clear message, and
    revoke is never called blindly.
  - If CUCM cannot run those queries at all (the tables are absent or not readable on that release, an AXL
    fault), the task fails before any revoke, unless O(fallback_revoke_all) allows calling revoke for every user
    instead; then a successful answer that lists no tokens counts as V(no_live_tokens), RV(fallback_used) is
    V(true) and RV(fallback_revokes) says how many revoke calls that cost.
  - A revoke whose answer is lost (a timeout, a dropped connection) is not repeated blindly; the module reads that
    user's live tokens again. None left means this run revoked them (outcome V(revoked)); some left means the
    revoke never arrived, and it is sent once more.
  - Revoke calls run in parallel (O(concurrency)), optionally at a bounded rate (O(rate_limit)); each worker
    keeps one HTTPS connection and CUCM's session cookie, so Basic authentication is sent once per worker.
    Dropped connections are retried with backoff (O(retries)). A revoke answered HTTP 503 is not retried inside
    its worker; the user waits on a delayed queue (its C(Retry-After), else a short backoff) and is sent again up
    to O(retries) times, while the worker revokes the next user; 503s halve the number of calls in flight once
    they are more than a quarter of the recent answers (each success widens it again; a few 503s at random among
    answers served only cost their retries), and a 503 with C(Retry-After) (a rate limit) halves it at once and
    paces the calls at the rate CUCM admitted. HTTP 401 or 403 stops the run at once (requests in flight finish, no new one starts) and
    the task fails with the authentication error.
  - Workers share what they learn about the credentials. Only one sends them at a time until CUCM hands out a
    session cookie, so a wrong or changed password costs one failed login for the whole run, and an expired
    session one new login for all workers.
  - Each user ends with one outcome, V(revoked) (with the number of tokens), V(no_live_tokens),
    V(unknown_user) or V(failed) (with the reason). The task fails if any user failed, after finishing all the
    others.
  - O(report_path) gets an audit file of every user; O(journal_path) records each user as soon as it is done,
    so a run that was killed resumes where it stopped.
  - Token values are never read into results, the report, the journal, warnings or error messages.
author:
  - collab.uc contributors (@collab-uc)
extends_documentation_fragment:
  - collab.uc.cucm_connection
  - collab.uc.https_connection
  - collab.uc.attributes
attributes:
  check_mode:
    support: full
    details:
      - In check mode the module reads which users hold live tokens and reports those users as V(revoked) (what
        would happen), without calling revoke and without writing O(report_path) or O(journal_path).
      - If CUCM refuses the token query, every existing user is reported as V(revoked) with RV(results[].tokens)
        V(null), since the module cannot tell without revoking.
  diff_mode:
    support: none
  action_group:
    membership: [collab.uc.cucm]
options:
  state:
    description:
      - V(revoked) revokes the refresh tokens of the users.
    type: str
    choices: [revoked]
    default: revoked
  users:
    description:
      - End user IDs (CUCM C(userid)) whose tokens to revoke.
      - IDs are matched exactly, as CUCM stores them (case-sensitively).
      - Spaces, C(&), C('), C(%), C(#), C(+), C(/) and non-ASCII letters are fine; they are URL-encoded in the
        revoke call and quoted for SQL in the lookup.
      - Refused (the task fails before any request, naming the first five offending IDs and how many there are)
        are IDs longer than 128 characters (the size of CUCM's C(userid)), IDs with a control character
        (including tab, line and paragraph separators) and IDs with C(") C(<) or C(>).
      - Each ID must be a string. A YAML boolean (V(true)), number or other value that is not text is refused before
        any request rather than turned into text (V(true) is no user C(True), C(0123) no user C(83)) - quote it.
      - At least one of O(users) and O(users_file) is required. An empty O(users) alone is allowed and does nothing;
        an O(users_file) that yields no user (for example a CSV file with only a header row) fails the task unless
        O(allow_empty) is set.
    type: list
    elements: str
  users_file:
    description:
      - File with user IDs, on the host that runs the module (the controller when delegated to C(localhost)).
      - UTF-8 (a byte order mark is ignored); read as a stream, so a file of 100,000 users needs little memory.
      - Either one user ID a line (there is no comment syntax, since C(#) may be part of an ID), or CSV with a
        header row (see O(users_file_format) and O(csv_column)).
      - Used together with O(users) if both are given.
    type: path
  users_file_format:
    description:
      - How to read O(users_file).
      - V(lines) is one user ID a line.
      - V(csv) is CSV with a header row; the delimiter (comma, semicolon or tab) is the one the header row uses
        most.
      - V(auto) reads CSV when the file name ends in C(.csv) or O(csv_column) is set, else lines.
    type: str
    choices: [auto, lines, csv]
    default: auto
  csv_column:
    description:
      - Header of the CSV column that holds the user IDs (compared case-insensitively).
      - When not set, the column C(userid), C(user_id) or C(user id) is used, or the only column of a
        one-column file.
    type: str
  client_id:
    description:
      - Revoke only the tokens of this OAuth client; without it, the tokens of every client are revoked. Client IDs
        are fixed by Cisco; Jabber's is C(C1b4b988f3efa1c3fc97d0d0a36f6b97f244b4fafe55e8d9d78774e305bae9ab1)
        (Cisco TAC 216948), UDS's C(Cc4013d474571c1963e6d45ee9c835b6373b397bef748a6c864c07e95d8e6144e).
      - The lookup then counts only that client's tokens, and the journal is bound to this value.
    type: str
  concurrency:
    description:
      - How many revoke calls may be in flight at once (worker threads, each with its own HTTPS session).
      - Between V(1) and V(32).
    type: int
    default: 8
  rate_limit:
    description:
      - At most this many requests a second to CUCM, shared by all workers (lookups included).
      - Use it when CUCM serves other AXL clients that must not be crowded out. Greater than V(0), at most
        V(1000). No limit when not set.
    type: float
  return_results:
    description:
      - Which users RV(results) lists. With tens of thousands of users, listing all of them makes a very large
        task result; the audit file (O(report_path)) has every user anyway.
      - V(all) lists every user, V(changed) those whose tokens were revoked, V(failed) those that failed, V(none)
        nobody. RV(failed_users) and RV(summary) are always returned.
    type: str
    choices: [all, changed, failed, none]
    default: changed
  report_path:
    description:
      - Write an audit file here at the end of the task, listing every user once with the time (UTC, ISO 8601),
        the cluster (O(host):O(port)), the user, O(client_id), the outcome, the number of tokens revoked and the
        reason of a failure. Token values are never written.
      - Written atomically (a temporary file in the same directory, then renamed), with mode C(0600). The
        directory must exist. Also written when the task fails, with the users finished by then.
      - Not written in check mode.
    type: path
  report_format:
    description:
      - Format of O(report_path), V(jsonl) (one JSON object a line) or V(csv) (with a header row).
      - V(auto) is V(csv) when O(report_path) ends in C(.csv), else V(jsonl).
    type: str
    choices: [auto, jsonl, csv]
    default: auto
  allow_empty:
    description:
      - Succeed, doing nothing, when O(users_file) yields no user ID at all. By default such a file fails the task,
        since an empty export (only a header row) is more often a broken export than a day without leavers.
    type: bool
    default: false
  fallback_revoke_all:
    description:
      - What to do when CUCM cannot be asked who holds live refresh tokens because the C(refreshtokendetails) or
        C(enduser) table is absent or not readable on that release (an AXL fault other than throttling).
      - V(false) fails the task before any revoke, naming the table and what CUCM answered.
      - V(true) calls revoke for every listed user whose tokens could not be read (one call each, counted in
        RV(fallback_revokes)). Throttling never leads to this; it is retried, then fails the task.
    type: bool
    default: false
  lock_timeout:
    description:
      - The run holds an exclusive lock on O(journal_path), O(report_path) and O(lock_path) (files named after them
        with C(.lock) added, holding the process ID and start time) from before the first request to the end.
      - A second run on the same files waits up to this many seconds for the first to end, then fails naming the
        other run's process ID and start time. V(0) fails at once.
    type: int
    default: 0
  lock_path:
    description:
      - One more file to lock for the run (C(.lock) is added), for runs that share something the other options do
        not name, for example a report directory (the role C(collab.uc.refresh_token_revocation) locks one per
        cluster in its report directory).
    type: path
  journal_max_age:
    description:
      - Hours after which journal entries are not trusted any more; their users are looked up again.
      - Entries are only trusted from a run of the same cluster, O(client_id) and user list (a digest of it is in
        the journal's first line). From another user list, users the journal shows V(revoked) are looked up
        again, and reported V(revoked) when no live token is left.
      - Between V(1) and V(8760).
    type: int
    default: 24
  journal_path:
    description:
      - A JSON Lines journal for resuming a run that was interrupted (killed, host rebooted, CUCM credentials
        changed mid-run).
      - Before a revoke is sent, an attempt line is appended; every finished user is appended as soon as it is
        done; each line is flushed at once. A user whose revoke was sent when the run was killed is looked up again
        on resume and reported V(revoked) when no live token is left. On start, users the journal
        already holds with a final outcome (V(revoked), V(no_live_tokens), V(unknown_user)) are not asked again
        and are carried into the report and RV(results) (counted in RV(resumed)); V(failed) users are tried
        again. A torn last line (the process was killed while writing it) is ignored and cut off.
      - When a run finishes every user with a final outcome, the journal is marked complete, and the next run with
        the same path starts a new journal (and reads CUCM afresh).
      - The journal is bound to O(host), O(port) and O(client_id); the task refuses a journal written for another
        cluster or client ID. Use one journal per cluster, for example named after the host. See also
        O(journal_max_age), and O(lock_timeout) (two runs never share a journal at the same time).
      - Written with mode C(0600); the directory must exist. Read but not written in check mode.
    type: path
notes:
  - The user needs the C(Standard AXL API Access) role, for both the lookups and the revoke calls.
  - The revocation API is only on the CUCM publisher; set O(host) to the publisher.
  - What CUCM answers to revoke for an unknown user or a user with no tokens is not documented. The module takes a
    404 or a body saying the user is not found as V(unknown_user), a success with no tokens as V(no_live_tokens),
    and anything else as a failure of that user, whose reason shows the answer (with token values masked).
  - The lookup takes C(refreshtokendetails.validity) as the expiry in epoch seconds and counts a token as live
    until five minutes after it (so a controller clock ahead of CUCM's never hides a live token). It does not
    filter on the token's C(state) column, whose values are not documented; such a token costs at most one
    revoke call that answers with the tokens it revoked.
  - When twice O(concurrency) users in a row (and at least ten) fail, the run stops, since CUCM is then unreachable
    or throttling beyond O(retries); run again with the same O(journal_path) to go on.
  - The journal is flushed after every user, so it survives the process being killed; it is synced to disk
    (fsync) when the task ends.
  - The role C(collab.uc.refresh_token_revocation) runs this module on every CUCM cluster of an inventory, with a
    timestamped report per run and cluster; C(docs/revoking-refresh-tokens.md) and C(docs/scheduling.md) in the
    collection explain a run in detail and how to schedule it.
  - Cisco describes the revocation API in the CUCM Feature Configuration Guide, chapter "Revoke Existing OAuth Refresh
    Tokens".
seealso:
  - ref: ansible_collections.collab.uc.docsite.revoking_refresh_tokens
    description: Guide to revoking the refresh tokens of leavers, with the module, the role or the playbook.
  - ref: ansible_collections.collab.uc.docsite.scheduling
    description: Running the revocation unattended, from a systemd timer, cron, or AWX / Ansible Automation Platform.
'''

EXAMPLES = r'''
- name: Revoke the refresh tokens of two leavers
  collab.uc.cucm_refresh_tokens:
    host: cucm-pub.example.com
    username: axladmin
    password: "{{ vault_cucm_axl_password }}"
    users:
      - jdoe
      - "anne.o'hara"
  delegate_to: localhost

- name: Revoke the tokens of everybody in the HR leavers export, resumably, with an audit file
  collab.uc.cucm_refresh_tokens:
    host: cucm-pub.example.com
    username: axladmin
    password: "{{ vault_cucm_axl_password }}"
    users_file: /srv/hr/leavers.csv
    csv_column: Login
    concurrency: 16
    rate_limit: 50
    return_results: none
    journal_path: /var/lib/uc-offboarding/cucm-pub.journal
    report_path: "/var/log/uc-offboarding/cucm-pub-{{ now(utc=true, fmt='%Y%m%dT%H%M%SZ') }}.csv"
  delegate_to: localhost
  register: revocation

- name: Show what happened
  ansible.builtin.debug:
    var: revocation.summary

- name: Only Jabber's tokens, connection from the environment (CUCM_HOST, CUCM_USERNAME, CUCM_PASSWORD)
  collab.uc.cucm_refresh_tokens:
    users_file: /srv/hr/leavers.txt
    client_id: C1b4b988f3efa1c3fc97d0d0a36f6b97f244b4fafe55e8d9d78774e305bae9ab1
  delegate_to: localhost

- name: Who would lose tokens (nothing is revoked in check mode)
  collab.uc.cucm_refresh_tokens:
    host: cucm-pub.example.com
    username: axladmin
    password: "{{ vault_cucm_axl_password }}"
    users_file: /srv/hr/leavers.txt
  check_mode: true
  delegate_to: localhost
  register: would_revoke
'''

RETURN = r'''
changes:
  description:
    - What the task changed (in check mode, would change), one entry per change, in the order made; empty when
      nothing changed. Every module of collab.uc returns its changes under this key, in this shape.
    - Here one entry per user whose refresh tokens were revoked (in check mode, would be), in input order.
      O(return_results) limits it as it limits RV(results); with V(failed) or V(none), one entry named
      V(refresh_tokens) stands for every user revoked.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: What changed, here the user ID (or V(refresh_tokens), see above).
      type: str
      returned: always
    action:
      description: What was done to it (in check mode, would be done), here always V(revoked).
      type: str
      returned: always
      choices: [revoked]
    tokens:
      description:
        - Refresh tokens revoked (in check mode, live tokens found; V(null) when they could not be counted).
        - For the entry V(refresh_tokens), in all.
      type: int
      returned: always
    users:
      description: How many users the entry V(refresh_tokens) stands for.
      type: int
      returned: with O(return_results=failed) or O(return_results=none)
  sample: [{name: jdoe, action: revoked, tokens: 2}]
host:
  description:
    - The system the task acted on, as addressed (O(host)), without the port.
    - Every module of collab.uc that talks to a system names it under this key.
  returned: always
  type: str
  sample: cucm-pub.example.com
changed:
  description: Whether this run revoked at least one token (in check mode, whether it would).
  returned: always
  type: bool
  sample: true
summary:
  description: How many users ended with each outcome (users resumed from the journal included).
  returned: always
  type: dict
  contains:
    users:
      description: Unique, valid user IDs given.
      type: int
      returned: always
    revoked:
      description: Users whose tokens were revoked (in check mode, would be).
      type: int
      returned: always
    no_live_tokens:
      description: Users that hold no live refresh token (of O(client_id)).
      type: int
      returned: always
    unknown_user:
      description: User IDs that are not CUCM end users.
      type: int
      returned: always
    failed:
      description: Users whose revocation failed; see RV(failed_users).
      type: int
      returned: always
    not_attempted:
      description: Users not handled because the run stopped early (authentication refused, too many failures).
      type: int
      returned: always
    tokens:
      description: Refresh tokens revoked in all (in check mode, live tokens found).
      type: int
      returned: always
  sample:
    users: 1200
    revoked: 1100
    no_live_tokens: 90
    unknown_user: 10
    failed: 0
    not_attempted: 0
    tokens: 1650
results:
  description:
    - One entry per user, in input order, limited by O(return_results).
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: The user ID.
      type: str
      returned: always
    outcome:
      description: V(revoked), V(no_live_tokens), V(unknown_user) or V(failed).
      type: str
      returned: always
    tokens:
      description:
        - Number of tokens revoked. In check mode, live tokens found; V(null) when they could not be counted.
      type: int
      returned: always
    reason:
      description:
        - Why the user failed (what CUCM answered, with token values masked).
        - For V(revoked), a note when the answer to revoke was lost and the outcome was learnt by reading the tokens
          again, or when an earlier run of the journal revoked them; V(null) otherwise.
      type: str
      returned: always
    time:
      description: When the outcome was reached, UTC, ISO 8601.
      type: str
      returned: always
    resumed:
      description: Whether the outcome comes from the journal of an earlier, interrupted run.
      type: bool
      returned: always
  sample:
    - user: jdoe
      outcome: revoked
      tokens: 2
      reason: null
      time: '2026-05-12T07:00:53Z'
      resumed: false
failed_users:
  description: Every user that failed, with the reason.
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: The user ID.
      type: str
      returned: always
    reason:
      description: What went wrong.
      type: str
      returned: always
  sample:
    - user: asmith
      reason: "CUCM cucm-pub.example.com:8443: revoke refresh tokens of 'asmith' failed: server busy; HTTP 503"
report_path:
  description: The audit file written; V(null) when O(report_path) is not set or in check mode.
  returned: always
  type: str
  sample: /var/log/uc-offboarding/cucm-pub-20260512T070053Z.csv
fallback_used:
  description: Whether CUCM refused the lookup queries and revoke was called without knowing who holds tokens.
  returned: always
  type: bool
  sample: false
fallback_revokes:
  description: How many revoke calls were made without knowing whether the user holds tokens (O(fallback_revoke_all)).
  returned: always
  type: int
  sample: 0
answers_lost:
  description: Revoke calls whose answer was lost and whose outcome was learnt by reading the tokens again.
  returned: always
  type: int
  sample: 0
resumed:
  description: Users whose outcome was taken from O(journal_path) instead of being asked again.
  returned: always
  type: int
  sample: 0
revoke_calls:
  description: How many users the revoke API was called for in this run.
  returned: always
  type: int
  sample: 1100
'''

import threading

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import type_words
from ansible_collections.collab.uc.plugins.module_utils.connection._module import UCModule, change, given_params
from ansible_collections.collab.uc.plugins.module_utils.transport._http import RateLimiter
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_axl import AxlClient
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_rest import SsospClient, REVOKED, FAILED
from ansible_collections.collab.uc.plugins.module_utils.domain.revocation._engine import (
    InputError, JournalError, LiveTokenLookup, Revocation, read_users, user_id_problem, check_writable_path,
    open_journal, report_format_of, run_journaled, write_report, acquire_locks, release_locks,
)

MAX_CONCURRENCY = 32
MAX_RATE_LIMIT = 1000.0


class CucmRefreshTokens(UCModule):
    connections = ('cucm',)
    argument_spec = dict(
        state=dict(type='str', default='revoked', choices=['revoked']),
        users=dict(type='list', elements='str'),
        users_file=dict(type='path'),
        users_file_format=dict(type='str', default='auto', choices=['auto', 'lines', 'csv']),
        csv_column=dict(type='str'),
        client_id=dict(type='str'),
        concurrency=dict(type='int', default=8),
        rate_limit=dict(type='float'),
        return_results=dict(type='str', default='changed', choices=['all', 'changed', 'failed', 'none']),
        report_path=dict(type='path'),
        report_format=dict(type='str', default='auto', choices=['auto', 'jsonl', 'csv']),
        journal_path=dict(type='path'),
        journal_max_age=dict(type='int', default=24),
        allow_empty=dict(type='bool', default=False),
        fallback_revoke_all=dict(type='bool', default=False),
        lock_timeout=dict(type='int', default=0),
        lock_path=dict(type='path'),
    )
    module_kwargs = dict(required_one_of=[('users', 'users_file')])

    def check_options(self):
        """Every option checked before the first request; raises ``InputError``."""
        params = self.params
        given = given_params()
        # Ansible turns a YAML true into the user ID "True" and 0123 into "83": a user ID must be given as text
        listed = given.get('users') if isinstance(given.get('users'), list) else []
        wrong = [(n, value) for n, value in enumerate(listed) if not isinstance(value, str)]
        if wrong:
            more = '; and %d more' % (len(wrong) - 5) if len(wrong) > 5 else ''
            raise InputError('users must list user IDs as strings: %s%s. Nothing was sent to CUCM; quote the IDs '
                             'in YAML (for example "true" or "0123") so that they are read as written'
                             % ('; '.join('users[%d] is %s' % (n, type_words(value)) for n, value in wrong[:5]), more))
        if 'client_id' in given and given['client_id'] is not None and not isinstance(given['client_id'], str):
            raise InputError('client_id must be a string, got %s; quote it in YAML' % type_words(given['client_id']))
        if not 1 <= params['concurrency'] <= MAX_CONCURRENCY:
            raise InputError('concurrency must be between 1 and %d, got %s' % (MAX_CONCURRENCY, params['concurrency']))
        rate = params['rate_limit']
        if rate is not None and not 0 < rate <= MAX_RATE_LIMIT:
            raise InputError('rate_limit must be greater than 0 and at most %g requests a second, got %s'
                             % (MAX_RATE_LIMIT, rate))
        if params['client_id'] is not None:
            params['client_id'] = params['client_id'].strip()
            problem = user_id_problem(params['client_id']) if params['client_id'] else 'is empty'
            if problem:
                raise InputError('client_id %s; give the OAuth client ID (for example C1a2b...), or leave it out to '
                                 'revoke the tokens of every client' % problem)
        if not 1 <= params['journal_max_age'] <= 8760:
            raise InputError('journal_max_age must be between 1 and 8760 hours, got %s' % params['journal_max_age'])
        if not 0 <= params['lock_timeout'] <= 86400:
            raise InputError('lock_timeout must be between 0 and 86400 seconds, got %s' % params['lock_timeout'])
        if params['csv_column'] is not None and not params['csv_column'].strip():
            raise InputError('csv_column is empty; give the header of the column holding the user IDs')
        for option in ('report_path', 'journal_path'):
            if params[option] and not self.check_mode:  # check mode writes neither
                check_writable_path(option, params[option])
        if params['report_path'] and params['journal_path'] and params['report_path'] == params['journal_path']:
            raise InputError('report_path and journal_path must be different files')

    def execute(self):
        params = self.params
        try:
            self.check_options()
            users = read_users(params['users'], params['users_file'], params['users_file_format'],
                               params['csv_column'])
        except InputError as exc:
            self.module.fail_json(msg=str(exc))
        invalid = users.invalid_message()
        if invalid:
            self.module.fail_json(msg=invalid, invalid_users=users.invalid_count)
        if params['users_file'] and not users.ids and not params['allow_empty']:
            self.module.fail_json(msg='users_file %s yields no user ID (empty, or only a header row); nothing was sent '
                                      'to CUCM. Check the export, or set allow_empty: true if an empty list is fine'
                                      % params['users_file'])

        cluster = '%s:%s' % (params['host'], params['port'])
        client_id = params['client_id']
        limiter = RateLimiter(params['rate_limit']) if params['rate_limit'] else None
        # Raises at once (no request) for a malformed axl_version, before the journal is touched.
        axl = AxlClient(self.http_session(rate_limiter=limiter), params['axl_version'])
        locks = []
        try:
            if not self.check_mode:
                locks = acquire_locks([('journal_path', params['journal_path']), ('report_path', params['report_path']),
                                       ('lock_path', params['lock_path'])], params['lock_timeout'])
            journal, previous, warnings = open_journal(params['journal_path'], cluster, client_id, self.check_mode,
                                                       users.ids, params['journal_max_age'] * 3600)
        except JournalError as exc:
            release_locks(locks)
            self.module.fail_json(msg=str(exc))
        try:
            return self.revoke(users, axl, journal, previous, warnings, limiter, cluster)
        finally:
            release_locks(locks)

    def revoke(self, users, axl, journal, previous, warnings, limiter, cluster):
        params = self.params
        client_id = params['client_id']
        for warning in warnings:
            self.module.warn(warning)

        lookup = LiveTokenLookup(axl, client_id, allow_fallback=params['fallback_revoke_all'])
        session_lock = threading.Lock()

        def revoker_factory():
            with session_lock:
                session = self.http_session(rate_limiter=limiter)
            # A throttled revoke is retried from the run's delayed queue (Retry-After honoured), not in the thread.
            session.throttle_retries = 0
            return SsospClient(session)

        run = Revocation(users.ids, lookup, revoker_factory, client_id=client_id, concurrency=params['concurrency'],
                         journal=None if self.check_mode else journal, previous=previous,
                         check_mode=self.check_mode, cluster=cluster,
                         evidence=journal.evidence if journal is not None else None,
                         throttle_attempts=params['retries'])
        run_journaled(run, journal, self.check_mode)
        return self.finish(run, users, lookup, cluster)

    def finish(self, run, users, lookup, cluster):
        params = self.params
        ordered = run.ordered()
        report_path = None
        if params['report_path'] and not self.check_mode:
            try:
                write_report(params['report_path'], report_format_of(params['report_path'], params['report_format']),
                             cluster, params['client_id'], ordered)
            except (IOError, OSError) as exc:
                self.module.fail_json(msg='cannot write report_path %s: %s; the journal (if any) holds what was done'
                                      % (params['report_path'], exc.strerror or exc))
            report_path = params['report_path']
        warning = lookup.warning(run.fallback_revokes)
        if warning:
            self.module.warn(warning)

        wanted = params['return_results']
        if wanted == 'all':
            results = [item.as_result() for item in ordered]
        elif wanted in ('changed', 'failed'):
            keep = REVOKED if wanted == 'changed' else FAILED
            results = [item.as_result() for item in ordered if item.outcome == keep]
        else:
            results = []
        failed_users = [{'user': item.user, 'reason': item.reason} for item in ordered if item.outcome == FAILED]
        # this run's revocations (a user resumed from the journal was revoked by an earlier run)
        revoked = [item for item in ordered if item.outcome == REVOKED and not item.resumed]
        if wanted in ('all', 'changed'):
            changes = [change(item.user, 'revoked', tokens=item.tokens) for item in revoked]
        else:
            counted = [item.tokens for item in revoked if item.tokens is not None]
            changes = [change('refresh_tokens', 'revoked', tokens=sum(counted) if counted else None,
                              users=len(revoked))] if revoked else []
        result = dict(
            changed=bool(changes),
            changes=changes,
            summary=run.summary(),
            results=results,
            failed_users=failed_users,
            report_path=report_path,
            fallback_used=lookup.fallback_used,
            fallback_revokes=run.fallback_revokes,
            answers_lost=run.answers_lost,
            resumed=run.resumed,
            revoke_calls=run.revoke_calls,
        )
        if params['journal_path']:
            again = 'run again with the same journal_path: users already done are not asked again'
        else:
            again = 'run again (users already done then show no live tokens; set journal_path to skip them)'
        if run.stop_error is not None:
            summary = result['summary']
            error = run.stop_error
            self.module.fail_json(
                msg='%s. Stopped after %d of %d users (%d not attempted); once that is fixed, %s'
                    % (str(error).rstrip('.'), summary['users'] - summary['not_attempted'], summary['users'],
                       summary['not_attempted'], again),
                error=error.to_dict(), **result)
        if failed_users:
            shown = '; '.join('%s: %s' % (item['user'], item['reason']) for item in failed_users[:3])
            self.module.fail_json(
                msg='%d of %d users failed (all others were handled): %s%s. See failed_users; %s'
                    % (len(failed_users), len(users.ids), shown, '' if len(failed_users) <= 3 else '; ...', again),
                **result)
        return result


def main():
    CucmRefreshTokens().run()


if __name__ == '__main__':
    main()
