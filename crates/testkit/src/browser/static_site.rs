//! A tiny static file server on a loopback port, for the pages a browser test opens: files from
//! a directory (say `examples/web`) plus files the test makes up (a `config.js` naming the
//! authd under test, a foreign page). GET and HEAD only, one request per connection, no caching,
//! so that a reload fetches every file again.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::thread;
use std::time::Duration;

/// A running server; stops when dropped.
#[derive(Debug)]
pub struct StaticSite {
    port: u16,
    stopped: Arc<AtomicBool>,
    files: Arc<RwLock<SiteFiles>>,
}

/// What the server serves: files under `root`, and `files` (path -> contents) before them.
#[derive(Debug, Default, Clone)]
pub struct SiteFiles {
    pub root: Option<PathBuf>,
    pub files: BTreeMap<String, String>,
}

impl SiteFiles {
    #[must_use]
    pub fn dir(root: impl Into<PathBuf>) -> Self {
        Self {
            root: Some(root.into()),
            files: BTreeMap::new(),
        }
    }

    /// Serves `contents` at `path` (`/config.js`), in place of a file of that name under root.
    #[must_use]
    pub fn with(mut self, path: &str, contents: impl Into<String>) -> Self {
        self.files.insert(path.to_owned(), contents.into());
        self
    }
}

impl StaticSite {
    /// Serves `files` on a free port of 127.0.0.1.
    #[must_use]
    pub fn serve(files: SiteFiles) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .unwrap_or_else(|e| panic!("could not bind a loopback port: {e}"));
        let port = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("no local address: {e}"))
            .port();
        let stopped = Arc::new(AtomicBool::new(false));
        let files = Arc::new(RwLock::new(files));
        let (stop, served) = (stopped.clone(), files.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let files = served.clone();
                thread::spawn(move || {
                    let files = files.read().unwrap_or_else(PoisonError::into_inner).clone();
                    answer(stream, &files);
                });
            }
        });
        Self {
            port,
            stopped,
            files,
        }
    }

    /// Serves `contents` at `path` from now on: say a `config.js` naming a server that could
    /// only start once it knew this site's origin.
    pub fn set(&self, path: &str, contents: impl Into<String>) {
        self.files
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .files
            .insert(path.to_owned(), contents.into());
    }

    /// `http://127.0.0.1:<port>`
    #[must_use]
    pub fn origin(&self) -> String {
        self.origin_on("127.0.0.1")
    }

    /// The same server under another name of the loopback address, say `localhost`: another
    /// origin and, unlike another port, another site.
    #[must_use]
    pub fn origin_on(&self, host: &str) -> String {
        format!("http://{host}:{}", self.port)
    }
}

impl Drop for StaticSite {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::Relaxed);
        // Wakes the accept loop, which then sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn answer(stream: TcpStream, files: &SiteFiles) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // The rest of the head; a GET has no body.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let found = match method {
        "GET" | "HEAD" => find(files, path),
        _ => None,
    };
    let (status, content_type, body) = match found {
        Some((name, body)) => ("200 OK", content_type(&name), body),
        None => (
            "404 Not Found",
            "text/plain; charset=utf-8",
            b"not found\n".to_vec(),
        ),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut stream = &stream;
    let _ = stream.write_all(head.as_bytes());
    if method != "HEAD" {
        let _ = stream.write_all(&body);
    }
}

/// The file for `path`: a made-up one, or one under root; a directory means its `index.html`
/// (so `/` opens `index.html` and `/verify-email?token=…` opens `verify-email/index.html`, as `python3 -m http.server`
/// does after its redirect). `..` never leaves root.
fn find(files: &SiteFiles, path: &str) -> Option<(String, Vec<u8>)> {
    let index = format!("{path}index.html");
    let made_up = if path.ends_with('/') { &index } else { path };
    if let Some(contents) = files.files.get(made_up) {
        return Some((made_up.to_owned(), contents.clone().into_bytes()));
    }
    let root = files.root.as_deref()?;
    let relative = path.trim_start_matches('/');
    if relative.split('/').any(|segment| segment == "..") {
        return None;
    }
    let mut file = root.join(relative);
    if file.is_dir() {
        file = file.join("index.html");
    }
    let body = std::fs::read(&file).ok()?;
    Some((name_of(&file), body))
}

fn name_of(file: &Path) -> String {
    file.display().to_string()
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::{SiteFiles, StaticSite};
    use std::io::{Read, Write};
    use std::net::TcpStream;

    fn get(site: &StaticSite, target: &str) -> String {
        let port = site
            .origin()
            .rsplit(':')
            .next()
            .unwrap()
            .parse::<u16>()
            .unwrap();
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(stream, "GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    }

    /// A site over a fresh temp dir, which the caller removes.
    fn site() -> (StaticSite, std::path::PathBuf) {
        let root = std::env::temp_dir().join(format!("authd-site-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(root.join("verify-email")).unwrap();
        std::fs::write(root.join("index.html"), "home").unwrap();
        std::fs::write(root.join("config.js"), "from disk").unwrap();
        std::fs::write(root.join("verify-email/index.html"), "verify").unwrap();
        let site = StaticSite::serve(SiteFiles::dir(root.clone()).with("/config.js", "made up"));
        (site, root)
    }

    #[test]
    fn serves_files_directories_and_made_up_files_first() {
        let (site, root) = site();
        let home = get(&site, "/");
        assert!(home.starts_with("HTTP/1.1 200"), "{home}");
        assert!(
            home.contains("text/html") && home.ends_with("home"),
            "{home}"
        );
        assert!(get(&site, "/verify-email?token=abc").ends_with("verify"));
        let config = get(&site, "/config.js");
        assert!(
            config.contains("text/javascript") && config.ends_with("made up"),
            "{config}"
        );
        site.set("/config.js", "changed");
        assert!(get(&site, "/config.js").ends_with("changed"));
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn nothing_outside_the_root_nor_missing_files() {
        let (site, root) = site();
        assert!(get(&site, "/../../etc/passwd").starts_with("HTTP/1.1 404"));
        assert!(get(&site, "/verify-email/../../x").starts_with("HTTP/1.1 404"));
        assert!(get(&site, "/missing.js").starts_with("HTTP/1.1 404"));
        std::fs::remove_dir_all(root).unwrap();
    }
}
