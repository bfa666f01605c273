/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Presentation format (RFC 1035 5.1) for logs, dumps, the control socket and
 * tests: names, types, classes and rcodes to text and back. Built on libknot;
 * never on the hot path.
 */
#ifndef DNS_PRESENT_H
#define DNS_PRESENT_H

#include <stddef.h>
#include <stdint.h>

#include "dns_wire.h"

/* Room for any name in text form: 255 octets, each up to "\DDD". */
#define DNS_NAME_TEXT_MAX (4 * DNS_NAME_MAXLEN + 1)

/**
 * Write the valid uncompressed name @p name as text ("www.example.com.", "." for
 * the root; special octets escaped as \DDD or \c) into @p out.
 * @return the text's length, or -EINVAL (bad name) / -ENOSPC (@p cap too small).
 */
int dns_name_to_text(const uint8_t *name, char *out, size_t cap);

/**
 * Parse @p text ("example.com" or "example.com."; both are absolute, escapes
 * allowed) into wire form at @p out (@p cap bytes, 255 is always enough).
 * @return the wire length, or -EINVAL for text that is no valid name.
 */
int dns_name_from_text(const char *text, uint8_t *out, size_t cap);

/** Type mnemonic ("A", "AAAA", "TYPE65280") into @p out. @return length or -ENOSPC. */
int dns_type_to_text(uint16_t type, char *out, size_t cap);

/** Parse a type mnemonic or "TYPEnnn", any case. @return 0 or -EINVAL. */
int dns_type_from_text(const char *text, uint16_t *type);

/** Class mnemonic ("IN", "CH", "CLASS7") into @p out. @return length or -ENOSPC. */
int dns_class_to_text(uint16_t rclass, char *out, size_t cap);

/** Parse a class mnemonic or "CLASSnnn", any case. @return 0 or -EINVAL. */
int dns_class_from_text(const char *text, uint16_t *rclass);

/** Rcode mnemonic ("NOERROR", "NXDOMAIN", "BADVERS"); "RCODEnnn" for others. Static storage
 *  for known codes; for unknown ones a thread-local buffer overwritten by the next call. */
const char *dns_rcode_to_text(uint16_t rcode);

#endif /* DNS_PRESENT_H */
