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
	bool forward;   /* servers are recursive resolvers: RD=1, answers expected */
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
	uint64_t start_ms;
};

struct cp_iter_scratch {
	struct cp_response resp;
	uint8_t arena[CP_RESP_ARENA_MAX];
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
	struct dns_rrset_in out[CP_ITER_MAX_OUT]; /* the result's RRsets */
};

static inline const uint8_t *
cp_iter_sname(const struct cp_iter *it)
{
	return it->names[it->n_names - 1];
}

static inline uint64_t
cp_iter_now_ms(const struct cp_iter *it)
{
	return it->env->now_ms(it->env->now_ctx);
}

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

/** Build the delegation from the REFERRAL in @p r (after its data was stored). */
void cp_iter_deleg_from_referral(struct cp_iter *it, const struct cp_response *r);

/** Fill @p res from the cache (or SERVFAIL per it->fail) for FINISH. */
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
