/* SPDX-License-Identifier: BSD-3-Clause */
/* Local data as text: parsing (libzscanner), removing by text, listing, printing (libknot). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libknot/rrset-dump.h>
#include <libknot/rrset.h>
#include <libzscanner/scanner.h>

#include "cp_localdata_int.h"
#include "dns_name.h"
#include "dns_present.h"

/* What the parser hands out: copies, so the scanner can be reset at once. */
struct parse_buf {
	uint8_t owner[DNS_NAME_MAXLEN];
	uint8_t rdata[ZS_MAX_RDATA_LENGTH];
};

int
cp_localdata_parse(struct cp_localdata *ld, const char *text, struct cp_rr *rr, char *err,
                   size_t errlen)
{
	struct parse_buf *buf;
	zs_scanner_t *zs;
	const char *p = text, *end;
	int rc = 0;

	while (isspace((unsigned char)*p))
		p++;
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (end == p)
		return ld_say(err, errlen, "an empty record");
	if (*p == '$')
		return ld_say(err, errlen,
		              "zone-file directives ($TTL, $ORIGIN, $INCLUDE) are not"
		              " allowed here; give each record in full");
	if (ld->scanner == NULL) {
		ld->scanner = malloc(sizeof(zs_scanner_t) + sizeof(struct parse_buf));
		if (ld->scanner == NULL)
			return -ENOMEM;
	}
	zs = ld->scanner;
	buf = (struct parse_buf *)(zs + 1);
	/* A fresh scanner per record: it carries state ($TTL, last owner) between records. */
	if (zs_init(zs, ".", DNS_CLASS_IN, CP_LD_DEFAULT_TTL) != 0)
		return -ENOMEM;
	if (zs_set_input_string(zs, p, (size_t)(end - p)) != 0 || zs_parse_record(zs) != 0 ||
	    zs->state != ZS_STATE_DATA) {
		if (zs->state == ZS_STATE_INCLUDE)
			rc = ld_say(err, errlen, "zone-file directives are not allowed here");
		else if (zs->state == ZS_STATE_ERROR)
			rc = ld_say(err, errlen, "%s", zs_strerror(zs->error.code));
		else
			rc = ld_say(err, errlen,
			            "no record (owner, [TTL], [class], type and data)");
		goto out;
	}
	memcpy(buf->owner, zs->r_owner, zs->r_owner_length);
	memcpy(buf->rdata, zs->r_data, zs->r_data_length);
	rr->owner = buf->owner;
	rr->type = zs->r_type;
	rr->rclass = zs->r_class;
	rr->ttl = zs->r_ttl;
	rr->rdlen = (uint16_t)zs->r_data_length;
	rr->rdata = buf->rdata;
	if (zs_parse_record(zs) != 0 || zs->state != ZS_STATE_EOF)
		rc = ld_say(err, errlen, "more than one record; give one record per entry");
out:
	zs_deinit(zs);
	return rc;
}

int
cp_localdata_add_text(struct cp_localdata *ld, const char *text, char *err, size_t errlen)
{
	struct cp_rr rr;
	int rc = cp_localdata_parse(ld, text, &rr, err, errlen);

	return rc != 0 ? rc : cp_localdata_add(ld, &rr, err, errlen);
}

int
cp_localdata_remove_text(struct cp_localdata *ld, const char *text, char *err, size_t errlen)
{
	char tok[2][DNS_NAME_TEXT_MAX];
	uint8_t name[DNS_NAME_MAXLEN];
	uint16_t type = 0;
	struct cp_rr rr;
	int n = 0, rc;
	const char *p = text;

	/* One or two words: NAME [TYPE]. More: a whole record. */
	while (n <= 2) {
		size_t len;

		while (isspace((unsigned char)*p))
			p++;
		len = strcspn(p, " \t\r\n");
		if (len == 0)
			break;
		if (n < 2) {
			if (len >= sizeof(tok[0]))
				return ld_say(err, errlen, "a name is at most 255 octets");
			memcpy(tok[n], p, len);
			tok[n][len] = '\0';
		}
		n++;
		p += len;
	}
	if (n == 0)
		return ld_say(err, errlen, "give NAME, NAME TYPE or a whole record");
	if (n <= 2) {
		if (dns_name_from_text(tok[0], name, sizeof(name)) < 0)
			return ld_say(err, errlen, "\"%s\" is not a domain name", tok[0]);
		if (n == 2 && dns_type_from_text(tok[1], &type) != 0)
			return ld_say(err, errlen, "\"%s\" is not a record type", tok[1]);
		rc = cp_localdata_remove_name(ld, name, type);
	} else {
		rc = cp_localdata_parse(ld, text, &rr, err, errlen);
		if (rc != 0)
			return rc;
		rc = cp_localdata_remove(ld, &rr);
		if (rc == 0)
			rc = 1;
	}
	if (rc == -ENOENT)
		ld_say(err, errlen, "no such local data");
	return rc;
}

int
cp_localdata_foreach(const struct cp_localdata *ld, int (*cb)(const struct cp_rr *rr, void *arg),
                     void *arg)
{
	const struct ld_node *n;
	size_t pos = 0;
	int rc;

	while ((n = cp_nmap_next(&ld->nodes, &pos)) != NULL) {
		for (uint16_t i = 0; i < n->n_sets; i++) {
			const struct ld_rrset *s = &n->sets[i];

			for (uint16_t j = 0; j < s->n; j++) {
				struct cp_rr rr = { .owner = n->name,
					            .type = s->type,
					            .rclass = s->rclass,
					            .ttl = s->ttl,
					            .rdlen = s->rd[j].len,
					            .rdata = s->rd[j].data };

				rc = cb(&rr, arg);
				if (rc != 0)
					return rc;
			}
		}
	}
	return 0;
}

int
cp_rr_to_text(const struct cp_rr *rr, char *out, size_t cap)
{
	uint8_t owner[DNS_NAME_MAXLEN];
	knot_dump_style_t style = KNOT_DUMP_STYLE_DEFAULT;
	knot_rrset_t set;
	int len = dns_name_scan(rr->owner, DNS_NAME_MAXLEN, NULL), n, m, o = 0;

	if (len < 0 || !ld_rdata_valid(rr->type, rr->rdata, rr->rdlen))
		return -EINVAL;
	memcpy(owner, rr->owner, (size_t)len);
	knot_rrset_init(&set, owner, rr->type, rr->rclass, rr->ttl);
	if (knot_rrset_add_rdata(&set, rr->rdata, rr->rdlen, NULL) != 0)
		return -ENOMEM;
	style.show_class = true;
	n = knot_rrset_txt_dump_header(&set, rr->ttl, out, cap, &style);
	m = n < 0 ? -1 : knot_rrset_txt_dump_data(&set, 0, out + n, cap - (size_t)n, &style);
	knot_rdataset_clear(&set.rrs, NULL);
	if (n < 0 || m < 0)
		return -ENOSPC;
	/* libknot aligns header fields in columns; single spaces read as zone-file syntax. */
	for (int i = 0; i < n + m; i++) {
		bool sep = out[i] == ' ' || out[i] == '\t';

		if (i < n && sep && o > 0 && out[o - 1] == ' ')
			continue;
		out[o++] = i < n && sep ? ' ' : out[i];
	}
	out[o] = '\0';
	return o;
}
