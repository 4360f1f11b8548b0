//! Sessions' names: what a name may not hold, and the name an untitled session takes from its
//! first prompt (as people expect of a chat list); a session that already has a prompt, or a
//! name, is never renamed here.

use tether_protocol::model::Role;

use crate::supervisor::session_reducer::SessionReducer;

/// Characters of the prompt kept in the name.
const LONGEST: usize = 60;

/// The name the session's first prompt gives it: untitled, and this its only prompt so far.
pub(crate) fn from_first_prompt(reducer: &SessionReducer, prompt: &str) -> Option<String> {
    let view = reducer.view();
    let prompts = (view.messages.iter())
        .filter(|message| message.role == Role::User)
        .count();
    if view.session.title.is_some() || prompts != 1 {
        return None;
    }
    name_of(prompt)
}

/// The prompt's first line with words, without what hides or reorders text, cut to
/// [`LONGEST`] characters at a word where it can be.
fn name_of(prompt: &str) -> Option<String> {
    let line = prompt
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())?;
    let chars: Vec<char> = line.chars().filter(|&c| !hides_text(c)).collect();
    if chars.len() <= LONGEST {
        return Some(chars.into_iter().collect());
    }
    let cut = &chars[..LONGEST];
    let at_word = (cut.iter().rposition(|&c| c == ' '))
        .filter(|&at| at >= LONGEST / 2)
        .unwrap_or(LONGEST);
    let kept: String = cut[..at_word].iter().collect();
    Some(format!("{}…", kept.trim_end()))
}

/// Characters a name may not hold: control characters, and the bidirectional overrides and
/// isolates that make a name read as something else.
pub(crate) fn hides_text(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
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
        // Counted in characters, not bytes.
        let wide = "日本語の文章 ".repeat(12);
        assert!(name_of(&wide).unwrap().chars().count() > 50);
        assert_eq!(name_of("a\u{202E}b").as_deref(), Some("ab"));
    }
}
