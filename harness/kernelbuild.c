// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench kernel build`: guest kernels from source.
 *
 * Layout in the cache (wqb_cache_dir()):
 *
 *   src/debian-<series>/debs/	linux-source-<series>_*.deb as downloaded
 *   src/debian-<series>/tree/	its tar.xz, unpacked once (source.json last)
 *   ccache/			CCACHE_DIR; CCACHE_BASEDIR is the cache, so
 *				ccache sees paths relative to the build dir
 *   kernels/<name>/tree/, kernels/<name>/tree.index
 *				a commit of a git tree (--rev), checked out with
 *				a private index: the next commit under the same
 *				name rewrites only the files that differ.  Beside
 *				build/, so every name sees its sources at the same
 *				relative path (../tree): two names built from
 *				commits of one tree share ccache hits
 *   kernels/<name>/build/	make O=: .config, vmlinux, bzImage, Module.symvers
 *   kernels/<name>/config	the final .config (meta.json's kernel config)
 *   kernels/<name>/build.log
 *   kernels/<name>/kernel.json	"kind": "built", written last (removed first)
 *
 * The configuration is `make tinyconfig`, then the tree's
 * kernel/configs/kvm_guest.config and the project's fragments
 * (harness/kconfig/base.config + <flavour>.config, debug also merges
 * lean.config first) merged with scripts/kconfig/merge_config.sh -m, then
 * `make olddefconfig`; every option a project fragment sets is checked in
 * the final .config.  The user's tree is never written: builds are O=, a
 * commit is checked out into the cache.
 */
#include "kernelbuild.h"
#include "runcmd.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <sys/file.h>
#include <signal.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

const char *const kbuild_flavours[] = { "lean", "debug", NULL };

/* ---- pure parts: fragments, .config checks, names ---------------------- */

static bool is_sym_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static void frag_add(struct kconfig_frag *f, const char *name, size_t nlen, const char *value,
		     const char *file, int line)
{
	struct kconfig_opt *o;

	f->v = xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
	o = &f->v[f->n++];
	o->name = xasprintf("%.*s", (int)nlen, name);
	o->value = value ? xstrdup(value) : NULL;
	o->origin = xasprintf("%s:%d", file, line);
}

int kconfig_parse(const char *text, const char *file, struct kconfig_frag *f, char **err)
{
	const char *p = text;
	int line = 0;

	*err = NULL;
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *l = xasprintf("%.*s", (int)len, p), *s = str_trim(l);

		line++;
		p = eol ? eol + 1 : NULL;
		if (!*s) {
			free(l);
			continue;
		}
		if (s[0] == '#') {
			/* "# CONFIG_FOO is not set" is an option, other comments are not */
			const char *q = s + 1, *n;

			while (*q == ' ')
				q++;
			if (strncmp(q, "CONFIG_", 7) == 0) {
				n = q;
				while (is_sym_char(*q))
					q++;
				if (strcmp(q, " is not set") == 0) {
					frag_add(f, n, (size_t)(q - n), NULL, file, line);
					free(l);
					continue;
				}
			}
			free(l);
			continue;
		}
		if (strncmp(s, "CONFIG_", 7) == 0) {
			const char *q = s;

			while (is_sym_char(*q))
				q++;
			if (*q == '=' && q[1] && q > s + 7) {
				frag_add(f, s, (size_t)(q - s), q + 1, file, line);
				free(l);
				continue;
			}
		}
		*err = xasprintf("%s:%d: not a config line (want CONFIG_NAME=value or '# CONFIG_NAME is not set'): %s",
				 file, line, s);
		free(l);
		return -1;
	}
	return 0;
}

void kconfig_frag_free(struct kconfig_frag *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].value);
		free(f->v[i].origin);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

char *kconfig_value(const char *config_text, const char *name)
{
	size_t nl = strlen(name);
	const char *p = config_text;

	while (p && *p) {
		const char *eol = strchr(p, '\n');

		if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
			const char *v = p + nl + 1;
			size_t len = eol ? (size_t)(eol - v) : strlen(v);
			char *r = xasprintf("%.*s", (int)len, v);

			str_trim(r);
			if (!*r || strcmp(r, "n") == 0) {
				free(r);
				return NULL;
			}
			return r;
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

void kconfig_mark_declared(const char *kconfig_text, const struct kconfig_frag *f,
			   bool *declared)
{
	const char *p = kconfig_text;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		const char *w = p, *sym;
		size_t len;

		while (*w == ' ' || *w == '\t')
			w++;
		if (strncmp(w, "config", 6) == 0)
			w += 6;
		else if (strncmp(w, "menuconfig", 10) == 0)
			w += 10;
		else
			goto next;
		if (*w != ' ' && *w != '\t')
			goto next;
		while (*w == ' ' || *w == '\t')
			w++;
		sym = w;
		while (is_sym_char(*w))
			w++;
		len = (size_t)(w - sym);
		if (!len || (*w && *w != '\n' && *w != ' ' && *w != '\t' && *w != '\r'))
			goto next;
		for (size_t i = 0; i < f->n; i++) {
			const char *n = f->v[i].name + strlen("CONFIG_");

			if (strlen(n) == len && strncmp(n, sym, len) == 0)
				declared[i] = true;
		}
next:
		p = eol ? eol + 1 : NULL;
	}
}

size_t kconfig_check(const char *config_text, const struct kconfig_frag *f,
		     const bool *declared, char **report, char **absent)
{
	char *rep = NULL, *abs = NULL;
	size_t bad = 0;

	for (size_t i = 0; i < f->n; i++) {
		const struct kconfig_opt *o = &f->v[i];
		char *have, *t;
		bool later = false, ok;

		/* a later fragment overrides this line: only the last one counts */
		for (size_t j = i + 1; j < f->n && !later; j++)
			later = strcmp(f->v[j].name, o->name) == 0;
		if (later)
			continue;
		have = kconfig_value(config_text, o->name);
		if (!o->value || strcmp(o->value, "n") == 0)
			ok = !have;
		else
			ok = have && strcmp(have, o->value) == 0;
		if (!ok && declared && !declared[i] && !have) {
			/*
			 * No Kconfig of this tree declares the symbol: the
			 * option is newer than the kernel (6.1 has no
			 * WQ_CPU_INTENSIVE_REPORT).  Not a dropped option, but
			 * said, and recorded in kernel.json.
			 */
			t = xasprintf("%s%s (%s) does not exist in this kernel: no Kconfig declares it\n",
				      abs ? abs : "", o->name, o->origin);
			free(abs);
			abs = t;
		} else if (!ok) {
			char *want = o->value ? xasprintf("%s=%s", o->name, o->value)
					      : xasprintf("%s unset", o->name);
			char *got = have ? xasprintf("%s=%s", o->name, have)
					 : xasprintf("%s unset", o->name);

			t = xasprintf("%s%s (%s) was dropped by Kconfig: the final .config has %s\n",
				      rep ? rep : "", want, o->origin, got);
			free(rep);
			rep = t;
			free(want);
			free(got);
			bad++;
		}
		free(have);
	}
	*report = rep;
	if (absent)
		*absent = abs;
	else
		free(abs);
	return bad;
}

bool kbuild_flavour_ok(const char *flavour)
{
	for (size_t i = 0; kbuild_flavours[i]; i++)
		if (strcmp(flavour, kbuild_flavours[i]) == 0)
			return true;
	return false;
}

static bool name_char_ok(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '+' || c == '-';
}

bool kbuild_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > 64 || !isalpha((unsigned char)name[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!name_char_ok(name[i]))
			return false;
	return true;
}

char *kbuild_default_name(const char *series, const char *dirname, const char *rev,
			  const char *flavour)
{
	char *n;

	if (series)
		n = xasprintf("src-%s-%s", series, flavour);
	else if (rev)
		n = xasprintf("%s-%.12s-%s", dirname, rev, flavour);
	else
		n = xasprintf("%s-%s", dirname, flavour);
	for (char *p = n; *p; p++)
		if (!name_char_ok(*p))
			*p = '_';
	if (!isalpha((unsigned char)n[0])) {
		char *t = xasprintf("src-%s", n);

		free(n);
		n = t;
	}
	if (strlen(n) > 64)
		n[64] = '\0';
	return n;
}

/* ---- the cache --------------------------------------------------------- */

static char *kernel_dir_of(const char *name)
{
	return xasprintf("%s/kernels/%s", wqb_cache_dir(), name);
}

static json_t *load_built_json(const char *kdir)
{
	char *jp = path_join(kdir, "kernel.json");
	json_t *j = path_exists(jp) ? json_load_file(jp, 0, NULL) : NULL;
	const char *kind = j ? json_string_value(json_object_get(j, "kind")) : NULL;

	free(jp);
	if (!kind || strcmp(kind, "built") != 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

int kbuild_resolve(const char *kdir, const char *name, struct wqb_kernel *k)
{
	json_t *j = load_built_json(kdir);
	char *build;

	memset(k, 0, sizeof(*k));
	if (!j)
		return 1;
	build = path_join(kdir, "build");
	k->name = xstrdup(name);
	k->release = xstrdup(jstr(j, "release"));
	k->image = path_join(build, "arch/x86/boot/bzImage");
	k->build_dir = xstrdup(build);
	k->modules_dir = xstrdup(build);
	k->config = path_join(kdir, "config");
	if (*jstr(j, "build_id"))
		k->build_id = xstrdup(jstr(j, "build_id"));
	free(build);
	json_decref(j);
	if (!path_exists(k->image)) {
		wqb_err("built kernel %s has no image %s: run 'wqbench kernel build' for it again",
			name, k->image);
		kernel_free(k);
		return -1;
	}
	return 0;
}

json_t *kbuild_origin(const char *config_path)
{
	const char *slash = strrchr(config_path, '/');
	static const char *const keep[] = { "name", "flavour", "release", "source",
					    "config_sha256", "build_id", "built_at",
					    "options_absent", NULL };
	char *kdir;
	json_t *j, *o;

	if (!slash || strcmp(slash, "/config") != 0)
		return NULL;
	kdir = xasprintf("%.*s", (int)(slash - config_path), config_path);
	j = load_built_json(kdir);
	free(kdir);
	if (!j)
		return NULL;
	o = json_object();
	for (size_t i = 0; keep[i]; i++)
		if (json_object_get(j, keep[i]))
			json_object_set(o, keep[i], json_object_get(j, keep[i]));
	json_decref(j);
	return o;
}

static char *source_text(json_t *src)
{
	const char *type = jstr(src, "type");

	if (strcmp(type, "debian") == 0)
		return xasprintf("debian %s %s", jstr(src, "package"), jstr(src, "version"));
	if (*jstr(src, "commit"))
		return xasprintf("%s@%.12s%s", jstr(src, "path"), jstr(src, "commit"),
				 json_is_true(json_object_get(src, "dirty")) ? "+dirty" : "");
	return xstrdup(jstr(src, "path"));
}

int kbuild_list_row(const char *kdir, const char *name)
{
	json_t *j = load_built_json(kdir);
	char *src;

	if (!j)
		return 1;
	src = source_text(json_object_get(j, "source"));
	printf("%-28s %-6s %-22s %-7s %-12.12s %s\n", name, "-", jstr(j, "release"),
	       jstr(j, "flavour"), jstr(j, "config_sha256"), src);
	free(src);
	json_decref(j);
	return 0;
}

char *kernel_elf_build_id(const char *elf)
{
	char *const argv[] = { "readelf", "-n", (char *)elf, NULL };
	struct spawn_opts o = { .stderr_path = "/dev/null" };
	char *out = NULL, *p, *id = NULL;

	if (!path_exists(elf))
		return NULL;
	if (spawn_capture(argv, &o, 60000, 1 << 16, &out) == 0 && out &&
	    (p = strstr(out, "Build ID: "))) {
		p += strlen("Build ID: ");
		id = xasprintf("%.*s", (int)strspn(p, "0123456789abcdef"), p);
		if (!*id) {
			free(id);
			id = NULL;
		}
	}
	free(out);
	return id;
}

/* ---- building ---------------------------------------------------------- */

struct kb {
	const char *flavour;
	char *name;
	char *kdir, *build, *log;
	char *srctree;		/* what make -C gets */
	json_t *source;		/* kernel.json "source" */
	char **env;		/* environ + CCACHE_* */
	bool ccache;
	unsigned int jobs;
	json_t *absent;		/* fragment options this tree does not have */
};

static char **env_with(const char *const *add)
{
	size_t n = 0, m = 0;
	char **e;

	while (environ[n])
		n++;
	while (add[m])
		m++;
	e = xcalloc(n + m + 1, sizeof(*e));
	for (size_t i = 0; i < m; i++)
		e[i] = xstrdup(add[i]);
	for (size_t i = 0, k = m; i < n; i++) {
		bool dup = false;

		for (size_t a = 0; a < m && !dup; a++)
			dup = strncmp(environ[i], add[a], strcspn(add[a], "=") + 1) == 0;
		if (!dup)
			e[k++] = xstrdup(environ[i]);
	}
	return e;
}

static void env_free(char **e)
{
	for (size_t i = 0; e && e[i]; i++)
		free(e[i]);
	free(e);
}

/* Last n lines of text (pointer into it). */
static const char *tail_lines(const char *text, int n)
{
	const char *p = text + strlen(text);

	while (p > text && n >= 0) {
		p--;
		if (*p == '\n')
			n--;
	}
	return p == text ? p : p + 1;
}

/*
 * Run a build step with its output appended to the build log; on failure
 * print the tail of the log and where the rest is.
 */
/*
 * A step runs in its own process group (so a stuck make can be killed
 * whole); an interrupted `kernel build` must not leave it running in the
 * background: SIGINT, SIGTERM and SIGHUP are passed on to the group, then
 * take their default action here.
 */
static volatile sig_atomic_t step_pgrp;

static void pass_signal_on(int sig)
{
	if (step_pgrp > 0)
		kill(-(pid_t)step_pgrp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_stop_signals(void)
{
	static bool done;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = pass_signal_on };

	if (done)
		return;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	done = true;
}

static int step(struct kb *b, char *const argv[], const char *cwd, const char *what,
		char **env)
{
	struct spawn_opts o = { .cwd = cwd, .stdout_path = b->log, .stderr_to_stdout = true,
				.append = true, .new_pgrp = true, .envp = env ? env : b->env };
	struct spawn_result res;
	char *cmd = argv_to_string(argv);
	FILE *f = fopen(b->log, "a");

	if (f) {
		fprintf(f, "### wqbench: %s\n", cmd);
		fclose(f);
	}
	wqb_debug("%s: %s", what, cmd);
	catch_stop_signals();
	{
		pid_t pid = spawn_start(argv, &o);

		if (pid < 0) {
			memset(&res, 0, sizeof(res));
			res.spawn_failed = true;
			res.spawn_errno = errno;
		} else {
			step_pgrp = pid;
			spawn_wait(pid, 0, 0, true, &res);
			step_pgrp = 0;
		}
	}
	if (res.spawn_failed || res.exit_code != 0) {
		char *text = read_file(b->log, NULL);

		if (res.spawn_failed)
			wqb_err("%s: cannot run %s: %s", what, argv[0], strerror(res.spawn_errno));
		else
			wqb_err("%s failed (exit %d): %s\n%s(full log: %s)", what, res.exit_code, cmd,
				text ? tail_lines(text, 25) : "", b->log);
		free(text);
		free(cmd);
		return -1;
	}
	free(cmd);
	return 0;
}

static char *capture(char *const argv[], const char *cwd)
{
	struct spawn_opts o = { .cwd = cwd, .stderr_path = "/dev/null" };
	char *out = NULL;

	if (spawn_capture(argv, &o, 120000, 1 << 20, &out) != 0) {
		free(out);
		return NULL;
	}
	return str_trim(out);
}

const char *debian_series_ok(const char *s)
{
	return strcmp(s, "6.1") == 0 || strcmp(s, "6.12") == 0 ? s : NULL;
}

/* Find the one .deb of pkg in dir. */
static char *find_deb_of(const char *dir, const char *pkg)
{
	char *pat = xasprintf("%s_*.deb", pkg), *out, *nl;
	char *const argv[] = { "find", (char *)dir, "-maxdepth", "1", "-name", pat, NULL };

	out = capture(argv, NULL);
	free(pat);
	if (!out || !*out) {
		free(out);
		return NULL;
	}
	nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	return out;
}

/* Debian's linux-source-<series>: download once, unpack once. */
static int prepare_debian(struct kb *b, const char *series)
{
	char *sdir = xasprintf("%s/src/debian-%s", wqb_cache_dir(), series);
	char *debs = path_join(sdir, "debs"), *tree = path_join(sdir, "tree");
	char *stamp = path_join(sdir, "source.json"), *pkg = xasprintf("linux-source-%s", series);
	char *deb = NULL, *stage = NULL, *tarball = NULL, *ver = NULL, *top = NULL;
	char sum[65] = "";
	json_t *j;
	int r = -1;

	if (path_exists(stamp) && is_dir(tree)) {
		j = json_load_file(stamp, 0, NULL);
		if (j) {
			b->source = j;
			b->srctree = tree;
			tree = NULL;
			r = 0;
			goto out;
		}
	}
	if (!program_in_path("apt-get") || !program_in_path("dpkg-deb")) {
		wqb_err("apt-get/dpkg-deb not found: --debian needs a Debian host (or use --source DIR)");
		goto out;
	}
	if (mkdir_p(debs, 0755) < 0) {
		wqb_err("cannot create %s: %s", debs, strerror(errno));
		goto out;
	}
	deb = find_deb_of(debs, pkg);
	if (!deb) {
		char *const argv[] = { "apt-get", "download", "-q", pkg, NULL };
		struct spawn_opts o = { .cwd = debs, .stdout_path = "/dev/null",
					.stderr_path = "/dev/null" };

		wqb_info("downloading %s", pkg);
		if (spawn_run(argv, &o, 1800000, NULL) != 0 || !(deb = find_deb_of(debs, pkg))) {
			wqb_err("could not download %s with apt-get: is the Debian package mirror reachable? ('apt-cache policy %s')",
				pkg, pkg);
			goto out;
		}
	}
	{
		char *const argv[] = { "dpkg-deb", "-f", deb, "Version", NULL };

		ver = capture(argv, NULL);
	}
	if (!ver || sha256_file(deb, sum) < 0) {
		wqb_err("%s: cannot read the package's version or checksum", deb);
		goto out;
	}
	stage = path_join(sdir, "unpack.partial");
	remove_tree(stage);
	remove_tree(tree);
	if (mkdir_p(stage, 0755) < 0) {
		wqb_err("cannot create %s: %s", stage, strerror(errno));
		goto out;
	}
	wqb_info("unpacking %s %s (about half a minute)", pkg, ver);
	{
		char *const argv[] = { "dpkg-deb", "-x", deb, stage, NULL };

		if (step(b, argv, NULL, "dpkg-deb -x", NULL) < 0)
			goto out;
	}
	tarball = xasprintf("%s/usr/src/linux-source-%s.tar.xz", stage, series);
	{
		char *const argv[] = { "tar", "-xf", tarball, "-C", stage, NULL };

		if (!path_exists(tarball)) {
			wqb_err("%s holds no %s", deb, tarball + strlen(stage) + 1);
			goto out;
		}
		if (step(b, argv, NULL, "tar -xf", NULL) < 0)
			goto out;
	}
	top = xasprintf("%s/linux-source-%s", stage, series);
	if (rename(top, tree) < 0) {
		wqb_err("cannot move %s to %s: %s", top, tree, strerror(errno));
		goto out;
	}
	remove_tree(stage);
	j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "type", "debian", "package", pkg, "version", ver,
		      "file", deb, "sha256", sum, "path", tree);
	/* the mark of a whole unpack: written whole or not at all */
	if (json_write_atomic(j, stamp, JSON_INDENT(2) | JSON_SORT_KEYS) < 0) {
		wqb_err_write(stamp, errno);
		json_decref(j);
		goto out;
	}
	b->source = j;
	b->srctree = tree;
	tree = NULL;
	r = 0;
out:
	free(sdir);
	free(debs);
	free(tree);
	free(stamp);
	free(pkg);
	free(deb);
	free(stage);
	free(tarball);
	free(ver);
	free(top);
	return r;
}

static bool looks_like_kernel_tree(const char *dir)
{
	char *a = path_join(dir, "kernel/workqueue.c"), *m = path_join(dir, "Makefile");
	char *s = path_join(dir, "scripts/kconfig/merge_config.sh");
	bool ok = path_exists(a) && path_exists(m) && path_exists(s);

	free(a);
	free(m);
	free(s);
	return ok;
}

/* The user's tree: as it is (rev NULL) or one commit of it, checked out in the cache. */
static int prepare_tree(struct kb *b, const char *dir, const char *rev)
{
	char *abs = abs_path(dir), *commit = NULL, *gitdir = NULL;
	bool dirty = false;
	int r = -1;

	if (!abs || !is_dir(abs)) {
		wqb_err("--source %s: not a directory", dir);
		goto out;
	}
	{
		char *const argv[] = { "git", "-C", abs, "rev-parse", "--absolute-git-dir", NULL };

		gitdir = program_in_path("git") ? capture(argv, NULL) : NULL;
	}
	if (rev) {
		char *spec = xasprintf("%s^{commit}", rev);
		char *const argv[] = { "git", "-C", abs, "rev-parse", "--verify", "-q", spec, NULL };

		if (!gitdir) {
			wqb_err("--rev %s: %s is not a git work tree", rev, abs);
			free(spec);
			goto out;
		}
		commit = capture(argv, NULL);
		free(spec);
		if (!commit || !*commit) {
			wqb_err("--rev %s: no such commit in %s", rev, abs);
			goto out;
		}
	} else {
		if (!looks_like_kernel_tree(abs)) {
			wqb_err("--source %s: not a kernel source tree (no kernel/workqueue.c, Makefile, scripts/kconfig/merge_config.sh)",
				abs);
			goto out;
		}
		{
			char *cfg = path_join(abs, ".config"), *inc = path_join(abs, "include/config");
			bool built = path_exists(cfg) || is_dir(inc);

			free(cfg);
			free(inc);
			if (built) {
				wqb_err("--source %s was configured or built in place (.config or include/config exists): kbuild refuses O= builds from it; run 'make mrproper' there or build a commit with --rev",
					abs);
				goto out;
			}
		}
		if (gitdir) {
			char *const hv[] = { "git", "-C", abs, "rev-parse", "HEAD", NULL };
			char *const st[] = { "git", "-C", abs, "--no-optional-locks", "status",
					     "--porcelain", "--untracked-files=no", NULL };
			char *s;

			commit = capture(hv, NULL);
			s = capture(st, NULL);
			dirty = s && *s;
			free(s);
		}
		b->srctree = xstrdup(abs);
	}
	if (rev) {
		/* a private index: git updates only the files that differ from the last checkout */
		char *exp = xasprintf("%s/kernels/%s/tree", wqb_cache_dir(), b->name);
		char *idx = xasprintf("GIT_INDEX_FILE=%s/kernels/%s/tree.index", wqb_cache_dir(),
				      b->name);
		char *gd = xasprintf("--git-dir=%s", gitdir), *wt = xasprintf("--work-tree=%s", exp);
		char *const argv[] = { "git", gd, wt, "read-tree", "--reset", "-u", commit, NULL };
		const char *add[] = { idx, NULL };
		char **env = env_with(add);
		int rr;

		if (mkdir_p(exp, 0755) < 0) {
			wqb_err("cannot create %s: %s", exp, strerror(errno));
			rr = -1;
		} else {
			wqb_info("checking out %.12s of %s into %s", commit, abs, exp);
			rr = step(b, argv, NULL, "git read-tree", env);
		}
		env_free(env);
		free(idx);
		free(gd);
		free(wt);
		if (rr == 0 && !looks_like_kernel_tree(exp)) {
			wqb_err("--rev %s of %s is not a kernel source tree (no kernel/workqueue.c, Makefile, scripts/kconfig/merge_config.sh)",
				rev, abs);
			rr = -1;
		}
		if (rr < 0) {
			free(exp);
			goto out;
		}
		b->srctree = exp;
	}
	b->source = json_pack("{s:s,s:s}", "type", gitdir ? "git" : "tree", "path", abs);
	if (commit)
		json_object_set_new(b->source, "commit", json_string(commit));
	if (rev)
		json_object_set_new(b->source, "rev", json_string(rev));
	if (gitdir)
		json_object_set_new(b->source, "dirty", json_boolean(dirty));
	r = 0;
out:
	free(abs);
	free(commit);
	free(gitdir);
	return r;
}

int kernel_source(const char *series)
{
	struct kb b = { 0 };
	char *sdir;
	int r;

	sdir = xasprintf("%s/src/debian-%s", wqb_cache_dir(), series);
	if (mkdir_p(sdir, 0755) < 0) {
		wqb_err("cannot create %s: %s", sdir, strerror(errno));
		free(sdir);
		return 1;
	}
	b.log = path_join(sdir, "unpack.log");
	b.env = environ;
	r = prepare_debian(&b, series);
	if (r == 0)
		printf("%s\n", b.srctree);
	json_decref(b.source);
	free(b.srctree);
	free(b.log);
	free(sdir);
	return r ? 1 : 0;
}

static void make_argv(struct kb *b, struct argv_buf *a)
{
	argv_add(a, "make");
	argv_add(a, "-C");
	argv_add(a, b->srctree);
	argv_addf(a, "O=%s", b->build);
	argv_addf(a, "-j%u", b->jobs);
	argv_add(a, b->ccache ? "CC=ccache gcc" : "CC=gcc");
	argv_add(a, "KBUILD_BUILD_USER=wqbench");
	argv_add(a, "KBUILD_BUILD_HOST=wqbench");
}

/*
 * "6.1" from the tree's top Makefile (VERSION = 6, PATCHLEVEL = 1);
 * malloc'd, NULL when the Makefile cannot be read.
 */
static char *tree_series(const char *srctree)
{
	char *mk = path_join(srctree, "Makefile"), *text = read_file(mk, NULL), *r = NULL;
	long ver = -1, patch = -1;

	for (char *l = text; l && *l; ) {
		char *eol = strchr(l, '\n');

		if (eol)
			*eol = '\0';
		if (sscanf(l, "VERSION = %ld", &ver) != 1)
			sscanf(l, "PATCHLEVEL = %ld", &patch);
		if ((ver >= 0 && patch >= 0) || !eol)
			break;
		l = eol + 1;
	}
	if (ver >= 0 && patch >= 0)
		r = xasprintf("%ld.%ld", ver, patch);
	free(text);
	free(mk);
	return r;
}

/*
 * The fragments of a flavour, in merge order (paths malloc'd,
 * NULL-terminated): base, lean, the flavour's own, and last
 * compat-<series>.config when the tree's series has one (what an older
 * kernel's Kconfig needs differently, each line saying why).
 */
static char **fragments_of(const char *flavour, const char *series)
{
	char **v = xcalloc(5, sizeof(*v));
	size_t n = 0;

	v[n++] = xasprintf("%s/harness/kconfig/base.config", wqb_src_dir());
	v[n++] = xasprintf("%s/harness/kconfig/lean.config", wqb_src_dir());
	if (strcmp(flavour, "lean") != 0)
		v[n++] = xasprintf("%s/harness/kconfig/%s.config", wqb_src_dir(), flavour);
	if (series) {
		char *c = xasprintf("%s/harness/kconfig/compat-%s.config", wqb_src_dir(), series);

		if (path_exists(c))
			v[n++] = c;
		else
			free(c);
	}
	return v;
}

/*
 * Which options of want some Kconfig file of the tree declares (calloc'd,
 * one bool per option), so that an option newer than the tree is told
 * apart from one Kconfig dropped.  NULL when the tree cannot be walked:
 * then every option counts as declared.
 */
static bool *declared_in_tree(const char *srctree, const struct kconfig_frag *want)
{
	char *const roots[] = { (char *)srctree, NULL };
	bool *declared = xcalloc(want->n ? want->n : 1, sizeof(*declared));
	FTS *fts = fts_open(roots, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	FTSENT *e;

	if (!fts) {
		wqb_warn("cannot walk %s for Kconfig files: %s", srctree, strerror(errno));
		free(declared);
		return NULL;
	}
	while ((e = fts_read(fts))) {
		char *t;

		if (e->fts_info == FTS_D && e->fts_level > 0 && e->fts_name[0] == '.') {
			fts_set(fts, e, FTS_SKIP);	/* .git, .tmp_versions */
			continue;
		}
		if (e->fts_info != FTS_F || strncmp(e->fts_name, "Kconfig", 7) != 0)
			continue;
		t = read_file(e->fts_path, NULL);
		if (t)
			kconfig_mark_declared(t, want, declared);
		free(t);
	}
	fts_close(fts);
	return declared;
}

static int configure(struct kb *b, char **frags, struct kconfig_frag *want)
{
	struct argv_buf a = { 0 };
	char *cfg = path_join(b->build, ".config"), *text = NULL, *report = NULL;
	char *kvm = path_join(b->srctree, "kernel/configs/kvm_guest.config");
	char *absent = NULL;
	bool *declared = NULL;
	size_t bad;
	int r = -1;

	for (size_t i = 0; frags[i]; i++) {
		char *t = read_file(frags[i], NULL), *err = NULL;
		const char *base = strrchr(frags[i], '/') + 1;

		if (!t) {
			wqb_err("cannot read config fragment %s: %s", frags[i], strerror(errno));
			goto out;
		}
		if (kconfig_parse(t, base, want, &err) < 0) {
			wqb_err("%s", err);
			free(err);
			free(t);
			goto out;
		}
		free(t);
	}
	if (!path_exists(kvm)) {
		wqb_err("%s has no kernel/configs/kvm_guest.config: too old a tree?", b->srctree);
		goto out;
	}
	make_argv(b, &a);
	argv_add(&a, "tinyconfig");
	if (step(b, a.v, NULL, "make tinyconfig", NULL) < 0)
		goto out;
	argv_free(&a);
	argv_addf(&a, "%s/scripts/kconfig/merge_config.sh", b->srctree);
	argv_add(&a, "-m");
	argv_add(&a, "-O");
	argv_add(&a, b->build);
	argv_add(&a, cfg);
	argv_add(&a, kvm);
	for (size_t i = 0; frags[i]; i++)
		argv_add(&a, frags[i]);
	if (step(b, a.v, b->srctree, "merge_config.sh", NULL) < 0)
		goto out;
	argv_free(&a);
	make_argv(b, &a);
	argv_add(&a, "olddefconfig");
	if (step(b, a.v, NULL, "make olddefconfig", NULL) < 0)
		goto out;
	text = read_file(cfg, NULL);
	if (!text) {
		wqb_err("no %s after make olddefconfig: %s", cfg, strerror(errno));
		goto out;
	}
	declared = declared_in_tree(b->srctree, want);
	bad = kconfig_check(text, want, declared, &report, &absent);
	if (absent) {
		for (char *l = strtok(absent, "\n"); l; l = strtok(NULL, "\n")) {
			wqb_warn("%s: left out", l);
			json_array_append_new(b->absent, json_stringn(l, strcspn(l, " ")));
		}
	}
	if (bad) {
		/* one line per dropped option, each naming it */
		for (char *l = strtok(report, "\n"); l; l = strtok(NULL, "\n"))
			wqb_err("%s", l);
		wqb_err("the %s kernel config lacks what harness/kconfig/ asks for (log: %s)",
			b->flavour, b->log);
		goto out;
	}
	r = 0;
out:
	argv_free(&a);
	free(cfg);
	free(kvm);
	free(text);
	free(report);
	free(absent);
	free(declared);
	return r;
}

static int check_tools(bool *ccache)
{
	static const char *const need[][2] = {
		{ "make", "make" }, { "gcc", "gcc" }, { "flex", "flex" }, { "bison", "bison" },
		{ "bc", "bc" }, { "perl", "perl" }, { "readelf", "binutils" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(need); i++)
		if (!program_in_path(need[i][0])) {
			wqb_err("%s not found: building a kernel needs it (apt-get install %s, or make deps)",
				need[i][0], need[i][1]);
			return -1;
		}
	if (!path_exists("/usr/include/libelf.h") && !path_exists("/usr/include/gelf.h")) {
		wqb_err("libelf.h not found: building a kernel (objtool) needs it (apt-get install libelf-dev, or make deps)");
		return -1;
	}
	*ccache = program_in_path("ccache");
	if (!*ccache)
		wqb_warn("ccache not found: rebuilds will be slow (apt-get install ccache)");
	return 0;
}

static int write_json(struct kb *b, char **frags, double secs, const char *rel,
		      const char *cfg_sum, const char *build_id)
{
	json_t *j = json_object(), *fr = json_array();
	char *jp = path_join(b->kdir, "kernel.json"), *s;
	char stamp[32];
	int r = 0;

	for (size_t i = 0; frags[i]; i++) {
		char sum[65] = "";

		sha256_file(frags[i], sum);
		json_array_append_new(fr, json_pack("{s:s,s:s}", "file", frags[i], "sha256", sum));
	}
	iso8601_utc(now_real_ns(), stamp);
	json_object_set_new(j, "kind", json_string("built"));
	json_object_set_new(j, "name", json_string(b->name));
	json_object_set_new(j, "release", json_string(rel));
	json_object_set_new(j, "flavour", json_string(b->flavour));
	json_object_set_new(j, "config_sha256", json_string(cfg_sum));
	json_object_set_new(j, "config_base", json_string("tinyconfig + kernel/configs/kvm_guest.config"));
	json_object_set_new(j, "config_fragments", fr);
	json_object_set_new(j, "source", json_incref(b->source));
	json_object_set_new(j, "srctree", json_string(b->srctree));
	json_object_set_new(j, "build_dir", json_string(b->build));
	json_object_set_new(j, "build_id", build_id ? json_string(build_id) : json_null());
	json_object_set_new(j, "built_at", json_string(stamp));
	json_object_set_new(j, "build_seconds", json_real(secs));
	json_object_set_new(j, "ccache", json_boolean(b->ccache));
	json_object_set(j, "options_absent", b->absent);
	s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (write_file_atomic(jp, s, strlen(s), 0644) < 0) {
		wqb_err("cannot write %s: %s", jp, strerror(errno));
		r = -1;
	}
	free(s);
	free(jp);
	json_decref(j);
	return r;
}

int kernel_build(const struct kbuild_opts *o)
{
	const char *debian = o->debian, *source = o->source, *rev = o->rev, *name = o->name;
	struct kb b = { .flavour = o->flavour, .jobs = o->jobs, .absent = json_array() };
	struct kconfig_frag want = { 0 };
	struct argv_buf a = { 0 };
	char **frags = NULL, *rel = NULL, *cfg = NULL, *bid = NULL, *img = NULL;
	char *ccdir = NULL, *ccbase = NULL, *stampf = NULL, *oldsrc = NULL;
	char sum[65] = "";
	uint64_t t0;
	int rc = 1, lockfd = -1;

	if (!b.jobs) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		b.jobs = n > 0 ? (unsigned int)n : 1;
	}
	if (check_tools(&b.ccache) < 0)
		return 1;
	if (name) {
		b.name = xstrdup(name);
	} else if (debian) {
		b.name = kbuild_default_name(debian, NULL, NULL, b.flavour);
	} else {
		char *abs = abs_path(source), *base, *commit = NULL;

		if (!abs || !is_dir(abs)) {
			wqb_err("--source %s: not a directory", source);
			free(abs);
			return 2;
		}
		base = strrchr(abs, '/') + 1;
		if (rev) {
			char *spec = xasprintf("%s^{commit}", rev);
			char *const av[] = { "git", "-C", abs, "rev-parse", "--verify", "-q", spec, NULL };

			commit = capture(av, NULL);
			free(spec);
		}
		b.name = kbuild_default_name(NULL, *base ? base : "src", rev ? (commit && *commit ? commit : rev) : NULL,
					     b.flavour);
		free(commit);
		free(abs);
	}
	b.kdir = kernel_dir_of(b.name);
	b.build = path_join(b.kdir, "build");
	b.log = path_join(b.kdir, "build.log");
	if (mkdir_p(b.build, 0755) < 0) {
		wqb_err("cannot create %s: %s", b.build, strerror(errno));
		goto out;
	}
	{
		/*
		 * One build of a name at a time: two would write one build
		 * directory and one checkout (two make tinyconfig in one O=
		 * were seen to hang each other).  The lock goes with the fd.
		 */
		char *lp = path_join(b.kdir, ".lock");

		lockfd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		free(lp);
		if (lockfd < 0) {
			wqb_err("cannot open the lock of %s: %s", b.kdir, strerror(errno));
			goto out;
		}
		if (flock(lockfd, LOCK_EX | LOCK_NB) < 0) {
			wqb_info("%s is being built by another 'wqbench kernel build': waiting for it",
				 b.name);
			if (flock(lockfd, LOCK_EX) < 0) {
				wqb_err("cannot lock %s: %s", b.kdir, strerror(errno));
				goto out;
			}
		}
	}
	{
		/* the old kernel.json goes first: a half-made build is no kernel */
		char *jp = path_join(b.kdir, "kernel.json");

		unlink(jp);
		free(jp);
	}
	unlink(b.log);
	ccdir = xasprintf("CCACHE_DIR=%s/ccache", wqb_cache_dir());
	ccbase = xasprintf("CCACHE_BASEDIR=%s", wqb_cache_dir());
	{
		const char *add[] = { ccdir, ccbase, "CCACHE_NOHASHDIR=1", "LC_ALL=C", NULL };

		b.env = env_with(add);
	}
	t0 = now_mono_ns();
	if (debian ? prepare_debian(&b, debian) : prepare_tree(&b, source, rev))
		goto out;
	/* a build directory made from another source tree starts again */
	stampf = path_join(b.kdir, "srctree");
	oldsrc = read_file_trim(stampf);
	if (oldsrc && strcmp(oldsrc, b.srctree) != 0) {
		wqb_info("%s was built from %s before: starting its build directory again", b.name,
			 oldsrc);
		remove_tree(b.build);
		mkdir_p(b.build, 0755);
	}
	if (write_file_atomic(stampf, b.srctree, strlen(b.srctree), 0644) < 0) {
		wqb_err("cannot write %s: %s", stampf, strerror(errno));
		goto out;
	}
	{
		char *series = tree_series(b.srctree);

		frags = fragments_of(b.flavour, series);
		free(series);
	}
	wqb_info("configuring %s (%s) from %s", b.name, b.flavour, b.srctree);
	if (configure(&b, frags, &want) < 0)
		goto out;
	wqb_info("building %s with make -j%u%s (log: %s)", b.name, b.jobs,
		 b.ccache ? " and ccache" : "", b.log);
	make_argv(&b, &a);
	argv_add(&a, "bzImage");
	argv_add(&a, "modules");
	if (step(&b, a.v, NULL, "kernel build", NULL) < 0)
		goto out;
	{
		char *rf = path_join(b.build, "include/config/kernel.release");
		char *ms = path_join(b.build, "Module.symvers");
		char *vml = path_join(b.build, "vmlinux");
		char *bc = path_join(b.build, ".config");

		rel = read_file_trim(rf);
		img = path_join(b.build, "arch/x86/boot/bzImage");
		cfg = path_join(b.kdir, "config");
		if (!rel || !path_exists(img) || !path_exists(ms)) {
			wqb_err("the build of %s left no %s", b.name,
				!rel ? rf : !path_exists(img) ? img : ms);
		} else if (copy_file(bc, cfg, 0644) < 0 || sha256_file(cfg, sum) < 0) {
			wqb_err("cannot copy %s to %s: %s", bc, cfg, strerror(errno));
		} else {
			bid = kernel_elf_build_id(vml);
			rc = 0;
		}
		free(rf);
		free(ms);
		free(vml);
		free(bc);
		if (rc)
			goto out;
		rc = 1;
	}
	if (write_json(&b, frags, (double)(now_mono_ns() - t0) / 1e9, rel, sum, bid) < 0)
		goto out;
	printf("kernel %s: release %s, %s, config %.12s, built in %.0f s\n", b.name, rel, b.flavour,
	       sum, (double)(now_mono_ns() - t0) / 1e9);
	printf("  image %s\n  use: wqbench run --kernel %s FILE.wqb\n", img, b.name);
	rc = 0;
out:
	if (lockfd >= 0)
		close(lockfd);
	for (size_t i = 0; frags && frags[i]; i++)
		free(frags[i]);
	free(frags);
	kconfig_frag_free(&want);
	argv_free(&a);
	json_decref(b.source);
	json_decref(b.absent);
	env_free(b.env);
	free(b.name);
	free(b.kdir);
	free(b.build);
	free(b.log);
	free(b.srctree);
	free(rel);
	free(cfg);
	free(bid);
	free(img);
	free(ccdir);
	free(ccbase);
	free(stampf);
	free(oldsrc);
	return rc;
}
