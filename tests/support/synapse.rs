//! A real Synapse homeserver on 127.0.0.1 for the Matrix tests, from the venv that
//! `scripts/install-synapse.sh` makes. Each `Synapse` has its own folder, port and
//! SQLite database, and is stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

pub const SERVER_NAME: &str = "localhost";
const SECRET: &str = "hearth-test-registration-secret";

pub struct Synapse {
    child: Option<Child>,
    dir: tempfile::TempDir,
    pub port: u16,
    venv: PathBuf,
}

fn venv() -> PathBuf {
    std::env::var_os("HEARTH_SYNAPSE_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/synapse-venv"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `rc_message`: Synapse's message rate limit as YAML, or None for Synapse's default.
fn config(dir: &Path, port: u16, rc_message: Option<&str>) -> String {
    let d = dir.display();
    let lots = "{per_second: 1000, burst_count: 1000}";
    let rc_message = rc_message.map_or(String::new(), |r| format!("rc_message: {r}\n"));
    format!(
        r#"server_name: "{SERVER_NAME}"
pid_file: "{d}/homeserver.pid"
listeners:
  - port: {port}
    bind_addresses: ["127.0.0.1"]
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: "{d}/homeserver.db"
log_config: "{d}/log.yaml"
media_store_path: "{d}/media"
signing_key_path: "{d}/signing.key"
registration_shared_secret: "{SECRET}"
enable_registration: false
report_stats: false
trusted_key_servers: []
suppress_key_server_warning: true
presence:
  enabled: false
{rc_message}rc_registration: {lots}
rc_login:
  address: {lots}
  account: {lots}
  failed_attempts: {lots}
rc_joins:
  local: {lots}
  remote: {lots}
rc_invites:
  per_room: {lots}
  per_user: {lots}
  per_issuer: {lots}
rc_3pid_validation: {lots}
rc_room_creation: {lots}
rc_admin_redaction: {lots}
"#
    )
}

const LOG_CONFIG: &str = "version: 1
formatters:
  plain:
    format: '%(asctime)s %(levelname)s %(name)s %(message)s'
handlers:
  file:
    class: logging.FileHandler
    formatter: plain
    filename: LOGFILE
root:
  level: WARNING
  handlers: [file]
disable_existing_loggers: false
";

/// A plain HTTP GET on loopback; the status line and body, or None.
pub async fn http_get(port: u16, path: &str) -> Option<String> {
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .ok()?;
    let req = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    s.write_all(req.as_bytes()).await.ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).await.ok()?;
    Some(out)
}

impl Synapse {
    /// Starts a fresh homeserver with no practical rate limits and waits until it answers.
    pub async fn start() -> Synapse {
        Self::start_with_message_limit(Some("{per_second: 1000, burst_count: 1000}")).await
    }

    /// Starts a fresh homeserver whose message rate limit is `rc_message` (YAML, as in
    /// homeserver.yaml), or Synapse's default when None.
    pub async fn start_with_message_limit(rc_message: Option<&str>) -> Synapse {
        let venv = venv();
        let python = venv.join("bin/python");
        assert!(
            python.exists(),
            "Synapse is not installed at {}: run ./scripts/install-synapse.sh (the test command does)",
            venv.display()
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        std::fs::write(
            dir.path().join("homeserver.yaml"),
            config(dir.path(), port, rc_message),
        )
        .unwrap();
        let log = dir.path().join("homeserver.log");
        std::fs::write(
            dir.path().join("log.yaml"),
            LOG_CONFIG.replace("LOGFILE", &log.display().to_string()),
        )
        .unwrap();
        let cfg = dir.path().join("homeserver.yaml");
        let keys = Command::new(&python)
            .args(["-m", "synapse.app.homeserver", "-c"])
            .arg(&cfg)
            .arg("--generate-keys")
            .current_dir(dir.path())
            .output()
            .await
            .expect("run synapse --generate-keys");
        assert!(
            keys.status.success(),
            "synapse --generate-keys: {}",
            String::from_utf8_lossy(&keys.stderr)
        );
        let mut s = Synapse {
            child: None,
            dir,
            port,
            venv,
        };
        s.spawn().await;
        s
    }

    async fn spawn(&mut self) {
        let child = Command::new(self.venv.join("bin/python"))
            .args(["-m", "synapse.app.homeserver", "-c"])
            .arg(self.dir.path().join("homeserver.yaml"))
            .current_dir(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start synapse");
        self.child = Some(child);
        for _ in 0..600 {
            if http_get(self.port, "/_matrix/client/versions")
                .await
                .is_some_and(|r| r.contains(" 200 "))
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let log =
            std::fs::read_to_string(self.dir.path().join("homeserver.log")).unwrap_or_default();
        panic!(
            "synapse did not answer within 60 s; log tail:\n{}",
            tail(&log, 40)
        );
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Registers a user with Synapse's own tool; returns the full user id.
    pub async fn register(&self, localpart: &str, password: &str, admin: bool) -> String {
        let out = Command::new(self.venv.join("bin/register_new_matrix_user"))
            .args([
                "-u",
                localpart,
                "-p",
                password,
                if admin { "-a" } else { "--no-admin" },
                "-c",
            ])
            .arg(self.dir.path().join("homeserver.yaml"))
            .arg(self.base_url())
            .output()
            .await
            .expect("run register_new_matrix_user");
        assert!(
            out.status.success(),
            "registering {localpart}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        format!("@{localpart}:{SERVER_NAME}")
    }

    /// Stops the server (SIGKILL), keeping its data for [`Synapse::restart`].
    pub async fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill().await;
        }
    }

    pub async fn restart(&mut self) {
        self.stop().await;
        self.spawn().await;
    }
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
