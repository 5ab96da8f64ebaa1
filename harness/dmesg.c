// SPDX-License-Identifier: GPL-2.0
/*
 * dmesg capture and judgement.
 */
#include "dmesg.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * What a healthy run never logs.  Workqueue-specific messages first (see
 * kernel/workqueue.c), then the kernel's generic signs of trouble.  The one
 * list of kernel crash patterns: those marked crash are what the console
 * watch (harness/vm.c) counts as an oops.
 */
static const struct {
	const char *text;
	bool crash;	/* also a crash on the console (vm.c's watch, dmesg_is_crash()) */
} bad_patterns[] = {
	{ "BUG: workqueue lockup", false },
	{ "BUG: workqueue leaked", false },
	{ "hogged CPU for", false },
	{ "drain_workqueue() isn't complete", false },
	{ "has the following busy pwq", false },
	{ "is flushing !WQ_MEM_RECLAIM", false },
	{ "Failed to create a worker thread", false },
	{ "WARNING: CPU:", true },
	{ "BUG:", true },
	{ "Oops", true },
	{ "Call Trace:", false },
	{ "soft lockup", false },
	{ "hung task", false },
	{ "blocked for more than", false },
	{ "self-detected stall", false },
	{ "rcu_sched detected stalls", false },
	{ "RCU stall", false },
	{ "ODEBUG:", false },
	{ "UBSAN:", false },
	{ "KASAN:", false },
	{ "general protection fault", false },
	{ "kernel BUG at", false },
	{ "possible circular locking dependency", false },
	{ "inconsistent lock state", false },
	/* lockdep's other report headers (kernel/locking/lockdep.c) */
	{ "WARNING: possible recursive locking detected", false },
	{ "WARNING: possible irq lock inversion dependency detected", false },
	{ "-unsafe lock order detected", false },
	{ "WARNING: suspicious RCU usage", false },
	{ "WARNING: bad unlock balance detected!", false },
	{ "WARNING: bad contention detected!", false },
	{ "WARNING: held lock freed!", false },
	{ "still has locks held!", false },
	{ "WARNING: lock held when returning to user space!", false },
	{ "WARNING: Nested lock was not taken", false },
	{ "WARNING: chain_key collision", false },
	{ "DEBUG_LOCKS_WARN_ON", false },
	{ "Kernel panic", false },
	{ NULL, false }
};

bool dmesg_is_crash(const char *line)
{
	for (size_t i = 0; bad_patterns[i].text; i++)
		if (bad_patterns[i].crash && strstr(line, bad_patterns[i].text))
			return true;
	return false;
}

/*
 * Reports that are followed by a dump of their own.  The workqueue
 * watchdog (kernel/workqueue.c wq_watchdog_timer_fn(), 6.12) prints, for
 * every stalled pool,
 *	BUG: workqueue lockup - pool cpus=1 node=0 flags=0x0 nice=0 stuck for 2s!
 * then show_all_workqueues() --
 *	Showing busy workqueues and worker pools:
 *	workqueue events: flags=0x0
 *	  pwq 6: cpus=1 node=0 flags=0x0 nice=0 active=1 refcnt=2
 *	    in-flight: 47:wqb_work_fn [wqbench]
 *	    pending: vmstat_update, 2*wqb_work_fn [wqbench]
 *	pool 6: cpus=1 node=0 flags=0x0 nice=0 hung=2s workers=4 idle: 24 82
 * -- and for stalled per-CPU pools show_cpu_pools_hogs(), the running
 * workers' stacks by sched_show_task():
 *	Showing backtraces of running workers in stalled CPU-bound worker pools:
 *	pool 6:
 *	task:kworker/1:1     state:R  running task     stack:0     pid:47 ...
 *	Workqueue: wqb_hog wqb_work_fn [wqbench]
 *	Call Trace:
 *	 <TASK>
 *	 ? process_one_work+0x1ff/0x5d0
 *	 </TASK>
 * (with " <IRQ>" sections and register lines when the stack is unwound
 * across an interrupt).  When the report is expected, those lines are
 * part of it, not failures of their own ("Call Trace:" is a bad pattern);
 * the same lines without an expected report before them are judged as
 * ever.
 */
static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "RSP: 0018:ffffc900...", "RAX: ffff...", "FS:  0000...", "R10: 0000..." */
static bool register_line(const char *m)
{
	size_t n = 0, hex;

	while (n < 4 && ((m[n] >= 'A' && m[n] <= 'Z') || (n && m[n] >= '0' && m[n] <= '9')))
		n++;
	if (n < 2 || m[n] != ':' || m[n + 1] != ' ')
		return false;
	m += n + 1;
	m += strspn(m, " ");
	hex = strspn(m, "0123456789abcdef");
	return hex >= 4;
}

static bool lockup_dump_line(const char *m)
{
	static const char *const heads[] = {
		"BUG: workqueue lockup - pool",		/* another stalled pool */
		"Showing busy workqueues and worker pools:",
		"Showing backtraces of running workers in stalled CPU-bound worker pools:",
		"  pwq ", "    in-flight:", "    pending:", "    inactive:", "    delayed:",
		"task:", "Workqueue: ", "Call Trace:", "RIP: ", "Code: ", NULL
	};
	const char *t;

	for (size_t i = 0; heads[i]; i++)
		if (starts(m, heads[i]))
			return true;
	if (starts(m, "workqueue ") && strstr(m, ": flags=0x"))
		return true;
	if (starts(m, "pool ") && m[5] >= '0' && m[5] <= '9' &&
	    m[5 + strspn(m + 5, "0123456789")] == ':')
		return true;
	if (m[0] == ' ') {		/* a stack frame or a section marker */
		t = m + strspn(m, " ");
		if (strstr(t, "+0x") || !strcmp(t, "<TASK>") || !strcmp(t, "</TASK>") ||
		    !strcmp(t, "<IRQ>") || !strcmp(t, "</IRQ>") || !strcmp(t, "<SOFTIRQ>") ||
		    !strcmp(t, "</SOFTIRQ>") || !strcmp(t, "<NMI>") || !strcmp(t, "</NMI>"))
			return true;
	}
	return register_line(m);
}

static const struct report_dump {
	const char *report;			/* the report's first line contains this */
	bool (*dump_line)(const char *msg);	/* a line of the dump that follows */
} report_dumps[] = {
	{ "BUG: workqueue lockup", lockup_dump_line },
};

/*
 * A dump is printed at once (one timer callback): its lines are at most
 * this far from the report that opened it.
 */
#define DUMP_WINDOW_S 10.0

int dmesg_begin(struct dmesg_capture *c)
{
	c->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (c->fd < 0)
		return -errno;
	lseek(c->fd, 0, SEEK_END);
	return 0;
}

long dmesg_collect(struct dmesg_capture *c, const char *path)
{
	FILE *f = fopen(path, "a");
	char rec[8192];
	long n = 0;

	if (!f)
		return -1;
	for (;;) {
		ssize_t r = read(c->fd, rec, sizeof(rec) - 1);
		unsigned long long ts = 0;
		char *msg, *nl;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE)	/* overwritten records: say so, go on */
				fprintf(f, "[wqbench: kernel log records were lost]\n");
			else
				break;
			continue;
		}
		if (r == 0)
			break;
		rec[r] = '\0';
		/* "prio,seq,ts_us,flags[,...];message\n continuation lines" */
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		sscanf(rec, "%*u,%*u,%llu", &ts);
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		fprintf(f, "[%5llu.%06llu] %s\n", ts / 1000000, ts % 1000000, msg);
		n++;
	}
	fclose(f);
	return n;
}

void dmesg_end(struct dmesg_capture *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* "[   27.661975] msg" -> 27.661975 and msg; -1 and the line without a stamp */
static double split_stamp(const char *line, const char **msg)
{
	const char *close;
	char *end;
	double t;

	*msg = line;
	if (line[0] != '[' || !(close = strchr(line, ']')) || close[1] != ' ')
		return -1;
	t = strtod(line + 1 + strspn(line + 1, " "), &end);
	if (end != close)
		return -1;
	*msg = close + 2;
	return t;
}

static bool is_expected(const char *line, const char *const *expected)
{
	for (size_t e = 0; expected && expected[e]; e++)
		if (strstr(line, expected[e]))
			return true;
	return false;
}

/*
 * Findings are capped: unexpected lines first (up to 20), expected ones
 * and the bad-pattern lines of an expected report's dump only while the
 * list is short, so a flood of expected dumps never hides a failure.
 */
static void add_finding(json_t *arr, const char *pattern, const char *line, bool expected,
			const char *part_of)
{
	json_t *f;

	if (json_array_size(arr) >= (expected ? 10 : 20))
		return;
	f = json_pack("{s:s,s:s,s:b}", "pattern", pattern, "line", line, "expected", expected);
	if (part_of)
		json_object_set_new(f, "part_of", json_string(part_of));
	json_array_append_new(arr, f);
}

size_t dmesg_judge(const char *text, const char *const *expected, json_t **findings)
{
	char *copy = xstrdup(text ? text : ""), *line, *save = NULL;
	const struct report_dump *dump = NULL;
	double dump_t = -1;
	json_t *arr = json_array();
	size_t bad = 0;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *msg, *pattern = NULL;
		double t = split_stamp(line, &msg);
		bool exp;

		if (dump && (t < 0 || dump_t < 0 || t - dump_t <= DUMP_WINDOW_S) &&
		    dump->dump_line(msg)) {
			for (size_t i = 0; bad_patterns[i].text; i++)
				if (strstr(line, bad_patterns[i].text)) {
					add_finding(arr, bad_patterns[i].text, line, true, dump->report);
					break;
				}
			continue;
		}
		for (size_t i = 0; bad_patterns[i].text && !pattern; i++)
			if (strstr(line, bad_patterns[i].text))
				pattern = bad_patterns[i].text;
		if (!pattern)
			continue;	/* a quiet line: an open dump goes on past it */
		exp = is_expected(line, expected);
		/* any other report ends a dump; an expected one with a dump opens one */
		dump = NULL;
		for (size_t d = 0; exp && d < ARRAY_SIZE(report_dumps); d++)
			if (strstr(line, report_dumps[d].report)) {
				dump = &report_dumps[d];
				dump_t = t;
			}
		if (!exp)
			bad++;
		add_finding(arr, pattern, line, exp, NULL);
	}
	free(copy);
	if (findings)
		*findings = arr;
	else
		json_decref(arr);
	return bad;
}
