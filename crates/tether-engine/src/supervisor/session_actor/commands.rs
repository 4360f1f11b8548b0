//! What a session actor does when asked: send, cancel, decide approvals, change settings, archive.

use serde_json::json;
use tokio::time::Instant;

use super::Actor;
use super::changes::Setting;
use crate::supervisor::control;
use crate::supervisor::handle::{Command, Reply, SessionError};
use crate::supervisor::pages::page_before;
use crate::supervisor::rules::Approver;
use crate::supervisor::session_reducer::Prompt;
use crate::supervisor::titles;
use tether_protocol::events::{Decision, SessionEvent};
use tether_protocol::model::SessionStatus;
use tether_protocol::results::RefusedRule;
use tether_protocol::session_view::{MessagePage, SessionSnapshot};
use tether_protocol::{ChannelKind, ChannelName};

impl Actor {
    /// Handles a command; false when the actor should end.
    pub(super) async fn command(&mut self, command: Command) -> bool {
        match command {
            Command::Send {
                prompt,
                client_id,
                reply,
            } => {
                if let Some(sent) = client_id.as_deref().and_then(|id| self.sent.get(id)) {
                    let _ = reply.send(Ok(sent));
                    return true;
                }
                let result = self.send(prompt).await;
                if let (Ok(message_id), Some(client_id)) = (&result, client_id) {
                    self.sent.remember(client_id, message_id.clone());
                }
                let _ = reply.send(result);
            }
            Command::Retry { reply } => {
                let result = match self.last_prompt.clone() {
                    Some(prompt) => self.send(prompt).await,
                    None => Err(SessionError::Nothing("retry: no message was sent yet")),
                };
                let _ = reply.send(result);
            }
            Command::Cancel { reply } => {
                let _ = reply.send(self.cancel().await);
            }
            Command::Approve {
                request_id,
                always,
                by,
                reply,
            } => {
                let _ = reply.send(self.approve(&request_id, always, &by).await);
            }
            Command::Reject {
                request_id,
                message,
                by,
                reply,
            } => {
                let _ = reply.send(self.reject(&request_id, message, &by).await);
            }
            Command::SetModel { model, reply } => {
                let undo = Setting::Model(self.reducer.info().model.clone());
                let request = json!({ "subtype": "set_model", "model": model });
                let events = self.reducer.set_model(Some(model));
                self.change(events, request, undo, reply).await;
            }
            Command::SetPermissionMode { mode, reply } => {
                let undo = Setting::PermissionMode(self.reducer.info().permission_mode.clone());
                let request = json!({ "subtype": "set_permission_mode", "mode": mode });
                let events = self.reducer.set_permission_mode(mode);
                self.change(events, request, undo, reply).await;
            }
            Command::Rename { title, reply } => {
                let events = self.reducer.set_title(title);
                self.publish(events);
                let _ = reply.send(Ok(()));
            }
            Command::SetTodos { todos, reply } => {
                let events = self.reducer.set_todos(todos);
                self.publish(events);
                let _ = reply.send(Ok(()));
            }
            Command::SlashCommands { reply } => {
                if self.slash.ask(reply)
                    && let Err(error) = self.start_process(false).await
                {
                    self.slash.failed(&error.to_string());
                }
            }
            Command::Snapshot { parts, reply } => {
                let _ = reply.send(Ok(self.snapshot(parts)));
            }
            Command::Page {
                before,
                parts,
                reply,
            } => {
                let messages = &self.reducer.view().messages;
                let (range, before) = page_before(messages, before, parts);
                let messages = messages[range].to_vec();
                let _ = reply.send(Ok(MessagePage { messages, before }));
            }
            Command::Archive { reply } => {
                self.stop_process().await;
                self.update(SessionStatus::Ended, None);
                let duration_ms =
                    u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
                let events = self.reducer.ended(duration_ms);
                self.publish(events);
                // Once archived, the session is read from the store: it must hold every event.
                if let Err(problem) = self.engine.store().flush().await {
                    tracing::warn!(session = %self.reducer.info().id, %problem, "archiving did not save everything");
                }
                let _ = reply.send(Ok(()));
                return false;
            }
        }
        true
    }

    /// The session as it stands, with only the last page of its messages when `parts` is
    /// given (the rest is not copied).
    fn snapshot(&self, parts: Option<usize>) -> SessionSnapshot {
        let view = self.reducer.view();
        let position = ChannelName::new(ChannelKind::Session, &view.session.id)
            .map(|channel| self.engine.hub().open_position(&channel));
        let all = view.messages.len();
        let (range, before) = parts.map_or((0..all, None), |parts| {
            page_before(&view.messages, all, parts)
        });
        SessionSnapshot {
            session: view.session.clone(),
            messages: view.messages[range].to_vec(),
            approvals: view.approvals.clone(),
            todos: view.todos.clone(),
            agents: view.agents.clone(),
            position,
            before,
        }
    }

    /// Sends a user turn, starting `claude` first (with `--resume` when the conversation exists).
    async fn send(&mut self, prompt: Prompt) -> Result<String, SessionError> {
        // Kept first, so `retry` resends this prompt even when sending it fails.
        self.last_prompt = Some(prompt.clone());
        self.ensure_process().await?;
        let (id, events) = self.reducer.user_message(&prompt);
        self.publish(events);
        let title = titles::from_first_prompt(&self.reducer, &prompt.text);
        let line = control::user_turn(&prompt);
        if !self.write(&line).await {
            // The child died before we noticed: start it again (resuming) and send once more.
            self.stop_process().await;
            self.ensure_process().await?;
            if !self.write(&line).await {
                let tail = self
                    .process
                    .as_ref()
                    .map(|process| process.stderr_tail())
                    .unwrap_or_default();
                self.stop_process().await;
                return Err(SessionError::Spawn(format!(
                    "claude exited as soon as it started: {tail}"
                )));
            }
        }
        self.last_output = Instant::now();
        let events = self.reducer.prompt_sent();
        self.publish(events);
        // Named once it runs, so the update never shows the status from before the prompt.
        if let Some(title) = title {
            let events = self.reducer.set_title(Some(title));
            self.publish(events);
        }
        Ok(id)
    }

    /// Applies a setting now (its `events`) and for every later `claude`; a running one is
    /// asked first, and the answer waits for its reply (a refusal puts the old value back).
    async fn change(
        &mut self,
        events: Vec<SessionEvent>,
        request: serde_json::Value,
        undo: Setting,
        reply: Reply<()>,
    ) {
        self.publish(events);
        match self.control(request).await {
            Some(request_id) => {
                let deadline = Instant::now() + self.settings.answer_timeout;
                self.awaiting.wait(request_id, undo, reply, deadline);
            }
            None => {
                let _ = reply.send(Ok(()));
            }
        }
    }

    /// Interrupts the turn through the control protocol; a stalled child is stopped instead.
    async fn cancel(&mut self) -> Result<(), SessionError> {
        let machines = self.engine.machines();
        if let Some(machine) = (self.process.as_ref()).and_then(|child| child.waiting_for(machines))
        {
            self.stop_process().await;
            let note = format!("withdrawn before {machine} came online");
            self.update(SessionStatus::Interrupted, Some(note));
            return Ok(());
        }
        match self.reducer.info().status {
            SessionStatus::Running | SessionStatus::AwaitingApproval => {
                self.control(json!({ "subtype": "interrupt" })).await;
                Ok(())
            }
            SessionStatus::Stalled => {
                self.stop_process().await;
                self.resolve_all_pending();
                self.update(SessionStatus::Interrupted, None);
                Ok(())
            }
            _ => Err(SessionError::Nothing("cancel: no turn is running")),
        }
    }

    /// Allows a pending tool call if `by` may; with `always`, also the suggested rules it
    /// may apply. Returns the rules left out.
    async fn approve(
        &mut self,
        request_id: &str,
        always: bool,
        by: &Approver,
    ) -> Result<Vec<RefusedRule>, SessionError> {
        let approval = (self.reducer.approval(request_id))
            .ok_or_else(|| SessionError::NoSuchApproval(request_id.to_owned()))?
            .clone();
        if !by.may_approve(&approval.tool_name, &approval.input) {
            return Err(SessionError::DesktopOnly(approval.tool_name));
        }
        let (rules, refused) = match always {
            true => by.sort(&approval.suggestions, &self.cwd),
            false => (Vec::new(), Vec::new()),
        };
        if !refused.is_empty() {
            tracing::info!(session = %self.reducer.info().id, approver = %by.name, refused = refused.len(), "suggested rules left out of an always-allow");
        }
        let delivered = self
            .write(&control::allow(
                request_id,
                &approval.input,
                always.then_some(rules.as_slice()),
            ))
            .await;
        let decision = if always {
            Decision::AllowAlways
        } else {
            Decision::Allow
        };
        self.decided(request_id, decision, &by.name, delivered)?;
        Ok(refused)
    }

    /// Announces a decision, or, when it could not reach `claude` (it just died), that the
    /// request was cancelled; the session then errors and the next message resumes it.
    fn decided(
        &mut self,
        request_id: &str,
        decision: Decision,
        by: &str,
        delivered: bool,
    ) -> Result<(), SessionError> {
        self.last_output = Instant::now();
        let (decision, by) = if delivered {
            (decision, Some(by))
        } else {
            (Decision::Cancelled, None)
        };
        let events = self.reducer.resolved(request_id, decision, by);
        self.publish(events);
        if delivered {
            Ok(())
        } else {
            Err(SessionError::Spawn(
                "claude exited before the answer reached it".into(),
            ))
        }
    }

    async fn reject(
        &mut self,
        request_id: &str,
        message: Option<String>,
        by: &str,
    ) -> Result<(), SessionError> {
        self.reducer
            .approval(request_id)
            .ok_or_else(|| SessionError::NoSuchApproval(request_id.to_owned()))?;
        let message = message.unwrap_or_else(|| format!("The user denied this from {by}."));
        let delivered = self.write(&control::deny(request_id, &message)).await;
        self.decided(request_id, Decision::Deny, by, delivered)
    }
}
