// SPDX-License-Identifier: GPL-2.0
/*
 * A run's wall time by phase (harness/phases.c): phases add up to the
 * wall time, a phase entered twice counts both stays, time outside any
 * phase is wall time but no phase's, a clock going backwards adds nothing,
 * and the duty cycle is measurement over wall.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "phases.h"

#include <string.h>

#define MS 1000000ull

static double ms_of(json_t *j, const char *name)
{
	return json_real_value(json_object_get(json_object_get(j, "phases"), name));
}

static void test_accumulates(void **state)
{
	struct wqb_phases ph;
	json_t *j;

	(void)state;
	phases_init(&ph, 1000 * MS);
	phases_enter(&ph, PH_SETUP, 1000 * MS);
	phases_enter(&ph, PH_MODULE_LOAD, 1100 * MS);		/* setup 100 */
	phases_enter(&ph, PH_MEASUREMENT, 1300 * MS);		/* load 200 */
	phases_enter(&ph, PH_JUDGING, 4300 * MS);		/* measured 3000 */
	phases_enter(&ph, PH_STOP, 4310 * MS);			/* judging 10 */
	phases_enter(&ph, PH_JUDGING, 4500 * MS);		/* stop 190 */
	phases_enter(&ph, PH_REPORT, 4530 * MS);		/* judging +30 */
	phases_end(&ph, 4540 * MS);				/* report 10 */
	j = phases_json(&ph);
	assert_int_equal(json_integer_value(json_object_get(j, "format")), 1);
	assert_true(ms_of(j, "setup") == 100.0);
	assert_true(ms_of(j, "module_load") == 200.0);
	assert_true(ms_of(j, "measurement") == 3000.0);
	assert_true(ms_of(j, "judging") == 40.0);
	assert_true(ms_of(j, "stop") == 190.0);
	assert_true(ms_of(j, "report") == 10.0);
	assert_true(ms_of(j, "trace_extraction") == 0.0);
	assert_true(json_real_value(json_object_get(j, "wall_ms")) == 3540.0);
	assert_true(json_real_value(json_object_get(j, "measured_ms")) == 3000.0);
	assert_true(json_real_value(json_object_get(j, "duty_cycle")) == 3000.0 / 3540.0);
	/* every phase is in the file, by name, in the order of a run */
	assert_int_equal(json_object_size(json_object_get(j, "phases")), PH_COUNT);
	assert_string_equal(phases_name(PH_TRACE_EXTRACTION), "trace_extraction");
	assert_string_equal(phases_name(PH_COUNT), "?");
	json_decref(j);
}

static void test_gaps_and_backwards(void **state)
{
	struct wqb_phases ph;
	json_t *j;
	double sum = 0;
	const char *k;
	json_t *v;

	(void)state;
	phases_init(&ph, 0);
	phases_enter(&ph, PH_SETUP, 50 * MS);			/* 50 before any phase */
	phases_enter(&ph, PH_WARMUP, 40 * MS);			/* backwards: nothing */
	phases_end(&ph, 140 * MS);				/* warmup 90, from 50 */
	phases_enter(&ph, PH_REPORT, 150 * MS);			/* 10 outside */
	phases_end(&ph, 160 * MS);
	j = phases_json(&ph);
	assert_true(ms_of(j, "setup") == 0.0);
	assert_true(ms_of(j, "warmup") == 90.0);
	assert_true(ms_of(j, "report") == 10.0);
	json_object_foreach(json_object_get(j, "phases"), k, v)
		sum += json_real_value(v);
	/* the phases never exceed the wall time; the rest was outside them */
	assert_true(sum == 100.0);
	assert_true(json_real_value(json_object_get(j, "wall_ms")) == 160.0);
	assert_true(json_real_value(json_object_get(j, "duty_cycle")) == 0.0);
	json_decref(j);

	/* no time at all: no duty cycle, not a division by zero */
	phases_init(&ph, 7);
	phases_end(&ph, 7);
	j = phases_json(&ph);
	assert_true(json_is_null(json_object_get(j, "duty_cycle")));
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accumulates),
		cmocka_unit_test(test_gaps_and_backwards),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
