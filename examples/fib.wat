;; fib: the n-th Fibonacci number (i64, wrapping), computed with a loop.
;; Run it with `wasmrel run --invoke fib examples/fib.wasm 90`.
(module
  (func (export "fib") (param $n i64) (result i64)
    (local $previous i64)
    (local $current i64)
    (local $next i64)
    (local.set $current (i64.const 1))
    (if (i64.eqz (local.get $n))
      (then (return (i64.const 0))))
    (block $done
      (loop $step
        (br_if $done (i64.le_u (local.get $n) (i64.const 1)))
        (local.set $next (i64.add (local.get $previous) (local.get $current)))
        (local.set $previous (local.get $current))
        (local.set $current (local.get $next))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $step)))
    (local.get $current))

  ;; The same number by naive recursion: deep call trees, no loop.
  (func $fib_recursive (export "fib_recursive") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else
        (i32.add
          (call $fib_recursive (i32.sub (local.get $n) (i32.const 1)))
          (call $fib_recursive (i32.sub (local.get $n) (i32.const 2))))))))
