/* SPDX-License-Identifier: BSD-3-Clause */
/* The scripted network of the iterator's unit tests (scripted_net.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <criterion/criterion.h>

#include "dns_name.h"
#include "msg_builder.h"
#include "msg_spec.h"
#include "scripted_net.h"

struct sn_state sn;

static int
sn_query_fn(void *ctx, const struct cp_upq_params *p, cp_upq_done_fn cb, void *arg, void **handle)
{
	struct sn_query *q;

	(void)ctx;
	if (sn.n == SN_MAX_Q)
		return -EBUSY;
	q = &sn.q[sn.n++];
	q->p = *p;
	memcpy(q->name, p->qname, dns_name_length(p->qname));
	q->p.qname = q->name;
	q->cb = cb;
	q->arg = arg;
	q->live = true;
	*handle = q;
	return 0;
}

static void
sn_cancel_fn(void *ctx, void *handle)
{
	struct sn_query *q = handle;

	(void)ctx;
	cr_assert(q->live, "cancel of a finished query");
	q->live = false;
	sn.cancels++;
}

static const struct cp_net_ops sn_ops = { .query = sn_query_fn, .cancel = sn_cancel_fn };

void
sn_reset(uint64_t now_ms)
{
	memset(&sn, 0, sizeof(sn));
	sn.now_ms = now_ms;
}

void
sn_world(const struct sn_line *lines, size_t n)
{
	cr_assert_leq(n, SN_MAX_LINES);
	sn.lines = lines;
	sn.n_lines = n;
}

struct cp_net
sn_net(void)
{
	return (struct cp_net){ .ops = &sn_ops, .ctx = NULL };
}

uint64_t
sn_now_ms(void *ctx)
{
	(void)ctx;
	return sn.now_ms;
}

const char *
sn_server_of(unsigned i)
{
	static char buf[INET_ADDRSTRLEN];
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&sn.q[i].p.server;

	return inet_ntop(AF_INET, &s4->sin_addr, buf, sizeof(buf));
}

static bool
line_matches(const struct sn_line *l, const char *srv, const char *qname, uint16_t qtype)
{
	if (strcmp(l->server, srv) != 0 || (l->qtype != 0 && l->qtype != qtype))
		return false;
	if (l->qname == NULL)
		return true;
	if (strncmp(l->qname, "*.", 2) == 0) {
		size_t zl = strlen(l->qname + 2), nl = strlen(qname);

		return nl > zl && strcasecmp(qname + nl - zl, l->qname + 2) == 0 &&
		       qname[nl - zl - 1] == '.';
	}
	return strcasecmp(l->qname, qname) == 0;
}

bool
sn_pump_one(void)
{
	struct cp_upq_result r = { 0 };
	const struct sn_line *l = NULL;
	struct sn_query *q = NULL;
	char qname[300];
	bool silent;
	size_t k;
	struct mb m;

	for (; sn.next < sn.n; sn.next++) {
		if (sn.q[sn.next].live) {
			q = &sn.q[sn.next];
			break;
		}
	}
	if (q == NULL)
		return false;
	ms_text_of(q->name, qname);
	for (k = 0; k < sn.n_lines && l == NULL; k++)
		if (line_matches(&sn.lines[k], sn_server_of(sn.next), qname, q->p.qtype))
			l = &sn.lines[k];
	q->live = false;
	silent = l == NULL || l->act == SN_SILENT ||
	         (l->act == SN_SILENT_ONCE && sn.hits[k - 1] == 0);
	if (l != NULL)
		sn.hits[k - 1]++;
	if (silent) {
		sn.unscripted += l == NULL;
		sn.now_ms += q->p.timeout_ms;
		r.status = CP_UPQ_TIMEOUT;
	} else {
		mb_start(&m, (uint16_t)(0x2000 + sn.next), DNS_FLAG_QR | l->flags, qname,
		         q->p.qtype);
		if (l->rrs != NULL)
			ms_records(&m, qname, l->rrs);
		if (l->act == SN_GARBAGE)
			m.len -= 3;
		sn.now_ms += 10;
		r.status = CP_UPQ_OK;
		r.msg = m.b;
		r.len = (uint16_t)m.len;
		r.rtt_us = 10000;
	}
	q->cb(q->arg, &r);
	return true;
}

void
sn_pump(void)
{
	while (sn_pump_one())
		;
}

const char *
sn_asked(unsigned from)
{
	static char out[SN_MAX_Q * 16];
	size_t o = 0;

	out[0] = '\0';
	for (unsigned i = from; i < sn.n; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", o > 0 ? " " : "",
		                      sn_server_of(i));
	return out;
}
