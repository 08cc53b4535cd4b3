//! WASI preview 1 through `wasmrel run`: stdio, argv, environment, files under `--dir`,
//! sandbox escapes, exit codes and deterministic mode.

mod common;

use common::{assert_outcome, code, stderr, stdout, wasi_module, wasmrel, TempDir};

/// Data segments placing each string NUL-terminated from address 1024 on, and each
/// string's (address, length).
fn strings(texts: &[&str]) -> (String, Vec<(u32, u32)>) {
    let mut at = 1024;
    let mut data = String::new();
    let mut places = Vec::new();
    for text in texts {
        data.push_str(&format!("  (data (i32.const {at}) \"{text}\\00\")\n"));
        places.push((at, text.len() as u32));
        at += text.len() as u32 + 1;
    }
    (data, places)
}

#[test]
fn hello_world_goes_to_stdout() {
    let dir = TempDir::new();
    let wat = wasi_module(
        &[],
        r#"(data (i32.const 1024) "hello, world\n")
           (func (export "_start") (call $print (i32.const 1024) (i32.const 13)))"#,
    );
    let module = dir.write("hello.wat", wat);
    let out = wasmrel(["run".as_ref(), module.as_os_str()]);
    assert_eq!(stderr(&out), "");
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out), "hello, world\n");
}

/// Prints the byte size, then each string of an `args_*` or `environ_*` list on a line.
fn list_printer(sizes: &str, get: &str) -> String {
    wasi_module(
        &[
            &format!("{sizes} (param i32 i32) (result i32)"),
            &format!("{get} (param i32 i32) (result i32)"),
        ],
        &format!(
            r#"(func (export "_start") (local $i i32)
                 (drop (call ${sizes} (i32.const 128) (i32.const 132)))
                 (drop (call ${get} (i32.const 2048) (i32.const 4096)))
                 (call $print_u32 (i32.load (i32.const 132)))
                 (block $done (loop $next
                   (br_if $done (i32.ge_u (local.get $i) (i32.load (i32.const 128))))
                   (call $println (i32.load (i32.add (i32.const 2048) (i32.shl (local.get $i) (i32.const 2)))))
                   (local.set $i (i32.add (local.get $i) (i32.const 1)))
                   (br $next))))"#
        ),
    )
}

#[test]
fn guest_gets_every_word_after_the_module_even_with_dashes() {
    let dir = TempDir::new();
    let module = dir.write("args.wat", list_printer("args_sizes_get", "args_get"));
    let module = module.to_str().unwrap();
    let out = wasmrel(["run", module, "--help", "-x", "--json", "--", "plain word"]);
    assert_eq!(stderr(&out), "");
    assert_eq!(
        stdout(&out),
        listing(&[module, "--help", "-x", "--json", "--", "plain word"])
    );
}

/// What `list_printer` prints for these words: their total size, then one per line.
fn listing(words: &[&str]) -> String {
    let size: usize = words.iter().map(|w| w.len() + 1).sum();
    let mut expected = format!("{size}\n");
    for word in words {
        expected.push_str(word);
        expected.push('\n');
    }
    expected
}

#[test]
fn a_module_named_like_an_option_follows_a_double_dash() {
    let dir = TempDir::new();
    dir.write("-args.wat", list_printer("args_sizes_get", "args_get"));
    let in_dir = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_wasmrel"))
            .current_dir(dir.path())
            .args(args)
            .env_clear()
            .output()
            .unwrap()
    };
    let out = in_dir(&["run", "--", "-args.wat", "-x"]);
    assert_eq!(stderr(&out), "");
    assert_eq!(stdout(&out), listing(&["-args.wat", "-x"]));
    // Without the `--` it is an unknown option, and the message says how to pass it.
    let out = in_dir(&["run", "-args.wat", "-x"]);
    assert_outcome(
        &out,
        126,
        "error",
        "unexpected argument '-a' found; tip: to pass",
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn a_module_without_start_says_that_nothing_was_called() {
    let dir = TempDir::new();
    let module = dir.write(
        "lib.wat",
        r#"(module (func (export "f") (result i32) i32.const 1))"#,
    );
    let note = "wasmrel: note: the module has no _start export, so nothing was called \
                (use --invoke NAME to call an export)\n";
    for mode in [&[][..], &["--encoded"], &["--dual"]] {
        let mut args = vec!["run".as_ref()];
        args.extend(mode.iter().map(std::ffi::OsStr::new));
        args.push(module.as_os_str());
        let out = wasmrel(args);
        assert_eq!((code(&out), stdout(&out)), (0, String::new()), "{mode:?}");
        assert_eq!(stderr(&out), note, "{mode:?}");
    }
    let out = wasmrel([
        "run".as_ref(),
        "--invoke".as_ref(),
        "f".as_ref(),
        module.as_os_str(),
    ]);
    assert_eq!(
        (code(&out), stdout(&out), stderr(&out)),
        (0, "1\n".to_owned(), String::new())
    );
}

#[test]
fn environment_comes_only_from_env_flags() {
    let dir = TempDir::new();
    let module = dir.write("env.wat", list_printer("environ_sizes_get", "environ_get"));
    let out = wasmrel([
        "run".as_ref(),
        "--env".as_ref(),
        "A=1".as_ref(),
        "--env".as_ref(),
        "B=x=y".as_ref(),
        "--env".as_ref(),
        "A=2".as_ref(),
        module.as_os_str(),
    ]);
    assert_eq!(stderr(&out), "");
    // A later --env of the same name replaces the earlier one.
    assert_eq!(stdout(&out), "10\nB=x=y\nA=2\n");

    let out = wasmrel(["run".as_ref(), module.as_os_str()]);
    assert_eq!(stdout(&out), "0\n", "the host environment must not leak");
}

/// Imports and helpers for programs working on the preopened directory at fd 3.
const FILE_IMPORTS: &[&str] = &[
    "path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)",
    "fd_read (param i32 i32 i32 i32) (result i32)",
    "fd_seek (param i32 i64 i32 i32) (result i32)",
    "fd_close (param i32) (result i32)",
    "fd_readdir (param i32 i32 i32 i64 i32) (result i32)",
    "fd_prestat_get (param i32 i32) (result i32)",
    "fd_prestat_dir_name (param i32 i32 i32) (result i32)",
    "path_create_directory (param i32 i32 i32) (result i32)",
    "path_rename (param i32 i32 i32 i32 i32 i32) (result i32)",
    "path_unlink_file (param i32 i32 i32) (result i32)",
    "path_filestat_get (param i32 i32 i32 i32 i32) (result i32)",
];

const FILE_HELPERS: &str = r#"
  ;; Stops with exit code 1 after printing a nonzero errno.
  (func $check (param $errno i32)
    (if (local.get $errno) (then (call $print_u32 (local.get $errno)) (call $proc_exit (i32.const 1)))))
  ;; Opens a path under fd 3 (following symlinks); returns the errno, the fd at 128.
  (func $try_open (param $path i32) (param $len i32) (param $oflags i32) (param $rights i64) (result i32)
    (call $path_open (i32.const 3) (i32.const 1) (local.get $path) (local.get $len)
      (local.get $oflags) (local.get $rights) (i64.const 0) (i32.const 0) (i32.const 128)))
"#;

#[test]
fn files_in_a_granted_directory() {
    let grant = TempDir::new();
    grant.write("gone.txt", "to be removed");
    grant.write("keep.txt", "kept");
    let (data, at) = strings(&["out.txt", "hello file", "sub", "sub/moved.txt", "gone.txt"]);
    let body = format!(
        r#"{data}{FILE_HELPERS}
  (func $list (param $p i32) (param $end i32) (local $len i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $len (i32.load offset=16 (local.get $p)))
      (call $print (i32.add (local.get $p) (i32.const 24)) (local.get $len))
      (call $newline)
      (local.set $p (i32.add (local.get $p) (i32.add (i32.const 24) (local.get $len))))
      (br $next))))
  (func (export "_start") (local $fd i32)
    ;; create, write, seek back, read back, close
    (call $check (call $try_open (i32.const {out}) (i32.const {out_len}) (i32.const 9) (i64.const 0x66)))
    (local.set $fd (i32.load (i32.const 128)))
    (call $check (call $write (local.get $fd) (i32.const {hello}) (i32.const {hello_len})))
    (call $check (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 0) (i32.const 136)))
    (i32.store (i32.const 0) (i32.const 3000))
    (i32.store (i32.const 4) (i32.const 100))
    (call $check (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $print (i32.const 3000) (i32.load (i32.const 8)))
    (call $newline)
    (call $check (call $fd_close (local.get $fd)))
    ;; mkdir, rename into it, stat the result, unlink another file
    (call $check (call $path_create_directory (i32.const 3) (i32.const {sub}) (i32.const {sub_len})))
    (call $check (call $path_rename (i32.const 3) (i32.const {out}) (i32.const {out_len})
                                    (i32.const 3) (i32.const {moved}) (i32.const {moved_len})))
    (call $check (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const {moved}) (i32.const {moved_len}) (i32.const 512)))
    (call $print_u64 (i64.load (i32.const 544)))
    (call $check (call $path_unlink_file (i32.const 3) (i32.const {gone}) (i32.const {gone_len})))
    ;; list the directory
    (call $check (call $fd_readdir (i32.const 3) (i32.const 5000) (i32.const 4096) (i64.const 0) (i32.const 136)))
    (call $list (i32.const 5000) (i32.add (i32.const 5000) (i32.load (i32.const 136))))
    ;; the preopen's name
    (call $check (call $fd_prestat_get (i32.const 3) (i32.const 128)))
    (call $check (call $fd_prestat_dir_name (i32.const 3) (i32.const 6000) (i32.load (i32.const 132))))
    (call $print (i32.const 6000) (i32.load (i32.const 132)))
    (call $newline))"#,
        out = at[0].0,
        out_len = at[0].1,
        hello = at[1].0,
        hello_len = at[1].1,
        sub = at[2].0,
        sub_len = at[2].1,
        moved = at[3].0,
        moved_len = at[3].1,
        gone = at[4].0,
        gone_len = at[4].1,
    );
    let code_dir = TempDir::new();
    let module = code_dir.write("files.wat", wasi_module(FILE_IMPORTS, &body));
    let grant_arg = format!("{}::/data", grant.path().display());
    let out = wasmrel([
        "run".as_ref(),
        "--dir".as_ref(),
        grant_arg.as_ref(),
        module.as_os_str(),
    ]);
    assert_eq!(stderr(&out), "");
    assert_eq!(code(&out), 0, "stdout: {}", stdout(&out));
    assert_eq!(
        stdout(&out),
        "hello file\n10\n.\n..\nkeep.txt\nsub\n/data\n"
    );
    let moved = std::fs::read_to_string(grant.path().join("sub/moved.txt")).unwrap();
    assert_eq!(moved, "hello file");
    assert!(!grant.path().join("out.txt").exists());
    assert!(!grant.path().join("gone.txt").exists());
}

#[test]
fn nothing_outside_a_grant_is_reachable() {
    let outer = TempDir::new();
    let secret = outer.write("secret.txt", "secret");
    let grant = outer.path().join("grant");
    std::fs::create_dir_all(grant.join("sub")).unwrap();
    std::fs::write(grant.join("sub/f.txt"), "inside").unwrap();
    std::fs::write(grant.join("inside.txt"), "inside").unwrap();
    std::os::unix::fs::symlink("..", grant.join("link_out")).unwrap();
    std::os::unix::fs::symlink(outer.path(), grant.join("link_abs")).unwrap();
    std::os::unix::fs::symlink("sub", grant.join("link_in")).unwrap();

    let absolute = secret.to_str().unwrap().to_owned();
    let opens = [
        "../secret.txt",
        &absolute,
        "link_out/secret.txt",
        "link_abs/secret.txt",
        "sub/../../secret.txt",
        "link_in/f.txt",
        "sub/../inside.txt",
    ];
    let mut texts: Vec<&str> = opens.to_vec();
    texts.extend([
        "inside.txt",
        "../stolen.txt",
        "link_out/stolen.txt",
        "../newdir",
    ]);
    let (data, at) = strings(&texts);
    let mut calls = String::new();
    for (addr, len) in &at[..opens.len()] {
        calls.push_str(&format!(
            "(call $print_u32 (call $try_open (i32.const {addr}) (i32.const {len}) (i32.const 0) (i64.const 2)))\n"
        ));
    }
    let (inside, stolen, link_stolen, newdir) = (at[7], at[8], at[9], at[10]);
    for target in [stolen, link_stolen] {
        calls.push_str(&format!(
            "(call $print_u32 (call $path_rename (i32.const 3) (i32.const {}) (i32.const {}) (i32.const 3) (i32.const {}) (i32.const {})))\n",
            inside.0, inside.1, target.0, target.1
        ));
    }
    calls.push_str(&format!(
        "(call $print_u32 (call $path_create_directory (i32.const 3) (i32.const {}) (i32.const {})))\n",
        newdir.0, newdir.1
    ));
    calls.push_str(&format!(
        "(call $print_u32 (call $path_unlink_file (i32.const 3) (i32.const {}) (i32.const {})))\n",
        at[2].0, at[2].1
    ));
    let body = format!("{data}{FILE_HELPERS}(func (export \"_start\")\n{calls})");
    let code_dir = TempDir::new();
    let module = code_dir.write("escape.wat", wasi_module(FILE_IMPORTS, &body));
    let out = wasmrel([
        "run".as_ref(),
        "--dir".as_ref(),
        grant.as_os_str(),
        module.as_os_str(),
    ]);
    assert_eq!(stderr(&out), "");
    // 76 is ENOTCAPABLE; the two paths that stay inside open (0).
    let expected = [
        "76", "76", "76", "76", "76", "0", "0", "76", "76", "76", "76",
    ];
    assert_eq!(stdout(&out).lines().collect::<Vec<_>>(), expected);
    assert!(secret.exists());
    assert!(grant.join("inside.txt").exists());
    assert!(!outer.path().join("stolen.txt").exists());
    assert!(!outer.path().join("newdir").exists());
}

fn exit_module(code: i32) -> String {
    wasi_module(
        &[],
        &format!(r#"(func (export "_start") (call $proc_exit (i32.const {code})))"#),
    )
}

#[test]
fn guest_exit_codes_pass_through() {
    let dir = TempDir::new();
    for guest in [0, 7, 125] {
        let module = dir.write("exit.wat", exit_module(guest));
        let out = wasmrel(["run".as_ref(), module.as_os_str()]);
        assert_eq!(code(&out), guest);
        assert_eq!(stderr(&out), "");
    }
    let module = dir.write(
        "return.wat",
        wasi_module(&[], r#"(func (export "_start"))"#),
    );
    assert_eq!(code(&wasmrel(["run".as_ref(), module.as_os_str()])), 0);
}

#[test]
fn guest_exit_codes_from_126_become_125_with_a_warning() {
    let dir = TempDir::new();
    // WASI's exit code is unsigned: `exit(-1)` is 4294967295, above 125 like the others.
    for (guest, shown) in [
        (126, "126"),
        (200, "200"),
        (-1, "4294967295 (-1 as a signed int)"),
    ] {
        let module = dir.write("exit.wat", exit_module(guest));
        let out = wasmrel(["run".as_ref(), module.as_os_str()]);
        assert_eq!(code(&out), 125);
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with(&format!(
                "wasmrel: warning: guest exit code {shown} is above 125 "
            )),
            "{err}"
        );
        assert!(err.trim_end().ends_with("exiting with 125"), "{err}");
    }
}

fn clock_and_random_module() -> String {
    wasi_module(
        &[
            "clock_time_get (param i32 i64 i32) (result i32)",
            "random_get (param i32 i32) (result i32)",
        ],
        r#"(func (export "_start")
             (drop (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 128)))
             (call $print_u64 (i64.load (i32.const 128)))
             (drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 128)))
             (call $print_u64 (i64.load (i32.const 128)))
             (drop (call $random_get (i32.const 136) (i32.const 16)))
             (call $print_u64 (i64.load (i32.const 136)))
             (call $print_u64 (i64.load (i32.const 144))))"#,
    )
}

#[test]
fn deterministic_runs_repeat_exactly() {
    let dir = TempDir::new();
    let module = dir.write("clock.wat", clock_and_random_module());
    let run = |seed: &str| {
        let out = wasmrel([
            "run".as_ref(),
            "--deterministic".as_ref(),
            "--seed".as_ref(),
            seed.as_ref(),
            module.as_os_str(),
        ]);
        assert_eq!(stderr(&out), "");
        stdout(&out)
    };
    let first = run("5");
    assert_eq!(first, run("5"));
    let lines: Vec<u64> = first.lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(lines.len(), 4);
    let epoch = 946_684_800_000_000_000u64;
    assert!(lines[0] > epoch && lines[0] < epoch + 1_000_000, "{first}");
    assert!(lines[1] > 0 && lines[1] < 1_000_000, "{first}");
    assert!(
        lines[1] > lines[0] - epoch,
        "time advances with executed instructions"
    );

    let other = run("6");
    assert_eq!(
        first.lines().take(2).collect::<Vec<_>>(),
        other.lines().take(2).collect::<Vec<_>>()
    );
    assert_ne!(
        first.lines().skip(2).collect::<Vec<_>>(),
        other.lines().skip(2).collect::<Vec<_>>()
    );
}

#[test]
fn real_clock_and_random_without_deterministic() {
    let dir = TempDir::new();
    let module = dir.write("clock.wat", clock_and_random_module());
    let out = wasmrel(["run".as_ref(), module.as_os_str()]);
    let lines: Vec<u64> = stdout(&out).lines().map(|l| l.parse().unwrap()).collect();
    // Later than 2020-01-01, and two random draws differ between runs.
    assert!(lines[0] > 1_577_836_800_000_000_000);
    let again = stdout(&wasmrel(["run".as_ref(), module.as_os_str()]));
    assert_ne!(stdout(&out).lines().nth(2), again.lines().nth(2));
}

#[test]
fn stdin_is_readable() {
    let dir = TempDir::new();
    let module = dir.write(
        "cat.wat",
        wasi_module(
            &["fd_read (param i32 i32 i32 i32) (result i32)"],
            r#"(func (export "_start")
                 (i32.store (i32.const 0) (i32.const 2048))
                 (i32.store (i32.const 4) (i32.const 100))
                 (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
                 (call $print (i32.const 2048) (i32.load (i32.const 8))))"#,
        ),
    );
    let out = common::wasmrel_with_stdin(&["run".as_ref(), module.as_os_str()], b"from stdin\n");
    assert_eq!(stderr(&out), "");
    assert_eq!(stdout(&out), "from stdin\n");
}

#[test]
fn errnos_of_streams_bad_fds_bad_pointers_and_unimplemented_calls() {
    let dir = TempDir::new();
    let module = dir.write(
        "errno.wat",
        wasi_module(
            &[
                "fd_seek (param i32 i64 i32 i32) (result i32)",
                "fd_prestat_get (param i32 i32) (result i32)",
                "fd_close (param i32) (result i32)",
                "fd_fdstat_get (param i32 i32) (result i32)",
                "random_get (param i32 i32) (result i32)",
                "sock_accept (param i32 i32 i32) (result i32)",
                "sock_recv (param i32 i32 i32 i32 i32 i32) (result i32)",
                "proc_raise (param i32) (result i32)",
                "path_symlink (param i32 i32 i32 i32 i32) (result i32)",
                "fd_advise (param i32 i64 i64 i32) (result i32)",
            ],
            r#"(func (export "_start")
                 (call $print_u32 (call $fd_seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 128)))
                 (call $print_u32 (call $fd_prestat_get (i32.const 0) (i32.const 128)))
                 (call $print_u32 (call $fd_close (i32.const 99)))
                 (call $print_u32 (call $fd_fdstat_get (i32.const 1) (i32.const 128)))
                 (call $print_u32 (i32.load8_u (i32.const 128)))
                 (call $print_u32 (call $fd_write (i32.const 1) (i32.const 0x7ffffff0) (i32.const 1) (i32.const 8)))
                 (call $print_u32 (call $random_get (i32.const 131000) (i32.const 100)))
                 (call $print_u32 (call $sock_accept (i32.const 3) (i32.const 0) (i32.const 128)))
                 (call $print_u32 (call $proc_raise (i32.const 6))))"#,
        ),
    );
    let out = wasmrel(["run".as_ref(), module.as_os_str()]);
    assert_eq!(stderr(&out), "");
    // ESPIPE, EBADF, EBADF, success, filetype unknown (a pipe), EFAULT, EFAULT, ENOSYS, ENOSYS
    let expected = ["70", "8", "8", "0", "0", "21", "21", "52", "52"];
    assert_eq!(stdout(&out).lines().collect::<Vec<_>>(), expected);
}

#[test]
fn sleeping_advances_the_deterministic_clock() {
    let dir = TempDir::new();
    let module = dir.write(
        "sleep.wat",
        wasi_module(
            &[
                "poll_oneoff (param i32 i32 i32 i32) (result i32)",
                "clock_time_get (param i32 i64 i32) (result i32)",
            ],
            r#"(func (export "_start")
                 ;; one relative monotonic-clock subscription of 1 s, userdata 7
                 (i64.store (i32.const 2048) (i64.const 7))
                 (i32.store8 (i32.const 2056) (i32.const 0))
                 (i32.store (i32.const 2064) (i32.const 1))
                 (i64.store (i32.const 2072) (i64.const 1000000000))
                 (i32.store16 (i32.const 2088) (i32.const 0))
                 (call $print_u32 (call $poll_oneoff (i32.const 2048) (i32.const 3000) (i32.const 1) (i32.const 128)))
                 (call $print_u32 (i32.load (i32.const 128)))
                 (call $print_u64 (i64.load (i32.const 3000)))
                 (call $print_u32 (i32.load16_u (i32.const 3008)))
                 (call $print_u32 (i32.load8_u (i32.const 3010)))
                 (drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 128)))
                 (call $print_u64 (i64.div_u (i64.load (i32.const 128)) (i64.const 1000000000))))"#,
        ),
    );
    let out = wasmrel([
        "run".as_ref(),
        "--deterministic".as_ref(),
        module.as_os_str(),
    ]);
    assert_eq!(stderr(&out), "");
    // success, one event, its userdata, no error, type clock, then 1 s has passed
    assert_eq!(stdout(&out), "0\n1\n7\n0\n0\n1\n");
}

/// Runs `body` (with [`FILE_IMPORTS`] and `extra` imports) with `grant` preopened as fd 3.
fn run_in_grant(grant: &std::path::Path, extra: &[&str], body: &str) -> std::process::Output {
    let mut imports = FILE_IMPORTS.to_vec();
    imports.extend_from_slice(extra);
    let code_dir = TempDir::new();
    let module = code_dir.write("module.wat", wasi_module(&imports, body));
    wasmrel([
        "run".as_ref(),
        "--dir".as_ref(),
        grant.as_os_str(),
        module.as_os_str(),
    ])
}

/// Hard links, renames and new symlinks across the boundary of a grant: every attempt to
/// link or move something in from outside, or out from inside, is ENOTCAPABLE (76), directly,
/// through `..`, through a symlink pointing out or an absolute one; the same operations
/// inside the grant work, and a symlink the guest plants pointing out never leads out.
#[test]
fn hard_links_renames_and_new_symlinks_stay_inside() {
    let outer = TempDir::new();
    let secret = outer.write("secret.txt", "secret");
    let grant = outer.path().join("grant");
    std::fs::create_dir_all(grant.join("sub")).unwrap();
    std::fs::write(grant.join("inside.txt"), "inside").unwrap();
    std::os::unix::fs::symlink("..", grant.join("link_out")).unwrap();
    std::os::unix::fs::symlink(outer.path(), grant.join("link_abs")).unwrap();

    // (operation, first path, second path, expected errno)
    let cases: &[(&str, &str, &str, &str)] = &[
        ("link", "../secret.txt", "taken", "76"),
        ("link_follow", "link_out/secret.txt", "taken", "76"),
        ("link_follow", "link_abs/secret.txt", "taken", "76"),
        ("link", "inside.txt", "../leaked", "76"),
        ("link", "inside.txt", "link_out/leaked", "76"),
        ("link", "inside.txt", "link_abs/leaked", "76"),
        ("link", "inside.txt", "sub/hard", "0"),
        ("rename", "../secret.txt", "taken", "76"),
        ("rename", "link_out/secret.txt", "taken", "76"),
        ("rename", "link_abs/secret.txt", "taken", "76"),
        ("rename", "sub", "../sub_out", "76"),
        ("rename", "inside.txt", "link_out/moved", "76"),
        ("symlink", "../secret.txt", "peek", "0"),
        ("open", "peek", "", "76"),
        ("link_follow", "peek", "taken", "76"),
        ("rename", "peek", "sub/peek", "0"),
        // From sub/, "../secret.txt" names grant/secret.txt, which does not exist.
        ("open", "sub/peek", "", "44"),
        ("rename", "inside.txt", "sub/inside.txt", "0"),
    ];
    let mut texts = Vec::new();
    for (_, first, second, _) in cases {
        texts.extend([*first, *second]);
    }
    let (data, at) = strings(&texts);
    let mut calls = String::new();
    for (index, (operation, ..)) in cases.iter().enumerate() {
        let ((first, first_len), (second, second_len)) = (at[2 * index], at[2 * index + 1]);
        let call = match *operation {
            "link" | "link_follow" => format!(
                "(call $path_link (i32.const 3) (i32.const {}) (i32.const {first}) (i32.const {first_len}) (i32.const 3) (i32.const {second}) (i32.const {second_len}))",
                u32::from(*operation == "link_follow")
            ),
            "rename" => format!(
                "(call $path_rename (i32.const 3) (i32.const {first}) (i32.const {first_len}) (i32.const 3) (i32.const {second}) (i32.const {second_len}))"
            ),
            "symlink" => format!(
                "(call $path_symlink (i32.const {first}) (i32.const {first_len}) (i32.const 3) (i32.const {second}) (i32.const {second_len}))"
            ),
            _ => format!(
                "(call $try_open (i32.const {first}) (i32.const {first_len}) (i32.const 0) (i64.const 2))"
            ),
        };
        calls.push_str(&format!("(call $print_u32 {call})\n"));
    }
    let body = format!("{data}{FILE_HELPERS}(func (export \"_start\")\n{calls})");
    let out = run_in_grant(
        &grant,
        &[
            "path_link (param i32 i32 i32 i32 i32 i32 i32) (result i32)",
            "path_symlink (param i32 i32 i32 i32 i32) (result i32)",
        ],
        &body,
    );
    assert_eq!(stderr(&out), "");
    let expected: Vec<&str> = cases.iter().map(|case| case.3).collect();
    assert_eq!(stdout(&out).lines().collect::<Vec<_>>(), expected);

    // Outside: untouched, and the secret has no second name.
    use std::os::unix::fs::MetadataExt;
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "secret");
    assert_eq!(std::fs::metadata(&secret).unwrap().nlink(), 1);
    let mut beside: Vec<_> = std::fs::read_dir(outer.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    beside.sort();
    assert_eq!(beside, ["grant", "secret.txt"]);
    // Inside: the hard link and the renames happened.
    assert_eq!(
        std::fs::metadata(grant.join("sub/hard")).unwrap().nlink(),
        2
    );
    assert_eq!(
        std::fs::read_to_string(grant.join("sub/inside.txt")).unwrap(),
        "inside"
    );
    assert!(std::fs::symlink_metadata(grant.join("sub/peek")).is_ok());
    assert!(!grant.join("taken").exists());
}

#[test]
fn symlinks_inside_a_grant() {
    let grant = TempDir::new();
    std::fs::create_dir(grant.path().join("sub")).unwrap();
    grant.write("sub/f.txt", "f");
    let (data, at) = strings(&["sub", "lnk", "/etc", "abs", "lnk/f.txt"]);
    let [sub, lnk, etc, abs, through] = [at[0], at[1], at[2], at[3], at[4]];
    let body = format!(
        r#"{data}{FILE_HELPERS}
  (func (export "_start")
    (call $print_u32 (call $path_symlink (i32.const {}) (i32.const {}) (i32.const 3) (i32.const {}) (i32.const {})))
    (call $print_u32 (call $path_readlink (i32.const 3) (i32.const {}) (i32.const {}) (i32.const 2048) (i32.const 100) (i32.const 136)))
    (call $print (i32.const 2048) (i32.load (i32.const 136)))
    (call $newline)
    (call $print_u32 (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const {}) (i32.const {}) (i32.const 512)))
    (call $print_u32 (i32.load8_u (i32.const 528)))
    (call $print_u32 (call $try_open (i32.const {}) (i32.const {}) (i32.const 0) (i64.const 2)))
    (call $print_u32 (call $path_symlink (i32.const {}) (i32.const {}) (i32.const 3) (i32.const {}) (i32.const {})))
    (call $print_u32 (call $try_open (i32.const 1024) (i32.const 100000) (i32.const 0) (i64.const 2))))"#,
        sub.0,
        sub.1,
        lnk.0,
        lnk.1,
        lnk.0,
        lnk.1,
        lnk.0,
        lnk.1,
        through.0,
        through.1,
        etc.0,
        etc.1,
        abs.0,
        abs.1,
    );
    let out = run_in_grant(
        grant.path(),
        &[
            "path_symlink (param i32 i32 i32 i32 i32) (result i32)",
            "path_readlink (param i32 i32 i32 i32 i32 i32) (result i32)",
        ],
        &body,
    );
    assert_eq!(stderr(&out), "");
    // created, read back as "sub", lstat says symlink (7), opening through it works,
    // an absolute target is refused (ENOTCAPABLE), a 100 000-byte path is ENAMETOOLONG
    assert_eq!(stdout(&out), "0\n0\nsub\n0\n7\n0\n76\n37\n");
    assert_eq!(
        std::fs::read_link(grant.path().join("lnk")).unwrap(),
        std::path::Path::new("sub")
    );
    assert!(!grant.path().join("abs").exists());
}

#[test]
fn writes_larger_than_the_host_chunk_arrive_whole() {
    let dir = TempDir::new();
    // 3 MiB + 5 bytes of 'z' (memory is 2 pages in the prelude; grow it to 64).
    let module = dir.write(
        "big.wat",
        wasi_module(
            &[],
            r#"(func (export "_start")
                 (drop (memory.grow (i32.const 62)))
                 (memory.fill (i32.const 65536) (i32.const 122) (i32.const 3145733))
                 (i32.store (i32.const 0) (i32.const 65536))
                 (i32.store (i32.const 4) (i32.const 3145733))
                 (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
                 (call $proc_exit (i32.eq (i32.load (i32.const 8)) (i32.const 3145733))))"#,
        ),
    );
    let out = wasmrel(["run".as_ref(), module.as_os_str()]);
    assert_eq!(stderr(&out), "");
    assert_eq!(code(&out), 1, "nwritten must be the whole length");
    assert_eq!(out.stdout.len(), 3_145_733);
    assert!(out.stdout.iter().all(|&b| b == b'z'));
}

#[test]
fn a_prompt_shows_before_the_guest_waits_for_input() {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};

    let dir = TempDir::new();
    let module = dir.write(
        "prompt.wat",
        wasi_module(
            &["fd_read (param i32 i32 i32 i32) (result i32)"],
            r#"(data (i32.const 1024) "name? ")
               (func (export "_start")
                 (call $print (i32.const 1024) (i32.const 6))
                 (i32.store (i32.const 0) (i32.const 2048))
                 (i32.store (i32.const 4) (i32.const 100))
                 (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
                 (call $print (i32.const 2048) (i32.load (i32.const 8))))"#,
        ),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasmrel"))
        .args(["run".as_ref(), module.as_os_str()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut prompt = [0u8; 6];
        let read = stdout.read_exact(&mut prompt).map(|()| prompt);
        sender.send((read.ok(), stdout)).unwrap();
    });
    let (prompt, mut stdout) = match receiver.recv_timeout(std::time::Duration::from_secs(20)) {
        Ok(got) => got,
        Err(_) => {
            let _ = child.kill();
            panic!("the prompt did not arrive while the guest waited for input");
        }
    };
    assert_eq!(prompt.as_ref().map(|p| &p[..]), Some(&b"name? "[..]));
    child.stdin.take().unwrap().write_all(b"Ada\n").unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "Ada\n");
    assert!(child.wait().unwrap().success());
}

#[test]
fn deterministic_runs_hide_host_times_and_inode_numbers() {
    let (data, at) = strings(&["new.txt", "."]);
    let body = format!(
        r#"{data}{FILE_HELPERS}
  (func $stat (param $at i32)
    (call $print_u64 (i64.load (local.get $at)))
    (call $print_u64 (i64.load offset=8 (local.get $at)))
    (call $print_u64 (i64.load offset=48 (local.get $at))))
  (func (export "_start")
    (call $check (call $try_open (i32.const {file}) (i32.const {file_len}) (i32.const 1) (i64.const 0x40)))
    (call $check (call $fd_filestat_get (i32.load (i32.const 128)) (i32.const 512)))
    (call $stat (i32.const 512))
    (call $check (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const {dot}) (i32.const 1) (i32.const 512)))
    (call $stat (i32.const 512)))"#,
        file = at[0].0,
        file_len = at[0].1,
        dot = at[1].0,
    );
    let mut imports = FILE_IMPORTS.to_vec();
    imports.push("fd_filestat_get (param i32 i32) (result i32)");
    let code_dir = TempDir::new();
    let module = code_dir.write("stat.wat", wasi_module(&imports, &body));
    let run = |extra: &[&str]| {
        let grant = TempDir::new();
        let mut args: Vec<&std::ffi::OsStr> =
            vec!["run".as_ref(), "--dir".as_ref(), grant.path().as_os_str()];
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        args.push(module.as_os_str());
        let out = wasmrel(args);
        assert_eq!(stderr(&out), "");
        stdout(&out)
    };
    let epoch = "946684800000000000";
    let first = run(&["--deterministic"]);
    // device 0, inodes numbered by first appearance, times at the deterministic epoch
    assert_eq!(first, format!("0\n1\n{epoch}\n0\n2\n{epoch}\n"));
    assert_eq!(first, run(&["--deterministic"]));
    let real: Vec<u64> = run(&[]).lines().map(|l| l.parse().unwrap()).collect();
    assert!(
        real[2] > 1_577_836_800_000_000_000,
        "host times otherwise: {real:?}"
    );
}

#[test]
fn preview_0_modules_get_their_own_layouts() {
    let grant = TempDir::new();
    let (data, at) = strings(&["f.txt", "hello"]);
    let old = |name: &str, sig: &str| {
        format!("(import \"wasi_unstable\" \"{name}\" (func $old_{name} {sig}))")
    };
    let imports = [
        old(
            "path_open",
            "(param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)",
        ),
        old("fd_write", "(param i32 i32 i32 i32) (result i32)"),
        old("fd_seek", "(param i32 i64 i32 i32) (result i32)"),
        old("fd_filestat_get", "(param i32 i32) (result i32)"),
        old("poll_oneoff", "(param i32 i32 i32 i32) (result i32)"),
        old("clock_time_get", "(param i32 i64 i32) (result i32)"),
    ];
    let body = format!(
        r#"{data}
  (func (export "_start") (local $fd i32)
    (drop (call $old_path_open (i32.const 3) (i32.const 0) (i32.const {file}) (i32.const {file_len})
      (i32.const 1) (i64.const 0x66) (i64.const 0) (i32.const 0) (i32.const 128)))
    (local.set $fd (i32.load (i32.const 128)))
    (i32.store (i32.const 0) (i32.const {hello}))
    (i32.store (i32.const 4) (i32.const 5))
    (call $print_u32 (call $old_fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
    ;; whence 2 is SET in preview 0
    (call $print_u32 (call $old_fd_seek (local.get $fd) (i64.const 1) (i32.const 2) (i32.const 136)))
    (call $print_u64 (i64.load (i32.const 136)))
    ;; a 56-byte filestat: size at 24, nlink (u32) at 20, nothing written at 56
    (memory.fill (i32.const 512) (i32.const 0xaa) (i32.const 64))
    (call $print_u32 (call $old_fd_filestat_get (local.get $fd) (i32.const 512)))
    (call $print_u64 (i64.load (i32.const 536)))
    (call $print_u32 (i32.load (i32.const 532)))
    (call $print_u32 (i32.load8_u (i32.const 568)))
    ;; a 56-byte clock subscription: userdata 9, clock 1 at 24, timeout 2 s at 32
    (i64.store (i32.const 2048) (i64.const 9))
    (i32.store (i32.const 2072) (i32.const 1))
    (i64.store (i32.const 2080) (i64.const 2000000000))
    (call $print_u32 (call $old_poll_oneoff (i32.const 2048) (i32.const 3000) (i32.const 1) (i32.const 128)))
    (call $print_u64 (i64.load (i32.const 3000)))
    (drop (call $old_clock_time_get (i32.const 1) (i64.const 1) (i32.const 128)))
    (call $print_u64 (i64.div_u (i64.load (i32.const 128)) (i64.const 1000000000))))"#,
        file = at[0].0,
        file_len = at[0].1,
        hello = at[1].0,
    );
    let import_refs: Vec<&str> = imports.iter().map(String::as_str).collect();
    let code_dir = TempDir::new();
    let module = code_dir.write("old.wat", wasi_module(&import_refs, &body));
    let out = wasmrel([
        "run".as_ref(),
        "--deterministic".as_ref(),
        "--dir".as_ref(),
        grant.path().as_os_str(),
        module.as_os_str(),
    ]);
    assert_eq!(stderr(&out), "");
    assert_eq!(stdout(&out), "0\n0\n1\n0\n5\n1\n170\n0\n9\n2\n");
    assert_eq!(
        std::fs::read_to_string(grant.path().join("f.txt")).unwrap(),
        "hello"
    );
}
