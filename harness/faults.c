// SPDX-License-Identifier: GPL-2.0
/*
 * Fault sources: planning (pure, seeded) and execution (one thread each).
 *
 * Hotplug follows kernel/torture.c's onoff idea in random mode: after a
 * holdoff, pick a random CPU, flip it, sleep a fuzzed interval; successes,
 * attempts and min/mean/max latency are kept per direction.  Rollback
 * injection writes a state number to cpuN/hotplug/fail before the chosen
 * transitions, which must then fail and leave the CPU where it was.
 */
#include "faults.h"
#include "kmodctl.h"
#include "state.h"
#include "sysstat.h"
#include "util.h"
#include "wqsysfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

uint64_t wqb_rand_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t wqb_rand_seed(uint64_t seed, const char *stream)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a of the stream name */

	for (; *stream; stream++)
		h = (h ^ (unsigned char)*stream) * 1099511628211ull;
	return seed ^ h;
}

static struct fault_source *new_source(struct fault_plan *p, const struct wqb_scenario *s,
				       const char *name, size_t index)
{
	struct fault_source *src;

	p->src = xrealloc(p->src, (p->n + 1) * sizeof(*p->src));
	src = &p->src[p->n++];
	memset(src, 0, sizeof(*src));
	snprintf(src->name, sizeof(src->name), "%s", name);
	src->s = s;
	src->index = index;
	return src;
}

static void add(struct fault_source *src, struct fault_action a)
{
	src->a = xrealloc(src->a, (src->n + 1) * sizeof(*src->a));
	src->a[src->n++] = a;
}

static void plan_hotplug(const struct wqb_scenario *s, const bool *online, struct fault_plan *p)
{
	const struct wqb_hotplug *h = &s->hotplug;
	struct fault_source *src = new_source(p, s, "hotplug", 0);
	uint64_t rng = wqb_rand_seed(s->seed, "hotplug"), t = h->start_ms;
	int cpus[WQB_MAX_LIST];
	size_t n = 0, k = 0;

	if (h->ncpus) {
		memcpy(cpus, h->cpus, h->ncpus * sizeof(int));
		n = h->ncpus;
	} else {
		for (int c = 1; c < WQB_MAX_CPUS && n < WQB_MAX_LIST; c++)
			if (online[c])
				cpus[n++] = c;
	}
	if (!n) {
		snprintf(src->skip_reason, sizeof(src->skip_reason),
			 "no CPU but CPU 0 online: nothing to hotplug");
		return;
	}
#define FAIL_NOW() (h->fail_every && (k + 1) % h->fail_every == 0)
	switch (h->mode) {
	case HOTPLUG_SEQUENTIAL:
		for (unsigned int cyc = 0; cyc < h->cycles; cyc++)
			for (size_t i = 0; i < n; i++) {
				add(src, (struct fault_action){ .at_ms = t, .kind = FA_CPU_OFFLINE,
								.cpu = cpus[i], .fail_inject = FAIL_NOW() });
				k++;
				t += h->interval_ms;
				add(src, (struct fault_action){ .at_ms = t, .kind = FA_CPU_ONLINE,
								.cpu = cpus[i], .fail_inject = FAIL_NOW() });
				k++;
				t += h->interval_ms;
			}
		break;
	case HOTPLUG_ALL_BUT_ONE:
		for (unsigned int cyc = 0; cyc < h->cycles; cyc++) {
			for (size_t i = 0; i < n; i++, k++, t += h->interval_ms)
				add(src, (struct fault_action){ .at_ms = t, .kind = FA_CPU_OFFLINE,
								.cpu = cpus[i], .fail_inject = FAIL_NOW() });
			for (size_t i = 0; i < n; i++, k++, t += h->interval_ms)
				add(src, (struct fault_action){ .at_ms = t, .kind = FA_CPU_ONLINE,
								.cpu = cpus[i], .fail_inject = FAIL_NOW() });
		}
		break;
	case HOTPLUG_RANDOM: {
		/* bounded either by count or by the end of the measured phase */
		uint64_t limit = h->count ? h->count : 10000000;

		while (k < limit && (h->count || t < s->duration_ms)) {
			int64_t fuzz = 0;

			if (h->fuzz_ms)
				fuzz = (int64_t)(wqb_rand_next(&rng) % (2 * h->fuzz_ms + 1)) -
				       (int64_t)h->fuzz_ms;
			add(src, (struct fault_action){ .at_ms = t, .kind = FA_CPU_TOGGLE,
							.cpu = cpus[wqb_rand_next(&rng) % n],
							.fail_inject = FAIL_NOW() });
			k++;
			t += (uint64_t)((int64_t)h->interval_ms + fuzz > 1 ?
					(int64_t)h->interval_ms + fuzz : 1);
		}
		break;
	}
	case HOTPLUG_OFF:
		break;
	}
#undef FAIL_NOW
}

static void plan_cpumask(const struct wqb_scenario *s, size_t i, const bool *online,
			 struct fault_plan *p)
{
	const struct wqb_cpumask *m = &s->cpumasks[i];
	char name[64];
	struct fault_source *src;
	uint64_t t = m->start_ms;
	uint64_t rng;

	snprintf(name, sizeof(name), "cpumask:%s", *m->label ? m->label : m->target);
	src = new_source(p, s, name, i);
	rng = wqb_rand_seed(s->seed, name);
	if (m->random) {
		int on[WQB_MAX_CPUS], n = 0;
		unsigned int count = m->count;

		for (int c = 0; c < WQB_MAX_CPUS; c++)
			if (online[c])
				on[n++] = c;
		if (!count)
			count = (unsigned int)((s->duration_ms - m->start_ms) / m->interval_ms);
		for (unsigned int k = 0; k < count && n; k++, t += m->interval_ms) {
			bool set[WQB_MAX_CPUS] = { false };
			struct fault_action a = { .at_ms = t, .kind = FA_CPUMASK, .cpu = -1 };
			char *hex;
			bool any = false;

			for (int j = 0; j < n; j++)
				if (wqb_rand_next(&rng) & 1)
					set[on[j]] = any = true;
			if (!any)	/* never an empty mask: the kernel refuses it */
				set[on[wqb_rand_next(&rng) % (uint64_t)n]] = true;
			hex = cpumask_from_set(set, WQB_MAX_CPUS);
			snprintf(a.value, sizeof(a.value), "%s", hex);
			free(hex);
			add(src, a);
		}
	} else {
		for (size_t k = 0; k < m->nmasks; k++, t += m->interval_ms) {
			struct fault_action a = { .at_ms = t, .kind = FA_CPUMASK, .cpu = -1 };

			snprintf(a.value, sizeof(a.value), "%s", m->masks[k]);
			add(src, a);
		}
	}
	/* then the original mask goes back */
	add(src, (struct fault_action){ .at_ms = t, .kind = FA_CPUMASK, .cpu = -1 });
}

static void plan_wqattr(const struct wqb_scenario *s, size_t i, struct fault_plan *p)
{
	const struct wqb_wqattr *w = &s->wqattrs[i];
	char name[64];
	struct fault_source *src;
	uint64_t t = w->start_ms;

	snprintf(name, sizeof(name), "wqattr:%s", w->label);
	src = new_source(p, s, name, i);
	for (size_t k = 0; k < w->nvalues; k++, t += w->interval_ms) {
		struct fault_action a = { .at_ms = t, .kind = FA_WQATTR, .cpu = -1 };

		snprintf(a.value, sizeof(a.value), "%s", w->values[k]);
		add(src, a);
	}
	add(src, (struct fault_action){ .at_ms = t, .kind = FA_WQATTR, .cpu = -1 });
}

static void plan_inject(const struct wqb_scenario *s, struct fault_plan *p)
{
	const struct wqb_faultinject *f = &s->inject;
	struct fault_source *src = new_source(p, s, f->type, 0);
	uint64_t off = f->duration_ms ? f->start_ms + f->duration_ms : s->duration_ms;

	add(src, (struct fault_action){ .at_ms = f->start_ms, .kind = FA_INJECT_ON, .cpu = -1 });
	add(src, (struct fault_action){ .at_ms = off, .kind = FA_INJECT_OFF, .cpu = -1 });
}

int faults_plan(const struct wqb_scenario *s, const bool *online, struct fault_plan *p)
{
	memset(p, 0, sizeof(*p));
	if (s->hotplug.mode != HOTPLUG_OFF)
		plan_hotplug(s, online, p);
	for (size_t i = 0; i < s->ncpumasks; i++)
		plan_cpumask(s, i, online, p);
	for (size_t i = 0; i < s->nwqattrs; i++)
		plan_wqattr(s, i, p);
	if (s->inject.enabled)
		plan_inject(s, p);
	return 0;
}

void faults_free(struct fault_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->src[i].a);
		free(p->src[i].original);
		free(p->src[i].arms);
	}
	free(p->src);
	memset(p, 0, sizeof(*p));
}

/* --- execution ----------------------------------------------------------- */

struct thread_arg {
	struct fault_source *src;
	struct fault_run *fr;
};

static void log_event(struct fault_run *fr, const char *source, const char *action,
		      const char *target, const char *value, const char *outcome,
		      int64_t latency_us, const char *detail)
{
	pthread_mutex_lock(&log_lock);
	result_event(fr->res, source, action, target, value, outcome, latency_us, detail);
	pthread_mutex_unlock(&log_lock);
}

static const char *sysroot(void)
{
	const char *r = getenv("WQBENCH_SYSFS");

	return r && *r ? r : "/sys";
}

/* "workqueue:online" -> its number in hotplug/states, or -1 */
static int hotplug_state_number(const char *name)
{
	char *p = xasprintf("%s/devices/system/cpu/hotplug/states", sysroot());
	char *text = read_file(p, NULL), *line, *save = NULL;
	int found = -1;

	free(p);
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line && found < 0;
	     line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		*colon = '\0';
		if (strcmp(str_trim(colon + 1), name) == 0)
			found = atoi(line);
	}
	free(text);
	return found;
}

static bool cpu_is_online(int cpu)
{
	bool set[WQB_MAX_CPUS];

	return cpus_online(set) >= 0 && set[cpu];
}

static void do_hotplug(struct fault_source *src, struct fault_run *fr,
		       const struct fault_action *a, int fail_state)
{
	bool want_online = a->kind == FA_CPU_ONLINE ||
			   (a->kind == FA_CPU_TOGGLE && !cpu_is_online(a->cpu));
	int dir = want_online ? 1 : 0;
	char tgt[32], detail[128] = "", *failpath = NULL, num_cmd[32];
	const char *outcome;
	int64_t us = -1;
	bool was = cpu_is_online(a->cpu);
	int r;

	snprintf(tgt, sizeof(tgt), "cpu%d", a->cpu);
	if (a->fail_inject && fail_state >= 0) {
		char num[16];

		failpath = xasprintf("%s/devices/system/cpu/cpu%d/hotplug/fail", sysroot(), a->cpu);
		state_add_file(failpath);
		snprintf(num, sizeof(num), "%d", fail_state);
		if (write_file_str(failpath, num) < 0) {
			snprintf(detail, sizeof(detail), "fail injection refused: %s",
				 strerror(errno));
			free(failpath);
			failpath = NULL;
		}
	}
	/*
	 * The kernel starts moving work off a CPU (sched_cpu_deactivate) before
	 * the module's own hotplug callback runs: tell the oracles first.
	 */
	snprintf(num_cmd, sizeof(num_cmd), "hotplug_begin %d", a->cpu);
	kmodctl_write("control", num_cmd);
	r = cpu_set_online(a->cpu, want_online, &us);
	snprintf(num_cmd, sizeof(num_cmd), "hotplug_end %d", a->cpu);
	kmodctl_write("control", num_cmd);
	if (failpath) {
		/* the kernel clears it after use; make sure it is clear */
		write_file_str(failpath, "-1");
		src->rollbacks_attempted++;
		if (r != 0 && cpu_is_online(a->cpu) == was) {
			src->rollbacks_ok++;
			outcome = "rolled-back";
			snprintf(detail, sizeof(detail), "injected failure at state %d: %s",
				 fail_state, strerror(-r));
		} else {
			src->errors++;
			outcome = r ? "error" : "not-rolled-back";
			snprintf(detail, sizeof(detail),
				 "injected failure at state %d but transition %s", fail_state,
				 r ? "left the CPU in another state" : "succeeded");
		}
		free(failpath);
	} else if (r == -EBUSY && !want_online) {
		outcome = "refused";
		snprintf(detail, sizeof(detail), "last online CPU: never offlined");
	} else {
		src->attempts[dir]++;
		if (r == 0) {
			src->ok[dir]++;
			if (!src->min_us[dir] || us < src->min_us[dir])
				src->min_us[dir] = us;
			if (us > src->max_us[dir])
				src->max_us[dir] = us;
			src->sum_us[dir] += us;
			outcome = "ok";
		} else {
			src->errors++;
			outcome = "error";
			snprintf(detail, sizeof(detail), "%s", strerror(-r));
		}
	}
	log_event(fr, "hotplug", want_online ? "online" : "offline", tgt, want_online ? "1" : "0",
		  outcome, us, detail);
	if (fr->after_hotplug)
		fr->after_hotplug(fr->after_hotplug_ctx);
}

/*
 * Tell the module's unbound-containment oracle the effective cpumask of
 * every group on an unbound queue: the queue's own mask within the global
 * one (the kernel falls back to the global mask when they do not overlap).
 */
void faults_notify_masks(const struct wqb_scenario *s)
{
	char *global = wqsysfs_read(NULL, "cpumask");

	if (!global)
		return;
	for (size_t i = 0; i < s->ngroups; i++) {
		const struct wqb_group *g = &s->groups[i];
		char wq[64], *own = NULL, *eff, *cmd;

		if (!g->unbound)
			continue;
		snprintf(wq, sizeof(wq), "wqb_%s", g->name);
		if (!g->system_wq && !g->ordered)
			own = wqsysfs_read(wq, "cpumask");
		eff = own ? cpumask_and(own, global) : cpumask_normalise(global);
		if (strcmp(eff, "0") == 0) {
			free(eff);
			eff = cpumask_normalise(global);
		}
		cmd = xasprintf("cpumask %s %s", g->name, eff);
		kmodctl_write("control", cmd);
		free(cmd);
		free(eff);
		free(own);
	}
	free(global);
}

static void do_sysfs_write(struct fault_source *src, struct fault_run *fr,
			   const struct fault_action *a, const char *attr)
{
	const char *wq = src->target[0] ? src->target : NULL;
	const char *value = a->value[0] ? a->value : src->original;
	uint64_t t0 = now_mono_ns();
	char *eff = NULL, *want, *got;
	const char *outcome;
	bool mask = strcmp(attr, "cpumask") == 0;
	int r;

	if (!value)
		return;
	/* the kernel applies a mask before the write returns: open the window */
	if (mask)
		kmodctl_write("control", "cpumask_changing");
	r = wqsysfs_write(wq, attr, value, &eff);
	src->writes++;
	if (eff && strcmp(attr, "affinity_scope") == 0)
		eff[strcspn(eff, " ")] = '\0';	/* "default (cache)" */
	want = mask ? cpumask_normalise(value) : xstrdup(value);
	got = eff ? (mask ? cpumask_normalise(eff) : xstrdup(eff)) : xstrdup("?");
	if (r) {
		src->errors++;
		outcome = "error";
	} else {
		src->writes_ok++;
		if (strcmp(want, got) != 0) {
			src->replaced++;
			outcome = "replaced";
		} else {
			outcome = "ok";
		}
	}
	if (mask) {
		faults_notify_masks(src->s);
		kmodctl_write("control", "cpumask_settled");
	}
	log_event(fr, mask ? "cpumask" : "wqattr", a->value[0] ? "set" : "restore",
		  wq ? wq : "global", value, outcome, (int64_t)((now_mono_ns() - t0) / 1000),
		  r ? strerror(-r) : (eff ? eff : ""));
	free(want);
	free(got);
	free(eff);
}

static char *inject_path(const char *type, const char *knob)
{
	const char *r = getenv("WQBENCH_DEBUGFS");

	return xasprintf("%s/%s/%s", r && *r ? r : "/sys/kernel/debug", type, knob);
}

/* make-it-fail on every kworker (fault injection's task filter) */
static void mark_kworkers(bool on)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char *p, *comm, pool[32];

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		p = xasprintf("/proc/%s/comm", de->d_name);
		comm = read_file_trim(p);
		free(p);
		if (comm && kworker_pool(comm, pool, sizeof(pool)) == 0) {
			p = xasprintf("/proc/%s/make-it-fail", de->d_name);
			if (on)
				state_add_file(p);
			write_file_str(p, on ? "1" : "0");
			free(p);
		}
		free(comm);
	}
	if (d)
		closedir(d);
}

/*
 * Arm: every knob but probability first, then the task filter's marks,
 * then probability, so no failure happens under an old `times`.  `times`
 * is always a finite count (WQB_INJECT_TIMES for the scenario's -1: the
 * kernel does not count down a -1) and it is remembered.  Disarm:
 * probability 0 first, then `times` is read back: the kernel delivered
 * written - left failures while armed.
 */
static void do_inject(struct fault_source *src, struct fault_run *fr, bool on)
{
	const struct wqb_faultinject *f = &src->s->inject;
	static const char *const knobs[] = { "interval", "times", "space", "task-filter",
					     "verbose", NULL };
	long long times = f->times == -1 ? WQB_INJECT_TIMES : f->times;
	char vals[5][24], prob[24], detail[192];
	const char *who = f->kworkers_only ? "kworkers only" : "all tasks";
	struct inject_arm *arm = src->narms ? &src->arms[src->narms - 1] : NULL;
	int bad = 0;
	char *p;

	snprintf(vals[0], sizeof(vals[0]), "%u", f->interval);
	snprintf(vals[1], sizeof(vals[1]), "%lld", times);
	snprintf(vals[2], sizeof(vals[2]), "0");
	snprintf(vals[3], sizeof(vals[3]), "%s", f->kworkers_only ? "Y" : "N");
	snprintf(vals[4], sizeof(vals[4]), "0");
	snprintf(prob, sizeof(prob), "%u", on ? f->probability : 0);
	if (on) {
		for (size_t i = 0; knobs[i]; i++) {
			p = inject_path(f->type, knobs[i]);
			state_add_file(p);
			if (write_file_str(p, vals[i]) < 0)
				bad++;
			free(p);
		}
		if (f->kworkers_only)
			mark_kworkers(true);
	}
	p = inject_path(f->type, "probability");
	if (on)
		state_add_file(p);
	if (write_file_str(p, prob) < 0)
		bad++;
	free(p);
	if (on) {
		src->arms = xrealloc(src->arms, (src->narms + 1) * sizeof(*src->arms));
		arm = &src->arms[src->narms++];
		*arm = (struct inject_arm){ .written = bad ? -1 : times, .left = -1,
					    .delivered = -1 };
		snprintf(detail, sizeof(detail), "times %lld, interval %u, %s", times,
			 f->interval, who);
	} else {
		char *left;
		int64_t v;

		if (f->kworkers_only)
			mark_kworkers(false);
		p = inject_path(f->type, "times");
		left = read_file_trim(p);
		free(p);
		if (!arm || arm->written < 0) {
			snprintf(detail, sizeof(detail), "was not armed: no failures counted");
		} else if (!left || parse_i64(left, &v) < 0 || v < 0 || v > arm->written) {
			snprintf(detail, sizeof(detail),
				 "cannot count the failures: %s/times reads '%s' after %lld was written",
				 f->type, left ? left : strerror(errno), arm->written);
		} else {
			arm->left = v;
			arm->delivered = arm->written - v;
			src->delivered += arm->delivered;
			snprintf(detail, sizeof(detail),
				 "%lld failures delivered (times %lld -> %lld), %s",
				 arm->delivered, arm->written, (long long)v, who);
		}
		free(left);
	}
	src->writes++;
	if (bad)
		src->errors++;
	else
		src->writes_ok++;
	log_event(fr, "faultinject", on ? "arm" : "disarm", f->type, prob, bad ? "error" : "ok",
		  -1, detail);
}

static void sleep_until_ns(struct fault_run *fr, uint64_t deadline)
{
	while (!*fr->stop) {
		uint64_t now = now_mono_ns(), left;
		struct timespec ts;

		if (now >= deadline)
			return;
		left = deadline - now;
		if (left > 50000000ull)
			left = 50000000ull;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left;
		nanosleep(&ts, NULL);
	}
}

static void *source_thread(void *arg)
{
	struct thread_arg *ta = arg;
	struct fault_source *src = ta->src;
	struct fault_run *fr = ta->fr;
	int fail_state = -1;

	if (strcmp(src->name, "hotplug") == 0 && src->s->hotplug.fail_state)
		fail_state = hotplug_state_number(src->s->hotplug.fail_state);
	for (size_t i = 0; i < src->n; i++) {
		const struct fault_action *a = &src->a[i];
		bool last = i + 1 == src->n;

		bool restore = last && (a->kind == FA_CPUMASK || a->kind == FA_WQATTR ||
					a->kind == FA_INJECT_OFF);

		/* returns early on stop: the final restore of a sweep still runs */
		sleep_until_ns(fr, fr->t0_ns + a->at_ms * 1000000ull);
		if (*fr->stop && !restore)
			break;
		switch (a->kind) {
		case FA_CPU_OFFLINE:
		case FA_CPU_ONLINE:
		case FA_CPU_TOGGLE:
			do_hotplug(src, fr, a, fail_state);
			break;
		case FA_CPUMASK:
			do_sysfs_write(src, fr, a, "cpumask");
			break;
		case FA_WQATTR:
			do_sysfs_write(src, fr, a, src->s->wqattrs[src->index].attr);
			break;
		case FA_INJECT_ON:
		case FA_INJECT_OFF:
			do_inject(src, fr, a->kind == FA_INJECT_ON);
			break;
		}
	}
	atomic_store(&src->finished, true);
	free(ta);
	return NULL;
}

/* Decide where a source writes, what it restores, and whether it can run. */
static void prepare(struct fault_source *src)
{
	const struct wqb_scenario *s = src->s;

	if (strncmp(src->name, "cpumask:", 8) == 0) {
		const struct wqb_cpumask *m = &s->cpumasks[src->index];

		if (strcmp(m->target, "global") != 0)
			snprintf(src->target, sizeof(src->target), "wqb_%s", m->target);
		src->original = wqsysfs_read(src->target[0] ? src->target : NULL, "cpumask");
		if (!src->original)
			snprintf(src->skip_reason, sizeof(src->skip_reason),
				 "no cpumask file for %s in this kernel",
				 src->target[0] ? src->target : "the global unbound mask");
	} else if (strncmp(src->name, "wqattr:", 7) == 0) {
		const struct wqb_wqattr *w = &s->wqattrs[src->index];

		snprintf(src->target, sizeof(src->target), "wqb_%s", w->group);
		src->original = wqsysfs_read(src->target, w->attr);
		if (src->original && strcmp(w->attr, "affinity_scope") == 0)
			src->original[strcspn(src->original, " ")] = '\0';
		if (!src->original)
			snprintf(src->skip_reason, sizeof(src->skip_reason),
				 "%s/%s does not exist in this kernel%s", src->target, w->attr,
				 strncmp(w->attr, "affinity", 8) == 0 ?
				 " (affinity scopes need 6.6+)" : "");
		else
			state_add_wq(src->target);
	} else if (strcmp(src->name, "hotplug") != 0) {
		char *p = inject_path(src->name, "probability");

		if (!path_exists(p))
			snprintf(src->skip_reason, sizeof(src->skip_reason),
				 "no %s in debugfs: the kernel lacks CONFIG_FAULT_INJECTION/%s",
				 src->name, strcmp(src->name, "failslab") == 0 ?
				 "CONFIG_FAILSLAB" : "CONFIG_FAIL_PAGE_ALLOC");
		free(p);
	} else if (s->hotplug.fail_state && hotplug_state_number(s->hotplug.fail_state) < 0) {
		snprintf(src->skip_reason, sizeof(src->skip_reason),
			 "hotplug state '%s' not in /sys/devices/system/cpu/hotplug/states",
			 s->hotplug.fail_state);
	}
}

int faults_start(struct fault_plan *p, struct fault_run *fr)
{
	int bad = 0;

	for (size_t i = 0; i < p->n; i++) {
		struct fault_source *src = &p->src[i];
		struct thread_arg *ta;

		if (!src->skip_reason[0])
			prepare(src);
		if (src->skip_reason[0]) {
			log_event(fr, src->name, "skip", "", "", "skipped", -1, src->skip_reason);
			continue;
		}
		ta = xmalloc(sizeof(*ta));
		ta->src = src;
		ta->fr = fr;
		if (pthread_create(&src->thread, NULL, source_thread, ta) != 0) {
			free(ta);
			snprintf(src->skip_reason, sizeof(src->skip_reason), "cannot start thread");
			bad++;
			continue;
		}
		src->started = true;
	}
	return bad ? -1 : 0;
}

bool faults_done(struct fault_plan *p)
{
	bool any = false;

	for (size_t i = 0; i < p->n; i++)
		if (p->src[i].started) {
			if (!atomic_load(&p->src[i].finished))
				return false;
			any = true;
		}
	return any;
}

void faults_join(struct fault_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->src[i].started) {
			pthread_join(p->src[i].thread, NULL);
			p->src[i].started = false;
		}
}

/*
 * [faultinject]: armed is not enough -- the check passes only when the
 * kernel delivered failures, counted from `times`.
 */
static json_t *inject_report(const struct fault_source *src, struct run_result *res,
			     const char *check)
{
	const struct wqb_faultinject *f = &src->s->inject;
	json_t *arms = json_array();
	bool counted = src->narms > 0;

	for (size_t i = 0; i < src->narms; i++) {
		const struct inject_arm *a = &src->arms[i];

		json_array_append_new(arms, json_pack("{s:I,s:I,s:I}", "times_written",
						      (json_int_t)a->written, "times_left",
						      (json_int_t)a->left, "delivered",
						      (json_int_t)a->delivered));
		if (a->delivered < 0)
			counted = false;
	}
	if (src->errors || !src->writes)
		result_check(res, check, CHECK_FAIL,
			     "%u/%u writes to %s ok%s: see events.csv", src->writes_ok,
			     src->writes, f->type, src->writes ? "" : " (never armed)");
	else if (!counted)
		result_check(res, check, CHECK_FAIL,
			     "%s armed %zu times but the failures delivered could not be counted: see the disarm line of events.csv",
			     f->type, src->narms);
	else if (src->delivered == 0)
		result_check(res, check, CHECK_FAIL,
			     "%s armed (probability %u%%, interval %u, %s) but the kernel delivered 0 failures: nothing it may fail allocated while armed (give a group alloc_bytes)",
			     f->type, f->probability, f->interval,
			     f->kworkers_only ? "kworkers only" : "all tasks");
	else
		result_check(res, check, CHECK_PASS,
			     "%lld failures delivered by %s (probability %u%%, interval %u, %s)",
			     src->delivered, f->type, f->probability, f->interval,
			     f->kworkers_only ? "kworkers only" : "all tasks");
	return json_pack("{s:i,s:i,s:i,s:I,s:o}", "writes", src->writes, "writes_ok",
			 src->writes_ok, "errors", src->errors, "delivered",
			 (json_int_t)(counted ? src->delivered : -1), "arms", arms);
}

void faults_report(struct fault_plan *p, struct run_result *res)
{
	json_t *all = json_object();

	for (size_t i = 0; i < p->n; i++) {
		struct fault_source *src = &p->src[i];
		char check[80];
		json_t *j;

		snprintf(check, sizeof(check), "%s", src->name);
		for (char *c = check; *c; c++)
			if (!isalnum((unsigned char)*c))
				*c = '_';
		if (src->skip_reason[0]) {
			result_check(res, check, CHECK_SKIP, "%s", src->skip_reason);
			continue;
		}
		if (strcmp(src->name, "hotplug") == 0) {
			j = json_pack("{s:i,s:i,s:i,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:i,s:i,s:i}",
				      "offline_ok", src->ok[0], "offline_attempts", src->attempts[0],
				      "online_ok", src->ok[1], "online_attempts", src->attempts[1],
				      "offline_min_us", src->min_us[0], "offline_max_us", src->max_us[0],
				      "offline_sum_us", src->sum_us[0], "online_min_us", src->min_us[1],
				      "online_max_us", src->max_us[1], "online_sum_us", src->sum_us[1],
				      "rollbacks_ok", src->rollbacks_ok, "rollbacks_attempted",
				      src->rollbacks_attempted, "errors", src->errors);
			json_object_set(res->extra, "hotplug", j);
			result_check(res, check,
				     src->errors == 0 ? CHECK_PASS : CHECK_FAIL,
				     "offline %u/%u ok (min %lld, mean %lld, max %lld us), online %u/%u ok (min %lld, mean %lld, max %lld us), rollbacks %u/%u",
				     src->ok[0], src->attempts[0], (long long)src->min_us[0],
				     src->ok[0] ? (long long)(src->sum_us[0] / src->ok[0]) : 0,
				     (long long)src->max_us[0], src->ok[1], src->attempts[1],
				     (long long)src->min_us[1],
				     src->ok[1] ? (long long)(src->sum_us[1] / src->ok[1]) : 0,
				     (long long)src->max_us[1], src->rollbacks_ok,
				     src->rollbacks_attempted);
		} else if (src->s->inject.enabled && strcmp(src->name, src->s->inject.type) == 0) {
			j = inject_report(src, res, check);
		} else {
			j = json_pack("{s:i,s:i,s:i,s:i}", "writes", src->writes, "writes_ok",
				      src->writes_ok, "replaced", src->replaced, "errors",
				      src->errors);
			result_check(res, check,
				     src->errors == 0 && src->writes > 0 ? CHECK_PASS : CHECK_FAIL,
				     "%u/%u writes ok, %u replaced by the kernel", src->writes_ok,
				     src->writes, src->replaced);
		}
		json_object_set_new(all, src->name, j);
	}
	json_object_set_new(res->extra, "faults", all);
}

void faults_counts(const struct fault_plan *p, unsigned int *hotplug, unsigned int *errors)
{
	*hotplug = 0;
	*errors = 0;
	/* read while the threads run: a progress figure, not a result */
	for (size_t i = 0; i < p->n; i++) {
		const struct fault_source *src = &p->src[i];

		*hotplug += src->ok[0] + src->ok[1] + src->rollbacks_ok;
		*errors += src->errors;
	}
}
