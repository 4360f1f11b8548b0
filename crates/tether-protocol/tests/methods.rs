//! The RPC table is the one list of methods: every name in it decodes, unknown names are
//! refused with the whole list, and docs/protocol.md documents each of them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::json;
use tether_protocol::ErrorCode;
use tether_protocol::methods::{METHODS, Request};

#[test]
fn every_method_decodes_by_its_own_name() {
    for method in METHODS {
        match Request::decode(method, Some(json!({}))) {
            Ok(request) => assert_eq!(request.method(), *method),
            Err(error) => assert_eq!(error.code, ErrorCode::InvalidParams, "{method}: {error:?}"),
        }
    }
}

#[test]
fn unknown_methods_and_fields_are_refused_clearly() {
    let error = Request::decode("no.such", None).unwrap_err();
    assert_eq!(error.code, ErrorCode::MethodNotFound);
    assert_eq!(error.details.unwrap()["methods"], json!(METHODS));
    let error = Request::decode("system.info", Some(json!({ "extra": 1 }))).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidParams);
}

#[test]
fn every_declared_method_is_documented() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/protocol.md");
    let text = std::fs::read_to_string(path).unwrap();
    let documented: BTreeSet<&str> = text
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`').map(|(name, _)| name))
        .collect();
    let declared: BTreeSet<&str> = METHODS.iter().copied().collect();
    let missing: Vec<_> = declared.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "methods not in docs/protocol.md: {missing:?}"
    );
}
