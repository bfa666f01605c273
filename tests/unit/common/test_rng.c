/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the ChaCha20 random generator (common/vd_rng.c). */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "vd_rng.h"

/* RFC 8439 appendix A.1, test vectors #1 and #2: all-zero key and nonce. */
static const uint8_t zero_key_ctr0[64] = {
	0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5, 0x53,
	0x86, 0xbd, 0x28, 0xbd, 0xd2, 0x19, 0xb8, 0xa0, 0x8d, 0xed, 0x1a, 0xa8, 0x36,
	0xef, 0xcc, 0x8b, 0x77, 0x0d, 0xc7, 0xda, 0x41, 0x59, 0x7c, 0x51, 0x57, 0x48,
	0x8d, 0x77, 0x24, 0xe0, 0x3f, 0xb8, 0xd8, 0x4a, 0x37, 0x6a, 0x43, 0xb8, 0xf4,
	0x15, 0x18, 0xa1, 0x1c, 0xc3, 0x87, 0xb6, 0x69, 0xb2, 0xee, 0x65, 0x86,
};
static const uint8_t zero_key_ctr1[64] = {
	0x9f, 0x07, 0xe7, 0xbe, 0x55, 0x51, 0x38, 0x7a, 0x98, 0xba, 0x97, 0x7c, 0x73,
	0x2d, 0x08, 0x0d, 0xcb, 0x0f, 0x29, 0xa0, 0x48, 0xe3, 0x65, 0x69, 0x12, 0xc6,
	0x53, 0x3e, 0x32, 0xee, 0x7a, 0xed, 0x29, 0xb7, 0x21, 0x76, 0x9c, 0xe6, 0x4e,
	0x43, 0xd5, 0x71, 0x33, 0xb0, 0x74, 0xd8, 0x39, 0xd5, 0x31, 0xed, 0x1f, 0x28,
	0x51, 0x0a, 0xfb, 0x45, 0xac, 0xe1, 0x0a, 0x1f, 0x4b, 0x79, 0x4d, 0x6f,
};

/*
 * Key 00 01 .. 1f, block counter 0x100000001: the counter's high half lands in
 * state word 13 (the first nonce word of RFC 8439's layout). Reference output from
 * `openssl enc -chacha20 -iv 01000000010000000000000000000000`.
 */
static const uint8_t seq_key_ctr_2_32_plus_1[64] = {
	0x94, 0x3f, 0x7b, 0xee, 0xc4, 0xe3, 0x9c, 0x2a, 0x77, 0x5b, 0xd3, 0xf3, 0x6d,
	0x3f, 0xdd, 0x5b, 0x21, 0xb8, 0xf0, 0xd8, 0x2d, 0xf9, 0xd9, 0x3d, 0x95, 0x40,
	0xf7, 0x59, 0x17, 0xa1, 0x11, 0xcd, 0x61, 0xae, 0x5c, 0x26, 0x40, 0x87, 0x63,
	0x29, 0x3b, 0x13, 0x85, 0xd2, 0x02, 0xb6, 0x2e, 0x10, 0x40, 0x1f, 0x7d, 0x9b,
	0xf1, 0x12, 0x40, 0x2d, 0x67, 0xfc, 0x4a, 0x53, 0x62, 0x34, 0xd7, 0x5a,
};

static const uint8_t empty_buf[64];

/* A generator with the all-zero key at counter 0, as vd_rng_rekey() leaves it. */
static void
zero_rng(struct vd_rng *r)
{
	memset(r, 0, sizeof(*r));
	r->pos = sizeof(r->buf);
}

Test(rng, chacha20_block_rfc8439_vectors)
{
	uint32_t key[8] = {0};
	uint8_t out[64];
	uint8_t kb[32];

	vd_chacha20_block(key, 0, out);
	cr_assert_arr_eq(out, zero_key_ctr0, sizeof(out));
	vd_chacha20_block(key, 1, out);
	cr_assert_arr_eq(out, zero_key_ctr1, sizeof(out));

	for (unsigned i = 0; i < sizeof(kb); i++)
		kb[i] = (uint8_t)i;
	memcpy(key, kb, sizeof(key)); /* the key words are little-endian loads, as on x86 */
	vd_chacha20_block(key, 0x100000001ull, out);
	cr_assert_arr_eq(out, seq_key_ctr_2_32_plus_1, sizeof(out));
}

Test(rng, bytes_are_the_keystream_in_order_and_wiped)
{
	struct vd_rng r;
	uint8_t out[128];

	zero_rng(&r);
	/* Uneven pieces, across the block boundary. */
	vd_rng_bytes(&r, out, 1);
	vd_rng_bytes(&r, out + 1, 62);
	vd_rng_bytes(&r, out + 63, 2);
	vd_rng_bytes(&r, out + 65, 63);
	cr_assert_arr_eq(out, zero_key_ctr0, 64);
	cr_assert_arr_eq(out + 64, zero_key_ctr1, 64);
	cr_assert_eq(r.ctr, 2);
	cr_assert_eq(r.blocks, 2);
	cr_assert_eq(r.pos, 64);
	cr_assert_arr_eq(r.buf, empty_buf, sizeof(r.buf), "handed-out keystream is kept");
}

Test(rng, rekey_takes_a_fresh_key)
{
	struct vd_rng r;
	uint32_t first[8];

	zero_rng(&r);
	r.blocks = 7;
	r.pos = 3;
	cr_assert_eq(vd_rng_rekey(&r), 0);
	cr_assert_eq(r.blocks, 0);
	cr_assert_eq(r.pos, sizeof(r.buf));
	memcpy(first, r.key, sizeof(first));
	cr_assert_eq(vd_rng_rekey(&r), 0);
	/* Equal 256-bit keys from getrandom(2) would mean it is not random at all. */
	cr_assert_neq(memcmp(first, r.key, sizeof(first)), 0);
}

Test(rng, rekeys_after_the_block_budget)
{
	static const uint32_t zero_key[8];
	struct vd_rng r;
	uint8_t out[64];

	zero_rng(&r);
	r.blocks = VD_RNG_REKEY_BLOCKS - 1;
	vd_rng_bytes(&r, out, sizeof(out)); /* the last block of this key */
	cr_assert_arr_eq(out, zero_key_ctr0, sizeof(out));
	cr_assert_arr_eq(r.key, zero_key, sizeof(r.key));
	cr_assert_eq(r.blocks, VD_RNG_REKEY_BLOCKS);

	vd_rng_bytes(&r, out, 1); /* needs a block: rekeys first */
	cr_assert_neq(memcmp(r.key, zero_key, sizeof(zero_key)), 0);
	cr_assert_eq(r.blocks, 1);
	cr_assert_eq(r.ctr, 2, "the counter carries on across a rekey");
}
