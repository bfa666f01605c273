/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * veloctl's renderer: any JSON result as readable text, with no knowledge of the
 * commands, so a new daemon command prints decently without a new veloctl.
 *
 *   scalars            key: value, values aligned within one object
 *   objects            key: then their members indented by two
 *   arrays of scalars  key: a, b, c (one per line when that is too long)
 *   arrays of objects  an aligned table, one row per element; members that are
 *                      objects of scalars become "member.key" columns (drops.acl);
 *                      numbers right-aligned, strings left-aligned
 *   "total" beside such an array, with a subset of its columns, is printed as the
 *                      table's last row under a rule (the stats shape: workers +
 *                      total), labelled "total" in the first column
 *   a table wider than the terminal is transposed: one row per column
 *   other arrays       key[i]: item by item
 *
 * Strings are printed with control characters escaped (\xNN): names and records
 * come from the network and must not drive the terminal.
 */
#define _GNU_SOURCE /* asprintf */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vd_compiler.h"
#include "veloctl.h"

#define VC_MAX_INDENT 64

static bool
vc_scalar(const json_t *v)
{
	return !json_is_object(v) && !json_is_array(v);
}

/* Characters on screen, not bytes: count UTF-8 lead bytes. */
static size_t
vc_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void
vc_pad(size_t n)
{
	while (n-- > 0)
		putchar(' ');
}

/*
 * One table row from an object: scalar members as they are, an object of scalars
 * as "member.key" columns (e.g. drops.acl), anything deeper as compact JSON.
 */
static json_t *
vc_flatten(json_t *obj)
{
	json_t *flat = json_object(), *v, *cv;
	const char *k, *ck;

	json_object_foreach (obj, k, v) {
		bool inner = json_is_object(v) && json_object_size(v) > 0;

		json_object_foreach (v, ck, cv)
			inner = inner && vc_scalar(cv);
		if (!inner) {
			json_object_set(flat, k, v);
			continue;
		}
		json_object_foreach (v, ck, cv) {
			char *name;

			if (asprintf(&name, "%s.%s", k, ck) < 0)
				exit(VC_EXIT_FAILED);
			json_object_set(flat, name, cv);
			free(name);
		}
	}
	return flat;
}

static bool
vc_tabular(const json_t *arr)
{
	size_t i;
	json_t *e;

	if (json_array_size(arr) == 0)
		return false;
	json_array_foreach (arr, i, e)
		if (!json_is_object(e) || json_object_size(e) == 0)
			return false;
	return true;
}

/* Column names: the union of the rows' keys, in the order first seen. */
static json_t *
vc_columns(json_t *rows)
{
	json_t *cols = json_array(), *seen = json_object(), *r, *v;
	const char *k;
	size_t i;

	json_array_foreach (rows, i, r) {
		json_object_foreach (r, k, v) {
			if (json_object_get(seen, k) == NULL) {
				json_object_set_new(seen, k, json_true());
				json_array_append_new(cols, json_string(k));
			}
		}
	}
	json_decref(seen);
	return cols;
}

/* The flattened "total" if every one of its columns is one of @p cols, else NULL. */
static json_t *
vc_total_row(json_t *total, json_t *cols)
{
	json_t *flat, *v, *c;
	const char *k;
	size_t i;

	if (!json_is_object(total) || json_object_size(total) == 0)
		return NULL;
	flat = vc_flatten(total);
	json_object_foreach (flat, k, v) {
		bool found = false;

		json_array_foreach (cols, i, c)
			found = found || strcmp(json_string_value(c), k) == 0;
		if (!found || !vc_scalar(v)) {
			json_decref(flat);
			return NULL;
		}
	}
	return flat;
}

/*
 * Print an array of objects as an aligned table, one row per element, and @p total
 * (an object with a subset of the columns, or NULL) as a last row under a rule.
 * A table wider than the terminal is printed transposed: one row per column.
 */
static void
vc_table(json_t *arr, json_t *total, const struct vc_fmt *o, int indent)
{
	json_t *rows = json_array(), *cols, *tot = NULL, *e;
	size_t n_rows, n_cols, i, c, line = 0;
	char ***cell;
	bool *num;
	size_t *w;

	json_array_foreach (arr, i, e)
		json_array_append_new(rows, vc_flatten(e));
	cols = vc_columns(rows);
	if (total != NULL && (tot = vc_total_row(total, cols)) != NULL) {
		const char *first = json_string_value(json_array_get(cols, 0));

		/* Label the total row in the first column, adding one if that is taken. */
		if (json_object_get(tot, first) != NULL) {
			json_t *r;

			json_array_insert_new(cols, 0, json_string(""));
			first = "";
			json_array_foreach (rows, i, r)
				json_object_set_new(r, "", json_string(""));
		}
		json_object_set_new(tot, first, json_string("total"));
		json_array_append(rows, tot);
	}
	n_rows = json_array_size(rows);
	n_cols = json_array_size(cols);
	/* cell[0] is the header row. */
	cell = calloc(n_rows + 1, sizeof(*cell));
	num = calloc(n_cols, sizeof(*num));
	w = calloc(n_cols, sizeof(*w));
	if (cell == NULL || num == NULL || w == NULL)
		exit(VC_EXIT_FAILED);
	for (c = 0; c < n_cols; c++)
		num[c] = true;
	for (size_t r = 0; r <= n_rows; r++) {
		cell[r] = calloc(n_cols, sizeof(**cell));
		if (cell[r] == NULL)
			exit(VC_EXIT_FAILED);
		for (c = 0; c < n_cols; c++) {
			json_t *name = json_array_get(cols, c), *v;

			if (r == 0) {
				cell[r][c] = vc_text(name);
			} else {
				json_t *row = json_array_get(rows, r - 1);
				bool label = tot != NULL && r == n_rows && c == 0;

				v = json_object_get(row, json_string_value(name));
				cell[r][c] = v != NULL ? vc_text(v) : strdup("-");
				if (v != NULL && !json_is_number(v) && !label)
					num[c] = false;
			}
			w[c] = VD_MAX(w[c], vc_width(cell[r][c]));
		}
	}
	for (c = 0; c < n_cols; c++)
		line += w[c] + (c > 0 ? 2 : 0);

	if (o->width == 0 || (size_t)indent + line <= o->width || n_cols <= 2) {
		for (size_t r = 0; r <= n_rows; r++) {
			if (tot != NULL && r == n_rows) {
				vc_pad((size_t)indent);
				for (i = 0; i < line; i++)
					putchar('-');
				putchar('\n');
			}
			vc_pad((size_t)indent);
			for (c = 0; c < n_cols; c++) {
				size_t pad = w[c] - vc_width(cell[r][c]);
				bool last = c + 1 == n_cols;

				if (num[c])
					vc_pad(pad);
				fputs(cell[r][c], stdout);
				if (!num[c] && !last)
					vc_pad(pad);
				if (!last)
					fputs("  ", stdout);
			}
			putchar('\n');
		}
	} else {
		/* Transposed: the first column's values head the columns. */
		size_t *tw = calloc(n_rows + 1, sizeof(*tw));

		if (tw == NULL)
			exit(VC_EXIT_FAILED);
		for (size_t r = 0; r <= n_rows; r++)
			for (c = 0; c < n_cols; c++)
				tw[r] = VD_MAX(tw[r], vc_width(cell[r][c]));
		for (c = 0; c < n_cols; c++) {
			vc_pad((size_t)indent);
			for (size_t r = 0; r <= n_rows; r++) {
				size_t pad = tw[r] - vc_width(cell[r][c]);

				if (r > 0)
					vc_pad(pad + 2);
				fputs(cell[r][c], stdout);
				if (r == 0 && n_rows > 0)
					vc_pad(pad);
			}
			putchar('\n');
		}
		free(tw);
	}
	for (size_t r = 0; r <= n_rows; r++) {
		for (c = 0; c < n_cols; c++)
			free(cell[r][c]);
		free(cell[r]);
	}
	free(cell);
	free(num);
	free(w);
	json_decref(tot);
	json_decref(cols);
	json_decref(rows);
}

static void vc_object(json_t *obj, const struct vc_fmt *o, int indent);

static void
vc_key(const char *key, int indent, size_t width)
{
	json_t *k = json_string(key);
	char *t = k != NULL ? vc_text(k) : strdup("?");

	vc_pad((size_t)indent);
	fputs(t, stdout);
	putchar(':');
	if (width > 0)
		vc_pad(width - VD_MIN(width, vc_width(t) + 1)); /* width counts the ':' */
	free(t);
	json_decref(k);
}

/* A member that is an array: a list of scalars on one line, a table, or items. */
static void
vc_array(const char *key, json_t *arr, json_t *total, const struct vc_fmt *o, int indent)
{
	bool scalars = true;
	json_t *e;
	size_t i;

	json_array_foreach (arr, i, e)
		scalars = scalars && vc_scalar(e);
	if (key != NULL && (json_array_size(arr) == 0 || scalars)) {
		size_t len = (size_t)indent + strlen(key) + 1, limit = o->width ? o->width : 80;

		json_array_foreach (arr, i, e) {
			char *t = vc_text(e);

			len += vc_width(t) + 2;
			free(t);
		}
		/* Short lists on the key's line, long ones (records, names) one per line. */
		bool one_line = len <= limit;

		vc_key(key, indent, 0);
		fputs(json_array_size(arr) == 0 ? " (none)" : one_line ? " " : "\n", stdout);
		json_array_foreach (arr, i, e) {
			char *t = vc_text(e);

			if (one_line) {
				printf("%s%s", i > 0 ? ", " : "", t);
			} else {
				vc_pad((size_t)indent + 2);
				printf("%s\n", t);
			}
			free(t);
		}
		if (one_line || json_array_size(arr) == 0)
			putchar('\n');
		return;
	}
	if (vc_tabular(arr)) {
		if (key != NULL) {
			vc_key(key, indent, 0);
			putchar('\n');
			indent += 2;
		}
		vc_table(arr, total, o, indent);
		return;
	}
	json_array_foreach (arr, i, e) {
		json_t *k = json_string(key != NULL ? key : "");
		char *kt = k != NULL ? vc_text(k) : strdup("?");

		vc_pad((size_t)indent);
		printf("%s[%zu]:", kt, i);
		free(kt);
		json_decref(k);
		if (vc_scalar(e)) {
			char *t = vc_text(e);

			printf(" %s\n", t);
			free(t);
		} else if (json_is_object(e)) {
			putchar('\n');
			vc_object(e, o, VD_MIN(indent + 2, VC_MAX_INDENT));
		} else {
			putchar('\n');
			vc_array(NULL, e, NULL, o, VD_MIN(indent + 2, VC_MAX_INDENT));
		}
	}
}

/* Members as "key: value" lines, nested objects indented under their key. */
static void
vc_object(json_t *obj, const struct vc_fmt *o, int indent)
{
	json_t *total = json_object_get(obj, "total"), *v, *cols;
	const char *k, *merged = NULL;
	size_t width = 0;

	/* A "total" object beside a table whose columns it shares becomes its last row. */
	json_object_foreach (obj, k, v) {
		if (merged != NULL || !json_is_object(total) || !vc_tabular(v))
			continue;
		json_t *rows = json_array(), *e, *tot;
		size_t i;

		json_array_foreach (v, i, e)
			json_array_append_new(rows, vc_flatten(e));
		cols = vc_columns(rows);
		tot = vc_total_row(total, cols);
		if (tot != NULL)
			merged = k;
		json_decref(tot);
		json_decref(cols);
		json_decref(rows);
	}
	json_object_foreach (obj, k, v)
		if (vc_scalar(v))
			width = VD_MAX(width, vc_width(k) + 1);
	width = VD_MIN(width, 32);
	json_object_foreach (obj, k, v) {
		if (merged != NULL && v == total)
			continue;
		if (vc_scalar(v)) {
			char *t = vc_text(v);

			vc_key(k, indent, width);
			printf(" %s\n", t);
			free(t);
		} else if (json_is_object(v)) {
			vc_key(k, indent, 0);
			if (json_object_size(v) == 0) {
				puts(" (none)");
				continue;
			}
			putchar('\n');
			vc_object(v, o, VD_MIN(indent + 2, VC_MAX_INDENT));
		} else {
			vc_array(k, v, merged != NULL && strcmp(k, merged) == 0 ? total : NULL, o,
				 indent);
		}
	}
}

/* True for {"records": [strings]}, a streamed chunk of presentation-format lines. */
static bool
vc_lines(const json_t *v)
{
	const json_t *recs = json_object_get(v, "records"), *e;
	size_t i;

	if (!json_is_object(v) || json_object_size(v) != 1 || !json_is_array(recs))
		return false;
	json_array_foreach (recs, i, e)
		if (!json_is_string(e))
			return false;
	return true;
}

void
vc_print(json_t *v, const struct vc_fmt *o, bool partial)
{
	if (o->json) {
		json_dumpf(v, stdout, (partial ? JSON_COMPACT : JSON_INDENT(2)) | JSON_ENCODE_ANY);
		putchar('\n');
	} else if (partial && vc_lines(v)) {
		json_t *e;
		size_t i;

		/* A streamed {"records": [text, ...]} (cache dump): one record per line, as is. */
		json_array_foreach (json_object_get(v, "records"), i, e)
			puts(json_string_value(e));
	} else if (json_is_object(v)) {
		if (json_object_size(v) == 0)
			puts(partial ? "" : "ok");
		else
			vc_object(v, o, 0);
	} else if (json_is_array(v)) {
		vc_array(NULL, v, NULL, o, 0);
	} else {
		char *t = vc_text(v);

		puts(t);
		free(t);
	}
	if (partial)
		fflush(stdout);
}

char *
vc_text(const json_t *v)
{
	char *s = NULL;

	switch (json_typeof(v)) {
	case JSON_STRING: {
		const char *p = json_string_value(v);
		size_t n = json_string_length(v), o = 0;

		s = malloc(4 * n + 1);
		if (s == NULL)
			exit(VC_EXIT_FAILED);
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)p[i];

			/* Names and records come from the network: no terminal escapes. */
			if (c < 0x20 || c == 0x7f)
				o += (size_t)sprintf(s + o, "\\x%02x", c);
			else
				s[o++] = (char)c;
		}
		s[o] = '\0';
		return s;
	}
	case JSON_INTEGER:
		if (asprintf(&s, "%" JSON_INTEGER_FORMAT, json_integer_value(v)) < 0)
			s = NULL;
		break;
	case JSON_REAL:
		if (asprintf(&s, "%.6g", json_real_value(v)) < 0)
			s = NULL;
		break;
	case JSON_TRUE:
		s = strdup("true");
		break;
	case JSON_FALSE:
		s = strdup("false");
		break;
	case JSON_NULL:
		s = strdup("-");
		break;
	default: {
		/* Too deep for a cell: compact JSON, escaped as a string would be. */
		char *raw = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		json_t *tmp = raw != NULL ? json_string(raw) : NULL;

		s = tmp != NULL ? vc_text(tmp) : strdup("?");
		json_decref(tmp);
		free(raw);
		break;
	}
	}
	if (s == NULL)
		exit(VC_EXIT_FAILED);
	return s;
}
