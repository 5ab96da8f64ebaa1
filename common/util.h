/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers every part of the wqbench command shares: error reporting,
 * whole-file I/O, paths and time.  Nothing here knows about workqueues.
 */
#ifndef WQB_UTIL_H
#define WQB_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Set by main(): the program name used as prefix of every message. */
extern const char *wqb_progname;
/* 0 = errors only, 1 = normal, 2 = verbose.  --quiet/--verbose set it. */
extern int wqb_verbosity;

/* One line on stderr, "wqbench: <msg>".  err() never exits. */
void wqb_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void wqb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void wqb_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void wqb_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* malloc/strdup/asprintf that abort on exhaustion: callers never check. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Read a whole file into a NUL-terminated buffer.  Returns NULL with errno
 * set on failure; *len (optional) receives the length without the NUL.
 */
char *read_file(const char *path, size_t *len);
/* Read a sysfs/procfs style file and strip the trailing newline. */
char *read_file_trim(const char *path);
/*
 * Every file wqbench writes is written whole or not at all: a temporary
 * file beside path (created O_EXCL: never through a symlink), fsync'd and
 * renamed over path (a symlink at path is replaced, not followed).  On
 * failure (-1, errno set) path keeps its previous content and no temporary
 * file is left.
 */
int write_file_atomic(const char *path, const void *buf, size_t len, int mode);
/* The same for a file written with stdio: write to ->f, then commit. */
struct atomic_file {
	FILE *f;
	char *path, *tmp;
	char *buf;	/* the stdio buffer of atomic_open_buffered() */
};
FILE *atomic_open(struct atomic_file *a, const char *path, int mode);
/*
 * The same with a stdio buffer of bufsize bytes.  glibc's setvbuf() with
 * a NULL buffer ignores the size and buffers st_blksize (8 KiB on the
 * guest's 9p share, where every write is a round trip to the host).
 */
FILE *atomic_open_buffered(struct atomic_file *a, const char *path, int mode, size_t bufsize);
/* Flush, fsync, rename; 0, or -1 with errno (nothing replaced). Frees a. */
int atomic_commit(struct atomic_file *a);
/* Give up: the temporary file is removed, path untouched. */
void atomic_discard(struct atomic_file *a);
struct json_t;
/*
 * Seed jansson's hash function before the first JSON value is made.  Left
 * to itself, jansson reads /dev/urandom, which blocks until the kernel's
 * RNG is ready: 2.4 s in a TCG guest for the first run of a boot.  The seed
 * only guards hash tables against crafted keys; the kernel's RNG when it is
 * ready, else the clock and the pid.
 */
void json_seed_without_blocking(void);
/* json_dumps(j, flags) written with write_file_atomic (mode 0644). */
int json_write_atomic(const struct json_t *j, const char *path, size_t flags);
/* "cannot write PATH: ERR; its previous content is left as it was" */
void wqb_err_write(const char *path, int e);
/* Write a string to an existing file (sysfs style: one write, no rename). */
int write_file_str(const char *path, const char *s);

/* mkdir -p; returns 0 or -1 with errno. */
int mkdir_p(const char *path, int mode);
/* rm -rf of a directory tree we created ourselves; refuses "/" and "". */
int remove_tree(const char *path);
bool path_exists(const char *path);
bool is_dir(const char *path);
/* Absolute, symlink-free form of an existing path (realpath, allocated). */
char *abs_path(const char *path);
/* Join two path parts with exactly one '/'. */
char *path_join(const char *a, const char *b);
/* Copy a regular file. */
int copy_file(const char *src, const char *dst, int mode);

/* sha256 of a file as 64 hex chars into out[65]; returns 0 or -1. */
int sha256_file(const char *path, char out[65]);

/* Monotonic and wall-clock time in nanoseconds. */
uint64_t now_mono_ns(void);
uint64_t now_real_ns(void);
/* UTC ISO-8601 "2026-11-22T14:41:03Z" into buf[32]. */
void iso8601_utc(uint64_t real_ns, char buf[32]);

/* Strict integer parsing: the whole string must be a number in range. */
int parse_u64(const char *s, uint64_t *out);
int parse_i64(const char *s, int64_t *out);
/* A whole-string number within lo..hi (NaN is never in range). */
bool parse_double_in(const char *s, double lo, double hi, double *out);
/* "1G", "512M", "1024" (MiB when no suffix is given) into MiB. */
int parse_mib(const char *s, uint64_t *mib);

/* True when s ends with suffix. */
bool str_ends_with(const char *s, const char *suffix);
/* Strip leading/trailing white space in place; returns s. */
char *str_trim(char *s);

/* The wqbench source tree (where build/wqbench lives, one level up). */
const char *wqb_src_dir(void);
/*
 * Files that hold for one boot of the machine under test (kallsyms and
 * printk formats for trace.dat, harness/tracedat.c), made by its first
 * run: /run/wqbench-boot (a tmpfs in the guest), or $WQBENCH_BOOT_CACHE.
 */
const char *boot_cache_dir(void);
/* <source>/results/PREFIX-yyyymmdd-hhmmss (UTC), malloc'd: a default output directory */
char *results_dir_stamped(const char *prefix);

#endif /* WQB_UTIL_H */
