// SPDX-License-Identifier: GPL-2.0
/*
 * The --icount value (vm_icount_parse()): what QEMU 7.2 accepts with
 * single-threaded TCG, and nothing else, goes to -icount in one normal
 * form -- the form meta.json and summary.json record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vm.h"

#include <string.h>

static void icount_good(void **state)
{
	static const char *const in[][2] = {
		{ "3", "shift=3" },
		{ "0", "shift=0" },
		{ "10", "shift=10" },
		{ "auto", "shift=auto" },
		{ "3,sleep=off", "shift=3,sleep=off" },
		{ "auto,sleep=on", "shift=auto,sleep=on" },
	};
	char out[64];

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_int_equal(vm_icount_parse(in[i][0], out, sizeof(out)), 0);
		assert_string_equal(out, in[i][1]);
	}
}

static void icount_bad(void **state)
{
	static const char *const in[] = {
		"", "11", "-1", "x", "3,", ",sleep=off", "3,sleep=maybe", "3,align=on",
		"shift=3", "3,sleep=off,sleep=on", "auto3", "99999999999999999999",
	};
	char out[64] = "untouched";

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		assert_int_equal(vm_icount_parse(in[i], out, sizeof(out)), -1);
	assert_int_equal(vm_icount_parse(NULL, out, sizeof(out)), -1);
	/* too small a buffer is a refusal, never a cut value */
	assert_int_equal(vm_icount_parse("3,sleep=off", out, 8), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(icount_good),
		cmocka_unit_test(icount_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
