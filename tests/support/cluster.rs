//! Two auditstream instances as a deployment runs them: a real `redis-server` (Debian's
//! package) on a free loopback port, both instances' apps on their own listeners
//! sharing it (and the test PostgreSQL when there is one), and a real nginx in front
//! of them doing round-robin (nginx in front of one app, as `tests/proxy.rs` runs it,
//! starts the same way). Every process is killed on drop. Without redis-server or
//! nginx the test is skipped with a notice, unless `CI` is set, where it fails.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use auditstream::server::AppState;

use super::{TestApp, settings, start_app_with};

const WAIT: Duration = Duration::from_secs(20);

/// A child process in its own temp dir; killed on drop.
pub struct Process {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The first of `paths` that exists, or `None` after saying so (a failure under CI).
fn binary(paths: &[&str], what: &str, package: &str) -> Option<PathBuf> {
    if let Some(p) = paths.iter().map(PathBuf::from).find(|p| p.is_file()) {
        return Some(p);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{what} is not installed; scripts/install.sh --test installs {package}"
    );
    eprintln!("SKIPPED: {what} is not installed (scripts/install.sh --test installs {package})");
    None
}

/// Starts `cmd` and waits until `port` accepts connections.
async fn started(mut cmd: Command, port: u16, dir: tempfile::TempDir, what: &str) -> Process {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{what} starts: {e}"));
    let mut p = Process { child, port, dir };
    let deadline = Instant::now() + WAIT;
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        if let Ok(Some(status)) = p.child.try_wait() {
            let log = std::fs::read_to_string(p.dir.path().join("error.log"));
            panic!("{what} exited with {status}: {}", log.unwrap_or_default());
        }
        assert!(Instant::now() < deadline, "{what} did not listen in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    p
}

/// `redis-server` on a free port, with no persistence, in a temp dir.
pub async fn start_redis() -> Option<Process> {
    let bin = binary(&["/usr/bin/redis-server"], "redis-server", "redis-server")?;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut cmd = Command::new(bin);
    cmd.arg("--port")
        .arg(port.to_string())
        .arg("--bind")
        .arg("127.0.0.1")
        .arg("--save")
        .arg("")
        .arg("--appendonly")
        .arg("no")
        .arg("--dir")
        .arg(dir.path());
    Some(started(cmd, port, dir, "redis-server").await)
}

/// An nginx configuration in `dir` whose `http` block ends with `servers` (its
/// `upstream` and `server` blocks).
fn nginx_config(dir: &Path, servers: &str) -> String {
    let d = dir.display();
    format!(
        r#"daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
{servers}}}
"#
    )
}

/// nginx on a free port in its own temp prefix, serving what `servers(port)` writes
/// into its `http` block.
pub async fn start_nginx_with(servers: impl FnOnce(u16) -> String) -> Option<Process> {
    let bin = binary(&["/usr/sbin/nginx"], "nginx", "nginx-light")?;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(&conf, nginx_config(dir.path(), &servers(port))).unwrap();
    let mut cmd = Command::new(bin);
    cmd.arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&conf)
        .arg("-e")
        .arg(dir.path().join("error.log"));
    Some(started(cmd, port, dir, "nginx").await)
}

/// nginx on a free port, round-robin over `apps`.
pub async fn start_nginx(apps: &[SocketAddr]) -> Option<Process> {
    let upstream: String = apps.iter().map(|a| format!("    server {a};\n")).collect();
    start_nginx_with(|port| {
        format!(
            r#"  # Round-robin, nginx's default: each request goes to the next instance.
  upstream auditstream {{
{upstream}  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://auditstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}
"#
        )
    })
    .await
}

/// One app with `vars`, its history opened and its Redis connected as the binary does.
pub async fn start_instance(vars: &[(&str, &str)]) -> TestApp {
    let state = AppState::new(settings(vars))
        .with_history()
        .await
        .expect("history opens")
        .with_redis()
        .await
        .expect("redis connects");
    start_app_with(state).await
}
