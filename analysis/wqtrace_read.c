// SPDX-License-Identifier: GPL-2.0
/*
 * wqtrace_read(): a trace.dat, decoded with libtracecmd/libtraceevent, into
 * the pairing engine (wqtrace.c).
 *
 * Two processes.  A decoder child opens the file, turns each record into a
 * struct wqtrace_event -- every field found by name, since 6.1 and 6.12 lay
 * the events out differently -- and writes it down a pipe; this process
 * feeds the engine.  Why a child:
 *  - libtracecmd (1.3.1) sizes allocations from counts in the file's
 *    headers and follows its offsets: a corrupt chunk table made it ask for
 *    gigabytes under fuzzing, and a damaged file can crash it.  In a child
 *    with bounded memory that ends the child, not the report, and the file
 *    is refused with the reason.
 *  - decoding (decompression, a malloc per record in libtracecmd) and
 *    pairing run on two CPUs at once, and the file is opened once: the
 *    open alone parses the whole kallsyms section.
 * opts->in_process decodes here instead, after a probe child has opened the
 * file once, so a fuzzer's sanitizers watch the decoder as well.
 *
 * The pipe carries messages, each a struct wire_hdr and len bytes:
 *   HELLO  u32 number of CPUs                      first, once the file opened
 *   STR    u32 id, the bytes                      before the first use of id
 *   EVENT  struct wire_event (strings by id, 0 = none)
 *   NOTE   text of the decoder's first problem
 *   END    nothing                                after the last record
 * Both ends are this program, built once: no versioning, host byte order.
 */
#include "wqtrace.h"

#include <errno.h>
#include <event-parse.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <trace-cmd.h>
#include <unistd.h>

#define WIRE_STR_MAX	4095	/* longer names are cut */

enum wire_type { WIRE_HELLO = 1, WIRE_STR, WIRE_EVENT, WIRE_NOTE, WIRE_END };

struct wire_hdr {
	uint32_t type, len;
};

struct wire_event {
	uint64_t ts, work;
	int64_t missed;
	uint32_t name, function, workqueue;	/* string ids */
	int32_t kind, cpu, pid, req_cpu, pool_cpu, hp_cpu, hp_target, hp_idx, hp_ret;
};

/*
 * A number -> number table, open addressing, value 0 for an empty slot.
 * Two uses: function address -> interned name, so kallsyms is searched
 * once per address, and in the decoder child interned string -> its id.
 */
struct u64map {
	uint64_t *key, *val;
	size_t cap, n;
};

/* where key is, or the empty slot where it would go */
static size_t u64map_slot(const struct u64map *m, uint64_t key)
{
	size_t i = wqtrace_hash64(key) & (m->cap - 1);

	while (m->val[i] && m->key[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* the value of key, 0 when absent */
static uint64_t u64map_get(const struct u64map *m, uint64_t key)
{
	return m->cap ? m->val[u64map_slot(m, key)] : 0;
}

static void u64map_free(struct u64map *m)
{
	free(m->key);
	free(m->val);
}

/* key -> val (not 0); -1 out of memory */
static int u64map_put(struct u64map *m, uint64_t key, uint64_t val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct u64map g = { .cap = m->cap ? m->cap * 2 : 256, .n = m->n };

		g.key = calloc(g.cap, sizeof(*g.key));
		g.val = calloc(g.cap, sizeof(*g.val));
		if (!g.key || !g.val) {
			u64map_free(&g);
			return -1;
		}
		for (size_t j = 0; j < m->cap; j++) {
			if (!m->val[j])
				continue;
			i = u64map_slot(&g, m->key[j]);
			g.key[i] = m->key[j];
			g.val[i] = m->val[j];
		}
		u64map_free(m);
		*m = g;
	}
	i = u64map_slot(m, key);
	if (!m->val[i])
		m->n++;
	m->key[i] = key;
	m->val[i] = val;
	return 0;
}

/* the decoder child's end: buffered, strings numbered as first sent */
struct wire_out {
	int fd;
	bool failed;
	size_t len;
	struct u64map ids;	/* interned pointer -> id */
	bool note_sent;
	char buf[1 << 16];
};

/* how to decode one event id of one tep */
struct decoder {
	bool known;
	enum wqtrace_kind kind;
	const char *name;	/* interned */
	struct tep_event *ev;
	struct tep_format_field *work, *function, *workqueue, *req_cpu, *pool_cpu;
	struct tep_format_field *hp_cpu, *hp_target, *hp_idx, *hp_ret, *hp_fun;
};

struct tepcache {
	struct tep_handle *tep;
	struct decoder *d;
	size_t n;
	/* common_type and common_pid, read directly (NULL: through the library) */
	struct tep_format_field *type, *pid;
};

struct reader {
	/* the engine, or in the decoder child its copy: strings and notes */
	struct wqtrace *t;
	struct tepcache *tc;
	size_t ntc;
	int err;
	bool swap;		/* file and host byte order differ: use libtraceevent */
	struct tepcache *tc_last;	/* of the last decoder_for() */
	struct u64map sym;	/* function address -> interned name */
	/* decoder child: events go down the pipe instead of into the engine */
	struct wire_out *wire;
	const char *last_wq;	/* interned */
};

static int wire_event(struct reader *r, const struct wqtrace_event *ev);

/*
 * A number field of the record.  The common case -- same byte order,
 * 4 or 8 bytes -- is read directly: a million events make the library
 * call's generality show.
 */
static bool num(const struct reader *r, struct tep_format_field *f, struct tep_record *rec,
		unsigned long long *v)
{
	if (!f || f->offset < 0 || f->offset + f->size > rec->size)
		return false;
	if (!r->swap && f->size == 8) {
		uint64_t x;

		memcpy(&x, (const char *)rec->data + f->offset, 8);
		*v = x;
		return true;
	}
	if (!r->swap && f->size == 4) {
		uint32_t x;

		memcpy(&x, (const char *)rec->data + f->offset, 4);
		*v = (f->flags & TEP_FIELD_IS_SIGNED) ? (unsigned long long)(long long)(int32_t)x : x;
		return true;
	}
	if (!r->swap && f->size == 2) {	/* common_type */
		uint16_t x;

		memcpy(&x, (const char *)rec->data + f->offset, 2);
		*v = (f->flags & TEP_FIELD_IS_SIGNED) ? (unsigned long long)(long long)(int16_t)x : x;
		return true;
	}
	return tep_read_number_field(f, rec->data, v) == 0;
}

/*
 * A string field of the record into buf, NUL-terminated.  A __string()
 * field is a data_loc word -- offset in the low 16 bits, length in the high
 * 16, the offset from the field's end with rel_loc -- read here directly;
 * anything else goes through libtraceevent.  false when absent or out of
 * the record.
 */
static bool str_field(const struct reader *r, const struct decoder *d,
		      struct tep_format_field *f, struct tep_record *rec, char *buf, size_t len)
{
	const char *s;
	int n = 0;

	if (!r->swap && (f->flags & TEP_FIELD_IS_DYNAMIC) && f->size == 4 && f->offset >= 0 &&
	    f->offset + 4 <= rec->size) {
		uint32_t loc, off;

		memcpy(&loc, (const char *)rec->data + f->offset, 4);
		off = loc & 0xffff;
		n = (int)(loc >> 16);
		if (f->flags & TEP_FIELD_IS_RELATIVE)
			off += (uint32_t)(f->offset + f->size);
		if (off + (uint32_t)n > (uint32_t)rec->size)
			return false;
		s = (const char *)rec->data + off;
	} else {
		s = tep_get_field_raw(NULL, d->ev, f->name, rec, &n, 0);
	}
	if (!s || n <= 0)
		return false;
	n = (int)strnlen(s, (size_t)n);
	if ((size_t)n >= len)
		n = (int)len - 1;
	memcpy(buf, s, (size_t)n);
	buf[n] = 0;
	return true;
}

static struct decoder *decoder_for(struct reader *r, struct tep_handle *tep,
				   struct tep_record *rec)
{
	struct tepcache *c = NULL;
	struct tep_event *e;
	struct decoder *d;
	int id;

	for (size_t i = 0; i < r->ntc; i++)
		if (r->tc[i].tep == tep)
			c = &r->tc[i];
	if (!c) {
		struct tepcache *v = realloc(r->tc, (r->ntc + 1) * sizeof(*v));

		if (!v)
			return NULL;
		r->tc = v;
		c = &r->tc[r->ntc++];
		memset(c, 0, sizeof(*c));
		c->tep = tep;
		{
			struct tep_event **all = tep_list_events(tep, TEP_EVENT_SORT_ID);

			if (all && all[0]) {
				c->type = tep_find_common_field(all[0], "common_type");
				c->pid = tep_find_common_field(all[0], "common_pid");
			}
		}
	}
	{
		unsigned long long v;

		id = c->type && num(r, c->type, rec, &v) ? (int)v : tep_data_type(tep, rec);
	}
	if (id < 0 || id > 65535)
		return NULL;
	if ((size_t)id >= c->n) {
		size_t n = c->n ? c->n : 64;
		struct decoder *v;

		while (n <= (size_t)id)
			n *= 2;
		v = realloc(c->d, n * sizeof(*v));
		if (!v)
			return NULL;
		memset(v + c->n, 0, (n - c->n) * sizeof(*v));
		c->d = v;
		c->n = n;
	}
	r->tc_last = c;
	d = &c->d[id];
	if (d->known)
		return d;
	d->known = true;
	e = tep_find_event(tep, id);
	if (!e)
		return d;	/* kind stays OTHER with no name: counted as bad below */
	d->ev = e;
	{
		char full[160];

		snprintf(full, sizeof(full), "%s:%s", e->system, e->name);
		d->name = wqtrace_intern(r->t, full);
	}
	if (!strcmp(e->system, "workqueue")) {
		d->work = tep_find_field(e, "work");
		d->function = tep_find_field(e, "function");
		if (!strcmp(e->name, "workqueue_queue_work")) {
			d->kind = WQTRACE_EV_QUEUE;
			d->workqueue = tep_find_field(e, "workqueue");
			d->req_cpu = tep_find_field(e, "req_cpu");
			d->pool_cpu = tep_find_field(e, "cpu");
		} else if (!strcmp(e->name, "workqueue_activate_work")) {
			d->kind = WQTRACE_EV_ACTIVATE;
		} else if (!strcmp(e->name, "workqueue_execute_start")) {
			d->kind = WQTRACE_EV_START;
		} else if (!strcmp(e->name, "workqueue_execute_end")) {
			d->kind = WQTRACE_EV_END;
		}
		if (d->kind != WQTRACE_EV_OTHER && !d->work) {
			if (!r->t->note[0])
				snprintf(r->t->note, sizeof(r->t->note), "%s has no field 'work'",
					 e->name);
			d->kind = WQTRACE_EV_BAD;
		}
	} else if (!strcmp(e->system, "cpuhp")) {
		d->hp_cpu = tep_find_field(e, "cpu");
		d->hp_idx = tep_find_field(e, "idx");
		if (!strcmp(e->name, "cpuhp_enter") || !strcmp(e->name, "cpuhp_multi_enter")) {
			d->kind = WQTRACE_EV_HP_ENTER;
			d->hp_target = tep_find_field(e, "target");
			d->hp_fun = tep_find_field(e, "fun");
			if (!d->hp_target)
				d->kind = WQTRACE_EV_BAD;
		} else if (!strcmp(e->name, "cpuhp_exit")) {
			d->kind = WQTRACE_EV_HP_EXIT;
			d->hp_ret = tep_find_field(e, "ret");
		}
		if (d->kind != WQTRACE_EV_OTHER && (!d->hp_cpu || !d->hp_idx))
			d->kind = WQTRACE_EV_BAD;
	}
	return d;
}

/* the name of a function address, interned; NULL when out of memory */
static const char *symbol(struct reader *r, struct tep_handle *tep, unsigned long long addr)
{
	const char *s = (const char *)(uintptr_t)u64map_get(&r->sym, addr);
	char buf[32];

	if (s)
		return s;
	s = tep_find_function(tep, addr);
	if (!s) {
		snprintf(buf, sizeof(buf), "0x%llx", addr);
		s = buf;
	}
	s = wqtrace_intern(r->t, s);
	if (s && u64map_put(&r->sym, addr, (uintptr_t)s) < 0)
		return NULL;
	return s;
}

/*
 * The record's workqueue name as the sink wants it: the engine copies it
 * itself; down the pipe it must be interned, and a run of queue_work events
 * usually names one queue, so the last one is remembered.
 */
static const char *workqueue_name(struct reader *r, const char *name)
{
	if (!r->wire)
		return name;
	if (!r->last_wq || strcmp(r->last_wq, name))
		r->last_wq = wqtrace_intern(r->t, name);
	return r->last_wq;
}

static int on_record(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *arg)
{
	struct reader *r = arg;
	struct tep_handle *tep = tracecmd_get_tep(h);
	struct decoder *d = decoder_for(r, tep, rec);
	struct wqtrace_event ev = { .ts = rec->ts, .cpu = rec->cpu, .missed = rec->missed_events,
				    .req_cpu = WQTRACE_NO_CPU, .pool_cpu = WQTRACE_NO_CPU };
	unsigned long long v;
	char wqbuf[64];

	/* the iterator's cpu is its own index with several buffers: use the record's */
	(void)cpu;
	ev.pid = d && r->tc_last && r->tc_last->pid && num(r, r->tc_last->pid, rec, &v) ?
		 (int)v : tep_data_pid(tep, rec);
	if (!d || !d->ev) {
		ev.kind = WQTRACE_EV_BAD;
	} else {
		ev.kind = d->kind;
		ev.name = d->name;
	}
	switch (ev.kind) {
	case WQTRACE_EV_QUEUE:
	case WQTRACE_EV_ACTIVATE:
	case WQTRACE_EV_START:
	case WQTRACE_EV_END:
		if (!num(r, d->work, rec, &v)) {
			ev.kind = WQTRACE_EV_BAD;
			break;
		}
		ev.work = v;
		if (d->function && num(r, d->function, rec, &v))
			ev.function = symbol(r, tep, v);
		if (ev.kind != WQTRACE_EV_QUEUE)
			break;
		if (d->req_cpu && num(r, d->req_cpu, rec, &v))
			ev.req_cpu = v > INT32_MAX ? INT32_MAX : (int)v;
		if (d->pool_cpu && num(r, d->pool_cpu, rec, &v))
			ev.pool_cpu = v > INT32_MAX ? INT32_MAX : (int)v;
		if (d->workqueue && (d->workqueue->flags & TEP_FIELD_IS_STRING)) {
			if (str_field(r, d, d->workqueue, rec, wqbuf, sizeof(wqbuf)))
				ev.workqueue = workqueue_name(r, wqbuf);
		} else if (d->workqueue && num(r, d->workqueue, rec, &v)) {
			/* older kernels record the workqueue_struct pointer */
			snprintf(wqbuf, sizeof(wqbuf), "0x%llx", v);
			ev.workqueue = workqueue_name(r, wqbuf);
		}
		break;
	case WQTRACE_EV_HP_ENTER:
	case WQTRACE_EV_HP_EXIT:
		if (!num(r, d->hp_cpu, rec, &v))
			goto bad;
		ev.hp_cpu = (int)v;
		if (!num(r, d->hp_idx, rec, &v))
			goto bad;
		ev.hp_idx = (int)(long long)(int)v;
		if (ev.kind == WQTRACE_EV_HP_ENTER) {
			if (!num(r, d->hp_target, rec, &v))
				goto bad;
			ev.hp_target = (int)v;
			if (d->hp_fun && num(r, d->hp_fun, rec, &v))
				ev.function = symbol(r, tep, v);
		} else if (d->hp_ret && num(r, d->hp_ret, rec, &v)) {
			ev.hp_ret = (int)v;
		}
		break;
bad:
		ev.kind = WQTRACE_EV_BAD;
		break;
	default:
		break;
	}
	if (r->wire ? wire_event(r, &ev) < 0 : wqtrace_feed(r->t, &ev) < 0) {
		r->err = -1;
		return -1;	/* stop iterating */
	}
	return 0;
}


/*
 * A forked child runs with this process's signal handlers: the harness
 * cleans up on SIGINT/SIGTERM, a test framework catches SIGSEGV and jumps
 * back into the test.  A decoder that crashes or is told to stop must just
 * die, and its status says which.
 */
static void child_signals(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
				    SIGINT, SIGTERM, SIGHUP, SIGPIPE };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
}

/* AddressSanitizer reserves terabytes of address space: no memory limit under it */
#if defined(__SANITIZE_ADDRESS__)
#define WQB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WQB_ASAN 1
#endif
#endif

/* a child's heap bounded to bytes: a corrupt header's absurd sizes fail there */
static void limit_data(rlim_t bytes)
{
#ifndef WQB_ASAN
	struct rlimit rl = { .rlim_cur = bytes, .rlim_max = bytes };

	setrlimit(RLIMIT_DATA, &rl);
#else
	(void)bytes;
#endif
}

/* open the file with libtracecmd, every buffer: handles [0] top, then instances */
static int open_all(const char *path, struct tracecmd_input ***hp)
{
	struct tracecmd_input *top, **h;
	int n, nh = 0;

	tracecmd_set_loglevel(TEP_LOG_NONE);
	top = tracecmd_open(path, TRACECMD_FL_LOAD_NO_PLUGINS | TRACECMD_FL_LOAD_NO_SYSTEM_PLUGINS);
	if (!top)
		return -1;
	n = tracecmd_buffer_instances(top);
	if (n < 0)
		n = 0;
	h = calloc((size_t)n + 1, sizeof(*h));
	if (!h) {
		tracecmd_close(top);
		return -1;
	}
	h[nh++] = top;
	for (int i = 0; i < n; i++) {
		struct tracecmd_input *b = tracecmd_buffer_instance_handle(top, i);

		if (b)
			h[nh++] = b;
	}
	*hp = h;
	return nh;
}

static void close_all(struct tracecmd_input **h, int nh)
{
	for (int i = nh; i-- > 0;)
		tracecmd_close(h[i]);
	free(h);
}

/* why the decoder child ended early, into err */
static void child_failed(const char *path, int status, bool opened, const struct wqtrace *t,
			 char *err, size_t errlen)
{
	const char *how = WIFSIGNALED(status) ? "signal" : "exit";
	int code = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);

	if (!opened && WIFEXITED(status) && code == 3)
		snprintf(err, errlen, "%s: not a trace.dat libtracecmd can open", path);
	else if (WIFEXITED(status) && code == 4)
		snprintf(err, errlen, "%s: out of memory while reading", path);
	else if (!opened)
		snprintf(err, errlen,
			 "%s: libtracecmd failed on this file (%s %d while opening it): corrupt?",
			 path, how, code);
	else
		snprintf(err, errlen,
			 "%s: libtracecmd failed on this file (%s %d after %llu events): corrupt?",
			 path, how, code, (unsigned long long)t->events);
}

/*
 * Open the file once in a child with bounded memory first.  libtracecmd
 * (1.3.1) sizes allocations from counts in the file's headers -- a corrupt
 * chunk table made tracecmd_load_chunks_info() ask for gigabytes under
 * fuzzing -- so a damaged trace.dat could take the whole report down.  The
 * metadata is all that open reads; a child that dies or runs out of memory
 * means the file is refused, with the reason.  Returns 0 when it opened.
 */
static int probe_open(const char *path, char *err, size_t errlen)
{
	pid_t pid;
	int status;
	struct stat st;

	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0)
		return 0;	/* cannot probe: read as before */
	if (pid == 0) {
		struct tracecmd_input **h;
		int nh;

		child_signals();
		/* metadata of a sane file is a few MB; allow 512 MB plus the file */
		limit_data((rlim_t)st.st_size + (512ull << 20));
		nh = open_all(path, &h);
		if (nh < 0)
			_exit(3);
		close_all(h, nh);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	child_failed(path, status, false, NULL, err, errlen);
	return -1;
}


/* ---- the decoder child's end of the pipe ---------------------------------- */

static void wire_flush(struct wire_out *w)
{
	size_t off = 0;

	while (off < w->len && !w->failed) {
		ssize_t n = write(w->fd, w->buf + off, w->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			w->failed = true;
		else
			off += (size_t)n;
	}
	w->len = 0;
}

static void wire_put(struct wire_out *w, uint32_t type, const void *a, size_t alen,
		     const void *b, size_t blen)
{
	struct wire_hdr h = { .type = type, .len = (uint32_t)(alen + blen) };

	if (w->len + sizeof(h) + alen + blen > sizeof(w->buf))
		wire_flush(w);
	if (sizeof(h) + alen + blen > sizeof(w->buf)) {
		w->failed = true;	/* no message is that long: strings are short */
		return;
	}
	memcpy(w->buf + w->len, &h, sizeof(h));
	if (alen)
		memcpy(w->buf + w->len + sizeof(h), a, alen);
	if (blen)
		memcpy(w->buf + w->len + sizeof(h) + alen, b, blen);
	w->len += sizeof(h) + alen + blen;
}

/* id of an interned string, sent first if new; 0 for NULL, -1 out of memory */
static int64_t wire_str(struct wire_out *w, const char *s)
{
	uint32_t id;

	if (!s)
		return 0;
	id = (uint32_t)u64map_get(&w->ids, (uintptr_t)s);
	if (id)
		return id;
	id = (uint32_t)w->ids.n + 1;
	if (u64map_put(&w->ids, (uintptr_t)s, id) < 0)
		return -1;
	wire_put(w, WIRE_STR, &id, sizeof(id), s, strnlen(s, WIRE_STR_MAX));
	return id;
}

static int wire_event(struct reader *r, const struct wqtrace_event *ev)
{
	struct wire_out *w = r->wire;
	struct wire_event e = {
		.ts = ev->ts, .work = ev->work, .missed = ev->missed, .kind = (int32_t)ev->kind,
		.cpu = ev->cpu, .pid = ev->pid, .req_cpu = ev->req_cpu, .pool_cpu = ev->pool_cpu,
		.hp_cpu = ev->hp_cpu, .hp_target = ev->hp_target, .hp_idx = ev->hp_idx,
		.hp_ret = ev->hp_ret,
	};
	int64_t name = wire_str(w, ev->name), fn = wire_str(w, ev->function);
	int64_t wq = wire_str(w, ev->workqueue);

	if (name < 0 || fn < 0 || wq < 0)
		return -1;
	e.name = (uint32_t)name;
	e.function = (uint32_t)fn;
	e.workqueue = (uint32_t)wq;
	if (r->t->note[0] && !w->note_sent) {
		w->note_sent = true;
		wire_put(w, WIRE_NOTE, r->t->note, strlen(r->t->note), NULL, 0);
	}
	wire_put(w, WIRE_EVENT, &e, sizeof(e), NULL, 0);
	return w->failed ? -1 : 0;	/* the reader went away: stop */
}

static void reader_free(struct reader *r)
{
	for (size_t i = 0; i < r->ntc; i++)
		free(r->tc[i].d);
	free(r->tc);
	u64map_free(&r->sym);
}

/*
 * The decoder's memory is libtracecmd's: it keeps what it decompresses
 * (resident size grows by ~25 bytes an event), and every 4 KB page of it
 * is a page fault -- a fifth of the decoder's time on the 1.7M-event bench
 * trace.  So the heap grows in one step up front, advised to use
 * transparent huge pages: 2 MB a fault.  Where THP is off or the advice
 * fails, nothing changes but the speed.  Not under ASan: it has its own
 * allocator.
 */
static void heap_hugepages(void)
{
#ifndef WQB_ASAN
	const size_t huge = 2u << 20, len = 128u << 20;
	char *block, *end, *start;

	/* freed memory stays in the heap, reused, never given back */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);	/* glibc's largest */
	mallopt(M_TRIM_THRESHOLD, INT32_MAX);
	mallopt(M_TOP_PAD, (int)len);
	block = malloc(huge);	/* below the threshold: the heap grows by len */
	end = sbrk(0);
	if (block && end != (char *)-1) {
		start = (char *)(((uintptr_t)block + huge - 1) & ~(uintptr_t)(huge - 1));
		if (start < end)
			madvise(start, (size_t)(end - start), MADV_HUGEPAGE);
	}
	free(block);
#endif
}

/* Exit codes of the decoder child: 0 all sent, 3 not a file libtracecmd
 * opens, 4 out of memory, 5 the pipe failed. */
static void __attribute__((noreturn)) decoder_child(const char *path, int fd, off_t size)
{
	static struct wire_out w;
	struct tracecmd_input **h;
	struct reader r = { .wire = &w };
	struct wqtrace t;
	uint32_t ncpus;
	int nh;

	/*
	 * What libtracecmd keeps grows with the decompressed data: 87 MB for
	 * the 6 MB zstd bench trace.  1 GB plus 32 times the file leaves room
	 * for that and stops the absurd sizes a corrupt header asks for.
	 */
	limit_data((1ull << 30) + 32 * (rlim_t)size);
	heap_hugepages();
	w.fd = fd;
	nh = open_all(path, &h);
	if (nh < 0)
		_exit(3);
	ncpus = (uint32_t)tep_get_cpus(tracecmd_get_tep(h[0]));
	memset(&t, 0, sizeof(t));
	if (wqtrace_init(&t, NULL, ncpus) < 0)
		_exit(4);
	r.t = &t;
	r.swap = tep_is_file_bigendian(tracecmd_get_tep(h[0])) !=
		 tep_is_local_bigendian(tracecmd_get_tep(h[0]));
	wire_put(&w, WIRE_HELLO, &ncpus, sizeof(ncpus), NULL, 0);
	tracecmd_iterate_events_multi(h, nh, on_record, &r);
	if (r.err < 0)
		_exit(w.failed ? 5 : 4);
	if (t.note[0] && !w.note_sent)
		wire_put(&w, WIRE_NOTE, t.note, strlen(t.note), NULL, 0);
	wire_put(&w, WIRE_END, NULL, 0, NULL, 0);
	wire_flush(&w);
	/* exit without freeing: the parent is waiting, the kernel cleans up */
	_exit(w.failed ? 5 : 0);
}

/* ---- this process's end ------------------------------------------------------ */

struct wire_in {
	int fd;
	char *buf;
	size_t len, pos, cap;
	const char **str;	/* [1..nstr]: id -> the engine's copy */
	size_t nstr, capstr;
	bool inited;		/* the engine, after HELLO */
};

/* n bytes into dst: 0, or -1 at the end of the pipe */
static int wire_get(struct wire_in *in, void *dst, size_t n)
{
	while (in->len - in->pos < n) {
		ssize_t k;

		if (in->pos) {
			memmove(in->buf, in->buf + in->pos, in->len - in->pos);
			in->len -= in->pos;
			in->pos = 0;
		}
		k = read(in->fd, in->buf + in->len, in->cap - in->len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		in->len += (size_t)k;
	}
	memcpy(dst, in->buf + in->pos, n);
	in->pos += n;
	return 0;
}

static const char *wire_lookup(const struct wire_in *in, uint32_t id, bool *bad)
{
	if (!id)
		return NULL;
	if (id > in->nstr) {
		*bad = true;
		return NULL;
	}
	return in->str[id];
}

/*
 * Feed the engine from the decoder child until END.  Returns 1 at END,
 * 0 when the pipe ended first (the child died: its status says why),
 * -1 out of memory or a malformed message (err set).
 */
static int wire_feed(struct wire_in *in, struct wqtrace *t, const struct wqtrace_opts *opts,
		     char *err, size_t errlen)
{
	struct wire_hdr h;
	bool have_hello = false;
	char text[WIRE_STR_MAX + 1];

	while (wire_get(in, &h, sizeof(h)) == 0) {
		if (h.type == WIRE_HELLO && !have_hello && h.len == sizeof(uint32_t)) {
			uint32_t ncpus;

			if (wire_get(in, &ncpus, sizeof(ncpus)) < 0)
				return 0;
			if (wqtrace_init(t, opts, ncpus) < 0)
				goto oom;
			have_hello = in->inited = true;
		} else if (h.type == WIRE_EVENT && have_hello && h.len == sizeof(struct wire_event)) {
			struct wire_event e;
			struct wqtrace_event ev;
			bool bad = false;

			if (wire_get(in, &e, sizeof(e)) < 0)
				return 0;
			ev = (struct wqtrace_event){
				.kind = (enum wqtrace_kind)e.kind, .ts = e.ts, .cpu = e.cpu,
				.pid = e.pid, .missed = e.missed, .work = e.work,
				.req_cpu = e.req_cpu, .pool_cpu = e.pool_cpu, .hp_cpu = e.hp_cpu,
				.hp_target = e.hp_target, .hp_idx = e.hp_idx, .hp_ret = e.hp_ret,
			};
			ev.name = wire_lookup(in, e.name, &bad);
			ev.function = wire_lookup(in, e.function, &bad);
			ev.workqueue = wire_lookup(in, e.workqueue, &bad);
			if (bad || e.kind < WQTRACE_EV_OTHER || e.kind > WQTRACE_EV_BAD)
				goto malformed;
			if (wqtrace_feed(t, &ev) < 0)
				goto oom;
		} else if (h.type == WIRE_STR && have_hello && h.len > sizeof(uint32_t) &&
			   h.len - sizeof(uint32_t) <= WIRE_STR_MAX) {
			uint32_t id;
			size_t n = h.len - sizeof(uint32_t);

			if (wire_get(in, &id, sizeof(id)) < 0 || wire_get(in, text, n) < 0)
				return 0;
			text[n] = 0;
			if (id != in->nstr + 1 || memchr(text, 0, n))
				goto malformed;	/* numbered in order, no NUL inside */
			if (id >= in->capstr) {
				size_t cap = in->capstr ? in->capstr * 2 : 256;
				const char **v = realloc(in->str, cap * sizeof(*v));

				if (!v)
					goto oom;
				in->str = v;
				in->capstr = cap;
			}
			in->str[id] = wqtrace_intern(t, text);
			if (!in->str[id])
				goto oom;
			in->nstr = id;
		} else if (h.type == WIRE_NOTE && have_hello && h.len < sizeof(text)) {
			if (wire_get(in, text, h.len) < 0)
				return 0;
			text[h.len] = 0;
			if (!t->note[0])
				snprintf(t->note, sizeof(t->note), "%.*s", (int)sizeof(t->note) - 1, text);
		} else if (h.type == WIRE_END && have_hello && h.len == 0) {
			return 1;
		} else {
			goto malformed;
		}
	}
	return 0;
malformed:
	snprintf(err, errlen, "malformed message from the trace decoder (type %u, %u bytes)",
		 h.type, h.len);
	return -1;
oom:
	snprintf(err, errlen, "out of memory while reading");
	return -1;
}

/* ---- wqtrace_read ---------------------------------------------------------- */

static int read_in_process(const char *path, const struct wqtrace_opts *opts,
			   struct wqtrace *out, char *err, size_t errlen)
{
	struct tracecmd_input **h;
	struct reader r = { .t = out };
	int nh, rc = 0;

	if (probe_open(path, err, errlen) < 0)
		return -1;
	nh = open_all(path, &h);
	if (nh < 0) {
		snprintf(err, errlen, "%s: not a trace.dat libtracecmd can open", path);
		return -1;
	}
	if (wqtrace_init(out, opts, (unsigned int)tep_get_cpus(tracecmd_get_tep(h[0]))) < 0) {
		close_all(h, nh);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r.swap = tep_is_file_bigendian(tracecmd_get_tep(h[0])) !=
		 tep_is_local_bigendian(tracecmd_get_tep(h[0]));
	tracecmd_iterate_events_multi(h, nh, on_record, &r);
	if (r.err < 0) {
		snprintf(err, errlen, "%s: out of memory while reading", path);
		rc = -1;
	}
	wqtrace_finish(out);
	close_all(h, nh);
	reader_free(&r);
	return rc;
}

int wqtrace_read(const char *path, const struct wqtrace_opts *opts, struct wqtrace *out,
		 char *err, size_t errlen)
{
	struct wire_in in = { .cap = 1 << 18 };
	struct stat st;
	int fds[2], status = 0, rc;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	if (opts && opts->in_process)
		return read_in_process(path, opts, out, err, errlen);
	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	in.buf = malloc(in.cap);
	if (!in.buf || pipe(fds) < 0) {
		free(in.buf);
		snprintf(err, errlen, "%s: cannot start the trace decoder: %s", path,
			 strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "%s: cannot start the trace decoder: %s", path,
			 strerror(errno));
		close(fds[0]);
		close(fds[1]);
		free(in.buf);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child_signals();
		decoder_child(path, fds[1], st.st_size);
	}
	close(fds[1]);
	in.fd = fds[0];
	rc = wire_feed(&in, out, opts, err, errlen);
	close(fds[0]);
	if (rc < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc == 0) {
		child_failed(path, status, in.inited, out, err, errlen);
		rc = -1;
	} else if (rc == 1) {
		rc = 0;
	}
	if (in.inited)
		wqtrace_finish(out);	/* what came before a failure stays readable */
	free(in.buf);
	free(in.str);
	return rc;
}
