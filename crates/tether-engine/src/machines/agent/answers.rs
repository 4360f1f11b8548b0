//! What a hub may ask a machine besides running `claude`: the read-only file and git methods,
//! for the machine's own projects.

use serde_json::Value;

use super::Agent;
use crate::auth::Caller;
use tether_protocol::machine::{FORWARDED_METHODS, Outcome};
use tether_protocol::{ErrorCode, RpcError};

impl Agent {
    /// Runs one of the read-only methods a hub may ask, for one of this machine's projects.
    pub(super) async fn answer(&self, method: &str, params: Value) -> Outcome {
        if !FORWARDED_METHODS.contains(&method) {
            let why = format!("a hub may not ask a machine for {method:?}");
            return Outcome::Error(RpcError::new(ErrorCode::Forbidden, why));
        }
        let project = params
            .get("project_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !self.projects().iter().any(|offered| offered.id == project) {
            let why = format!("this machine offers no project {project:?}");
            return Outcome::Error(RpcError::new(ErrorCode::NotFound, why));
        }
        match crate::rpc::dispatch(&self.engine, &Caller::Local, method, Some(params)).await {
            Ok(result) => Outcome::Result(result),
            Err(error) => Outcome::Error(error),
        }
    }
}
