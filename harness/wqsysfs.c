// SPDX-License-Identifier: GPL-2.0
/*
 * Workqueue sysfs attributes (root redirected by WQBENCH_SYSFS in tests).
 */
#include "wqsysfs.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

char *wqsysfs_path(const char *wq, const char *attr)
{
	const char *r = getenv("WQBENCH_SYSFS");

	if (!r || !*r)
		r = "/sys";
	if (wq)
		return xasprintf("%s/devices/virtual/workqueue/%s/%s", r, wq, attr);
	return xasprintf("%s/devices/virtual/workqueue/%s", r, attr);
}

char *wqsysfs_read(const char *wq, const char *attr)
{
	char *p = wqsysfs_path(wq, attr), *v = read_file_trim(p);

	free(p);
	return v;
}

int wqsysfs_write(const char *wq, const char *attr, const char *value, char **effective)
{
	char *p = wqsysfs_path(wq, attr);
	int r = write_file_str(p, value) < 0 ? -errno : 0;

	free(p);
	if (effective)
		*effective = wqsysfs_read(wq, attr);
	return r;
}

char *cpumask_normalise(const char *mask)
{
	char *out = xmalloc(strlen(mask) + 2), *o = out;
	const char *p = mask;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (; *p; p++) {
		if (*p == ',' || isspace((unsigned char)*p))
			continue;
		if (o == out && *p == '0')
			continue;	/* leading zeros */
		*o++ = (char)tolower((unsigned char)*p);
	}
	if (o == out)
		*o++ = '0';
	*o = '\0';
	return out;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

char *cpumask_and(const char *a, const char *b)
{
	char *na = cpumask_normalise(a), *nb = cpumask_normalise(b);
	size_t la = strlen(na), lb = strlen(nb), n = la < lb ? la : lb;
	char *out = xmalloc(n + 1), *r;

	/* align on the least significant digit */
	for (size_t i = 0; i < n; i++) {
		int x = hexval(na[la - n + i]), y = hexval(nb[lb - n + i]);

		out[i] = "0123456789abcdef"[(x < 0 || y < 0) ? 0 : (x & y)];
	}
	out[n] = '\0';
	r = cpumask_normalise(out);
	free(out);
	free(na);
	free(nb);
	return r;
}

char *cpumask_from_set(const bool *set, int max)
{
	int digits = (max + 3) / 4;
	char *s = xmalloc((size_t)digits + 1), *r;

	for (int d = 0; d < digits; d++) {
		int v = 0;

		for (int b = 0; b < 4; b++) {
			int cpu = d * 4 + b;

			if (cpu < max && set[cpu])
				v |= 1 << b;
		}
		s[digits - 1 - d] = "0123456789abcdef"[v];
	}
	s[digits] = '\0';
	r = cpumask_normalise(s);
	free(s);
	return r;
}
