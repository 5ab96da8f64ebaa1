/* SPDX-License-Identifier: GPL-2.0 */
/*
 * meta.json: everything needed to know what a run ran on -- kernel, command
 * line, config hash, CPUs, tool versions, wqbench revision, the scenario.
 */
#ifndef WQB_META_H
#define WQB_META_H

#include "result.h"
#include "scenario.h"

#include <jansson.h>
#include <stdint.h>

/*
 * Describe the running system and the scenario.  kernel_config names the
 * running kernel's .config when the caller knows it (the guest's /boot is
 * the host's); /proc/config.gz and /boot/config-<release> are tried first.
 */
json_t *meta_collect(const struct wqb_scenario *s, const char *kmod_path,
		     const char *kernel_config);

/*
 * The versions of trace-cmd, perf, stress-ng and fio found on search (a
 * PATH; NULL: this process's): {tool: first line of --version, or null
 * when not installed}.
 */
json_t *meta_tool_versions(const char *search);
/*
 * The versions the host asked for a guest (WQB_GUEST_TOOLS_FILE in vm.h):
 * meta_tool_versions() plus "uname_release", the host's kernel (stress-ng
 * names the kernel it is asked on).  NULL, with a warning, unless the file
 * is exactly one string-or-null per tool and the release; else the
 * versions, and *release allocated.
 */
json_t *meta_tools_from_file(const char *path, char **release);

/*
 * The clock every figure of a run is measured with.  The module stamps with
 * ktime_get_ns(), CLOCK_MONOTONIC read through the current clocksource; if
 * the kernel fell back to jiffies, every stamp is a whole tick.
 */
struct wqb_clock {
	char clocksource[64];	/* current_clocksource, "" when unreadable */
	char available[256];	/* available_clocksource */
	uint64_t getres_ns;	/* clock_getres(CLOCK_MONOTONIC) */
	uint64_t step_ns;	/* smallest non-zero step between two readings; 0: none */
	uint64_t reads;		/* readings taken */
	uint64_t repeats;	/* readings equal to the one before */
	uint64_t span_ns;	/* last reading minus the first */
};

/*
 * Read CLOCK_MONOTONIC back to back, bounded: at least 1000 readings and
 * until it has advanced at least twice over 5 ms; or 100 ms have passed on
 * it, or 1000000 readings (a clock that never moves).
 */
void meta_clock_measure(struct wqb_clock *c);

/* meta.json's "clock" object (results/README.md) */
json_t *meta_clock_json(const struct wqb_clock *c);

/*
 * The rule (docs/kmod.md, "The clock check"): the measured resolution must
 * be at most 1/WQB_CLOCK_DIVISOR of the smallest median the run reports
 * (queue->start and run-time p50 of every group), and a resolution of
 * WQB_CLOCK_FLOOR_NS or better always passes.  step_ns 0 (the clock never
 * advanced) never passes.  *limit_ns gets the limit applied.
 */
#define WQB_CLOCK_DIVISOR	10
#define WQB_CLOCK_FLOOR_NS	10000ull
bool meta_clock_resolves(uint64_t step_ns, uint64_t smallest_p50_ns, uint64_t *limit_ns);

/*
 * The measured step is the clock's resolution only when the clock was seen
 * standing still between readings (repeats > 0: it ticks, and its smallest
 * step is the tick).  A clock that moved at every reading is at least as
 * fine as the readings were apart, and a slow or starved reader (a TCG vCPU
 * on a busy host, an HPET read that traps) spaces them out: a step above
 * the limit then proves nothing, and clock_getres() -- the tick for a
 * low-resolution clock, 1 ns for a high-resolution one -- decides.
 */
enum wqb_clock_verdict {
	WQB_CLOCK_RESOLVES,	/* measured step within the limit */
	WQB_CLOCK_UNREAD,	/* never repeated, step above the limit, getres within it */
	WQB_CLOCK_COARSE,	/* repeated with a step above the limit, or getres above it */
};
enum wqb_clock_verdict meta_clock_judge(const struct wqb_clock *c, uint64_t smallest_p50_ns,
					uint64_t *limit_ns);

/*
 * The "clock" check of a run: the clock measured at its start against the
 * figures in kmod-stats (groups with stamps that completed items in the
 * measured phase).  The detail line names the clocksource, the resolution,
 * the smallest figure and the limit.
 */
enum check_status meta_clock_check(const struct wqb_clock *c, json_t *stats, char *detail,
				   size_t len);

/* The clock meta_collect() measured last (NULL before the first call). */
const struct wqb_clock *meta_last_clock(void);

#endif /* WQB_META_H */
