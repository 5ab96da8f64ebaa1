// SPDX-License-Identifier: GPL-2.0
/*
 * gnuplot rendering (see plot.h).
 */
#include "plot.h"
#include "runcmd.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool plot_available(void)
{
	return program_in_path("gnuplot");
}

const char *plot_safe_label(const char *s, char *buf, size_t len)
{
	size_t i = 0;

	for (; s && s[i] && i + 1 < len; i++)
		buf[i] = (isalnum((unsigned char)s[i]) || strchr("_.:-", s[i])) ? s[i] : '_';
	buf[i] = '\0';
	return buf;
}

int plot_render(const char *dir, const char *name, const char *body, char *err, size_t errlen)
{
	char *script = xasprintf(
		"set encoding utf8\n"
		"set terminal svg size 900,380 dynamic font 'sans,11' background '#ffffff'\n"
		"set output '%s.svg'\n"
		"set grid lc rgb '#dddddd'\n"
		"set key outside right top\n"
		"%s\n"
		"set terminal pngcairo size 900,380 font 'sans,9'\n"
		"set output '%s.png'\n"
		"replot\n",
		name, body, name);
	char *spath = xasprintf("%s/%s.gp", dir, name), *log = xasprintf("%s/%s.log", dir, name);
	char *sname = xasprintf("%s.gp", name);
	/* gnuplot runs in dir (data files are named relative to it): the script too */
	char *argv[] = { "gnuplot", sname, NULL };
	struct spawn_opts o = { .cwd = dir, .stdout_path = log, .stderr_to_stdout = true };
	struct spawn_result r;
	int rc = 0;

	if (write_file_atomic(spath, script, strlen(script), 0644) < 0) {
		snprintf(err, errlen, "cannot write %s", spath);
		rc = -1;
	} else if (spawn_run(argv, &o, 60000, &r) < 0 || r.exit_code != 0) {
		snprintf(err, errlen, "gnuplot failed on %s (exit %d%s; see %s)", spath,
			 r.exit_code, r.timed_out ? ", timed out" : "", log);
		rc = -1;
	} else {
		unlink(log);
	}
	free(script);
	free(sname);
	free(spath);
	free(log);
	return rc;
}
