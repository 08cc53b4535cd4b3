#!/usr/bin/env bash
# Builds (or reuses) a Rust-enabled Linux 6.12 test kernel for the wasmrel module.
#
# Idempotent: packages are installed only when missing, bindgen and the kernel tree are cached
# in $WASMREL_KERNEL_CACHE (default ~/.cache/wasmrel-kernel), the tree keyed on a hash of
# kernel.fragment. A finished build leaves a stamp file, so a rerun takes seconds.
# Heavy steps run under `nice -n 19` because the machine is shared.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kenv.sh"
mkdir -p "$WASMREL_KERNEL_CACHE"
# One build or test at a time per cache (test-in-qemu.sh holds the lock for its whole run).
if [[ -z ${WASMREL_KERNEL_LOCKED:-} ]]; then
    exec 9> "$WASMREL_KERNEL_CACHE/.lock"
    flock 9
fi

PACKAGES=(linux-source-6.12 rustc-web cargo-web rust-web-src clang lld llvm libclang-dev make bc
          flex bison libelf-dev libssl-dev cpio xz-utils qemu-system-x86 busybox-static)
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "build-kernel: installing ${missing[*]}"
    apt_get() { apt-get -o DPkg::Lock::Timeout=900 "$@"; }
    apt_get update -q
    DEBIAN_FRONTEND=noninteractive apt_get install -y -q --no-install-recommends "${missing[@]}"
fi
source "$KMOD_DIR/kenv.sh"   # DEB_RUST_LIB_SRC exists only after rust-web-src is installed

if [[ ! -x $BINDGEN_ROOT/bin/bindgen ]]; then
    echo "build-kernel: installing bindgen-cli $BINDGEN_VERSION"
    CARGO_TARGET_DIR=$WASMREL_KERNEL_CACHE/bindgen-build \
        nice -n 19 cargo install --locked bindgen-cli --version "$BINDGEN_VERSION" --root "$BINDGEN_ROOT"
    rm -rf "$WASMREL_KERNEL_CACHE/bindgen-build"
fi

stamp=$KDIR/.wasmrel-built
if [[ -f $stamp ]]; then
    echo "build-kernel: reusing $KDIR"
    exit 0
fi

if [[ ! -f $KDIR/Makefile ]]; then
    echo "build-kernel: extracting linux-source-$KERNEL_VERSION into $KDIR"
    tmp=$KDIR.extract
    rm -rf "$tmp" && mkdir -p "$tmp"
    tar -xf /usr/src/linux-source-$KERNEL_VERSION.tar.xz -C "$tmp"
    mv "$tmp/linux-source-$KERNEL_VERSION" "$KDIR"
    rm -rf "$tmp"
fi

"${KMAKE[@]}" rustavailable
if [[ ! -f $KDIR/.config ]]; then
    "${KMAKE[@]}" tinyconfig
fi
# Some options (RUST, serial console) become visible only after others are set: apply twice.
for _ in 1 2; do
    while read -r opt; do
        [[ -z $opt || $opt == \#* ]] && continue
        if [[ $opt == -* ]]; then
            "$KDIR/scripts/config" --file "$KDIR/.config" -d "${opt#-}"
        else
            "$KDIR/scripts/config" --file "$KDIR/.config" -e "$opt"
        fi
    done < <(cat "$KMOD_DIR/kernel.fragment"; [[ -z $WASMREL_KERNEL_CONFIG_EXTRA ]] ||
             printf '%s\n' $WASMREL_KERNEL_CONFIG_EXTRA)
    "${KMAKE[@]}" olddefconfig
done
for opt in $WASMREL_KERNEL_CONFIG_EXTRA; do
    [[ $opt == -* ]] || continue
    ! grep -q "^CONFIG_${opt#-}=y" "$KDIR/.config" || { echo "build-kernel: $opt did not stick" >&2; exit 1; }
done
for opt in RUST MODULES DEVTMPFS SERIAL_8250_CONSOLE; do
    grep -q "^CONFIG_$opt=y" "$KDIR/.config" || { echo "build-kernel: CONFIG_$opt did not stick" >&2; exit 1; }
done

start=$(date +%s)
nice -n 19 "${KMAKE[@]}" -j"$(nproc)" bzImage modules
echo "build-kernel: kernel built in $(( $(date +%s) - start )) s"
touch "$stamp"
