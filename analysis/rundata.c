// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a result directory back (see rundata.h and results/README.md).
 */
#include "rundata.h"
#include "util.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void note_missing(struct rundata *rd, const char *name)
{
	size_t l = strlen(rd->missing);

	snprintf(rd->missing + l, sizeof(rd->missing) - l, "%s%s", l ? " " : "", name);
}

static void note_damaged(struct rundata *rd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* a file that is there but cannot be trusted: "; "-separated in ->damaged */
static void note_damaged(struct rundata *rd, const char *fmt, ...)
{
	size_t l = strlen(rd->damaged);
	va_list ap;

	if (l + 4 >= sizeof(rd->damaged))
		return;
	if (l)
		l += (size_t)snprintf(rd->damaged + l, sizeof(rd->damaged) - l, "; ");
	va_start(ap, fmt);
	vsnprintf(rd->damaged + l, sizeof(rd->damaged) - l, fmt, ap);
	va_end(ap);
}

/* absent: NULL, noted missing; there but not a JSON object: NULL, noted damaged */
static json_t *load_json(struct rundata *rd, const char *name)
{
	char *p = path_join(rd->dir, name);
	json_error_t je;
	json_t *j;

	if (!path_exists(p)) {
		free(p);
		note_missing(rd, name);
		return NULL;
	}
	j = json_load_file(p, 0, &je);
	free(p);
	if (!j) {
		note_damaged(rd, "%s: not JSON (line %d: %s)", name, je.line, je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		note_damaged(rd, "%s: not a JSON object", name);
		json_decref(j);
		return NULL;
	}
	return j;
}

/* --- the shape of each JSON file: what its readers rely on ------------ */

enum shape { S_STR, S_INT, S_NUM, S_BOOL, S_ARR, S_OBJ, S_INT_NULL };

struct field {
	const char *key;
	enum shape t;
	bool required;
};

static const char *const shape_name[] = { "a string", "an integer", "a number", "true or false",
					  "a list", "an object", "an integer or null" };

static bool shape_ok(json_t *v, enum shape t)
{
	switch (t) {
	case S_STR: return json_is_string(v);
	case S_INT: return json_is_integer(v);
	case S_NUM: return json_is_number(v);
	case S_BOOL: return json_is_boolean(v);
	case S_ARR: return json_is_array(v);
	case S_OBJ: return json_is_object(v);
	default: return json_is_integer(v) || json_is_null(v);
	}
}

/* false (and one note) at the first field of the wrong shape */
static bool fields_ok(struct rundata *rd, const char *file, const char *where, json_t *o,
		      const struct field *f, size_t n)
{
	if (!json_is_object(o)) {
		note_damaged(rd, "%s: %s is not an object", file, where);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(o, f[i].key);

		if (!v && f[i].required) {
			note_damaged(rd, "%s: %s%s has no \"%s\"", file, where, *where ? "" : "it",
				     f[i].key);
			return false;
		}
		if (v && !shape_ok(v, f[i].t)) {
			note_damaged(rd, "%s: %s%s\"%s\" is not %s", file, where, *where ? " " : "",
				     f[i].key, shape_name[f[i].t]);
			return false;
		}
	}
	return true;
}

#define NF(a) (sizeof(a) / sizeof((a)[0]))

static bool summary_ok(struct rundata *rd, json_t *j)
{
	static const struct field top[] = {
		{ "verdict", S_STR, true }, { "scenario", S_STR, false },
		{ "complete", S_BOOL, false }, { "checks", S_ARR, false },
		{ "reasons", S_ARR, false }, { "guest", S_OBJ, false },
		{ "hotplug", S_OBJ, false }, { "metrics", S_OBJ, false },
		{ "t0_mono_ns", S_INT, false }, { "items_completed", S_INT, false },
	};
	static const struct field check[] = {
		{ "name", S_STR, true }, { "status", S_STR, true }, { "detail", S_STR, false },
	};
	static const struct field guest[] = {
		{ "outcome", S_STR, false }, { "accel", S_STR, false }, { "kernel", S_STR, false },
		{ "reason", S_STR, false }, { "boot_ms", S_INT, false }, { "total_ms", S_INT, false },
		{ "attempts", S_INT, false }, { "icount", S_STR, false },
	};
	static const struct field hp[] = {
		{ "offline_ok", S_INT, false }, { "offline_attempts", S_INT, false },
		{ "offline_sum_us", S_INT, false }, { "offline_min_us", S_INT, false },
		{ "offline_max_us", S_INT, false }, { "online_ok", S_INT, false },
		{ "online_attempts", S_INT, false }, { "online_sum_us", S_INT, false },
		{ "online_min_us", S_INT, false }, { "online_max_us", S_INT, false },
	};
	static const char *const verdicts[] = { "pass", "fail", "skip" };
	const char *v;
	json_t *e, *m;
	const char *key;
	size_t i;
	bool known = false;

	if (!fields_ok(rd, "summary.json", "", j, top, NF(top)))
		return false;
	v = json_string_value(json_object_get(j, "verdict"));
	for (i = 0; i < NF(verdicts); i++)
		known |= !strcmp(v, verdicts[i]);
	if (!known) {
		note_damaged(rd, "summary.json: verdict \"%.40s\" is not pass, fail or skip", v);
		return false;
	}
	json_array_foreach(json_object_get(j, "checks"), i, e) {
		char where[32];

		snprintf(where, sizeof(where), "checks[%zu]", i);
		if (!fields_ok(rd, "summary.json", where, e, check, NF(check)))
			return false;
	}
	json_array_foreach(json_object_get(j, "reasons"), i, e)
		if (!json_is_string(e)) {
			note_damaged(rd, "summary.json: reasons[%zu] is not a string", i);
			return false;
		}
	if (json_object_get(j, "guest") &&
	    !fields_ok(rd, "summary.json", "guest", json_object_get(j, "guest"), guest, NF(guest)))
		return false;
	if (json_object_get(j, "hotplug") &&
	    !fields_ok(rd, "summary.json", "hotplug", json_object_get(j, "hotplug"), hp, NF(hp)))
		return false;
	json_object_foreach(json_object_get(j, "metrics"), key, m)
		if (!json_is_number(json_object_get(m, "value"))) {
			note_damaged(rd, "summary.json: metrics \"%.60s\" has no numeric value", key);
			return false;
		}
	return true;
}

static bool meta_ok(struct rundata *rd, json_t *j)
{
	static const struct field top[] = {
		{ "kernel", S_OBJ, false }, { "cpu", S_OBJ, false }, { "scenario", S_OBJ, false },
		{ "clock", S_OBJ, false }, { "wqbench", S_OBJ, false }, { "run_id", S_STR, false },
	};
	static const struct field kernel[] = { { "release", S_STR, false } };
	static const struct field cpu[] = { { "online", S_STR, false } };
	static const struct field scen[] = { { "duration_ms", S_INT, false } };
	static const struct field clock[] = {
		{ "clocksource", S_STR, false }, { "resolution_ns", S_INT_NULL, false },
	};
	static const struct field wqb[] = {
		{ "git_revision", S_STR, false }, { "git_dirty", S_BOOL, false },
	};
	static const struct {
		const char *key;
		const struct field *f;
		size_t n;
	} sub[] = {
		{ "kernel", kernel, NF(kernel) }, { "cpu", cpu, NF(cpu) },
		{ "scenario", scen, NF(scen) }, { "clock", clock, NF(clock) },
		{ "wqbench", wqb, NF(wqb) },
	};

	if (!fields_ok(rd, "meta.json", "", j, top, NF(top)))
		return false;
	for (size_t i = 0; i < NF(sub); i++) {
		json_t *o = json_object_get(j, sub[i].key);

		if (o && !fields_ok(rd, "meta.json", sub[i].key, o, sub[i].f, sub[i].n))
			return false;
	}
	return true;
}

static bool stats_ok(struct rundata *rd, json_t *j)
{
	static const struct field top[] = { { "group", S_ARR, true }, { "cpu", S_ARR, false } };
	static const struct field group[] = {
		{ "name", S_STR, true }, { "completed", S_INT, true },
		{ "elapsed_ns", S_INT, false }, { "measured_ns", S_INT, false },
		{ "measured_completed", S_INT, false }, { "max_concurrency", S_INT, false },
		{ "items_per_sec", S_NUM, false }, { "measured_items_per_sec", S_NUM, false },
		{ "lat_p50_ns", S_NUM, false }, { "lat_p99_ns", S_NUM, false },
		{ "run_p50_ns", S_NUM, false }, { "run_p99_ns", S_NUM, false },
	};
	static const struct field cpu[] = {
		{ "cpu", S_INT, true }, { "group", S_STR, true }, { "runs", S_INT, true },
	};
	json_t *e;
	size_t i;

	if (!fields_ok(rd, "kmod-stats.json", "", j, top, NF(top)))
		return false;
	json_array_foreach(json_object_get(j, "group"), i, e) {
		char where[32];

		snprintf(where, sizeof(where), "group[%zu]", i);
		if (!fields_ok(rd, "kmod-stats.json", where, e, group, NF(group)))
			return false;
	}
	json_array_foreach(json_object_get(j, "cpu"), i, e) {
		char where[32];

		snprintf(where, sizeof(where), "cpu[%zu]", i);
		if (!fields_ok(rd, "kmod-stats.json", where, e, cpu, NF(cpu)))
			return false;
	}
	return true;
}

/* "key=value" from a space-separated line, into buf. */
static bool kv(const char *line, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = line; (p = strstr(p, key)); p += kl) {
		size_t n;

		if ((p != line && p[-1] != ' ') || p[kl] != '=')
			continue;
		n = strcspn(p + kl + 1, " \n");
		if (n >= len)
			return false;
		memcpy(buf, p + kl + 1, n);
		buf[n] = '\0';
		return true;
	}
	return false;
}

static struct kmod_hist *hist_find_or_add(struct kmod_hist **v, size_t *n, const char *group,
					  const char *metric)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].group, group) && !strcmp((*v)[i].metric, metric))
			return &(*v)[i];
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	memset(&(*v)[*n], 0, sizeof(**v));
	snprintf((*v)[*n].group, sizeof((*v)[*n].group), "%s", group);
	snprintf((*v)[*n].metric, sizeof((*v)[*n].metric), "%s", metric);
	return &(*v)[(*n)++];
}

static int hist_parse_fail(struct kmod_hist **out, size_t *n)
{
	/* a bad line anywhere: nothing half-read is handed back */
	for (size_t i = 0; i < *n; i++) {
		free((*out)[i].lo);
		free((*out)[i].hi);
		free((*out)[i].count);
	}
	free(*out);
	*out = NULL;
	*n = 0;
	return -1;
}

int kmod_hist_parse(const char *text, struct kmod_hist **out, size_t *n)
{
	const char *line = text;

	*out = NULL;
	*n = 0;
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[256], group[40], cpu[16], metric[8], lo[24], hi[24], cnt[24];
		struct kmod_hist *h;
		uint64_t vlo, vhi, vc;

		if (len && line[0] != '#') {
			if (len >= sizeof(buf))
				return hist_parse_fail(out, n);
			memcpy(buf, line, len);
			buf[len] = '\0';
			if (strncmp(buf, "hist ", 5) || !kv(buf, "group", group, sizeof(group)) ||
			    !kv(buf, "cpu", cpu, sizeof(cpu)) ||
			    !kv(buf, "metric", metric, sizeof(metric)) ||
			    !kv(buf, "lo_ns", lo, sizeof(lo)) || !kv(buf, "hi_ns", hi, sizeof(hi)) ||
			    !kv(buf, "count", cnt, sizeof(cnt)) || parse_u64(lo, &vlo) ||
			    parse_u64(hi, &vhi) || parse_u64(cnt, &vc) || vhi < vlo)
				return hist_parse_fail(out, n);
			if (!strcmp(cpu, "all")) {
				h = hist_find_or_add(out, n, group, metric);
				h->lo = xrealloc(h->lo, (h->n + 1) * sizeof(*h->lo));
				h->hi = xrealloc(h->hi, (h->n + 1) * sizeof(*h->hi));
				h->count = xrealloc(h->count, (h->n + 1) * sizeof(*h->count));
				h->lo[h->n] = vlo;
				h->hi[h->n] = vhi;
				h->count[h->n] = vc;
				h->n++;
				h->total += vc;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

double kmod_hist_quantile(const struct kmod_hist *h, double q)
{
	double rank, seen = 0;

	if (!h || !h->total)
		return NAN;
	rank = q * (double)h->total;
	for (size_t i = 0; i < h->n; i++) {
		if (seen + (double)h->count[i] >= rank && h->count[i]) {
			double f = (rank - seen) / (double)h->count[i];

			return (double)h->lo[i] + f * (double)(h->hi[i] - h->lo[i]);
		}
		seen += (double)h->count[i];
	}
	return (double)h->hi[h->n - 1];
}

double kmod_hist_max(const struct kmod_hist *h)
{
	for (size_t i = h ? h->n : 0; i-- > 0;)
		if (h->count[i])
			return (double)h->hi[i];
	return NAN;
}

const struct kmod_hist *rundata_hist(const struct rundata *rd, const char *group,
				     const char *metric)
{
	for (size_t i = 0; i < rd->nhist; i++)
		if (!strcmp(rd->hist[i].group, group) && !strcmp(rd->hist[i].metric, metric))
			return &rd->hist[i];
	return NULL;
}

/* libcsv callbacks: fields of the current row, then the row into rd->ev. */
struct csv_state {
	struct rundata *rd;
	char field[8][80];
	size_t nf;
	size_t row;
	size_t bad_row;		/* first row (1 = the header) that is not an event */
};

static void csv_field_cb(void *s, size_t len, void *data)
{
	struct csv_state *cs = data;

	if (cs->nf < 8)
		snprintf(cs->field[cs->nf], sizeof(cs->field[0]), "%.*s", (int)len,
			 (const char *)s);
	cs->nf++;
}

static void csv_row_cb(int c, void *data)
{
	struct csv_state *cs = data;
	struct rundata *rd = cs->rd;
	struct run_event *e;
	int64_t t;

	(void)c;
	if (cs->row == 0) {
		/* the header names the columns this reader expects */
		if (cs->nf < 7 || strcmp(cs->field[0], "t_ms") || strcmp(cs->field[6], "latency_us"))
			cs->bad_row = cs->bad_row ? cs->bad_row : 1;
		cs->row++;
		cs->nf = 0;
		return;
	}
	cs->row++;
	/* 7 or 8 fields, a time in ms and an empty or integer latency */
	if (cs->nf < 7 || cs->nf > 8 || parse_i64(cs->field[0], &t) ||
	    (cs->field[6][0] && parse_i64(cs->field[6], &t))) {
		if (!cs->bad_row)
			cs->bad_row = cs->row;
		cs->nf = 0;
		return;
	}
	parse_i64(cs->field[0], &t);
	rd->ev = xrealloc(rd->ev, (rd->nev + 1) * sizeof(*rd->ev));
	e = &rd->ev[rd->nev++];
	memset(e, 0, sizeof(*e));
	e->t_ms = t;
	snprintf(e->source, sizeof(e->source), "%.*s", (int)sizeof(e->source) - 1, cs->field[1]);
	snprintf(e->action, sizeof(e->action), "%.*s", (int)sizeof(e->action) - 1, cs->field[2]);
	snprintf(e->target, sizeof(e->target), "%.*s", (int)sizeof(e->target) - 1, cs->field[3]);
	snprintf(e->value, sizeof(e->value), "%.*s", (int)sizeof(e->value) - 1, cs->field[4]);
	snprintf(e->outcome, sizeof(e->outcome), "%.*s", (int)sizeof(e->outcome) - 1, cs->field[5]);
	if (parse_i64(cs->field[6], &e->latency_us))
		e->latency_us = -1;
	if (cs->nf >= 8)
		snprintf(e->detail, sizeof(e->detail), "%.*s", (int)sizeof(e->detail) - 1,
			 cs->field[7]);
	cs->nf = 0;
}

static void load_events(struct rundata *rd)
{
	char *p = path_join(rd->dir, "events.csv");
	size_t len;
	char *text = read_file(p, &len);
	struct csv_state cs = { .rd = rd };
	struct csv_parser parser;

	if (!text && path_exists(p)) {
		note_damaged(rd, "events.csv: unreadable (%s)", strerror(errno));
		rd->events_damaged = true;
	} else if (!text) {
		note_missing(rd, "events.csv");
	}
	free(p);
	if (!text || csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		free(text);
		return;
	}
	if (memchr(text, '\0', len)) {
		note_damaged(rd, "events.csv: binary data (a NUL byte at offset %zu)",
			     (size_t)((char *)memchr(text, '\0', len) - text));
		rd->events_damaged = true;
	} else if (csv_parse(&parser, text, len, csv_field_cb, csv_row_cb, &cs) != len ||
		   csv_fini(&parser, csv_field_cb, csv_row_cb, &cs) != 0) {
		note_damaged(rd, "events.csv: not CSV (%s)", csv_strerror(csv_error(&parser)));
		rd->events_damaged = true;
	} else if (cs.bad_row) {
		note_damaged(rd, "events.csv: line %zu is not %s", cs.bad_row,
			     cs.bad_row == 1 ? "its header (t_ms,...,latency_us[,detail])" :
			     "an event (7 or 8 fields, integer t_ms and latency_us)");
		rd->events_damaged = true;
	}
	/* a damaged fault log is not half used: the oracles would misjudge */
	if (rd->events_damaged) {
		free(rd->ev);
		rd->ev = NULL;
		rd->nev = 0;
	}
	csv_free(&parser);
	free(text);
}

int rundata_load(const char *dir, struct rundata *rd, char *err, size_t errlen)
{
	char *p, *text;

	memset(rd, 0, sizeof(*rd));
	rd->dir = xstrdup(dir);
	rd->summary = load_json(rd, "summary.json");
	if (!rd->summary && rd->damaged[0]) {
		snprintf(err, errlen, "%s: no readable summary.json: verdict error, damaged input: %s",
			 dir, rd->damaged);
		rundata_free(rd);
		return -1;
	}
	if (!rd->summary) {
		snprintf(err, errlen,
			 "%s: no readable summary.json: not a wqbench result directory, or the run died before writing one",
			 dir);
		rundata_free(rd);
		return -1;
	}
	summary_ok(rd, rd->summary);
	rd->meta = load_json(rd, "meta.json");
	if (rd->meta && !meta_ok(rd, rd->meta)) {
		json_decref(rd->meta);
		rd->meta = NULL;
	}
	rd->stats = load_json(rd, "kmod-stats.json");
	if (rd->stats && !stats_ok(rd, rd->stats)) {
		json_decref(rd->stats);
		rd->stats = NULL;
	}
	p = path_join(dir, "kmod-hist.txt");
	text = read_file(p, NULL);
	if (!text || kmod_hist_parse(text, &rd->hist, &rd->nhist) < 0) {
		if (text || path_exists(p))
			note_damaged(rd, "kmod-hist.txt: %s", text ? "a line is not a histogram bucket" :
				     strerror(errno));
		else
			note_missing(rd, "kmod-hist.txt");
		for (size_t i = 0; i < rd->nhist; i++) {
			free(rd->hist[i].lo);
			free(rd->hist[i].hi);
			free(rd->hist[i].count);
		}
		free(rd->hist);
		rd->hist = NULL;
		rd->nhist = 0;
	}
	free(text);
	free(p);
	load_events(rd);
	return 0;
}

char *run_identity(const char *dir)
{
	char *p = path_join(dir, "meta.json");
	json_t *m = json_load_file(p, 0, NULL);
	const char *id = json_string_value(json_object_get(m, "run_id"));
	char *out = id && *id ? xasprintf("run_id:%s", id) : NULL;

	json_decref(m);
	free(p);
	if (!out) {
		char *real = abs_path(dir);

		out = real ? xasprintf("path:%s", real) : xasprintf("path:%s", dir);
		free(real);
	}
	return out;
}

void rundata_free(struct rundata *rd)
{
	json_decref(rd->meta);
	json_decref(rd->summary);
	json_decref(rd->stats);
	for (size_t i = 0; i < rd->nhist; i++) {
		free(rd->hist[i].lo);
		free(rd->hist[i].hi);
		free(rd->hist[i].count);
	}
	free(rd->hist);
	free(rd->ev);
	free(rd->dir);
	memset(rd, 0, sizeof(*rd));
}
