/* SPDX-License-Identifier: BSD-3-Clause */
/* cp_infra: RTT smoothing, timeout backoff and probes, EDNS state, lame marks, server choice. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cp_infra.h"

static const uint8_t zone_com[] = "\3com";
static const uint8_t zone_COM[] = "\3COM";
static const uint8_t zone_org[] = "\3org";

static struct sockaddr_storage
v4(const char *ip, uint16_t port)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *a = (struct sockaddr_in *)&ss;

	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	cr_assert_eq(inet_pton(AF_INET, ip, &a->sin_addr), 1);
	return ss;
}

static struct sockaddr_storage
v6(const char *ip, uint16_t port)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

	a->sin6_family = AF_INET6;
	a->sin6_port = htons(port);
	cr_assert_eq(inet_pton(AF_INET6, ip, &a->sin6_addr), 1);
	return ss;
}

#define SA(x) ((const struct sockaddr *)&(x))

static struct cp_infra *
make(uint64_t seed)
{
	struct cp_infra_params p;
	struct cp_infra *in;

	cp_infra_params_init(&p);
	p.seed = seed;
	in = cp_infra_create(&p);
	cr_assert_not_null(in);
	return in;
}

TestSuite(cp_infra, .timeout = 20);

Test(cp_infra, rtt_smoothing_rfc6298)
{
	struct cp_infra *in = make(1);
	struct sockaddr_storage a = v4("127.0.0.1", 53);
	struct cp_infra_info i;

	cp_infra_get(in, SA(a), 0, &i);
	cr_assert_not(i.known);
	cr_assert_eq(i.rto_ms, 376, "unknown servers start at 376 ms");
	cr_assert_eq(cp_infra_rtt(in, SA(a), 100000, 0), 0);
	cp_infra_get(in, SA(a), 0, &i);
	cr_assert(i.measured);
	cr_assert_eq(i.srtt_us, 100000);
	cr_assert_eq(i.rttvar_us, 50000);
	cr_assert_eq(i.rto_ms, 300); /* 100 + 4 * 50 */
	cr_assert_eq(cp_infra_rtt(in, SA(a), 20000, 1), 0);
	cp_infra_get(in, SA(a), 1, &i);
	cr_assert_eq(i.rttvar_us, (3 * 50000 + 80000) / 4); /* 57500 */
	cr_assert_eq(i.srtt_us, (7 * 100000 + 20000) / 8);   /* 90000 */
	cr_assert_eq(i.rto_ms, 320);
	/* Converges on a steady RTT, and the RTO never goes under the 50 ms floor. */
	for (int k = 0; k < 200; k++)
		cp_infra_rtt(in, SA(a), 1000, 2);
	cp_infra_get(in, SA(a), 2, &i);
	cr_assert_lt(i.srtt_us, 1100);
	cr_assert_eq(i.rto_ms, 50);
	cr_assert_eq(cp_infra_count(in), 1);
	cp_infra_destroy(in);
}

/* A timeout of a query sent with the server's current RTO (each one doubles it). */
static int
timeout_at_rto(struct cp_infra *in, const struct sockaddr *addr, uint64_t now)
{
	struct cp_infra_info i;

	cp_infra_get(in, addr, now, &i);
	return cp_infra_timeout(in, addr, i.rto_ms, now);
}

Test(cp_infra, timeouts_of_one_round_double_once)
{
	struct cp_infra *in = make(1);
	struct sockaddr_storage a = v4("127.0.0.1", 53);
	struct cp_infra_info i;
	uint64_t now = 1000;

	/* Ten queries left together with RTO 376 and all timed out: one doubling. */
	for (int k = 0; k < 10; k++)
		cr_assert_eq(cp_infra_timeout(in, SA(a), 376, now), 0);
	cp_infra_get(in, SA(a), now, &i);
	cr_assert_eq(i.rto_ms, 752);
	cr_assert_eq(i.timeouts, 10);
	cr_assert_not(i.backoff);
	/* The next round (sent with 752) doubles again. */
	cr_assert_eq(cp_infra_timeout(in, SA(a), 752, now + 800), 0);
	cp_infra_get(in, SA(a), now + 800, &i);
	cr_assert_eq(i.rto_ms, 1504);
	cp_infra_destroy(in);
}

Test(cp_infra, timeout_backoff_and_probe)
{
	struct cp_infra *in = make(1);
	struct sockaddr_storage a = v4("127.0.0.1", 53);
	struct sockaddr_storage b = v4("127.0.0.2", 53);
	struct sockaddr_storage c[2] = {a, b};
	struct cp_infra_info i;
	uint32_t prev = 376;
	uint64_t now = 1000;

	for (int k = 1; k <= 5; k++) {
		cr_assert_eq(timeout_at_rto(in, SA(a), now), 0);
		cp_infra_get(in, SA(a), now, &i);
		cr_assert_eq(i.rto_ms, prev * 2 > 12000 ? 12000 : prev * 2);
		cr_assert_eq(i.timeouts, (uint32_t)k);
		prev = i.rto_ms;
	}
	cp_infra_get(in, SA(a), now, &i);
	cr_assert_eq(i.rto_ms, 12000, "376 doubled 5 times is capped at 12 s");
	cr_assert(i.backoff);
	/* b is slow but up: a is skipped while in backoff. */
	cp_infra_rtt(in, SA(b), 900000, now);
	for (int k = 0; k < 50; k++)
		cr_assert_eq(cp_infra_select(in, c, 2, zone_com, now + 1), 1);
	/* Only a in backoff, nothing else: still chosen (all-excluded fallback). */
	cr_assert_eq(cp_infra_select(in, c, 1, zone_com, now + 1), 0);
	/* After the probe interval it is offered once, then blocked for another interval. */
	b = v4("127.0.0.3", 53);
	c[1] = b;
	timeout_at_rto(in, SA(b), now);
	for (int k = 0; k < 5; k++)
		timeout_at_rto(in, SA(b), now + 10000);
	cr_assert_eq(cp_infra_select(in, c, 2, zone_com, now + 12000), 0, "a's probe is due");
	/* b's probe falls due at 23000 while a, probed at 13000, waits until 25000. */
	cr_assert_eq(cp_infra_select(in, c, 2, zone_com, now + 22000), 1, "a probed; b is next");
	/* A reply ends backoff. */
	cp_infra_rtt(in, SA(a), 30000, now + 22100);
	cp_infra_get(in, SA(a), now + 22100, &i);
	cr_assert_not(i.backoff);
	cr_assert_eq(i.timeouts, 0);
	cr_assert_eq(i.rto_ms, 90);
	cp_infra_destroy(in);
}

Test(cp_infra, edns_state_and_host_ttl)
{
	struct cp_infra *in = make(1);
	struct sockaddr_storage a = v6("::1", 53);
	struct sockaddr_storage a_other_port = v6("::1", 5353);
	struct cp_infra_info i;

	cp_infra_get(in, SA(a), 0, &i);
	cr_assert_eq(i.edns, CP_INFRA_EDNS_UNKNOWN);
	cr_assert_eq(cp_infra_set_edns(in, SA(a), CP_INFRA_EDNS_NO, 0), 0);
	cp_infra_get(in, SA(a), 10, &i);
	cr_assert_eq(i.edns, CP_INFRA_EDNS_NO);
	cp_infra_get(in, SA(a_other_port), 10, &i);
	cr_assert_eq(i.edns, CP_INFRA_EDNS_UNKNOWN, "keyed by address and port");
	cp_infra_set_edns(in, SA(a), CP_INFRA_EDNS_YES, 20);
	cp_infra_get(in, SA(a), 20, &i);
	cr_assert_eq(i.edns, CP_INFRA_EDNS_YES);
	/* Forgotten after the host TTL (900 s) without updates. */
	cp_infra_get(in, SA(a), 20 + 900001, &i);
	cr_assert_not(i.known);
	cr_assert_eq(i.edns, CP_INFRA_EDNS_UNKNOWN);
	cr_assert_eq(cp_infra_set_edns(in, NULL, CP_INFRA_EDNS_YES, 0), -EAFNOSUPPORT);
	cp_infra_destroy(in);
}

Test(cp_infra, lame_marks_expire_per_zone)
{
	struct cp_infra *in = make(1);
	struct sockaddr_storage a = v4("127.0.0.1", 53);
	struct sockaddr_storage b = v4("127.0.0.2", 53);
	struct sockaddr_storage c[2] = {a, b};

	cr_assert_eq(cp_infra_set_lame(in, SA(a), zone_com, 1000, 0), 0);
	cr_assert(cp_infra_is_lame(in, SA(a), zone_com, 500));
	cr_assert(cp_infra_is_lame(in, SA(a), zone_COM, 500), "zone compared without case");
	cr_assert_not(cp_infra_is_lame(in, SA(a), zone_org, 500));
	cr_assert_not(cp_infra_is_lame(in, SA(b), zone_com, 500));
	/* a is faster, but lame for com: b is chosen for com, either for org. */
	cp_infra_rtt(in, SA(a), 1000, 1);
	cp_infra_rtt(in, SA(b), 900000, 1);
	for (int k = 0; k < 50; k++) {
		cr_assert_eq(cp_infra_select(in, c, 2, zone_com, 500), 1);
		cr_assert_eq(cp_infra_select(in, c, 2, zone_org, 500), 0);
	}
	cr_assert_not(cp_infra_is_lame(in, SA(a), zone_com, 1000), "expired");
	cr_assert_eq(cp_infra_select(in, c, 2, zone_com, 1000), 0);
	cr_assert_eq(cp_infra_set_lame(in, SA(a), (const uint8_t *)"\100", 1000, 0), -EINVAL);
	cp_infra_destroy(in);
}

Test(cp_infra, all_lame_fallback)
{
	struct cp_infra *in = make(7);
	struct sockaddr_storage c[3] = {v4("127.0.0.1", 53), v4("127.0.0.2", 53),
					v4("127.0.0.3", 53)};
	unsigned hits[3] = {0};

	for (int k = 0; k < 3; k++)
		cp_infra_set_lame(in, SA(c[k]), zone_com, 60000, 0);
	cp_infra_rtt(in, SA(c[0]), 5000000, 0); /* 5 s: out of the band */
	for (int k = 0; k < 300; k++) {
		int r = cp_infra_select(in, c, 3, zone_com, 10);

		cr_assert(r >= 0 && r < 3);
		hits[r]++;
	}
	cr_assert_eq(hits[0], 0, "best RTO within all-lame still wins");
	cr_assert_gt(hits[1], 0);
	cr_assert_gt(hits[2], 0);
	cr_assert_eq(cp_infra_select(in, c, 0, zone_com, 10), -EINVAL);
	cp_infra_destroy(in);
}

Test(cp_infra, selection_explores_within_band)
{
	struct sockaddr_storage c[4] = {v4("127.0.0.1", 53), v4("127.0.0.2", 53),
					v4("127.0.0.3", 53), v4("127.0.0.4", 53)};
	unsigned hits[4] = {0}, hits2[4] = {0};
	struct cp_infra *in = make(42), *in2 = make(42);

	/* RTOs: 0 -> 50 ms, 1 -> 300 ms, 2 -> 900 ms (out of band), 3 unknown (376 ms). */
	for (int k = 0; k < 20; k++) {
		cp_infra_rtt(in, SA(c[0]), 20000, 0);
		cp_infra_rtt(in2, SA(c[0]), 20000, 0);
	}
	cp_infra_rtt(in, SA(c[1]), 100000, 0);
	cp_infra_rtt(in2, SA(c[1]), 100000, 0);
	cp_infra_rtt(in, SA(c[2]), 300000, 0);
	cp_infra_rtt(in2, SA(c[2]), 300000, 0);
	for (int k = 0; k < 3000; k++) {
		hits[cp_infra_select(in, c, 4, zone_com, 1)]++;
		hits2[cp_infra_select(in2, c, 4, zone_com, 1)]++;
	}
	cr_assert_eq(memcmp(hits, hits2, sizeof(hits)), 0, "same seed, same choices");
	cr_assert_eq(hits[2], 0, "900 ms is more than 400 ms from the best");
	for (int k = 0; k < 4; k++)
		if (k != 2)
			cr_assert(hits[k] > 800 && hits[k] < 1200, "server %d: %u", k, hits[k]);
	/* Nothing within the band of a fast server: always that one. */
	struct cp_infra *in3 = make(3);

	for (int k = 0; k < 20; k++)
		cp_infra_rtt(in3, SA(c[0]), 10000, 0);
	for (int k = 1; k < 4; k++)
		cp_infra_rtt(in3, SA(c[k]), 600000, 0);
	for (int k = 0; k < 200; k++)
		cr_assert_eq(cp_infra_select(in3, c, 4, zone_com, 1), 0);
	cp_infra_destroy(in);
	cp_infra_destroy(in2);
	cp_infra_destroy(in3);
}

Test(cp_infra, lru_eviction_bounds_the_table)
{
	struct cp_infra_params p;
	struct cp_infra *in;
	struct cp_infra_info i;
	char ip[32];

	cp_infra_params_init(&p);
	p.max_servers = 4;
	p.seed = 1;
	in = cp_infra_create(&p);
	cr_assert_not_null(in);
	for (int k = 0; k < 10; k++) {
		struct sockaddr_storage a;

		snprintf(ip, sizeof(ip), "127.0.1.%d", k);
		a = v4(ip, 53);
		cr_assert_eq(cp_infra_rtt(in, SA(a), 1000 * (uint64_t)(k + 1), (uint64_t)k), 0);
	}
	cr_assert_eq(cp_infra_count(in), 4);
	struct sockaddr_storage old = v4("127.0.1.0", 53), last = v4("127.0.1.9", 53);

	cp_infra_get(in, SA(old), 10, &i);
	cr_assert_not(i.known);
	cp_infra_get(in, SA(last), 10, &i);
	cr_assert(i.known);
	cr_assert_eq(i.srtt_us, 10000);
	cp_infra_destroy(in);
}
