/* SPDX-License-Identifier: BSD-3-Clause */
/* Typed readers of configuration values (sizes, durations, addresses, ...) and error messages. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cp_conf_int.h"

/* Values longer than this are cut in messages ("..."): a message must stay one readable line. */
#define QUOTE_MAX 72

int
cp_cerr(struct cp_cctx *c, const struct cp_ynode *at, const char *fmt, ...)
{
	char msg[CP_CONF_ERRLEN];
	const char *path = c->path_len > 0 ? c->path : "(top level)";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (at != NULL)
		snprintf(c->err, c->errlen, "%s:%u:%u: %s: %s", c->file, at->line, at->col, path,
		         msg);
	else
		snprintf(c->err, c->errlen, "%s: %s: %s", c->file, path, msg);
	return -EINVAL;
}

size_t
cp_path_key(struct cp_cctx *c, const char *key)
{
	size_t old = c->path_len;
	int n = snprintf(c->path + old, sizeof(c->path) - old, "%s%s", old > 0 ? "." : "", key);

	if (n > 0)
		c->path_len = VD_MIN(old + (size_t)n, sizeof(c->path) - 1);
	return old;
}

size_t
cp_path_index(struct cp_cctx *c, size_t i)
{
	size_t old = c->path_len;
	int n = snprintf(c->path + old, sizeof(c->path) - old, "[%zu]", i);

	if (n > 0)
		c->path_len = VD_MIN(old + (size_t)n, sizeof(c->path) - 1);
	return old;
}

void
cp_path_restore(struct cp_cctx *c, size_t len)
{
	c->path_len = len;
	c->path[len] = '\0';
}

/* @p s in double quotes, control characters escaped, cut after QUOTE_MAX characters. */
static const char *
quote(const char *s, char *buf, size_t cap)
{
	size_t o = 0;

	buf[o++] = '"';
	for (size_t i = 0; s[i] != '\0' && o + 8 < cap; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (i == QUOTE_MAX) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\')
			o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", ch);
		else
			buf[o++] = (char)ch;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

int
cp_want_map(struct cp_cctx *c, const struct cp_ynode *n)
{
	if (n->kind == CP_YNODE_MAP || cp_ynode_is_null(n))
		return 0;
	return cp_cerr(c, n, "expected a map (key: value lines), got %s",
	               cp_ynode_kind_name(n->kind));
}

int
cp_want_seq(struct cp_cctx *c, const struct cp_ynode *n)
{
	if (n->kind == CP_YNODE_SEQ || cp_ynode_is_null(n))
		return 0;
	return cp_cerr(c, n, "expected a list ([a, b] or lines starting with '- '), got %s",
	               cp_ynode_kind_name(n->kind));
}

int
cp_unknown_key(struct cp_cctx *c, const struct cp_ynode *key, const char *known)
{
	return cp_cerr(c, key, "unknown key (known here: %s)", known);
}

int
cp_get_text(struct cp_cctx *c, const struct cp_ynode *n, const char **out)
{
	if (n->kind != CP_YNODE_SCALAR)
		return cp_cerr(c, n, "expected a single value, got %s",
		               cp_ynode_kind_name(n->kind));
	if (cp_ynode_is_null(n) || n->len == 0)
		return cp_cerr(c, n, "has no value");
	*out = n->str;
	return 0;
}

int
cp_get_str(struct cp_cctx *c, const struct cp_ynode *n, char **out)
{
	const char *s = NULL; /* set when rc == 0; gcc -O3 cannot see that */
	int rc = cp_get_text(c, n, &s);

	if (rc != 0)
		return rc;
	*out = strdup(s);
	return *out != NULL ? 0 : -ENOMEM;
}

/* Leading decimal digits of @p s into *v; @return chars read, 0 for none, -ERANGE on overflow. */
static int
read_digits(const char *s, uint64_t *v)
{
	int i = 0;

	*v = 0;
	while (isdigit((unsigned char)s[i])) {
		unsigned d = (unsigned)(s[i] - '0');

		if (*v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		*v = *v * 10 + d;
		i++;
	}
	return i;
}

int
cp_get_uint(struct cp_cctx *c, const struct cp_ynode *n, uint64_t min, uint64_t max, uint64_t *out)
{
	char q[QUOTE_MAX + 16];
	const char *s = NULL; /* set when rc == 0; gcc -O3 cannot see that */
	uint64_t v;
	int rc = cp_get_text(c, n, &s);

	if (rc != 0)
		return rc;
	rc = read_digits(s, &v);
	if (rc == 0 || (rc > 0 && s[rc] != '\0'))
		return cp_cerr(c, n, "%s is not a whole number", quote(s, q, sizeof(q)));
	if (rc < 0 || v < min || v > max)
		return cp_cerr(c, n, "%s is out of range (%llu..%llu)", s, (unsigned long long)min,
		               (unsigned long long)max);
	*out = v;
	return 0;
}

int
cp_get_bool(struct cp_cctx *c, const struct cp_ynode *n, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	char q[QUOTE_MAX + 16];
	const char *s = NULL; /* set when rc == 0; gcc -O3 cannot see that */
	int rc = cp_get_text(c, n, &s);

	if (rc != 0)
		return rc;
	for (size_t i = 0; i < VD_ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return cp_cerr(c, n, "%s is not a boolean (use true or false)", quote(s, q, sizeof(q)));
}

void
cp_size_text(uint64_t bytes, char *out, size_t cap)
{
	static const char units[] = "KMG";
	unsigned u = 0;

	while (u < 3 && bytes != 0 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, cap, "%llu", (unsigned long long)bytes);
	else
		snprintf(out, cap, "%llu%c", (unsigned long long)bytes, units[u - 1]);
}

int
cp_get_size(struct cp_cctx *c, const struct cp_ynode *n, uint64_t min, uint64_t max, uint64_t *out)
{
	char q[QUOTE_MAX + 16], a[32], b[32];
	const char *s = NULL; /* set when rc == 0; gcc -O3 cannot see that */
	uint64_t v, mul = 1;
	int rc = cp_get_text(c, n, &s), i;

	if (rc != 0)
		return rc;
	i = read_digits(s, &v);
	if (i > 0 && s[i] != '\0' && s[i + 1] == '\0') {
		switch (s[i] | 0x20) {
		case 'k':
			mul = 1ull << 10;
			break;
		case 'm':
			mul = 1ull << 20;
			break;
		case 'g':
			mul = 1ull << 30;
			break;
		default:
			i = 0;
		}
	} else if (i > 0 && s[i] != '\0') {
		i = 0;
	}
	if (i == 0)
		return cp_cerr(c, n, "%s is not a size (use a number with optional K, M or G)",
		               quote(s, q, sizeof(q)));
	if (i < 0 || v > UINT64_MAX / mul)
		return cp_cerr(c, n, "%s is too large", s);
	v *= mul;
	cp_size_text(min, a, sizeof(a));
	cp_size_text(max, b, sizeof(b));
	if (v < min || v > max)
		return cp_cerr(c, n, "%s is out of range (%s..%s)", s, a, b);
	*out = v;
	return 0;
}

void
cp_duration_text(uint64_t ms, char *out, size_t cap)
{
	static const struct {
		uint64_t ms;
		const char *unit;
	} units[] = { { 86400000, "d" }, { 3600000, "h" }, { 60000, "m" }, { 1000, "s" } };

	for (size_t i = 0; i < VD_ARRAY_SIZE(units); i++) {
		if (ms != 0 && ms % units[i].ms == 0) {
			snprintf(out, cap, "%llu%s", (unsigned long long)(ms / units[i].ms),
			         units[i].unit);
			return;
		}
	}
	snprintf(out, cap, "%llums", (unsigned long long)ms);
}

/* Parse "10s", "1m30s", "500ms", "90" (seconds) into ms. @return 0, -EINVAL or -ERANGE. */
static int
parse_duration(const char *s, uint64_t *ms)
{
	uint64_t total = 0, v;
	int i;

	i = read_digits(s, &v);
	if (i > 0 && s[i] == '\0') {
		if (v > UINT64_MAX / 1000)
			return -ERANGE;
		*ms = v * 1000;
		return 0;
	}
	while (*s != '\0') {
		uint64_t mul;

		i = read_digits(s, &v);
		if (i < 0)
			return -ERANGE;
		if (i == 0)
			return -EINVAL;
		s += i;
		if (strncmp(s, "ms", 2) == 0) {
			mul = 1;
			s += 2;
		} else if (*s == 's' || *s == 'm' || *s == 'h' || *s == 'd') {
			mul = *s == 's' ? 1000 : *s == 'm' ? 60000 : *s == 'h' ? 3600000 : 86400000;
			s++;
		} else {
			return -EINVAL;
		}
		if (v > (UINT64_MAX - total) / mul)
			return -ERANGE;
		total += v * mul;
	}
	*ms = total;
	return 0;
}

int
cp_get_duration_ms(struct cp_cctx *c, const struct cp_ynode *n, uint64_t min_ms, uint64_t max_ms,
                   uint64_t *out)
{
	char q[QUOTE_MAX + 16], a[32], b[32];
	const char *s = NULL; /* set when rc == 0; gcc -O3 cannot see that */
	uint64_t ms = 0;
	int rc = cp_get_text(c, n, &s);

	if (rc != 0)
		return rc;
	rc = parse_duration(s, &ms);
	if (rc == -EINVAL)
		return cp_cerr(c, n,
		               "%s is not a duration (use seconds, or numbers with units ms, s, m,"
		               " h, d: \"10s\", \"1m30s\")",
		               quote(s, q, sizeof(q)));
	cp_duration_text(min_ms, a, sizeof(a));
	cp_duration_text(max_ms, b, sizeof(b));
	if (rc != 0 || ms > max_ms)
		return cp_cerr(c, n, "%s is too long (at most %s)", s, b);
	if (ms < min_ms)
		return cp_cerr(c, n, "%s is too short (at least %s)", s, min_ms == 0 ? "0" : a);
	*out = ms;
	return 0;
}

int
cp_get_addr(struct cp_cctx *c, const struct cp_ynode *n, struct cp_addr *out, int *len)
{
	char q[QUOTE_MAX + 16], buf[INET6_ADDRSTRLEN + 8];
	const char *s = NULL, *slash; /* s is set when rc == 0 */
	size_t alen;
	unsigned max;
	uint64_t v;
	int rc = cp_get_text(c, n, &s);

	if (rc != 0)
		return rc;
	slash = strchr(s, '/');
	alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if ((slash != NULL && len == NULL) || alen >= sizeof(buf))
		return cp_cerr(c, n, "%s is not an IPv4 or IPv6 address", quote(s, q, sizeof(q)));
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, &out->v4) == 1) {
		out->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, &out->v6) == 1) {
		out->family = AF_INET6;
		max = 128;
	} else {
		return cp_cerr(c, n, "%s is not an IPv4 or IPv6 address", quote(s, q, sizeof(q)));
	}
	if (len == NULL)
		return 0;
	*len = -1;
	if (slash != NULL) {
		rc = read_digits(slash + 1, &v);
		if (rc <= 0 || slash[1 + rc] != '\0' || v > max)
			return cp_cerr(c, n, "%s: the prefix length must be a number 0..%u",
			               quote(s, q, sizeof(q)), max);
		*len = (int)v;
	}
	return 0;
}

void
cp_addr_mask(struct cp_addr *a, unsigned len)
{
	unsigned bytes = a->family == AF_INET ? 4 : 16;

	for (unsigned i = 0; i < bytes; i++) {
		if (len >= 8 * (i + 1))
			continue;
		if (len <= 8 * i)
			a->bytes[i] = 0;
		else
			a->bytes[i] &= (uint8_t)(0xff << (8 - (len - 8 * i)));
	}
}

bool
cp_addr_equal(const struct cp_addr *a, const struct cp_addr *b)
{
	return a->family == b->family &&
	       memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16) == 0;
}

bool
cp_prefix_contains(const struct cp_prefix *p, const struct cp_addr *a)
{
	struct cp_addr m;

	if (p->addr.family != a->family)
		return false;
	m = *a;
	cp_addr_mask(&m, p->len);
	return cp_addr_equal(&m, &p->addr);
}

int
cp_get_prefix(struct cp_cctx *c, const struct cp_ynode *n, struct cp_prefix *out)
{
	char want[INET6_ADDRSTRLEN];
	struct cp_addr m;
	int len, rc = cp_get_addr(c, n, &out->addr, &len);

	if (rc != 0)
		return rc;
	if (len < 0)
		len = out->addr.family == AF_INET ? 32 : 128;
	out->len = (uint8_t)len;
	m = out->addr;
	cp_addr_mask(&m, out->len);
	if (!cp_addr_equal(&m, &out->addr)) {
		cp_addr_to_text(&m, want, sizeof(want));
		return cp_cerr(c, n, "\"%s\" has host bits set (did you mean %s/%d?)", n->str, want,
		               len);
	}
	return 0;
}

int
cp_addr_to_text(const struct cp_addr *a, char *out, size_t cap)
{
	if (inet_ntop(a->family, a->bytes, out, (socklen_t)cap) == NULL)
		return -ENOSPC;
	return (int)strlen(out);
}
