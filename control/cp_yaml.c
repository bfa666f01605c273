/* SPDX-License-Identifier: BSD-3-Clause */
/* libyaml events to a tree of maps, sequences and scalars with positions (see cp_yaml.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "cp_yaml.h"
#include "vd_compiler.h"

struct builder {
	yaml_parser_t parser;
	const char *name;
	char *err;
	size_t errlen;
	struct cp_ynode *stack[CP_YAML_MAX_DEPTH];
	struct cp_ynode *key[CP_YAML_MAX_DEPTH]; /* map levels: key waiting for its value */
	/* How stack[i] hangs off stack[i - 1], for paths: a key, or else an index. */
	const char *via_key[CP_YAML_MAX_DEPTH];
	size_t via_idx[CP_YAML_MAX_DEPTH];
	unsigned depth;
	struct cp_ynode *root;
	unsigned n_docs;
};

bool
cp_ynode_is_null(const struct cp_ynode *n)
{
	if (n->kind != CP_YNODE_SCALAR || !n->plain)
		return false;
	return n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
	       strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0;
}

const char *
cp_ynode_kind_name(enum cp_ynode_kind kind)
{
	switch (kind) {
	case CP_YNODE_SCALAR:
		return "a scalar";
	case CP_YNODE_SEQ:
		return "a list";
	case CP_YNODE_MAP:
		return "a map";
	}
	return "?";
}

void
cp_yaml_free(struct cp_ynode *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->n; i++) {
		cp_yaml_free(n->items[i]);
		if (n->keys != NULL)
			cp_yaml_free(n->keys[i]);
	}
	free(n->items);
	free(n->keys);
	free(n->str);
	free(n);
}

/* Path of the node about to be added at the current depth: "server.tcp", "ports[1]". */
static void
current_path(const struct builder *b, char *out, size_t cap)
{
	size_t len = 0;
	int n = 0;

	out[0] = '\0';
	for (unsigned i = 1; i <= b->depth && len < cap && n >= 0; i++) {
		const char *key;
		size_t idx;

		if (i < b->depth) {
			key = b->via_key[i];
			idx = b->via_idx[i];
		} else if (b->stack[i - 1]->kind == CP_YNODE_MAP) {
			if (b->key[i - 1] == NULL)
				break;
			key = b->key[i - 1]->str;
			idx = 0;
		} else {
			key = NULL;
			idx = b->stack[i - 1]->n;
		}
		if (key != NULL)
			n = snprintf(out + len, cap - len, "%s%s", len > 0 ? "." : "", key);
		else
			n = snprintf(out + len, cap - len, "[%zu]", idx);
		if (n > 0)
			len += (size_t)n;
	}
}

static int VD_PRINTF(4, 5)
	fail(struct builder *b, const yaml_mark_t *at, bool with_path, const char *fmt, ...)
{
	char path[256], msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (with_path) {
		current_path(b, path, sizeof(path));
		snprintf(b->err, b->errlen, "%s:%zu:%zu: %s: %s", b->name, at->line + 1,
		         at->column + 1, path[0] != '\0' ? path : "(top level)", msg);
	} else {
		snprintf(b->err, b->errlen, "%s:%zu:%zu: %s", b->name, at->line + 1, at->column + 1,
		         msg);
	}
	return -EINVAL;
}

static struct cp_ynode *
node_new(enum cp_ynode_kind kind, const yaml_mark_t *at)
{
	struct cp_ynode *n = calloc(1, sizeof(*n));

	if (n != NULL) {
		n->kind = kind;
		n->line = (uint32_t)at->line + 1;
		n->col = (uint32_t)at->column + 1;
	}
	return n;
}

static int
push_child(struct cp_ynode *p, struct cp_ynode *key, struct cp_ynode *child)
{
	if (p->n == p->cap) {
		size_t cap = p->cap == 0 ? 8 : p->cap * 2;
		struct cp_ynode **items = realloc(p->items, cap * sizeof(*items));

		if (items == NULL)
			return -ENOMEM;
		p->items = items;
		if (p->kind == CP_YNODE_MAP) {
			struct cp_ynode **keys = realloc(p->keys, cap * sizeof(*keys));

			if (keys == NULL)
				return -ENOMEM;
			p->keys = keys;
		}
		p->cap = cap;
	}
	if (p->kind == CP_YNODE_MAP)
		p->keys[p->n] = key;
	p->items[p->n++] = child;
	return 0;
}

/*
 * Attach a finished (scalar) or just opened (collection) node to its parent.
 * On failure the node is freed here.
 */
static int
attach(struct builder *b, struct cp_ynode *n, const yaml_mark_t *at)
{
	struct cp_ynode *p;
	unsigned d;
	int rc;

	if (b->depth == 0) {
		b->root = n;
		return 0;
	}
	d = b->depth - 1;
	p = b->stack[d];
	if (p->kind == CP_YNODE_SEQ) {
		rc = push_child(p, NULL, n);
		if (rc != 0)
			cp_yaml_free(n);
		return rc;
	}
	if (b->key[d] == NULL) {
		/* n is a key. */
		if (n->kind != CP_YNODE_SCALAR) {
			enum cp_ynode_kind kind = n->kind;

			cp_yaml_free(n);
			return fail(b, at, true, "a key must be a plain word, not %s",
			            cp_ynode_kind_name(kind));
		}
		for (size_t i = 0; i < p->n; i++) {
			if (strcmp(p->keys[i]->str, n->str) == 0) {
				uint32_t first = p->keys[i]->line;

				b->key[d] = n; /* so the path names the duplicate */
				rc = fail(b, at, true, "duplicate key (first at line %u)", first);
				b->key[d] = NULL;
				cp_yaml_free(n);
				return rc;
			}
		}
		b->key[d] = n;
		return 0;
	}
	rc = push_child(p, b->key[d], n);
	if (rc != 0) {
		cp_yaml_free(n);
		return rc;
	}
	b->key[d] = NULL;
	return 0;
}

static int
on_scalar(struct builder *b, const yaml_event_t *ev)
{
	const yaml_mark_t *at = &ev->start_mark;
	struct cp_ynode *n;

	if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length) != NULL)
		return fail(b, at, true, "a value must not contain a NUL character");
	n = node_new(CP_YNODE_SCALAR, at);
	if (n == NULL)
		return -ENOMEM;
	n->str = malloc(ev->data.scalar.length + 1);
	if (n->str == NULL) {
		free(n);
		return -ENOMEM;
	}
	memcpy(n->str, ev->data.scalar.value, ev->data.scalar.length);
	n->str[ev->data.scalar.length] = '\0';
	n->len = ev->data.scalar.length;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return attach(b, n, at);
}

static int
on_open(struct builder *b, const yaml_event_t *ev, enum cp_ynode_kind kind)
{
	const yaml_mark_t *at = &ev->start_mark;
	struct cp_ynode *n;
	int rc;

	if (b->depth == CP_YAML_MAX_DEPTH)
		return fail(b, at, true, "nested more than %u levels deep", CP_YAML_MAX_DEPTH);
	n = node_new(kind, at);
	if (n == NULL)
		return -ENOMEM;
	/* A key that is a collection is refused by attach(); it frees n. */
	rc = attach(b, n, at);
	if (rc != 0)
		return rc;
	if (b->depth > 0) {
		const struct cp_ynode *p = b->stack[b->depth - 1];

		b->via_key[b->depth] = p->kind == CP_YNODE_MAP ? p->keys[p->n - 1]->str : NULL;
		b->via_idx[b->depth] = p->n - 1;
	}
	b->stack[b->depth] = n;
	b->key[b->depth] = NULL;
	b->depth++;
	return 0;
}

static int
syntax_error(struct builder *b)
{
	const yaml_parser_t *p = &b->parser;
	const char *problem = p->problem != NULL ? p->problem : "malformed input";

	if (p->error == YAML_MEMORY_ERROR)
		return -ENOMEM;
	if (p->error == YAML_READER_ERROR) {
		snprintf(b->err, b->errlen, "%s: byte %zu: %s (the file must be UTF-8 text)",
		         b->name, p->problem_offset, problem);
		return -EINVAL;
	}
	if (p->context != NULL) {
		snprintf(b->err, b->errlen, "%s:%zu:%zu: YAML syntax error: %s (%s at line %zu)",
		         b->name, p->problem_mark.line + 1, p->problem_mark.column + 1, problem,
		         p->context, p->context_mark.line + 1);
	} else {
		snprintf(b->err, b->errlen, "%s:%zu:%zu: YAML syntax error: %s", b->name,
		         p->problem_mark.line + 1, p->problem_mark.column + 1, problem);
	}
	return -EINVAL;
}

static int
on_event(struct builder *b, const yaml_event_t *ev, bool *done)
{
	switch (ev->type) {
	case YAML_STREAM_START_EVENT:
	case YAML_DOCUMENT_END_EVENT:
	case YAML_NO_EVENT:
		return 0;
	case YAML_STREAM_END_EVENT:
		*done = true;
		return 0;
	case YAML_DOCUMENT_START_EVENT:
		if (b->n_docs++ > 0)
			return fail(b, &ev->start_mark, false,
			            "only one YAML document is allowed (found a second '---')");
		return 0;
	case YAML_ALIAS_EVENT:
		return fail(b, &ev->start_mark, true,
		            "aliases (*%s) are not supported; write the value out",
		            (const char *)ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_open(b, ev, CP_YNODE_SEQ);
	case YAML_MAPPING_START_EVENT:
		return on_open(b, ev, CP_YNODE_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->depth > 0)
			b->depth--;
		return 0;
	}
	return 0;
}

static int
run(struct builder *b, struct cp_ynode **root)
{
	bool done = false;
	int rc = 0;

	while (!done && rc == 0) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&b->parser, &ev)) {
			rc = syntax_error(b);
			break;
		}
		rc = on_event(b, &ev, &done);
		yaml_event_delete(&ev);
	}
	if (rc != 0) {
		/* Keys waiting for a value are owned by nobody yet. */
		for (unsigned i = 0; i < b->depth; i++)
			cp_yaml_free(b->key[i]);
		cp_yaml_free(b->root);
		b->root = NULL;
		if (rc == -ENOMEM)
			snprintf(b->err, b->errlen, "%s: out of memory", b->name);
	}
	*root = b->root;
	return rc;
}

static void
builder_init(struct builder *b, const char *name, char *err, size_t errlen)
{
	memset(b, 0, sizeof(*b));
	b->name = name;
	b->err = err;
	b->errlen = errlen;
}

int
cp_yaml_load_file(const char *path, struct cp_ynode **root, char *err, size_t errlen)
{
	struct builder b;
	struct stat st;
	FILE *f;
	int rc;

	*root = NULL;
	f = fopen(path, "r");
	if (f == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(EISDIR));
		return -EISDIR;
	}
	builder_init(&b, path, err, errlen);
	if (!yaml_parser_initialize(&b.parser)) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	yaml_parser_set_input_file(&b.parser, f);
	rc = run(&b, root);
	if (rc != 0 && ferror(f)) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		rc = -EIO;
	}
	yaml_parser_delete(&b.parser);
	fclose(f);
	return rc;
}

int
cp_yaml_load_string(const char *text, size_t len, const char *name, struct cp_ynode **root,
                    char *err, size_t errlen)
{
	struct builder b;
	int rc;

	*root = NULL;
	builder_init(&b, name, err, errlen);
	if (!yaml_parser_initialize(&b.parser)) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);
	rc = run(&b, root);
	yaml_parser_delete(&b.parser);
	return rc;
}
