// SPDX-License-Identifier: GPL-2.0
/*
 * The tool versions of meta.json (harness/meta.c): asked on a given PATH
 * (the host asks them for the guest, on the guest's PATH), and read back
 * in the guest from the file the host wrote -- which is used only when it
 * is exactly what the host writes; anything else is refused, so the guest
 * asks the tools itself rather than record a damaged answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "meta.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/wqb-test-tools-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return remove_tree(dir);
}

static char *put(const char *name, const char *text, int mode)
{
	char *p = path_join(dir, name);

	assert_int_equal(write_file_atomic(p, text, strlen(text), mode), 0);
	return p;
}

/* a fake perf on a PATH of its own: the first line, trimmed; the others null */
static void test_asked_on_path(void **state)
{
	char *bin = path_join(dir, "bin"), *search, *p;
	json_t *j;

	(void)state;
	assert_int_equal(mkdir_p(bin, 0755), 0);
	p = path_join(bin, "perf");
	{
		static const char script[] = "#!/bin/sh\necho '  perf version 9.9 '\necho more\n";

		assert_int_equal(write_file_atomic(p, script, strlen(script), 0755), 0);
	}
	search = xasprintf("%s/nowhere:%s", dir, bin);
	j = meta_tool_versions(search);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), 4);
	assert_string_equal(json_string_value(json_object_get(j, "perf")), "perf version 9.9");
	assert_true(json_is_null(json_object_get(j, "fio")));
	assert_true(json_is_null(json_object_get(j, "trace-cmd")));
	assert_true(json_is_null(json_object_get(j, "stress-ng")));
	json_decref(j);
	/* not executable: not installed */
	assert_int_equal(chmod(p, 0644), 0);
	j = meta_tool_versions(search);
	assert_true(json_is_null(json_object_get(j, "perf")));
	json_decref(j);
	free(p);
	free(search);
	free(bin);
}

static void test_from_file(void **state)
{
	char *release, *p;
	json_t *j;

	(void)state;
	p = put("good.json", "{\"trace-cmd\": \"\", \"perf\": \"perf version 6.1\", "
		"\"stress-ng\": null, \"fio\": \"fio-3.33\", \"uname_release\": \"6.1.0-x\"}", 0644);
	j = meta_tools_from_file(p, &release);
	assert_non_null(j);
	assert_string_equal(release, "6.1.0-x");
	assert_int_equal(json_object_size(j), 4);	/* the release is not a tool */
	assert_string_equal(json_string_value(json_object_get(j, "fio")), "fio-3.33");
	assert_true(json_is_null(json_object_get(j, "stress-ng")));
	json_decref(j);
	free(release);
	free(p);
}

static void test_damaged_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"{\"trace-cmd\": \"\", \"perf\": \"p\", \"stress-ng\": null, \"fio\": \"f\"",
		/* no release */
		"{\"trace-cmd\": \"\", \"perf\": \"p\", \"stress-ng\": null, \"fio\": \"f\"}",
		/* a tool missing, another in its place */
		"{\"trace-cmd\": \"\", \"perf\": \"p\", \"stress\": null, \"fio\": \"f\", \"uname_release\": \"r\"}",
		/* a number for a version */
		"{\"trace-cmd\": \"\", \"perf\": 6, \"stress-ng\": null, \"fio\": \"f\", \"uname_release\": \"r\"}",
		/* one key too many */
		"{\"trace-cmd\": \"\", \"perf\": \"p\", \"stress-ng\": null, \"fio\": \"f\", \"uname_release\": \"r\", \"x\": 1}",
		/* a key twice */
		"{\"trace-cmd\": \"\", \"perf\": \"p\", \"perf\": \"q\", \"fio\": \"f\", \"uname_release\": \"r\"}",
		"[\"perf\"]",
		NULL,
	};

	(void)state;
	for (size_t i = 0; bad[i]; i++) {
		char *release = (char *)"untouched", *p = put("bad.json", bad[i], 0644);

		assert_null(meta_tools_from_file(p, &release));
		assert_null(release);
		free(p);
	}
	/* absent */
	{
		char *release, *p = path_join(dir, "absent.json");

		assert_null(meta_tools_from_file(p, &release));
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_asked_on_path),
		cmocka_unit_test(test_from_file),
		cmocka_unit_test(test_damaged_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
