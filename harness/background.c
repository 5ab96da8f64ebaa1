// SPDX-License-Identifier: GPL-2.0
/*
 * stress-ng and fio as background load.  Both get their run time from the
 * harness, so they end on their own at the end of the measured phase; the
 * harness still stops them under a hard limit.
 */
#include "background.h"
#include "runcmd.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char *background_find_scratch_disk(void)
{
	const char *e = getenv("WQBENCH_SCRATCH_DISK");
	DIR *d;
	struct dirent *de;
	char *found = NULL;

	if (e && *e)
		return xstrdup(e);
	/* in the guest the only virtio block device is the scratch disk */
	d = opendir("/sys/block");
	while (d && (de = readdir(d)))
		if (strncmp(de->d_name, "vd", 2) == 0 && !found)
			found = xasprintf("/dev/%s", de->d_name);
	if (d)
		closedir(d);
	return found;
}

static void start_one(struct bg_proc *p, const char *name, struct argv_buf *a,
		      const char *log, const char *cwd)
{
	struct spawn_opts o = { .cwd = cwd, .stdout_path = log, .stderr_to_stdout = true,
				.new_pgrp = true };
	char *cmd = argv_to_string(a->v);

	p->name = name;
	if (!program_in_path(a->v[0])) {
		snprintf(p->error, sizeof(p->error), "%s is not installed (make deps)", name);
		free(cmd);
		return;
	}
	p->pid = spawn_start(a->v, &o);
	if (p->pid < 0) {
		snprintf(p->error, sizeof(p->error), "cannot start %s: %s", name, strerror(errno));
		p->pid = 0;
	} else {
		p->started_ns = now_mono_ns();
		wqb_debug("background: %s", cmd);
	}
	free(cmd);
}

void background_start(const struct wqb_scenario *s, const char *result_dir, uint64_t run_ms,
		      struct background *bg)
{
	uint64_t secs = (run_ms + 999) / 1000;

	memset(bg, 0, sizeof(*bg));
	bg->stressng.name = "stress-ng";
	bg->fio.name = "fio";
	if (s->stressng.enabled) {
		struct argv_buf a = { 0 };
		char *log = path_join(result_dir, "stress-ng.log");

		argv_add(&a, "stress-ng");
		for (size_t i = 0; i < s->stressng.nargs; i++)
			argv_add(&a, s->stressng.args[i]);
		argv_add(&a, "--timeout");
		argv_addf(&a, "%llus", (unsigned long long)secs);
		argv_add(&a, "--metrics-brief");
		argv_add(&a, "--yaml");
		argv_addf(&a, "%s/stress-ng.yaml", result_dir);
		/* stress-ng wants a writable working directory */
		start_one(&bg->stressng, "stress-ng", &a, log, "/tmp");
		argv_free(&a);
		free(log);
	}
	if (s->fio.enabled) {
		const struct wqb_fio *f = &s->fio;
		struct argv_buf a = { 0 };
		char *log = path_join(result_dir, "fio.log"), *target = NULL;

		if (strcmp(f->target, "disk") == 0) {
			target = background_find_scratch_disk();
			if (!target) {
				snprintf(bg->fio.skip, sizeof(bg->fio.skip),
					 "target=disk needs the guest's scratch disk (or WQBENCH_SCRATCH_DISK on a test machine)");
				free(log);
				return;
			}
		} else {
			const char *tmp = getenv("TMPDIR");

			target = xasprintf("%s/wqbench-fio.dat", tmp && *tmp ? tmp : "/tmp");
		}
		argv_add(&a, "fio");
		argv_add(&a, "--name=wqbench");
		argv_addf(&a, "--filename=%s", target);
		argv_addf(&a, "--rw=%s", f->rw);
		argv_addf(&a, "--bs=%s", f->bs);
		argv_addf(&a, "--size=%s", f->size);
		argv_addf(&a, "--ioengine=%s", f->ioengine);
		argv_addf(&a, "--iodepth=%u", f->iodepth);
		argv_addf(&a, "--numjobs=%u", f->numjobs);
		argv_addf(&a, "--direct=%d", f->direct ? 1 : 0);
		argv_add(&a, "--time_based");
		argv_addf(&a, "--runtime=%llus", (unsigned long long)secs);
		argv_add(&a, "--group_reporting");
		argv_add(&a, "--output-format=json");
		argv_addf(&a, "--output=%s/fio.json", result_dir);
		start_one(&bg->fio, "fio", &a, log, "/tmp");
		argv_free(&a);
		free(target);
		free(log);
	}
}

static void stop_one(struct bg_proc *p, struct run_result *res)
{
	int status = 0;
	bool killed = false;
	char check[32];

	snprintf(check, sizeof(check), "load_%s", strcmp(p->name, "fio") == 0 ? "fio" : "stress_ng");
	if (p->skip[0]) {
		result_check(res, check, CHECK_SKIP, "%s", p->skip);
		return;
	}
	if (p->error[0]) {
		result_check(res, check, CHECK_FAIL, "%s", p->error);
		return;
	}
	if (!p->pid)
		return;
	/* they were told to stop on their own now; allow 10 s before force */
	for (int i = 0; i < 100; i++) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid)
			goto reaped;
		usleep(100000);
	}
	kill(-p->pid, SIGTERM);
	for (int i = 0; i < 50; i++) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid)
			goto reaped;
		usleep(100000);
	}
	kill(-p->pid, SIGKILL);
	killed = true;
	waitpid(p->pid, &status, 0);
reaped:
	p->pid = 0;
	if (killed)
		result_check(res, check, CHECK_FAIL, "%s outlived the run and was killed", p->name);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		result_check(res, check, CHECK_PASS, "%s ran %.1f s and exited 0 (output saved)",
			     p->name, (double)(now_mono_ns() - p->started_ns) / 1e9);
	else
		result_check(res, check, CHECK_FAIL, "%s failed: %s %d (see %s.log)", p->name,
			     WIFEXITED(status) ? "exit" : "signal",
			     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
			     p->name);
}

void background_stop(struct background *bg, struct run_result *res)
{
	if (bg->stressng.pid || bg->stressng.error[0] || bg->stressng.skip[0])
		stop_one(&bg->stressng, res);
	if (bg->fio.pid || bg->fio.error[0] || bg->fio.skip[0])
		stop_one(&bg->fio, res);
}
