;; hello-raw.wat: a WASI command written by hand. It calls fd_write on stdout
;; (fd 1) with one iovec pointing at the greeting, and exits with 0 by
;; returning from _start.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; bytes 0..7: the iovec {base = 16, length = 25}; bytes 8..11: bytes written
  (data (i32.const 0) "\10\00\00\00\19\00\00\00")
  (data (i32.const 16) "Hello from hand-written!\n")
  (func (export "_start")
    (if (i32.ne
          (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))
          (i32.const 0))
      (then unreachable))))
