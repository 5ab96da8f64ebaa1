// SPDX-License-Identifier: GPL-2.0
/*
 * Segmented perf stat (see perfstat.h for why).
 */
#include "perfstat.h"
#include "hotplug.h"
#include "runcmd.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

json_t *perfstat_parse(const char *text)
{
	json_t *counters = json_object();
	char *copy = xstrdup(text ? text : ""), *line, *save = NULL;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *o = line[0] == '{' ? json_loads(line, 0, NULL) : NULL;
		const char *ev = o ? json_string_value(json_object_get(o, "event")) : NULL;
		const char *val = o ? json_string_value(json_object_get(o, "counter-value")) : NULL;

		/* "<not supported>" / "<not counted>" carry no number */
		if (ev && val && val[0] != '<') {
			char *end;
			double v = strtod(val, &end);

			if (end != val)
				json_object_set_new(counters, ev, json_real(v));
		} else if (ev) {
			json_object_set_new(counters, ev, json_null());
		}
		json_decref(o);
	}
	free(copy);
	return counters;
}

static char *online_list(void)
{
	bool set[WQB_MAX_CPUS];

	if (cpus_online(set) < 0)
		return xstrdup("?");
	return cpulist_format(set, WQB_MAX_CPUS);
}

/* Called with ps->lock held. */
static int start_segment(struct perfstat *ps)
{
	struct argv_buf a = { 0 };
	struct spawn_opts o = { 0 };
	char *out = xasprintf("%s/seg-%03u.json", ps->dir, ps->seg);
	char *log = xasprintf("%s/seg-%03u.log", ps->dir, ps->seg);

	argv_add(&a, "perf");
	argv_add(&a, "stat");
	argv_add(&a, "-a");
	argv_add(&a, "-j");
	argv_add(&a, "-e");
	argv_add(&a, ps->events);
	argv_add(&a, "-o");
	argv_add(&a, out);
	o.stdout_path = log;
	o.stderr_to_stdout = true;
	ps->pid = spawn_start(a.v, &o);
	argv_free(&a);
	free(out);
	free(log);
	if (ps->pid < 0) {
		snprintf(ps->error, sizeof(ps->error), "cannot start perf: %s", strerror(errno));
		ps->pid = 0;
		return -1;
	}
	ps->seg_start_ms = (now_mono_ns() - ps->t0_ns) / 1000000ull;
	free(ps->seg_online);
	ps->seg_online = online_list();
	return 0;
}

/* Called with ps->lock held. */
static void end_segment(struct perfstat *ps)
{
	char *path = xasprintf("%s/seg-%03u.json", ps->dir, ps->seg);
	uint64_t end_ms = (now_mono_ns() - ps->t0_ns) / 1000000ull;
	int status = 0;
	char *text;

	if (!ps->pid) {
		free(path);
		return;
	}
	kill(ps->pid, SIGINT);		/* perf prints its counts on SIGINT */
	for (int i = 0; i < 100 && waitpid(ps->pid, &status, WNOHANG) == 0; i++)
		usleep(50000);
	if (waitpid(ps->pid, &status, WNOHANG) == 0) {
		kill(ps->pid, SIGKILL);
		waitpid(ps->pid, &status, 0);
		snprintf(ps->error, sizeof(ps->error), "perf did not stop on SIGINT (segment %u)",
			 ps->seg);
	}
	ps->pid = 0;
	text = read_file(path, NULL);
	json_array_append_new(ps->segments,
			      json_pack("{s:i,s:I,s:I,s:s,s:o}", "segment", ps->seg, "start_ms",
					(json_int_t)ps->seg_start_ms, "end_ms", (json_int_t)end_ms,
					"cpus_online", ps->seg_online, "counters",
					perfstat_parse(text)));
	if (!text && !ps->error[0])
		snprintf(ps->error, sizeof(ps->error), "perf wrote no output for segment %u",
			 ps->seg);
	free(text);
	free(path);
	ps->seg++;
}

int perfstat_start(struct perfstat *ps, const char *result_dir, const char *events, uint64_t t0_ns)
{
	int r;

	memset(ps, 0, sizeof(*ps));
	pthread_mutex_init(&ps->lock, NULL);
	ps->dir = path_join(result_dir, "perf");
	ps->events = xstrdup(events);
	ps->t0_ns = t0_ns;
	ps->segments = json_array();
	if (!program_in_path("perf")) {
		snprintf(ps->error, sizeof(ps->error), "perf is not installed (linux-perf; make deps)");
		return -1;
	}
	if (mkdir_p(ps->dir, 0755) < 0) {
		snprintf(ps->error, sizeof(ps->error), "cannot create %s: %s", ps->dir,
			 strerror(errno));
		return -1;
	}
	pthread_mutex_lock(&ps->lock);
	r = start_segment(ps);
	pthread_mutex_unlock(&ps->lock);
	return r;
}

void perfstat_split(void *arg)
{
	struct perfstat *ps = arg;

	pthread_mutex_lock(&ps->lock);
	if (ps->pid) {
		end_segment(ps);
		start_segment(ps);
	}
	pthread_mutex_unlock(&ps->lock);
}

void perfstat_stop(struct perfstat *ps, struct run_result *res)
{
	json_t *totals = json_object(), *seg, *doc;
	size_t i;

	pthread_mutex_lock(&ps->lock);
	end_segment(ps);
	pthread_mutex_unlock(&ps->lock);
	json_array_foreach(ps->segments, i, seg) {
		const char *ev;
		json_t *v;

		json_object_foreach(json_object_get(seg, "counters"), ev, v) {
			double prev = json_real_value(json_object_get(totals, ev));

			if (json_is_real(v))
				json_object_set_new(totals, ev, json_real(prev + json_real_value(v)));
			else if (!json_object_get(totals, ev))
				json_object_set_new(totals, ev, json_null());
		}
	}
	doc = json_pack("{s:s,s:s,s:O,s:o}", "events", ps->events, "note",
			"perf stat -a stops counting a CPU that goes offline; counting restarts after every hotplug transition and totals are sums over segments",
			"segments", ps->segments, "totals", totals);
	result_write_json(res, "perf-stat.json", doc);
	json_decref(doc);
	if (ps->error[0])
		result_check(res, "perf_stat", CHECK_FAIL, "%s", ps->error);
	else
		result_check(res, "perf_stat", CHECK_PASS, "%zu segments (split at hotplug), perf-stat.json",
			     json_array_size(ps->segments));
	json_decref(ps->segments);
	free(ps->seg_online);
	free(ps->dir);
	free(ps->events);
	pthread_mutex_destroy(&ps->lock);
}
