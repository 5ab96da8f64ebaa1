/* SPDX-License-Identifier: GPL-2.0 */
/*
 * meta.json: everything needed to know what a run ran on -- kernel, command
 * line, config hash, CPUs, tool versions, wqbench revision, the scenario.
 */
#ifndef WQB_META_H
#define WQB_META_H

#include "scenario.h"

#include <jansson.h>

/*
 * Describe the running system and the scenario.  kernel_config names the
 * running kernel's .config when the caller knows it (the guest's /boot is
 * the host's); /proc/config.gz and /boot/config-<release> are tried first.
 */
json_t *meta_collect(const struct wqb_scenario *s, const char *kmod_path,
		     const char *kernel_config);

#endif /* WQB_META_H */
