//! Desktop notifications: when a tool waits for approval, a turn finishes, or a session fails
//! or stalls (as the desktop's user chose: `push.desktop_set`), or a session is archived, while
//! the window is hidden or not focused. The text is a push's: it names the project and what
//! happened, never the prompt, the answer, a command or an error's details.

use std::collections::HashMap;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use tether_engine::push::{kind_of, words};
use tether_protocol::model::{SessionInfo, SessionStatus};
use tether_protocol::push::NotifyKind;

/// A notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub title: &'static str,
    pub body: String,
}

/// What a session's move from `before` to `now` is worth telling, if anything, when `kinds`
/// are chosen.
pub fn note_for(
    before: Option<SessionStatus>,
    now: SessionStatus,
    project: &str,
    kinds: &[NotifyKind],
) -> Option<Note> {
    if now == SessionStatus::Ended {
        return before
            .is_some_and(|before| before != SessionStatus::Ended)
            .then(|| Note {
                title: "A session ended",
                body: format!("A session in {project} was archived."),
            });
    }
    let kind = kind_of(before, now).filter(|kind| kinds.contains(kind))?;
    let (title, body) = words(kind, project);
    Some(Note { title, body })
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
        kinds: &[NotifyKind],
    ) {
        let now = session.status;
        let before = self.statuses.insert(session.id.clone(), now);
        let Some(note) = note_for(before, now, project, kinds) else {
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
    use tether_protocol::push::NotifyKind;

    use super::note_for;

    /// A status by its wire name.
    fn status(name: &str) -> SessionStatus {
        serde_json::from_value(serde_json::json!(name)).unwrap()
    }

    /// The note's title for a move, with every kind chosen.
    fn title(before: Option<&str>, now: &str) -> Option<&'static str> {
        note_for(before.map(status), status(now), "web", &NotifyKind::ALL).map(|note| note.title)
    }

    #[test]
    fn approvals_and_endings_are_told_once_and_nothing_else() {
        let waiting = note_for(
            Some(status("running")),
            status("awaiting_approval"),
            "web",
            &NotifyKind::ALL,
        )
        .unwrap();
        assert_eq!(
            (waiting.title, waiting.body.as_str()),
            (
                "Claude is waiting for you",
                "A tool needs your approval in web."
            )
        );
        assert_eq!(title(Some("awaiting_approval"), "awaiting_approval"), None);
        assert_eq!(title(Some("running"), "idle"), Some("Claude has finished"));
        assert_eq!(
            title(Some("awaiting_approval"), "idle"),
            Some("Claude has finished")
        );
        assert_eq!(
            title(None, "idle"),
            None,
            "a session first seen idle did nothing"
        );
        assert_eq!(title(Some("idle"), "idle"), None);
        assert_eq!(title(Some("running"), "running"), None);
        assert_eq!(
            title(Some("running"), "errored"),
            Some("A session needs you")
        );
        assert_eq!(
            title(Some("running"), "stalled"),
            Some("A session needs you")
        );
        assert_eq!(title(Some("idle"), "ended"), Some("A session ended"));
        assert_eq!(
            title(None, "ended"),
            None,
            "archived before this app saw it"
        );
    }

    #[test]
    fn only_the_chosen_kinds_are_told_and_an_archived_session_always() {
        let approvals = [NotifyKind::Approval];
        let moved = |before, now| note_for(Some(status(before)), status(now), "web", &approvals);
        assert!(moved("running", "awaiting_approval").is_some());
        assert_eq!(moved("running", "idle"), None, "finished was not chosen");
        assert_eq!(moved("running", "errored"), None, "failed was not chosen");
        assert!(note_for(Some(status("idle")), status("ended"), "web", &[]).is_some());
    }
}
