// SPDX-License-Identifier: GPL-2.0
/*
 * samples.bin: whole struct wqbench_sample records, as the module gave them.
 */
#include "samples.h"
#include "util.h"
#include "wqbench_uapi.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char *samples_path(void)
{
	const char *root = getenv("WQBENCH_DEBUGFS");

	return xasprintf("%s/wqbench/samples", root && *root ? root : "/sys/kernel/debug");
}

/* Read until the module has nothing buffered; returns 0 or -errno. */
static int drain_once(struct samples_drain *d, int in_fd)
{
	static struct wqbench_sample buf[1024];

	for (;;) {
		ssize_t n = read(in_fd, buf, sizeof(buf)), w;

		if (n < 0)
			return errno == EINTR ? 0 : -errno;
		if (n == 0)
			return 0;
		w = write(d->out_fd, buf, (size_t)n);
		if (w != n)
			return w < 0 ? -errno : -EIO;
		d->records += (uint64_t)n / sizeof(buf[0]);
	}
}

static void *drain_thread(void *arg)
{
	struct samples_drain *d = arg;
	char *p = samples_path();
	int in_fd = open(p, O_RDONLY | O_CLOEXEC), r = 0;
	struct timespec ts = { 0, 100000000 };

	free(p);
	if (in_fd < 0) {
		d->error = errno;
		return NULL;
	}
	while (!d->stop && !r) {
		r = drain_once(d, in_fd);
		nanosleep(&ts, NULL);
	}
	if (!r)
		r = drain_once(d, in_fd);	/* what is left after stop */
	if (r)
		d->error = -r;
	close(in_fd);
	return NULL;
}

int samples_drain_start(struct samples_drain *d, const char *result_dir)
{
	char *out = path_join(result_dir, "samples.bin");

	memset(d, 0, sizeof(*d));
	d->out_fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	free(out);
	if (d->out_fd < 0)
		return -errno;
	if (pthread_create(&d->thread, NULL, drain_thread, d) != 0) {
		close(d->out_fd);
		return -EAGAIN;
	}
	d->running = true;
	return 0;
}

void samples_drain_stop(struct samples_drain *d)
{
	if (!d->running)
		return;
	d->stop = true;
	pthread_join(d->thread, NULL);
	close(d->out_fd);
	d->running = false;
}
