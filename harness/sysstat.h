/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System counters around the measured phase: /proc/stat and
 * /proc/interrupts deltas, and a census of kworker threads by pool.
 */
#ifndef WQB_SYSSTAT_H
#define WQB_SYSSTAT_H

#include <jansson.h>

/*
 * Snapshot: {"stat": {"cpu": [...], "cpu0": [...], "ctxt": n, ...},
 *            "interrupts": {"LOC": {"CPU0": n, ...}, ...},
 *            "kworkers": {"cpu0": n, "cpu0H": n, "u16": n, "rescuer": n, ...}}
 * Reads $WQBENCH_PROC (default /proc), so tests can use a fake tree.
 */
json_t *sysstat_snapshot(void);

/*
 * {"stat": {...after - before...}, "interrupts": {...}, "kworkers":
 *  {"before": {...}, "after": {...}}}.  A CPU missing from one side (it was
 * offline when read) is left out of the delta and listed in "cpus_missing".
 */
json_t *sysstat_delta(json_t *before, json_t *after);

/* The pool a kworker's comm names: "kworker/3:1H" -> "cpu3H", "kworker/u16:2" -> "u16". */
int kworker_pool(const char *comm, char *pool, size_t len);

#endif /* WQB_SYSSTAT_H */
