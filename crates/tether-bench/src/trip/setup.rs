//! What a trip case runs in: the fake API, a `claude` with a tap in front of it, the settings
//! that run it against the fake, and a project folder.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::Result;
use tempfile::TempDir;
use tether_fake_anthropic::{FakeAnthropic, Script};

use crate::tap;

pub struct Setup {
    pub fake: FakeAnthropic,
    pub dir: TempDir,
    /// Where the taps note when they handed each token over.
    pub taps: PathBuf,
    pub project: PathBuf,
    /// The `claude` Tether runs: the tap, which runs the real one.
    pub tapped: PathBuf,
    /// Settings that run `tapped` against the fake API, with a home of its own.
    pub config: PathBuf,
}

impl Setup {
    /// `bench` is this program (the tap), `claude` the real one.
    pub async fn new(bench: &Path, claude: &Path) -> Result<Self> {
        let fake = FakeAnthropic::start(Script::default()).await?;
        let dir = tempfile::tempdir()?;
        let (taps, home, project) = (
            dir.path().join("taps"),
            dir.path().join("home"),
            dir.path().join("project"),
        );
        for folder in [&taps, &home, &project] {
            std::fs::create_dir(folder)?;
        }
        let tapped = dir.path().join("claude");
        std::fs::write(&tapped, format!("#!/bin/sh\nexec {bench:?} tap \"$@\"\n"))?;
        std::fs::set_permissions(&tapped, std::fs::Permissions::from_mode(0o755))?;
        let mut env: Vec<(String, String)> = (fake.claude_env(&home).into_iter())
            .map(|(key, value)| (key.to_owned(), value))
            .collect();
        env.push((tap::CLAUDE_ENV.into(), claude.to_string_lossy().into()));
        env.push((tap::TAPS_ENV.into(), taps.to_string_lossy().into()));
        let env: String = env
            .iter()
            .map(|(key, value)| format!("{key} = {value:?}\n"))
            .collect();
        let config = dir.path().join("tether.toml");
        std::fs::write(
            &config,
            format!("[claude]\npath = {tapped:?}\n[claude.env]\n{env}"),
        )?;
        Ok(Self {
            fake,
            dir,
            taps,
            project,
            tapped,
            config,
        })
    }
}
