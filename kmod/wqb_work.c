// SPDX-License-Identifier: GPL-2.0
/*
 * wqbench work items: what they do, where they are queued, how they are
 * resubmitted, and the oracles checked at every start.
 *
 * Every resubmission goes through wqb_queue(), so the exactly-once
 * counters see every insert: attempts (queue calls), inserted (calls that
 * returned true), started, completed, and cancelled (pending items removed
 * at stop).  After stop, inserted == completed + cancelled and
 * started == completed, or an item was lost or run twice.
 */
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/topology.h>

#include "wqb.h"

atomic_t wqb_masks_changing = ATOMIC_INIT(0);

/*
 * Per CPU, the last worker that started one of our items there and how many
 * starts there have been: wqb_still_running()'s evidence that a worker has
 * moved on from an item.
 */
struct wqb_last_start {
	struct task_struct *task;
	unsigned long seq;
};
static DEFINE_PER_CPU(struct wqb_last_start, wqb_last_start);


static void wqb_max(atomic_t *max, int v)
{
	int old = atomic_read(max);

	while (v > old) {
		if (atomic_try_cmpxchg(max, &old, v))
			break;
	}
}

/*
 * Busy for ns against the clock: udelay() is unreliable in TCG guests.
 * cpu_relax() stays, unlike in the injected wait (wqb_inject.c): under
 * TCG with one host thread for every vCPU, `pause` is what hands the
 * turn to the other vCPUs, so that four cpu items run side by side.
 * Without it, under -icount with 4 vCPUs, percpu-cpu ran one item at a
 * time: 6.6k items/s against 28.4k, queue->start p50 1.86 ms against
 * 97 us (docs/kmod.md, "Injected delays").
 */
static void wqb_busy(u64 ns, bool resched)
{
	u64 t0 = ktime_get_ns();

	while (ktime_get_ns() - t0 < ns) {
		if (resched)
			cond_resched();
		else
			cpu_relax();
	}
}

static void wqb_sleep(u32 us)
{
	if (!us)
		return;
	if (us < 20000)
		usleep_range(us, us + us / 8 + 1);
	else
		msleep(DIV_ROUND_UP(us, 1000));
}

/*
 * alloc_bytes: one allocation per execution, for the kernel's fault
 * injection to fail.  GFP_NOWAIT has no __GFP_DIRECT_RECLAIM, so the
 * ignore-gfp-wait filter of failslab and fail_page_alloc (default Y) does
 * not skip it; __GFP_NOWARN keeps a failure out of the log (no warn_alloc
 * splat, no fault-injection dump).  Up to KMALLOC_MAX_CACHE_SIZE (two
 * pages) kmalloc() takes it from a slab cache, where failslab can fail it;
 * above, straight from the page allocator (order 2 or more), where
 * fail_page_alloc can (its min-order is 1).  Every byte is written, so the
 * memory is really used.
 */
static void wqb_alloc(struct wqb_group *g)
{
	void *p = kmalloc(g->alloc_bytes, GFP_NOWAIT | __GFP_NOWARN);

	atomic64_inc(&g->allocs);
	if (!p) {
		atomic64_inc(&g->alloc_failed);
		return;
	}
	memset(p, 0xa5, g->alloc_bytes);
	kfree(p);
}

static u32 wqb_jitter(struct wqb_item *it, u32 us)
{
	u32 span;

	if (!it->g->jitter_pct || !us)
		return us;
	span = (u32)div_u64((u64)us * it->g->jitter_pct, 100);
	return us - span + prandom_u32_state(&it->rnd) % (2 * span + 1);
}

/* The n-th CPU of a mask, n taken modulo its weight. */
static int wqb_nth_cpu(const struct cpumask *m, unsigned int n)
{
	unsigned int w = cpumask_weight(m), i = 0;
	int cpu;

	if (!w)
		return -1;
	n %= w;
	for_each_cpu(cpu, m) {
		if (i++ == n)
			return cpu;
	}
	return -1;
}

static int wqb_pick_cpu(struct wqb_group *g)
{
	int cpu;

	switch (g->placement) {
	case WQB_PL_CPU:
		return g->cpu;
	case WQB_PL_CPUS:
		return wqb_nth_cpu(g->cpus, (unsigned int)atomic_inc_return(&g->rr_next));
	case WQB_PL_RR:
		cpu = cpumask_next(atomic_read(&g->rr_next), cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		atomic_set(&g->rr_next, cpu);
		return cpu;
	default:
		return -1;
	}
}

/*
 * Is the kernel still executing the item, as __queue_work()'s
 * non-reentrancy test will see it?  That test looks for a worker of the
 * item's last pool whose current_work is the item; the worker sets it
 * before calling our function and clears it under the pool lock only after
 * the function returns and a cond_resched() -- so our function having
 * returned is not enough.  work_busy() answers exactly but takes that pool's
 * lock, contending with the pool it observes; it is asked only when our own
 * record cannot answer:
 *  - this is a requeue from inside the function: yes;
 *  - it never ran: no;
 *  - the worker that last started it has since started another of our
 *    items on the CPU where it started this one: no, a worker runs one
 *    item at a time, so it has left this one.
 * The record is written at the start only, so nothing is left to do when
 * the function returns: per CPU, the last worker to start one of our items
 * and how many starts there have been; in the item, which worker, CPU and
 * start it was.  The worker's write is ordered task then seq, the read seq
 * then task, so a matching task with a later seq is from a later start.
 * A worker that migrated before its next start leaves the seq of the
 * start's CPU to others, and work_busy() answers.  BH items run in
 * whatever task they interrupt, so they always ask.
 */
static void wqb_note_start(struct wqb_item *it)
{
	if (it->g->flags & WQB_F_BH)
		return;
	preempt_disable();
	this_cpu_write(wqb_last_start.task, current);
	smp_wmb();	/* task before seq: pairs with wqb_still_running() */
	it->run_seq = this_cpu_inc_return(wqb_last_start.seq);
	it->run_cpu = smp_processor_id();
	it->run_task = current;
	preempt_enable();
}

static bool wqb_still_running(struct wqb_item *it, bool from_self)
{
	struct wqb_last_start *last;
	unsigned long seq;

	if (it->g->flags & WQB_F_BH)
		return work_busy(&it->dw.work) & WORK_BUSY_RUNNING;
	if (from_self)
		return true;
	if (!it->run_task)
		return false;
	last = per_cpu_ptr(&wqb_last_start, it->run_cpu);
	seq = READ_ONCE(last->seq);
	smp_rmb();	/* seq before task: pairs with wqb_note_start() */
	if (seq != it->run_seq && READ_ONCE(last->task) == it->run_task)
		return false;
	return work_busy(&it->dw.work) & WORK_BUSY_RUNNING;
}

/*
 * Is this queueing of the item timed?  Every one under instrument=full,
 * none under bare, and under sampled one in instrument_every of each
 * item's queueings (items start staggered, wqb_group_prepare()): a
 * countdown in the item, which only its owner touches -- no shared
 * counter on the fast path.
 */
static bool wqb_take_stamp(struct wqb_item *it)
{
	struct wqb_group *g = it->g;

	if (g->bare)
		return false;
	if (g->instrument_every <= 1 || --it->stamp_left == 0) {
		it->stamp_left = g->instrument_every;
		return true;
	}
	return false;
}

/*
 * The coarse clock, read once per CPU per jiffy: ktime_get_coarse_ns() is
 * an exported call and a seqcount loop, which an untimed item of a sampled
 * null loop would pay at every queueing (2% of its throughput under TCG,
 * docs/kmod.md).  Any value in the cache was read from the clock before
 * whoever takes it, so it is never later than the real time; the jiffy it
 * was read in bounds how much earlier.  Preemption is off so that both
 * halves are this CPU's; an interrupt that refreshes the cache between
 * them leaves a value as old as the one it replaced or newer, under a key
 * that the next reader finds stale.  Out of line: the clock call's
 * timespec on the stack would otherwise bring a stack canary into every
 * queueing that inlines it, read or not (wqb_oracle_clock()).
 */
struct wqb_coarse_cache {
	unsigned long jiffies;
	u64 ns;
};
static DEFINE_PER_CPU(struct wqb_coarse_cache, wqb_coarse_cache);

static noinline u64 wqb_coarse_ns(void)
{
	unsigned long j;
	u64 ns;

	preempt_disable();
	j = READ_ONCE(jiffies);
	if (this_cpu_read(wqb_coarse_cache.jiffies) == j) {
		ns = this_cpu_read(wqb_coarse_cache.ns);
	} else {
		ns = ktime_get_coarse_ns();
		this_cpu_write(wqb_coarse_cache.ns, ns);
		barrier();	/* the value before the key that vouches for it */
		this_cpu_write(wqb_coarse_cache.jiffies, j);
	}
	preempt_enable();
	return ns;
}

/*
 * The clock of an oracle that needs a time but no latency: the item's
 * queueing or the start of a chain.  Exact for a timed item; for an
 * untimed one of a sampled group the coarse clock (the last tick, read
 * without touching the clocksource), which can only be earlier -- the
 * placement and containment excuses that compare with it widen by a tick
 * or two, never narrow (docs/kmod.md, "instrument=sampled").
 */
static __always_inline u64 wqb_oracle_clock(const struct wqb_group *g, bool exact)
{
	if (g->bare)
		return 0;
	if (exact)
		return ktime_get_ns();
	/*
	 * The times these are compared with are those of hotplug transitions
	 * and of the group's cpumask changes.  Before the first, 0 orders
	 * with every one of them as the real time does, and costs no clock.
	 */
	if (!READ_ONCE(wqb_hotplug_seen) && !READ_ONCE(g->mask_changed))
		return 0;
	return wqb_coarse_ns();
}

/*
 * Queue it, with the group's placement (or on cpu when cpu >= 0), after
 * delay_us.  Stamps are written before the queueing: the item may start on
 * another CPU before queue_work_on() returns.
 */
static bool wqb_queue(struct wqb_item *it, int cpu, u32 delay_us, bool from_self)
{
	struct wqb_group *g = it->g;
	unsigned long delay = delay_us ? usecs_to_jiffies(delay_us) : 0;
	bool ok;

	if (cpu < 0)
		cpu = wqb_pick_cpu(g);
	it->req_cpu = cpu;
	it->from_self = from_self;
	/*
	 * The kernel's own rule of non-reentrancy: an item still executing
	 * on its last pool is queued there, whatever CPU was asked for -- and,
	 * unbound, whatever cpumask that pool was made for.  Unbound items
	 * ask only once a mask has changed: before, every pool is inside.
	 */
	it->queued_running = !g->bare &&
			     (cpu >= 0 || (g->unbound && READ_ONCE(g->mask_changed))) &&
			     wqb_still_running(it, from_self);
	it->flags = (from_self ? WQBENCH_SAMPLE_REQUEUED : 0) |
		    (delay ? WQBENCH_SAMPLE_DELAYED : 0) |
		    (it->queued_running ? WQBENCH_SAMPLE_QUEUED_RUNNING : 0);
	/* delayed work is really queued at timer expiry: stamp that */
	it->stamped = wqb_take_stamp(it);
	it->t_queue = g->bare ? 0 : wqb_oracle_clock(g, it->stamped) +
				    (u64)delay_us * NSEC_PER_USEC;
	atomic64_inc(&g->attempts);
	/*
	 * Count the insert before it happens: the item can start on another
	 * CPU before queue_work_on() returns.  Undone if it was already pending.
	 */
	atomic_inc(&it->queued_gen);
	atomic64_inc(&g->inserted);
	if (g->placement == WQB_PL_NODE && !delay)
		ok = queue_work_node(g->node, g->wq, &it->dw.work);
	else if (cpu >= 0)
		ok = delay ? queue_delayed_work_on(cpu, g->wq, &it->dw, delay)
			   : queue_work_on(cpu, g->wq, &it->dw.work);
	else
		ok = delay ? queue_delayed_work(g->wq, &it->dw, delay)
			   : queue_work(g->wq, &it->dw.work);
	if (!ok) {
		atomic_dec(&it->queued_gen);
		atomic64_dec(&g->inserted);
	}
	return ok;
}

/*
 * May one more item be issued?  max_items is a budget taken before each
 * new item, so exactly max_items run however many are in flight.
 */
static bool wqb_limits_reached(struct wqb_group *g)
{
	if (g->max_items && atomic64_inc_return(&g->issued) > g->max_items)
		return true;
	if (g->max_ms && ktime_get_ns() - g->t_start >= g->max_ms * NSEC_PER_MSEC)
		return true;
	return false;
}

static enum wqb_kind wqb_mixed_pick(struct wqb_item *it)
{
	struct wqb_group *g = it->g;
	u32 total = g->mix[0] + g->mix[1] + g->mix[2], r;

	if (!total)
		return WQB_CPU;
	r = prandom_u32_state(&it->rnd) % total;
	if (r < g->mix[0])
		return WQB_CPU;
	if (r < g->mix[0] + g->mix[1])
		return WQB_SLEEP;
	return WQB_REQUEUE;
}

/* Queued with queue_work_on() on a per-CPU queue: see g->check_bound. */
static void wqb_check_bound(struct wqb_item *it, int cpu)
{
	struct wqb_group *g = it->g;

	atomic64_inc(&g->bound_checked);
	if (g->selftest == WQB_ST_MISPLACE && !atomic_xchg(&g->selftest_done, 1))
		cpu = (it->req_cpu + 1) % nr_cpu_ids;	/* pretend it ran elsewhere */
	if (cpu == it->req_cpu)
		return;
	/*
	 * Still executing on its last pool when queued: the kernel keeps it on
	 * that pool (non-reentrancy), and if the pool belongs to a CPU going
	 * down, its worker may run anywhere.  Not a placement violation.
	 */
	if (it->queued_running || (it->from_self && cpu == it->prev_cpu))
		atomic64_inc(&g->bound_nonreentrant);
	else if (!wqb_cpu_stable(it->req_cpu, it->t_queue))
		atomic64_inc(&g->bound_offline);
	else {
		atomic64_inc(&g->bound_violations);
		it->flags |= WQBENCH_SAMPLE_MISPLACED;
	}
}

/*
 * Does the mask hold a CPU that has been online, and not going down, since
 * "since", and that the scheduler may use now?  When none has, the kernel
 * cannot keep the item inside: the scheduler's fallback runs the kworker on
 * any active CPU.  cpu_active() matters because sched_cpu_deactivate()
 * (CPUHP_AP_ACTIVE) runs before our CPUHP_AP_ONLINE_DYN teardown sees the
 * CPU going down -- a window stretched by its synchronize_rcu().
 */
static bool wqb_mask_had_online(const struct cpumask *mask, u64 since)
{
	int c;

	for_each_cpu(c, mask)
		if (cpu_active(c) && wqb_cpu_stable(c, since))
			return true;
	return false;
}

/*
 * May the worker running us run on every online CPU, after a CPU of the
 * mask started going offline in this run?  When the last CPU a
 * worker may use starts going offline (CPUHP_AP_ACTIVE), the scheduler's
 * fallback (select_fallback_rq()) moves the worker off it and widens its
 * affinity to every possible CPU.  Only the workqueue's online callback
 * narrows it back, and that runs only if its offline callback ran: an
 * offline rolled back above CPUHP_AP_WORKQUEUE_ONLINE (a failure injected
 * at workqueue:online, or any teardown failing first) leaves the worker
 * free to run anywhere until its pool is replaced -- and a pool outlives
 * mask changes that come back to its attributes.  docs/kernel-facts.md
 * has the trace of one.
 */
static bool wqb_worker_widened(const struct cpumask *mask)
{
	int c;

	if (!(current->flags & PF_WQ_WORKER) ||
	    !cpumask_subset(cpu_online_mask, current->cpus_ptr))
		return false;
	for_each_cpu(c, mask)
		if (wqb_cpu_went_down(c))
			return true;
	return false;
}

/*
 * An item of an unbound queue whose mask has been told at least once:
 * before, every pool is inside it.
 */
static void wqb_check_unbound(struct wqb_item *it, int cpu, u64 t_start)
{
	struct wqb_group *g = it->g;
	u64 grace = (u64)g->grace_ms * NSEC_PER_MSEC;
	bool inside, usable = true, inside_prev = false, widened = false;
	unsigned long flags;
	u64 changed;

	atomic64_inc(&g->unbound_checked);
	spin_lock_irqsave(&g->mask_lock, flags);
	inside = cpumask_test_cpu(cpu, g->mask);
	if (!inside) {
		usable = wqb_mask_had_online(g->mask, it->t_queue > grace ? it->t_queue - grace : 0);
		inside_prev = cpumask_test_cpu(cpu, g->prev_mask);
		widened = wqb_worker_widened(g->mask);
	}
	changed = g->mask_changed;
	spin_unlock_irqrestore(&g->mask_lock, flags);
	if (g->selftest == WQB_ST_ESCAPE && !atomic_xchg(&g->selftest_done, 1))
		inside = usable = false;
	if (inside)
		return;
	if (!t_start)	/* an untimed item of a sampled group: the start is now */
		t_start = ktime_get_ns();
	if (t_start < changed + grace || atomic_read(&wqb_masks_changing))
		atomic64_inc(&g->unbound_grace);
	else if ((it->from_self && it->chain_start < changed) ||
		 (it->t_queue < changed && inside_prev && g->selftest != WQB_ST_ESCAPE) ||
		 (it->queued_running && g->selftest != WQB_ST_ESCAPE))
		/*
		 * queued under the old mask, or a chain that began there: the old
		 * pwq drains; or queued while a worker of an old pool still had
		 * it (its current_work outlives execute_end by a cond_resched()
		 * and the pool lock): non-reentrancy keeps it on that pool
		 */
		atomic64_inc(&g->unbound_stale);
	else if (!usable && g->selftest != WQB_ST_ESCAPE)
		atomic64_inc(&g->unbound_offline);
	else if (widened && g->selftest != WQB_ST_ESCAPE)
		atomic64_inc(&g->unbound_widened);
	else {
		atomic64_inc(&g->unbound_violations);
		it->flags |= WQBENCH_SAMPLE_ESCAPED;
	}
}

/* Open loop: give the item back to the pool. */
static void wqb_release(struct wqb_item *it)
{
	unsigned long flags;

	spin_lock_irqsave(&it->g->pool_lock, flags);
	it->in_use = false;
	spin_unlock_irqrestore(&it->g->pool_lock, flags);
}

static void wqb_resubmit(struct wqb_item *it, enum wqb_kind kind, int cpu)
{
	struct wqb_group *g = it->g;
	struct wqb_item *next;
	int hop;

	if (READ_ONCE(g->stopping) || wqb_limits_reached(g)) {
		if (g->open_loop)
			wqb_release(it);
		return;
	}
	if (kind == WQB_REQUEUE && g->requeue != WQB_RQ_HOP) {
		/* a self-requeue chain: the same item, from inside its function */
		wqb_queue(it, -1, g->requeue == WQB_RQ_DELAYED ? g->requeue_delay_us : 0, true);
		return;
	}
	if (g->open_loop) {
		wqb_release(it);
		return;
	}
	next = it->partner;
	next->chain_start = it->chain_start;
	if (kind == WQB_REQUEUE) {
		/* hop: the partner goes to the next online CPU */
		hop = cpumask_next(cpu, cpu_online_mask);
		if (hop >= nr_cpu_ids)
			hop = cpumask_first(cpu_online_mask);
		wqb_queue(next, hop, 0, false);
		return;
	}
	next->chain_start = 0;	/* not a chain: read only for from_self items */
	wqb_queue(next, -1, 0, false);
}

void wqb_work_fn(struct work_struct *w)
{
	struct wqb_item *it = container_of(to_delayed_work(w), struct wqb_item, dw);
	struct wqb_group *g = it->g;
	int cpu = raw_smp_processor_id();
	u64 t_start = 0, t_end, t_queue;
	enum wqb_kind kind;
	int started, queued, req_cpu;
	bool stamped = it->stamped;
	u32 flags;

	atomic64_inc(&g->started);
	started = atomic_inc_return(&it->started_gen);
	if (g->selftest == WQB_ST_DUP && !atomic_xchg(&g->selftest_done, 1))
		started = atomic_inc_return(&it->started_gen);	/* pretend a second run */
	queued = atomic_read(&it->queued_gen);
	if (started != queued)
		atomic64_inc(&g->eo_dup);
	this_cpu_inc(*g->runs);
	it->start_cpu = cpu;

	if (!g->bare) {
		wqb_note_start(it);
		if (stamped)
			t_start = ktime_get_ns();
		wqb_max(&g->max_running, atomic_inc_return(&g->running));
		wqb_max(&g->cpu_max_running[cpu], atomic_inc_return(&g->cpu_running[cpu]));
		if (it->req_cpu >= 0 && g->check_bound)
			wqb_check_bound(it, cpu);
		if (g->unbound && READ_ONCE(g->mask_changed))
			wqb_check_unbound(it, cpu, t_start);
	}

	if (g->alloc_bytes)
		wqb_alloc(g);
	kind = g->kind == WQB_MIXED ? wqb_mixed_pick(it) : g->kind;
	switch (kind) {
	case WQB_CPU:
	case WQB_REQUEUE:
		if (g->work_us)
			wqb_busy((u64)wqb_jitter(it, g->work_us) * NSEC_PER_USEC, g->resched);
		break;
	case WQB_SLEEP:
		wqb_sleep(wqb_jitter(it, g->work_us));
		break;
	case WQB_HOG:
		/* no cond_resched(): this is what the hog detectors look for */
		wqb_busy((u64)g->hog_ms * NSEC_PER_MSEC, false);
		break;
	default:
		break;
	}

	if (!g->bare) {
		atomic_dec(&g->cpu_running[it->start_cpu]);
		atomic_dec(&g->running);
	}
	it->prev_cpu = cpu;
	atomic64_inc(&g->completed);
	if (g->bare) {
		wqb_resubmit(it, kind, cpu);
		return;
	}
	if (!stamped) {
		/* sampled, not this one: every oracle above counted it, no stamps */
		wqb_resubmit(it, kind, cpu);
		return;
	}
	/*
	 * Stamp the end after requeueing the next item: that is part of this
	 * function's run, as the kernel's execute_start/execute_end see it (the
	 * trace must agree with us).  What the next queueing overwrites in the
	 * item is read first.
	 */
	t_queue = it->t_queue;
	req_cpu = it->req_cpu;
	flags = it->flags;
	wqb_resubmit(it, kind, cpu);
	t_end = ktime_get_ns();
	/* a delayed item can start a little before its nominal expiry */
	if (READ_ONCE(wqb_measure) != WQB_MEASURE_DONE) {
		wqb_hist_add(g->hist, false, t_start > t_queue ? t_start - t_queue : 0);
		wqb_hist_add(g->hist, true, t_end - t_start);
	}
	if (g->sample_every && atomic64_inc_return(&g->sample_tick) % g->sample_every == 0) {
		struct wqbench_sample smp = {
			.t_queue_ns = t_queue, .t_start_ns = t_start, .t_end_ns = t_end,
			.group = g->index, .req_cpu = req_cpu, .cpu = cpu, .flags = flags,
		};

		wqb_sample_push(&smp);
	}
}

static struct wqb_item *wqb_free_item(struct wqb_group *g)
{
	struct wqb_item *it = NULL;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&g->pool_lock, flags);
	for (i = 0; i < g->inflight; i++) {
		if (!g->items[i].in_use) {
			it = &g->items[i];
			it->in_use = true;
			break;
		}
	}
	spin_unlock_irqrestore(&g->pool_lock, flags);
	return it;
}

static enum hrtimer_restart wqb_timer_fn(struct hrtimer *t)
{
	struct wqb_group *g = container_of(t, struct wqb_group, timer);
	struct wqb_item *it;
	u64 due;

	if (READ_ONCE(g->stopping) || wqb_limits_reached(g))
		return HRTIMER_NORESTART;
	/*
	 * Every period that has begun since the last call is an arrival: more
	 * than one when this timer ran late (a slow or emulated guest), and
	 * counting only one would quietly lower the rate of an open loop.
	 */
	due = hrtimer_forward_now(t, ns_to_ktime(g->period_ns));
	while (due && (it = wqb_free_item(g))) {
		due--;
		it->chain_start = wqb_oracle_clock(g, g->instrument_every <= 1);
		if (!wqb_queue(it, -1, 0, false))
			wqb_release(it);
	}
	if (due)	/* every item busy: those arrivals are lost */
		atomic64_add(due, &g->open_dropped);
	return HRTIMER_RESTART;
}

static struct workqueue_struct *wqb_system_wq(enum wqb_syswq w)
{
	switch (w) {
	case WQB_WQ_SYSTEM:
		return system_wq;
	case WQB_WQ_HIGHPRI:
		return system_highpri_wq;
	case WQB_WQ_LONG:
		return system_long_wq;
	case WQB_WQ_UNBOUND:
		return system_unbound_wq;
	default:
		return NULL;
	}
}

static unsigned int wqb_wq_flags(u32 f)
{
	unsigned int flags = 0;

	if (f & WQB_F_UNBOUND)
		flags |= WQ_UNBOUND;
	if (f & WQB_F_HIGHPRI)
		flags |= WQ_HIGHPRI;
	if (f & WQB_F_CPU_INTENSIVE)
		flags |= WQ_CPU_INTENSIVE;
	if (f & WQB_F_MEM_RECLAIM)
		flags |= WQ_MEM_RECLAIM;
	if (f & WQB_F_FREEZABLE)
		flags |= WQ_FREEZABLE;
	if (f & WQB_F_POWER_EFFICIENT)
		flags |= WQ_POWER_EFFICIENT;
#ifdef WQB_HAVE_WQ_BH
	if (f & WQB_F_BH)
		flags |= WQ_BH;
#endif
	return flags;
}

/* Allocate everything a defined group needs; it is not started. */
int wqb_group_prepare(struct wqb_group *g)
{
	unsigned int i;

	lockdep_assert_held(&wqb_lock);
	g->nitems = 2 * g->inflight;
	g->items = kvcalloc(g->nitems, sizeof(*g->items), GFP_KERNEL);
	g->cpu_running = kcalloc(nr_cpu_ids, sizeof(atomic_t), GFP_KERNEL);
	g->cpu_max_running = kcalloc(nr_cpu_ids, sizeof(atomic_t), GFP_KERNEL);
	g->runs = alloc_percpu(u64);
	g->hist = alloc_percpu(struct wqb_hist);
	if (!g->items || !g->cpu_running || !g->cpu_max_running || !g->runs || !g->hist)
		goto nomem;
	if (!zalloc_cpumask_var(&g->mask, GFP_KERNEL) ||
	    !zalloc_cpumask_var(&g->prev_mask, GFP_KERNEL))
		goto nomem;
	g->unbound = (g->flags & WQB_F_UNBOUND) || g->syswq == WQB_WQ_UNBOUND;
	g->check_bound = !g->unbound && !(g->flags & WQB_F_ORDERED);
	cpumask_copy(g->mask, cpu_possible_mask);
	cpumask_copy(g->prev_mask, cpu_possible_mask);
	spin_lock_init(&g->mask_lock);
	spin_lock_init(&g->pool_lock);
	for (i = 0; i < g->nitems; i++) {
		struct wqb_item *it = &g->items[i];

		/*
		 * Each INIT_DELAYED_WORK() site is one lockdep class of work.
		 * BH items run in softirq, the others with softirqs on: one
		 * class for both is an "inconsistent lock state" to lockdep
		 * (a false one: no item is ever both), so BH items get theirs.
		 */
		if (g->flags & WQB_F_BH)
			INIT_DELAYED_WORK(&it->dw, wqb_work_fn);
		else
			INIT_DELAYED_WORK(&it->dw, wqb_work_fn);
		it->g = g;
		it->idx = i;
		it->req_cpu = -1;
		it->prev_cpu = -1;
		it->partner = &g->items[i ^ 1];
		/* staggered: the timed queueings of a sampled group spread over its items */
		it->stamp_left = 1 + i % max_t(u32, g->instrument_every, 1);
		prandom_seed_state(&it->rnd, g->seed ^ ((u64)i << 32) ^ g->index);
	}
	if (g->syswq != WQB_WQ_OWN) {
		g->wq = wqb_system_wq(g->syswq);
		g->own_wq = false;
	} else if (g->flags & WQB_F_ORDERED) {
		g->wq = alloc_ordered_workqueue("wqb_%s", wqb_wq_flags(g->flags & ~WQB_F_UNBOUND),
						g->name);
		g->own_wq = true;
	} else {
		unsigned int flags = wqb_wq_flags(g->flags);

		/* WQ_SYSFS lets the harness change cpumask, nice, scope, max_active */
		if (flags & WQ_UNBOUND)
			flags |= WQ_SYSFS;
		g->wq = alloc_workqueue("wqb_%s", flags, g->max_active, g->name);
		g->own_wq = true;
	}
	if (!g->wq)
		goto nomem;
	if (g->open_loop) {
		hrtimer_init(&g->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
		g->timer.function = wqb_timer_fn;
		g->period_ns = div_u64(NSEC_PER_SEC, g->rate);
	}
	return 0;
nomem:
	wqb_group_release(g);
	return -ENOMEM;
}

/* Cancel every item, counting pending ones removed; twice, see below. */
static void wqb_cancel_all(struct wqb_group *g)
{
	unsigned int pass, i;

	/*
	 * A function that checked ->stopping just before it was set can still
	 * queue its partner after the partner was cancelled: the second pass
	 * catches that one (nothing started after ->stopping requeues).
	 */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < g->nitems; i++) {
			if (cancel_delayed_work_sync(&g->items[i].dw)) {
				atomic64_inc(&g->cancelled);
				if (g->open_loop)
					g->items[i].in_use = false;
			}
		}
	}
}

void wqb_group_release(struct wqb_group *g)
{
	lockdep_assert_held(&wqb_lock);
	if (g->items)
		wqb_cancel_all(g);
	if (g->own_wq && g->wq)
		destroy_workqueue(g->wq);
	g->wq = NULL;
	kvfree(g->items);
	g->items = NULL;
	kfree(g->cpu_running);
	kfree(g->cpu_max_running);
	free_percpu(g->runs);
	free_percpu(g->hist);
	free_cpumask_var(g->mask);
	free_cpumask_var(g->prev_mask);
	free_cpumask_var(g->cpus);
	kfree(g->def);
}

int wqb_group_start(struct wqb_group *g)
{
	unsigned int i;

	lockdep_assert_held(&wqb_lock);
	WRITE_ONCE(g->stopping, false);
	g->t_start = ktime_get_ns();
	g->t_stop = 0;
	atomic_set(&g->selftest_done, 0);
	if (g->selftest == WQB_ST_LOSE)
		atomic64_inc(&g->inserted);	/* an insert that never runs */
	atomic64_set(&g->issued, 0);
	if (g->open_loop) {
		hrtimer_start(&g->timer, ns_to_ktime(g->period_ns), HRTIMER_MODE_REL);
		return 0;
	}
	for (i = 0; i < g->inflight; i++) {
		struct wqb_item *it = &g->items[2 * i];

		if (wqb_limits_reached(g))
			break;
		it->chain_start = wqb_oracle_clock(g, g->instrument_every <= 1);
		wqb_queue(it, -1, 0, false);
	}
	return 0;
}

void wqb_group_stop(struct wqb_group *g)
{
	lockdep_assert_held(&wqb_lock);
	WRITE_ONCE(g->stopping, true);
	smp_mb();	/* ->stopping before the cancels: see wqb_cancel_all() */
	if (g->open_loop)
		hrtimer_cancel(&g->timer);
	wqb_cancel_all(g);
	g->t_stop = ktime_get_ns();
}
