/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running external programs.  Everything wqbench starts (apt-get, dpkg-deb,
 * make, qemu, trace-cmd, perf, stress-ng, fio, cpio) goes through here, as an
 * argv array handed to posix_spawnp() -- never through a shell, so no value
 * from a scenario file can be interpreted as shell syntax.
 */
#ifndef WQB_RUNCMD_H
#define WQB_RUNCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct spawn_opts {
	const char *cwd;	/* chdir before exec, or NULL */
	const char *stdin_path;	/* file for stdin, NULL = /dev/null */
	const char *stdout_path;	/* file for stdout, NULL = inherit */
	const char *stderr_path;	/* file for stderr, NULL = inherit */
	bool stderr_to_stdout;	/* 2>&1 into whatever stdout is */
	bool append;		/* open stdout/stderr files with O_APPEND */
	bool new_pgrp;		/* own process group, so a kill reaches children */
	char *const *envp;	/* NULL = inherit environ */
};

struct spawn_result {
	int exit_code;		/* exit status, or 128+signal */
	bool timed_out;		/* killed because the time limit ran out */
	bool spawn_failed;	/* program not found or not executable */
	int spawn_errno;
};

/*
 * Start argv[0] (looked up in PATH) and return its pid, or -1 with errno.
 * The caller reaps it with spawn_wait().
 */
pid_t spawn_start(char *const argv[], const struct spawn_opts *o);

/*
 * Wait for pid for at most timeout_ms (0 = forever).  On time-out the process
 * (group, if new_pgrp) gets SIGTERM, then SIGKILL after kill_grace_ms.
 */
void spawn_wait(pid_t pid, uint64_t timeout_ms, uint64_t kill_grace_ms,
		bool pgrp, struct spawn_result *res);

/* spawn_start + spawn_wait.  Returns exit_code, or -1 when it never ran. */
int spawn_run(char *const argv[], const struct spawn_opts *o,
	      uint64_t timeout_ms, struct spawn_result *res);

/*
 * Run and capture stdout (stderr inherited unless o says otherwise) into a
 * malloc'd NUL-terminated string.  Output beyond max_out bytes is dropped.
 * Returns the exit code, or -1 when the program could not be run.
 */
int spawn_capture(char *const argv[], const struct spawn_opts *o,
		  uint64_t timeout_ms, size_t max_out, char **out);

/* True when name is an executable found in PATH (or an executable path). */
bool program_in_path(const char *name);

/*
 * A growable argv: argv_add() copies its argument; the array stays
 * NULL-terminated so .v can be handed to spawn_*() directly.
 */
struct argv_buf {
	char **v;
	size_t n, cap;
};
void argv_add(struct argv_buf *a, const char *s);
void argv_addf(struct argv_buf *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void argv_free(struct argv_buf *a);
/* Render argv for logs: words with spaces or quotes are single-quoted. */
char *argv_to_string(char *const argv[]);

#endif /* WQB_RUNCMD_H */
