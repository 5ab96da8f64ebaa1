// SPDX-License-Identifier: GPL-2.0
/*
 * posix_spawnp() wrappers with redirection, process groups and time limits.
 */
#include "runcmd.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

pid_t spawn_start(char *const argv[], const struct spawn_opts *o)
{
	static const struct spawn_opts none;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int oflags = O_WRONLY | O_CREAT;	/* no O_CLOEXEC: these become fds 1 and 2 */
	pid_t pid;
	int r;

	if (!o)
		o = &none;
	oflags |= o->append ? O_APPEND : O_TRUNC;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, 0, o->stdin_path ? o->stdin_path : "/dev/null",
					 O_RDONLY, 0);
	if (o->stdout_path)
		posix_spawn_file_actions_addopen(&fa, 1, o->stdout_path, oflags, 0644);
	if (o->stderr_to_stdout)
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
	else if (o->stderr_path)
		posix_spawn_file_actions_addopen(&fa, 2, o->stderr_path, oflags, 0644);
	if (o->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, o->cwd);
	if (o->new_pgrp) {
		posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					 POSIX_SPAWN_SETSIGDEF);
		posix_spawnattr_setpgroup(&at, 0);
	} else {
		posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	}
	{
		sigset_t none_set, deflt;

		sigemptyset(&none_set);
		posix_spawnattr_setsigmask(&at, &none_set);
		sigemptyset(&deflt);
		sigaddset(&deflt, SIGINT);
		sigaddset(&deflt, SIGTERM);
		sigaddset(&deflt, SIGPIPE);
		sigaddset(&deflt, SIGCHLD);
		posix_spawnattr_setsigdefault(&at, &deflt);
	}
	wqb_debug("spawn: %s", argv[0]);
	r = posix_spawnp(&pid, argv[0], &fa, &at, argv, o->envp ? o->envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (r) {
		errno = r;
		return -1;
	}
	return pid;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void kill_it(pid_t pid, bool pgrp, int sig)
{
	if (pgrp)
		kill(-pid, sig);
	else
		kill(pid, sig);
}

void spawn_wait(pid_t pid, uint64_t timeout_ms, uint64_t kill_grace_ms,
		bool pgrp, struct spawn_result *res)
{
	uint64_t deadline = timeout_ms ? now_mono_ns() + timeout_ms * 1000000ull : 0;
	uint64_t kill_at = 0;
	int status = 0;

	memset(res, 0, sizeof(*res));
	for (;;) {
		pid_t w = waitpid(pid, &status, deadline ? WNOHANG : 0);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			res->exit_code = -1;
			return;
		}
		if (!deadline)
			continue;
		if (now_mono_ns() >= deadline && !res->timed_out) {
			res->timed_out = true;
			kill_it(pid, pgrp, SIGTERM);
			kill_at = now_mono_ns() + (kill_grace_ms ? kill_grace_ms : 2000) * 1000000ull;
		}
		if (kill_at && now_mono_ns() >= kill_at) {
			kill_it(pid, pgrp, SIGKILL);
			kill_at = 0;
		}
		sleep_ms(10);
	}
	if (WIFEXITED(status))
		res->exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		res->exit_code = 128 + WTERMSIG(status);
}

int spawn_run(char *const argv[], const struct spawn_opts *o,
	      uint64_t timeout_ms, struct spawn_result *res)
{
	struct spawn_result local;
	bool pgrp = o && o->new_pgrp;
	pid_t pid;

	if (!res)
		res = &local;
	pid = spawn_start(argv, o);
	if (pid < 0) {
		memset(res, 0, sizeof(*res));
		res->spawn_failed = true;
		res->spawn_errno = errno;
		res->exit_code = -1;
		return -1;
	}
	spawn_wait(pid, timeout_ms, 2000, pgrp, res);
	/* posix_spawnp reports a missing program as exit 127 from the child */
	if (res->exit_code == 127 && !program_in_path(argv[0])) {
		res->spawn_failed = true;
		res->spawn_errno = ENOENT;
		return -1;
	}
	return res->exit_code;
}

int spawn_capture(char *const argv[], const struct spawn_opts *o,
		  uint64_t timeout_ms, size_t max_out, char **out)
{
	struct spawn_opts so = o ? *o : (struct spawn_opts){ 0 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	uint64_t deadline = timeout_ms ? now_mono_ns() + timeout_ms * 1000000ull : 0;
	size_t n = 0, cap = 4096;
	char *buf = xmalloc(cap);
	int pfd[2], status = 0, r;
	bool killed = false;
	pid_t pid;

	*out = NULL;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		free(buf);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, 0, so.stdin_path ? so.stdin_path : "/dev/null",
					 O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	if (so.stderr_to_stdout)
		posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	else if (so.stderr_path)
		posix_spawn_file_actions_addopen(&fa, 2, so.stderr_path,
						 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (so.cwd)
		posix_spawn_file_actions_addchdir_np(&fa, so.cwd);
	{
		sigset_t none_set, deflt;

		sigemptyset(&none_set);
		sigemptyset(&deflt);
		sigaddset(&deflt, SIGINT);
		sigaddset(&deflt, SIGTERM);
		sigaddset(&deflt, SIGPIPE);
		posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
		posix_spawnattr_setsigmask(&at, &none_set);
		posix_spawnattr_setsigdefault(&at, &deflt);
	}
	r = posix_spawnp(&pid, argv[0], &fa, &at, argv, so.envp ? so.envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(pfd[1]);
	if (r) {
		close(pfd[0]);
		free(buf);
		errno = r;
		return -1;
	}
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int left = 200;
		ssize_t got;

		if (deadline) {
			uint64_t now = now_mono_ns();

			if (now >= deadline && !killed) {
				kill(pid, SIGKILL);
				killed = true;
			}
		}
		if (poll(&p, 1, left) <= 0)
			continue;
		if (n + 1 >= cap) {
			if (cap < max_out + 2) {
				cap *= 2;
				buf = xrealloc(buf, cap);
			}
		}
		if (n + 1 >= cap) {
			char sink[4096];

			got = read(pfd[0], sink, sizeof(sink));
		} else {
			got = read(pfd[0], buf + n, cap - n - 1);
			if (got > 0)
				n += (size_t)got;
		}
		if (got == 0)
			break;
		if (got < 0 && errno != EINTR)
			break;
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	buf[n < max_out ? n : max_out] = '\0';
	*out = buf;
	if (killed)
		return 128 + SIGKILL;
	if (WIFEXITED(status)) {
		if (WEXITSTATUS(status) == 127 && !program_in_path(argv[0]))
			return -1;
		return WEXITSTATUS(status);
	}
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

bool program_in_path(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	bool found = false;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
	copy = xstrdup(path);
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *p = path_join(dir, name);
		struct stat st;

		found = stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
		free(p);
	}
	free(copy);
	return found;
}

void argv_add(struct argv_buf *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

void argv_addf(struct argv_buf *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	argv_add(a, s);
	free(s);
}

void argv_free(struct argv_buf *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

char *argv_to_string(char *const argv[])
{
	size_t cap = 256, n = 0;
	char *s = xmalloc(cap);

	s[0] = '\0';
	for (size_t i = 0; argv[i]; i++) {
		const char *w = argv[i];
		bool q = !*w || strpbrk(w, " \t\n'\"\\$`*?;&|<>()") != NULL;
		size_t need = strlen(w) * 4 + 4;

		if (n + need + 1 > cap) {
			cap = (n + need + 1) * 2;
			s = xrealloc(s, cap);
		}
		if (i)
			s[n++] = ' ';
		if (q)
			s[n++] = '\'';
		for (; *w; w++) {
			if (*w == '\'' && q) {
				memcpy(s + n, "'\\''", 4);
				n += 4;
			} else {
				s[n++] = *w;
			}
		}
		if (q)
			s[n++] = '\'';
		s[n] = '\0';
	}
	return s;
}
