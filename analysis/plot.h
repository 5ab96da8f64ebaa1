/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Plots through gnuplot, spawned without a shell.  Each plot is rendered
 * twice from one script: NAME.svg (embedded in report.html) and NAME.png
 * (linked from report.md).  gnuplot can run commands (system()), so no
 * string read from a result file ever goes into a script: callers pass
 * data through data files and labels through plot_safe_label().
 */
#ifndef WQB_PLOT_H
#define WQB_PLOT_H

#include <stdbool.h>
#include <stddef.h>

bool plot_available(void);
/* Render body (gnuplot commands ending in a plot command) in dir. 0 or -1. */
int plot_render(const char *dir, const char *name, const char *body, char *err, size_t errlen);
/* Copy s into buf keeping only [A-Za-z0-9_.:-]; others become '_'. */
const char *plot_safe_label(const char *s, char *buf, size_t len);

#endif /* WQB_PLOT_H */
