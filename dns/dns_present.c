/* SPDX-License-Identifier: BSD-3-Clause */
/* Presentation format of names, types, classes and rcodes, delegated to libknot. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libknot/codes.h>
#include <libknot/descriptor.h>
#include <libknot/dname.h>
#include <libknot/lookup.h>

#include "dns_name.h"
#include "dns_present.h"

int
dns_name_to_text(const uint8_t *name, char *out, size_t cap)
{
	char buf[DNS_NAME_TEXT_MAX];
	size_t len;

	if (dns_name_scan(name, DNS_NAME_MAXLEN, NULL) < 0)
		return -EINVAL;
	if (knot_dname_to_str(buf, name, sizeof(buf)) == NULL)
		return -EINVAL;
	len = strlen(buf);
	if (len + 1 > cap)
		return -ENOSPC;
	memcpy(out, buf, len + 1);
	return (int)len;
}

int
dns_name_from_text(const char *text, uint8_t *out, size_t cap)
{
	uint8_t buf[DNS_NAME_MAXLEN];
	int len;

	/* libknot reads "" as the root; an empty name is no name at all. */
	if (text == NULL || text[0] == '\0')
		return -EINVAL;
	if (knot_dname_from_str(buf, text, sizeof(buf)) == NULL)
		return -EINVAL;
	len = dns_name_scan(buf, sizeof(buf), NULL);
	if (len < 0)
		return -EINVAL;
	if ((size_t)len > cap)
		return -ENOSPC;
	memcpy(out, buf, (size_t)len);
	return len;
}

int
dns_type_to_text(uint16_t type, char *out, size_t cap)
{
	int n = knot_rrtype_to_string(type, out, cap);

	return n < 0 ? -ENOSPC : n;
}

int
dns_type_from_text(const char *text, uint16_t *type)
{
	return knot_rrtype_from_string(text, type) == 0 ? 0 : -EINVAL;
}

int
dns_class_to_text(uint16_t rclass, char *out, size_t cap)
{
	int n = knot_rrclass_to_string(rclass, out, cap);

	return n < 0 ? -ENOSPC : n;
}

int
dns_class_from_text(const char *text, uint16_t *rclass)
{
	return knot_rrclass_from_string(text, rclass) == 0 ? 0 : -EINVAL;
}

/* The IANA mnemonics dig and the RFCs use; libknot spells a few differently ("NOTIMPL"). */
static const char *const rcode_names[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI",
};

const char *
dns_rcode_to_text(uint16_t rcode)
{
	static __thread char unknown[16];
	const knot_lookup_t *l;

	if (rcode < sizeof(rcode_names) / sizeof(rcode_names[0]))
		return rcode_names[rcode];
	l = knot_lookup_by_id(knot_rcode_names, rcode);
	if (l != NULL)
		return l->name;
	snprintf(unknown, sizeof(unknown), "RCODE%u", rcode);
	return unknown;
}
