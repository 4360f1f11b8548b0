//! A small W3C WebDriver client for the real window, through tauri-driver and WebKitWebDriver:
//! a session on the app, elements found by CSS, clicks, typing, text, scripts, screenshots (from
//! the X server), and waits that poll a condition a bounded number of times.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Log, Running, WAIT};

/// The key WebDriver types for Enter.
pub const ENTER: &str = "\u{E007}";
/// The W3C name of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How many pairs of ports are tried.
const START_TRIES: usize = 3;
/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(100);
/// How long tauri-driver has to answer before another pair of ports is tried (it stays up
/// when WebKitWebDriver could not take its port, and then never answers), and how long one
/// look may take.
const ANSWER_WAIT: Duration = Duration::from_secs(20);
const LOOK_WAIT: Duration = Duration::from_secs(1);

/// A free port on 127.0.0.1 (tauri-driver takes ports, not port 0).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// tauri-driver (with WebKitWebDriver under it) on free ports, its log followed.
pub struct Driver {
    _process: Running,
    pub log: Log,
    url: String,
    /// The X display the app's window is on (`env`'s `DISPLAY`).
    display: String,
}

impl Driver {
    /// Starts tauri-driver with `env` for the app it will launch. It takes ports, not port 0:
    /// free ones are picked, and another pair is tried if one was taken meanwhile.
    pub fn start(env: &[(&str, String)]) -> Self {
        (0..START_TRIES)
            .find_map(|_| Self::try_start(env))
            .unwrap_or_else(|| panic!("tauri-driver did not start in {START_TRIES} tries"))
    }

    /// tauri-driver on a pair of free ports; `None` if it exited or did not answer in time (a
    /// port was taken meanwhile).
    fn try_start(env: &[(&str, String)]) -> Option<Self> {
        let (port, native) = (free_port(), free_port());
        let mut command = Command::new("tauri-driver");
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut process = Running::spawn(&mut command);
        let log = Log::follow(process.0.stderr.take().unwrap());
        let url = format!("http://127.0.0.1:{port}");
        let status = format!("{url}/status");
        let answers = poll(ANSWER_WAIT, || {
            if process.0.try_wait().ok().flatten().is_some() {
                return Some(false);
            }
            ureq::get(&status)
                .timeout(LOOK_WAIT)
                .call()
                .ok()
                .map(|_| true)
        })
        .unwrap_or(false);
        let display = (env.iter().find(|(key, _)| *key == "DISPLAY"))
            .map(|(_, display)| display.clone())
            .expect("the app's DISPLAY");
        answers.then(|| Self {
            _process: process,
            log,
            url,
            display,
        })
    }

    /// Opens a session: WebKitWebDriver starts `application` and drives its window.
    pub fn session(&self, application: &Path) -> Session {
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "wry",
            "tauri:options": { "application": application },
        }}});
        let answer = call(
            ureq::post(&format!("{}/session", self.url)),
            Some(capabilities),
        );
        let id = answer["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        Session {
            url: format!("{}/session/{id}", self.url),
            display: self.display.clone(),
        }
    }
}

/// One WebDriver session on the app's window, on the X display `display`.
pub struct Session {
    url: String,
    display: String,
}

impl Session {
    fn post(&self, path: &str, body: Value) -> Value {
        call(ureq::post(&format!("{}{path}", self.url)), Some(body))
    }

    fn get(&self, path: &str) -> Value {
        call(ureq::get(&format!("{}{path}", self.url)), None)
    }

    /// Runs `script` in the page (`arguments` holds `args`); returns its value.
    pub fn script(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
    }

    /// Waits until an element matching `css` whose text contains `text` is shown; returns it
    /// (found and returned by one script, so no re-render comes in between).
    pub fn find(&self, css: &str, text: &str) -> String {
        let script = "const [css, text] = arguments;
            return [...document.querySelectorAll(css)].find((e) => e.offsetParent !== null && e.textContent.includes(text)) ?? null;";
        wait_for(&format!("{css} showing {text:?}"), || {
            self.script(script, json!([css, text]))[ELEMENT]
                .as_str()
                .map(str::to_owned)
        })
    }

    pub fn text(&self, element: &str) -> String {
        self.get(&format!("/element/{element}/text"))
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Clicks the element matching `css` that shows `text`, once it is enabled (a click on a
    /// disabled control does nothing, and a control may show a moment before it takes clicks);
    /// one the page replaces in between (a re-render) is found again.
    pub fn click_on(&self, css: &str, text: &str) {
        self.act_on(css, text, |element| {
            let enabled = self.try_get(&format!("/element/{element}/enabled"))?;
            if enabled.as_bool() != Some(true) {
                return Ok(None);
            }
            self.try_post(&format!("/element/{element}/click"), json!({}))
                .map(Some)
        });
    }

    /// Types `keys` into the element matching `css` that shows `text`, as key presses; one the
    /// page replaces in between is found again.
    pub fn type_on(&self, css: &str, text: &str, keys: &str) {
        self.act_on(css, text, |element| {
            self.try_post(
                &format!("/element/{element}/value"),
                json!({ "text": keys }),
            )
            .map(Some)
        });
    }

    /// Finds the element and acts on it until the action is done (`Some`), finding it again
    /// when the page replaced it; any other refusal fails the test.
    fn act_on(
        &self,
        css: &str,
        text: &str,
        action: impl Fn(&str) -> Result<Option<Value>, String>,
    ) {
        wait_for(
            &format!("{css} showing {text:?} to take the action"),
            || match action(&self.find(css, text)) {
                Ok(done) => done,
                Err(said) if stale(&said) => None,
                Err(said) => panic!("{said}"),
            },
        );
    }

    fn try_post(&self, path: &str, body: Value) -> Result<Value, String> {
        try_call(ureq::post(&format!("{}{path}", self.url)), Some(body))
    }

    fn try_get(&self, path: &str) -> Result<Value, String> {
        try_call(ureq::get(&format!("{}{path}", self.url)), None)
    }

    /// Saves a screenshot of the window as a PNG, once the page has painted what it shows
    /// (two animation frames), not an earlier frame.
    pub fn screenshot(&self, file: &Path) {
        self.script(
            "return new Promise((painted) => requestAnimationFrame(() => requestAnimationFrame(painted)));",
            json!([]),
        );
        // Taken from the X server, where the window is: WebKit's own snapshot never answers
        // for a web view drawn without the GPU, as the app's is.
        let rect = self.get("/window/rect");
        let at = |key: &str| rect[key].as_f64().map(|value| value.round() as i64);
        let (Some(x), Some(y), Some(width), Some(height)) =
            (at("x"), at("y"), at("width"), at("height"))
        else {
            panic!("the window's place and size: {rect}");
        };
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        let taken = Command::new("import")
            .args(["-display", &self.display, "-window", "root"])
            .args(["-crop", &format!("{width}x{height}+{x}+{y}"), "+repage"])
            .arg(file)
            .status()
            .expect("ImageMagick's import (make test installs it)");
        assert!(taken.success(), "import took no screenshot: {taken}");
        let png = std::fs::read(file).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = ureq::delete(&self.url).timeout(WAIT).call();
    }
}

/// Sends a WebDriver command; returns its `value`, or fails with the driver's error.
fn call(request: ureq::Request, body: Option<Value>) -> Value {
    try_call(request, body).unwrap_or_else(|said| panic!("{said}"))
}

/// Like [`call`], with the driver's refusal as an error: an element the page replaced since it
/// was found is refused as a "stale element reference".
fn try_call(request: ureq::Request, body: Option<Value>) -> Result<Value, String> {
    let request = request.timeout(WAIT);
    let answer = match body {
        Some(body) => request.send_json(body),
        None => request.call(),
    };
    match answer {
        Ok(response) => Ok(response.into_json::<Value>().unwrap()["value"].clone()),
        Err(ureq::Error::Status(status, response)) => Err(format!(
            "WebDriver said {status}: {}",
            response.into_string().unwrap_or_default()
        )),
        Err(error) => panic!("WebDriver unreachable: {error}"),
    }
}

/// Whether the driver refused an element the page has since replaced (a re-render).
fn stale(said: &str) -> bool {
    said.contains("stale element reference")
}

/// Polls `probe` until it gives a value, at most for [`WAIT`].
pub fn wait_for<T>(what: &str, probe: impl FnMut() -> Option<T>) -> T {
    poll(WAIT, probe).unwrap_or_else(|| panic!("timed out waiting for {what}"))
}

/// Polls `probe` until it gives a value, at most for `limit`; `None` if it never did.
fn poll<T>(limit: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = probe() {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(POLL);
    }
}
