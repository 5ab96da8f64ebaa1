// SPDX-License-Identifier: GPL-2.0
/*
 * Run metadata.
 */
#include "meta.h"
#include "kernelbuild.h"
#include "hotplug.h"
#include "runcmd.h"
#include "util.h"
#include "vm.h"
#include "wqsysfs.h"

#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static json_t *str_or_null(char *s)
{
	json_t *j = s ? json_string(s) : json_null();

	free(s);
	return j ? j : json_null();
}

/* The tools whose versions meta.json records: the first line of --version. */
static const char *const meta_tools[] = { "trace-cmd", "perf", "stress-ng", "fio" };
#define NTOOLS ARRAY_SIZE(meta_tools)

/* versions of the tools, asked once per process (see meta_collect) */
static json_t *tools_seen;
static char *tools_asked_on;

struct tool_ask {
	const char *tool;
	const char *search;	/* the PATH to find it on */
	bool installed;
	char *out;
};

/* The first dir/name of search that is an executable file, or NULL. */
static char *find_on(const char *name, const char *search)
{
	char *copy = xstrdup(search), *dir, *save = NULL, *found = NULL;

	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *p = path_join(dir, name);
		struct stat st;

		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
			found = p;
		else
			free(p);
	}
	free(copy);
	return found;
}

/* First line of `tool --version` (no JSON: run on a thread), installed false when it is not. */
static void *tool_ask_fn(void *arg)
{
	struct tool_ask *a = arg;
	char *exe = find_on(a->tool, a->search);
	char *const argv[] = { exe, "--version", NULL };
	struct spawn_opts o = { .stderr_to_stdout = true };

	a->installed = false;
	a->out = NULL;
	if (!exe)
		return NULL;
	if (spawn_capture(argv, &o, 10000, 4096, &a->out) < 0 || !a->out) {
		free(a->out);
		a->out = NULL;
		free(exe);
		return NULL;
	}
	free(exe);
	a->installed = true;
	a->out[strcspn(a->out, "\n")] = '\0';
	str_trim(a->out);
	return NULL;
}

json_t *meta_tool_versions(const char *search)
{
	struct tool_ask ask[NTOOLS];
	pthread_t th[NTOOLS];
	bool started[NTOOLS];
	json_t *j = json_object();

	if (!search)
		search = getenv("PATH");
	if (!search)
		search = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
	/*
	 * All at once: in the guest each waits on 9p reads of its binary and
	 * libraries more than on the CPU.
	 */
	for (size_t i = 0; i < NTOOLS; i++) {
		ask[i] = (struct tool_ask){ .tool = meta_tools[i], .search = search };
		started[i] = pthread_create(&th[i], NULL, tool_ask_fn, &ask[i]) == 0;
	}
	for (size_t i = 0; i < NTOOLS; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		else
			tool_ask_fn(&ask[i]);
		json_object_set_new(j, ask[i].tool, ask[i].installed ?
				    json_string(ask[i].out ? ask[i].out : "") : json_null());
		free(ask[i].out);
	}
	return j;
}

json_t *meta_tools_from_file(const char *path, char **release)
{
	json_error_t e;
	json_t *j;
	bool ok;

	*release = NULL;
	j = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
	ok = json_is_object(j) && json_object_size(j) == NTOOLS + 1 &&
	     json_is_string(json_object_get(j, "uname_release"));
	for (size_t i = 0; ok && i < NTOOLS; i++) {
		json_t *v = json_object_get(j, meta_tools[i]);

		ok = v && (json_is_string(v) || json_is_null(v));
	}
	if (!ok) {
		wqb_warn("%s is not the host's tool versions (%s): asking the tools here",
			 path, j ? "wrong keys or values" : e.text);
		json_decref(j);
		return NULL;
	}
	*release = xstrdup(json_string_value(json_object_get(j, "uname_release")));
	json_object_del(j, "uname_release");
	return j;
}

/* In the guest: the versions the host asked before the boot, if it did. */
static json_t *tools_from_host(char **release)
{
	const char *path = WQB_GUEST_RESULT_DIR "/" WQB_GUEST_TOOLS_FILE;

	*release = NULL;
	if (!getenv("WQBENCH_IN_GUEST") || !path_exists(path))
		return NULL;
	return meta_tools_from_file(path, release);
}

static char *cpuinfo_field(const char *field)
{
	char *text = read_file("/proc/cpuinfo", NULL), *line, *save = NULL, *val = NULL;

	if (!text)
		return NULL;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, field, strlen(field)) == 0 && strchr(line, ':')) {
			val = xstrdup(strchr(line, ':') + 1);
			str_trim(val);
			break;
		}
	}
	free(text);
	return val;
}

/* The running kernel's config: /proc/config.gz, /boot, or what the caller knows. */
static json_t *kernel_config(const char *release, const char *hint)
{
	char sum[65];
	char *boot = xasprintf("/boot/config-%s", release);
	const char *const cands[] = { "/proc/config.gz", boot, hint, NULL };
	json_t *j = NULL;

	for (size_t i = 0; !j && i < 3; i++)
		if (cands[i] && path_exists(cands[i]) && sha256_file(cands[i], sum) == 0)
			j = json_pack("{s:s,s:s}", "source", cands[i], "sha256", sum);
	free(boot);
	return j ? j : json_pack("{s:n,s:n}", "source", "sha256");
}

static json_t *workqueue_sysfs(void)
{
	json_t *o = json_object(), *params = json_object();
	static const char *const attrs[] = { "cpumask", "cpumask_requested", "cpumask_isolated",
					     NULL };
	DIR *d;
	struct dirent *de;

	for (size_t i = 0; attrs[i]; i++) {
		char *v = wqsysfs_read(NULL, attrs[i]);

		if (v)
			json_object_set_new(o, attrs[i], json_string(v));
		free(v);
	}
	d = opendir("/sys/module/workqueue/parameters");
	while (d && (de = readdir(d))) {
		char *p, *v;

		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("/sys/module/workqueue/parameters/%s", de->d_name);
		v = read_file_trim(p);
		if (v)
			json_object_set_new(params, de->d_name, json_string(v));
		free(v);
		free(p);
	}
	if (d)
		closedir(d);
	json_object_set_new(o, "parameters", params);
	return o;
}

/* --- the clock ----------------------------------------------------------- */

#define CS_DIR "/sys/devices/system/clocksource/clocksource0/"

static struct wqb_clock last_clock;
static bool last_clock_set;

static void copy_trimmed(char *dst, size_t len, const char *path)
{
	char *v = read_file_trim(path);

	snprintf(dst, len, "%s", v ? v : "");
	free(v);
}

void meta_clock_measure(struct wqb_clock *c)
{
	uint64_t first, prev, now;
	unsigned int advanced = 0;
	struct timespec ts;

	memset(c, 0, sizeof(*c));
	copy_trimmed(c->clocksource, sizeof(c->clocksource), CS_DIR "current_clocksource");
	copy_trimmed(c->available, sizeof(c->available), CS_DIR "available_clocksource");
	if (clock_getres(CLOCK_MONOTONIC, &ts) == 0)
		c->getres_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	/*
	 * A fine clock moves at every reading: its smallest step is the cost
	 * of one reading, an upper bound of its resolution.  A ticking clock
	 * repeats itself between ticks: its smallest step is the tick.
	 */
	first = prev = now_mono_ns();
	c->reads = 1;
	while (c->reads < 1000000) {
		now = now_mono_ns();
		c->reads++;
		if (now == prev) {
			c->repeats++;
		} else if (now > prev) {
			if (!c->step_ns || now - prev < c->step_ns)
				c->step_ns = now - prev;
			advanced++;
		}
		prev = now;
		if (prev - first >= 100000000ull ||
		    (c->reads >= 1000 && advanced >= 2 && prev - first >= 5000000ull))
			break;
	}
	c->span_ns = prev - first;
}

/*
 * The first kernel log line saying the TSC was given up ("Marking TSC
 * unstable due to ...", "Marking clocksource 'tsc' as unstable ..."); json
 * null when the log cannot be read, false when no such line is in it.
 */
static json_t *tsc_unstable_line(void)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), n;
	char *buf, *line, *save = NULL;
	json_t *j = json_false();

	if (size <= 0)
		return json_null();
	buf = xmalloc((size_t)size + 1);
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (n < 0) {
		free(buf);
		return json_null();
	}
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "unstable") &&
		    (strstr(line, "TSC") || strstr(line, "'tsc'"))) {
			if (line[0] == '<' && strchr(line, '>'))
				line = strchr(line, '>') + 1;	/* the level prefix */
			json_decref(j);
			j = json_string(line);
			break;
		}
	}
	free(buf);
	return j ? j : json_null();
}

static json_t *num_or_null(uint64_t v)
{
	return v ? json_integer((json_int_t)v) : json_null();
}

json_t *meta_clock_json(const struct wqb_clock *c)
{
	json_t *j = json_object(), *avail = json_array();
	char *copy = xstrdup(c->available), *tok, *save = NULL;

	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
		json_array_append_new(avail, json_string(tok));
	free(copy);
	json_object_set_new(j, "clocksource",
			    c->clocksource[0] ? json_string(c->clocksource) : json_null());
	json_object_set_new(j, "available", avail);
	json_object_set_new(j, "resolution_ns", num_or_null(c->step_ns));
	json_object_set_new(j, "getres_ns", num_or_null(c->getres_ns));
	json_object_set_new(j, "reads", json_integer((json_int_t)c->reads));
	json_object_set_new(j, "repeats", json_integer((json_int_t)c->repeats));
	json_object_set_new(j, "measured_over_ns", json_integer((json_int_t)c->span_ns));
	return j;
}

bool meta_clock_resolves(uint64_t step_ns, uint64_t smallest_p50_ns, uint64_t *limit_ns)
{
	uint64_t limit = smallest_p50_ns / WQB_CLOCK_DIVISOR;

	if (limit < WQB_CLOCK_FLOOR_NS)
		limit = WQB_CLOCK_FLOOR_NS;
	if (limit_ns)
		*limit_ns = limit;
	return step_ns && step_ns <= limit;
}

enum wqb_clock_verdict meta_clock_judge(const struct wqb_clock *c, uint64_t smallest_p50_ns,
					uint64_t *limit_ns)
{
	uint64_t limit;
	bool fine = meta_clock_resolves(c->step_ns, smallest_p50_ns, &limit);

	if (limit_ns)
		*limit_ns = limit;
	if (fine)
		return WQB_CLOCK_RESOLVES;
	if (c->step_ns && !c->repeats && c->getres_ns && c->getres_ns <= limit)
		return WQB_CLOCK_UNREAD;
	return WQB_CLOCK_COARSE;
}

/* ns as the reports write durations: 850 ns, 52.1 µs, 4.00 ms */
static void fmt_dur(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 " ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1f µs", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.2f ms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", (double)ns / 1e9);
}

enum check_status meta_clock_check(const struct wqb_clock *c, json_t *stats, char *detail,
				   size_t len)
{
	static const char *const keys[] = { "lat_p50_ns", "run_p50_ns" };
	static const char *const what[] = { "queue→start p50", "run p50" };
	const char *src, *fig_group = NULL, *fig_what = NULL;
	char res[32], getres[32], fig[32], lim[32];
	uint64_t smallest = 0, limit;
	enum wqb_clock_verdict verdict;
	bool ok;
	json_t *g;
	size_t i;

	if (!c) {
		snprintf(detail, len, "the clock was not measured at the start of the run");
		return CHECK_SKIP;
	}
	/* groups with stamps (not instrument=bare) that completed items */
	json_array_foreach(json_object_get(stats, "group"), i, g) {
		if (json_integer_value(json_object_get(g, "measured_completed")) <= 0)
			continue;
		for (size_t k = 0; k < 2; k++) {
			json_t *v = json_object_get(g, keys[k]);
			uint64_t ns;

			if (!json_is_integer(v) || json_integer_value(v) < 0)
				continue;
			ns = (uint64_t)json_integer_value(v);
			if (!fig_group || ns < smallest) {
				smallest = ns;
				fig_group = json_string_value(json_object_get(g, "name"));
				fig_group = fig_group ? fig_group : "?";
				fig_what = what[k];
			}
		}
	}
	verdict = meta_clock_judge(c, fig_group ? smallest : 0, &limit);
	ok = verdict != WQB_CLOCK_COARSE;
	src = c->clocksource[0] ? c->clocksource : "unknown clocksource";
	fmt_dur(res, sizeof(res), c->step_ns);
	fmt_dur(getres, sizeof(getres), c->getres_ns);
	fmt_dur(fig, sizeof(fig), smallest);
	fmt_dur(lim, sizeof(lim), limit);
	if (!c->step_ns) {
		snprintf(detail, len,
			 "%s: CLOCK_MONOTONIC did not advance in %" PRIu64 " readings; no figure of this run can be trusted",
			 src, c->reads);
		return CHECK_FAIL;
	}
	if (!fig_group) {
		snprintf(detail, len,
			 "%s: resolution %s (clock_getres %s), limit %s; no group reported stamped figures",
			 src, res, getres, lim);
		return ok ? CHECK_PASS : CHECK_FAIL;
	}
	if (verdict == WQB_CLOCK_UNREAD)
		snprintf(detail, len,
			 "%s: %" PRIu64 " readings at least %s apart, none repeated: the clock moved at every reading, so it is finer than they could be taken here; clock_getres %s resolves the smallest median, %s of group %s = %s (limit %s)",
			 src, c->reads, res, getres, fig_what, fig_group, fig, lim);
	else if (ok)
		snprintf(detail, len,
			 "%s: resolution %s (clock_getres %s) resolves the smallest median, %s of group %s = %s (limit %s)",
			 src, res, getres, fig_what, fig_group, fig, lim);
	else
		snprintf(detail, len,
			 "%s: readings step by %s (clock_getres %s, %" PRIu64 " of %" PRIu64 " readings repeated), coarser than the limit %s for the smallest median, %s of group %s = %s: the figures of this run are counted in clock steps",
			 src, res, getres, c->repeats, c->reads, lim, fig_what, fig_group, fig);
	return ok ? CHECK_PASS : CHECK_FAIL;
}

const struct wqb_clock *meta_last_clock(void)
{
	return last_clock_set ? &last_clock : NULL;
}

json_t *meta_collect(const struct wqb_scenario *s, const char *kmod_path,
		     const char *kernel_config_path)
{
	json_t *j = json_object(), *cpu = json_object(), *tools = json_object();
	json_t *k = json_object(), *w = json_object(), *sc = json_object(), *clk, *built;
	bool set[WQB_MAX_CPUS];
	struct utsname u;
	char stamp[32], kmsum[65];
	int n;

	uname(&u);
	iso8601_utc(now_real_ns(), stamp);
	json_object_set_new(j, "format", json_integer(1));
	json_object_set_new(j, "started_at", json_string(stamp));
	json_object_set_new(j, "hostname", json_string(u.nodename));
	json_object_set_new(j, "in_guest", json_boolean(getenv("WQBENCH_IN_GUEST") != NULL));
	if (getenv("WQBENCH_IN_GUEST")) {
		/*
		 * How QEMU ran this guest, from the kernel command line
		 * (harness/vm.c): icount null is the host's time, else
		 * QEMU's -icount value -- the guest's clock then counts
		 * instructions, and its timings are not the host's.
		 */
		json_t *vm = json_object();
		const char *accel = getenv("wqbench_accel"), *icount = getenv("wqbench_icount");

		json_object_set_new(vm, "accel", accel ? json_string(accel) : json_null());
		json_object_set_new(vm, "icount", icount ? json_string(icount) : json_null());
		json_object_set_new(j, "vm", vm);
	}

	json_object_set_new(k, "release", json_string(u.release));
	json_object_set_new(k, "version", str_or_null(read_file_trim("/proc/version")));
	json_object_set_new(k, "cmdline", str_or_null(read_file_trim("/proc/cmdline")));
	json_object_set_new(k, "machine", json_string(u.machine));
	json_object_set_new(k, "config", kernel_config(u.release, kernel_config_path));
	json_object_set_new(k, "tainted", str_or_null(read_file_trim("/proc/sys/kernel/tainted")));
	/* a kernel built from source: where from, which flavour (kernelbuild.c) */
	if (kernel_config_path && (built = kbuild_origin(kernel_config_path)))
		json_object_set_new(k, "built", built);
	json_object_set_new(j, "kernel", k);

	json_object_set_new(cpu, "model", str_or_null(cpuinfo_field("model name")));
	n = cpus_online(set);
	json_object_set_new(cpu, "online", str_or_null(cpulist_format(set, WQB_MAX_CPUS)));
	json_object_set_new(cpu, "online_count", json_integer(n));
	n = cpus_possible(set);
	json_object_set_new(cpu, "possible", str_or_null(cpulist_format(set, WQB_MAX_CPUS)));
	json_object_set_new(cpu, "possible_count", json_integer(n));
	json_object_set_new(cpu, "smt_active",
			    str_or_null(read_file_trim("/sys/devices/system/cpu/smt/active")));
	json_object_set_new(cpu, "governor",
			    str_or_null(read_file_trim("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")));
	json_object_set_new(cpu, "threads_per_core_list",
			    str_or_null(read_file_trim("/sys/devices/system/cpu/cpu0/topology/thread_siblings_list")));
	json_object_set_new(cpu, "package_cpus_list",
			    str_or_null(read_file_trim("/sys/devices/system/cpu/cpu0/topology/package_cpus_list")));
	json_object_set_new(j, "cpu", cpu);

	/*
	 * Asking the tools costs ~4 s in a TCG guest (9p reads of binaries
	 * and libraries); they do not change while one harness process runs
	 * a batch, so once, and in the guest from the host when it can.
	 */
	if (!tools_seen) {
		char *release = NULL;

		tools_seen = tools_from_host(&release);
		if (tools_seen)
			tools_asked_on = xasprintf("host (Linux %s)", release);
		else
			tools_asked_on = xstrdup("here");
		free(release);
		if (!tools_seen)
			tools_seen = meta_tool_versions(NULL);
	}
	json_object_update(tools, tools_seen);
	json_object_set_new(j, "tools", tools);
	json_object_set_new(j, "tools_asked_on", json_string(tools_asked_on));

	json_object_set_new(w, "git_revision", json_string(WQB_GIT_REV));
	json_object_set_new(w, "git_dirty", json_boolean(WQB_GIT_DIRTY));
	if (kmod_path) {
		json_object_set_new(w, "kmod", json_string(kmod_path));
		if (sha256_file(kmod_path, kmsum) == 0)
			json_object_set_new(w, "kmod_sha256", json_string(kmsum));
	}
	json_object_set_new(j, "wqbench", w);

	json_object_set_new(j, "workqueue_sysfs_before", workqueue_sysfs());

	meta_clock_measure(&last_clock);
	last_clock_set = true;
	clk = meta_clock_json(&last_clock);
	json_object_set_new(clk, "tsc_unstable", tsc_unstable_line());
	json_object_set_new(j, "clock", clk);

	json_object_set_new(sc, "name", json_string(s->name));
	json_object_set_new(sc, "path", json_string(s->path));
	json_object_set_new(sc, "seed", json_integer((json_int_t)s->seed));
	json_object_set_new(sc, "duration_ms", json_integer((json_int_t)s->duration_ms));
	json_object_set_new(sc, "warmup_ms", json_integer((json_int_t)s->warmup_ms));
	json_object_set_new(sc, "text", json_string(s->text));
	json_object_set_new(j, "scenario", sc);
	return j;
}
