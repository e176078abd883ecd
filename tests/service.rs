//! `cadre serve` end to end: the real binary owns a database seeded with the demo province and
//! listens on a socket in a temporary directory; clients connect as the library's `Backend`
//! (as the interface does) or as raw sockets (misbehaving clients), and, when the tests run as
//! root, as the real binary under other uids (the kernel names them, not the client).

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cadre::service::{Backend, ServiceError};
use cadre::store::{Store, StoreError};

/// A running service over its own database, stopped (SIGTERM) when dropped.
struct Server {
    child: Option<Child>,
    dir: tempfile::TempDir,
    socket: PathBuf,
}

impl Server {
    fn start(roles: &str) -> Server {
        Self::start_with(roles, &[])
    }

    fn start_with(roles: &str, extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        // Others (the uids the tests switch to) must reach the socket directory.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let db = dir.path().join("db");
        {
            let store = Store::open(&db).unwrap();
            cadre::seed::seed_demo(&store).unwrap();
        }
        let roles_file = dir.path().join("roles.toml");
        std::fs::write(&roles_file, roles).unwrap();
        std::fs::set_permissions(&roles_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let socket = dir.path().join("run").join("cadre.sock");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cadre"));
        cmd.arg("--db")
            .arg(&db)
            .arg("--socket")
            .arg(&socket)
            .arg("serve")
            .arg("--roles")
            .arg(&roles_file)
            .arg("--audit")
            .arg(dir.path().join("audit"))
            .args(extra)
            .env("XDG_CONFIG_HOME", dir.path().join("cfg"))
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let child = cmd.spawn().unwrap();
        let started = Instant::now();
        while !socket.exists() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the service did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // The socket file appears at bind; give listen a moment.
        std::thread::sleep(Duration::from_millis(50));
        Server {
            child: Some(child),
            dir,
            socket,
        }
    }

    fn client(&self) -> Backend {
        Backend::connect(&self.socket).expect("connect")
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("db")
    }

    fn audit(&self) -> PathBuf {
        self.dir.path().join("audit")
    }

    /// SIGTERM, then the exit status and what the service wrote to stderr.
    fn stop(&mut self) -> (std::process::ExitStatus, String) {
        let mut child = self.child.take().expect("running");
        unsafe {
            libc::kill(child.id() as i32, libc::SIGTERM);
        }
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                return (status, err);
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the service did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.is_some() {
            let _ = self.stop();
        }
    }
}

/// The tests' own user as an administrator who may see every dossier.
fn admin_roles() -> String {
    format!(
        "[users.\"{}\"]\nrole = \"administrator\"\nself_access = true\n",
        cadre::user::current_user()
    )
}

fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn edits_from_several_clients_at_once_lose_nothing_and_conflicts_are_caught() {
    let server = Server::start(&admin_roles());
    let ids: Vec<u64> = (1..=4).collect();
    std::thread::scope(|s| {
        for &id in &ids {
            let server = &server;
            s.spawn(move || {
                let c = server.client();
                for round in 0..10 {
                    let (mut d, rev) = c.dossier_at_revision(id).unwrap().unwrap();
                    d.identity.health = format!("第{round}次");
                    c.save_dossier(&d, Some(rev)).unwrap();
                }
            });
        }
    });
    let c = server.client();
    for &id in &ids {
        let (d, rev) = c.dossier_at_revision(id).unwrap().unwrap();
        assert_eq!(d.identity.health, "第9次", "dossier #{id}");
        // Ten edits each, every one recorded.
        let edits = c
            .history(id)
            .unwrap()
            .iter()
            .filter(|e| e.changes.iter().any(|ch| ch.field == "健康状况"))
            .count();
        assert_eq!(edits, 10, "dossier #{id} at revision {rev}");
    }
    // Two clerks open the same dossier; the second save is refused, not lost over the first.
    let a = server.client();
    let b = server.client();
    let (mut da, rev) = a.dossier_at_revision(7).unwrap().unwrap();
    let (mut db, rev_b) = b.dossier_at_revision(7).unwrap().unwrap();
    assert_eq!(rev, rev_b);
    da.identity.health = "甲改".into();
    db.identity.health = "乙改".into();
    a.save_dossier(&da, Some(rev)).unwrap();
    match b.save_dossier(&db, Some(rev)) {
        Err(ServiceError::Store(StoreError::Conflict {
            id,
            expected,
            found,
        })) => {
            assert_eq!((id, expected, found), (7, rev, rev + 1));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(
        c.dossier(7).unwrap().unwrap().identity.health,
        "甲改",
        "the first save stands"
    );
}

/// A raw connection that has said hello and read the welcome.
fn raw(socket: &Path) -> UnixStream {
    let mut s = UnixStream::connect(socket).unwrap();
    s.write_all(cadre::service::protocol::MAGIC).unwrap();
    s.write_all(&cadre::service::protocol::VERSION.to_be_bytes())
        .unwrap();
    let mut len = [0u8; 4];
    s.read_exact(&mut len).unwrap();
    let mut body = vec![0u8; u32::from_be_bytes(len) as usize];
    s.read_exact(&mut body).unwrap();
    s
}

/// True when the server closed the connection (end of stream or reset), within 10 s.
fn closed(mut s: UnixStream) -> bool {
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = [0u8; 64];
    match s.read(&mut buf) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

#[test]
fn a_malformed_or_oversized_message_closes_that_connection_only() {
    let server = Server::start(&admin_roles());
    let good = server.client();
    assert!(good.dossier(1).unwrap().is_some());

    // Oversized: a length far over the request limit.
    let mut big = raw(&server.socket);
    big.write_all(&u32::MAX.to_be_bytes()).unwrap();
    assert!(closed(big), "an oversized frame must close the connection");

    // Malformed: a frame whose body is not a request.
    let mut bad = raw(&server.socket);
    bad.write_all(&[0, 0, 0, 4, 0xff, 0xfe, 0xfd, 0xfc])
        .unwrap();
    assert!(closed(bad), "a garbled frame must close the connection");

    // Not a client at all.
    let mut http = UnixStream::connect(&server.socket).unwrap();
    http.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    assert!(closed(http), "a wrong hello must close the connection");

    // A client that hangs up mid-frame.
    let mut cut = raw(&server.socket);
    cut.write_all(&[0, 0, 1, 0, 1, 2]).unwrap();
    drop(cut);

    // The well-behaved client, connected all along, still works; so does a new one.
    assert!(good.dossier(2).unwrap().is_some());
    assert!(server.client().dossier(3).unwrap().is_some());
}

#[test]
fn sigterm_closes_connections_flushes_and_releases_the_database() {
    let mut server = Server::start(&admin_roles());
    let c = server.client();
    let (mut d, rev) = c.dossier_at_revision(5).unwrap().unwrap();
    d.identity.health = "停机前的修改".into();
    c.save_dossier(&d, Some(rev)).unwrap();
    let (status, err) = server.stop();
    assert!(status.success(), "exit {status:?}: {err}");
    assert!(err.contains("已停止"), "{err}");
    assert!(!server.socket.exists(), "the socket is removed");
    // The connected client sees the service gone, with a clear error.
    let e = c.dossier(5).unwrap_err();
    assert!(e.to_string().contains("cadre 服务"), "{e}");
    // The database is released and holds the edit.
    let store = Store::open(&server.db()).unwrap();
    assert_eq!(
        store.dossier(5).unwrap().unwrap().identity.health,
        "停机前的修改"
    );
}

#[test]
fn socket_and_directory_are_restricted() {
    let server = Server::start(&admin_roles());
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(server.socket.parent().unwrap()), 0o750);
    assert_eq!(
        mode(&server.socket),
        0o600,
        "no group given: the owner only"
    );
    drop(server);
    // With a group: the group may connect, nobody else.
    let gid = unsafe { libc::getegid() };
    let group = cadre::user::group_name_of(gid).expect("a named primary group");
    let server = Server::start_with(&admin_roles(), &["--group", &group]);
    assert_eq!(mode(&server.socket), 0o660);
    use std::os::unix::fs::MetadataExt;
    assert_eq!(std::fs::metadata(&server.socket).unwrap().gid(), gid);
    assert_eq!(
        std::fs::metadata(server.socket.parent().unwrap())
            .unwrap()
            .gid(),
        gid
    );
    // The database directory is the service user's alone.
    assert_eq!(
        mode(&server.db()) & 0o077,
        0,
        "database dir {:o}",
        mode(&server.db())
    );
    let _ = server.audit();
}

#[test]
fn a_second_service_on_the_same_socket_is_refused() {
    let server = Server::start(&admin_roles());
    let out = Command::new(env!("CARGO_BIN_EXE_cadre"))
        .arg("--db")
        .arg(server.dir.path().join("other-db"))
        .arg("--socket")
        .arg(&server.socket)
        .arg("serve")
        .arg("--roles")
        .arg(server.dir.path().join("roles.toml"))
        .arg("--audit")
        .arg(server.dir.path().join("other-audit"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("已有 cadre 服务在运行"), "{err}");
    // The first still answers.
    assert!(server.client().dossier(1).unwrap().is_some());
    let _ = is_root();
}

/// Runs the real binary as another user (uid, with the socket's group), against the service.
fn as_user(
    server: &Server,
    uid: u32,
    gid: u32,
    args: &[&str],
    env: &[(&str, &str)],
) -> (bool, String, String) {
    use std::os::unix::process::CommandExt;
    let home = server.dir.path().join(format!("home-{uid}"));
    std::fs::create_dir_all(&home).unwrap();
    std::os::unix::fs::chown(&home, Some(uid), Some(gid)).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cadre"));
    cmd.args(args)
        .env_clear()
        .env("CADRE_SOCKET", &server.socket)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("cfg"))
        .env("XDG_DATA_HOME", home.join("data"))
        .envs(env.iter().copied())
        .uid(uid)
        .gid(gid);
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A demo dossier holding every sensitive section: ID number, family, findings, talk notes.
fn sensitive_dossier(store: &Store) -> cadre::model::Dossier {
    store
        .dossiers()
        .map(Result::unwrap)
        .find(|d| {
            !d.identity.id_number.is_empty()
                && !d.family.is_empty()
                && !d.findings.is_empty()
                && d.assessments.iter().any(|a| !a.talk_notes.is_empty())
        })
        .expect("the demo province has a dossier with every sensitive section")
}

#[test]
fn each_user_is_who_the_kernel_says_and_sees_only_what_the_roles_file_allows() {
    if !is_root() {
        eprintln!("skipped: switching users needs root (CI runs as root)");
        return;
    }
    // The socket's group: the clients run with it as their only group.
    let gid = 65534; // nogroup
    let group = cadre::user::group_name_of(gid).expect("nogroup");
    // Learn the demo data first (the same province the service will be seeded with).
    let probe = Store::temporary().unwrap();
    cadre::seed::seed_demo(&probe).unwrap();
    let d = sensitive_dossier(&probe);
    let own = probe
        .dossiers()
        .map(Result::unwrap)
        .find(|o| o.id != d.id && !o.identity.id_number.is_empty())
        .unwrap();
    drop(probe);
    let roles = format!(
        "{}\n[users.\"uid:60001\"]\nrole = \"clerk\"\nid_number = \"{}\"\n\n[users.\"uid:60002\"]\nrole = \"clerk\"\n\n[users.\"uid:60003\"]\nrole = \"viewer\"\n\n[users.\"uid:60004\"]\nrole = \"supervisor\"\n",
        admin_roles(),
        own.identity.id_number
    );
    let server = Server::start_with(&roles, &["--group", &group]);
    let target = format!("#{}", d.id);
    let talk = d
        .assessments
        .iter()
        .find(|a| !a.talk_notes.is_empty())
        .unwrap()
        .talk_notes
        .clone();
    let relative = d.family[0].name.clone();
    let finding = d.findings[0].summary.clone();
    let id_number = d.identity.id_number.clone();
    let show = |uid: u32, env: &[(&str, &str)]| {
        let (ok, out, err) = as_user(&server, uid, gid, &["show", &target], env);
        assert!(ok, "uid {uid}: {err}");
        assert!(out.contains(&d.identity.name), "uid {uid} sees the dossier");
        out
    };

    // The viewer: no ID number, family, findings or talk notes, each marked as withheld.
    let viewer = show(60003, &[]);
    for (what, text) in [
        ("ID number", &id_number),
        ("relative", &relative),
        ("finding", &finding),
        ("talk notes", &talk),
    ] {
        assert!(
            !viewer.contains(text.as_str()),
            "the viewer must not see the {what}"
        );
    }
    assert!(viewer.contains("无权查看"), "{viewer}");

    // A viewer claiming to be root in every way the environment allows is still the viewer.
    let pretending = show(
        60003,
        &[
            ("USER", "root"),
            ("LOGNAME", "root"),
            ("SUDO_USER", "root"),
            ("CADRE_USER", "root"),
        ],
    );
    assert!(
        !pretending.contains(&id_number),
        "the environment names nobody"
    );

    // The clerk: the ID number, not family, findings or talk notes.
    let clerk = show(60002, &[]);
    assert!(clerk.contains(&id_number));
    assert!(!clerk.contains(&relative) && !clerk.contains(&finding) && !clerk.contains(&talk));

    // The supervisor: everything.
    let supervisor = show(60004, &[]);
    for text in [&id_number, &relative, &finding, &talk] {
        assert!(
            supervisor.contains(text.as_str()),
            "the supervisor sees {text}"
        );
    }

    // Nobody sees their own dossier: uid 60001 is linked to `own` by ID number.
    let (ok, _, err) = as_user(&server, 60001, gid, &["show", &format!("#{}", own.id)], &[]);
    assert!(!ok, "one's own dossier is refused");
    assert!(err.contains("本人或亲属"), "{err}");

    // A user the roles file does not name is refused at the door.
    let (ok, _, err) = as_user(&server, 60009, gid, &["show", &target], &[]);
    assert!(!ok);
    assert!(err.contains("没有访问 cadre 的权限"), "{err}");

    // A user outside the socket's group cannot even connect.
    let (ok, _, err) = as_user(&server, 60003, 60003, &["show", &target], &[]);
    assert!(!ok);
    assert!(err.contains("无法连接"), "{err}");

    // Every access is in the audit trail under the kernel's name for the user.
    let admin = server.client();
    let entries = admin.audit_entries(Default::default()).unwrap();
    let text = format!("{entries:?}");
    for who in [
        "uid 60003",
        "uid 60002",
        "uid 60004",
        "uid 60001",
        "uid 60009",
    ] {
        assert!(text.contains(who), "{who} is in the audit trail");
    }
}

#[test]
fn a_backup_taken_while_serving_restores_to_the_same_data() {
    let mut server = Server::start(&admin_roles());
    let c = server.client();
    let (mut d, rev) = c.dossier_at_revision(9).unwrap().unwrap();
    d.identity.health = "备份前".into();
    c.save_dossier(&d, Some(rev)).unwrap();
    let file = server.dir.path().join("served.bak");
    // Another client keeps reading while the backup is written.
    let reader = server.client();
    let text = std::thread::scope(|s| {
        let r = s.spawn(|| {
            for i in 1..=50u64 {
                assert!(reader.dossier(i).unwrap().is_some());
            }
        });
        let resp = c
            .call(cadre::service::protocol::Request::Backup(
                file.display().to_string(),
            ))
            .unwrap();
        r.join().unwrap();
        match resp {
            cadre::service::protocol::Response::Text(t) => t,
            other => panic!("{other:?}"),
        }
    });
    assert!(text.contains("SHA-256"), "{text}");
    let (status, _) = server.stop();
    assert!(status.success());
    let restored = server.dir.path().join("restored");
    let key = cadre::store::crypto::default_key_file(&server.db());
    let options = cadre::store::backup::RestoreOptions {
        replace: false,
        key: cadre::store::crypto::KeySource::File(key.clone()),
    };
    Store::restore(&file, &restored, options).unwrap();
    let store = Store::open_with(
        &restored,
        &cadre::store::StoreOptions {
            key: cadre::store::crypto::KeySource::File(key),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(store.dossier(9).unwrap().unwrap().identity.health, "备份前");
    assert!(store.check().unwrap().issues.is_empty());
}

#[test]
fn a_role_without_the_right_is_refused_and_the_refusal_recorded() {
    let roles = format!(
        "{}\n[users.\"{}\"]\nrole = \"viewer\"\n",
        "",
        cadre::user::current_user()
    );
    let server = Server::start(&roles);
    let c = server.client();
    assert_eq!(c.welcome().role, "viewer");
    let d = c.dossier(1).unwrap().unwrap();
    assert!(d.identity.id_number.is_empty(), "the service withholds it");
    assert!(d.family.is_empty() && d.findings.is_empty());
    for (what, result) in [
        ("save", c.save_dossier(&d, None).map(|_| ())),
        (
            "alerts",
            c.derive(cadre::model::PartialDate::today(), true, false)
                .map(|_| ()),
        ),
        ("audit", c.audit_entries(Default::default()).map(|_| ())),
        (
            "backup",
            c.call(cadre::service::protocol::Request::Backup(
                "/tmp/x.bak".into(),
            ))
            .and_then(|r| match r {
                cadre::service::protocol::Response::Failed(f) => Err(f.into()),
                _ => Ok(()),
            }),
        ),
        (
            "export",
            c.note(cadre::audit::Action::Export, "/tmp/out.xlsx"),
        ),
    ] {
        match result {
            Err(ServiceError::Denied(why)) => assert!(why.contains("viewer"), "{what}: {why}"),
            other => panic!("{what}: expected a refusal, got {other:?}"),
        }
    }
    // A filter on a withheld field is refused by the service.
    for withheld in ["有监督信息", "受处分(近5年)", "性别=男 且 有未办结问题"] {
        assert!(
            matches!(
                c.query(withheld, cadre::model::PartialDate::today()),
                Err(ServiceError::Denied(_))
            ),
            "{withheld}"
        );
    }
    assert!(
        !c.query("性别=男", cadre::model::PartialDate::today())
            .unwrap()
            .is_empty()
    );
    drop(c);
    // Every refusal is in the trail, which verifies.
    let listing = cadre::audit::entries(&server.audit(), &Default::default()).unwrap();
    let denied = listing
        .entries
        .iter()
        .filter(|e| e.outcome == cadre::audit::Outcome::Denied)
        .count();
    assert!(denied >= 5, "{denied} refusals recorded");
    assert!(cadre::audit::verify(&server.audit()).is_intact());
}

#[test]
fn the_key_is_rotated_while_clients_keep_reading() {
    let mut server = Server::start(&admin_roles());
    let old_key = std::fs::read(cadre::store::crypto::default_key_file(&server.db())).unwrap();
    let new_key_file = server.dir.path().join("new.key");
    cadre::store::crypto::write_new_key_file(&new_key_file).unwrap();
    let admin = server.client();
    let reader = server.client();
    let name = reader.dossier(3).unwrap().unwrap().identity.name;
    let done = std::sync::atomic::AtomicBool::new(false);
    let text = std::thread::scope(|s| {
        let r = s.spawn(|| {
            let mut reads = 0;
            loop {
                for id in 1..=20u64 {
                    assert!(reader.dossier(id).unwrap().is_some(), "read #{id}");
                }
                assert!(!reader.find(&name).unwrap().is_empty(), "lookup by name");
                reads += 1;
                if done.load(std::sync::atomic::Ordering::SeqCst) {
                    break reads;
                }
            }
        });
        let resp = admin
            .call(cadre::service::protocol::Request::RotateKey(
                new_key_file.display().to_string(),
            ))
            .unwrap();
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        r.join().unwrap();
        match resp {
            cadre::service::protocol::Response::Text(t) => t,
            other => panic!("{other:?}"),
        }
    });
    assert!(text.contains("已重新加密"), "{text}");
    // Writes go on after it, under the new key.
    let (mut d, rev) = admin.dossier_at_revision(3).unwrap().unwrap();
    d.identity.health = "轮换后".into();
    admin.save_dossier(&d, Some(rev)).unwrap();
    let (status, _) = server.stop();
    assert!(status.success());
    // The default key file now holds the new key; the old key opens nothing.
    let key_file = cadre::store::crypto::default_key_file(&server.db());
    assert_eq!(
        std::fs::read(&key_file).unwrap(),
        std::fs::read(&new_key_file).unwrap()
    );
    let old = server.dir.path().join("old.key");
    std::fs::write(&old, &old_key).unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o600)).unwrap();
    let with = |k: PathBuf| {
        Store::open_with(
            &server.db(),
            &cadre::store::StoreOptions {
                key: cadre::store::crypto::KeySource::File(k),
                ..Default::default()
            },
        )
    };
    let err = with(old).err().expect("the old key is refused");
    assert!(err.to_string().contains("密钥"), "{err}");
    let store = with(new_key_file).unwrap();
    assert_eq!(store.dossier(3).unwrap().unwrap().identity.health, "轮换后");
}

#[test]
fn the_raw_files_of_a_served_database_hold_no_name_or_id_number() {
    let mut server = Server::start(&admin_roles());
    let c = server.client();
    let d = c.dossier(11).unwrap().unwrap();
    let (mut e, rev) = c.dossier_at_revision(11).unwrap().unwrap();
    e.identity.health = "服务期间的修改".into();
    c.save_dossier(&e, Some(rev)).unwrap();
    c.save_filter(
        &format!("查{}", d.identity.name),
        &format!("姓名={}", d.identity.name),
    )
    .unwrap();
    let (status, _) = server.stop();
    assert!(status.success());
    let needles = [
        d.identity.name.as_bytes().to_vec(),
        d.identity.id_number.as_bytes().to_vec(),
        "服务期间的修改".as_bytes().to_vec(),
    ];
    let mut files = 0;
    let mut stack = vec![server.db()];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        files += 1;
        let bytes = std::fs::read(&p).unwrap();
        for n in &needles {
            assert!(
                !bytes.windows(n.len()).any(|w| w == n.as_slice()),
                "{} holds {} in the clear",
                p.display(),
                String::from_utf8_lossy(n)
            );
        }
    }
    assert!(files >= 3, "the scan saw the database's files");
}
