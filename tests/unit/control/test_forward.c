/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of control/cp_forward.c: the forward table and forwarder addresses. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cp_forward.h"
#include "dns_present.h"

static struct cp_forward *fwd;

static void
setup(void)
{
	fwd = cp_forward_new();
	cr_assert_not_null(fwd);
}

static void
teardown(void)
{
	cp_forward_free(fwd);
}

TestSuite(cp_forward, .init = setup, .fini = teardown);

static const uint8_t *
wire(const char *text)
{
	static uint8_t buf[8][DNS_NAME_MAXLEN];
	static unsigned next;
	uint8_t *b = buf[next++ % 8];

	cr_assert_gt(dns_name_from_text(text, b, DNS_NAME_MAXLEN), 0, "bad name %s", text);
	return b;
}

static struct sockaddr_storage
addr(const char *text)
{
	struct sockaddr_storage ss;
	const char *why;

	cr_assert_eq(cp_fwd_addr_parse(text, &ss, &why), 0, "%s: %s", text, why);
	return ss;
}

/* Set @p zone to the addresses given as text; returns cp_forward_set()'s result. */
static int
set(const char *zone, int n, ...)
{
	struct sockaddr_storage ss[CP_FWD_MAX_SERVERS + 1];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		ss[i] = addr(va_arg(ap, const char *));
	va_end(ap);
	return cp_forward_set(fwd, wire(zone), ss, (unsigned)n);
}

/* The zone that forwards @p name, as text ("-" for none). */
static const char *
match(const char *name)
{
	static char text[DNS_NAME_TEXT_MAX];
	const struct cp_fwd_zone *z = cp_forward_lookup(fwd, wire(name));

	if (z == NULL)
		return "-";
	cr_assert_geq(dns_name_to_text(z->name, text, sizeof(text)), 0);
	return text;
}

static const char *
server_text(const struct cp_fwd_zone *z, unsigned i)
{
	static char t[CP_FWD_ADDR_TEXT_MAX];

	cr_assert_lt(i, z->n_servers);
	cr_assert_gt(cp_fwd_addr_to_text(&z->servers[i], t, sizeof(t)), 0);
	return t;
}

Test(cp_forward, longest_suffix_wins)
{
	cr_assert_eq(set("example.", 1, "198.18.5.1"), 0);
	cr_assert_eq(set("corp.example.", 1, "198.18.5.2"), 0);
	cr_assert_eq(set("a.b.corp.example.", 1, "198.18.5.3"), 0);
	cr_assert_str_eq(match("www.example."), "example.");
	cr_assert_str_eq(match("example."), "example.");
	cr_assert_str_eq(match("corp.example."), "corp.example.");
	cr_assert_str_eq(match("x.y.corp.example."), "corp.example.");
	cr_assert_str_eq(match("b.corp.example."), "corp.example.", "a.b is deeper, not above");
	cr_assert_str_eq(match("z.a.b.corp.example."), "a.b.corp.example.");
	cr_assert_str_eq(match("WwW.CoRp.ExAmPlE."), "corp.example.", "case-insensitive");
	cr_assert_str_eq(match("badexample."), "-", "label-wise, not a string suffix");
	cr_assert_str_eq(match("example.net."), "-");
	cr_assert_str_eq(match("."), "-");
}

Test(cp_forward, root_forwards_everything_else)
{
	cr_assert_eq(set(".", 2, "127.0.0.1@5353", "2001:db8::1"), 0);
	cr_assert_eq(set("internal.", 1, "198.18.5.9"), 0);
	cr_assert_str_eq(match("www.example.com."), ".");
	cr_assert_str_eq(match("."), ".");
	cr_assert_str_eq(match("host.internal."), "internal.");
	cr_assert_eq(cp_forward_lookup(NULL, wire("a.")), NULL, "no table: nothing forwarded");
}

Test(cp_forward, add_replace_remove)
{
	const struct cp_fwd_zone *z;

	cr_assert_eq(set("Example.", 2, "198.18.5.1", "198.18.5.2"), 0, "created");
	cr_assert_eq(set("b.", 1, "198.18.6.1"), 0);
	cr_assert_eq(cp_forward_count(fwd), 2);
	cr_assert_eq(set("EXAMPLE.", 1, "198.18.5.7@5300"), 1, "replaced, any case");
	cr_assert_eq(cp_forward_count(fwd), 2);
	z = cp_forward_get(fwd, 0);
	cr_assert_not_null(z);
	cr_assert_eq(z->name[0], 7);
	cr_assert_eq(memcmp(z->name, "\7example", 8), 0, "stored lower-cased, first place kept");
	cr_assert_eq(z->n_servers, 1);
	cr_assert_str_eq(server_text(z, 0), "198.18.5.7@5300");
	cr_assert_eq(cp_forward_find(fwd, wire("example.")), z);
	cr_assert_eq(cp_forward_remove(fwd, wire("example.")), 0);
	cr_assert_eq(cp_forward_remove(fwd, wire("example.")), -ENOENT);
	cr_assert_null(cp_forward_find(fwd, wire("example.")));
	cr_assert_str_eq(match("www.example."), "-");
	cr_assert_eq(cp_forward_count(fwd), 1);
	cr_assert_str_eq(match("x.b."), "b.", "the other zone moved up and still works");
	cr_assert_null(cp_forward_get(fwd, 1));
}

Test(cp_forward, bad_sets_leave_the_table_unchanged)
{
	struct sockaddr_storage ss[CP_FWD_MAX_SERVERS + 1];
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss[0];
	const struct cp_fwd_zone *z;

	cr_assert_eq(set("example.", 1, "198.18.5.1"), 0);
	cr_assert_eq(cp_forward_set(fwd, wire("example."), ss, 0), -EINVAL, "no servers");
	cr_assert_eq(set("example.", 2, "198.18.5.2", "198.18.5.2@53"), -EEXIST, "twice");
	for (unsigned i = 0; i <= CP_FWD_MAX_SERVERS; i++) {
		char t[32];

		snprintf(t, sizeof(t), "198.18.7.%u", i + 1);
		ss[i] = addr(t);
	}
	cr_assert_eq(cp_forward_set(fwd, wire("example."), ss, CP_FWD_MAX_SERVERS + 1), -E2BIG);
	memset(&ss[0], 0, sizeof(ss[0]));
	s4->sin_family = AF_INET;
	cr_assert_eq(cp_forward_set(fwd, wire("example."), ss, 1), -EINVAL, "port 0");
	ss[0].ss_family = AF_UNIX;
	cr_assert_eq(cp_forward_set(fwd, wire("example."), ss, 1), -EINVAL, "not IP");
	cr_assert_eq(cp_forward_set(fwd, (const uint8_t *)"\x40", ss, 1), -EINVAL, "bad name");
	cr_assert_eq(cp_forward_remove(fwd, (const uint8_t *)"\x40"), -EINVAL);
	z = cp_forward_find(fwd, wire("example."));
	cr_assert_not_null(z);
	cr_assert_eq(z->n_servers, 1);
	cr_assert_str_eq(server_text(z, 0), "198.18.5.1");
}

Test(cp_forward, bounded_zone_count)
{
	char name[32];

	for (unsigned i = 0; i < CP_FWD_MAX_ZONES; i++) {
		snprintf(name, sizeof(name), "z%u.example.", i);
		cr_assert_eq(set(name, 1, "198.18.5.1"), 0);
	}
	cr_assert_eq(set("one.more.", 1, "198.18.5.1"), -ENOSPC);
	cr_assert_eq(set("z7.example.", 1, "198.18.5.2"), 1, "replacing still works when full");
	cr_assert_str_eq(match("www.z255.example."), "z255.example.");
}

Test(cp_forward, addresses_parsed_and_written_back)
{
	static const struct {
		const char *in, *out;
		int family;
		unsigned port;
	} good[] = {
		{ "198.18.5.1", "198.18.5.1", AF_INET, 53 },
		{ "127.0.0.1@5353", "127.0.0.1@5353", AF_INET, 5353 },
		{ "198.18.5.1@53", "198.18.5.1", AF_INET, 53 },
		{ "2001:db8::1", "2001:db8::1", AF_INET6, 53 },
		{ "2001:DB8:0::1@5353", "2001:db8::1@5353", AF_INET6, 5353 },
		{ "::1@65535", "::1@65535", AF_INET6, 65535 },
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct sockaddr_storage ss = addr(good[i].in);
		char t[CP_FWD_ADDR_TEXT_MAX];
		unsigned port = ss.ss_family == AF_INET
		                        ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
		                        : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);

		cr_assert_eq(ss.ss_family, good[i].family, "%s", good[i].in);
		cr_assert_eq(port, good[i].port, "%s", good[i].in);
		cr_assert_gt(cp_fwd_addr_to_text(&ss, t, sizeof(t)), 0);
		cr_assert_str_eq(t, good[i].out);
	}
}

Test(cp_forward, bad_addresses_say_why)
{
	static const struct {
		const char *in, *why;
	} bad[] = {
		{ "", "no address" },
		{ "@53", "no address" },
		{ "198.18.5", "not an IPv4 or IPv6 address" },
		{ "198.18.5.256", "not an IPv4 or IPv6 address" },
		{ "resolver.example", "not an IPv4 or IPv6 address" },
		{ "198.18.5.1:5353", "a port is written ADDR@PORT" },
		{ "[2001:db8::1]:5353", "no brackets" },
		{ "198.18.5.1@", "1..65535" },
		{ "198.18.5.1@0", "1..65535" },
		{ "198.18.5.1@65536", "1..65535" },
		{ "198.18.5.1@53x", "1..65535" },
		{ "198.18.5.1@-1", "1..65535" },
		{ "0.0.0.0", "unspecified" },
		{ "224.0.0.1", "multicast" },
		{ "255.255.255.255", "broadcast" },
		{ "::", "unspecified" },
		{ "ff02::1@53", "multicast" },
		{ "fe80::1%eth0", "not an IPv4 or IPv6 address" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sockaddr_storage ss;
		const char *why = NULL;

		cr_assert_eq(cp_fwd_addr_parse(bad[i].in, &ss, &why), -EINVAL, "\"%s\" accepted",
		             bad[i].in);
		cr_assert_not_null(why);
		cr_assert(strstr(why, bad[i].why) != NULL, "\"%s\": \"%s\" lacks \"%s\"", bad[i].in,
		          why, bad[i].why);
		cr_assert_eq(ss.ss_family, 0, "nothing half-filled");
	}
}

Test(cp_forward, address_text_needs_room)
{
	struct sockaddr_storage ss = addr("2001:db8::1@5353");
	char t[8];

	cr_assert_eq(cp_fwd_addr_to_text(&ss, t, sizeof(t)), -ENOSPC);
	ss.ss_family = AF_UNIX;
	cr_assert_eq(cp_fwd_addr_to_text(&ss, t, sizeof(t)), -EINVAL);
}
