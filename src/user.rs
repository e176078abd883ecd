//! Who is at the keyboard: the operating-system user, as the kernel knows the process's
//! effective uid (not what the environment claims). Used to sign reviews and, later, history.

/// The effective user's login name, or `uid N` when it has no passwd entry.
pub fn current_user() -> String {
    #[cfg(unix)]
    {
        // SAFETY: getpwuid_r writes into the buffers we own; the result pointer is checked.
        unsafe {
            let uid = libc::geteuid();
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
    #[cfg(not(unix))]
    {
        std::env::var("USERNAME").unwrap_or_else(|_| "unknown".into())
    }
}

/// Now, local time, to the second, for records a clerk reads.
pub fn now_text() -> String {
    jiff::Zoned::now().strftime("%Y-%m-%d %H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_user_has_a_name() {
        let u = super::current_user();
        assert!(!u.is_empty());
        assert_eq!(super::now_text().len(), 19);
    }
}
