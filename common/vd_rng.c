/* SPDX-License-Identifier: BSD-3-Clause */
/* Random bytes from a ChaCha20 keystream keyed from getrandom(2) (see vd_rng.h). */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

#include "vd_rng.h"

#define ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define QR(a, b, c, d)                                                                     \
	do {                                                                               \
		a += b; d ^= a; d = ROTL(d, 16);                                           \
		c += d; b ^= c; b = ROTL(b, 12);                                           \
		a += b; d ^= a; d = ROTL(d, 8);                                            \
		c += d; b ^= c; b = ROTL(b, 7);                                            \
	} while (0)

void
vd_chacha20_block(const uint32_t key[8], uint64_t ctr, uint8_t out[64])
{
	uint32_t in[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
	uint32_t x[16];

	memcpy(&in[4], key, 32);
	in[12] = (uint32_t)ctr;
	in[13] = (uint32_t)(ctr >> 32);
	memcpy(x, in, sizeof(x));
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++) {
		uint32_t v = x[i] + in[i];

		out[4 * i] = (uint8_t)v;
		out[4 * i + 1] = (uint8_t)(v >> 8);
		out[4 * i + 2] = (uint8_t)(v >> 16);
		out[4 * i + 3] = (uint8_t)(v >> 24);
	}
}

int
vd_rng_rekey(struct vd_rng *r)
{
	ssize_t n = getrandom(r->key, sizeof(r->key), 0);

	if (n != (ssize_t)sizeof(r->key))
		return n < 0 ? -errno : -EIO;
	r->blocks = 0;
	r->pos = sizeof(r->buf);
	return 0;
}

void
vd_rng_bytes(struct vd_rng *r, void *out, size_t n)
{
	uint8_t *o = out;

	while (n > 0) {
		size_t k;

		if (r->pos == sizeof(r->buf)) {
			/* A failed rekey keeps the old key: the counter still moves on. */
			if (r->blocks >= VD_RNG_REKEY_BLOCKS && vd_rng_rekey(r) != 0)
				r->blocks = 0;
			vd_chacha20_block(r->key, r->ctr++, r->buf);
			r->blocks++;
			r->pos = 0;
		}
		k = sizeof(r->buf) - r->pos;
		if (k > n)
			k = n;
		memcpy(o, r->buf + r->pos, k);
		memset(r->buf + r->pos, 0, k); /* used keystream is not kept */
		r->pos += (unsigned)k;
		o += k;
		n -= k;
	}
}
