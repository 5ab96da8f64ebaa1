// SPDX-License-Identifier: GPL-2.0
/*
 * The trace pairing engine on hand-made event sequences with known
 * answers: plain queue -> activate -> start -> end, an item requeued while
 * it runs, starts and ends with no partner, hotplug steps and transitions,
 * time going back, 100000 items in flight at once; and wqtrace_read() on
 * files that are not traces, on real traces of both kernels through the
 * decoder child and in process (the two must agree), and on damaged ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "wqtrace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct wqtrace t;
static unsigned int execs_seen, execs_open;

static void on_exec(const struct wqtrace_exec *x, void *arg)
{
	(void)arg;
	execs_seen++;
	if (!x->end_ts)
		execs_open++;
}

static void ev(enum wqtrace_kind k, uint64_t ts, int cpu, uint64_t work, const char *wq,
	       int req_cpu)
{
	struct wqtrace_event e = { .kind = k, .ts = ts, .cpu = cpu, .pid = 100 + cpu,
				   .work = work, .function = "fn", .workqueue = wq,
				   .req_cpu = req_cpu, .pool_cpu = req_cpu,
				   .name = k == WQTRACE_EV_QUEUE ? "workqueue:workqueue_queue_work" :
					   k == WQTRACE_EV_START ? "workqueue:workqueue_execute_start" :
					   "workqueue:other" };

	assert_int_equal(wqtrace_feed(&t, &e), 0);
}

static void hp(enum wqtrace_kind k, uint64_t ts, int cpu, int target, int idx, int ret)
{
	struct wqtrace_event e = { .kind = k, .ts = ts, .cpu = 0, .hp_cpu = cpu,
				   .hp_target = target, .hp_idx = idx, .hp_ret = ret,
				   .function = k == WQTRACE_EV_HP_ENTER ? "cb" : NULL,
				   .name = "cpuhp:x" };

	assert_int_equal(wqtrace_feed(&t, &e), 0);
}

static int setup(void **state)
{
	struct wqtrace_opts o = { .bin_ns = 1000, .on_exec = on_exec };

	(void)state;
	execs_seen = execs_open = 0;
	return wqtrace_init(&t, &o, 4);
}

static int teardown(void **state)
{
	(void)state;
	wqtrace_free(&t);
	return 0;
}

static void test_plain_pairing(void **state)
{
	const struct wqtrace_fn *f;

	(void)state;
	ev(WQTRACE_EV_QUEUE, 100, 0, 0xa0, "wq", 1);
	ev(WQTRACE_EV_ACTIVATE, 110, 0, 0xa0, NULL, 0);
	ev(WQTRACE_EV_START, 150, 1, 0xa0, NULL, 0);
	ev(WQTRACE_EV_END, 200, 1, 0xa0, NULL, 0);
	assert_int_equal(wqtrace_finish(&t), 0);
	f = wqtrace_find(&t, "wq", "fn");
	assert_non_null(f);
	assert_int_equal(f->queued, 1);
	assert_int_equal(f->executed, 1);
	assert_int_equal(f->matched, 1);
	assert_int_equal(f->completed, 1);
	assert_int_equal(loghist_quantile(&f->queue_to_start, 0.5), 50);
	assert_int_equal(loghist_quantile(&f->queue_to_activate, 0.5), 10);
	assert_int_equal(loghist_quantile(&f->activate_to_start, 0.5), 40);
	assert_int_equal(loghist_quantile(&f->run, 0.5), 50);
	assert_int_equal(f->per_cpu[1], 1);
	assert_int_equal(f->cross_cpu, 0);
	assert_int_equal(f->npids, 1);
	assert_int_equal(f->pids[0], 101);
	assert_int_equal(t.events, 4);
	assert_int_equal(wqtrace_count(&t, "workqueue:workqueue_queue_work"), 1);
	assert_int_equal(execs_seen, 1);
	assert_int_equal(t.pending_at_end + t.running_at_end, 0);
}

static void test_requeue_while_running(void **state)
{
	const struct wqtrace_fn *f;

	(void)state;
	ev(WQTRACE_EV_QUEUE, 100, 0, 0xb0, "wq", 2);
	ev(WQTRACE_EV_START, 150, 2, 0xb0, NULL, 0);
	/* queued again from inside its own function, before its end */
	ev(WQTRACE_EV_QUEUE, 170, 2, 0xb0, "wq", 2);
	ev(WQTRACE_EV_END, 200, 2, 0xb0, NULL, 0);
	ev(WQTRACE_EV_START, 260, 2, 0xb0, NULL, 0);
	ev(WQTRACE_EV_END, 300, 2, 0xb0, NULL, 0);
	wqtrace_finish(&t);
	f = wqtrace_find(&t, "wq", "fn");
	assert_int_equal(t.requeued_running, 1);
	assert_int_equal(f->executed, 2);
	assert_int_equal(f->matched, 2);
	assert_int_equal(f->completed, 2);
	/* the second run waited 260 - 170, not 260 - 100 */
	assert_int_equal(loghist_max(&f->queue_to_start), 90);
	assert_int_equal(loghist_min(&f->queue_to_start), 50);
	assert_int_equal(t.ends_missing, 0);
}

static void test_orphans(void **state)
{
	(void)state;
	/* started before the trace began its queue_work: unmatched, workqueue "?" */
	ev(WQTRACE_EV_START, 10, 0, 0xc0, NULL, 0);
	ev(WQTRACE_EV_END, 20, 0, 0xc0, NULL, 0);
	/* an end whose start is not in the trace */
	ev(WQTRACE_EV_END, 30, 0, 0xc1, NULL, 0);
	/* an activate without queue */
	ev(WQTRACE_EV_ACTIVATE, 35, 0, 0xc4, NULL, 0);
	/* a start whose end was lost, then started again */
	ev(WQTRACE_EV_START, 40, 1, 0xc2, NULL, 0);
	ev(WQTRACE_EV_START, 50, 1, 0xc2, NULL, 0);
	/* still pending and still running at the end */
	ev(WQTRACE_EV_QUEUE, 60, 0, 0xc3, "wq", 3);
	wqtrace_finish(&t);
	assert_int_equal(t.unmatched, 3);
	assert_int_equal(t.ends_unmatched, 1);
	assert_int_equal(t.activate_unmatched, 1);
	assert_int_equal(t.ends_missing, 1);
	assert_int_equal(t.pending_at_end, 1);
	assert_int_equal(t.running_at_end, 1);
	assert_non_null(wqtrace_find(&t, WQTRACE_UNKNOWN, "fn"));
	/* 0xc0 ended, 0xc2 twice (once lost, once open at the end) */
	assert_int_equal(execs_seen, 3);
	assert_int_equal(execs_open, 2);
}

/*
 * Executions the trace's start cut count for the (workqueue, function)
 * their item's next queue_work names; items never queued again stay
 * unknown.  The tracefig band widens by them (tracefig_censor()).
 */
static void test_censored_attributed(void **state)
{
	const struct wqtrace_fn *f;

	(void)state;
	/* 0xd0: its queue before the trace; runs, then is queued to "wq" */
	ev(WQTRACE_EV_START, 10, 0, 0xd0, NULL, 0);
	ev(WQTRACE_EV_END, 20, 0, 0xd0, NULL, 0);
	/* 0xd1: started before the trace, ends in it, queued again twice */
	ev(WQTRACE_EV_END, 25, 1, 0xd1, NULL, 0);
	ev(WQTRACE_EV_QUEUE, 30, 0, 0xd0, "wq", 1);
	ev(WQTRACE_EV_QUEUE, 31, 1, 0xd1, "wq", 1);
	ev(WQTRACE_EV_START, 40, 1, 0xd0, NULL, 0);
	ev(WQTRACE_EV_END, 50, 1, 0xd0, NULL, 0);
	ev(WQTRACE_EV_START, 55, 1, 0xd1, NULL, 0);
	ev(WQTRACE_EV_END, 60, 1, 0xd1, NULL, 0);
	ev(WQTRACE_EV_QUEUE, 70, 1, 0xd1, "wq", 1);
	/* 0xd2: cut at both ends of its story, never queued in the trace */
	ev(WQTRACE_EV_START, 80, 2, 0xd2, NULL, 0);
	ev(WQTRACE_EV_END, 90, 2, 0xd2, NULL, 0);
	ev(WQTRACE_EV_END, 95, 3, 0xd3, NULL, 0);
	assert_int_equal(wqtrace_finish(&t), 0);
	f = wqtrace_find(&t, "wq", "fn");
	assert_non_null(f);
	assert_int_equal(f->censored_starts, 1);
	assert_int_equal(f->censored_ends, 1);
	assert_int_equal(f->matched, 2);
	/* the first queueing took the counts: the second adds nothing */
	assert_int_equal(t.censored_starts_unknown, 1);
	assert_int_equal(t.censored_ends_unknown, 1);
	assert_int_equal(t.unmatched, 2);
	assert_int_equal(t.ends_unmatched, 2);
}

static void test_cross_cpu_and_unbound(void **state)
{
	const struct wqtrace_fn *f;

	(void)state;
	ev(WQTRACE_EV_QUEUE, 100, 0, 0xd0, "wq", 2);
	ev(WQTRACE_EV_START, 110, 3, 0xd0, NULL, 0);
	ev(WQTRACE_EV_END, 120, 3, 0xd0, NULL, 0);
	/* WORK_CPU_UNBOUND is NR_CPUS: at or above ncpus */
	ev(WQTRACE_EV_QUEUE, 130, 0, 0xd1, "wq", 8192);
	ev(WQTRACE_EV_START, 140, 1, 0xd1, NULL, 0);
	ev(WQTRACE_EV_END, 150, 1, 0xd1, NULL, 0);
	wqtrace_finish(&t);
	f = wqtrace_find(&t, "wq", "fn");
	assert_int_equal(f->cross_cpu, 1);
	assert_int_equal(f->unbound, 1);
	assert_int_equal(f->per_cpu[3], 1);
	assert_int_equal(f->per_cpu[1], 1);
	/* bins of 1000 ns from the first event: both in bin 0 */
	assert_int_equal(f->nbins, 1);
	assert_int_equal(f->bins[3] + f->bins[1], 2);
}

static void test_hotplug(void **state)
{
	(void)state;
	/* offline cpu 3: two steps down, the second failing */
	hp(WQTRACE_EV_HP_ENTER, 1000, 3, 0, 200, 0);
	hp(WQTRACE_EV_HP_EXIT, 1100, 3, 0, 200, 0);
	hp(WQTRACE_EV_HP_ENTER, 1100, 3, 0, 100, 0);
	hp(WQTRACE_EV_HP_EXIT, 1300, 3, 0, 100, -16);
	/* back online: one step up that never exits */
	hp(WQTRACE_EV_HP_ENTER, 2000, 3, 230, 1, 0);
	/* an exit with no enter */
	hp(WQTRACE_EV_HP_EXIT, 2100, 2, 0, 50, 0);
	wqtrace_finish(&t);
	assert_int_equal(t.nhptrans, 2);
	assert_false(t.hptrans[0].up);
	assert_int_equal(t.hptrans[0].end_ts - t.hptrans[0].start_ts, 300);
	assert_int_equal(t.hptrans[0].steps, 2);
	assert_int_equal(t.hptrans[0].failed, 1);
	assert_true(t.hptrans[0].complete);
	assert_true(t.hptrans[1].up);
	assert_false(t.hptrans[1].complete);
	assert_int_equal(t.nhpstates, 2);
	/* teardown first, highest state first */
	assert_int_equal(t.hpstates[0].idx, 200);
	assert_int_equal(t.hpstates[0].total_ns, 100);
	assert_int_equal(t.hpstates[1].idx, 100);
	assert_int_equal(t.hpstates[1].failed, 1);
	assert_string_equal(t.hpstates[1].function, "cb");
	assert_int_equal(t.hp_unmatched_exit, 1);
}

static void test_time_back(void **state)
{
	(void)state;
	ev(WQTRACE_EV_QUEUE, 100, 0, 0xe0, "wq", 0);
	ev(WQTRACE_EV_START, 50, 0, 0xe0, NULL, 0);
	wqtrace_finish(&t);
	assert_int_equal(t.bad_records, 1);
	assert_non_null(strstr(t.note, "time went back"));
	assert_int_equal(t.executed, 0);
}

static void test_many_in_flight(void **state)
{
	const unsigned int n = 100000;
	const struct wqtrace_fn *f;

	(void)state;
	for (unsigned int i = 0; i < n; i++)
		ev(WQTRACE_EV_QUEUE, i, 0, 0x1000 + (uint64_t)i * 64, "wq", (int)(i % 4));
	for (unsigned int i = 0; i < n; i++) {
		ev(WQTRACE_EV_START, n + 2 * i, (int)(i % 4), 0x1000 + (uint64_t)i * 64, NULL, 0);
		ev(WQTRACE_EV_END, n + 2 * i + 1, (int)(i % 4), 0x1000 + (uint64_t)i * 64, NULL, 0);
	}
	wqtrace_finish(&t);
	f = wqtrace_find(&t, "wq", "fn");
	assert_int_equal(f->executed, n);
	assert_int_equal(f->matched, n);
	assert_int_equal(f->completed, n);
	assert_int_equal(f->cross_cpu, 0);
	assert_int_equal(t.inflight_max, n);
	assert_int_equal(t.pending_at_end + t.running_at_end, 0);
	assert_int_equal(t.unmatched, 0);
}

static void test_read_not_a_trace(void **state)
{
	char path[] = "/tmp/wqb-notrace-XXXXXX", err[256];
	struct wqtrace r;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "tracing\x17\x08\x44junk that is not a trace", 33), 33);
	close(fd);
	assert_int_equal(wqtrace_read(path, NULL, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a trace.dat"));
	wqtrace_free(&r);
	assert_int_equal(wqtrace_read("/nonexistent/trace.dat", NULL, &r, err, sizeof(err)), -1);
	wqtrace_free(&r);
	unlink(path);
}


#define TRACE_CORPUS WQB_SRC "/tests/fuzz/corpus/trace/"

/* every figure the readers produce, compared between two reads */
static void assert_same_trace(const struct wqtrace *a, const struct wqtrace *b)
{
	assert_int_equal(a->events, b->events);
	assert_int_equal(a->ncpus, b->ncpus);
	assert_int_equal(a->first_ts, b->first_ts);
	assert_int_equal(a->last_ts, b->last_ts);
	assert_int_equal(a->bad_records, b->bad_records);
	assert_int_equal(a->missed_events, b->missed_events);
	assert_int_equal(a->unmatched, b->unmatched);
	assert_int_equal(a->inflight_max, b->inflight_max);
	assert_string_equal(a->note, b->note);
	assert_int_equal(a->ntypes, b->ntypes);
	for (size_t i = 0; i < a->ntypes; i++) {
		assert_string_equal(a->types[i].name, b->types[i].name);
		assert_int_equal(a->types[i].count, b->types[i].count);
	}
	assert_int_equal(a->nfns, b->nfns);
	for (size_t i = 0; i < a->nfns; i++) {
		const struct wqtrace_fn *x = a->fns[i], *y = b->fns[i];

		assert_string_equal(x->workqueue, y->workqueue);
		assert_string_equal(x->function, y->function);
		assert_int_equal(x->queued, y->queued);
		assert_int_equal(x->executed, y->executed);
		assert_int_equal(x->matched, y->matched);
		assert_int_equal(x->completed, y->completed);
		assert_int_equal(x->cross_cpu, y->cross_cpu);
		assert_int_equal(x->npids, y->npids);
		assert_int_equal(loghist_count(&x->queue_to_start), loghist_count(&y->queue_to_start));
		assert_int_equal(loghist_quantile(&x->run, 0.99), loghist_quantile(&y->run, 0.99));
	}
	assert_int_equal(a->nhptrans, b->nhptrans);
	assert_int_equal(a->nhpstates, b->nhpstates);
}

static void test_read_child_and_in_process(void **state)
{
	static const char *const files[] = { TRACE_CORPUS "tiny-6.1.dat",
					     TRACE_CORPUS "tiny-6.12.dat" };
	struct wqtrace_opts inproc = { .in_process = true };
	struct wqtrace a, b;
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		assert_int_equal(wqtrace_read(files[i], NULL, &a, err, sizeof(err)), 0);
		assert_int_equal(wqtrace_read(files[i], &inproc, &b, err, sizeof(err)), 0);
		assert_true(a.events > 1000);
		assert_true(a.nfns > 0);
		assert_same_trace(&a, &b);
		wqtrace_free(&a);
		wqtrace_free(&b);
	}
}

/* a copy of src, cut at keep bytes, with every byte from flip_from on inverted */
static void damaged_copy(const char *src, char *path, long keep, long flip_from)
{
	FILE *in = fopen(src, "rb"), *out;
	int fd = mkstemp(path), c;
	long n = 0;

	assert_non_null(in);
	assert_true(fd >= 0);
	out = fdopen(fd, "wb");
	assert_non_null(out);
	while ((c = fgetc(in)) != EOF && n < keep) {
		fputc(flip_from >= 0 && n >= flip_from ? c ^ 0xff : c, out);
		n++;
	}
	fclose(in);
	fclose(out);
}

/*
 * Damaged traces: every read returns -- 0 with what could be read, or -1
 * naming the file -- and never takes the process down.  The first file
 * made libtracecmd crash under fuzzing.
 */
static void test_read_damaged(void **state)
{
	const char *src = TRACE_CORPUS "tiny-6.12.dat";
	static const long cuts[][2] = { { 1512383 / 2, -1 }, { 1512383 - 5000, -1 },
					{ 1512383, 1512383 - 200000 }, { 4096, -1 } };
	char err[512];
	struct wqtrace r;
	int rc;

	(void)state;
	rc = wqtrace_read(TRACE_CORPUS "regress-close-segv", NULL, &r, err, sizeof(err));
	assert_true(rc == 0 || strstr(err, "regress-close-segv"));
	wqtrace_free(&r);
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		char path[] = "/tmp/wqb-damaged-XXXXXX";

		damaged_copy(src, path, cuts[i][0], cuts[i][1]);
		err[0] = 0;
		rc = wqtrace_read(path, NULL, &r, err, sizeof(err));
		if (rc < 0)
			assert_non_null(strstr(err, path));
		else
			assert_true(r.events > 0);
		wqtrace_free(&r);
		unlink(path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plain_pairing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requeue_while_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orphans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_censored_attributed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cross_cpu_and_unbound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hotplug, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_in_flight, setup, teardown),
		cmocka_unit_test(test_read_not_a_trace),
		cmocka_unit_test(test_read_child_and_in_process),
		cmocka_unit_test(test_read_damaged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
