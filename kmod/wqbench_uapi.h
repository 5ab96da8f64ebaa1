/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * wqbench.ko <-> user space: the binary record of the debugfs `samples`
 * file.  Shared by the module and the harness; fixed-size fields only.
 *
 * Every read of `samples` returns whole records; a record drained is gone.
 * Records dropped because the buffer was full are counted in `stats`
 * ("samples produced=N dropped=M").
 */
#ifndef WQBENCH_UAPI_H
#define WQBENCH_UAPI_H

#include <linux/types.h>

/* Version of the debugfs interface (docs/kmod.md); bumped on any change. */
#define WQBENCH_IFACE_VERSION 1

/* wqbench_sample.flags */
#define WQBENCH_SAMPLE_REQUEUED	0x1	/* queued from inside its own work function */
#define WQBENCH_SAMPLE_DELAYED	0x2	/* went through a delayed_work timer */
#define WQBENCH_SAMPLE_MISPLACED	0x4	/* counted as a bound-placement violation */
#define WQBENCH_SAMPLE_ESCAPED	0x8	/* counted as an unbound-containment violation */
#define WQBENCH_SAMPLE_QUEUED_RUNNING 0x10	/* still executing when queued */

struct wqbench_sample {
	__u64 seq;		/* per-module sequence number of the record */
	__u64 t_queue_ns;	/* ktime_get_ns() when queued (timer expiry for delayed) */
	__u64 t_start_ns;	/* when the work function started */
	__u64 t_end_ns;		/* when it finished */
	__u32 group;		/* index of the group, in definition order */
	__s32 req_cpu;		/* CPU asked for with queue_work_on(), -1 = none */
	__s32 cpu;		/* CPU it started on */
	__u32 flags;		/* WQBENCH_SAMPLE_* */
};

#endif /* WQBENCH_UAPI_H */
