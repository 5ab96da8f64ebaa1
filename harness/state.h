/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System state a run may change, saved before the first change and put back
 * at the end, on error, on SIGINT/SIGTERM, and by `wqbench restore` after a
 * SIGKILL or crash.  The state file is JSON at $WQBENCH_STATE (default
 * /run/wqbench/state.json); it is removed only after a successful restore.
 */
#ifndef WQB_STATE_H
#define WQB_STATE_H

#include <jansson.h>

/* Default state file path. */
const char *state_file_path(void);

/*
 * Save: online CPUs, the global unbound cpumask, and for each name in wqs
 * (NULL-terminated, may be NULL) the WQ_SYSFS attributes that exist.
 * Refuses (returns -1) when a state file is already there: an earlier run
 * did not restore, and its saved state is the true original.
 */
int state_save(const char *const *wqs);

/*
 * Remember things restore must undo that are not sysfs values: the
 * module this run loaded ("kmod_loaded") and the run's result directory
 * ("result_dir"), which restore marks incomplete if the run never wrote
 * its summary.
 */
int state_note(const char *key, const char *value);

/* Add a workqueue whose attributes will be changed (e.g. created later). */
int state_add_wq(const char *wq);

/*
 * Save the current content of a sysfs/debugfs/procfs file (a fault-injection
 * knob, cpuN/hotplug/fail, a task's make-it-fail) so restore puts it back.
 * A file already recorded keeps its first, original value.
 */
int state_add_file(const char *path);

/*
 * Restore from the state file.  Returns 0 when everything is back (and the
 * file is removed), -1 when something could not be restored (file kept).
 * report (optional) receives what was done, as JSON.
 */
int state_restore(json_t **report);

#endif /* WQB_STATE_H */
