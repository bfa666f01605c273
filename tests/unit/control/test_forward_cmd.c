/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of control/cp_forward_cmd.c: forward-list, forward-add and
 * forward-remove served by a real control socket (ctl_harness.c) on a forward
 * table, master cache and infra table of the test's own. The handlers run on
 * the harness's loop thread; the test reads the tables only between replies.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cp_forward.h"
#include "cp_forward_cmd.h"
#include "cp_infra.h"
#include "cp_rrcache.h"
#include "ctl_harness.h"
#include "dns_present.h"

#define NOW_MS 1000000

static struct th_server srv;
static struct tc cl = { .fd = -1 };
static struct cp_fwd_cmd_env env;
static struct cp_infra *infra; /* env.infra, writable */
static int worker_flushes;

static void
count_flush(void *arg)
{
	(void)arg;
	worker_flushes++;
}

static void
h_list(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	cp_fwd_cmd_list(req, args, ctx);
}

static void
h_add(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	cp_fwd_cmd_add(req, args, ctx);
}

static void
h_remove(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	cp_fwd_cmd_remove(req, args, ctx);
}

static const struct cp_ctl_command cmds[] = {
	{ "forward-list", CP_FWD_CMD_LIST_USAGE, h_list },
	{ "forward-add", CP_FWD_CMD_ADD_USAGE, h_add },
	{ "forward-remove", CP_FWD_CMD_REMOVE_USAGE, h_remove },
};

static void
setup(void)
{
	memset(&env, 0, sizeof(env));
	env.forward = cp_forward_new();
	env.rrcache = cp_rrcache_new(NULL);
	infra = cp_infra_create(NULL);
	env.infra = infra;
	env.now_ms = NOW_MS;
	env.flush_workers = count_flush;
	worker_flushes = 0;
	cr_assert(env.forward != NULL && env.rrcache != NULL && env.infra != NULL);
	th_init(&srv);
	cr_assert_eq(th_start_with(&srv, NULL, cmds, sizeof(cmds) / sizeof(cmds[0]), &env), 0);
	cr_assert_eq(tc_open(&cl, srv.path), 0);
}

static void
teardown(void)
{
	tc_close(&cl);
	th_cleanup(&srv);
	cp_forward_free(env.forward);
	cp_rrcache_free(env.rrcache);
	cp_infra_destroy(infra);
}

TestSuite(cp_forward_cmd, .init = setup, .fini = teardown, .timeout = 30);

/* Send one request line; return the result (ok) or NULL with the error in *err. */
static json_t *
rpc(const char *line, char *err, size_t errlen)
{
	json_t *r = tc_rpc(&cl, line), *res;

	cr_assert_not_null(r, "no reply to %s", line);
	err[0] = '\0';
	if (!json_is_true(json_object_get(r, "ok"))) {
		snprintf(err, errlen, "%s", json_string_value(json_object_get(r, "error")));
		json_decref(r);
		return NULL;
	}
	res = json_incref(json_object_get(r, "result"));
	json_decref(r);
	return res;
}

static json_t *
rpc_ok(const char *line)
{
	char err[512];
	json_t *res = rpc(line, err, sizeof(err));

	cr_assert_not_null(res, "%s: %s", line, err);
	return res;
}

/* The request fails with an error containing @p want. */
static void
rpc_err(const char *line, const char *want)
{
	char err[512];
	json_t *res = rpc(line, err, sizeof(err));

	cr_assert_null(res, "%s succeeded", line);
	cr_assert(strstr(err, want) != NULL, "%s: error \"%s\" lacks \"%s\"", line, err, want);
}

static const uint8_t *
wire(const char *text)
{
	static uint8_t b[4][DNS_NAME_MAXLEN];
	static unsigned k;
	uint8_t *o = b[k++ % 4];

	cr_assert_gt(dns_name_from_text(text, o, DNS_NAME_MAXLEN), 0);
	return o;
}

static struct sockaddr_storage
addr(const char *text)
{
	struct sockaddr_storage ss;
	const char *why;

	cr_assert_eq(cp_fwd_addr_parse(text, &ss, &why), 0);
	return ss;
}

/* A timeout of a query sent at @p ss's current RTO (so it counts: cp_infra.h). */
static void
time_out(const struct sockaddr_storage *ss)
{
	struct cp_infra_info info;

	cp_infra_get(infra, (const struct sockaddr *)ss, NOW_MS, &info);
	cr_assert_eq(cp_infra_timeout(infra, (const struct sockaddr *)ss, info.rto_ms, NOW_MS), 0);
}

/* One A record at @p name in the master cache. */
static void
cache_a(const char *name)
{
	static const uint8_t a[4] = { 192, 0, 2, 1 };
	struct dns_rdata rd = { .data = a, .len = 4 };
	struct dns_rrset_in rr = { .owner = wire(name),
		                   .type = DNS_TYPE_A,
		                   .rclass = DNS_CLASS_IN,
		                   .ttl = 3600,
		                   .n_rdata = 1,
		                   .rdata = &rd };

	cr_assert_eq(cp_rrcache_store(env.rrcache, &rr, CP_RRC_RANK_NONAUTH_ANSWER, NOW_MS / 1000),
	             0);
}

static bool
in_cache(const char *name)
{
	const struct cp_rrc_rrset *e;

	return cp_rrcache_lookup(env.rrcache, wire(name), DNS_TYPE_A, DNS_CLASS_IN, NOW_MS / 1000,
	                         &e, NULL) == CP_RRC_POSITIVE;
}

/* The row of forward-list's result for (zone, server), or NULL. */
static json_t *
row_of(json_t *res, const char *zone, const char *server)
{
	json_t *row;
	size_t i;

	json_array_foreach(
		json_object_get(res, "forwarders"), i,
		row) if (strcmp(json_string_value(json_object_get(row, "zone")), zone) == 0 &&
	                 strcmp(json_string_value(json_object_get(row, "server")), server) ==
	                         0) return row;
	return NULL;
}

static const char *
state(json_t *res, const char *zone, const char *server)
{
	json_t *row = row_of(res, zone, server);

	cr_assert_not_null(row, "no row %s %s", zone, server);
	return json_string_value(json_object_get(row, "state"));
}

Test(cp_forward_cmd, add_list_replace_remove)
{
	json_t *res;
	const struct cp_fwd_zone *z;

	res = rpc_ok("{\"cmd\":\"forward-list\"}");
	cr_assert_eq(json_integer_value(json_object_get(res, "zones")), 0);
	cr_assert_eq(json_array_size(json_object_get(res, "forwarders")), 0);
	json_decref(res);

	res = rpc_ok("{\"cmd\":\"forward-add\",\"args\":{\"zone\":\"Corp.Example\","
	             "\"servers\":[\"198.18.5.1\",\"2001:db8::1@5353\"]}}");
	cr_assert_str_eq(json_string_value(json_object_get(res, "zone")), "corp.example.");
	cr_assert(json_is_false(json_object_get(res, "replaced")));
	cr_assert_eq(json_array_size(json_object_get(res, "servers")), 2);
	json_decref(res);
	z = cp_forward_find(env.forward, wire("corp.example."));
	cr_assert_not_null(z);
	cr_assert_eq(z->n_servers, 2);

	res = rpc_ok("{\"cmd\":\"forward-add\",\"args\":{\"zone\":\".\","
	             "\"servers\":[\"127.0.0.1@5353\"]}}");
	json_decref(res);
	res = rpc_ok("{\"cmd\":\"forward-list\"}");
	cr_assert_eq(json_integer_value(json_object_get(res, "zones")), 2);
	cr_assert_eq(json_array_size(json_object_get(res, "forwarders")), 3);
	cr_assert_str_eq(state(res, "corp.example.", "198.18.5.1"), "unknown");
	cr_assert_str_eq(state(res, "corp.example.", "2001:db8::1@5353"), "unknown");
	cr_assert_str_eq(state(res, ".", "127.0.0.1@5353"), "unknown");
	json_decref(res);

	res = rpc_ok("{\"cmd\":\"forward-add\",\"args\":{\"zone\":\"corp.example.\","
	             "\"servers\":[\"198.18.5.9\"]}}");
	cr_assert(json_is_true(json_object_get(res, "replaced")));
	json_decref(res);
	res = rpc_ok("{\"cmd\":\"forward-list\"}");
	cr_assert_null(row_of(res, "corp.example.", "198.18.5.1"), "replaced, not merged");
	cr_assert_not_null(row_of(res, "corp.example.", "198.18.5.9"));
	json_decref(res);

	res = rpc_ok("{\"cmd\":\"forward-remove\",\"args\":{\"zone\":\"CORP.example\"}}");
	cr_assert_str_eq(json_string_value(json_object_get(res, "removed")), "corp.example.");
	json_decref(res);
	cr_assert_null(cp_forward_find(env.forward, wire("corp.example.")));
	cr_assert_eq(cp_forward_count(env.forward), 1);
	cr_assert_eq(worker_flushes, 4, "every change flushes the workers");
}

Test(cp_forward_cmd, list_shows_infra_state)
{
	struct sockaddr_storage a = addr("198.18.5.1"), b = addr("198.18.5.2"),
				c = addr("198.18.5.3@5353"), d = addr("198.18.5.4");
	struct cp_infra *in = infra;
	json_t *res, *row;

	json_decref(rpc_ok("{\"cmd\":\"forward-add\",\"args\":{\"zone\":\".\",\"servers\":"
	                   "[\"198.18.5.1\",\"198.18.5.2\",\"198.18.5.3@5353\",\"198.18.5.4\"]}}"));
	cr_assert_eq(cp_infra_rtt(in, (struct sockaddr *)&a, 12000, NOW_MS), 0);
	time_out(&b);
	cr_assert_eq(cp_infra_set_lame(in, (struct sockaddr *)&c, wire("."), 60000, NOW_MS), 0);
	for (int i = 0; i < 8; i++)
		time_out(&d);
	res = rpc_ok("{\"cmd\":\"forward-list\"}");
	cr_assert_str_eq(state(res, ".", "198.18.5.1"), "ok");
	cr_assert_str_eq(state(res, ".", "198.18.5.2"), "timeouts");
	cr_assert_str_eq(state(res, ".", "198.18.5.3@5353"), "lame");
	cr_assert_str_eq(state(res, ".", "198.18.5.4"), "backoff");
	row = row_of(res, ".", "198.18.5.1");
	cr_assert_float_eq(json_real_value(json_object_get(row, "srtt_ms")), 12.0, 1e-9);
	cr_assert_eq(
		json_integer_value(json_object_get(row_of(res, ".", "198.18.5.2"), "timeouts")), 1);
	json_decref(res);
}

Test(cp_forward_cmd, change_flushes_the_zone_from_the_master_cache)
{
	json_t *res;

	cache_a("www.corp.example.");
	cache_a("corp.example.");
	cache_a("www.example.");
	res = rpc_ok("{\"cmd\":\"forward-add\",\"args\":{\"zone\":\"corp.example.\","
	             "\"servers\":[\"198.18.5.1\"]}}");
	cr_assert_eq(json_integer_value(json_object_get(res, "master_entries_flushed")), 2);
	json_decref(res);
	cr_assert_not(in_cache("www.corp.example."));
	cr_assert_not(in_cache("corp.example."));
	cr_assert(in_cache("www.example."), "outside the zone: kept");
	cr_assert_eq(worker_flushes, 1);
	cache_a("x.corp.example.");
	res = rpc_ok("{\"cmd\":\"forward-remove\",\"args\":{\"zone\":\"corp.example.\"}}");
	cr_assert_eq(json_integer_value(json_object_get(res, "master_entries_flushed")), 1);
	json_decref(res);
	cr_assert_not(in_cache("x.corp.example."));
	/* The root: everything goes. */
	json_decref(rpc_ok("{\"cmd\":\"forward-add\",\"args\":{\"zone\":\".\","
	                   "\"servers\":[\"198.18.5.1\"]}}"));
	cr_assert_not(in_cache("www.example."));
	cr_assert_eq(worker_flushes, 3);
}

Test(cp_forward_cmd, bad_input_is_refused_and_the_connection_stays_usable)
{
	static const struct {
		const char *line, *want;
	} bad[] = {
		{ "{\"cmd\":\"forward-add\",\"args\":{\"zone\":\"a..b\",\"servers\":[\"198.18.5."
		  "1\"]}}",
		  "zone \"a..b\": not a domain name" },
		{ "{\"cmd\":\"forward-add\",\"args\":{\"zone\":\".\",\"servers\":[]}}",
		  "servers: give at least one forwarder address" },
		{ "{\"cmd\":\"forward-add\",\"args\":{\"zone\":\".\",\"servers\":\"198.18.5.1\"}}",
		  "servers: give at least one forwarder address" },
		{ "{\"cmd\":\"forward-add\",\"args\":{\"zone\":\".\",\"servers\":[\"198.18.5.1\",7]"
		  "}}",
		  "servers[1]: not a string" },
		{ "{\"cmd\":\"forward-add\",\"args\":{\"zone\":\".\",\"servers\":[\"198.18.5.1:"
		  "53\"]}}",
		  "servers[0]: \"198.18.5.1:53\": not an IPv4 or IPv6 address (a port is written"
		  " ADDR@PORT)" },
		{ "{\"cmd\":\"forward-add\",\"args\":{\"zone\":\".\",\"servers\":[\"::1@99999\"]}}",
		  "servers[0]: \"::1@99999\": the port after '@' must be a number 1..65535" },
		{ "{\"cmd\":\"forward-add\",\"args\":{\"zone\":\".\",\"servers\":"
		  "[\"198.18.5.1\",\"198.18.5.1@53\"]}}",
		  "servers[1]: \"198.18.5.1@53\" is listed twice" },
		{ "{\"cmd\":\"forward-add\",\"args\":{\"zone\":\".\"}}", "forward-add" },
		{ "{\"cmd\":\"forward-add\",\"args\":{\"zone\":\".\",\"servers\":[\"198.18.5.1\"],"
		  "\"port\":53}}",
		  "forward-add" },
		{ "{\"cmd\":\"forward-remove\",\"args\":{\"zone\":\"nowhere.example.\"}}",
		  "zone \"nowhere.example.\" is not forwarded" },
		{ "{\"cmd\":\"forward-remove\",\"args\":{}}", "forward-remove" },
		{ "{\"cmd\":\"forward-list\",\"args\":{\"zone\":\".\"}}", "forward-list" },
	};
	char many[2048];
	size_t o;

	json_decref(rpc_ok("{\"cmd\":\"forward-add\",\"args\":{\"zone\":\"keep.example.\","
	                   "\"servers\":[\"198.18.5.1\"]}}"));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		rpc_err(bad[i].line, bad[i].want);
	o = (size_t)snprintf(many, sizeof(many),
	                     "{\"cmd\":\"forward-add\",\"args\":{\"zone\":\".\",\"servers\":[");
	for (int i = 1; i <= CP_FWD_MAX_SERVERS + 1; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o, "%s\"198.18.6.%d\"",
		                      i > 1 ? "," : "", i);
	snprintf(many + o, sizeof(many) - o, "]}}");
	rpc_err(many, "servers: at most 16 forwarders per zone");
	/* Nothing changed, nothing flushed, and the same connection still answers. */
	cr_assert_eq(cp_forward_count(env.forward), 1);
	cr_assert_eq(cp_forward_find(env.forward, wire("keep.example."))->n_servers, 1);
	cr_assert_eq(worker_flushes, 1);
	json_decref(rpc_ok("{\"cmd\":\"forward-list\"}"));
}

Test(cp_forward_cmd, full_table_refused)
{
	struct sockaddr_storage ss = addr("198.18.5.1");
	char name[32];

	for (int i = 0; i < CP_FWD_MAX_ZONES; i++) {
		snprintf(name, sizeof(name), "z%d.example.", i);
		cr_assert_eq(cp_forward_set(env.forward, wire(name), &ss, 1), 0);
	}
	rpc_err("{\"cmd\":\"forward-add\",\"args\":{\"zone\":\"one.more.\","
	        "\"servers\":[\"198.18.5.1\"]}}",
	        "zone \"one.more.\": the table is full (256 zones)");
	json_decref(rpc_ok("{\"cmd\":\"forward-add\",\"args\":{\"zone\":\"z1.example.\","
	                   "\"servers\":[\"198.18.5.2\"]}}"));
}

Test(cp_forward_cmd, no_resolver)
{
	struct cp_forward *keep = env.forward;

	env.forward = NULL;
	rpc_err("{\"cmd\":\"forward-list\"}", "no resolver configured");
	rpc_err("{\"cmd\":\"forward-add\",\"args\":{\"zone\":\".\",\"servers\":[\"198.18.5.1\"]}}",
	        "no resolver configured");
	rpc_err("{\"cmd\":\"forward-remove\",\"args\":{\"zone\":\".\"}}", "no resolver configured");
	env.forward = keep;
}
