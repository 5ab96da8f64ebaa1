// SPDX-License-Identifier: GPL-2.0
/*
 * Shared helpers: messages, allocation, files, paths, time, number parsing.
 */
#include "util.h"
#include "runcmd.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *wqb_progname = "wqbench";
int wqb_verbosity = 1;

static void vmsg(const char *tag, const char *fmt, va_list ap)
{
	char buf[4096];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* One write per line, so parallel writers do not interleave mid-line. */
	fprintf(stderr, "%s: %s%s\n", wqb_progname, tag, buf);
}

void wqb_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("error: ", fmt, ap);
	va_end(ap);
}

void wqb_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void wqb_info(const char *fmt, ...)
{
	va_list ap;

	if (wqb_verbosity < 1)
		return;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void wqb_debug(const char *fmt, ...)
{
	va_list ap;

	if (wqb_verbosity < 2)
		return;
	va_start(ap, fmt);
	vmsg("debug: ", fmt, ap);
	va_end(ap);
}

static void oom(void)
{
	fputs("wqbench: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		oom();
	va_end(ap);
	return p;
}

char *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

char *read_file_trim(const char *path)
{
	char *s = read_file(path, NULL);

	if (s)
		str_trim(s);
	return s;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * Every file wqbench writes goes through here: a temporary file created
 * beside PATH (O_EXCL, so never through a symlink someone planted), written
 * whole, fsync'd, renamed over PATH (which replaces a symlink at PATH
 * instead of following it), then the directory fsync'd.  On any failure
 * the temporary file is removed and PATH keeps its previous content.
 */
static int atomic_tmp(const char *path, char **tmp)
{
	const char *slash = strrchr(path, '/');
	int fd;

	if (slash)
		*tmp = xasprintf("%.*s/.%s.tmp-XXXXXX", (int)(slash - path), path, slash + 1);
	else
		*tmp = xasprintf(".%s.tmp-XXXXXX", path);
	fd = mkostemp(*tmp, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		free(*tmp);
		*tmp = NULL;
		errno = e;
	}
	return fd;
}

static void fsync_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xasprintf("%.*s", (int)(slash - path + (slash == path)), path) :
			    xstrdup(".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	/* best effort: some file systems (9p) refuse fsync on a directory */
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

/* fsync, close and rename fd's temporary file over path; 0 or -1 with errno */
static int atomic_finish(int fd, char *tmp, const char *path)
{
	int e;

	if (fsync(fd) < 0 && errno != EINVAL) {
		e = errno;
		close(fd);
		goto undo;
	}
	if (close(fd) < 0) {
		e = errno;
		goto undo;
	}
	if (rename(tmp, path) < 0) {
		e = errno;
		goto undo;
	}
	fsync_dir_of(path);
	free(tmp);
	return 0;
undo:
	unlink(tmp);
	free(tmp);
	errno = e;
	return -1;
}

int write_file_atomic(const char *path, const void *buf, size_t len, int mode)
{
	char *tmp;
	int fd = atomic_tmp(path, &tmp), e;

	if (fd < 0)
		return -1;
	if (fchmod(fd, (mode_t)mode) < 0 || write_all(fd, buf, len) < 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		free(tmp);
		errno = e;
		return -1;
	}
	return atomic_finish(fd, tmp, path);
}

FILE *atomic_open(struct atomic_file *a, const char *path, int mode)
{
	int fd, e;

	memset(a, 0, sizeof(*a));
	fd = atomic_tmp(path, &a->tmp);
	if (fd < 0)
		return NULL;
	if (fchmod(fd, (mode_t)mode) < 0 || !(a->f = fdopen(fd, "w"))) {
		e = errno;
		close(fd);
		unlink(a->tmp);
		free(a->tmp);
		a->tmp = NULL;
		errno = e;
		return NULL;
	}
	a->path = xstrdup(path);
	return a->f;
}

FILE *atomic_open_buffered(struct atomic_file *a, const char *path, int mode, size_t bufsize)
{
	FILE *f = atomic_open(a, path, mode);

	if (f) {
		a->buf = xmalloc(bufsize);
		setvbuf(f, a->buf, _IOFBF, bufsize);
	}
	return f;
}

void atomic_discard(struct atomic_file *a)
{
	if (a->f)
		fclose(a->f);
	if (a->tmp)
		unlink(a->tmp);
	free(a->buf);
	free(a->tmp);
	free(a->path);
	memset(a, 0, sizeof(*a));
}

int atomic_commit(struct atomic_file *a)
{
	int fd, e, rc;

	if (!a->f) {
		errno = EBADF;
		return -1;
	}
	if (fflush(a->f) != 0 || ferror(a->f)) {
		e = errno ? errno : EIO;
		atomic_discard(a);
		errno = e;
		return -1;
	}
	/* the FILE goes, its descriptor stays open for atomic_finish */
	fd = dup(fileno(a->f));
	if (fd < 0) {
		e = errno;
		atomic_discard(a);
		errno = e;
		return -1;
	}
	fclose(a->f);
	a->f = NULL;
	free(a->buf);
	a->buf = NULL;
	rc = atomic_finish(fd, a->tmp, a->path);
	e = errno;
	a->tmp = NULL;
	free(a->path);
	a->path = NULL;
	errno = e;
	return rc;
}

void json_seed_without_blocking(void)
{
	size_t seed = 0;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed) || !seed)
		seed = (size_t)now_mono_ns() ^ ((size_t)getpid() << 16) ^ 0x9e3779b9u;
	json_object_seed(seed ? seed : 1);
}

int json_write_atomic(const json_t *j, const char *path, size_t flags)
{
	char *text = json_dumps(j, flags);
	int rc, e;

	if (!text) {
		errno = ENOMEM;
		return -1;
	}
	/* json_dump_file ends without a newline; so does this */
	rc = write_file_atomic(path, text, strlen(text), 0644);
	e = errno;
	free(text);
	errno = e;
	return rc;
}

void wqb_err_write(const char *path, int e)
{
	struct stat st;

	if (lstat(path, &st) == 0)
		wqb_err("cannot write %s: %s; its previous content is left as it was", path,
			strerror(e));
	else
		wqb_err("cannot write %s: %s; nothing was written", path, strerror(e));
}

int write_file_str(const char *path, const char *s)
{
	/* O_TRUNC is ignored by sysfs and keeps plain files (tests) exact */
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	size_t len = strlen(s);
	ssize_t w;
	int e;

	if (fd < 0)
		return -1;
	/* sysfs wants the whole value in one write() */
	do {
		w = write(fd, s, len);
	} while (w < 0 && errno == EINTR);
	e = errno;
	close(fd);
	if (w < 0) {
		errno = e;
		return -1;
	}
	if ((size_t)w != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int mkdir_p(const char *path, int mode)
{
	char *p = xstrdup(path), *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST) {
		free(p);
		return -1;
	}
	free(p);
	return is_dir(path) ? 0 : (errno = ENOTDIR, -1);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	if (flag == FTW_DP)
		return rmdir(p);
	return unlink(p);
}

int remove_tree(const char *path)
{
	if (!path || !*path || strcmp(path, "/") == 0) {
		errno = EINVAL;
		return -1;
	}
	if (!path_exists(path))
		return 0;
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

bool path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *abs_path(const char *path)
{
	char *r = realpath(path, NULL);

	if (!r && errno == ENOMEM)
		oom();
	return r;
}

char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	return xasprintf("%.*s/%s", (int)la, a, b);
}

int copy_file(const char *src, const char *dst, int mode)
{
	size_t len;
	char *buf = read_file(src, &len);
	int r;

	if (!buf)
		return -1;
	r = write_file_atomic(dst, buf, len, mode);
	free(buf);
	return r;
}

int sha256_file(const char *path, char out[65])
{
	char *const argv[] = { "sha256sum", "--", (char *)path, NULL };
	char *o = NULL;
	int rc = spawn_capture(argv, NULL, 120000, 4096, &o);

	if (rc != 0 || !o || strlen(o) < 64) {
		free(o);
		errno = EIO;
		return -1;
	}
	memcpy(out, o, 64);
	out[64] = '\0';
	free(o);
	return 0;
}

uint64_t now_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t now_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void iso8601_utc(uint64_t real_ns, char buf[32])
{
	time_t t = (time_t)(real_ns / 1000000000ull);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool parse_double_in(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return false;
	*out = v;
	return true;
}

int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int parse_mib(const char *s, uint64_t *mib)
{
	char *num = xstrdup(s);
	size_t n = strlen(num);
	uint64_t v, mult = 1;
	int r = -1;

	if (n && (num[n - 1] == 'G' || num[n - 1] == 'g')) {
		mult = 1024;
		num[--n] = '\0';
	} else if (n && (num[n - 1] == 'M' || num[n - 1] == 'm')) {
		num[--n] = '\0';
	}
	if (parse_u64(num, &v) == 0 && v > 0 && v <= (1ull << 30) / mult) {
		*mib = v * mult;
		r = 0;
	}
	free(num);
	return r;
}

bool str_ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lf = strlen(suffix);

	return ls >= lf && strcmp(s + ls - lf, suffix) == 0;
}

char *str_trim(char *s)
{
	size_t n = strlen(s);
	char *b = s;

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (*b && isspace((unsigned char)*b))
		b++;
	if (b != s)
		memmove(s, b, strlen(b) + 1);
	return s;
}

const char *boot_cache_dir(void)
{
	const char *e = getenv("WQBENCH_BOOT_CACHE");

	return e && *e ? e : "/run/wqbench-boot";
}

const char *wqb_src_dir(void)
{
	static char *dir;
	char *exe, *slash;

	if (dir)
		return dir;
	if (getenv("WQBENCH_SRC")) {
		dir = abs_path(getenv("WQBENCH_SRC"));
		if (dir)
			return dir;
	}
	exe = abs_path("/proc/self/exe");
	if (!exe)
		return dir = xstrdup(".");
	/* <src>/build/wqbench: walk up to the directory holding harness/ */
	for (;;) {
		char *mk;

		slash = strrchr(exe, '/');
		if (!slash || slash == exe)
			break;
		*slash = '\0';
		mk = path_join(exe, "harness/guest-init.sh");
		if (path_exists(mk)) {
			free(mk);
			return dir = exe;
		}
		free(mk);
	}
	free(exe);
	return dir = xstrdup(".");
}

char *results_dir_stamped(const char *prefix)
{
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	return xasprintf("%s/results/%s-%s", wqb_src_dir(), prefix, stamp);
}
