// SPDX-License-Identifier: GPL-2.0
/*
 * Text helpers shared by the report and compare writers: durations in
 * readable units, data made safe for HTML and Markdown tables, and the
 * writer of both formats.
 */
#include "textfmt.h"

#include <math.h>

void fmt_ns(char *buf, size_t len, double ns)
{
	if (isnan(ns))
		snprintf(buf, len, "-");
	else if (ns >= 1e9)
		snprintf(buf, len, "%.2f s", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%.1f µs", ns / 1e3);
	else
		snprintf(buf, len, "%.0f ns", ns);
}

void html_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* Markdown table cell: no '|' or newline from the data may break the table. */
void md_cell(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputs(*s == '|' ? "\\|" : *s == '\n' ? " " : (char[2]){ *s, 0 }, f);
}

void doc_head(struct textdoc *d, int level, const char *s)
{
	if (d->html) {
		fprintf(d->f, "<h%d>", level);
		html_escape(d->f, s);
		fprintf(d->f, "</h%d>\n", level);
	} else {
		fprintf(d->f, "%.*s %s\n\n", level, "####", s);
	}
}

void doc_text(struct textdoc *d, const char *s)
{
	if (d->html) {
		fputs("<p>", d->f);
		html_escape(d->f, s);
		fputs("</p>\n", d->f);
	} else {
		fprintf(d->f, "%s\n\n", s);
	}
}

static void row(struct textdoc *d, const char *const *cells, size_t n, bool header,
		const char *cls, size_t link, const char *href)
{
	if (d->html) {
		fprintf(d->f, "<tr%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
		for (size_t i = 0; i < n; i++) {
			fputs(header ? "<th>" : "<td>", d->f);
			if (i == link && href) {
				fputs("<a href=\"", d->f);
				html_escape(d->f, href);
				fputs("\">", d->f);
			}
			html_escape(d->f, cells[i]);
			if (i == link && href)
				fputs("</a>", d->f);
			fputs(header ? "</th>" : "</td>", d->f);
		}
		fputs("</tr>\n", d->f);
		return;
	}
	fputs("|", d->f);
	for (size_t i = 0; i < n; i++) {
		fputc(' ', d->f);
		if (i == link && href) {
			fputc('[', d->f);
			md_cell(d->f, cells[i]);
			fputs("](", d->f);
			md_cell(d->f, href);
			fputc(')', d->f);
		} else {
			md_cell(d->f, cells[i]);
		}
		fputs(" |", d->f);
	}
	fputc('\n', d->f);
	if (header) {
		fputs("|", d->f);
		for (size_t i = 0; i < n; i++)
			fputs("---|", d->f);
		fputc('\n', d->f);
	}
}

void doc_row(struct textdoc *d, const char *const *cells, size_t n, bool header,
	     const char *cls)
{
	row(d, cells, n, header, cls, n, NULL);
}

void doc_row_link(struct textdoc *d, const char *const *cells, size_t n, const char *cls,
		  size_t link, const char *href)
{
	row(d, cells, n, false, cls, link, href);
}

void doc_table(struct textdoc *d, bool begin)
{
	if (d->html)
		fputs(begin ? "<table>\n" : "</table>\n", d->f);
	else if (!begin)
		fputc('\n', d->f);
}
