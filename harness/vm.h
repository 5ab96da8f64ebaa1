/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Booting a guest kernel in QEMU and judging what happened from its console.
 *
 * The guest runs one command (argv) chrooted into the host's root (shared
 * read-only over 9p); share_dir is shared writable and appears at
 * /run/wqbench/results inside the guest.  The console is saved to
 * console_log as it arrives.
 */
#ifndef WQB_VM_H
#define WQB_VM_H

#include "kernel.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Inside the guest the result share is mounted here (harness/guest-init.sh). */
#define WQB_GUEST_RESULT_DIR "/run/wqbench/results"
/* The guest's PATH, exported by harness/guest-init.sh: keep the two equal. */
#define WQB_GUEST_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/*
 * The versions of the tools the guest will run, asked on the host before
 * the boot (meta_tool_versions()): the guest runs the host's own files over
 * 9p, where asking them costs ~4 s of the first run of every boot.
 */
#define WQB_GUEST_TOOLS_FILE ".tool-versions.json"

struct vm_opts {
	const struct wqb_kernel *kernel;
	int cpus;			/* -smp; default 4 */
	uint64_t memory_mib;		/* -m; default 1024 */
	const char *accel;		/* "tcg" (default), "kvm", "auto" */
	/*
	 * QEMU's -icount value, "shift=N|auto[,sleep=off]" (vm_icount_parse()),
	 * or NULL: TCG only, refused with KVM.  The guest's clock then counts
	 * instructions, not the host's time (docs/compare.md).
	 */
	const char *icount;
	const char *share_dir;		/* writable share, must exist */
	char *const *guest_argv;	/* command to run in the guest */
	/*
	 * NULL-terminated host paths the guest must see although they lie
	 * under /tmp or /run, which the guest covers with its own tmpfs (for
	 * example scenario files).  The source tree and absolute paths in
	 * guest_argv are kept without being listed.
	 */
	char *const *keep_paths;
	const char *console_log;	/* where the console goes */
	uint64_t boot_timeout_ms;	/* launch -> harness start; default 90 s */
	uint64_t run_timeout_ms;	/* harness start -> exit (duration + grace) */
	/*
	 * >0: a batch of runs.  The guest announces each run with
	 * "WQBENCH-GUEST: run-begin BUDGET_MS LABEL", and from then the limit
	 * is BUDGET_MS + run_grace_ms, so a hang is caught per run.
	 */
	uint64_t run_grace_ms;
	const char *extra_cmdline;	/* appended to the kernel command line */
	const char *init_override;	/* another /init (failure simulation) */
	bool echo_console;		/* copy console lines to stdout */
	bool no_retry;			/* do not retry a failed boot */
	uint64_t scratch_disk_mib;	/* >0: attach an empty virtio disk (fio) */
	const char *progress_label;	/* show guest progress lines under this label */
};

enum vm_outcome {
	VM_OK,			/* harness ran and exited (see harness_rc) */
	VM_NO_HARNESS,		/* guest never reached the harness */
	VM_PANIC,		/* kernel panic */
	VM_HANG,		/* harness started but outlived its time */
	VM_QEMU_FAILED,		/* qemu could not start or died */
};

struct vm_result {
	enum vm_outcome outcome;
	int harness_rc;		/* exit code of the guest command (VM_OK) */
	bool oops;		/* Oops/BUG/WARNING seen on the console */
	bool harness_started;	/* the last boot reached the harness */
	int attempts;		/* boots made (2 when a failed boot was retried) */
	uint64_t boot_ms;	/* launch -> harness start of the last attempt */
	uint64_t total_ms;
	char accel_used[16];
	char icount_used[32];	/* QEMU's -icount value, "" without */
	char reason[512];	/* one line for humans, empty on VM_OK */
};

/* Console lines from the guest to the host start with this. */
#define MARK_PREFIX "WQBENCH-GUEST: "

int vm_run(const struct vm_opts *o, struct vm_result *res);

/*
 * The --icount option's value, "SHIFT" (0..10) or "auto", optionally
 * followed by ",sleep=on" or ",sleep=off", into QEMU's -icount value
 * ("shift=3,sleep=off") in out.  0, or -1 with nothing written when the
 * value is not one of those.
 */
int vm_icount_parse(const char *arg, char *out, size_t len);
/* The error for a bad --icount value: one line naming what is accepted. */
#define VM_ICOUNT_USAGE "--icount wants SHIFT (0..10) or auto, optionally ,sleep=on|off (like 3,sleep=off)"

/* Does console text show an Oops, BUG or WARNING? */
bool vm_text_has_oops(const char *text);
/*
 * Does a line of text show an Oops/BUG/WARNING that none of expected (a
 * NULL-terminated list of substrings, [expect] dmesg; may be NULL)
 * accounts for?
 */
bool vm_text_has_unexpected_oops(const char *text, const char *const *expected);
const char *vm_outcome_name(enum vm_outcome o);

/* `wqbench guest exec [--kernel K] [--cpus N] [--memory M] -- CMD...` */
int cmd_guest(int argc, char **argv);

#endif /* WQB_VM_H */
