// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the readers of result files -- the module's stats
 * text (kmodctl_parse_stats), its histograms (kmod_hist_parse), and a run
 * directory whose summary.json, meta.json, kmod-stats.json, kmod-hist.txt
 * and events.csv are all the input (rundata_load with its shape checks +
 * the report's metrics, as compare reads them).  Never a crash on any
 * input.
 */
#include "kmodctl.h"
#include "report.h"
#include "rundata.h"
#include "util.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/wqb-fuzz-run-XXXXXX";
static bool have_dir;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[256];
	struct kmod_hist *h = NULL;
	size_t nh = 0;
	json_t *j, *m;
	struct rundata rd;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	json_decref(kmodctl_parse_stats(text));
	kmod_hist_parse(text, &h, &nh);
	/* on failure the parser hands back nothing: h is NULL, nh 0 */
	for (size_t i = 0; i < nh; i++) {
		free(h[i].lo);
		free(h[i].hi);
		free(h[i].count);
	}
	free(h);
	if (!have_dir)
		have_dir = mkdtemp(dir) != NULL;
	if (have_dir) {
		/* the input as every file rundata.c reads and checks */
		static const char *const files[] = { "summary.json", "kmod-hist.txt", "events.csv",
						     "meta.json", "kmod-stats.json" };

		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			/* plain writes: write_file_atomic's fsyncs would slow every input */
			char *p = path_join(dir, files[i]);
			FILE *f = fopen(p, "w");

			if (f) {
				fwrite(text, 1, size, f);
				fclose(f);
			}
			free(p);
		}
		if (rundata_load(dir, &rd, err, sizeof(err)) == 0)
			rundata_free(&rd);
		m = report_metrics(dir, err, sizeof(err));
		json_decref(m);
	}
	j = json_loadb(text, size, 0, NULL);
	json_decref(j);
	free(text);
	return 0;
}
