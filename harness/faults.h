/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault injection during the measured phase.  Each source ([hotplug],
 * [cpumask ...], [wqattr ...], [faultinject]) gets its own plan -- a list
 * of timed actions computed before the run from the scenario and its seed
 * alone, so the same seed gives the same schedule -- and runs it on its own
 * thread.  Every action is logged to events.csv with its outcome and
 * latency.
 */
#ifndef WQB_FAULTS_H
#define WQB_FAULTS_H

#include "hotplug.h"
#include "result.h"
#include "scenario.h"

#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum fault_kind {
	FA_CPU_OFFLINE,
	FA_CPU_ONLINE,
	FA_CPU_TOGGLE,		/* random mode: offline if online, else online */
	FA_CPUMASK,		/* write value; empty value = put the original back */
	FA_WQATTR,		/* write value to a group's attribute; empty = original */
	FA_INJECT_ON,		/* arm kernel fault injection */
	FA_INJECT_OFF,
};

struct fault_action {
	uint64_t at_ms;		/* from the start of measurement */
	enum fault_kind kind;
	int cpu;
	bool fail_inject;	/* hotplug: make this transition fail and roll back */
	char value[96];
};

/*
 * One arming of kernel fault injection.  The kernel decrements `times` at
 * each failure it delivers, unless it is -1 (lib/fault-inject.c
 * should_fail_ex()), so a finite count is always written and the failures
 * delivered are written - left.
 */
struct inject_arm {
	long long written;		/* `times` written when arming */
	long long left;			/* read back at the disarm; -1 = not read */
	long long delivered;		/* written - left, or -1 when unknown */
};

/* written for `times = -1` (no limit): finite, so the kernel counts down */
#define WQB_INJECT_TIMES 1000000000LL

struct fault_source {
	char name[64];		/* "hotplug", "cpumask:global", "wqattr:<label>", ... */
	const struct wqb_scenario *s;
	size_t index;		/* which [cpumask]/[wqattr] section */
	struct fault_action *a;
	size_t n;
	/* filled while running */
	pthread_t thread;
	bool started;
	atomic_bool finished;	/* its thread has walked its whole plan */
	char *original;		/* value to put back (cpumask / attribute) */
	char target[64];	/* sysfs workqueue name, NULL-like "" = global */
	unsigned int ok[2], attempts[2];	/* hotplug [0] offline [1] online */
	int64_t min_us[2], max_us[2], sum_us[2];
	unsigned int rollbacks_ok, rollbacks_attempted;
	unsigned int writes_ok, writes, replaced, errors;
	/*
	 * [faultinject]: the `times` count written at each arm and what the
	 * kernel left of it at the disarm -- the failures it delivered.
	 */
	struct inject_arm *arms;
	size_t narms;
	long long delivered;		/* summed over the arms read back */
	char skip_reason[160];	/* non-empty: the source cannot run on this kernel */
};

struct fault_plan {
	struct fault_source *src;
	size_t n;
};

/*
 * Plan every fault source of s.  online is the set of CPUs online at the
 * start (random choices are made over it).  Pure: touches no system state,
 * so tests can check that a seed gives the same schedule.
 */
int faults_plan(const struct wqb_scenario *s, const bool *online, struct fault_plan *p);
void faults_free(struct fault_plan *p);

struct fault_run {
	struct run_result *res;
	volatile sig_atomic_t *stop;
	uint64_t t0_ns;
	/* called after every hotplug transition (perf stat restarts counting) */
	void (*after_hotplug)(void *ctx);
	void *after_hotplug_ctx;
};

/*
 * Check each source can run here (files exist), record what it will
 * restore, and start its thread.  Sources that cannot run get skip_reason.
 */
int faults_start(struct fault_plan *p, struct fault_run *fr);
/* Wait for every source thread (they stop at the end of their plan or on *stop). */
void faults_join(struct fault_plan *p);
/*
 * Has every source that started walked its whole plan?  False while one
 * runs, and when none started ([global] until = faults then runs to the
 * duration).
 */
bool faults_done(struct fault_plan *p);
/* Record one KTAP check per source and put the stats into res->extra. */
void faults_report(struct fault_plan *p, struct run_result *res);

/*
 * Tell the module's unbound-containment oracle the effective cpumask of
 * every unbound group (its queue's mask within the global one).
 */
void faults_notify_masks(const struct wqb_scenario *s);

/* Hotplug transitions done and failed actions so far (for progress). */
void faults_counts(const struct fault_plan *p, unsigned int *hotplug, unsigned int *errors);

/* splitmix64: the one RNG of the harness, seeded per source. */
uint64_t wqb_rand_next(uint64_t *state);
uint64_t wqb_rand_seed(uint64_t seed, const char *stream);

#endif /* WQB_FAULTS_H */
