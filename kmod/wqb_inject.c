// SPDX-License-Identifier: GPL-2.0
/*
 * Calibrated slowdowns of the workqueue path, for measuring how small a
 * regression a comparison catches (docs/kmod.md, "Injected delays").
 *
 * A busy wait of a set length, timed against ktime_get_ns() (udelay() is
 * unreliable in TCG guests) without cpu_relax() (wqb_inject_wait()), for
 * one wqbench item in N, at one place:
 *
 *   queue   workqueue_queue_work, after the event is recorded: inside
 *           __queue_work() with the pool lock held, before the item is
 *           inserted -- queue_work() itself got slower, and the pool is
 *           held up meanwhile;
 *   pickup  workqueue_execute_start, before the event is recorded: the
 *           worker has taken the item and dropped the pool lock -- this
 *           item and whatever waits for this worker start later;
 *   pool    entry of process_one_work() (a kprobe): the worker holds the
 *           pool lock while it takes the item off the worklist -- every
 *           queueing onto and every pickup from that pool waits.
 *
 * All three delay the item in the trace's own queue->start, which is how
 * the size is checked (tests/guest/inject-test).  Only the module's own
 * items are slowed (their function is wqb_work_fn), optionally only one
 * group's, so the guest's own work is left alone.  The tracepoint probes
 * go in with a priority below or above ftrace's, which decides whether
 * the event's timestamp is taken before or after the wait.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/ptrace.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "wqb.h"

/* a wait under the pool lock longer than this would be a lockup, not a slowdown */
#define WQB_INJECT_MAX_NS	(10 * NSEC_PER_MSEC)

static const char *const wqb_inject_names[] = { "off", "queue", "pickup", "pool" };

/* set under wqb_lock while no probe is attached; read by the probes */
static struct {
	enum wqb_inject_where where;
	u64 delay_ns;
	u32 every;
	int group;		/* -1: every group */
	atomic64_t tick, applied, spent_ns;
} wqb_inj;

static struct tracepoint *wqb_tp_queue, *wqb_tp_start;
static bool wqb_kp_on;

static void wqb_inject_wait(struct work_struct *work)
{
	struct wqb_item *it;
	u64 t0, t;

	if (work->func != wqb_work_fn)
		return;
	it = container_of(to_delayed_work(work), struct wqb_item, dw);
	if (wqb_inj.group >= 0 && it->g->index != wqb_inj.group)
		return;
	if (atomic64_inc_return(&wqb_inj.tick) % wqb_inj.every)
		return;
	/*
	 * No cpu_relax() here.  Under TCG with one host thread for every
	 * vCPU (thread=single), x86 `pause` ends the vCPU's turn (QEMU's
	 * helper_pause(): "Just let another CPU run"), and under -icount the
	 * other vCPUs' turns are guest time: with 4 vCPUs every wait lasted
	 * 20-50 us whatever was asked.  Re-reading the clock keeps the turn,
	 * and the wait comes out within about one clock read of the size
	 * asked (docs/kmod.md, "Injected delays"); the other vCPUs wait
	 * meanwhile, as they do for any code this one runs.  On a real CPU
	 * `pause` would only spare an SMT sibling and some power in a loop
	 * that contends for nothing: the wait is at most 10 ms, stands for a
	 * slower code path (instructions, not pauses), and where it holds
	 * the pool lock (queue, pool) its waiters spin in their own loops
	 * either way.
	 */
	t0 = ktime_get_ns();
	do
		t = ktime_get_ns();
	while (t - t0 < wqb_inj.delay_ns);
	atomic64_inc(&wqb_inj.applied);
	atomic64_add(t - t0, &wqb_inj.spent_ns);
}

/*
 * Only the pointer is passed on; kernels whose headers never mention the
 * type (a tinyconfig-based build without it in any included header) need
 * it declared, or the prototype warns.
 */
struct pool_workqueue;

static void wqb_probe_queue(void *data, int req_cpu, struct pool_workqueue *pwq,
			    struct work_struct *work)
{
	wqb_inject_wait(work);
}

static void wqb_probe_start(void *data, struct work_struct *work)
{
	wqb_inject_wait(work);
}

/* process_one_work(struct worker *worker, struct work_struct *work) */
static int wqb_kp_pre(struct kprobe *p, struct pt_regs *regs)
{
	wqb_inject_wait((struct work_struct *)regs_get_kernel_argument(regs, 1));
	return 0;
}

static struct kprobe wqb_kp = {
	.symbol_name = "process_one_work",
	.pre_handler = wqb_kp_pre,
};

static void wqb_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "workqueue_queue_work"))
		wqb_tp_queue = tp;
	else if (!strcmp(tp->name, "workqueue_execute_start"))
		wqb_tp_start = tp;
}

void wqb_inject_off(void)
{
	switch (wqb_inj.where) {
	case WQB_INJ_QUEUE:
		tracepoint_probe_unregister(wqb_tp_queue, wqb_probe_queue, NULL);
		break;
	case WQB_INJ_PICKUP:
		tracepoint_probe_unregister(wqb_tp_start, wqb_probe_start, NULL);
		break;
	case WQB_INJ_POOL:
		if (wqb_kp_on)
			unregister_kprobe(&wqb_kp);
		wqb_kp_on = false;
		break;
	default:
		return;
	}
	/* no probe still runs once this returns: the module may go */
	tracepoint_synchronize_unregister();
	wqb_inj.where = WQB_INJ_OFF;
}

/* "WHERE DELAY_NS EVERY [GROUP]" or "off"; under wqb_lock */
int wqb_inject_set(char *args)
{
	char *where = strsep(&args, " "), *delay = strsep(&args, " ");
	char *every = strsep(&args, " "), *group = strsep(&args, " ");
	enum wqb_inject_where w;
	u64 d;
	u32 n;
	int g = -1, r;

	if (!strcmp(where, "off")) {
		wqb_inject_off();
		return 0;
	}
	for (w = WQB_INJ_QUEUE; w <= WQB_INJ_POOL; w++)
		if (!strcmp(where, wqb_inject_names[w]))
			break;
	if (w > WQB_INJ_POOL || !delay || !every || args ||
	    kstrtou64(delay, 10, &d) || d == 0 || d > WQB_INJECT_MAX_NS ||
	    kstrtou32(every, 10, &n) || n == 0) {
		pr_warn("control inject: want 'queue|pickup|pool DELAY_NS EVERY [GROUP]' with 1..%llu ns and EVERY >= 1, or 'off'\n",
			(u64)WQB_INJECT_MAX_NS);
		return -EINVAL;
	}
	if (group) {
		unsigned int i;

		for (i = 0; i < wqb_ngroups && strcmp(wqb_groups[i]->name, group); i++)
			;
		if (i == wqb_ngroups) {
			pr_warn("control inject: no group '%s'\n", group);
			return -EINVAL;
		}
		g = i;
	}
	wqb_inject_off();
	wqb_inj.delay_ns = d;
	wqb_inj.every = n;
	wqb_inj.group = g;
	atomic64_set(&wqb_inj.tick, 0);
	atomic64_set(&wqb_inj.applied, 0);
	atomic64_set(&wqb_inj.spent_ns, 0);
	if (!wqb_tp_queue || !wqb_tp_start)
		for_each_kernel_tracepoint(wqb_find_tp, NULL);
	switch (w) {
	case WQB_INJ_QUEUE:
		/* after ftrace's probe: the event is stamped before the wait */
		r = wqb_tp_queue ? tracepoint_probe_register_prio(wqb_tp_queue, wqb_probe_queue,
								  NULL, TRACEPOINT_DEFAULT_PRIO - 1)
				 : -ENOENT;
		break;
	case WQB_INJ_PICKUP:
		/* before ftrace's probe: the event is stamped after the wait */
		r = wqb_tp_start ? tracepoint_probe_register_prio(wqb_tp_start, wqb_probe_start,
								  NULL, TRACEPOINT_DEFAULT_PRIO + 1)
				 : -ENOENT;
		break;
	default:
		/* a kprobe goes in again only with the fields register_kprobe() set cleared */
		wqb_kp.addr = NULL;
		wqb_kp.flags = 0;
		r = register_kprobe(&wqb_kp);
		wqb_kp_on = !r;
		break;
	}
	if (r) {
		pr_warn("control inject %s: cannot attach (%d)%s\n", where, r,
			w == WQB_INJ_POOL ? ": no kprobe on process_one_work in this kernel" : "");
		return r;
	}
	wqb_inj.where = w;
	return 0;
}

void wqb_inject_show(struct seq_file *m)
{
	seq_printf(m, "inject where=%s delay_ns=%llu every=%u group=%d applied=%lld spent_ns=%lld\n",
		   wqb_inject_names[wqb_inj.where], wqb_inj.delay_ns, wqb_inj.every,
		   wqb_inj.group, (s64)atomic64_read(&wqb_inj.applied),
		   (s64)atomic64_read(&wqb_inj.spent_ns));
}
