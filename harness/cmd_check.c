// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench check`: its usage and arguments; parsing and every rule are
 * harness/scenario.c's.
 */
#include "commands.h"
#include "scenario.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* `wqbench check FILE...`: exit 0 when every file is valid. */
int cmd_check(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		printf("usage: wqbench check FILE.wqb|FILE.suite...\n"
		       "       wqbench check --keys   every section's keys, what they accept, defaults\n");
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--keys") == 0) {
		scenario_print_keys();
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		char *err = NULL;

		if (is_suite_path(argv[i])) {
			struct wqb_suite su;

			if (suite_load(argv[i], &su, &err) < 0) {
				fprintf(stderr, "%s\n", err);
				free(err);
				bad++;
				continue;
			}
			for (size_t j = 0; j < su.n; j++) {
				struct wqb_scenario sc;

				if (scenario_load(su.e[j].path, &sc, &err) < 0) {
					fprintf(stderr, "%s\n", err);
					free(err);
					bad++;
				} else {
					scenario_free(&sc);
				}
			}
			if (!bad && wqb_verbosity > 0)	/* --quiet: the exit status says it */
				printf("%s: ok (%zu scenarios)\n", argv[i], su.n);
			suite_free(&su);
		} else {
			struct wqb_scenario sc;

			if (scenario_load(argv[i], &sc, &err) < 0) {
				fprintf(stderr, "%s\n", err);
				free(err);
				bad++;
			} else {
				if (wqb_verbosity > 0)
					printf("%s: ok (%zu groups, %llu ms)\n", argv[i], sc.ngroups,
					       (unsigned long long)sc.duration_ms);
				scenario_free(&sc);
			}
		}
	}
	return bad ? 1 : 0;
}
