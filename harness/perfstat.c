// SPDX-License-Identifier: GPL-2.0
/*
 * Segmented perf stat (see perfstat.h for why).
 */
#include "perfstat.h"
#include "hotplug.h"
#include "runcmd.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * How long perf may take to be ready: the first before the measured phase
 * (nothing waits on it but the run's start; seen 8 s on one busy host
 * core), the later ones during it, after a hotplug transition.
 */
#define PERF_FIRST_READY_MS	120000
#define PERF_READY_MS		30000
#define PERF_ENABLE_MS		10000

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

static bool stopping(struct perfstat *ps)
{
	bool r;

	pthread_mutex_lock(&ps->lock);
	r = ps->stopping;
	pthread_mutex_unlock(&ps->lock);
	return r;
}

/*
 * perf needs a while to start (seconds under TCG, more on a slow or busy
 * host), and a SIGINT that arrives before it has set up dies silently
 * with no counts.  So each perf starts with its events disabled (-D -1)
 * and a control fifo.  perf answers "ping" once its events are open and it
 * listens; "enable" then starts counting at once, and its ack dates the
 * segment truly.  Waits up to limit_ms for the ack, and not at all once
 * the measured phase is over: a perf still starting then is cut short
 * rather than holding up the end of the measurement.
 */
static int perf_command(struct perfstat *ps, const char *cmd, int limit_ms)
{
	struct pollfd p = { .fd = ps->ack_fd, .events = POLLIN };
	size_t len = strlen(cmd);
	char buf[16];
	int status;

	if (write(ps->ctl_fd, cmd, len) != (ssize_t)len)
		return -1;
	for (int waited = 0; waited < limit_ms && !stopping(ps); waited += 100) {
		if (poll(&p, 1, 100) > 0)
			return read(ps->ack_fd, buf, sizeof(buf)) > 0 ? 0 : -1;
		if (waitpid(ps->pid, &status, WNOHANG) == ps->pid) {
			ps->pid = 0;	/* perf died before it got going */
			return -1;
		}
	}
	return -1;
}

static void close_control(struct perfstat *ps)
{
	if (ps->ctl_fd >= 0)
		close(ps->ctl_fd);
	if (ps->ack_fd >= 0)
		close(ps->ack_fd);
	ps->ctl_fd = ps->ack_fd = -1;
}

static void kill_segment(struct perfstat *ps)
{
	if (ps->pid) {
		kill(ps->pid, SIGKILL);
		waitpid(ps->pid, NULL, 0);
		ps->pid = 0;
	}
}

/* The counting thread only: perf started, its events open but not counting. */
static int spawn_segment(struct perfstat *ps, int limit_ms)
{
	struct argv_buf a = { 0 };
	struct spawn_opts o = { 0 };
	char *out = xasprintf("%s/seg-%03u.json", ps->dir, ps->seg);
	char *log = xasprintf("%s/seg-%03u.log", ps->dir, ps->seg);
	char *ctl = path_join(ps->fifo_dir, "ctl"), *ack = path_join(ps->fifo_dir, "ack");
	int r = 0;

	/* O_RDWR opens of a fifo do not block, for perf or for us */
	if ((mkfifo(ctl, 0600) < 0 && errno != EEXIST) ||
	    (mkfifo(ack, 0600) < 0 && errno != EEXIST) ||
	    (ps->ctl_fd = open(ctl, O_RDWR | O_CLOEXEC)) < 0 ||
	    (ps->ack_fd = open(ack, O_RDWR | O_CLOEXEC)) < 0) {
		snprintf(ps->error, sizeof(ps->error), "cannot make perf control fifos in %s: %s",
			 ps->fifo_dir, strerror(errno));
		close_control(ps);
		r = -1;
		goto out;
	}
	argv_add(&a, "perf");
	argv_add(&a, "stat");
	argv_add(&a, "-a");
	argv_add(&a, "-j");
	argv_add(&a, "-D");
	argv_add(&a, "-1");
	argv_addf(&a, "--control=fifo:%s,%s", ctl, ack);
	argv_add(&a, "-e");
	argv_add(&a, ps->events);
	argv_add(&a, "-o");
	argv_add(&a, out);
	o.stdout_path = log;
	o.stderr_to_stdout = true;
	ps->pid = spawn_start(a.v, &o);
	if (ps->pid < 0) {
		snprintf(ps->error, sizeof(ps->error), "cannot start perf: %s", strerror(errno));
		ps->pid = 0;
		r = -1;
		goto out;
	}
	if (perf_command(ps, "ping\n", limit_ms) < 0) {
		if (!ps->error[0])
			snprintf(ps->error, sizeof(ps->error),
				 "perf was not ready within %d s (segment %u; see perf/seg-%03u.log)",
				 limit_ms / 1000, ps->seg, ps->seg);
		kill_segment(ps);
		r = -1;
		goto out;
	}
out:
	if (r < 0)
		close_control(ps);
	argv_free(&a);
	free(out);
	free(log);
	free(ctl);
	free(ack);
	return r;
}

/* The counting thread only: a ready perf counts from now on. */
static int enable_segment(struct perfstat *ps)
{
	if (perf_command(ps, "enable\n", PERF_ENABLE_MS) < 0) {
		if (!ps->error[0])
			snprintf(ps->error, sizeof(ps->error),
				 "perf did not start counting (segment %u; see perf/seg-%03u.log)",
				 ps->seg, ps->seg);
		kill_segment(ps);
		close_control(ps);
		return -1;
	}
	ps->seg_start_ms = (now_mono_ns() - ps->t0_ns) / 1000000ull;
	free(ps->seg_online);
	ps->seg_online = online_list();
	return 0;
}

/* The counting thread only; valid: no hotplug since perf opened its events. */
static void end_segment(struct perfstat *ps, bool valid)
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
	close_control(ps);
	text = read_file(path, NULL);
	json_array_append_new(ps->segments,
			      json_pack("{s:i,s:I,s:I,s:s,s:b,s:o}", "segment", ps->seg, "start_ms",
					(json_int_t)ps->seg_start_ms, "end_ms", (json_int_t)end_ms,
					"cpus_online", ps->seg_online, "valid", valid, "counters",
					perfstat_parse(text)));
	if (valid)
		ps->counted_ms += end_ms - ps->seg_start_ms;
	if (!text && !ps->error[0])
		snprintf(ps->error, sizeof(ps->error), "perf wrote no output for segment %u",
			 ps->seg);
	free(text);
	free(path);
	ps->seg++;
}

/* A hotplug transition since gen, and not the end: a failed perf start is retried. */
static bool raced(struct perfstat *ps, unsigned int gen)
{
	bool r;

	pthread_mutex_lock(&ps->lock);
	r = ps->split_gen != gen && !ps->stopping;
	pthread_mutex_unlock(&ps->lock);
	return r;
}

/* The first perf is ready: tell perfstat_start(), wait for perfstat_begin(). */
static bool first_ready(struct perfstat *ps)
{
	bool begun;

	pthread_mutex_lock(&ps->lock);
	ps->ready = true;
	pthread_cond_broadcast(&ps->wake);
	while (!ps->begun && !ps->stopping)
		pthread_cond_wait(&ps->wake, &ps->lock);
	begun = ps->begun;
	pthread_mutex_unlock(&ps->lock);
	return begun;
}

static void *perfstat_thread(void *arg)
{
	struct perfstat *ps = arg;
	bool first = true;

	for (;;) {
		unsigned int gen;
		uint64_t t_spawn;
		bool valid;

		pthread_mutex_lock(&ps->lock);
		gen = ps->split_gen;
		if (ps->stopping) {
			pthread_mutex_unlock(&ps->lock);
			break;
		}
		pthread_mutex_unlock(&ps->lock);
		t_spawn = now_mono_ns();
		if (spawn_segment(ps, first ? PERF_FIRST_READY_MS : PERF_READY_MS) < 0 ||
		    (first && !first_ready(ps)) || enable_segment(ps) < 0) {
			kill_segment(ps);
			close_control(ps);
			if (stopping(ps)) {
				ps->error[0] = '\0';	/* cut short by the end, not a failure */
				ps->cut_short_seg = (int)ps->seg;
				ps->cut_short_ms = (now_mono_ns() - t_spawn) / 1000000ull;
				break;
			}
			/* perf fails to open events on a CPU that went away under it */
			if (!raced(ps, gen))
				break;	/* ps->error says why; counting is over */
			ps->error[0] = '\0';
			first = false;
			continue;
		}
		first = false;
		pthread_mutex_lock(&ps->lock);
		/* a transition while perf was starting: its CPU set is stale */
		valid = ps->split_gen == gen;
		while (!ps->stopping && ps->split_gen == gen)
			pthread_cond_wait(&ps->wake, &ps->lock);
		pthread_mutex_unlock(&ps->lock);
		end_segment(ps, valid);
	}
	/* a perfstat_start() still waiting learns from ps->error */
	pthread_mutex_lock(&ps->lock);
	ps->ready = true;
	pthread_cond_broadcast(&ps->wake);
	pthread_mutex_unlock(&ps->lock);
	return NULL;
}

int perfstat_start(struct perfstat *ps, const char *result_dir, const char *events)
{
	memset(ps, 0, sizeof(*ps));
	ps->ctl_fd = ps->ack_fd = -1;
	ps->cut_short_seg = -1;
	pthread_mutex_init(&ps->lock, NULL);
	pthread_cond_init(&ps->wake, NULL);
	ps->dir = path_join(result_dir, "perf");
	ps->events = xstrdup(events);
	ps->segments = json_array();
	if (!program_in_path("perf")) {
		snprintf(ps->error, sizeof(ps->error), "perf is not installed (linux-perf; make deps)");
		return -1;
	}
	/* fifos cannot live on the 9p result share: a private dir in /tmp */
	snprintf(ps->fifo_dir, sizeof(ps->fifo_dir), "/tmp/wqbench-perf-XXXXXX");
	if (!mkdtemp(ps->fifo_dir)) {
		snprintf(ps->error, sizeof(ps->error), "cannot make a directory in /tmp: %s",
			 strerror(errno));
		ps->fifo_dir[0] = '\0';
		return -1;
	}
	if (mkdir_p(ps->dir, 0755) < 0) {
		snprintf(ps->error, sizeof(ps->error), "cannot create %s: %s", ps->dir,
			 strerror(errno));
		return -1;
	}
	if (pthread_create(&ps->thread, NULL, perfstat_thread, ps) != 0) {
		snprintf(ps->error, sizeof(ps->error), "cannot start the perf thread");
		return -1;
	}
	ps->thread_started = true;
	pthread_mutex_lock(&ps->lock);
	while (!ps->ready)
		pthread_cond_wait(&ps->wake, &ps->lock);
	pthread_mutex_unlock(&ps->lock);
	return ps->error[0] ? -1 : 0;
}

void perfstat_begin(struct perfstat *ps, uint64_t t0_ns)
{
	pthread_mutex_lock(&ps->lock);
	ps->t0_ns = t0_ns;
	ps->begun = true;
	pthread_cond_broadcast(&ps->wake);
	pthread_mutex_unlock(&ps->lock);
}

void perfstat_split(void *arg)
{
	struct perfstat *ps = arg;

	pthread_mutex_lock(&ps->lock);
	ps->split_gen++;
	pthread_cond_broadcast(&ps->wake);
	pthread_mutex_unlock(&ps->lock);
}

void perfstat_stop(struct perfstat *ps, struct run_result *res)
{
	json_t *totals = json_object(), *seg, *doc;
	char cut[128] = "";
	size_t i;

	pthread_mutex_lock(&ps->lock);
	ps->stopping = true;
	pthread_cond_broadcast(&ps->wake);
	pthread_mutex_unlock(&ps->lock);
	if (ps->thread_started)
		pthread_join(ps->thread, NULL);
	json_array_foreach(ps->segments, i, seg) {
		const char *ev;
		json_t *v;

		if (!json_is_true(json_object_get(seg, "valid")))
			continue;
		json_object_foreach(json_object_get(seg, "counters"), ev, v) {
			double prev = json_real_value(json_object_get(totals, ev));

			if (json_is_real(v))
				json_object_set_new(totals, ev, json_real(prev + json_real_value(v)));
			else if (!json_object_get(totals, ev))
				json_object_set_new(totals, ev, json_null());
		}
	}
	doc = json_pack("{s:s,s:s,s:O,s:o,s:I}", "events", ps->events, "note",
			"perf stat -a stops counting a CPU that goes offline; counting restarts after every hotplug transition; totals are sums over the valid segments (no transition while perf was starting) and cover counted_ms of the measured phase",
			"segments", ps->segments, "totals", totals, "counted_ms",
			(json_int_t)ps->counted_ms);
	if (ps->cut_short_seg >= 0) {
		snprintf(cut, sizeof(cut),
			 "; segment %d was still starting when the phase ended (%llu ms)",
			 ps->cut_short_seg, (unsigned long long)ps->cut_short_ms);
		json_object_set_new(doc, "cut_short",
				    json_pack("{s:i,s:I,s:s}", "segment", ps->cut_short_seg,
					      "starting_ms", (json_int_t)ps->cut_short_ms, "why",
					      "the measured phase ended while this perf was starting: not counted"));
	}
	result_write_json(res, "perf-stat.json", doc);
	json_decref(doc);
	if (ps->error[0])
		result_check(res, "perf_stat", CHECK_FAIL, "%s", ps->error);
	else if (!ps->counted_ms)
		result_check(res, "perf_stat", CHECK_SKIP,
			     "%zu segments, none valid: no segment was counting before a hotplug transition or the end%s",
			     json_array_size(ps->segments), cut);
	else
		result_check(res, "perf_stat", CHECK_PASS,
			     "%zu segments (split at hotplug), %llu ms counted%s, perf-stat.json",
			     json_array_size(ps->segments), (unsigned long long)ps->counted_ms, cut);
	json_decref(ps->segments);
	{
		char *ctl = path_join(ps->fifo_dir, "ctl"), *ack = path_join(ps->fifo_dir, "ack");

		unlink(ctl);
		unlink(ack);
		if (ps->fifo_dir[0])
			rmdir(ps->fifo_dir);
		free(ctl);
		free(ack);
	}
	free(ps->seg_online);
	free(ps->dir);
	free(ps->events);
	pthread_mutex_destroy(&ps->lock);
	pthread_cond_destroy(&ps->wake);
}
