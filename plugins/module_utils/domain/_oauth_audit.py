# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The OAuth audit: what was read from every UC system, turned into a matrix of checks and a list of findings.

Internal module: the leading underscore means its API may change without notice.

Input (``audit(systems, desired, minimums, now)``): one dict per system, as role ``collab.uc.oauth_audit``
gathers it (``error`` set when the system could not be read; ``error_kind: module`` when the module itself
failed on the controller, so that the system was never asked):

* ``kind: cucm``: ``name``, ``version``, ``oauth`` ({refresh_login, access_token_expiry, refresh_token_expiry,
  device_refresh_token_expiry}), ``sso`` ({enabled, token_reuse}), ``keys`` ({signing|encryption: {checksum,
  last_regenerated}}) or ``keys_error``, ``addresses`` (the names and IPs that reach its publisher), ``port``;
* ``kind: cuc``: ``name``, ``version`` (declared, no API reads it), ``serves`` (cluster names),
  ``refresh_login`` (declared, no API reads it), ``authz_servers`` (as ``cuc_authz_server_info`` returns them);
* ``kind: expressway``: ``name``, ``version``, ``serves``, ``settings`` and, optionally, ``xconfiguration`` (every
  ``CollaborationEdge`` leaf read, {path: value}) and ``absent`` (the settings whose leaf it does not show), as
  ``expressway_oauth`` returns them. The leaves are listed in the MRA cell and in the system's JSON row.

Output: ``{'checks', 'systems', 'findings', 'summary'}``. A cell is ``{'status': ok|warning|critical|na,
'text'}``; a finding ``{'id', 'severity': critical|warning, 'title', 'systems', 'detail', 'fix'}``. Nothing here
talks to a system.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import re
import time

OK, WARNING, CRITICAL, NA = 'ok', 'warning', 'critical', 'na'
CHECKS = (
    ('reachable', 'Reachable'),
    ('version', 'Version (minimum for refresh logins)'),
    ('refresh_login', 'Refresh login'),
    ('timers', 'Token expiry timers'),
    ('sso', 'SSO and Token reuse'),
    ('keys', 'AuthZ keys'),
    ('authz_servers', 'Connection AuthZ servers'),
    ('mra', 'Expressway MRA authorization'),
)
KIND_LABELS = {'cucm': 'CUCM cluster', 'cuc': 'Unity Connection', 'expressway': 'Expressway-C'}
DEFAULT_MINIMUMS = {'cucm': '11.5.1.13900', 'cuc': '11.5.1.13900', 'expressway': 'X8.10.1'}
MINIMUM_NAMES = {'cucm': '11.5(1)SU3', 'cuc': '11.5(1)SU3', 'expressway': 'X8.10.1'}
TIMERS = (
    ('access_token_expiry', 'access token expiry', 'minutes', 'oauthTokenExpiryTimer'),
    ('refresh_token_expiry', 'refresh token expiry', 'days', 'refreshTokenExpiryTimer'),
    ('device_refresh_token_expiry', 'device refresh token expiry', 'days', 'DeviceTokenExpiryTimer'),
)
SEVERITY_ORDER = {CRITICAL: 0, WARNING: 1}

# Times the systems print: Connection's LastSyncStatus ("Passed - May 12,2017 07:00:53 AM GMT"), the platform
# CLI's "Last Regenerated" (its exact text is not documented: several layouts are tried).
_TIME_FORMATS = ('%b %d,%Y %I:%M:%S %p', '%b %d, %Y %I:%M:%S %p', '%a %b %d %H:%M:%S %Y', '%Y-%m-%d %H:%M:%S',
                 '%Y-%m-%dT%H:%M:%S', '%d %b %Y %H:%M:%S', '%b %d %Y %H:%M:%S', '%m/%d/%Y %H:%M:%S')
_ZONE_RE = re.compile(r'\s+(?:GMT|UTC|Z)(?=\s|$)|(?<=\d)Z$')


def parse_time(text):
    """Epoch seconds (UTC) of a time as CUCM or Connection print it; None when it is not one."""
    if not text:
        return None
    value = _ZONE_RE.sub('', ' '.join(str(text).split())).strip()
    value = re.sub(r'^(?:passed|failed)\s*-\s*', '', value, flags=re.I)
    for fmt in _TIME_FORMATS:
        try:
            return calendar.timegm(time.strptime(value, fmt))
        except ValueError:
            continue
    return None


def version_tuple(version):
    """(14, 0, 1, 13900, 155) for ``14.0.1.13900(155)`` or ``14.0.1.13900-155``; (14, 2, 1) for ``X14.2.1``."""
    numbers = re.findall(r'\d+', str(version or '').lstrip('Xx'))
    return tuple(int(n) for n in numbers) if numbers else None


def meets(version, minimum):
    have, need = version_tuple(version), version_tuple(minimum)
    if have is None or need is None:
        return None
    return have >= need


def _cell(status, text):
    return {'status': status, 'text': text}


NOT_APPLICABLE = 'not applicable'


def _na(text=NOT_APPLICABLE):
    return _cell(NA, text)


def _onoff(value):
    return 'unknown' if value is None else ('on' if value else 'off')


class Audit:
    def __init__(self, systems, desired=None, minimums=None, now=None):
        self.systems = [dict(s) for s in systems]
        self.desired = dict((k, v) for k, v in (desired or {}).items() if v is not None)
        self.minimums = dict(DEFAULT_MINIMUMS, **dict((k, v) for k, v in (minimums or {}).items() if v))
        self.now = time.time() if now is None else now
        self.findings = []
        self.clusters = dict((s['name'], s) for s in self.systems if s.get('kind') == 'cucm')

    def finding(self, fid, severity, title, systems, detail, fix):
        self.findings.append({'id': fid, 'severity': severity, 'title': title, 'systems': list(systems),
                              'detail': detail, 'fix': fix})

    def readable(self, system):
        return not system.get('error')

    # --- per kind ----------------------------------------------------------------------------------------
    def version_cell(self, system):
        kind, version = system['kind'], system.get('version')
        minimum = self.minimums[kind]
        ok = meets(version, minimum)
        label = '%s (%s)' % (minimum, MINIMUM_NAMES[kind]) if kind != 'expressway' else minimum
        if version and ok is False:
            self.finding('version_below_minimum', CRITICAL, '%s %s runs %s, below %s' % (
                KIND_LABELS[kind], system['name'], version, label), [system['name']],
                'Refresh logins need %s or later on every %s.' % (label, KIND_LABELS[kind]),
                'Upgrade %s to %s or later before turning refresh logins on.' % (system['name'], label))
            return _cell(CRITICAL, '%s < %s' % (version, minimum))
        if not version:
            if kind == 'cuc' and system.get('authz_servers') is not None:
                return _cell(OK, 'not read (its AuthZ server API answered: 11.5(1)SU3 or later)')
            return _cell(WARNING, 'unknown')
        return _cell(OK if ok else WARNING, '%s (>= %s)' % (version, minimum) if ok else '%s (?)' % version)

    def cucm(self, s):
        row = {}
        oauth = s.get('oauth') or {}
        refresh = oauth.get('refresh_login')
        want = self.desired.get('refresh_login')
        if want is not None and refresh is not None and refresh != want:
            row['refresh_login'] = _cell(WARNING, '%s (desired %s)' % (_onoff(refresh), _onoff(want)))
            self.finding('refresh_login_differs', WARNING, 'Refresh login is %s on %s, the desired state says %s'
                         % (_onoff(refresh), s['name'], _onoff(want)), [s['name']],
                         'Enterprise parameter "OAuth with Refresh Login Flow" (oAuthWithRefreshLoginFlow).',
                         'Run role collab.uc.oauth_refresh_login, or collab.uc.cucm_oauth with refresh_login: %s, '
                         'on %s.' % ('true' if want else 'false', s['name']))
        else:
            row['refresh_login'] = _cell(OK if refresh is not None else WARNING, _onoff(refresh))
        differs, parts = [], []
        for key, label, unit, param in TIMERS:
            value = oauth.get(key)
            parts.append('%s %s %s' % (label.split(' expiry', 1)[0], '?' if value is None else value, unit))
            if key in self.desired and value is not None and int(value) != int(self.desired[key]):
                differs.append((key, label, unit, param, value))
        if differs:
            row['timers'] = _cell(WARNING, '; '.join(parts))
            self.finding('timers_differ', WARNING, 'Token expiry timers of %s differ from the desired state'
                         % s['name'], [s['name']],
                         '; '.join('%s (%s) is %s %s, desired %s' % (label, param, value, unit, self.desired[key])
                                   for key, label, unit, param, value in differs) + '.',
                         'Set them with collab.uc.cucm_oauth on %s (%s), or run role collab.uc.oauth_refresh_login.'
                         % (s['name'], ', '.join('%s: %s' % (key, self.desired[key])
                                                 for key, _label, _unit, _param, _value in differs)))
        else:
            row['timers'] = _cell(OK, '; '.join(parts))
        sso = s.get('sso') or {}
        reuse = sso.get('token_reuse')
        text = 'SSO %s, Token reuse %s' % ('enabled' if sso.get('enabled') else 'disabled'
                                           if sso.get('enabled') is not None else 'unknown', _onoff(reuse))
        if refresh and reuse is False:
            row['sso'] = _cell(WARNING, text)
            self.finding('token_reuse_off', WARNING, '%s has refresh login on but publishes Token reuse off'
                         % s['name'], [s['name']],
                         'The SSO status (/ssosp/ws/public/singleSignOn) says Token reuse="false".',
                         'Check the OAuth settings of %s and restart Cisco Tomcat if they were just changed.'
                         % s['name'])
        else:
            row['sso'] = _cell(OK, text)
        keys = s.get('keys')
        if keys:
            row['keys'] = _cell(OK, '; '.join('%s %s' % (kind, (keys[kind].get('checksum') or '?')[:12])
                                              for kind in ('signing', 'encryption') if kind in keys))
        else:
            row['keys'] = _cell(NA, 'not read' + (': %s' % s['keys_error'] if s.get('keys_error') else
                                                  ' (no platform CLI account given)'))
        row['authz_servers'] = _na()
        row['mra'] = _na()
        return row

    def last_regeneration(self, cluster):
        times = [parse_time((cluster.get('keys') or {}).get(kind, {}).get('last_regenerated'))
                 for kind in ('signing', 'encryption')]
        times = [t for t in times if t is not None]
        return max(times) if times else None

    def target_of(self, server):
        """The cluster an AuthZ server points at (address and port, else address alone), or None."""
        address = str(server.get('server_address') or '').strip().lower()
        port = server.get('server_port')
        by_address = [c for c in self.clusters.values()
                      if address in [str(a).lower() for a in c.get('addresses') or []]]
        exact = [c for c in by_address if port is None or c.get('port') is None or int(c['port']) == int(port)]
        found = exact or by_address
        return found[0]['name'] if len(found) == 1 else None

    def cuc(self, s):
        row = {'timers': _na(), 'sso': _na(), 'mra': _na()}
        serves = list(s.get('serves') or [])
        declared = s.get('refresh_login')
        servers = s.get('authz_servers') or []
        targets = {}
        problems = []
        for server in servers:
            target = self.target_of(server)
            server['target'] = target
            if target:
                targets.setdefault(target, []).append(server)
        for cluster in serves:
            if cluster not in targets:
                problems.append('no server for %s' % cluster)
                self.finding('no_authz_server', CRITICAL, 'Unity Connection %s serves %s but has no AuthZ server '
                             'for it' % (s['name'], cluster), [s['name'], cluster],
                             'Voicemail of %s users fails in Jabber: Connection cannot validate the tokens that %s '
                             'issues.' % (cluster, cluster),
                             'Add an AuthZ server for the publisher of %s on %s and sync its keys: '
                             'collab.uc.cuc_authz_server (state: present, sync_keys: on_change), or role '
                             'collab.uc.oauth_refresh_login.' % (cluster, s['name']))
        for server in servers:
            cluster = self.clusters.get(server.get('target'))
            outcome = server.get('last_sync_outcome')
            label = '%s -> %s' % (server.get('name'), server.get('target') or '%s:%s (no cluster of the audit)' % (
                server.get('server_address'), server.get('server_port')))
            if outcome != 'passed':
                problems.append('%s: last sync %s' % (label, outcome or 'unknown'))
                self.finding('sync_failed', CRITICAL, 'The last key sync of AuthZ server %s on %s did not pass'
                             % (server.get('name'), s['name']), [s['name']] + ([cluster['name']] if cluster else []),
                             'LastSyncStatus: "%s".' % (server.get('last_sync_status') or 'never synced'),
                             'Fix what the status says, then sync the keys (collab.uc.cuc_authz_server with '
                             'sync_keys: always, or "Sync Keys" in Connection Administration).')
                continue
            if cluster is None:
                continue
            synced, regenerated = parse_time(server.get('last_sync_status')), self.last_regeneration(cluster)
            if synced is not None and regenerated is not None and synced < regenerated:
                problems.append('%s: sync older than the keys' % label)
                self.finding('sync_older_than_keys', CRITICAL, 'AuthZ server %s on %s synced before %s regenerated '
                             'its keys' % (server.get('name'), s['name'], cluster['name']),
                             [s['name'], cluster['name']],
                             'Last sync %s; keys regenerated %s. Connection rejects every token signed with the new '
                             'keys.' % (server.get('last_sync_status'), time.strftime(
                                 '%Y-%m-%d %H:%M:%S UTC', time.gmtime(regenerated))),
                             'Sync the keys of %s on %s: collab.uc.cuc_authz_server with sync_keys: always (or "Sync '
                             'Keys" in Connection Administration).' % (server.get('name'), s['name']))
        listed = ', '.join('%s -> %s (%s)' % (x.get('name'), x.get('target') or '?', x.get('last_sync_status') or
                                              'never synced') for x in servers) or 'none'
        row['authz_servers'] = _cell(CRITICAL if problems else OK, ('%s; ' % '; '.join(problems) if problems else '')
                                     + listed)
        row['keys'] = _cell(CRITICAL if any('older' in p for p in problems) else OK,
                            'synced after the last regeneration' if servers and not problems else
                            ('stale' if any('older' in p for p in problems) else 'see AuthZ servers'))
        if declared is None:
            row['refresh_login'] = _cell(NA, 'no API reads it: check "OAuth with Refresh Login Flow"')
        else:
            row['refresh_login'] = _cell(OK, _onoff(declared) + ' (declared)')
        for cluster in serves:
            c = self.clusters.get(cluster)
            if c and (c.get('oauth') or {}).get('refresh_login') and declared is False:
                row['refresh_login'] = _cell(CRITICAL, 'off (declared), %s has it on' % cluster)
                self.finding('refresh_mismatch', CRITICAL, 'Refresh login is on in %s but off on Unity Connection %s'
                             % (cluster, s['name']), [cluster, s['name']],
                             'Jabber users of %s lose voicemail: Connection does not accept refresh-login tokens.'
                             % cluster,
                             'On %s set System Settings > Enterprise Parameters > SSO and OAuth Configuration > "OAuth '
                             'with Refresh Login Flow" to Enabled (no API sets it).' % s['name'])
        return row

    @staticmethod
    def leaves_text(s):
        """What the MRA cell adds about discovery: a setting whose leaf the Expressway does not show (the name of
        "with refresh" is assumed), then every CollaborationEdge leaf seen, as the Expressway spells it."""
        options = ('oauth_token_with_refresh', 'oauth_token', 'user_credentials')
        absent = [option for option in s.get('absent') or [] if option in options]
        seen = s.get('xconfiguration')
        text = ''
        if absent:
            text += '; no leaf for %s (the name of "with refresh" is assumed)' % ', '.join(absent)
        if seen is not None:
            text += '; CollaborationEdge leaves seen: %s' % (', '.join(
                '%s %s' % (path.split(' ', 1)[-1], value) for path, value in seen.items()) or 'none')
        return text

    def expressway(self, s):
        row = {'timers': _na(), 'sso': _na(), 'keys': _na(), 'authz_servers': _na()}
        settings = s.get('settings') or {}
        refresh, token, creds = (settings.get('oauth_token_with_refresh'), settings.get('oauth_token'),
                                 settings.get('user_credentials'))
        accepts = refresh if refresh is not None else token
        text = 'with refresh %s, OAuth token (OAuthLocal) %s, user credentials (LegacyCred) %s' % (
            _onoff(refresh), _onoff(token), _onoff(creds)) + self.leaves_text(s)
        status = OK
        for cluster in s.get('serves') or []:
            c = self.clusters.get(cluster)
            on = c and (c.get('oauth') or {}).get('refresh_login')
            if on and not accepts:
                status = CRITICAL
                self.finding('refresh_mismatch', CRITICAL, 'Refresh login is on in %s but off on Expressway-C %s'
                             % (cluster, s['name']), [cluster, s['name']],
                             'Jabber over MRA gets its tokens from %s and then fails with "The server doesn\'t offer '
                             'any SASL authentication mechanism" (Cisco Community, "Overview: What is OAuth"): %s has %s.' % (cluster, s['name'], text),
                             'On %s turn on "Authorize by OAuth token with refresh" (and "Authorize by OAuth token", '
                             'xConfiguration CollaborationEdge OAuthLocal: On): collab.uc.expressway_oauth with '
                             'oauth_token_with_refresh: true and oauth_token: true, or Configuration > Unified '
                             'Communications > Configuration > MRA Access Control.' % s['name'])
            elif c and on is False and refresh:
                status = max(status, WARNING, key=lambda x: {OK: 0, WARNING: 1, CRITICAL: 2}[x])
                self.finding('refresh_mismatch', WARNING, 'Expressway-C %s authorizes by OAuth token with refresh '
                             'but %s has refresh login off' % (s['name'], cluster), [cluster, s['name']],
                             'Cisco: CUCM and Expressway must agree, or "a configuration mismatch will result".',
                             'Turn refresh login on in %s (role collab.uc.oauth_refresh_login), or turn "Authorize '
                             'by OAuth token with refresh" off on %s.' % (cluster, s['name']))
        row['mra'] = _cell(status if refresh is not None or token is not None else WARNING, text)
        row['refresh_login'] = _cell(status, _onoff(refresh))
        return row

    # --- across systems ----------------------------------------------------------------------------------
    def compare_clusters(self):
        readable = [c for c in self.clusters.values() if self.readable(c) and c.get('oauth')]
        if len(readable) < 2:
            return
        labels = [('refresh_login', 'refresh login', '')] + [(k, l, ' ' + u) for k, l, u, _param in TIMERS]
        differences = []
        for key, label, unit in labels:
            values = dict((c['name'], c['oauth'].get(key)) for c in readable)
            if len(set(v for v in values.values() if v is not None)) > 1:
                differences.append('%s: %s' % (label, ', '.join(
                    '%s %s' % (name, (_onoff(v) if key == 'refresh_login' else '%s%s' % (v, unit)))
                    for name, v in sorted(values.items()))))
        if differences:
            self.finding('clusters_differ', WARNING, 'The CUCM clusters differ from each other',
                         sorted(c['name'] for c in readable), '; '.join(differences) + '.',
                         'Give every cluster the same desired state (group_vars) and run role '
                         'collab.uc.oauth_refresh_login, or set each with collab.uc.cucm_oauth.')

    def run(self):
        rows = []
        for s in self.systems:
            kind = s.get('kind')
            row = dict((key, _na()) for key, _label in CHECKS)
            if not self.readable(s):
                row['reachable'] = _cell(CRITICAL, s.get('error'))
                if s.get('error_kind') == 'module':
                    # the module did not run on the controller: the system was never asked
                    self.finding('module_failed', CRITICAL, 'The audit could not run its module for %s %s' % (
                        KIND_LABELS.get(kind, kind), s['name']), [s['name']], str(s.get('error')),
                        'Nothing was asked of %s: the module failed on the controller. Give the host '
                        'ansible_python_interpreter: "{{ ansible_playbook_python }}" (the Python that runs Ansible) '
                        'and install the collection\'s requirements.txt (paramiko) into it, then run the audit '
                        'again.' % s['name'])
                else:
                    what = '%s %s could not be read' % (KIND_LABELS.get(kind, kind), s['name'])
                    self.finding('unreachable', CRITICAL, what, [s['name']],
                                 str(s.get('error')), 'Check the address, the credentials and the network path from '
                                 'the controller to %s, then run the audit again.' % s['name'])
            else:
                row['reachable'] = _cell(OK, 'yes')
                row['version'] = self.version_cell(s)
                row.update(getattr(self, kind)(s))
            rows.append({'name': s['name'], 'kind': kind, 'label': KIND_LABELS.get(kind, kind), 'cells': row,
                         'serves': s.get('serves') or []})
            if kind == 'expressway' and s.get('xconfiguration') is not None:
                rows[-1]['xconfiguration'] = dict(s['xconfiguration'])
        self.compare_clusters()
        self.findings.sort(key=lambda f: (SEVERITY_ORDER[f['severity']], f['id'], f['systems']))
        summary = {'systems': len(rows), 'critical': sum(1 for f in self.findings if f['severity'] == CRITICAL),
                   'warning': sum(1 for f in self.findings if f['severity'] == WARNING)}
        summary['findings'] = summary['critical'] + summary['warning']
        return {'generated_at': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(self.now)),
                'checks': [{'key': k, 'label': label} for k, label in CHECKS], 'systems': rows,
                'findings': self.findings, 'summary': summary, 'desired': self.desired, 'minimums': self.minimums}


def audit(systems, desired=None, minimums=None, now=None):
    return Audit(systems, desired, minimums, now).run()
