/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * wqbench.ko <-> user space: the binary record of the debugfs `samples`
 * file.  Shared by the module and the harness; fixed-size fields only.
 *
 * Every read of `samples` returns whole records; a record drained is gone.
 * Records dropped because the buffer was full are counted in `stats`
 * ("samples produced=N dropped=M").
 */
#ifndef WQBENCH_UAPI_H
#define WQBENCH_UAPI_H

#include <linux/types.h>

/* Version of the debugfs interface (docs/kmod.md); bumped on any change. */
#define WQBENCH_IFACE_VERSION 1

/* wqbench_sample.flags */
#define WQBENCH_SAMPLE_REQUEUED	0x1	/* queued from inside its own work function */
#define WQBENCH_SAMPLE_DELAYED	0x2	/* went through a delayed_work timer */
#define WQBENCH_SAMPLE_MISPLACED	0x4	/* counted as a bound-placement violation */
#define WQBENCH_SAMPLE_ESCAPED	0x8	/* counted as an unbound-containment violation */
#define WQBENCH_SAMPLE_QUEUED_RUNNING 0x10	/* still executing when queued */

struct wqbench_sample {
	__u64 seq;		/* per-module sequence number of the record */
	__u64 t_queue_ns;	/* ktime_get_ns() when queued (timer expiry for delayed) */
	__u64 t_start_ns;	/* when the work function started */
	__u64 t_end_ns;		/* when it finished */
	__u32 group;		/* index of the group, in definition order */
	__s32 req_cpu;		/* CPU asked for with queue_work_on(), -1 = none */
	__s32 cpu;		/* CPU it started on */
	__u32 flags;		/* WQBENCH_SAMPLE_* */
};

/*
 * Group definitions: the one declaration of every key of a `group` write
 * (docs/kmod.md), read by the module (kmod/wqb_main.c) and by the harness
 * (harness/scenario.c, `wqbench check`), so that both accept and refuse the
 * same definitions.  Each key has a type, a range or a list of words, and a
 * default; wqbench_group_rules() holds the rules that tie keys together.
 * Numbers are decimal: no sign, no leading zero, no 0x.
 *
 * A parsed definition is one __u64 per key, indexed by enum wqbench_gkey:
 *   UINT, BOOL  the number
 *   ENUM        the index of the word in choices
 *   FLAGS       bit i set for the i-th word of choices
 *   MIX         weight of the i-th word in bits 16*i..16*i+15
 *   CPULIST     1 when given (the list itself is the module's cpumask)
 *   NAME        unused (the name is a string)
 */
enum wqbench_gkey {
	WQBENCH_GK_NAME,
	WQBENCH_GK_WQ,
	WQBENCH_GK_FLAGS,
	WQBENCH_GK_MAX_ACTIVE,
	WQBENCH_GK_KIND,
	WQBENCH_GK_WORK_US,
	WQBENCH_GK_RESCHED,
	WQBENCH_GK_REQUEUE,
	WQBENCH_GK_REQUEUE_DELAY_US,
	WQBENCH_GK_MIX,
	WQBENCH_GK_HOG_MS,
	WQBENCH_GK_PLACEMENT,
	WQBENCH_GK_CPU,
	WQBENCH_GK_CPUS,
	WQBENCH_GK_NODE,
	WQBENCH_GK_SHAPE,
	WQBENCH_GK_INFLIGHT,
	WQBENCH_GK_RATE,
	WQBENCH_GK_MAX_ITEMS,
	WQBENCH_GK_MAX_MS,
	WQBENCH_GK_JITTER_PCT,
	WQBENCH_GK_SEED,
	WQBENCH_GK_INSTRUMENT,
	WQBENCH_GK_INSTRUMENT_EVERY,
	WQBENCH_GK_SAMPLE_EVERY,
	WQBENCH_GK_GRACE_MS,
	WQBENCH_GK_ALLOC_BYTES,
	WQBENCH_GK_SELFTEST,
	WQBENCH_GK_NR
};

enum wqbench_ktype {
	WQBENCH_KT_NAME,	/* 1..16 characters of a-z, 0-9 and _ */
	WQBENCH_KT_UINT,	/* decimal in [min, max] */
	WQBENCH_KT_BOOL,	/* 0 or 1 */
	WQBENCH_KT_ENUM,	/* one word of choices */
	WQBENCH_KT_FLAGS,	/* comma list of words of choices */
	WQBENCH_KT_MIX,		/* word:weight,... with weights in [min, max] */
	WQBENCH_KT_CPULIST,	/* decimal CPUs and ranges, "0-2,5", each <= max */
};

/* Word indices the rules below use (the order of choices in the table). */
enum {
	WQBENCH_WQ_OWN, WQBENCH_WQ_SYSTEM, WQBENCH_WQ_HIGHPRI, WQBENCH_WQ_LONG,
	WQBENCH_WQ_UNBOUND
};

enum {
	WQBENCH_KIND_CPU, WQBENCH_KIND_SLEEP, WQBENCH_KIND_REQUEUE, WQBENCH_KIND_MIXED,
	WQBENCH_KIND_HOG
};

enum { WQBENCH_RQ_IMMEDIATE, WQBENCH_RQ_DELAYED, WQBENCH_RQ_HOP };

enum { WQBENCH_PL_LOCAL, WQBENCH_PL_CPU, WQBENCH_PL_CPUS, WQBENCH_PL_RR, WQBENCH_PL_NODE };

enum { WQBENCH_INSTR_FULL, WQBENCH_INSTR_BARE, WQBENCH_INSTR_SAMPLED };

#define WQBENCH_FLAG_UNBOUND		0x01
#define WQBENCH_FLAG_HIGHPRI		0x02
#define WQBENCH_FLAG_CPU_INTENSIVE	0x04
#define WQBENCH_FLAG_MEM_RECLAIM	0x08
#define WQBENCH_FLAG_FREEZABLE		0x10
#define WQBENCH_FLAG_POWER_EFFICIENT	0x20
#define WQBENCH_FLAG_ORDERED		0x40
#define WQBENCH_FLAG_BH			0x80

#define WQBENCH_NAME_MAX	16
#define WQBENCH_U64_MAX		(~(__u64)0)

struct wqbench_key {
	const char *key;
	int type;		/* enum wqbench_ktype */
	__u64 min, max;		/* numbers, mix weights, CPU numbers */
	__u64 def;		/* the value when not given */
	const char *choices;	/* '|'-separated words: ENUM, FLAGS, MIX */
	const char *def_doc;	/* the default as the docs say it, when not def */
	const char *help;
};

static const struct wqbench_key wqbench_group_keys[WQBENCH_GK_NR] = {
	[WQBENCH_GK_NAME] = { "name", WQBENCH_KT_NAME, 1, WQBENCH_NAME_MAX, 0, NULL,
		"required", "the group's name, unique" },
	[WQBENCH_GK_WQ] = { "wq", WQBENCH_KT_ENUM, 0, 0, WQBENCH_WQ_OWN,
		"own|system|system_highpri|system_long|system_unbound", NULL,
		"the group's own workqueue, or a system one" },
	[WQBENCH_GK_FLAGS] = { "flags", WQBENCH_KT_FLAGS, 0, 0, 0,
		"unbound|highpri|cpu_intensive|mem_reclaim|freezable|power_efficient|ordered|bh",
		"none", "WQ_* flags of the group's own workqueue" },
	[WQBENCH_GK_MAX_ACTIVE] = { "max_active", WQBENCH_KT_UINT, 0, 512, 0, NULL,
		"0 (kernel default)", "0 = kernel default" },
	[WQBENCH_GK_KIND] = { "kind", WQBENCH_KT_ENUM, 0, 0, WQBENCH_KIND_CPU,
		"cpu|sleep|requeue|mixed|hog", NULL, "kind of work" },
	[WQBENCH_GK_WORK_US] = { "work_us", WQBENCH_KT_UINT, 0, 10000000, 0, NULL, NULL,
		"service time per item" },
	[WQBENCH_GK_RESCHED] = { "resched", WQBENCH_KT_BOOL, 0, 1, 0, NULL, NULL,
		"cond_resched() while busy" },
	[WQBENCH_GK_REQUEUE] = { "requeue", WQBENCH_KT_ENUM, 0, 0, WQBENCH_RQ_IMMEDIATE,
		"immediate|delayed|hop", NULL, "how requeue work requeues" },
	[WQBENCH_GK_REQUEUE_DELAY_US] = { "requeue_delay_us", WQBENCH_KT_UINT, 0, 10000000, 0,
		NULL, NULL, "delay for requeue=delayed" },
	[WQBENCH_GK_MIX] = { "mix", WQBENCH_KT_MIX, 0, 1000, 0, "cpu|sleep|requeue", "none",
		"weights for kind=mixed" },
	[WQBENCH_GK_HOG_MS] = { "hog_ms", WQBENCH_KT_UINT, 0, 60000, 0, NULL, NULL,
		"spin time for kind=hog (required there, > 0)" },
	[WQBENCH_GK_PLACEMENT] = { "placement", WQBENCH_KT_ENUM, 0, 0, WQBENCH_PL_LOCAL,
		"local|cpu|cpus|rr|node", NULL, "where items are queued" },
	[WQBENCH_GK_CPU] = { "cpu", WQBENCH_KT_UINT, 0, 8191, 0, NULL, NULL,
		"CPU for placement=cpu (a possible CPU)" },
	[WQBENCH_GK_CPUS] = { "cpus", WQBENCH_KT_CPULIST, 0, 8191, 0, NULL, "none",
		"CPU list for placement=cpus (possible CPUs)" },
	[WQBENCH_GK_NODE] = { "node", WQBENCH_KT_UINT, 0, 1023, 0, NULL, NULL,
		"NUMA node for placement=node (a possible node)" },
	[WQBENCH_GK_SHAPE] = { "shape", WQBENCH_KT_ENUM, 0, 0, 0, "closed|open", NULL,
		"closed loop or open-loop arrivals" },
	[WQBENCH_GK_INFLIGHT] = { "inflight", WQBENCH_KT_UINT, 1, 4096, 0, NULL,
		"8 closed, 64 open", "items in flight (open: pool size)" },
	[WQBENCH_GK_RATE] = { "rate", WQBENCH_KT_UINT, 1, 100000, 0, NULL, "none",
		"arrivals per second (shape=open, required there)" },
	[WQBENCH_GK_MAX_ITEMS] = { "max_items", WQBENCH_KT_UINT, 0, WQBENCH_U64_MAX, 0, NULL,
		NULL, "stop after this many items (0 = no limit)" },
	[WQBENCH_GK_MAX_MS] = { "max_ms", WQBENCH_KT_UINT, 0, 86400000, 0, NULL, NULL,
		"stop after this long (0 = no limit)" },
	[WQBENCH_GK_JITTER_PCT] = { "jitter_pct", WQBENCH_KT_UINT, 0, 100, 0, NULL, NULL,
		"random +- spread of service times" },
	[WQBENCH_GK_SEED] = { "seed", WQBENCH_KT_UINT, 0, WQBENCH_U64_MAX, 1, NULL, NULL,
		"RNG seed of the group" },
	[WQBENCH_GK_INSTRUMENT] = { "instrument", WQBENCH_KT_ENUM, 0, 0, 0, "full|bare|sampled",
		NULL, "per-item timing on, off, or for one item in instrument_every" },
	[WQBENCH_GK_INSTRUMENT_EVERY] = { "instrument_every", WQBENCH_KT_UINT, 2, 1000000, 16,
		NULL, NULL, "instrument=sampled: stamps and histograms for 1 item in K" },
	[WQBENCH_GK_SAMPLE_EVERY] = { "sample_every", WQBENCH_KT_UINT, 0, 1000000, 0, NULL, NULL,
		"raw records: 0 none, 1 all, K 1-in-K" },
	[WQBENCH_GK_GRACE_MS] = { "grace_ms", WQBENCH_KT_UINT, 0, 60000, 100, NULL, NULL,
		"cpumask-change grace window" },
	[WQBENCH_GK_ALLOC_BYTES] = { "alloc_bytes", WQBENCH_KT_UINT, 0, 65536, 0, NULL, NULL,
		"bytes kmalloc'd (GFP_NOWAIT) and freed by each execution; 0 = none" },
	[WQBENCH_GK_SELFTEST] = { "selftest", WQBENCH_KT_ENUM, 0, 0, 0,
		"none|lose|dup|misplace|escape", NULL, "make an oracle fire" },
};

/* The index of the word s[0..len) in '|'-separated choices, or -1. */
static inline int wqbench_choice(const char *choices, const char *s, unsigned long len)
{
	const char *p = choices;
	int i = 0;

	while (*p) {
		unsigned long l = 0;

		while (p[l] && p[l] != '|')
			l++;
		if (l == len) {
			unsigned long j = 0;

			while (j < len && p[j] == s[j])
				j++;
			if (j == len)
				return i;
		}
		p += l;
		if (*p)
			p++;
		i++;
	}
	return -1;
}

/* Decimal s[0..len): digits only, no leading zero, no overflow. */
static inline int wqbench_parse_dec(const char *s, unsigned long len, __u64 *out)
{
	__u64 v = 0;
	unsigned long i;

	if (!len || (s[0] == '0' && len > 1))
		return -1;
	for (i = 0; i < len; i++) {
		unsigned int d = (unsigned char)s[i] - '0';

		if (d > 9 || v > (WQBENCH_U64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static inline unsigned long wqbench_span(const char *s, char stop1, char stop2)
{
	unsigned long n = 0;

	while (s[n] && s[n] != stop1 && s[n] != stop2)
		n++;
	return n;
}

/*
 * The next range of a CPU list ("0-2,5": decimal CPUs and ascending ranges,
 * comma-separated, no empty entries): 1 with [*a, *b] and *p moved past it,
 * 0 at the end of the list, -1 when it is not a CPU list.  The one parser
 * of CPU lists: group keys here, the harness's sysfs lists and scenario
 * keys (harness/hotplug.c cpulist_parse()).
 */
static inline int wqbench_cpulist_next(const char **p, __u64 *a, __u64 *b)
{
	const char *s = *p;
	unsigned long l;

	if (!*s)
		return 0;
	l = wqbench_span(s, '-', ',');
	if (wqbench_parse_dec(s, l, a))
		return -1;
	s += l;
	*b = *a;
	if (*s == '-') {
		s++;
		l = wqbench_span(s, ',', ',');
		if (wqbench_parse_dec(s, l, b) || *b < *a)
			return -1;
		s += l;
	}
	if (*s == ',' && !*++s)
		return -1;	/* a trailing comma */
	*p = s;
	return 1;
}

/*
 * Parse the value of key k; 0 and *out set, or -1 and *why saying what is
 * wrong.  KT_NAME and KT_CPULIST are checked for syntax only (*out = 1 for
 * a CPU list); the module then checks the CPUs and nodes are possible.
 */
static inline int wqbench_key_parse(const struct wqbench_key *k, const char *val, __u64 *out,
				    const char **why)
{
	unsigned long n, l;
	unsigned int seen = 0;
	__u64 v, a, b;
	int w;

	*why = "";
	for (n = 0; val[n]; n++)
		;
	if (!n) {
		*why = "empty value";
		return -1;
	}
	switch (k->type) {
	case WQBENCH_KT_NAME:
		if (n < k->min || n > k->max)
			goto bad_name;
		for (l = 0; l < n; l++)
			if (!((val[l] >= 'a' && val[l] <= 'z') || (val[l] >= '0' && val[l] <= '9') ||
			      val[l] == '_'))
				goto bad_name;
		*out = 0;
		return 0;
bad_name:
		*why = "want 1..16 characters of a-z, 0-9 and _";
		return -1;
	case WQBENCH_KT_UINT:
	case WQBENCH_KT_BOOL:
		if (wqbench_parse_dec(val, n, &v)) {
			*why = "not a decimal number (no sign, leading zero or 0x)";
			return -1;
		}
		if (v < k->min || v > k->max) {
			*why = "number out of range";
			return -1;
		}
		*out = v;
		return 0;
	case WQBENCH_KT_ENUM:
		w = wqbench_choice(k->choices, val, n);
		if (w < 0) {
			*why = "unknown word";
			return -1;
		}
		*out = (__u64)w;
		return 0;
	case WQBENCH_KT_FLAGS:
		v = 0;
		while (*val) {
			l = wqbench_span(val, ',', ',');
			w = wqbench_choice(k->choices, val, l);
			if (w < 0 || (v & (1ULL << w))) {
				*why = w < 0 ? "unknown flag (or an empty one)" : "flag given twice";
				return -1;
			}
			v |= 1ULL << w;
			val += l;
			if (*val == ',' && !*++val) {
				*why = "trailing comma";
				return -1;
			}
		}
		*out = v;
		return 0;
	case WQBENCH_KT_MIX:
		v = 0;
		while (*val) {
			l = wqbench_span(val, ':', ',');
			w = wqbench_choice(k->choices, val, l);
			if (w < 0 || val[l] != ':' || (seen & (1U << w))) {
				*why = w < 0 ? "want kind:weight, kind one of cpu, sleep, requeue" :
					       "want kind:weight, each kind once";
				return -1;
			}
			val += l + 1;
			l = wqbench_span(val, ',', ',');
			if (wqbench_parse_dec(val, l, &a) || a < k->min || a > k->max) {
				*why = "weight: want a decimal number 0..1000";
				return -1;
			}
			v |= a << (16 * w);
			seen |= 1U << w;
			val += l;
			if (*val == ',' && !*++val) {
				*why = "trailing comma";
				return -1;
			}
		}
		*out = v;
		return 0;
	case WQBENCH_KT_CPULIST:
		while ((w = wqbench_cpulist_next(&val, &a, &b)) > 0)
			if (b > k->max)
				goto bad_list;
		if (w < 0)
			goto bad_list;
		*out = 1;
		return 0;
bad_list:
		*why = "not a CPU list (decimal, ranges ascending, no empty entries)";
		return -1;
	}
	*why = "unknown key type";
	return -1;
}

/* The key named s[0..len), or -1. */
static inline int wqbench_group_key(const char *s, unsigned long len)
{
	int i;

	for (i = 0; i < WQBENCH_GK_NR; i++) {
		const char *k = wqbench_group_keys[i].key;
		unsigned long j = 0;

		while (j < len && k[j] && k[j] == s[j])
			j++;
		if (j == len && !k[j])
			return i;
	}
	return -1;
}

/* The values of a definition with nothing given: every key's default. */
static inline void wqbench_group_defaults(__u64 *v)
{
	int i;

	for (i = 0; i < WQBENCH_GK_NR; i++)
		v[i] = wqbench_group_keys[i].def;
}

/*
 * The rules between keys, on a whole definition (v[] as parsed, defaults
 * where not given).  Returns -1 when it is consistent, else the key to
 * blame, with *why naming the combination and what is allowed.  The module
 * also refuses flags=bh on kernels without WQ_BH (before 6.9), a CPU or
 * node that is not possible, and a name already defined: things only the
 * kernel under test knows.
 */
static inline int wqbench_group_rules(const __u64 *v, const char **why)
{
	__u64 fl = v[WQBENCH_GK_FLAGS], kind = v[WQBENCH_GK_KIND];
	int unbound = (fl & (WQBENCH_FLAG_UNBOUND | WQBENCH_FLAG_ORDERED)) ||
		      v[WQBENCH_GK_WQ] == WQBENCH_WQ_UNBOUND;

	if (v[WQBENCH_GK_WQ] != WQBENCH_WQ_OWN && (fl || v[WQBENCH_GK_MAX_ACTIVE])) {
		*why = "flags and max_active need wq=own (a system workqueue has its own)";
		return WQBENCH_GK_WQ;
	}
	if ((fl & WQBENCH_FLAG_ORDERED) && v[WQBENCH_GK_MAX_ACTIVE]) {
		*why = "not with flags=ordered: an ordered queue runs one item at a time";
		return WQBENCH_GK_MAX_ACTIVE;
	}
	if ((fl & WQBENCH_FLAG_BH) && (fl & ~(__u64)(WQBENCH_FLAG_BH | WQBENCH_FLAG_HIGHPRI))) {
		*why = "bh combines only with highpri";
		return WQBENCH_GK_FLAGS;
	}
	if ((fl & WQBENCH_FLAG_BH) &&
	    (v[WQBENCH_GK_MAX_ACTIVE] || v[WQBENCH_GK_RESCHED] || kind == WQBENCH_KIND_SLEEP ||
	     kind == WQBENCH_KIND_HOG || kind == WQBENCH_KIND_MIXED ||
	     v[WQBENCH_GK_WORK_US] > 1000 ||
	     (kind == WQBENCH_KIND_REQUEUE && v[WQBENCH_GK_REQUEUE] != WQBENCH_RQ_IMMEDIATE))) {
		*why = "bh: BH work runs in softirq: no kind sleep, hog or mixed, no resched, no delayed or hop requeue, no max_active, work_us <= 1000";
		return WQBENCH_GK_FLAGS;
	}
	if (kind == WQBENCH_KIND_HOG && !v[WQBENCH_GK_HOG_MS]) {
		*why = "kind=hog needs hog_ms > 0";
		return WQBENCH_GK_KIND;
	}
	if (v[WQBENCH_GK_PLACEMENT] == WQBENCH_PL_NODE && !unbound) {
		*why = "placement=node (queue_work_node) needs an unbound workqueue: flags=unbound or ordered, or wq=system_unbound";
		return WQBENCH_GK_PLACEMENT;
	}
	if (v[WQBENCH_GK_PLACEMENT] == WQBENCH_PL_CPUS && !v[WQBENCH_GK_CPUS]) {
		*why = "placement=cpus needs cpus=";
		return WQBENCH_GK_PLACEMENT;
	}
	if (v[WQBENCH_GK_SHAPE] == 1 && !v[WQBENCH_GK_RATE]) {
		*why = "shape=open needs rate=";
		return WQBENCH_GK_SHAPE;
	}
	return -1;
}

#endif /* WQBENCH_UAPI_H */
