// SPDX-License-Identifier: GPL-2.0
/*
 * wqbench.ko: work generator and correctness witness for the workqueue
 * subsystem, driven through debugfs (/sys/kernel/debug/wqbench/, root
 * only).  The interface is versioned and documented in docs/kmod.md:
 *
 *   version  r   interface version and kernel features
 *   group    rw  one write defines one group ("key=value ..."); read lists them
 *   control  w   start | stop | clear | measure_begin | measure_end |
 *                cpumask GROUP HEXMASK | cpumask_changing | cpumask_settled |
 *                hotplug_begin CPU | hotplug_end CPU |
 *                inject queue|pickup|pool DELAY_NS EVERY [GROUP] | inject off
 *   stats    r   counters, oracles, percentiles; cheap, readable while running
 *   hist     r   latency and run-time histograms per group and CPU
 *   samples  r   binary per-item records (struct wqbench_sample)
 *
 * Every bad write fails with -EINVAL (-E2BIG when too long or too many
 * groups, -EBUSY while running) and logs one line naming the key and value.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "wqb.h"

DEFINE_MUTEX(wqb_lock);
struct wqb_group *wqb_groups[WQB_MAX_GROUPS];
unsigned int wqb_ngroups;
bool wqb_running;
u64 wqb_run_start, wqb_run_stop;
int wqb_measure;

static struct dentry *wqb_dir;
static int wqb_hp_state = -1, wqb_hp_prep_state = -1;

#define wqb_bad(key, val, why) \
	pr_warn_ratelimited("bad %s=%.64s: %s\n", key, val, why)

/*
 * One key=value of a group definition, parsed by the table the harness
 * shares (wqbench_uapi.h): v[] gets the value, *given the key's bit.
 * Only what depends on the running kernel is checked here besides: the
 * CPU list into the group's cpumask, possible CPUs and nodes.
 */
static int wqb_set(struct wqb_group *g, u64 *v, u32 *given, const char *key,
		   const char *val)
{
	const struct wqbench_key *k;
	const char *why;
	int i = wqbench_group_key(key, strlen(key));

	if (i < 0) {
		wqb_bad(key, val, "unknown key");
		return -EINVAL;
	}
	if (*given & BIT(i)) {
		wqb_bad(key, val, "key given twice");
		return -EINVAL;
	}
	*given |= BIT(i);
	k = &wqbench_group_keys[i];
	if (wqbench_key_parse(k, val, &v[i], &why)) {
		wqb_bad(key, val, why);
		return -EINVAL;
	}
	switch (i) {
	case WQBENCH_GK_NAME:
		strscpy(g->name, val, sizeof(g->name));
		break;
	case WQBENCH_GK_CPU:
		if (v[i] >= nr_cpu_ids || !cpu_possible((int)v[i])) {
			wqb_bad(key, val, "not a possible CPU");
			return -EINVAL;
		}
		break;
	case WQBENCH_GK_CPUS:
		if (cpulist_parse(val, g->cpus) || cpumask_empty(g->cpus) ||
		    !cpumask_subset(g->cpus, cpu_possible_mask)) {
			wqb_bad(key, val, "want a non-empty list of possible CPUs");
			return -EINVAL;
		}
		break;
	case WQBENCH_GK_NODE:
		if (v[i] >= MAX_NUMNODES || !node_possible((int)v[i])) {
			wqb_bad(key, val, "not a possible node");
			return -EINVAL;
		}
		break;
	}
	return 0;
}

/*
 * The whole definition: the rules between keys (shared with the harness),
 * then what only this kernel knows, then the values into the group.
 * Called with wqb_lock held (the names of the groups defined so far).
 */
static int wqb_validate(struct wqb_group *g, const u64 *v)
{
	const char *why;
	unsigned int i;
	int k;

	lockdep_assert_held(&wqb_lock);
	if (!g->name[0]) {
		wqb_bad("name", "", "a group needs name=");
		return -EINVAL;
	}
	for (i = 0; i < wqb_ngroups; i++)
		if (!strcmp(wqb_groups[i]->name, g->name)) {
			wqb_bad("name", g->name, "already defined");
			return -EINVAL;
		}
	k = wqbench_group_rules(v, &why);
	if (k >= 0) {
		wqb_bad(wqbench_group_keys[k].key, "", why);
		return -EINVAL;
	}
#ifndef WQB_HAVE_WQ_BH
	if (v[WQBENCH_GK_FLAGS] & WQBENCH_FLAG_BH) {
		wqb_bad("flags", "bh", "WQ_BH needs Linux 6.9 or later");
		return -EINVAL;
	}
#endif
	/* the module's enums and flags are the table's word indices */
	BUILD_BUG_ON((int)WQB_HOG != WQBENCH_KIND_HOG);
	BUILD_BUG_ON((int)WQB_RQ_HOP != WQBENCH_RQ_HOP);
	BUILD_BUG_ON((int)WQB_PL_NODE != WQBENCH_PL_NODE);
	BUILD_BUG_ON((int)WQB_WQ_UNBOUND != WQBENCH_WQ_UNBOUND);
	BUILD_BUG_ON(WQB_F_BH != WQBENCH_FLAG_BH || WQB_F_ORDERED != WQBENCH_FLAG_ORDERED);
	g->syswq = v[WQBENCH_GK_WQ];
	g->flags = v[WQBENCH_GK_FLAGS];
	g->max_active = v[WQBENCH_GK_MAX_ACTIVE];
	g->kind = v[WQBENCH_GK_KIND];
	g->work_us = v[WQBENCH_GK_WORK_US];
	g->resched = v[WQBENCH_GK_RESCHED];
	g->requeue = v[WQBENCH_GK_REQUEUE];
	g->requeue_delay_us = v[WQBENCH_GK_REQUEUE_DELAY_US];
	for (i = 0; i < 3; i++)
		g->mix[i] = (v[WQBENCH_GK_MIX] >> (16 * i)) & 0xffff;
	g->hog_ms = v[WQBENCH_GK_HOG_MS];
	g->placement = v[WQBENCH_GK_PLACEMENT];
	g->cpu = v[WQBENCH_GK_CPU];
	g->node = v[WQBENCH_GK_NODE];
	g->open_loop = v[WQBENCH_GK_SHAPE] == 1;
	g->inflight = v[WQBENCH_GK_INFLIGHT];
	g->rate = v[WQBENCH_GK_RATE];
	g->max_items = v[WQBENCH_GK_MAX_ITEMS];
	g->max_ms = v[WQBENCH_GK_MAX_MS];
	g->jitter_pct = v[WQBENCH_GK_JITTER_PCT];
	g->seed = v[WQBENCH_GK_SEED];
	g->bare = v[WQBENCH_GK_INSTRUMENT] == 1;
	/* 1 = every item (full); sampled times one in instrument_every */
	g->instrument_every = v[WQBENCH_GK_INSTRUMENT] == 2 ? v[WQBENCH_GK_INSTRUMENT_EVERY] : 1;
	g->sample_every = v[WQBENCH_GK_SAMPLE_EVERY];
	g->grace_ms = v[WQBENCH_GK_GRACE_MS];
	g->alloc_bytes = v[WQBENCH_GK_ALLOC_BYTES];
	g->selftest = v[WQBENCH_GK_SELFTEST];
	if (!g->inflight)
		g->inflight = g->open_loop ? 64 : 8;
	return 0;
}

static ssize_t wqb_group_write(struct file *f, const char __user *ubuf, size_t len,
			       loff_t *ppos)
{
	u64 v[WQBENCH_GK_NR];
	u32 given = 0;
	struct wqb_group *g;
	char *buf, *p, *tok;
	int r;

	if (len >= WQB_DEF_MAX) {
		pr_warn_ratelimited("group definition of %zu bytes: at most %d\n", len,
				    WQB_DEF_MAX - 1);
		return -E2BIG;
	}
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	if (strlen(buf) != len) {
		wqb_bad("group", "<NUL>", "NUL byte in definition");
		kfree(buf);
		return -EINVAL;
	}
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g || !zalloc_cpumask_var(&g->cpus, GFP_KERNEL)) {
		kfree(g);
		kfree(buf);
		return -ENOMEM;
	}
	wqbench_group_defaults(v);
	g->def = kstrdup(strim(buf), GFP_KERNEL);
	p = buf;
	r = 0;
	while (!r && (tok = strsep(&p, " \t\n")) != NULL) {
		char *eq;

		if (!*tok)
			continue;
		eq = strchr(tok, '=');
		if (!eq || eq == tok || !eq[1]) {
			wqb_bad("token", tok, "want key=value");
			r = -EINVAL;
			break;
		}
		*eq = '\0';
		r = wqb_set(g, v, &given, tok, eq + 1);
	}
	kfree(buf);
	mutex_lock(&wqb_lock);
	if (!r && wqb_running) {
		pr_warn_ratelimited("group %s: cannot define groups while running\n", g->name);
		r = -EBUSY;
	}
	if (!r && wqb_ngroups >= WQB_MAX_GROUPS) {
		pr_warn_ratelimited("group %s: at most %d groups\n", g->name, WQB_MAX_GROUPS);
		r = -E2BIG;
	}
	if (!r)
		r = wqb_validate(g, v);
	if (!r) {
		g->index = wqb_ngroups;
		r = wqb_group_prepare(g);	/* frees what it allocated on error */
		if (!r) {
			wqb_groups[wqb_ngroups++] = g;
			mutex_unlock(&wqb_lock);
			return len;
		}
		kfree(g);
		mutex_unlock(&wqb_lock);
		return r;
	}
	mutex_unlock(&wqb_lock);
	free_cpumask_var(g->cpus);
	kfree(g->def);
	kfree(g);
	return r;
}

static int wqb_group_show(struct seq_file *m, void *v)
{
	unsigned int i;

	mutex_lock(&wqb_lock);
	for (i = 0; i < wqb_ngroups; i++)
		seq_printf(m, "%s\n", wqb_groups[i]->def ? wqb_groups[i]->def : "");
	mutex_unlock(&wqb_lock);
	return 0;
}

static int wqb_group_open(struct inode *inode, struct file *f)
{
	return single_open(f, wqb_group_show, NULL);
}

static void wqb_stop_all(void)
{
	unsigned int i;

	lockdep_assert_held(&wqb_lock);
	for (i = 0; i < wqb_ngroups; i++)
		wqb_group_stop(wqb_groups[i]);
	wqb_running = false;
	wqb_run_stop = ktime_get_ns();
}

static void wqb_clear_all(void)
{
	unsigned int i;

	lockdep_assert_held(&wqb_lock);
	for (i = 0; i < wqb_ngroups; i++) {
		wqb_group_release(wqb_groups[i]);
		kfree(wqb_groups[i]);
		wqb_groups[i] = NULL;
	}
	wqb_ngroups = 0;
	wqb_run_start = 0;
	wqb_run_stop = 0;
	wqb_samples_reset();
}

static int wqb_cmd_cpumask(char *args)
{
	char *name = strsep(&args, " "), *hex = args;
	struct wqb_group *g = NULL;
	cpumask_var_t m;
	unsigned long flags;
	unsigned int i;

	lockdep_assert_held(&wqb_lock);
	for (i = 0; name && i < wqb_ngroups; i++)
		if (!strcmp(wqb_groups[i]->name, name))
			g = wqb_groups[i];
	if (!g) {
		wqb_bad("cpumask", name ? name : "", "no such group");
		return -EINVAL;
	}
	if (!hex || !alloc_cpumask_var(&m, GFP_KERNEL))
		return hex ? -ENOMEM : -EINVAL;
	if (cpumask_parse(hex, m) || cpumask_empty(m)) {
		wqb_bad("cpumask", hex, "want a non-empty hex mask");
		free_cpumask_var(m);
		return -EINVAL;
	}
	spin_lock_irqsave(&g->mask_lock, flags);
	if (!cpumask_equal(g->mask, m)) {
		cpumask_copy(g->prev_mask, g->mask);
		cpumask_copy(g->mask, m);
	}
	g->mask_changed = ktime_get_ns();
	spin_unlock_irqrestore(&g->mask_lock, flags);
	free_cpumask_var(m);
	return 0;
}

/*
 * Start or end the measured phase: histograms restart empty at its
 * beginning and stop filling at its end, and measured_* counts only what
 * completed in between.  A concurrent increment may survive the clearing;
 * one item in tens of thousands, against a whole warmup otherwise.
 */
static int wqb_cmd_measure(bool begin)
{
	u64 now = ktime_get_ns();
	unsigned int i;
	int cpu;

	lockdep_assert_held(&wqb_lock);
	if (!wqb_running || READ_ONCE(wqb_measure) != (begin ? WQB_MEASURE_WHOLE : WQB_MEASURE_ON)) {
		wqb_bad("control", begin ? "measure_begin" : "measure_end",
			begin ? "needs a running start, once" : "needs measure_begin first");
		return -EINVAL;
	}
	for (i = 0; i < wqb_ngroups; i++) {
		struct wqb_group *g = wqb_groups[i];

		if (begin) {
			for_each_possible_cpu(cpu)
				memset(per_cpu_ptr(g->hist, cpu), 0, sizeof(struct wqb_hist));
			g->m_completed0 = atomic64_read(&g->completed);
			g->t_m0 = now;
		} else {
			g->m_completed1 = atomic64_read(&g->completed);
			g->t_m1 = now;
		}
	}
	WRITE_ONCE(wqb_measure, begin ? WQB_MEASURE_ON : WQB_MEASURE_DONE);
	return 0;
}

static ssize_t wqb_control_write(struct file *f, const char __user *ubuf, size_t len,
				 loff_t *ppos)
{
	char *buf, *cmd;
	unsigned int i;
	int r = 0;

	if (len > 256)
		return -E2BIG;
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	cmd = strim(buf);
	mutex_lock(&wqb_lock);
	if (!strcmp(cmd, "start")) {
		if (wqb_running) {
			r = -EBUSY;
		} else if (!wqb_ngroups) {
			wqb_bad("control", cmd, "no groups defined");
			r = -EINVAL;
		} else {
			wqb_run_start = ktime_get_ns();
			wqb_run_stop = 0;
			WRITE_ONCE(wqb_measure, WQB_MEASURE_WHOLE);
			wqb_running = true;
			for (i = 0; i < wqb_ngroups; i++)
				wqb_group_start(wqb_groups[i]);
		}
	} else if (!strcmp(cmd, "stop")) {
		if (wqb_running)
			wqb_stop_all();
	} else if (!strcmp(cmd, "clear")) {
		if (wqb_running) {
			wqb_bad("control", cmd, "stop first");
			r = -EBUSY;
		} else {
			wqb_inject_off();	/* it may name a group about to go */
			wqb_clear_all();
			atomic_set(&wqb_masks_changing, 0);
		}
	} else if (!strcmp(cmd, "measure_begin") || !strcmp(cmd, "measure_end")) {
		r = wqb_cmd_measure(cmd[8] == 'b');
	} else if (!strncmp(cmd, "cpumask ", 8)) {
		r = wqb_cmd_cpumask(cmd + 8);
	} else if (!strncmp(cmd, "hotplug_begin ", 14) || !strncmp(cmd, "hotplug_end ", 12)) {
		/* the harness is about to change, or has changed, a CPU's state */
		bool begin = cmd[8] == 'b';
		unsigned int cpu;

		if (kstrtouint(cmd + (begin ? 14 : 12), 10, &cpu) || cpu >= nr_cpu_ids) {
			wqb_bad("control", cmd, "want a CPU number below nr_cpu_ids");
			r = -EINVAL;
		} else if (begin) {
			wqb_hotplug_unstable(cpu);
		} else {
			wqb_hotplug_settled(cpu);
		}
	} else if (!strncmp(cmd, "inject ", 7)) {
		r = wqb_inject_set(cmd + 7);
	} else if (!strcmp(cmd, "cpumask_changing")) {
		/* a cpumask write is under way: the kernel may apply it any moment */
		atomic_inc(&wqb_masks_changing);
	} else if (!strcmp(cmd, "cpumask_settled")) {
		if (!atomic_add_unless(&wqb_masks_changing, -1, 0)) {
			wqb_bad("control", cmd, "no cpumask change under way");
			r = -EINVAL;
		}
	} else {
		wqb_bad("control", cmd,
			"want start, stop, clear, measure_begin, measure_end, cpumask GROUP MASK, cpumask_changing, cpumask_settled, hotplug_begin CPU, hotplug_end CPU or inject ...");
		r = -EINVAL;
	}
	mutex_unlock(&wqb_lock);
	kfree(buf);
	return r ? r : len;
}

static int wqb_version_show(struct seq_file *m, void *v)
{
	seq_printf(m, "wqbench-kmod %d\n", WQBENCH_IFACE_VERSION);
	seq_puts(m, "features");
#ifdef WQB_HAVE_WQ_BH
	seq_puts(m, " bh");
#endif
	seq_puts(m, " hist samples selftest alloc\n");
	return 0;
}

static int wqb_stats_open(struct inode *inode, struct file *f)
{
	/* large output with many CPUs: let seq_file grow the buffer */
	return single_open_size(f, wqb_stats_show, NULL, 64 * 1024);
}

static int wqb_hist_open(struct inode *inode, struct file *f)
{
	return single_open_size(f, wqb_hist_show, NULL, 256 * 1024);
}

static int wqb_version_open(struct inode *inode, struct file *f)
{
	return single_open(f, wqb_version_show, NULL);
}

static ssize_t wqb_samples_fread(struct file *f, char __user *buf, size_t len, loff_t *ppos)
{
	return wqb_samples_read(buf, len);
}

static const struct file_operations wqb_group_fops = {
	.owner = THIS_MODULE,
	.open = wqb_group_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = wqb_group_write,
};

static const struct file_operations wqb_control_fops = {
	.owner = THIS_MODULE,
	.write = wqb_control_write,
};

static const struct file_operations wqb_stats_fops = {
	.owner = THIS_MODULE,
	.open = wqb_stats_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static const struct file_operations wqb_hist_fops = {
	.owner = THIS_MODULE,
	.open = wqb_hist_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static const struct file_operations wqb_version_fops = {
	.owner = THIS_MODULE,
	.open = wqb_version_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static const struct file_operations wqb_samples_fops = {
	.owner = THIS_MODULE,
	.read = wqb_samples_fread,
};

static int wqb_cpu_online(unsigned int cpu)
{
	wqb_hotplug_event(cpu, true);
	return 0;
}

static int wqb_cpu_offline(unsigned int cpu)
{
	wqb_hotplug_event(cpu, false);
	return 0;
}

/* On the control CPU, before the CPU is started: it is not stable yet. */
static int wqb_cpu_prepare(unsigned int cpu)
{
	wqb_hotplug_unstable(cpu);
	return 0;
}

static int __init wqb_init(void)
{
	int r = wqb_stats_init();

	if (r)
		return r;
	r = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "wqbench:prepare", wqb_cpu_prepare,
				      NULL);
	if (r < 0)
		goto err_stats;
	wqb_hp_prep_state = r;
	r = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "wqbench:online", wqb_cpu_online,
				      wqb_cpu_offline);
	if (r < 0)
		goto err_prep;
	wqb_hp_state = r;
	wqb_dir = debugfs_create_dir("wqbench", NULL);
	if (IS_ERR(wqb_dir)) {
		r = -ENODEV;
		goto err_online;
	}
	debugfs_create_file("version", 0400, wqb_dir, NULL, &wqb_version_fops);
	debugfs_create_file("group", 0600, wqb_dir, NULL, &wqb_group_fops);
	debugfs_create_file("control", 0200, wqb_dir, NULL, &wqb_control_fops);
	debugfs_create_file("stats", 0400, wqb_dir, NULL, &wqb_stats_fops);
	debugfs_create_file("hist", 0400, wqb_dir, NULL, &wqb_hist_fops);
	debugfs_create_file("samples", 0400, wqb_dir, NULL, &wqb_samples_fops);
	return 0;
err_online:
	cpuhp_remove_state_nocalls(wqb_hp_state);
err_prep:
	cpuhp_remove_state_nocalls(wqb_hp_prep_state);
err_stats:
	wqb_stats_exit();
	return r;
}

/*
 * Safe in every state: the files go first (debugfs waits for calls in
 * progress), then every group stops -- stop flag, hrtimer cancelled,
 * every item cancelled with cancel_delayed_work_sync(), which also waits
 * for armed timers -- and only then are the workqueues destroyed.
 */
static void __exit wqb_exit(void)
{
	debugfs_remove_recursive(wqb_dir);
	mutex_lock(&wqb_lock);
	if (wqb_running)
		wqb_stop_all();
	wqb_inject_off();
	wqb_clear_all();
	mutex_unlock(&wqb_lock);
	cpuhp_remove_state_nocalls(wqb_hp_state);
	cpuhp_remove_state_nocalls(wqb_hp_prep_state);
	wqb_stats_exit();
}

module_init(wqb_init);
module_exit(wqb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("wqbench: workqueue benchmark and fault-injection companion");
