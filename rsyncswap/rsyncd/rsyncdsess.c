/*
 * Session table: max_open session slots (allocated once, a free list) and an
 * open-addressing index pid -> slot (linear probing, backward-shift
 * deletion, at most half full), so a line costs O(1) whatever the log size.
 * Open slots are also on a list from least to most recently seen, so
 * evicting the least recent one is O(1) too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rsyncswap/rsyncd/rsyncdsess.h"

#define EMPTY	UINT32_MAX

struct slot {
	struct rsyncd_session	s;
	uint32_t		next;	/* free list; open: the LRU list */
	uint32_t		prev;	/* open: the LRU list */
};

struct rsyncd_sessions {
	struct slot		*slots;
	size_t			 max;
	uint32_t		 free;
	uint32_t		*index;	/* slot numbers, EMPTY = unused */
	size_t			 mask;	/* index size - 1 */
	uint32_t		 lru, mru;	/* open slots' list ends */
	rsyncd_session_cb	 cb;
	void			*arg;
	struct rsyncd_sessions_stats st;
};

struct rsyncd_sessions *
rsyncd_sessions_new(size_t max_open, rsyncd_session_cb cb, void *arg)
{
	struct rsyncd_sessions	*t;
	size_t			 n = 2, i;

	if (max_open == 0)
		max_open = RSYNCD_SESSIONS_MAX;
	if (max_open > UINT32_MAX / 4)
		return NULL;
	while (n < 2 * max_open)
		n *= 2;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->slots = calloc(max_open, sizeof(*t->slots))) == NULL ||
	    (t->index = malloc(n * sizeof(*t->index))) == NULL) {
		rsyncd_sessions_free(t);
		return NULL;
	}
	for (i = 0; i < n; i++)
		t->index[i] = EMPTY;
	for (i = 0; i < max_open; i++)
		t->slots[i].next = i + 1 < max_open ? (uint32_t)(i + 1) : EMPTY;
	t->max = max_open;
	t->mask = n - 1;
	t->lru = t->mru = EMPTY;
	t->cb = cb;
	t->arg = arg;
	return t;
}

void
rsyncd_sessions_free(struct rsyncd_sessions *t)
{
	if (t == NULL)
		return;
	free(t->slots);
	free(t->index);
	free(t);
}

static size_t
hash(long pid, size_t mask)
{
	return ((unsigned long)pid * 2654435761UL) & mask;
}

/* Returns the index position of pid, or that of the empty slot ending its probe. */
static size_t
find_pos(const struct rsyncd_sessions *t, long pid)
{
	size_t	i = hash(pid, t->mask);

	while (t->index[i] != EMPTY && t->slots[t->index[i]].s.pid != pid)
		i = (i + 1) & t->mask;
	return i;
}

/* Removes index position i, shifting back later entries of its cluster. */
static void
index_delete(struct rsyncd_sessions *t, size_t i)
{
	size_t	j = i, home;

	for (;;) {
		t->index[i] = EMPTY;
		for (;;) {
			j = (j + 1) & t->mask;
			if (t->index[j] == EMPTY)
				return;
			home = hash(t->slots[t->index[j]].s.pid, t->mask);
			/* Stays unless its home lies cyclically in (i, j]. */
			if (i <= j ? (home <= i || home > j) :
			    (home <= i && home > j))
				break;
		}
		t->index[i] = t->index[j];
		i = j;
	}
}

/* Takes slot k off the LRU list. */
static void
lru_unlink(struct rsyncd_sessions *t, uint32_t k)
{
	struct slot *sl = &t->slots[k];

	if (sl->prev != EMPTY)
		t->slots[sl->prev].next = sl->next;
	else
		t->lru = sl->next;
	if (sl->next != EMPTY)
		t->slots[sl->next].prev = sl->prev;
	else
		t->mru = sl->prev;
}

/* Puts slot k at the most recent end of the LRU list. */
static void
lru_append(struct rsyncd_sessions *t, uint32_t k)
{
	t->slots[k].prev = t->mru;
	t->slots[k].next = EMPTY;
	if (t->mru != EMPTY)
		t->slots[t->mru].next = k;
	else
		t->lru = k;
	t->mru = k;
}

/* Completes the session at index position pos with outcome: callback, free. */
static void
complete(struct rsyncd_sessions *t, size_t pos, enum rsyncd_outcome outcome)
{
	uint32_t	k = t->index[pos];

	t->slots[k].s.outcome = outcome;
	if (t->cb != NULL)
		t->cb(&t->slots[k].s, t->arg);
	t->st.completed++;
	t->st.open--;
	index_delete(t, pos);
	lru_unlink(t, k);
	t->slots[k].next = t->free;
	t->free = k;
}

/* Evicts the open session seen least recently: the head of the list. */
static void
evict_one(struct rsyncd_sessions *t)
{
	t->st.evicted++;
	complete(t, find_pos(t, t->slots[t->lru].s.pid), RSYNCD_SESS_EVICTED);
}

/* Opens a session for pid in a free slot; returns its index position. */
static size_t
open_session(struct rsyncd_sessions *t, long pid)
{
	struct rsyncd_session	*s;
	size_t			 pos;
	uint32_t		 k;

	k = t->free;
	t->free = t->slots[k].next;
	s = &t->slots[k].s;
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	s->error_code = -1;
	pos = find_pos(t, pid);
	t->index[pos] = k;
	lru_append(t, k);
	t->st.open++;
	return pos;
}

/* Copies the client and module of line into s where the line has them. */
static void
take_names(struct rsyncd_session *s, const struct rsyncd_line *l)
{
	if (l->module[0] != '\0')
		memcpy(s->module, l->module, sizeof(s->module));
	if (l->ip[0] != '\0') {
		memcpy(s->host, l->host, sizeof(s->host));
		memcpy(s->ip, l->ip, sizeof(s->ip));
	}
}

int
rsyncd_sessions_add(struct rsyncd_sessions *t, const struct rsyncd_line *l)
{
	struct rsyncd_session	*s;
	size_t			 pos;
	int			 done = 0;

	pos = find_pos(t, l->pid);
	if (t->index[pos] != EMPTY && l->kind == RSYNCD_CONNECT) {
		t->st.lost++;
		complete(t, pos, RSYNCD_SESS_LOST);
		done++;
		pos = find_pos(t, l->pid);
	}
	if (t->index[pos] == EMPTY) {
		if (l->kind == RSYNCD_END)
			t->st.orphans++;
		if (l->kind == RSYNCD_END || l->kind == RSYNCD_ERROR ||
		    l->kind == RSYNCD_OTHER)
			return done;
		if (t->free == EMPTY) {
			evict_one(t);
			done++;
		}
		pos = open_session(t, l->pid);
	}
	s = &t->slots[t->index[pos]].s;
	/* Seen now: the most recent end. */
	if (t->mru != t->index[pos]) {
		lru_unlink(t, t->index[pos]);
		lru_append(t, t->index[pos]);
	}
	s->last = l->time;
	take_names(s, l);
	switch (l->kind) {
	case RSYNCD_CONNECT:
		s->connected = l->time;
		break;
	case RSYNCD_START:
		s->started = l->time;
		break;
	case RSYNCD_VANISHED_FILE:
	case RSYNCD_VANISHED_DIR:
		if (s->vanished_files + s->vanished_dirs == 0)
			memcpy(s->first_vanished, l->path,
			    sizeof(s->first_vanished));
		if (l->kind == RSYNCD_VANISHED_FILE)
			s->vanished_files++;
		else
			s->vanished_dirs++;
		break;
	case RSYNCD_ERROR:
		s->error_code = l->number;
		break;
	case RSYNCD_END:
		s->sent = l->sent;
		s->received = l->received;
		s->total = l->total;
		s->ended = l->time;
		complete(t, pos, RSYNCD_SESS_END);
		return done + 1;
	case RSYNCD_MAXCONN:
		s->ended = l->time;
		complete(t, pos, RSYNCD_SESS_REFUSED);
		return done + 1;
	case RSYNCD_NOXFER:
		s->ended = l->time;
		complete(t, pos, RSYNCD_SESS_NOXFER);
		return done + 1;
	case RSYNCD_ACCESS:
	case RSYNCD_OTHER:
		break;
	}
	return done;
}

size_t
rsyncd_sessions_flush(struct rsyncd_sessions *t, long long before)
{
	size_t	i, n = 0;

	for (i = 0; i <= t->mask; ) {
		/* A deletion shifts a later entry into i: look at i again. */
		if (t->index[i] != EMPTY && (before == 0 ||
		    t->slots[t->index[i]].s.last < before)) {
			complete(t, i, RSYNCD_SESS_OPEN);
			n++;
			continue;
		}
		i++;
	}
	return n;
}

void
rsyncd_sessions_stats(const struct rsyncd_sessions *t,
    struct rsyncd_sessions_stats *st)
{
	*st = t->st;
}

const char *
rsyncd_outcome_name(enum rsyncd_outcome o)
{
	switch (o) {
	case RSYNCD_SESS_END:		return "end";
	case RSYNCD_SESS_REFUSED:	return "refused";
	case RSYNCD_SESS_NOXFER:	return "no-transfer";
	case RSYNCD_SESS_LOST:		return "lost";
	case RSYNCD_SESS_EVICTED:	return "evicted";
	case RSYNCD_SESS_OPEN:		return "open";
	}
	return "?";
}
