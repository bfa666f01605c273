/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small DNS message builder for the control-plane tests (upstream responses for
 * cp_response and the iterator): header and question, RRs with names compressed
 * against every suffix written so far, counts kept in the header as RRs are added.
 */
#ifndef MSG_BUILDER_H
#define MSG_BUILDER_H

#include <stddef.h>
#include <stdint.h>

struct mb {
	uint8_t b[4096];
	size_t len;
	unsigned sec;        /* section the next RR goes to */
	uint16_t count[3];
	unsigned n_sfx;
	size_t sfx_off[64];  /* where an uncompressed suffix was written ... */
	char sfx[64][256];   /* ... and its text */
};

/** Presentation name ("a.b." or ".") to wire form into @p out; returns its length. */
size_t mb_wire(uint8_t *out, const char *text);

void mb_put8(struct mb *m, uint8_t v);
void mb_put16(struct mb *m, uint16_t v);
void mb_put32(struct mb *m, uint32_t v);

/** Write @p text compressed: the longest suffix already in the message becomes a pointer. */
void mb_name(struct mb *m, const char *text);

/** Header and question (class IN); the question name is spelt as given. Resets @p m. */
void mb_start(struct mb *m, uint16_t id, uint16_t flags, const char *qname, uint16_t qtype);

/** RR header in section m->sec, counted; returns the offset of RDLENGTH for mb_end_rr(). */
size_t mb_rr_begin(struct mb *m, const char *owner, uint16_t type, uint16_t rclass, uint32_t ttl);

/** Patch the RDLENGTH at @p at to what was written since. */
void mb_end_rr(struct mb *m, size_t at);

#endif /* MSG_BUILDER_H */
