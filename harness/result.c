// SPDX-License-Identifier: GPL-2.0
/*
 * Result directories: events.csv, checks, summary.json, result.ktap, latest.
 */
#include "result.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int result_open(struct run_result *r, const char *dir)
{
	char *ev;

	memset(r, 0, sizeof(*r));
	if (mkdir_p(dir, 0755) < 0) {
		wqb_err("cannot create result directory %s: %s", dir, strerror(errno));
		return -1;
	}
	r->dir = abs_path(dir);
	r->t0_ns = now_mono_ns();
	r->extra = json_object();
	ev = path_join(r->dir, "events.csv");
	r->events = fopen(ev, "w");
	free(ev);
	if (!r->events) {
		wqb_err("cannot write events.csv in %s: %s", dir, strerror(errno));
		return -1;
	}
	/*
	 * Fully buffered: in the guest every write is a 9p round trip that
	 * wakes netfs kworkers, which would show up in the very trace being
	 * recorded.  result_flush() writes it out at phase boundaries.  The
	 * buffer is our own: given NULL, glibc ignores the size and uses
	 * st_blksize (8 KiB on 9p).
	 */
	r->events_buf = xmalloc(1 << 16);
	setvbuf(r->events, r->events_buf, _IOFBF, 1 << 16);
	fprintf(r->events, "t_ms,source,action,target,value,outcome,latency_us,detail\n");
	return 0;
}

void result_flush(struct run_result *r)
{
	if (r->events)
		fflush(r->events);
}

void result_close(struct run_result *r)
{
	if (r->events)
		fclose(r->events);
	free(r->events_buf);
	for (size_t i = 0; i < r->nchecks; i++) {
		free(r->checks[i].name);
		free(r->checks[i].detail);
	}
	free(r->checks);
	json_decref(r->extra);
	free(r->dir);
	memset(r, 0, sizeof(*r));
}

void result_check(struct run_result *r, const char *name, enum check_status st,
		  const char *fmt, ...)
{
	struct run_check *c;
	va_list ap;
	char *d;

	va_start(ap, fmt);
	if (vasprintf(&d, fmt, ap) < 0)
		abort();
	va_end(ap);
	for (char *p = d; *p; p++)
		if (*p == '\n')
			*p = ' ';
	r->checks = xrealloc(r->checks, (r->nchecks + 1) * sizeof(*r->checks));
	c = &r->checks[r->nchecks++];
	c->name = xstrdup(name);
	c->status = st;
	c->detail = d;
	if (st == CHECK_FAIL)
		wqb_warn("check %s failed: %s", name, d);
	else
		wqb_debug("check %s %s: %s", name, st == CHECK_PASS ? "ok" : "skip", d);
}

void result_apply_expected(struct run_result *r, const char *const *names, size_t n)
{
	for (size_t i = 0; i < r->nchecks; i++) {
		struct run_check *c = &r->checks[i];
		char *d;

		for (size_t k = 0; k < n; k++) {
			if (strcmp(c->name, names[k]) != 0 || c->status == CHECK_SKIP)
				continue;
			if (c->status == CHECK_FAIL) {
				c->status = CHECK_PASS;
				d = xasprintf("expected failure: %s", c->detail);
			} else {
				c->status = CHECK_FAIL;
				d = xasprintf("expected to fail, but passed: %s", c->detail);
			}
			free(c->detail);
			c->detail = d;
		}
	}
}

bool result_failed(const struct run_result *r)
{
	for (size_t i = 0; i < r->nchecks; i++)
		if (r->checks[i].status == CHECK_FAIL)
			return true;
	return false;
}

/* CSV field: quote when it holds a comma, quote or newline */
static void csv_field(FILE *f, const char *s, bool last)
{
	if (!s)
		s = "";
	if (strpbrk(s, ",\"\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s == '\n' ? ' ' : *s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputc(last ? '\n' : ',', f);
}

void result_event(struct run_result *r, const char *source, const char *action,
		  const char *target, const char *value, const char *outcome,
		  int64_t latency_us, const char *detail)
{
	int64_t t = ((int64_t)now_mono_ns() - (int64_t)r->t0_ns) / 1000000;
	char num[32];

	if (!r->events)
		return;
	/*
	 * Fault sources, perf and the progress thread log concurrently: stdio
	 * locks each call, not the row, so hold the stream for the whole row.
	 */
	flockfile(r->events);
	fprintf(r->events, "%lld,", (long long)t);
	csv_field(r->events, source, false);
	csv_field(r->events, action, false);
	csv_field(r->events, target, false);
	csv_field(r->events, value, false);
	csv_field(r->events, outcome, false);
	if (latency_us >= 0)
		snprintf(num, sizeof(num), "%lld", (long long)latency_us);
	else
		num[0] = '\0';
	csv_field(r->events, num, false);
	csv_field(r->events, detail, true);
	funlockfile(r->events);
}

int result_write_json(const struct run_result *r, const char *name, json_t *j)
{
	char *p = path_join(r->dir, name), *s;
	int rc = -1;

	/*
	 * The run's identity, what it is called wherever it is copied: its
	 * directory's name as created (a time, the scenario, the kernel and a
	 * random tag).  compare and baseline save count a run once by it.
	 */
	if (!strcmp(name, "meta.json") && json_is_object(j) && !json_object_get(j, "run_id")) {
		const char *b = strrchr(r->dir, '/');

		json_object_set_new(j, "run_id", json_string(b && b[1] ? b + 1 : r->dir));
	}
	s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);

	if (s) {
		size_t n = strlen(s);

		s = xrealloc(s, n + 2);
		s[n] = '\n';
		s[n + 1] = '\0';
		rc = write_file_atomic(p, s, n + 1, 0644);
		if (rc)
			wqb_err("cannot write %s: %s", p, strerror(errno));
	}
	free(s);
	free(p);
	return rc;
}

static const char *status_name(enum check_status s)
{
	return s == CHECK_PASS ? "pass" : s == CHECK_FAIL ? "fail" : "skip";
}

int result_write_verdict(struct run_result *r, const char *scenario, bool complete)
{
	json_t *j = json_deep_copy(r->extra), *checks = json_array(), *reasons = json_array();
	bool failed = result_failed(r) || !complete;
	size_t cap = 4096, n = 0;
	char *ktap = xmalloc(cap), *path;
	int rc;

	for (size_t i = 0; i < r->nchecks; i++) {
		struct run_check *c = &r->checks[i];

		json_array_append_new(checks, json_pack("{s:s,s:s,s:s}", "name", c->name,
							"status", status_name(c->status),
							"detail", c->detail));
		if (c->status == CHECK_FAIL)
			json_array_append_new(reasons, json_sprintf("%s: %s", c->name, c->detail));
	}
	if (!complete)
		json_array_append_new(reasons, json_string("run incomplete: interrupted or crashed"));
	json_object_set_new(j, "scenario", json_string(scenario));
	json_object_set_new(j, "verdict",
			    json_string(failed ? "fail" : r->skipped ? "skip" : "pass"));
	json_object_set_new(j, "complete", json_boolean(complete));
	json_object_set_new(j, "reasons", reasons);
	json_object_set_new(j, "checks", checks);
	rc = result_write_json(r, "summary.json", j);
	json_decref(j);

	/* KTAP v1: one test per check, the detail as the description. */
	n += (size_t)snprintf(ktap + n, cap - n, "KTAP version 1\n1..%zu\n", r->nchecks);
	for (size_t i = 0; i < r->nchecks; i++) {
		struct run_check *c = &r->checks[i];
		size_t need = strlen(c->name) + strlen(c->detail) + 64;

		if (n + need >= cap) {
			cap = (n + need) * 2;
			ktap = xrealloc(ktap, cap);
		}
		if (c->status == CHECK_SKIP)
			n += (size_t)snprintf(ktap + n, cap - n, "ok %zu %s # SKIP %s\n", i + 1,
					      c->name, c->detail);
		else
			n += (size_t)snprintf(ktap + n, cap - n, "# %s: %s\n%s %zu %s\n", c->name,
					      c->detail, c->status == CHECK_PASS ? "ok" : "not ok",
					      i + 1, c->name);
	}
	path = path_join(r->dir, "result.ktap");
	if (write_file_atomic(path, ktap, n, 0644) < 0) {
		wqb_err("cannot write %s: %s", path, strerror(errno));
		rc = -1;
	}
	free(path);
	free(ktap);
	return rc;
}

void result_update_latest(const char *results_root, const char *dir)
{
	char *link = path_join(results_root, "latest");
	char *tmp = xasprintf("%s.tmp.%d", link, (int)getpid());
	const char *base = strrchr(dir, '/');

	unlink(tmp);
	if (symlink(base ? base + 1 : dir, tmp) == 0 && rename(tmp, link) == 0) {
		free(tmp);
		free(link);
		return;
	}
	wqb_warn("cannot update %s: %s", link, strerror(errno));
	unlink(tmp);
	free(tmp);
	free(link);
}

char *result_new_run_id(const char *scenario, const char *kernel)
{
	time_t t = time(NULL);
	struct tm tm;
	char stamp[32];
	unsigned int rnd = (unsigned int)(now_mono_ns() ^ (uint64_t)getpid() * 2654435761u);

	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	return xasprintf("%s-%s-%s-%04x", stamp, scenario, kernel, rnd & 0xffff);
}
