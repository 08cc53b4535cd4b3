//! Resolving guest paths inside a directory grant without ever leaving it.
//!
//! The path is walked one component at a time from the grant's root. `..` may climb only as
//! far as the root, absolute paths are refused, and every symlink met on the way is read and
//! its target spliced into the walk (so it obeys the same rules) instead of being handed to
//! the host, which would follow it anywhere. The final component is returned unresolved when
//! the caller does not follow symlinks there (`unlink`, `rename`, `readlink`, `lstat`), and
//! callers open it with `O_NOFOLLOW`, so a symlink swapped in at the last moment is not
//! followed either.

use std::prelude::rust_2021::*;

use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::errno::{Errno, WasiResult};

/// Symlinks followed in one lookup before giving up with `ELOOP` (Linux's limit).
const MAX_SYMLINKS: usize = 40;

/// Where a guest path leads inside a grant.
#[derive(Debug)]
pub(crate) struct Resolved {
    /// The host directory holding the last component; symlink-free below the grant's root.
    pub dir: PathBuf,
    /// The last component, or `None` when the path names `dir` itself (`.`, `a/..`).
    pub name: Option<OsString>,
}

impl Resolved {
    /// The host path of the target.
    pub fn path(&self) -> PathBuf {
        match &self.name {
            Some(name) => self.dir.join(name),
            None => self.dir.clone(),
        }
    }

    /// The last component, for operations that need one (`unlink`, `rename`, `mkdir`).
    pub fn require_name(&self, or: Errno) -> WasiResult<PathBuf> {
        match &self.name {
            Some(name) => Ok(self.dir.join(name)),
            None => Err(or),
        }
    }
}

/// Resolves `guest_path` below `root`. With `follow_last` a symlink in the last component is
/// followed too (a trailing `/` also asks for that).
pub(crate) fn resolve(root: &Path, guest_path: &[u8], follow_last: bool) -> WasiResult<Resolved> {
    if guest_path.is_empty() {
        return Err(Errno::NOENT);
    }
    if guest_path.contains(&0) {
        return Err(Errno::INVAL);
    }
    if guest_path.starts_with(b"/") {
        return Err(Errno::NOTCAPABLE);
    }
    let trailing_slash = guest_path.ends_with(b"/");
    let follow_last = follow_last || trailing_slash;

    let mut pending: VecDeque<Vec<u8>> = components(guest_path).map(<[u8]>::to_vec).collect();

    let mut current = root.to_path_buf();
    let mut depth = 0usize;
    let mut links = 0usize;
    while let Some(component) = pending.pop_front() {
        if component == b".." {
            if depth == 0 {
                return Err(Errno::NOTCAPABLE);
            }
            depth -= 1;
            current.pop();
            continue;
        }
        let is_last = pending.is_empty();
        let candidate = current.join(OsStr::from_bytes(&component));
        let meta = match std::fs::symlink_metadata(&candidate) {
            Ok(meta) => meta,
            Err(err) if is_last && err.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Resolved {
                    dir: current,
                    name: Some(OsString::from(OsStr::from_bytes(&component))),
                });
            }
            Err(err) => return Err(err.into()),
        };
        if meta.file_type().is_symlink() && (!is_last || follow_last) {
            links += 1;
            if links > MAX_SYMLINKS {
                return Err(Errno::LOOP);
            }
            let target = std::fs::read_link(&candidate)?;
            let target = target.as_os_str().as_bytes();
            if target.starts_with(b"/") {
                return Err(Errno::NOTCAPABLE);
            }
            for part in components(target).rev() {
                pending.push_front(part.to_vec());
            }
            continue;
        }
        if is_last {
            if trailing_slash && !meta.is_dir() {
                return Err(Errno::NOTDIR);
            }
            return Ok(Resolved {
                dir: current,
                name: Some(OsString::from(OsStr::from_bytes(&component))),
            });
        }
        if !meta.is_dir() {
            return Err(Errno::NOTDIR);
        }
        depth += 1;
        current.push(OsStr::from_bytes(&component));
    }
    Ok(Resolved {
        dir: current,
        name: None,
    })
}

/// The non-empty components of a path other than `.`.
fn components(path: &[u8]) -> impl DoubleEndedIterator<Item = &[u8]> {
    path.split(|&byte| byte == b'/')
        .filter(|part| !part.is_empty() && *part != b".")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A grant root with `sub/`, `file`, and links `out -> ..`, `abs -> /`, `in -> sub`,
    /// `loop -> loop`; removed on drop.
    struct Tree(PathBuf);

    impl Tree {
        fn new(name: &str) -> Self {
            let root =
                std::env::temp_dir().join(format!("wasmrel-sandbox-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&root);
            std::fs::create_dir_all(root.join("sub")).unwrap();
            std::fs::write(root.join("file"), "x").unwrap();
            for (link, target) in [("out", ".."), ("abs", "/"), ("in", "sub"), ("loop", "loop")] {
                std::os::unix::fs::symlink(target, root.join(link)).unwrap();
            }
            Tree(root.canonicalize().unwrap())
        }

        fn resolve(&self, path: &str, follow: bool) -> WasiResult<(PathBuf, Option<String>)> {
            let resolved = resolve(&self.0, path.as_bytes(), follow)?;
            let dir = resolved.dir.strip_prefix(&self.0).unwrap().to_path_buf();
            Ok((dir, resolved.name.map(|n| n.into_string().unwrap())))
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn at(dir: &str, name: Option<&str>) -> WasiResult<(PathBuf, Option<String>)> {
        Ok((PathBuf::from(dir), name.map(str::to_owned)))
    }

    #[test]
    fn paths_inside_resolve() {
        let tree = Tree::new("inside");
        assert_eq!(tree.resolve("sub/new", false), at("sub", Some("new")));
        assert_eq!(tree.resolve("./sub//x", false), at("sub", Some("x")));
        assert_eq!(tree.resolve(".", false), at("", None));
        assert_eq!(tree.resolve("sub/..", false), at("", None));
        assert_eq!(tree.resolve("in/x", false), at("sub", Some("x")));
        assert_eq!(tree.resolve("in", false), at("", Some("in")));
        assert_eq!(tree.resolve("in", true), at("", Some("sub")));
        assert_eq!(tree.resolve("sub/", false), at("", Some("sub")));
    }

    #[test]
    fn escapes_are_not_capable() {
        let tree = Tree::new("escapes");
        for path in [
            "..",
            "../x",
            "sub/../..",
            "/etc",
            "out/x",
            "abs/etc",
            "in/../../x",
        ] {
            assert_eq!(tree.resolve(path, true), Err(Errno::NOTCAPABLE), "{path}");
        }
        // Not following the last component leaves an escaping link itself reachable
        // (to unlink or readlink it), never its target.
        assert_eq!(tree.resolve("out", false), at("", Some("out")));
    }

    #[test]
    fn bad_paths_have_their_errno() {
        let tree = Tree::new("errors");
        assert_eq!(tree.resolve("", false), Err(Errno::NOENT));
        assert_eq!(tree.resolve("a\0b", false), Err(Errno::INVAL));
        assert_eq!(tree.resolve("missing/x", false), Err(Errno::NOENT));
        assert_eq!(tree.resolve("file/x", false), Err(Errno::NOTDIR));
        assert_eq!(tree.resolve("file/", false), Err(Errno::NOTDIR));
        assert_eq!(tree.resolve("loop", true), Err(Errno::LOOP));
        assert_eq!(tree.resolve("loop/x", false), Err(Errno::LOOP));
    }
}
