//! `cadre serve`: the one process that owns the store, listening on a Unix socket. Each
//! connection gets a thread and a session for the user the kernel names (SO_PEERCRED); a
//! malformed or oversized message ends that connection only. SIGTERM or SIGINT stops
//! accepting, closes the connections, flushes and closes the store, and removes the socket.

use std::io::{BufReader, BufWriter};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use super::protocol::{
    MAX_REQUEST, Request, Response, VERSION, WireError, read_frame, read_hello, write_frame,
};
use super::session::Shared;

/// Where and for whom the service listens.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The socket's path; its directory is created 0750 (group-restricted) if missing.
    pub socket: PathBuf,
    /// The group whose members may connect (the socket directory's and socket's group).
    pub group: Option<String>,
}

/// How often the accept loop looks for a stop signal.
const POLL: Duration = Duration::from_millis(50);

/// Runs until `stop` is set (the caller registers SIGTERM/SIGINT on it).
pub fn serve(shared: Arc<Shared>, opts: &ServeOptions, stop: Arc<AtomicBool>) -> Result<()> {
    let listener = bind(opts)?;
    listener
        .set_nonblocking(true)
        .context("无法设置套接字为非阻塞")?;
    tracing::info!(socket = %opts.socket.display(), "service listening");
    let me = crate::user::current_user();
    shared.record(
        &me,
        crate::audit::Action::ServiceStart,
        opts.socket.display().to_string(),
        super::session::Outcome::Ok,
    );
    // Each connection's thread, with a handle on its socket to shut it down at the end.
    let mut workers: Vec<(std::thread::JoinHandle<()>, UnixStream)> = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let Ok(handle) = stream.try_clone() else {
                    continue;
                };
                let shared = shared.clone();
                let spawned = std::thread::Builder::new()
                    .name("connection".into())
                    .spawn(move || connection(shared, stream));
                match spawned {
                    Ok(h) => workers.push((h, handle)),
                    Err(e) => tracing::error!("cannot start a connection thread: {e}"),
                }
                workers.retain(|(h, _)| !h.is_finished());
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::sleep(POLL),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                tracing::error!("accept failed: {e}");
                std::thread::sleep(POLL);
            }
        }
    }
    tracing::info!("service stopping");
    for (_, s) in &workers {
        let _ = s.shutdown(std::net::Shutdown::Both);
    }
    for (h, _) in workers {
        let _ = h.join();
    }
    let _ = std::fs::remove_file(&opts.socket);
    shared.store().flush().context("无法写回数据库")?;
    shared.record(
        &me,
        crate::audit::Action::ServiceStop,
        opts.socket.display().to_string(),
        super::session::Outcome::Ok,
    );
    tracing::info!("service stopped");
    Ok(())
}

/// Creates the socket directory and the socket with the right owners and modes; refuses to
/// take over a socket another service still answers on.
fn bind(opts: &ServeOptions) -> Result<UnixListener> {
    let path = &opts.socket;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let gid = match &opts.group {
        Some(g) => {
            Some(crate::user::group_id(g).with_context(|| format!("系统中没有用户组“{g}”"))?)
        }
        None => None,
    };
    if !dir.exists() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("无法创建套接字目录 {}", dir.display()))?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o750))
            .with_context(|| format!("无法设置 {} 的权限", dir.display()))?;
        if let Some(gid) = gid {
            chown_group(dir, gid)?;
        }
    }
    if path.exists() {
        if UnixStream::connect(path).is_ok() {
            bail!("{} 上已有 cadre 服务在运行", path.display());
        }
        std::fs::remove_file(path)
            .with_context(|| format!("无法移除残留的套接字 {}", path.display()))?;
    }
    let listener =
        UnixListener::bind(path).with_context(|| format!("无法监听套接字 {}", path.display()))?;
    let set_mode = |mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("无法设置 {} 的权限", path.display()))
    };
    let Some(gid) = gid else {
        set_mode(0o600)?;
        return Ok(listener);
    };
    set_mode(0o660)?;
    if chown_group(path, gid).is_err() {
        // A service user outside the group cannot give the socket to it; the directory,
        // which the administrator gave to the group (0750), then keeps everyone else out.
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(dir).with_context(|| format!("无法读取 {}", dir.display()))?;
        if meta.gid() != gid || meta.mode() & 0o007 != 0 {
            let _ = std::fs::remove_file(path);
            bail!(
                "服务用户不在用户组 {} 中，无法把套接字交给该组；请把服务用户加入该组，或让管理员把 {} 设为该组所有、权限 0750",
                opts.group.as_deref().unwrap_or_default(),
                dir.display()
            );
        }
        set_mode(0o666)?;
    }
    Ok(listener)
}

fn chown_group(path: &Path, gid: u32) -> Result<()> {
    std::os::unix::fs::chown(path, None, Some(gid))
        .with_context(|| format!("无法把 {} 交给用户组 {gid}", path.display()))
}

fn shared_logout(session: &super::session::Session) {
    session.shared().record(
        session.user(),
        crate::audit::Action::Logout,
        String::new(),
        super::session::Outcome::Ok,
    );
}

/// One client, from handshake to hang-up; the socket is shut down on every way out (the
/// accept loop keeps a handle on it, which alone would keep it open).
fn connection(shared: Arc<Shared>, stream: UnixStream) {
    let handle = stream.try_clone();
    serve_connection(shared, stream);
    if let Ok(s) = handle {
        let _ = s.shutdown(std::net::Shutdown::Both);
    }
}

fn serve_connection(shared: Arc<Shared>, stream: UnixStream) {
    let (uid, gid, _pid) = match crate::user::peer_of(&stream) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!("a connection without peer credentials was closed: {e}");
            return;
        }
    };
    let user = crate::user::name_of(uid);
    let groups = crate::user::groups_of(&user, gid);
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = BufWriter::new(stream);
    let version = match read_hello(&mut reader) {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(
                uid,
                "a connection that is not a cadre client was closed: {e}"
            );
            return;
        }
    };
    if version != VERSION {
        let refusal: Result<super::protocol::Welcome, String> = Err(WireError::Version {
            server: VERSION,
            client: version,
        }
        .to_string());
        let _ = write_frame(&mut writer, &refusal);
        return;
    }
    let Some(session) = shared.session(&user, uid, &groups) else {
        let refusal: Result<super::protocol::Welcome, String> = Err(format!(
            "用户 {user} 没有访问 cadre 的权限（角色文件中没有此用户或其用户组）"
        ));
        let _ = write_frame(&mut writer, &refusal);
        return;
    };
    let welcome: Result<super::protocol::Welcome, String> = Ok(session.welcome());
    if write_frame(&mut writer, &welcome).is_err() {
        return;
    }
    tracing::info!(uid, role = %session.grant().role, "client connected");
    loop {
        let req: Request = match read_frame(&mut reader, MAX_REQUEST) {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) => {
                tracing::warn!(uid, "a connection sent a bad message and was closed: {e}");
                break;
            }
        };
        let resp: Response = session.handle(req);
        if let Err(e) = write_frame(&mut writer, &resp) {
            tracing::warn!(uid, "could not answer a client: {e}");
            break;
        }
    }
    shared_logout(&session);
    tracing::info!(uid, "client disconnected");
}
