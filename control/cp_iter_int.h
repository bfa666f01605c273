/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The iterator's private state, shared by cp_iter.c (the machine) and
 * cp_iter_deleg.c (delegations and the result read back from the cache).
 * Nothing outside control/cp_iter*.c includes this.
 */
#ifndef CP_ITER_INT_H
#define CP_ITER_INT_H

#include "cp_iter.h"
#include "cp_response.h"
#include "dns_name.h"

#define CP_ITER_MAX_NS    16 /* NS names kept per delegation; more are ignored */
#define CP_ITER_MAX_ADDRS 32 /* server addresses kept per delegation */
#define CP_ITER_MAX_CHAIN 24 /* names of a CNAME chain kept (>= max_cnames + 1 is enforced;
			      * <= 32: refresh mode keeps one bit per name) */
#define CP_ITER_MAX_OUT   64 /* RRsets of a result */
/* Sends to one server address for one delegation when it times out: a dropped
 * datagram (loss, an authoritative's rate limiting) is not a dead server, so a
 * server that timed out is asked once more, at its doubled RTO, after every server
 * of the delegation not asked yet (and never while it is in backoff). Unbound
 * retries up to outbound-msg-retry (5) times; two keeps a dead delegation of four
 * servers at 4 x (376 + 752) ms = 4.5 s, inside the 8 s question budget, so it ends
 * in SERVFAIL before a stub's usual 5 s timeout gives up on it. */
#define CP_ITER_ADDR_SENDS 2
#define CP_ITER_MAX_HELD  (CP_ITER_MAX_CHAIN + 1) /* RRsets held outside the cache */

/** The machine's states; see the top of cp_iter.h for what each does. */
enum cp_iter_state {
	CP_ITER_INIT = 0,         /* cache: answer, negative, CNAME to follow, or miss */
	CP_ITER_FIND_DELEGATION,  /* closest NS from the cache, else root hints */
	CP_ITER_QUERY_TARGETS,    /* next server, or a glueless NS to resolve */
	CP_ITER_SEND,             /* start the upstream query */
	CP_ITER_WAIT_REPLY,       /* query out; on_reply() resumes */
	CP_ITER_WAIT_TARGET,      /* sub-resolution out; on_target() resumes */
	CP_ITER_PROCESS_RESPONSE, /* judge and store the reply */
	CP_ITER_FINISH,           /* result, callback, free */
};

/** QNAME minimisation of the name being resolved (cp_iter_qmin.c). */
enum cp_iter_qmin {
	CP_ITER_QMIN_OFF = 0, /* off, or stopped for this name: ask the full name */
	CP_ITER_QMIN_STEP,    /* before the next query: one step longer than qmin_name */
	CP_ITER_QMIN_SAME,    /* ask qmin_name (again, e.g. of the next server) */
};

/** Progress of resolving one NS name's addresses. */
enum cp_iter_fetch {
	CP_ITER_FETCH_NONE = 0, /* not asked (may have addresses from glue or cache) */
	CP_ITER_FETCH_A,        /* A asked; AAAA still possible */
	CP_ITER_FETCH_DONE,     /* nothing more to ask */
};

struct cp_iter_ns {
	uint8_t name[DNS_NAME_MAXLEN]; /* lower-cased */
	uint8_t fetch;                 /* enum cp_iter_fetch */
	bool has_addr;
};

struct cp_iter_addr {
	struct sockaddr_storage ss;
	bool tried;       /* not to be asked again for this delegation (now) */
	uint8_t timeouts; /* sends to it that timed out, for this delegation */
};

/**
 * The delegation being worked on: zone cut, NS names, addresses. A forward
 * zone (cp_iter_forward.c) is one too: zone = the forward zone, no NS names,
 * the forwarders as addresses, forward set.
 */
struct cp_iter_deleg {
	uint8_t zone[DNS_NAME_MAXLEN];
	bool forward;        /* servers are recursive resolvers: RD=1, answers expected */
	bool zone_set;       /* false until the first delegation */
	bool from_cache;     /* found in the cache (not a referral just received) */
	bool from_hints;     /* the root hints */
	unsigned n_ns;
	unsigned n_addr;
	unsigned n_glueless; /* sub-resolutions started for it */
	struct cp_iter_ns ns[CP_ITER_MAX_NS];
	struct cp_iter_addr addr[CP_ITER_MAX_ADDRS];
};

/** Budgets of one client question, held by its top iterator, shared by the subs. */
struct cp_iter_budget {
	uint32_t sent;
	uint32_t glueless;
	uint32_t glueless_nx;  /* sub-resolutions that ended in NXDOMAIN */
	uint32_t fallbacks;    /* to the parent of a dead cached delegation */
	uint64_t start_ms;
};

/*
 * An RRset of a response that the cache did not take (TTL 0, no memory), copied
 * so the result can still carry it: the CNAMEs of a chain, the final RRset, the
 * SOA of a negative answer. mem holds the rdata array, owner and RDATA.
 */
struct cp_iter_held {
	struct dns_rrset_in rr;
	void *mem; /* malloc; NULL: slot unused */
};

#define CP_ITER_PRIME_MAX_HINTS 64 /* hint addresses a priming round chooses from */

/** Priming (cp_iter_prime.c): at most one ". NS" query out per env. */
struct cp_iter_prime {
	void *handle;           /* the query in flight, or NULL */
	unsigned hint;          /* index in env->hints of the server asked */
	uint32_t sent_rto_ms;   /* that server's RTO when the query left */
	unsigned tries;         /* hints asked in this round */
	unsigned failures;      /* rounds failed in a row: the backoff's exponent */
	uint64_t next_ms;       /* no round starts before this */
	bool asked[CP_ITER_PRIME_MAX_HINTS];
};

/* What the env keeps for all its iterators: the response arena and priming. */
struct cp_iter_scratch {
	struct cp_response resp;
	uint8_t arena[CP_RESP_ARENA_MAX];
	struct cp_iter_prime prime;
};

struct cp_iter {
	struct cp_iter_env *env;
	enum cp_iter_state state;
	struct cp_iter *parent;        /* we resolve an NS address for it, or NULL */
	struct cp_iter *sub;           /* the sub-resolution we wait for, or NULL */
	struct cp_iter_budget *budget; /* the top iterator's own_budget */
	struct cp_iter_budget own_budget;
	unsigned depth;                /* 0: client question */
	uint16_t qtype;
	uint16_t qclass;
	uint8_t qname[DNS_NAME_MAXLEN]; /* as the caller spelt it (for the template) */
	unsigned n_names;               /* names[n_names - 1] is the name being resolved */
	uint8_t names[CP_ITER_MAX_CHAIN][DNS_NAME_MAXLEN]; /* lower-cased chain from qname */
	uint32_t referrals;
	bool fell_back;          /* went to the parent of a dead cached delegation once */
	unsigned n_failed;       /* servers of failed_zone that all failed before the fallback */
	uint8_t failed_zone[DNS_NAME_MAXLEN];
	struct sockaddr_storage failed[CP_ITER_MAX_ADDRS];
	enum cp_iter_qmin qmin;
	bool qmin_has_name;
	unsigned qmin_count;     /* steps taken at this delegation (RFC 9156 2.3) */
	unsigned qmin_timeouts;  /* minimised queries without a reply, this name */
	bool qmin_one_more;      /* stopped after silence: one full-name query still due */
	uint8_t qmin_name[DNS_NAME_MAXLEN]; /* the shortened name asked (a suffix of sname) */
	uint8_t ask_name[DNS_NAME_MAXLEN];  /* the question in flight: qmin_name or sname */
	uint16_t ask_type;                  /* ... A or qtype */
	bool ask_min;                       /* ... and whether it was a minimised one */
	int cur;                 /* index in dp.addr of the server asked */
	uint32_t sent_rto_ms;    /* the server's RTO when the query in flight left */
	int sub_ns;              /* index in dp.ns being resolved by sub */
	void *handle;            /* the query in flight (WAIT_REPLY) */
	const struct cp_upq_result *reply; /* PROCESS_RESPONSE only */
	enum cp_iter_cause fail;    /* set: FINISH reports SERVFAIL with it */
	enum cp_iter_cause blocked; /* a bound that kept a glueless lookup from starting */
	bool neg_override;          /* NXDOMAIN/NODATA for neg_name seen but not cached */
	bool starting_sub;          /* inside sub start: on_target() must not run us */
	bool refresh;               /* cp_iter_start_refresh(): see there */
	uint32_t refreshed;         /* refresh: bit i set once names[i] was asked again */
	uint8_t neg_rcode;
	uint8_t neg_name[DNS_NAME_MAXLEN];
	bool *sync_done;            /* cp_iter_start()'s flag while it runs */
	cp_iter_done_fn cb;
	void *arg;
	struct cp_iter_deleg dp;
	unsigned n_held;
	struct cp_iter_held held[CP_ITER_MAX_HELD];
	struct dns_rrset_in out[CP_ITER_MAX_OUT]; /* the result's RRsets */
};

static inline const uint8_t *
cp_iter_sname(const struct cp_iter *it)
{
	return it->names[it->n_names - 1];
}

/*
 * May a cached entry answer a client? Glue, other additional data and the NS of a
 * referral may only guide the iteration, never be returned as answers
 * (RFC 2181 5.4.1): they are asked for again, from the zone's own servers.
 */
static inline bool
cp_iter_answers_client(int kind, const struct cp_rrc_rrset *e)
{
	return kind >= 0 && (kind != CP_RRC_POSITIVE || e->rank >= CP_RRC_RANK_NONAUTH_ANSWER);
}

static inline uint64_t
cp_iter_now_ms(const struct cp_iter *it)
{
	return it->env->now_ms(it->env->now_ctx);
}

/* cp_iter.c */

/**
 * Store every RRset cp_response kept (it already dropped what is out of bailiwick),
 * ranked by section and @p aa (RFC 2181 5.4.1: an authoritative server's answer
 * outranks a recursive forwarder's, which always counts as not authoritative).
 */
void cp_iter_store_response(struct cp_iter_env *env, const struct cp_response *r, bool aa,
                            uint64_t now_s);

static inline void
cp_iter_store_all(struct cp_iter *it, const struct cp_response *r, uint64_t now_s)
{
	cp_iter_store_response(it->env, r, r->aa, now_s);
}

/** A NXDOMAIN/NODATA reply's SOA as the negative entry for (r->sname, it->qtype), if any. */
void cp_iter_store_negative(struct cp_iter *it, const struct cp_response *r, bool aa,
                            uint64_t now_s);

/* cp_iter_prime.c */

/** An iterator fell back to the hints: start a priming round unless one is out or backing off. */
void cp_iter_prime_due(struct cp_iter_env *env);

/** Cancel the priming query in flight (cp_iter_env_fini()). */
void cp_iter_prime_stop(struct cp_iter_env *env);

/* cp_iter_qmin.c */

/** A new name to resolve (start, CNAME target): minimisation on per env, from scratch. */
void cp_iter_qmin_reset(struct cp_iter *it);

/** The delegation changed to it->dp.zone; @p downwards if to a zone below the old one. */
void cp_iter_qmin_deleg(struct cp_iter *it, bool downwards);

/** QUERY_TARGETS: if a step is due, choose the next, longer qmin_name (may skip cached ones). */
void cp_iter_qmin_step(struct cp_iter *it);

/** Is the next query a minimised one (qmin_name, A)? */
bool cp_iter_qmin_asking(const struct cp_iter *it);

/** A minimised query timed out: after CP_ITER_MAX_MINIMISE_TIMEOUTS, stop minimising. */
void cp_iter_qmin_timeout(struct cp_iter *it);

/**
 * No server of the delegation is left, but minimised queries met only silence:
 * stop minimising and let the best server be asked the full name once.
 * @return true if it did so.
 */
bool cp_iter_qmin_exhausted(struct cp_iter *it);

/**
 * Handle the parsed reply @p r to a minimised query: @return true with it->state
 * set, or false for what the caller handles as for any query (referral, TC, ...).
 */
bool cp_iter_qmin_response(struct cp_iter *it, const struct cp_response *r, uint64_t now_s);

/* cp_iter_deleg.c */

/** Empty the delegation and set its zone (@p zone copied). */
void cp_iter_deleg_reset(struct cp_iter *it, const uint8_t *zone);

/** Add an NS name (deduplicated, lower-cased). @return its index or -ENOSPC / -EINVAL. */
int cp_iter_deleg_add_ns(struct cp_iter *it, const uint8_t *name);

/** Add the addresses of an A or AAAA RDATA array for NS index @p ns. */
void cp_iter_deleg_add_rdata(struct cp_iter *it, int ns, uint16_t type,
			     const struct dns_rdata *rd, unsigned n);

/** Add the cached A and AAAA of NS index @p ns. @return the number of addresses added. */
unsigned cp_iter_deleg_from_cache_addrs(struct cp_iter *it, int ns);

/** FIND_DELEGATION's work: the closest cached NS set, else the root hints. */
void cp_iter_deleg_find(struct cp_iter *it);

/** The root hints as the delegation (and priming due). */
void cp_iter_deleg_hints(struct cp_iter *it);

/**
 * Every server of the delegation failed: if it came from the cache, this
 * iterator made no fallback yet and the question has CP_ITER_MAX_PARENT_FALLBACKS
 * left, go up to the next enclosing cached delegation (or the
 * hints), remembering the failed servers so a referral back to the same zone does
 * not ask them again. @return true if it did (state: QUERY_TARGETS).
 */
bool cp_iter_deleg_fallback(struct cp_iter *it);

/** Mark the servers that failed before a fallback as tried, if dp is their zone again. */
void cp_iter_deleg_skip_failed(struct cp_iter *it);

/** Build the delegation from the REFERRAL in @p r (after its data was stored). */
void cp_iter_deleg_from_referral(struct cp_iter *it, const struct cp_response *r);

/* cp_iter_result.c */

/**
 * After the data of @p r (ANSWER, CNAME, NXDOMAIN, NODATA) was stored: hold a
 * copy of each answer RRset (chain and final) the cache cannot answer with, and
 * of the SOA of a negative answer it did not take.
 */
void cp_iter_hold_uncached(struct cp_iter *it, const struct cp_response *r, uint64_t now_s);

/** The held RRset (@p owner, @p type), or NULL. */
const struct dns_rrset_in *cp_iter_held_find(const struct cp_iter *it, const uint8_t *owner,
                                             uint16_t type);

/** Free every held RRset. */
void cp_iter_held_free(struct cp_iter *it);

/** Fill @p res from the cache and the held RRsets (or SERVFAIL per it->fail) for FINISH. */
void cp_iter_result_build(struct cp_iter *it, struct cp_iter_result *res);

/* cp_iter_forward.c */

/**
 * FIND_DELEGATION's first look: if sname falls under a forward zone, make the
 * delegation that zone and its forwarders (a forward zone wins over cached
 * delegations and the root hints). @return true if it did.
 */
bool cp_iter_fwd_find(struct cp_iter *it);

/** PROCESS_RESPONSE for a forward delegation (it->dp.forward). Returns "go on?". */
bool cp_iter_fwd_process(struct cp_iter *it);

/** SEND's timeout for a forwarder whose RTO is @p rto_ms, @p left_ms of the question left. */
static inline uint32_t
cp_iter_fwd_timeout_ms(uint32_t rto_ms, uint64_t left_ms)
{
	uint32_t t = rto_ms > CP_ITER_FWD_MIN_TIMEOUT_MS ? rto_ms : CP_ITER_FWD_MIN_TIMEOUT_MS;

	return t < left_ms ? t : (uint32_t)left_ms;
}

#endif /* CP_ITER_INT_H */
