//! Private copies of the directories a campaign grants the guest (`--dir`).
//!
//! Injected runs run in parallel and may write anything into a granted directory, so every
//! run (golden or injected) gets a fresh copy of each directory, removed when the run ends.
//! What the directories hold at the end is part of the run's observable behaviour.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

/// Numbers the copies of one process.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// The copies of one run; removed on drop.
pub struct PrivateDirs {
    root: Option<PathBuf>,
    paths: Vec<PathBuf>,
}

impl PrivateDirs {
    /// Copies each of `hosts` under a new temporary directory (nothing for no directories).
    pub fn new(hosts: &[PathBuf]) -> Result<PrivateDirs, String> {
        if hosts.is_empty() {
            return Ok(PrivateDirs {
                root: None,
                paths: Vec::new(),
            });
        }
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let root = std::env::temp_dir().join(format!("wasmrel-run-{}-{n}", std::process::id()));
        let mut dirs = PrivateDirs {
            root: Some(root.clone()),
            paths: Vec::new(),
        };
        fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
        for (i, host) in hosts.iter().enumerate() {
            let copy = root.join(i.to_string());
            copy_tree(host, &copy).map_err(|e| format!("copying {}: {e}", host.display()))?;
            dirs.paths.push(copy);
        }
        Ok(dirs)
    }

    /// The copies, in the order of the granted directories.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// A digest of everything the copies hold now (names, kinds, file bytes, link targets),
    /// or `None` without granted directories.
    pub fn digest(&self) -> Option<String> {
        self.root.as_ref()?;
        let mut hasher = Sha256::new();
        for path in &self.paths {
            hash_tree(path, Path::new(""), &mut hasher);
            hasher.update([0xff]);
        }
        Some(
            hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        )
    }
}

impl Drop for PrivateDirs {
    fn drop(&mut self) {
        if let Some(root) = &self.root {
            let _ = fs::remove_dir_all(root);
        }
    }
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(entry.path())?, &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Feeds the tree under `dir` to `hasher` in name order; unreadable entries hash as such.
fn hash_tree(dir: &Path, relative: &Path, hasher: &mut Sha256) {
    let Ok(entries) = fs::read_dir(dir) else {
        hasher.update(b"unreadable directory");
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = relative.join(entry.file_name());
        hasher.update(name.as_os_str().as_encoded_bytes());
        hasher.update([0]);
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => {
                hasher.update(b"d");
                hash_tree(&entry.path(), &name, hasher);
            }
            Ok(kind) if kind.is_symlink() => {
                hasher.update(b"l");
                let target = fs::read_link(entry.path()).unwrap_or_default();
                hasher.update(target.as_os_str().as_encoded_bytes());
            }
            _ => {
                hasher.update(b"f");
                let bytes = fs::read(entry.path()).unwrap_or_default();
                hasher.update((bytes.len() as u64).to_le_bytes());
                hasher.update(&bytes);
            }
        }
        hasher.update([0]);
    }
}
