/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scenario files (.wqb): INI in the style of fio job files, parsed with
 * libinih.  Every key is described in one table in scenario.c -- the
 * [group] keys in the module's, kmod/wqbench_uapi.h -- and documented in
 * docs/scenario.md (tests/unit/test_keys.c checks the group keys' tables).
 *
 *   [global]          run-wide settings
 *   [group NAME]      one wqbench.ko work group (passed to the module)
 *   [hotplug]         CPU hotplug fault source
 *   [cpumask [NAME]]  unbound cpumask fault source (several allowed)
 *   [wqattr NAME]     a group workqueue's attribute sweep (several allowed)
 *   [faultinject]     failslab / fail_page_alloc
 *   [slowdown]        a calibrated delay in the workqueue path (wqbench.ko)
 *   [kparam]          kernel module parameters set for the run, put back after
 *   [stress-ng]       background load
 *   [fio]             background I/O
 *   [perf]            perf stat collection
 *   [expect]          dmesg lines and checks the scenario provokes on purpose
 *   [trace]           tracefs collection
 */
#ifndef WQB_SCENARIO_H
#define WQB_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wqbench_uapi.h"

#define WQB_MAX_GROUPS 32
#define WQB_GROUP_NAME_MAX 16
#define WQB_MAX_LIST 64

struct wqb_group {
	char name[WQB_GROUP_NAME_MAX + 1];
	/* the module definition: "name=G key=value ..." in file order */
	char *def;
	/*
	 * Every key's value as the module parses it (kmod/wqbench_uapi.h:
	 * val[WQBENCH_GK_*], defaults where not given), the keys given
	 * (bit WQBENCH_GK_*) and the line of each.
	 */
	__u64 val[WQBENCH_GK_NR];
	uint32_t given;
	int key_line[WQBENCH_GK_NR];
	bool unbound;		/* runs on an unbound workqueue */
	bool ordered;
	bool system_wq;		/* on a system workqueue, not its own */
	int line;
};

/* Was group key k (WQBENCH_GK_*) given in the file? */
static inline bool group_given(const struct wqb_group *g, int k)
{
	return g->given & (1u << k);
}

enum hotplug_mode {
	HOTPLUG_OFF,
	HOTPLUG_SEQUENTIAL,	/* each CPU offline then online, in turn */
	HOTPLUG_RANDOM,		/* torture style: random CPU toggled at fuzzed intervals */
	HOTPLUG_ALL_BUT_ONE,	/* all listed CPUs offline, then all back */
};

struct wqb_hotplug {
	enum hotplug_mode mode;
	uint64_t start_ms, interval_ms, fuzz_ms;
	unsigned int cycles;		/* sequential / all_but_one passes */
	unsigned int count;		/* random: actions (0 = until the end) */
	int cpus[WQB_MAX_LIST];		/* CPUs to use; empty = all but CPU 0 */
	size_t ncpus;
	char *fail_state;		/* cpuhp state name for rollback injection */
	unsigned int fail_every;	/* every Nth transition is made to fail */
};

#define WQB_MAX_SOURCES 16

/* [cpumask] / [cpumask NAME]: global or per-queue unbound cpumask churn */
struct wqb_cpumask {
	char *label;
	char *target;			/* "global" or a group name */
	bool random;			/* masks = random: random subsets of online CPUs */
	char *masks[WQB_MAX_LIST];	/* hex masks, applied in turn */
	size_t nmasks;
	unsigned int count;		/* random: changes (0 = until the end) */
	uint64_t start_ms, interval_ms;
	int line;
};

/* [wqattr NAME]: sweep one WQ_SYSFS attribute of a group's workqueue */
struct wqb_wqattr {
	char *label;
	char *group;
	char *attr;			/* affinity_scope|affinity_strict|max_active|nice */
	char *values[WQB_MAX_LIST];
	size_t nvalues;
	uint64_t start_ms, interval_ms;
	int line;
};

/* [faultinject]: failslab / fail_page_alloc, where the kernel has them */
struct wqb_faultinject {
	bool enabled;
	char *type;			/* failslab | fail_page_alloc */
	unsigned int probability;	/* percent */
	unsigned int interval;
	int times;			/* -1 = no limit */
	bool kworkers_only;		/* task-filter on, make-it-fail set on kworkers */
	uint64_t start_ms, duration_ms;	/* duration 0 = until the end */
};

/*
 * [slowdown]: a busy wait of delay_ns for one item in `every` at a place of
 * the workqueue path, by wqbench.ko (docs/kmod.md "Injected delays") --
 * a regression of known size, for measuring what a comparison catches.
 */
struct wqb_slowdown {
	bool enabled;
	char *where;			/* queue | pickup | pool */
	uint64_t delay_ns;
	unsigned int every;
	char *group;			/* NULL: every group */
	int line;
};

/*
 * [kparam]: MODULE.PARAM = VALUE, written to
 * /sys/module/MODULE/parameters/PARAM for the run and put back after it
 * (harness/kparam.c).  Names are checked here: no '/', no "..".
 */
#define WQB_MAX_KPARAMS 16
#define WQB_KPARAM_NAME_MAX 63		/* MODULE.PARAM */
#define WQB_KPARAM_VALUE_MAX 128

struct wqb_kparam {
	char *module, *param, *value;
	int line;
};

/* [stress-ng]: background load */
struct wqb_stressng {
	bool enabled;
	char *args[WQB_MAX_LIST];	/* stressor arguments, one word each */
	size_t nargs;
};

/* [fio]: background I/O that makes real kworker activity */
struct wqb_fio {
	bool enabled;
	char *rw, *bs, *size, *ioengine;
	unsigned int iodepth, numjobs;
	bool direct;
	char *target;			/* disk (a scratch virtio disk in the guest) | file */
	char *layer;			/* none | loop | dmcrypt, on top of the disk */
	uint64_t disk_mib;
};

/* [perf]: perf stat over the measured phase, split around hotplug */
struct wqb_perf {
	bool enabled;
	char *events;			/* -e list */
};

/* [expect]: what this scenario is meant to provoke */
struct wqb_expect {
	char *dmesg[WQB_MAX_LIST + 1];	/* expected dmesg substrings, NULL-terminated */
	size_t ndmesg;
	char *checks[WQB_MAX_LIST];	/* checks expected to fail (e.g. hotplug) */
	size_t nchecks;
};

struct wqb_trace {
	bool enabled;
	char *events[WQB_MAX_LIST];	/* "system:event" or "system:*" */
	size_t nevents;
	unsigned int buffer_kb;		/* per CPU */
};

struct wqb_scenario {
	char *path;			/* as given */
	char *text;			/* the file, verbatim, for meta.json */
	char *name;			/* [global] name, default: file stem */
	char *description;
	uint64_t duration_ms, warmup_ms;
	/*
	 * [global] until = faults: the measured phase ends once every fault
	 * source has done its whole plan, duration being only the limit --
	 * "1000 hotplug transitions" whatever the host's speed.
	 */
	bool until_faults;
	/*
	 * [global] until = items: the measured phase ends once every group
	 * has run its max_items -- "a million events" on a slow host too.
	 */
	bool until_items;
	unsigned int repetitions;
	uint64_t seed;
	unsigned int cpus;		/* guest vCPUs */
	uint64_t memory_mib;		/* guest memory */
	char *requires;		/* [global] requires: comma list, or NULL */
	struct wqb_group groups[WQB_MAX_GROUPS];
	size_t ngroups;
	struct wqb_hotplug hotplug;
	struct wqb_cpumask cpumasks[WQB_MAX_SOURCES];
	size_t ncpumasks;
	struct wqb_wqattr wqattrs[WQB_MAX_SOURCES];
	size_t nwqattrs;
	struct wqb_faultinject inject;
	struct wqb_slowdown slowdown;
	struct wqb_kparam kparams[WQB_MAX_KPARAMS];
	size_t nkparams;
	struct wqb_stressng stressng;
	struct wqb_fio fio;
	struct wqb_perf perf;
	struct wqb_expect expect;
	struct wqb_trace trace;
};

/* The group named name, or NULL. */
const struct wqb_group *scenario_group(const struct wqb_scenario *s, const char *name);
/* the group's max_items (0: none) */
uint64_t scenario_group_max_items(const struct wqb_group *g);

/*
 * Parse a scenario file.  On error returns -1 and, when err is not NULL,
 * a malloc'd message naming file, line, section, key and what is allowed.
 */
int scenario_load(const char *path, struct wqb_scenario *s, char **err);
/* Same, from a string (path is used in messages only). */
int scenario_load_string(const char *path, const char *text, struct wqb_scenario *s, char **err);
/*
 * scenario_load() for a run whose measured phase lasts duration_ms
 * (run --duration; 0 = the file's): a fault source starting at or beyond
 * it is refused, naming the source and that duration.
 */
int scenario_load_for(const char *path, uint64_t duration_ms, struct wqb_scenario *s,
		      char **err);
void scenario_free(struct wqb_scenario *s);

/* Durations: "4s", "500ms", "2m", "1h", "250us"; a bare number is seconds. */
int parse_duration_ms(const char *s, uint64_t *ms);

/*
 * fn(section, key) for every key the parser accepts, section by section,
 * but [group NAME] (kmod/wqbench_uapi.h) and [kparam] (MODULE.PARAM):
 * what docs/scenario.md's tables are held to (tests/unit/test_scenario_doc.c).
 */
void scenario_each_key(void (*fn)(const char *section, const char *key, void *arg), void *arg);

/* `wqbench check --keys`: every section's keys, what they accept, defaults, on stdout */
void scenario_print_keys(void);

/* Suite files (.suite): one "scenario [repetitions]" per line, # comments. */
struct wqb_suite_entry {
	char *path;			/* resolved relative to the suite file */
	unsigned int repetitions;
};
struct wqb_suite {
	char *path;
	struct wqb_suite_entry *e;
	size_t n;
};
int suite_load(const char *path, struct wqb_suite *s, char **err);
void suite_free(struct wqb_suite *s);
bool is_suite_path(const char *path);

#endif /* WQB_SCENARIO_H */
