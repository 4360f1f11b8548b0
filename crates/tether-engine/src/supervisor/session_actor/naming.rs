//! An untitled session is named after its first prompt, as people expect of a chat list; a
//! name the user gave (or took away with a later prompt) is never replaced.

use tether_protocol::model::Role;

use crate::supervisor::session_reducer::SessionReducer;

/// Characters of the prompt kept in the name.
const LONGEST: usize = 60;

/// The name the session's first prompt gives it: untitled, and this its only prompt so far.
pub(super) fn from_first_prompt(reducer: &SessionReducer, prompt: &str) -> Option<String> {
    let view = reducer.view();
    let prompts = (view.messages.iter())
        .filter(|message| message.role == Role::User)
        .count();
    if view.session.title.is_some() || prompts != 1 {
        return None;
    }
    name_of(prompt)
}

/// The prompt's first line with words, cut to [`LONGEST`] characters at a word where it can be.
fn name_of(prompt: &str) -> Option<String> {
    let line = prompt
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())?;
    let line: String = line.chars().filter(|c| !c.is_control()).collect();
    if line.chars().count() <= LONGEST {
        return Some(line);
    }
    let cut: String = line.chars().take(LONGEST).collect();
    let at_word = cut
        .rfind(' ')
        .filter(|&at| at >= LONGEST / 2)
        .unwrap_or(cut.len());
    Some(format!("{}…", cut[..at_word].trim_end()))
}

#[cfg(test)]
mod tests {
    use super::name_of;

    #[test]
    fn a_name_is_the_first_line_with_words_cut_at_a_word() {
        assert_eq!(
            name_of("\n  Fix the build  \nthen test").as_deref(),
            Some("Fix the build")
        );
        assert_eq!(name_of(" \n\t\n"), None);
        let long =
            "Refactor the session actor so that every command has its own file and its own tests";
        let named = name_of(long).unwrap();
        assert!(
            named.ends_with('…') && named.chars().count() <= 61,
            "{named}"
        );
        assert!(long.starts_with(named.trim_end_matches('…')), "{named}");
        let unbroken = "x".repeat(100);
        assert_eq!(name_of(&unbroken).unwrap().chars().count(), 61);
    }
}
