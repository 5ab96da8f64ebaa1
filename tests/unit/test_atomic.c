// SPDX-License-Identifier: GPL-2.0
/*
 * Files written whole or not at all (common/util.c): write_file_atomic,
 * atomic_open/atomic_commit and json_write_atomic keep the previous content
 * when a write fails part-way (a file-size limit set with setrlimit in a
 * child), leave no temporary file, replace a symlink at the path instead of
 * writing through it, and report errors with errno.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *mkdir_tmp(void)
{
	char *d = xstrdup("/tmp/wqb-atomic.XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

/* entries in dir besides . and .. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_replace_and_mode(void **state)
{
	char *d = mkdir_tmp(), *p = path_join(d, "a.json"), *got;
	struct stat st;

	(void)state;
	put(p, "old");
	assert_int_equal(write_file_atomic(p, "new content", 11, 0640), 0);
	got = read_file(p, NULL);
	assert_string_equal(got, "new content");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(count_entries(d), 1);
	free(got);
	remove_tree(d);
	free(p);
	free(d);
}

/* reachable from globals, so the child's exit leaks nothing under valgrind */
static char big[64 * 1024];
char *limit_dir, *limit_path;	/* not static: kept, so reachable */

/* the limit is set in a child so the test process keeps writing freely */
static int in_child_limited(const char *path, int how)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 4096, 4096 };
		size_t len = sizeof(big);
		int rc = -1;

		memset(big, 'x', len);
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
			_exit(90);
		if (how == 0) {
			rc = write_file_atomic(path, big, len, 0644);
		} else if (how == 1) {
			struct atomic_file af;
			FILE *f = atomic_open(&af, path, 0644);

			if (!f)
				_exit(91);
			fwrite(big, 1, len, f);
			rc = atomic_commit(&af);
		} else {
			json_t *j = json_pack("{s:s%}", "k", big, len - 1);

			rc = json_write_atomic(j, path, 0);
			json_decref(j);
		}
		_exit(rc == -1 && errno == EFBIG ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

static void test_file_size_limit(void **state)
{
	char *d, *p, *got;

	(void)state;
	d = limit_dir = mkdir_tmp();
	p = limit_path = path_join(d, "summary.json");
	for (int how = 0; how < 3; how++) {
		put(p, "{\"previous\": true}");
		assert_int_equal(in_child_limited(p, how), 0);
		got = read_file(p, NULL);
		assert_string_equal(got, "{\"previous\": true}");
		free(got);
		/* no temporary file left beside it */
		assert_int_equal(count_entries(d), 1);
	}
	remove_tree(d);
	free(p);
	free(d);
}

static void test_symlink_replaced_not_followed(void **state)
{
	char *d = mkdir_tmp(), *p = path_join(d, "junit.xml"), *victim = path_join(d, "victim");
	struct atomic_file af;
	struct stat st;
	char *got;
	FILE *f;

	(void)state;
	put(victim, "precious");
	assert_int_equal(symlink(victim, p), 0);
	f = atomic_open(&af, p, 0644);
	assert_non_null(f);
	fputs("<testsuites/>", f);
	assert_int_equal(atomic_commit(&af), 0);
	got = read_file(victim, NULL);
	assert_string_equal(got, "precious");
	free(got);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	got = read_file(p, NULL);
	assert_string_equal(got, "<testsuites/>");
	free(got);
	assert_int_equal(count_entries(d), 2);
	remove_tree(d);
	free(victim);
	free(p);
	free(d);
}

static void test_errors(void **state)
{
	char *d = mkdir_tmp(), *sub = path_join(d, "adir"), *nodir = path_join(d, "no/such");
	char *gone;
	struct atomic_file af;
	FILE *f;

	(void)state;
	/* a directory where the file should be: rename fails, nothing left */
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(write_file_atomic(sub, "x", 1, 0644), -1);
	assert_true(errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST);
	assert_true(is_dir(sub));
	assert_int_equal(count_entries(d), 1);
	/* a missing directory: ENOENT */
	assert_int_equal(write_file_atomic(nodir, "x", 1, 0644), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(atomic_open(&af, nodir, 0644));
	/* discarded: no file, no temporary */
	gone = path_join(d, "gone");
	f = atomic_open(&af, gone, 0644);
	assert_non_null(f);
	fputs("half", f);
	atomic_discard(&af);
	assert_int_equal(count_entries(d), 1);
	remove_tree(d);
	free(gone);
	free(sub);
	free(nodir);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replace_and_mode),
		cmocka_unit_test(test_file_size_limit),
		cmocka_unit_test(test_symlink_replaced_not_followed),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
