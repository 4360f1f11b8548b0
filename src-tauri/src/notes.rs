//! Desktop notifications: when a tool waits for approval, or a turn or session ends, while the
//! window is hidden or not focused. The text names the project and what happened, never the
//! prompt, the answer, a command or an error's details.

use std::collections::HashMap;

use serde_json::Value;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

/// A notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub title: &'static str,
    pub body: String,
}

/// What a session's move from `before` to `now` is worth telling, if anything.
pub fn note_for(before: Option<&str>, now: &str, project: &str) -> Option<Note> {
    let was_busy = matches!(
        before,
        Some("starting" | "running" | "awaiting_approval" | "stalled")
    );
    let note = |title, body: String| Some(Note { title, body });
    match now {
        "awaiting_approval" if before != Some("awaiting_approval") => note(
            "Claude is waiting for you",
            format!("A tool needs your approval in {project}."),
        ),
        "idle" if was_busy => note(
            "Claude has finished",
            format!("The answer in {project} is ready."),
        ),
        "errored" if before != Some("errored") => note(
            "A session stopped",
            format!("A session in {project} stopped with an error."),
        ),
        "ended" if before.is_some_and(|before| before != "ended") => note(
            "A session ended",
            format!("A session in {project} was archived."),
        ),
        _ => None,
    }
}

/// Remembers each session's last status, to tell moves apart.
#[derive(Default)]
pub struct Notifier {
    statuses: HashMap<String, String>,
}

impl Notifier {
    /// Learns the statuses of the sessions in a `sessions.list` answer, so a turn already
    /// under way is told when it ends.
    pub fn seed(&mut self, sessions: &Value) {
        for session in sessions.as_array().into_iter().flatten() {
            if let (Some(id), Some(status)) = (session["id"].as_str(), session["status"].as_str()) {
                self.statuses.insert(id.to_owned(), status.to_owned());
            }
        }
    }

    /// Takes in a `session.*` event's session; shows what it is worth telling.
    pub fn session<R: Runtime>(&mut self, app: &AppHandle<R>, session: &Value, project: &str) {
        let (Some(id), Some(now)) = (session["id"].as_str(), session["status"].as_str()) else {
            return;
        };
        let before = self.statuses.insert(id.to_owned(), now.to_owned());
        let Some(note) = note_for(before.as_deref(), now, project) else {
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
    use super::note_for;

    #[test]
    fn approvals_and_endings_are_told_once_and_nothing_else() {
        let waiting = note_for(Some("running"), "awaiting_approval", "web").unwrap();
        assert_eq!(
            (waiting.title, waiting.body.as_str()),
            (
                "Claude is waiting for you",
                "A tool needs your approval in web."
            )
        );
        assert_eq!(
            note_for(Some("awaiting_approval"), "awaiting_approval", "web"),
            None
        );
        assert_eq!(
            note_for(Some("running"), "idle", "web").unwrap().title,
            "Claude has finished"
        );
        assert_eq!(
            note_for(Some("awaiting_approval"), "idle", "web")
                .unwrap()
                .title,
            "Claude has finished"
        );
        assert_eq!(
            note_for(None, "idle", "web"),
            None,
            "a session first seen idle did nothing"
        );
        assert_eq!(note_for(Some("idle"), "idle", "web"), None);
        assert_eq!(note_for(Some("running"), "running", "web"), None);
        assert_eq!(
            note_for(Some("running"), "errored", "web").unwrap().body,
            "A session in web stopped with an error."
        );
        assert_eq!(
            note_for(Some("idle"), "ended", "web").unwrap().title,
            "A session ended"
        );
        assert_eq!(
            note_for(None, "ended", "web"),
            None,
            "archived before this app saw it"
        );
    }
}
