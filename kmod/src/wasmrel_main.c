// SPDX-License-Identifier: GPL-2.0
/*
 * wasmrel: a WebAssembly runtime in the kernel, reached through the misc device /dev/wasmrel.
 *
 * This file is the only part that touches user memory and kernel services. It validates
 * every request (version, size, counts and lengths capped before anything is copied),
 * copies arguments into kernel buffers and hands them to the Rust engine (engine.h).
 * One open file is one session with its own lock, so concurrent users never share state;
 * the misc device pins this module while a file is open, so rmmod waits for idle.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "../include/uapi/wasmrel.h"
#include "engine.h"

static unsigned long long fuel_limit = 10000000000ULL;
module_param(fuel_limit, ullong, 0644);
MODULE_PARM_DESC(fuel_limit, "Default and maximum fuel (Wasm instructions) of one run");

static unsigned int memory_limit_mb = 128;
module_param(memory_limit_mb, uint, 0644);
MODULE_PARM_DESC(memory_limit_mb, "Default and maximum linear memory of one run, MiB");

static unsigned int call_depth_limit = 10000;
module_param(call_depth_limit, uint, 0644);
MODULE_PARM_DESC(call_depth_limit, "Default and maximum Wasm call depth of one run");

static unsigned int table_limit = 1 << 20;
module_param(table_limit, uint, 0644);
MODULE_PARM_DESC(table_limit, "Default and maximum elements of one table");

/* 128 MiB of 8-byte slots: the 16 Mi slots of a user-space run. */
static unsigned int stack_limit_mb = 128;
module_param(stack_limit_mb, uint, 0644);
MODULE_PARM_DESC(stack_limit_mb,
		 "Default and maximum value stack of one run, MiB of 8-byte slots (encoded: 16-byte)");

static unsigned int module_limit_mb = 64;
module_param(module_limit_mb, uint, 0644);
MODULE_PARM_DESC(module_limit_mb, "Maximum size of a Wasm module, MiB");

static unsigned int output_limit_mb = 16;
module_param(output_limit_mb, uint, 0644);
MODULE_PARM_DESC(output_limit_mb, "Maximum stdout plus stderr of one run, MiB");

static unsigned int args_limit_kb = 1024;
module_param(args_limit_kb, uint, 0644);
MODULE_PARM_DESC(args_limit_kb, "Maximum size of arguments plus environment, KiB");

/* Module bytes are copied from user space through a bounce buffer of this size. */
#define WASMREL_CHUNK_BYTES (64 * 1024)

struct wasmrel_file {
	struct mutex lock; /* serialises writes and ioctls on one file */
	struct wasmrel_session *session;
};

static int wasmrel_open(struct inode *inode, struct file *file)
{
	struct wasmrel_file *wf;

	/* Loading code into the kernel is an administrative act. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	wf = kzalloc(sizeof(*wf), GFP_KERNEL_ACCOUNT);
	if (!wf)
		return -ENOMEM;
	wf->session = wasmrel_engine_session_new();
	if (!wf->session) {
		kfree(wf);
		return -ENOMEM;
	}
	mutex_init(&wf->lock);
	file->private_data = wf;
	return 0;
}

static int wasmrel_release(struct inode *inode, struct file *file)
{
	struct wasmrel_file *wf = file->private_data;

	wasmrel_engine_session_free(wf->session);
	mutex_destroy(&wf->lock);
	kfree(wf);
	return 0;
}

static ssize_t wasmrel_write(struct file *file, const char __user *buf, size_t len, loff_t *ppos)
{
	struct wasmrel_file *wf = file->private_data;
	size_t max_total = (size_t)module_limit_mb << 20;
	size_t done = 0;
	u8 *chunk;
	int err = 0;

	if (len == 0)
		return 0;
	chunk = kmalloc(min_t(size_t, len, WASMREL_CHUNK_BYTES), GFP_KERNEL_ACCOUNT);
	if (!chunk)
		return -ENOMEM;
	if (mutex_lock_interruptible(&wf->lock)) {
		kfree(chunk);
		return -EINTR;
	}
	while (done < len) {
		size_t n = min_t(size_t, len - done, WASMREL_CHUNK_BYTES);

		if (copy_from_user(chunk, buf + done, n)) {
			err = -EFAULT;
			break;
		}
		err = wasmrel_engine_append_module(wf->session, chunk, n, max_total);
		if (err)
			break;
		done += n;
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		cond_resched();
	}
	mutex_unlock(&wf->lock);
	kfree(chunk);
	/* A partial write reports what was taken, as write(2) does; the client resends the rest. */
	return done ? done : err;
}

static int wasmrel_check_header(const struct wasmrel_header *header, size_t size)
{
	if (header->version != WASMREL_PROTOCOL_VERSION)
		return -EPROTO;
	if (header->size != size)
		return -EPROTO;
	return 0;
}

/*
 * Copies an argument buffer into the kernel, charging it to the per-request budget before
 * anything is allocated. The engine parses the copy strictly.
 */
static int wasmrel_copy_in(u64 uptr, u64 bytes, size_t *budget, u8 **out)
{
	u8 *copy;

	*out = NULL;
	if (bytes == 0)
		return 0;
	if (bytes > *budget)
		return -E2BIG;
	*budget -= bytes;
	copy = vmemdup_user(u64_to_user_ptr(uptr), bytes);
	if (IS_ERR(copy))
		return PTR_ERR(copy);
	*out = copy;
	return 0;
}

/* Resolves a requested limit against its module parameter: 0 means the parameter's value. */
static int wasmrel_limit(u64 requested, u64 maximum, u64 *effective)
{
	if (requested > maximum)
		return -E2BIG;
	*effective = requested ? requested : maximum;
	return 0;
}

static long wasmrel_configure(struct wasmrel_file *wf, void __user *arg)
{
	struct wasmrel_engine_config ec = {};
	struct wasmrel_config req;
	size_t budget = (size_t)args_limit_kb << 10;
	u8 *argv = NULL, *envp = NULL, *invoke = NULL, *invoke_argv = NULL;
	u64 value;
	long err;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	err = wasmrel_check_header(&req.header, sizeof(req));
	if (err)
		return err;
	if (req.flags || req.reserved || req.reserved2 || req.mode > WASMREL_MODE_DUAL)
		return -EINVAL;

	ec.mode = req.mode;
	err = wasmrel_limit(req.fuel, fuel_limit, &ec.fuel);
	if (!err)
		err = wasmrel_limit(req.memory_bytes, (u64)memory_limit_mb << 20, &ec.memory_bytes);
	if (!err)
		err = wasmrel_limit(req.stack_bytes, (u64)stack_limit_mb << 20, &ec.stack_bytes);
	if (!err)
		err = wasmrel_limit(req.call_depth, call_depth_limit, &value);
	if (err)
		return err;
	ec.call_depth = value;
	err = wasmrel_limit(req.table_elements, table_limit, &value);
	if (err)
		return err;
	ec.table_elements = value;
	/* Checked by the engine, with the mode they belong to (EINVAL). */
	ec.check_level = req.check_level;
	ec.memory_protection = req.memory_protection;
	ec.replicas = req.replicas;
	ec.output_bytes = (u64)output_limit_mb << 20;

	/* Counts are bounded by the byte sizes, which are bounded by the budget. */
	if (req.argc > req.argv_bytes || req.envc > req.envp_bytes ||
	    req.invoke_argc > ((size_t)args_limit_kb << 10) / sizeof(struct wasmrel_value))
		return -E2BIG;
	err = wasmrel_copy_in(req.argv, req.argv_bytes, &budget, &argv);
	if (!err)
		err = wasmrel_copy_in(req.envp, req.envp_bytes, &budget, &envp);
	if (!err && req.invoke)
		err = wasmrel_copy_in(req.invoke, req.invoke_bytes, &budget, &invoke);
	if (!err)
		err = wasmrel_copy_in(req.invoke_argv,
				      (u64)req.invoke_argc * sizeof(struct wasmrel_value), &budget,
				      &invoke_argv);
	if (err)
		goto out;

	ec.argc = req.argc;
	ec.argv = argv;
	ec.argv_bytes = req.argv_bytes;
	ec.envc = req.envc;
	ec.envp = envp;
	ec.envp_bytes = req.envp_bytes;
	ec.has_invoke = req.invoke != 0;
	ec.invoke = invoke;
	ec.invoke_bytes = req.invoke ? req.invoke_bytes : 0;
	ec.invoke_argc = req.invoke_argc;
	ec.invoke_argv = invoke_argv;

	if (mutex_lock_interruptible(&wf->lock)) {
		err = -EINTR;
		goto out;
	}
	err = wasmrel_engine_configure(wf->session, &ec);
	mutex_unlock(&wf->lock);
out:
	kvfree(argv);
	kvfree(envp);
	kvfree(invoke);
	kvfree(invoke_argv);
	return err;
}

static long wasmrel_run(struct wasmrel_file *wf, void __user *arg)
{
	struct wasmrel_engine_summary *summary;
	struct wasmrel_run *reply;
	long err;

	reply = kzalloc(sizeof(*reply), GFP_KERNEL);
	summary = kzalloc(sizeof(*summary), GFP_KERNEL);
	if (!reply || !summary) {
		err = -ENOMEM;
		goto out;
	}
	if (copy_from_user(&reply->header, arg, sizeof(reply->header))) {
		err = -EFAULT;
		goto out;
	}
	err = wasmrel_check_header(&reply->header, sizeof(*reply));
	if (err)
		goto out;
	if (mutex_lock_interruptible(&wf->lock)) {
		err = -EINTR;
		goto out;
	}
	err = wasmrel_engine_run(wf->session, summary);
	mutex_unlock(&wf->lock);
	if (err)
		goto out;

	reply->outcome = summary->outcome;
	reply->exit_code = summary->exit_code;
	reply->fuel_used = summary->fuel_used;
	reply->stdout_bytes = summary->stdout_bytes;
	reply->stderr_bytes = summary->stderr_bytes;
	reply->result_count = summary->result_count;
	memcpy(reply->message, summary->message,
	       min_t(size_t, summary->message_bytes, sizeof(reply->message) - 1));
	if (copy_to_user(arg, reply, sizeof(*reply)))
		err = -EFAULT;
out:
	kfree(summary);
	kfree(reply);
	return err;
}

static long wasmrel_read_stream(struct wasmrel_file *wf, void __user *arg)
{
	struct wasmrel_read req;
	const u8 *data;
	size_t len;
	long err;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	err = wasmrel_check_header(&req.header, sizeof(req));
	if (err)
		return err;
	if (req.reserved || req.stream > WASMREL_STREAM_RESULTS)
		return -EINVAL;
	if (mutex_lock_interruptible(&wf->lock))
		return -EINTR;
	err = wasmrel_engine_stream(wf->session, req.stream, &data, &len);
	if (!err) {
		req.copied = 0;
		if (req.offset < len)
			req.copied = min_t(u64, req.bytes, len - req.offset);
		if (req.copied &&
		    copy_to_user(u64_to_user_ptr(req.buffer), data + req.offset, req.copied))
			err = -EFAULT;
	}
	mutex_unlock(&wf->lock);
	if (!err && copy_to_user(arg, &req, sizeof(req)))
		err = -EFAULT;
	return err;
}

static long wasmrel_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct wasmrel_file *wf = file->private_data;
	void __user *uarg = (void __user *)arg;
	u32 version = WASMREL_PROTOCOL_VERSION;

	switch (cmd) {
	case WASMREL_IOC_VERSION:
		return put_user(version, (u32 __user *)uarg);
	case WASMREL_IOC_CONFIGURE:
		return wasmrel_configure(wf, uarg);
	case WASMREL_IOC_RUN:
		return wasmrel_run(wf, uarg);
	case WASMREL_IOC_READ:
		return wasmrel_read_stream(wf, uarg);
	case WASMREL_IOC_RESET:
		if (mutex_lock_interruptible(&wf->lock))
			return -EINTR;
		wasmrel_engine_reset(wf->session);
		mutex_unlock(&wf->lock);
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations wasmrel_fops = {
	.owner = THIS_MODULE,
	.open = wasmrel_open,
	.release = wasmrel_release,
	.write = wasmrel_write,
	.unlocked_ioctl = wasmrel_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice wasmrel_device = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "wasmrel",
	.fops = &wasmrel_fops,
	.mode = 0600,
};

/* Services for the engine (engine.h). */

void *wasmrel_shim_alloc(size_t size, size_t align)
{
	/*
	 * kmalloc aligns power-of-two sizes naturally and vmalloc to a page, so rounding a
	 * small over-aligned request up to a power of two gives the alignment asked for.
	 */
	if (align > PAGE_SIZE)
		return NULL;
	if (align > ARCH_KMALLOC_MINALIGN && size < PAGE_SIZE)
		size = roundup_pow_of_two(max(size, align));
	return kvmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
}

void wasmrel_shim_free(void *ptr)
{
	kvfree(ptr);
}

int wasmrel_shim_yield(void)
{
	cond_resched();
	return signal_pending(current) ? 1 : 0;
}

u64 wasmrel_shim_realtime_ns(void)
{
	return ktime_get_real_ns();
}

u64 wasmrel_shim_monotonic_ns(void)
{
	return ktime_get_ns();
}

void wasmrel_shim_random(u8 *buf, size_t len)
{
	get_random_bytes(buf, len);
}

int wasmrel_shim_sleep(u64 ns)
{
	/* The caller loops until its deadline; sleeping at most a second at a time keeps the
	 * timeout conversion small. Rounded up so a short sleep still gives the CPU away. */
	u64 capped = min_t(u64, ns, NSEC_PER_SEC);

	schedule_timeout_interruptible(max_t(unsigned long, nsecs_to_jiffies(capped), 1));
	return signal_pending(current) ? 1 : 0;
}

void wasmrel_shim_panic(const u8 *message, size_t len)
{
	pr_emerg("engine panic: %.*s\n", (int)min_t(size_t, len, 512), message);
	BUG();
}

static int __init wasmrel_init(void)
{
	int err = misc_register(&wasmrel_device);

	if (err)
		pr_err("cannot register /dev/wasmrel: %d\n", err);
	return err;
}

static void __exit wasmrel_exit(void)
{
	misc_deregister(&wasmrel_device);
}

module_init(wasmrel_init);
module_exit(wasmrel_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("wasmrel: fault-tolerant WebAssembly runtime");
MODULE_AUTHOR("wasmrel developers");
