/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Domain names in wire form (RFC 1035 3.1): a sequence of labels, each a length
 * octet (1..63) and that many octets, ended by the zero-length root label.
 * A whole name is at most 255 octets including every length octet and the root.
 *
 * Names handled here are uncompressed unless a function says otherwise. Octets
 * other than A-Z are kept as they are (DNS is 8-bit clean, RFC 2181 11); only
 * ASCII letters are folded for comparison and lookup keys (RFC 4343).
 */
#ifndef DNS_NAME_H
#define DNS_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_wire.h"

/* Errors of dns_name_scan(), each a distinct negative errno. */
#define DNS_NAME_ETRUNC  (-EMSGSIZE)     /* the buffer ends inside the name */
#define DNS_NAME_ETOOLONG (-ENAMETOOLONG) /* more than 255 octets */
#define DNS_NAME_EPTR    (-ELOOP)        /* a compression pointer where none may be */
#define DNS_NAME_ELABEL  (-EILSEQ)       /* label type 01 or 10 (RFC 6891 / obsolete) */

/** ASCII lower-case table: every octet maps to itself except A-Z. */
extern const uint8_t dns_lower_table[256];

static inline uint8_t
dns_lower(uint8_t c)
{
	return dns_lower_table[c];
}

/**
 * Validate an uncompressed name at @p p (at most @p avail bytes readable) and,
 * if @p lower is not NULL, copy it lower-cased to @p lower (255 bytes of room).
 * Pure function of its input; safe on any bytes.
 * @return the name's wire length (1..255), or one of the DNS_NAME_E* errors.
 */
int dns_name_scan(const uint8_t *p, size_t avail, uint8_t *lower);

/**
 * Read a possibly compressed name at offset @p pos of the message @p msg (length
 * @p msg_len) into @p out (255 bytes of room), lower-cased if @p fold is true.
 * Pointers must point strictly backwards, so loops cannot happen.
 * @param[out] wire_len bytes the name occupies at @p pos (up to its first pointer), may be NULL.
 * @return the uncompressed length written to @p out, or a DNS_NAME_E* error.
 */
int dns_name_unpack(const uint8_t *msg, size_t msg_len, size_t pos, uint8_t *out, bool fold,
		    size_t *wire_len);

/** Wire length of a name already known to be valid and uncompressed. */
size_t dns_name_length(const uint8_t *name);

/** Number of labels, the root not counted ("." is 0, "com." is 1). Name must be valid. */
unsigned dns_name_labels(const uint8_t *name);

/** Case-insensitive equality of two valid uncompressed names. */
bool dns_name_equal(const uint8_t *a, const uint8_t *b);

/**
 * True if @p name is @p zone or below it (case-insensitive, label-wise, so
 * "badexample.com." is not under "example.com."). Both valid and uncompressed.
 */
bool dns_name_in_zone(const uint8_t *name, const uint8_t *zone);

#endif /* DNS_NAME_H */
