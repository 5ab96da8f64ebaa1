// SPDX-License-Identifier: GPL-2.0
/*
 * wqtrace: workqueue and hotplug events of a trace.dat, paired and
 * aggregated in one streaming pass (wqtrace.h).
 *
 * Pairing, per work pointer.  A work item is at most once pending and at
 * most once running: a self-requeueing item is queued again while its
 * function still runs, so the two are tracked apart --
 *   queue_work     opens "pending" (req_cpu, workqueue, queue time);
 *   activate_work  stamps pending (max_active let it through);
 *   execute_start  moves pending to "running" (a start without pending is
 *                  unmatched: queued before the trace began);
 *   execute_end    closes running and yields one execution.
 * An entry is dropped when neither is open, so memory follows the items in
 * flight.  Hash map with linear probing and backward-shift deletion.
 */
#include "wqtrace.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wstate {
	uint64_t work;		/* 0 = empty slot */
	bool pending, running;
	/* pending */
	uint64_t q_ts, a_ts;
	int req_cpu, pool_cpu;
	bool q_running;		/* queued while running */
	const char *wq, *fn;
	/* running */
	struct wqtrace_exec x;
	struct wqtrace_fn *xf;
	/*
	 * Executions of this item cut by the trace's start (a start with no
	 * queue_work, an end with no start), not yet told which workqueue:
	 * its next queue_work says, and they count for that (workqueue,
	 * function) as censored.
	 */
	uint32_t cens_starts, cens_ends;
};

struct hpopen {
	int cpu, idx;
	bool up;
	uint64_t ts;
	const char *fn;
	size_t trans;		/* index in hptrans */
};

struct wqtrace_priv {
	struct wqtrace_opts opts;
	/* interned strings, and a hash index of them (index + 1; 0 = empty) */
	char **str;
	size_t nstr, capstr;
	size_t *stridx;
	size_t stridxcap;
	/* work map */
	struct wstate *map;
	size_t mapcap, mapn;
	/* (workqueue, function) -> fns index, linear probing on the pointer pair */
	size_t *fnidx;		/* index + 1; 0 = empty */
	size_t fnidxcap;
	/* hotplug */
	struct hpopen *open;
	size_t nopen, capopen;
	long *cur_trans;	/* [ncpus + 1] open transition per CPU, -1 none */
	size_t capstates, captrans;
	uint64_t last_ts;
	bool have_ts;
	bool missed_run;	/* inside a run of records after an unknown loss */
};

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return p;
	while (n < need)
		n *= 2;
	q = realloc(p, n * elem);
	if (!q)
		return NULL;
	memset((char *)q + *cap * elem, 0, (n - *cap) * elem);
	*cap = n;
	return q;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int stridx_rebuild(struct wqtrace_priv *p, size_t cap)
{
	size_t *n = calloc(cap, sizeof(*n));

	if (!n)
		return -1;
	for (size_t k = 0; k < p->nstr; k++) {
		size_t i = hash_str(p->str[k]) & (cap - 1);

		while (n[i])
			i = (i + 1) & (cap - 1);
		n[i] = k + 1;
	}
	free(p->stridx);
	p->stridx = n;
	p->stridxcap = cap;
	return 0;
}

/* interned strings: pointer-comparable, freed once; NULL when out of memory */
static const char *intern(struct wqtrace_priv *p, const char *s)
{
	size_t i;
	char **v, *d;

	if ((p->nstr + 1) * 2 > p->stridxcap &&
	    stridx_rebuild(p, p->stridxcap ? p->stridxcap * 2 : 64) < 0)
		return NULL;
	for (i = hash_str(s) & (p->stridxcap - 1); p->stridx[i]; i = (i + 1) & (p->stridxcap - 1))
		if (!strcmp(p->str[p->stridx[i] - 1], s))
			return p->str[p->stridx[i] - 1];
	v = grow(p->str, &p->capstr, p->nstr + 1, sizeof(*v));
	if (!v)
		return NULL;
	p->str = v;
	d = strdup(s);
	if (!d)
		return NULL;
	p->str[p->nstr++] = d;
	p->stridx[i] = p->nstr;
	return d;
}

static struct wstate *map_find(struct wqtrace_priv *p, uint64_t work)
{
	size_t m = p->mapcap - 1, i;

	if (!p->mapcap)
		return NULL;
	for (i = wqtrace_hash64(work) & m; p->map[i].work; i = (i + 1) & m)
		if (p->map[i].work == work)
			return &p->map[i];
	return NULL;
}

static int map_rehash(struct wqtrace_priv *p, size_t cap)
{
	struct wstate *old = p->map, *n = calloc(cap, sizeof(*n));
	size_t oldcap = p->mapcap;

	if (!n)
		return -1;
	p->map = n;
	p->mapcap = cap;
	for (size_t i = 0; i < oldcap; i++) {
		size_t j;

		if (!old[i].work)
			continue;
		for (j = wqtrace_hash64(old[i].work) & (cap - 1); n[j].work; j = (j + 1) & (cap - 1))
			;
		n[j] = old[i];
	}
	free(old);
	return 0;
}

static struct wstate *map_get(struct wqtrace *t, uint64_t work)
{
	struct wqtrace_priv *p = t->priv;
	struct wstate *s = map_find(p, work);
	size_t i;

	if (s)
		return s;
	if ((p->mapn + 1) * 2 > p->mapcap && map_rehash(p, p->mapcap ? p->mapcap * 2 : 1024) < 0)
		return NULL;
	for (i = wqtrace_hash64(work) & (p->mapcap - 1); p->map[i].work; i = (i + 1) & (p->mapcap - 1))
		;
	memset(&p->map[i], 0, sizeof(p->map[i]));
	p->map[i].work = work;
	p->mapn++;
	if (p->mapn > t->inflight_max)
		t->inflight_max = p->mapn;
	return &p->map[i];
}

/* drop an entry with nothing open: shift the probe chain back over it */
static void map_drop_if_idle(struct wqtrace_priv *p, struct wstate *s)
{
	size_t m = p->mapcap - 1, i = (size_t)(s - p->map), j = i;

	if (s->pending || s->running || s->cens_starts || s->cens_ends)
		return;
	for (;;) {
		size_t home;

		p->map[i].work = 0;
		for (;;) {
			j = (j + 1) & m;
			if (!p->map[j].work) {
				p->mapn--;
				return;
			}
			home = wqtrace_hash64(p->map[j].work) & m;
			/* may the entry at j move to i?  only if home is not in (i, j] */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		p->map[i] = p->map[j];
		i = j;
	}
}

static struct wqtrace_fn *fn_get(struct wqtrace *t, const char *wq, const char *fn)
{
	struct wqtrace_priv *p = t->priv;
	size_t m, i;
	struct wqtrace_fn *f, **v;

	if (p->fnidxcap && (t->nfns + 1) * 2 <= p->fnidxcap) {
		m = p->fnidxcap - 1;
		for (i = wqtrace_hash64((uintptr_t)wq * 31 + (uintptr_t)fn) & m; p->fnidx[i];
		     i = (i + 1) & m) {
			f = t->fns[p->fnidx[i] - 1];
			if (f->workqueue == wq && f->function == fn)
				return f;
		}
	} else {
		/* (re)build the index at twice the size */
		size_t cap = p->fnidxcap ? p->fnidxcap * 2 : 64;
		size_t *n = calloc(cap, sizeof(*n));

		if (!n)
			return NULL;
		free(p->fnidx);
		p->fnidx = n;
		p->fnidxcap = cap;
		for (size_t k = 0; k < t->nfns; k++) {
			f = t->fns[k];
			for (i = wqtrace_hash64((uintptr_t)f->workqueue * 31 + (uintptr_t)f->function) &
				 (cap - 1);
			     n[i]; i = (i + 1) & (cap - 1))
				;
			n[i] = k + 1;
		}
		return fn_get(t, wq, fn);
	}
	/* not there: i is the free slot */
	v = realloc(t->fns, (t->nfns + 1) * sizeof(*v));
	f = calloc(1, sizeof(*f));
	if (!v || !f) {
		free(f);
		if (v)
			t->fns = v;
		return NULL;
	}
	t->fns = v;
	f->workqueue = wq;
	f->function = fn;
	loghist_init(&f->queue_to_activate);
	loghist_init(&f->activate_to_start);
	loghist_init(&f->queue_to_start);
	loghist_init(&f->run);
	f->per_cpu = calloc(t->ncpus ? t->ncpus : 1, sizeof(*f->per_cpu));
	if (!f->per_cpu) {
		free(f);
		return NULL;
	}
	t->fns[t->nfns++] = f;
	p->fnidx[i] = t->nfns;
	return f;
}

static int add_pid(struct wqtrace_fn *f, int pid)
{
	size_t lo = 0, hi = f->npids;
	int *v;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (f->pids[mid] == pid)
			return 0;
		if (f->pids[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	v = grow(f->pids, &f->pid_cap, f->npids + 1, sizeof(*v));
	if (!v)
		return -1;
	f->pids = v;
	memmove(&f->pids[lo + 1], &f->pids[lo], (f->npids - lo) * sizeof(*v));
	f->pids[lo] = pid;
	f->npids++;
	return 0;
}

static int add_bin(struct wqtrace *t, struct wqtrace_fn *f, uint64_t ts, int cpu)
{
	uint64_t b = (ts - t->first_ts) / t->bin_ns;
	size_t cells;
	uint32_t *v;

	if (b >= t->priv->opts.max_bins) {
		t->bins_overflow++;
		return 0;
	}
	if (b >= f->nbins) {
		cells = ((size_t)b + 1) * t->ncpus;
		v = grow(f->bins, &f->bin_cap, cells, sizeof(*v));
		if (!v)
			return -1;
		f->bins = v;
		f->nbins = (size_t)b + 1;
	}
	if (cpu >= 0 && (unsigned int)cpu < t->ncpus)
		f->bins[b * t->ncpus + (size_t)cpu]++;
	return 0;
}

/* queue->start of an execution starting at ts, into its time bin */
static int add_bin_lat(struct wqtrace *t, struct wqtrace_fn *f, uint64_t ts, uint64_t lat)
{
	uint64_t b = (ts - t->first_ts) / t->bin_ns;

	if (b >= t->priv->opts.max_bins)
		return 0;
	if (b >= f->nlatbins) {
		size_t cap = f->lat_cap, need = (size_t)b + 1;
		double *s1 = grow(f->bin_lat_sum, &cap, need, sizeof(*s1));

		if (!s1)
			return -1;
		f->bin_lat_sum = s1;
		cap = f->lat_cap;
		f->bin_lat_max = grow(f->bin_lat_max, &cap, need, sizeof(*f->bin_lat_max));
		cap = f->lat_cap;
		f->bin_lat_n = grow(f->bin_lat_n, &cap, need, sizeof(*f->bin_lat_n));
		if (!f->bin_lat_max || !f->bin_lat_n)
			return -1;
		f->lat_cap = cap;
		f->nlatbins = need;
	}
	f->bin_lat_sum[b] += (double)lat;
	if (lat > f->bin_lat_max[b])
		f->bin_lat_max[b] = lat;
	f->bin_lat_n[b]++;
	return 0;
}

static void count_type(struct wqtrace *t, const char *name)
{
	struct wqtrace_evcount *v;

	/* names from the reader are interned: a pointer match is the usual case */
	for (size_t i = 0; i < t->ntypes; i++)
		if (t->types[i].name == name) {
			t->types[i].count++;
			return;
		}
	name = intern(t->priv, name);
	for (size_t i = 0; name && i < t->ntypes; i++)
		if (t->types[i].name == name) {
			t->types[i].count++;
			return;
		}
	v = realloc(t->types, (t->ntypes + 1) * sizeof(*v));
	if (!v || !name)
		return;
	t->types = v;
	t->types[t->ntypes].name = name;
	t->types[t->ntypes++].count = 1;
}

static void end_exec(struct wqtrace *t, struct wstate *s)
{
	struct wqtrace_priv *p = t->priv;

	if (s->x.end_ts) {
		s->xf->completed++;
		if (s->x.end_ts >= s->x.start_ts)
			loghist_add(&s->xf->run, s->x.end_ts - s->x.start_ts);
	}
	if (p->opts.on_exec)
		p->opts.on_exec(&s->x, p->opts.arg);
	s->running = false;
}

static int on_queue(struct wqtrace *t, const struct wqtrace_event *ev)
{
	const char *wq = intern(t->priv, ev->workqueue ? ev->workqueue : WQTRACE_UNKNOWN);
	const char *fn = intern(t->priv, ev->function ? ev->function : WQTRACE_UNKNOWN);
	struct wqtrace_fn *f = wq && fn ? fn_get(t, wq, fn) : NULL;
	struct wstate *s = map_get(t, ev->work);

	if (!f || !s)
		return -1;
	f->queued++;
	if (s->cens_starts || s->cens_ends) {
		f->censored_starts += s->cens_starts;
		f->censored_ends += s->cens_ends;
		s->cens_starts = s->cens_ends = 0;
	}
	if (s->pending)
		t->pending_replaced++;
	if (s->running)
		t->requeued_running++;
	s->pending = true;
	s->q_running = s->running;
	s->q_ts = ev->ts;
	s->a_ts = 0;
	s->req_cpu = ev->req_cpu;
	s->pool_cpu = ev->pool_cpu;
	s->wq = wq;
	s->fn = fn;
	return 0;
}

static int on_start(struct wqtrace *t, const struct wqtrace_event *ev)
{
	struct wstate *s = map_get(t, ev->work);
	const char *fn;
	struct wqtrace_fn *f;

	if (!s)
		return -1;
	if (s->running) {	/* its end was lost */
		t->ends_missing++;
		s->x.end_ts = 0;
		end_exec(t, s);
	}
	fn = ev->function ? intern(t->priv, ev->function) : s->pending ? s->fn : NULL;
	if (!fn)
		fn = intern(t->priv, WQTRACE_UNKNOWN);
	f = fn_get(t, s->pending ? s->wq : intern(t->priv, WQTRACE_UNKNOWN), fn);
	if (!f)
		return -1;
	memset(&s->x, 0, sizeof(s->x));
	s->x.work = ev->work;
	s->x.workqueue = f->workqueue;
	s->x.function = f->function;
	s->x.start_ts = ev->ts;
	s->x.cpu = ev->cpu;
	s->x.pid = ev->pid;
	s->x.req_cpu = WQTRACE_NO_CPU;
	s->x.pool_cpu = WQTRACE_NO_CPU;
	s->xf = f;
	s->running = true;
	f->executed++;
	t->executed++;
	if (ev->cpu >= 0 && (unsigned int)ev->cpu < t->ncpus)
		f->per_cpu[ev->cpu]++;
	if (add_pid(f, ev->pid) < 0 || add_bin(t, f, ev->ts, ev->cpu) < 0)
		return -1;
	if (!s->pending) {
		t->unmatched++;
		s->cens_starts++;
		return 0;
	}
	s->x.matched = true;
	s->x.queue_ts = s->q_ts;
	s->x.activate_ts = s->a_ts;
	s->x.req_cpu = s->req_cpu;
	s->x.pool_cpu = s->pool_cpu;
	s->x.queued_running = s->q_running;
	s->pending = false;
	f->matched++;
	t->matched++;
	if (s->req_cpu >= 0 && (unsigned int)s->req_cpu < t->ncpus) {
		if (s->req_cpu != ev->cpu)
			f->cross_cpu++;
	} else {
		f->unbound++;
	}
	if (ev->ts >= s->q_ts) {
		loghist_add(&f->queue_to_start, ev->ts - s->q_ts);
		if (add_bin_lat(t, f, ev->ts, ev->ts - s->q_ts) < 0)
			return -1;
	}
	if (s->a_ts && s->a_ts >= s->q_ts && ev->ts >= s->a_ts) {
		loghist_add(&f->queue_to_activate, s->a_ts - s->q_ts);
		loghist_add(&f->activate_to_start, ev->ts - s->a_ts);
	}
	return 0;
}

/* ---- hotplug ------------------------------------------------------------ */

static struct wqtrace_hpstate *hpstate_get(struct wqtrace *t, int idx, bool up, const char *fn)
{
	struct wqtrace_priv *p = t->priv;
	struct wqtrace_hpstate *v;

	for (size_t i = 0; i < t->nhpstates; i++)
		if (t->hpstates[i].idx == idx && t->hpstates[i].up == up)
			return &t->hpstates[i];
	v = grow(t->hpstates, &p->capstates, t->nhpstates + 1, sizeof(*v));
	if (!v)
		return NULL;
	t->hpstates = v;
	v = &t->hpstates[t->nhpstates++];
	v->idx = idx;
	v->up = up;
	v->function = fn;
	v->min_ns = UINT64_MAX;
	return v;
}

static long *cur_trans(struct wqtrace *t, int cpu)
{
	/* CPUs beyond the table share the last slot: never seen in practice */
	unsigned int c = cpu >= 0 && (unsigned int)cpu < t->ncpus ? (unsigned int)cpu : t->ncpus;

	return &t->priv->cur_trans[c];
}

static int on_hp_enter(struct wqtrace *t, const struct wqtrace_event *ev)
{
	struct wqtrace_priv *p = t->priv;
	bool up = ev->hp_idx <= ev->hp_target;
	long *ct = cur_trans(t, ev->hp_cpu);
	struct hpopen *o;

	if (*ct < 0 || t->hptrans[*ct].up != up || t->hptrans[*ct].cpu != ev->hp_cpu) {
		struct wqtrace_hptrans *v = grow(t->hptrans, &p->captrans, t->nhptrans + 1,
						 sizeof(*v));

		if (!v)
			return -1;
		t->hptrans = v;
		v = &t->hptrans[t->nhptrans];
		v->cpu = ev->hp_cpu;
		v->up = up;
		v->start_ts = v->end_ts = ev->ts;
		v->complete = true;
		*ct = (long)t->nhptrans++;
	}
	t->hptrans[*ct].steps++;
	o = grow(p->open, &p->capopen, p->nopen + 1, sizeof(*o));
	if (!o)
		return -1;
	p->open = o;
	o = &p->open[p->nopen++];
	o->cpu = ev->hp_cpu;
	o->idx = ev->hp_idx;
	o->up = up;
	o->ts = ev->ts;
	o->fn = ev->function ? intern(p, ev->function) : NULL;
	o->trans = (size_t)*ct;
	return 0;
}

static int on_hp_exit(struct wqtrace *t, const struct wqtrace_event *ev)
{
	struct wqtrace_priv *p = t->priv;
	struct wqtrace_hpstate *st;
	struct wqtrace_hptrans *tr;
	struct hpopen o;
	size_t i;

	for (i = p->nopen; i-- > 0;)
		if (p->open[i].cpu == ev->hp_cpu && p->open[i].idx == ev->hp_idx)
			break;
	if (i == (size_t)-1) {
		t->hp_unmatched_exit++;
		return 0;
	}
	o = p->open[i];
	memmove(&p->open[i], &p->open[i + 1], (p->nopen - i - 1) * sizeof(o));
	p->nopen--;
	st = hpstate_get(t, o.idx, o.up, o.fn);
	if (!st)
		return -1;
	if (!st->function)
		st->function = o.fn;
	st->count++;
	if (ev->hp_ret)
		st->failed++;
	st->total_ns += ev->ts - o.ts;
	if (ev->ts - o.ts < st->min_ns)
		st->min_ns = ev->ts - o.ts;
	if (ev->ts - o.ts > st->max_ns)
		st->max_ns = ev->ts - o.ts;
	tr = &t->hptrans[o.trans];
	if (ev->ts > tr->end_ts)
		tr->end_ts = ev->ts;
	if (ev->hp_ret)
		tr->failed++;
	return 0;
}

/* ---- the engine ----------------------------------------------------------- */

int wqtrace_init(struct wqtrace *t, const struct wqtrace_opts *opts, unsigned int ncpus)
{
	memset(t, 0, sizeof(*t));
	t->priv = calloc(1, sizeof(*t->priv));
	if (!t->priv)
		return -1;
	if (opts)
		t->priv->opts = *opts;
	if (!t->priv->opts.bin_ns)
		t->priv->opts.bin_ns = 100000000ull;
	if (!t->priv->opts.max_bins)
		t->priv->opts.max_bins = 100000;
	t->bin_ns = t->priv->opts.bin_ns;
	t->ncpus = ncpus ? ncpus : 1;
	t->priv->cur_trans = malloc((t->ncpus + 1) * sizeof(long));
	if (!t->priv->cur_trans)
		return -1;
	for (unsigned int i = 0; i <= t->ncpus; i++)
		t->priv->cur_trans[i] = -1;
	return 0;
}

int wqtrace_feed(struct wqtrace *t, const struct wqtrace_event *ev)
{
	struct wqtrace_priv *p = t->priv;
	struct wstate *s;

	if (p->have_ts && ev->ts < p->last_ts) {
		t->bad_records++;
		if (!t->note[0])
			snprintf(t->note, sizeof(t->note), "time went back at %" PRIu64 " ns", ev->ts);
		return 0;
	}
	if (!p->have_ts)
		t->first_ts = ev->ts;
	p->have_ts = true;
	p->last_ts = t->last_ts = ev->ts;
	t->events++;
	if (ev->missed > 0)
		t->missed_events += (uint64_t)ev->missed;
	else if (ev->missed < 0)
		t->missed_unknown++;
	if (ev->name)
		count_type(t, ev->name);

	switch (ev->kind) {
	case WQTRACE_EV_QUEUE:
		return on_queue(t, ev);
	case WQTRACE_EV_ACTIVATE:
		s = map_find(p, ev->work);
		if (s && s->pending)
			s->a_ts = ev->ts;
		else
			t->activate_unmatched++;
		return 0;
	case WQTRACE_EV_START:
		return on_start(t, ev);
	case WQTRACE_EV_END:
		s = map_find(p, ev->work);
		if (!s || !s->running) {
			t->ends_unmatched++;
			if (!s)
				s = map_get(t, ev->work);
			if (!s)
				return -1;
			s->cens_ends++;
			return 0;
		}
		s->x.end_ts = ev->ts;
		end_exec(t, s);
		map_drop_if_idle(p, s);
		return 0;
	case WQTRACE_EV_HP_ENTER:
		return on_hp_enter(t, ev);
	case WQTRACE_EV_HP_EXIT:
		return on_hp_exit(t, ev);
	case WQTRACE_EV_BAD:
		t->bad_records++;
		if (!t->note[0])
			snprintf(t->note, sizeof(t->note), "undecodable %s record at %" PRIu64 " ns",
				 ev->name ? ev->name : "unknown", ev->ts);
		return 0;
	default:
		return 0;
	}
}

static int cmp_fn(const void *a, const void *b)
{
	const struct wqtrace_fn *x = *(const struct wqtrace_fn *const *)a;
	const struct wqtrace_fn *y = *(const struct wqtrace_fn *const *)b;
	int r = strcmp(x->workqueue, y->workqueue);

	return r ? r : strcmp(x->function, y->function);
}

static int cmp_state(const void *a, const void *b)
{
	const struct wqtrace_hpstate *x = a, *y = b;

	if (x->up != y->up)
		return x->up ? 1 : -1;
	return x->up ? x->idx - y->idx : y->idx - x->idx;
}

static int cmp_type(const void *a, const void *b)
{
	return strcmp(((const struct wqtrace_evcount *)a)->name,
		      ((const struct wqtrace_evcount *)b)->name);
}

int wqtrace_finish(struct wqtrace *t)
{
	struct wqtrace_priv *p = t->priv;

	for (size_t i = 0; i < p->mapcap; i++) {
		struct wstate *s = &p->map[i];

		if (!s->work)
			continue;
		if (s->pending)
			t->pending_at_end++;
		if (s->running) {
			t->running_at_end++;
			s->x.end_ts = 0;
			end_exec(t, s);
		}
		t->censored_starts_unknown += s->cens_starts;
		t->censored_ends_unknown += s->cens_ends;
	}
	for (size_t i = 0; i < p->nopen; i++)
		t->hptrans[p->open[i].trans].complete = false;
	for (size_t i = 0; i < t->nhpstates; i++)
		if (!t->hpstates[i].count)
			t->hpstates[i].min_ns = 0;
	/* qsort() wants a non-NULL base even for nothing to sort */
	if (t->nfns)
		qsort(t->fns, t->nfns, sizeof(*t->fns), cmp_fn);
	if (t->nhpstates)
		qsort(t->hpstates, t->nhpstates, sizeof(*t->hpstates), cmp_state);
	if (t->ntypes)
		qsort(t->types, t->ntypes, sizeof(*t->types), cmp_type);
	/* the fn index points at the old order; lookups after finish are linear */
	free(p->fnidx);
	p->fnidx = NULL;
	p->fnidxcap = 0;
	return 0;
}

void wqtrace_free(struct wqtrace *t)
{
	struct wqtrace_priv *p = t->priv;

	for (size_t i = 0; i < t->nfns; i++) {
		free(t->fns[i]->per_cpu);
		free(t->fns[i]->pids);
		free(t->fns[i]->bins);
		free(t->fns[i]->bin_lat_sum);
		free(t->fns[i]->bin_lat_max);
		free(t->fns[i]->bin_lat_n);
		free(t->fns[i]);
	}
	free(t->fns);
	free(t->hpstates);
	free(t->hptrans);
	free(t->types);
	if (p) {
		for (size_t i = 0; i < p->nstr; i++)
			free(p->str[i]);
		free(p->str);
		free(p->stridx);
		free(p->map);
		free(p->fnidx);
		free(p->open);
		free(p->cur_trans);
		free(p);
	}
	memset(t, 0, sizeof(*t));
}

const struct wqtrace_fn *wqtrace_find(const struct wqtrace *t, const char *workqueue,
				      const char *function)
{
	for (size_t i = 0; i < t->nfns; i++)
		if (!strcmp(t->fns[i]->workqueue, workqueue) &&
		    (!function || !strcmp(t->fns[i]->function, function)))
			return t->fns[i];
	return NULL;
}

uint64_t wqtrace_count(const struct wqtrace *t, const char *event)
{
	for (size_t i = 0; i < t->ntypes; i++)
		if (!strcmp(t->types[i].name, event))
			return t->types[i].count;
	return 0;
}

const char *wqtrace_intern(struct wqtrace *t, const char *s)
{
	return intern(t->priv, s);
}
