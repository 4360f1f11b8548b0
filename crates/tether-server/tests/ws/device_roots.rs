//! A device adds projects only inside the folders the desktop allows (`projects.device_roots`),
//! judged by the folder's real path, so a link cannot lead out of them.

use serde_json::json;
use tether_engine::auth::Caller;

use crate::common::TestServer;

#[tokio::test]
async fn devices_add_projects_only_inside_the_folders_the_desktop_allows() {
    let root = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let allowed = root.path().to_path_buf();
    let server =
        TestServer::start_with(|config| config.projects.device_roots = vec![allowed]).await;
    let inside = root.path().join("webapp");
    std::fs::create_dir(&inside).unwrap();
    std::os::unix::fs::symlink(outside.path(), root.path().join("escape")).unwrap();
    let (_, token) = server.token("phone").await;
    let mut phone = server.connect(&token).await;

    let added = phone
        .call(1, "projects.add", json!({ "path": inside }))
        .await;
    assert_eq!(added["result"]["name"], "webapp", "{added}");

    for (id, path) in [
        (2, outside.path().to_path_buf()),
        (3, root.path().join("escape")),
    ] {
        let refused = phone
            .call(id, "projects.add", json!({ "path": path }))
            .await;
        assert_eq!(refused["error"]["code"], "forbidden", "{refused}");
        let message = refused["error"]["message"].as_str().unwrap();
        assert!(message.contains("projects.device_roots"), "{message}");
    }

    // A folder the desktop made a project is one a device may name.
    server
        .engine
        .dispatch(
            &Caller::Local,
            "projects.add",
            Some(json!({ "path": outside.path() })),
        )
        .await
        .unwrap();
    let known = phone
        .call(5, "projects.add", json!({ "path": outside.path() }))
        .await;
    assert!(known["error"].is_null(), "{known}");
    let listed = phone.call(6, "projects.list", json!({})).await;
    assert_eq!(listed["result"].as_array().unwrap().len(), 2);
}
