/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracefs collection in a dedicated instance (never the global buffer, which
 * belongs to whoever else is tracing the machine), saved as trace.dat.
 */
#ifndef WQB_TRACING_H
#define WQB_TRACING_H

#include "scenario.h"

#include <jansson.h>

struct tracefs_instance;

struct wqb_tracer {
	struct tracefs_instance *inst;
	char name[64];
	size_t nenabled;
};

/*
 * Create the instance, use the mono clock (so trace timestamps line up with
 * the module's ktime_get_ns() stamps), size the buffer, enable the events.
 * Recording starts at tracer_on().  Returns 0 or -1 with *err (malloc'd).
 */
int tracer_setup(const struct wqb_trace *cfg, struct wqb_tracer *t, char **err);
int tracer_on(struct wqb_tracer *t);
int tracer_off(struct wqb_tracer *t);

/*
 * Save the buffer to trace_dat (tracedat.h), and return per-CPU
 * ring-buffer statistics (entries, overrun, dropped) in *stats.  Returns 0
 * or -1 with *err.
 */
int tracer_save(struct wqb_tracer *t, const char *trace_dat, json_t **stats, char **err);

/* Remove the instance (always call, also after errors). */
void tracer_destroy(struct wqb_tracer *t);

#endif /* WQB_TRACING_H */
