// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input to wqbench.ko: a seeded writer in the guest that throws
 * grammar-built and mutated text at every debugfs file, with the module
 * running and stopped, and checks that
 *   - every write is taken whole or refused with an error code (never a
 *     short write, never a hang),
 *   - the kernel log gets no WARNING, BUG, Oops or lockup report,
 *   - the module still unloads.
 *   fuzz_kmod MODULE.ko [WRITES] [SEED]      (default 100000 writes, seed 1)
 * Prints the counts and "N passed, N failed".  Hog work (deliberate
 * lockup reports) is never sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DIR_ "/sys/kernel/debug/wqbench/"

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned int pick(unsigned int n)
{
	return (unsigned int)(next() % n);
}

static const char *const files[] = { "group", "control", "version", "stats", "hist", "samples" };
static const char *const keys[] = { "name", "wq", "flags", "max_active", "kind", "work_us",
				    "resched", "requeue", "requeue_delay_us", "mix", "placement",
				    "cpu", "cpus", "node", "shape", "inflight", "rate", "max_items",
				    "max_ms", "jitter_pct", "seed", "instrument", "sample_every",
				    "grace_ms", "selftest", "alloc_bytes", "bogus" };
static const char *const words[] = { "cpu", "sleep", "requeue", "mixed", "closed", "open",
				     "unbound", "highpri,cpu_intensive", "ordered", "rr", "local",
				     "cpus", "node", "immediate", "delayed", "hop", "full", "bare",
				     "lose", "dup", "misplace", "escape", "own", "system_unbound",
				     "cpu:1,sleep:2,requeue:3", "0-3", "0", "1", "7", "100", "4096",
				     "-1", "99999999999999999999", "0x10", "", "=", "bh",
				     "65536", "65537" };
static const char *const cmds[] = { "start", "stop", "clear", "measure_begin", "measure_end",
				    "cpumask_changing", "cpumask_settled", "hotplug_begin 1",
				    "hotplug_end 1", "hotplug_begin 99999", "cpumask g0 3",
				    "cpumask nosuch f", "cpumask g1 zz", "frob",
				    "inject pickup 1000 3", "inject pool 2000 1", "inject queue 500 2 g0",
				    "inject off", "inject pickup 0 1", "inject nowhere 1 1",
				    "inject queue 99999999999 1" };

static size_t gen(char *buf, size_t cap, const char *file)
{
	size_t n = 0;

	if (!strcmp(file, "control")) {
		n = (size_t)snprintf(buf, cap, "%s", cmds[pick(sizeof(cmds) / sizeof(cmds[0]))]);
	} else {
		unsigned int toks = 1 + pick(6);

		n = (size_t)snprintf(buf, cap, "name=g%u", pick(40));
		for (unsigned int i = 0; i < toks && n < cap - 64; i++)
			n += (size_t)snprintf(buf + n, cap - n, " %s=%s",
					      keys[pick(sizeof(keys) / sizeof(keys[0]))],
					      words[pick(sizeof(words) / sizeof(words[0]))]);
	}
	/* mutations: flip, insert random bytes, NULs, truncate, grow huge */
	switch (pick(8)) {
	case 0:
		for (unsigned int i = 0; i < 1 + pick(4) && n; i++)
			buf[pick((unsigned int)n)] ^= (char)(1 << pick(8));
		break;
	case 1:
		for (unsigned int i = 0; i < 1 + pick(8) && n < cap - 1; i++)
			buf[n++] = (char)pick(256);
		break;
	case 2:
		if (n)
			buf[pick((unsigned int)n)] = '\0';
		break;
	case 3:
		n = n ? pick((unsigned int)n) : 0;
		break;
	case 4: {
		size_t want = 4000 + pick(5000);

		while (n < want && n < cap - 1)
			buf[n++] = "abc= 0123,"[pick(10)];
		break;
	}
	default:
		break;
	}
	return n;
}

static int allowed_errno(int e)
{
	return e == EINVAL || e == E2BIG || e == EBUSY || e == ENOMEM || e == EPERM ||
	       e == EACCES || e == ENODEV || e == EFAULT || e == ERANGE;
}

static bool kernel_complaint(const char *line)
{
	return strstr(line, "WARNING:") || strstr(line, "BUG:") || strstr(line, "Oops") ||
	       strstr(line, "Call Trace") || strstr(line, "soft lockup") ||
	       strstr(line, "hung_task") || strstr(line, "ODEBUG") || strstr(line, "UBSAN");
}

int main(int argc, char **argv)
{
	unsigned long writes = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
	unsigned long accepted = 0, refused = 0, partial = 0, bad_errno = 0, reads = 0;
	unsigned long complaints = 0, by_file[6] = { 0 };
	static char buf[16384];
	int fd, kmsg, fails = 0;
	ssize_t r;

	rng = argc > 3 ? strtoull(argv[3], NULL, 10) * 2654435761u + 1 : 88172645463325252ull;
	if (argc < 2) {
		fprintf(stderr, "usage: fuzz_kmod MODULE.ko [WRITES] [SEED]\n");
		return 2;
	}
	/* the kernel log from here on */
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) < 0) {
		perror("load");
		return 2;
	}
	close(fd);
	for (unsigned long i = 0; i < writes; i++) {
		unsigned int f = pick(10) < 6 ? 0 : pick(10) < 8 ? 1 : 2 + pick(4);
		char path[128];
		size_t n = gen(buf, sizeof(buf), files[f]);

		if (memmem(buf, n, "hog", 3))
			continue;	/* deliberate lockup reports are not the point */
		by_file[f]++;
		snprintf(path, sizeof(path), DIR_ "%s", files[f]);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			refused++;	/* read-only for writing: refused at open */
			continue;
		}
		r = write(fd, buf, n);
		if (r < 0) {
			refused++;
			if (!allowed_errno(errno)) {
				bad_errno++;
				fprintf(stderr, "write to %s: unexpected errno %d\n", files[f], errno);
			}
		} else if ((size_t)r != n) {
			partial++;
			fprintf(stderr, "write to %s: %zd of %zu bytes taken\n", files[f], r, n);
		} else {
			accepted++;
		}
		close(fd);
		/* now and then read everything back, and never let work run long */
		if (i % 64 == 0) {
			static const char *const rd[] = { "stats", "hist", "version", "group" };

			for (unsigned int k = 0; k < 4; k++) {
				int rfd;

				snprintf(path, sizeof(path), DIR_ "%s", rd[k]);
				rfd = open(path, O_RDONLY | O_CLOEXEC);
				if (rfd >= 0) {
					while (read(rfd, buf, sizeof(buf)) > 0)
						;
					close(rfd);
					reads++;
				}
			}
		}
		if (i % 200 == 199) {
			int cfd = open(DIR_ "control", O_WRONLY | O_CLOEXEC);

			if (cfd >= 0) {
				/* either may be refused in this state: fine */
				(void)!write(cfd, "stop", 4);
				(void)!write(cfd, "clear", 5);
				close(cfd);
			}
		}
	}
	fd = open(DIR_ "control", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)!write(fd, "stop", 4);
		close(fd);
	}
	for (int t = 0; t < 200; t++) {
		if (syscall(SYS_delete_module, "wqbench", O_NONBLOCK) == 0)
			break;
		usleep(50000);
		if (t == 199) {
			fprintf(stderr, "rmmod failed: %s\n", strerror(errno));
			fails++;
		}
	}
	if (kmsg >= 0) {
		char line[4096];

		while ((r = read(kmsg, line, sizeof(line) - 1)) > 0 || (r < 0 && errno == EPIPE)) {
			if (r <= 0)
				continue;
			line[r] = '\0';
			if (kernel_complaint(line)) {
				complaints++;
				if (complaints <= 5)
					fprintf(stderr, "kernel: %s", line);
			}
		}
		close(kmsg);
	}
	printf("# fuzz_kmod: %lu writes (group %lu, control %lu, read-only files %lu), "
	       "%lu accepted, %lu refused with an error code, %lu short writes, "
	       "%lu unexpected errnos, %lu reads, %lu kernel warnings\n",
	       writes, by_file[0], by_file[1], by_file[2] + by_file[3] + by_file[4] + by_file[5],
	       accepted, refused, partial, bad_errno, reads, complaints);
	fails += partial != 0;
	fails += bad_errno != 0;
	fails += complaints != 0;
	printf("%s 1 every write taken whole or refused with an error code\n",
	       partial || bad_errno ? "not ok" : "ok");
	printf("%s 2 no kernel warnings\n", complaints ? "not ok" : "ok");
	printf("%d passed, %d failed\n", 3 - fails > 0 ? 3 - fails : 0, fails);
	return fails ? 1 : 0;
}
