// SPDX-License-Identifier: GPL-2.0
/*
 * common/groupdef.c: a result directory's scenario.wqb read for its
 * groups -- whole, or refused with the reason, never in part.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "groupdef.h"
#include "util.h"

static char *write_tmp(const char *text)
{
	char tmpl[] = "/tmp/wqb-groupdef-XXXXXX";
	int fd = mkstemp(tmpl);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return xstrdup(tmpl);
}

static int read_text(const char *text, struct wqb_groupdef *g, char *err, size_t errlen)
{
	char *p = write_tmp(text);
	int n = groupdefs_read(p, g, WQB_GROUPDEF_MAX, err, errlen);

	unlink(p);
	free(p);
	return n;
}

static void test_groups_read(void **state)
{
	struct wqb_groupdef g[WQB_GROUPDEF_MAX];
	char err[256] = "";
	__u64 def[WQBENCH_GK_NR];

	(void)state;
	wqbench_group_defaults(def);
	/* keys of other sections are not this reader's: they are left alone */
	assert_int_equal(read_text("[global]\nduration = 5s\nwhatever = 1\n"
				   "[group b]\nkind = cpu\nwork_us = 30\n"
				   "[group u]\nflags = unbound\n"
				   "[group s]\nwq = system_unbound\n"
				   "[group d]\nkind = requeue\nrequeue = delayed\n"
				   "requeue_delay_us = 1000\n",
				   g, err, sizeof(err)),
			 4);
	assert_string_equal(g[0].name, "b");
	assert_false(g[0].unbound);
	assert_int_equal(g[0].val[WQBENCH_GK_WORK_US], 30);
	/* what the file does not say is the module's default */
	assert_int_equal(g[0].val[WQBENCH_GK_INFLIGHT], def[WQBENCH_GK_INFLIGHT]);
	assert_true(g[1].unbound);
	assert_true(g[2].unbound);
	assert_int_equal(g[3].val[WQBENCH_GK_REQUEUE], WQBENCH_RQ_DELAYED);
}

static void test_damage_refused(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "[group a]\nkind = cpu\nwrok_us = 5\n", "'wrok_us' is not a group key" },
		{ "[group a]\nwork_us = 5x\n", "[group a] work_us = 5x" },
		{ "[group a]\nflags = unbuond\n", "[group a] flags = unbuond" },
		{ "[group a]\nkind = cpu\n\x01\x02 garbage without equals\n", ":3: " },
		{ "[group a]\nname = b\n", "'name' is not a group key" },
		{ "[group a_name_far_too_long_for_it]\nkind = cpu\n", "a name over 16" },
	};
	struct wqb_groupdef g[WQB_GROUPDEF_MAX];
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		assert_int_equal(read_text(cases[i].text, g, err, sizeof(err)), -1);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: '%s' does not say '%s'", i, err, cases[i].want);
	}
	err[0] = '\0';
	assert_int_equal(groupdefs_read("/nonexistent/scenario.wqb", g, WQB_GROUPDEF_MAX, err,
					sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "cannot open"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_read),
		cmocka_unit_test(test_damage_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
