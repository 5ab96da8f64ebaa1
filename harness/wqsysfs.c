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
