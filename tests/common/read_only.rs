//! Making a file or folder really unwritable for the tests, undone on drop.
//!
//! Permission bits do not stop root, and the tests often run as root (CI
//! containers): there the paths are made immutable (`chattr +i`), which
//! stops root too. Otherwise they are made 444 (files) and 555 (folders).
//! Where neither works (root without CAP_LINUX_IMMUTABLE, a file system
//! without the attribute), `make` says so and returns None: the test is
//! skipped, never passed by a write that was in fact allowed.
#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

pub struct ReadOnly {
    /// Made unwritable, in order; undone in reverse.
    paths: Vec<PathBuf>,
    root: bool,
}

fn chattr(flag: &str, p: &Path) -> bool {
    std::process::Command::new("chattr")
        .arg(flag)
        .arg(p)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether this process can still write to `p` (a file: open it for
/// writing; a folder: create a file in it).
pub fn writable(p: &Path) -> bool {
    if p.is_dir() {
        let probe = p.join(".write-probe");
        let ok = std::fs::write(&probe, b"x").is_ok();
        let _ = std::fs::remove_file(&probe);
        ok
    } else {
        std::fs::OpenOptions::new().write(true).open(p).is_ok()
    }
}

impl ReadOnly {
    pub fn make(paths: &[&Path]) -> Option<ReadOnly> {
        let root = unsafe { libc::geteuid() } == 0;
        let mut made = ReadOnly {
            paths: Vec::new(),
            root,
        };
        for p in paths {
            let ok = if root {
                chattr("+i", p)
            } else {
                let mode = if p.is_dir() { 0o555 } else { 0o444 };
                std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).is_ok()
            };
            if !ok {
                eprintln!(
                    "SKIPPED: cannot make {} read-only here (root without chattr +i?)",
                    p.display()
                );
                return None;
            }
            made.paths.push(p.to_path_buf());
        }
        if let Some(p) = paths.iter().find(|p| writable(p)) {
            eprintln!(
                "SKIPPED: {} is still writable for this user after chattr/chmod",
                p.display()
            );
            return None;
        }
        Some(made)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        for p in self.paths.iter().rev() {
            if self.root {
                chattr("-i", p);
            } else {
                let mode = if p.is_dir() { 0o755 } else { 0o644 };
                let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode));
            }
        }
    }
}
