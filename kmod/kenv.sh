# Shared settings for the kernel scripts; sourced by build-kernel.sh, test-in-qemu.sh and
# the Makefile's helpers. Everything large lives in $WASMREL_KERNEL_CACHE, outside the repo.
KMOD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$KMOD_DIR")
WASMREL_KERNEL_CACHE=${WASMREL_KERNEL_CACHE:-$HOME/.cache/wasmrel-kernel}
KERNEL_VERSION=6.12
BINDGEN_VERSION=0.69.5
BINDGEN_ROOT=$WASMREL_KERNEL_CACHE/bindgen-$BINDGEN_VERSION
# Debian's rustc-web (1.96) with its library source; the rustup toolchain has no rust-src.
DEB_RUSTC=/usr/bin/rustc
DEB_CARGO=/usr/bin/cargo
DEB_RUST_LIB_SRC=$(ls -d /usr/src/rustc-*/library 2>/dev/null | sort -V | tail -n 1)
# WASMREL_KERNEL_CONFIG_EXTRA: more fragment lines, space-separated (e.g. "-X86_KERNEL_IBT"
# for the speed comparison in README.md); applied after kernel.fragment.
WASMREL_KERNEL_CONFIG_EXTRA=${WASMREL_KERNEL_CONFIG_EXTRA:-}
# The kernel tree is keyed on the config so that a changed fragment gets a new tree.
KCONFIG_HASH=$( (cat "$KMOD_DIR/kernel.fragment"; [[ -z $WASMREL_KERNEL_CONFIG_EXTRA ]] ||
    printf '%s\n' $WASMREL_KERNEL_CONFIG_EXTRA) | sha256sum | cut -c1-12)
KDIR=${KDIR:-$WASMREL_KERNEL_CACHE/linux-$KERNEL_VERSION-$KCONFIG_HASH}
KMAKE=(make -C "$KDIR" LLVM=1 RUSTC="$DEB_RUSTC" HOSTRUSTC="$DEB_RUSTC" RUSTDOC=/usr/bin/rustdoc
       BINDGEN="$BINDGEN_ROOT/bin/bindgen" RUST_LIB_SRC="$DEB_RUST_LIB_SRC")
