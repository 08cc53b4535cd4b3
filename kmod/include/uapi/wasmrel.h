/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * wasmrel user <-> kernel protocol, carried by the misc device /dev/wasmrel.
 *
 * One open file is one session: write(2) appends module bytes (any chunk size), the ioctls
 * below configure, run and read back the result. Every struct starts with a header whose
 * version must equal WASMREL_PROTOCOL_VERSION and whose size must equal the struct's size,
 * so that a mismatched client is refused with EPROTO before anything is parsed.
 * All fields are fixed-width and naturally aligned: the layout is the same for 32- and 64-bit
 * callers. Pointers travel as __u64. The Rust client mirrors this file (kmod/client/src/abi.rs).
 */
#ifndef _UAPI_WASMREL_H
#define _UAPI_WASMREL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define WASMREL_PROTOCOL_VERSION 2
#define WASMREL_IOCTL_MAGIC 0xb7

struct wasmrel_header {
	__u32 version; /* WASMREL_PROTOCOL_VERSION */
	__u32 size;    /* sizeof the whole struct */
};

/*
 * What to run and within which limits. A zero limit means the module parameter's value;
 * a zero check level, memory protection or replica pair means the default of `wasmrel run`.
 */
struct wasmrel_config {
	struct wasmrel_header header;
	__u32 mode;        /* WASMREL_MODE_* */
	__u32 flags;       /* must be 0 */
	__u64 fuel;        /* executed Wasm instructions */
	__u64 memory_bytes; /* linear memory, all memories together */
	__u32 call_depth;
	__u32 argc;        /* number of NUL-terminated strings in argv */
	__u64 argv;        /* pointer to argc NUL-terminated strings, back to back */
	__u64 argv_bytes;
	__u32 envc;
	__u32 reserved;    /* must be 0 */
	__u64 envp;        /* "KEY=VALUE" strings, same layout as argv */
	__u64 envp_bytes;
	/* Invoke an export instead of running the WASI command (_start). */
	__u64 invoke;       /* pointer to the export name, not NUL-terminated; 0 = _start */
	__u64 invoke_bytes;
	__u32 invoke_argc;  /* number of arguments of the invoked export */
	__u32 reserved2;    /* must be 0 */
	__u64 invoke_argv;  /* pointer to invoke_argc struct wasmrel_value, checked against the
			     * export's parameter types */
	/* Since version 2: the options of `wasmrel run` that select how a run is protected. */
	__u32 check_level;       /* WASMREL_CHECK_*; not 0 only with WASMREL_MODE_ENCODED */
	__u32 memory_protection; /* WASMREL_MEMORY_*; not 0 only with WASMREL_MODE_ENCODED */
	__u32 replicas;          /* WASMREL_REPLICAS_*; not 0 only with WASMREL_MODE_DUAL */
	__u32 table_elements;    /* elements a table may hold; 0 = table_limit */
	__u64 stack_bytes;       /* value stack in bytes of 8-byte slots, as --max-stack counts
				  * them; 0 = stack_limit_mb */
};

#define WASMREL_MODE_PLAIN 0
#define WASMREL_MODE_ENCODED 1
#define WASMREL_MODE_DUAL 2

/* Encoded execution: how often values are checked (`wasmrel run --check`). */
#define WASMREL_CHECK_BLOCK 0   /* at block boundaries and where values leave the code */
#define WASMREL_CHECK_OP 1      /* every operand */
#define WASMREL_CHECK_EFFECTS 2 /* only before effects */

/* Encoded execution: how linear memory is protected (`--memory-protection`). */
#define WASMREL_MEMORY_CRC 0  /* a CRC-8 per aligned 8-byte word */
#define WASMREL_MEMORY_NONE 1
#define WASMREL_MEMORY_DUP 2  /* a shadow copy: twice the kernel memory per linear memory */

/* Dual execution: the second replica (`--replicas`); the first one is plain. */
#define WASMREL_REPLICAS_INVERTED 0 /* every value bit-inverted */
#define WASMREL_REPLICAS_ENCODED 1  /* AN-encoded */

/* Outcome of a run; the exit-code mapping is the one of `wasmrel run`. */
#define WASMREL_OUTCOME_EXIT 0     /* WASI proc_exit or _start returned (exit_code) */
#define WASMREL_OUTCOME_RETURNED 1 /* invoked export returned (results stream) */
#define WASMREL_OUTCOME_ERROR 2    /* invalid module, link error, bad argument: 126 */
#define WASMREL_OUTCOME_LIMIT 3    /* fuel, memory, table, call depth, output: 128 */
#define WASMREL_OUTCOME_TRAP 4     /* 134 */
#define WASMREL_OUTCOME_DETECTED 5 /* detected fault (encoded/dual): 135 */
#define WASMREL_OUTCOME_ENGINE_BUG 6 /* internal error: 136 */

#define WASMREL_MESSAGE_BYTES 256

struct wasmrel_run {
	struct wasmrel_header header;
	__u32 outcome;      /* out: WASMREL_OUTCOME_* */
	__s32 exit_code;    /* out: for WASMREL_OUTCOME_EXIT */
	__u64 fuel_used;    /* out */
	__u64 stdout_bytes; /* out: length of the stdout stream */
	__u64 stderr_bytes; /* out */
	__u32 result_count; /* out: number of struct wasmrel_value in the results stream */
	__u32 reserved;     /* out: 0 */
	char message[WASMREL_MESSAGE_BYTES]; /* out: NUL-terminated one-line reason if not EXIT/RETURNED */
};

/* Value types of invoke arguments and of the results stream (the numbering of the Wasm binary format). */
#define WASMREL_TYPE_I32 0x7f
#define WASMREL_TYPE_I64 0x7e
#define WASMREL_TYPE_F32 0x7d
#define WASMREL_TYPE_F64 0x7c
#define WASMREL_TYPE_V128 0x7b
#define WASMREL_TYPE_FUNCREF 0x70
#define WASMREL_TYPE_EXTERNREF 0x6f

struct wasmrel_value {
	__u32 type;    /* WASMREL_TYPE_* */
	__u32 is_null; /* references: 1 for null */
	__u64 low;     /* bits of the value; v128: low half; references: index */
	__u64 high;    /* v128: high half, otherwise 0 */
};

#define WASMREL_STREAM_STDOUT 0
#define WASMREL_STREAM_STDERR 1
#define WASMREL_STREAM_RESULTS 2

/* Copies up to `bytes` of a stream from `offset`; `copied` says how many were copied. */
struct wasmrel_read {
	struct wasmrel_header header;
	__u32 stream; /* WASMREL_STREAM_* */
	__u32 reserved; /* must be 0 */
	__u64 offset;
	__u64 buffer;
	__u64 bytes;
	__u64 copied; /* out */
};

/* Protocol version of the loaded module; not versioned itself so any client can ask. */
#define WASMREL_IOC_VERSION _IOR(WASMREL_IOCTL_MAGIC, 0, __u32)
#define WASMREL_IOC_CONFIGURE _IOW(WASMREL_IOCTL_MAGIC, 1, struct wasmrel_config)
#define WASMREL_IOC_RUN _IOWR(WASMREL_IOCTL_MAGIC, 2, struct wasmrel_run)
#define WASMREL_IOC_READ _IOWR(WASMREL_IOCTL_MAGIC, 3, struct wasmrel_read)
/* Drops the module bytes, configuration and results: the file can be used for a new run. */
#define WASMREL_IOC_RESET _IO(WASMREL_IOCTL_MAGIC, 4)

#endif /* _UAPI_WASMREL_H */
