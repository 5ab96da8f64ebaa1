// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a result directory back (see rundata.h and results/README.md).
 */
#include "rundata.h"
#include "util.h"

#include <csv.h>
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

static json_t *load_json(struct rundata *rd, const char *name)
{
	char *p = path_join(rd->dir, name);
	json_t *j = json_load_file(p, 0, NULL);

	free(p);
	if (!j || !json_is_object(j)) {
		json_decref(j);
		note_missing(rd, name);
		return NULL;
	}
	return j;
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
	/* row 0 is the header; rows with too few fields are skipped */
	if (cs->row++ && cs->nf >= 7 && !parse_i64(cs->field[0], &t)) {
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
	}
	cs->nf = 0;
}

static void load_events(struct rundata *rd)
{
	char *p = path_join(rd->dir, "events.csv");
	size_t len;
	char *text = read_file(p, &len);
	struct csv_state cs = { .rd = rd };
	struct csv_parser parser;

	free(p);
	if (!text || csv_init(&parser, 0) != 0) {
		note_missing(rd, "events.csv");
		free(text);
		return;
	}
	if (csv_parse(&parser, text, len, csv_field_cb, csv_row_cb, &cs) != len)
		note_missing(rd, "events.csv(malformed)");
	csv_fini(&parser, csv_field_cb, csv_row_cb, &cs);
	csv_free(&parser);
	free(text);
}

int rundata_load(const char *dir, struct rundata *rd, char *err, size_t errlen)
{
	char *p, *text;

	memset(rd, 0, sizeof(*rd));
	rd->dir = xstrdup(dir);
	rd->summary = load_json(rd, "summary.json");
	if (!rd->summary) {
		snprintf(err, errlen,
			 "%s: no readable summary.json: not a wqbench result directory, or the run died before writing one",
			 dir);
		rundata_free(rd);
		return -1;
	}
	rd->meta = load_json(rd, "meta.json");
	rd->stats = load_json(rd, "kmod-stats.json");
	p = path_join(dir, "kmod-hist.txt");
	text = read_file(p, NULL);
	if (!text || kmod_hist_parse(text, &rd->hist, &rd->nhist) < 0) {
		note_missing(rd, text ? "kmod-hist.txt(malformed)" : "kmod-hist.txt");
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
