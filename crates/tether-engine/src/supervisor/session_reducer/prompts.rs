//! The user's prompts: what one carries (text, images, or both), the message it becomes, and
//! the turn it starts.

use super::SessionReducer;
use tether_protocol::events::{MessageCreated, SessionEvent};
use tether_protocol::model::{Message, Part, Role, SessionStatus};

/// What the user sends: text, images, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub text: String,
    pub images: Vec<Image>,
}

/// An image a prompt carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub media_type: String,
    /// Base64.
    pub data: String,
}

impl SessionReducer {
    /// Records a message the user sent; returns its id and the events.
    pub fn user_message(&mut self, prompt: &Prompt) -> (String, Vec<SessionEvent>) {
        self.user_messages += 1;
        let id = format!("user-{}", self.user_messages);
        let events = self.prompt(id.clone(), &prompt.text, prompt.images.clone());
        (id, events)
    }

    /// Records a prompt with its images under the message id `id` (a transcript's line id).
    pub fn prompt(&mut self, id: String, text: &str, images: Vec<Image>) -> Vec<SessionEvent> {
        // A prompt of images alone has no text part.
        let mut parts: Vec<Part> = (!text.is_empty())
            .then(|| Part::Text {
                id: format!("{id}:0"),
                text: text.to_owned(),
            })
            .into_iter()
            .collect();
        parts.extend(
            images
                .into_iter()
                .enumerate()
                .map(|(index, image)| Part::Image {
                    id: format!("{id}:{}", index + 1),
                    media_type: image.media_type,
                    data: image.data,
                }),
        );
        let message = Message {
            id,
            role: Role::User,
            parts,
        };
        let mut events = Vec::new();
        self.push(
            &mut events,
            SessionEvent::MessageCreated(MessageCreated { message }),
        );
        events
    }

    /// The prompt reached `claude`: the turn runs, unless an approval still waits (the prompt
    /// is then queued behind it).
    pub fn prompt_sent(&mut self) -> Vec<SessionEvent> {
        if self.view.approvals.is_empty() {
            self.set_status(SessionStatus::Running, None)
        } else {
            Vec::new()
        }
    }
}
