// SPDX-License-Identifier: GPL-2.0
/*
 * Run metadata.
 */
#include "meta.h"
#include "hotplug.h"
#include "runcmd.h"
#include "util.h"
#include "wqsysfs.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static json_t *str_or_null(char *s)
{
	json_t *j = s ? json_string(s) : json_null();

	free(s);
	return j ? j : json_null();
}

/* versions of the tools, asked once per process (see meta_collect) */
static json_t *tools_seen;

/* First line of `tool --version`, or null when it is not installed. */
static json_t *tool_version(const char *tool, const char *flag)
{
	char *const argv[] = { (char *)tool, (char *)flag, NULL };
	struct spawn_opts o = { .stderr_to_stdout = true };
	char *out = NULL;

	if (!program_in_path(tool))
		return json_null();
	if (spawn_capture(argv, &o, 10000, 4096, &out) < 0 || !out) {
		free(out);
		return json_null();
	}
	out[strcspn(out, "\n")] = '\0';
	str_trim(out);
	return str_or_null(out);
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

json_t *meta_collect(const struct wqb_scenario *s, const char *kmod_path,
		     const char *kernel_config_path)
{
	json_t *j = json_object(), *cpu = json_object(), *tools = json_object();
	json_t *k = json_object(), *w = json_object(), *sc = json_object();
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

	json_object_set_new(k, "release", json_string(u.release));
	json_object_set_new(k, "version", str_or_null(read_file_trim("/proc/version")));
	json_object_set_new(k, "cmdline", str_or_null(read_file_trim("/proc/cmdline")));
	json_object_set_new(k, "machine", json_string(u.machine));
	json_object_set_new(k, "config", kernel_config(u.release, kernel_config_path));
	json_object_set_new(k, "tainted", str_or_null(read_file_trim("/proc/sys/kernel/tainted")));
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
	 * Asking four tools their version costs ~2 s in a TCG guest; they do
	 * not change while one harness process runs a batch, so ask once.
	 */
	if (!tools_seen) {
		tools_seen = json_object();
		json_object_set_new(tools_seen, "trace-cmd", tool_version("trace-cmd", "--version"));
		json_object_set_new(tools_seen, "perf", tool_version("perf", "--version"));
		json_object_set_new(tools_seen, "stress-ng", tool_version("stress-ng", "--version"));
		json_object_set_new(tools_seen, "fio", tool_version("fio", "--version"));
	}
	json_object_update(tools, tools_seen);
	json_object_set_new(j, "tools", tools);

	json_object_set_new(w, "git_revision", json_string(WQB_GIT_REV));
	json_object_set_new(w, "git_dirty", json_boolean(WQB_GIT_DIRTY));
	if (kmod_path) {
		json_object_set_new(w, "kmod", json_string(kmod_path));
		if (sha256_file(kmod_path, kmsum) == 0)
			json_object_set_new(w, "kmod_sha256", json_string(kmsum));
	}
	json_object_set_new(j, "wqbench", w);

	json_object_set_new(j, "workqueue_sysfs_before", workqueue_sysfs());

	json_object_set_new(sc, "name", json_string(s->name));
	json_object_set_new(sc, "path", json_string(s->path));
	json_object_set_new(sc, "seed", json_integer((json_int_t)s->seed));
	json_object_set_new(sc, "duration_ms", json_integer((json_int_t)s->duration_ms));
	json_object_set_new(sc, "warmup_ms", json_integer((json_int_t)s->warmup_ms));
	json_object_set_new(sc, "text", json_string(s->text));
	json_object_set_new(j, "scenario", sc);
	return j;
}
