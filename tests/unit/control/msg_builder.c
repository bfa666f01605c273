/* SPDX-License-Identifier: BSD-3-Clause */
/* The DNS message builder shared by the control-plane tests (see msg_builder.h). */
#include <string.h>
#include <strings.h>
#include <stdio.h>

#include "dns_wire.h"
#include "msg_builder.h"

size_t
mb_wire(uint8_t *out, const char *text)
{
	size_t o = 0;

	while (*text != '\0' && strcmp(text, ".") != 0) {
		const char *dot = strchr(text, '.');
		size_t n = dot != NULL ? (size_t)(dot - text) : strlen(text);

		out[o++] = (uint8_t)n;
		memcpy(out + o, text, n);
		o += n;
		text += n + (dot != NULL);
	}
	out[o++] = 0;
	return o;
}

void
mb_put8(struct mb *m, uint8_t v)
{
	m->b[m->len++] = v;
}

void
mb_put16(struct mb *m, uint16_t v)
{
	mb_put8(m, (uint8_t)(v >> 8));
	mb_put8(m, (uint8_t)v);
}

void
mb_put32(struct mb *m, uint32_t v)
{
	mb_put16(m, (uint16_t)(v >> 16));
	mb_put16(m, (uint16_t)v);
}

void
mb_name(struct mb *m, const char *text)
{
	while (*text != '\0' && strcmp(text, ".") != 0) {
		const char *dot = strchr(text, '.');
		size_t n = dot != NULL ? (size_t)(dot - text) : strlen(text);

		for (unsigned i = 0; i < m->n_sfx; i++) {
			if (strcasecmp(m->sfx[i], text) == 0) {
				mb_put16(m, (uint16_t)(0xc000 | m->sfx_off[i]));
				return;
			}
		}
		/* A pointer reaches 14 bits only. */
		if (m->n_sfx < 64 && m->len < 0x3fff) {
			snprintf(m->sfx[m->n_sfx], sizeof(m->sfx[0]), "%s", text);
			m->sfx_off[m->n_sfx++] = m->len;
		}
		mb_put8(m, (uint8_t)n);
		memcpy(m->b + m->len, text, n);
		m->len += n;
		text += n + (dot != NULL);
	}
	mb_put8(m, 0);
}

static void
mb_counts(struct mb *m)
{
	for (unsigned s = 0; s < 3; s++) {
		m->b[6 + 2 * s] = (uint8_t)(m->count[s] >> 8);
		m->b[7 + 2 * s] = (uint8_t)m->count[s];
	}
}

void
mb_start(struct mb *m, uint16_t id, uint16_t flags, const char *qname, uint16_t qtype)
{
	memset(m, 0, sizeof(*m));
	mb_put16(m, id);
	mb_put16(m, flags);
	mb_put16(m, 1);
	mb_put16(m, 0);
	mb_put16(m, 0);
	mb_put16(m, 0);
	mb_name(m, qname);
	mb_put16(m, qtype);
	mb_put16(m, DNS_CLASS_IN);
}

size_t
mb_rr_begin(struct mb *m, const char *owner, uint16_t type, uint16_t rclass, uint32_t ttl)
{
	size_t at;

	mb_name(m, owner);
	mb_put16(m, type);
	mb_put16(m, rclass);
	mb_put32(m, ttl);
	at = m->len;
	mb_put16(m, 0);
	m->count[m->sec]++;
	mb_counts(m);
	return at;
}

void
mb_end_rr(struct mb *m, size_t at)
{
	size_t n = m->len - at - 2;

	m->b[at] = (uint8_t)(n >> 8);
	m->b[at + 1] = (uint8_t)n;
}
