/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building kmod/wqbench.ko against a kernel: sources are copied into
 * build/kmod/<key>/ and built there with `make -C <tree> M=<that dir>`,
 * so one source tree serves any number of kernels side by side.  The key is
 * the release for Debian's kernels, <release>-<build id> for kernels built
 * from source (two builds of one tree share a release string).
 */
#ifndef WQB_KMODBUILD_H
#define WQB_KMODBUILD_H

#include "kernel.h"

/*
 * Build (when sources are newer than the module) and return the path of
 * wqbench.ko for kernel k in *ko.  A compiler warning fails the build: the
 * module must stay warning-free on every kernel.  Returns 0 or -1.
 */
int kmod_ensure_built(const struct wqb_kernel *k, char **ko);

/* build/kmod/<key>/: "<release>" or "<release>-<12 hex of the build id>" (malloc'd) */
char *kmod_key(const struct wqb_kernel *k);

/* Where the module for a release lives (whether built or not). */
char *kmod_path_for_release(const char *release);

/* `wqbench kmod build [--all|--kernel NAME|--kernel-build DIR]` */
int cmd_kmod(int argc, char **argv);

#endif /* WQB_KMODBUILD_H */
