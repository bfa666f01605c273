/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The iterator suites' scripted network, shared by tests/unit/control/test_iter*.c and
 * test_stale.c.
 *
 * The fake cp_net records every query and answers nothing by itself; pump()
 * answers the oldest live query from a table of (server, qname, qtype) ->
 * response, then the next, until none is left. So completions never run
 * inside cp_net_query() (the real net's contract) and everything is
 * synchronous and deterministic: no loop, no sockets. A fake clock advances
 * 10 ms per reply and by the query's timeout for a scripted (or unscripted)
 * silence.
 *
 * The table searched is the test's own (ih_script()) first, then the world
 * every test shares (iter_harness.c). Responses are written as text:
 * "SEC OWNER [TTL] TYPE RDATA; ..." with SEC one of AN, AU, AD; OWNER "@" is the
 * query's name; TTL 3600 unless given; types A, NS, CNAME, MX, SOA (SOA takes no
 * RDATA: ns1.<owner> hostmaster.<owner>, MINIMUM 60 unless given: "SOA 0", "SOA 100").
 */
#ifndef ITER_HARNESS_H
#define ITER_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_iter.h"

#define ANY_TYPE 0
#define AA       DNS_FLAG_AA
#define ROOT     "10.0.0.1"

struct script {
	const char *server; /* IPv4 address */
	const char *qname;  /* exact, "*.zone." for zone and anything below, NULL: any name */
	uint16_t qtype;     /* ANY_TYPE: any */
	uint16_t flags;     /* besides QR: DNS_FLAG_AA, rcode */
	const char *rrs;    /* spec, or NULL */
	bool timeout;       /* no reply at all */
	uint8_t drop_first; /* the first this many matching queries (fake.dropped) get none */
	bool garbage;       /* the reply cut inside its last record: it does not parse */
};

struct fq {
	struct cp_upq_params p;
	uint8_t name[DNS_NAME_MAXLEN];
	cp_upq_done_fn cb;
	void *arg;
	bool live;
};

#define MAX_FQ 512

struct fake_net {
	struct fq q[MAX_FQ];
	unsigned n;    /* queries sent, ever */
	unsigned next; /* oldest possibly live */
	unsigned cancels;
	unsigned unscripted; /* queries nothing in the tables matched */
	unsigned dropped;    /* queries left unanswered by a drop_first entry */
	bool down;           /* every query times out, scripted or not */
	uint64_t now_ms;
};

extern struct fake_net fake;
extern struct cp_iter_env env;
extern struct cp_rrcache *cache;
extern struct cp_infra *infra;

/** What the done callback saw, copied out (the result is valid only during it). */
struct done {
	int called;
	uint8_t rcode;
	enum cp_iter_cause cause;
	uint16_t count[3];
	unsigned n;
	uint16_t type[16];
	uint32_t ttl[16];
	char owner[16][300];
	uint8_t first_rdata[16][16];
	uint32_t ttl_min;
	int tmpl_rc;
};

/** Suite init/fini: fresh fake net, cache, infra and env (priming off). */
void ih_setup(void);
/** ih_setup() with a cache made with @p rc (NULL: the defaults), e.g. with a stale window. */
void ih_setup_cache(const struct cp_rrc_conf *rc);
void ih_teardown(void);

/** Use @p s (@p n entries, kept by the caller) before the world, until the next setup. */
void ih_script(const struct script *s, unsigned n);

/** Wire name to text ("a.b."). */
void ih_text_of(const uint8_t *name, char *out);

/** The done callback: copies into the struct done at @p arg. */
void ih_on_done(void *arg, const struct cp_iter_result *res);

/** Answer the oldest live query. @return false if there was none. */
bool pump_one(void);
/** Answer until nothing is live. */
void pump(void);

/** Start resolving @p name (text) and pump. @return cp_iter_start()'s value. */
int resolve(const char *name, uint16_t qtype, struct done *d);

/** Was @p server asked anything among queries [from, fake.n)? */
bool asked(const char *server, unsigned from);

/** How many queries [from, fake.n) asked (@p qname, @p qtype); ANY_TYPE: any type. */
unsigned count_asked(const char *qname, uint16_t qtype, unsigned from);

/** Query @p i as "SERVER QNAME TYPE" (for messages). */
const char *ih_query_text(unsigned i);

bool cached(const char *name, uint16_t type);
bool is_lame(const char *server, const char *zone);
void prime_rtt(const char *server, uint64_t rtt_us);
struct sockaddr_storage v4(const char *a);
void assert_servfail(const struct done *d, enum cp_iter_cause cause);

#endif /* ITER_HARNESS_H */
