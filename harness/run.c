// SPDX-License-Identifier: GPL-2.0
/*
 * Running scenarios and suites, in a QEMU guest (the default) or on the
 * running kernel with --host: the plan and its execution behind
 * `wqbench run` (harness/cmd_run.c parses its options).
 *
 * In the guest the same binary runs again as `wqbench run --host` (the host
 * root is shared read-only, so every path is the same there); the result
 * directory is the only writable share.  The host side adds what only it
 * can see -- the console, and whether the guest panicked, hung or never got
 * to the harness -- to the guest's summary.
 */
#include "run.h"
#include "hostrun.h"
#include "kernel.h"
#include "kmodbuild.h"
#include "result.h"
#include "scenario.h"
#include "runcmd.h"
#include "util.h"
#include "vm.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>


static char *self_exe(void)
{
	char *p = abs_path("/proc/self/exe");

	return p ? p : xstrdup("wqbench");
}

/* Merge what the host knows into the guest's summary (or create one). */
static void finish_guest_summary(const char *dir, const char *scenario,
				 const struct wqb_kernel *k, const struct vm_result *vr)
{
	char *sp = path_join(dir, "summary.json");
	json_t *j = json_load_file(sp, 0, NULL), *reasons, *guest;
	bool fail = false;
	const char *why = NULL;

	if (!j) {
		j = json_pack("{s:s,s:s,s:b,s:[],s:[]}", "scenario", scenario, "verdict", "fail",
			      "complete", 0, "reasons", "checks");
		why = "the guest harness wrote no summary.json";
		fail = true;
	}
	if (vr->outcome != VM_OK) {
		why = vr->reason;
		fail = true;
	} else if (vr->oops) {
		why = "the guest console shows an Oops/BUG/WARNING";
		fail = true;
	}
	reasons = json_object_get(j, "reasons");
	if (fail) {
		json_object_set_new(j, "verdict", json_string("fail"));
		if (why && json_is_array(reasons))
			json_array_append_new(reasons, json_sprintf("guest: %s", why));
	}
	guest = json_pack("{s:s,s:s,s:s,s:i,s:I,s:I,s:s,s:b}", "kernel", k->release,
			  "outcome", vm_outcome_name(vr->outcome), "accel", vr->accel_used,
			  "attempts", vr->attempts, "boot_ms", (json_int_t)vr->boot_ms,
			  "total_ms", (json_int_t)vr->total_ms, "reason", vr->reason,
			  "console_oops", vr->oops);
	if (vr->icount_used[0])
		json_object_set_new(guest, "icount", json_string(vr->icount_used));
	json_object_set_new(j, "guest", guest);
	if (json_write_atomic(j, sp, JSON_INDENT(2) | JSON_SORT_KEYS) < 0)
		wqb_err_write(sp, errno);
	if (fail) {
		/* a KTAP file must exist and say the run failed */
		char *kp = path_join(dir, "result.ktap");

		if (!path_exists(kp)) {
			char *t = xasprintf("KTAP version 1\n1..1\n# guest: %s\nnot ok 1 guest\n",
					    why ? why : "failed");

			write_file_atomic(kp, t, strlen(t), 0644);
			free(t);
		}
		free(kp);
	}
	json_decref(j);
	free(sp);
}

static const char *verdict_of(const char *dir)
{
	char *sp = path_join(dir, "summary.json");
	json_t *j = json_load_file(sp, 0, NULL);
	const char *v = "fail";

	if (j && json_is_string(json_object_get(j, "verdict")) &&
	    strcmp(json_string_value(json_object_get(j, "verdict")), "pass") == 0)
		v = "pass";
	else if (j && json_is_string(json_object_get(j, "verdict")) &&
		 strcmp(json_string_value(json_object_get(j, "verdict")), "skip") == 0)
		v = "skip";
	json_decref(j);
	free(sp);
	return v;
}

/*
 * One run of a suite, planned before any guest boots.  Consecutive runs that
 * want the same guest (vCPUs, memory) share one boot: booting
 * is most of the cost of a short scenario under TCG.
 */
struct planned_run {
	char *path;		/* scenario file, absolute */
	char *name;		/* scenario name */
	unsigned int rep;	/* 1-based repetition */
	int cpus;
	uint64_t memory_mib, disk_mib;
	uint64_t budget_ms;	/* warmup + duration: the guest's time limit is this + grace */
	char *label;		/* progress label */
	char **expect_dmesg;	/* [expect] dmesg, NULL-terminated: allowed on the console */
	char *dir;		/* result directory, once created */
	int rc;			/* -1 pending, else 0 pass, 1 fail, 2 error */
};

/* A scratch disk does not split a batch: the batch gets the largest asked for. */
static bool same_guest(const struct planned_run *a, const struct planned_run *b)
{
	return a->cpus == b->cpus && a->memory_mib == b->memory_mib;
}

#define RUN_BEGIN MARK_PREFIX "run-begin "
#define RUN_END MARK_PREFIX "run-end "

/*
 * The start of the first line at or after from (itself a line start) that
 * holds needle, or NULL.
 */
static const char *find_line(const char *from, const char *needle)
{
	const char *m = from ? strstr(from, needle) : NULL;

	while (m && m > from && m[-1] != '\n')
		m--;
	return m;
}

/* The line after the one starting at line, or NULL at the end. */
static const char *line_after(const char *line)
{
	const char *nl = strchr(line, '\n');

	return nl ? nl + 1 : NULL;
}

/*
 * Give run i of a batch its own console.log -- the boot log up to the first
 * run plus the console of its own run -- and the outcome seen there.
 * Returns false when the console shows the run never began.
 */
static bool split_console(const char *console, size_t nth, const char *dir,
			  const struct vm_result *batch, bool last_begun,
			  const char *const *expect_dmesg, struct vm_result *vr)
{
	const char *first = find_line(console, RUN_BEGIN), *seg = first, *next, *end_m;
	char *path, *text;
	size_t seg_len;

	for (size_t i = 0; seg && i < nth; i++)
		seg = find_line(line_after(seg), RUN_BEGIN);
	if (!seg)
		return false;
	next = find_line(line_after(seg), RUN_BEGIN);
	seg_len = next ? (size_t)(next - seg) : strlen(seg);
	text = xasprintf("%.*s%.*s", (int)(first - console), console, (int)seg_len, seg);
	path = path_join(dir, "console.log");
	write_file_atomic(path, text, strlen(text), 0644);
	free(path);

	*vr = *batch;
	/* a report the scenario provokes on purpose is no oops of its run */
	vr->oops = vm_text_has_unexpected_oops(text + (first - console), expect_dmesg);
	end_m = strstr(seg, RUN_END);
	if (end_m && (!next || end_m < next)) {
		vr->outcome = VM_OK;
		vr->harness_rc = atoi(end_m + strlen(RUN_END));
		vr->reason[0] = '\0';
	} else if (batch->outcome == VM_OK || !last_begun) {
		/* the harness went on or exited without closing this run */
		vr->outcome = VM_HANG;
		snprintf(vr->reason, sizeof(vr->reason),
			 "the guest harness never finished this run");
	}
	free(text);
	return true;
}

/*
 * Runs runs[first..] that share a guest in one boot.  Returns how many were
 * settled (rc set); the rest are booted again.
 */
static size_t run_batch_in_guest(const struct run_opts *ro, const struct wqb_kernel *k,
				 const char *ko, const char *results_root,
				 struct planned_run *runs, size_t first, size_t n)
{
	char *exe = self_exe(), *id = result_new_run_id("batch", k->name), *list_text = NULL;
	char *bname = xasprintf(".%s", id), *list = path_join(results_root, bname);
	char *console_path = xasprintf("%s.console", list), *console;
	struct argv_buf ga = { 0 }, keep = { 0 };
	struct vm_opts vo = { 0 };
	struct vm_result vr = { 0 };
	size_t settled = 0, begun = 0;
	char *guest_list;

	/* result directories first: the guest writes straight into them */
	for (size_t i = first; i < first + n; i++) {
		char *rid = result_new_run_id(runs[i].name, k->name), *t;

		runs[i].dir = path_join(results_root, rid);
		if (mkdir_p(runs[i].dir, 0755) < 0) {
			wqb_err("cannot create %s: %s", runs[i].dir, strerror(errno));
			free(rid);
			n = i - first;
			break;
		}
		t = xasprintf("%s%s/%s\t%s\t%s\n", list_text ? list_text : "", WQB_GUEST_RESULT_DIR,
			      rid, runs[i].path, runs[i].label);
		free(rid);
		free(list_text);
		list_text = t;
	}
	if (!n || write_file_atomic(list, list_text, strlen(list_text), 0644) < 0) {
		if (n)
			wqb_err("cannot write %s: %s", list, strerror(errno));
		for (size_t i = first; i < first + (n ? n : 1); i++)
			runs[i].rc = 2;
		settled = n ? n : 1;
		goto out;
	}
	guest_list = path_join(WQB_GUEST_RESULT_DIR, bname);
	argv_add(&ga, exe);
	argv_add(&ga, "run");
	argv_add(&ga, "--host");
	argv_add(&ga, "--batch");
	argv_add(&ga, guest_list);
	argv_add(&ga, "--kmod");
	argv_add(&ga, ko);
	if (ro->duration_ms) {
		argv_add(&ga, "--duration");
		argv_addf(&ga, "%llums", (unsigned long long)ro->duration_ms);
	}
	if (k->config && path_exists(k->config)) {
		argv_add(&ga, "--kernel-config");
		argv_add(&ga, k->config);
	}
	free(guest_list);
	vo.kernel = k;
	vo.cpus = runs[first].cpus;
	vo.memory_mib = runs[first].memory_mib;
	for (size_t i = first; i < first + n; i++)
		if (runs[i].disk_mib > vo.scratch_disk_mib)
			vo.scratch_disk_mib = runs[i].disk_mib;
	vo.accel = ro->accel;
	vo.icount = ro->icount;
	vo.share_dir = results_root;
	vo.guest_argv = ga.v;
	for (size_t i = first; i < first + n; i++)
		argv_add(&keep, runs[i].path);
	vo.keep_paths = keep.v;
	vo.console_log = console_path;
	vo.run_timeout_ms = ro->grace_s * 1000;
	vo.run_grace_ms = ro->grace_s * 1000;
	vo.extra_cmdline = ro->append;
	vo.progress_label = runs[first].label;
	vo.init_override = ro->guest_init;
	wqb_info("booting %s in QEMU (%d vCPUs) for %zu run%s", k->release, vo.cpus, n,
		 n > 1 ? "s" : "");
	if (vm_run(&vo, &vr) < 0) {
		for (size_t i = first; i < first + n; i++)
			runs[i].rc = 2;
		settled = n;
		goto out;
	}
	console = read_file(console_path, NULL);
	for (const char *b = console ? find_line(console, RUN_BEGIN) : NULL; b;
	     b = find_line(line_after(b), RUN_BEGIN))
		begun++;
	for (size_t i = first; i < first + n; i++) {
		struct vm_result rv;
		size_t nth = i - first;

		if (!console || !split_console(console, nth, runs[i].dir, &vr,
					       nth + 1 == begun,
					       (const char *const *)runs[i].expect_dmesg, &rv)) {
			if (begun && vr.outcome != VM_OK)
				break;	/* an earlier run took the guest down: boot again */
			/* nothing ran in this boot (vm_run already retried it) */
			rv = vr;
			if (rv.outcome == VM_OK) {
				rv.outcome = VM_NO_HARNESS;
				snprintf(rv.reason, sizeof(rv.reason),
					 "the guest harness never started this run");
			}
			if (console) {
				char *cp = path_join(runs[i].dir, "console.log");

				write_file_atomic(cp, console, strlen(console), 0644);
				free(cp);
			}
		}
		finish_guest_summary(runs[i].dir, runs[i].name, k, &rv);
		runs[i].rc = strcmp(verdict_of(runs[i].dir), "pass") == 0 ? 0 :
			     strcmp(verdict_of(runs[i].dir), "skip") == 0 ? WQB_RC_SKIP : 1;
		if (rv.outcome != VM_OK)
			wqb_err("%s: %s (console: %s/console.log)", runs[i].name, rv.reason,
				runs[i].dir);
		settled++;
	}
	/* runs the guest never got to keep no half-made directory */
	for (size_t i = first + settled; i < first + n; i++) {
		rmdir(runs[i].dir);
		free(runs[i].dir);
		runs[i].dir = NULL;
	}
	free(console);
out:
	unlink(list);
	unlink(console_path);
	argv_free(&ga);
	argv_free(&keep);
	free(list_text);
	free(console_path);
	free(list);
	free(bname);
	free(id);
	free(exe);
	return settled;
}

/*
 * One scenario on the running kernel, into result_dir (or a new directory
 * under results_root).  Returns 0 pass, 1 fail, 2 error.
 */
static int run_on_host(const struct run_opts *ro, const char *scenario_path,
		       const char *result_dir, const char *results_root, char **dir_out)
{
	struct hostrun_opts ho = { .kernel_config = ro->kernel_config };
	struct wqb_scenario s;
	struct utsname u;
	char *ko, *err;
	int rc;

	*dir_out = NULL;
	if (scenario_load(scenario_path, &s, &err) < 0) {
		wqb_err("%s", err);
		free(err);
		return 2;
	}
	if (ro->duration_ms)
		s.duration_ms = ro->duration_ms;
	uname(&u);
	ko = ro->kmod ? xstrdup(ro->kmod) : kmod_path_for_release(u.release);
	if (!path_exists(ko)) {
		wqb_err("no module %s for the running kernel %s: run 'make kmod' (needs its headers) or pass --kmod",
			ko, u.release);
		free(ko);
		scenario_free(&s);
		return 2;
	}
	if (result_dir) {
		*dir_out = xstrdup(result_dir);
	} else {
		char *id = result_new_run_id(s.name, "host");

		*dir_out = path_join(results_root, id);
		free(id);
	}
	ho.result_dir = *dir_out;
	ho.ko_path = ko;
	rc = hostrun_execute(&s, &ho);
	free(ko);
	scenario_free(&s);
	return rc;
}

/*
 * The guest side of a batch: each line of the list is
 * "RESULT_DIR<TAB>SCENARIO<TAB>LABEL".  Each run is framed by run-begin and
 * run-end console markers, from which the host tells the runs apart.
 */
int run_batch_on_host(const struct run_opts *ro, const char *list)
{
	char *text = read_file(list, NULL), *line, *save = NULL;
	int worst = 0;

	if (!text) {
		wqb_err("cannot read the batch list %s: %s", list, strerror(errno));
		return 2;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *dir = line, *scen = strchr(dir, '\t'), *label, *got = NULL;
		struct wqb_scenario s;
		uint64_t budget = 0;
		char *err;
		int rc;

		label = scen ? strchr(scen + 1, '\t') : NULL;
		if (!label) {
			wqb_err("%s: malformed batch line '%s'", list, line);
			worst = 2;
			break;
		}
		*scen++ = '\0';
		*label++ = '\0';
		if (scenario_load(scen, &s, &err) == 0) {
			budget = s.warmup_ms + (ro->duration_ms ? ro->duration_ms : s.duration_ms);
			scenario_free(&s);
		} else {
			free(err);	/* run_on_host reports it */
		}
		printf("%s%llu %s\n", RUN_BEGIN, (unsigned long long)budget, label);
		fflush(stdout);
		rc = run_on_host(ro, scen, dir, NULL, &got);
		free(got);
		printf("%s%d\n", RUN_END, rc);
		fflush(stdout);
		if (rc != WQB_RC_SKIP && rc > worst)
			worst = rc;
	}
	free(text);
	return worst;
}

/* Print a run's KTAP indented as a subtest of the suite stream. */
static void ktap_subtest(FILE *f, const char *dir, size_t n, const char *name, int rc)
{
	char *kp = dir ? path_join(dir, "result.ktap") : NULL;
	char *text = kp ? read_file(kp, NULL) : NULL, *line, *save = NULL;

	if (text)
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			fprintf(f, "  %s\n", line);
	if (rc == WQB_RC_SKIP) {
		char *sp = dir ? path_join(dir, "summary.json") : NULL;
		json_t *j = sp ? json_load_file(sp, 0, NULL) : NULL;
		const char *why = json_string_value(json_object_get(j, "skip_reason"));

		fprintf(f, "ok %zu %s # SKIP %s\n", n, name, why ? why : "requirements not met");
		json_decref(j);
		free(sp);
	} else {
		fprintf(f, "%s %zu %s\n", rc == 0 ? "ok" : "not ok", n, name);
	}
	free(text);
	free(kp);
}

/*
 * Every run of target (a scenario or a suite), its files checked, the
 * results directory made, the guest kernel and its module ready.  Returns 0,
 * or 2 with nothing booted.
 */
int run_plan(const struct run_opts *ro, const char *target, struct run_plan *pl)
{
	struct wqb_suite *suite = &pl->suite;
	char *err = NULL;

	if (is_suite_path(target)) {
		if (suite_load(target, suite, &err) < 0) {
			wqb_err("%s", err);
			free(err);
			return 2;
		}
	} else {
		suite->e = xcalloc(1, sizeof(*suite->e));
		suite->e[0].path = xstrdup(target);
		suite->e[0].repetitions = 0;	/* from the scenario */
		suite->n = 1;
	}
	/* validate everything, with the run's --duration, before any guest boots */
	for (size_t i = 0; i < suite->n; i++) {
		struct wqb_scenario s;

		if (scenario_load_for(suite->e[i].path, ro->duration_ms, &s, &err) < 0) {
			wqb_err("%s", err);
			free(err);
			return 2;
		}
		if (!suite->e[i].repetitions)
			suite->e[i].repetitions = s.repetitions;
		pl->total += suite->e[i].repetitions;
		scenario_free(&s);
	}
	pl->results_root = ro->results_root ? xstrdup(ro->results_root)
					    : path_join(wqb_src_dir(), "results");
	if (!ro->result_dir && mkdir_p(pl->results_root, 0755) < 0) {
		wqb_err("cannot create %s: %s", pl->results_root, strerror(errno));
		return 2;
	}
	if (!ro->host) {
		if ((ro->kernel_image || ro->kernel_build)
			    ? kernel_custom(ro->kernel_image, ro->kernel_build, &pl->k) < 0
			    : kernel_resolve(ro->kernel, true, &pl->k) < 0)
			return 2;
		pl->have_kernel = true;
		if (kmod_ensure_built(&pl->k, &pl->ko) < 0)
			return 2;
	}
	pl->runs = xcalloc(pl->total, sizeof(*pl->runs));
	for (size_t i = 0, r = 0; i < suite->n; i++) {
		struct wqb_scenario s;

		if (scenario_load(suite->e[i].path, &s, &err) < 0) {
			/* checked above; the file changed under us */
			wqb_err("%s", err);
			free(err);
			return 2;
		}
		for (unsigned int rep = 0; rep < suite->e[i].repetitions; rep++, r++) {
			struct planned_run *p = &pl->runs[r];

			p->path = abs_path(s.path);
			p->name = xstrdup(s.name);
			p->rep = rep + 1;
			p->cpus = (int)(ro->cpus ? ro->cpus : s.cpus);
			p->memory_mib = ro->memory_mib ? ro->memory_mib : s.memory_mib;
			if (s.fio.enabled && strcmp(s.fio.target, "disk") == 0)
				p->disk_mib = s.fio.disk_mib;
			p->budget_ms = s.warmup_ms + (ro->duration_ms ? ro->duration_ms : s.duration_ms);
			p->label = xasprintf("[%zu/%zu] %s on %s", r + 1, pl->total, s.name,
					     ro->host ? "host" : pl->k.name);
			p->expect_dmesg = xcalloc(s.expect.ndmesg + 1, sizeof(char *));
			for (size_t e = 0; e < s.expect.ndmesg; e++)
				p->expect_dmesg[e] = xstrdup(s.expect.dmesg[e]);
			p->rc = -1;
			if (!p->path || strpbrk(p->path, "\t\n")) {
				wqb_err("%s: a scenario path with a tab or newline cannot be passed to the guest",
					s.path);
				scenario_free(&s);
				return 2;
			}
		}
		scenario_free(&s);
	}
	return 0;
}

/* Every planned run, a guest boot per batch (or here with --host); the suite's KTAP. */
int run_execute(const struct run_opts *ro, struct run_plan *pl)
{
	struct planned_run *runs = pl->runs;
	size_t total = pl->total, failed = 0, skipped = 0;
	int rc = 0;

	if (total > 1)
		printf("KTAP version 1\n1..%zu\n", total);
	for (size_t next = 0; next < total;) {
		size_t n = 1, done;

		if (ro->host) {
			runs[next].rc = run_on_host(ro, runs[next].path, ro->result_dir,
						    pl->results_root, &runs[next].dir);
			done = 1;
		} else {
			while (next + n < total && same_guest(&runs[next], &runs[next + n]))
				n++;
			done = run_batch_in_guest(ro, &pl->k, pl->ko, pl->results_root, runs, next, n);
		}
		for (size_t i = next; i < next + done; i++) {
			const struct planned_run *p = &runs[i];
			char *name = xasprintf("%s_rep%u", p->name, p->rep);

			if (p->dir && !ro->result_dir)
				result_update_latest(pl->results_root, p->dir);
			if (total > 1)
				ktap_subtest(stdout, p->dir, i + 1, name, p->rc);
			printf("%s %s%s%s\n",
			       p->rc == 0 ? "PASS" : p->rc == WQB_RC_SKIP ? "SKIP" : "FAIL", p->name,
			       p->dir ? "  " : "", p->dir ? p->dir : "");
			fflush(stdout);
			if (p->rc == WQB_RC_SKIP)
				skipped++;
			else if (p->rc)
				failed++;
			if (p->rc == 2)
				rc = 2;
			free(name);
		}
		next += done;
	}
	if (!rc && failed)
		rc = 1;
	if (total > 1)
		printf("# wqbench: %zu runs, %zu passed, %zu failed, %zu skipped\n", total,
		       total - failed - skipped, failed, skipped);
	return rc;
}

void run_plan_free(struct run_plan *pl)
{
	for (size_t i = 0; pl->runs && i < pl->total; i++) {
		struct planned_run *r = &pl->runs[i];

		free(r->path);
		free(r->name);
		free(r->label);
		for (size_t e = 0; r->expect_dmesg && r->expect_dmesg[e]; e++)
			free(r->expect_dmesg[e]);
		free(r->expect_dmesg);
		free(r->dir);
	}
	free(pl->runs);
	if (pl->have_kernel)
		kernel_free(&pl->k);
	free(pl->ko);
	free(pl->results_root);
	suite_free(&pl->suite);
}
