/* SPDX-License-Identifier: BSD-3-Clause */
/* Blobs and fill messages from the control thread to the workers, with per-worker backlogs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "cp_push.h"

/* Blobs carry a list link the workers never see, ahead of the shared part. */
struct blob_node {
	struct blob_node *next;
	struct dp_blob blob;
};

/* A FIFO of fills in a ring buffer. */
struct backlog {
	unsigned head;
	unsigned len;
	struct dp_fill *slots;
};

struct cp_push {
	unsigned n_workers;
	unsigned max_backlog;
	struct rte_ring **rings;
	struct backlog *backlogs;
	struct blob_node *blobs;
	struct cp_push_stats stats;
};

struct cp_push *
cp_push_create(unsigned n_workers, struct rte_ring *const *fill_rings, unsigned max_backlog)
{
	struct cp_push *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->n_workers = n_workers;
	p->max_backlog = max_backlog;
	p->rings = calloc(n_workers, sizeof(*p->rings));
	p->backlogs = calloc(n_workers, sizeof(*p->backlogs));
	if (p->rings == NULL || p->backlogs == NULL) {
		cp_push_destroy(p);
		return NULL;
	}
	memcpy(p->rings, fill_rings, n_workers * sizeof(*p->rings));
	return p;
}

void
cp_push_destroy(struct cp_push *p)
{
	if (p == NULL)
		return;
	while (p->blobs != NULL) {
		struct blob_node *n = p->blobs;
		p->blobs = n->next;
		free(n);
	}
	for (unsigned i = 0; p->backlogs != NULL && i < p->n_workers; i++)
		free(p->backlogs[i].slots);
	free(p->backlogs);
	free(p->rings);
	free(p);
}

struct dp_blob *
cp_push_blob(struct cp_push *p, const struct dns_key *key, const struct dns_template *t,
	     uint32_t ttl)
{
	struct blob_node *n = malloc(sizeof(*n) + t->total_len);

	if (n == NULL)
		return NULL;
	atomic_init(&n->blob.refs, 0);
	n->blob.ttl = ttl;
	n->blob.key = *key;
	n->blob.tmpl_len = t->total_len;
	n->blob.flags = 0;
	n->blob.pad = 0;
	memcpy(n->blob.tmpl, t, t->total_len);
	n->next = p->blobs;
	p->blobs = n;
	p->stats.blobs_made++;
	p->stats.blobs_live++;
	return &n->blob;
}

static int
backlog_push(struct cp_push *p, struct backlog *b, const struct dp_fill *f)
{
	if (b->slots == NULL) {
		b->slots = malloc((size_t)p->max_backlog * sizeof(*b->slots));
		if (b->slots == NULL)
			return -ENOMEM;
	}
	if (b->len >= p->max_backlog)
		return -ENOBUFS;
	b->slots[(b->head + b->len) % p->max_backlog] = *f;
	b->len++;
	return 0;
}

/* Move as much of worker @p i's backlog to its ring as fits. @return fills still waiting. */
static unsigned
backlog_drain(struct cp_push *p, unsigned i)
{
	struct backlog *b = &p->backlogs[i];

	while (b->len > 0) {
		if (rte_ring_sp_enqueue_elem(p->rings[i], &b->slots[b->head], sizeof(struct dp_fill)) != 0)
			break;
		b->head = (b->head + 1) % p->max_backlog;
		b->len--;
		p->stats.fills++;
	}
	return b->len;
}

int
cp_push_fill(struct cp_push *p, unsigned worker, const struct dp_fill *f)
{
	struct backlog *b = &p->backlogs[worker];
	int rc;

	if (f->blob != NULL)
		atomic_fetch_add_explicit(&f->blob->refs, 1, memory_order_relaxed);
	/* Keep order: nothing overtakes what already waits. */
	if (backlog_drain(p, worker) == 0 &&
	    rte_ring_sp_enqueue_elem(p->rings[worker], (void *)(uintptr_t)f, sizeof(*f)) == 0) {
		p->stats.fills++;
		return 0;
	}
	rc = backlog_push(p, b, f);
	if (rc == 0) {
		p->stats.backlogged++;
		return 0;
	}
	if (f->blob != NULL)
		dp_blob_release(f->blob);
	p->stats.dropped++;
	return -ENOBUFS;
}

void
cp_push_tick(struct cp_push *p)
{
	struct blob_node **pp = &p->blobs;

	for (unsigned i = 0; i < p->n_workers; i++)
		(void)backlog_drain(p, i);
	while (*pp != NULL) {
		struct blob_node *n = *pp;
		if (atomic_load_explicit(&n->blob.refs, memory_order_acquire) == 0) {
			*pp = n->next;
			free(n);
			p->stats.blobs_live--;
		} else {
			pp = &n->next;
		}
	}
}

unsigned
cp_push_backlog(const struct cp_push *p)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->n_workers; i++)
		n += p->backlogs[i].len;
	return n;
}

void
cp_push_get_stats(const struct cp_push *p, struct cp_push_stats *s)
{
	*s = p->stats;
}
