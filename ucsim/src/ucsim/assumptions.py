"""Every behaviour of the simulator that the public reference does not document, in one place.

Each item says what ucsim does (``ASSUMPTION:``) and what a real system might do instead. The client in
``plugins/`` must not depend on these choices; it must tolerate the alternatives named here. Source of the
documented behaviour: shared/UC-API-REFERENCE.md beside the repository (sections 1, 2 and 4).
"""

# ---------------------------------------------------------------------------------------------------------
# AXL schema versions
# ASSUMPTION: a CUCM answers AXL schemas from three major releases back up to its own release, e.g. 14.0 →
# 11.0, 11.5, 12.0, 12.5, 14.0. A lab may list `axl_versions` explicitly. Real releases support a similar,
# but release-specific, window.
KNOWN_AXL_SCHEMAS = ("8.5", "9.0", "9.1", "10.0", "10.5", "11.0", "11.5", "12.0", "12.5", "14.0", "15.0")
AXL_SCHEMA_WINDOW_MAJORS = 3

# ASSUMPTION: a SOAPAction naming a schema version the system does not support is answered with HTTP 500
# and a Client fault (no axlError) whose faultstring names the supported versions. Real CUCM may answer 599
# or a different text.
UNSUPPORTED_VERSION_FAULT = "Unsupported AXL schema version %s; this server supports: %s"

# ---------------------------------------------------------------------------------------------------------
# Enterprise parameters
# Documented (reference section 1): valueType is the schema's XParam, lower case: boolean, double, long,
# string, date/time, any digit, digits, timeout, terminating, more digits; Cisco's own sample stores a
# boolean parameter as T/F, so `T`/`F` (valueType boolean) is what a lab stores by default (`boolean_style:
# tf`). How oAuthWithRefreshLoginFlow itself is stored is not documented; two other styles stay lab options:
# ASSUMPTION: `truefalse`: valueType boolean, values "true" / "false" (accepted case-insensitively on update).
# ASSUMPTION: `enum`: an index-valued parameter, valueType long (the schema has no enum type), "1" Enabled /
# "0" Disabled.
# updateServiceParameter accepts only the system's representation.
BOOLEAN_STYLES = {
    "tf": {"valueType": "boolean", True: "T", False: "F"},
    "truefalse": {"valueType": "boolean", True: "true", False: "false"},
    "enum": {"valueType": "long", True: "1", False: "0"},
}
DEFAULT_BOOLEAN_STYLE = "tf"
# valueType per kind of parameter (documented names): numbers "long", text "string".
# ASSUMPTION: multiple-choice parameters (SSOLoginBehaviorForIos) are valueType "long" with the choice's
# index as the value ("0", "1").
VALUE_TYPES = {"long": "long", "string": "string", "enum": "long"}

# ASSUMPTION: DeviceTokenExpiryTimer (days) accepts 1-3650, default 3650 (reference gives no range).
# ASSUMPTION: OAuthAccessTokenForDevices is on/off, default off; SSOLoginBehaviorForIos is an Enum,
# "0" = "Use embedded browser (WebView)" (default), "1" = "Use native browser"; UseSSOforRTMT is on/off,
# default on. The "ordinary" parameters (ClusterID, AdvertiseG722Codec, ...) are modelled loosely.

# ASSUMPTION: a value of the wrong type or out of range is refused with HTTP 500, axlcode 5009 and a
# message naming the parameter and its allowed values. Real CUCM's code and text are unknown.
BAD_VALUE_AXLCODE = 5009
BAD_VALUE_MESSAGE = "Invalid value '%s' for parameter %s: %s"

# Documented: 5007 "item not valid" for an unknown parameter.
# ASSUMPTION: a processNodeName other than EnterpriseWideData or a service other than "Enterprise Wide"
# is answered like an unknown parameter (5007). Parameter names are matched case-sensitively.
UNKNOWN_PARAMETER_AXLCODE = 5007
UNKNOWN_PARAMETER_MESSAGE = "Item not valid: The specified Service Parameter was not found (%s/%s/%s)"

# ASSUMPTION: an AXL account may hold the role `axl_read` instead of `axl`, for CUCM's "Standard AXL Read Only API
# Access" (the reference names only "Standard AXL API Access"; the read-only role's name and behaviour are not in
# it): it may read (get*, list*, executeSQLQuery, getCCMVersion) and is refused every write with HTTP 403 and the
# HTML body of a missing role (AXL_READ_ONLY_REFUSAL), before the write is tried (no write, no write attempt);
# the refresh-token revocation, a write, wants `axl`. Real CUCM may answer an AXL fault instead.
AXL_ROLES = ("axl", "axl_read")
AXL_WRITE_ROLE = "axl"
AXL_READ_ONLY_REFUSAL = "The user %s may only read through AXL (Standard AXL Read Only API Access): %s is a write"
# getAppUser{name|uuid} answers return/appUser{userid, associatedGroups{userGroup{name, userRoles{userRole}}}}
# (AXL schema). ASSUMPTION: each lab role of the account is one user group holding one role, named as below; an
# unknown user is axlcode 5007 like an unknown parameter, with APP_USER_NOT_FOUND.
AXL_ROLE_NAMES = {"axl": "Standard AXL API Access", "axl_read": "Standard AXL Read Only API Access"}
AXL_ROLE_GROUPS = {"axl": "Standard AXL API Users", "axl_read": "Standard AXL Read Only API Users"}
APP_USER_NOT_FOUND = "Item not valid: The specified User was not found (%s)"

# ASSUMPTION: a missing required element (e.g. no <name>) is answered with axlcode 5003 "... is required".
# Other schema violations (contract.py) are Client faults "Unmarshalling Error: cvc-..."; an unknown <uuid>
# (the schema's other key of get/updateServiceParameter) is 5007 like an unknown name.
MISSING_ELEMENT_AXLCODE = 5003

# ASSUMPTION: updateServiceParameter returns the parameter's uuid ("{XXXXXXXX-...}") in <return>.
# Documented side effect: changing refreshTokenExpiryTimer revokes every refresh token.
# ASSUMPTION: only an actual change of value revokes; writing the same value again does not.

# ---------------------------------------------------------------------------------------------------------
# listProcessNode (reference section 5: name, nodeUsage Publisher/Subscriber, processNodeRole
# "CUCM Voice/Video" or "CUCM IM and Presence"; clients skip EnterpriseWideData).
# ASSUMPTION: a node's processnode `name` is its address (the simulator's 127.0.0.N, what a client connects
# to; real clusters show the IP or the host name the installer was given); `description` is the lab's name.
# ASSUMPTION: the virtual node EnterpriseWideData comes first, uuid {00000000-1111-0000-0000-000000000000},
# nodeUsage Publisher, processNodeRole "CUCM Voice/Video", empty description.
# ASSUMPTION: IM and Presence nodes are nodeUsage "Subscriber" (the cluster's one Publisher is the CUCM
# publisher).
NODE_USAGE = {"publisher": "Publisher", "subscriber": "Subscriber", "im_presence": "Subscriber"}
NODE_ROLE = {"publisher": "CUCM Voice/Video", "subscriber": "CUCM Voice/Video",
             "im_presence": "CUCM IM and Presence"}
ENTERPRISE_NODE_USAGE = "Publisher"
ENTERPRISE_NODE_ROLE = "CUCM Voice/Video"
# ASSUMPTION: searchCriteria (name, description, processNodeRole) match like SQL LIKE, `%` any text,
# case-insensitively; an empty <returnedTags/> returns every tag; skip/first page the result.

# ---------------------------------------------------------------------------------------------------------
# executeSQLQuery / executeSQLUpdate
# Documented: axlcode 201 for SQL syntax errors. ASSUMPTION: every SQL ucsim cannot or will not run
# (unsupported syntax, unknown table or column, OR, subqueries...) gets 201 with a message saying why.
SQL_SYNTAX_AXLCODE = 201
# ASSUMPTION: executeSQLUpdate is refused (the simulator is read-only towards SQL), axlcode 5001.
SQL_UPDATE_AXLCODE = 5001
SQL_UPDATE_MESSAGE = "executeSQLUpdate is not permitted on this system (ucsim is read-only towards SQL)"
# Documented: a response over 8 MB fails. ASSUMPTION: fault axlcode -1 (the same code as the memory fault)
# with a message starting "Query request too large"; clients must tell the two apart by the message and
# must not retry this one. The limit is the lab's `axl_max_response_bytes` (default 8 MiB).
QUERY_TOO_LARGE_AXLCODE = -1
QUERY_TOO_LARGE_MESSAGE = ("Query request too large. Total rows matched: %d rows. "
                           "Suggestive Row Fetch: less than %d rows")
# ASSUMPTION: COUNT(*) without alias is returned in an element named <count>.
COUNT_COLUMN = "count"
# ASSUMPTION: processconfig rows of enterprise parameters carry fkprocessnode
# 00000000-1111-0000-0000-000000000000 (EnterpriseWideData) and tkservice 11.
ENTERPRISE_NODE_PKID = "00000000-1111-0000-0000-000000000000"
ENTERPRISE_TKSERVICE = 11
# ASSUMPTION: refreshtokendetails.state is 1 for a usable token; validity is the expiry in epoch seconds.
TOKEN_STATE_ACTIVE = 1
# ASSUMPTION: a row that an AuthZ key regeneration made unusable (see "key_regen_tokens" below) has state 0 and
# keeps its validity. The meaning of `state` is not documented: clients must not rely on either value.
TOKEN_STATE_INVALID = 0

# Documented: "Maximum AXL Memory Allocation Consumed" fault, axlcode -1 (injected with axl_memory_reads).
MEMORY_FAULT_MESSAGE = ("Maximum AXL Memory Allocation Consumed. Please retry once requests in progress "
                        "have completed")

# ASSUMPTION: an element the schema does not have is answered with HTTP 500, faultcode soapenv:Client,
# an "Unmarshalling Error: cvc-complex-type.2.4.a ..." faultstring and no axlError detail.
# Malformed envelope (not XML, no Body, empty Body): HTTP 500 Client fault, no axlError (as the brief asks).
# An unknown operation: HTTP 500 Client fault "... is not a valid AXL operation", no axlError.

# ---------------------------------------------------------------------------------------------------------
# Throttling and HTTP
# ASSUMPTION: a throttled write is answered 503 with a short HTML body and no Retry-After header.
HTTP_503_BODY = ("<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable"
                 "</h1><p>AXL write throttled; retry after several seconds.</p></body></html>")
# ASSUMPTION: 401 carries `WWW-Authenticate: Basic realm="Cisco Unified Communications Manager"`.
BASIC_REALM = "Cisco Unified Communications Manager"
# ASSUMPTION: JSESSIONIDSSO sessions expire after `session_timeout_s` (default 1800) of inactivity; a
# request with Basic auth and a valid cookie keeps the session (no new Set-Cookie).
# ASSUMPTION: changing an account's password (control API POST /_sim/accounts/password) ends that account's
# sessions on every node of the system at once (real systems may keep a session until it expires; a client
# must cope with both: the worst case, every worker's cookie refused at once, is the one simulated).
PASSWORD_CHANGE_ENDS_SESSIONS = True

# ---------------------------------------------------------------------------------------------------------
# /ssosp
# Documented (seed 000, the developer guide's sample): the SSO status reply is
#   <SingleSignOn version=""><Status enabled="…"/><Token reuse="…"/></SingleSignOn>
# with exactly that root and its one attribute, version, empty; ucsim answers it so, with no XML declaration,
# as the sample shows it. (Seed 003's Expressway trace of the edge's reply has an <?xml?> declaration and an
# <SSOResult version="1.0"> root: clients accept any root element name and version.)
# ASSUMPTION: Token reuse is "true" exactly when oAuthWithRefreshLoginFlow is enabled (inferred from seed 003),
# read live.
SSO_VERSION = ""

# Refresh-token revocation. Documented: success body. Not documented, chosen here:
# ASSUMPTION: a known end user with no (matching) tokens → 200, status "success", empty clientID_tokens.
# ASSUMPTION: an unknown client_id is treated like a client with no tokens (success, empty list).
# ASSUMPTION: an unknown user → HTTP 200 with
#   {"revoked_tokens":{"status":"failure","user_id":"X","message":"User not found"}}
REVOKE_UNKNOWN_USER_STATUS = 200
REVOKE_UNKNOWN_USER_MESSAGE = "User not found"
# ASSUMPTION: no user_id parameter → HTTP 400 with status "failure" and message "user_id is required".
# ASSUMPTION: user ids are matched exactly (case-sensitively); only end users hold refresh tokens.
# ASSUMPTION: refresh token values are 64 hex digits.

# Fixed OAuth client ids. Documented: WebDialer, CUMI and UDS (seed 000's table); Jabber's (seed 003's Expressway
# log, where Jabber asks /authorize with it, and TAC 216948's revocation reply; reference section 2).
CLIENT_IDS = {
    "webdialer": "C6738b873b76e759297af757959cbbaf5f438913186b26547b37fe2ab376311ab",
    "cumi": "C69908c4f345729af0a23cdfff1d255272de942193e7d39171ddd307bc488d7a1",
    "uds": "Cc4013d474571c1963e6d45ee9c835b6373b397bef748a6c864c07e95d8e6144e",
    "jabber": "C1b4b988f3efa1c3fc97d0d0a36f6b97f244b4fafe55e8d9d78774e305bae9ab1",
}

# ---------------------------------------------------------------------------------------------------------
# Unity Connection CUPI (/vmrest): AuthZ servers (reference section 4). Documented: the fields and their
# lengths, POST -> 201 with the new URI as body, PUT -> 204, DELETE -> 204, PUT /vmrest/authz/sync/<id> ->
# 204, ErrorDetails/errors/{code,message}, JSON with Accept: application/json (XML otherwise), rowsPerPage and
# pageNumber paging, the GUI's sync status texts.
# ASSUMPTION: JSON values are all strings ("8443", "true"), as Connection's XML-to-JSON mapping produces; a
# list of one is a bare object under "AuthzServer", an empty list has no "AuthzServer" key; the total is
# "@total". The lab setting `json_values: typed` answers numbers and booleans as JSON types instead.
CUPI_DEFAULT_JSON_VALUES = "strings"
# ASSUMPTION: the list is {"@total": "N", "AuthzServer": ...} in JSON (no AuthzServers wrapper) and
# <AuthzServers total="N"><AuthzServer>...</AuthzServer></AuthzServers> in XML; every object carries a URI
# field (/vmrest/authz/server/<ObjectId>) and ServerPassword empty. Without rowsPerPage every server is
# listed; pageNumber starts at 1; a page past the end is an empty list with the full total.
# rowsPerPage/pageNumber that are not positive integers → 400 INVALID_PARAMETER.
# ASSUMPTION: POST needs DisplayName, ServerNodeAddress, ServerUsername and ServerPassword; Port defaults to
# 8443 and IgnoreCertificateError to false. A PUT may not empty one of them. ObjectId, LastSyncStatus and URI
# in a body are ignored; an unknown field is 400 INVALID_PARAMETER. Values are accepted as strings or JSON
# types; XML bodies (Content-Type */xml) are accepted too. The 201 body is the URI as text/plain.
CUPI_REQUIRED_FIELDS = ("DisplayName", "ServerNodeAddress", "ServerUsername", "ServerPassword")
CUPI_DEFAULT_PORT = 8443
CUPI_MAX_LENGTHS = {"DisplayName": 64, "ServerNodeAddress": 64, "ServerUsername": 64}
# ASSUMPTION: the ErrorDetails codes (real ones are not documented for these calls); HTTP status as named.
CUPI_MISSING_PARAMETER = "MISSING_PARAMETER"   # 400
CUPI_INVALID_PARAMETER = "INVALID_PARAMETER"   # 400: too long, not a number, out of range, unknown field
CUPI_DUPLICATE = "DUPLICATE_OBJECT"            # 400: DisplayName taken (compared case-insensitively)
# ASSUMPTION: Connection removes the spaces around every text field but ServerPassword before storing it, and
# compares display names for uniqueness without letter case (Cisco documents neither; real Connection may keep
# spaces or compare case-sensitively: the client matches names the tolerant way, stripped and case-folded).
CUPI_DUPLICATE_MESSAGE = "An AuthZ server with the display name '%s' already exists"
CUPI_NOT_FOUND = "NOT_FOUND"                   # 404: unknown ObjectId
CUPI_NOT_FOUND_MESSAGE = "AuthzServer with ObjectId %s not found"
CUPI_METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"  # 405
CUPI_BAD_BODY = "INVALID_REQUEST"              # 400: body neither JSON nor XML
# ASSUMPTION: Connection's administrators need role `admin` (System Administrator); a wrong password is 401,
# a user without the role 403, both with an HTML body like CUCM's (no ErrorDetails), and the same
# JSESSIONIDSSO session cookie as the simulated CUCM (real Connection also uses JSESSIONID).
CUPI_ADMIN_ROLE = "admin"

# Key sync (PUT /vmrest/authz/sync/<id>). ASSUMPTION: the sync runs synchronously: when the 204 is sent,
# LastSyncStatus already holds the outcome (real Connection may finish later: clients read it back).
# ASSUMPTION: it consults the CUCM cluster's state through the simulator's registry (no request is logged on
# the CUCM). Checks, in the order a real connection fails:
#  1. ServerNodeAddress (a node's address or `hostnames`, the cluster's `hostnames` for its publisher, and for a
#     CUCM without `nodes:` also 127.0.0.1, ::1, localhost; case-insensitively) and Port (the cluster's port)
#     must reach a node of a CUCM cluster (the simulator's registry answers), else
SYNC_CONNECT_FAILED = "Failed to connect to Authz Server %s:%d. Check the address and port of the server"
#  2. unless IgnoreCertificateError, the Connection must trust that CUCM (lab `trust: [cucm names]`; without
#     `trust`, every CUCM of the lab), else
SYNC_CERTIFICATE_FAILED = ("Failed to validate certificates of Authz Server %s. Upload its Tomcat certificate "
                           "to tomcat-trust")
#  3. ServerUsername/ServerPassword must be a CUCM account (lab `users`) ...
SYNC_BAD_CREDENTIALS = "Not authorized - Invalid Username or Password"
#     ... holding the AXL role. ASSUMPTION: Connection words a 403 from CUCM differently from a 401 (real
#     Connection may show the 401 text for both; the client treats "Not authorized" without "AXL"/"role" as
#     "bad credentials or missing AXL role").
SYNC_AXL_ROLE = "axl"
SYNC_NO_AXL_ROLE = "Not authorized - User does not have the Standard AXL API Access role"
#  4. else "Passed - May 12,2017 07:00:53 AM GMT" (time of the sync, GMT, English month abbreviations), and
#     Connection keeps the checksums of that CUCM's current AuthZ signing and encryption keys (shown in
#     GET /_sim/state as authz_servers[].synced_keys). A failed sync keeps the keys of the last passed one.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# The sync is logged and counted as a write (operation "PUT /vmrest/authz/sync/{id}") whatever its outcome.

# ---------------------------------------------------------------------------------------------------------
# The CUCM platform CLI over SSH (reference section 3; issue 8). Documented: keyboard-interactive auth (some
# scripts use password auth), no exec channel, a vt100 shell, the `admin:` prompt, a slow login through the two
# banner lines below, `set cli pagination off` → "Automatic pagination is turned off", confirmations like
# "Continue (y/n)?" / "Do you want to continue (yes/no) ?", failures ending "Executed command unsuccessfully",
# `show version active` → "Active Master Version: ...", the `utils service list|restart` lines.
CLI_PROMPT = "admin:"
CLI_STARTING = "Command Line Interface is starting up, please wait ..."
CLI_WELCOME = "   Welcome to the Platform Command Line Interface"
CLI_PAGINATION_OFF = "Automatic pagination is turned off"
CLI_FAILED = "Executed command unsuccessfully"
# ASSUMPTION: the keyboard-interactive exchange is one round with one hidden prompt "Password: " (name and
# instruction empty); real CUCM may also ask again for the user name. Password auth is offered only when the lab
# says so (`password_auth: true`); exec, subsystem and port-forwarding requests are refused (channel open or
# request failure, as paramiko reports "Channel closed." / "rejected").
CLI_KBD_PROMPT = "Password: "
# ASSUMPTION: the banner after login is the two lines above, then a blank line, then the prompt; the real CLI
# also prints the VMware/host information lines, which clients must ignore. The login delay (lab
# `login_delay_s`, default short) is slept between the two banner lines.
CLI_BANNER_EXTRA = ("", "VMware Installation:", "  2 vCPU: Intel(R) Xeon(R) CPU", "  Disk 1: 110GB", "")
# ASSUMPTION: commands are matched case-insensitively after folding spaces; an unknown or incomplete command is
# answered with the line below and then CLI_FAILED (real CUCM prints its help for incomplete commands).
CLI_UNKNOWN = "Invalid command: %s"
# ASSUMPTION (not documented; the CLI's shell is a vt100 line editor): the shells of the platform CLI and of
# Expressway's xAPI edit lines as a terminal line editor does, and act on what they receive byte by byte, before
# any command is judged: DEL (0x7f) and backspace (0x08) erase the last character, Ctrl-U (0x15) kills the whole
# line, Ctrl-W (0x17) erases the last word, Ctrl-C (0x03) cancels the line (echo "^C", a fresh prompt), CR or LF
# ends it. ESC starts an escape sequence (ESC [ ... final or ESC O final; ESC + any other character is a Meta key)
# and the 8-bit CSI byte 0x9b a CSI sequence: cursor up (final A) recalls the previous line of the session's
# history, cursor down (B) the next one; other sequences are swallowed. Other control bytes (NUL, tab, Ctrl-A...)
# and the other C1 bytes 0x80-0x9f are ignored; bytes are read as Latin-1, so the UTF-8 bytes of a non-ASCII
# character become several characters (and those with a byte 0x80-0x9f lose it). A real CLI may also complete on
# tab and move the cursor with left/right: the collection types nothing but printable ASCII, so none of this
# reaches a command it judged.
CLI_LINE_EDITOR = "vt100"
# ASSUMPTION: automatic pagination is on at login and pages output longer than 20 lines with the prompt below;
# any key but `q` shows the next page, `q` ends the output. The prompt line is erased with CR + spaces + CR.
CLI_PAGE_LINES = 20
CLI_PAGER = "  Press <enter> for 1 line, <space> for one page, or <q> to quit"
CLI_PAGINATION_ON = "Automatic pagination is turned on"
# ASSUMPTION: `show key authz signing|encryption` prints (the reference only says: a checksum of the key):
#   AuthZ signing key
#   Checksum: 3f2a...(32 lower-case hex digits)
#   Last Regenerated: Tue Dec 01 08:33:18 UTC 2026      ("Never" before the first regeneration)
# Real CUCM may word, order or case these differently or print another hash length: the client looks for a
# "checksum" line, else the one long hex token.
CLI_KEY_TITLE = "AuthZ %s key"
CLI_KEY_CHECKSUM = "Checksum: %s"
CLI_KEY_REGENERATED = "Last Regenerated: %s"
CLI_KEY_NEVER = "Never"
CLI_TIME_FORMAT = "%a %b %d %H:%M:%S UTC %Y"
# ASSUMPTION: `set key regen authz signing|encryption` warns, asks CLI_REGEN_CONFIRM and wants `yes` (or `y`);
# anything else cancels. Success and cancel lines as below (real texts are not documented).
CLI_REGEN_WARNING = ("WARNING: Regenerating the AuthZ %s key invalidates every OAuth access and refresh token "
                     "issued with the current key.", "Clients must log in again.")
CLI_REGEN_CONFIRM = "Do you want to continue (yes/no) ? "
CLI_REGEN_DONE = "AuthZ %s key regenerated successfully"
CLI_REGEN_CANCELLED = "Key regeneration cancelled"
# ASSUMPTION: `show myself` prints these lines (close to real output; values from the lab and session).
CLI_MYSELF = ("Machine Name    : %(hostname)s", "account name    : %(user)s", "privilege level : %(privilege)d",
              "command count disabled : false", "logging setting : disabled")
# ASSUMPTION: `show version active` prints the version line and then this line.
CLI_NO_OPTIONS = "Active Version Installed Software Options:\nNo Installed Software Options Found."
# ASSUMPTION: commands run in about no time unless the lab sets `command_delay_s`; `exit`/`quit` close the shell.
# Documented (CLI reference, reference section 3): `show key authz ...` and `set key regen authz ...` need command
# privilege level 4 and are not allowed during an upgrade; `set key regen authz ...` runs on the publisher only.
# ASSUMPTION: the words of the refusals (not public): each is one line, then CLI_FAILED; nothing is asked or done.
# A user below level 4 gets CLI_INSUFFICIENT (also for `utils service start|stop|restart`).
CLI_PRIVILEGE_REQUIRED = 4
CLI_INSUFFICIENT = "Insufficient privilege level to execute this command"
# ASSUMPTION: "during an upgrade" means while the node the command is typed on has an upgrade in progress (the lab's
# `platform.upgrade_in_progress`: true for every node of the cluster, or a list of node names); the other nodes
# of the cluster still allow the commands. The privilege check comes first.
CLI_UPGRADE_REFUSED = "This command is not allowed while an upgrade is in progress"
# ASSUMPTION: `set key regen authz ...` typed on a subscriber or an IM and Presence node is refused after the
# privilege and upgrade checks (real CUCM may hide the command there or word it otherwise).
CLI_PUBLISHER_ONLY = "This command can be executed only on the publisher node"
# Documented: `show network cluster` prints one line per node, `<ip> <fqdn> <host> Publisher|Subscriber
# callmanager ...`. ASSUMPTION: the rest of the line is `callmanager` (`cups` for IM and Presence), `DBPub` /
# `DBSub` and `authenticated`; the nodes come in lab order; the node's fqdn is its first host name (or its lab
# name), its host the fqdn's first label; then a blank line and the processnode table of the fqdns:
CLI_CLUSTER_LINE = "%(address)s %(fqdn)s %(host)s %(usage)s %(product)s %(db)s authenticated"
CLI_CLUSTER_TABLE = ("", "Server Table (processnode) Entries", "----------------------------------")
# ASSUMPTION: `show myself` shows the node's own host name as Machine Name (the fqdn's first label).
# ASSUMPTION: `utils service list|start|stop|restart <name>` act on the node's own services, the same ones
# Serviceability reports (state/services.py): list prints these header lines, then one line per service,
# "<name>[STATE]" and, for a stopped one, two spaces and its reason. STATE is the status upper-cased
# (STARTED, STOPPED, STARTING, STOPPING). The exact words of start/stop/restart are not public: restart prints
# the warning and "Service Manager is running", then "<name>[STOPPING]"; the shell waits until the service has
# stopped (the stopping part of its restart time), prints "<name>[STOPPED]" and "<name>[STARTING]" and returns
# to the prompt while the service is still starting (clients read the status to know when it is back: Cisco
# Tomcat's node answers Serviceability with 503 until it is Started). stop prints STOPPING, waits the same way,
# then STOPPED; start prints STARTING and returns. A service the node does not deploy fails with
# CLI_SERVICE_UNKNOWN; a service not activated prints "<name>[STOPPED]  Service Not Activated" and is left alone;
# start on a running service and stop on a stopped one print its line and change nothing. Changing a service
# needs privilege level CLI_PRIVILEGE_REQUIRED; listing does not.
CLI_SERVICE_LIST_HEADER = ("Requesting service status, please wait...", "Service Manager is running",
                           "Getting list of all services", ">> Return code = 0")
CLI_SERVICE_RESTART_WARNING = ("Do not press Ctrl+C while the service is restarting. If the service has not "
                               "restarted properly, execute the same command again.")
CLI_SERVICE_MANAGER = "Service Manager is running"
CLI_SERVICE_LINE = "%s[%s]"
CLI_SERVICE_UNKNOWN = "Service not found or not deployable on this node: %s"
# Documented: a regeneration of either AuthZ key makes every refresh token of the cluster invalid (reference
# section 3: tokens issued with the old keys "become invalid"). Not documented: whether their rows in
# refreshtokendetails go. The lab's `key_regen_tokens` chooses:
# ASSUMPTION (default): `invalid`: the rows stay, with state TOKEN_STATE_INVALID (the control API counts them in
# refresh_token_count, and only usable ones in usable_refresh_token_count); `deleted`: the rows go, as on a
# revocation. Either way the revoke endpoint removes and lists a user's rows, invalid ones too, and a change of
# refreshTokenExpiryTimer (documented: "revokes") removes every row. Access tokens are not modelled.
KEY_REGEN_TOKENS_MODES = ("invalid", "deleted")
KEY_REGEN_TOKENS_DEFAULT = "invalid"
# ASSUMPTION: Unity Connection is not told of a regeneration: CUPI's LastSyncStatus keeps the last sync's words
# ("Passed - ..."); the control API shows the server as stale (keys_current false) until it syncs again.
# ASSUMPTION: the platform administrators are the lab's `platform.admins` (not the AXL application users), with
# a privilege level (default 4).

# ---------------------------------------------------------------------------------------------------------
# Expressway-C admin CLI (xAPI over SSH; reference section 6)
# Documented: seed 003 reads `*c xConfiguration CollaborationEdge OAuthLocal: On|Off` and `... LegacyCred:
# On|Off`; the MRA Deployment Guide's defaults: "Authorize by OAuth token with refresh" On, "Authorize by OAuth
# token" (OAuthLocal) Off, "Authorize by user credentials" (LegacyCred) Off, "Check for internal authentication
# availability" No. Public tools (netmiko cisco_tp) end each reply at a line `OK`, `ERROR` or
# `Command not recognized.`, with no prompt and paging off by default.
# ASSUMPTION: the CLI name of "Authorize by OAuth token with refresh" is `CollaborationEdge OAuthWithRefresh`
# (On|Off). Cisco does not publish it; the collection's modules take the name as an option.
# ASSUMPTION: "Check for internal authentication availability" is `CollaborationEdge InternalAuthAvailability`
# (On|Off), MRA itself `CollaborationEdge Enabled` (On|Off, default On in the simulator).
XAPI_REFRESH_SETTING = "OAuthWithRefresh"
# Discovery (issue 18): because that name is a guess, a lab can take leaves out (`absent_leaves: ["CollaborationEdge
# OAuthWithRefresh"]`: an Expressway that does not show the assumed leaf) and add leaves ucsim does not otherwise
# know (`extra_leaves: {"CollaborationEdge SomeNewLeaf": "On"}`, listed after the known ones, in the lab's order).
# ASSUMPTION: a leaf the system does not have is absent from `xConfiguration <section>` and answered like any
# unknown path (XAPI_NO_MATCH) when read or set on its own. A real Expressway may name "Authorize by OAuth token
# with refresh" otherwise (the client discovers the section and writes only the leaves it lists).
# ASSUMPTION: the login banner: before the login delay nothing; then these lines (with the lab's hostname and
# version), then `OK`. No prompt follows: the client waits for the `OK` line.
XAPI_BANNER = ("Welcome to %(hostname)s", "Cisco Expressway-C Release %(version)s", "SW Release Date: 2023-06-01")
XAPI_OK = "OK"
XAPI_ERROR = "ERROR"
XAPI_UNKNOWN = "Command not recognized."
XAPI_KBD_PROMPT = "Password: "
# ASSUMPTION: paths and enum values are case-insensitive (seed 003 itself spells `OauthLocal`); replies use the
# canonical spelling. Words are folded on spaces; a set is `xConfiguration <path>: <value>` (a value may be in
# double quotes); a read is `xConfiguration [<path prefix>]` and lists every leaf under the prefix, one line each:
XAPI_CONFIG_LINE = "*c xConfiguration %s: %s"
# ASSUMPTION: string values are printed in double quotes, On/Off and numbers bare (as TC/CE xAPI prints them).
# ASSUMPTION: `xStatus [<path prefix>]` lists status leaves the same way:
XAPI_STATUS_LINE = "*s %s: %s"
# ASSUMPTION: errors as TC/CE xAPI prints them: a `*r` block with the reason and the path, `** end`, `ERROR`.
XAPI_ERROR_HEAD = "*r Result (status=Error):"
XAPI_ERROR_REASON = '    Reason: "%s"'
XAPI_ERROR_XPATH = '    XPath: "%s"'
XAPI_ERROR_END = "** end"
XAPI_NO_MATCH = "No match on address expression."
XAPI_INVALID_VALUE = "Invalid value %s (valid: %s)."
XAPI_READ_ONLY = "Access denied: the account is read-only."
# ASSUMPTION: an administrator with privilege below 4 (the lab's `admins[].privilege`, as on CUCM) may read but
# not set; a set of the value a leaf already has is still carried out (and counted as a write).
XAPI_WRITE_PRIVILEGE = 4
# ASSUMPTION: the admin CLI shows the logged-in account's access level as a status leaf (Expressway's web
# interface shows it under Users > Administrator accounts, "Access level": Read-write, Read-only or Auditor; no
# CLI command for it is public). `xStatus Login Session AccessLevel` lists it for the session's own account:
# ReadWrite (privilege >= XAPI_WRITE_PRIVILEGE) or ReadOnly. The client treats a missing leaf (No match) as
# "not shown" and never writes to find out.
XAPI_ACCESS_STATUS = "Login Session AccessLevel"
XAPI_ACCESS_VALUES = ("ReadWrite", "ReadOnly")
# ASSUMPTION: `bye`, `exit` and `quit` close the shell.
XAPI_EXIT_COMMANDS = ("bye", "exit", "quit")

# Serviceability: services per node and their control (reference section 5)
# Documented: soapGetServiceStatus / soapDoControlServices (Start, Stop, Restart) at
# /controlcenterservice2/services/ControlCenterServices, namespace http://schemas.cisco.com/ast/soap, acting on
# the node the request is sent to; ServiceStatus Started | Stopped | Starting | Stopping | Unknown; reason codes
# -1 success, -1068 Service Not Activated, -1069 Commanded Out of Service; only deployable services can be
# controlled; too many calls get the fault "Exceeded allowed rate"; Tomcat serves the API itself.
SERVICEABILITY_NS = "http://schemas.cisco.com/ast/soap"
# Documented (ControlCenterServices.wsdl): elementFormDefault="qualified" (every element of a request in that
# namespace), soapGetServiceStatus{ServiceStatus+} (one name each), soapDoControlServices{ControlServiceRequest{
# NodeName, ControlType, ServiceList{item*}}}, soapGetStaticServiceList{ServiceInformationResponse},
# getProductInformationList{ServiceInfo}; the binding's SOAPAction of each operation is its name.
# ASSUMPTION: CUCM checks requests against that schema and refuses a violation with HTTP 500 and a Client fault
# whose faultstring is Xerces' cvc-... message naming the element (contract.Violation.message), as AXL's
# schema validation does; a request whose SOAPAction is missing or names another operation gets a Client
# fault too. The real faultstrings are not documented. The lab setting `sim.soap_contract: lenient` (or
# `ucsim serve --lenient-soap`) turns both checks off, for AXL too.
SERVICEABILITY_SOAPACTION_FAULT = "SOAPAction %r does not name the operation %s: its binding declares SOAPAction %r"
# ASSUMPTION: an empty <ServiceStatus> asks for every service the node deploys (documented by public clients,
# not by the WSDL); names are answered in the order asked, one item each.
# ASSUMPTION: soapGetStaticServiceList lists the services a node deploys (DEPLOYABLE_SERVICES of its role), each
# Deployable true, ServiceType Service, GroupName SERVICE_GROUP, depending on Cisco Tomcat (Tomcat on nothing);
# its ServiceInformationResponse value is ignored. getProductInformationList answers the cluster's version,
# the publisher as PrimaryNode, no SecondaryNode, one product by the node's role (PRODUCT_BY_ROLE: name,
# ProductID/ShortName) and the same services; its ServiceInfo value is ignored.
SERVICE_GROUP = "CM Services"
PRODUCT_BY_ROLE = {"publisher": ("Cisco Unified CallManager", "CallManager"),
                   "subscriber": ("Cisco Unified CallManager", "CallManager"),
                   "im_presence": ("Cisco Unified Presence Server", "CUPS")}
SERVICE_STATUSES = ("Started", "Stopped", "Starting", "Stopping", "Unknown")
REASON_SUCCESS = -1
REASON_NOT_ACTIVATED = -1068
REASON_COMMANDED_OUT = -1069
REASON_STRINGS = {-1: "", -1068: "Service Not Activated", -1069: "Commanded Out of Service"}
# ASSUMPTION: which services each role deploys (the names are Cisco's; the lists are short, not complete):
# {service: activated by default}. A service a node does not deploy is "not deployable" there.
DEPLOYABLE_SERVICES = {
    "publisher": {"Cisco CallManager": True, "Cisco Tomcat": True, "Cisco CTIManager": True, "Cisco TFTP": True,
                  "Cisco AXL Web Service": True, "Cisco DirSync": False, "Cisco Bulk Provisioning Service": False},
    "subscriber": {"Cisco CallManager": True, "Cisco Tomcat": True, "Cisco CTIManager": True, "Cisco TFTP": False,
                   "Cisco AXL Web Service": False},
    "im_presence": {"Cisco Tomcat": True, "Cisco XCP Authentication Service": True, "Cisco XCP Router": True,
                    "Cisco Presence Engine": True, "Cisco SIP Proxy": True},
}
# ASSUMPTION: an unknown or not deployable service in soapGetServiceStatus comes back as an item with
# ServiceStatus "Unknown" and this reason code and text; soapDoControlServices on one is a Server fault
# naming the service and the node (real CUCM's code and words are not documented).
REASON_NOT_DEPLOYABLE = -1000
REASON_NOT_DEPLOYABLE_STRING = "Service Not Found or Not Deployable"
CONTROL_NOT_DEPLOYABLE_FAULT = "Service %s is not deployable on node %s"
# ASSUMPTION: starting a service that is not activated leaves it Stopped with reason -1068 (no fault).
# ASSUMPTION: a service takes the lab's `services.restart_s` seconds (per service `services.times`) from a
# Restart to Started: Stopping for SERVICE_STOP_SHARE of that time, then Starting; a Start takes the Starting
# part, a Stop the Stopping part. StartTime is when it reached Started; UpTime the whole seconds since.
SERVICE_STOP_SHARE = 0.3
DEFAULT_RESTART_S = 1.0
# ASSUMPTION: StartTime is printed like C's ctime() in UTC ("Tue Dec 01 08:00:00 2026", day zero-padded); clients should rather
# rely on UpTime (seconds) and tolerate other formats.
START_TIME_FORMAT = "%a %b %d %H:%M:%S %Y"
# ASSUMPTION: the reply's ReturnCode is "0" when every service was handled, ReasonCode -1, ReasonString empty.
RETURN_CODE_OK = "0"
# ASSUMPTION: soapDoControlServices answers at once (it does not wait for the services): the items show the
# status right after the command (Stopping for a Restart or Stop, Starting for a Start).
# ASSUMPTION: NodeName must name the node the request reached (its address, lab name or a host name, any
# case); another node's name is a Server fault (each call acts on the node it is sent to).
CONTROL_OTHER_NODE_FAULT = "NodeName %s is not this node (%s): send the request to the node it acts on"
# ASSUMPTION: "Exceeded allowed rate" is a Server fault (HTTP 500) whose faultstring is exactly those words;
# a node refuses a Serviceability request that comes sooner than the lab's `services.min_poll_interval_s`
# after the last request of the same operation it answered (default 0: no limit): the window is per node and
# operation (soapGetServiceStatus, soapDoControlServices), so a control request right after a status read is
# admitted, while polls closer than the window are refused. Refused requests do not move the window.
RATE_FAULT = "Exceeded allowed rate"
# ASSUMPTION: Cisco Tomcat cannot be controlled through Serviceability (it serves the API): a Server fault;
# while a node's Tomcat is not Started its Serviceability answers 503. The platform CLI restarts Tomcat.
TOMCAT = "Cisco Tomcat"
CONTROL_TOMCAT_FAULT = ("Cisco Tomcat serves this API and cannot be controlled through it: use the platform "
                        "CLI (utils service restart Cisco Tomcat)")
SERVICEABILITY_503_BODY = ("<html><head><title>503 Service Unavailable</title></head><body><h1>Service "
                           "Unavailable</h1><p>Serviceability is not available.</p></body></html>")
# ASSUMPTION: fault `service_never_returns: N`: the next N services started (Start or Restart) stay Starting
# until they are started again. Fault `node_down: NAME` (or a list): the node answers nothing (the request is
# read, then the connection closed with no reply; the control API still answers).
# ASSUMPTION: Serviceability admits the accounts with the AXL role (`axl`), as AXL does; real CUCM wants the
# Standard CCM Admin Users and Standard SERVICEABILITY roles.

# -- rate limit (token bucket) ----------------------------------------------------------------------------------
# ASSUMPTION: CUCM's rate limits are not documented as numbers. The simulator models them as a token bucket per
# system and operation (lab `sim.rate_limit` or fault `rate_limit`: {rps, burst, operations}): a request that
# finds the bucket empty is refused before it is carried out, with HTTP 503, the HTML body above and a
# `Retry-After` header of the whole seconds until a token is back (AXL, REST); Serviceability answers its
# "Exceeded allowed rate" Server fault instead (no Retry-After). A refused request takes no token.
RATE_LIMIT_SOAP_FAULT_PATHS = ("/controlcenterservice2/",)
