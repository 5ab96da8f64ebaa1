// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel cache.  Debian kernels are fetched with `apt-get download` and
 * unpacked with `dpkg-deb -x` -- no maintainer scripts run and the host's
 * /boot is never touched.  Layout, per kernel release:
 *
 *   $WQBENCH_CACHE/kernels/<release>/
 *	debs/		the .deb files as downloaded
 *	root/		dpkg-deb -x of all of them (boot/, lib/modules/, usr/src/)
 *	kernel.json	what was fetched: packages, versions, sha256, paths
 *
 * kernel.json is written last, so a release without it is an interrupted
 * fetch and is fetched again.  Kernels built from source live beside them
 * as kernels/<name>/ with "kind": "built" in kernel.json (kernelbuild.c).
 */
#include "kernel.h"
#include "kernelbuild.h"
#include "runcmd.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

const char *const wqb_kernel_series[] = { "6.1", "6.12", NULL };

/* apt-cache patterns for the newest unsigned image of each series */
static const char *series_image_regex(const char *series)
{
	if (strcmp(series, "6.1") == 0)
		return "^linux-image-6\\.1\\.0-[0-9]+-amd64-unsigned$";
	if (strcmp(series, "6.12") == 0)
		return "^linux-image-6\\.12\\.[0-9]+\\+deb12-amd64-unsigned$";
	return NULL;
}

const char *wqb_cache_dir(void)
{
	static char *dir;
	const char *e = getenv("WQBENCH_CACHE");

	if (dir)
		return dir;
	if (e && *e) {
		dir = xstrdup(e);
	} else {
		const char *home = getenv("HOME");

		dir = xasprintf("%s/.cache/wqbench", home && *home ? home : "/tmp");
	}
	return dir;
}

static char *kernels_dir(void)
{
	return path_join(wqb_cache_dir(), "kernels");
}

static char *release_dir(const char *release)
{
	char *kd = kernels_dir(), *d = path_join(kd, release);

	free(kd);
	return d;
}

static const char *release_series(const char *release)
{
	if (strncmp(release, "6.1.", 4) == 0)
		return "6.1";
	if (strncmp(release, "6.12.", 5) == 0)
		return "6.12";
	return NULL;
}

static int cmp_version(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* Newest package matching the series' regex, or NULL. */
static char *newest_image_package(const char *series)
{
	char *const argv[] = { "apt-cache", "search", "--names-only",
			       (char *)series_image_regex(series), NULL };
	char *out = NULL, *line, *save = NULL, *best = NULL;
	char **names = NULL;
	size_t n = 0;

	if (spawn_capture(argv, NULL, 120000, 1 << 20, &out) != 0) {
		free(out);
		return NULL;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (sp)
			*sp = '\0';
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = line;
	}
	if (n) {
		qsort(names, n, sizeof(*names), cmp_version);
		best = xstrdup(names[n - 1]);
	}
	free(names);
	free(out);
	return best;
}

/* Packages the headers need besides themselves: -common and kbuild. */
static char **header_deps(const char *headers_pkg)
{
	char *const argv[] = { "apt-cache", "depends", (char *)headers_pkg, NULL };
	char *out = NULL, *line, *save = NULL;
	char **v = xcalloc(8, sizeof(*v));
	size_t n = 0;

	if (spawn_capture(argv, NULL, 120000, 1 << 20, &out) != 0) {
		free(out);
		free(v);
		return NULL;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, "Depends: ");

		if (!p || n >= 7)
			continue;
		p += strlen("Depends: ");
		if (strncmp(p, "linux-headers-", 14) == 0 || strncmp(p, "linux-kbuild-", 13) == 0)
			v[n++] = xstrdup(p);
	}
	free(out);
	return v;
}

/* The .deb apt-get download left for pkg in dir ("<pkg>_<ver>_<arch>.deb"). */
static char *find_deb(const char *dir, const char *pkg)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t lp = strlen(pkg);
	char *found = NULL;

	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, pkg, lp) == 0 && de->d_name[lp] == '_' &&
		    str_ends_with(de->d_name, ".deb")) {
			free(found);
			found = path_join(dir, de->d_name);
		}
	}
	closedir(d);
	return found;
}

static char *deb_field(const char *deb, const char *field)
{
	char *const argv[] = { "dpkg-deb", "-f", (char *)deb, (char *)field, NULL };
	char *out = NULL;

	if (spawn_capture(argv, NULL, 60000, 4096, &out) != 0) {
		free(out);
		return NULL;
	}
	return str_trim(out);
}

/*
 * Debian's headers Makefile includes the -common tree by absolute path
 * (/usr/src/...).  Point it at the unpacked copy so M= builds work in place.
 * Also repairs a cache that was moved after fetching.
 */
static int fix_headers_makefile(const char *root, const char *build_dir)
{
	char *mk = path_join(build_dir, "Makefile");
	char *text = read_file(mk, NULL), *p, *fixed;
	char *want;
	int r = 0;

	if (!text) {
		wqb_err("cannot read %s: %s", mk, strerror(errno));
		free(mk);
		return -1;
	}
	p = strstr(text, "include ");
	if (!p) {
		free(text);
		free(mk);
		return 0;
	}
	p += strlen("include ");
	want = path_join(root, "usr/src/");
	if (strncmp(p, want, strlen(want)) != 0) {
		char *rel = strstr(p, "/usr/src/");

		if (!rel) {
			wqb_err("%s: unexpected include line, cannot relocate headers", mk);
			r = -1;
			goto out;
		}
		rel += strlen("/usr/src/");
		*(p) = '\0';
		fixed = xasprintf("%s%s%s", text, want, rel);
		r = write_file_atomic(mk, fixed, strlen(fixed), 0644);
		if (r)
			wqb_err("cannot rewrite %s: %s", mk, strerror(errno));
		free(fixed);
	}
out:
	free(want);
	free(text);
	free(mk);
	return r;
}

static int run_quiet(char *const argv[], const char *cwd, const char *what)
{
	struct spawn_opts o = { .cwd = cwd };
	char *log = NULL;
	int rc;

	o.stderr_to_stdout = true;
	rc = spawn_capture(argv, &o, 600000, 1 << 16, &log);
	if (rc != 0) {
		char *cmd = argv_to_string(argv);

		if (rc < 0)
			wqb_err("%s: cannot run %s: %s", what, argv[0], strerror(errno));
		else
			wqb_err("%s failed (exit %d): %s\n%s", what, rc, cmd, log ? log : "");
		free(cmd);
		free(log);
		return -1;
	}
	free(log);
	return 0;
}

static int write_kernel_json(const char *kdir, const char *release, const char *series,
			     char **pkgs, size_t npkgs)
{
	char *debs = path_join(kdir, "debs"), *root = path_join(kdir, "root");
	json_t *j = json_object(), *arr = json_array();
	char stamp[32];
	char *path, *s;
	int r = 0;

	for (size_t i = 0; i < npkgs; i++) {
		char *deb = find_deb(debs, pkgs[i]);
		char *ver = deb ? deb_field(deb, "Version") : NULL;
		char sum[65] = "";

		if (!deb || !ver || sha256_file(deb, sum) < 0) {
			wqb_err("cannot record %s: .deb missing or unreadable in %s", pkgs[i], debs);
			r = -1;
		} else {
			json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s}", "name", pkgs[i],
							     "version", ver, "file", deb,
							     "sha256", sum));
		}
		free(deb);
		free(ver);
	}
	iso8601_utc(now_real_ns(), stamp);
	json_object_set_new(j, "release", json_string(release));
	json_object_set_new(j, "series", json_string(series));
	json_object_set_new(j, "fetched_at", json_string(stamp));
	json_object_set_new(j, "root", json_string(root));
	json_object_set_new(j, "packages", arr);
	s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	path = path_join(kdir, "kernel.json");
	if (!r && write_file_atomic(path, s, strlen(s), 0644) < 0) {
		wqb_err("cannot write %s: %s", path, strerror(errno));
		r = -1;
	}
	free(path);
	free(s);
	json_decref(j);
	free(debs);
	free(root);
	return r;
}

static void fill_from_root(struct wqb_kernel *k, const char *name, const char *release,
			   const char *root)
{
	memset(k, 0, sizeof(*k));
	k->name = xstrdup(name);
	k->release = xstrdup(release);
	k->image = xasprintf("%s/boot/vmlinuz-%s", root, release);
	k->build_dir = xasprintf("%s/usr/src/linux-headers-%s", root, release);
	k->modules_dir = xasprintf("%s/lib/modules/%s", root, release);
	k->config = xasprintf("%s/boot/config-%s", root, release);
}

static bool release_cached(const char *release)
{
	char *kdir = release_dir(release), *j = path_join(kdir, "kernel.json");
	bool ok = path_exists(j);

	free(j);
	free(kdir);
	return ok;
}

int kernel_fetch(const char *series)
{
	char *img_pkg, *release, *kdir = NULL, *debs = NULL, *root = NULL, *tmp = NULL;
	char *pkgs[12] = { 0 }, **deps = NULL;
	size_t npkgs = 0;
	int r = -1;

	if (!series_image_regex(series)) {
		wqb_err("unknown kernel '%s': use 6.1, 6.12 or all", series);
		return -1;
	}
	if (!program_in_path("apt-cache") || !program_in_path("dpkg-deb")) {
		wqb_err("apt-cache/dpkg-deb not found: fetching Debian kernels needs a Debian host");
		return -1;
	}
	img_pkg = newest_image_package(series);
	if (!img_pkg && geteuid() == 0) {
		char *const upd[] = { "apt-get", "update", "-q", NULL };

		struct spawn_opts q = { .stdout_path = "/dev/null", .stderr_path = "/dev/null" };

		/* lists may just be stale or empty: refresh once, quietly */
		wqb_debug("no %s kernel in the apt lists; running apt-get update", series);
		spawn_run(upd, &q, 300000, NULL);
		img_pkg = newest_image_package(series);
	}
	if (!img_pkg) {
		wqb_err("no Debian %s kernel package found by apt-cache: is the package mirror reachable? run 'apt-get update' as root",
			series);
		return -1;
	}
	release = xstrdup(img_pkg + strlen("linux-image-"));
	release[strlen(release) - strlen("-unsigned")] = '\0';
	if (release_cached(release)) {
		wqb_info("kernel %s (%s) is cached already", series, release);
		r = 0;
		goto out;
	}
	wqb_info("fetching Debian kernel %s: %s", series, release);
	kdir = release_dir(release);
	debs = path_join(kdir, "debs");
	root = path_join(kdir, "root");
	tmp = path_join(kdir, "root.partial");
	if (mkdir_p(debs, 0755) < 0) {
		wqb_err("cannot create %s: %s", debs, strerror(errno));
		goto out;
	}
	pkgs[npkgs++] = xstrdup(img_pkg);
	pkgs[npkgs++] = xasprintf("linux-headers-%s", release);
	deps = header_deps(pkgs[1]);
	if (!deps || !deps[0]) {
		wqb_err("apt-cache knows no dependencies of %s: apt lists incomplete? run 'apt-get update'",
			pkgs[1]);
		goto out;
	}
	for (size_t i = 0; deps[i] && npkgs < ARRAY_SIZE(pkgs); i++)
		pkgs[npkgs++] = xstrdup(deps[i]);
	for (size_t i = 0; i < npkgs; i++) {
		char *have = find_deb(debs, pkgs[i]);
		char *const argv[] = { "apt-get", "download", "-q", pkgs[i], NULL };

		if (have) {
			free(have);
			continue;
		}
		if (run_quiet(argv, debs, "apt-get download") < 0) {
			wqb_err("could not download %s: is the Debian package mirror reachable?",
				pkgs[i]);
			goto out;
		}
	}
	remove_tree(tmp);
	if (mkdir_p(tmp, 0755) < 0) {
		wqb_err("cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < npkgs; i++) {
		char *deb = find_deb(debs, pkgs[i]);
		char *const argv[] = { "dpkg-deb", "-x", deb, tmp, NULL };
		int rr;

		if (!deb) {
			wqb_err("%s: no .deb for %s after download", debs, pkgs[i]);
			goto out;
		}
		rr = run_quiet(argv, NULL, "dpkg-deb -x");
		free(deb);
		if (rr < 0)
			goto out;
	}
	remove_tree(root);
	if (rename(tmp, root) < 0) {
		wqb_err("cannot rename %s: %s", tmp, strerror(errno));
		goto out;
	}
	{
		struct wqb_kernel k;

		fill_from_root(&k, series, release, root);
		if (!path_exists(k.image) || fix_headers_makefile(root, k.build_dir) < 0) {
			wqb_err("%s: unpacked kernel lacks %s or usable headers", root, k.image);
			kernel_free(&k);
			goto out;
		}
		kernel_free(&k);
	}
	if (write_kernel_json(kdir, release, series, pkgs, npkgs) < 0)
		goto out;
	wqb_info("kernel %s cached in %s", release, kdir);
	r = 0;
out:
	for (size_t i = 0; i < npkgs; i++)
		free(pkgs[i]);
	if (deps)
		for (size_t i = 0; deps[i]; i++)
			free(deps[i]);
	free(deps);
	free(img_pkg);
	free(release);
	free(kdir);
	free(debs);
	free(root);
	free(tmp);
	return r;
}

char **kernel_list_cached(void)
{
	char *kd = kernels_dir();
	DIR *d = opendir(kd);
	struct dirent *de;
	char **v = xcalloc(1, sizeof(*v));
	size_t n = 0;

	if (d) {
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.' || !release_cached(de->d_name))
				continue;
			v = xrealloc(v, (n + 2) * sizeof(*v));
			v[n++] = xstrdup(de->d_name);
			v[n] = NULL;
		}
		closedir(d);
	}
	free(kd);
	qsort(v, n, sizeof(*v), cmp_version);
	return v;
}

void kernel_list_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int kernel_resolve(const char *name, bool fetch, struct wqb_kernel *k)
{
	char **cached = kernel_list_cached();
	const char *pick = NULL;
	char *kdir, *root;
	int r;

	memset(k, 0, sizeof(*k));
	if (series_image_regex(name)) {
		for (size_t i = 0; cached[i]; i++) {
			const char *s = release_series(cached[i]);

			if (s && strcmp(s, name) == 0)
				pick = cached[i];	/* sorted: the last is newest */
		}
		if (!pick && fetch) {
			kernel_list_free(cached);
			if (kernel_fetch(name) < 0)
				return -1;
			return kernel_resolve(name, false, k);
		}
		if (!pick) {
			wqb_err("kernel %s is not in the cache (%s): run 'wqbench kernel fetch %s'",
				name, wqb_cache_dir(), name);
			kernel_list_free(cached);
			return -1;
		}
	} else {
		for (size_t i = 0; cached[i]; i++)
			if (strcmp(cached[i], name) == 0)
				pick = cached[i];
		if (!pick) {
			wqb_err("unknown kernel '%s': use 6.1, 6.12, a name listed by 'wqbench kernel list', or --kernel-image/--kernel-build",
				name);
			kernel_list_free(cached);
			return -1;
		}
	}
	kdir = release_dir(pick);
	r = kbuild_resolve(kdir, pick, k);
	if (r <= 0) {
		/* built from source (0), or a broken one (-1, said why) */
		free(kdir);
		kernel_list_free(cached);
		return r;
	}
	root = path_join(kdir, "root");
	fill_from_root(k, name, pick, root);
	r = fix_headers_makefile(root, k->build_dir);
	if (r == 0 && !path_exists(k->image)) {
		wqb_err("cached kernel %s has no image %s: run 'wqbench kernel fetch %s' again",
			pick, k->image, release_series(pick) ? release_series(pick) : pick);
		r = -1;
	}
	free(kdir);
	free(root);
	kernel_list_free(cached);
	if (r)
		kernel_free(k);
	return r;
}

int kernel_custom(const char *image, const char *build_dir, struct wqb_kernel *k)
{
	char *relf, *rel;

	memset(k, 0, sizeof(*k));
	if (!image || !build_dir) {
		wqb_err("--kernel-image and --kernel-build go together");
		return -1;
	}
	if (access(image, R_OK) < 0) {
		wqb_err("kernel image %s: %s", image, strerror(errno));
		return -1;
	}
	relf = path_join(build_dir, "include/config/kernel.release");
	rel = read_file_trim(relf);
	if (!rel) {
		wqb_err("%s: not a configured kernel build tree (no include/config/kernel.release)",
			build_dir);
		free(relf);
		return -1;
	}
	free(relf);
	k->name = xstrdup("custom");
	k->release = rel;
	k->image = abs_path(image);
	k->build_dir = abs_path(build_dir);
	k->modules_dir = xstrdup(k->build_dir);
	k->config = path_join(k->build_dir, ".config");
	{
		char *vml = path_join(k->build_dir, "vmlinux");

		k->build_id = kernel_elf_build_id(vml);
		free(vml);
	}
	k->custom = true;
	return 0;
}

int kernel_running(struct wqb_kernel *k)
{
	struct utsname u;
	char *b;

	memset(k, 0, sizeof(*k));
	if (uname(&u) < 0)
		return -1;
	b = xasprintf("/lib/modules/%s/build", u.release);
	if (!is_dir(b)) {
		free(b);
		return -1;
	}
	k->name = xstrdup("running");
	k->release = xstrdup(u.release);
	k->build_dir = b;
	k->modules_dir = xasprintf("/lib/modules/%s", u.release);
	k->config = xasprintf("/boot/config-%s", u.release);
	return 0;
}

void kernel_free(struct wqb_kernel *k)
{
	free(k->name);
	free(k->release);
	free(k->image);
	free(k->build_dir);
	free(k->modules_dir);
	free(k->config);
	free(k->build_id);
	memset(k, 0, sizeof(*k));
}

int kernel_list_print(void)
{
	char **v = kernel_list_cached();

	if (!v[0])
		printf("no kernels cached in %s; run 'wqbench kernel fetch all' or 'wqbench kernel build'\n",
		       wqb_cache_dir());
	else
		printf("%-28s %-6s %-22s %-7s %-12s %s\n", "NAME", "SERIES", "RELEASE", "FLAVOUR",
		       "CONFIG", "SOURCE");
	for (size_t i = 0; v[i]; i++) {
		char *kdir = release_dir(v[i]), *jp = path_join(kdir, "kernel.json");
		json_t *j, *p0;
		const char *series = release_series(v[i]), *ver = NULL;
		char *cfg;
		char sum[65] = "?";

		if (kbuild_list_row(kdir, v[i]) == 0) {
			free(jp);
			free(kdir);
			continue;
		}
		j = json_load_file(jp, 0, NULL);
		p0 = j ? json_array_get(json_object_get(j, "packages"), 0) : NULL;
		ver = p0 ? json_string_value(json_object_get(p0, "version")) : NULL;
		cfg = xasprintf("%s/root/boot/config-%s", kdir, v[i]);
		sha256_file(cfg, sum);
		/* NAME is the release: tests and scripts read columns 1 to 3 */
		printf("%-28s %-6s %-22s %-7s %-12.12s debian %s\n", v[i], series ? series : "?", v[i],
		       "debian", sum, ver ? ver : "?");
		json_decref(j);
		free(cfg);
		free(jp);
		free(kdir);
	}
	kernel_list_free(v);
	return 0;
}
