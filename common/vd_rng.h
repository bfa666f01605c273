/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Random bytes for what an off-path attacker must not guess (upstream query IDs):
 * a ChaCha20 (RFC 8439) keystream whose key comes from getrandom(2) and is
 * replaced every VD_RNG_REKEY_BLOCKS blocks. Used keystream is wiped from the
 * buffer as it is handed out.
 *
 * Owner: whoever embeds the struct; no locking, one thread at a time.
 */
#ifndef VD_RNG_H
#define VD_RNG_H

#include <stddef.h>
#include <stdint.h>

#define VD_RNG_REKEY_BLOCKS 1024 /* 64 KiB of keystream per getrandom(2) key */

/* ChaCha20 (RFC 8439) as a keystream generator; the nonce stays zero, the key changes. */
struct vd_rng {
	uint32_t key[8];
	uint64_t ctr;
	uint32_t blocks; /* since the last rekey */
	unsigned pos;    /* next unused byte of buf; 64: empty */
	uint8_t buf[64];
};

/** One ChaCha20 block (64 bytes) for @p key, block counter @p ctr and a zero nonce. */
void vd_chacha20_block(const uint32_t key[8], uint64_t ctr, uint8_t out[64]);

/**
 * Take a new key from getrandom(2); also the first keying of a zeroed struct.
 * @return 0, or -errno (-EIO on a short read); the old key stays on failure.
 */
int vd_rng_rekey(struct vd_rng *r);

/** Fill @p out with @p n bytes of keystream (a failed periodic rekey keeps the old key). */
void vd_rng_bytes(struct vd_rng *r, void *out, size_t n);

#endif /* VD_RNG_H */
