/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a run's wall time goes: the phases of hostrun.c, each one's
 * accumulated wall time (a phase may be entered more than once: judging
 * happens after stop and again after dmesg), written as phases.json
 * (results/README.md).  The clock is passed in, so the accounting is a
 * pure function of the times it is given.
 */
#ifndef WQB_PHASES_H
#define WQB_PHASES_H

#include <jansson.h>
#include <stdint.h>

enum wqb_phase {
	PH_SETUP,		/* meta.json, requires, state save, [kparam] */
	PH_MODULE_LOAD,
	PH_GROUP_DEFINITION,	/* groups, [slowdown] */
	PH_TRACE_START,		/* tracefs instance, buffers, events */
	PH_WARMUP,		/* start work, background load, warm-up */
	PH_MEASUREMENT,		/* the measured phase */
	PH_STOP,		/* faults joined, load and work stopped, stats read */
	PH_TRACE_EXTRACTION,	/* trace-cmd extract to trace.dat */
	PH_RESTORE,
	PH_UNLOAD,
	PH_JUDGING,		/* module oracles, clock, faults, dmesg */
	PH_REPORT,		/* summary.json, result.ktap */
	PH_COUNT
};

struct wqb_phases {
	uint64_t ns[PH_COUNT];
	uint64_t t_begin, t_last;
	int cur;		/* -1 before the first phase */
};

const char *phases_name(enum wqb_phase p);
void phases_init(struct wqb_phases *ph, uint64_t now_ns);
/* close the current phase at now_ns and enter p */
void phases_enter(struct wqb_phases *ph, enum wqb_phase p, uint64_t now_ns);
/* close the current phase at now_ns */
void phases_end(struct wqb_phases *ph, uint64_t now_ns);
/*
 * {"format":1, "wall_ms", "measured_ms", "duty_cycle", "phases":{NAME: ms}}
 * (after phases_end); wall is from phases_init to phases_end.
 */
json_t *phases_json(const struct wqb_phases *ph);

#endif /* WQB_PHASES_H */
