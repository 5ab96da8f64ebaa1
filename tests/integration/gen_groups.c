// SPDX-License-Identifier: GPL-2.0
/*
 * gen_groups SEED N DIR: N random group definitions, valid and invalid,
 * for the differential test (tests/integration/groups-diff) -- each as a
 * scenario DIR/gNNNNN.wqb for `wqbench check` and as the module's
 * definition line in DIR/defs.txt, the same keys and values in the same
 * order (what the harness hands the module).  Values come from every key
 * type's edges (min, max, max+1, leading zero, 0x, sign, empty, unknown
 * words, repeated flags, trailing commas) and a third of the definitions
 * are built around one rule between keys, half of them breaking it.
 * Prints how often each rule fired (kmod/wqbench_uapi.h decides), and
 * fails when a rule never did: the test must cover every one.  CPUs and
 * nodes stay below the guest's (GUEST_CPUS, node 0): what the kernel under
 * test decides alone is not what this compares.
 */
#include "util.h"
#include "wqbench_uapi.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GUEST_CPUS 4

static uint64_t rng;

static uint64_t next(void)
{
	/* splitmix64 */
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned int pick(unsigned int n)
{
	return (unsigned int)(next() % n);
}

/* the i-th word of choices */
static char *word(const char *choices, unsigned int i)
{
	const char *p = choices;

	while (i--) {
		p = strchr(p, '|');
		if (!p)
			return xstrdup("none");
		p++;
	}
	return xasprintf("%.*s", (int)strcspn(p, "|"), p);
}

static unsigned int nwords(const char *choices)
{
	unsigned int n = 1;

	for (; *choices; choices++)
		n += *choices == '|';
	return n;
}

/* a value for key k: mostly valid, sometimes at or past an edge */
static char *value(int k)
{
	const struct wqbench_key *key = &wqbench_group_keys[k];
	unsigned int r = pick(100);
	uint64_t min = min, kmax = kmax, max = kmax;

	if (k == WQBENCH_GK_CPU)
		max = GUEST_CPUS - 1;
	if (k == WQBENCH_GK_NODE)
		max = 0;
	if (r < 4)
		return xstrdup("");
	switch (key->type) {
	case WQBENCH_KT_UINT:
	case WQBENCH_KT_BOOL:
		if (r < 10)
			return xasprintf("0%" PRIu64, min + pick(5));
		if (r < 14)
			return xasprintf("0x%" PRIx64, min + 1);
		if (r < 17)
			return xasprintf("-%" PRIu64, min + 1);
		if (r < 24 && kmax != WQBENCH_U64_MAX && k != WQBENCH_GK_CPU &&
		    k != WQBENCH_GK_NODE)
			return xasprintf("%" PRIu64, kmax + 1 + pick(3));
		if (r < 26 && min > 0)
			return xasprintf("%" PRIu64, min - 1);
		if (r < 40)
			return xasprintf("%" PRIu64, min);
		if (r < 50)
			return xasprintf("%" PRIu64, max);
		if (r < 52)
			return xstrdup("12abc");
		if (max == WQBENCH_U64_MAX)
			return xasprintf("%" PRIu64, next());
		return xasprintf("%" PRIu64, min + next() % (max - min + 1));
	case WQBENCH_KT_ENUM:
		if (r < 12)
			return xstrdup(pick(2) ? "Cpu" : "bogus");
		return word(key->choices, pick(nwords(key->choices)));
	case WQBENCH_KT_FLAGS: {
		char *s = xstrdup("");
		unsigned int n = 1 + pick(3);

		for (unsigned int i = 0; i < n; i++) {
			char *w = word(key->choices, pick(nwords(key->choices))), *t;

			t = xasprintf("%s%s%s", s, *s ? "," : "", w);
			free(w);
			free(s);
			s = t;
		}
		if (r < 10) {
			char *t = xasprintf("%s,", s);

			free(s);
			s = t;
		} else if (r < 14) {
			char *t = xasprintf("%s,frozen", s);

			free(s);
			s = t;
		}
		return s;
	}
	case WQBENCH_KT_MIX:
		if (r < 10)
			return xstrdup("cpu:5,cpu:3");
		if (r < 14)
			return xstrdup("cpu:1001");
		if (r < 18)
			return xstrdup("sleep:05");
		if (r < 22)
			return xstrdup("disk:3");
		if (r < 26)
			return xstrdup("cpu:5,");
		return xasprintf("cpu:%u,sleep:%u,requeue:%u", pick(1001), pick(1001), pick(1001));
	case WQBENCH_KT_CPULIST:
		if (r < 10)
			return xstrdup(pick(2) ? "," : "0,");
		if (r < 14)
			return xstrdup("01");
		if (r < 18)
			return xstrdup("3-1");
		if (r < 40)
			return xasprintf("%u-%u", pick(2), 2 + pick(GUEST_CPUS - 2));
		return xasprintf("%u", pick(GUEST_CPUS));
	case WQBENCH_KT_NAME:
		return xstrdup("x");
	}
	return xstrdup("?");
}

struct def {
	int key[16];
	char *val[16];
	int n;
};

static bool has(const struct def *d, int k)
{
	for (int i = 0; i < d->n; i++)
		if (d->key[i] == k)
			return true;
	return false;
}

static void add(struct def *d, int k, const char *v)
{
	if (d->n >= 16 || has(d, k))
		return;
	d->key[d->n] = k;
	d->val[d->n++] = v ? xstrdup(v) : value(k);
}

/* a definition built around one rule: its keys, kept or broken */
static void around_rule(struct def *d)
{
	bool keep = pick(2);

	switch (pick(8)) {
	case 0:
		add(d, WQBENCH_GK_KIND, "hog");
		if (keep)
			add(d, WQBENCH_GK_HOG_MS, "5");
		break;
	case 1:
		add(d, WQBENCH_GK_SHAPE, "open");
		if (keep)
			add(d, WQBENCH_GK_RATE, "1000");
		break;
	case 2:
		add(d, WQBENCH_GK_PLACEMENT, "cpus");
		if (keep)
			add(d, WQBENCH_GK_CPUS, "1-2");
		break;
	case 3:
		add(d, WQBENCH_GK_WQ, keep ? "own" : "system_long");
		add(d, pick(2) ? WQBENCH_GK_FLAGS : WQBENCH_GK_MAX_ACTIVE, pick(2) ? "highpri" : "4");
		break;
	case 4:
		add(d, WQBENCH_GK_FLAGS, "ordered");
		add(d, WQBENCH_GK_MAX_ACTIVE, keep ? "0" : "2");
		break;
	case 5:
		add(d, WQBENCH_GK_FLAGS, keep ? "bh,highpri" : pick(2) ? "bh,unbound" : "bh");
		if (!keep) {
			static const char *const bad[][2] = {
				{ "kind", "sleep" }, { "kind", "hog" }, { "kind", "mixed" },
				{ "resched", "1" }, { "work_us", "1001" }, { "max_active", "1" },
				{ "requeue", "delayed" },
			};
			unsigned int b = pick(7);

			if (b == 6)
				add(d, WQBENCH_GK_KIND, "requeue");
			add(d, wqbench_group_key(bad[b][0], strlen(bad[b][0])), bad[b][1]);
		} else {
			add(d, WQBENCH_GK_WORK_US, "1000");
		}
		break;
	case 6:
		add(d, WQBENCH_GK_PLACEMENT, "node");
		if (keep)
			add(d, pick(2) ? WQBENCH_GK_FLAGS : WQBENCH_GK_WQ,
			    pick(2) ? "unbound" : "system_unbound");
		break;
	default:
		add(d, WQBENCH_GK_RATE, keep ? "100000" : "100001");
		break;
	}
}

int main(int argc, char **argv)
{
	unsigned long n;
	unsigned int fired[WQBENCH_GK_NR + 1] = { 0 }, valid = 0, unparsed = 0;
	static const char *const rule_names[] = {
		[WQBENCH_GK_WQ] = "system wq with flags/max_active",
		[WQBENCH_GK_MAX_ACTIVE] = "ordered with max_active",
		[WQBENCH_GK_FLAGS] = "bh combinations",
		[WQBENCH_GK_KIND] = "hog without hog_ms",
		[WQBENCH_GK_PLACEMENT] = "placement node/cpus",
		[WQBENCH_GK_SHAPE] = "open without rate",
	};
	char *path;
	FILE *defs;

	if (argc != 4) {
		fprintf(stderr, "usage: gen_groups SEED N DIR\n");
		return 2;
	}
	rng = strtoull(argv[1], NULL, 10);
	n = strtoul(argv[2], NULL, 10);
	path = path_join(argv[3], "defs.txt");
	defs = fopen(path, "w");
	if (!defs) {
		perror(path);
		return 2;
	}
	free(path);
	for (unsigned long i = 0; i < n; i++) {
		struct def d = { .n = 0 };
		char *wqb = xasprintf("[group g]\n"), *line = xstrdup("name=g"), *t;
		__u64 v[WQBENCH_GK_NR];
		const char *why;
		bool ok = true;
		int extra = pick(4);

		if (pick(3) == 0)
			around_rule(&d);
		for (int j = 0; j < extra; j++)
			add(&d, 1 + (int)pick(WQBENCH_GK_NR - 1), NULL);
		if (pick(50) == 0) {	/* an unknown key */
			d.key[d.n] = -1;
			d.val[d.n++] = xstrdup("1");
		}
		wqbench_group_defaults(v);
		for (int j = 0; j < d.n; j++) {
			const char *key = d.key[j] < 0 ? "bogus" : wqbench_group_keys[d.key[j]].key;

			t = xasprintf("%s%s = %s\n", wqb, key, d.val[j]);
			free(wqb);
			wqb = t;
			t = xasprintf("%s %s=%s", line, key, d.val[j]);
			free(line);
			line = t;
			if (d.key[j] < 0 ||
			    wqbench_key_parse(&wqbench_group_keys[d.key[j]], d.val[j], &v[d.key[j]], &why))
				ok = false;
			free(d.val[j]);
		}
		if (ok) {
			int k = wqbench_group_rules(v, &why);

			fired[k < 0 ? WQBENCH_GK_NR : k]++;
			valid += k < 0;
		} else {
			unparsed++;
		}
		path = xasprintf("%s/g%05lu.wqb", argv[3], i);
		if (write_file_atomic(path, wqb, strlen(wqb), 0644) < 0) {
			perror(path);
			return 2;
		}
		fprintf(defs, "%s\n", line);
		free(path);
		free(wqb);
		free(line);
	}
	fclose(defs);
	printf("gen_groups: %lu definitions (seed %s): %u valid, %u with a bad value or key",
	       n, argv[1], valid, unparsed);
	for (size_t k = 0; k < ARRAY_SIZE(rule_names); k++)
		if (rule_names[k])
			printf(", %s %u", rule_names[k], fired[k]);
	printf("\n");
	for (size_t k = 0; k < ARRAY_SIZE(rule_names); k++)
		if (rule_names[k] && !fired[k]) {
			fprintf(stderr, "gen_groups: the rule '%s' never fired: raise N\n",
				rule_names[k]);
			return 1;
		}
	return valid && unparsed ? 0 : 1;
}
