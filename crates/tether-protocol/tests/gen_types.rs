//! The TypeScript protocol types in ui/src/gen/ are generated from the Rust types; this test
//! fails when the committed file is stale. `make gen` (TETHER_UPDATE_GEN=1) rewrites it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::path::PathBuf;

use tether_protocol::AuthorizedKey;
use tether_protocol::Device;
use tether_protocol::LanStatus;
use tether_protocol::PairingRequest;
use tether_protocol::Project;
use tether_protocol::events::{
    AccountEvent, AgentsUpdated, ApprovalRequired, ApprovalResolved, Decision, MessageCreated,
    PairingBurned, PairingOutcome, PairingResolved, PairingStarted, PairingWrongCode, PartCreated,
    PartDelta, PartUpdated, ProjectEvent, SessionDeleted, SessionEnded, SessionEvent,
    SessionSummary, StoreUpdated, TodoUpdated, UsageUpdated,
};
use tether_protocol::files::{
    FileBody, FileContent, FileEntry, FileKind, FileMatches, FilePathParams, FilesSearchParams,
    GitChange, GitDiff, GitDiffParams, GitRepository, GitStatus, ProjectParams, SearchHit,
    SearchParams, SnippetPiece,
};
use tether_protocol::machine::Machine;
use tether_protocol::methods;
use tether_protocol::model::{
    Approval, CommandKind, Message, Origin, Part, Role, SessionInfo, SessionStatus, SlashCommand,
    Todo, ToolOutcome, Usage,
};
use tether_protocol::params::{
    AgentParams, ApproveParams, DeviceCreateParams, DeviceIdParams, DeviceRenameParams,
    HistoryParams, ImageUpload, KeyAddParams, KeyRemoveParams, LanEnableParams, ModeParams,
    ModelParams, NoParams, PairingRequestParams, ProjectAddParams, ProjectIdParams, RejectParams,
    RemoteSetParams, RemoteTailscaleParams, RenameParams, SendParams, SessionCreateParams,
    SessionGetParams, SessionListParams, SessionParams, SessionReadParams, TerminalContinueParams,
    TerminalListParams, TerminalParams, TerminalReadParams, TodosParams,
};
use tether_protocol::push::{
    DesktopNotify, NotifyKind, NtfyTokenParams, PushEndpointParams, PushKeys, PushStatus,
    PushSubscribeParams, PushSubscription, PushTested,
};
use tether_protocol::results::{
    Approved, Done, HealthReport, History, ListedDevice, MessageSent, PairedDevice, PairingOffer,
    RefusedRule, SystemInfo,
};
use tether_protocol::session_view::{MessagePage, SessionSnapshot};
use tether_protocol::terminal::{
    IndexProgress, TerminalFolder, TerminalFolders, TerminalList, TerminalOpened, TerminalSession,
};
use tether_protocol::{
    ClientFrame, CloseReason, ConnectionInfo, ErrorCode, PROTOCOL_VERSION, Position, RequestId,
    RpcError, ServerFrame, ServerInfo, SubscriptionState,
};
use tether_protocol::{RemoteSource, RemoteStatus};
use ts_rs::{Config, TS};

fn generated() -> String {
    let cfg = Config::new().with_large_int("number");
    let declarations = [
        RequestId::decl(&cfg),
        Position::decl(&cfg),
        ClientFrame::decl(&cfg),
        ServerInfo::decl(&cfg),
        ConnectionInfo::decl(&cfg),
        SubscriptionState::decl(&cfg),
        ServerFrame::decl(&cfg),
        ErrorCode::decl(&cfg),
        RpcError::decl(&cfg),
        HealthReport::decl(&cfg),
        SystemInfo::decl(&cfg),
        Device::decl(&cfg),
        PairedDevice::decl(&cfg),
        ListedDevice::decl(&cfg),
        Machine::decl(&cfg),
        PairingOffer::decl(&cfg),
        PairingRequest::decl(&cfg),
        AuthorizedKey::decl(&cfg),
        LanStatus::decl(&cfg),
        RemoteSource::decl(&cfg),
        RemoteStatus::decl(&cfg),
        NotifyKind::decl(&cfg),
        PushKeys::decl(&cfg),
        PushSubscribeParams::decl(&cfg),
        PushEndpointParams::decl(&cfg),
        PushSubscription::decl(&cfg),
        PushStatus::decl(&cfg),
        PushTested::decl(&cfg),
        DesktopNotify::decl(&cfg),
        NtfyTokenParams::decl(&cfg),
        Project::decl(&cfg),
        SessionStatus::decl(&cfg),
        Usage::decl(&cfg),
        SessionInfo::decl(&cfg),
        Origin::decl(&cfg),
        Role::decl(&cfg),
        Message::decl(&cfg),
        Part::decl(&cfg),
        ToolOutcome::decl(&cfg),
        Approval::decl(&cfg),
        Todo::decl(&cfg),
        SlashCommand::decl(&cfg),
        FilesSearchParams::decl(&cfg),
        FileKind::decl(&cfg),
        FileEntry::decl(&cfg),
        FileMatches::decl(&cfg),
        FilePathParams::decl(&cfg),
        FileContent::decl(&cfg),
        FileBody::decl(&cfg),
        ProjectParams::decl(&cfg),
        GitStatus::decl(&cfg),
        GitRepository::decl(&cfg),
        GitChange::decl(&cfg),
        GitDiffParams::decl(&cfg),
        GitDiff::decl(&cfg),
        SearchParams::decl(&cfg),
        SearchHit::decl(&cfg),
        SnippetPiece::decl(&cfg),
        CommandKind::decl(&cfg),
        SessionSnapshot::decl(&cfg),
        MessageCreated::decl(&cfg),
        PartCreated::decl(&cfg),
        PartDelta::decl(&cfg),
        PartUpdated::decl(&cfg),
        UsageUpdated::decl(&cfg),
        ApprovalRequired::decl(&cfg),
        Decision::decl(&cfg),
        ApprovalResolved::decl(&cfg),
        TodoUpdated::decl(&cfg),
        AgentsUpdated::decl(&cfg),
        SessionSummary::decl(&cfg),
        SessionEnded::decl(&cfg),
        SessionEvent::decl(&cfg),
        ProjectEvent::decl(&cfg),
        PairingStarted::decl(&cfg),
        PairingOutcome::decl(&cfg),
        PairingResolved::decl(&cfg),
        PairingWrongCode::decl(&cfg),
        PairingBurned::decl(&cfg),
        SessionDeleted::decl(&cfg),
        StoreUpdated::decl(&cfg),
        AccountEvent::decl(&cfg),
        NoParams::decl(&cfg),
        SessionParams::decl(&cfg),
        SessionGetParams::decl(&cfg),
        SessionReadParams::decl(&cfg),
        DeviceCreateParams::decl(&cfg),
        DeviceRenameParams::decl(&cfg),
        DeviceIdParams::decl(&cfg),
        PairingRequestParams::decl(&cfg),
        KeyAddParams::decl(&cfg),
        KeyRemoveParams::decl(&cfg),
        LanEnableParams::decl(&cfg),
        RemoteSetParams::decl(&cfg),
        RemoteTailscaleParams::decl(&cfg),
        ProjectAddParams::decl(&cfg),
        ProjectIdParams::decl(&cfg),
        SessionCreateParams::decl(&cfg),
        SessionListParams::decl(&cfg),
        ModelParams::decl(&cfg),
        RenameParams::decl(&cfg),
        ModeParams::decl(&cfg),
        SendParams::decl(&cfg),
        ImageUpload::decl(&cfg),
        ApproveParams::decl(&cfg),
        RejectParams::decl(&cfg),
        AgentParams::decl(&cfg),
        TodosParams::decl(&cfg),
        HistoryParams::decl(&cfg),
        TerminalListParams::decl(&cfg),
        TerminalParams::decl(&cfg),
        TerminalReadParams::decl(&cfg),
        TerminalContinueParams::decl(&cfg),
        TerminalSession::decl(&cfg),
        TerminalFolder::decl(&cfg),
        IndexProgress::decl(&cfg),
        TerminalList::decl(&cfg),
        TerminalFolders::decl(&cfg),
        TerminalOpened::decl(&cfg),
        MessagePage::decl(&cfg),
        Done::decl(&cfg),
        MessageSent::decl(&cfg),
        RefusedRule::decl(&cfg),
        Approved::decl(&cfg),
        History::decl(&cfg),
        serde_json::Value::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust protocol types (crates/tether-protocol) by `make gen`. Do not edit.\n\n",
    );
    out += &format!("export const PROTOCOL_VERSION = {PROTOCOL_VERSION};\n\n");
    for declaration in declarations {
        out += &format!("export {declaration}\n\n");
    }
    out += "/** Every method: its params and its result. */\n";
    out += &format!("{}\n", methods::typescript(&cfg));
    out += "/** Close codes the server sends, by reason. */\nexport const CloseCode = {\n";
    for reason in CloseReason::ALL {
        out += &format!("  {}: {},\n", reason.reason(), reason.code());
    }
    out += "} as const;\n";
    out
}

#[test]
fn committed_typescript_types_are_fresh() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/gen/protocol.ts");
    let fresh = generated();
    if std::env::var_os("TETHER_UPDATE_GEN").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is stale: run `make gen` and commit the result",
        path.display()
    );
}
