// SPDX-License-Identifier: GPL-2.0
/*
 * jsonq FILE PATH: print the JSON value at PATH ("a.b.0.c"; numbers index
 * arrays) -- strings bare, anything else as compact JSON.  For the shell
 * tests, which must not depend on python or jq being installed.
 * "checks:NAME" selects the status of the named check in a summary.json.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	json_error_t e;
	json_t *j, *v;
	char *path, *tok, *save = NULL;

	if (argc != 3) {
		fprintf(stderr, "usage: jsonq FILE PATH\n");
		return 2;
	}
	j = json_load_file(argv[1], 0, &e);
	if (!j) {
		fprintf(stderr, "jsonq: %s: %s\n", argv[1], e.text);
		return 2;
	}
	v = j;
	if (strncmp(argv[2], "checks:", 7) == 0) {
		json_t *c;
		size_t i;

		v = NULL;
		json_array_foreach(json_object_get(j, "checks"), i, c)
			if (strcmp(json_string_value(json_object_get(c, "name")), argv[2] + 7) == 0)
				v = json_object_get(c, "status");
	} else {
		path = strdup(argv[2]);
		for (tok = strtok_r(path, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save)) {
			char *end;
			long idx = strtol(tok, &end, 10);

			v = json_is_array(v) && !*end ? json_array_get(v, (size_t)idx)
						      : json_object_get(v, tok);
		}
		free(path);
	}
	if (!v) {
		json_decref(j);
		return 1;
	}
	if (json_is_string(v)) {
		puts(json_string_value(v));
	} else {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		puts(s);
		free(s);
	}
	json_decref(j);
	return 0;
}
