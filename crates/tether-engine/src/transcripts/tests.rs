//! The transcript reader against a transcript the real CLI (2.1.330) wrote, and against bad
//! input: cut, not UTF-8, too long, linked out of the folder.

use std::path::Path;

use super::history::{self, DEFAULT_TURNS};
use super::index::{Index, MAX_LINE};
use super::line::{self, Skim};
use tether_protocol::model::{Part, Role, SessionInfo};

const RECORDED: &[u8] = include_bytes!("../../tests/fixtures/transcripts/cli-2.1.330-tools.jsonl");
const ID: &str = "7f27333b-7205-427b-9987-3d748e3bfb46";

fn projects_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("-tmp-tx-proj");
    std::fs::create_dir(&folder).unwrap();
    for (name, bytes) in files {
        std::fs::write(folder.join(name), bytes).unwrap();
    }
    dir
}

fn text_of(part: &Part) -> String {
    match part {
        Part::Text { text, .. } => text.clone(),
        Part::Thinking { text, .. } => format!("thinking: {text}"),
        Part::Image { media_type, .. } => format!("image: {media_type}"),
        Part::ToolUse { name, result, .. } => format!(
            "{name} -> {}",
            result.as_ref().map_or("none".to_owned(), |outcome| {
                format!(
                    "{}{}",
                    if outcome.is_error { "error " } else { "" },
                    outcome.content
                )
            })
        ),
    }
}

#[test]
fn every_line_the_cli_wrote_is_known() {
    for line in RECORDED
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
    {
        line::skim(line).unwrap();
    }
}

#[test]
fn the_index_lists_what_a_person_recognises() {
    let dir = projects_with(&[(&format!("{ID}.jsonl"), RECORDED)]);
    let index = Index::default();
    assert!(index.refresh(dir.path()));
    let indexed = index.get(ID).unwrap();
    let digest = &indexed.digest;
    assert_eq!(digest.cwd.as_deref(), Some("/tmp/tx/proj"));
    assert_eq!(
        digest.title(),
        Some("do the things"),
        "with no summary, the first prompt"
    );
    assert_eq!(digest.first_prompt.as_deref(), Some("do the things"));
    assert_eq!(digest.git_branch.as_deref(), Some("master"));
    assert_eq!(digest.model.as_deref(), Some("claude-opus-5-5"));
    assert_eq!(digest.turns.len(), 2, "two prompts");
    assert_eq!(
        digest.messages,
        2 + 5,
        "two prompts, five assistant messages"
    );
    assert_eq!(digest.cost_usd, 0.00186);
    assert_eq!(digest.skipped, 0);
    assert!(digest.first_at < digest.last_at);
    assert!(!index.refresh(dir.path()), "nothing changed, nothing read");
    let progress = index.progress();
    assert_eq!(
        (progress.files, progress.indexed, progress.done),
        (1, 1, true)
    );
}

#[test]
fn history_has_the_parts_of_a_tether_session() {
    let dir = projects_with(&[(&format!("{ID}.jsonl"), RECORDED)]);
    let index = Index::default();
    index.refresh(dir.path());
    let indexed = index.get(ID).unwrap();
    let span = history::span(&indexed.digest, indexed.digest.read_to, DEFAULT_TURNS).unwrap();
    assert_eq!(span.before, None, "one page holds it all");
    let info = SessionInfo::new(ID.into(), String::new(), None, "default".into(), 0);
    let (reducer, skipped) = history::load(&indexed.path, span, info).unwrap();
    let messages = &reducer.view().messages;
    let shown: Vec<(Role, Vec<String>)> = messages
        .iter()
        .map(|message| (message.role, message.parts.iter().map(text_of).collect()))
        .collect();
    assert_eq!(
        shown,
        vec![
            (Role::User, vec!["do the things".to_owned()]),
            (
                Role::Assistant,
                vec!["Let me look.".to_owned(), "Bash -> \"hi\"".to_owned()]
            ),
            (
                Role::Assistant,
                vec![
                    "Edit -> \"The file /tmp/tx/proj/notes.txt has been updated successfully.\""
                        .to_owned()
                ]
            ),
            (
                Role::Assistant,
                vec![
                    "TodoWrite -> error \"<tool_use_error>Error: No such tool available: TodoWrite. TodoWrite is disabled for this session, in subagents as well as here.</tool_use_error>\"".to_owned()
                ]
            ),
            (Role::Assistant, vec!["Done with all.".to_owned()]),
            (Role::User, vec!["and again".to_owned()]),
            (Role::Assistant, vec!["Second answer.".to_owned()]),
        ]
    );
    assert_eq!(skipped, 0);
    // The second page back starts where the first turn ends.
    let last = history::span(&indexed.digest, indexed.digest.read_to, 1).unwrap();
    assert_eq!(last.before, Some(indexed.digest.turns[1]));
}

#[test]
fn a_growing_file_is_read_on_and_its_unfinished_line_waits() {
    let cut = RECORDED.len() - 200;
    let dir = projects_with(&[(&format!("{ID}.jsonl"), &RECORDED[..cut])]);
    let index = Index::default();
    index.refresh(dir.path());
    let partial = index.get(ID).unwrap().digest;
    assert!(partial.read_to < cut as u64, "the cut line is not read");
    assert_eq!(
        partial.skipped, 0,
        "an unfinished last line is not a bad one"
    );
    std::fs::write(
        dir.path().join("-tmp-tx-proj").join(format!("{ID}.jsonl")),
        RECORDED,
    )
    .unwrap();
    assert!(index.refresh(dir.path()));
    let whole = index.get(ID).unwrap().digest;
    let fresh = Index::default();
    fresh.refresh(dir.path());
    assert_eq!(
        whole,
        fresh.get(ID).unwrap().digest,
        "reading on ends where reading whole does"
    );
}

#[test]
fn bad_input_is_listed_with_what_could_be_read_and_why() {
    let mut mixed =
        b"{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"first\"}}\n".to_vec();
    mixed.extend_from_slice(b"{\"type\":\"user\",\"message\":{\"content\":\"\xff\xfe\"}}\n");
    mixed.extend_from_slice(b"{\"type\":\"brand-new-kind\"}\n");
    mixed.extend_from_slice(b"[1,2]\n");
    mixed.extend(std::iter::repeat_n(b'x', MAX_LINE + 10));
    mixed.push(b'\n');
    mixed.extend_from_slice(
        b"{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"last\"}}\n",
    );
    let dir = projects_with(&[
        ("bad-1.jsonl", &mixed),
        ("not a session id!.jsonl", b"{}\n"),
    ]);
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(outside.path(), RECORDED).unwrap();
    std::os::unix::fs::symlink(
        outside.path(),
        dir.path().join("-tmp-tx-proj").join("linked-1.jsonl"),
    )
    .unwrap();
    let index = Index::default();
    index.refresh(dir.path());
    let bad = index.get("bad-1").unwrap().digest;
    assert_eq!(bad.turns.len(), 2, "both readable prompts count");
    assert_eq!(
        bad.skipped, 4,
        "not UTF-8, an unknown type, not an object, too long"
    );
    assert!(bad.problem.unwrap().contains("byte"));
    let linked = index.get("linked-1").unwrap().digest;
    assert_eq!(linked.messages, 0, "a link is not followed");
    assert!(linked.problem.unwrap().contains("symbolic link"));
    assert!(index.get("not a session id!").is_none());
    assert!(matches!(
        line::skim(b"{\"type\":\"summary\",\"summary\":\"Fix the build\"}"),
        Ok((Skim::Title { chosen: false, .. }, _))
    ));
    assert!(Path::new(&index.get("bad-1").unwrap().path).exists());
}

#[test]
fn images_thinking_and_usage_come_through() {
    let lines = [
        r#"{"type":"user","message":{"role":"user","content":[{"type":"text","text":"what is this"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]},"uuid":"u1","timestamp":"2026-12-06T09:00:00.000Z","cwd":"/p","sessionId":"s"}"#,
        r#"{"type":"assistant","message":{"id":"m1","role":"assistant","model":"claude-x","content":[{"type":"thinking","thinking":"Looks like a logo.","signature":"x"}],"usage":{"input_tokens":10,"output_tokens":5}},"uuid":"a1","timestamp":"2026-12-06T09:00:01.000Z"}"#,
        r#"{"type":"assistant","message":{"id":"m1","role":"assistant","model":"claude-x","content":[{"type":"text","text":"A logo."}],"usage":{"input_tokens":10,"output_tokens":5}},"uuid":"a2","timestamp":"2026-12-06T09:00:02.000Z"}"#,
    ];
    let text = lines.join("\n") + "\n";
    let dir = projects_with(&[("s-1.jsonl", text.as_bytes())]);
    let index = Index::default();
    index.refresh(dir.path());
    let indexed = index.get("s-1").unwrap();
    assert_eq!(
        indexed.digest.usage.input_tokens, 10,
        "one message's usage, once"
    );
    assert_eq!(indexed.digest.usage.output_tokens, 5);
    assert_eq!(indexed.digest.messages, 2);
    let span = history::span(&indexed.digest, indexed.digest.read_to, DEFAULT_TURNS).unwrap();
    let info = SessionInfo::new("s-1".into(), String::new(), None, "default".into(), 0);
    let (reducer, _) = history::load(&indexed.path, span, info).unwrap();
    let messages = &reducer.view().messages;
    assert_eq!(messages[0].id, "u1");
    assert_eq!(
        messages[0].parts[1],
        Part::Image {
            id: "u1:1".into(),
            media_type: "image/png".into(),
            data: "iVBORw0KGgo=".into()
        }
    );
    assert_eq!(
        messages[1].parts,
        vec![
            Part::Thinking {
                id: "m1:0".into(),
                text: "Looks like a logo.".into()
            },
            Part::Text {
                id: "m1:1".into(),
                text: "A logo.".into()
            }
        ]
    );
}

#[test]
fn another_file_under_the_same_name_is_read_anew() {
    let dir = projects_with(&[(&format!("{ID}.jsonl"), RECORDED)]);
    let path = dir.path().join("-tmp-tx-proj").join(format!("{ID}.jsonl"));
    let index = Index::default();
    index.refresh(dir.path());
    let other = b"{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"replaced\"}}\n"
        .repeat(3000);
    let replacement = dir.path().join("replacement");
    std::fs::write(&replacement, &other).unwrap();
    std::fs::rename(&replacement, &path).unwrap();
    assert!(index.refresh(dir.path()));
    let digest = index.get(ID).unwrap().digest;
    assert_eq!(digest.first_prompt.as_deref(), Some("replaced"));
    assert_eq!(
        digest.turns.len(),
        3000,
        "read from its start, not on from the old offset"
    );
}

#[test]
fn reading_a_transcript_is_not_a_change_but_writing_one_is() {
    use notify::EventKind;
    use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, MetadataKind, ModifyKind};
    for quiet in [
        EventKind::Access(AccessKind::Open(AccessMode::Any)),
        EventKind::Access(AccessKind::Read),
        EventKind::Access(AccessKind::Close(AccessMode::Read)),
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any)),
    ] {
        assert!(!super::changes_content(&quiet), "{quiet:?}");
    }
    for change in [
        EventKind::Access(AccessKind::Close(AccessMode::Write)),
        EventKind::Modify(ModifyKind::Data(DataChange::Any)),
        EventKind::Create(CreateKind::File),
        EventKind::Any,
    ] {
        assert!(super::changes_content(&change), "{change:?}");
    }
}
