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
 * kernel/workqueue.c), then the kernel's generic signs of trouble.
 */
static const char *const bad_patterns[] = {
	"BUG: workqueue lockup",
	"BUG: workqueue leaked",
	"hogged CPU for",
	"drain_workqueue() isn't complete",
	"has the following busy pwq",
	"is flushing !WQ_MEM_RECLAIM",
	"Failed to create a worker thread",
	"WARNING: CPU:",
	"BUG:",
	"Oops",
	"Call Trace:",
	"soft lockup",
	"hung task",
	"blocked for more than",
	"self-detected stall",
	"rcu_sched detected stalls",
	"RCU stall",
	"ODEBUG:",
	"UBSAN:",
	"KASAN:",
	"general protection fault",
	"kernel BUG at",
	"possible circular locking dependency",
	"inconsistent lock state",
	"Kernel panic",
	NULL
};

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

size_t dmesg_judge(const char *text, const char *const *expected, json_t **findings)
{
	char *copy = xstrdup(text ? text : ""), *line, *save = NULL;
	json_t *arr = json_array();
	size_t bad = 0;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		for (size_t i = 0; bad_patterns[i]; i++) {
			bool exp = false;

			if (!strstr(line, bad_patterns[i]))
				continue;
			for (size_t e = 0; expected && expected[e]; e++)
				if (strstr(line, expected[e]))
					exp = true;
			if (!exp)
				bad++;
			if (json_array_size(arr) < 20)
				json_array_append_new(arr, json_pack("{s:s,s:s,s:b}", "pattern",
								     bad_patterns[i], "line", line,
								     "expected", exp));
			break;
		}
	}
	free(copy);
	if (findings)
		*findings = arr;
	else
		json_decref(arr);
	return bad;
}
