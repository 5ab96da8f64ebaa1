// SPDX-License-Identifier: GPL-2.0
/*
 * trace.dat written in-process (tracedat.h).
 *
 * Why not `trace-cmd extract`: in the TCG guest it took 6-13 s a run, 60%
 * of the quick suite's wall time (results/README.md, "phases.json").  It
 * walks and reads every event directory (about 3,500 files on 6.12), reads
 * /proc/kallsyms (about 4 s in the guest: the kernel expands 167,000
 * compressed names) and printk_formats (about 2 s), and compresses.  What
 * a run's trace needs of that is the same for every run of a boot except
 * the symbols of wqbench.ko, which is loaded anew each run.  So:
 *
 *  - kallsyms and printk_formats are read once per boot, by the first
 *    traced run, into boot_cache_dir(), with the boot id and /proc/modules
 *    they are valid for: a module loaded or unloaded since (wqbench aside)
 *    reads them again;
 *  - wqbench's symbols are made from the .ko's symbol table and the section
 *    addresses in /sys/module/wqbench/sections, which is what the kernel
 *    adds them from;
 *  - the formats written are those of the events enabled in the instance
 *    (set_event) and the ftrace system, which is everything the data can
 *    hold; the per-CPU buffers are read raw from trace_pipe_raw.
 *
 * The file is trace-cmd's version 6 (Documentation/trace-cmd/
 * trace-cmd.dat.v6.5.txt in trace-cmd): magic, "6", endianness, long size,
 * page size; header_page and header_event; ftrace formats; event formats
 * by system; kallsyms; printk formats; cmdlines; the CPU count; options
 * (trace clock, uname); "flyrecord" with each CPU's offset and size, and
 * the pages, each CPU's starting on a page boundary.  Uncompressed.
 */
#include "tracedat.h"
#include "util.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <tracefs.h>
#include <unistd.h>

#define OPT_TRACECLOCK 4	/* trace-cmd's TRACECMD_OPTION_* */
#define OPT_UNAME 5

/* ---- the module's symbols from its ELF file ---- */

char *tracedat_module_kallsyms(const char *ko_path, const char *name, const char *secdir)
{
	size_t len = 0, cap = 4096, n = 0;
	char *ko = read_file(ko_path, &len), *out, **secaddr_text;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	unsigned long long *secaddr;
	bool *secknown;

	if (!ko)
		return NULL;
	eh = (const Elf64_Ehdr *)ko;
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    eh->e_shoff > len || eh->e_shnum > (len - eh->e_shoff) / sizeof(Elf64_Shdr) ||
	    eh->e_shstrndx >= eh->e_shnum) {
		free(ko);
		return NULL;
	}
	sh = (const Elf64_Shdr *)(ko + eh->e_shoff);
	secaddr = calloc(eh->e_shnum, sizeof(*secaddr));
	secknown = calloc(eh->e_shnum, sizeof(*secknown));
	secaddr_text = calloc(eh->e_shnum, sizeof(*secaddr_text));
	out = xmalloc(cap);
	out[0] = '\0';
	if (!secaddr || !secknown || !secaddr_text)
		goto done;
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *sym = &sh[i], *str;

		if (sym->sh_type != SHT_SYMTAB || sym->sh_link >= eh->e_shnum ||
		    sym->sh_entsize != sizeof(Elf64_Sym) || sym->sh_offset > len ||
		    sym->sh_size > len - sym->sh_offset)
			continue;
		str = &sh[sym->sh_link];
		if (str->sh_offset > len || str->sh_size > len - str->sh_offset)
			continue;
		for (size_t k = 0; k < sym->sh_size / sizeof(Elf64_Sym); k++) {
			const Elf64_Sym *s = (const Elf64_Sym *)(ko + sym->sh_offset) + k;
			const char *sname, *secname;
			const Elf64_Shdr *shs = &sh[eh->e_shstrndx];
			char line[600];
			int l;

			if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || !s->st_name ||
			    s->st_name >= str->sh_size || s->st_shndx == SHN_UNDEF ||
			    s->st_shndx >= eh->e_shnum)
				continue;
			sname = ko + str->sh_offset + s->st_name;
			if (!memchr(sname, '\0', str->sh_size - s->st_name))
				continue;
			if (!secknown[s->st_shndx]) {
				char *p, *v;

				secknown[s->st_shndx] = true;
				if (sh[s->st_shndx].sh_name >= shs->sh_size ||
				    shs->sh_offset > len || shs->sh_size > len - shs->sh_offset)
					continue;
				secname = ko + shs->sh_offset + sh[s->st_shndx].sh_name;
				if (!memchr(secname, '\0', shs->sh_size - sh[s->st_shndx].sh_name) ||
				    strchr(secname, '/'))
					continue;
				p = path_join(secdir, secname);
				v = read_file_trim(p);
				free(p);
				if (v && sscanf(v, "%llx", &secaddr[s->st_shndx]) == 1)
					secaddr_text[s->st_shndx] = v;
				else
					free(v);
			}
			if (!secaddr_text[s->st_shndx])
				continue;
			l = snprintf(line, sizeof(line), "%016llx %c %s\t[%s]\n",
				     secaddr[s->st_shndx] + (unsigned long long)s->st_value,
				     ELF64_ST_BIND(s->st_info) == STB_LOCAL ? 't' : 'T', sname,
				     name);
			if (l < 0 || (size_t)l >= sizeof(line))
				continue;
			while (n + (size_t)l + 1 > cap) {
				cap *= 2;
				out = xrealloc(out, cap);
			}
			memcpy(out + n, line, (size_t)l + 1);
			n += (size_t)l;
		}
	}
done:
	if (secaddr_text)
		for (unsigned i = 0; i < eh->e_shnum; i++)
			free(secaddr_text[i]);
	free(secaddr_text);
	free(secaddr);
	free(secknown);
	free(ko);
	return out;
}

/* ---- the per-boot cache ---- */

/*
 * What the cache is valid for: the boot id and the loaded modules but
 * wqbench (name, size, address), from the text of
 * /proc/sys/kernel/random/boot_id and /proc/modules.
 */
static char *cache_key(const char *boot, const char *mods_text)
{
	char *mods = xstrdup(mods_text ? mods_text : ""), *line, *save = NULL;
	size_t cap = 256, n;
	char *key = xmalloc(cap);

	n = (size_t)snprintf(key, cap, "%.64s\n", boot ? boot : "?");
	for (line = strtok_r(mods, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128], addr[64];
		unsigned long size;
		size_t l;

		if (sscanf(line, "%127s %lu %*s %*s %*s %63s", name, &size, addr) != 3 ||
		    !strcmp(name, "wqbench"))
			continue;
		l = strlen(name) + strlen(addr) + 32;
		while (n + l >= cap) {
			cap *= 2;
			key = xrealloc(key, cap);
		}
		n += (size_t)snprintf(key + n, cap - n, "%s %lu %s\n", name, size, addr);
	}
	free(mods);
	return key;
}

/* the key of a boot id and a modules list: of the cache or of proc */
static char *key_of(const char *dir, const char *boot_name, const char *mods_name)
{
	char *bp = path_join(dir, boot_name), *mp = path_join(dir, mods_name);
	char *boot = read_file_trim(bp), *mods = read_file(mp, NULL), *key = NULL;

	if (boot && mods)
		key = cache_key(boot, mods);
	free(bp);
	free(mp);
	free(boot);
	free(mods);
	return key;
}

/* kallsyms text without the lines of [wqbench] (made per run instead) */
static void drop_wqbench(char *k, size_t *len)
{
	char *r, *w;

	for (r = w = k; *r;) {
		char *nl = strchr(r, '\n');
		size_t l = nl ? (size_t)(nl - r) + 1 : strlen(r);
		static const char tag[] = "\t[wqbench]";

		if (!(l > sizeof(tag) - 1 &&
		      !memcmp(r + l - (nl ? 1 : 0) - (sizeof(tag) - 1), tag, sizeof(tag) - 1))) {
			memmove(w, r, l);
			w += l;
		}
		r += l;
	}
	*w = '\0';
	*len = (size_t)(w - k);
}

static int copy_in(const char *dir, const char *name, const char *srcdir, const char *src)
{
	size_t len;
	char *sp = path_join(srcdir, src), *text = read_file(sp, &len), *p = path_join(dir, name);
	int r = text ? write_file_atomic(p, text, len, 0600) : -1;

	free(text);
	free(sp);
	free(p);
	return r;
}

/*
 * The per-boot copies of kallsyms and printk formats (boot_cache_dir()),
 * made by the first run of a boot, read again
 * from the kernel when the boot or the other modules differ: src's
 * cache_dir, from its proc_dir and tracing_dir.  Returns 0 (both set), -1
 * with *err.
 */
static int boot_files(const struct tracedat_src *src, char **kallsyms, size_t *klen,
		      char **printk, size_t *plen, struct tracedat_info *info, char **err)
{
	const char *dir = src->cache_dir ? src->cache_dir : boot_cache_dir();
	const char *proc = src->proc_dir ? src->proc_dir : "/proc";
	const char *tdir = src->tracing_dir ? src->tracing_dir : tracefs_tracing_dir();
	char *now = key_of(proc, "sys/kernel/random/boot_id", "modules");
	char *then = key_of(dir, "boot_id", "modules");
	char *kf = path_join(dir, "kallsyms"), *pf = path_join(dir, "printk_formats");
	char *tp = path_join(tdir, "printk_formats"), *kp = path_join(proc, "kallsyms");
	int rc = 0;

	*kallsyms = *printk = NULL;
	if (!now || !then || strcmp(now, then) || !path_exists(kf) || !path_exists(pf)) {
		char *b = path_join(dir, "boot_id"), *m = path_join(dir, "modules");
		uint64_t t0 = now_mono_ns();

		info->boot_copy = true;
		/* invalid first, valid only once complete */
		unlink(b);
		unlink(m);
		if ((mkdir(dir, 0700) < 0 && errno != EEXIST) ||
		    copy_in(dir, "kallsyms", proc, "kallsyms") < 0 ||
		    copy_in(dir, "printk_formats", tdir, "printk_formats") < 0 ||
		    copy_in(dir, "modules", proc, "modules") < 0 ||
		    copy_in(dir, "boot_id", proc, "sys/kernel/random/boot_id") < 0)
			wqb_warn("trace.dat: cannot keep kallsyms in %s: %s", dir, strerror(errno));
		info->boot_copy_ms = (double)(now_mono_ns() - t0) / 1e6;
		free(b);
		free(m);
	}
	*kallsyms = read_file(kf, klen);
	if (!*kallsyms)	/* no cache: straight from the kernel */
		*kallsyms = read_file(kp, klen);
	*printk = read_file(pf, plen);
	if (!*printk)
		*printk = read_file(tp, plen);
	if (!*kallsyms) {
		*err = xasprintf("cannot read %s: %s", kp, strerror(errno));
		free(*printk);
		*printk = NULL;
		rc = -1;
	} else {
		drop_wqbench(*kallsyms, klen);
		if (!*printk) {
			*printk = xstrdup("");
			*plen = 0;
		}
	}
	free(now);
	free(then);
	free(kf);
	free(pf);
	free(tp);
	free(kp);
	return rc;
}

/* ---- writing ---- */

static void put(FILE *f, const void *p, size_t n)
{
	if (n)
		fwrite(p, 1, n, f);
}

static void put2(FILE *f, uint16_t v) { put(f, &v, 2); }
static void put4(FILE *f, uint32_t v) { put(f, &v, 4); }
static void put8(FILE *f, uint64_t v) { put(f, &v, 8); }

/*
 * A tracefs file of the top level (top: NULL, the running system's, or one
 * made by tracefs_instance_alloc(dir, NULL)) or of an instance, "" when
 * unreadable.
 */
static char *tfile(struct tracefs_instance *inst, const char *name, int *size)
{
	char *s = tracefs_instance_file_read(inst, name, size);

	if (!s) {
		*size = 0;
		return xstrdup("");
	}
	return s;
}

/* a file that must be there: its size and text, or -1 with *err */
static int put_needed(FILE *f, struct tracefs_instance *top, const char *name, char **err)
{
	int n;
	char *s = tracefs_instance_file_read(top, name, &n);

	if (!s || n <= 0) {
		*err = xasprintf("cannot read %s in the tracing directory", name);
		free(s);
		return -1;
	}
	put8(f, (uint64_t)n);
	put(f, s, (size_t)n);
	free(s);
	return 0;
}

static int put_format(FILE *f, struct tracefs_instance *top, const char *sys, const char *ev,
		      char **err)
{
	char *p = xasprintf("events/%s/%s/format", sys, ev);
	int r = put_needed(f, top, p, err);

	free(p);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the enabled events as "sys:ev", sorted by system; the count in *n */
static char **enabled_events(struct tracefs_instance *inst, size_t *n)
{
	int sz;
	char *text = tfile(inst, "set_event", &sz), *line, *save = NULL;
	char **v = NULL;

	*n = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strchr(line, ':'))
			continue;
		v = xrealloc(v, (*n + 1) * sizeof(*v));
		v[(*n)++] = xstrdup(line);
	}
	free(text);
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

static int put_events(FILE *f, struct tracefs_instance *top, char **ev, size_t n, char **err)
{
	uint32_t nsys = 0;

	for (size_t i = 0; i < n; i++)
		if (!i || strncmp(ev[i], ev[i - 1], (size_t)(strchr(ev[i], ':') - ev[i]) + 1))
			nsys++;
	put4(f, nsys);
	for (size_t i = 0; i < n;) {
		size_t sl = (size_t)(strchr(ev[i], ':') - ev[i]), j;
		char *sys = strndup(ev[i], sl);

		for (j = i; j < n && !strncmp(ev[j], ev[i], sl + 1); j++)
			;
		put(f, sys, sl + 1);	/* with its NUL */
		put4(f, (uint32_t)(j - i));
		for (; i < j; i++)
			if (put_format(f, top, sys, ev[i] + sl + 1, err) < 0) {
				free(sys);
				return -1;
			}
		free(sys);
	}
	return 0;
}

static int put_ftrace(FILE *f, const char *tracing_dir, struct tracefs_instance *top,
		      char **err)
{
	char **ev = tracefs_system_events(tracing_dir, "ftrace");
	uint32_t n = 0;
	int rc = 0;

	while (ev && ev[n])
		n++;
	put4(f, n);
	for (uint32_t i = 0; i < n && rc == 0; i++)
		rc = put_format(f, top, "ftrace", ev[i], err);
	tracefs_list_free(ev);
	return rc;
}

/*
 * One CPU's pages from trace_pipe_raw, consumed, until EAGAIN (the live
 * buffer is empty) or 0 (end of a regular file, or of a buffer being
 * closed).  The kernel gives whole pages to a read of one page, so a
 * shorter read is a damaged source.  -1 with *err.
 */
static int put_cpu(FILE *f, struct tracefs_instance *inst, int cpu, size_t psize,
		   uint64_t *bytes, char **err)
{
	char *name = xasprintf("per_cpu/cpu%d/trace_pipe_raw", cpu);
	char *p = tracefs_instance_get_file(inst, name);
	char *page = xmalloc(psize);
	int fd, rc = 0;

	*bytes = 0;
	free(name);
	fd = p ? open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : -1;
	tracefs_put_tracing_file(p);
	if (fd < 0) {
		*err = xasprintf("cannot read the ring buffer of CPU %d: %s", cpu,
				 strerror(errno));
		free(page);
		return -1;
	}
	for (;;) {
		ssize_t r = read(fd, page, psize);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			break;
		if (r < 0) {
			*err = xasprintf("cannot read the ring buffer of CPU %d: %s", cpu,
					 strerror(errno));
			rc = -1;
			break;
		}
		if (r == 0)
			break;
		if ((size_t)r < psize) {
			*err = xasprintf("the ring buffer of CPU %d ends within a page: "
					 "%zd bytes after %llu", cpu, r,
					 (unsigned long long)*bytes);
			rc = -1;
			break;
		}
		put(f, page, psize);
		*bytes += psize;
	}
	close(fd);
	free(page);
	return rc;
}

/*
 * The CPUs: per_cpu/cpu0, cpu1... as long as there is such an entry (one
 * that cannot be read is counted, and fails in put_cpu() with its reason)
 */
static int ncpus_of(struct tracefs_instance *inst)
{
	int n = 0;

	for (;; n++) {
		char *name = xasprintf("per_cpu/cpu%d", n);
		char *p = tracefs_instance_get_file(inst, name);
		struct stat st;
		bool there = p && lstat(p, &st) == 0;

		tracefs_put_tracing_file(p);
		free(name);
		if (!there)
			return n;
	}
}

int tracedat_write(struct tracefs_instance *inst, const char *ko_path, const char *path,
		   struct tracedat_info *info, char **err)
{
	return tracedat_write_from(NULL, inst, ko_path, path, info, err);
}

int tracedat_write_from(const struct tracedat_src *src, struct tracefs_instance *inst,
			const char *ko_path, const char *path, struct tracedat_info *info,
			char **err)
{
	static const char magic[] = { 23, 8, 68, 't', 'r', 'a', 'c', 'i', 'n', 'g' };
	static const struct tracedat_src live;
	struct tracefs_instance *top = NULL;
	struct atomic_file a;
	FILE *f;
	char *kallsyms, *printk, *mod = NULL, *s, **ev;
	size_t klen, plen, nev, psize = (size_t)sysconf(_SC_PAGESIZE);
	int n, r, ncpus = ncpus_of(inst);
	uint16_t one = 1;
	uint64_t *off = NULL, *size = NULL;
	off_t table, pos;
	struct utsname u;

	if (!src)
		src = &live;
	if (ncpus <= 0) {
		*err = xasprintf("no per_cpu directories in the tracefs instance");
		return -1;
	}
	/* the top level of another tracing directory; NULL: the running system's */
	if (src->tracing_dir && !(top = tracefs_instance_alloc(src->tracing_dir, NULL))) {
		*err = xasprintf("cannot use the tracing directory %s", src->tracing_dir);
		return -1;
	}
	s = tracefs_instance_file_read(inst, "buffer_subbuf_size_kb", NULL);
	if (s && atoi(s) > 0)
		psize = (size_t)atoi(s) * 1024;
	free(s);
	memset(info, 0, sizeof(*info));
	if (boot_files(src, &kallsyms, &klen, &printk, &plen, info, err) < 0) {
		tracefs_instance_free(top);
		return -1;
	}
	if (ko_path)
		mod = tracedat_module_kallsyms(ko_path, "wqbench", "/sys/module/wqbench/sections");
	/* few large writes: trace.dat is mostly on 9p, where each is a round trip */
	f = atomic_open_buffered(&a, path, 0644, 1 << 20);
	if (!f) {
		*err = xasprintf("cannot write %s: %s", path, strerror(errno));
		free(kallsyms);
		free(printk);
		free(mod);
		tracefs_instance_free(top);
		return -1;
	}
	put(f, magic, sizeof(magic));
	put(f, "6", 2);
	put(f, (const char[]){ *(const char *)&one ? 0 : 1, (char)sizeof(long) }, 2);
	put4(f, (uint32_t)psize);

	put(f, "header_page", 12);
	r = put_needed(f, top, "events/header_page", err);
	if (r == 0) {
		put(f, "header_event", 13);
		r = put_needed(f, top, "events/header_event", err);
	}
	if (r == 0)
		r = put_ftrace(f, src->tracing_dir, top, err);
	if (r == 0) {
		ev = enabled_events(inst, &nev);
		r = put_events(f, top, ev, nev, err);
		for (size_t i = 0; i < nev; i++)
			free(ev[i]);
		free(ev);
	}
	if (r < 0) {
		free(kallsyms);
		free(printk);
		free(mod);
		goto fail;
	}

	{
		size_t ml = mod ? strlen(mod) : 0;

		put4(f, (uint32_t)(klen + ml));
		put(f, kallsyms, klen);
		put(f, mod, ml);
	}
	put4(f, (uint32_t)plen);
	put(f, printk, plen);
	free(kallsyms);
	free(printk);
	free(mod);

	s = tfile(top, "saved_cmdlines", &n);
	put8(f, (uint64_t)n);
	put(f, s, (size_t)n);
	free(s);

	put4(f, (uint32_t)ncpus);
	put(f, "options  ", 10);
	s = tfile(inst, "trace_clock", &n);
	put2(f, OPT_TRACECLOCK);
	put4(f, (uint32_t)n + 1);
	put(f, s, (size_t)n + 1);
	free(s);
	if (uname(&u) == 0) {
		s = xasprintf("%s %s %s %s", u.sysname, u.release, u.version, u.machine);
		put2(f, OPT_UNAME);
		put4(f, (uint32_t)strlen(s) + 1);
		put(f, s, strlen(s) + 1);
		free(s);
	}
	put2(f, 0);
	put(f, "flyrecord", 10);

	off = calloc((size_t)ncpus, sizeof(*off));
	size = calloc((size_t)ncpus, sizeof(*size));
	table = ftello(f);
	for (int c = 0; c < ncpus; c++) {
		put8(f, 0);
		put8(f, 0);
	}
	for (int c = 0; off && size && c < ncpus; c++) {
		pos = ftello(f);
		if (pos < 0)
			break;
		if ((size_t)pos % psize) {
			size_t pad = psize - (size_t)pos % psize;
			char *z = calloc(1, pad);

			put(f, z, pad);
			free(z);
			pos += (off_t)pad;
		}
		off[c] = (uint64_t)pos;
		if (put_cpu(f, inst, c, psize, &size[c], err) < 0)
			goto fail;
	}
	if (!off || !size || table < 0 || fseeko(f, table, SEEK_SET) < 0) {
		*err = xasprintf("cannot write %s: %s", path, strerror(errno));
		goto fail;
	}
	for (int c = 0; c < ncpus; c++) {
		put8(f, off[c]);
		put8(f, size[c]);
	}
	free(off);
	free(size);
	off = size = NULL;
	if (fseeko(f, 0, SEEK_END) == 0 && (pos = ftello(f)) > 0)
		info->bytes = (unsigned long long)pos;
	if (ferror(f)) {
		*err = xasprintf("cannot write %s", path);
		goto fail;
	}
	tracefs_instance_free(top);
	if (atomic_commit(&a) < 0) {
		*err = xasprintf("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
fail:
	free(off);
	free(size);
	tracefs_instance_free(top);
	atomic_discard(&a);
	return -1;
}
