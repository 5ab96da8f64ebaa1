// SPDX-License-Identifier: GPL-2.0
/*
 * The pure parts of `wqbench kernel build` (harness/kernelbuild.c): config
 * fragments, the check of the final .config against them, names, and a
 * built kernel found in a fake cache; plus the module build key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernelbuild.h"
#include "kmodbuild.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <glob.h>
#include <string.h>

static void test_parse(void **state)
{
	struct kconfig_frag f = { 0 };
	char *err = NULL;
	const char *text = "# a comment\n"
			   "\n"
			   "CONFIG_SMP=y\n"
			   "  CONFIG_NR_CPUS=64  \n"
			   "# CONFIG_SLUB_TINY is not set\n"
			   "#CONFIG_FOO is not set but this is prose\n"
			   "CONFIG_CMDLINE=\"a b\"\n"
			   "CONFIG_LAST=m";

	(void)state;
	assert_int_equal(kconfig_parse(text, "x.config", &f, &err), 0);
	assert_null(err);
	assert_int_equal(f.n, 5);
	assert_string_equal(f.v[0].name, "CONFIG_SMP");
	assert_string_equal(f.v[0].value, "y");
	assert_string_equal(f.v[0].origin, "x.config:3");
	assert_string_equal(f.v[1].name, "CONFIG_NR_CPUS");
	assert_string_equal(f.v[1].value, "64");
	assert_string_equal(f.v[2].name, "CONFIG_SLUB_TINY");
	assert_null(f.v[2].value);
	assert_string_equal(f.v[2].origin, "x.config:5");
	assert_string_equal(f.v[3].value, "\"a b\"");
	assert_string_equal(f.v[4].name, "CONFIG_LAST");
	assert_string_equal(f.v[4].value, "m");
	kconfig_frag_free(&f);
	assert_int_equal(f.n, 0);
}

static void test_parse_errors(void **state)
{
	static const char *const bad[] = { "SMP=y\n", "CONFIG_SMP\n", "CONFIG_=y\n",
					   "CONFIG_SMP=\n", "CONFIG_SMP y\n", "obj-y += x.o\n" };
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct kconfig_frag f = { 0 };
		char *text = xasprintf("CONFIG_OK=y\n# fine\n%s", bad[i]), *err = NULL;

		assert_int_equal(kconfig_parse(text, "bad.config", &f, &err), -1);
		assert_non_null(err);
		assert_non_null(strstr(err, "bad.config:3: not a config line"));
		free(err);
		free(text);
		kconfig_frag_free(&f);
	}
}

static const char *const final_config =
	"#\n# Automatically generated file; DO NOT EDIT.\n#\n"
	"CONFIG_SMP=y\n"
	"CONFIG_NR_CPUS=64\n"
	"CONFIG_NR_CPUS_RANGE_BEGIN=2\n"
	"# CONFIG_SLUB_TINY is not set\n"
	"CONFIG_LOOP_MOD=m\n"
	"CONFIG_CMDLINE=\"a b\"\n";

static void test_value(void **state)
{
	char *v;

	(void)state;
	v = kconfig_value(final_config, "CONFIG_NR_CPUS");
	assert_string_equal(v, "64");
	free(v);
	v = kconfig_value(final_config, "CONFIG_CMDLINE");
	assert_string_equal(v, "\"a b\"");
	free(v);
	/* a prefix of another option is not that option */
	assert_null(kconfig_value(final_config, "CONFIG_NR"));
	assert_null(kconfig_value(final_config, "CONFIG_SLUB_TINY"));
	assert_null(kconfig_value(final_config, "CONFIG_ABSENT"));
	assert_null(kconfig_value("", "CONFIG_SMP"));
	v = kconfig_value("CONFIG_X=y", "CONFIG_X");	/* no final newline */
	assert_string_equal(v, "y");
	free(v);
}

static void test_check(void **state)
{
	struct kconfig_frag f = { 0 };
	char *err = NULL, *rep = NULL;

	(void)state;
	assert_int_equal(kconfig_parse("CONFIG_SMP=y\n# CONFIG_SLUB_TINY is not set\n"
				       "CONFIG_LOOP_MOD=m\nCONFIG_ABSENT=n\n",
				       "ok.config", &f, &err), 0);
	assert_int_equal(kconfig_check(final_config, &f, NULL, &rep, NULL), 0);
	assert_null(rep);
	assert_int_equal(kconfig_parse("CONFIG_NR_CPUS=32\nCONFIG_WQ_WATCHDOG=y\n"
				       "# CONFIG_SMP is not set\nCONFIG_LOOP_MOD=y\n",
				       "debug.config", &f, &err), 0);
	assert_int_equal(kconfig_check(final_config, &f, NULL, &rep, NULL), 4);
	assert_non_null(rep);
	assert_non_null(strstr(rep, "CONFIG_NR_CPUS=32 (debug.config:1) was dropped by Kconfig: the final .config has CONFIG_NR_CPUS=64\n"));
	assert_non_null(strstr(rep, "CONFIG_WQ_WATCHDOG=y (debug.config:2) was dropped by Kconfig: the final .config has CONFIG_WQ_WATCHDOG unset\n"));
	assert_non_null(strstr(rep, "CONFIG_SMP unset (debug.config:3)"));
	assert_non_null(strstr(rep, "CONFIG_LOOP_MOD=y (debug.config:4)"));
	/* the later fragment overrides ok.config's CONFIG_SMP=y: one report, not two */
	assert_null(strstr(rep, "ok.config"));
	free(rep);
	kconfig_frag_free(&f);
}

/*
 * An option no Kconfig of the tree declares (6.1 has no
 * WQ_CPU_INTENSIVE_REPORT) is left out and said, not counted as dropped;
 * a declared option Kconfig did not keep still is.
 */
static void test_check_declared(void **state)
{
	static const char kconfig_wq[] =
		"config WQ_WATCHDOG\n"
		"\tbool \"Detect Workqueue Stalls\"\n"
		"menuconfig NR_CPUS\n"
		"config WQ_WATCHDOG_X\n"		/* a longer name is another symbol */
		"#config WQ_CPU_INTENSIVE_REPORT\n"	/* a comment declares nothing */
		"\tdepends on CONFIG_WQ_CPU_INTENSIVE_REPORT\n";
	struct kconfig_frag f = { 0 };
	char *err = NULL, *rep = NULL, *absent = NULL;
	bool declared[3] = { false };

	(void)state;
	assert_int_equal(kconfig_parse("CONFIG_WQ_WATCHDOG=y\nCONFIG_WQ_CPU_INTENSIVE_REPORT=y\n"
				       "CONFIG_NR_CPUS=32\n", "debug.config", &f, &err), 0);
	kconfig_mark_declared(kconfig_wq, &f, declared);
	assert_true(declared[0]);
	assert_false(declared[1]);
	assert_true(declared[2]);
	assert_int_equal(kconfig_check(final_config, &f, declared, &rep, &absent), 2);
	assert_non_null(strstr(rep, "CONFIG_WQ_WATCHDOG=y (debug.config:1) was dropped"));
	assert_non_null(strstr(rep, "CONFIG_NR_CPUS=32 (debug.config:3) was dropped"));
	assert_null(strstr(rep, "INTENSIVE"));
	assert_string_equal(absent, "CONFIG_WQ_CPU_INTENSIVE_REPORT (debug.config:2) does not "
				    "exist in this kernel: no Kconfig declares it\n");
	free(rep);
	free(absent);
	kconfig_frag_free(&f);
}

/* The fragments in the repo parse, and debug asks for what the issue lists. */
static void test_repo_fragments(void **state)
{
	static const char *const files[] = { "base.config", "lean.config", "debug.config" };
	static const char *const must[] = { "CONFIG_WQ_WATCHDOG", "CONFIG_FAIL_PAGE_ALLOC",
					    "CONFIG_PROVE_LOCKING", "CONFIG_DEBUG_OBJECTS_WORK",
					    "CONFIG_HPET_TIMER", "CONFIG_ACPI", "CONFIG_9P_FS",
					    "CONFIG_MODULE_UNLOAD", "CONFIG_HOTPLUG_CPU" };
	struct kconfig_frag f = { 0 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *p = xasprintf("%s/harness/kconfig/%s", WQB_SRC, files[i]);
		char *t = read_file(p, NULL), *err = NULL;

		assert_non_null(t);
		assert_int_equal(kconfig_parse(t, files[i], &f, &err), 0);
		free(t);
		free(p);
	}
	for (size_t i = 0; i < ARRAY_SIZE(must); i++) {
		bool found = false;

		for (size_t j = 0; j < f.n; j++)
			found |= strcmp(f.v[j].name, must[i]) == 0 && f.v[j].value &&
				 strcmp(f.v[j].value, "y") == 0;
		assert_true(found);
	}
	kconfig_frag_free(&f);
	/* and every compat-<series>.config parses too */
	{
		char *pat = xasprintf("%s/harness/kconfig/compat-*.config", WQB_SRC);
		glob_t g;

		assert_int_equal(glob(pat, 0, NULL, &g), 0);
		assert_true(g.gl_pathc >= 1);
		for (size_t i = 0; i < g.gl_pathc; i++) {
			char *t = read_file(g.gl_pathv[i], NULL), *err = NULL;

			assert_non_null(t);
			assert_int_equal(kconfig_parse(t, g.gl_pathv[i], &f, &err), 0);
			free(t);
		}
		globfree(&g);
		free(pat);
		kconfig_frag_free(&f);
	}
}

static void test_names(void **state)
{
	char *n;

	(void)state;
	assert_true(kbuild_name_ok("src-6.12-debug"));
	assert_true(kbuild_name_ok("linux-3f2a9c1b0d4e-lean"));
	assert_true(kbuild_name_ok("a"));
	assert_false(kbuild_name_ok(""));
	assert_false(kbuild_name_ok("6.12"));	/* a series */
	assert_false(kbuild_name_ok("6.12.117-custom"));
	assert_false(kbuild_name_ok("-x"));
	assert_false(kbuild_name_ok("a/b"));
	assert_false(kbuild_name_ok("../x"));
	assert_false(kbuild_name_ok("a b"));
	assert_false(kbuild_name_ok("a\nb"));
	n = xasprintf("a%064d", 0);
	assert_false(kbuild_name_ok(n));
	free(n);
	assert_true(kbuild_flavour_ok("lean"));
	assert_true(kbuild_flavour_ok("debug"));
	assert_false(kbuild_flavour_ok("fast"));
	assert_false(kbuild_flavour_ok(""));

	n = kbuild_default_name("6.12", NULL, NULL, "debug");
	assert_string_equal(n, "src-6.12-debug");
	free(n);
	n = kbuild_default_name(NULL, "linux", "3f2a9c1b0d4e5f60718293a4b5c6d7e8f9a0b1c2", "lean");
	assert_string_equal(n, "linux-3f2a9c1b0d4e-lean");
	free(n);
	n = kbuild_default_name(NULL, "my tree", NULL, "lean");
	assert_string_equal(n, "my_tree-lean");
	assert_true(kbuild_name_ok(n));
	free(n);
	n = kbuild_default_name(NULL, "6.13-rc1", NULL, "debug");
	assert_string_equal(n, "src-6.13-rc1-debug");
	assert_true(kbuild_name_ok(n));
	free(n);
}

static char cache[64];

static void put(const char *rel, const char *text)
{
	char *p = path_join(cache, rel), *d = xstrdup(p);

	*strrchr(d, '/') = '\0';
	assert_int_equal(mkdir_p(d, 0755), 0);
	assert_int_equal(write_file_atomic(p, text, strlen(text), 0644), 0);
	free(d);
	free(p);
}

static void test_resolve(void **state)
{
	struct wqb_kernel k;
	char *kdir, *key;

	(void)state;
	snprintf(cache, sizeof(cache), "/tmp/wqb-kcache-XXXXXX");
	assert_non_null(mkdtemp(cache));
	kdir = path_join(cache, "kernels/src-6.12-debug");
	/* no kernel.json, or a Debian one: not a built kernel */
	put("kernels/src-6.12-debug/build/.config", "CONFIG_SMP=y\n");
	assert_int_equal(kbuild_resolve(kdir, "src-6.12-debug", &k), 1);
	put("kernels/src-6.12-debug/kernel.json", "{\"release\": \"6.12.117\"}");
	assert_int_equal(kbuild_resolve(kdir, "src-6.12-debug", &k), 1);
	/* built, but the image is gone */
	put("kernels/src-6.12-debug/kernel.json",
	    "{\"kind\": \"built\", \"release\": \"6.12.117\", \"flavour\": \"debug\","
	    " \"build_id\": \"0123456789abcdef0123\", \"config_sha256\": \"ab\","
	    " \"source\": {\"type\": \"debian\"}}");
	assert_int_equal(kbuild_resolve(kdir, "src-6.12-debug", &k), -1);
	put("kernels/src-6.12-debug/build/arch/x86/boot/bzImage", "MZ");
	assert_int_equal(kbuild_resolve(kdir, "src-6.12-debug", &k), 0);
	assert_string_equal(k.name, "src-6.12-debug");
	assert_string_equal(k.release, "6.12.117");
	assert_non_null(strstr(k.image, "/kernels/src-6.12-debug/build/arch/x86/boot/bzImage"));
	assert_string_equal(k.build_dir, k.modules_dir);
	assert_non_null(strstr(k.config, "/kernels/src-6.12-debug/config"));
	{
		/* meta.json's kernel.built: found from the kernel's config path */
		json_t *o = kbuild_origin(k.config);

		assert_non_null(o);
		assert_string_equal(json_string_value(json_object_get(o, "flavour")), "debug");
		assert_string_equal(json_string_value(json_object_get(json_object_get(o, "source"), "type")),
				    "debian");
		assert_null(json_object_get(o, "kind"));
		json_decref(o);
		assert_null(kbuild_origin("/boot/config-6.1.0-57-amd64"));
		assert_null(kbuild_origin("config"));
	}
	key = kmod_key(&k);
	assert_string_equal(key, "6.12.117-0123456789ab");
	free(key);
	kernel_free(&k);
	/* Debian's kernels keep their release as the key */
	k.release = xstrdup("6.12.117+deb12-amd64");
	key = kmod_key(&k);
	assert_string_equal(key, "6.12.117+deb12-amd64");
	free(key);
	kernel_free(&k);
	assert_null(kernel_elf_build_id("/nonexistent/vmlinux"));
	remove_tree(cache);
	free(kdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_value),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_check_declared),
		cmocka_unit_test(test_repo_fragments),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_resolve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
