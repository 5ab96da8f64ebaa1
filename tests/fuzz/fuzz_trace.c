// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: wqtrace_read() -- libtracecmd/libtraceevent plus the
 * pairing engine -- on an arbitrary file.  Seeds are real trace.dat files
 * (tests/fuzz/corpus/trace/).  Any input is read or refused; never a crash.
 */
#include "wqtrace.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/wqb-fuzz-trace-XXXXXX", err[256];
	struct wqtrace t;
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		wqtrace_read(path, NULL, &t, err, sizeof(err));
		wqtrace_free(&t);
	}
	close(fd);
	unlink(path);
	return 0;
}
