// SPDX-License-Identifier: GPL-2.0
/*
 * The work of `wqbench trace FILE...` (analysis/cmd_trace.c): what wqtrace makes of any trace.dat -- one of
 * ours, or one recorded with `trace-cmd record -e workqueue -e cpuhp` on a
 * real machine: per workqueue and function, counts and latencies; hotplug
 * transitions; what could not be paired.  Also the reader `make bench`
 * times against `trace-cmd report` and `perf kwork latency`.
 */
#include "textfmt.h"
#include "tracesum.h"
#include "util.h"
#include "wqtrace.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static void pct(char *buf, size_t len, const struct loghist *h, double q)
{
	fmt_ns(buf, len, h->count ? (double)loghist_quantile(h, q) : NAN);
}

int tracesum_print(const char *path)
{
	struct wqtrace t;
	char err[512];
	uint64_t wq_events = 0;

	if (wqtrace_read(path, NULL, &t, err, sizeof(err)) < 0) {
		wqb_err("%s", err);
		wqtrace_free(&t);
		return 1;
	}
	for (size_t i = 0; i < t.ntypes; i++)
		if (!strncmp(t.types[i].name, "workqueue:", 10))
			wq_events += t.types[i].count;
	printf("%s: %" PRIu64 " events (%" PRIu64 " workqueue) over %.3f s on %u CPUs; "
	       "lost %" PRIu64 "%s; undecodable %" PRIu64 "%s%s\n",
	       path, t.events, wq_events, (double)(t.last_ts - t.first_ts) / 1e9, t.ncpus,
	       t.missed_events, t.missed_unknown ? " (+ unknown)" : "", t.bad_records,
	       t.note[0] ? ": " : "", t.note);
	printf("executions %" PRIu64 ", paired %" PRIu64 ", queued before the trace %" PRIu64
	       ", requeued while running %" PRIu64 ", pending/running at the end %" PRIu64 "/%" PRIu64
	       ", most in flight %" PRIu64 "\n\n",
	       t.executed, t.matched, t.unmatched, t.requeued_running, t.pending_at_end,
	       t.running_at_end, t.inflight_max);
	printf("%-24s %-28s %9s %9s %9s %9s %9s %9s %5s %7s\n", "workqueue", "function", "executed",
	       "q>act p99", "act>st p99", "q>st p50", "q>st p99", "run p50", "kwkrs", "away");
	for (size_t i = 0; i < t.nfns; i++) {
		const struct wqtrace_fn *f = t.fns[i];
		char a[32], b[32], c[32], d[32], e[32];

		pct(a, sizeof(a), &f->queue_to_activate, 0.99);
		pct(b, sizeof(b), &f->activate_to_start, 0.99);
		pct(c, sizeof(c), &f->queue_to_start, 0.50);
		pct(d, sizeof(d), &f->queue_to_start, 0.99);
		pct(e, sizeof(e), &f->run, 0.50);
		printf("%-24.24s %-28.28s %9" PRIu64 " %9s %9s %9s %9s %9s %5zu %7" PRIu64 "\n",
		       f->workqueue, f->function, f->executed, a, b, c, d, e, f->npids, f->cross_cpu);
	}
	for (size_t i = 0; i < t.nhptrans; i++) {
		const struct wqtrace_hptrans *h = &t.hptrans[i];
		char d[32];

		fmt_ns(d, sizeof(d), (double)(h->end_ts - h->start_ts));
		printf("%shotplug cpu%d %s at %.6f: %s, %u steps%s\n", i ? "" : "\n", h->cpu,
		       h->up ? "online" : "offline", (double)h->start_ts / 1e9, d, h->steps,
		       h->complete ? "" : " (incomplete)");
	}
	wqtrace_free(&t);
	return 0;
}

