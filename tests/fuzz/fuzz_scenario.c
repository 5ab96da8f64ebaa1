// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the scenario parser (libinih + wqbench's key tables
 * and cross checks) on arbitrary text.  Every input must load or be
 * refused with a message; never crash, leak or read out of bounds.
 */
#include "scenario.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *err = NULL;
	struct wqb_scenario s;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (scenario_load_string("fuzz.wqb", text, &s, &err) == 0)
		scenario_free(&s);
	else if (!err)
		abort();	/* a refusal must say why */
	free(err);
	free(text);
	return 0;
}
