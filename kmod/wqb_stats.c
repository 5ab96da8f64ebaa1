// SPDX-License-Identifier: GPL-2.0
/*
 * wqbench statistics: log-linear histograms, the raw samples buffer, the
 * module's own record of CPU hotplug, and the text of `stats` and `hist`.
 */
#include <linux/bitops.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "wqb.h"

/* --- histograms ---------------------------------------------------------- */

static unsigned int wqb_hist_idx(u64 v)
{
	unsigned int e;

	if (v < WQB_HIST_SUB)
		return (unsigned int)v;
	e = fls64(v) - 1;	/* v in [2^e, 2^(e+1)) */
	if (e >= WQB_HIST_MAX_EXP)
		return WQB_HIST_BUCKETS - 1;
	return WQB_HIST_SUB + (e - WQB_HIST_SUB_BITS) * WQB_HIST_SUB +
	       (unsigned int)((v >> (e - WQB_HIST_SUB_BITS)) & (WQB_HIST_SUB - 1));
}

u64 wqb_hist_lo(unsigned int idx)
{
	unsigned int e, sub;

	if (idx < WQB_HIST_SUB)
		return idx;
	e = (idx - WQB_HIST_SUB) / WQB_HIST_SUB + WQB_HIST_SUB_BITS;
	sub = (idx - WQB_HIST_SUB) % WQB_HIST_SUB;
	return (u64)(WQB_HIST_SUB + sub) << (e - WQB_HIST_SUB_BITS);
}

u64 wqb_hist_hi(unsigned int idx)
{
	unsigned int e;

	if (idx < WQB_HIST_SUB)
		return idx + 1;
	e = (idx - WQB_HIST_SUB) / WQB_HIST_SUB + WQB_HIST_SUB_BITS;
	return wqb_hist_lo(idx) + (1ull << (e - WQB_HIST_SUB_BITS));
}

/* this_cpu_inc(): safe against preemption and migration of the worker */
void wqb_hist_add(struct wqb_hist __percpu *h, bool run, u64 v)
{
	unsigned int idx = wqb_hist_idx(v);

	if (run)
		this_cpu_inc(h->run[idx]);
	else
		this_cpu_inc(h->lat[idx]);
}

/* Sum one metric of a group over CPUs (cpu < 0) or for one CPU. */
static void wqb_hist_sum(struct wqb_group *g, int cpu, bool run, u32 *out)
{
	int c;
	unsigned int i;

	memset(out, 0, WQB_HIST_BUCKETS * sizeof(u32));
	for_each_possible_cpu(c) {
		struct wqb_hist *h = per_cpu_ptr(g->hist, c);
		const u32 *src = run ? h->run : h->lat;

		if (cpu >= 0 && c != cpu)
			continue;
		for (i = 0; i < WQB_HIST_BUCKETS; i++)
			out[i] += READ_ONCE(src[i]);
	}
}

/* Percentile (per mille) as the midpoint of the bucket it falls in. */
static u64 wqb_hist_pct(const u32 *h, unsigned int permille, u64 *max)
{
	u64 total = 0, seen = 0, want;
	unsigned int i;

	*max = 0;
	for (i = 0; i < WQB_HIST_BUCKETS; i++) {
		total += h[i];
		if (h[i])
			*max = wqb_hist_hi(i);
	}
	if (!total)
		return 0;
	want = div_u64(total * permille + 999, 1000);
	for (i = 0; i < WQB_HIST_BUCKETS; i++) {
		seen += h[i];
		if (seen >= want)
			return (wqb_hist_lo(i) + wqb_hist_hi(i)) / 2;
	}
	return *max;
}

/* --- samples ------------------------------------------------------------- */

#define WQB_SAMPLES_CAP 65536	/* records (48 bytes each) */

static struct wqbench_sample *wqb_samples;
static unsigned int wqb_samples_head, wqb_samples_count;
static u64 wqb_samples_seq, wqb_samples_dropped;
static DEFINE_SPINLOCK(wqb_samples_lock);

void wqb_sample_push(const struct wqbench_sample *s)
{
	unsigned long flags;

	spin_lock_irqsave(&wqb_samples_lock, flags);
	if (wqb_samples_count == WQB_SAMPLES_CAP) {
		wqb_samples_dropped++;	/* user space did not drain in time */
	} else {
		unsigned int slot = (wqb_samples_head + wqb_samples_count) % WQB_SAMPLES_CAP;

		wqb_samples[slot] = *s;
		wqb_samples[slot].seq = wqb_samples_seq;
		wqb_samples_count++;
	}
	wqb_samples_seq++;
	spin_unlock_irqrestore(&wqb_samples_lock, flags);
}

ssize_t wqb_samples_read(char __user *buf, size_t len)
{
	size_t max = min_t(size_t, len / sizeof(struct wqbench_sample), 1024), n = 0;
	struct wqbench_sample *tmp;
	unsigned long flags;

	if (!max)
		return len ? -EINVAL : 0;	/* reads take whole records */
	tmp = kmalloc_array(max, sizeof(*tmp), GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	spin_lock_irqsave(&wqb_samples_lock, flags);
	while (n < max && wqb_samples_count) {
		tmp[n++] = wqb_samples[wqb_samples_head];
		wqb_samples_head = (wqb_samples_head + 1) % WQB_SAMPLES_CAP;
		wqb_samples_count--;
	}
	spin_unlock_irqrestore(&wqb_samples_lock, flags);
	if (n && copy_to_user(buf, tmp, n * sizeof(*tmp))) {
		kfree(tmp);
		return -EFAULT;	/* those records are lost; counted by the reader */
	}
	kfree(tmp);
	return n * sizeof(*tmp);
}

void wqb_samples_reset(void)
{
	unsigned long flags;

	spin_lock_irqsave(&wqb_samples_lock, flags);
	wqb_samples_head = 0;
	wqb_samples_count = 0;
	wqb_samples_seq = 0;
	wqb_samples_dropped = 0;
	spin_unlock_irqrestore(&wqb_samples_lock, flags);
}

/* --- hotplug record ------------------------------------------------------ */


#define WQB_HP_LOG 16

struct wqb_hp_event {
	u64 ts;
	int cpu;
	bool online;
};

/*
 * Per CPU: is it fully online (bound pools rebound), and since when.  It
 * stops being stable when the teardown of CPUHP_AP_ONLINE_DYN starts (before
 * the workqueue's own offline callback) and when a bring-up is prepared
 * (CPUHP_BP_PREPARE_DYN: the CPU enters cpu_online_mask before its pools are
 * rebound); it is stable again at the startup of CPUHP_AP_ONLINE_DYN, which
 * runs after the workqueue's online callback.
 */
static u64 *wqb_stable_since;	/* [nr_cpu_ids]; U64_MAX = not stable */
static struct wqb_hp_event wqb_hp_log[WQB_HP_LOG];
static unsigned int wqb_hp_n;
static DEFINE_SPINLOCK(wqb_hp_lock);

bool wqb_hotplug_seen;

/*
 * The flag goes up before the time is read: an item that still finds it
 * down was queued before that time, and its queue time 0 orders with it
 * as its real one would.
 */
static void wqb_hotplug_note(void)
{
	if (!READ_ONCE(wqb_hotplug_seen)) {
		WRITE_ONCE(wqb_hotplug_seen, true);
		smp_mb();	/* the flag before the time it is read at */
	}
}

void wqb_hotplug_event(unsigned int cpu, bool online)
{
	unsigned long flags;
	u64 now;

	wqb_hotplug_note();
	now = ktime_get_ns();
	WRITE_ONCE(wqb_stable_since[cpu], online ? now : U64_MAX);
	spin_lock_irqsave(&wqb_hp_lock, flags);
	wqb_hp_log[wqb_hp_n % WQB_HP_LOG] = (struct wqb_hp_event){ now, cpu, online };
	wqb_hp_n++;
	spin_unlock_irqrestore(&wqb_hp_lock, flags);
}

void wqb_hotplug_unstable(unsigned int cpu)
{
	wqb_hotplug_note();
	WRITE_ONCE(wqb_stable_since[cpu], U64_MAX);
}

/*
 * The harness's transition on cpu is over.  One that failed above our own
 * callback never told us the CPU is back: it is stable from now.
 */
void wqb_hotplug_settled(unsigned int cpu)
{
	wqb_hotplug_note();
	if (cpu_online(cpu) && READ_ONCE(wqb_stable_since[cpu]) == U64_MAX)
		WRITE_ONCE(wqb_stable_since[cpu], ktime_get_ns());
}

/*
 * Did cpu start going offline since the module was loaded?  From the log
 * of our own callbacks (the last WQB_HP_LOG transitions: one older than
 * those is not seen, which can only refuse an excuse, never grant one).
 */
bool wqb_cpu_went_down(int cpu)
{
	unsigned long flags;
	unsigned int i, n;
	bool down = false;

	spin_lock_irqsave(&wqb_hp_lock, flags);
	n = min_t(unsigned int, wqb_hp_n, WQB_HP_LOG);
	for (i = 0; i < n && !down; i++) {
		const struct wqb_hp_event *e = &wqb_hp_log[(wqb_hp_n - 1 - i) % WQB_HP_LOG];

		down = e->cpu == cpu && !e->online;
	}
	spin_unlock_irqrestore(&wqb_hp_lock, flags);
	return down;
}

/* Was cpu fully online, without interruption, from since until now? */
bool wqb_cpu_stable(int cpu, u64 since)
{
	if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_online(cpu))
		return false;
	return READ_ONCE(wqb_stable_since[cpu]) <= since;
}

int wqb_stats_init(void)
{
	int cpu;

	wqb_samples = vmalloc(array_size(WQB_SAMPLES_CAP, sizeof(*wqb_samples)));
	wqb_stable_since = kcalloc(nr_cpu_ids, sizeof(u64), GFP_KERNEL);
	if (!wqb_samples || !wqb_stable_since) {
		wqb_stats_exit();
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu)
		wqb_stable_since[cpu] = cpu_online(cpu) ? 0 : U64_MAX;
	return 0;
}

void wqb_stats_exit(void)
{
	vfree(wqb_samples);
	kfree(wqb_stable_since);
	wqb_samples = NULL;
	wqb_stable_since = NULL;
}

/* --- text output --------------------------------------------------------- */

static const char * const wqb_kind_names[] = { "cpu", "sleep", "requeue", "mixed", "hog" };

static void wqb_show_pcts(struct seq_file *m, const char *metric, const u32 *h)
{
	static const unsigned int pm[] = { 500, 900, 990, 999 };
	static const char * const pn[] = { "p50", "p90", "p99", "p999" };
	unsigned int i;
	u64 max;

	for (i = 0; i < ARRAY_SIZE(pm); i++)
		seq_printf(m, " %s_%s_ns=%llu", metric, pn[i], wqb_hist_pct(h, pm[i], &max));
	seq_printf(m, " %s_max_ns=%llu", metric, max);
}

static void wqb_show_group(struct seq_file *m, struct wqb_group *g, u32 *buf)
{
	s64 ins = atomic64_read(&g->inserted), co = atomic64_read(&g->completed);
	s64 ca = atomic64_read(&g->cancelled), st = atomic64_read(&g->started);
	u64 end = g->t_stop ? g->t_stop : ktime_get_ns();
	u64 el = g->t_start && end > g->t_start ? end - g->t_start : 0, mel;
	s64 mco;
	bool stopped = !wqb_running && g->t_stop;
	int cpu;

	seq_printf(m, "group name=%s index=%u kind=%s instrument=%s instrument_every=%u queued=%lld inserted=%lld started=%lld completed=%lld cancelled=%lld inflight=%lld",
		   g->name, g->index, wqb_kind_names[g->kind],
		   g->bare ? "bare" : g->instrument_every > 1 ? "sampled" : "full",
		   g->bare ? 0 : g->instrument_every,
		   (s64)atomic64_read(&g->attempts), ins, st, co, ca, ins - co - ca);
	/* exactly once: only judged once stopped, when nothing can be in flight */
	seq_printf(m, " eo_dup=%lld eo_lost=%lld eo_ok=%d",
		   (s64)atomic64_read(&g->eo_dup), stopped ? ins - co - ca : 0LL,
		   stopped ? (ins == co + ca && st == co && !atomic64_read(&g->eo_dup)) : -1);
	seq_printf(m, " bound_checked=%lld bound_violations=%lld bound_offline=%lld bound_nonreentrant=%lld",
		   (s64)atomic64_read(&g->bound_checked), (s64)atomic64_read(&g->bound_violations),
		   (s64)atomic64_read(&g->bound_offline),
		   (s64)atomic64_read(&g->bound_nonreentrant));
	seq_printf(m, " unbound_checked=%lld unbound_violations=%lld unbound_grace=%lld unbound_stale=%lld unbound_offline=%lld unbound_widened=%lld",
		   (s64)atomic64_read(&g->unbound_checked),
		   (s64)atomic64_read(&g->unbound_violations),
		   (s64)atomic64_read(&g->unbound_grace), (s64)atomic64_read(&g->unbound_stale),
		   (s64)atomic64_read(&g->unbound_offline),
		   (s64)atomic64_read(&g->unbound_widened));
	seq_printf(m, " max_concurrency=%d open_dropped=%lld elapsed_ns=%llu items_per_sec=%llu",
		   atomic_read(&g->max_running), (s64)atomic64_read(&g->open_dropped), el,
		   el ? div64_u64((u64)co * NSEC_PER_SEC, el) : 0);
	seq_printf(m, " alloc_bytes=%u allocs=%lld alloc_failed=%lld", g->alloc_bytes,
		   (s64)atomic64_read(&g->allocs), (s64)atomic64_read(&g->alloc_failed));
	/* the measured phase, or the whole run when the harness never said */
	switch (READ_ONCE(wqb_measure)) {
	case WQB_MEASURE_ON:
		mco = co - g->m_completed0;
		mel = end - g->t_m0;
		break;
	case WQB_MEASURE_DONE:
		mco = g->m_completed1 - g->m_completed0;
		mel = g->t_m1 - g->t_m0;
		break;
	default:
		mco = co;
		mel = el;
	}
	seq_printf(m, " measured_completed=%lld measured_ns=%llu measured_items_per_sec=%llu",
		   mco, mel, mel ? div64_u64((u64)mco * NSEC_PER_SEC, mel) : 0);
	if (!g->bare) {
		wqb_hist_sum(g, -1, false, buf);
		wqb_show_pcts(m, "lat", buf);
		wqb_hist_sum(g, -1, true, buf);
		wqb_show_pcts(m, "run", buf);
	}
	seq_putc(m, '\n');
	for_each_possible_cpu(cpu) {
		u64 runs = *per_cpu_ptr(g->runs, cpu);

		if (!runs && !cpu_online(cpu))
			continue;
		seq_printf(m, "cpu group=%s cpu=%d runs=%llu max_concurrency=%d online=%d\n",
			   g->name, cpu, runs, atomic_read(&g->cpu_max_running[cpu]),
			   cpu_online(cpu));
	}
}

int wqb_stats_show(struct seq_file *m, void *v)
{
	u32 *buf = kmalloc_array(WQB_HIST_BUCKETS, sizeof(u32), GFP_KERNEL);
	unsigned long flags;
	unsigned int i, n;
	u64 now = ktime_get_ns();

	if (!buf)
		return -ENOMEM;
	seq_printf(m, "# wqbench-stats %d\n", WQBENCH_IFACE_VERSION);
	mutex_lock(&wqb_lock);
	seq_printf(m, "run state=%s measure=%s groups=%u elapsed_ns=%llu now_ns=%llu\n",
		   wqb_running ? "running" : wqb_run_stop ? "stopped" : "idle",
		   wqb_measure == WQB_MEASURE_ON ? "on" :
		   wqb_measure == WQB_MEASURE_DONE ? "done" : "whole", wqb_ngroups,
		   wqb_run_start ? (wqb_running ? now : wqb_run_stop) - wqb_run_start : 0, now);
	for (i = 0; i < wqb_ngroups; i++)
		wqb_show_group(m, wqb_groups[i], buf);
	wqb_inject_show(m);
	mutex_unlock(&wqb_lock);
	spin_lock_irqsave(&wqb_hp_lock, flags);
	n = min_t(unsigned int, wqb_hp_n, WQB_HP_LOG);
	for (i = wqb_hp_n - n; i < wqb_hp_n; i++) {
		struct wqb_hp_event *e = &wqb_hp_log[i % WQB_HP_LOG];

		seq_printf(m, "hotplug cpu=%d event=%s ts_ns=%llu\n", e->cpu,
			   e->online ? "online" : "offline", e->ts);
	}
	seq_printf(m, "hotplug_total events=%u\n", wqb_hp_n);
	spin_unlock_irqrestore(&wqb_hp_lock, flags);
	spin_lock_irqsave(&wqb_samples_lock, flags);
	seq_printf(m, "samples produced=%llu dropped=%llu buffered=%u capacity=%u\n",
		   wqb_samples_seq, wqb_samples_dropped, wqb_samples_count, WQB_SAMPLES_CAP);
	spin_unlock_irqrestore(&wqb_samples_lock, flags);
	kfree(buf);
	return 0;
}

static void wqb_show_hist(struct seq_file *m, struct wqb_group *g, int cpu, bool run,
			  u32 *buf)
{
	unsigned int i;

	wqb_hist_sum(g, cpu, run, buf);
	for (i = 0; i < WQB_HIST_BUCKETS; i++) {
		if (!buf[i])
			continue;
		if (cpu < 0)
			seq_printf(m, "hist group=%s cpu=all metric=%s lo_ns=%llu hi_ns=%llu count=%u\n",
				   g->name, run ? "run" : "lat", wqb_hist_lo(i), wqb_hist_hi(i),
				   buf[i]);
		else
			seq_printf(m, "hist group=%s cpu=%d metric=%s lo_ns=%llu hi_ns=%llu count=%u\n",
				   g->name, cpu, run ? "run" : "lat", wqb_hist_lo(i),
				   wqb_hist_hi(i), buf[i]);
	}
}

int wqb_hist_show(struct seq_file *m, void *v)
{
	u32 *buf = kmalloc_array(WQB_HIST_BUCKETS, sizeof(u32), GFP_KERNEL);
	unsigned int i;
	int cpu;

	if (!buf)
		return -ENOMEM;
	seq_printf(m, "# wqbench-hist %d buckets=%d sub_bits=%d\n", WQBENCH_IFACE_VERSION,
		   WQB_HIST_BUCKETS, WQB_HIST_SUB_BITS);
	mutex_lock(&wqb_lock);
	for (i = 0; i < wqb_ngroups; i++) {
		struct wqb_group *g = wqb_groups[i];

		if (g->bare)
			continue;
		wqb_show_hist(m, g, -1, false, buf);
		wqb_show_hist(m, g, -1, true, buf);
		for_each_possible_cpu(cpu) {
			wqb_show_hist(m, g, cpu, false, buf);
			wqb_show_hist(m, g, cpu, true, buf);
		}
	}
	mutex_unlock(&wqb_lock);
	kfree(buf);
	return 0;
}
