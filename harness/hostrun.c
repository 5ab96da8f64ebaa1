// SPDX-License-Identifier: GPL-2.0
/*
 * One scenario on the running kernel, phase by phase:
 *
 *   save state -> load module -> define groups -> set up tracing ->
 *   start work -> [warmup] -> measured phase with the fault schedule ->
 *   stop work -> collect stats, trace -> restore state -> unload ->
 *   judge dmesg -> verdict
 *
 * Each phase records a check; a failed phase ends the run cleanly through
 * the same teardown path, so state is restored whatever happened.
 */
#include "hostrun.h"
#include "dmesg.h"
#include "hotplug.h"
#include "kmodctl.h"
#include "meta.h"
#include "result.h"
#include "state.h"
#include "sysstat.h"
#include "tracing.h"
#include "util.h"
#include "wqsysfs.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

enum action_kind { ACT_CPU_OFFLINE, ACT_CPU_ONLINE, ACT_CPUMASK };

struct action {
	uint64_t at_ms;		/* from the start of measurement */
	enum action_kind kind;
	int cpu;
	const char *mask;	/* for ACT_CPUMASK; NULL = put the original back */
};

struct schedule {
	struct action *a;
	size_t n;
};

static void sched_add(struct schedule *s, struct action act)
{
	s->a = xrealloc(s->a, (s->n + 1) * sizeof(*s->a));
	s->a[s->n++] = act;
}

static int cmp_action(const void *x, const void *y)
{
	const struct action *a = x, *b = y;

	return a->at_ms < b->at_ms ? -1 : a->at_ms > b->at_ms;
}

/*
 * The whole fault schedule is computed before the run starts, from the
 * scenario alone, so the same scenario gives the same schedule.
 */
static void build_schedule(const struct wqb_scenario *s, struct schedule *out)
{
	const struct wqb_hotplug *h = &s->hotplug;
	const struct wqb_cpumask *m = &s->cpumask;

	memset(out, 0, sizeof(*out));
	if (h->mode == HOTPLUG_SEQUENTIAL) {
		int cpus[WQB_MAX_LIST];
		size_t n = 0;
		uint64_t t = h->start_ms;

		if (h->ncpus) {
			memcpy(cpus, h->cpus, h->ncpus * sizeof(int));
			n = h->ncpus;
		} else {
			bool on[WQB_MAX_CPUS];

			cpus_online(on);
			for (int c = 1; c < WQB_MAX_CPUS && n < WQB_MAX_LIST; c++)
				if (on[c] && cpu_hotpluggable(c))
					cpus[n++] = c;
		}
		for (unsigned int cyc = 0; cyc < h->cycles; cyc++) {
			for (size_t i = 0; i < n; i++) {
				sched_add(out, (struct action){ t, ACT_CPU_OFFLINE, cpus[i], NULL });
				t += h->interval_ms;
				sched_add(out, (struct action){ t, ACT_CPU_ONLINE, cpus[i], NULL });
				t += h->interval_ms;
			}
		}
	}
	if (m->enabled) {
		uint64_t t = m->start_ms;

		for (size_t i = 0; i < m->nmasks; i++, t += m->interval_ms)
			sched_add(out, (struct action){ t, ACT_CPUMASK, -1, m->masks[i] });
		sched_add(out, (struct action){ t, ACT_CPUMASK, -1, NULL });
	}
	qsort(out->a, out->n, sizeof(*out->a), cmp_action);
}

struct fault_stats {
	unsigned int ok[2], attempts[2];	/* [0] offline, [1] online */
	int64_t min_us[2], max_us[2], sum_us[2];
	unsigned int mask_ok, mask_attempts, mask_replaced;
};

static const char *cpumask_wq(const struct wqb_scenario *s, char *buf, size_t len)
{
	if (!s->cpumask.target || strcmp(s->cpumask.target, "global") == 0)
		return NULL;
	snprintf(buf, len, "wqb_%s", s->cpumask.target);
	return buf;
}

static void do_action(const struct wqb_scenario *s, struct run_result *res,
		      const struct action *a, const char *orig_mask, struct fault_stats *fs)
{
	char tgt[64], *eff = NULL;
	int r;

	if (a->kind == ACT_CPU_OFFLINE || a->kind == ACT_CPU_ONLINE) {
		int dir = a->kind == ACT_CPU_ONLINE;
		int64_t us;

		snprintf(tgt, sizeof(tgt), "cpu%d", a->cpu);
		r = cpu_set_online(a->cpu, dir, &us);
		fs->attempts[dir]++;
		if (!r) {
			fs->ok[dir]++;
			if (!fs->min_us[dir] || us < fs->min_us[dir])
				fs->min_us[dir] = us;
			if (us > fs->max_us[dir])
				fs->max_us[dir] = us;
			fs->sum_us[dir] += us;
		}
		result_event(res, "hotplug", dir ? "online" : "offline", tgt, dir ? "1" : "0",
			     r ? "error" : "ok", us, r ? strerror(-r) : "");
		return;
	}
	{
		char wqbuf[64];
		const char *wq = cpumask_wq(s, wqbuf, sizeof(wqbuf));
		const char *mask = a->mask ? a->mask : orig_mask;
		uint64_t t0 = now_mono_ns();
		char *want, *got;

		if (!mask)
			return;
		r = wqsysfs_write(wq, "cpumask", mask, &eff);
		fs->mask_attempts++;
		want = cpumask_normalise(mask);
		got = eff ? cpumask_normalise(eff) : xstrdup("?");
		if (!r) {
			fs->mask_ok++;
			if (strcmp(want, got) != 0)
				fs->mask_replaced++;
		}
		/* tell the module's containment oracle what is in effect now */
		if (!r && wq && eff) {
			char *cmd = xasprintf("cpumask %s %s", s->cpumask.target, got);

			kmodctl_write("control", cmd);
			free(cmd);
		}
		snprintf(tgt, sizeof(tgt), "%s", wq ? wq : "global");
		result_event(res, "cpumask", a->mask ? "set" : "restore", tgt, mask,
			     r ? "error" : strcmp(want, got) ? "replaced" : "ok",
			     (int64_t)((now_mono_ns() - t0) / 1000),
			     r ? strerror(-r) : eff ? eff : "");
		free(want);
		free(got);
		free(eff);
	}
}

/*
 * Test hook: wqbench_stall=<phase> (on the guest kernel command line it
 * reaches the harness as an environment variable) makes the harness hang
 * at that phase, so the tests can prove a hung harness is caught.
 */
static void maybe_stall(const char *phase)
{
	const char *want = getenv("wqbench_stall");

	if (!want || strcmp(want, phase) != 0)
		return;
	wqb_warn("stalling at phase %s on request (wqbench_stall)", phase);
	for (;;)
		pause();
}

static void sleep_until(uint64_t deadline_ns)
{
	while (!stop_signal) {
		uint64_t now = now_mono_ns();
		struct timespec ts;
		uint64_t left;

		if (now >= deadline_ns)
			return;
		left = deadline_ns - now;
		if (left > 100000000ull)
			left = 100000000ull;	/* wake up for signals and progress */
		ts.tv_sec = (time_t)(left / 1000000000ull);
		ts.tv_nsec = (long)(left % 1000000000ull);
		nanosleep(&ts, NULL);
	}
}

static void progress(const struct wqb_scenario *s, uint64_t t_ms, const struct fault_stats *fs,
		     long long *last_done, uint64_t *last_ms)
{
	char *text = kmodctl_read("stats");
	json_t *st = text ? kmodctl_parse_stats(text) : NULL;
	long long done = st ? kmodctl_stat_sum(st, "group", "completed") : -1;
	double rate = 0;

	if (done >= 0 && t_ms > *last_ms)
		rate = (double)(done - *last_done) * 1000.0 / (double)(t_ms - *last_ms);
	wqb_info("%s: measure %llu.%llus/%llus, %lld items done (%.0f/s), hotplug %u/%u ok",
		 s->name, (unsigned long long)t_ms / 1000, (unsigned long long)(t_ms % 1000) / 100,
		 (unsigned long long)s->duration_ms / 1000, done, rate,
		 fs->ok[0] + fs->ok[1], fs->attempts[0] + fs->attempts[1]);
	*last_done = done;
	*last_ms = t_ms;
	json_decref(st);
	free(text);
}

/* Judge the module's counters after stop (field names: docs/kmod.md). */
static void judge_module(struct run_result *res, json_t *stats)
{
	json_t *groups = json_object_get(stats, "group"), *g;
	size_t i;
	long long completed = 0;
	bool eo_ok = true;
	char ran_on[1024] = "";
	int ncpus = 0;

	json_array_foreach(groups, i, g) {
		long long ins = json_integer_value(json_object_get(g, "inserted"));
		long long st = json_integer_value(json_object_get(g, "started"));
		long long co = json_integer_value(json_object_get(g, "completed"));
		long long ca = json_integer_value(json_object_get(g, "cancelled"));
		long long inf = json_integer_value(json_object_get(g, "inflight"));
		const char *name = json_string_value(json_object_get(g, "name"));

		completed += co;
		/* every insert ran exactly once, or was cancelled at stop */
		if (ins != co + ca + inf || st != co + inf || inf != 0) {
			eo_ok = false;
			result_check(res, "exactly_once", CHECK_FAIL,
				     "group %s: inserted=%lld started=%lld completed=%lld cancelled=%lld inflight=%lld",
				     name ? name : "?", ins, st, co, ca, inf);
		}
	}
	if (eo_ok)
		result_check(res, "exactly_once", CHECK_PASS,
			     "%zu groups: every inserted item completed once or was cancelled",
			     json_array_size(groups));
	json_array_foreach(json_object_get(stats, "cpu"), i, g) {
		long long runs = json_integer_value(json_object_get(g, "runs"));

		if (runs > 0) {
			size_t l = strlen(ran_on);

			ncpus++;
			snprintf(ran_on + l, sizeof(ran_on) - l, "%scpu%lld=%lld", l ? " " : "",
				 json_integer_value(json_object_get(g, "cpu")), runs);
		}
	}
	json_object_set_new(res->extra, "items_completed", json_integer(completed));
	json_object_set_new(res->extra, "cpus_used", json_integer(ncpus));
	result_check(res, "work_ran", completed > 0 ? CHECK_PASS : CHECK_FAIL,
		     "%lld items completed on %d CPUs: %s", completed, ncpus, ran_on);
}

int hostrun_execute(const struct wqb_scenario *s, const struct hostrun_opts *o)
{
	const char *result_dir = o->result_dir, *ko_path = o->ko_path;
	struct run_result res;
	struct dmesg_capture dm = { .fd = -1 };
	struct wqb_tracer tr = { 0 };
	struct schedule sched = { 0 };
	struct fault_stats fs = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	bool loaded = false, started = false, saved = false, complete = false;
	bool on_before[WQB_MAX_CPUS], on_after[WQB_MAX_CPUS];
	char *orig_mask = NULL, *err = NULL, *p;
	json_t *meta, *stats = NULL, *sys_before = NULL;
	int r, rc;

	if (geteuid() != 0) {
		wqb_err("--host runs load a module, hotplug CPUs and write sysfs: run as root");
		return 2;
	}
	if (result_open(&res, result_dir) < 0)
		return 2;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	stop_signal = 0;

	meta = meta_collect(s, ko_path, o->kernel_config);
	result_write_json(&res, "meta.json", meta);
	json_decref(meta);
	p = path_join(res.dir, "scenario.wqb");
	write_file_atomic(p, s->text, strlen(s->text), 0644);
	free(p);

	if ((r = dmesg_begin(&dm)) < 0)
		wqb_warn("cannot read /dev/kmsg: %s; dmesg will not be judged", strerror(-r));

	maybe_stall("setup");
	/* nothing is changed before the state file is safely written */
	if (state_save(NULL) < 0) {
		result_check(&res, "state_saved", CHECK_FAIL, "could not save system state to %s",
			     state_file_path());
		goto teardown;
	}
	saved = true;
	cpus_online(on_before);
	orig_mask = wqsysfs_read(NULL, "cpumask");
	if (s->cpumask.enabled && s->cpumask.target && strcmp(s->cpumask.target, "global")) {
		/* per-queue target: its original mask is read once it exists */
		free(orig_mask);
		orig_mask = NULL;
	}

	if (kmodctl_loaded()) {
		result_check(&res, "module_load", CHECK_FAIL,
			     "wqbench is already loaded: unload it (rmmod wqbench) first");
		goto teardown;
	}
	r = kmodctl_load(ko_path);
	if (r < 0) {
		result_check(&res, "module_load", CHECK_FAIL, "finit_module(%s): %s", ko_path,
			     strerror(-r));
		goto teardown;
	}
	loaded = true;
	p = kmodctl_read("version");
	result_check(&res, "module_load", CHECK_PASS, "%s loaded (%s)", ko_path,
		     p ? str_trim(p) : "no version file");
	free(p);

	for (size_t i = 0; i < s->ngroups; i++) {
		r = kmodctl_write("group", s->groups[i].def);
		if (r < 0) {
			result_check(&res, "groups_defined", CHECK_FAIL,
				     "%s:%d: the module refused group %s (%s): %s", s->path,
				     s->groups[i].line, s->groups[i].name, strerror(-r),
				     s->groups[i].def);
			goto teardown;
		}
		if (s->groups[i].unbound) {
			char wq[64];

			snprintf(wq, sizeof(wq), "wqb_%s", s->groups[i].name);
			state_add_wq(wq);
		}
	}
	result_check(&res, "groups_defined", CHECK_PASS, "%zu groups", s->ngroups);
	/* a per-queue cpumask target: its original mask exists only now */
	if (s->cpumask.enabled && !orig_mask) {
		char wq[64];

		snprintf(wq, sizeof(wq), "wqb_%s", s->cpumask.target);
		orig_mask = wqsysfs_read(wq, "cpumask");
	}

	if (s->trace.enabled) {
		if (tracer_setup(&s->trace, &tr, &err) < 0) {
			result_check(&res, "trace", CHECK_FAIL, "%s", err);
			free(err);
			err = NULL;
			tracer_destroy(&tr);
			goto teardown;
		}
	}

	r = kmodctl_write("control", "start");
	if (r < 0) {
		result_check(&res, "work_started", CHECK_FAIL, "control start: %s", strerror(-r));
		goto teardown;
	}
	started = true;
	if (s->warmup_ms) {
		wqb_info("%s: warmup %llu ms", s->name, (unsigned long long)s->warmup_ms);
		sleep_until(now_mono_ns() + s->warmup_ms * 1000000ull);
	}

	/* measured phase */
	maybe_stall("measure");
	build_schedule(s, &sched);
	sys_before = sysstat_snapshot();
	if (tr.inst)
		tracer_on(&tr);
	res.t0_ns = now_mono_ns();
	result_event(&res, "run", "measure", s->name, "", "ok", -1, "start of measurement");
	{
		uint64_t end = res.t0_ns + s->duration_ms * 1000000ull, next_progress = 1000;
		uint64_t last_ms = 0;
		long long last_done = 0;
		size_t next = 0;

		while (!stop_signal && now_mono_ns() < end) {
			uint64_t t_ms = (now_mono_ns() - res.t0_ns) / 1000000ull;

			while (next < sched.n && sched.a[next].at_ms <= t_ms && !stop_signal)
				do_action(s, &res, &sched.a[next++], orig_mask, &fs);
			if (t_ms >= next_progress) {
				progress(s, t_ms, &fs, &last_done, &last_ms);
				next_progress += 1000;
			}
			{
				uint64_t wake = end;

				if (next < sched.n)
					wake = res.t0_ns + sched.a[next].at_ms * 1000000ull;
				if (wake > res.t0_ns + next_progress * 1000000ull)
					wake = res.t0_ns + next_progress * 1000000ull;
				if (wake > end)
					wake = end;
				sleep_until(wake);
			}
		}
		/* actions not reached are skipped; restore below undoes the rest */
	}
	result_event(&res, "run", "measure", s->name, "", stop_signal ? "interrupted" : "ok", -1,
		     "end of measurement");
	result_flush(&res);
	if (tr.inst)
		tracer_off(&tr);
	{
		json_t *after = sysstat_snapshot(), *d = sysstat_delta(sys_before, after);

		result_write_json(&res, "sysstat.json", d);
		json_decref(d);
		json_decref(after);
	}

teardown:
	if (started) {
		char *text;

		r = kmodctl_write("control", "stop");
		if (r < 0)
			result_check(&res, "work_stopped", CHECK_FAIL, "control stop: %s",
				     strerror(-r));
		text = kmodctl_read("stats");
		stats = text ? kmodctl_parse_stats(text) : NULL;
		if (text) {
			p = path_join(res.dir, "kmod-stats.txt");
			write_file_atomic(p, text, strlen(text), 0644);
			free(p);
		}
		if (stats) {
			result_write_json(&res, "kmod-stats.json", stats);
			judge_module(&res, stats);
		} else {
			result_check(&res, "work_ran", CHECK_FAIL, "module stats unreadable");
		}
		free(text);
		text = kmodctl_read("hist");
		if (text) {
			p = path_join(res.dir, "kmod-hist.txt");
			write_file_atomic(p, text, strlen(text), 0644);
			free(p);
			free(text);
		}
	}
	if (tr.inst) {
		char *dat = path_join(res.dir, "trace.dat");
		json_t *tst = NULL;

		if (tracer_save(&tr, dat, &tst, &err) < 0) {
			result_check(&res, "trace", CHECK_FAIL, "%s", err);
			free(err);
			err = NULL;
		} else {
			long long ov = json_integer_value(json_object_get(tst, "overrun"));
			long long dr = json_integer_value(json_object_get(tst, "dropped"));
			long long en = json_integer_value(json_object_get(tst, "entries"));

			/* lost events are reported; analysis says what they affect */
			result_check(&res, "trace", CHECK_PASS,
				     "trace.dat: %lld events kept, %lld overwritten, %lld dropped",
				     en, ov, dr);
		}
		if (tst)
			json_object_set_new(res.extra, "trace", tst);
		tracer_destroy(&tr);
		free(dat);
	}
	if (sched.n || s->hotplug.mode != HOTPLUG_OFF) {
		json_t *hp = json_pack("{s:i,s:i,s:i,s:i,s:I,s:I,s:I,s:I,s:I,s:I}",
				       "offline_ok", fs.ok[0], "offline_attempts", fs.attempts[0],
				       "online_ok", fs.ok[1], "online_attempts", fs.attempts[1],
				       "offline_min_us", fs.min_us[0], "offline_max_us", fs.max_us[0],
				       "offline_sum_us", fs.sum_us[0], "online_min_us", fs.min_us[1],
				       "online_max_us", fs.max_us[1], "online_sum_us", fs.sum_us[1]);

		json_object_set_new(res.extra, "hotplug", hp);
		if (s->hotplug.mode != HOTPLUG_OFF)
			result_check(&res, "hotplug",
				     fs.attempts[0] && fs.ok[0] == fs.attempts[0] &&
				     fs.ok[1] == fs.attempts[1] ? CHECK_PASS : CHECK_FAIL,
				     "offline %u/%u ok (max %lld us), online %u/%u ok (max %lld us)",
				     fs.ok[0], fs.attempts[0], (long long)fs.max_us[0], fs.ok[1],
				     fs.attempts[1], (long long)fs.max_us[1]);
		if (s->cpumask.enabled)
			result_check(&res, "cpumask",
				     fs.mask_attempts && fs.mask_ok == fs.mask_attempts ?
				     CHECK_PASS : CHECK_FAIL,
				     "%u/%u cpumask writes ok, %u replaced by the kernel",
				     fs.mask_ok, fs.mask_attempts, fs.mask_replaced);
	}
	if (saved) {
		json_t *rep = NULL;

		r = state_restore(&rep);
		cpus_online(on_after);
		if (r == 0 && memcmp(on_before, on_after, sizeof(on_before)) == 0)
			result_check(&res, "state_restored", CHECK_PASS,
				     "CPUs online and cpumasks as before the run");
		else
			result_check(&res, "state_restored", CHECK_FAIL,
				     "restore incomplete; run 'wqbench restore'");
		json_object_set_new(res.extra, "restore", rep);
	}
	if (loaded) {
		r = kmodctl_unload();
		result_check(&res, "module_unload", r ? CHECK_FAIL : CHECK_PASS, "rmmod wqbench: %s",
			     r ? strerror(-r) : "ok");
	}
	if (dm.fd >= 0) {
		char *path = path_join(res.dir, "dmesg.txt");
		char *text;
		json_t *findings = NULL;
		size_t bad;

		dmesg_collect(&dm, path);
		dmesg_end(&dm);
		text = read_file(path, NULL);
		bad = dmesg_judge(text, NULL, &findings);
		if (bad) {
			json_t *f0 = json_array_get(findings, 0);

			result_check(&res, "dmesg", CHECK_FAIL, "%zu bad lines, first: %s", bad,
				     json_string_value(json_object_get(f0, "line")));
		} else {
			result_check(&res, "dmesg", CHECK_PASS, "no warnings, oopses or lockups");
		}
		json_object_set_new(res.extra, "dmesg_findings", findings);
		free(text);
		free(path);
	}
	complete = !stop_signal;
	if (stop_signal)
		result_check(&res, "interrupted", CHECK_FAIL, "stopped by signal %d",
			     (int)stop_signal);
	result_write_verdict(&res, s->name, complete);
	rc = result_failed(&res) || !complete ? 1 : 0;
	wqb_info("%s: verdict %s (%s)", s->name, rc ? "FAIL" : "pass", res.dir);
	json_decref(stats);
	json_decref(sys_before);
	free(sched.a);
	free(orig_mask);
	result_close(&res);
	return rc;
}
