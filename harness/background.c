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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

#define CRYPT_NAME "wqbench_crypt"

/*
 * Put a loop device or a dm-crypt mapping over the scratch disk, so fio's
 * I/O goes through loop's or kcryptd's workqueues.  The dm-crypt key is
 * derived from the scenario seed: nothing here is secret, the point is the
 * encryption work.  aes-cbc-plain64 needs only what Debian builds in.
 * 0, or -1 with why set.
 */
static int layer_setup(const struct wqb_scenario *s, const char *disk, struct background *bg,
		       char *why, size_t len)
{
	if (!strcmp(s->fio.layer, "loop")) {
		char *const av[] = { "losetup", "--find", "--show", (char *)disk, NULL };
		char *out = NULL;

		if (spawn_capture(av, NULL, 30000, 256, &out) != 0 || !out || !*str_trim(out)) {
			snprintf(why, len, "losetup --find --show %s failed", disk);
			free(out);
			return -1;
		}
		snprintf(bg->layer_dev, sizeof(bg->layer_dev), "%s", out);
		free(out);
	} else {
		const char *base = strrchr(disk, '/') ? strrchr(disk, '/') + 1 : disk;
		char *sp = xasprintf("/sys/class/block/%s/size", base), *sz = read_file_trim(sp);
		char key[65], *table;
		uint64_t x = s->seed * 0x9e3779b97f4a7c15ULL + 1;
		int r;

		free(sp);
		if (!sz) {
			snprintf(why, len, "cannot read the size of %s", disk);
			return -1;
		}
		for (int i = 0; i < 64; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			key[i] = "0123456789abcdef"[x & 15];
		}
		key[64] = '\0';
		table = xasprintf("0 %s crypt aes-cbc-plain64 %s 0 %s 0", sz, key, disk);
		{
			char *const av[] = { "dmsetup", "create", CRYPT_NAME, "--table", table, NULL };

			r = spawn_run(av, NULL, 30000, NULL);
		}
		free(table);
		free(sz);
		if (r != 0) {
			snprintf(why, len, "dmsetup create %s (aes-cbc-plain64 over %s) failed", CRYPT_NAME,
				 disk);
			return -1;
		}
		/*
		 * /dev/mapper/NAME is made by udev, which the guest does not run:
		 * use the kernel's own /dev/dm-N node (devtmpfs), found by name.
		 */
		for (int n = 0; n < 256 && !bg->layer_dev[0]; n++) {
			char *np = xasprintf("/sys/block/dm-%d/dm/name", n), *nm = read_file_trim(np);

			if (nm && !strcmp(nm, CRYPT_NAME))
				snprintf(bg->layer_dev, sizeof(bg->layer_dev), "/dev/dm-%d", n);
			free(nm);
			free(np);
		}
		if (!bg->layer_dev[0]) {
			snprintf(why, len, "dmsetup created %s but no /sys/block/dm-N names it",
				 CRYPT_NAME);
			snprintf(bg->layer, sizeof(bg->layer), "dmcrypt");
			return -1;
		}
	}
	{
		struct stat st;

		/* fio would quietly create a regular file where a device is missing */
		if (stat(bg->layer_dev, &st) < 0 || !S_ISBLK(st.st_mode)) {
			snprintf(why, len, "%s is not a block device", bg->layer_dev);
			snprintf(bg->layer, sizeof(bg->layer), "%s", s->fio.layer);
			return -1;
		}
	}
	snprintf(bg->layer, sizeof(bg->layer), "%s", s->fio.layer);
	return 0;
}

static void layer_teardown(struct background *bg, struct run_result *res)
{
	int r = -1;

	if (!bg->layer[0])
		return;
	/* the device may stay busy for a moment after fio exits */
	for (int i = 0; i < 20 && r != 0; i++) {
		if (!strcmp(bg->layer, "loop")) {
			char *const av[] = { "losetup", "-d", bg->layer_dev, NULL };

			r = spawn_run(av, NULL, 30000, NULL);
		} else {
			char *const av[] = { "dmsetup", "remove", CRYPT_NAME, NULL };

			r = spawn_run(av, NULL, 30000, NULL);
		}
		if (r != 0)
			usleep(100000);
	}
	if (r == 0)
		result_check(res, "fio_layer", CHECK_PASS, "%s %s set up under fio and removed",
			     bg->layer, bg->layer_dev);
	else
		result_check(res, "fio_layer", CHECK_FAIL, "%s %s could not be removed", bg->layer,
			     bg->layer_dev);
	bg->layer[0] = '\0';
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
			{
				struct stat st;

				if (stat(target, &st) < 0 || !S_ISBLK(st.st_mode)) {
					snprintf(bg->fio.error, sizeof(bg->fio.error),
						 "%s is not a block device", target);
					free(target);
					free(log);
					return;
				}
			}
			if (f->layer && strcmp(f->layer, "none")) {
				char why[160];

				if (layer_setup(s, target, bg, why, sizeof(why)) < 0) {
					snprintf(bg->fio.error, sizeof(bg->fio.error), "%s", why);
					free(target);
					free(log);
					return;
				}
				free(target);
				target = xstrdup(bg->layer_dev);
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

#define STOP_POLL_US 100000
#define STOP_IDLE_POLLS 100	/* 10 s without progress */
#define STOP_MAX_POLLS 600	/* 60 s before each signal: within the run grace */

/*
 * The process group's CPU ticks so far (-1 when /proc cannot tell), and
 * whether one of its processes is in uninterruptible sleep (I/O, as in
 * writeback): that is progress too.
 */
static long long group_progress(pid_t pgid, bool *in_io)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	long long sum = -1;

	*in_io = false;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char path[300], buf[1024], state;
		unsigned long long ut, st;
		long long grp;
		const char *rp;
		FILE *f;
		size_t n;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		/* after the command name, which may hold spaces and parentheses */
		rp = strrchr(buf, ')');
		if (!rp || sscanf(rp + 1, " %c %*d %lld %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
				  &state, &grp, &ut, &st) != 4 || grp != (long long)pgid)
			continue;
		if (sum < 0)
			sum = 0;
		sum += (long long)(ut + st);
		if (state == 'D')
			*in_io = true;
	}
	closedir(d);
	return sum;
}

/* Reap pid while its group keeps busy; true when reaped (status set). */
static bool wait_while_busy(pid_t pid, int *status)
{
	long long last = -2;
	int idle = 0;

	for (int i = 0; i < STOP_MAX_POLLS && idle < STOP_IDLE_POLLS; i++) {
		bool in_io;
		long long now;

		if (waitpid(pid, status, WNOHANG) == pid)
			return true;
		usleep(STOP_POLL_US);
		now = group_progress(pid, &in_io);
		if ((now >= 0 && now != last) || in_io)
			idle = 0;
		else
			idle++;
		last = now;
	}
	return waitpid(pid, status, WNOHANG) == pid;
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
	/*
	 * They were told to stop on their own now.  How long that takes is
	 * the host's business: fio's last close() of the scratch disk writes
	 * back what it left dirty (up to its size), which on a starved TCG
	 * guest took 20 s of an 11 s job.  So wait while the group makes
	 * progress (CPU time, or a process in uninterruptible I/O), and
	 * force only a group idle for STOP_IDLE_POLLS -- or one still busy
	 * after STOP_MAX_POLLS, which no healthy stop needs.
	 */
	if (wait_while_busy(p->pid, &status))
		goto reaped;
	kill(-p->pid, SIGTERM);
	if (wait_while_busy(p->pid, &status))
		goto reaped;
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
	layer_teardown(bg, res);
}
