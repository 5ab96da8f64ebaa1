// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU guest runner.
 *
 * TCG with thread=single is the default: it boots Debian's 6.1 and 6.12
 * reliably here, where multi-threaded TCG crashed 6.12 now and then and the
 * paravirtual KVM cannot run stock kernels at all (QEMU then pauses instead
 * of exiting).  So KVM is used only after a probe boot proved it works, and
 * every guest runs against a deadline: QEMU is killed, never waited on.
 */
#include "vm.h"
#include "dmesg.h"
#include "initramfs.h"
#include "kmodbuild.h"
#include "meta.h"
#include "progress.h"
#include "runcmd.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MARK MARK_PREFIX

const char *vm_outcome_name(enum vm_outcome o)
{
	switch (o) {
	case VM_OK: return "ok";
	case VM_NO_HARNESS: return "no-harness";
	case VM_PANIC: return "panic";
	case VM_HANG: return "hang";
	case VM_QEMU_FAILED: return "qemu-failed";
	}
	return "?";
}

int vm_icount_parse(const char *arg, char *out, size_t len)
{
	const char *comma = arg ? strchr(arg, ',') : NULL;
	size_t slen = comma ? (size_t)(comma - arg) : (arg ? strlen(arg) : 0);
	const char *sleep = NULL;
	uint64_t shift;
	char buf[16];

	if (!arg || !slen || slen >= sizeof(buf))
		return -1;
	memcpy(buf, arg, slen);
	buf[slen] = '\0';
	/* QEMU's MAX_ICOUNT_SHIFT is 10: one instruction = 1024 ns */
	if (strcmp(buf, "auto") && (parse_u64(buf, &shift) || shift > 10))
		return -1;
	if (comma) {
		if (!strcmp(comma + 1, "sleep=on"))
			sleep = "on";
		else if (!strcmp(comma + 1, "sleep=off"))
			sleep = "off";
		else
			return -1;
	}
	if ((size_t)snprintf(out, len, "shift=%s%s%s", buf, sleep ? ",sleep=" : "",
			     sleep ? sleep : "") >= len)
		return -1;
	return 0;
}

static void build_qemu_argv(const struct vm_opts *o, const char *initrd, const char *disk,
			    bool kvm, struct argv_buf *a)
{
	/*
	 * wqbench_accel reaches the guest harness as an environment variable
	 * (the kernel hands init the parameters it does not know): under TCG
	 * it compensates for the emulation (harness/kparam.c).
	 */
	/* wqbench_icount: the same way, for meta.json (harness/meta.c) */
	char *cmdline = xasprintf("console=ttyS0 panic=-1 quiet no_hash_pointers wqbench_accel=%s%s%s%s%s",
				  kvm ? "kvm" : "tcg", o->icount && !kvm ? " wqbench_icount=" : "",
				  o->icount && !kvm ? o->icount : "",
				  o->extra_cmdline ? " " : "",
				  o->extra_cmdline ? o->extra_cmdline : "");

	argv_add(a, "qemu-system-x86_64");
	if (kvm) {
		argv_add(a, "-accel");
		argv_add(a, "kvm");
		argv_add(a, "-cpu");
		argv_add(a, "host");
	} else {
		argv_add(a, "-accel");
		argv_add(a, "tcg,thread=single");
		/* instruction-counted time needs single-threaded TCG, as here */
		if (o->icount) {
			argv_add(a, "-icount");
			argv_add(a, o->icount);
		}
	}
	argv_add(a, "-smp");
	argv_addf(a, "%d", o->cpus > 0 ? o->cpus : 4);
	argv_add(a, "-m");
	argv_addf(a, "%lluM", (unsigned long long)(o->memory_mib ? o->memory_mib : 1024));
	argv_add(a, "-nodefaults");
	argv_add(a, "-display");
	argv_add(a, "none");
	argv_add(a, "-serial");
	argv_add(a, "stdio");
	argv_add(a, "-monitor");
	argv_add(a, "none");
	argv_add(a, "-no-reboot");
	argv_add(a, "-kernel");
	argv_add(a, o->kernel->image);
	argv_add(a, "-initrd");
	argv_add(a, initrd);
	argv_add(a, "-append");
	argv_add(a, cmdline);
	argv_add(a, "-virtfs");
	argv_add(a, "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap");
	argv_add(a, "-virtfs");
	argv_addf(a, "local,path=%s,mount_tag=wqbres,security_model=none", o->share_dir);
	if (disk) {
		/* scratch only: no host flushes needed */
		argv_add(a, "-drive");
		argv_addf(a, "file=%s,if=virtio,format=raw,cache=unsafe", disk);
	}
	free(cmdline);
}

bool vm_text_has_oops(const char *text)
{
	return dmesg_is_crash(text);	/* the one list, harness/dmesg.c */
}

bool vm_text_has_unexpected_oops(const char *text, const char *const *expected)
{
	while (text && *text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		char *line = xasprintf("%.*s", (int)len, text);
		bool bad = vm_text_has_oops(line);

		for (size_t e = 0; bad && expected && expected[e]; e++)
			if (strstr(line, expected[e]))
				bad = false;
		free(line);
		if (bad)
			return true;
		text = nl ? nl + 1 : NULL;
	}
	return false;
}

struct watch {
	FILE *log;
	bool started, exited, panic, oops, boot_failed;
	int rc;
	uint64_t run_budget_ms;	/* from the latest run-begin; 0 = none new */
	char run_label[128];	/* progress label of the run in flight */
	char fail_line[256];
	char line[1024];
	size_t len;
};

static void watch_line(struct watch *w, const char *line, bool echo, const char *label)
{
	struct progress p;
	const char *m;

	if (label && progress_parse(line, &p) == 0) {
		progress_show(w->run_label[0] ? w->run_label : label, &p);
		return;
	}
	if (echo)
		printf("%s\n", line);
	if ((m = strstr(line, MARK))) {
		m += strlen(MARK);
		if (strncmp(m, "harness-start", 13) == 0) {
			w->started = true;
		} else if (strncmp(m, "run-begin ", 10) == 0) {
			/* "run-begin BUDGET_MS LABEL": one run of a batch starts */
			char *end;
			unsigned long long b = strtoull(m + 10, &end, 10);

			w->run_budget_ms = b ? b : 1;
			while (*end == ' ')
				end++;
			snprintf(w->run_label, sizeof(w->run_label), "%s", end);
			if (label)
				progress_done();
		} else if (strncmp(m, "harness-exit ", 13) == 0) {
			w->exited = true;
			w->rc = atoi(m + 13);
		} else if (strncmp(m, "boot-failed", 11) == 0) {
			w->boot_failed = true;
			snprintf(w->fail_line, sizeof(w->fail_line), "%s", m);
		}
	}
	if (strstr(line, "Kernel panic - not syncing")) {
		w->panic = true;
		if (!w->fail_line[0])
			snprintf(w->fail_line, sizeof(w->fail_line), "%s", line);
	}
	if (vm_text_has_oops(line))
		w->oops = true;
	/* QEMU pauses the guest on this instead of exiting: stop waiting */
	if (strstr(line, "KVM internal error")) {
		w->panic = true;
		snprintf(w->fail_line, sizeof(w->fail_line), "%s", line);
	}
}

static void watch_feed(struct watch *w, const char *buf, size_t n, bool echo,
		       const char *label)
{
	fwrite(buf, 1, n, w->log);
	fflush(w->log);
	for (size_t i = 0; i < n; i++) {
		char c = buf[i];

		if (c == '\r')
			continue;
		if (c == '\n' || w->len + 1 >= sizeof(w->line)) {
			w->line[w->len] = '\0';
			watch_line(w, w->line, echo, label);
			w->len = 0;
			if (c == '\n')
				continue;
		}
		w->line[w->len++] = c;
	}
}

/*
 * QEMU runs in a process group of its own (so a console ^C reaches the
 * guest's serial line, not QEMU).  So a SIGINT, SIGTERM or SIGHUP that
 * ends wqbench (a ^C, `timeout`, a CI job cancelled) would leave QEMU
 * running the guest on, unowned, for as long as the guest's command
 * takes.  While a QEMU runs, these signals only note themselves; the watch
 * loop kills QEMU's group, reaps it, and then wqbench dies of the signal
 * as it would have.
 */
static volatile sig_atomic_t vm_stop_signal;

static void vm_note_signal(int sig)
{
	vm_stop_signal = sig;
}

static const int vm_stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void vm_catch_signals(struct sigaction *old)
{
	struct sigaction sa = { .sa_handler = vm_note_signal };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(vm_stop_signals) / sizeof(vm_stop_signals[0]); i++) {
		sigaction(vm_stop_signals[i], NULL, &old[i]);
		/* an ignored signal stays ignored (nohup, a background shell) */
		if (old[i].sa_handler != SIG_IGN)
			sigaction(vm_stop_signals[i], &sa, NULL);
	}
}

/* Put the old dispositions back. */
static void vm_release_signals(const struct sigaction *old)
{
	for (size_t i = 0; i < sizeof(vm_stop_signals) / sizeof(vm_stop_signals[0]); i++)
		sigaction(vm_stop_signals[i], &old[i], NULL);
}

/* After the cleanup: die of a signal that came while QEMU ran, as we would have. */
static void vm_die_of_stop_signal(void)
{
	int sig = vm_stop_signal;

	if (!sig)
		return;
	wqb_err("%s: qemu killed, stopping", strsignal(sig));
	signal(sig, SIG_DFL);
	raise(sig);
}

/* One boot.  Returns the outcome; res gets the details. */
static enum vm_outcome boot_once(const struct vm_opts *o, const char *initrd, const char *disk,
				 bool kvm, struct vm_result *res)
{
	struct argv_buf a = { 0 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	struct watch w = { 0 };
	uint64_t t0 = now_mono_ns(), started_at = 0, harness_at = 0;
	uint64_t boot_to = o->boot_timeout_ms ? o->boot_timeout_ms : 90000;
	uint64_t run_to = o->run_timeout_ms ? o->run_timeout_ms : 600000;
	int pfd[2], status = 0;
	bool killed = false, eof = false;
	enum vm_outcome out;
	struct sigaction old_sa[3];
	pid_t pid;

	w.log = fopen(o->console_log, "a");
	if (!w.log) {
		snprintf(res->reason, sizeof(res->reason), "cannot write %s: %s",
			 o->console_log, strerror(errno));
		return VM_QEMU_FAILED;
	}
	build_qemu_argv(o, initrd, disk, kvm, &a);
	{
		char *cmd = argv_to_string(a.v);

		fprintf(w.log, "### wqbench: %s\n", cmd);
		fflush(w.log);
		wqb_debug("qemu: %s", cmd);
		free(cmd);
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		fclose(w.log);
		argv_free(&a);
		return VM_QEMU_FAILED;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	vm_catch_signals(old_sa);
	if (posix_spawnp(&pid, a.v[0], &fa, &at, a.v, environ) != 0) {
		vm_release_signals(old_sa);
		snprintf(res->reason, sizeof(res->reason),
			 "cannot start qemu-system-x86_64: %s (install qemu-system-x86)",
			 strerror(errno));
		posix_spawn_file_actions_destroy(&fa);
		posix_spawnattr_destroy(&at);
		close(pfd[0]);
		close(pfd[1]);
		fclose(w.log);
		argv_free(&a);
		return VM_QEMU_FAILED;
	}
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(pfd[1]);

	while (!eof) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		uint64_t now = now_mono_ns();
		char buf[4096];

		if (w.started && !started_at)
			started_at = now;
		if (w.started && !harness_at)
			harness_at = now;
		if (w.run_budget_ms && o->run_grace_ms) {
			/* each run of a batch gets its own time limit */
			started_at = now;
			run_to = w.run_budget_ms + o->run_grace_ms;
			w.run_budget_ms = 0;
		}
		if (!killed && vm_stop_signal) {
			fprintf(w.log, "\n### wqbench: %s, killing qemu\n", strsignal(vm_stop_signal));
			kill(-pid, SIGKILL);
			killed = true;
		}
		if (!killed &&
		    ((!w.started && now - t0 > boot_to * 1000000ull) ||
		     (started_at && now - started_at > run_to * 1000000ull) ||
		     w.panic)) {
			/* a paused or wedged QEMU never exits by itself */
			if (!w.panic)
				fprintf(w.log, "\n### wqbench: guest outlived its time limit, killing qemu\n");
			kill(-pid, SIGKILL);
			killed = true;
		}
		if (poll(&p, 1, 100) <= 0)
			continue;
		{
			ssize_t n = read(pfd[0], buf, sizeof(buf));

			if (n > 0)
				watch_feed(&w, buf, (size_t)n, o->echo_console, o->progress_label);
			else if (n == 0 || errno != EINTR)
				eof = true;
		}
	}
	close(pfd[0]);
	if (!killed && waitpid(pid, &status, WNOHANG) == 0) {
		/* stdout closed but qemu lingers: give it a moment, then kill */
		for (int i = 0; i < 50 && waitpid(pid, &status, WNOHANG) == 0; i++)
			usleep(100000);
		kill(-pid, SIGKILL);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	vm_release_signals(old_sa);
	if (vm_stop_signal) {
		/* vm_run() cleans up, then dies of it */
		fprintf(w.log, "\n### wqbench: boot outcome interrupted\n");
		fclose(w.log);
		argv_free(&a);
		if (o->progress_label)
			progress_done();
		snprintf(res->reason, sizeof(res->reason), "interrupted by %s",
			 strsignal(vm_stop_signal));
		return VM_QEMU_FAILED;
	}
	if (w.len) {
		w.line[w.len] = '\0';
		watch_line(&w, w.line, o->echo_console, o->progress_label);
	}
	res->oops |= w.oops;
	res->harness_started = w.started;
	/* launch to harness start: started_at moves on to each run of a batch */
	res->boot_ms = (harness_at ? harness_at : now_mono_ns()) / 1000000ull - t0 / 1000000ull;
	if (w.panic) {
		out = VM_PANIC;
		snprintf(res->reason, sizeof(res->reason), "guest kernel panicked: %s", w.fail_line);
	} else if (w.exited) {
		out = VM_OK;
		res->harness_rc = w.rc;
		res->reason[0] = '\0';
	} else if (w.started) {
		out = VM_HANG;
		snprintf(res->reason, sizeof(res->reason),
			 killed ? "guest harness did not finish within %llu s (hang): killed"
				: "guest died while the harness ran (%llu s limit)",
			 (unsigned long long)(run_to / 1000));
	} else if (w.boot_failed) {
		out = VM_NO_HARNESS;
		snprintf(res->reason, sizeof(res->reason), "guest init failed: %s", w.fail_line);
	} else if (killed) {
		out = VM_NO_HARNESS;
		snprintf(res->reason, sizeof(res->reason),
			 "guest never reached the harness within %llu s",
			 (unsigned long long)(boot_to / 1000));
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		out = VM_NO_HARNESS;
		snprintf(res->reason, sizeof(res->reason),
			 "guest powered off before reaching the harness");
	} else {
		out = VM_QEMU_FAILED;
		snprintf(res->reason, sizeof(res->reason),
			 "qemu failed (status %d) before the guest reached the harness",
			 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
	if (o->progress_label)
		progress_done();
	fprintf(w.log, "\n### wqbench: boot outcome %s%s%s\n", vm_outcome_name(out),
		res->reason[0] ? ": " : "", res->reason);
	fclose(w.log);
	argv_free(&a);
	return out;
}

/*
 * Does KVM boot this kernel here?  Cached per kernel release, because the
 * answer only changes with the host.
 */
static bool kvm_probe(const struct vm_opts *o)
{
	char *dir = xasprintf("%s/kvm-probe", wqb_cache_dir());
	char *stamp = xasprintf("%s/%s", dir, o->kernel->release);
	char *cached = read_file_trim(stamp);
	bool ok = false;

	if (access("/dev/kvm", R_OK | W_OK) < 0)
		goto out;
	if (cached) {
		ok = strcmp(cached, "ok") == 0;
		goto out;
	}
	{
		char *share = xasprintf("%s/share-%d", dir, (int)getpid());
		char *log = path_join(dir, "probe-console.log");
		char *initrd = xasprintf("%s/initrd-%d", dir, (int)getpid());
		char *const argv[] = { "/bin/true", NULL };
		struct vm_opts p = *o;
		struct vm_result r = { 0 };
		char *gargv;

		mkdir_p(share, 0755);
		gargv = path_join(share, ".guest-argv");
		write_file_atomic(gargv, "/bin/true\n", 10, 0644);
		p.share_dir = share;
		p.guest_argv = argv;
		p.console_log = log;
		p.boot_timeout_ms = 30000;
		p.run_timeout_ms = 10000;
		p.echo_console = false;
		p.icount = NULL;
		unlink(log);
		if (initramfs_build(o->kernel, initrd, NULL) == 0)
			ok = boot_once(&p, initrd, NULL, true, &r) == VM_OK && r.harness_rc == 0;
		unlink(initrd);
		remove_tree(share);
		write_file_atomic(stamp, ok ? "ok\n" : "fail\n", ok ? 3 : 5, 0644);
		wqb_info("KVM probe for %s: %s", o->kernel->release,
			 ok ? "boots" : "does not boot, using TCG");
		free(gargv);
		free(share);
		free(log);
		free(initrd);
	}
out:
	free(cached);
	free(stamp);
	free(dir);
	return ok;
}

/*
 * The guest mounts fresh tmpfs over /tmp and /run (tools write there, the
 * host root is read-only).  That would hide a checkout, scenario or module
 * that lives under them on the host, so the init script binds each path
 * listed in .guest-keep back over the tmpfs.
 */
static bool under_masked_dir(const char *p)
{
	static const char *const masked[] = { "/tmp/", "/run/", "/dev/shm/" };

	for (size_t i = 0; i < ARRAY_SIZE(masked); i++)
		if (!strncmp(p, masked[i], strlen(masked[i])))
			return true;
	return false;
}

/*
 * Keep path's directory -- or the file itself when it sits directly in
 * /tmp or /run (binding all of /tmp would hide the guest's own tmpfs).
 */
static void keep_add(char **list, const char *path)
{
	char *keep, *t, *slash;
	const char *l;
	size_t len;

	if (!path || path[0] != '/' || !under_masked_dir(path) || strchr(path, '\n'))
		return;
	keep = xstrdup(path);
	if (!is_dir(keep)) {
		if (!path_exists(keep)) {
			free(keep);
			return;
		}
		slash = strrchr(keep, '/');
		if (slash && slash != keep) {
			*slash = '\0';
			if (!under_masked_dir(keep)) {
				/* directly in a masked directory: the file alone */
				free(keep);
				keep = xstrdup(path);
			}
		}
	}
	len = strlen(keep);
	for (l = *list; l && *l; l = strchr(l, '\n') + 1)
		if (!strncmp(l, keep, len) && l[len] == '\n') {
			free(keep);
			return;
		}
	t = xasprintf("%s%s\n", *list ? *list : "", keep);
	free(*list);
	*list = t;
	free(keep);
}

static int write_keep_list(const struct vm_opts *o)
{
	char *list = xstrdup(""), *p;
	int rc;

	keep_add(&list, wqb_src_dir());
	for (size_t i = 0; o->guest_argv[i]; i++)
		keep_add(&list, o->guest_argv[i]);
	for (size_t i = 0; o->keep_paths && o->keep_paths[i]; i++)
		keep_add(&list, o->keep_paths[i]);
	p = path_join(o->share_dir, ".guest-keep");
	rc = write_file_atomic(p, list, strlen(list), 0644);
	if (rc < 0)
		wqb_err("cannot write %s: %s", p, strerror(errno));
	free(p);
	free(list);
	return rc;
}

int vm_run(const struct vm_opts *o, struct vm_result *res)
{
	const char *accel = o->accel ? o->accel : "tcg";
	char *initrd = NULL, *disk = NULL, *gargv_path = NULL, *gargv = xstrdup("");
	char *tools_path = NULL;
	uint64_t t0 = now_mono_ns();
	bool kvm = false;
	int r = -1;

	memset(res, 0, sizeof(*res));
	if (!program_in_path("qemu-system-x86_64")) {
		res->outcome = VM_QEMU_FAILED;
		snprintf(res->reason, sizeof(res->reason),
			 "qemu-system-x86_64 not found: install qemu-system-x86 (make deps)");
		wqb_err("%s", res->reason);
		free(gargv);
		return -1;
	}
	if (o->icount && strcmp(accel, "tcg") != 0) {
		res->outcome = VM_QEMU_FAILED;
		snprintf(res->reason, sizeof(res->reason),
			 "--icount counts TCG's instructions: it does not go with --accel %s", accel);
		wqb_err("%s", res->reason);
		free(gargv);
		return -1;
	}
	if (o->icount) {
		char norm[64];

		if (vm_icount_parse(o->icount + (strncmp(o->icount, "shift=", 6) ? 0 : 6), norm,
				    sizeof(norm)) || strcmp(norm, o->icount)) {
			res->outcome = VM_QEMU_FAILED;
			snprintf(res->reason, sizeof(res->reason), "bad -icount value '%s'", o->icount);
			wqb_err("%s", res->reason);
			free(gargv);
			return -1;
		}
	}
	if (strcmp(accel, "kvm") == 0 || strcmp(accel, "auto") == 0) {
		kvm = kvm_probe(o);
		if (!kvm && strcmp(accel, "kvm") == 0)
			wqb_warn("KVM was asked for but does not boot %s here; using TCG",
				 o->kernel->release);
	} else if (strcmp(accel, "tcg") != 0) {
		wqb_err("unknown --accel '%s': use tcg, kvm or auto", accel);
		free(gargv);
		return -1;
	}
	snprintf(res->accel_used, sizeof(res->accel_used), "%s", kvm ? "kvm" : "tcg");
	snprintf(res->icount_used, sizeof(res->icount_used), "%s", o->icount ? o->icount : "");
	/* the guest init reads its command from the share, one word per line */
	for (size_t i = 0; o->guest_argv[i]; i++) {
		char *t;

		if (strchr(o->guest_argv[i], '\n')) {
			wqb_err("guest argument contains a newline: %s", o->guest_argv[i]);
			free(gargv);
			return -1;
		}
		t = xasprintf("%s%s\n", gargv, o->guest_argv[i]);
		free(gargv);
		gargv = t;
	}
	if (write_keep_list(o) < 0)
		goto out;
	gargv_path = path_join(o->share_dir, ".guest-argv");
	if (write_file_atomic(gargv_path, gargv, strlen(gargv), 0644) < 0) {
		wqb_err("cannot write %s: %s", gargv_path, strerror(errno));
		goto out;
	}
	{
		/* the guest runs these very files: asked here, natively, in ms */
		json_t *tools = meta_tool_versions(WQB_GUEST_PATH);
		struct utsname u;

		json_object_set_new(tools, "uname_release",
				    json_string(uname(&u) == 0 ? u.release : "unknown"));
		tools_path = path_join(o->share_dir, WQB_GUEST_TOOLS_FILE);
		if (json_write_atomic(tools, tools_path, JSON_INDENT(2)) < 0)
			wqb_warn("cannot write %s: %s (the guest asks the tools itself)",
				 tools_path, strerror(errno));
		json_decref(tools);
	}
	initrd = xasprintf("%s/initrd-%s-%d.cpio", wqb_cache_dir(), o->kernel->release,
			   (int)getpid());
	mkdir_p(wqb_cache_dir(), 0755);
	if (initramfs_build(o->kernel, initrd, o->init_override) < 0)
		goto out;
	if (o->scratch_disk_mib) {
		int fd;

		disk = xasprintf("%s/scratch-%d.img", wqb_cache_dir(), (int)getpid());
		fd = open(disk, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || ftruncate(fd, (off_t)(o->scratch_disk_mib << 20)) < 0) {
			wqb_err("cannot create scratch disk %s: %s", disk, strerror(errno));
			if (fd >= 0)
				close(fd);
			goto out;
		}
		close(fd);
	}
	for (res->attempts = 1;; res->attempts++) {
		res->outcome = boot_once(o, initrd, disk, kvm, res);
		/*
		 * A boot that died before the harness started says nothing about
		 * the workqueue: retry it once.  A panic or hang after the
		 * harness started is a result and is kept.
		 */
		if (res->attempts >= 2 || o->no_retry || res->harness_started || vm_stop_signal)
			break;
		wqb_warn("boot attempt %d failed (%s); retrying once", res->attempts, res->reason);
	}
	r = 0;
out:
	res->total_ms = (now_mono_ns() - t0) / 1000000ull;
	if (disk)
		unlink(disk);
	free(disk);
	if (initrd)
		unlink(initrd);
	unlink(gargv_path);
	free(gargv_path);
	if (tools_path)
		unlink(tools_path);
	free(tools_path);
	free(initrd);
	free(gargv);
	vm_die_of_stop_signal();
	return r;
}

