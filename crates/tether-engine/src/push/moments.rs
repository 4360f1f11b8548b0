//! Which session moves a device is told of, and what it is told: the kind, the project's name,
//! the session, and words that hold nothing of the prompt, the answer or a command.

use serde::Serialize;

use tether_protocol::model::SessionStatus;
use tether_protocol::push::NotifyKind;

/// What a move from `before` to `now` is worth telling, if anything.
pub fn kind_of(before: Option<SessionStatus>, now: SessionStatus) -> Option<NotifyKind> {
    let was_busy = before.is_some_and(SessionStatus::is_mid_turn);
    match now {
        SessionStatus::AwaitingApproval if before != Some(now) => Some(NotifyKind::Approval),
        SessionStatus::Idle if was_busy => Some(NotifyKind::Finished),
        SessionStatus::Errored | SessionStatus::Stalled if before != Some(now) => {
            Some(NotifyKind::Failed)
        }
        _ => None,
    }
}

/// A push's payload, as the service worker reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payload {
    pub kind: NotifyKind,
    pub session_id: String,
    pub project: String,
    pub title: &'static str,
    pub body: String,
    /// For an approval pushed to one device: how to answer it from the notification.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval: Option<ApprovalAnswer>,
}

/// The approval a notification may answer: its id, and the single-use credential minted for
/// it and the device the push goes to (never the device token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovalAnswer {
    pub request_id: String,
    pub credential: String,
}

impl Payload {
    /// The test a device asks for: it says only that notifications arrive.
    pub fn test() -> Self {
        Self {
            kind: NotifyKind::Finished,
            session_id: String::new(),
            project: String::new(),
            title: "Tether test notification",
            body: "Notifications reach this device.".to_owned(),
            approval: None,
        }
    }

    pub fn new(kind: NotifyKind, session_id: &str, project: &str) -> Self {
        let (title, body) = words(kind, project);
        Self {
            kind,
            session_id: session_id.to_owned(),
            project: project.to_owned(),
            title,
            body,
            approval: None,
        }
    }
}

/// A notification's title and text for `kind` in `project`, wherever it is shown.
pub fn words(kind: NotifyKind, project: &str) -> (&'static str, String) {
    match kind {
        NotifyKind::Approval => (
            "Claude is waiting for you",
            format!("A tool needs your approval in {project}."),
        ),
        NotifyKind::Finished => (
            "Claude has finished",
            format!("The answer in {project} is ready."),
        ),
        NotifyKind::Failed => (
            "A session needs you",
            format!("A session in {project} stopped or stalled."),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SessionStatus::*;

    #[test]
    fn approvals_ends_of_turns_and_failures_are_told_once() {
        assert_eq!(
            kind_of(Some(Running), AwaitingApproval),
            Some(NotifyKind::Approval)
        );
        assert_eq!(kind_of(Some(AwaitingApproval), AwaitingApproval), None);
        assert_eq!(kind_of(Some(Running), Idle), Some(NotifyKind::Finished));
        assert_eq!(kind_of(Some(Idle), Idle), None);
        assert_eq!(kind_of(None, Idle), None, "a session just learned of");
        assert_eq!(kind_of(Some(Running), Errored), Some(NotifyKind::Failed));
        assert_eq!(kind_of(Some(Running), Stalled), Some(NotifyKind::Failed));
        assert_eq!(kind_of(Some(Stalled), Stalled), None);
        assert_eq!(kind_of(Some(Idle), Ended), None);
    }
}
