/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A YAML document as a small tree, read with libyaml's event parser, with the
 * line and column of every node kept for error messages.
 *
 * Only what a configuration file needs: maps with scalar keys, sequences and
 * scalars. Duplicate keys, aliases, complex keys and more than one document
 * are refused while the tree is built, so the schema walker (cp_conf*.c) sees
 * a plain tree. Tags are ignored: every scalar is text, typed by the schema.
 *
 * Ownership: cp_yaml_load*() returns a tree the caller frees with
 * cp_yaml_free(). Strings in the tree belong to it. Control thread only (no
 * shared state, but nothing here is meant for a worker).
 */
#ifndef CP_YAML_H
#define CP_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest nesting accepted; a configuration needs 4, this only stops stack abuse. */
#define CP_YAML_MAX_DEPTH 32

enum cp_ynode_kind {
	CP_YNODE_SCALAR = 0,
	CP_YNODE_SEQ,
	CP_YNODE_MAP,
};

struct cp_ynode {
	enum cp_ynode_kind kind;
	uint32_t line; /* 1-based line of the node's first character */
	uint32_t col;  /* 1-based column */
	/* Scalars: the text (NUL-terminated, len bytes without the NUL). */
	char *str;
	size_t len;
	bool plain; /* unquoted: an empty plain scalar is YAML's null */
	/* Sequences: items[0..n). Maps: keys[i] (always scalars) and items[i] (values). */
	struct cp_ynode **items;
	struct cp_ynode **keys;
	size_t n;
	size_t cap;
};

/** True for YAML's null: an empty plain scalar ("key:" with nothing after it) or "~"/"null". */
bool cp_ynode_is_null(const struct cp_ynode *n);

/** Text of a node kind for messages: "a scalar", "a list", "a map". */
const char *cp_ynode_kind_name(enum cp_ynode_kind kind);

/**
 * Parse the YAML file at @p path.
 * @param[out] root  the document's root node; NULL for an empty file (no document,
 *                   or only comments)
 * @param err        receives "PATH:LINE:COL: message" (or "PATH: message") on failure
 * @return 0, -errno from opening or reading the file, -EINVAL for bad YAML, -ENOMEM.
 */
int cp_yaml_load_file(const char *path, struct cp_ynode **root, char *err, size_t errlen);

/**
 * Parse @p len bytes of YAML at @p text; @p name stands for the file in messages.
 * Same results as cp_yaml_load_file().
 */
int cp_yaml_load_string(const char *text, size_t len, const char *name, struct cp_ynode **root,
                        char *err, size_t errlen);

/** Free a tree from cp_yaml_load*(). NULL is fine. */
void cp_yaml_free(struct cp_ynode *root);

#endif /* CP_YAML_H */
