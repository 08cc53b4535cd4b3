//! Resolving guest paths inside a directory grant without ever leaving it.
//!
//! The walk holds directories open, never names them: it starts at the grant's descriptor
//! and opens each directory component relative to the one before (`openat` with
//! `O_PATH | O_DIRECTORY | O_NOFOLLOW`), so the kernel itself refuses a symlink met where a
//! directory was seen, and a component renamed or swapped by another process between two
//! steps cannot lead the walk elsewhere. `..` pops the walk's own stack of open directories
//! and never asks the kernel, so it stops at the grant's root even if a directory on the way
//! was moved out of the grant meanwhile. Absolute paths are refused, and every symlink met is
//! read (relative to its directory) and its target spliced into the walk, so it obeys the
//! same rules, instead of being handed to the kernel, which would follow it anywhere.
//!
//! The result is the open directory holding the last component plus that component's name;
//! callers act on it with the `*at` calls, which do not follow a symlink in the last
//! component (`O_NOFOLLOW`, `AT_SYMLINK_NOFOLLOW`, or calls that never follow), so a symlink
//! swapped in there at the last moment is not followed either. No lookup by host path name
//! remains, so no check-then-use race can escape a grant.

use std::prelude::rust_2021::*;

use std::collections::VecDeque;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use rustix::fs::{AtFlags, FileType, Mode, OFlags};

use crate::errno::{Errno, WasiResult};

/// Symlinks followed in one lookup before giving up with `ELOOP` (Linux's limit).
const MAX_SYMLINKS: usize = 40;

/// Directories the walk holds open at once (one per level below the grant's root). A path
/// deeper than this is `ENAMETOOLONG`: it keeps a hostile `a/a/a/...` path from using up the
/// host's descriptors (Linux refuses paths over 4096 bytes, about 2048 levels, anyway).
const MAX_DEPTH: usize = 256;

/// Where a guest path leads inside a grant.
#[derive(Debug)]
pub(crate) struct Resolved {
    /// The directory holding the last component, opened beneath the grant's root.
    pub dir: OwnedFd,
    /// The last component (one name: no `/`, no NUL, not `.` or `..`), or `None` when the
    /// path names `dir` itself (`.`, `a/..`).
    pub name: Option<Vec<u8>>,
}

impl Resolved {
    /// The name to pass to a `*at` call with `dir`: the last component, or `.` for `dir`
    /// itself.
    pub fn at(&self) -> &[u8] {
        self.name.as_deref().unwrap_or(b".")
    }

    /// The last component, for operations that need one (`unlink`, `rename`, `mkdir`).
    pub fn require_name(&self, or: Errno) -> WasiResult<&[u8]> {
        self.name.as_deref().ok_or(or)
    }
}

/// Resolves `guest_path` below the directory `root`. With `follow_last` a symlink in the last
/// component is followed too (a trailing `/` also asks for that).
pub(crate) fn resolve(
    root: BorrowedFd<'_>,
    guest_path: &[u8],
    follow_last: bool,
) -> WasiResult<Resolved> {
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

    // The directories below `root` that the walk stands in, innermost last.
    let mut opened: Vec<OwnedFd> = Vec::new();
    let mut links = 0usize;
    while let Some(component) = pending.pop_front() {
        if component == b".." {
            opened.pop().ok_or(Errno::NOTCAPABLE)?;
            continue;
        }
        let here = opened.last().map_or(root, AsFd::as_fd);
        let is_last = pending.is_empty();
        let kind = match rustix::fs::statat(here, &component, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => FileType::from_raw_mode(stat.st_mode),
            Err(rustix::io::Errno::NOENT) if is_last => {
                return finish(root, opened, Some(component));
            }
            Err(err) => return Err(err.into()),
        };
        if kind == FileType::Symlink && (!is_last || follow_last) {
            links += 1;
            if links > MAX_SYMLINKS {
                return Err(Errno::LOOP);
            }
            let target = rustix::fs::readlinkat(here, &component, Vec::new())?;
            let target = target.as_bytes();
            if target.starts_with(b"/") {
                return Err(Errno::NOTCAPABLE);
            }
            for part in components(target).rev() {
                pending.push_front(part.to_vec());
            }
            continue;
        }
        if is_last {
            if trailing_slash && kind != FileType::Directory {
                return Err(Errno::NOTDIR);
            }
            return finish(root, opened, Some(component));
        }
        if kind != FileType::Directory {
            return Err(Errno::NOTDIR);
        }
        if opened.len() >= MAX_DEPTH {
            return Err(Errno::NAMETOOLONG);
        }
        // Refused by the kernel (ELOOP, ENOTDIR) if the component is no longer the
        // directory just seen.
        let next = rustix::fs::openat(
            here,
            &component,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        opened.push(next);
    }
    finish(root, opened, None)
}

/// The result of a walk that ends in the innermost opened directory (`root` when none).
fn finish(
    root: BorrowedFd<'_>,
    mut opened: Vec<OwnedFd>,
    name: Option<Vec<u8>>,
) -> WasiResult<Resolved> {
    let dir = match opened.pop() {
        Some(dir) => dir,
        None => root.try_clone_to_owned()?,
    };
    Ok(Resolved { dir, name })
}

/// The non-empty components of a path other than `.`.
fn components(path: &[u8]) -> impl DoubleEndedIterator<Item = &[u8]> {
    path.split(|&byte| byte == b'/')
        .filter(|part| !part.is_empty() && *part != b".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;
    use std::path::{Path, PathBuf};

    /// `grant/` with `sub/`, `file`, and links `out -> ..`, `abs -> /`, `in -> sub`,
    /// `loop -> loop`, beside `outside/secret`; removed on drop.
    struct Tree {
        top: PathBuf,
        root: PathBuf,
        handle: std::fs::File,
    }

    impl Tree {
        fn new(name: &str) -> Self {
            let top =
                std::env::temp_dir().join(format!("wasmrel-sandbox-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&top);
            let root = top.join("grant");
            std::fs::create_dir_all(root.join("sub")).unwrap();
            std::fs::create_dir_all(top.join("outside")).unwrap();
            std::fs::write(top.join("outside/secret"), "secret").unwrap();
            std::fs::write(root.join("file"), "x").unwrap();
            for (link, target) in [("out", ".."), ("abs", "/"), ("in", "sub"), ("loop", "loop")] {
                std::os::unix::fs::symlink(target, root.join(link)).unwrap();
            }
            let root = root.canonicalize().unwrap();
            let handle = std::fs::File::open(&root).unwrap();
            Tree { top, root, handle }
        }

        fn resolve(&self, path: &str, follow: bool) -> WasiResult<(PathBuf, Option<String>)> {
            let resolved = resolve(self.handle.as_fd(), path.as_bytes(), follow)?;
            let dir = self.host_path(&resolved.dir);
            let dir = dir.strip_prefix(&self.root).unwrap().to_path_buf();
            Ok((dir, resolved.name.map(|n| String::from_utf8(n).unwrap())))
        }

        /// Where an open directory is now (the kernel's view, for checking only).
        fn host_path(&self, dir: &OwnedFd) -> PathBuf {
            std::fs::read_link(format!("/proc/self/fd/{}", dir.as_raw_fd())).unwrap()
        }

        /// Replaces directory `grant/<name>` by a symlink to `outside`, keeping the
        /// directory as `grant/<name>.moved`: what another process racing a lookup does.
        fn swap_for_link_out(&self, name: &str) {
            let dir = self.root.join(name);
            std::fs::rename(&dir, self.root.join(format!("{name}.moved"))).unwrap();
            std::os::unix::fs::symlink(self.top.join("outside"), &dir).unwrap();
        }

        fn outside(&self) -> PathBuf {
            self.top.join("outside")
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.top);
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
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

    #[test]
    fn a_directory_swapped_for_a_link_out_after_the_lookup_is_not_followed() {
        // The window the old name-based resolver left open: the path was checked, then
        // used by name. Here the use goes through the directory the lookup opened, so the
        // swap sends nothing outside.
        let tree = Tree::new("swap-after");
        let resolved = resolve(tree.handle.as_fd(), b"sub/new", false).unwrap();
        tree.swap_for_link_out("sub");
        let name = resolved.require_name(Errno::INVAL).unwrap();
        rustix::fs::mkdirat(&resolved.dir, name, Mode::from(0o777)).unwrap();
        assert_eq!(names(&tree.outside()), ["secret"]);
        assert_eq!(names(&tree.root.join("sub.moved")), ["new"]);
        assert_eq!(
            tree.host_path(&resolved.dir),
            tree.root.join("sub.moved"),
            "the lookup's directory followed the rename, not the name"
        );
    }

    #[test]
    fn a_directory_swapped_for_a_link_out_before_the_lookup_is_refused() {
        let tree = Tree::new("swap-before");
        tree.swap_for_link_out("sub");
        assert_eq!(tree.resolve("sub/secret", true), Err(Errno::NOTCAPABLE));
        assert_eq!(tree.resolve("sub/x", false), Err(Errno::NOTCAPABLE));
        // Unfollowed, the link itself stays reachable (to unlink it), never its target.
        assert_eq!(tree.resolve("sub", false), at("", Some("sub")));
    }

    #[test]
    fn a_last_component_swapped_for_a_link_out_is_not_opened() {
        // Resolved while `file` was a plain file; by the time it is opened it is a symlink
        // to the outside secret. Opening it as every caller does (O_NOFOLLOW) is refused.
        let tree = Tree::new("swap-last");
        let resolved = resolve(tree.handle.as_fd(), b"file", true).unwrap();
        std::fs::remove_file(tree.root.join("file")).unwrap();
        std::os::unix::fs::symlink(tree.outside().join("secret"), tree.root.join("file")).unwrap();
        let opened = rustix::fs::openat(
            &resolved.dir,
            resolved.at(),
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        );
        assert_eq!(opened.err(), Some(rustix::io::Errno::LOOP));
    }

    #[test]
    fn deep_paths_end_in_name_too_long_without_running_out_of_descriptors() {
        let tree = Tree::new("deep");
        // Climbing back keeps the walk shallow however long the path.
        let path = format!("sub{}", "/../sub".repeat(2 * MAX_DEPTH));
        assert_eq!(tree.resolve(&path, false), at("", Some("sub")));
        let deep = tree.root.join("sub").join("d/".repeat(MAX_DEPTH + 1));
        std::fs::create_dir_all(&deep).unwrap();
        let path = format!("sub/{}x", "d/".repeat(MAX_DEPTH - 1));
        assert!(tree.resolve(&path, false).is_ok());
        let path = format!("sub/{}x", "d/".repeat(MAX_DEPTH));
        assert_eq!(tree.resolve(&path, false), Err(Errno::NAMETOOLONG));
    }
}
