// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench restore`: its usage; the restore is harness/state.c's
 * (state_restore()).
 */
#include "commands.h"
#include "state.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cmd_restore(int argc, char **argv)
{
	json_t *rep = NULL;
	size_t i;
	json_t *v;
	int r;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: wqbench restore\nPuts back what the state file %s recorded (set WQBENCH_STATE to use another).\n",
		       state_file_path());
		return 0;
	}
	if (argc > 1) {
		wqb_err("restore takes no arguments");
		return 2;
	}
	if (geteuid() != 0) {
		wqb_err("restore changes CPU hotplug and workqueue sysfs state: run it as root");
		return 2;
	}
	r = state_restore(&rep);
	if (wqb_verbosity > 0)
		json_array_foreach(rep, i, v)
			printf("%s\n", json_string_value(v));
	json_decref(rep);
	if (r)
		wqb_err("some state could not be restored; the state file %s is kept",
			state_file_path());
	return r ? 1 : 0;
}
