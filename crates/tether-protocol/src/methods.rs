//! The RPC table: every method's name, parameters and result, declared once. From it come the
//! decoding of a request (`method_not_found` and `invalid_params` included), the method list,
//! each method's result type for the dispatcher, and the TypeScript map of methods for the UI.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use ts_rs::TS;

use crate::account::{AuthorizedKey, Device, PairingRequest, Project};
use crate::events::{SessionDeleted, SessionSummary};
use crate::files::*;
use crate::model::{Approval, SessionInfo, SlashCommand, Todo};
use crate::params::*;
use crate::results::*;
use crate::session_view::SessionSnapshot;
use crate::{ErrorCode, RpcError};

/// A method of the table: its name, what it takes and what it answers.
pub trait Method {
    const NAME: &'static str;
    type Params: Serialize + DeserializeOwned;
    type Result: Serialize + DeserializeOwned;

    /// A request of this method.
    fn request(params: Self::Params) -> Request;
}

/// Declares the methods: `"name" => Variant(Params) -> Result`.
macro_rules! rpc_methods {
    ($( $(#[$meta:meta])* $name:literal => $variant:ident($params:ty) -> $result:ty; )*) => {
        /// A request, decoded: the method and its parameters.
        #[derive(Debug, Clone)]
        pub enum Request {
            $( $(#[$meta])* $variant($params), )*
        }

        /// Every method name, in the table's order.
        pub const METHODS: &[&str] = &[$($name),*];

        impl Request {
            /// Reads a request for `method`; absent `params` read as `{}`.
            pub fn decode(method: &str, params: Option<Value>) -> Result<Self, RpcError> {
                let params = params.unwrap_or_else(|| Value::Object(Default::default()));
                match method {
                    $( $name => serde_json::from_value(params).map(Self::$variant).map_err(invalid), )*
                    _ => Err(RpcError::new(
                        ErrorCode::MethodNotFound,
                        format!("no method named {method:?}"),
                    )
                    .with_details(serde_json::json!({ "methods": METHODS }))),
                }
            }

            /// The method's name.
            pub fn method(&self) -> &'static str {
                match self {
                    $( Self::$variant(_) => $name, )*
                }
            }
        }

        /// One type per method, named as its request variant, for typed calls and answers.
        pub mod method {
            use super::*;
            $(
                #[doc = concat!("`", $name, "`")]
                pub struct $variant;

                impl Method for $variant {
                    const NAME: &'static str = $name;
                    type Params = $params;
                    type Result = $result;

                    fn request(params: $params) -> Request {
                        Request::$variant(params)
                    }
                }
            )*
        }

        /// The TypeScript map from each method's name to its params and result.
        pub fn typescript(cfg: &ts_rs::Config) -> String {
            let mut out = String::from("export type Methods = {\n");
            $(
                out += &format!(
                    "  {:?}: {{ params: {}; result: {} }};\n",
                    $name,
                    <$params as TS>::name(cfg),
                    <$result as TS>::name(cfg),
                );
            )*
            out + "};\n"
        }
    };
}

fn invalid(error: serde_json::Error) -> RpcError {
    RpcError::new(ErrorCode::InvalidParams, format!("invalid params: {error}"))
}

rpc_methods! {
    "system.info" => SystemInfo(NoParams) -> crate::results::SystemInfo;
    "devices.create" => DevicesCreate(DeviceCreateParams) -> PairedDevice;
    "devices.list" => DevicesList(NoParams) -> Vec<ListedDevice>;
    "devices.rename" => DevicesRename(DeviceRenameParams) -> Device;
    "devices.revoke" => DevicesRevoke(DeviceIdParams) -> Device;
    "machines.list" => MachinesList(NoParams) -> Vec<crate::machine::Machine>;
    "pairing.start" => PairingStart(NoParams) -> PairingOffer;
    "pairing.waiting" => PairingWaiting(NoParams) -> Vec<PairingRequest>;
    "pairing.approve" => PairingApprove(PairingRequestParams) -> Device;
    "pairing.deny" => PairingDeny(PairingRequestParams) -> PairingRequest;
    "keys.list" => KeysList(NoParams) -> Vec<AuthorizedKey>;
    "keys.add" => KeysAdd(KeyAddParams) -> AuthorizedKey;
    "keys.remove" => KeysRemove(KeyRemoveParams) -> AuthorizedKey;
    "lan.status" => LanStatus(NoParams) -> crate::account::LanStatus;
    "lan.enable" => LanEnable(LanEnableParams) -> crate::account::LanStatus;
    "lan.disable" => LanDisable(NoParams) -> crate::account::LanStatus;
    "lan.rotate_certificate" => LanRotateCertificate(NoParams) -> crate::account::LanStatus;
    "remote.status" => RemoteStatus(NoParams) -> crate::account::RemoteStatus;
    "remote.set" => RemoteSet(RemoteSetParams) -> crate::account::RemoteStatus;
    "remote.tailscale" => RemoteTailscale(RemoteTailscaleParams) -> crate::account::RemoteStatus;
    "push.status" => PushStatus(NoParams) -> crate::push::PushStatus;
    "push.subscribe" => PushSubscribe(crate::push::PushSubscribeParams) -> crate::push::PushSubscription;
    "push.unsubscribe" => PushUnsubscribe(crate::push::PushEndpointParams) -> crate::push::PushSubscription;
    "push.list" => PushList(NoParams) -> Vec<crate::push::PushSubscription>;
    "push.test" => PushTest(NoParams) -> crate::push::PushTested;
    "push.desktop" => PushDesktop(NoParams) -> crate::push::DesktopNotify;
    "push.desktop_set" => PushDesktopSet(crate::push::DesktopNotify) -> crate::push::DesktopNotify;
    "push.ntfy_token" => PushNtfyToken(crate::push::NtfyTokenParams) -> crate::results::Done;
    "push.ntfy_test" => PushNtfyTest(NoParams) -> crate::results::Done;
    "projects.add" => ProjectsAdd(ProjectAddParams) -> Project;
    "projects.list" => ProjectsList(NoParams) -> Vec<Project>;
    "projects.get" => ProjectsGet(ProjectIdParams) -> Project;
    "projects.remove" => ProjectsRemove(ProjectIdParams) -> Project;
    "sessions.create" => SessionsCreate(SessionCreateParams) -> SessionInfo;
    "sessions.list" => SessionsList(SessionListParams) -> Vec<SessionInfo>;
    "sessions.get" => SessionsGet(SessionGetParams) -> SessionSnapshot;
    "sessions.read" => SessionsRead(SessionReadParams) -> crate::session_view::MessagePage;
    "sessions.archive" => SessionsArchive(SessionParams) -> SessionSummary;
    "sessions.delete" => SessionsDelete(SessionParams) -> SessionDeleted;
    "sessions.set_model" => SessionsSetModel(ModelParams) -> SessionSummary;
    "sessions.rename" => SessionsRename(RenameParams) -> SessionSummary;
    "sessions.set_permission_mode" => SessionsSetPermissionMode(ModeParams) -> SessionSummary;
    "messages.send" => MessagesSend(SendParams) -> MessageSent;
    "messages.cancel" => MessagesCancel(SessionParams) -> Done;
    "messages.retry" => MessagesRetry(SessionParams) -> MessageSent;
    "tools.list" => ToolsList(SessionParams) -> Vec<Approval>;
    "tools.approve" => ToolsApprove(ApproveParams) -> Approved;
    "tools.reject" => ToolsReject(RejectParams) -> Done;
    "agents.list" => AgentsList(SessionParams) -> Vec<Value>;
    "commands.list" => CommandsList(SessionParams) -> Vec<SlashCommand>;
    "files.search" => FilesSearch(FilesSearchParams) -> FileMatches;
    "files.read" => FilesRead(FilePathParams) -> FileContent;
    "git.status" => GitStatusGet(ProjectParams) -> GitStatus;
    "git.diff" => GitDiffGet(GitDiffParams) -> GitDiff;
    "search.messages" => SearchMessages(SearchParams) -> Vec<SearchHit>;
    "agents.get" => AgentsGet(AgentParams) -> Value;
    "todos.get" => TodosGet(SessionParams) -> Vec<Todo>;
    "todos.update" => TodosUpdate(TodosParams) -> Done;
    "events.history" => EventsHistory(HistoryParams) -> History;
    "terminal.list" => TerminalList(TerminalListParams) -> crate::terminal::TerminalList;
    "terminal.folders" => TerminalFolders(NoParams) -> crate::terminal::TerminalFolders;
    "terminal.open" => TerminalOpen(TerminalParams) -> crate::terminal::TerminalOpened;
    "terminal.read" => TerminalRead(TerminalReadParams) -> crate::session_view::MessagePage;
    "terminal.continue" => TerminalContinue(TerminalContinueParams) -> SessionInfo;
}
