//! Another process changing a granted tree while a WASI call runs cannot redirect the call
//! outside the grant.
//!
//! `path_rename` and `path_link` resolve their source, then read the target path from guest
//! memory, then act. A guest memory whose read of the target path swaps a directory on the
//! source's path for a symlink out of the grant makes that race deterministic: a resolver
//! that checked names and then used them would now move or link the outside file into the
//! grant.

mod common;

use std::path::{Path, PathBuf};

use wasmrel_wasi::errno::WasiResult;
use wasmrel_wasi::{Func, Guest, Snapshot, WasiCtx};

/// Where the call's paths lie in guest memory.
const SOURCE: u32 = 100;
const TARGET: u32 = 200;

/// One page of guest memory; reading the bytes at `TARGET` runs `on_target_read` once.
struct RacingGuest {
    bytes: Vec<u8>,
    on_target_read: Option<Box<dyn FnOnce()>>,
}

impl Guest for RacingGuest {
    fn read(&mut self, addr: u32, buf: &mut [u8]) -> WasiResult {
        if addr == TARGET {
            if let Some(race) = self.on_target_read.take() {
                race();
            }
        }
        common::read(&self.bytes, addr, buf)
    }
    fn write(&mut self, addr: u32, data: &[u8]) -> WasiResult {
        common::write(&mut self.bytes, addr, data)
    }
    fn memory_size(&mut self) -> u64 {
        self.bytes.len() as u64
    }
    fn fuel_used(&mut self) -> u64 {
        0
    }
}

/// `grant/sub/file` ("inside") preopened as fd 3, and `outside/file` ("secret") beside it;
/// removed on drop.
struct Tree(PathBuf);

impl Tree {
    fn new(name: &str) -> Self {
        let top = std::env::temp_dir().join(format!("wasmrel-races-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&top);
        std::fs::create_dir_all(top.join("grant/sub")).unwrap();
        std::fs::create_dir_all(top.join("outside")).unwrap();
        std::fs::write(top.join("grant/sub/file"), "inside").unwrap();
        std::fs::write(top.join("outside/file"), "secret").unwrap();
        Tree(top)
    }

    fn grant(&self) -> PathBuf {
        self.0.join("grant")
    }

    fn outside(&self) -> PathBuf {
        self.0.join("outside")
    }

    /// Runs `func` on fd 3 with `source` and `target` paths; `grant/sub` becomes a symlink
    /// to `outside/` (the directory kept as `grant/sub.moved`) when the target is read.
    fn call_racing(&self, func: Func, args: &[u64], source: &str, target: &str) -> u16 {
        let mut wasi = WasiCtx::deterministic(0);
        wasi.preopen_dir(&self.grant(), "/sandbox").unwrap();
        let mut guest = RacingGuest {
            bytes: vec![0; 65536],
            on_target_read: None,
        };
        guest.write(SOURCE, source.as_bytes()).unwrap();
        guest.write(TARGET, target.as_bytes()).unwrap();
        let (grant, outside) = (self.grant(), self.outside());
        guest.on_target_read = Some(Box::new(move || {
            std::fs::rename(grant.join("sub"), grant.join("sub.moved")).unwrap();
            std::os::unix::fs::symlink(outside, grant.join("sub")).unwrap();
        }));
        let errno = wasi
            .call_func(Snapshot::Preview1, func, &mut guest, args)
            .unwrap();
        assert!(guest.on_target_read.is_none(), "the race ran");
        errno
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

fn lengths(source: &str, target: &str) -> (u64, u64) {
    (source.len() as u64, target.len() as u64)
}

#[test]
fn rename_whose_source_directory_is_swapped_for_a_link_out_moves_the_inside_file() {
    let tree = Tree::new("rename");
    let (source, target) = ("sub/file", "moved");
    let (s, t) = lengths(source, target);
    let errno = tree.call_racing(
        Func::PathRename,
        &[3, SOURCE.into(), s, 3, TARGET.into(), t],
        source,
        target,
    );
    assert_eq!(errno, 0);
    assert_eq!(read(&tree.grant().join("moved")), "inside");
    assert_eq!(names(&tree.outside()), ["file"]);
    assert_eq!(read(&tree.outside().join("file")), "secret");
    assert_eq!(names(&tree.grant().join("sub.moved")), Vec::<String>::new());
}

#[test]
fn link_whose_source_directory_is_swapped_for_a_link_out_links_the_inside_file() {
    use std::os::unix::fs::MetadataExt;
    let tree = Tree::new("link");
    let (source, target) = ("sub/file", "linked");
    let (s, t) = lengths(source, target);
    let errno = tree.call_racing(
        Func::PathLink,
        &[3, 0, SOURCE.into(), s, 3, TARGET.into(), t],
        source,
        target,
    );
    assert_eq!(errno, 0);
    assert_eq!(read(&tree.grant().join("linked")), "inside");
    let outside = std::fs::metadata(tree.outside().join("file")).unwrap();
    assert_eq!(outside.nlink(), 1, "the outside file gained no link");
    let inside = std::fs::metadata(tree.grant().join("sub.moved/file")).unwrap();
    assert_eq!(inside.nlink(), 2);
}
