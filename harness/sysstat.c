// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/stat, /proc/interrupts and the kworker census.
 */
#include "sysstat.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *procroot(void)
{
	const char *r = getenv("WQBENCH_PROC");

	return r && *r ? r : "/proc";
}

static char *proc_read(const char *name)
{
	char *p = path_join(procroot(), name), *t = read_file(p, NULL);

	free(p);
	return t;
}

/* "cpu3 1 2 3 ..." -> arrays; "ctxt 123" -> integers */
static json_t *parse_stat(char *text)
{
	json_t *o = json_object();
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tok, *ts = NULL, *key = strtok_r(line, " ", &ts);
		json_t *arr = json_array();

		if (!key)
			continue;
		while ((tok = strtok_r(NULL, " ", &ts))) {
			int64_t v;

			if (parse_i64(tok, &v) == 0)
				json_array_append_new(arr, json_integer(v));
		}
		if (strncmp(key, "cpu", 3) == 0) {
			json_object_set_new(o, key, arr);
		} else {
			/* intr/softirq: the total only; per IRQ comes from /proc/interrupts */
			if (json_array_size(arr))
				json_object_set(o, key, json_array_get(arr, 0));
			json_decref(arr);
		}
	}
	return o;
}

/*
 * /proc/interrupts: a header of CPU names (only online CPUs), then
 * "NAME: count count ... description".
 */
static json_t *parse_interrupts(char *text)
{
	json_t *o = json_object();
	char *line, *save = NULL, *cpus[1024];
	size_t ncpu = 0;

	line = strtok_r(text, "\n", &save);
	if (!line)
		return o;
	{
		char *tok, *ts = NULL;

		for (tok = strtok_r(line, " ", &ts); tok && ncpu < 1024; tok = strtok_r(NULL, " ", &ts))
			cpus[ncpu++] = tok;
	}
	for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tok, *ts = NULL, *name = strtok_r(line, " ", &ts);
		json_t *row = json_object();
		size_t i = 0;

		if (!name || !strchr(name, ':')) {
			json_decref(row);
			continue;
		}
		name[strlen(name) - 1] = '\0';
		while (i < ncpu && (tok = strtok_r(NULL, " ", &ts))) {
			int64_t v;

			if (parse_i64(tok, &v) < 0)
				break;
			json_object_set_new(row, cpus[i++], json_integer(v));
		}
		json_object_set_new(o, name, row);
	}
	return o;
}

int kworker_pool(const char *comm, char *pool, size_t len)
{
	const char *p;
	char *colon;

	if (strncmp(comm, "kworker/", 8) != 0)
		return -1;
	p = comm + 8;
	if (strncmp(p, "R-", 2) == 0) {		/* 6.x rescuers: kworker/R-<wq> */
		snprintf(pool, len, "rescuer");
		return 0;
	}
	if (strncmp(p, "dying", 5) == 0) {
		snprintf(pool, len, "dying");
		return 0;
	}
	if (*p == 'u') {
		snprintf(pool, len, "u%.*s", (int)strcspn(p + 1, ":"), p + 1);
		return 0;
	}
	if (!isdigit((unsigned char)*p))
		return -1;
	snprintf(pool, len, "cpu%.*s", (int)strcspn(p, ":"), p);
	colon = strchr(p, ':');
	/* "3:1H" is the CPU's highpri pool; "3:1-events" a busy worker */
	if (colon && strchr(colon, 'H') && strcspn(colon, "-") > strcspn(colon, "H"))
		strncat(pool, "H", len - strlen(pool) - 1);
	return 0;
}

static json_t *kworker_census(void)
{
	DIR *d = opendir(procroot());
	json_t *o = json_object();
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char *rel, *comm, pool[64];

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		rel = xasprintf("%s/comm", de->d_name);
		comm = proc_read(rel);
		free(rel);
		if (comm) {
			str_trim(comm);
			if (kworker_pool(comm, pool, sizeof(pool)) == 0)
				json_object_set_new(o, pool, json_integer(
					json_integer_value(json_object_get(o, pool)) + 1));
		}
		free(comm);
	}
	if (d)
		closedir(d);
	return o;
}

json_t *sysstat_snapshot(void)
{
	json_t *o = json_object();
	char *t;

	t = proc_read("stat");
	json_object_set_new(o, "stat", t ? parse_stat(t) : json_object());
	free(t);
	t = proc_read("interrupts");
	json_object_set_new(o, "interrupts", t ? parse_interrupts(t) : json_object());
	free(t);
	json_object_set_new(o, "kworkers", kworker_census());
	return o;
}

static json_t *diff_value(json_t *a, json_t *b)
{
	if (json_is_integer(a) && json_is_integer(b))
		return json_integer(json_integer_value(b) - json_integer_value(a));
	if (json_is_array(a) && json_is_array(b)) {
		json_t *r = json_array();

		for (size_t i = 0; i < json_array_size(a) && i < json_array_size(b); i++)
			json_array_append_new(r, diff_value(json_array_get(a, i),
							    json_array_get(b, i)));
		return r;
	}
	if (json_is_object(a) && json_is_object(b)) {
		json_t *r = json_object(), *va;
		const char *k;

		json_object_foreach(a, k, va) {
			json_t *vb = json_object_get(b, k);

			if (vb)
				json_object_set_new(r, k, diff_value(va, vb));
		}
		return r;
	}
	return json_null();
}

json_t *sysstat_delta(json_t *before, json_t *after)
{
	json_t *o = json_object(), *missing = json_array(), *v;
	json_t *sb = json_object_get(before, "stat"), *sa = json_object_get(after, "stat");
	const char *k;

	json_object_set_new(o, "stat", diff_value(sb, sa));
	json_object_set_new(o, "interrupts", diff_value(json_object_get(before, "interrupts"),
							json_object_get(after, "interrupts")));
	json_object_foreach(sb, k, v)
		if (strncmp(k, "cpu", 3) == 0 && !json_object_get(sa, k))
			json_array_append_new(missing, json_string(k));
	json_object_foreach(sa, k, v)
		if (strncmp(k, "cpu", 3) == 0 && !json_object_get(sb, k))
			json_array_append_new(missing, json_string(k));
	json_object_set_new(o, "cpus_missing", missing);
	json_object_set_new(o, "kworkers", json_pack("{s:O,s:O}", "before",
						     json_object_get(before, "kworkers"), "after",
						     json_object_get(after, "kworkers")));
	return o;
}
