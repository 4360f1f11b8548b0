//! What to tell the user when looking for, fetching or installing an update fails: the cause in
//! plain words, and that nothing was installed when a package was refused.

use tauri_plugin_updater::Error;

/// The message shown in the window for `error`.
pub fn explain(error: &Error) -> String {
    const REFUSED: &str = "so it was refused and nothing was installed";
    match error {
        Error::Minisign(_) | Error::Base64(_) | Error::SignatureUtf8(_) => {
            format!("The downloaded package is not signed with Tether's release key, {REFUSED}.")
        }
        Error::SignedVersionMismatch { signed, announced } => format!(
            "The update server announced version {announced}, but the package is signed as \
             version {signed}, {REFUSED}."
        ),
        Error::MissingSignedVersion => {
            format!("The package's signature does not say which version it is, {REFUSED}.")
        }
        Error::InsecureTransportProtocol => {
            "The update address must use https://; updates were not checked.".to_owned()
        }
        Error::TargetsNotFound(targets) => format!(
            "The release has no package for this computer (looked for {}).",
            targets.join(", ")
        ),
        Error::Reqwest(error) if error.is_decode() => not_a_feed(),
        Error::ReleaseNotFound | Error::Serialization(_) | Error::Semver(_) => not_a_feed(),
        Error::Reqwest(_) | Error::Network(_) | Error::UrlParse(_) => {
            format!("The update server could not be reached, or refused: {error}")
        }
        Error::PackageInstallFailed | Error::InvalidUpdaterFormat => {
            format!("The system's package manager could not install the update: {error}")
        }
        other => format!("The update failed: {other}"),
    }
}

fn not_a_feed() -> String {
    "The update server's answer is not a release description (latest.json).".to_owned()
}

#[cfg(test)]
mod tests {
    use tauri_plugin_updater::Error;

    use super::explain;

    #[test]
    fn refusals_name_the_cause_and_that_nothing_was_installed() {
        let mismatch = explain(&Error::SignedVersionMismatch {
            signed: "0.2.0".into(),
            announced: "0.3.0".into(),
        });
        assert!(mismatch.contains("announced version 0.3.0"), "{mismatch}");
        assert!(mismatch.contains("signed as version 0.2.0"), "{mismatch}");
        assert!(mismatch.contains("nothing was installed"), "{mismatch}");
        let unsigned = explain(&Error::MissingSignedVersion);
        assert!(unsigned.contains("refused"), "{unsigned}");
        let elsewhere = explain(&Error::TargetsNotFound(vec!["linux-x86_64-deb".into()]));
        assert!(elsewhere.contains("linux-x86_64-deb"), "{elsewhere}");
        assert!(explain(&Error::InsecureTransportProtocol).contains("https://"));
        let missing = explain(&Error::Network("status: 404 Not Found".into()));
        assert!(missing.contains("404"), "{missing}");
    }
}
