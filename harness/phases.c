// SPDX-License-Identifier: GPL-2.0
/*
 * A run's wall time by phase (phases.h).  Accumulates, so a phase entered
 * twice counts both stays; the sum of the phases is the wall time.
 */
#include "phases.h"

#include <string.h>

static const char *const phase_names[PH_COUNT] = {
	[PH_SETUP] = "setup",
	[PH_MODULE_LOAD] = "module_load",
	[PH_GROUP_DEFINITION] = "group_definition",
	[PH_TRACE_START] = "trace_start",
	[PH_WARMUP] = "warmup",
	[PH_MEASUREMENT] = "measurement",
	[PH_STOP] = "stop",
	[PH_TRACE_EXTRACTION] = "trace_extraction",
	[PH_RESTORE] = "restore",
	[PH_UNLOAD] = "unload",
	[PH_JUDGING] = "judging",
	[PH_REPORT] = "report",
};

const char *phases_name(enum wqb_phase p)
{
	return (unsigned)p < PH_COUNT ? phase_names[p] : "?";
}

void phases_init(struct wqb_phases *ph, uint64_t now_ns)
{
	memset(ph, 0, sizeof(*ph));
	ph->t_begin = ph->t_last = now_ns;
	ph->cur = -1;
}

void phases_end(struct wqb_phases *ph, uint64_t now_ns)
{
	if (now_ns < ph->t_last)	/* never negative, whatever the caller's clock did */
		now_ns = ph->t_last;
	if (ph->cur >= 0)
		ph->ns[ph->cur] += now_ns - ph->t_last;
	ph->t_last = now_ns;
	ph->cur = -1;
}

void phases_enter(struct wqb_phases *ph, enum wqb_phase p, uint64_t now_ns)
{
	phases_end(ph, now_ns);
	if ((unsigned)p < PH_COUNT)
		ph->cur = (int)p;
}

json_t *phases_json(const struct wqb_phases *ph)
{
	json_t *j = json_object(), *o = json_object();
	uint64_t wall = ph->t_last - ph->t_begin;

	for (int i = 0; i < PH_COUNT; i++)
		json_object_set_new(o, phase_names[i], json_real((double)ph->ns[i] / 1e6));
	json_object_set_new(j, "format", json_integer(1));
	json_object_set_new(j, "wall_ms", json_real((double)wall / 1e6));
	json_object_set_new(j, "measured_ms", json_real((double)ph->ns[PH_MEASUREMENT] / 1e6));
	json_object_set_new(j, "duty_cycle",
			    wall ? json_real((double)ph->ns[PH_MEASUREMENT] / (double)wall)
				 : json_null());
	json_object_set_new(j, "phases", o);
	return j;
}
