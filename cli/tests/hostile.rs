//! A hostile guest: every WASI function called with extreme and garbage arguments must
//! return an errno (or run normally), never crash the host or reach outside the grant.

mod common;

use common::{code, stderr, wasmrel, TempDir};
use wasmrel_wasi::{Func, Param};

/// Argument values tried for every parameter: null, small fds, the last bytes of memory,
/// just past it, and all bits set.
const VALUES: [i64; 8] = [0, 1, 3, 8, 131_068, 131_072, 0x7fff_ffff, -1];

#[test]
fn every_function_survives_garbage_arguments() {
    let mut imports = String::new();
    let mut calls = String::new();
    // Closing and renumbering come last, so the other calls still meet the open preopen.
    let mut funcs: Vec<Func> = Func::ALL
        .iter()
        .copied()
        .filter(|f| *f != Func::ProcExit)
        .collect();
    funcs.sort_by_key(|f| matches!(f, Func::FdClose | Func::FdRenumber));
    for func in funcs {
        let params: Vec<&str> = func
            .params()
            .iter()
            .map(|p| match p {
                Param::I32 => "i32",
                Param::I64 => "i64",
            })
            .collect();
        imports.push_str(&format!(
            "(import \"wasi_snapshot_preview1\" \"{0}\" (func ${0} (param {1}) (result i32)))\n",
            func.name(),
            params.join(" ")
        ));
        // Each value in every position, then the values rotated across the positions.
        for (round, _) in VALUES.iter().enumerate() {
            let args: String = params
                .iter()
                .enumerate()
                .map(|(i, ty)| {
                    let value = VALUES[(round + i * 3) % VALUES.len()];
                    format!("({ty}.const {value})")
                })
                .collect();
            calls.push_str(&format!("(drop (call ${} {args}))\n", func.name()));
        }
        for value in VALUES {
            let args: String = params
                .iter()
                .map(|ty| format!("({ty}.const {value})"))
                .collect();
            calls.push_str(&format!("(drop (call ${} {args}))\n", func.name()));
        }
    }
    // Memory is filled with random bytes first, so pointers lead to garbage structures.
    let module_text = format!(
        "(module\n{imports}\
         (memory 2)\n\
         (func (export \"_start\")\n\
           (drop (call $random_get (i32.const 0) (i32.const 131072)))\n\
           {calls}))"
    );
    let code_dir = TempDir::new();
    let module = code_dir.write("hostile.wat", module_text);
    let outer = TempDir::new();
    let grant = outer.path().join("grant");
    std::fs::create_dir(&grant).unwrap();
    std::fs::write(grant.join("file"), "data").unwrap();
    let before: Vec<_> = std::fs::read_dir(outer.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();

    // Deterministic, so any garbage sleep in poll_oneoff passes at once.
    let out = wasmrel([
        "run".as_ref(),
        "--deterministic".as_ref(),
        "--dir".as_ref(),
        grant.as_os_str(),
        module.as_os_str(),
    ]);
    assert_eq!(code(&out), 0, "stderr: {}", stderr(&out));
    let after: Vec<_> = std::fs::read_dir(outer.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(before, after, "nothing appeared next to the grant");
}
