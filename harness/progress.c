// SPDX-License-Identifier: GPL-2.0
/*
 * Progress display.
 */
#include "progress.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MARK "WQBENCH-GUEST: progress "

static bool live_open;
static uint64_t last_plain_ns;

void progress_emit(const struct progress *p)
{
	if (getenv("WQBENCH_IN_GUEST")) {
		/* one line, one write: the host parses it off the console */
		printf(MARK "phase=%s t=%.1f total=%.1f items=%lld rate=%.0f hotplug=%u errors=%u\n",
		       p->phase, p->t, p->total, p->items, p->rate, p->hotplug, p->errors);
		fflush(stdout);
		return;
	}
	progress_show("", p);
}

void progress_show(const char *label, const struct progress *p)
{
	char line[256];
	uint64_t now = now_mono_ns();

	if (wqb_verbosity < 1)
		return;
	snprintf(line, sizeof(line), "%s%s%s %.1f/%.0fs  %lld items  %.0f/s  hotplug %u  errors %u",
		 label, *label ? " " : "", p->phase, p->t, p->total, p->items, p->rate, p->hotplug,
		 p->errors);
	if (isatty(STDOUT_FILENO)) {
		printf("\r\033[K%s", line);
		fflush(stdout);
		live_open = true;
	} else if (now - last_plain_ns >= 10000000000ull) {
		printf("%s\n", line);
		last_plain_ns = now;
	}
}

void progress_done(void)
{
	if (live_open) {
		printf("\r\033[K");
		fflush(stdout);
		live_open = false;
	}
	last_plain_ns = 0;
}

int progress_parse(const char *line, struct progress *p)
{
	const char *m = strstr(line, MARK);

	if (!m)
		return -1;
	memset(p, 0, sizeof(*p));
	if (sscanf(m + strlen(MARK), "phase=%15s t=%lf total=%lf items=%lld rate=%lf hotplug=%u errors=%u",
		   p->phase, &p->t, &p->total, &p->items, &p->rate, &p->hotplug, &p->errors) != 7)
		return -1;
	return 0;
}
