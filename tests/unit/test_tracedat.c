// SPDX-License-Identifier: GPL-2.0
/*
 * harness/tracedat.c off-guest.
 *
 * trace.dat's kallsyms for wqbench.ko: a module's function symbols, each
 * at its section's load address plus its value, marked with the module's
 * name as /proc/kallsyms marks them; nothing from a section whose address
 * is unknown; NULL for a file that is not ELF.  The ELF here is this test
 * binary, its .text "loaded" at a made-up address.
 *
 * The writer itself, from tests/data/tracefs-fixture (a tracefs snapshot
 * of a 6.12 guest; its capture script says how it was taken): the file it
 * writes, read back with libtracecmd, holds per CPU the number of events
 * and the first and last timestamps that trace-cmd itself found in the
 * same pages (the fixture's "expected"); `trace-cmd report` of it, when
 * trace-cmd is installed (else skipped), prints the same number of events
 * and the same first and last event line of each CPU.  Damaged input (a
 * page file cut within a page, a missing format or header file, a per-CPU
 * directory or buffer that cannot be read, no kallsyms) is an error with
 * a message, and the destination is left as it was: no file, or the
 * previous one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "runcmd.h"
#include "tracedat.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <trace-cmd.h>
#include <tracefs.h>
#include <unistd.h>

/* a function of this binary, not static: a global function symbol */
int tracedat_probe_fn(int x);
int tracedat_probe_fn(int x)
{
	return x + 1;
}

static void test_module_symbols(void **state)
{
	char dir[] = "/tmp/wqb-tracedat-XXXXXX", *p, *out, *line, want[128];
	char *exe = abs_path("/proc/self/exe");

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* no section addresses: no lines */
	out = tracedat_module_kallsyms(exe, "wqbench", dir);
	assert_non_null(out);
	assert_string_equal(out, "");
	free(out);

	p = path_join(dir, ".text");
	assert_int_equal(write_file_atomic(p, "0xffffffffc0000000\n", 19, 0644), 0);
	out = tracedat_module_kallsyms(exe, "wqbench", dir);
	assert_non_null(out);
	snprintf(want, sizeof(want), " T tracedat_probe_fn\t[wqbench]\n");
	line = strstr(out, want);
	assert_non_null(line);
	/* the address: .text's plus the symbol's value, so above the base */
	while (line > out && line[-1] != '\n')
		line--;
	assert_true(strtoull(line, NULL, 16) > 0xffffffffc0000000ull);
	/* static functions are local: 't' */
	assert_non_null(strstr(out, " t test_module_symbols\t[wqbench]\n"));
	/* only functions */
	assert_null(strstr(out, " _start_data"));
	free(out);
	unlink(p);
	free(p);
	rmdir(dir);

	/* not ELF */
	p = path_join(wqb_src_dir(), "README.md");
	assert_null(tracedat_module_kallsyms(p, "wqbench", "/nonexistent"));
	free(p);
	free(exe);
}

/* ---- the writer, from the fixture ---- */

#define INSTANCE "wqbench_fixture"
#define MAXCPU 64

/* per CPU, from the fixture's "expected" (trace-cmd's report, capture) */
struct cpu_want {
	unsigned long long events, first, last;
	char *first_line, *last_line;
};

static char *fixture_dir(void)
{
	return path_join(wqb_src_dir(), "tests/data/tracefs-fixture");
}

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/wqb-tracedat-XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

/* "cpu N EVENTS FIRST LAST", "first N LINE", "last N LINE"; the CPU count */
static int load_expected(struct cpu_want *w)
{
	char *dir = fixture_dir(), *p = path_join(dir, "expected");
	char *text = read_file(p, NULL), *line, *save = NULL;
	int n = 0;

	assert_non_null(text);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long e, f, l;
		int cpu, off = 0;

		if (sscanf(line, "cpu %d %llu %llu %llu", &cpu, &e, &f, &l) == 4) {
			assert_int_equal(cpu, n);
			assert_true(cpu < MAXCPU);
			w[cpu].events = e;
			w[cpu].first = f;
			w[cpu].last = l;
			n++;
		} else if (sscanf(line, "first %d%n", &cpu, &off) == 1 && line[off] == ' ') {
			assert_true(cpu >= 0 && cpu < n);
			w[cpu].first_line = xstrdup(line + off + 1);
		} else if (sscanf(line, "last %d%n", &cpu, &off) == 1 && line[off] == ' ') {
			assert_true(cpu >= 0 && cpu < n);
			w[cpu].last_line = xstrdup(line + off + 1);
		} else {
			fail_msg("expected: cannot read '%s'", line);
		}
	}
	assert_true(n > 0);
	free(text);
	free(p);
	free(dir);
	return n;
}

static void free_expected(struct cpu_want *w, int n)
{
	for (int i = 0; i < n; i++) {
		free(w[i].first_line);
		free(w[i].last_line);
	}
}

/* trace.dat from the fixture-shaped tree dir into out; the writer's return */
static int write_from(const char *dir, const char *cache, const char *out,
		      struct tracedat_info *info, char **err)
{
	char *td = path_join(dir, "tracing"), *pd = path_join(dir, "proc");
	struct tracedat_src src = { .tracing_dir = td, .proc_dir = pd, .cache_dir = cache };
	struct tracefs_instance *inst = tracefs_instance_alloc(td, INSTANCE);
	int r;

	assert_non_null(inst);
	*err = NULL;
	r = tracedat_write_from(&src, inst, NULL, out, info, err);
	tracefs_instance_free(inst);
	free(td);
	free(pd);
	return r;
}

static void write_ok(const char *dir, const char *cache, const char *out,
		     struct tracedat_info *info)
{
	char *err;

	if (write_from(dir, cache, out, info, &err) < 0)
		fail_msg("tracedat_write_from: %s", err);
	assert_null(err);
}

struct seen {
	unsigned long long events[MAXCPU], first[MAXCPU], last[MAXCPU];
	unsigned long long unknown, backwards, badcpu;
};

static int on_record(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *arg)
{
	struct seen *s = arg;

	if (cpu < 0 || cpu >= MAXCPU) {
		s->badcpu++;
		return 0;
	}
	if (!tep_find_event_by_record(tracecmd_get_tep(h), rec))
		s->unknown++;
	if (s->events[cpu] && rec->ts < s->last[cpu])
		s->backwards++;
	if (!s->events[cpu]++)
		s->first[cpu] = rec->ts;
	s->last[cpu] = rec->ts;
	return 0;
}

static void test_fixture_read_back(void **state)
{
	struct cpu_want w[MAXCPU] = { 0 };
	int n = load_expected(w);
	char *fx = fixture_dir(), *cache = tmpdir(), *outd = tmpdir();
	char *out = path_join(outd, "trace.dat"), *again = path_join(outd, "again.dat");
	char *a, *b;
	size_t alen, blen;
	unsigned long long total = 0;
	struct tracedat_info info, info2;
	struct tracecmd_input *h;
	struct seen *seen = xcalloc(1, sizeof(*seen));
	struct stat st;

	(void)state;
	write_ok(fx, cache, out, &info);
	/* the first write of a "boot" makes the per-boot copies */
	assert_true(info.boot_copy);
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(info.bytes, (unsigned long long)st.st_size);

	h = tracecmd_open(out, TRACECMD_FL_LOAD_NO_PLUGINS | TRACECMD_FL_LOAD_NO_SYSTEM_PLUGINS);
	assert_non_null(h);
	assert_int_equal(tep_get_cpus(tracecmd_get_tep(h)), n);
	assert_int_equal(tracecmd_iterate_events(h, NULL, 0, on_record, seen), 0);
	tracecmd_close(h);
	assert_int_equal(seen->badcpu, 0);
	assert_int_equal(seen->unknown, 0);
	assert_int_equal(seen->backwards, 0);
	for (int c = 0; c < n; c++) {
		if (seen->events[c] != w[c].events || seen->first[c] != w[c].first ||
		    seen->last[c] != w[c].last)
			fail_msg("CPU %d: %llu events, %llu..%llu; trace-cmd found %llu, %llu..%llu",
				 c, seen->events[c], seen->first[c], seen->last[c], w[c].events,
				 w[c].first, w[c].last);
		total += seen->events[c];
	}
	assert_true(total > 0);

	/* the next write of the same boot: from the copies, the same bytes */
	write_ok(fx, cache, again, &info2);
	assert_false(info2.boot_copy);
	a = read_file(out, &alen);
	b = read_file(again, &blen);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);

	free(a);
	free(b);
	free(seen);
	free_expected(w, n);
	assert_int_equal(remove_tree(outd), 0);
	assert_int_equal(remove_tree(cache), 0);
	free(out);
	free(again);
	free(outd);
	free(cache);
	free(fx);
}

/* "COMM-PID [CPU] SEC.NSEC: ..." gives CPU; any other line -1 */
static int event_line_cpu(const char *line)
{
	for (const char *p = strchr(line, '['); p; p = strchr(p + 1, '[')) {
		unsigned long long sec, nsec;
		int cpu, off = 0;
		char colon;

		if (sscanf(p, "[%d]%n", &cpu, &off) == 1 && off &&
		    sscanf(p + off, " %llu.%llu%c", &sec, &nsec, &colon) == 3 && colon == ':')
			return cpu;
	}
	return -1;
}

static void test_trace_cmd_report(void **state)
{
	struct cpu_want w[MAXCPU] = { 0 };
	unsigned long long count[MAXCPU] = { 0 };
	char *first[MAXCPU] = { NULL }, *last[MAXCPU] = { NULL };
	int n;
	char *fx, *cache, *outd, *out, *errlog, *text = NULL, *line, *save = NULL;
	struct tracedat_info info;
	struct spawn_opts o = { 0 };
	int rc;

	(void)state;
	if (!program_in_path("trace-cmd"))
		skip();
	n = load_expected(w);
	fx = fixture_dir();
	cache = tmpdir();
	outd = tmpdir();
	out = path_join(outd, "trace.dat");
	errlog = path_join(outd, "report.err");
	write_ok(fx, cache, out, &info);
	{
		char *const argv[] = { "trace-cmd", "report", "-t", out, NULL };

		o.stderr_path = errlog;
		rc = spawn_capture(argv, &o, 300000, 64 << 20, &text);
	}
	if (rc != 0) {
		char *e = read_file(errlog, NULL);

		fail_msg("trace-cmd report exited %d: %s", rc, e ? e : "");
	}
	assert_non_null(text);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int c = event_line_cpu(line);

		if (c < 0)
			continue;
		assert_true(c < n);
		if (!count[c]++)
			first[c] = line;
		last[c] = line;
	}
	for (int c = 0; c < n; c++) {
		assert_int_equal(count[c], w[c].events);
		if (!w[c].events)
			continue;
		assert_non_null(w[c].first_line);
		assert_non_null(w[c].last_line);
		assert_string_equal(first[c], w[c].first_line);
		assert_string_equal(last[c], w[c].last_line);
	}
	free(text);
	free_expected(w, n);
	assert_int_equal(remove_tree(outd), 0);
	assert_int_equal(remove_tree(cache), 0);
	free(out);
	free(errlog);
	free(outd);
	free(cache);
	free(fx);
}

/* ---- damaged input ---- */

static void copy_tree(const char *src, const char *dst)
{
	DIR *d = opendir(src);
	struct dirent *e;

	assert_non_null(d);
	assert_int_equal(mkdir_p(dst, 0755), 0);
	while ((e = readdir(d))) {
		char *s, *t;
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		s = path_join(src, e->d_name);
		t = path_join(dst, e->d_name);
		assert_int_equal(lstat(s, &st), 0);
		if (S_ISDIR(st.st_mode))
			copy_tree(s, t);
		else if (S_ISREG(st.st_mode))
			assert_int_equal(copy_file(s, t, 0644), 0);
		free(s);
		free(t);
	}
	closedir(d);
}

static char *tree_file(const char *tree, const char *rel)
{
	return path_join(tree, rel);
}

#define PER_CPU "tracing/instances/" INSTANCE "/per_cpu"

static void rm_file(const char *tree, const char *rel)
{
	char *p = tree_file(tree, rel);

	assert_int_equal(unlink(p), 0);
	free(p);
}

/* cpu0's pages cut within the last one */
static void cut_page(const char *tree)
{
	char *p = tree_file(tree, PER_CPU "/cpu0/trace_pipe_raw");
	struct stat st;

	assert_int_equal(stat(p, &st), 0);
	assert_true(st.st_size >= 4096);
	assert_int_equal(truncate(p, st.st_size - 100), 0);
	free(p);
}

static void no_event_format(const char *tree)
{
	rm_file(tree, "tracing/events/workqueue/workqueue_execute_start/format");
}

static void no_ftrace_format(const char *tree)
{
	rm_file(tree, "tracing/events/ftrace/function/format");
}

static void no_header_page(const char *tree)
{
	rm_file(tree, "tracing/events/header_page");
}

static void no_kallsyms(const char *tree)
{
	rm_file(tree, "proc/kallsyms");
}

static void no_per_cpu(const char *tree)
{
	char *p = tree_file(tree, PER_CPU);

	assert_int_equal(remove_tree(p), 0);
	free(p);
}

/* cpu1's directory a file: ENOTDIR */
static void cpu_dir_file(const char *tree)
{
	char *p = tree_file(tree, PER_CPU "/cpu1");

	assert_int_equal(remove_tree(p), 0);
	assert_int_equal(write_file_atomic(p, "x\n", 2, 0644), 0);
	free(p);
}

/* cpu1's directory a symbolic link to itself: ELOOP, even for root */
static void cpu_dir_loop(const char *tree)
{
	char *p = tree_file(tree, PER_CPU "/cpu1");

	assert_int_equal(remove_tree(p), 0);
	assert_int_equal(symlink("cpu1", p), 0);
	free(p);
}

/* cpu1's directory without permissions: EACCES (not for root) */
static void cpu_dir_mode0(const char *tree)
{
	char *p = tree_file(tree, PER_CPU "/cpu1");

	assert_int_equal(chmod(p, 0), 0);
	free(p);
}

/* cpu0's trace_pipe_raw a directory: EISDIR */
static void raw_is_dir(const char *tree)
{
	char *p = tree_file(tree, PER_CPU "/cpu0/trace_pipe_raw");

	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
}

static bool dir_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool empty = true;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

static void damaged(const char *what, void (*damage)(const char *tree), const char *want)
{
	char *fx = fixture_dir(), *tmp = tmpdir(), *tree = path_join(tmp, "tree");
	char *cache = path_join(tmp, "cache"), *outd = path_join(tmp, "out");
	char *out = path_join(outd, "trace.dat"), *err, *text;
	struct tracedat_info info;
	int r;

	copy_tree(fx, tree);
	assert_int_equal(mkdir(cache, 0700), 0);
	assert_int_equal(mkdir(outd, 0755), 0);
	damage(tree);

	r = write_from(tree, cache, out, &info, &err);
	if (r != -1 || !err || !strstr(err, want))
		fail_msg("%s: returned %d, \"%s\"; wanted an error naming \"%s\"", what, r,
			 err ? err : "(no message)", want);
	free(err);
	/* nothing at the destination, no temporary file beside it */
	assert_true(dir_empty(outd));

	/* a previous trace.dat stays as it was */
	assert_int_equal(write_file_atomic(out, "previous\n", 9, 0644), 0);
	assert_int_equal(write_from(tree, cache, out, &info, &err), -1);
	assert_non_null(err);
	free(err);
	text = read_file(out, NULL);
	assert_non_null(text);
	assert_string_equal(text, "previous\n");
	free(text);

	/* for remove_tree, after cpu_dir_mode0 */
	{
		char *p = tree_file(tree, PER_CPU "/cpu1");

		chmod(p, 0755);
		free(p);
	}
	assert_int_equal(remove_tree(tmp), 0);
	free(out);
	free(outd);
	free(cache);
	free(tree);
	free(tmp);
	free(fx);
}

static void test_damaged(void **state)
{
	char *fx = fixture_dir(), *tmp, *cache, *out, *err;
	struct tracedat_info info;

	(void)state;
	damaged("page file cut within a page", cut_page, "CPU 0 ends within a page");
	damaged("an enabled event's format missing", no_event_format,
		"events/workqueue/workqueue_execute_start/format");
	damaged("an ftrace format missing", no_ftrace_format, "events/ftrace/function/format");
	damaged("header_page missing", no_header_page, "events/header_page");
	damaged("kallsyms missing", no_kallsyms, "proc/kallsyms");
	damaged("no per_cpu directory", no_per_cpu, "no per_cpu directories");
	damaged("per_cpu/cpu1 a file", cpu_dir_file, "CPU 1: Not a directory");
	damaged("per_cpu/cpu1 a symlink loop", cpu_dir_loop, "CPU 1: Too many levels");
	damaged("trace_pipe_raw a directory", raw_is_dir, "CPU 0: Is a directory");
	/* root reads a directory of mode 0 all the same */
	if (geteuid() != 0)
		damaged("per_cpu/cpu1 of mode 0", cpu_dir_mode0, "CPU 1: Permission denied");

	/* a destination that cannot be written */
	tmp = tmpdir();
	cache = path_join(tmp, "cache");
	out = path_join(tmp, "missing/trace.dat");
	assert_int_equal(mkdir(cache, 0700), 0);
	assert_int_equal(write_from(fx, cache, out, &info, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "cannot write"));
	free(err);
	assert_int_equal(remove_tree(tmp), 0);
	free(out);
	free(cache);
	free(tmp);
	free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_symbols),
		cmocka_unit_test(test_fixture_read_back),
		cmocka_unit_test(test_trace_cmd_report),
		cmocka_unit_test(test_damaged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
