// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario and suite parsing, and `wqbench check`.
 *
 * libinih does the INI syntax; this file owns the meaning.  Every key a
 * section accepts is one row of a table below, with its type and range, so
 * an error can always say what is allowed.  The line reader handed to inih
 * counts lines (inih reports them only for syntax errors) and refuses
 * over-long lines instead of letting inih split them silently.
 */
#include "scenario.h"
#include "requires.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum key_type {
	K_UINT,		/* integer in [min, max] */
	K_BOOL,		/* 0|1 */
	K_ENUM,		/* one word of choices */
	K_FLAGS,	/* comma list of words of choices */
	K_CPULIST,	/* "0-2,5" */
	K_MIX,		/* "cpu:50,sleep:30" with words of choices */
	K_TEXT,		/* free text (global name/description) */
	K_DURATION,	/* "500ms", "4s" */
	K_SIZE,		/* "1G", "512M" */
	K_MASKLIST,	/* space list of hex cpumasks, or "random" */
	K_EVENTLIST,	/* space list of system:event */
	K_WORD,		/* [a-z0-9_] identifier */
	K_TOKENS,	/* space list of plain words (values, program arguments) */
	K_PATTERNS,	/* '|'-separated substrings */
	K_INT,		/* signed integer in [-min, max] */
};

struct key_spec {
	const char *key;
	enum key_type type;
	uint64_t min, max;
	const char *choices;	/* '|' separated, for K_ENUM/K_FLAGS/K_MIX */
	const char *help;
};

/*
 * [group NAME] keys: the wqbench.ko group interface (docs/kmod.md).  The
 * module validates again; checking here means a typo is reported with its
 * file and line before any guest boots.
 */
static const struct key_spec group_keys[] = {
	{ "wq", K_ENUM, 0, 0, "own|system|system_highpri|system_long|system_unbound",
	  "workqueue: the group's own or a system one" },
	{ "flags", K_FLAGS, 0, 0,
	  "unbound|highpri|cpu_intensive|mem_reclaim|freezable|power_efficient|ordered|bh",
	  "flags of the group's own workqueue" },
	{ "max_active", K_UINT, 0, 512, NULL, "0 = kernel default" },
	{ "kind", K_ENUM, 0, 0, "cpu|sleep|requeue|mixed|hog", "kind of work" },
	{ "work_us", K_UINT, 0, 10000000, NULL, "service time per item" },
	{ "resched", K_BOOL, 0, 1, NULL, "cond_resched() while busy" },
	{ "requeue", K_ENUM, 0, 0, "immediate|delayed|hop", "how requeue work requeues" },
	{ "requeue_delay_us", K_UINT, 0, 10000000, NULL, "delay for requeue=delayed" },
	{ "mix", K_MIX, 0, 0, "cpu|sleep|requeue", "weights for kind=mixed" },
	{ "hog_ms", K_UINT, 0, 60000, NULL, "spin time for kind=hog" },
	{ "placement", K_ENUM, 0, 0, "local|cpu|cpus|rr|node", "where items are queued" },
	{ "cpu", K_UINT, 0, 8191, NULL, "CPU for placement=cpu" },
	{ "cpus", K_CPULIST, 0, 8191, NULL, "CPU list for placement=cpus" },
	{ "node", K_UINT, 0, 1023, NULL, "NUMA node for placement=node" },
	{ "shape", K_ENUM, 0, 0, "closed|open", "closed loop or open-loop arrivals" },
	{ "inflight", K_UINT, 1, 4096, NULL, "items in flight (closed loop)" },
	{ "rate", K_UINT, 1, 10000000, NULL, "arrivals per second (open loop)" },
	{ "max_items", K_UINT, 0, UINT64_MAX, NULL, "stop after this many items (0 = no limit)" },
	{ "max_ms", K_UINT, 0, 86400000, NULL, "stop after this long (0 = no limit)" },
	{ "jitter_pct", K_UINT, 0, 100, NULL, "random +- spread of service times" },
	{ "seed", K_UINT, 0, UINT64_MAX, NULL, "RNG seed of the group" },
	{ "instrument", K_ENUM, 0, 0, "full|bare", "per-item timing on or off" },
	{ "sample_every", K_UINT, 0, 1000000, NULL, "raw records: 0 none, 1 all, K 1-in-K" },
	{ "grace_ms", K_UINT, 0, 60000, NULL, "cpumask-change grace window" },
	{ "alloc_bytes", K_UINT, 0, 65536, NULL,
	  "bytes kmalloc'd (GFP_NOWAIT) and freed by each execution; 0 = none" },
	{ "selftest", K_ENUM, 0, 0, "none|lose|dup|misplace|escape", "make an oracle fire" },
	{ 0 }
};

static const struct key_spec global_keys[] = {
	{ "name", K_WORD, 1, 64, NULL, "scenario name" },
	{ "description", K_TEXT, 0, 0, NULL, "one line for reports" },
	{ "duration", K_DURATION, 100, 86400000, NULL, "measured phase" },
	{ "warmup", K_DURATION, 0, 3600000, NULL, "unmeasured phase before it" },
	{ "until", K_ENUM, 0, 0, "duration|faults",
	  "end of the measured phase: its duration, or when every fault source has done its plan (duration the limit)" },
	{ "repetitions", K_UINT, 1, 1000, NULL, "runs of this scenario" },
	{ "seed", K_UINT, 0, UINT64_MAX, NULL, "seed of every random choice" },
	{ "cpus", K_UINT, 1, 64, NULL, "guest vCPUs" },
	{ "memory", K_SIZE, 256, 65536, NULL, "guest memory" },
	{ "requires", K_FLAGS, 0, 0, REQUIRES_CHOICES,
	  "kernel features and tools the scenario needs (SKIP without them)" },
	{ 0 }
};

static const struct key_spec hotplug_keys[] = {
	{ "mode", K_ENUM, 0, 0, "off|sequential|random|all_but_one", "fault schedule" },
	{ "cpus", K_CPULIST, 0, 8191, NULL, "CPUs to use (default: all but CPU 0)" },
	{ "start", K_DURATION, 0, 86400000, NULL, "first action (holdoff)" },
	{ "interval", K_DURATION, 1, 86400000, NULL, "time between actions" },
	{ "fuzz", K_DURATION, 0, 86400000, NULL, "random: +- spread of the interval" },
	{ "cycles", K_UINT, 1, 1000000, NULL, "sequential/all_but_one: passes" },
	{ "count", K_UINT, 0, 100000000, NULL, "random: actions (0 = until the end)" },
	{ "fail_state", K_TOKENS, 0, 0, NULL, "cpuhp state made to fail, e.g. workqueue:online" },
	{ "fail_every", K_UINT, 0, 1000000, NULL, "every Nth transition fails (0 = never)" },
	{ 0 }
};

static const struct key_spec cpumask_keys[] = {
	{ "target", K_WORD, 1, 16, NULL, "global, or a group name" },
	{ "masks", K_MASKLIST, 0, 0, NULL, "hex masks applied in turn, or random" },
	{ "count", K_UINT, 0, 100000000, NULL, "random: changes (0 = until the end)" },
	{ "start", K_DURATION, 0, 86400000, NULL, "first change" },
	{ "interval", K_DURATION, 1, 86400000, NULL, "time between changes" },
	{ 0 }
};

static const struct key_spec wqattr_keys[] = {
	{ "group", K_WORD, 1, 16, NULL, "an unbound group" },
	{ "attr", K_ENUM, 0, 0, "affinity_scope|affinity_strict|max_active|nice",
	  "WQ_SYSFS attribute" },
	{ "values", K_TOKENS, 0, 0, NULL, "values applied in turn" },
	{ "start", K_DURATION, 0, 86400000, NULL, "first change" },
	{ "interval", K_DURATION, 1, 86400000, NULL, "time between changes" },
	{ 0 }
};

static const struct key_spec inject_keys[] = {
	{ "type", K_ENUM, 0, 0, "failslab|fail_page_alloc", "fault-injection capability" },
	{ "probability", K_UINT, 0, 100, NULL, "percent of calls that fail" },
	{ "interval", K_UINT, 1, 1000000, NULL, "calls between failures" },
	{ "times", K_INT, 1, 1000000000, NULL, "failures at most (-1 = no limit)" },
	{ "kworkers", K_BOOL, 0, 1, NULL, "only kworker threads fail (task-filter)" },
	{ "start", K_DURATION, 0, 86400000, NULL, "arm at" },
	{ "duration", K_DURATION, 0, 86400000, NULL, "disarm after (0 = at the end)" },
	{ 0 }
};

static const struct key_spec slowdown_keys[] = {
	{ "where", K_ENUM, 0, 0, "queue|pickup|pool",
	  "queue_work under the pool lock, the worker's pickup, or process_one_work under the pool lock" },
	{ "delay_ns", K_UINT, 1, 10000000, NULL, "busy wait per slowed item" },
	{ "every", K_UINT, 1, 1000000, NULL, "slow one item in N" },
	{ "group", K_WORD, 1, 16, NULL, "only this group's items (default: every group)" },
	{ 0 }
};

static const struct key_spec stressng_keys[] = {
	{ "args", K_TOKENS, 0, 0, NULL, "stressor arguments, e.g. --cpu 2 --vm 1 --vm-bytes 64M" },
	{ 0 }
};

static const struct key_spec fio_keys[] = {
	{ "rw", K_ENUM, 0, 0, "read|write|randread|randwrite|rw|randrw", "I/O pattern" },
	{ "bs", K_TOKENS, 0, 0, NULL, "block size, e.g. 4k" },
	{ "size", K_TOKENS, 0, 0, NULL, "bytes per job, e.g. 64M" },
	{ "ioengine", K_ENUM, 0, 0, "psync|sync|libaio|io_uring|posixaio", "engine" },
	{ "iodepth", K_UINT, 1, 1024, NULL, "queue depth" },
	{ "numjobs", K_UINT, 1, 64, NULL, "jobs" },
	{ "direct", K_BOOL, 0, 1, NULL, "O_DIRECT (0 = buffered: writeback kworkers)" },
	{ "target", K_ENUM, 0, 0, "disk|file", "scratch virtio disk, or a file" },
	{ "layer", K_ENUM, 0, 0, "none|loop|dmcrypt",
	  "block layer between fio and the disk: a loop device or dm-crypt" },
	{ "disk", K_SIZE, 16, 65536, NULL, "scratch disk size" },
	{ 0 }
};

static const struct key_spec perf_keys[] = {
	{ "enabled", K_BOOL, 0, 1, NULL, "run perf stat" },
	{ "events", K_TOKENS, 0, 0, NULL, "perf -e list (comma separated)" },
	{ 0 }
};

static const struct key_spec expect_keys[] = {
	{ "dmesg", K_PATTERNS, 0, 0, NULL, "expected dmesg substrings, separated by |" },
	{ "checks", K_TOKENS, 0, 0, NULL, "checks expected to fail" },
	{ 0 }
};

static const struct key_spec trace_keys[] = {
	{ "enabled", K_BOOL, 0, 1, NULL, "record tracefs" },
	{ "events", K_EVENTLIST, 0, 0, NULL, "system:event list" },
	{ "buffer_kb", K_UINT, 64, 1048576, NULL, "ring buffer per CPU" },
	{ 0 }
};

/* Section kinds: "[name]" or "[name LABEL]" */
static const struct {
	const char *name;
	const struct key_spec *keys;
	int label;		/* 0 no label, 1 optional, 2 required */
} sections[] = {
	{ "global", global_keys, 0 },
	{ "group", group_keys, 2 },
	{ "hotplug", hotplug_keys, 0 },
	{ "cpumask", cpumask_keys, 1 },
	{ "wqattr", wqattr_keys, 2 },
	{ "faultinject", inject_keys, 0 },
	{ "slowdown", slowdown_keys, 0 },
	{ "stress-ng", stressng_keys, 0 },
	{ "fio", fio_keys, 0 },
	{ "perf", perf_keys, 0 },
	{ "kparam", NULL, 0 },		/* MODULE.PARAM keys: check_kparam() */
	{ "expect", expect_keys, 0 },
	{ "trace", trace_keys, 0 },
};

struct parse_ctx {
	struct wqb_scenario *s;
	const char *path;
	FILE *f;
	const char *str;	/* string input instead of f */
	int line;
	char *err;
	int err_line;
	char section[128];	/* last section seen, for duplicate checks */
	char seen[64][WQB_KPARAM_NAME_MAX + 1];	/* keys seen in this section */
	size_t nseen;
	char *sections[64];
	size_t nsections;
};

static void perr(struct parse_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void perr(struct parse_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (c->err)
		return;		/* the first error is the one to fix */
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	c->err = xasprintf("%s:%d: %s", c->path, c->line, msg);
	c->err_line = c->line;
	free(msg);
}

static bool word_in(const char *w, size_t len, const char *choices)
{
	const char *p = choices;

	while (*p) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);

		if (l == len && strncmp(p, w, len) == 0)
			return true;
		if (!bar)
			break;
		p = bar + 1;
	}
	return false;
}

int parse_duration_ms(const char *s, uint64_t *ms)
{
	char *end;
	double v;

	if (!s || !*s || !(isdigit((unsigned char)*s) || *s == '.'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || v < 0)
		return -1;
	if (!*end || strcmp(end, "s") == 0)
		v *= 1000;
	else if (strcmp(end, "ms") == 0)
		;
	else if (strcmp(end, "us") == 0)
		v /= 1000;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		v *= 60000;
	else if (strcmp(end, "h") == 0)
		v *= 3600000;
	else
		return -1;
	if (v > 1e15)
		return -1;
	*ms = (uint64_t)(v + 0.5);
	return 0;
}

static bool is_word(const char *v, size_t max)
{
	size_t n = strlen(v);

	if (!n || n > max)
		return false;
	for (; *v; v++)
		if (!islower((unsigned char)*v) && !isdigit((unsigned char)*v) && *v != '_')
			return false;
	return true;
}

/* "0-2,5" into cpus[]; returns count or -1 */
static int parse_cpulist(const char *v, int *cpus, size_t max, uint64_t maxcpu)
{
	char *copy = xstrdup(v), *tok, *save = NULL;
	size_t n = 0;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok, '-');
		uint64_t a, b;

		if (dash) {
			*dash = '\0';
			if (parse_u64(tok, &a) || parse_u64(dash + 1, &b) || b < a)
				goto bad;
		} else {
			if (parse_u64(tok, &a))
				goto bad;
			b = a;
		}
		if (b > maxcpu)
			goto bad;
		for (uint64_t c = a; c <= b; c++) {
			if (n >= max)
				goto bad;
			if (cpus)
				cpus[n] = (int)c;
			n++;
		}
	}
	free(copy);
	return n ? (int)n : -1;
bad:
	free(copy);
	return -1;
}

static bool is_hexmask(const char *v)
{
	size_t n = 0;

	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		v += 2;
	for (; *v; v++, n++)
		if (!isxdigit((unsigned char)*v) && *v != ',')
			return false;
	return n > 0 && n <= 64;
}

/* Check one value against its spec; on success returns true. */
static bool check_value(struct parse_ctx *c, const char *sect, const struct key_spec *k,
			const char *v)
{
	uint64_t u;

	switch (k->type) {
	case K_UINT:
	case K_BOOL:
		if (parse_u64(v, &u) || u < k->min || u > k->max) {
			perr(c, "[%s] %s = '%s': want an integer from %llu to %llu (%s)", sect,
			     k->key, v, (unsigned long long)k->min, (unsigned long long)k->max,
			     k->help);
			return false;
		}
		return true;
	case K_ENUM:
		if (!word_in(v, strlen(v), k->choices)) {
			perr(c, "[%s] %s = '%s': allowed: %s", sect, k->key, v, k->choices);
			return false;
		}
		return true;
	case K_FLAGS:
	case K_MIX: {
		const char *p = v;

		if (!*v && k->type == K_FLAGS)
			return true;
		while (*p) {
			size_t len = strcspn(p, ",:");

			if (!word_in(p, len, k->choices)) {
				perr(c, "[%s] %s = '%s': '%.*s' is not one of %s", sect, k->key, v,
				     (int)len, p, k->choices);
				return false;
			}
			p += len;
			if (k->type == K_MIX) {
				char num[24];
				size_t nl;

				if (*p != ':') {
					perr(c, "[%s] %s = '%s': want kind:weight pairs like cpu:50,sleep:50",
					     sect, k->key, v);
					return false;
				}
				p++;
				nl = strcspn(p, ",");
				if (nl == 0 || nl >= sizeof(num)) {
					perr(c, "[%s] %s = '%s': missing weight", sect, k->key, v);
					return false;
				}
				memcpy(num, p, nl);
				num[nl] = '\0';
				if (parse_u64(num, &u) || u > 1000) {
					perr(c, "[%s] %s = '%s': weight '%s' must be 0..1000", sect,
					     k->key, v, num);
					return false;
				}
				p += nl;
			}
			if (*p == ',')
				p++;
			else if (*p) {
				perr(c, "[%s] %s = '%s': separate entries with commas", sect, k->key, v);
				return false;
			}
		}
		return true;
	}
	case K_CPULIST:
		if (parse_cpulist(v, NULL, WQB_MAX_LIST, k->max) < 0) {
			perr(c, "[%s] %s = '%s': want a CPU list like 0-2,5 (at most %d CPUs, each <= %llu)",
			     sect, k->key, v, WQB_MAX_LIST, (unsigned long long)k->max);
			return false;
		}
		return true;
	case K_TEXT:
		if (strlen(v) > 512) {
			perr(c, "[%s] %s: longer than 512 characters", sect, k->key);
			return false;
		}
		return true;
	case K_WORD:
		if (!is_word(v, k->max)) {
			perr(c, "[%s] %s = '%s': want %llu..%llu characters of a-z, 0-9 and _",
			     sect, k->key, v, (unsigned long long)k->min, (unsigned long long)k->max);
			return false;
		}
		return true;
	case K_DURATION:
		if (parse_duration_ms(v, &u) || u < k->min || u > k->max) {
			perr(c, "[%s] %s = '%s': want a duration from %llums to %llums, like 500ms, 4s or 2m",
			     sect, k->key, v, (unsigned long long)k->min, (unsigned long long)k->max);
			return false;
		}
		return true;
	case K_SIZE:
		if (parse_mib(v, &u) || u < k->min || u > k->max) {
			perr(c, "[%s] %s = '%s': want a size from %lluM to %lluM, like 1G or 512M",
			     sect, k->key, v, (unsigned long long)k->min, (unsigned long long)k->max);
			return false;
		}
		return true;
	case K_INT: {
		int64_t i;

		if (parse_i64(v, &i) || i < -(int64_t)k->min || i > (int64_t)k->max) {
			perr(c, "[%s] %s = '%s': want an integer from -%llu to %llu (%s)", sect,
			     k->key, v, (unsigned long long)k->min, (unsigned long long)k->max,
			     k->help);
			return false;
		}
		return true;
	}
	case K_TOKENS: {
		/* plain words only: these become argv entries or sysfs values */
		size_t n = 0;
		const char *p = v;

		while (*p) {
			size_t len = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					    "0123456789_.,:=/+-%");

			if (len == 0 && *p != ' ') {
				perr(c, "[%s] %s = '%s': character '%c' not allowed; use letters, digits and _.,:=/+-%%",
				     sect, k->key, v, *p);
				return false;
			}
			if (len)
				n++;
			p += len;
			while (*p == ' ')
				p++;
		}
		if (!n || n > WQB_MAX_LIST) {
			perr(c, "[%s] %s: want 1..%d space-separated words (%s)", sect, k->key,
			     WQB_MAX_LIST, k->help);
			return false;
		}
		return true;
	}
	case K_PATTERNS:
		for (const char *p = v; *p; p++)
			if ((unsigned char)*p < 0x20) {
				perr(c, "[%s] %s: control character in pattern", sect, k->key);
				return false;
			}
		if (!*v || strlen(v) > 180) {
			perr(c, "[%s] %s: want 1..180 characters of '|'-separated patterns", sect,
			     k->key);
			return false;
		}
		return true;
	case K_MASKLIST:
		if (strcmp(v, "random") == 0)
			return true;
		/* fall through */
	case K_EVENTLIST: {
		char *copy = xstrdup(v), *tok, *save = NULL;
		size_t n = 0;
		bool ok = true;

		for (tok = strtok_r(copy, " ", &save); tok && ok; tok = strtok_r(NULL, " ", &save)) {
			n++;
			if (k->type == K_MASKLIST) {
				ok = is_hexmask(tok) && n <= WQB_MAX_LIST;
			} else {
				char *colon = strchr(tok, ':');

				ok = colon && colon != tok && colon[1] && n <= WQB_MAX_LIST &&
				     strspn(tok, "abcdefghijklmnopqrstuvwxyz0123456789_:*") == strlen(tok);
			}
		}
		free(copy);
		if (!ok || !n) {
			perr(c, "[%s] %s = '%s': want a space-separated list of %s (at most %d)",
			     sect, k->key, v,
			     k->type == K_MASKLIST ? "hex cpumasks like 3 f 0x5, or random" :
						     "trace events like workqueue:* cpuhp:cpuhp_enter",
			     WQB_MAX_LIST);
			return false;
		}
		return true;
	}
	}
	return false;
}

static const struct key_spec *find_key(const struct key_spec *t, const char *key)
{
	for (; t->key; t++)
		if (strcmp(t->key, key) == 0)
			return t;
	return NULL;
}

static char *allowed_keys(const struct key_spec *t)
{
	char *s = xstrdup("");

	for (; t->key; t++) {
		char *n = xasprintf("%s%s%s", s, *s ? ", " : "", t->key);

		free(s);
		s = n;
	}
	return s;
}

/* a key given twice (or a section repeated) replaces the list: free the old one */
static void split_list(const char *v, char **out, size_t *n)
{
	char *copy = xstrdup(v), *tok, *save = NULL;

	for (size_t i = 0; i < *n; i++) {
		free(out[i]);
		out[i] = NULL;
	}
	*n = 0;
	for (tok = strtok_r(copy, " ", &save); tok && *n < WQB_MAX_LIST;
	     tok = strtok_r(NULL, " ", &save))
		out[(*n)++] = xstrdup(tok);
	free(copy);
}

static struct wqb_group *group_for(struct parse_ctx *c, const char *gname)
{
	struct wqb_scenario *s = c->s;

	for (size_t i = 0; i < s->ngroups; i++)
		if (strcmp(s->groups[i].name, gname) == 0)
			return &s->groups[i];
	if (s->ngroups >= WQB_MAX_GROUPS) {
		perr(c, "[group %s]: at most %d groups per scenario", gname, WQB_MAX_GROUPS);
		return NULL;
	}
	if (!is_word(gname, WQB_GROUP_NAME_MAX)) {
		perr(c, "[group %s]: a group name is 1..%d characters of a-z, 0-9 and _", gname,
		     WQB_GROUP_NAME_MAX);
		return NULL;
	}
	{
		struct wqb_group *g = &s->groups[s->ngroups++];

		snprintf(g->name, sizeof(g->name), "%s", gname);
		g->def = xasprintf("name=%s", gname);
		g->line = c->line;
		return g;
	}
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static unsigned int to_uint(const char *v)
{
	uint64_t u = 0;

	parse_u64(v, &u);
	return (unsigned int)u;
}

static uint64_t to_ms(const char *v)
{
	uint64_t ms = 0;

	parse_duration_ms(v, &ms);
	return ms;
}

/* The current [cpumask ...] / [wqattr ...] entry, created on its first key. */
static struct wqb_cpumask *cpumask_for(struct parse_ctx *c, const char *label)
{
	struct wqb_scenario *s = c->s;
	struct wqb_cpumask *m;

	for (size_t i = 0; i < s->ncpumasks; i++)
		if (strcmp(s->cpumasks[i].label, label) == 0)
			return &s->cpumasks[i];
	if (s->ncpumasks >= WQB_MAX_SOURCES) {
		perr(c, "at most %d [cpumask] sections", WQB_MAX_SOURCES);
		return NULL;
	}
	m = &s->cpumasks[s->ncpumasks++];
	m->label = xstrdup(label);
	m->target = xstrdup(*label ? label : "global");
	m->interval_ms = 1000;
	m->line = c->line;
	return m;
}

static struct wqb_wqattr *wqattr_for(struct parse_ctx *c, const char *label)
{
	struct wqb_scenario *s = c->s;
	struct wqb_wqattr *w;

	for (size_t i = 0; i < s->nwqattrs; i++)
		if (strcmp(s->wqattrs[i].label, label) == 0)
			return &s->wqattrs[i];
	if (s->nwqattrs >= WQB_MAX_SOURCES) {
		perr(c, "at most %d [wqattr] sections", WQB_MAX_SOURCES);
		return NULL;
	}
	w = &s->wqattrs[s->nwqattrs++];
	w->label = xstrdup(label);
	w->interval_ms = 1000;
	w->line = c->line;
	return w;
}

static int store_global(struct wqb_scenario *s, const char *key, const char *value)
{
	if (strcmp(key, "name") == 0)
		set_str(&s->name, value);
	else if (strcmp(key, "description") == 0)
		set_str(&s->description, value);
	else if (strcmp(key, "duration") == 0)
		s->duration_ms = to_ms(value);
	else if (strcmp(key, "warmup") == 0)
		s->warmup_ms = to_ms(value);
	else if (strcmp(key, "until") == 0)
		s->until_faults = strcmp(value, "faults") == 0;
	else if (strcmp(key, "repetitions") == 0)
		s->repetitions = to_uint(value);
	else if (strcmp(key, "seed") == 0)
		parse_u64(value, &s->seed);
	else if (strcmp(key, "cpus") == 0)
		s->cpus = to_uint(value);
	else if (strcmp(key, "memory") == 0)
		parse_mib(value, &s->memory_mib);
	else if (strcmp(key, "requires") == 0)
		set_str(&s->requires, value);
	return 1;
}

static int store_hotplug(struct wqb_hotplug *h, const char *key, const char *value)
{
	if (strcmp(key, "mode") == 0)
		h->mode = strcmp(value, "sequential") == 0  ? HOTPLUG_SEQUENTIAL :
			  strcmp(value, "random") == 0      ? HOTPLUG_RANDOM :
			  strcmp(value, "all_but_one") == 0 ? HOTPLUG_ALL_BUT_ONE : HOTPLUG_OFF;
	else if (strcmp(key, "cpus") == 0)
		h->ncpus = (size_t)parse_cpulist(value, h->cpus, WQB_MAX_LIST, 8191);
	else if (strcmp(key, "start") == 0)
		h->start_ms = to_ms(value);
	else if (strcmp(key, "interval") == 0)
		h->interval_ms = to_ms(value);
	else if (strcmp(key, "fuzz") == 0)
		h->fuzz_ms = to_ms(value);
	else if (strcmp(key, "cycles") == 0)
		h->cycles = to_uint(value);
	else if (strcmp(key, "count") == 0)
		h->count = to_uint(value);
	else if (strcmp(key, "fail_state") == 0)
		set_str(&h->fail_state, value);
	else if (strcmp(key, "fail_every") == 0)
		h->fail_every = to_uint(value);
	return 1;
}

static int store_section(struct parse_ctx *c, const char *kind, const char *label,
			 const char *key, const char *value)
{
	struct wqb_scenario *s = c->s;

	if (strcmp(kind, "group") == 0) {
		struct wqb_group *g = group_for(c, label);
		char *def;

		if (!g)
			return 0;
		def = xasprintf("%s %s=%s", g->def, key, value);
		free(g->def);
		g->def = def;
		if ((strcmp(key, "flags") == 0 && strstr(value, "unbound")) ||
		    (strcmp(key, "wq") == 0 && strcmp(value, "system_unbound") == 0))
			g->unbound = true;
		if (strcmp(key, "flags") == 0 && strstr(value, "ordered"))
			g->ordered = true;
		if (strcmp(key, "wq") == 0 && strcmp(value, "own") != 0)
			g->system_wq = true;
		return 1;
	}
	if (strcmp(kind, "global") == 0)
		return store_global(s, key, value);
	if (strcmp(kind, "hotplug") == 0)
		return store_hotplug(&s->hotplug, key, value);
	if (strcmp(kind, "cpumask") == 0) {
		struct wqb_cpumask *m = cpumask_for(c, label);

		if (!m)
			return 0;
		if (strcmp(key, "target") == 0) {
			set_str(&m->target, value);
		} else if (strcmp(key, "masks") == 0) {
			m->random = strcmp(value, "random") == 0;
			if (!m->random)
				split_list(value, m->masks, &m->nmasks);
		} else if (strcmp(key, "count") == 0) {
			m->count = to_uint(value);
		} else if (strcmp(key, "start") == 0) {
			m->start_ms = to_ms(value);
		} else if (strcmp(key, "interval") == 0) {
			m->interval_ms = to_ms(value);
		}
		return 1;
	}
	if (strcmp(kind, "wqattr") == 0) {
		struct wqb_wqattr *w = wqattr_for(c, label);

		if (!w)
			return 0;
		if (strcmp(key, "group") == 0)
			set_str(&w->group, value);
		else if (strcmp(key, "attr") == 0)
			set_str(&w->attr, value);
		else if (strcmp(key, "values") == 0)
			split_list(value, w->values, &w->nvalues);
		else if (strcmp(key, "start") == 0)
			w->start_ms = to_ms(value);
		else if (strcmp(key, "interval") == 0)
			w->interval_ms = to_ms(value);
		return 1;
	}
	if (strcmp(kind, "faultinject") == 0) {
		struct wqb_faultinject *f = &s->inject;
		int64_t t;

		f->enabled = true;
		if (strcmp(key, "type") == 0)
			set_str(&f->type, value);
		else if (strcmp(key, "probability") == 0)
			f->probability = to_uint(value);
		else if (strcmp(key, "interval") == 0)
			f->interval = to_uint(value);
		else if (strcmp(key, "times") == 0 && parse_i64(value, &t) == 0)
			f->times = (int)t;
		else if (strcmp(key, "kworkers") == 0)
			f->kworkers_only = strcmp(value, "1") == 0;
		else if (strcmp(key, "start") == 0)
			f->start_ms = to_ms(value);
		else if (strcmp(key, "duration") == 0)
			f->duration_ms = to_ms(value);
		return 1;
	}
	if (strcmp(kind, "slowdown") == 0) {
		struct wqb_slowdown *d = &s->slowdown;

		if (!d->enabled)
			d->line = c->line;
		d->enabled = true;
		if (strcmp(key, "where") == 0)
			set_str(&d->where, value);
		else if (strcmp(key, "delay_ns") == 0)
			d->delay_ns = to_uint(value);
		else if (strcmp(key, "every") == 0)
			d->every = to_uint(value);
		else if (strcmp(key, "group") == 0)
			set_str(&d->group, value);
		return 1;
	}
	if (strcmp(kind, "stress-ng") == 0) {
		s->stressng.enabled = true;
		split_list(value, s->stressng.args, &s->stressng.nargs);
		return 1;
	}
	if (strcmp(kind, "fio") == 0) {
		struct wqb_fio *f = &s->fio;

		f->enabled = true;
		if (strcmp(key, "rw") == 0)
			set_str(&f->rw, value);
		else if (strcmp(key, "bs") == 0)
			set_str(&f->bs, value);
		else if (strcmp(key, "size") == 0)
			set_str(&f->size, value);
		else if (strcmp(key, "ioengine") == 0)
			set_str(&f->ioengine, value);
		else if (strcmp(key, "iodepth") == 0)
			f->iodepth = to_uint(value);
		else if (strcmp(key, "numjobs") == 0)
			f->numjobs = to_uint(value);
		else if (strcmp(key, "direct") == 0)
			f->direct = strcmp(value, "1") == 0;
		else if (strcmp(key, "target") == 0)
			set_str(&f->target, value);
		else if (strcmp(key, "layer") == 0)
			set_str(&f->layer, value);
		else if (strcmp(key, "disk") == 0)
			parse_mib(value, &f->disk_mib);
		return 1;
	}
	if (strcmp(kind, "perf") == 0) {
		if (strcmp(key, "enabled") == 0)
			s->perf.enabled = strcmp(value, "1") == 0;
		else if (strcmp(key, "events") == 0) {
			set_str(&s->perf.events, value);
			s->perf.enabled = true;
		}
		return 1;
	}
	if (strcmp(kind, "expect") == 0) {
		if (strcmp(key, "dmesg") == 0) {
			char *copy = xstrdup(value), *tok, *save = NULL;

			for (tok = strtok_r(copy, "|", &save); tok && s->expect.ndmesg < WQB_MAX_LIST;
			     tok = strtok_r(NULL, "|", &save)) {
				str_trim(tok);
				if (*tok)
					s->expect.dmesg[s->expect.ndmesg++] = xstrdup(tok);
			}
			free(copy);
		} else if (strcmp(key, "checks") == 0) {
			split_list(value, s->expect.checks, &s->expect.nchecks);
		}
		return 1;
	}
	if (strcmp(kind, "trace") == 0) {
		struct wqb_trace *t = &s->trace;

		if (strcmp(key, "enabled") == 0)
			t->enabled = strcmp(value, "1") == 0;
		else if (strcmp(key, "events") == 0)
			split_list(value, t->events, &t->nevents);
		else if (strcmp(key, "buffer_kb") == 0)
			t->buffer_kb = to_uint(value);
		return 1;
	}
	return 1;
}

/* a module or parameter name as sysfs has it: 1..n of A-Z a-z 0-9 _ - */
static bool is_kparam_part(const char *p, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_' && p[i] != '-')
			return false;
	return true;
}

/*
 * [kparam] MODULE.PARAM = VALUE.  The name becomes a path under
 * /sys/module, so it is held to the characters module and parameter names
 * are made of: no '/', and the one '.' splits it.  The value is one word.
 */
static bool check_kparam(struct parse_ctx *c, const char *key, const char *value)
{
	const char *dot = strchr(key, '.');
	size_t vl = strlen(value);

	if (strlen(key) > WQB_KPARAM_NAME_MAX || !dot ||
	    !is_kparam_part(key, (size_t)(dot - key)) || !is_kparam_part(dot + 1, strlen(dot + 1))) {
		perr(c, "[kparam] '%s': want MODULE.PARAM, at most %d characters of A-Z, a-z, 0-9, _ and - around one '.', e.g. workqueue.watchdog_thresh (written to /sys/module/MODULE/parameters/PARAM)",
		     key, WQB_KPARAM_NAME_MAX);
		return false;
	}
	if (!vl || vl > WQB_KPARAM_VALUE_MAX ||
	    strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.,:=/+-%") != vl) {
		perr(c, "[kparam] %s = '%s': want one word of 1..%d letters, digits and _.,:=/+-%%",
		     key, value, WQB_KPARAM_VALUE_MAX);
		return false;
	}
	if (c->s->nkparams >= WQB_MAX_KPARAMS) {
		perr(c, "[kparam] %s: at most %d parameters", key, WQB_MAX_KPARAMS);
		return false;
	}
	return true;
}

static int store_kparam(struct parse_ctx *c, const char *key, const char *value)
{
	struct wqb_kparam *k = &c->s->kparams[c->s->nkparams++];
	const char *dot = strchr(key, '.');

	k->module = xasprintf("%.*s", (int)(dot - key), key);
	k->param = xstrdup(dot + 1);
	k->value = xstrdup(value);
	k->line = c->line;
	return 1;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse_ctx *c = user;
	const struct key_spec *k = NULL, *table = NULL;
	char kind[32] = "";
	const char *label = "";

	if (c->err)
		return 0;
	if (strcmp(section, c->section) != 0) {
		/* a section name seen before, not just before, is a duplicate */
		for (size_t i = 0; i < c->nsections; i++)
			if (strcmp(c->sections[i], section) == 0) {
				perr(c, "[%s] appears twice; merge the two sections", section);
				return 0;
			}
		if (c->nsections < ARRAY_SIZE(c->sections))
			c->sections[c->nsections++] = xstrdup(section);
		snprintf(c->section, sizeof(c->section), "%s", section);
		c->nseen = 0;
	}
	for (size_t i = 0; i < c->nseen; i++)
		if (strcmp(c->seen[i], key) == 0) {
			perr(c, "[%s] %s is set twice", section, key);
			return 0;
		}
	if (c->nseen < ARRAY_SIZE(c->seen))
		snprintf(c->seen[c->nseen++], sizeof(c->seen[0]), "%s", key);

	if (!*section) {
		perr(c, "%s = %s: keys must be inside a section such as [global]", key, value);
		return 0;
	}
	{
		size_t kl = strcspn(section, " ");

		if (kl < sizeof(kind))
			snprintf(kind, sizeof(kind), "%.*s", (int)kl, section);
		if (section[kl] == ' ')
			label = section + kl + 1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++) {
		if (strcmp(sections[i].name, kind) != 0)
			continue;
		if (sections[i].label == 0 && *label) {
			perr(c, "[%s]: this section takes no name; use [%s]", section, kind);
			return 0;
		}
		if (sections[i].label == 2 && !*label) {
			perr(c, "[%s] needs a name: [%s NAME]", section, kind);
			return 0;
		}
		if (*label && !is_word(label, WQB_GROUP_NAME_MAX) && strcmp(kind, "group") != 0) {
			perr(c, "[%s]: a section name is 1..%d characters of a-z, 0-9 and _",
			     section, WQB_GROUP_NAME_MAX);
			return 0;
		}
		table = sections[i].keys;
		if (!table) {		/* [kparam]: the key is a parameter's name */
			if (!check_kparam(c, key, value))
				return 0;
			return store_kparam(c, key, value);
		}
	}
	if (!table) {
		perr(c, "unknown section [%s]; allowed: [global], [group NAME], [hotplug], [cpumask], [cpumask NAME], [wqattr NAME], [faultinject], [slowdown], [kparam], [stress-ng], [fio], [perf], [expect], [trace]",
		     section);
		return 0;
	}
	k = find_key(table, key);
	if (!k) {
		char *allowed = allowed_keys(table);

		perr(c, "[%s] unknown key '%s'; allowed: %s", section, key, allowed);
		free(allowed);
		return 0;
	}
	if (!check_value(c, section, k, value))
		return 0;
	return store_section(c, kind, label, key, value);
}

/* inih line reader: counts lines, refuses over-long and continuation lines */
static char *reader(char *str, int num, void *stream)
{
	struct parse_ctx *c = stream;
	size_t len;

	if (c->err)
		return NULL;
	if (c->f) {
		if (!fgets(str, num, c->f))
			return NULL;
	} else {
		const char *nl;
		size_t l;

		if (!*c->str)
			return NULL;
		nl = strchr(c->str, '\n');
		l = nl ? (size_t)(nl - c->str) + 1 : strlen(c->str);
		if (l > (size_t)num - 1)
			l = (size_t)num - 1;
		memcpy(str, c->str, l);
		str[l] = '\0';
		c->str += l;
	}
	c->line++;
	len = strlen(str);
	if (len == (size_t)num - 1 && str[len - 1] != '\n') {
		perr(c, "line longer than %d characters", num - 2);
		return NULL;
	}
	if (memchr(str, '\0', len) != NULL && strlen(str) != len) {
		perr(c, "NUL byte in line");
		return NULL;
	}
	/*
	 * inih tells the handler nothing about a section without keys, but
	 * "[group g]" alone is a group with every default: register it here.
	 */
	if (str[0] == '[' && strncmp(str, "[group ", 7) == 0) {
		char name[64];
		size_t l = strcspn(str + 7, "]");

		if (str[7 + l] == ']' && l < sizeof(name)) {
			snprintf(name, sizeof(name), "%.*s", (int)l, str + 7);
			str_trim(name);
			group_for(c, name);
		}
	}
	if ((str[0] == ' ' || str[0] == '\t') && str[strspn(str, " \t\r\n")] != '\0' &&
	    str[strspn(str, " \t")] != ';' && str[strspn(str, " \t")] != '#') {
		perr(c, "indented line: continuation lines are not supported, put the value on one line");
		return NULL;
	}
	return str;
}

static void defaults(struct wqb_scenario *s, const char *path)
{
	const char *base = strrchr(path, '/');
	char *stem = xstrdup(base ? base + 1 : path), *dot = strrchr(stem, '.');

	if (dot)
		*dot = '\0';
	memset(s, 0, sizeof(*s));
	s->path = xstrdup(path);
	s->name = stem;
	s->duration_ms = 5000;
	s->repetitions = 1;
	s->seed = 1;
	s->cpus = 4;
	s->memory_mib = 1024;
	s->hotplug.interval_ms = 1000;
	s->hotplug.cycles = 1;
	s->inject.probability = 10;
	s->inject.interval = 1;
	s->inject.times = -1;
	s->slowdown.every = 1;
	s->trace.enabled = true;
	s->trace.buffer_kb = 8192;
}

const struct wqb_group *scenario_group(const struct wqb_scenario *s, const char *name)
{
	for (size_t i = 0; i < s->ngroups; i++)
		if (strcmp(s->groups[i].name, name) == 0)
			return &s->groups[i];
	return NULL;
}

/* Only unbound, non-ordered groups on their own queue have WQ_SYSFS files. */
static bool group_has_sysfs(const struct wqb_group *g)
{
	return g && g->unbound && !g->ordered && !g->system_wq;
}

/* Whole-scenario rules that no single key can check. */
static void cross_check(struct parse_ctx *c)
{
	struct wqb_scenario *s = c->s;

	c->line = 0;
	if (!s->ngroups)
		perr(c, "no [group NAME] section: a scenario needs at least one work group");
	for (size_t i = 0; i < s->ncpumasks; i++) {
		struct wqb_cpumask *m = &s->cpumasks[i];

		c->line = m->line;
		if (!m->nmasks && !m->random)
			perr(c, "[cpumask%s%s] needs masks = <hex> ... or masks = random",
			     *m->label ? " " : "", m->label);
		if (strcmp(m->target, "global") != 0) {
			const struct wqb_group *g = scenario_group(s, m->target);

			if (!g)
				perr(c, "[cpumask] target '%s': no such group; use global or a group name",
				     m->target);
			else if (!group_has_sysfs(g))
				perr(c, "[cpumask] target %s: only groups on their own unbound, non-ordered workqueue (flags=unbound) have a cpumask",
				     m->target);
		}
	}
	for (size_t i = 0; i < s->nwqattrs; i++) {
		struct wqb_wqattr *w = &s->wqattrs[i];
		const struct wqb_group *g = w->group ? scenario_group(s, w->group) : NULL;

		c->line = w->line;
		if (!w->group || !w->attr || !w->nvalues)
			perr(c, "[wqattr %s] needs group, attr and values", w->label);
		else if (!g)
			perr(c, "[wqattr %s] group '%s': no such group", w->label, w->group);
		else if (!group_has_sysfs(g))
			perr(c, "[wqattr %s] group %s: only groups on their own unbound, non-ordered workqueue have WQ_SYSFS attributes",
			     w->label, w->group);
	}
	c->line = 0;
	if (s->until_faults && s->hotplug.mode == HOTPLUG_OFF && !s->ncpumasks && !s->nwqattrs)
		perr(c, "[global] until = faults needs a fault source ([hotplug], [cpumask] or [wqattr]) whose plan can end");
	if (s->hotplug.mode != HOTPLUG_OFF) {
		for (size_t i = 0; i < s->hotplug.ncpus; i++)
			if (s->hotplug.cpus[i] == 0)
				perr(c, "[hotplug] cpus: CPU 0 cannot be taken offline on x86");
		if (s->hotplug.fail_every && !s->hotplug.fail_state)
			perr(c, "[hotplug] fail_every needs fail_state (a state from /sys/devices/system/cpu/hotplug/states, e.g. workqueue:online)");
	}
	if (s->slowdown.enabled) {
		c->line = s->slowdown.line;
		if (!s->slowdown.where || !s->slowdown.delay_ns)
			perr(c, "[slowdown] needs where = queue|pickup|pool and delay_ns");
		else if (s->slowdown.group && !scenario_group(s, s->slowdown.group))
			perr(c, "[slowdown] group '%s': no such group", s->slowdown.group);
		c->line = 0;
	}
	if (s->inject.enabled && !s->inject.type)
		perr(c, "[faultinject] needs type = failslab or fail_page_alloc");
	if (s->fio.enabled && s->fio.layer && strcmp(s->fio.layer, "none") &&
	    s->fio.target && strcmp(s->fio.target, "disk"))
		perr(c, "[fio] layer = %s needs target = disk", s->fio.layer);
	if (s->stressng.enabled) {
		for (size_t i = 0; i < s->stressng.nargs; i++) {
			const char *a = s->stressng.args[i];

			/* the harness owns the run time and the output files */
			if (strcmp(a, "--timeout") == 0 || strcmp(a, "-t") == 0 ||
			    strncmp(a, "--yaml", 6) == 0 || strncmp(a, "--log-file", 10) == 0 ||
			    strcmp(a, "-Y") == 0)
				perr(c, "[stress-ng] args: %s is set by wqbench (run time and output files)",
				     a);
		}
	}
	if (s->fio.enabled) {
		struct wqb_fio *f = &s->fio;

		if (!f->rw)
			f->rw = xstrdup("write");
		if (!f->bs)
			f->bs = xstrdup("64k");
		if (!f->size)
			f->size = xstrdup("128M");
		if (!f->ioengine)
			f->ioengine = xstrdup("psync");
		if (!f->target)
			f->target = xstrdup("disk");
		if (!f->layer)
			f->layer = xstrdup("none");
		if (!f->iodepth)
			f->iodepth = 1;
		if (!f->numjobs)
			f->numjobs = 1;
		if (!f->disk_mib)
			f->disk_mib = 256;
	}
	if (s->perf.enabled && !s->perf.events)
		s->perf.events = xstrdup("task-clock,context-switches,cpu-migrations,workqueue:workqueue_execute_start,workqueue:workqueue_queue_work");
	if (!s->trace.nevents && s->trace.enabled) {
		s->trace.events[0] = xstrdup("workqueue:*");
		s->trace.events[1] = xstrdup("cpuhp:*");
		s->trace.nevents = 2;
	}
}

int scenario_load_string(const char *path, const char *text, struct wqb_scenario *s, char **err)
{
	struct parse_ctx c = { .s = s, .path = path, .str = text };
	int r;

	defaults(s, path);
	s->text = xstrdup(text);
	r = ini_parse_stream(reader, &c, handler, &c);
	/* inih goes on after a syntax error; report whichever came first */
	if (r > 0 && (!c.err || r < c.err_line)) {
		free(c.err);
		c.err = NULL;
		c.line = r;
		perr(&c, "syntax error: want [section] or key = value");
	} else if (r < 0 && !c.err) {
		perr(&c, "cannot parse");
	}
	if (!c.err)
		cross_check(&c);
	for (size_t i = 0; i < c.nsections; i++)
		free(c.sections[i]);
	if (c.err) {
		if (err)
			*err = c.err;
		else
			free(c.err);
		scenario_free(s);
		return -1;
	}
	return 0;
}

int scenario_load(const char *path, struct wqb_scenario *s, char **err)
{
	size_t len;
	char *text = read_file(path, &len);
	int r;

	if (!text) {
		if (err)
			*err = xasprintf("%s: cannot read scenario: %s", path, strerror(errno));
		memset(s, 0, sizeof(*s));
		return -1;
	}
	if (strlen(text) != len) {
		if (err)
			*err = xasprintf("%s: not a text file (NUL byte)", path);
		free(text);
		memset(s, 0, sizeof(*s));
		return -1;
	}
	r = scenario_load_string(path, text, s, err);
	free(text);
	return r;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
}

void scenario_free(struct wqb_scenario *s)
{
	free(s->path);
	free(s->text);
	free(s->name);
	free(s->description);
	for (size_t i = 0; i < s->ngroups; i++)
		free(s->groups[i].def);
	free(s->hotplug.fail_state);
	for (size_t i = 0; i < s->ncpumasks; i++) {
		free(s->cpumasks[i].label);
		free(s->cpumasks[i].target);
		free_list(s->cpumasks[i].masks, s->cpumasks[i].nmasks);
	}
	for (size_t i = 0; i < s->nwqattrs; i++) {
		free(s->wqattrs[i].label);
		free(s->wqattrs[i].group);
		free(s->wqattrs[i].attr);
		free_list(s->wqattrs[i].values, s->wqattrs[i].nvalues);
	}
	free(s->inject.type);
	free(s->slowdown.where);
	free(s->slowdown.group);
	for (size_t i = 0; i < s->nkparams; i++) {
		free(s->kparams[i].module);
		free(s->kparams[i].param);
		free(s->kparams[i].value);
	}
	free_list(s->stressng.args, s->stressng.nargs);
	free(s->fio.rw);
	free(s->fio.bs);
	free(s->fio.size);
	free(s->fio.ioengine);
	free(s->fio.target);
	free(s->fio.layer);
	free(s->perf.events);
	free(s->requires);
	free_list(s->expect.dmesg, s->expect.ndmesg);
	free_list(s->expect.checks, s->expect.nchecks);
	free_list(s->trace.events, s->trace.nevents);
	memset(s, 0, sizeof(*s));
}

bool is_suite_path(const char *path)
{
	return str_ends_with(path, ".suite");
}

int suite_load(const char *path, struct wqb_suite *s, char **err)
{
	char *text = read_file(path, NULL), *line, *save = NULL;
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int lineno = 0;

	memset(s, 0, sizeof(*s));
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	if (!text) {
		*err = xasprintf("%s: cannot read suite: %s", path, strerror(errno));
		free(dir);
		return -1;
	}
	s->path = xstrdup(path);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(line, '#'), *name, *reps, *extra, *sp = NULL;
		uint64_t n = 1;

		lineno++;
		if (hash)
			*hash = '\0';
		name = strtok_r(line, " \t", &sp);
		if (!name)
			continue;
		reps = strtok_r(NULL, " \t", &sp);
		extra = strtok_r(NULL, " \t", &sp);
		if (extra || (reps && (parse_u64(reps, &n) || n < 1 || n > 1000))) {
			*err = xasprintf("%s:%d: want 'scenario.wqb [repetitions 1..1000]'", path,
					 lineno);
			goto fail;
		}
		s->e = xrealloc(s->e, (s->n + 1) * sizeof(*s->e));
		s->e[s->n].path = name[0] == '/' ? xstrdup(name) : path_join(dir, name);
		s->e[s->n].repetitions = (unsigned int)n;
		if (access(s->e[s->n].path, R_OK) < 0) {
			*err = xasprintf("%s:%d: scenario %s: %s", path, lineno, s->e[s->n].path,
					 strerror(errno));
			s->n++;
			goto fail;
		}
		s->n++;
	}
	if (!s->n) {
		*err = xasprintf("%s: the suite lists no scenarios", path);
		goto fail;
	}
	free(text);
	free(dir);
	return 0;
fail:
	free(text);
	free(dir);
	suite_free(s);
	return -1;
}

void suite_free(struct wqb_suite *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->e[i].path);
	free(s->e);
	free(s->path);
	memset(s, 0, sizeof(*s));
}

/* `wqbench check FILE...`: exit 0 when every file is valid. */
int cmd_check(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		printf("usage: wqbench check FILE.wqb|FILE.suite...\n");
		return argc < 2 ? 2 : 0;
	}
	for (int i = 1; i < argc; i++) {
		char *err = NULL;

		if (is_suite_path(argv[i])) {
			struct wqb_suite su;

			if (suite_load(argv[i], &su, &err) < 0) {
				fprintf(stderr, "%s\n", err);
				free(err);
				bad++;
				continue;
			}
			for (size_t j = 0; j < su.n; j++) {
				struct wqb_scenario sc;

				if (scenario_load(su.e[j].path, &sc, &err) < 0) {
					fprintf(stderr, "%s\n", err);
					free(err);
					bad++;
				} else {
					scenario_free(&sc);
				}
			}
			if (!bad)
				printf("%s: ok (%zu scenarios)\n", argv[i], su.n);
			suite_free(&su);
		} else {
			struct wqb_scenario sc;

			if (scenario_load(argv[i], &sc, &err) < 0) {
				fprintf(stderr, "%s\n", err);
				free(err);
				bad++;
			} else {
				printf("%s: ok (%zu groups, %llu ms)\n", argv[i], sc.ngroups,
				       (unsigned long long)sc.duration_ms);
				scenario_free(&sc);
			}
		}
	}
	return bad ? 1 : 0;
}
