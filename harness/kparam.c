// SPDX-License-Identifier: GPL-2.0
/*
 * [kparam]: module parameters set for a run (docs/scenario.md).
 */
#include "kparam.h"
#include "state.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *kparam_path(const char *module, const char *param)
{
	const char *r = getenv("WQBENCH_SYSFS");

	return xasprintf("%s/module/%s/parameters/%s", r && *r ? r : "/sys", module, param);
}

bool kparam_present(const struct wqb_scenario *s, char *why, size_t len)
{
	for (size_t i = 0; i < s->nkparams; i++) {
		const struct wqb_kparam *k = &s->kparams[i];
		char *p = kparam_path(k->module, k->param);
		bool there = path_exists(p);

		if (!there)
			snprintf(why, len,
				 "kparam %s.%s: this kernel has no such parameter (no %s): the option that declares it is off or the kernel predates it",
				 k->module, k->param, p);
		free(p);
		if (!there)
			return false;
	}
	return true;
}

static bool scenario_sets(const struct wqb_scenario *s, const char *module, const char *param)
{
	for (size_t i = 0; i < s->nkparams; i++)
		if (!strcmp(s->kparams[i].module, module) && !strcmp(s->kparams[i].param, param))
			return true;
	return false;
}

static bool has_param(const char *module, const char *param)
{
	char *p = kparam_path(module, param);
	bool yes = path_exists(p);

	free(p);
	return yes;
}

/*
 * What the harness sets when the scenario does not (docs/scenario.md,
 * "What the harness sets itself").  Under TCG with thread=single one
 * host thread runs the vCPUs in turn, and a vCPU waiting for its turn is
 * frozen while the guest's clock runs on: the task it was running is
 * charged for the other vCPUs' time.  The CPU-intensive mechanism
 * (wq_worker_tick(), 6.5+) then finds per-CPU work items of tens of
 * microseconds "running" past its 10 ms, and a kernel with
 * CONFIG_WQ_CPU_INTENSIVE_REPORT logs "hogged CPU for >10000us" in every
 * busy run.  There the threshold goes up to 1 s -- the ceiling the kernel
 * itself scales it to on slow CPUs (wq_cpu_intensive_thresh_init()) --
 * so the report means a real hog.  Kernels without the reporter are left
 * alone: nothing false is logged there, and their figures stay comparable
 * with earlier runs.  A scenario that sets the threshold gets its own.
 */
#define WQB_TCG_CPU_INTENSIVE_US "1000000"

static size_t harness_defaults(const struct wqb_scenario *s, struct wqb_kparam *d)
{
	const char *accel = getenv("wqbench_accel");
	size_t n = 0;

	if (accel && !strcmp(accel, "tcg") &&
	    has_param("workqueue", "cpu_intensive_warning_thresh") &&
	    has_param("workqueue", "cpu_intensive_thresh_us") &&
	    !scenario_sets(s, "workqueue", "cpu_intensive_thresh_us"))
		d[n++] = (struct wqb_kparam){ .module = "workqueue",
					      .param = "cpu_intensive_thresh_us",
					      .value = WQB_TCG_CPU_INTENSIVE_US };
	return n;
}

int kparam_apply(const struct wqb_scenario *s, struct run_result *res)
{
	struct wqb_kparam defaults[1];
	size_t ndefaults = harness_defaults(s, defaults);
	json_t *all = json_array();
	char done[1024] = "";
	size_t used = 0;
	int r = 0;

	for (size_t i = 0; i < s->nkparams + ndefaults; i++) {
		bool dflt = i >= s->nkparams;
		const struct wqb_kparam *k = dflt ? &defaults[i - s->nkparams] : &s->kparams[i];
		char *p = kparam_path(k->module, k->param), *name, *was, *now = NULL, *why = NULL;

		name = xasprintf("%s.%s", k->module, k->param);
		was = read_file_trim(p);
		if (!was)
			why = xasprintf("cannot read %s: %s", p, strerror(errno));
		else if (state_add_file(p) < 0)	/* nothing is written that could not be put back */
			why = xasprintf("cannot record %s in the state file %s: not written", p,
					state_file_path());
		else if (write_file_str(p, k->value) < 0)
			why = xasprintf("the kernel refused the write to %s: %s%s", p, strerror(errno),
					errno == EACCES ? " (a read-only parameter?)" : "");
		else
			now = read_file_trim(p);
		json_array_append_new(all, json_pack("{s:s,s:s,s:s?,s:s?,s:s?,s:s}", "name", name,
						      "value", k->value, "was", was, "reads", now,
						      "error", why, "set_by",
						      dflt ? "harness (TCG)" : "scenario"));
		if (why && dflt) {
			result_check(res, "kparam", CHECK_FAIL,
				     "%s = %s (the harness's default under TCG): %s", name, k->value,
				     why);
		} else if (why) {
			result_check(res, "kparam", CHECK_FAIL, "%s:%d: %s = %s: %s", s->path, k->line,
				     name, k->value, why);
		} else if (used < sizeof(done)) {
			used += (size_t)snprintf(done + used, sizeof(done) - used, "%s%s = %s (was %s%s)",
						 used ? ", " : "", name, now ? now : "?", was,
						 dflt ? "; the harness's default under TCG" : "");
		}
		free(now);
		free(was);
		free(name);
		free(p);
		if (why) {
			free(why);
			r = -1;
			break;
		}
	}
	json_object_set_new(res->extra, "kparam", all);
	if (!r && s->nkparams + ndefaults)
		result_check(res, "kparam", CHECK_PASS, "%s; put back after the run", done);
	return r;
}
