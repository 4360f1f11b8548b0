//! A long conversation in pages: the latest messages that hold at most so many parts, and the
//! page before any point, cut only between messages.

use tether_protocol::model::Message;

/// The messages before index `before` that hold at most `parts` parts (at least one message,
/// however many it holds), and where the page before them ends (none at the start).
pub(super) fn page_before(
    mut messages: Vec<Message>,
    before: usize,
    parts: usize,
) -> (Vec<Message>, Option<u64>) {
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
    messages.truncate(end);
    let page = messages.split_off(start);
    (page, (start > 0).then_some(start as u64))
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

    fn ids(page: &[Message]) -> Vec<&str> {
        page.iter().map(|message| message.id.as_str()).collect()
    }

    #[test]
    fn the_last_page_holds_whole_messages_within_the_bound() {
        let messages = vec![message(0, 2), message(1, 3), message(2, 1), message(3, 2)];
        let (page, before) = page_before(messages, 4, 4);
        assert_eq!(ids(&page), ["m2", "m3"]);
        assert_eq!(before, Some(2));
    }

    #[test]
    fn pages_walk_back_to_the_start() {
        let messages: Vec<Message> = (0..5).map(|id| message(id, 1)).collect();
        let (page, before) = page_before(messages.clone(), 3, 2);
        assert_eq!(ids(&page), ["m1", "m2"]);
        assert_eq!(before, Some(1));
        let (page, before) = page_before(messages, 1, 2);
        assert_eq!(ids(&page), ["m0"]);
        assert_eq!(before, None);
    }

    #[test]
    fn a_message_larger_than_the_bound_is_a_page_of_its_own() {
        let messages = vec![message(0, 1), message(1, 50)];
        let (page, before) = page_before(messages, 2, 10);
        assert_eq!(ids(&page), ["m1"]);
        assert_eq!(before, Some(1));
    }

    #[test]
    fn a_cursor_past_the_end_reads_from_the_end_and_an_empty_session_is_one_empty_page() {
        let (page, before) = page_before(vec![message(0, 1)], 99, 10);
        assert_eq!(ids(&page), ["m0"]);
        assert_eq!(before, None);
        let (page, before) = page_before(Vec::new(), 0, 10);
        assert!(page.is_empty());
        assert_eq!(before, None);
    }
}
