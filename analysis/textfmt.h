/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WQB_TEXTFMT_H
#define WQB_TEXTFMT_H

#include <stddef.h>
#include <stdio.h>

/* "12.3 µs", "4.56 ms", "-" for NaN */
void fmt_ns(char *buf, size_t len, double ns);
/* s with <, >, & and " escaped */
void html_escape(FILE *f, const char *s);
/* s as one Markdown table cell: '|' escaped, newlines flattened */
void md_cell(FILE *f, const char *s);

#endif /* WQB_TEXTFMT_H */
