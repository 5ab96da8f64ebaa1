// SPDX-License-Identifier: GPL-2.0
/*
 * Out-of-tree builds of the companion module, one directory per kernel.
 */
#include "kmodbuild.h"
#include "runcmd.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_kmod_source(const char *name)
{
	return strcmp(name, "Kbuild") == 0 || str_ends_with(name, ".c") ||
	       str_ends_with(name, ".h");
}

char *kmod_path_for_release(const char *release)
{
	return xasprintf("%s/build/kmod/%s/wqbench.ko", wqb_src_dir(), release);
}

char *kmod_key(const struct wqb_kernel *k)
{
	if (k->build_id && *k->build_id)
		return xasprintf("%s-%.12s", k->release, k->build_id);
	return xstrdup(k->release);
}

/* Copy kmod sources into out; *newest gets the newest source mtime. */
static int copy_sources(const char *src, const char *out, bool *changed)
{
	DIR *d = opendir(src);
	struct dirent *de;
	int r = 0;

	if (!d) {
		wqb_err("cannot open %s: %s", src, strerror(errno));
		return -1;
	}
	*changed = false;
	while ((de = readdir(d)) && r == 0) {
		char *s, *t, *a, *b;
		size_t la = 0, lb = 0;

		if (!is_kmod_source(de->d_name))
			continue;
		s = path_join(src, de->d_name);
		t = path_join(out, de->d_name);
		a = read_file(s, &la);
		b = read_file(t, &lb);
		if (!a) {
			wqb_err("cannot read %s: %s", s, strerror(errno));
			r = -1;
		} else if (!b || la != lb || memcmp(a, b, la) != 0) {
			/* only rewrite changed files so kbuild's dependency check holds */
			r = write_file_atomic(t, a, la, 0644);
			*changed = true;
		}
		free(a);
		free(b);
		free(s);
		free(t);
	}
	closedir(d);
	return r;
}

int kmod_ensure_built(const struct wqb_kernel *k, char **ko)
{
	char *src = path_join(wqb_src_dir(), "kmod");
	char *key = kmod_key(k);
	char *out = xasprintf("%s/build/kmod/%s", wqb_src_dir(), key);
	char *log = path_join(out, "build.log");
	char *text = NULL;
	struct spawn_result res = { 0 };
	struct spawn_opts o = { 0 };
	struct argv_buf a = { 0 };
	bool changed;
	int r = -1;

	*ko = path_join(out, "wqbench.ko");
	if (mkdir_p(out, 0755) < 0) {
		wqb_err("cannot create %s: %s", out, strerror(errno));
		goto out;
	}
	if (copy_sources(src, out, &changed) < 0)
		goto out;
	if (!changed && path_exists(*ko)) {
		r = 0;
		goto out;
	}
	if (!is_dir(k->build_dir)) {
		wqb_err("no kernel build tree at %s for %s", k->build_dir, k->release);
		goto out;
	}
	{
		/* without it modpost prints a wall of undefined symbols: say what to run */
		char *ms = path_join(k->build_dir, "Module.symvers");
		bool have = path_exists(ms);

		free(ms);
		if (!have) {
			wqb_err("%s has no Module.symvers (built with 'make bzImage' alone?): run 'make O=%s modules' in its source tree, or build it with 'wqbench kernel build'",
				k->build_dir, k->build_dir);
			goto out;
		}
	}
	argv_add(&a, "make");
	argv_add(&a, "-C");
	argv_add(&a, k->build_dir);
	argv_addf(&a, "M=%s", out);
	argv_add(&a, "modules");
	o.stdout_path = log;
	o.stderr_to_stdout = true;
	wqb_info("building wqbench.ko for %s", k->release);
	spawn_run(a.v, &o, 600000, &res);
	text = read_file(log, NULL);
	if (res.spawn_failed) {
		wqb_err("cannot run make: %s", strerror(res.spawn_errno));
	} else if (res.exit_code != 0) {
		wqb_err("module build for %s failed (exit %d), log %s:\n%s", k->release,
			res.exit_code, log, text ? text : "");
	} else if (text && strstr(text, "warning:")) {
		wqb_err("module build for %s produced warnings (must be warning-free), log %s:\n%s",
			k->release, log, text);
	} else if (!path_exists(*ko)) {
		wqb_err("module build for %s produced no %s", k->release, *ko);
	} else {
		r = 0;
	}
out:
	if (r && path_exists(*ko))
		unlink(*ko);	/* never leave a stale module that looks current */
	argv_free(&a);
	free(text);
	free(log);
	free(out);
	free(key);
	free(src);
	return r;
}

