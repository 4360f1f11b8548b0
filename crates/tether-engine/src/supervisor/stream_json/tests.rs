//! The parser on lines recorded from `claude` 2.1.330, and on lines it has never seen.

use serde_json::json;

use super::*;

#[test]
fn init_status_and_retry_lines() {
    let init = r#"{"type":"system","subtype":"init","cwd":"/home/u/proj","session_id":"53aeb67c-0882-446f-88f8-bf24244b7d06","tools":["Task","Bash"],"mcp_servers":[],"model":"claude-opus-5-5","permissionMode":"default","apiKeySource":"ANTHROPIC_API_KEY","claude_code_version":"2.1.330","uuid":"fd1ca0fe"}"#;
    assert_eq!(
        parse(init).unwrap(),
        CliLine::Init {
            session_id: "53aeb67c-0882-446f-88f8-bf24244b7d06".into(),
            model: "claude-opus-5-5".into()
        }
    );
    let status = r#"{"type":"system","subtype":"status","status":null,"permissionMode":"acceptEdits","session_id":"s","uuid":"u"}"#;
    assert_eq!(
        parse(status).unwrap(),
        CliLine::Status {
            permission_mode: Some("acceptEdits".into())
        }
    );
    let retry = r#"{"type":"system","subtype":"api_retry","attempt":1,"max_retries":1,"retry_delay_ms":530,"error_status":500,"error":"server_error","session_id":"s","uuid":"u"}"#;
    assert_eq!(
        parse(retry).unwrap(),
        CliLine::ApiRetry {
            attempt: 1,
            max_retries: 1,
            error_status: Some(500),
            error: "server_error".into()
        }
    );
}

#[test]
fn stream_events_in_the_order_the_cli_sends_them() {
    let lines = [
        r#"{"type":"stream_event","event":{"type":"message_start","message":{"id":"msg_fake000003","usage":{"input_tokens":12,"output_tokens":1}}},"session_id":"d","parent_tool_use_id":null,"uuid":"2","ttft_ms":14}"#,
        r#"{"type":"stream_event","event":{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}},"session_id":"d","parent_tool_use_id":null,"uuid":"b"}"#,
        r#"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi from the"}},"session_id":"d","uuid":"2"}"#,
        r#"{"type":"stream_event","event":{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"co"}},"session_id":"d","uuid":"3"}"#,
        r#"{"type":"stream_event","event":{"type":"content_block_stop","index":0},"session_id":"d","uuid":"4"}"#,
        r#"{"type":"stream_event","event":{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}},"session_id":"d","uuid":"5"}"#,
        r#"{"type":"stream_event","event":{"type":"message_stop"},"session_id":"d","uuid":"6"}"#,
    ];
    let parsed: Vec<CliLine> = lines.iter().map(|line| parse(line).unwrap()).collect();
    assert_eq!(
        parsed,
        [
            CliLine::Stream(StreamEvent::MessageStart {
                message_id: "msg_fake000003".into()
            }),
            CliLine::Stream(StreamEvent::BlockStart {
                index: 0,
                block: BlockKind::Text
            }),
            CliLine::Stream(StreamEvent::TextDelta {
                index: 0,
                text: "hi from the".into()
            }),
            CliLine::Stream(StreamEvent::Other),
            CliLine::Stream(StreamEvent::BlockStop { index: 0 }),
            CliLine::Stream(StreamEvent::MessageDelta {
                stop_reason: Some("end_turn".into())
            }),
            CliLine::Stream(StreamEvent::Other),
        ]
    );
}

#[test]
fn assistant_blocks_tool_results_and_results() {
    let tool_use = r#"{"type":"assistant","message":{"id":"msg_fake000002","type":"message","role":"assistant","model":"claude-opus-5-5","content":[{"type":"tool_use","id":"toolu_fake0001","name":"Bash","input":{"command":"echo hi > hi.txt && cat hi.txt","description":"Run the scripted command"}}],"stop_reason":null},"parent_tool_use_id":null,"session_id":"3e","uuid":"a8"}"#;
    assert_eq!(
        parse(tool_use).unwrap(),
        CliLine::Assistant {
            message_id: "msg_fake000002".into(),
            blocks: vec![ContentBlock::ToolUse {
                id: "toolu_fake0001".into(),
                name: "Bash".into(),
                input: json!({"command": "echo hi > hi.txt && cat hi.txt", "description": "Run the scripted command"}),
            }],
            aborted: false,
        }
    );
    let result_line = r#"{"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_fake0001","type":"tool_result","content":"hi","is_error":false}]},"parent_tool_use_id":null,"session_id":"3e","tool_use_result":{"stdout":"hi"}}"#;
    assert_eq!(
        parse(result_line).unwrap(),
        CliLine::ToolResults(vec![ToolResult {
            tool_use_id: "toolu_fake0001".into(),
            content: json!("hi"),
            is_error: false,
            details: json!({ "stdout": "hi" }),
        }])
    );
    let interrupted = r#"{"type":"user","message":{"role":"user","content":[{"type":"text","text":"[Request interrupted by user]"}]}}"#;
    assert_eq!(
        parse(interrupted).unwrap(),
        CliLine::ToolResults(Vec::new())
    );
    let result = r#"{"duration_api_ms":58,"stop_reason":"end_turn","session_id":"53","total_cost_usd":0.000188,"usage":{"input_tokens":12,"output_tokens":7},"terminal_reason":"completed","is_error":false,"num_turns":1,"subtype":"success","result":"hi from the fake server","type":"result","duration_ms":359}"#;
    let CliLine::Result(turn) = parse(result).unwrap() else {
        panic!("not a result")
    };
    assert_eq!(
        (turn.subtype.as_str(), turn.is_error, turn.text.as_deref()),
        ("success", false, Some("hi from the fake server"))
    );
    assert_eq!(
        (
            turn.total_cost_usd,
            turn.duration_ms,
            turn.usage["output_tokens"].as_u64()
        ),
        (0.000188, 359, Some(7))
    );
    let aborted = r#"{"type":"result","subtype":"error_during_execution","is_error":true,"result":null,"errors":["[ede_diagnostic] aborted"],"terminal_reason":"aborted_streaming","total_cost_usd":0.0001}"#;
    let CliLine::Result(turn) = parse(aborted).unwrap() else {
        panic!("not a result")
    };
    assert_eq!(
        (
            turn.text,
            turn.errors.len(),
            turn.terminal_reason.as_deref()
        ),
        (None, 1, Some("aborted_streaming"))
    );
}

#[test]
fn control_protocol_lines() {
    let ask = r#"{"type":"control_request","request_id":"6e644fd7","request":{"subtype":"can_use_tool","tool_name":"Bash","display_name":"Bash","input":{"command":"echo hi > hi.txt"},"description":"Run the scripted command","permission_suggestions":[{"type":"addRules","rules":[{"toolName":"Bash","ruleContent":"echo hi *"}],"behavior":"allow","destination":"localSettings"}],"blocked_path":"/p/hi.txt","tool_use_id":"toolu_fake0001"}}"#;
    let CliLine::ControlRequest {
        request_id,
        request,
    } = parse(ask).unwrap()
    else {
        panic!("not a request")
    };
    assert_eq!(request_id, "6e644fd7");
    let ControlRequest::CanUseTool {
        tool_name,
        tool_use_id,
        suggestions,
        ..
    } = request
    else {
        panic!("not can_use_tool")
    };
    assert_eq!(
        (
            tool_name.as_str(),
            tool_use_id.as_deref(),
            suggestions.len()
        ),
        ("Bash", Some("toolu_fake0001"), 1)
    );
    let ok = r#"{"type":"control_response","response":{"subtype":"success","request_id":"req_2_interrupt","response":{"still_queued":[]}}}"#;
    assert_eq!(
        parse(ok).unwrap(),
        CliLine::ControlResponse {
            request_id: "req_2_interrupt".into(),
            outcome: Ok(json!({"still_queued": []}))
        }
    );
    let refused = r#"{"type":"control_response","response":{"subtype":"error","request_id":"bogus","error":"Unsupported control request subtype: no_such_subtype"}}"#;
    assert_eq!(
        parse(refused).unwrap(),
        CliLine::ControlResponse {
            request_id: "bogus".into(),
            outcome: Err("Unsupported control request subtype: no_such_subtype".into())
        }
    );
    assert_eq!(
        parse(r#"{"type":"control_cancel_request","request_id":"x"}"#).unwrap(),
        CliLine::ControlCancel {
            request_id: "x".into()
        }
    );
}

#[test]
fn unknown_lines_are_kept_and_garbage_is_an_error() {
    let unknown = parse(r#"{"type":"system","subtype":"hook_started","hook":"x"}"#).unwrap();
    assert!(
        matches!(unknown, CliLine::Other { ref kind, ref raw } if kind == "system/hook_started" && raw["hook"] == "x")
    );
    assert!(
        matches!(parse(r#"{"type":"brand_new"}"#).unwrap(), CliLine::Other { ref kind, .. } if kind == "brand_new")
    );
    for garbage in ["", "not json", "[1,2]", "\"text\"", "{\"type\":"] {
        assert!(parse(garbage).is_err(), "{garbage:?}");
    }
}

/// The general parser's reading of a line (what the fast path must agree with).
fn parse_generally(line: &str) -> CliLine {
    classify(serde_json::from_str(line).unwrap())
}

#[test]
fn the_fast_path_reads_stream_events_as_the_general_parser_does() {
    let lines = [
        r#"{"type":"stream_event","event":{"type":"message_start","message":{"id":"msg_1","content":[],"usage":{"input_tokens":1}}},"session_id":"d"}"#,
        r#"{"type":"stream_event","event":{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"Bash","input":{}}}}"#,
        r#"{"type":"stream_event","event":{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}}"#,
        r#"{"type":"stream_event","event":{"type":"content_block_start","index":0,"content_block":{}}}"#,
        r#"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"caf\u00e9 \"quoted\"\n"}}}"#,
        r#"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"text":"no type","type":"text_delta","type":"thinking_delta"}}}"#,
        // Fields of unexpected types count as absent.
        r#"{"type":"stream_event","event":{"type":"content_block_delta","index":-1,"delta":{"type":"text_delta","text":7}}}"#,
        r#"{"type":"stream_event","event":{"type":"content_block_delta","index":1.5,"delta":{"type":"text_delta","text":null}}}"#,
        r#"{"type":"stream_event","event":{"type":"content_block_stop","index":"3"}}"#,
        r#"{"type":"stream_event","event":{"type":"message_delta","delta":{"stop_reason":null}}}"#,
        r#"{"type":"stream_event","event":{"type":"message_delta","delta":[1,2]}}"#,
        r#"{"type":"stream_event","event":{"type":5}}"#,
        r#"{"type":"stream_event","event":["content_block_stop",3]}"#,
        r#"{"type":"stream_event","event":"content_block_stop"}"#,
        r#"{"type":"stream_event","event":null}"#,
        r#"{"type":"stream_event"}"#,
        // A repeated key: the last one counts.
        r#"{"type":"stream_event","event":{"type":"content_block_stop","index":1,"index":4}}"#,
        r#"{"type":"stream_event","event":{"type":"message_start"},"event":{"type":"content_block_stop","index":2}}"#,
        r#"{"type":"stream_event","type":"result","subtype":"success"}"#,
    ];
    for line in lines {
        assert_eq!(parse(line).unwrap(), parse_generally(line), "{line}");
    }
    let fast = stream_event::fast_line(lines[4]).expect("a plain delta takes the fast path");
    assert_eq!(
        fast,
        CliLine::Stream(StreamEvent::TextDelta {
            index: 0,
            text: "café \"quoted\"\n".into()
        })
    );
}

#[test]
fn the_fast_path_refuses_what_is_not_a_whole_stream_event_line() {
    for line in [
        r#"{"type":"stream_event","event":{"type":"content_block_stop","index":0}"#,
        r#"{"type":"stream_event","event":{}} trailing"#,
        r#"{"type":"system","subtype":"init"}"#,
    ] {
        assert!(stream_event::fast_line(line).is_none(), "{line}");
    }
    assert!(parse(r#"{"type":"stream_event","event":{}"#).is_err());
    // Parts it does not read are still checked as a `Value` would check them.
    let deep = format!(
        r#"{{"type":"stream_event","event":{{}},"x":{}{}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    for line in [
        r#"{"type":"stream_event","event":{"type":"content_block_stop","index":0},"x":1e400}"#,
        r#"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi","partial_json":"\udc00"}}}"#,
        deep.as_str(),
    ] {
        assert!(stream_event::fast_line(line).is_none(), "{line}");
        assert!(parse(line).is_err(), "{line}");
    }
}
