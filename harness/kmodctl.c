// SPDX-License-Identifier: GPL-2.0
/*
 * wqbench.ko control.  The module is loaded with finit_module(2) directly,
 * so no modprobe configuration or depmod state of the machine is involved.
 */
#include "kmodctl.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static char *ctl_path(const char *file)
{
	const char *root = getenv("WQBENCH_DEBUGFS");

	return xasprintf("%s/wqbench/%s", root && *root ? root : "/sys/kernel/debug", file);
}

static char *loaded_ko;

const char *kmodctl_ko_path(void)
{
	return loaded_ko;
}

int kmodctl_load(const char *ko_path)
{
	int fd = open(ko_path, O_RDONLY | O_CLOEXEC);
	long r;

	if (fd < 0)
		return -errno;
	free(loaded_ko);
	loaded_ko = xstrdup(ko_path);
	r = syscall(SYS_finit_module, fd, "", 0);
	if (r < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

int kmodctl_unload(void)
{
	for (int i = 0; i < 100; i++) {
		if (syscall(SYS_delete_module, "wqbench", O_NONBLOCK) == 0)
			return 0;
		if (errno != EAGAIN && errno != EBUSY)
			return -errno;
		usleep(50000);
	}
	return -EBUSY;
}

int kmodctl_loaded(void)
{
	char *p = ctl_path("version");
	int r = path_exists(p);

	free(p);
	return r;
}

int kmodctl_write(const char *file, const char *text)
{
	char *p = ctl_path(file);
	int r = write_file_str(p, text) < 0 ? -errno : 0;

	free(p);
	return r;
}

char *kmodctl_read(const char *file)
{
	char *p = ctl_path(file), *v = read_file(p, NULL);

	free(p);
	return v;
}

static json_t *value_of(const char *v)
{
	int64_t i;

	if (parse_i64(v, &i) == 0)
		return json_integer(i);
	return json_string(v);
}

json_t *kmodctl_parse_stats(const char *text)
{
	char *copy = xstrdup(text), *line, *save = NULL;
	json_t *j = json_object();
	bool header = false;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tok, *tsave = NULL, *type;
		json_t *o, *arr;

		if (line[0] == '#') {
			int ver;

			if (sscanf(line, "# wqbench-stats %d", &ver) == 1) {
				header = true;
				json_object_set_new(j, "version", json_integer(ver));
			}
			continue;
		}
		type = strtok_r(line, " \t", &tsave);
		if (!type)
			continue;
		o = json_object();
		while ((tok = strtok_r(NULL, " \t", &tsave))) {
			char *eq = strchr(tok, '=');

			if (!eq)
				continue;
			*eq = '\0';
			json_object_set_new(o, tok, value_of(eq + 1));
		}
		arr = json_object_get(j, type);
		if (!arr) {
			arr = json_array();
			json_object_set_new(j, type, arr);
		}
		json_array_append_new(arr, o);
	}
	free(copy);
	if (!header) {
		json_decref(j);
		return NULL;
	}
	return j;
}

long long kmodctl_stat_sum(json_t *stats, const char *type, const char *key)
{
	json_t *arr = json_object_get(stats, type), *o;
	long long sum = 0;
	size_t i;

	json_array_foreach(arr, i, o)
		sum += json_integer_value(json_object_get(o, key));
	return sum;
}
