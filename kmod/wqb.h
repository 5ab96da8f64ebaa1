/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wqbench.ko internals shared by its files:
 *   wqb_main.c   debugfs control interface, group definitions, module life
 *   wqb_work.c   the work items: kinds, placement, load shapes, oracles
 *   wqb_stats.c  histograms, samples buffer, hotplug record, stats output
 *   wqb_inject.c calibrated delays in the workqueue path
 */
#ifndef WQB_H
#define WQB_H

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/prandom.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "wqbench_uapi.h"

#define WQB_MAX_GROUPS		32
#define WQB_NAME_MAX		16
#define WQB_MAX_INFLIGHT	4096
#define WQB_DEF_MAX		4096	/* bytes of one group definition */
#define WQB_ALLOC_MAX		65536	/* alloc_bytes: at most 16 pages */

enum wqb_kind { WQB_CPU, WQB_SLEEP, WQB_REQUEUE, WQB_MIXED, WQB_HOG, WQB_NR_KINDS };
enum wqb_requeue { WQB_RQ_IMMEDIATE, WQB_RQ_DELAYED, WQB_RQ_HOP };
enum wqb_placement { WQB_PL_LOCAL, WQB_PL_CPU, WQB_PL_CPUS, WQB_PL_RR, WQB_PL_NODE };
enum wqb_selftest { WQB_ST_NONE, WQB_ST_LOSE, WQB_ST_DUP, WQB_ST_MISPLACE, WQB_ST_ESCAPE };
enum wqb_syswq { WQB_WQ_OWN, WQB_WQ_SYSTEM, WQB_WQ_HIGHPRI, WQB_WQ_LONG, WQB_WQ_UNBOUND };

/* group flags= words */
#define WQB_F_UNBOUND		BIT(0)
#define WQB_F_HIGHPRI		BIT(1)
#define WQB_F_CPU_INTENSIVE	BIT(2)
#define WQB_F_MEM_RECLAIM	BIT(3)
#define WQB_F_FREEZABLE		BIT(4)
#define WQB_F_POWER_EFFICIENT	BIT(5)
#define WQB_F_ORDERED		BIT(6)
#define WQB_F_BH		BIT(7)

/*
 * Log-linear histogram: values below 64 ns have a bucket each; above, every
 * power of two is split in 64 buckets, so a bucket is at most 1/64 of its
 * lower bound wide and its midpoint is within 0.8% of any value in it,
 * from 100 ns to 2^34 ns (17 s).  Larger values land in the last bucket.
 */
#define WQB_HIST_SUB_BITS	6
#define WQB_HIST_SUB		(1 << WQB_HIST_SUB_BITS)
#define WQB_HIST_MAX_EXP	34
#define WQB_HIST_BUCKETS	(WQB_HIST_SUB + (WQB_HIST_MAX_EXP - WQB_HIST_SUB_BITS) * WQB_HIST_SUB)

struct wqb_hist {
	u32 lat[WQB_HIST_BUCKETS];	/* queue -> start */
	u32 run[WQB_HIST_BUCKETS];	/* start -> end */
};

struct wqb_group;

/*
 * One item in flight.  Two work structs per slot so that closed-loop and
 * hop resubmission hand off to the other one instead of requeueing the
 * item that is still executing (which the kernel keeps on its old pool:
 * non-reentrancy overrides placement).
 */
struct wqb_item {
	struct delayed_work dw;
	struct wqb_item *partner;	/* the other half of the slot */
	struct wqb_group *g;
	u64 t_queue;
	u64 chain_start;	/* first queueing of this self-requeue chain */
	int req_cpu;		/* -1 when not queued with queue_work_on() */
	int start_cpu;
	u32 flags;		/* WQBENCH_SAMPLE_* of the current instance */
	atomic_t queued_gen;	/* successful inserts of this item */
	atomic_t started_gen;	/* starts of this item */
	bool from_self;		/* queued from inside its own function */
	bool queued_running;	/* still executing when queued */
	int prev_cpu;		/* where it last ran */
	/* its last start: which worker, on which CPU, as which start there */
	int run_cpu;
	unsigned long run_seq;
	struct task_struct *run_task;
	struct rnd_state rnd;
	unsigned int idx;
	bool in_use;		/* P: open loop: taken from the free pool */
	/* instrument=sampled: this instance is timed; queueings until the next */
	bool stamped;
	u32 stamp_left;
};

/*
 * Locking, in the style of kernel/workqueue.c's legend.  The comment on
 * each block of fields below says which rule holds:
 *
 * L: wqb_lock (mutex, wqb_main.c).  The group list, the run state and a
 *    group's definition: written only by a group write, start, stop or
 *    clear with wqb_lock held; functions that rely on it say so with
 *    lockdep_assert_held().  Read-only while running.
 * R: written with wqb_lock held while no item of the group is queued
 *    (start, stop); read lock-free by the items, timer and stats.
 * P: g->pool_lock (spinlock, irqsave).  The open loop's free pool:
 *    wqb_item.in_use.
 * M: g->mask_lock (spinlock, irqsave).  mask, prev_mask, mask_changed.
 * A: atomic or per-CPU: no lock.
 * I: the item's own: touched by its work function, or while it is not
 *    queued, only.
 */
struct wqb_group {
	/* L: definition */
	char name[WQB_NAME_MAX + 1];
	unsigned int index;
	enum wqb_syswq syswq;
	u32 flags;
	int max_active;
	enum wqb_kind kind;
	u32 work_us, hog_ms, requeue_delay_us;
	bool resched;
	enum wqb_requeue requeue;
	u32 mix[3];			/* weights of cpu, sleep, requeue */
	enum wqb_placement placement;
	int cpu, node;
	cpumask_var_t cpus;
	bool open_loop;
	u32 inflight, rate;
	u64 max_items, max_ms, seed;
	u32 jitter_pct, sample_every, grace_ms;
	u32 alloc_bytes;		/* kmalloc'd and freed by every execution */
	bool bare;
	/*
	 * Stamps and histograms for one item in instrument_every (1: every
	 * item, instrument=full; K > 1: instrument=sampled).  The oracles'
	 * counters count every item whatever it is.
	 */
	u32 instrument_every;
	enum wqb_selftest selftest;
	/* derived by wqb_group_prepare(), so that no item works them out */
	bool unbound;		/* WQ_UNBOUND, or system_unbound_wq */
	bool check_bound;	/* per-CPU and not ordered: queue_work_on() places */
	char *def;			/* the definition as written, for reads */

	/* R: runtime */
	struct workqueue_struct *wq;
	bool own_wq;
	struct wqb_item *items;
	unsigned int nitems;		/* 2 per slot */
	spinlock_t pool_lock;		/* P: open loop free pool */
	struct hrtimer timer;
	u64 period_ns;
	bool stopping;
	u64 t_start, t_stop;
	atomic_t rr_next;
	atomic64_t sample_tick;
	atomic64_t issued;		/* items handed out, for max_items */
	atomic_t selftest_done;		/* a self-test fires once per start */

	/* M: */
	cpumask_var_t mask;		/* effective unbound mask as told by the harness */
	cpumask_var_t prev_mask;	/* the one before: items queued under it may drain there */
	u64 mask_changed;		/* when it was told, 0 = never */
	spinlock_t mask_lock;

	/* A: counters (docs/kmod.md) */
	atomic64_t attempts, inserted, started, completed, cancelled;
	atomic64_t eo_dup;
	atomic64_t bound_checked, bound_violations, bound_offline, bound_nonreentrant;
	atomic64_t unbound_checked, unbound_violations, unbound_grace, unbound_stale;
	atomic64_t unbound_offline;	/* no CPU of the mask was online */
	atomic64_t unbound_widened;	/* on a worker the scheduler let run anywhere */
	atomic64_t open_dropped;
	atomic64_t allocs, alloc_failed;	/* alloc_bytes: tried, returned NULL */
	atomic_t running, max_running;
	atomic_t *cpu_running, *cpu_max_running;	/* [nr_cpu_ids] */
	u64 __percpu *runs;
	struct wqb_hist __percpu *hist;
	/* L: the measured phase (control measure_begin/measure_end) */
	s64 m_completed0, m_completed1;
	u64 t_m0, t_m1;
};

/* wqb_main.c; L: every one of these but the lock */
extern struct mutex wqb_lock;
extern struct wqb_group *wqb_groups[WQB_MAX_GROUPS];
extern unsigned int wqb_ngroups;
extern bool wqb_running;
extern u64 wqb_run_start, wqb_run_stop;

/*
 * What the histograms and measured_* figures cover: the whole run until
 * the harness says measure_begin (warmup excluded from then), and nothing
 * more after measure_end (teardown excluded).
 */
enum wqb_measure { WQB_MEASURE_WHOLE, WQB_MEASURE_ON, WQB_MEASURE_DONE };
extern int wqb_measure;

/* wqb_work.c */
void wqb_work_fn(struct work_struct *w);
int wqb_group_prepare(struct wqb_group *g);
void wqb_group_release(struct wqb_group *g);
int wqb_group_start(struct wqb_group *g);
void wqb_group_stop(struct wqb_group *g);

/* wqb_stats.c */
int wqb_stats_init(void);
void wqb_stats_exit(void);
void wqb_hist_add(struct wqb_hist __percpu *h, bool run, u64 v);
u64 wqb_hist_lo(unsigned int idx);
u64 wqb_hist_hi(unsigned int idx);
void wqb_sample_push(const struct wqbench_sample *s);
ssize_t wqb_samples_read(char __user *buf, size_t len);
void wqb_samples_reset(void);
/*
 * cpumask writes the harness has begun and not yet told us the outcome of;
 * while any is under way an unbound item outside its mask is in the grace
 * window, since the kernel applies the new mask before the write returns.
 */
extern atomic_t wqb_masks_changing;

/*
 * Has a hotplug transition begun since the module was loaded?  Until one
 * has, an oracle's queue time has nothing to be compared with (see
 * wqb_oracle_clock()).  Set once, never cleared.
 */
extern bool wqb_hotplug_seen;

void wqb_hotplug_event(unsigned int cpu, bool online);
void wqb_hotplug_unstable(unsigned int cpu);
void wqb_hotplug_settled(unsigned int cpu);
bool wqb_cpu_stable(int cpu, u64 since);
bool wqb_cpu_went_down(int cpu);
int wqb_stats_show(struct seq_file *m, void *v);
int wqb_hist_show(struct seq_file *m, void *v);

/* wqb_inject.c: calibrated delays in the workqueue path (control inject) */
enum wqb_inject_where { WQB_INJ_OFF, WQB_INJ_QUEUE, WQB_INJ_PICKUP, WQB_INJ_POOL };
int wqb_inject_set(char *args);
void wqb_inject_off(void);
void wqb_inject_show(struct seq_file *m);

#endif /* WQB_H */
