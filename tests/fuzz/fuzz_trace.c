// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: wqtrace_read() -- libtracecmd/libtraceevent plus the
 * pairing engine -- on an arbitrary file.  Seeds are real trace.dat files
 * (tests/fuzz/corpus/trace/).  Any input is read or refused; never a crash.
 * Read twice: in process, so the sanitizers see the decoder, and the usual
 * way, through the decoder child and the pipe.
 */
#include "wqtrace.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* inputs on which libtracecmd died in a child: contained, counted apart */
static unsigned long contained;

__attribute__((destructor)) static void report_contained(void)
{
	fprintf(stderr, "fuzz_trace: libtracecmd crashes contained in a child: %lu\n", contained);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/wqb-fuzz-trace-XXXXXX", err[256];
	struct wqtrace t;
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		struct wqtrace_opts inproc = { .in_process = true };

		err[0] = 0;
		wqtrace_read(path, &inproc, &t, err, sizeof(err));
		wqtrace_free(&t);
		contained += strstr(err, "libtracecmd failed") != NULL;
		err[0] = 0;
		wqtrace_read(path, NULL, &t, err, sizeof(err));
		wqtrace_free(&t);
		contained += strstr(err, "libtracecmd failed") != NULL;
	}
	close(fd);
	unlink(path);
	return 0;
}
