// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench run`: scenarios and suites, in a QEMU guest (the default) or on
 * the running kernel with --host.
 *
 * In the guest the same binary runs again as `wqbench run --host` (the host
 * root is shared read-only, so every path is the same there); the result
 * directory is the only writable share.  The host side adds what only it
 * can see -- the console, and whether the guest panicked, hung or never got
 * to the harness -- to the guest's summary.
 */
#include "commands.h"
#include "hostrun.h"
#include "kernel.h"
#include "kmodbuild.h"
#include "result.h"
#include "scenario.h"
#include "runcmd.h"
#include "util.h"
#include "vm.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Inside the guest the result share is mounted here (harness/guest-init.sh). */
#define GUEST_RESULT_DIR "/run/wqbench/results"

struct run_opts {
	bool host;
	const char *kernel, *kernel_image, *kernel_build;
	const char *results_root, *result_dir, *kmod, *kernel_config;
	const char *accel;
	const char *append;		/* extra kernel command line */
	const char *guest_init;		/* another /init: failure simulation */
	unsigned int cpus;		/* 0 = from the scenario */
	uint64_t memory_mib;		/* 0 = from the scenario */
	uint64_t grace_s;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: wqbench run [options] SCENARIO.wqb|SUITE.suite\n"
		"  --kernel NAME          guest kernel: 6.1, 6.12 (default) or a cached release\n"
		"  --kernel-image PATH    boot your own bzImage ...\n"
		"  --kernel-build DIR     ... built in this tree\n"
		"  --cpus N, --memory M   guest size (default: the scenario's, else 4 and 1G)\n"
		"  --accel tcg|kvm|auto   QEMU accelerator (default tcg; kvm only if a probe boots)\n"
		"  --grace S              seconds a guest may take beyond the scenario (default 180)\n"
		"  --results DIR          where result directories go (default ./results)\n"
		"  --append ARGS          extra guest kernel command line\n"
		"  --guest-init FILE      use FILE as the guest's /init (failure simulation)\n"
		"  --host                 run on THIS machine's kernel (root; changes CPU hotplug\n"
		"                         and workqueue state, restored afterwards)\n"
		"  --result-dir DIR       exact result directory (with --host)\n"
		"  --kmod PATH            wqbench.ko to load (with --host)\n"
		"  --kernel-config PATH   the running kernel's .config, for meta.json (with --host)\n");
}

static char *self_exe(void)
{
	char *p = abs_path("/proc/self/exe");

	return p ? p : xstrdup("wqbench");
}

/* Merge what the host knows into the guest's summary (or create one). */
static void finish_guest_summary(const char *dir, const char *scenario,
				 const struct wqb_kernel *k, const struct vm_result *vr)
{
	char *sp = path_join(dir, "summary.json");
	json_t *j = json_load_file(sp, 0, NULL), *reasons, *guest;
	bool fail = false;
	const char *why = NULL;

	if (!j) {
		j = json_pack("{s:s,s:s,s:b,s:[],s:[]}", "scenario", scenario, "verdict", "fail",
			      "complete", 0, "reasons", "checks");
		why = "the guest harness wrote no summary.json";
		fail = true;
	}
	if (vr->outcome != VM_OK) {
		why = vr->reason;
		fail = true;
	} else if (vr->oops) {
		why = "the guest console shows an Oops/BUG/WARNING";
		fail = true;
	}
	reasons = json_object_get(j, "reasons");
	if (fail) {
		json_object_set_new(j, "verdict", json_string("fail"));
		if (why && json_is_array(reasons))
			json_array_append_new(reasons, json_sprintf("guest: %s", why));
	}
	guest = json_pack("{s:s,s:s,s:s,s:i,s:I,s:I,s:s,s:b}", "kernel", k->release,
			  "outcome", vm_outcome_name(vr->outcome), "accel", vr->accel_used,
			  "attempts", vr->attempts, "boot_ms", (json_int_t)vr->boot_ms,
			  "total_ms", (json_int_t)vr->total_ms, "reason", vr->reason,
			  "console_oops", vr->oops);
	json_object_set_new(j, "guest", guest);
	if (json_dump_file(j, sp, JSON_INDENT(2) | JSON_SORT_KEYS) < 0)
		wqb_err("cannot write %s", sp);
	if (fail) {
		/* a KTAP file must exist and say the run failed */
		char *kp = path_join(dir, "result.ktap");

		if (!path_exists(kp)) {
			char *t = xasprintf("KTAP version 1\n1..1\n# guest: %s\nnot ok 1 guest\n",
					    why ? why : "failed");

			write_file_atomic(kp, t, strlen(t), 0644);
			free(t);
		}
		free(kp);
	}
	json_decref(j);
	free(sp);
}

static const char *verdict_of(const char *dir)
{
	char *sp = path_join(dir, "summary.json");
	json_t *j = json_load_file(sp, 0, NULL);
	const char *v = "fail";

	if (j && json_is_string(json_object_get(j, "verdict")) &&
	    strcmp(json_string_value(json_object_get(j, "verdict")), "pass") == 0)
		v = "pass";
	json_decref(j);
	free(sp);
	return v;
}

/* One scenario in one guest boot.  Returns 0 pass, 1 fail, 2 error. */
static int run_in_guest(const struct run_opts *ro, const struct wqb_kernel *k, const char *ko,
			const struct wqb_scenario *s, const char *results_root, const char *label,
			char **dir_out)
{
	char *id = result_new_run_id(s->name, k->name), *dir = path_join(results_root, id);
	char *exe = self_exe(), *scen = abs_path(s->path), *console;
	struct argv_buf ga = { 0 };
	struct vm_opts vo = { 0 };
	struct vm_result vr;
	int rc;

	*dir_out = dir;
	free(id);
	if (mkdir_p(dir, 0755) < 0) {
		wqb_err("cannot create %s: %s", dir, strerror(errno));
		free(exe);
		free(scen);
		return 2;
	}
	argv_add(&ga, exe);
	argv_add(&ga, "run");
	argv_add(&ga, "--host");
	argv_add(&ga, "--result-dir");
	argv_add(&ga, GUEST_RESULT_DIR);
	argv_add(&ga, "--kmod");
	argv_add(&ga, ko);
	if (k->config && path_exists(k->config)) {
		argv_add(&ga, "--kernel-config");
		argv_add(&ga, k->config);
	}
	argv_add(&ga, scen);
	console = path_join(dir, "console.log");
	vo.kernel = k;
	vo.cpus = (int)(ro->cpus ? ro->cpus : s->cpus);
	vo.memory_mib = ro->memory_mib ? ro->memory_mib : s->memory_mib;
	vo.accel = ro->accel;
	vo.share_dir = dir;
	vo.guest_argv = ga.v;
	vo.console_log = console;
	vo.run_timeout_ms = s->warmup_ms + s->duration_ms + ro->grace_s * 1000;
	vo.extra_cmdline = ro->append;
	vo.progress_label = label;
	if (s->fio.enabled && strcmp(s->fio.target, "disk") == 0)
		vo.scratch_disk_mib = s->fio.disk_mib;
	vo.init_override = ro->guest_init;
	wqb_info("run %s on %s in QEMU (%d vCPUs): %s", s->name, k->release, vo.cpus, dir);
	if (vm_run(&vo, &vr) < 0) {
		rc = 2;
	} else {
		finish_guest_summary(dir, s->name, k, &vr);
		rc = strcmp(verdict_of(dir), "pass") == 0 ? 0 : 1;
		if (vr.outcome != VM_OK)
			wqb_err("%s: %s (console: %s)", s->name, vr.reason, console);
	}
	result_update_latest(results_root, dir);
	argv_free(&ga);
	free(console);
	free(exe);
	free(scen);
	return rc;
}

static int run_on_host(const struct run_opts *ro, const struct wqb_scenario *s,
		       const char *results_root, char **dir_out)
{
	struct utsname u;
	char *ko, *dir;
	int rc;

	uname(&u);
	ko = ro->kmod ? xstrdup(ro->kmod) : kmod_path_for_release(u.release);
	if (!path_exists(ko)) {
		wqb_err("no module %s for the running kernel %s: run 'make kmod' (needs its headers) or pass --kmod",
			ko, u.release);
		free(ko);
		*dir_out = NULL;
		return 2;
	}
	if (ro->result_dir) {
		dir = xstrdup(ro->result_dir);
	} else {
		char *id = result_new_run_id(s->name, "host");

		dir = path_join(results_root, id);
		free(id);
	}
	*dir_out = dir;
	{
		struct hostrun_opts ho = { .result_dir = dir, .ko_path = ko,
					   .kernel_config = ro->kernel_config };

		rc = hostrun_execute(s, &ho);
	}
	if (!ro->result_dir)
		result_update_latest(results_root, dir);
	free(ko);
	return rc;
}

/* Print a run's KTAP indented as a subtest of the suite stream. */
static void ktap_subtest(FILE *f, const char *dir, size_t n, const char *name, int rc)
{
	char *kp = dir ? path_join(dir, "result.ktap") : NULL;
	char *text = kp ? read_file(kp, NULL) : NULL, *line, *save = NULL;

	if (text)
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			fprintf(f, "  %s\n", line);
	fprintf(f, "%s %zu %s\n", rc == 0 ? "ok" : "not ok", n, name);
	free(text);
	free(kp);
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host", no_argument, NULL, 'H' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "kernel-image", required_argument, NULL, 'i' },
		{ "kernel-build", required_argument, NULL, 'b' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "memory", required_argument, NULL, 'm' },
		{ "accel", required_argument, NULL, 'a' },
		{ "grace", required_argument, NULL, 'g' },
		{ "results", required_argument, NULL, 'r' },
		{ "result-dir", required_argument, NULL, 'd' },
		{ "kmod", required_argument, NULL, 'K' },
		{ "kernel-config", required_argument, NULL, 'C' },
		{ "append", required_argument, NULL, 'A' },
		{ "guest-init", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct run_opts ro = { .kernel = "6.12", .accel = "tcg", .grace_s = 180 };
	struct wqb_kernel k = { 0 };
	struct wqb_suite suite = { 0 };
	char *results_root = NULL, *ko = NULL, *err = NULL;
	size_t total = 0, idx = 0, failed = 0;
	bool have_kernel = false;
	uint64_t v;
	int c, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'H': ro.host = true; break;
		case 'k': ro.kernel = optarg; break;
		case 'i': ro.kernel_image = optarg; break;
		case 'b': ro.kernel_build = optarg; break;
		case 'c':
			if (parse_u64(optarg, &v) || v < 1 || v > 64) {
				wqb_err("--cpus wants 1..64, not '%s'", optarg);
				return 2;
			}
			ro.cpus = (unsigned int)v;
			break;
		case 'm':
			if (parse_mib(optarg, &ro.memory_mib) || ro.memory_mib < 256) {
				wqb_err("--memory wants a size of at least 256M (like 1G), not '%s'",
					optarg);
				return 2;
			}
			break;
		case 'a': ro.accel = optarg; break;
		case 'g':
			if (parse_u64(optarg, &ro.grace_s) || ro.grace_s > 86400) {
				wqb_err("--grace wants seconds, not '%s'", optarg);
				return 2;
			}
			break;
		case 'r': ro.results_root = optarg; break;
		case 'd': ro.result_dir = optarg; break;
		case 'K': ro.kmod = optarg; break;
		case 'C': ro.kernel_config = optarg; break;
		case 'A': ro.append = optarg; break;
		case 'I': ro.guest_init = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		wqb_err(optind >= argc ? "run needs one scenario or suite file"
				       : "run takes one scenario or suite file");
		usage(stderr);
		return 2;
	}
	if (strcmp(ro.accel, "tcg") && strcmp(ro.accel, "kvm") && strcmp(ro.accel, "auto")) {
		wqb_err("--accel wants tcg, kvm or auto, not '%s'", ro.accel);
		return 2;
	}
	if (!ro.host && (ro.result_dir || ro.kmod)) {
		wqb_err("--result-dir and --kmod go with --host");
		return 2;
	}
	if (ro.host && geteuid() != 0) {
		wqb_err("--host loads a module and changes CPU hotplug and workqueue state: run as root");
		return 2;
	}
	if (!ro.host && !program_in_path("qemu-system-x86_64")) {
		wqb_err("qemu-system-x86_64 not found: install qemu-system-x86 (make deps), or use --host on a test machine");
		return 2;
	}
	if (is_suite_path(argv[optind])) {
		if (suite_load(argv[optind], &suite, &err) < 0) {
			wqb_err("%s", err);
			free(err);
			return 2;
		}
	} else {
		suite.e = xcalloc(1, sizeof(*suite.e));
		suite.e[0].path = xstrdup(argv[optind]);
		suite.e[0].repetitions = 0;	/* from the scenario */
		suite.n = 1;
	}
	/* validate everything before any guest boots */
	for (size_t i = 0; i < suite.n; i++) {
		struct wqb_scenario s;

		if (scenario_load(suite.e[i].path, &s, &err) < 0) {
			wqb_err("%s", err);
			free(err);
			suite_free(&suite);
			return 2;
		}
		if (!suite.e[i].repetitions)
			suite.e[i].repetitions = s.repetitions;
		total += suite.e[i].repetitions;
		scenario_free(&s);
	}
	results_root = ro.results_root ? xstrdup(ro.results_root)
				       : path_join(wqb_src_dir(), "results");
	if (!ro.result_dir && mkdir_p(results_root, 0755) < 0) {
		wqb_err("cannot create %s: %s", results_root, strerror(errno));
		rc = 2;
		goto out;
	}
	if (!ro.host) {
		if ((ro.kernel_image || ro.kernel_build)
			    ? kernel_custom(ro.kernel_image, ro.kernel_build, &k) < 0
			    : kernel_resolve(ro.kernel, true, &k) < 0) {
			rc = 2;
			goto out;
		}
		have_kernel = true;
		if (kmod_ensure_built(&k, &ko) < 0) {
			rc = 2;
			goto out;
		}
	}
	if (total > 1)
		printf("KTAP version 1\n1..%zu\n", total);
	for (size_t i = 0; i < suite.n; i++) {
		for (unsigned int rep = 0; rep < suite.e[i].repetitions; rep++) {
			struct wqb_scenario s;
			char *dir = NULL, *name;
			int r;

			if (scenario_load(suite.e[i].path, &s, &err) < 0) {
				wqb_err("%s", err);
				free(err);
				rc = 2;
				goto out;
			}
			idx++;
			{
				char *label = xasprintf("[%zu/%zu] %s on %s", idx, total, s.name,
							ro.host ? "host" : k.name);

				r = ro.host ? run_on_host(&ro, &s, results_root, &dir)
					    : run_in_guest(&ro, &k, ko, &s, results_root, label, &dir);
				free(label);
			}
			name = xasprintf("%s%s%u", s.name, total > 1 ? "_rep" : "",
					 total > 1 ? rep + 1 : 0);
			if (total > 1)
				ktap_subtest(stdout, dir, idx, total > 1 ? name : s.name, r);
			printf("%s %s%s%s\n", r == 0 ? "PASS" : "FAIL", s.name,
			       dir ? "  " : "", dir ? dir : "");
			if (r)
				failed++;
			if (r == 2)
				rc = 2;
			free(name);
			free(dir);
			scenario_free(&s);
		}
	}
	if (!rc && failed)
		rc = 1;
	if (total > 1)
		printf("# wqbench: %zu runs, %zu passed, %zu failed\n", total, total - failed,
		       failed);
out:
	if (have_kernel)
		kernel_free(&k);
	free(ko);
	free(results_root);
	suite_free(&suite);
	return rc;
}
