// SPDX-License-Identifier: GPL-2.0
/*
 * The clock check (harness/meta.c, docs/kmod.md "The clock check"): the
 * pure rule, the check over real kmod-stats lines -- including the jiffies
 * boot of issue 14, 4 ms ticks against 100 us of work -- and the
 * measurement loop on this machine's own clock (reads only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kmodctl.h"
#include "meta.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define US 1000ull
#define MS 1000000ull

static void test_rule(void **state)
{
	uint64_t limit;

	(void)state;
	/* jiffies at HZ=250 against 100 us of CPU work: cannot resolve it */
	assert_false(meta_clock_resolves(4 * MS, 100 * US, &limit));
	assert_int_equal(limit, WQB_CLOCK_FLOOR_NS);
	/* ... nor a median it rounded down to nothing */
	assert_false(meta_clock_resolves(4 * MS, 0, &limit));
	/* a 1 ns TSC never fails, whatever the figures */
	assert_true(meta_clock_resolves(1, 0, &limit));
	assert_true(meta_clock_resolves(1, 1, NULL));
	/* TSC read through the vDSO under TCG (~50 ns), null work */
	assert_true(meta_clock_resolves(50, 2 * US, NULL));
	/* HPET through a syscall under TCG (~1 us per reading): under the floor */
	assert_true(meta_clock_resolves(970, 3 * US, NULL));
	assert_true(meta_clock_resolves(WQB_CLOCK_FLOOR_NS, 0, NULL));
	assert_false(meta_clock_resolves(WQB_CLOCK_FLOOR_NS + 1, 0, NULL));
	/* above the floor, a tenth of the smallest median, inclusive */
	assert_true(meta_clock_resolves(30500, 305 * US, &limit));
	assert_int_equal(limit, 30500);
	assert_false(meta_clock_resolves(30501, 305 * US, NULL));
	/* a 32 kHz clock cannot resolve 100 us */
	assert_false(meta_clock_resolves(30518, 100 * US, NULL));
	/* ticks of 4 ms do resolve medians of 40 ms and more to 10 % */
	assert_true(meta_clock_resolves(4 * MS, 40 * MS, NULL));
	assert_false(meta_clock_resolves(4 * MS, 40 * MS - 1, NULL));
	/* a clock that never advanced resolves nothing */
	assert_false(meta_clock_resolves(0, 10 * MS, NULL));
	assert_false(meta_clock_resolves(0, 0, NULL));
}

static json_t *stats_of(const char *groups)
{
	char *text = xasprintf("# wqbench-stats 1\n"
			       "run state=stopped measure=done groups=2 elapsed_ns=1 now_ns=1\n%s",
			       groups);
	json_t *j = kmodctl_parse_stats(text);

	free(text);
	assert_non_null(j);
	return j;
}

static const struct wqb_clock jiffies_clock = {
	.clocksource = "jiffies",
	.available = "tsc hpet acpi_pm refined-jiffies jiffies",
	.getres_ns = 4 * MS,
	.step_ns = 4 * MS,
	.reads = 13854,
	.repeats = 13849,
	.span_ns = 20 * MS,
};

static const struct wqb_clock tsc_clock = {
	.clocksource = "tsc",
	.available = "tsc hpet acpi_pm",
	.getres_ns = 1,
	.step_ns = 50,
	.reads = 75000,
	.span_ns = 5 * MS,
};

static void test_check_jiffies_run_fails(void **state)
{
	/* the boot of issue 14: run p50 4.01 ms for 100 us of work */
	json_t *st = stats_of("group name=cpu index=0 kind=cpu instrument=full completed=1000 measured_completed=996 "
			      "lat_p50_ns=0 lat_p99_ns=4000000 run_p50_ns=4010000 run_p99_ns=8000000\n");
	char why[512];

	(void)state;
	assert_int_equal(meta_clock_check(&jiffies_clock, st, why, sizeof(why)), CHECK_FAIL);
	print_message("%s\n", why);
	assert_non_null(strstr(why, "jiffies"));
	assert_non_null(strstr(why, "4.00 ms"));
	assert_non_null(strstr(why, "queue→start p50 of group cpu = 0 ns"));
	assert_non_null(strstr(why, "limit 10.0 µs"));
	json_decref(st);
}

static void test_check_jiffies_100us(void **state)
{
	/* the same clock, figures of 100 us: still a failure */
	json_t *st = stats_of("group name=w index=0 kind=cpu instrument=full measured_completed=5 "
			      "lat_p50_ns=150000 run_p50_ns=100000\n");
	char why[512];

	(void)state;
	assert_int_equal(meta_clock_check(&jiffies_clock, st, why, sizeof(why)), CHECK_FAIL);
	assert_non_null(strstr(why, "run p50 of group w = 100.0 µs"));
	json_decref(st);
}

static void test_check_tsc_passes(void **state)
{
	json_t *st = stats_of("group name=a index=0 kind=cpu instrument=full measured_completed=5 "
			      "lat_p50_ns=6900 run_p50_ns=52100\n"
			      "group name=b index=1 kind=cpu instrument=full measured_completed=5 "
			      "lat_p50_ns=900 run_p50_ns=1200\n");
	char why[512];

	(void)state;
	assert_int_equal(meta_clock_check(&tsc_clock, st, why, sizeof(why)), CHECK_PASS);
	print_message("%s\n", why);
	assert_non_null(strstr(why, "tsc: resolution 50 ns"));
	assert_non_null(strstr(why, "queue→start p50 of group b = 900 ns"));
	json_decref(st);
}

/*
 * The smoke run of a clean-clone make test on 6.1 (hpet, the TSC given up)
 * beside other guests on a busy host: 4 readings, 23.9 us apart, none
 * repeated.  The clock moved at every reading; the readings were slow, the
 * clock was not coarse: clock_getres (1 ns) decides, and it passes.
 */
static void test_check_starved_reader_passes(void **state)
{
	struct wqb_clock starved = { .clocksource = "hpet", .getres_ns = 1, .step_ns = 23900,
				     .reads = 4, .repeats = 0, .span_ns = 5200000 };
	json_t *st = stats_of("group name=smoke index=0 kind=cpu instrument=full measured_completed=9 "
			      "lat_p50_ns=61000 run_p50_ns=55000\n");
	char why[512];
	uint64_t limit;

	(void)state;
	assert_int_equal(meta_clock_judge(&starved, 55000, &limit), WQB_CLOCK_UNREAD);
	assert_int_equal(limit, 10000);
	assert_int_equal(meta_clock_check(&starved, st, why, sizeof(why)), CHECK_PASS);
	print_message("%s\n", why);
	assert_non_null(strstr(why, "none repeated"));
	/* the same readings from a clock that says it ticks every 4 ms: coarse */
	starved.getres_ns = 4 * MS;
	assert_int_equal(meta_clock_judge(&starved, 55000, NULL), WQB_CLOCK_COARSE);
	assert_int_equal(meta_clock_check(&starved, st, why, sizeof(why)), CHECK_FAIL);
	/* and a clock seen standing still with that step is coarse whatever getres says */
	starved.getres_ns = 1;
	starved.repeats = 3;
	assert_int_equal(meta_clock_judge(&starved, 55000, NULL), WQB_CLOCK_COARSE);
	/* jiffies, repeated, is never saved by the rule */
	assert_int_equal(meta_clock_judge(&jiffies_clock, 100000, NULL), WQB_CLOCK_COARSE);
	assert_int_equal(meta_clock_judge(&tsc_clock, 900, NULL), WQB_CLOCK_RESOLVES);
	json_decref(st);
}

static void test_check_ignores_unstamped_groups(void **state)
{
	/* bare groups have no percentiles; idle groups report 0: neither counts */
	json_t *st = stats_of("group name=bare index=0 kind=cpu instrument=bare measured_completed=99\n"
			      "group name=idle index=1 kind=sleep instrument=full measured_completed=0 "
			      "lat_p50_ns=0 run_p50_ns=0\n"
			      "group name=slow index=2 kind=sleep instrument=full measured_completed=10 "
			      "lat_p50_ns=50000000 run_p50_ns=45000000\n");
	char why[512];

	(void)state;
	/* 4 ms ticks resolve medians of 45 ms and more */
	assert_int_equal(meta_clock_check(&jiffies_clock, st, why, sizeof(why)), CHECK_PASS);
	assert_non_null(strstr(why, "run p50 of group slow = 45.00 ms"));
	json_decref(st);
}

static void test_check_edges(void **state)
{
	struct wqb_clock stuck = tsc_clock;
	json_t *none = stats_of(""), *st;
	char why[512];

	(void)state;
	assert_int_equal(meta_clock_check(NULL, none, why, sizeof(why)), CHECK_SKIP);
	/* no figures: the floor alone */
	assert_int_equal(meta_clock_check(&tsc_clock, none, why, sizeof(why)), CHECK_PASS);
	assert_non_null(strstr(why, "no group reported stamped figures"));
	assert_int_equal(meta_clock_check(&jiffies_clock, none, why, sizeof(why)), CHECK_FAIL);
	assert_int_equal(meta_clock_check(&jiffies_clock, NULL, why, sizeof(why)), CHECK_FAIL);
	stuck.step_ns = 0;
	stuck.clocksource[0] = '\0';
	st = stats_of("group name=a index=0 kind=cpu instrument=full measured_completed=5 "
		      "lat_p50_ns=0 run_p50_ns=0\n");
	assert_int_equal(meta_clock_check(&stuck, st, why, sizeof(why)), CHECK_FAIL);
	assert_non_null(strstr(why, "unknown clocksource: CLOCK_MONOTONIC did not advance"));
	/* a tiny buffer is cut, not overrun */
	assert_int_equal(meta_clock_check(&jiffies_clock, st, why, 8), CHECK_FAIL);
	assert_int_equal(strlen(why), 7);
	json_decref(st);
	json_decref(none);
}

static void test_measure_here(void **state)
{
	struct wqb_clock c;
	json_t *j, *avail;

	(void)state;
	meta_clock_measure(&c);
	/* CLOCK_MONOTONIC moves on any machine this runs on */
	assert_true(c.step_ns > 0);
	assert_true(c.reads >= 2 && c.reads <= 1000000);
	assert_true(c.repeats < c.reads);
	assert_true(c.span_ns >= c.step_ns);
	/* bounded: 100 ms on the clock, plus one reading */
	assert_true(c.span_ns < 100 * MS + c.step_ns + 10 * MS);
	j = meta_clock_json(&c);
	assert_int_equal(json_integer_value(json_object_get(j, "resolution_ns")), c.step_ns);
	assert_int_equal(json_integer_value(json_object_get(j, "reads")), c.reads);
	avail = json_object_get(j, "available");
	assert_true(json_is_array(avail));
	if (c.clocksource[0]) {
		assert_string_equal(json_string_value(json_object_get(j, "clocksource")),
				    c.clocksource);
		assert_true(json_array_size(avail) >= 1);
	} else {
		assert_true(json_is_null(json_object_get(j, "clocksource")));
	}
	print_message("this machine: %s, step %llu ns over %llu readings (%llu repeated), getres %llu ns\n",
		      c.clocksource, (unsigned long long)c.step_ns,
		      (unsigned long long)c.reads, (unsigned long long)c.repeats,
		      (unsigned long long)c.getres_ns);
	json_decref(j);
}

static void test_json_of_jiffies(void **state)
{
	json_t *j = meta_clock_json(&jiffies_clock), *avail = json_object_get(j, "available");

	(void)state;
	assert_string_equal(json_string_value(json_object_get(j, "clocksource")), "jiffies");
	assert_int_equal(json_array_size(avail), 5);
	assert_string_equal(json_string_value(json_array_get(avail, 4)), "jiffies");
	assert_int_equal(json_integer_value(json_object_get(j, "resolution_ns")), 4 * MS);
	assert_int_equal(json_integer_value(json_object_get(j, "getres_ns")), 4 * MS);
	assert_int_equal(json_integer_value(json_object_get(j, "repeats")), 13849);
	assert_int_equal(json_integer_value(json_object_get(j, "measured_over_ns")), 20 * MS);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule),
		cmocka_unit_test(test_check_jiffies_run_fails),
		cmocka_unit_test(test_check_jiffies_100us),
		cmocka_unit_test(test_check_tsc_passes),
		cmocka_unit_test(test_check_starved_reader_passes),
		cmocka_unit_test(test_check_ignores_unstamped_groups),
		cmocka_unit_test(test_check_edges),
		cmocka_unit_test(test_measure_here),
		cmocka_unit_test(test_json_of_jiffies),
	};

	return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
