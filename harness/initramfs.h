/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's initramfs: a static busybox, harness/guest-init.sh as /init and
 * the kernel's virtio/9p modules (uncompressed, in dependency order).
 */
#ifndef WQB_INITRAMFS_H
#define WQB_INITRAMFS_H

#include "kernel.h"

/*
 * Build a newc cpio archive for kernel k at out_path.  init_path overrides
 * harness/guest-init.sh (tests use it to simulate a broken guest).
 * Returns 0 or -1 after an error line.
 */
int initramfs_build(const struct wqb_kernel *k, const char *out_path, const char *init_path);

/*
 * The modules that must be loaded for the guest to mount its 9p shares, in
 * load order (NULL-terminated, malloc'd; each entry is a path to a .ko,
 * possibly compressed).  Built-in drivers are left out.
 */
char **initramfs_modules(const struct wqb_kernel *k);

#endif /* WQB_INITRAMFS_H */
