// SPDX-License-Identifier: GPL-2.0
/*
 * tracefs instance management with libtracefs; trace.dat written
 * in-process by tracedat.c (libtracecmd can read trace.dat but has no
 * public API to write one; `trace-cmd extract -B <instance>`, which this
 * used before, took most of a run's wall time in the TCG guest).
 * WQBENCH_TRACEDAT=trace-cmd in the environment of the run still writes it
 * with trace-cmd extract, for comparing the two.
 */
#include "tracing.h"
#include "kmodctl.h"
#include "tracedat.h"
#include "runcmd.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracefs.h>
#include <unistd.h>

int tracer_setup(const struct wqb_trace *cfg, struct wqb_tracer *t, char **err)
{
	char kb[32];

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "wqbench_%d", (int)getpid());
	if (!tracefs_tracing_dir()) {
		*err = xasprintf("tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)");
		return -1;
	}
	t->inst = tracefs_instance_create(t->name);
	if (!t->inst) {
		*err = xasprintf("cannot create tracefs instance %s: %s", t->name, strerror(errno));
		return -1;
	}
	tracefs_trace_off(t->inst);
	if (tracefs_instance_file_write(t->inst, "trace_clock", "mono") < 0) {
		*err = xasprintf("cannot select the mono trace clock");
		return -1;
	}
	snprintf(kb, sizeof(kb), "%u", cfg->buffer_kb);
	if (tracefs_instance_file_write(t->inst, "buffer_size_kb", kb) < 0) {
		*err = xasprintf("cannot set the trace buffer to %s KiB per CPU", kb);
		return -1;
	}
	for (size_t i = 0; i < cfg->nevents; i++) {
		char *sys = xstrdup(cfg->events[i]), *ev = strchr(sys, ':');
		int r;

		*ev++ = '\0';
		r = tracefs_event_enable(t->inst, sys, strcmp(ev, "*") == 0 ? NULL : ev);
		if (r < 0) {
			*err = xasprintf("trace event %s not available in this kernel",
					 cfg->events[i]);
			free(sys);
			return -1;
		}
		t->nenabled++;
		free(sys);
	}
	return 0;
}

int tracer_on(struct wqb_tracer *t)
{
	return t->inst ? tracefs_trace_on(t->inst) : -1;
}

int tracer_off(struct wqb_tracer *t)
{
	return t->inst ? tracefs_trace_off(t->inst) : -1;
}

/* per_cpu/cpuN/stats: "entries: 5\noverrun: 0\n...dropped events: 0\n" */
static json_t *cpu_stats(struct tracefs_instance *inst, int cpu)
{
	char *file = xasprintf("per_cpu/cpu%d/stats", cpu);
	char *text = tracefs_instance_file_read(inst, file, NULL), *line, *save = NULL;
	json_t *o;

	free(file);
	if (!text)
		return NULL;
	o = json_object();
	json_object_set_new(o, "cpu", json_integer(cpu));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');
		long long v;

		if (!colon)
			continue;
		*colon = '\0';
		if (sscanf(colon + 1, "%lld", &v) != 1 || strchr(colon + 1, '.'))
			continue;
		for (char *p = line; *p; p++)
			if (*p == ' ')
				*p = '_';
		json_object_set_new(o, line, json_integer(v));
	}
	free(text);
	return o;
}

/* the instance's set_event: "system:event" for each event enabled */
static json_t *enabled_events(struct tracefs_instance *inst)
{
	char *text = tracefs_instance_file_read(inst, "set_event", NULL), *line, *save = NULL;
	json_t *a = json_array();

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		if (strchr(line, ':'))
			json_array_append_new(a, json_string(line));
	free(text);
	return a;
}

int tracer_save(struct wqb_tracer *t, const char *trace_dat, json_t **stats, char **err)
{
	json_t *per = json_array();
	long long overrun = 0, dropped = 0, entries = 0;
	char *log = xasprintf("%s.log", trace_dat);
	struct spawn_opts o = { .stdout_path = log, .stderr_to_stdout = true };
	char *const argv[] = { "trace-cmd", "extract", "-B", t->name, "-o", (char *)trace_dat,
			       NULL };
	struct spawn_result res;
	char *text;

	*stats = NULL;
	for (int cpu = 0; cpu < 1024; cpu++) {
		json_t *c = cpu_stats(t->inst, cpu);

		if (!c)
			break;
		overrun += json_integer_value(json_object_get(c, "overrun"));
		dropped += json_integer_value(json_object_get(c, "dropped_events"));
		entries += json_integer_value(json_object_get(c, "entries"));
		json_array_append_new(per, c);
	}
	*stats = json_pack("{s:s,s:I,s:I,s:I,s:o}", "instance", t->name, "entries", entries,
			   "overrun", overrun, "dropped", dropped, "per_cpu", per);
	/* what was traced, for the report's line on instrumentation and tracing */
	json_object_set_new(*stats, "events", enabled_events(t->inst));
	if ((text = tracefs_instance_file_read(t->inst, "buffer_size_kb", NULL)))
		json_object_set_new(*stats, "buffer_kb", json_integer(atoll(text)));
	free(text);
	if (!getenv("WQBENCH_TRACEDAT") || strcmp(getenv("WQBENCH_TRACEDAT"), "trace-cmd")) {
		struct tracedat_info info;
		int r = tracedat_write(t->inst, kmodctl_ko_path(), trace_dat, &info, err);

		free(log);
		if (r == 0) {
			json_object_set_new(*stats, "bytes", json_integer((json_int_t)info.bytes));
			/* the first traced run of a boot pays for the others */
			if (info.boot_copy)
				json_object_set_new(*stats, "boot_copy_ms",
						    json_real(info.boot_copy_ms));
		}
		return r;
	}
	spawn_run(argv, &o, 300000, &res);
	if (res.spawn_failed || res.exit_code != 0 || !path_exists(trace_dat)) {
		text = read_file(log, NULL);

		*err = xasprintf("trace-cmd extract failed (exit %d): %s", res.exit_code,
				 res.spawn_failed ? "trace-cmd not installed" : (text ? text : ""));
		free(text);
		free(log);
		return -1;
	}
	unlink(log);
	free(log);
	return 0;
}

void tracer_destroy(struct wqb_tracer *t)
{
	if (!t->inst)
		return;
	tracefs_trace_off(t->inst);
	tracefs_instance_destroy(t->inst);
	tracefs_instance_free(t->inst);
	t->inst = NULL;
}
