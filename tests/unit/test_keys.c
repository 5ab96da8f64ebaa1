// SPDX-License-Identifier: GPL-2.0
/*
 * The group keys are declared once, in kmod/wqbench_uapi.h; the tables of
 * docs/scenario.md and docs/kmod.md must say the same: every key once, no
 * key the table lacks, and each row's values and default as the table has
 * them (meanings are free text).  A failure prints the row the table wants.
 * Also: the shared parser and rules on a few definitions, as both the
 * module and `wqbench check` run them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util.h"
#include "wqbench_uapi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A choices list "a|b|c" as "a, b, c". */
static char *words(const char *choices)
{
	char *s = xstrdup(choices);

	for (char *p = s; *p; p++)
		if (*p == '|') {
			char *n = xasprintf("%.*s, %s", (int)(p - s), s, p + 1);

			p = n + (p - s) + 1;
			free(s);
			s = n;
		}
	return s;
}

/* The values cell the table wants. */
static char *want_values(const struct wqbench_key *k)
{
	char *w, *r;

	switch (k->type) {
	case WQBENCH_KT_NAME:
		return xasprintf("%llu–%llu of a-z 0-9 _", (unsigned long long)k->min,
				 (unsigned long long)k->max);
	case WQBENCH_KT_UINT:
		if (k->max == WQBENCH_U64_MAX)
			return xstrdup("u64");
		return xasprintf("%llu–%llu", (unsigned long long)k->min,
				 (unsigned long long)k->max);
	case WQBENCH_KT_BOOL:
		return xstrdup("0, 1");
	case WQBENCH_KT_ENUM:
		return words(k->choices);
	case WQBENCH_KT_FLAGS:
		w = words(k->choices);
		r = xasprintf("comma list of %s", w);
		free(w);
		return r;
	case WQBENCH_KT_MIX:
		w = words(k->choices);
		r = xasprintf("kind:weight list, kinds %s, weights %llu–%llu", w,
			      (unsigned long long)k->min, (unsigned long long)k->max);
		free(w);
		return r;
	case WQBENCH_KT_CPULIST:
		return xasprintf("CPU list, CPUs 0–%llu", (unsigned long long)k->max);
	}
	return xstrdup("?");
}

/* The default cell the table wants. */
static char *want_default(const struct wqbench_key *k)
{
	if (k->def_doc)
		return xstrdup(k->def_doc);
	if (k->type == WQBENCH_KT_ENUM) {
		const char *p = k->choices;

		for (__u64 i = 0; i < k->def; i++)
			p = strchr(p, '|') + 1;
		return xasprintf("%.*s", (int)strcspn(p, "|"), p);
	}
	return xasprintf("%llu", (unsigned long long)k->def);
}

/* cell i (0-based) of a Markdown table row, trimmed, backticks removed */
static char *cell(const char *row, int i)
{
	const char *p = row;
	char *c, *o;
	size_t n;

	for (int j = 0; j <= i; j++) {
		p = strchr(p, '|');
		if (!p)
			return NULL;
		p++;
	}
	n = strcspn(p, "|");
	/* an escaped \| inside a cell is part of it */
	while (n && p[n - 1] == '\\' && p[n])
		n += 1 + strcspn(p + n + 1, "|");
	c = xasprintf("%.*s", (int)n, p);
	for (o = c; *o; o++)
		;
	o = c;
	for (char *q = c; *q; q++)
		if (*q != '`')
			*o++ = *q;
	*o = '\0';
	return str_trim(c) == c ? c : memmove(c, str_trim(c), strlen(str_trim(c)) + 1);
}

/*
 * Check the first table after the line starting with heading in doc:
 * columns key | values | default | meaning.  Returns the mismatches.
 */
static int check_doc(const char *doc, const char *heading, bool with_name)
{
	char *path = xasprintf("%s/%s", WQB_SRC, doc);
	char *text = read_file(path, NULL), *line, *save = NULL;
	int seen[WQBENCH_GK_NR] = { 0 }, bad = 0, state = 0;

	assert_non_null(text);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *key, *vals, *def;
		int k;

		if (state == 0) {
			if (strncmp(line, heading, strlen(heading)) == 0)
				state = 1;
			continue;
		}
		if (line[0] != '|') {
			if (state == 2)
				break;		/* the end of the table */
			continue;
		}
		state = 2;
		key = cell(line, 0);
		if (!key || strcmp(key, "key") == 0 || strncmp(key, "---", 3) == 0) {
			free(key);
			continue;
		}
		k = wqbench_group_key(key, strlen(key));
		vals = cell(line, 1);
		def = cell(line, 2);
		if (k < 0 || (!with_name && k == WQBENCH_GK_NAME)) {
			print_error("%s: key '%s' is not a group key of kmod/wqbench_uapi.h\n", doc, key);
			bad++;
		} else {
			char *wv = want_values(&wqbench_group_keys[k]);
			char *wd = want_default(&wqbench_group_keys[k]);

			seen[k]++;
			if (!vals || !def || strcmp(vals, wv) || strcmp(def, wd)) {
				print_error("%s: row of %s says | %s | %s |; the table: | `%s` | %s | %s |\n",
					    doc, key, vals ? vals : "?", def ? def : "?", key, wv, wd);
				bad++;
			}
			free(wv);
			free(wd);
		}
		free(key);
		free(vals);
		free(def);
	}
	for (int k = 0; k < WQBENCH_GK_NR; k++) {
		if (!with_name && k == WQBENCH_GK_NAME)
			continue;
		if (seen[k] != 1) {
			print_error("%s: group key %s has %d rows, want 1\n", doc,
				    wqbench_group_keys[k].key, seen[k]);
			bad++;
		}
	}
	free(text);
	free(path);
	return bad;
}

static void test_kmod_md(void **state)
{
	(void)state;
	assert_int_equal(check_doc("docs/kmod.md", "### Group definition", true), 0);
}

static void test_scenario_md(void **state)
{
	(void)state;
	assert_int_equal(check_doc("docs/scenario.md", "## `[group NAME]`", false), 0);
}

/* a definition through the shared parser and rules: -1 ok, else the key blamed */
static int judge(const char *const *kv)
{
	__u64 v[WQBENCH_GK_NR];
	const char *why;

	wqbench_group_defaults(v);
	for (; *kv; kv += 2) {
		int k = wqbench_group_key(kv[0], strlen(kv[0]));

		if (k < 0 || wqbench_key_parse(&wqbench_group_keys[k], kv[1], &v[k], &why))
			return 1000;
	}
	return wqbench_group_rules(v, &why);
}

static void test_rules(void **state)
{
	static const char *const ok1[] = { "kind", "hog", "hog_ms", "5", NULL };
	static const char *const ok2[] = { "shape", "open", "rate", "1", NULL };
	static const char *const ok3[] = { "flags", "bh,highpri", "work_us", "1000", NULL };
	static const char *const ok4[] = { "placement", "node", "wq", "system_unbound", NULL };
	static const char *const bad1[] = { "kind", "hog", NULL };
	static const char *const bad2[] = { "shape", "open", NULL };
	static const char *const bad3[] = { "placement", "cpus", NULL };
	static const char *const bad4[] = { "wq", "system", "max_active", "2", NULL };
	static const char *const bad5[] = { "flags", "ordered", "max_active", "1", NULL };
	static const char *const bad6[] = { "flags", "bh", "kind", "mixed", NULL };
	static const char *const bad7[] = { "placement", "node", NULL };
	static const char *const bad8[] = { "rate", "100001", NULL };
	static const char *const bad9[] = { "rate", "0100", NULL };
	static const char *const bad10[] = { "cpus", "", NULL };

	(void)state;
	assert_int_equal(judge(ok1), -1);
	assert_int_equal(judge(ok2), -1);
	assert_int_equal(judge(ok3), -1);
	assert_int_equal(judge(ok4), -1);
	assert_int_equal(judge(bad1), WQBENCH_GK_KIND);
	assert_int_equal(judge(bad2), WQBENCH_GK_SHAPE);
	assert_int_equal(judge(bad3), WQBENCH_GK_PLACEMENT);
	assert_int_equal(judge(bad4), WQBENCH_GK_WQ);
	assert_int_equal(judge(bad5), WQBENCH_GK_MAX_ACTIVE);
	assert_int_equal(judge(bad6), WQBENCH_GK_FLAGS);
	assert_int_equal(judge(bad7), WQBENCH_GK_PLACEMENT);
	assert_int_equal(judge(bad8), 1000);
	assert_int_equal(judge(bad9), 1000);
	assert_int_equal(judge(bad10), 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmod_md),
		cmocka_unit_test(test_scenario_md),
		cmocka_unit_test(test_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
