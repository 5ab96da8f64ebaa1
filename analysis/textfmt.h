/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WQB_TEXTFMT_H
#define WQB_TEXTFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* "12.3 µs", "4.56 ms", "-" for NaN */
void fmt_ns(char *buf, size_t len, double ns);
/* s with <, >, & and " escaped */
void html_escape(FILE *f, const char *s);
/* s as one Markdown table cell: '|' escaped, newlines flattened */
void md_cell(FILE *f, const char *s);

/*
 * One writer for the Markdown and the HTML of a document (report.md and
 * report.html, compare.md and compare.html): the structure is the same,
 * only the markup differs.  Text is escaped for the format.
 */
struct textdoc {
	FILE *f;
	bool html;
};

void doc_head(struct textdoc *d, int level, const char *s);
void doc_text(struct textdoc *d, const char *s);
/* one table row; header rows get the Markdown rule; cls: HTML class or NULL */
void doc_row(struct textdoc *d, const char *const *cells, size_t n, bool header,
	     const char *cls);
void doc_table(struct textdoc *d, bool begin);
/* doc_row() of a body row whose cell `link` links to href (href NULL: plain) */
void doc_row_link(struct textdoc *d, const char *const *cells, size_t n, const char *cls,
		  size_t link, const char *href);

#endif /* WQB_TEXTFMT_H */
