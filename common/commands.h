/* SPDX-License-Identifier: GPL-2.0 */
/* Entry points of the wqbench subcommands (argv[0] is the subcommand). */
#ifndef WQB_COMMANDS_H
#define WQB_COMMANDS_H

int cmd_run(int argc, char **argv);	/* harness/cmd_run.c */
int cmd_check(int argc, char **argv);	/* harness/cmd_check.c */
int cmd_report(int argc, char **argv);	/* analysis/cmd_report.c */
int cmd_compare(int argc, char **argv);	/* analysis/cmd_compare.c */
int cmd_trace(int argc, char **argv);	/* analysis/cmd_trace.c */
int cmd_compare_kernels(int argc, char **argv);	/* harness/cmd_compare_kernels.c */
int cmd_baseline(int argc, char **argv);	/* analysis/cmd_baseline.c */
int cmd_restore(int argc, char **argv);	/* harness/cmd_restore.c */
int cmd_kernel(int argc, char **argv);	/* harness/cmd_kernel.c */
int cmd_kmod(int argc, char **argv);	/* harness/cmd_kmod.c */
int cmd_guest(int argc, char **argv);	/* harness/cmd_guest.c */
int cmd_version(int argc, char **argv);	/* harness/main.c */

#endif /* WQB_COMMANDS_H */
