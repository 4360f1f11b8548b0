// Generated from the Rust protocol types (crates/tether-protocol) by `make gen`. Do not edit.

export const PROTOCOL_VERSION = 1;

export type RequestId = number | string;

export type Position = { epoch: string, offset: number, };

export type ClientFrame = { "type": "request", id: RequestId, method: string, params?: unknown, } | { "type": "subscribe", id?: RequestId, channels: Array<string>, since?: { [key in string]: Position }, } | { "type": "unsubscribe", id?: RequestId, channels: Array<string>, } | { "type": "ping" };

export type ServerInfo = { version: string, };

export type ConnectionInfo = { id: number, 
/**
 * The name of the device or token the connection authenticated as.
 */
device: string, user: string, };

export type SubscriptionState = { channel: string, epoch: string, 
/**
 * The channel's newest offset; replayed events end here, live ones follow.
 */
offset: number, 
/**
 * Present when `since` was given: whether every missed event follows.
 */
recovered?: boolean, };

export type ServerFrame = { "type": "welcome", protocol: number, server: ServerInfo, connection: ConnectionInfo, } | { "type": "response", id: RequestId | null, result?: unknown, error?: RpcError, } | { "type": "subscribed", id?: RequestId, channels: Array<SubscriptionState>, } | { "type": "unsubscribed", id?: RequestId, channels: Array<string>, } | { "type": "event", channel: string, event: string, offset: number, data: unknown, } | { "type": "pong" };

export type ErrorCode = "invalid_frame" | "unknown_frame_type" | "unsupported_frame" | "method_not_found" | "invalid_params" | "invalid_channel" | "forbidden" | "too_many_subscriptions" | "rate_limited" | "not_found" | "unavailable" | "unauthorized" | "forbidden_origin" | "forbidden_host" | "overloaded" | "conflict" | "pairing_failed" | "internal";

export type RpcError = { code: ErrorCode, message: string, details?: unknown, };

export type HealthReport = { 
/**
 * What is wrong, in words, while something is; the store then keeps serving what it can.
 */
problem: string | null, 
/**
 * Events shown to clients that the log could not save since the engine started.
 */
lost_events: number, commits: number, events_saved: number, commit_ms_mean: number, commit_ms_max: number, };

export type SystemInfo = { version: string, protocol: number, uptime_ms: number, 
/**
 * Live WebSocket connections.
 */
connections: number, 
/**
 * How the store is doing: a problem while it cannot save, its commit figures.
 */
store: HealthReport, };

export type Device = { id: string, name: string, 
/**
 * Seconds since the Unix epoch.
 */
paired_at: number, 
/**
 * When it last connected or made a request, in seconds since the Unix epoch.
 */
last_seen: number | null, 
/**
 * The network address it last came from.
 */
last_address: string | null, 
/**
 * A computer running `tether agent` (it connects at `/ws/machine` only), not a phone
 * or a script.
 */
machine: boolean, };

export type PairedDevice = { device: Device, token: string, };

export type ListedDevice = { online: boolean, connections: number, id: string, name: string, 
/**
 * Seconds since the Unix epoch.
 */
paired_at: number, 
/**
 * When it last connected or made a request, in seconds since the Unix epoch.
 */
last_seen: number | null, 
/**
 * The network address it last came from.
 */
last_address: string | null, 
/**
 * A computer running `tether agent` (it connects at `/ws/machine` only), not a phone
 * or a script.
 */
machine: boolean, };

export type Machine = { 
/**
 * Its device id.
 */
id: string, 
/**
 * The name it paired with (renamed like a device).
 */
name: string, online: boolean, 
/**
 * When its link was last heard from, in seconds since the Unix epoch.
 */
last_seen: number | null, 
/**
 * Its host name, as it reported it.
 */
hostname: string | null, 
/**
 * The Tether version it runs.
 */
version: string | null, 
/**
 * `claude --version` there, if it found claude.
 */
claude_version: string | null, };

export type PairingOffer = { 
/**
 * The code to type, e.g. `7KQF-3M9D`.
 */
code: string, 
/**
 * When the code stops working, in seconds since the Unix epoch.
 */
expires_at: number, 
/**
 * The page to open, with the code after `#` (not the certificate's fingerprint: the page
 * cannot read the certificate of its own connection, so it could not check one).
 */
link: string | null, 
/**
 * The LAN certificate's fingerprint, when LAN access is on.
 */
fingerprint: string | null, 
/**
 * `link` as a QR code, an SVG document.
 */
qr_svg: string | null, };

export type PairingRequest = { id: string, 
/**
 * The name the device gave.
 */
name: string, 
/**
 * The network address it asked from.
 */
address: string | null, 
/**
 * A computer asking to join as a machine (`tether agent pair`), not a device.
 */
machine: boolean, };

export type AuthorizedKey = { 
/**
 * `SHA256:…`, as `ssh-keygen -l` prints it.
 */
fingerprint: string, name: string, 
/**
 * The key in OpenSSH's one-line form.
 */
public_key: string, 
/**
 * Seconds since the Unix epoch.
 */
added_at: number, last_used: number | null, };

export type LanStatus = { enabled: boolean, 
/**
 * `https://ADDRESS:PORT/` while enabled.
 */
url: string | null, 
/**
 * The certificate's `SHA256:…` fingerprint, for clients to pin.
 */
fingerprint: string | null, 
/**
 * When the certificate expires, in seconds since the Unix epoch (it is made anew when
 * LAN access starts within a month of it).
 */
expires_at: number | null, };

export type RemoteSource = "settings" | "desktop" | "tailscale";

export type RemoteStatus = { 
/**
 * `https://HOST[:PORT]` while set: devices pair and connect through it.
 */
public_url: string | null, 
/**
 * Who set it; none while it is off.
 */
source: RemoteSource | null, };

export type NotifyKind = "approval" | "finished" | "failed";

export type PushKeys = { p256dh: string, auth: string, };

export type PushSubscribeParams = { 
/**
 * The push service's `https://` URL for this browser.
 */
endpoint: string, keys: PushKeys, 
/**
 * What to be told of; by default approvals and failures.
 */
kinds?: Array<NotifyKind>, 
/**
 * `expirationTime` as the browser gives it; ignored.
 */
expirationTime?: number | null, };

export type PushEndpointParams = { endpoint: string, };

export type PushSubscription = { endpoint: string, kinds: Array<NotifyKind>, 
/**
 * Seconds since the Unix epoch.
 */
created_at: number, };

export type PushStatus = { 
/**
 * The engine's VAPID public key (base64url, uncompressed P-256): `applicationServerKey`.
 */
vapid_public_key: string, subscriptions: Array<PushSubscription>, };

export type PushTested = { 
/**
 * How many subscriptions it was queued for.
 */
queued: number, };

export type DesktopNotify = { kinds: Array<NotifyKind>, };

export type NtfyTokenParams = { token: string | null, };

export type Project = { id: string, name: string, path: string, 
/**
 * Seconds since the Unix epoch.
 */
added_at: number, 
/**
 * The machine (its device id) the folder is on; none for this computer.
 */
machine: string | null, };

export type SessionStatus = "starting" | "idle" | "running" | "awaiting_approval" | "interrupted" | "stalled" | "errored" | "ended";

export type Usage = { input_tokens: number, output_tokens: number, cache_creation_input_tokens: number, cache_read_input_tokens: number, };

export type SessionInfo = { id: string, project_id: string, status: SessionStatus, model: string | null, permission_mode: string, 
/**
 * The CLI's own id for the conversation (what `--resume` takes), once known.
 */
claude_session_id: string | null, 
/**
 * Seconds since the Unix epoch.
 */
created_at: number, 
/**
 * When the status last changed (a prompt that starts a turn changes it), in seconds since
 * the Unix epoch.
 */
last_active_at: number, total_cost_usd: number, usage: Usage, 
/**
 * The last failure, in words, while it is relevant.
 */
last_error: string | null, 
/**
 * The Claude Code session (from its transcripts) this one carries on, if any.
 */
origin: Origin | null, 
/**
 * The name its user gave it (`sessions.rename`), if any.
 */
title: string | null, 
/**
 * The machine (its device id) it runs on; none for this computer.
 */
machine: string | null, };

export type Origin = { 
/**
 * The CLI's id of the session carried on (a transcript's id).
 */
transcript_id: string, 
/**
 * Forked (`--fork-session`): the CLI gives the continuation an id of its own.
 */
fork: boolean, };

export type Role = "user" | "assistant";

export type Message = { id: string, role: Role, parts: Array<Part>, };

export type Part = { "kind": "text", id: string, text: string, } | { "kind": "thinking", id: string, text: string, } | { "kind": "image", id: string, 
/**
 * `image/png`, `image/jpeg`, `image/gif` or `image/webp`.
 */
media_type: string, 
/**
 * The image, base64-encoded.
 */
data: string, } | { "kind": "tool_use", 
/**
 * The CLI's tool_use id; the result is paired with it.
 */
id: string, name: string, input: unknown, result: ToolOutcome | null, };

export type ToolOutcome = { content: unknown, is_error: boolean, };

export type Approval = { request_id: string, tool_use_id: string | null, tool_name: string, input: unknown, description: string | null, 
/**
 * Rules the CLI proposes for "always allow".
 */
suggestions: Array<unknown>, };

export type Todo = { 
/**
 * The CLI's id for a task made by TaskCreate; TodoWrite items have none.
 */
id?: string, content: string, status: string, activeForm?: string, };

export type SlashCommand = { 
/**
 * Without the slash, e.g. `compact`.
 */
name: string, description: string, 
/**
 * What it takes after its name, e.g. `[focus]`; empty when nothing.
 */
argument_hint: string, 
/**
 * Other names it answers to, e.g. `cost` for `usage`.
 */
aliases: Array<string>, kind: CommandKind, };

export type FilesSearchParams = { project_id: string, 
/**
 * Letters to find in a path, in order (`srvmain` finds `src/server/main.rs`); blank
 * lists the project's first entries.
 */
query: string, 
/**
 * At most this many (1–200, default 50).
 */
limit?: number, };

export type FileKind = "file" | "folder";

export type FileEntry = { path: string, kind: FileKind, };

export type FileMatches = { 
/**
 * Best first.
 */
entries: Array<FileEntry>, 
/**
 * The project holds more entries than are searched (see `files.search`).
 */
truncated: boolean, };

export type FilePathParams = { project_id: string, 
/**
 * Relative to the project's folder.
 */
path: string, };

export type FileContent = { path: string, 
/**
 * In bytes.
 */
size: number, body: FileBody, };

export type FileBody = { "kind": "text", text: string, } | { "kind": "binary" } | { "kind": "too_large", limit: number, };

export type ProjectParams = { project_id: string, };

export type GitStatus = { "state": "not_repository" } | { "state": "repository" } & GitRepository;

export type GitRepository = { 
/**
 * `None` on a detached HEAD.
 */
branch: string | null, 
/**
 * The commit checked out (abbreviated); `None` before the first commit.
 */
head: string | null, upstream: string | null, ahead: number, behind: number, 
/**
 * Changed, added, deleted, renamed, conflicted and untracked files.
 */
changes: Array<GitChange>, 
/**
 * More files changed than are listed.
 */
truncated: boolean, };

export type GitChange = { path: string, 
/**
 * The path it was renamed or copied from.
 */
from?: string, 
/**
 * What changed in the index (staged), as git's one-letter code (`M`, `A`, `D`, `R`, `C`,
 * `U`, `.` for nothing, `?` untracked).
 */
staged: string, 
/**
 * What changed in the working tree, likewise.
 */
unstaged: string, };

export type GitDiffParams = { project_id: string, path: string, 
/**
 * The staged change (index against HEAD) instead of the working tree's.
 */
staged?: boolean, };

export type GitDiff = { path: string, 
/**
 * A unified diff; empty when nothing changed. An untracked file's whole text.
 */
diff: string, 
/**
 * The diff was cut at the most shown.
 */
truncated: boolean, };

export type SearchParams = { 
/**
 * Words to find, as typed: quotes, `*`, `NEAR`, `AND`, parentheses are plain text; the
 * last word also matches as the start of a word.
 */
query: string, 
/**
 * At most this many (1–100, default 30).
 */
limit?: number, };

export type SearchHit = { session_id: string, message_id: string, role: Role, 
/**
 * The text around the match, the matched words marked.
 */
snippet: Array<SnippetPiece>, };

export type SnippetPiece = { text: string, matched: boolean, };

export type CommandKind = "builtin" | "project" | "user" | "skill";

export type SessionSnapshot = { session: SessionInfo, messages: Array<Message>, approvals: Array<Approval>, todos: Array<Todo>, 
/**
 * The agents the CLI offers (from its `initialize` answer), once known.
 */
agents: Array<unknown>, 
/**
 * Where the session's channel stood when this was taken: subscribe with it as `since`
 * and the events that follow apply on top of this snapshot, none twice.
 */
position: Position | null, 
/**
 * When `messages` is the last page only (`sessions.get` with `parts`): pass as `before`
 * to `sessions.read` for the page before; absent when every message is here.
 */
before?: number, };

export type MessageCreated = { message: Message, };

export type PartCreated = { message_id: string, part: Part, };

export type PartDelta = { message_id: string, part_id: string, text: string, };

export type PartUpdated = { message_id: string, part: Part, };

export type UsageUpdated = { usage: Usage, total_cost_usd: number, };

export type ApprovalRequired = { approval: Approval, };

export type Decision = "allow" | "allow_always" | "deny" | "cancelled";

export type ApprovalResolved = { request_id: string, decision: Decision, by: string | null, };

export type TodoUpdated = { todos: Array<Todo>, };

export type AgentsUpdated = { agents: Array<unknown>, };

export type SessionSummary = { session: SessionInfo, };

export type SessionEnded = { total_cost_usd: number, usage: Usage, duration_ms: number, };

export type SessionEvent = { "event": "message.created", "data": MessageCreated } | { "event": "part.created", "data": PartCreated } | { "event": "part.delta", "data": PartDelta } | { "event": "part.updated", "data": PartUpdated } | { "event": "usage.updated", "data": UsageUpdated } | { "event": "tool.approval_required", "data": ApprovalRequired } | { "event": "tool.approval_resolved", "data": ApprovalResolved } | { "event": "todo.updated", "data": TodoUpdated } | { "event": "agents.updated", "data": AgentsUpdated } | { "event": "session.updated", "data": SessionSummary } | { "event": "session.ended", "data": SessionEnded };

export type ProjectEvent = { "event": "session.updated", "data": SessionSummary } | { "event": "session.ended", "data": SessionSummary };

export type PairingStarted = { expires_at: number, };

export type PairingOutcome = "approved" | "denied" | "withdrawn" | "failed";

export type PairingResolved = { id: string, outcome: PairingOutcome, device?: Device, };

export type PairingWrongCode = { address: string | null, tries: number, tries_left: number, };

export type PairingBurned = { address: string | null, };

export type SessionDeleted = { session_id: string, };

export type StoreUpdated = { problem: string | null, };

export type AccountEvent = { "event": "device.paired", "data": Device } | { "event": "device.renamed", "data": Device } | { "event": "device.revoked", "data": Device } | { "event": "machine.updated", "data": Machine } | { "event": "pairing.started", "data": PairingStarted } | { "event": "pairing.requested", "data": PairingRequest } | { "event": "pairing.resolved", "data": PairingResolved } | { "event": "pairing.wrong_code", "data": PairingWrongCode } | { "event": "pairing.burned", "data": PairingBurned } | { "event": "key.added", "data": AuthorizedKey } | { "event": "key.removed", "data": AuthorizedKey } | { "event": "lan.updated", "data": LanStatus } | { "event": "remote.updated", "data": RemoteStatus } | { "event": "project.added", "data": Project } | { "event": "project.removed", "data": Project } | { "event": "session.created", "data": SessionSummary } | { "event": "session.updated", "data": SessionSummary } | { "event": "session.ended", "data": SessionSummary } | { "event": "session.deleted", "data": SessionDeleted } | { "event": "store.updated", "data": StoreUpdated } | { "event": "terminal.indexed", "data": IndexProgress };

export type NoParams = Record<symbol, never>;

export type SessionParams = { session_id: string, };

export type SessionGetParams = { session_id: string, parts?: number, };

export type SessionReadParams = { session_id: string, before: number, 
/**
 * At most this many parts (default 500, at most 5000; at least one message).
 */
parts?: number, };

export type DeviceCreateParams = { name: string, 
/**
 * A token for a computer running `tether agent` rather than for a device.
 */
machine?: boolean, };

export type DeviceRenameParams = { id: string, name: string, };

export type DeviceIdParams = { id: string, };

export type PairingRequestParams = { request_id: string, };

export type KeyAddParams = { 
/**
 * OpenSSH's one-line form, as in `id_ed25519.pub` or `authorized_keys`.
 */
public_key: string, name?: string, };

export type KeyRemoveParams = { fingerprint: string, };

export type LanEnableParams = { 
/**
 * The interface address; by default the configured one, else the one that routes out.
 */
address?: string, 
/**
 * By default the configured port.
 */
port?: number, };

export type RemoteSetParams = { 
/**
 * `https://HOST[:PORT]`: no path, query or credentials.
 */
public_url: string | null, };

export type RemoteTailscaleParams = { enabled: boolean, };

export type ProjectAddParams = { path: string, };

export type ProjectIdParams = { id: string, };

export type SessionCreateParams = { project_id: string, 
/**
 * The machine the project is on (checked against it); by default the project's own.
 */
machine?: string, model?: string, permission_mode?: string, };

export type SessionListParams = { project_id?: string, };

export type ModelParams = { session_id: string, model: string, };

export type RenameParams = { session_id: string, title: string | null, };

export type ModeParams = { session_id: string, mode: string, };

export type SendParams = { session_id: string, text: string, 
/**
 * The client's id for this prompt (1–64 characters), so resending it after a
 * reconnect never sends it twice.
 */
client_id?: string, 
/**
 * Images sent with the prompt (at most 20): checked from their bytes, never their
 * declared type. `text` may be blank when there is one.
 */
images?: Array<ImageUpload>, };

export type ImageUpload = { 
/**
 * `image/png`, `image/jpeg`, `image/gif` or `image/webp`; it must be what the data is.
 */
media_type: string, 
/**
 * The image, base64-encoded (standard alphabet, padded): at most 5 MB of base64 and
 * 8000 pixels on each side, as the Anthropic API takes.
 */
data: string, };

export type ApproveParams = { session_id: string, request_id: string, 
/**
 * Also add the CLI's suggested rules, so it stops asking for the same thing.
 */
always?: boolean, };

export type RejectParams = { session_id: string, request_id: string, message?: string, };

export type AgentParams = { session_id: string, name: string, };

export type TodosParams = { session_id: string, todos: Array<Todo>, };

export type HistoryParams = { channel: string, since: Position, 
/**
 * 1 to `MAX_HISTORY_PAGE` events (the most by default).
 */
limit?: number, };

export type TerminalListParams = { folder?: string, 
/**
 * At most this many (default 200, at most 1000).
 */
limit?: number, };

export type TerminalParams = { id: string, };

export type TerminalReadParams = { id: string, before: number, 
/**
 * At most this many turns (default 20, at most 200).
 */
turns?: number, };

export type TerminalContinueParams = { id: string, fork?: boolean, };

export type TerminalSession = { 
/**
 * The CLI's session id (what `--resume` takes).
 */
id: string, 
/**
 * The working directory its lines name; none when no line could be read.
 */
folder: string | null, 
/**
 * A title given with `/rename`, else the CLI's summary, else the first prompt.
 */
title: string | null, 
/**
 * Seconds since the Unix epoch.
 */
first_at: number | null, last_at: number | null, 
/**
 * Prompts and assistant messages.
 */
messages: number, git_branch: string | null, model: string | null, total_cost_usd: number, usage: Usage, bytes: number, 
/**
 * Lines that could not be read and were skipped.
 */
skipped_lines: number, 
/**
 * Why some or all of it could not be read.
 */
problem: string | null, 
/**
 * A `claude` outside Tether is writing it now.
 */
live: boolean, 
/**
 * The Tether session that continues it, if one does.
 */
tether_session_id: string | null, };

export type TerminalFolder = { path: string, sessions: number, last_at: number | null, 
/**
 * The project for this folder, when there is one.
 */
project_id: string | null, 
/**
 * The folder no longer exists.
 */
missing: boolean, };

export type IndexProgress = { 
/**
 * Transcript files found.
 */
files: number, 
/**
 * Of them, read up to date.
 */
indexed: number, 
/**
 * Every file found has been read.
 */
done: boolean, };

export type TerminalList = { 
/**
 * Most recent first.
 */
sessions: Array<TerminalSession>, progress: IndexProgress, };

export type TerminalFolders = { 
/**
 * Most recent first.
 */
folders: Array<TerminalFolder>, progress: IndexProgress, };

export type TerminalOpened = { transcript: TerminalSession, snapshot: SessionSnapshot, 
/**
 * Pass as `before` to `terminal.read` for the page before; none at the start.
 */
before: number | null, };

export type MessagePage = { messages: Array<Message>, 
/**
 * Pass as `before` for the page before this one; none at the start.
 */
before: number | null, };

export type Done = Record<symbol, never>;

export type MessageSent = { message_id: string, };

export type RefusedRule = { rule: unknown, why: string, };

export type Approved = { refused_rules: Array<RefusedRule>, };

export type History = { channel: string, epoch: string, 
/**
 * The channel's newest offset now.
 */
head: number, 
/**
 * False when the events after `since` are no longer all kept (or `since` is of another
 * stream): reload through RPC instead.
 */
recovered: boolean, 
/**
 * Event frames after `since`, oldest first (token deltas of settled parts may be compacted
 * away: the `part.updated` that follows carries the part whole).
 */
events: Array<unknown>, 
/**
 * Page on with this offset as `since`; equal to `head` when nothing more is missed.
 */
next: number, };

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

/** Every method: its params and its result. */
export type Methods = {
  "system.info": { params: NoParams; result: SystemInfo };
  "devices.create": { params: DeviceCreateParams; result: PairedDevice };
  "devices.list": { params: NoParams; result: Array<ListedDevice> };
  "devices.rename": { params: DeviceRenameParams; result: Device };
  "devices.revoke": { params: DeviceIdParams; result: Device };
  "machines.list": { params: NoParams; result: Array<Machine> };
  "pairing.start": { params: NoParams; result: PairingOffer };
  "pairing.waiting": { params: NoParams; result: Array<PairingRequest> };
  "pairing.approve": { params: PairingRequestParams; result: Device };
  "pairing.deny": { params: PairingRequestParams; result: PairingRequest };
  "keys.list": { params: NoParams; result: Array<AuthorizedKey> };
  "keys.add": { params: KeyAddParams; result: AuthorizedKey };
  "keys.remove": { params: KeyRemoveParams; result: AuthorizedKey };
  "lan.status": { params: NoParams; result: LanStatus };
  "lan.enable": { params: LanEnableParams; result: LanStatus };
  "lan.disable": { params: NoParams; result: LanStatus };
  "lan.rotate_certificate": { params: NoParams; result: LanStatus };
  "remote.status": { params: NoParams; result: RemoteStatus };
  "remote.set": { params: RemoteSetParams; result: RemoteStatus };
  "remote.tailscale": { params: RemoteTailscaleParams; result: RemoteStatus };
  "push.status": { params: NoParams; result: PushStatus };
  "push.subscribe": { params: PushSubscribeParams; result: PushSubscription };
  "push.unsubscribe": { params: PushEndpointParams; result: PushSubscription };
  "push.list": { params: NoParams; result: Array<PushSubscription> };
  "push.test": { params: NoParams; result: PushTested };
  "push.desktop": { params: NoParams; result: DesktopNotify };
  "push.desktop_set": { params: DesktopNotify; result: DesktopNotify };
  "push.ntfy_token": { params: NtfyTokenParams; result: Done };
  "push.ntfy_test": { params: NoParams; result: Done };
  "projects.add": { params: ProjectAddParams; result: Project };
  "projects.list": { params: NoParams; result: Array<Project> };
  "projects.get": { params: ProjectIdParams; result: Project };
  "projects.remove": { params: ProjectIdParams; result: Project };
  "sessions.create": { params: SessionCreateParams; result: SessionInfo };
  "sessions.list": { params: SessionListParams; result: Array<SessionInfo> };
  "sessions.get": { params: SessionGetParams; result: SessionSnapshot };
  "sessions.read": { params: SessionReadParams; result: MessagePage };
  "sessions.archive": { params: SessionParams; result: SessionSummary };
  "sessions.delete": { params: SessionParams; result: SessionDeleted };
  "sessions.set_model": { params: ModelParams; result: SessionSummary };
  "sessions.rename": { params: RenameParams; result: SessionSummary };
  "sessions.set_permission_mode": { params: ModeParams; result: SessionSummary };
  "messages.send": { params: SendParams; result: MessageSent };
  "messages.cancel": { params: SessionParams; result: Done };
  "messages.retry": { params: SessionParams; result: MessageSent };
  "tools.list": { params: SessionParams; result: Array<Approval> };
  "tools.approve": { params: ApproveParams; result: Approved };
  "tools.reject": { params: RejectParams; result: Done };
  "agents.list": { params: SessionParams; result: Array<JsonValue> };
  "commands.list": { params: SessionParams; result: Array<SlashCommand> };
  "files.search": { params: FilesSearchParams; result: FileMatches };
  "files.read": { params: FilePathParams; result: FileContent };
  "git.status": { params: ProjectParams; result: GitStatus };
  "git.diff": { params: GitDiffParams; result: GitDiff };
  "search.messages": { params: SearchParams; result: Array<SearchHit> };
  "agents.get": { params: AgentParams; result: JsonValue };
  "todos.get": { params: SessionParams; result: Array<Todo> };
  "todos.update": { params: TodosParams; result: Done };
  "events.history": { params: HistoryParams; result: History };
  "terminal.list": { params: TerminalListParams; result: TerminalList };
  "terminal.folders": { params: NoParams; result: TerminalFolders };
  "terminal.open": { params: TerminalParams; result: TerminalOpened };
  "terminal.read": { params: TerminalReadParams; result: MessagePage };
  "terminal.continue": { params: TerminalContinueParams; result: SessionInfo };
};

/** Close codes the server sends, by reason. */
export const CloseCode = {
  normal: 1000,
  going_away: 1001,
  protocol_error: 1002,
  invalid_payload: 1007,
  policy_violation: 1008,
  message_too_big: 1009,
  internal_error: 1011,
  token_revoked: 4001,
  slow_consumer: 4002,
  heartbeat_timeout: 4003,
  access_closed: 4004,
} as const;
