// SPDX-License-Identifier: GPL-2.0
/*
 * Segmented perf stat (harness/perfstat.c) against a fake perf on a PATH
 * of its own, which speaks the --control fifo protocol the harness uses:
 * "ping" and "enable" are acknowledged, SIGINT writes the counts.  The
 * fake reads how to behave from a file per invocation, so a test can make
 * the perf started after a hotplug transition never become ready -- what
 * a slow or busy host does when perf takes longer to start than what is
 * left of the measured phase.  That segment must be recorded as cut short
 * by the end, and the check must still pass on the segments counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "perfstat.h"
#include "result.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/wqb-test-perfstat-XXXXXX";
static char *saved_path;

/*
 * $0.N says what the N-th invocation does: "ok" answers, "mute" never
 * does (and is killed).  An answering perf marks $0.enabled.N once it has
 * acknowledged "enable", and on SIGINT writes one counter line in perf
 * stat -j's format (its invocation number as the count) to its -o file.
 */
static const char fake_perf[] =
	"#!/bin/bash\n"
	"n=$(( $(cat \"$0.count\" 2>/dev/null || echo 0) + 1 ))\n"
	"echo $n > \"$0.count\"\n"
	"mode=$(cat \"$0.$n\" 2>/dev/null || echo ok)\n"
	"for a in \"$@\"; do\n"
	"  case $a in --control=fifo:*) c=${a#--control=fifo:}; ctl=${c%%,*}; ack=${c#*,} ;; esac\n"
	"  [ \"$prev\" = -o ] && out=$a\n"
	"  prev=$a\n"
	"done\n"
	"[ \"$mode\" = mute ] && exec sleep 1000\n"
	"trap 'echo \"{\\\"counter-value\\\" : \\\"$n\\\", \\\"event\\\" : \\\"task-clock\\\"}\" > \"$out\"; exit 0' INT\n"
	"exec 3<\"$ctl\"\n"
	"while read -r cmd <&3; do\n"
	"  case $cmd in\n"
	"  ping) echo ack > \"$ack\" ;;\n"
	"  enable) echo ack > \"$ack\"; : > \"$0.enabled.$n\" ;;\n"
	"  esac\n"
	"done\n";

static int setup(void **state)
{
	char *bin, *p, *path;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	bin = path_join(dir, "bin");
	p = path_join(bin, "perf");
	if (mkdir_p(bin, 0755) < 0 ||
	    write_file_atomic(p, fake_perf, strlen(fake_perf), 0755) < 0)
		return -1;
	saved_path = xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	path = xasprintf("%s:%s", bin, saved_path);
	setenv("PATH", path, 1);
	free(path);
	free(p);
	free(bin);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	setenv("PATH", saved_path, 1);
	free(saved_path);
	return remove_tree(dir);
}

static void fake_mode(int invocation, const char *mode)
{
	char *p = xasprintf("%s/bin/perf.%d", dir, invocation);

	assert_int_equal(write_file_atomic(p, mode, strlen(mode), 0644), 0);
	free(p);
}

/* until path exists, up to 20 s: the counting thread works on its own */
static void wait_for(const char *path)
{
	for (int i = 0; i < 200 && access(path, F_OK) != 0; i++)
		usleep(100000);
	assert_int_equal(access(path, F_OK), 0);
}

static json_t *run_segments(const char *name, bool second_answers, struct run_result *res)
{
	char *rdir = path_join(dir, name), *log1, *file;
	struct perfstat ps;
	json_t *doc;

	fake_mode(1, "ok");
	fake_mode(2, second_answers ? "ok" : "mute");
	{
		char *count = xasprintf("%s/bin/perf.count", dir);
		char *mark = xasprintf("%s/bin/perf.enabled.2", dir);

		unlink(count);
		unlink(mark);
		free(count);
		free(mark);
	}
	assert_int_equal(mkdir_p(rdir, 0755), 0);
	assert_int_equal(result_open(res, rdir), 0);
	assert_int_equal(perfstat_start(&ps, rdir, "task-clock"), 0);
	perfstat_begin(&ps, now_mono_ns());
	usleep(200000);			/* segment 0 counts a while */
	perfstat_split(&ps);		/* a hotplug transition */
	log1 = xasprintf("%s/perf/seg-001.log", rdir);
	wait_for(log1);			/* segment 0 ended, the next perf spawned */
	if (second_answers) {
		/*
		 * Stop only once the harness has taken the second perf's
		 * "enable" ack off the fifo: from then on that segment counts,
		 * however slowly this host runs the counting thread.
		 */
		char *mark = xasprintf("%s/bin/perf.enabled.2", dir);
		char *ack = path_join(ps.fifo_dir, "ack");
		int fd, pending = 1;

		wait_for(mark);
		fd = open(ack, O_RDONLY | O_NONBLOCK);
		assert_true(fd >= 0);
		for (int i = 0; i < 200 && pending; i++) {
			assert_int_equal(ioctl(fd, FIONREAD, &pending), 0);
			if (pending)
				usleep(100000);
		}
		assert_int_equal(pending, 0);
		close(fd);
		free(ack);
		free(mark);
	}
	perfstat_stop(&ps, res);
	file = path_join(rdir, "perf-stat.json");
	doc = json_load_file(file, 0, NULL);
	assert_non_null(doc);
	free(file);
	free(log1);
	free(rdir);
	return doc;
}

static const struct run_check *find_check(const struct run_result *r, const char *name)
{
	for (size_t i = 0; i < r->nchecks; i++)
		if (!strcmp(r->checks[i].name, name))
			return &r->checks[i];
	return NULL;
}

/* the perf after the transition never got ready before the end: cut short, recorded */
static void test_cut_short_by_the_end(void **state)
{
	struct run_result res = { 0 };
	const struct run_check *c;
	json_t *doc, *cut;

	(void)state;
	doc = run_segments("cut", false, &res);
	assert_int_equal(json_array_size(json_object_get(doc, "segments")), 1);
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(doc, "segments"), 0),
						  "valid")));
	cut = json_object_get(doc, "cut_short");
	assert_non_null(cut);
	assert_int_equal(json_integer_value(json_object_get(cut, "segment")), 1);
	assert_true(json_integer_value(json_object_get(cut, "starting_ms")) >= 0);
	c = find_check(&res, "perf_stat");
	assert_non_null(c);
	assert_int_equal(c->status, CHECK_PASS);
	assert_non_null(strstr(c->detail, "segment 1 was still starting when the phase ended"));
	json_decref(doc);
	result_close(&res);
}

/* both perfs count: two segments, nothing cut short */
static void test_split_counted(void **state)
{
	struct run_result res = { 0 };
	const struct run_check *c;
	json_t *doc, *segs;

	(void)state;
	doc = run_segments("split", true, &res);
	segs = json_object_get(doc, "segments");
	assert_int_equal(json_array_size(segs), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(segs, 1), "segment")), 1);
	assert_null(json_object_get(doc, "cut_short"));
	/* each segment's counts are its own perf's: the fake counts its invocation */
	assert_true(json_real_value(json_object_get(json_object_get(doc, "totals"), "task-clock")) ==
		    3.0);
	c = find_check(&res, "perf_stat");
	assert_non_null(c);
	assert_int_equal(c->status, CHECK_PASS);
	assert_null(strstr(c->detail, "still starting"));
	json_decref(doc);
	result_close(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut_short_by_the_end),
		cmocka_unit_test(test_split_counted),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
