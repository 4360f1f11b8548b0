//! Desktop notifications: when a tool waits for approval, or a turn or session ends, while the
//! window is hidden or not focused. The text names the project and what happened, never the
//! prompt, the answer, a command or an error's details.

use std::collections::HashMap;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use tether_protocol::model::{SessionInfo, SessionStatus};

/// A notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub title: &'static str,
    pub body: String,
}

/// What a session's move from `before` to `now` is worth telling, if anything.
pub fn note_for(before: Option<SessionStatus>, now: SessionStatus, project: &str) -> Option<Note> {
    let was_busy = before.is_some_and(SessionStatus::is_mid_turn);
    let note = |title, body: String| Some(Note { title, body });
    match now {
        SessionStatus::AwaitingApproval if before != Some(SessionStatus::AwaitingApproval) => note(
            "Claude is waiting for you",
            format!("A tool needs your approval in {project}."),
        ),
        SessionStatus::Idle if was_busy => note(
            "Claude has finished",
            format!("The answer in {project} is ready."),
        ),
        SessionStatus::Errored if before != Some(SessionStatus::Errored) => note(
            "A session stopped",
            format!("A session in {project} stopped with an error."),
        ),
        SessionStatus::Ended if before.is_some_and(|before| before != SessionStatus::Ended) => {
            note(
                "A session ended",
                format!("A session in {project} was archived."),
            )
        }
        _ => None,
    }
}

/// Remembers each session's last status, to tell moves apart.
#[derive(Default)]
pub struct Notifier {
    statuses: HashMap<String, SessionStatus>,
}

impl Notifier {
    /// Learns the statuses of the sessions in a `sessions.list` answer, so a turn already
    /// under way is told when it ends.
    pub fn seed(&mut self, sessions: &[SessionInfo]) {
        for session in sessions {
            self.statuses.insert(session.id.clone(), session.status);
        }
    }

    /// Takes in a `session.*` event's session; shows what it is worth telling.
    pub fn session<R: Runtime>(
        &mut self,
        app: &AppHandle<R>,
        session: &SessionInfo,
        project: &str,
    ) {
        let now = session.status;
        let before = self.statuses.insert(session.id.clone(), now);
        let Some(note) = note_for(before, now, project) else {
            return;
        };
        if window_in_front(app) {
            return;
        }
        if let Err(error) = app
            .notification()
            .builder()
            .title(note.title)
            .body(&note.body)
            .show()
        {
            tracing::warn!(%error, "could not show a notification");
        }
    }
}

/// Whether the window is shown and focused (then it shows the news itself).
fn window_in_front<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.get_webview_window("main").is_some_and(|window| {
        window.is_visible().unwrap_or(false) && window.is_focused().unwrap_or(false)
    })
}

#[cfg(test)]
mod tests {
    use tether_protocol::model::SessionStatus;

    use super::note_for;

    /// A status by its wire name.
    fn status(name: &str) -> SessionStatus {
        serde_json::from_value(serde_json::json!(name)).unwrap()
    }

    #[test]
    fn approvals_and_endings_are_told_once_and_nothing_else() {
        let waiting =
            note_for(Some(status("running")), status("awaiting_approval"), "web").unwrap();
        assert_eq!(
            (waiting.title, waiting.body.as_str()),
            (
                "Claude is waiting for you",
                "A tool needs your approval in web."
            )
        );
        assert_eq!(
            note_for(
                Some(status("awaiting_approval")),
                status("awaiting_approval"),
                "web"
            ),
            None
        );
        assert_eq!(
            note_for(Some(status("running")), status("idle"), "web")
                .unwrap()
                .title,
            "Claude has finished"
        );
        assert_eq!(
            note_for(Some(status("awaiting_approval")), status("idle"), "web")
                .unwrap()
                .title,
            "Claude has finished"
        );
        assert_eq!(
            note_for(None, status("idle"), "web"),
            None,
            "a session first seen idle did nothing"
        );
        assert_eq!(note_for(Some(status("idle")), status("idle"), "web"), None);
        assert_eq!(
            note_for(Some(status("running")), status("running"), "web"),
            None
        );
        assert_eq!(
            note_for(Some(status("running")), status("errored"), "web")
                .unwrap()
                .body,
            "A session in web stopped with an error."
        );
        assert_eq!(
            note_for(Some(status("idle")), status("ended"), "web")
                .unwrap()
                .title,
            "A session ended"
        );
        assert_eq!(
            note_for(None, status("ended"), "web"),
            None,
            "archived before this app saw it"
        );
    }
}
