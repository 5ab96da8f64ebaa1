/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace.dat (trace-cmd file format version 6, uncompressed) written
 * in-process from a tracefs instance, instead of `trace-cmd extract`.
 */
#ifndef WQB_TRACEDAT_H
#define WQB_TRACEDAT_H

#include <stdbool.h>
#include <stddef.h>

struct tracefs_instance;

/*
 * Write the instance's per-CPU ring buffers (consumed) to path, with the
 * formats of the events enabled in it (set_event), the ftrace formats, the
 * header pages, kallsyms, printk formats, saved cmdlines, the trace clock
 * and uname.  kallsyms and printk formats come from a per-boot cache
 * (boot_cache_dir(), util.h); the symbols of the module loaded from ko_path
 * (NULL: none) are made from its ELF symbol table and its section
 * addresses.  Returns 0, or -1 with *err (malloc'd); path is written whole
 * or not at all.
 */
struct tracedat_info {
	bool boot_copy;		/* this run made the per-boot copy (first of a boot) */
	double boot_copy_ms;	/* and how long that took */
	unsigned long long bytes;	/* trace.dat's size */
};

int tracedat_write(struct tracefs_instance *inst, const char *ko_path, const char *path,
		   struct tracedat_info *info, char **err);

/*
 * Where tracedat_write_from() reads what is not in the instance; a NULL
 * member is the running system's, as tracedat_write() reads it.  The
 * instance itself names its tracing directory (tracefs_instance_alloc()).
 */
struct tracedat_src {
	const char *tracing_dir;	/* events/, saved_cmdlines, printk_formats:
					 * tracefs_tracing_dir() */
	const char *proc_dir;		/* kallsyms, modules, sys/kernel/random/boot_id:
					 * /proc */
	const char *cache_dir;		/* the per-boot copies: boot_cache_dir() */
};

/*
 * tracedat_write() from src (NULL: all the running system's).  A missing
 * header page or event format, a per-CPU buffer that cannot be read or
 * ends within a page are errors: *err says which, path is left as it was.
 */
int tracedat_write_from(const struct tracedat_src *src, struct tracefs_instance *inst,
			const char *ko_path, const char *path, struct tracedat_info *info,
			char **err);

/*
 * The kallsyms lines of the module "name" made from the .ko at ko_path
 * (its function symbols; each at the address of its section in
 * secdir/<section>, normally /sys/module/<name>/sections): "%016llx t
 * sym\t[name]\n" as /proc/kallsyms shows them.  NULL when the file is not
 * a 64-bit ELF; an empty string when no section address could be read.
 */
char *tracedat_module_kallsyms(const char *ko_path, const char *name, const char *secdir);

#endif /* WQB_TRACEDAT_H */
