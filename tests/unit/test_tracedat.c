// SPDX-License-Identifier: GPL-2.0
/*
 * trace.dat's kallsyms for wqbench.ko (harness/tracedat.c): a module's
 * function symbols, each at its section's load address plus its value,
 * marked with the module's name as /proc/kallsyms marks them; nothing from
 * a section whose address is unknown; NULL for a file that is not ELF.
 * The ELF here is this test binary, its .text "loaded" at a made-up
 * address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tracedat.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_symbols),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
