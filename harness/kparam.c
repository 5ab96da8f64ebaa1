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

int kparam_apply(const struct wqb_scenario *s, struct run_result *res)
{
	json_t *all = json_array();
	char done[1024] = "";
	size_t used = 0;
	int r = 0;

	for (size_t i = 0; i < s->nkparams; i++) {
		const struct wqb_kparam *k = &s->kparams[i];
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
		json_array_append_new(all, json_pack("{s:s,s:s,s:s?,s:s?,s:s?}", "name", name,
						      "value", k->value, "was", was, "reads", now,
						      "error", why));
		if (why) {
			result_check(res, "kparam", CHECK_FAIL, "%s:%d: %s = %s: %s", s->path, k->line,
				     name, k->value, why);
		} else {
			if (used < sizeof(done))
				used += (size_t)snprintf(done + used, sizeof(done) - used,
							 "%s%s = %s (was %s)", used ? ", " : "", name,
							 now ? now : "?", was);
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
	if (!r && s->nkparams)
		result_check(res, "kparam", CHECK_PASS, "%s; put back after the run", done);
	return r;
}
