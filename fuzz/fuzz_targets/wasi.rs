//! The WASI layer against hostile guests: sequences of preview-1 calls whose paths are built
//! from `..`, `.`, absolute prefixes, symlinks that point out of the grant, long and non-UTF-8
//! components and NUL bytes, with input-chosen fds, flags, pointers, arguments and
//! environment. The guest is granted `grant/` of a fresh tree (on tmpfs) whose sibling
//! `outside/` holds a secret.
//!
//! Any errno is fine. A finding is a panic, `outside/` changing in any way (entries, types,
//! contents, link targets, link counts), anything appearing beside `grant/` and `outside/`,
//! or the secret's bytes reaching guest memory (unless the input itself carried them: paths,
//! arguments and environment are slices of the input, and libFuzzer learns compared bytes).
#![no_main]

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::arbitrary::{Arbitrary, Result as ArbitraryResult, Unstructured};
use libfuzzer_sys::fuzz_target;
use wasmrel_wasi::errno::WasiResult;
use wasmrel_wasi::{Errno, Func, Guest, Param, Snapshot, WasiCtx};

/// Bytes of the file outside the grant; they must never be read into the guest.
const SECRET: &[u8] = b"wasmrel-fuzz-secret-3f9a1c";

const MEMORY_BYTES: usize = 65_536;
/// Where the input's paths are written, one slot each.
const PATHS_AT: u32 = 0x1000;
const PATH_SLOT: u32 = 0x1000;
const MAX_PATHS: usize = 4;
/// An iovec array (four 64-byte buffers at `BUFFERS_AT`) for the read and write calls.
const IOVECS_AT: u32 = 0x8000;
const BUFFERS_AT: u32 = 0x9000;
/// Free memory for results.
const SCRATCH_AT: u32 = 0xa000;

/// The tree of one process: `<base>/grant` (granted, rebuilt for every input) and
/// `<base>/outside`.
struct Tree {
    base: PathBuf,
    /// What `outside/` and the base directory held after setup.
    outside: Vec<Entry>,
}

/// One file system entry as compared before and after a run.
#[derive(Debug, PartialEq, Eq)]
struct Entry {
    path: PathBuf,
    mode: u32,
    nlink: u64,
    size: u64,
    content: Vec<u8>,
}

fn tree() -> &'static Tree {
    static TREE: OnceLock<Tree> = OnceLock::new();
    TREE.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let temp = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let base = temp.join(format!("wasmrel-fuzz-wasi-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let outside = base.join("outside");
        std::fs::create_dir_all(outside.join("dir")).expect("create the outside tree");
        std::fs::write(outside.join("secret"), SECRET).expect("write the secret");
        std::fs::write(outside.join("dir/empty"), b"").expect("write outside/dir/empty");
        let outside = snapshot(&base, &["outside"]);
        Tree { base, outside }
    })
}

/// Recreates `grant/`: a subdirectory, a file, and symlinks in, out, up and absolute.
fn rebuild_grant(base: &Path) -> PathBuf {
    let grant = base.join("grant");
    let _ = std::fs::remove_dir_all(&grant);
    std::fs::create_dir_all(grant.join("sub")).expect("create grant/sub");
    std::fs::write(grant.join("sub/file"), b"inside").expect("write grant/sub/file");
    let absolute = base.join("outside");
    for (link, target) in [
        ("link_in", Path::new("sub")),
        ("link_out", Path::new("../outside")),
        ("link_up", Path::new("sub/../..")),
        ("link_secret", Path::new("../outside/secret")),
        ("link_abs", absolute.as_path()),
    ] {
        std::os::unix::fs::symlink(target, grant.join(link)).expect("create a symlink");
    }
    grant
}

/// Every entry under `base/<top>` for each `top`, sorted, symlinks not followed.
fn snapshot(base: &Path, tops: &[&str]) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut pending: Vec<PathBuf> = tops.iter().map(|top| base.join(top)).collect();
    while let Some(path) = pending.pop() {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let content = if meta.is_file() {
            std::fs::read(&path).unwrap_or_default()
        } else if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path).unwrap_or_default();
            target.into_os_string().into_encoded_bytes()
        } else {
            if let Ok(children) = std::fs::read_dir(&path) {
                pending.extend(children.flatten().map(|child| child.path()));
            }
            Vec::new()
        };
        entries.push(Entry {
            path,
            mode: meta.mode(),
            nlink: meta.nlink(),
            size: meta.len(),
            content,
        });
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    entries
}

/// Pieces hostile paths are made of.
const COMPONENTS: &[&[u8]] = &[
    b"..",
    b".",
    b"",
    b"sub",
    b"file",
    b"new",
    b"link_in",
    b"link_out",
    b"link_up",
    b"link_secret",
    b"link_abs",
    b"outside",
    b"secret",
    b"grant",
    b"dev",
    b"\xff\xfe",
    b"a\0b",
    b"/",
];

/// A path from input-chosen components, optionally absolute, with an optional long
/// component (longer than NAME_MAX) and trailing slash.
fn path(input: &mut Unstructured) -> ArbitraryResult<Vec<u8>> {
    let mut bytes = Vec::new();
    if input.ratio(1, 8)? {
        bytes.push(b'/');
    }
    let count = input.int_in_range(1..=6)?;
    for index in 0..count {
        if index > 0 {
            bytes.push(b'/');
        }
        if input.ratio(1, 16)? {
            bytes.extend(std::iter::repeat_n(b'x', input.int_in_range(200..=300)?));
        } else if input.ratio(1, 8)? {
            bytes.extend_from_slice(<&[u8]>::arbitrary(input)?);
        } else {
            bytes.extend_from_slice(input.choose(COMPONENTS)?);
        }
    }
    if input.ratio(1, 8)? {
        bytes.push(b'/');
    }
    bytes.truncate(PATH_SLOT as usize);
    Ok(bytes)
}

/// The argument positions where a (pointer, length) path pair starts.
fn path_pairs(func: Func) -> &'static [usize] {
    match func {
        Func::PathCreateDirectory
        | Func::PathRemoveDirectory
        | Func::PathUnlinkFile
        | Func::PathReadlink => &[1],
        Func::PathFilestatGet | Func::PathFilestatSetTimes | Func::PathOpen => &[2],
        Func::PathLink => &[2, 5],
        Func::PathRename => &[1, 4],
        Func::PathSymlink => &[0, 3],
        _ => &[],
    }
}

/// A 32-bit argument: mostly small numbers (fds, flags, counts), sometimes a pointer into
/// the iovecs or scratch memory, sometimes anything.
fn word(input: &mut Unstructured) -> ArbitraryResult<u64> {
    Ok(match input.int_in_range(0..=7)? {
        0..=3 => input.int_in_range(0..=8)?,
        4 => u64::from(IOVECS_AT),
        5 => u64::from(SCRATCH_AT + input.int_in_range(0..=64)?),
        6 => u64::from(u32::arbitrary(input)?),
        _ => u64::from(u16::arbitrary(input)?),
    })
}

/// One call: the function and its arguments, path pairs pointing at the input's paths.
fn call(input: &mut Unstructured, paths: &[(u32, u32)]) -> ArbitraryResult<(Func, Vec<u64>)> {
    let func = *input.choose(Func::ALL)?;
    let mut args = Vec::new();
    for param in func.params() {
        args.push(match param {
            Param::I32 => word(input)?,
            Param::I64 if input.ratio(1, 2)? => input.int_in_range(0..=1 << 20)?,
            Param::I64 => u64::arbitrary(input)?,
        });
    }
    for &at in path_pairs(func) {
        let (addr, len) = *input.choose(paths)?;
        if let Some(pair) = args.get_mut(at..at + 2) {
            pair.copy_from_slice(&[u64::from(addr), u64::from(len)]);
        }
    }
    Ok((func, args))
}

struct Memory(Vec<u8>);

impl Guest for Memory {
    fn read(&mut self, addr: u32, buf: &mut [u8]) -> WasiResult {
        let start = addr as usize;
        let src = self.0.get(start..start + buf.len()).ok_or(Errno::FAULT)?;
        buf.copy_from_slice(src);
        Ok(())
    }
    fn write(&mut self, addr: u32, data: &[u8]) -> WasiResult {
        let start = addr as usize;
        let dst = self
            .0
            .get_mut(start..start + data.len())
            .ok_or(Errno::FAULT)?;
        dst.copy_from_slice(data);
        Ok(())
    }
    fn memory_size(&mut self) -> u64 {
        self.0.len() as u64
    }
    fn fuel_used(&mut self) -> u64 {
        0
    }
}

fn run(input: &mut Unstructured, grant: &Path, memory: &mut Memory) -> ArbitraryResult<()> {
    let mut wasi = WasiCtx::deterministic(u64::arbitrary(input)?);
    for _ in 0..input.int_in_range(0..=3)? {
        wasi.push_arg(<&str>::arbitrary(input)?);
    }
    for _ in 0..input.int_in_range(0..=3)? {
        wasi.push_env(<&str>::arbitrary(input)?, <&str>::arbitrary(input)?);
    }
    wasi.preopen_dir(grant, "/sandbox")
        .expect("preopen the grant");
    let mut paths = Vec::new();
    for slot in 0..input.int_in_range(1..=MAX_PATHS)? {
        let bytes = path(input)?;
        let addr = PATHS_AT + slot as u32 * PATH_SLOT;
        memory.write(addr, &bytes).expect("a path fits its slot");
        paths.push((addr, bytes.len() as u32));
    }
    let snapshot = if input.ratio(1, 4)? {
        Snapshot::Preview0
    } else {
        Snapshot::Preview1
    };
    for _ in 0..input.int_in_range(1..=16)? {
        let (func, args) = call(input, &paths)?;
        if wasi.call_func(snapshot, func, memory, &args).is_err() {
            break; // proc_exit
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let tree = tree();
    let grant = rebuild_grant(&tree.base);
    let mut memory = Memory(vec![0; MEMORY_BYTES]);
    for (index, iovec) in memory.0[IOVECS_AT as usize..][..32]
        .chunks_mut(8)
        .enumerate()
    {
        let buffer = BUFFERS_AT + 64 * index as u32;
        iovec[..4].copy_from_slice(&buffer.to_le_bytes());
        iovec[4..].copy_from_slice(&64u32.to_le_bytes());
    }
    let _ = run(&mut Unstructured::new(data), &grant, &mut memory);
    let carries_secret = |bytes: &[u8]| bytes.windows(SECRET.len()).any(|w| w == SECRET);

    assert_eq!(
        snapshot(&tree.base, &["outside"]),
        tree.outside,
        "outside/ changed"
    );
    let mut beside: Vec<_> = std::fs::read_dir(&tree.base)
        .expect("list the base directory")
        .flatten()
        .map(|entry| entry.file_name())
        .collect();
    beside.sort();
    assert_eq!(
        beside,
        ["grant", "outside"],
        "an entry appeared beside the grant"
    );
    assert!(
        carries_secret(data) || !carries_secret(&memory.0),
        "the secret reached guest memory"
    );
});
