//! Who is at the keyboard: the operating-system user, as the kernel knows the process's
//! effective uid (not what the environment claims). Used to sign reviews and, later, history.

/// The effective user's login name, or `uid N` when it has no passwd entry.
pub fn current_user() -> String {
    #[cfg(unix)]
    {
        // SAFETY: geteuid cannot fail.
        name_of(unsafe { libc::geteuid() })
    }
    #[cfg(not(unix))]
    {
        std::env::var("USERNAME").unwrap_or_else(|_| "unknown".into())
    }
}

/// The login name of `uid`, or `uid N` when it has no passwd entry.
#[cfg(unix)]
pub fn name_of(uid: u32) -> String {
    {
        // SAFETY: getpwuid_r writes into the buffers we own; the result pointer is checked.
        unsafe {
            let mut pwd: libc::passwd = std::mem::zeroed();
            let mut buf = vec![0 as libc::c_char; 4096];
            let mut result: *mut libc::passwd = std::ptr::null_mut();
            let rc = libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result);
            if rc == 0 && !result.is_null() && !pwd.pw_name.is_null() {
                return std::ffi::CStr::from_ptr(pwd.pw_name)
                    .to_string_lossy()
                    .into_owned();
            }
            format!("uid {uid}")
        }
    }
}

/// The names of the groups `user` (primary group `gid`) belongs to, as the system's group
/// database says.
#[cfg(unix)]
pub fn groups_of(user: &str, gid: u32) -> Vec<String> {
    let Ok(cname) = std::ffi::CString::new(user) else {
        return Vec::new();
    };
    let mut n: libc::c_int = 64;
    loop {
        let mut gids = vec![0 as libc::gid_t; n as usize];
        // SAFETY: the buffer holds `n` gids; getgrouplist updates `n` to the count needed.
        let rc = unsafe { libc::getgrouplist(cname.as_ptr(), gid, gids.as_mut_ptr(), &mut n) };
        if rc >= 0 {
            gids.truncate(n as usize);
            return gids.into_iter().filter_map(group_name_of).collect();
        }
        if n > 65536 {
            return Vec::new();
        }
        n *= 2;
    }
}

/// The name of a group by gid.
#[cfg(unix)]
pub fn group_name_of(gid: u32) -> Option<String> {
    // SAFETY: getgrgid_r writes into buffers we own; the result pointer is checked.
    unsafe {
        let mut grp: libc::group = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 16384];
        let mut result: *mut libc::group = std::ptr::null_mut();
        let rc = libc::getgrgid_r(gid, &mut grp, buf.as_mut_ptr(), buf.len(), &mut result);
        (rc == 0 && !result.is_null() && !grp.gr_name.is_null()).then(|| {
            std::ffi::CStr::from_ptr(grp.gr_name)
                .to_string_lossy()
                .into_owned()
        })
    }
}

/// The gid of a group by name.
#[cfg(unix)]
pub fn group_id(name: &str) -> Option<u32> {
    let cname = std::ffi::CString::new(name).ok()?;
    // SAFETY: getgrnam_r writes into buffers we own; the result pointer is checked.
    unsafe {
        let mut grp: libc::group = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 16384];
        let mut result: *mut libc::group = std::ptr::null_mut();
        let rc = libc::getgrnam_r(
            cname.as_ptr(),
            &mut grp,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        );
        (rc == 0 && !result.is_null()).then_some(grp.gr_gid)
    }
}

/// Who is at the other end of a Unix socket, as the kernel says (SO_PEERCRED): uid, gid, pid.
#[cfg(target_os = "linux")]
pub fn peer_of(stream: &std::os::unix::net::UnixStream) -> std::io::Result<(u32, u32, i32)> {
    use std::os::fd::AsRawFd;
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` is a ucred and `len` its size, as SO_PEERCRED expects.
    let rc = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok((cred.uid, cred.gid, cred.pid))
}

/// Now, local time, to the second, for records a clerk reads.
pub fn now_text() -> String {
    jiff::Zoned::now().strftime("%Y-%m-%d %H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_kernel_names_the_peer_of_a_socket() {
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        let (uid, gid, pid) = super::peer_of(&a).unwrap();
        assert_eq!(uid, unsafe { libc::geteuid() });
        assert_eq!(gid, unsafe { libc::getegid() });
        assert_eq!(pid as u32, std::process::id());
        assert_eq!(super::name_of(uid), super::current_user());
        let groups = super::groups_of(&super::current_user(), gid);
        assert!(!groups.is_empty(), "the primary group at least");
    }

    #[test]
    fn the_user_has_a_name() {
        let u = super::current_user();
        assert!(!u.is_empty());
        assert_eq!(super::now_text().len(), 19);
    }
}
