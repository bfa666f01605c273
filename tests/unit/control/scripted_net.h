/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A scripted network (struct cp_net) for the iterator's unit tests: it records
 * every query and answers nothing by itself; sn_pump() answers the oldest live
 * query from the test's script, then the next, until none is left. So completions
 * never run inside cp_net_query() (the real net's contract) and everything is
 * synchronous and deterministic. The clock (sn_now_ms) advances 10 ms per reply and
 * by the query's timeout for a silence.
 *
 * A script line names a server (IPv4), a question (exact name, "*.zone." for
 * anything below zone, NULL for any; type 0 for any) and what the server does:
 * answer (header flags besides QR, and records in msg_spec.h syntax), stay silent,
 * stay silent once and then answer, or send a reply cut short. The first matching
 * line decides; a query no line matches times out and is counted in sn.unscripted.
 * (tests/unit/control/test_iter.c has an older fake of its own.)
 */
#ifndef SCRIPTED_NET_H
#define SCRIPTED_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_upstream.h"
#include "dns_wire.h"

enum sn_act {
	SN_ANSWER = 0,
	SN_SILENT,      /* never answers: a timeout */
	SN_SILENT_ONCE, /* the first query matching this line times out, later ones are answered */
	SN_GARBAGE,     /* a reply cut inside its last record: does not parse */
};

struct sn_line {
	const char *server;
	const char *qname; /* exact, "*.zone." for anything below zone, NULL: any */
	uint16_t qtype;    /* 0: any */
	enum sn_act act;
	uint16_t flags;  /* besides QR: DNS_FLAG_AA, DNS_FLAG_RA, rcode */
	const char *rrs; /* msg_spec.h records, or NULL */
};

#define SN_MAX_Q     128
#define SN_MAX_LINES 32

/** One query as the net received it (qname copied). */
struct sn_query {
	struct cp_upq_params p;
	uint8_t name[DNS_NAME_MAXLEN];
	cp_upq_done_fn cb;
	void *arg;
	bool live;
};

/** The net's state; tests read it (and set now_ms before the first query). */
struct sn_state {
	const struct sn_line *lines;
	size_t n_lines;
	unsigned hits[SN_MAX_LINES];
	struct sn_query q[SN_MAX_Q];
	unsigned n;    /* queries received, ever */
	unsigned next; /* oldest possibly live */
	unsigned cancels;
	unsigned unscripted; /* queries no line matched */
	uint64_t now_ms;
};

extern struct sn_state sn;

/** Use the script @p arr (an array of struct sn_line). */
#define SN_WORLD(arr) sn_world((arr), sizeof(arr) / sizeof((arr)[0]))

/** Forget every query and the script; the clock starts at @p now_ms. */
void sn_reset(uint64_t now_ms);

/** Use @p n lines at @p lines (kept by pointer). */
void sn_world(const struct sn_line *lines, size_t n);

/** The net to give the iterator. */
struct cp_net sn_net(void);

/** The clock, for cp_iter_env.now_ms. */
uint64_t sn_now_ms(void *ctx);

/** Answer the oldest live query. @return false if there was none. */
bool sn_pump_one(void);

/** Answer until no query is live. */
void sn_pump(void);

/** The server query @p i went to, as text (a static buffer). */
const char *sn_server_of(unsigned i);

/** The servers asked, in order, from query @p from on: "10.1.0.1 10.1.0.2" (static). */
const char *sn_asked(unsigned from);

#endif /* SCRIPTED_NET_H */
