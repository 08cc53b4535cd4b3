#!/usr/bin/env bash
# Builds every benchmark program two ways from its one C source:
#   NAME.wasm      WASI command (wasi-libc), prints "NAME SIZE CHECKSUM"
#   NAME.run.wasm  no imports; exports run() and run_n(size) returning the checksum
# and checks each module with wasm-validate. Safe to run repeatedly. Needs
#   apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32 wabt
set -euo pipefail
cd "$(dirname "$0")"

for tool in clang wasm-ld wasm-validate; do
    command -v "$tool" >/dev/null || { echo "build.sh: $tool not found (see the apt-get line above)" >&2; exit 1; }
done

WARNINGS=(-Wall -Wextra -Werror)
for source in *.c; do
    name=${source%.c}
    clang --target=wasm32-wasi -O2 "${WARNINGS[@]}" "$source" -o "$name.wasm"
    clang --target=wasm32 -O2 "${WARNINGS[@]}" -DBENCH_RUN_EXPORT -fno-builtin -nostdlib \
        -Wl,--no-entry "$source" -o "$name.run.wasm"
done
for module in *.wasm; do
    wasm-validate "$module"
done
echo "benches/programs: built $(ls ./*.wasm | wc -l) modules"
