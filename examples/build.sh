#!/usr/bin/env bash
# Rebuilds the example modules next to their sources, then checks each with
# wasm-validate. Safe to run repeatedly; the output is the same for the same
# tools. Needs Debian's clang + wasi-libc and wabt:
#   apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32 wabt
set -euo pipefail
cd "$(dirname "$0")"

for tool in clang wasm-ld wat2wasm wasm-validate; do
    command -v "$tool" >/dev/null || { echo "build.sh: $tool not found (see the apt-get line above)" >&2; exit 1; }
done

CFLAGS=(--target=wasm32-wasi -O2 -Wall -Wextra -Werror)

for source in hello.c args-file.c checksum.c fs-tour.c; do
    clang "${CFLAGS[@]}" "$source" -o "${source%.c}.wasm" -lm
done
for source in hello-raw.wat fib.wat; do
    wat2wasm "$source" -o "${source%.wat}.wasm"
done
# The Rust example needs rustup's wasm32-wasip1 standard library
# (`rustup target add wasm32-wasip1`); without it the committed module stays.
if rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip1; then
    RUSTFLAGS="--remap-path-prefix=$PWD=." CARGO_TARGET_DIR="${TMPDIR:-/tmp}/wasmrel-rust-find" \
        cargo build --quiet --release --locked --manifest-path rust-find/Cargo.toml --target wasm32-wasip1
    cp "${TMPDIR:-/tmp}/wasmrel-rust-find/wasm32-wasip1/release/rust-find.wasm" rust-find.wasm
else
    echo "build.sh: no wasm32-wasip1 target in rustup; keeping the committed rust-find.wasm" >&2
fi
for module in *.wasm; do
    wasm-validate "$module"
done
echo "examples: built $(ls ./*.wasm | wc -l) modules"
