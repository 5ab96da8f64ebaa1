/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest kernels: Debian's packaged 6.1 and 6.12 kernels fetched into a cache,
 * or a kernel the user built (bzImage + build tree).  Everything else asks
 * this file for a kernel image, a tree to build modules against and the
 * directory holding that kernel's modules.
 */
#ifndef WQB_KERNEL_H
#define WQB_KERNEL_H

#include <stdbool.h>

struct wqb_kernel {
	char *name;		/* what the user asked for: "6.12", a release, "custom" */
	char *release;		/* uname -r of that kernel */
	char *image;		/* bootable bzImage/vmlinuz */
	char *build_dir;	/* tree for make -C ... M=... */
	char *modules_dir;	/* where its .ko files live (initramfs modules) */
	char *config;		/* its .config, when known */
	/*
	 * GNU build id of its vmlinux, for kernels built from source: two
	 * builds of one tree share a release string, never a build id
	 * (module builds are kept apart by it, see kmodbuild.c).  NULL for
	 * Debian's kernels, whose release is unique.
	 */
	char *build_id;
	bool custom;		/* from --kernel-image/--kernel-build */
};

/* $WQBENCH_CACHE or ~/.cache/wqbench */
const char *wqb_cache_dir(void);

/* The Debian series wqbench knows: "6.1", "6.12". */
extern const char *const wqb_kernel_series[];

/*
 * Fetch the newest Debian kernel of a series ("6.1", "6.12") into the cache;
 * a no-op when that release is cached already.  Returns 0 or -1 after
 * printing one line saying what is wrong.
 */
int kernel_fetch(const char *series);

/*
 * Find a kernel by name: a series ("6.12": the newest cached release of it),
 * an exact cached release ("6.12.117+deb12-amd64"), or the name of a kernel
 * built from source (`wqbench kernel build`, harness/kernelbuild.c).  With fetch set a
 * series not yet cached is fetched.  Returns 0 and fills *k, or -1 after an
 * error line.
 */
int kernel_resolve(const char *name, bool fetch, struct wqb_kernel *k);

/* A user-built kernel: its bzImage and build tree (with include/config). */
int kernel_custom(const char *image, const char *build_dir, struct wqb_kernel *k);

/* The running kernel's headers, when /lib/modules/$(uname -r)/build exists. */
int kernel_running(struct wqb_kernel *k);

/* Every cached release and built kernel's name (NULL-terminated, caller frees with kernel_list_free). */
char **kernel_list_cached(void);
void kernel_list_free(char **v);

void kernel_free(struct wqb_kernel *k);

/* `wqbench kernel list`: every cached kernel, one line each, on stdout.  Returns 0. */
int kernel_list_print(void);

#endif /* WQB_KERNEL_H */
