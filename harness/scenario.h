/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scenario files (.wqb): INI in the style of fio job files, parsed with
 * libinih.  Every key is described in one table in scenario.c and documented
 * in docs/scenario.md; keep the two in step.
 *
 *   [global]          run-wide settings
 *   [group NAME]      one wqbench.ko work group (passed to the module)
 *   [hotplug]         CPU hotplug fault source
 *   [cpumask]         unbound cpumask fault source
 *   [trace]           tracefs collection
 */
#ifndef WQB_SCENARIO_H
#define WQB_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WQB_MAX_GROUPS 32
#define WQB_GROUP_NAME_MAX 16
#define WQB_MAX_LIST 64

struct wqb_group {
	char name[WQB_GROUP_NAME_MAX + 1];
	/* the module definition: "name=G key=value ..." in file order */
	char *def;
	bool unbound;
	int line;
};

enum hotplug_mode { HOTPLUG_OFF, HOTPLUG_SEQUENTIAL };

struct wqb_hotplug {
	enum hotplug_mode mode;
	uint64_t start_ms, interval_ms;
	unsigned int cycles;		/* offline+online cycles over the CPU list */
	int cpus[WQB_MAX_LIST];		/* CPUs to cycle; empty = all but CPU 0 */
	size_t ncpus;
};

struct wqb_cpumask {
	bool enabled;
	char *target;			/* "global" or a group name */
	char *masks[WQB_MAX_LIST];	/* hex masks, applied in turn */
	size_t nmasks;
	uint64_t start_ms, interval_ms;
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
	unsigned int repetitions;
	uint64_t seed;
	unsigned int cpus;		/* guest vCPUs */
	uint64_t memory_mib;		/* guest memory */
	struct wqb_group groups[WQB_MAX_GROUPS];
	size_t ngroups;
	struct wqb_hotplug hotplug;
	struct wqb_cpumask cpumask;
	struct wqb_trace trace;
};

/*
 * Parse a scenario file.  On error returns -1 and, when err is not NULL,
 * a malloc'd message naming file, line, section, key and what is allowed.
 */
int scenario_load(const char *path, struct wqb_scenario *s, char **err);
/* Same, from a string (path is used in messages only). */
int scenario_load_string(const char *path, const char *text, struct wqb_scenario *s, char **err);
void scenario_free(struct wqb_scenario *s);

/* Durations: "4s", "500ms", "2m", "1h", "250us"; a bare number is seconds. */
int parse_duration_ms(const char *s, uint64_t *ms);

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
