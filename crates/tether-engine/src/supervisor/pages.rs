//! A long conversation in pages: the latest messages that hold at most so many parts, and the
//! page before any point, cut only between messages.

use std::ops::Range;

use tether_protocol::model::Message;

/// Where, in `messages`, the page ends at index `before` holding at most `parts` parts (at
/// least one message, however many it holds), and where the page before it ends (none at the
/// start).
pub(crate) fn page_before(
    messages: &[Message],
    before: usize,
    parts: usize,
) -> (Range<usize>, Option<u64>) {
    let end = before.min(messages.len());
    let mut start = end;
    let mut held = 0;
    while start > 0 {
        let next = messages[start - 1].parts.len();
        if start < end && held + next > parts {
            break;
        }
        held += next;
        start -= 1;
    }
    (start..end, (start > 0).then_some(start as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tether_protocol::model::{Part, Role};

    fn message(id: usize, parts: usize) -> Message {
        Message {
            id: format!("m{id}"),
            role: Role::Assistant,
            parts: (0..parts)
                .map(|part| Part::Text {
                    id: format!("m{id}p{part}"),
                    text: String::new(),
                })
                .collect(),
        }
    }

    /// The ids of the page of `messages` ending at `before`, and the cursor before it.
    fn page(messages: &[Message], before: usize, parts: usize) -> (Vec<&str>, Option<u64>) {
        let (range, earlier) = page_before(messages, before, parts);
        let ids = messages[range]
            .iter()
            .map(|message| message.id.as_str())
            .collect();
        (ids, earlier)
    }

    #[test]
    fn the_last_page_holds_whole_messages_within_the_bound() {
        let messages = vec![message(0, 2), message(1, 3), message(2, 1), message(3, 2)];
        assert_eq!(page(&messages, 4, 4), (vec!["m2", "m3"], Some(2)));
    }

    #[test]
    fn pages_walk_back_to_the_start() {
        let messages: Vec<Message> = (0..5).map(|id| message(id, 1)).collect();
        assert_eq!(page(&messages, 3, 2), (vec!["m1", "m2"], Some(1)));
        assert_eq!(page(&messages, 1, 2), (vec!["m0"], None));
    }

    #[test]
    fn a_message_larger_than_the_bound_is_a_page_of_its_own() {
        let messages = vec![message(0, 1), message(1, 50)];
        assert_eq!(page(&messages, 2, 10), (vec!["m1"], Some(1)));
    }

    #[test]
    fn a_cursor_past_the_end_reads_from_the_end_and_an_empty_session_is_one_empty_page() {
        assert_eq!(page(&[message(0, 1)], 99, 10), (vec!["m0"], None));
        assert_eq!(page(&[], 0, 10), (vec![], None));
    }
}
