//! The desktop window's sidebar, driven through WebDriver: what `tests/window.rs` does once a
//! session has run in the window.

use std::path::Path;

use serde_json::json;

use super::webdriver::{ENTER, Session, wait_for};

/// The sidebar across two projects and four sessions, in the window: a second project added,
/// three more sessions started from the sidebar and answered, switching between them, a
/// project's own screen, and a name found by the filter.
pub fn flow(window: &Session, first: &str, shots: &Path) {
    let second = tempfile::tempdir().unwrap();
    let second_name = second.path().file_name().unwrap().to_str().unwrap();
    window.click_on("nav a", "Tether");
    window.type_on(
        "input[aria-label='Project folder']",
        "",
        second.path().to_str().unwrap(),
    );
    window.click_on(".add-project button", "Add project");
    window.find(".sidebar h2", second_name);
    for (project, prompt, answer) in [
        (second_name, "Beta one", "Beta one in the window."),
        (second_name, "Beta two", "Beta two in the window."),
        (first, "Alpha two", "Alpha two in the window."),
    ] {
        let shown = window.script("return location.href;", json!([]));
        window.click_on(
            &format!(".sidebar button[aria-label='New session in {project}']"),
            "",
        );
        // The new session's own screen, not the one shown before it (its composer would take
        // the prompt otherwise): its address, and its transcript, still empty.
        wait_for("the new session's screen", || {
            let now = window.script(
                "return [location.href, document.querySelectorAll('.message').length];",
                json!([]),
            );
            let address = now[0].as_str()?;
            (address != shown && address.contains("#/session/") && now[1] == json!(0)).then_some(())
        });
        window.type_on(
            "textarea[aria-label='Message']",
            "",
            &format!("{prompt}{ENTER}"),
        );
        window.find(".message-assistant", answer);
        window.find(".chat-header .badge", "idle");
    }
    let listed = |project: &str| {
        window.script(
            "return [...document.querySelectorAll('.sidebar .project-group')].find((group) => group.getAttribute('aria-label') === arguments[0])?.querySelectorAll('.session-link').length ?? 0;",
            json!([project]),
        )
    };
    assert_eq!(listed(first), json!(2));
    assert_eq!(listed(second_name), json!(2));
    window.click_on(".chat-header button", "Rename");
    window.type_on(
        "input[aria-label='Session name']",
        "",
        &format!("Window alpha{ENTER}"),
    );
    window.find(".sidebar .session-link", "Window alpha");
    window.screenshot(&shots.join("window-sidebar.png"));

    // Switching from the sidebar: the first session, then back to the named one.
    window.click_on(
        &format!(".sidebar [aria-label='{first}'] .session-link:not([aria-current])"),
        "idle",
    );
    window.find(".message-assistant", "Hello from the window");
    window.click_on(".sidebar .session-link", "Window alpha");
    window.find(".message-assistant", "Alpha two in the window.");
    window.click_on(".sidebar h2 a", second_name);
    window.find("main h1", second_name);
    window.screenshot(&shots.join("window-project.png"));
    window.type_on("input[aria-label='Filter sessions']", "", "window alpha");
    wait_for("the filter to leave one session", || {
        (window.script(
            "return document.querySelectorAll('.sidebar .session-link').length;",
            json!([]),
        ) == json!(1))
        .then_some(())
    });
}
