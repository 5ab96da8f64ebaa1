// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario and suite parsing, the work of `wqbench check` (harness/cmd_check.c).
 *
 * libinih does the INI syntax; this file owns the meaning.  Every key a
 * section accepts is one row of a table below, with its type, range and
 * where it is stored, so an error can always say what is allowed and no
 * key is handled twice; [group NAME] keys are the module's own table
 * (kmod/wqbench_uapi.h), so `check` refuses what the module refuses.  The line reader handed to inih
 * counts lines (inih reports them only for syntax errors) and refuses
 * over-long lines instead of letting inih split them silently.
 */
#include "scenario.h"
#include "hotplug.h"
#include "requires.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum key_type {
	K_UINT,		/* decimal integer in [min, max] */
	K_BOOL,		/* 0|1 */
	K_ENUM,		/* one word of choices */
	K_FLAGS,	/* comma list of words of choices */
	K_CPULIST,	/* "0-2,5" */
	K_TEXT,		/* free text (global name/description) */
	K_DURATION,	/* "500ms", "4s" */
	K_SIZE,		/* "1G", "512M" */
	K_MASKLIST,	/* space list of hex cpumasks, or "random" */
	K_EVENTLIST,	/* space list of system:event */
	K_WORD,		/* [a-z0-9_] identifier */
	K_TOKENS,	/* space list of plain words (values, program arguments) */
	K_PATTERNS,	/* '|'-separated substrings */
	K_INT,		/* signed decimal integer in [-min, max] */
};

/* Where a checked value goes, in the struct of its section. */
enum store_kind {
	ST_NUM,		/* unsigned of .size bytes (bool, unsigned int, uint64_t) */
	ST_INT,		/* int */
	ST_STR,		/* char *, a copy of the value */
	ST_INDEX,	/* an int-sized enum: the word's index in choices */
	ST_LIST,	/* char *[WQB_MAX_LIST] split at spaces, count at n_off */
	ST_PATTERNS,	/* char *[] split at '|' and trimmed, count at n_off */
	ST_CPUS,	/* int[WQB_MAX_LIST], count at n_off */
	ST_UNTIL,	/* [global] until: until_faults / until_items */
	ST_MASKS,	/* [cpumask] masks: random, or a list */
};

/*
 * One row per key: what it accepts, its help, and where it is stored, in
 * the style of fio's fio_options[], and its default.  Defaults derived
 * from elsewhere (the name from the file, a cpumask's target from its
 * label) are set in code.  docs/scenario.md documents them.  [group NAME] keys are not here: they are
 * the module's, declared once in kmod/wqbench_uapi.h.
 */
struct key_spec {
	const char *key;
	enum key_type type;
	uint64_t min, max;
	const char *choices;	/* '|' separated, for K_ENUM/K_FLAGS */
	const char *help;
	enum store_kind st;
	size_t off, size, n_off;
	const char *def;	/* the default, as a user would write it */
};

#define AT(T, m)	.off = offsetof(T, m), .size = sizeof(((T *)0)->m)
#define NUM(T, m)	.st = ST_NUM, AT(T, m)
#define STR(T, m)	.st = ST_STR, AT(T, m)
#define INDEX(T, m)	.st = ST_INDEX, AT(T, m)
#define LIST(T, m, n)	.st = ST_LIST, AT(T, m), .n_off = offsetof(T, n)

#define SC struct wqb_scenario
static const struct key_spec global_keys[] = {
	{ "name", K_WORD, 1, 64, NULL, "scenario name", STR(SC, name) },
	{ "description", K_TEXT, 0, 0, NULL, "one line for reports", STR(SC, description) },
	{ "duration", K_DURATION, 100, 86400000, NULL, "measured phase", NUM(SC, duration_ms),
	  .def = "5s" },
	{ "warmup", K_DURATION, 0, 3600000, NULL, "unmeasured phase before it",
	  NUM(SC, warmup_ms) },
	{ "until", K_ENUM, 0, 0, "duration|faults|items",
	  "end of the measured phase: its duration, when every fault source has done its plan, or when every group has run its max_items (duration the limit)",
	  .st = ST_UNTIL },
	{ "repetitions", K_UINT, 1, 1000, NULL, "runs of this scenario", NUM(SC, repetitions),
	  .def = "1" },
	{ "seed", K_UINT, 0, UINT64_MAX, NULL, "seed of every random choice", NUM(SC, seed),
	  .def = "1" },
	{ "cpus", K_UINT, 1, 64, NULL, "guest vCPUs", NUM(SC, cpus), .def = "4" },
	{ "memory", K_SIZE, 256, 65536, NULL, "guest memory", NUM(SC, memory_mib),
	  .def = "1G" },
	{ "requires", K_FLAGS, 0, 0, REQUIRES_CHOICES,
	  "kernel features and tools the scenario needs (SKIP without them)", STR(SC, requires) },
	{ 0 }
};

#define HP struct wqb_hotplug
static const struct key_spec hotplug_keys[] = {
	{ "mode", K_ENUM, 0, 0, "off|sequential|random|all_but_one", "fault schedule",
	  INDEX(HP, mode) },
	{ "cpus", K_CPULIST, 0, 8191, NULL, "CPUs to use (default: all but CPU 0)",
	  .st = ST_CPUS, AT(HP, cpus), .n_off = offsetof(HP, ncpus) },
	{ "start", K_DURATION, 0, 86400000, NULL, "first action (holdoff)", NUM(HP, start_ms) },
	{ "interval", K_DURATION, 1, 86400000, NULL, "time between actions",
	  NUM(HP, interval_ms), .def = "1s" },
	{ "fuzz", K_DURATION, 0, 86400000, NULL, "random: +- spread of the interval",
	  NUM(HP, fuzz_ms) },
	{ "cycles", K_UINT, 1, 1000000, NULL, "sequential/all_but_one: passes", NUM(HP, cycles),
	  .def = "1" },
	{ "count", K_UINT, 0, 100000000, NULL, "random: actions (0 = until the end)",
	  NUM(HP, count) },
	{ "fail_state", K_TOKENS, 0, 0, NULL, "cpuhp state made to fail, e.g. workqueue:online",
	  STR(HP, fail_state) },
	{ "fail_every", K_UINT, 0, 1000000, NULL, "every Nth transition fails (0 = never)",
	  NUM(HP, fail_every) },
	{ 0 }
};

#define CM struct wqb_cpumask
static const struct key_spec cpumask_keys[] = {
	{ "target", K_WORD, 1, 16, NULL, "global, or a group name", STR(CM, target) },
	{ "masks", K_MASKLIST, 0, 0, NULL, "hex masks applied in turn, or random",
	  .st = ST_MASKS, AT(CM, masks), .n_off = offsetof(CM, nmasks) },
	{ "count", K_UINT, 0, 100000000, NULL, "random: changes (0 = until the end)",
	  NUM(CM, count) },
	{ "start", K_DURATION, 0, 86400000, NULL, "first change", NUM(CM, start_ms) },
	{ "interval", K_DURATION, 1, 86400000, NULL, "time between changes",
	  NUM(CM, interval_ms), .def = "1s" },
	{ 0 }
};

#define WA struct wqb_wqattr
static const struct key_spec wqattr_keys[] = {
	{ "group", K_WORD, 1, 16, NULL, "an unbound group", STR(WA, group) },
	{ "attr", K_ENUM, 0, 0, "affinity_scope|affinity_strict|max_active|nice",
	  "WQ_SYSFS attribute", STR(WA, attr) },
	{ "values", K_TOKENS, 0, 0, NULL, "values applied in turn", LIST(WA, values, nvalues) },
	{ "start", K_DURATION, 0, 86400000, NULL, "first change", NUM(WA, start_ms) },
	{ "interval", K_DURATION, 1, 86400000, NULL, "time between changes",
	  NUM(WA, interval_ms), .def = "1s" },
	{ 0 }
};

#define FI struct wqb_faultinject
static const struct key_spec inject_keys[] = {
	{ "type", K_ENUM, 0, 0, "failslab|fail_page_alloc", "fault-injection capability",
	  STR(FI, type) },
	{ "probability", K_UINT, 0, 100, NULL, "percent of calls that fail",
	  NUM(FI, probability), .def = "10" },
	{ "interval", K_UINT, 1, 1000000, NULL, "calls between failures", NUM(FI, interval),
	  .def = "1" },
	{ "times", K_INT, 1, 1000000000, NULL, "failures at most (-1 = no limit)",
	  .st = ST_INT, AT(FI, times), .def = "-1" },
	{ "kworkers", K_BOOL, 0, 1, NULL, "only kworker threads fail (task-filter)",
	  NUM(FI, kworkers_only) },
	{ "start", K_DURATION, 0, 86400000, NULL, "arm at", NUM(FI, start_ms) },
	{ "duration", K_DURATION, 0, 86400000, NULL, "disarm after (0 = at the end)",
	  NUM(FI, duration_ms) },
	{ 0 }
};

#define SD struct wqb_slowdown
static const struct key_spec slowdown_keys[] = {
	{ "where", K_ENUM, 0, 0, "queue|pickup|pool",
	  "queue_work under the pool lock, the worker's pickup, or process_one_work under the pool lock",
	  STR(SD, where) },
	{ "delay_ns", K_UINT, 1, 10000000, NULL, "busy wait per slowed item", NUM(SD, delay_ns) },
	{ "every", K_UINT, 1, 1000000, NULL, "slow one item in N", NUM(SD, every),
	  .def = "1" },
	{ "group", K_WORD, 1, 16, NULL, "only this group's items (default: every group)",
	  STR(SD, group) },
	{ 0 }
};

static const struct key_spec stressng_keys[] = {
	{ "args", K_TOKENS, 0, 0, NULL, "stressor arguments, e.g. --cpu 2 --vm 1 --vm-bytes 64M",
	  LIST(struct wqb_stressng, args, nargs) },
	{ 0 }
};

#define FO struct wqb_fio
static const struct key_spec fio_keys[] = {
	{ "rw", K_ENUM, 0, 0, "read|write|randread|randwrite|rw|randrw", "I/O pattern",
	  STR(FO, rw), .def = "write" },
	{ "bs", K_TOKENS, 0, 0, NULL, "block size, e.g. 4k", STR(FO, bs), .def = "64k" },
	{ "size", K_TOKENS, 0, 0, NULL, "bytes per job, e.g. 64M", STR(FO, size),
	  .def = "128M" },
	{ "ioengine", K_ENUM, 0, 0, "psync|sync|libaio|io_uring|posixaio", "engine",
	  STR(FO, ioengine), .def = "psync" },
	{ "iodepth", K_UINT, 1, 1024, NULL, "queue depth", NUM(FO, iodepth), .def = "1" },
	{ "numjobs", K_UINT, 1, 64, NULL, "jobs", NUM(FO, numjobs), .def = "1" },
	{ "direct", K_BOOL, 0, 1, NULL, "O_DIRECT (0 = buffered: writeback kworkers)",
	  NUM(FO, direct) },
	{ "target", K_ENUM, 0, 0, "disk|file", "scratch virtio disk, or a file", STR(FO, target),
	  .def = "disk" },
	{ "layer", K_ENUM, 0, 0, "none|loop|dmcrypt",
	  "block layer between fio and the disk: a loop device or dm-crypt", STR(FO, layer),
	  .def = "none" },
	{ "disk", K_SIZE, 16, 65536, NULL, "scratch disk size", NUM(FO, disk_mib),
	  .def = "256M" },
	{ 0 }
};

static const struct key_spec perf_keys[] = {
	{ "enabled", K_BOOL, 0, 1, NULL, "run perf stat", NUM(struct wqb_perf, enabled) },
	{ "events", K_TOKENS, 0, 0, NULL, "perf -e list (comma separated)",
	  STR(struct wqb_perf, events),
	  .def = "task-clock,context-switches,cpu-migrations,workqueue:workqueue_execute_start,workqueue:workqueue_queue_work" },
	{ 0 }
};

#define EX struct wqb_expect
static const struct key_spec expect_keys[] = {
	{ "dmesg", K_PATTERNS, 0, 0, NULL, "expected dmesg substrings, separated by |",
	  .st = ST_PATTERNS, AT(EX, dmesg), .n_off = offsetof(EX, ndmesg) },
	{ "checks", K_TOKENS, 0, 0, NULL, "checks expected to fail", LIST(EX, checks, nchecks) },
	{ 0 }
};

#define TR struct wqb_trace
static const struct key_spec trace_keys[] = {
	{ "enabled", K_BOOL, 0, 1, NULL, "record tracefs", NUM(TR, enabled), .def = "1" },
	{ "events", K_EVENTLIST, 0, 0, NULL, "system:event list", LIST(TR, events, nevents),
	  .def = "workqueue:* cpuhp:*" },
	{ "buffer_kb", K_UINT, 64, 1048576, NULL, "ring buffer per CPU", NUM(TR, buffer_kb),
	  .def = "8192" },
	{ 0 }
};

struct parse_ctx;
static void *global_obj(struct parse_ctx *c, const char *label);
static void *hotplug_obj(struct parse_ctx *c, const char *label);
static void *cpumask_obj(struct parse_ctx *c, const char *label);
static void *wqattr_obj(struct parse_ctx *c, const char *label);
static void *inject_obj(struct parse_ctx *c, const char *label);
static void *slowdown_obj(struct parse_ctx *c, const char *label);
static void *stressng_obj(struct parse_ctx *c, const char *label);
static void *fio_obj(struct parse_ctx *c, const char *label);
static void *perf_obj(struct parse_ctx *c, const char *label);
static void *expect_obj(struct parse_ctx *c, const char *label);
static void *trace_obj(struct parse_ctx *c, const char *label);

#define NO_FIELD SIZE_MAX

/*
 * Section kinds: "[name]" or "[name LABEL]"; obj() is the struct its keys
 * are stored in; a section with an enabled field is on once it has a key.
 */
static const struct section_spec {
	const char *name;
	const struct key_spec *keys;
	int label;		/* 0 no label, 1 optional, 2 required */
	void *(*obj)(struct parse_ctx *c, const char *label);
	size_t enabled_off;	/* bool set by any key, or NO_FIELD */
} sections[] = {
	{ "global", global_keys, 0, global_obj, NO_FIELD },
	{ "group", NULL, 2, NULL, NO_FIELD },		/* kmod/wqbench_uapi.h */
	{ "hotplug", hotplug_keys, 0, hotplug_obj, NO_FIELD },
	{ "cpumask", cpumask_keys, 1, cpumask_obj, NO_FIELD },
	{ "wqattr", wqattr_keys, 2, wqattr_obj, NO_FIELD },
	{ "faultinject", inject_keys, 0, inject_obj, offsetof(struct wqb_faultinject, enabled) },
	{ "slowdown", slowdown_keys, 0, slowdown_obj, offsetof(struct wqb_slowdown, enabled) },
	{ "stress-ng", stressng_keys, 0, stressng_obj, offsetof(struct wqb_stressng, enabled) },
	{ "fio", fio_keys, 0, fio_obj, offsetof(struct wqb_fio, enabled) },
	{ "perf", perf_keys, 0, perf_obj, offsetof(struct wqb_perf, enabled) },
	{ "kparam", NULL, 0, NULL, NO_FIELD },	/* MODULE.PARAM keys: check_kparam() */
	{ "expect", expect_keys, 0, expect_obj, NO_FIELD },
	{ "trace", trace_keys, 0, trace_obj, NO_FIELD },
};

/* where a key was set, for errors found after the whole file is read */
struct key_line {
	char section[128];
	char key[WQB_KPARAM_NAME_MAX + 1];
	int line;
};

struct parse_ctx {
	struct wqb_scenario *s;
	const char *path;
	const char *str;	/* the text */
	int line;
	char *err;
	int err_line;
	char section[128];	/* current section, for duplicate-key checks */
	char seen[64][WQB_KPARAM_NAME_MAX + 1];	/* keys seen in this section */
	size_t nseen;
	struct key_line sects[64];	/* section headers: name and line */
	size_t nsects;
	struct key_line *keys;		/* every key set, with its line */
	size_t nkeys;
	uint64_t duration_override;	/* run --duration, 0 = none */
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
	/* never line 0: an error about the whole file points at its first line */
	c->err = xasprintf("%s:%d: %s", c->path, c->line > 0 ? c->line : 1, msg);
	c->err_line = c->line;
	free(msg);
}

/* perr() at a given line (0: the current one) */
static void perr_at(struct parse_ctx *c, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void perr_at(struct parse_ctx *c, int line, const char *fmt, ...)
{
	int saved = c->line;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (line)
		c->line = line;
	perr(c, "%s", msg);
	c->line = saved;
	free(msg);
}

static bool word_in(const char *w, size_t len, const char *choices)
{
	return wqbench_choice(choices, w, len) >= 0;
}

/* A decimal number as the docs write it: no sign, no leading zero, no 0x. */
static int parse_dec(const char *s, uint64_t *out)
{
	__u64 v;

	if (!s || wqbench_parse_dec(s, strlen(s), &v))
		return -1;
	*out = v;
	return 0;
}

int parse_duration_ms(const char *s, uint64_t *ms)
{
	size_t int_len, frac_len = 0;
	const char *unit;
	char *end;
	double v;

	if (!s)
		return -1;
	/* digits, optionally .digits, then the unit: no sign, exponent or hex */
	int_len = strspn(s, "0123456789");
	unit = s + int_len;
	if (*unit == '.') {
		frac_len = strspn(unit + 1, "0123456789");
		if (!frac_len)
			return -1;
		unit += 1 + frac_len;
	}
	if (!int_len || (int_len > 1 && s[0] == '0'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end != unit || v < 0)
		return -1;
	if (!*unit || strcmp(unit, "s") == 0)
		v *= 1000;
	else if (strcmp(unit, "ms") == 0)
		;
	else if (strcmp(unit, "us") == 0)
		v /= 1000;
	else if (strcmp(unit, "m") == 0 || strcmp(unit, "min") == 0)
		v *= 60000;
	else if (strcmp(unit, "h") == 0)
		v *= 3600000;
	else
		return -1;
	if (v > 1e15)
		return -1;
	*ms = (uint64_t)(v + 0.5);
	return 0;
}

/* "512M", "1G" or a bare number of MiB, decimal */
static int parse_size_mib(const char *s, uint64_t *mib)
{
	char num[32];
	size_t n = strlen(s);
	uint64_t v, mult = 1;

	if (!n || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	if (num[n - 1] == 'G' || num[n - 1] == 'g') {
		mult = 1024;
		num[--n] = '\0';
	} else if (num[n - 1] == 'M' || num[n - 1] == 'm') {
		num[--n] = '\0';
	}
	if (parse_dec(num, &v) || !v || v > (1ull << 30) / mult)
		return -1;
	*mib = v * mult;
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

/* "0-2,5" into cpus[], ascending, by the one CPU-list parser; count or -1 */
static int parse_cpulist(const char *v, int *cpus, size_t max, uint64_t maxcpu)
{
	bool *set = xcalloc(maxcpu + 1, sizeof(bool));
	int n = *v ? cpulist_parse(v, set, (int)maxcpu + 1) : -1;
	size_t k = 0;

	if (n <= 0 || (size_t)n > max) {
		free(set);
		return -1;
	}
	for (uint64_t cpu = 0; cpu <= maxcpu; cpu++)
		if (set[cpu]) {
			if (cpus)
				cpus[k] = (int)cpu;
			k++;
		}
	free(set);
	return n;
}

/* a hex cpumask with at least one CPU in it: "3", "0xf", "ff,00000000" */
static bool is_hexmask(const char *v)
{
	size_t n = 0;
	bool cpu = false;

	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		v += 2;
	if (*v == ',')
		return false;
	for (; *v; v++, n++) {
		if (*v == ',') {
			if (!v[1] || v[1] == ',')
				return false;
			continue;
		}
		if (!isxdigit((unsigned char)*v))
			return false;
		if (*v != '0')
			cpu = true;
	}
	return cpu && n <= 64;
}

/* Check one value against its spec; on success returns true. */
static bool check_value(struct parse_ctx *c, const char *sect, const struct key_spec *k,
			const char *v)
{
	uint64_t u;

	switch (k->type) {
	case K_UINT:
	case K_BOOL:
		if (parse_dec(v, &u) || u < k->min || u > k->max) {
			perr(c, "[%s] %s = '%s': want a decimal integer from %llu to %llu, no leading zero or 0x (%s)", sect,
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
	case K_FLAGS: {
		const char *p = v;

		if (!*v) {
			perr(c, "[%s] %s: empty; want a comma list of %s", sect, k->key, k->choices);
			return false;
		}
		while (*p) {
			size_t len = strcspn(p, ",");

			if (!word_in(p, len, k->choices)) {
				perr(c, "[%s] %s = '%s': '%.*s' is not one of %s", sect, k->key, v,
				     (int)len, p, k->choices);
				return false;
			}
			p += len;
			if (*p == ',' && !*++p) {
				perr(c, "[%s] %s = '%s': trailing comma; want a comma list of %s", sect,
				     k->key, v, k->choices);
				return false;
			}
		}
		return true;
	}
	case K_CPULIST:
		if (parse_cpulist(v, NULL, WQB_MAX_LIST, k->max) < 0) {
			perr(c, "[%s] %s = '%s': want a decimal CPU list like 0-2,5, no empty entries (at most %d CPUs, each <= %llu)",
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
			perr(c, "[%s] %s = '%s': want a decimal duration from %llums to %llums, like 500ms, 4s or 2m",
			     sect, k->key, v, (unsigned long long)k->min, (unsigned long long)k->max);
			return false;
		}
		return true;
	case K_SIZE:
		if (parse_size_mib(v, &u) || u < k->min || u > k->max) {
			perr(c, "[%s] %s = '%s': want a decimal size from %lluM to %lluM, like 1G or 512M",
			     sect, k->key, v, (unsigned long long)k->min, (unsigned long long)k->max);
			return false;
		}
		return true;
	case K_INT: {
		bool neg = v[0] == '-';

		if (parse_dec(v + neg, &u) || u < 1 || (neg && u > k->min) || (!neg && u > k->max)) {
			perr(c, "[%s] %s = '%s': want a decimal integer from -%llu to -1 or 1 to %llu (%s)", sect,
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
			     k->type == K_MASKLIST ? "hex cpumasks with at least one CPU each, like 3 f 0x5, or random" :
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

/* What a group key accepts, from its row of kmod/wqbench_uapi.h. */
static char *group_key_allowed(const struct wqbench_key *k)
{
	switch (k->type) {
	case WQBENCH_KT_UINT:
		return xasprintf("want a decimal integer from %llu to %llu",
				 (unsigned long long)k->min, (unsigned long long)k->max);
	case WQBENCH_KT_BOOL:
		return xstrdup("want 0 or 1");
	case WQBENCH_KT_ENUM:
		return xasprintf("allowed: %s", k->choices);
	case WQBENCH_KT_FLAGS:
		return xasprintf("allowed: a comma list of %s, each once", k->choices);
	case WQBENCH_KT_MIX:
		return xasprintf("want kind:weight pairs like cpu:50,sleep:30, kind one of %s (each once), weight %llu..%llu",
				 k->choices, (unsigned long long)k->min,
				 (unsigned long long)k->max);
	case WQBENCH_KT_CPULIST:
		return xasprintf("want a CPU list like 0-2,5 (decimal, CPUs 0..%llu)",
				 (unsigned long long)k->max);
	default:
		return xstrdup("want 1..16 characters of a-z, 0-9 and _");
	}
}

static char *group_keys_allowed(void)
{
	char *s = xstrdup("");

	for (int i = 0; i < WQBENCH_GK_NR; i++) {
		char *n;

		if (i == WQBENCH_GK_NAME)	/* the section's NAME */
			continue;
		n = xasprintf("%s%s%s", s, *s ? ", " : "", wqbench_group_keys[i].key);
		free(s);
		s = n;
	}
	return s;
}

static struct wqb_group *group_for(struct parse_ctx *c, const char *gname)
{
	struct wqb_scenario *s = c->s;
	struct wqb_group *g;

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
	g = &s->groups[s->ngroups++];
	snprintf(g->name, sizeof(g->name), "%s", gname);
	g->def = xasprintf("name=%s", gname);
	g->line = c->line;
	wqbench_group_defaults(g->val);
	g->given = 1u << WQBENCH_GK_NAME;
	return g;
}

/*
 * [group NAME] key = value: parsed by the module's own table
 * (kmod/wqbench_uapi.h), stored by key index and appended to the
 * definition the module is given.
 */
static int store_group(struct parse_ctx *c, const char *label, const char *key,
		       const char *value)
{
	struct wqb_group *g = group_for(c, label);
	int i = wqbench_group_key(key, strlen(key));
	const char *why;
	__u64 v;
	char *def;

	if (!g)
		return 0;
	if (i < 0 || i == WQBENCH_GK_NAME) {
		char *allowed = group_keys_allowed();

		perr(c, "[group %s] unknown key '%s'; allowed: %s", label, key, allowed);
		free(allowed);
		return 0;
	}
	if (wqbench_key_parse(&wqbench_group_keys[i], value, &v, &why)) {
		char *allowed = group_key_allowed(&wqbench_group_keys[i]);

		perr(c, "[group %s] %s = '%s': %s; %s (%s)", label, key, value, why, allowed,
		     wqbench_group_keys[i].help);
		free(allowed);
		return 0;
	}
	g->val[i] = v;
	g->given |= 1u << i;
	g->key_line[i] = c->line;
	g->unbound = (g->val[WQBENCH_GK_FLAGS] & WQBENCH_FLAG_UNBOUND) ||
		     g->val[WQBENCH_GK_WQ] == WQBENCH_WQ_UNBOUND;
	g->ordered = g->val[WQBENCH_GK_FLAGS] & WQBENCH_FLAG_ORDERED;
	g->system_wq = g->val[WQBENCH_GK_WQ] != WQBENCH_WQ_OWN;
	def = xasprintf("%s %s=%s", g->def, key, value);
	free(g->def);
	g->def = def;
	return 1;
}

static void apply_defaults(struct parse_ctx *c, const struct key_spec *keys, void *obj);

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
	m->line = c->line;
	apply_defaults(c, cpumask_keys, m);
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
	w->line = c->line;
	apply_defaults(c, wqattr_keys, w);
	return w;
}

static void *global_obj(struct parse_ctx *c, const char *label)
{
	(void)label;
	return c->s;
}

static void *hotplug_obj(struct parse_ctx *c, const char *label)
{
	(void)label;
	return &c->s->hotplug;
}

static void *cpumask_obj(struct parse_ctx *c, const char *label)
{
	return cpumask_for(c, label);
}

static void *wqattr_obj(struct parse_ctx *c, const char *label)
{
	return wqattr_for(c, label);
}

static void *inject_obj(struct parse_ctx *c, const char *label)
{
	(void)label;
	return &c->s->inject;
}

static void *slowdown_obj(struct parse_ctx *c, const char *label)
{
	(void)label;
	if (!c->s->slowdown.enabled)
		c->s->slowdown.line = c->line;
	return &c->s->slowdown;
}

static void *stressng_obj(struct parse_ctx *c, const char *label)
{
	(void)label;
	return &c->s->stressng;
}

static void *fio_obj(struct parse_ctx *c, const char *label)
{
	(void)label;
	return &c->s->fio;
}

static void *perf_obj(struct parse_ctx *c, const char *label)
{
	(void)label;
	return &c->s->perf;
}

static void *expect_obj(struct parse_ctx *c, const char *label)
{
	(void)label;
	return &c->s->expect;
}

static void *trace_obj(struct parse_ctx *c, const char *label)
{
	(void)label;
	return &c->s->trace;
}

/* a key given twice (or a section repeated) replaces the list: free the old one */
static void split_list(const char *v, const char *sep, bool trim, char **out, size_t *n)
{
	char *copy = xstrdup(v), *tok, *save = NULL;

	for (size_t i = 0; i < *n; i++) {
		free(out[i]);
		out[i] = NULL;
	}
	*n = 0;
	for (tok = strtok_r(copy, sep, &save); tok && *n < WQB_MAX_LIST;
	     tok = strtok_r(NULL, sep, &save)) {
		if (trim)
			str_trim(tok);
		if (*tok)
			out[(*n)++] = xstrdup(tok);
	}
	free(copy);
}

/* The number a checked value stands for (ms for durations, MiB for sizes). */
static uint64_t key_number(const struct key_spec *k, const char *v)
{
	uint64_t u = 0;

	if (k->type == K_DURATION)
		parse_duration_ms(v, &u);
	else if (k->type == K_SIZE)
		parse_size_mib(v, &u);
	else
		parse_dec(v, &u);
	return u;
}

/* Store a checked value where its row says. */
static void store_key(struct parse_ctx *c, const struct key_spec *k, void *obj, const char *v)
{
	char *p = (char *)obj + k->off;
	size_t *n = (size_t *)((char *)obj + k->n_off);

	switch (k->st) {
	case ST_NUM: {
		uint64_t u = key_number(k, v);

		if (k->size == sizeof(bool))
			*(bool *)p = u != 0;
		else if (k->size == sizeof(unsigned int))
			*(unsigned int *)p = (unsigned int)u;
		else
			*(uint64_t *)p = u;
		break;
	}
	case ST_INT: {
		uint64_t u = 0;

		parse_dec(v + (v[0] == '-'), &u);
		*(int *)p = v[0] == '-' ? -(int)u : (int)u;
		break;
	}
	case ST_STR:
		free(*(char **)p);
		*(char **)p = xstrdup(v);
		break;
	case ST_INDEX:
		*(int *)p = wqbench_choice(k->choices, v, strlen(v));
		break;
	case ST_LIST:
		split_list(v, " ", false, (char **)p, n);
		break;
	case ST_PATTERNS:
		split_list(v, "|", true, (char **)p, n);
		break;
	case ST_CPUS:
		*n = (size_t)parse_cpulist(v, (int *)p, WQB_MAX_LIST, k->max);
		break;
	case ST_UNTIL:
		c->s->until_faults = strcmp(v, "faults") == 0;
		c->s->until_items = strcmp(v, "items") == 0;
		break;
	case ST_MASKS: {
		struct wqb_cpumask *m = obj;

		m->random = strcmp(v, "random") == 0;
		if (!m->random)
			split_list(v, " ", false, m->masks, &m->nmasks);
		break;
	}
	}
}

/* Every default of a section's rows into its struct. */
static void apply_defaults(struct parse_ctx *c, const struct key_spec *keys, void *obj)
{
	for (const struct key_spec *k = keys; k->key; k++)
		if (k->def)
			store_key(c, k, obj, k->def);
}

/* The line a key was set on, 0 if it was not. */
static int key_line(const struct parse_ctx *c, const char *section, const char *key)
{
	for (size_t i = 0; i < c->nkeys; i++)
		if (strcmp(c->keys[i].section, section) == 0 && strcmp(c->keys[i].key, key) == 0)
			return c->keys[i].line;
	return 0;
}

/* The line of a section's header, 0 if there is none. */
static int section_line(const struct parse_ctx *c, const char *section)
{
	for (size_t i = 0; i < c->nsects; i++)
		if (strcmp(c->sects[i].section, section) == 0)
			return c->sects[i].line;
	return 0;
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
	const struct section_spec *sec = NULL;
	const struct key_spec *k;
	char kind[32] = "";
	const char *label = "";
	void *obj;

	if (c->err)
		return 0;
	if (strcmp(section, c->section) != 0) {
		snprintf(c->section, sizeof(c->section), "%s", section);
		c->nseen = 0;
	}
	for (size_t i = 0; i < c->nseen; i++)
		if (strcmp(c->seen[i], key) == 0) {
			perr(c, "[%s] %s is set twice (first at line %d); keep one", section, key,
			     key_line(c, section, key));
			return 0;
		}
	if (c->nseen < ARRAY_SIZE(c->seen))
		snprintf(c->seen[c->nseen++], sizeof(c->seen[0]), "%s", key);
	c->keys = xrealloc(c->keys, (c->nkeys + 1) * sizeof(*c->keys));
	snprintf(c->keys[c->nkeys].section, sizeof(c->keys[0].section), "%s", section);
	snprintf(c->keys[c->nkeys].key, sizeof(c->keys[0].key), "%s", key);
	c->keys[c->nkeys++].line = c->line;

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
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		if (strcmp(sections[i].name, kind) == 0)
			sec = &sections[i];
	if (!sec) {
		perr(c, "unknown section [%s]; allowed: [global], [group NAME], [hotplug], [cpumask], [cpumask NAME], [wqattr NAME], [faultinject], [slowdown], [kparam], [stress-ng], [fio], [perf], [expect], [trace]",
		     section);
		return 0;
	}
	if (sec->label == 0 && *label) {
		perr(c, "[%s]: this section takes no name; use [%s]", section, kind);
		return 0;
	}
	if (sec->label == 2 && !*label) {
		perr(c, "[%s] needs a name: [%s NAME]", section, kind);
		return 0;
	}
	if (*label && !is_word(label, WQB_GROUP_NAME_MAX) && strcmp(kind, "group") != 0) {
		perr(c, "[%s]: a section name is 1..%d characters of a-z, 0-9 and _",
		     section, WQB_GROUP_NAME_MAX);
		return 0;
	}
	if (strcmp(kind, "group") == 0)
		return store_group(c, label, key, value);
	if (!sec->keys) {		/* [kparam]: the key is a parameter's name */
		if (!check_kparam(c, key, value))
			return 0;
		return store_kparam(c, key, value);
	}
	k = find_key(sec->keys, key);
	if (!k) {
		char *allowed = allowed_keys(sec->keys);

		perr(c, "[%s] unknown key '%s'; allowed: %s", section, key, allowed);
		free(allowed);
		return 0;
	}
	if (!check_value(c, section, k, value))
		return 0;
	obj = sec->obj(c, label);
	if (!obj)
		return 0;
	if (sec->enabled_off != NO_FIELD && !*(bool *)((char *)obj + sec->enabled_off)) {
		/* a section that is off until it has a key: its defaults now */
		apply_defaults(c, sec->keys, obj);
		*(bool *)((char *)obj + sec->enabled_off) = true;
	}
	store_key(c, k, obj, value);
	return 1;
}

/*
 * A section header line: the same section twice is an error, directly
 * after itself too ("[hotplug] ... [hotplug]" would otherwise merge), and
 * "[group g]" alone is a group with every default (inih tells the handler
 * nothing about a section without keys).
 */
static void section_header(struct parse_ctx *c, const char *str)
{
	char name[128];
	size_t l = strcspn(str + 1, "]");

	if (str[1 + l] != ']' || l >= sizeof(name))
		return;		/* inih reports the syntax error */
	snprintf(name, sizeof(name), "%.*s", (int)l, str + 1);
	str_trim(name);
	for (size_t i = 0; i < c->nsects; i++)
		if (strcmp(c->sects[i].section, name) == 0) {
			perr(c, "[%s] appears twice (first at line %d); merge the two sections", name,
			     c->sects[i].line);
			return;
		}
	if (c->nsects < ARRAY_SIZE(c->sects)) {
		snprintf(c->sects[c->nsects].section, sizeof(c->sects[0].section), "%s", name);
		c->sects[c->nsects++].line = c->line;
	}
	if (strncmp(name, "group ", 6) == 0)
		group_for(c, name + 6);
}

/*
 * inih line reader: counts lines, takes CRLF line ends as LF, refuses
 * over-long and continuation lines, CR and NUL inside a line.
 */
static char *reader(char *str, int num, void *stream)
{
	struct parse_ctx *c = stream;
	const char *nl;
	size_t len;

	if (c->err || !*c->str)
		return NULL;
	nl = strchr(c->str, '\n');
	len = nl ? (size_t)(nl - c->str) + 1 : strlen(c->str);
	c->line++;
	if (len - (nl != NULL) > (size_t)num - 2) {
		perr(c, "line longer than %d characters", num - 2);
		return NULL;
	}
	memcpy(str, c->str, len);
	str[len] = '\0';
	c->str += len;
	if (len >= 2 && str[len - 2] == '\r' && str[len - 1] == '\n') {
		str[len - 2] = '\n';
		str[--len] = '\0';
	}
	if (strchr(str, '\r')) {
		perr(c, "carriage return inside a line: end lines with LF or CRLF");
		return NULL;
	}
	if (str[0] == '[')
		section_header(c, str);
	if ((str[0] == ' ' || str[0] == '\t') && str[strspn(str, " \t\r\n")] != '\0' &&
	    str[strspn(str, " \t")] != ';' && str[strspn(str, " \t")] != '#') {
		perr(c, "indented line: continuation lines are not supported, put the value on one line");
		return NULL;
	}
	return c->err ? NULL : str;
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
}

/* The rows' defaults of every section that is there without a key. */
static void section_defaults(struct parse_ctx *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		if (sections[i].keys && sections[i].label == 0 &&
		    sections[i].enabled_off == NO_FIELD)
			apply_defaults(c, sections[i].keys, sections[i].obj(c, ""));
}

uint64_t scenario_group_max_items(const struct wqb_group *g)
{
	return g->val[WQBENCH_GK_MAX_ITEMS];
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

/*
 * A group's keys together: the module's own rules (kmod/wqbench_uapi.h),
 * reported at the line of the key they blame (the group's header when that
 * key was left at its default).
 */
static void check_group_rules(struct parse_ctx *c, const struct wqb_group *g)
{
	const char *why;
	int k = wqbench_group_rules(g->val, &why);

	if (k < 0)
		return;
	perr_at(c, g->key_line[k] ? g->key_line[k] : g->line, "[group %s] %s: %s", g->name,
		wqbench_group_keys[k].key, why);
}

/* stress-ng arguments that set what the harness owns: run time and output files */
static const char *stressng_owned(const char *a)
{
	static const char *const owned[] = { "--timeout", "--yaml", "--log-file",
					     "--metrics-brief", "--job" };

	for (size_t i = 0; i < ARRAY_SIZE(owned); i++) {
		size_t l = strlen(owned[i]);

		if (strncmp(a, owned[i], l) == 0 && (a[l] == '\0' || a[l] == '='))
			return owned[i];
	}
	/* short options with the value attached too: -t5, -Yfile, -j job */
	if (a[0] == '-' && (a[1] == 't' || a[1] == 'Y' || a[1] == 'j'))
		return a[1] == 't' ? "-t" : a[1] == 'Y' ? "-Y" : "-j";
	return NULL;
}

/*
 * A fault source's start at or beyond the end of the measured phase never
 * acts: refused, against [global] duration or the run's --duration.
 */
static void check_start(struct parse_ctx *c, const char *sect, uint64_t start_ms, int line)
{
	uint64_t d = c->duration_override ? c->duration_override : c->s->duration_ms;
	int at = key_line(c, sect, "start");

	if (start_ms < d)
		return;
	if (c->duration_override)
		perr_at(c, at ? at : line,
			"[%s] start = %llums: at or beyond the run's duration (--duration %llums), so this fault would never fire; allowed: a start from 0 to %llums, or a longer --duration",
			sect, (unsigned long long)start_ms, (unsigned long long)d,
			(unsigned long long)d - 1);
	else
		perr_at(c, at ? at : line,
			"[%s] start = %llums: at or beyond [global] duration (%llums), so this fault would never fire; allowed: a start from 0 to %llums",
			sect, (unsigned long long)start_ms, (unsigned long long)d,
			(unsigned long long)d - 1);
}

static void check_starts(struct parse_ctx *c)
{
	struct wqb_scenario *s = c->s;
	char sect[64];

	if (s->hotplug.mode != HOTPLUG_OFF)
		check_start(c, "hotplug", s->hotplug.start_ms, section_line(c, "hotplug"));
	for (size_t i = 0; i < s->ncpumasks; i++) {
		snprintf(sect, sizeof(sect), "cpumask%s%s", *s->cpumasks[i].label ? " " : "",
			 s->cpumasks[i].label);
		check_start(c, sect, s->cpumasks[i].start_ms, s->cpumasks[i].line);
	}
	for (size_t i = 0; i < s->nwqattrs; i++) {
		snprintf(sect, sizeof(sect), "wqattr %s", s->wqattrs[i].label);
		check_start(c, sect, s->wqattrs[i].start_ms, s->wqattrs[i].line);
	}
	if (s->inject.enabled)
		check_start(c, "faultinject", s->inject.start_ms, section_line(c, "faultinject"));
}

/* Whole-scenario rules that no single key can check. */
static void cross_check(struct parse_ctx *c)
{
	struct wqb_scenario *s = c->s;

	if (!s->ngroups)
		perr_at(c, c->line, "no [group NAME] section: a scenario needs at least one work group");
	for (size_t i = 0; i < s->ngroups; i++)
		check_group_rules(c, &s->groups[i]);
	for (size_t i = 0; i < s->ncpumasks; i++) {
		struct wqb_cpumask *m = &s->cpumasks[i];
		char sect[64];

		snprintf(sect, sizeof(sect), "cpumask%s%s", *m->label ? " " : "", m->label);
		if (!m->nmasks && !m->random)
			perr_at(c, m->line, "[%s] needs masks = <hex> ... or masks = random", sect);
		if (strcmp(m->target, "global") != 0) {
			const struct wqb_group *g = scenario_group(s, m->target);
			int at = key_line(c, sect, "target") ? key_line(c, sect, "target") : m->line;

			if (!g)
				perr_at(c, at, "[%s] target '%s': no such group; use global or a group name",
					sect, m->target);
			else if (!group_has_sysfs(g))
				perr_at(c, at, "[%s] target %s: only groups on their own unbound, non-ordered workqueue (flags=unbound) have a cpumask",
					sect, m->target);
		}
	}
	for (size_t i = 0; i < s->nwqattrs; i++) {
		struct wqb_wqattr *w = &s->wqattrs[i];
		const struct wqb_group *g = w->group ? scenario_group(s, w->group) : NULL;
		char sect[64];
		int at;

		snprintf(sect, sizeof(sect), "wqattr %s", w->label);
		at = key_line(c, sect, "group") ? key_line(c, sect, "group") : w->line;
		if (!w->group || !w->attr || !w->nvalues)
			perr_at(c, w->line, "[wqattr %s] needs group, attr and values", w->label);
		else if (!g)
			perr_at(c, at, "[wqattr %s] group '%s': no such group", w->label, w->group);
		else if (!group_has_sysfs(g))
			perr_at(c, at, "[wqattr %s] group %s: only groups on their own unbound, non-ordered workqueue have WQ_SYSFS attributes",
				w->label, w->group);
	}
	if (s->until_faults && s->hotplug.mode == HOTPLUG_OFF && !s->ncpumasks && !s->nwqattrs)
		perr_at(c, key_line(c, "global", "until"),
			"[global] until = faults needs a fault source ([hotplug], [cpumask] or [wqattr]) whose plan can end");
	for (size_t i = 0; s->until_items && i < s->ngroups; i++)
		if (!scenario_group_max_items(&s->groups[i]))
			perr_at(c, s->groups[i].line,
				"[global] until = items: group %s has no max_items, so its work never ends",
				s->groups[i].name);
	if (s->hotplug.mode != HOTPLUG_OFF) {
		for (size_t i = 0; i < s->hotplug.ncpus; i++)
			if (s->hotplug.cpus[i] == 0)
				perr_at(c, key_line(c, "hotplug", "cpus"),
					"[hotplug] cpus: CPU 0 cannot be taken offline on x86; allowed: CPUs from 1");
		if (s->hotplug.fail_every && !s->hotplug.fail_state)
			perr_at(c, key_line(c, "hotplug", "fail_every"),
				"[hotplug] fail_every needs fail_state (a state from /sys/devices/system/cpu/hotplug/states, e.g. workqueue:online)");
	}
	if (s->slowdown.enabled) {
		if (!s->slowdown.where || !s->slowdown.delay_ns)
			perr_at(c, section_line(c, "slowdown"),
				"[slowdown] needs where = queue|pickup|pool and delay_ns");
		else if (s->slowdown.group && !scenario_group(s, s->slowdown.group))
			perr_at(c, key_line(c, "slowdown", "group"),
				"[slowdown] group '%s': no such group", s->slowdown.group);
	}
	if (s->inject.enabled && !s->inject.type)
		perr_at(c, section_line(c, "faultinject"),
			"[faultinject] needs type = failslab or fail_page_alloc");
	if (s->fio.enabled && s->fio.layer && strcmp(s->fio.layer, "none") &&
	    s->fio.target && strcmp(s->fio.target, "disk"))
		perr_at(c, key_line(c, "fio", "layer"), "[fio] layer = %s needs target = disk",
			s->fio.layer);
	for (size_t i = 0; s->stressng.enabled && i < s->stressng.nargs; i++) {
		const char *a = s->stressng.args[i], *o = stressng_owned(a);

		if (o)
			perr_at(c, key_line(c, "stress-ng", "args"),
				"[stress-ng] args: '%s': %s is set by wqbench (run time and output files); allowed: stressors and their options",
				a, o);
	}
	check_starts(c);
}

static int load_string(const char *path, const char *text, uint64_t duration_ms,
		       struct wqb_scenario *s, char **err)
{
	struct parse_ctx c = { .s = s, .path = path, .str = text,
			       .duration_override = duration_ms };
	int r;

	defaults(s, path);
	section_defaults(&c);
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
	free(c.keys);
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

int scenario_load_string(const char *path, const char *text, struct wqb_scenario *s, char **err)
{
	return load_string(path, text, 0, s, err);
}

/*
 * A scenario or suite file: a regular file of sane size, read whole.  A
 * FIFO, a device (/dev/zero) or a 1 GB file is refused, not read.
 */
#define WQB_INPUT_MAX (1024 * 1024)

static char *read_input(const char *path, const char *what, char **err)
{
	struct stat st;
	char *text;
	size_t len;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		*err = xasprintf("%s: cannot read %s: %s", path, what, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > WQB_INPUT_MAX) {
		*err = !S_ISREG(st.st_mode) ?
			xasprintf("%s: not a regular file; a %s is a text file", path, what) :
			xasprintf("%s: %lld bytes; a %s is at most %d bytes", path,
				  (long long)st.st_size, what, WQB_INPUT_MAX);
		close(fd);
		return NULL;
	}
	text = xmalloc((size_t)st.st_size + 1);
	len = 0;
	for (;;) {
		ssize_t n = read(fd, text + len, (size_t)st.st_size + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = xasprintf("%s: cannot read %s: %s", path, what, strerror(errno));
			free(text);
			close(fd);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > (size_t)st.st_size) {	/* grew while read */
			*err = xasprintf("%s: changed while read", path);
			free(text);
			close(fd);
			return NULL;
		}
	}
	close(fd);
	text[len] = '\0';
	if (strlen(text) != len) {
		int line = 1;

		for (const char *q = text; *q; q++)
			line += *q == '\n';
		*err = xasprintf("%s:%d: not a text file (NUL byte)", path, line);
		free(text);
		return NULL;
	}
	return text;
}

int scenario_load_for(const char *path, uint64_t duration_ms, struct wqb_scenario *s,
		      char **err)
{
	char *e = NULL, *text = read_input(path, "scenario", &e);
	int r;

	if (!text) {
		if (err)
			*err = e;
		else
			free(e);
		memset(s, 0, sizeof(*s));
		return -1;
	}
	r = load_string(path, text, duration_ms, s, err);
	free(text);
	return r;
}

int scenario_load(const char *path, struct wqb_scenario *s, char **err)
{
	return scenario_load_for(path, 0, s, err);
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
	char *text, *line, *save = NULL;
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int lineno = 0;

	memset(s, 0, sizeof(*s));
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	text = read_input(path, "suite", err);
	if (!text) {
		free(dir);
		return -1;
	}
	s->path = xstrdup(path);
	/* strsep, not strtok: empty lines count for the line numbers */
	save = text;
	while ((line = strsep(&save, "\n")) != NULL) {
		char *hash, *name, *reps, *extra, *sp = NULL;
		size_t ll = strlen(line);
		uint64_t n = 1;

		lineno++;
		if (ll && line[ll - 1] == '\r')	/* CRLF */
			line[--ll] = '\0';
		if (strchr(line, '\r')) {
			*err = xasprintf("%s:%d: carriage return inside a line: end lines with LF or CRLF",
					 path, lineno);
			goto fail;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		name = strtok_r(line, " \t", &sp);
		if (!name)
			continue;
		reps = strtok_r(NULL, " \t", &sp);
		extra = strtok_r(NULL, " \t", &sp);
		if (extra || (reps && (parse_dec(reps, &n) || n < 1 || n > 1000))) {
			*err = xasprintf("%s:%d: want 'scenario.wqb [repetitions 1..1000]' (repetitions decimal)",
					 path, lineno);
			goto fail;
		}
		if (is_suite_path(name)) {
			*err = xasprintf("%s:%d: %s: a suite lists scenarios (.wqb), not suites; list the other suite's scenarios here",
					 path, lineno, name);
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
		*err = xasprintf("%s:1: the suite lists no scenarios; want one 'scenario.wqb [repetitions]' a line",
				 path);
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

void scenario_each_key(void (*fn)(const char *section, const char *key, void *arg), void *arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		for (const struct key_spec *k = sections[i].keys; k && k->key; k++)
			fn(sections[i].name, k->key, arg);
}

/* What a key accepts, in a word or two, for `check --keys`. */
static char *key_allowed(const struct key_spec *k)
{
	unsigned long long lo = k->min, hi = k->max;

	switch (k->type) {
	case K_UINT:
		return hi == UINT64_MAX ? xstrdup("u64") : xasprintf("%llu..%llu", lo, hi);
	case K_BOOL:
		return xstrdup("0|1");
	case K_ENUM:
		return xstrdup(k->choices);
	case K_FLAGS:
		return xasprintf("comma list of %s", k->choices);
	case K_CPULIST:
		return xasprintf("CPU list, CPUs 0..%llu", hi);
	case K_TEXT:
		return xstrdup("text, <= 512 characters");
	case K_DURATION:
		return xasprintf("duration %llums..%llums", lo, hi);
	case K_SIZE:
		return xasprintf("size %lluM..%lluM", lo, hi);
	case K_MASKLIST:
		return xstrdup("hex cpumasks, or random");
	case K_EVENTLIST:
		return xstrdup("system:event ...");
	case K_WORD:
		return xasprintf("%llu..%llu of a-z 0-9 _", lo, hi);
	case K_TOKENS:
		return xstrdup("words");
	case K_PATTERNS:
		return xstrdup("substrings separated by |");
	case K_INT:
		return xasprintf("-%llu..-1 or 1..%llu", lo, hi);
	}
	return xstrdup("?");
}

/* the i-th word of '|'-separated choices, up to the next '|' */
static const char *word_at(const char *choices, uint64_t i)
{
	while (i-- && strchr(choices, '|'))
		choices = strchr(choices, '|') + 1;
	return choices;
}

/* `wqbench check --keys`: every section's keys from the tables above. */
void scenario_print_keys(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++) {
		const struct section_spec *sec = &sections[i];

		printf("[%s%s]\n", sec->name,
		       sec->label == 2 ? " NAME" : sec->label == 1 ? " [NAME]" : "");
		if (strcmp(sec->name, "group") == 0) {
			for (int k = 1; k < WQBENCH_GK_NR; k++) {
				const struct wqbench_key *g = &wqbench_group_keys[k];
				char *a = group_key_allowed(g), *d;

				if (g->def_doc)
					d = xstrdup(g->def_doc);
				else if (g->type == WQBENCH_KT_ENUM)
					d = xasprintf("%.*s", (int)strcspn(word_at(g->choices, g->def), "|"),
						      word_at(g->choices, g->def));
				else
					d = xasprintf("%llu", (unsigned long long)g->def);
				printf("  %-18s %s; default %s -- %s\n", g->key, a, d, g->help);
				free(a);
				free(d);
			}
		} else if (!sec->keys) {
			printf("  MODULE.PARAM       one word -- written to /sys/module/MODULE/parameters/PARAM for the run\n");
		} else {
			for (const struct key_spec *k = sec->keys; k->key; k++) {
				char *a = key_allowed(k);

				printf("  %-18s %s%s%s -- %s\n", k->key, a, k->def ? "; default " : "",
				       k->def ? k->def : "", k->help);
				free(a);
			}
		}
	}
}
