//! A 401 from the API (retries off): an error result and exit code 1.

use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use crate::harness::{Sandbox, run_to_end};

#[tokio::test]
async fn authentication_error_ends_the_run_with_exit_1() {
    let fake = FakeAnthropic::start(Script::new([Reply::error(
        401,
        "authentication_error",
        "invalid x-api-key",
    )]))
    .await
    .unwrap();
    let sandbox = Sandbox::new();
    let cmd = sandbox.print(&fake, "say hi", &[]);
    let run = run_to_end(cmd).await;

    assert_eq!(run.status.code(), Some(1), "stderr: {}", run.stderr);
    let result = run.result();
    assert_eq!(result["is_error"], true, "{result}");
    assert_eq!(result["api_error_status"], 401, "{result}");
    assert_eq!(
        fake.message_requests().len(),
        1,
        "CLAUDE_CODE_MAX_RETRIES=0: no retry"
    );
}
