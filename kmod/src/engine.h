/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seam between the C shim (wasmrel_main.c) and the Rust engine staticlib (kmod/ffi).
 * The engine never sees a user-space pointer: the shim copies everything in and out.
 * Functions returning int return 0 or a negative errno.
 */
#ifndef WASMREL_ENGINE_H
#define WASMREL_ENGINE_H

#include <linux/types.h>

struct wasmrel_session; /* owned by the engine */

/* Limits of one run, already checked against the module parameters by the shim. */
struct wasmrel_engine_config {
	u32 mode;
	u32 call_depth;
	u64 fuel;
	u64 memory_bytes;
	u64 output_bytes;
	u64 stack_bytes;
	u32 table_elements;
	/* WASMREL_CHECK_*, WASMREL_MEMORY_*, WASMREL_REPLICAS_*: not yet checked */
	u32 check_level;
	u32 memory_protection;
	u32 replicas;
	u32 argc;
	u32 envc;
	u32 invoke_argc;
	u32 has_invoke;
	const u8 *argv;
	size_t argv_bytes;
	const u8 *envp;
	size_t envp_bytes;
	const u8 *invoke;
	size_t invoke_bytes;
	const u8 *invoke_argv; /* invoke_argc struct wasmrel_value */
};

struct wasmrel_engine_summary {
	u32 outcome;
	s32 exit_code;
	u64 fuel_used;
	u64 stdout_bytes;
	u64 stderr_bytes;
	u32 result_count;
	u32 message_bytes;
	u8 message[256];
};

struct wasmrel_session *wasmrel_engine_session_new(void);
void wasmrel_engine_session_free(struct wasmrel_session *session);
void wasmrel_engine_reset(struct wasmrel_session *session);
/* Appends module bytes; -EFBIG when the module would exceed max_total bytes. */
int wasmrel_engine_append_module(struct wasmrel_session *session, const u8 *bytes, size_t len,
				 size_t max_total);
int wasmrel_engine_configure(struct wasmrel_session *session,
			     const struct wasmrel_engine_config *config);
/* Runs the configured module; -EINTR when a signal stopped it, -EBUSY when already run. */
int wasmrel_engine_run(struct wasmrel_session *session, struct wasmrel_engine_summary *summary);
/* Points at one of the output streams (WASMREL_STREAM_*) of the last run. */
int wasmrel_engine_stream(struct wasmrel_session *session, u32 stream, const u8 **data,
			  size_t *len);

/* Services the shim provides to the engine. */
void *wasmrel_shim_alloc(size_t size, size_t align);
void wasmrel_shim_free(void *ptr);
int wasmrel_shim_yield(void);
u64 wasmrel_shim_realtime_ns(void);
u64 wasmrel_shim_monotonic_ns(void);
void wasmrel_shim_random(u8 *buf, size_t len);
/* Sleeps interruptibly for about ns nanoseconds (at most a second); 1 if a signal woke it. */
int wasmrel_shim_sleep(u64 ns);
void __noreturn wasmrel_shim_panic(const u8 *message, size_t len);

#endif /* WASMREL_ENGINE_H */
