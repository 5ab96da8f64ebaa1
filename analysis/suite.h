/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WQB_SUITE_H
#define WQB_SUITE_H

#include <stdbool.h>

/*
 * ROOT/suite.md and ROOT/suite.html for the runs directly inside ROOT
 * (analysis/suite.c); print: suite.md on stdout too.  0, or 1 when a page
 * could not be written or a run is an ERROR (damaged input).
 */
int report_suite(const char *root, bool print);

#endif /* WQB_SUITE_H */
