// SPDX-License-Identifier: GPL-2.0
/* [group NAME] sections by kmod/wqbench_uapi.h's key table (groupdef.h). */
#include "groupdef.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>

struct gd_ctx {
	struct wqb_groupdef *g;
	size_t n, max;
	char why[200];		/* the first thing refused */
};

static struct wqb_groupdef *gd_for(struct gd_ctx *c, const char *name)
{
	struct wqb_groupdef *g;

	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->g[i].name, name))
			return &c->g[i];
	if (c->n >= c->max || strlen(name) > WQB_GROUPDEF_NAME_MAX)
		return NULL;
	g = &c->g[c->n++];
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
	wqbench_group_defaults(g->val);
	return g;
}

static int gd_handler(void *user, const char *section, const char *key, const char *value)
{
	struct gd_ctx *c = user;
	struct wqb_groupdef *g;
	const char *why;
	int k;
	__u64 v;

	if (strncmp(section, "group ", 6))
		return 1;
	if (!(g = gd_for(c, section + 6))) {
		snprintf(c->why, sizeof(c->why), "[%s]: more than %zu groups or a name over %d characters",
			 section, c->max, WQB_GROUPDEF_NAME_MAX);
		return 0;
	}
	k = wqbench_group_key(key, strlen(key));
	if (k < 0 || k == WQBENCH_GK_NAME) {
		snprintf(c->why, sizeof(c->why), "[%s]: '%s' is not a group key", section, key);
		return 0;
	}
	if (wqbench_key_parse(&wqbench_group_keys[k], value, &v, &why)) {
		snprintf(c->why, sizeof(c->why), "[%s] %s = %s: %s", section, key, value, why);
		return 0;
	}
	g->val[k] = v;
	g->unbound = (g->val[WQBENCH_GK_FLAGS] & WQBENCH_FLAG_UNBOUND) ||
		     g->val[WQBENCH_GK_WQ] == WQBENCH_WQ_UNBOUND;
	return 1;
}

int groupdefs_read(const char *path, struct wqb_groupdef *g, size_t max, char *err,
		   size_t errlen)
{
	struct gd_ctx c = { .g = g, .max = max };
	int r = ini_parse(path, gd_handler, &c);

	if (r == -1) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (r) {
		snprintf(err, errlen, "%s:%d: %s", path, r,
			 c.why[0] ? c.why : r < 0 ? "out of memory" : "not a line of a scenario file");
		return -1;
	}
	return (int)c.n;
}
