/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel log capture (/dev/kmsg from the start of the run) and its verdict:
 * the patterns of docs/kernel-facts.md that mean a workqueue or kernel problem.
 */
#ifndef WQB_DMESG_H
#define WQB_DMESG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct dmesg_capture {
	int fd;		/* /dev/kmsg positioned at the start of the run */
};

/* Open /dev/kmsg and skip what is already there.  Returns 0 or -errno. */
/*
 * A line of kernel log or console that is a crash (an oops, a BUG, a
 * WARNING): the patterns of dmesg.c's one list marked so.  vm.c's console
 * watch uses it.
 */
bool dmesg_is_crash(const char *line);
int dmesg_begin(struct dmesg_capture *c);
/*
 * Append every record logged since dmesg_begin() to path as text lines
 * "[seconds.micro] message".  Returns the number of lines, or -1.
 */
long dmesg_collect(struct dmesg_capture *c, const char *path);
void dmesg_end(struct dmesg_capture *c);

/*
 * Judge a dmesg text.  Returns the number of bad lines; *findings gets an
 * array of {"pattern","line"} (first 20).  Lines matching one of the
 * expected substrings are reported as expected, not bad.
 */
size_t dmesg_judge(const char *text, const char *const *expected, json_t **findings);

#endif /* WQB_DMESG_H */
