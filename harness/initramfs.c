// SPDX-License-Identifier: GPL-2.0
/*
 * Guest initramfs construction.  Which modules a kernel needs is worked out
 * from the kernel itself (modules.builtin and `modinfo -F depends`), not from
 * per-version lists: Debian's 6.1 builds virtio as modules, 6.12 builds it
 * in, and a user's own kernel may do either.
 */
#include "initramfs.h"
#include "runcmd.h"
#include "util.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * What the guest needs to reach its shares; dependencies are added.
 * virtio_blk: the scratch disk fio writes to (attached only when asked for).
 * "?": optional -- loop and dm-crypt for fio layers ([fio] layer); a kernel
 * whose copy fails to load still boots, and `requires` turns the scenarios
 * that need them into SKIPs.
 */
static const char *const wanted_modules[] = { "virtio_pci", "9pnet_virtio", "9p", "virtio_blk",
					      "?loop", "?dm_crypt", NULL };

struct mod_index {
	char **name;	/* normalised: '-' -> '_', no suffix */
	char **path;
	size_t n;
};

static struct mod_index *scan_target;

static char *mod_name_of(const char *file)
{
	const char *b = strrchr(file, '/');
	char *n = xstrdup(b ? b + 1 : file), *dot = strstr(n, ".ko");

	if (dot)
		*dot = '\0';
	for (char *p = n; *p; p++)
		if (*p == '-')
			*p = '_';
	return n;
}

static int scan_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	struct mod_index *ix = scan_target;

	(void)st;
	(void)f;
	if (flag != FTW_F || !strstr(p, ".ko"))
		return 0;
	if (!str_ends_with(p, ".ko") && !str_ends_with(p, ".ko.xz") &&
	    !str_ends_with(p, ".ko.zst") && !str_ends_with(p, ".ko.gz"))
		return 0;
	ix->name = xrealloc(ix->name, (ix->n + 1) * sizeof(char *));
	ix->path = xrealloc(ix->path, (ix->n + 1) * sizeof(char *));
	ix->name[ix->n] = mod_name_of(p);
	ix->path[ix->n] = xstrdup(p);
	ix->n++;
	return 0;
}

static const char *index_find(const struct mod_index *ix, const char *name)
{
	for (size_t i = 0; i < ix->n; i++)
		if (strcmp(ix->name[i], name) == 0)
			return ix->path[i];
	return NULL;
}

static bool is_builtin(const struct wqb_kernel *k, const char *name)
{
	char *f = path_join(k->modules_dir, "modules.builtin");
	char *text = read_file(f, NULL), *line, *save = NULL;
	bool found = false;

	free(f);
	if (!text)
		return false;
	for (line = strtok_r(text, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char *n = mod_name_of(line);

		found = strcmp(n, name) == 0;
		free(n);
	}
	free(text);
	return found;
}

/* Depth-first: dependencies before the module itself. */
static int add_with_deps(const struct wqb_kernel *k, const struct mod_index *ix,
			 const char *name, char ***order, size_t *n, int depth)
{
	const char *path;
	char *av[5], *out = NULL, *tok, *save = NULL;

	if (depth > 16)
		return 0;
	for (size_t i = 0; i < *n; i++) {
		char *have = mod_name_of((*order)[i]);
		bool dup = strcmp(have, name) == 0;

		free(have);
		if (dup)
			return 0;
	}
	path = index_find(ix, name);
	if (!path) {
		if (!is_builtin(k, name))
			wqb_debug("module %s not found under %s; assuming built in", name,
				  k->modules_dir);
		return 0;
	}
	av[0] = "modinfo";
	av[1] = "-F";
	av[2] = "depends";
	av[3] = (char *)path;
	av[4] = NULL;
	if (spawn_capture(av, NULL, 30000, 4096, &out) != 0) {
		wqb_err("modinfo failed on %s (is the kmod package installed?)", path);
		free(out);
		return -1;
	}
	str_trim(out);
	for (tok = strtok_r(out, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *dep = mod_name_of(tok);
		int r = add_with_deps(k, ix, dep, order, n, depth + 1);

		free(dep);
		if (r < 0) {
			free(out);
			return -1;
		}
	}
	free(out);
	*order = xrealloc(*order, (*n + 2) * sizeof(char *));
	(*order)[(*n)++] = xstrdup(path);
	(*order)[*n] = NULL;
	return 0;
}

char **initramfs_modules(const struct wqb_kernel *k)
{
	struct mod_index ix = { 0 };
	char **order = xcalloc(1, sizeof(char *));
	size_t n = 0;
	int r = 0;

	scan_target = &ix;
	if (is_dir(k->modules_dir))
		nftw(k->modules_dir, scan_one, 32, FTW_PHYS);
	scan_target = NULL;
	for (size_t i = 0; wanted_modules[i] && r == 0; i++) {
		bool optional = wanted_modules[i][0] == '?';
		size_t before = n;

		r = add_with_deps(k, &ix, wanted_modules[i] + optional, &order, &n, 0);
		/* what this one brought in is optional too: mark it "?PATH" */
		for (size_t j = before; optional && r == 0 && j < n; j++) {
			char *t = xasprintf("?%s", order[j]);

			free(order[j]);
			order[j] = t;
		}
	}
	for (size_t i = 0; i < ix.n; i++) {
		free(ix.name[i]);
		free(ix.path[i]);
	}
	free(ix.name);
	free(ix.path);
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			free(order[i]);
		free(order);
		return NULL;
	}
	return order;
}

/* Put an uncompressed copy of a (possibly compressed) module at dst. */
static int stage_module(const char *src, const char *dst)
{
	const char *tool = NULL;
	struct spawn_opts o = { .stdout_path = dst };

	if (str_ends_with(src, ".xz"))
		tool = "xz";
	else if (str_ends_with(src, ".zst"))
		tool = "zstd";
	else if (str_ends_with(src, ".gz"))
		tool = "gzip";
	if (!tool)
		return copy_file(src, dst, 0644);
	{
		char *const argv[] = { (char *)tool, "-dc", (char *)src, NULL };

		if (spawn_run(argv, &o, 60000, NULL) != 0) {
			wqb_err("cannot decompress %s with %s", src, tool);
			return -1;
		}
	}
	return 0;
}

static FILE *list_out;
static size_t list_prefix;

static int list_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	if (strlen(p) <= list_prefix)
		fprintf(list_out, ".\n");
	else
		fprintf(list_out, ".%s\n", p + list_prefix);
	return 0;
}

int initramfs_build(const struct wqb_kernel *k, const char *out_path, const char *init_path)
{
	char *stage = xasprintf("%s.stage", out_path);
	char *list = xasprintf("%s.list", out_path);
	char *def_init = path_join(wqb_src_dir(), "harness/guest-init.sh");
	char **mods = NULL, *order_text = xstrdup("");
	const char *init = init_path ? init_path : def_init;
	static const char *const dirs[] = { "bin", "lib/modules", "proc", "sys", "dev",
					    "host", "results", NULL };
	int r = -1;

	remove_tree(stage);
	for (size_t i = 0; dirs[i]; i++) {
		char *d = path_join(stage, dirs[i]);

		if (mkdir_p(d, 0755) < 0) {
			wqb_err("cannot create %s: %s", d, strerror(errno));
			free(d);
			goto out;
		}
		free(d);
	}
	{
		char *bb = path_join(stage, "bin/busybox"), *in = path_join(stage, "init");
		int e1 = copy_file("/bin/busybox", bb, 0755);
		int e2 = e1 ? 0 : copy_file(init, in, 0755);

		free(bb);
		free(in);
		if (e1) {
			wqb_err("cannot copy /bin/busybox: %s (install busybox-static)", strerror(errno));
			goto out;
		}
		if (e2) {
			wqb_err("cannot copy guest init %s: %s", init, strerror(errno));
			goto out;
		}
	}
	mods = initramfs_modules(k);
	if (!mods)
		goto out;
	for (size_t i = 0; mods[i]; i++) {
		bool optional = mods[i][0] == '?';
		char *name = mod_name_of(mods[i] + optional);
		char *dst = xasprintf("%s/lib/modules/%s.ko", stage, name);
		char *t = xasprintf("%s%s%s\n", order_text, optional ? "?" : "", name);

		free(order_text);
		order_text = t;
		if (stage_module(mods[i] + optional, dst) < 0) {
			free(dst);
			free(name);
			goto out;
		}
		free(dst);
		free(name);
	}
	{
		char *of = path_join(stage, "modules.order");
		int e = write_file_atomic(of, order_text, strlen(order_text), 0644);

		free(of);
		if (e) {
			wqb_err("cannot write modules.order: %s", strerror(errno));
			goto out;
		}
	}
	list_out = fopen(list, "w");
	if (!list_out) {
		wqb_err("cannot write %s: %s", list, strerror(errno));
		goto out;
	}
	list_prefix = strlen(stage);
	nftw(stage, list_one, 32, FTW_PHYS);
	fclose(list_out);
	list_out = NULL;
	{
		char *const argv[] = { "cpio", "-o", "-H", "newc", "-R", "0:0", "--quiet", NULL };
		struct spawn_opts o = { .cwd = stage, .stdin_path = list, .stdout_path = out_path };
		struct spawn_result res;

		spawn_run(argv, &o, 120000, &res);
		if (res.spawn_failed || res.exit_code) {
			wqb_err("cpio failed building %s (install the cpio package)", out_path);
			goto out;
		}
	}
	r = 0;
out:
	for (size_t i = 0; mods && mods[i]; i++)
		free(mods[i]);
	free(mods);
	remove_tree(stage);
	unlink(list);
	free(order_text);
	free(def_init);
	free(list);
	free(stage);
	return r;
}
