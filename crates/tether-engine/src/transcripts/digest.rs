//! What the index keeps of one transcript: the few facts a list shows, the offsets where its
//! turns start (for paging), and how far it has been read, so a growing file is read on from
//! there.

use super::line::{Context, Skim};
use tether_protocol::model::Usage;

/// The longest title kept, in characters.
const TITLE_MAX: usize = 120;

/// One transcript, as far as it has been read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Digest {
    /// The folder its lines name as their working directory (the first one).
    pub cwd: Option<String>,
    /// A title the user gave it, else the CLI's summary.
    pub named: Option<(String, bool)>,
    pub first_prompt: Option<String>,
    /// Seconds since the Unix epoch.
    pub first_at: Option<u64>,
    pub last_at: Option<u64>,
    /// Prompts and assistant messages.
    pub messages: u64,
    last_assistant: Option<String>,
    pub git_branch: Option<String>,
    pub model: Option<String>,
    pub cost_usd: f64,
    pub usage: Usage,
    /// Lines that could not be read (unknown types, bad JSON, too long).
    pub skipped: u64,
    /// Where each prompt line (a turn) starts.
    pub turns: Vec<u64>,
    /// Everything before this offset has been read.
    pub read_to: u64,
    /// The first reason a line was skipped.
    pub problem: Option<String>,
}

impl Digest {
    /// Takes in one line that starts at `offset`.
    pub fn add(&mut self, offset: u64, skim: Skim, context: Context) {
        if self.cwd.is_none() {
            self.cwd = context.cwd;
        }
        if let Some(at) = context.at {
            self.first_at = Some(self.first_at.map_or(at, |first| first.min(at)));
            self.last_at = Some(self.last_at.map_or(at, |last| last.max(at)));
        }
        if context.git_branch.is_some() {
            self.git_branch = context.git_branch;
        }
        match skim {
            Skim::Prompt(text) => {
                self.messages += 1;
                self.last_assistant = None;
                self.turns.push(offset);
                if self.first_prompt.is_none() && !text.starts_with('<') {
                    self.first_prompt = Some(shorten(&text));
                }
            }
            Skim::Assistant {
                message_id,
                model,
                usage,
            } => {
                // Every line of one message repeats its usage: it counts once.
                if self.last_assistant.as_ref() != Some(&message_id) {
                    self.messages += 1;
                    self.usage.add(&usage);
                    self.last_assistant = Some(message_id);
                }
                if model.is_some() {
                    self.model = model;
                }
            }
            Skim::Title { text, chosen } => {
                if chosen || !matches!(self.named, Some((_, true))) {
                    self.named = Some((shorten(&text), chosen));
                }
            }
            Skim::Cost(cost) => self.cost_usd = cost,
            Skim::Conversation | Skim::Other => {}
        }
    }

    /// Counts a line that could not be read.
    pub fn skip(&mut self, why: impl FnOnce() -> String) {
        self.skipped += 1;
        if self.problem.is_none() {
            self.problem = Some(why());
        }
    }

    /// What a list calls it: the title given, the summary, the first prompt, or nothing.
    pub fn title(&self) -> Option<&str> {
        self.named
            .as_ref()
            .map(|(title, _)| title.as_str())
            .or(self.first_prompt.as_deref())
    }
}

/// The first line of `text`, at most [`TITLE_MAX`] characters.
fn shorten(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or_default();
    let mut short: String = line.chars().take(TITLE_MAX).collect();
    if line.chars().count() > TITLE_MAX {
        short.push('…');
    }
    short
}
