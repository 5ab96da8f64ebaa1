/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest kernels built from source: `wqbench kernel build`.  A source tree
 * (the user's, a commit of it, or Debian's linux-source package) is built
 * out of tree under the cache with the project's config fragments
 * (harness/kconfig/) and lands in the kernel cache next to the Debian
 * kernels, so `--kernel NAME` selects it everywhere.  docs/kernels.md.
 */
#ifndef WQB_KERNELBUILD_H
#define WQB_KERNELBUILD_H

#include "kernel.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* One line of a config fragment: CONFIG_NAME=value or "# CONFIG_NAME is not set". */
struct kconfig_opt {
	char *name;		/* "CONFIG_WQ_WATCHDOG" */
	char *value;		/* "y", "64", "\"text\""; NULL = must not be set */
	char *origin;		/* "debug.config:12" */
};

struct kconfig_frag {
	struct kconfig_opt *v;
	size_t n;
};

/*
 * Parse fragment text (file name `file` for messages) and append its options
 * to f.  Blank lines and comments are skipped; anything else is an error.
 * Returns 0, or -1 with *err (malloc'd) naming file:line.
 */
int kconfig_parse(const char *text, const char *file, struct kconfig_frag *f, char **err);
void kconfig_frag_free(struct kconfig_frag *f);

/*
 * Value of an option in .config text: malloc'd "y", "64", ...; NULL when it
 * is unset ("# ... is not set" or absent).
 */
char *kconfig_value(const char *config_text, const char *name);

/*
 * Mark declared[i] for each option of f that Kconfig text (one Kconfig
 * file of a tree) declares with "config NAME" or "menuconfig NAME".
 */
void kconfig_mark_declared(const char *kconfig_text, const struct kconfig_frag *f,
			   bool *declared);

/*
 * Check every option of f against the final .config text.  Returns the
 * number of options Kconfig did not keep; *report (malloc'd, may be NULL
 * when all are kept) has one line per option: what was asked, where, and
 * what the .config has.  A later fragment overrides an earlier one.
 * With declared (from kconfig_mark_declared() over the tree's Kconfig
 * files), an option no Kconfig declares is not counted: it is newer than
 * the kernel, and *absent (when absent is not NULL; malloc'd or NULL) has a
 * line for it.  declared NULL: every option counts.
 */
size_t kconfig_check(const char *config_text, const struct kconfig_frag *f,
		     const bool *declared, char **report, char **absent);

/* Flavours: "lean", "debug" (NULL-terminated). */
extern const char *const kbuild_flavours[];
bool kbuild_flavour_ok(const char *flavour);

/*
 * A name for a built kernel: starts with a letter (so it is never taken for
 * a Debian series or release), then letters, digits, '.', '_', '+', '-';
 * at most 64 characters.
 */
bool kbuild_name_ok(const char *name);

/*
 * Default name: "src-<series>-<flavour>" for Debian's sources (series set),
 * else "<dirname>-<shortrev>-<flavour>" for a commit, "<dirname>-<flavour>"
 * for a work tree (rev NULL).  Characters a name may not hold become '_'.
 */
char *kbuild_default_name(const char *series, const char *dirname, const char *rev,
			  const char *flavour);

/*
 * Fill k from a built kernel's directory in the cache (kernel.json has
 * "kind": "built").  Returns 0, 1 when kdir holds no built kernel, -1 after
 * an error line.
 */
int kbuild_resolve(const char *kdir, const char *name, struct wqb_kernel *k);

/*
 * Where a built kernel came from, for meta.json: its kernel.json (name,
 * flavour, source, config_sha256, build_id, built_at) when config_path is the
 * "config" of a kernel in the cache; NULL for any other kernel.
 */
json_t *kbuild_origin(const char *config_path);

/* The GNU build id of an ELF file (readelf -n), malloc'd hex, or NULL. */
char *kernel_elf_build_id(const char *elf);

/* One row of `wqbench kernel list` for a built kernel; 1 if kdir is not one. */
int kbuild_list_row(const char *kdir, const char *name);

/* "6.1" or "6.12": a series Debian's sources are fetched for; else NULL */
const char *debian_series_ok(const char *series);

/* What `wqbench kernel build` was asked (harness/cmd_kernel.c parses it). */
struct kbuild_opts {
	const char *debian;	/* a Debian series, or NULL with source */
	const char *source;	/* a tree, or NULL with debian */
	const char *rev;	/* a commit of the git tree source, or NULL */
	const char *flavour;	/* one of kbuild_flavours[] */
	const char *name;	/* NULL: kbuild_default_name() */
	unsigned int jobs;	/* make -j; 0: the number of CPUs */
};

/*
 * Build the kernel o asks for into the cache (docs/kernels.md).  0 built,
 * 1 failed (the reason printed, the log named), 2 the source is not there.
 */
int kernel_build(const struct kbuild_opts *o);
/*
 * Debian's linux-source-<series> downloaded and unpacked into the cache
 * (as --debian does before a build), its path printed: the tree to read,
 * patch into a git history of your own, or point checkpatch at.  Never
 * written afterwards.  0, or 1 with the reason printed.
 */
int kernel_source(const char *series);

#endif /* WQB_KERNELBUILD_H */
