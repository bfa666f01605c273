/* SPDX-License-Identifier: BSD-3-Clause */
/* The ports and acl sections of the configuration, and the default ACL. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_conf_int.h"

#define PORT_KEYS "name, mode, interface, devargs, pci, queues, exception-interface"
#define MAX_ACL   4096

#define KEY_IS(k, name) (strcmp((k)->str, (name)) == 0)

/* Interface names: 1..15 bytes; no '/', ':', whitespace, ',' or '=' (they would break devargs). */
static int
check_ifname(struct cp_cctx *c, const struct cp_ynode *v)
{
	if (v->len >= CP_CONF_IFNAME_MAX)
		return cp_cerr(c, v, "\"%s\" is longer than an interface name can be (%d bytes)",
		               v->str, CP_CONF_IFNAME_MAX - 1);
	for (size_t i = 0; i < v->len; i++) {
		unsigned char ch = (unsigned char)v->str[i];

		if (ch <= ' ' || ch >= 0x7f || ch == '/' || ch == ',' || ch == '=' || ch == ':')
			return cp_cerr(c, v, "\"%s\" is not a valid interface name", v->str);
	}
	return 0;
}

static int
read_ifname(struct cp_cctx *c, const struct cp_ynode *v, char **out)
{
	const char *text;
	int rc = cp_get_text(c, v, &text);

	if (rc == 0)
		rc = check_ifname(c, v);
	if (rc == 0) {
		free(*out);
		*out = strdup(text);
		rc = *out != NULL ? 0 : -ENOMEM;
	}
	return rc;
}

static int
read_port_name(struct cp_cctx *c, const struct cp_ynode *v, char **out)
{
	const char *text;
	int rc = cp_get_text(c, v, &text);

	if (rc != 0)
		return rc;
	if (v->len > 31)
		return cp_cerr(c, v, "\"%s\" is too long (at most 31 characters)", text);
	for (size_t i = 0; i < v->len; i++) {
		if (!isalnum((unsigned char)text[i]) && text[i] != '-' && text[i] != '_')
			return cp_cerr(c, v, "\"%s\": use letters, digits, '-' and '_' only", text);
	}
	free(*out);
	*out = strdup(text);
	return *out != NULL ? 0 : -ENOMEM;
}

/* "[DDDD:]BB:DD.F" in hex, normalised to "DDDD:BB:DD.F" lower-case. */
static int
read_pci(struct cp_cctx *c, const struct cp_ynode *v, char **out)
{
	unsigned dom = 0, bus, dev, fn;
	char tail, buf[16];
	const char *text;
	int rc = cp_get_text(c, v, &text), n = 0;

	if (rc != 0)
		return rc;
	for (const char *p = text; *p != '\0'; p++) {
		if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
			goto bad;
	}
	if (sscanf(text, "%4x:%2x:%2x.%1u%c", &dom, &bus, &dev, &fn, &tail) == 4) {
		n = 4;
	} else if (sscanf(text, "%2x:%2x.%1u%c", &bus, &dev, &fn, &tail) == 3) {
		dom = 0; /* the failed first scan may have set it */
		n = 3;
	}
	if (n == 0 || dev > 0x1f || fn > 7)
		goto bad;
	snprintf(buf, sizeof(buf), "%04x:%02x:%02x.%u", dom, bus, dev, fn);
	free(*out);
	*out = strdup(buf);
	return *out != NULL ? 0 : -ENOMEM;
bad:
	return cp_cerr(c, v, "\"%s\" is not a PCI address (use DDDD:BB:DD.F, e.g. 0000:03:00.0)",
	               text);
}

/* net_af_xdp options velodns sets itself; devargs may add any other. */
static int
check_af_xdp_devargs(struct cp_cctx *c, const struct cp_ynode *v)
{
	static const char *const owned[] = { "iface", "start_queue", "queue_count", "xdp_prog" };
	const char *p = v->str;

	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		const char *eq = memchr(p, '=', len);

		if (eq == NULL || eq == p)
			return cp_cerr(c, v,
			               "\"%s\": in af_xdp mode devargs are extra key=value"
			               " options separated by ',' (the device itself comes from"
			               " interface)",
			               v->str);
		for (size_t i = 0; i < VD_ARRAY_SIZE(owned); i++) {
			if ((size_t)(eq - p) == strlen(owned[i]) &&
			    strncmp(p, owned[i], (size_t)(eq - p)) == 0)
				return cp_cerr(c, v,
				               "\"%s\": %s is set by velodns (from interface"
				               " and queues)",
				               v->str, owned[i]);
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int
read_devargs(struct cp_cctx *c, const struct cp_ynode *v, char **out)
{
	const char *text;
	int rc = cp_get_text(c, v, &text);

	if (rc != 0)
		return rc;
	if (v->len > 255)
		return cp_cerr(c, v, "is too long (at most 255 bytes)");
	for (size_t i = 0; i < v->len; i++) {
		if ((unsigned char)text[i] <= ' ' || (unsigned char)text[i] >= 0x7f)
			return cp_cerr(c, v, "\"%s\" must not contain spaces or control characters",
			               text);
	}
	free(*out);
	*out = strdup(text);
	return *out != NULL ? 0 : -ENOMEM;
}

/* Find key @p name in map @p n, or NULL. */
static const struct cp_ynode *
map_get(const struct cp_ynode *n, const char *name, const struct cp_ynode **key)
{
	for (size_t i = 0; i < cp_ynode_count(n); i++) {
		if (strcmp(n->keys[i]->str, name) == 0) {
			if (key != NULL)
				*key = n->keys[i];
			return n->items[i];
		}
	}
	return NULL;
}

/* Which keys go with which mode (see cp_conf.h), once every key of the port is read. */
static int
check_port_mode(struct cp_cctx *c, const struct cp_ynode *n, struct cp_port_conf *p, size_t idx)
{
	const struct cp_ynode *kd = NULL, *kp = NULL, *ke = NULL;
	const struct cp_ynode *dev = map_get(n, "devargs", &kd);
	char buf[CP_CONF_IFNAME_MAX + 8];
	int given;

	map_get(n, "pci", &kp);
	map_get(n, "exception-interface", &ke);
	if (p->mode == CP_PORT_AF_XDP) {
		if (p->interface == NULL) {
			cp_path_key(c, "interface");
			return cp_cerr(c, n,
			               "required in af_xdp mode (the kernel interface the XDP"
			               " program attaches to)");
		}
		if (p->pci != NULL) {
			cp_path_key(c, "pci");
			return cp_cerr(c, kp,
			               "only for mode: full (af_xdp runs on a kernel"
			               " interface)");
		}
		if (p->exception_interface != NULL) {
			cp_path_key(c, "exception-interface");
			return cp_cerr(c, ke,
			               "only for mode: full (in af_xdp mode the kernel keeps"
			               " the interface)");
		}
		if (dev != NULL)
			cp_path_key(c, "devargs");
		return dev != NULL ? check_af_xdp_devargs(c, dev) : 0;
	}
	given = (p->interface != NULL) + (p->devargs != NULL) + (p->pci != NULL);
	if (given != 1) {
		/* None: point at the port. Two or three: pci or devargs is among them. */
		const struct cp_ynode *at = kp != NULL ? kp : kd;

		return cp_cerr(c, given == 0 ? n : at,
		               "mode full takes exactly one of interface, devargs or pci");
	}
	if (p->devargs != NULL && strncmp(p->devargs, "net_", 4) != 0) {
		cp_path_key(c, "devargs");
		return cp_cerr(c, dev,
		               "\"%s\" is not a virtual device (\"net_tap0,iface=...\");"
		               " for a NIC use pci",
		               p->devargs);
	}
	if (p->exception_interface == NULL) {
		snprintf(buf, sizeof(buf), "vdexc%u", (unsigned)idx);
		p->exception_interface = strdup(buf);
		if (p->exception_interface == NULL)
			return -ENOMEM;
	}
	return 0;
}

static int
read_port(struct cp_cctx *c, const struct cp_ynode *n, struct cp_port_conf *p, size_t idx)
{
	char buf[32];
	int rc = cp_want_map(c, n);

	if (rc == 0 && cp_ynode_is_null(n))
		rc = cp_cerr(c, n, "a port needs at least an interface, devargs or pci");
	p->mode = CP_PORT_AF_XDP;
	p->queues = 1;
	p->pos.line = n->line;
	p->pos.col = n->col;
	for (size_t i = 0; i < cp_ynode_count(n) && rc == 0; i++) {
		const struct cp_ynode *k = n->keys[i], *v = n->items[i];
		size_t saved = cp_path_key(c, k->str);
		const char *text;
		uint64_t x;

		if (KEY_IS(k, "name")) {
			rc = read_port_name(c, v, &p->name);
		} else if (KEY_IS(k, "mode")) {
			rc = cp_get_text(c, v, &text);
			if (rc == 0 && strcmp(text, "af_xdp") == 0)
				p->mode = CP_PORT_AF_XDP;
			else if (rc == 0 && strcmp(text, "full") == 0)
				p->mode = CP_PORT_FULL;
			else if (rc == 0)
				rc = cp_cerr(c, v, "\"%s\" is not a port mode (use af_xdp or full)",
				             text);
		} else if (KEY_IS(k, "interface")) {
			rc = read_ifname(c, v, &p->interface);
		} else if (KEY_IS(k, "devargs")) {
			rc = read_devargs(c, v, &p->devargs);
		} else if (KEY_IS(k, "pci")) {
			rc = read_pci(c, v, &p->pci);
		} else if (KEY_IS(k, "queues")) {
			rc = cp_get_uint(c, v, 1, CP_CONF_MAX_QUEUES, &x);
			p->queues = (uint16_t)x;
		} else if (KEY_IS(k, "exception-interface")) {
			rc = read_ifname(c, v, &p->exception_interface);
		} else {
			rc = cp_unknown_key(c, k, PORT_KEYS);
		}
		if (rc == 0)
			cp_path_restore(c, saved);
	}
	if (rc == 0)
		rc = check_port_mode(c, n, p, idx);
	if (rc == 0 && p->name == NULL) {
		snprintf(buf, sizeof(buf), "dp%u", (unsigned)idx);
		p->name = strdup(buf);
		rc = p->name != NULL ? 0 : -ENOMEM;
	}
	return rc;
}

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Names, interfaces (exception interfaces included) and PCI addresses: one port each. */
static int
check_port_unique(struct cp_cctx *c, const struct cp_ynode *seq, size_t i)
{
	const struct cp_port_conf *p = &c->conf->ports[i];

	for (size_t j = 0; j < i; j++) {
		const struct cp_port_conf *q = &c->conf->ports[j];
		const struct {
			const char *mine, *theirs, *key, *as;
		} pairs[] = {
			{ p->name, q->name, "name", "its name" },
			{ p->interface, q->interface, "interface", "its interface" },
			{ p->interface, q->exception_interface, "interface",
			  "its exception interface" },
			{ p->pci, q->pci, "pci", "its PCI address" },
			{ p->exception_interface, q->exception_interface, "exception-interface",
			  "its exception interface" },
			{ p->exception_interface, q->interface, "exception-interface",
			  "its interface" },
		};

		for (size_t k = 0; k < VD_ARRAY_SIZE(pairs); k++) {
			const struct cp_ynode *v;

			if (!same(pairs[k].mine, pairs[k].theirs))
				continue;
			v = map_get(seq->items[i], pairs[k].key, NULL);
			cp_path_key(c, pairs[k].key);
			return cp_cerr(c, v != NULL ? v : seq->items[i],
			               "\"%s\" is already used by ports[%zu] (line %u) as %s",
			               pairs[k].mine, j, q->pos.line, pairs[k].as);
		}
	}
	return 0;
}

int
cp_conf_read_ports(struct cp_cctx *c, const struct cp_ynode *n)
{
	struct cp_conf *conf = c->conf;
	int rc = cp_want_seq(c, n);

	if (rc != 0)
		return rc;
	if (cp_ynode_count(n) > CP_CONF_MAX_PORTS)
		return cp_cerr(c, n, "at most %d ports", CP_CONF_MAX_PORTS);
	conf->ports = calloc(cp_ynode_count(n) + 1, sizeof(*conf->ports));
	if (conf->ports == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < cp_ynode_count(n) && rc == 0; i++) {
		size_t saved = cp_path_index(c, i);

		conf->n_ports++; /* counted first: cp_conf_free() frees what read_port() set */
		rc = read_port(c, n->items[i], &conf->ports[i], i);
		if (rc == 0)
			rc = check_port_unique(c, n, i);
		if (rc == 0)
			cp_path_restore(c, saved);
	}
	return rc;
}

/* ---- acl ---- */

static int
add_rule(struct cp_cctx *c, const struct cp_ynode *v, enum cp_acl_action act)
{
	struct cp_conf *conf = c->conf;
	struct cp_acl_rule r = { .action = act };
	int rc = cp_get_prefix(c, v, &r.prefix);

	if (rc != 0)
		return rc;
	if (act == CP_ACL_ALLOW && r.prefix.len == 0)
		return cp_cerr(c, v,
		               "allowing every address makes velodns an open resolver;"
		               " list the client networks instead");
	for (unsigned i = 0; i < conf->n_acl; i++) {
		if (conf->acl[i].prefix.len == r.prefix.len &&
		    cp_addr_equal(&conf->acl[i].prefix.addr, &r.prefix.addr))
			return cp_cerr(c, v, "\"%s\" is already listed (rule %u)", v->str, i);
	}
	if (conf->n_acl == MAX_ACL)
		return cp_cerr(c, v, "at most %d ACL rules", MAX_ACL);
	if (conf->n_acl % 16 == 0) {
		struct cp_acl_rule *a = realloc(conf->acl, (conf->n_acl + 16) * sizeof(*a));

		if (a == NULL)
			return -ENOMEM;
		conf->acl = a;
	}
	conf->acl[conf->n_acl++] = r;
	return 0;
}

static int
read_acl_entry(struct cp_cctx *c, const struct cp_ynode *n)
{
	enum cp_acl_action act;
	const struct cp_ynode *k, *v;
	size_t saved;
	int rc;

	if (n->kind != CP_YNODE_MAP || n->n != 1)
		return cp_cerr(c, n,
		               "each rule is one map entry, \"allow: PREFIX\" or"
		               " \"deny: PREFIX\"");
	k = n->keys[0];
	v = n->items[0];
	act = KEY_IS(k, "allow") ? CP_ACL_ALLOW : CP_ACL_DENY;
	saved = cp_path_key(c, k->str);
	if (!KEY_IS(k, "allow") && !KEY_IS(k, "deny"))
		return cp_unknown_key(c, k, "allow, deny");
	if (v->kind == CP_YNODE_SEQ) {
		rc = v->n == 0 ? cp_cerr(c, v, "an empty list of prefixes") : 0;
		for (size_t i = 0; i < v->n && rc == 0; i++) {
			size_t s2 = cp_path_index(c, i);

			rc = add_rule(c, v->items[i], act);
			if (rc == 0)
				cp_path_restore(c, s2);
		}
	} else {
		rc = add_rule(c, v, act);
	}
	if (rc == 0)
		cp_path_restore(c, saved);
	return rc;
}

int
cp_conf_read_acl(struct cp_cctx *c, const struct cp_ynode *n)
{
	int rc = cp_want_seq(c, n);

	for (size_t i = 0; i < cp_ynode_count(n) && rc == 0; i++) {
		size_t saved = cp_path_index(c, i);

		rc = read_acl_entry(c, n->items[i]);
		if (rc == 0)
			cp_path_restore(c, saved);
	}
	/* An empty list is the default, not "deny everyone": nobody could reach the server. */
	if (rc == 0 && c->conf->n_acl == 0) {
		free(c->conf->acl);
		c->conf->acl = NULL;
	}
	return rc;
}

static int
push_default(struct cp_conf *conf, const struct cp_prefix *p)
{
	for (unsigned i = 0; i < conf->n_acl; i++) {
		if (conf->acl[i].prefix.len == p->len &&
		    cp_addr_equal(&conf->acl[i].prefix.addr, &p->addr))
			return 0;
	}
	conf->acl[conf->n_acl].prefix = *p;
	conf->acl[conf->n_acl].action = CP_ACL_ALLOW;
	conf->n_acl++;
	return 0;
}

int
cp_conf_default_acl(struct cp_conf *conf)
{
	struct cp_prefix lo4 = { .addr = { .family = AF_INET }, .len = 8 };
	struct cp_prefix lo6 = { .addr = { .family = AF_INET6 }, .len = 128 };

	conf->acl = calloc(2 + conf->server.n_addrs, sizeof(*conf->acl));
	if (conf->acl == NULL)
		return -ENOMEM;
	conf->n_acl = 0;
	conf->acl_is_default = true;
	lo4.addr.bytes[0] = 127;
	lo6.addr.bytes[15] = 1;
	push_default(conf, &lo4);
	push_default(conf, &lo6);
	for (unsigned i = 0; i < conf->server.n_addrs; i++) {
		struct cp_prefix p = { .addr = conf->server.addrs[i].addr,
			               .len = conf->server.addrs[i].subnet_len };

		cp_addr_mask(&p.addr, p.len);
		push_default(conf, &p);
	}
	return 0;
}
