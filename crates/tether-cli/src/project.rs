//! `tether project …`: the folders sessions may run in.

use std::path::PathBuf;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use tether_engine::Config;

use crate::args::ProjectAction;
use crate::control::ControlClient;

pub async fn run(config: &Config, action: ProjectAction) -> anyhow::Result<()> {
    let (method, params) = match &action {
        ProjectAction::Add { path } => {
            let path: PathBuf = std::path::absolute(path)
                .with_context(|| format!("cannot resolve {}", path.display()))?;
            ("projects.add", json!({ "path": path }))
        }
        ProjectAction::List => ("projects.list", json!({})),
        ProjectAction::Remove { id } => ("projects.remove", json!({ "id": id })),
    };
    // Projects are kept by the running engine, so there must be one to tell.
    let Some(mut engine) = ControlClient::connect(&config.data_dir).await? else {
        bail!(
            "no Tether engine is running with {}; start one with `tether serve`",
            config.data_dir.display()
        );
    };
    let answer = engine.call(method, params).await;
    engine.close().await;
    let result = match answer? {
        Ok(result) => result,
        Err(error) => bail!("{}", error.message),
    };
    match action {
        ProjectAction::Add { .. } => println!("{}", describe(&result)),
        ProjectAction::Remove { .. } => println!("Removed {}", describe(&result)),
        ProjectAction::List => {
            let projects = result.as_array().cloned().unwrap_or_default();
            if projects.is_empty() {
                println!("No projects. Add a folder with `tether project add PATH`.");
            }
            for project in projects {
                println!("{}", describe(&project));
            }
        }
    }
    Ok(())
}

fn describe(project: &Value) -> String {
    let text = |key: &str| project[key].as_str().unwrap_or_default().to_owned();
    format!("{:<10} {:<24} {}", text("id"), text("name"), text("path"))
}
