// SPDX-License-Identifier: GPL-2.0
/*
 * docs/scenario.md against the parser, for every section but [group NAME]
 * (test_keys.c holds that one to kmod/wqbench_uapi.h) and [kparam] (its
 * keys are MODULE.PARAM, not a table): each key a section's table lists
 * (every `word` of a row's first cell, so "`start`, `interval`" is two) is
 * one harness/scenario.c accepts in that section, and each key it accepts
 * has a row.  A failure names the section and key, and the doc line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scenario.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct doc_key {
	char section[32];
	char key[64];
	int line;
	bool matched;
};

struct keyset {
	struct doc_key *v;
	size_t n;
};

static void add(struct keyset *ks, const char *section, const char *key, size_t keylen, int line)
{
	struct doc_key *d;

	ks->v = realloc(ks->v, (ks->n + 1) * sizeof(*ks->v));
	assert_non_null(ks->v);
	d = &ks->v[ks->n++];
	memset(d, 0, sizeof(*d));
	snprintf(d->section, sizeof(d->section), "%s", section);
	snprintf(d->key, sizeof(d->key), "%.*s", (int)keylen, key);
	d->line = line;
}

/*
 * The key tables of docs/scenario.md: a "## `[name ...]`" heading opens a
 * section, a table whose first header cell is "key" lists its keys.
 */
static void doc_keys(const char *text, struct keyset *ks)
{
	char section[32] = "";
	bool in_table = false;
	int line = 0;

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t len = strcspn(l, "\n");

		line++;
		if (strncmp(l, "## ", 3) == 0) {
			section[0] = '\0';
			in_table = false;
			if (strncmp(l, "## `[", 5) == 0)
				snprintf(section, sizeof(section), "%.*s", (int)strcspn(l + 5, " ]`\n"),
					 l + 5);
			continue;
		}
		if (l[0] != '|') {
			in_table = false;
			continue;
		}
		if (!in_table) {
			in_table = strncmp(l, "| key |", 7) == 0;
			continue;
		}
		if (strncmp(l, "|---", 4) == 0 || !section[0] || !strcmp(section, "group") ||
		    !strcmp(section, "kparam"))
			continue;
		/* every `word` of the first cell */
		{
			const char *cell = l + 1, *end = memchr(cell, '|', len - 1);

			assert_non_null(end);
			for (const char *q = memchr(cell, '`', (size_t)(end - cell)); q && q < end;) {
				const char *close = memchr(q + 1, '`', (size_t)(end - q - 1));

				if (!close)
					break;
				add(ks, section, q + 1, (size_t)(close - q - 1), line);
				q = memchr(close + 1, '`', (size_t)(end - close - 1));
			}
		}
	}
}

static void parser_key(const char *section, const char *key, void *arg)
{
	add(arg, section, key, strlen(key), 0);
}

static void test_doc_tables_match_parser(void **state)
{
	char *text = read_file(WQB_SRC "/docs/scenario.md", NULL);
	struct keyset doc = { 0 }, parsed = { 0 };
	int bad = 0;

	(void)state;
	assert_non_null(text);
	doc_keys(text, &doc);
	scenario_each_key(parser_key, &parsed);
	assert_true(parsed.n > 40);
	for (size_t i = 0; i < doc.n; i++)
		for (size_t j = 0; j < parsed.n; j++)
			if (!strcmp(doc.v[i].section, parsed.v[j].section) &&
			    !strcmp(doc.v[i].key, parsed.v[j].key))
				doc.v[i].matched = parsed.v[j].matched = true;
	for (size_t i = 0; i < doc.n; i++)
		if (!doc.v[i].matched) {
			print_error("docs/scenario.md:%d: [%s] %s is documented, but harness/scenario.c does not accept it in [%s]\n",
				    doc.v[i].line, doc.v[i].section, doc.v[i].key, doc.v[i].section);
			bad++;
		}
	for (size_t j = 0; j < parsed.n; j++)
		if (!parsed.v[j].matched) {
			print_error("[%s] %s: harness/scenario.c accepts it, but the [%s] table of docs/scenario.md has no row for it\n",
				    parsed.v[j].section, parsed.v[j].key, parsed.v[j].section);
			bad++;
		}
	free(doc.v);
	free(parsed.v);
	free(text);
	assert_int_equal(bad, 0);
}

/* the checker itself: a row too many and a row missing are both seen */
static void test_doc_checker_sees_drift(void **state)
{
	struct keyset ks = { 0 };

	(void)state;
	doc_keys("## `[trace]` — x\n\n| key | values |\n|---|---|\n| `enabled`, `bogus` | 0 |\n"
		 "\n| scenario | x |\n|---|---|\n| `not_a_key` | y |\n"
		 "## `[group NAME]`\n| key | v |\n|---|---|\n| `rate` | 1 |\n",
		 &ks);
	assert_int_equal(ks.n, 2);
	assert_string_equal(ks.v[0].section, "trace");
	assert_string_equal(ks.v[0].key, "enabled");
	assert_string_equal(ks.v[1].key, "bogus");
	assert_int_equal(ks.v[1].line, 5);
	free(ks.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_tables_match_parser),
		cmocka_unit_test(test_doc_checker_sees_drift),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
