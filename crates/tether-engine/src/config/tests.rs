//! The settings' defaults, file and environment layers, and their checks.

use super::*;

#[test]
fn defaults_are_valid_and_loopback() {
    let config = Config::default();
    config.validate().unwrap();
    assert!(config.bind.is_loopback());
}

#[test]
fn file_values_override_defaults_and_unknown_keys_fail() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tether.toml");
    std::fs::write(
        &file,
        "port = 9000\n[limits]\nmax_connections = 5\nheartbeat_interval_ms = 1000\n",
    )
    .unwrap();
    let config = Config::load(Some(&file)).unwrap();
    assert_eq!(config.port, 9000);
    assert_eq!(config.limits.max_connections, 5);
    assert_eq!(config.limits.heartbeat_interval, Duration::from_secs(1));

    std::fs::write(&file, "prot = 9000\n").unwrap();
    let error = Config::load(Some(&file)).unwrap_err().to_string();
    assert!(error.contains("prot"), "{error}");
}

#[test]
fn a_public_url_must_be_an_https_origin() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tether.toml");
    std::fs::write(&file, "[remote]\npublic_url = \"https://desk.example\"\n").unwrap();
    let config = Config::load(Some(&file)).unwrap();
    assert_eq!(
        config.remote.public_url.as_deref(),
        Some("https://desk.example")
    );
    assert_eq!(
        config.remote.trusted_proxies.len(),
        2,
        "loopback by default"
    );
    for bad in [
        "http://desk.example",
        "https://desk.example/app",
        "https://u:p@desk.example",
    ] {
        std::fs::write(&file, format!("[remote]\npublic_url = \"{bad}\"\n")).unwrap();
        let error = Config::load(Some(&file)).unwrap_err().to_string();
        assert!(error.starts_with("remote.public_url:"), "{error}");
    }
}

#[test]
fn a_missing_file_is_named() {
    let error = Config::load(Some(Path::new("/nonexistent/tether.toml"))).unwrap_err();
    assert!(error.to_string().contains("/nonexistent/tether.toml"));
}

#[test]
fn rejects_lan_binds_and_nonsense_limits() {
    let mut config = Config {
        bind: "0.0.0.0".parse().unwrap(),
        ..Config::default()
    };
    assert!(
        config
            .validate()
            .unwrap_err()
            .to_string()
            .starts_with("bind:")
    );
    config.bind = "::1".parse().unwrap();
    config.validate().unwrap();
    config.limits.outbound_queue = 0;
    assert!(
        config
            .validate()
            .unwrap_err()
            .to_string()
            .contains("outbound_queue")
    );
    config.limits.outbound_queue = 1;
    config.limits.heartbeat_timeout = config.limits.heartbeat_interval;
    assert!(
        config
            .validate()
            .unwrap_err()
            .to_string()
            .contains("heartbeat")
    );
}
