/* SPDX-License-Identifier: MIT */
/* The Sparkplug B host's I/O (the decoder and state machine are
 * lib/sparkplug.c): the births file and the NCMD rebirth request. The births
 * file is a log of spool records (enertrack/spoolrec.h, replayed by
 * lib/spbirths.c): each save appends what changed since the last one (a
 * birth, or a death: a birth's topic without payload) and fdatasyncs; a
 * crash tears at most the last record, which the load steps over. When the
 * log outgrows its bound, the live births are written to a new file that
 * replaces it by rename. All of it on libuv's thread pool, never on the
 * loop. */
#include "sphost.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/clock.h"
#include "enertrack/buf.h"
#include "enertrack/log.h"
#include "enertrack/spbirths.h"
#include "enertrack/spoolrec.h"

/* Gives one birth of the file to the host, in restore mode. */
static int on_load_birth(void *ctx, const et_spool_rec_t *r)
{
	et_sp_host_t *h = ctx;
	et_sp_limits_t lim = {0};
	et_sp_sink_t none = {0};
	if (et_sp_host_message(h, r->topic, r->topic_len, r->payload, r->payload_len, r->recv_us,
			       r->recv_us, &lim, true, &none) < 0)
		return -ENOMEM;
	return 0;
}

int et_sphost_births_load(et_sp_host_t *h, const char *dir, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, ET_SP_BIRTHS_FILE);
	err[0] = '\0';
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	et_buf_t b = ET_BUF_INIT;
	char chunk[65536];
	size_t n;
	int rc = 0;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (et_buf_append(&b, chunk, n)) {
			rc = -ENOMEM;
			break;
		}
	}
	fclose(f);
	et_spb_replay_t st = {0};
	if (!rc)
		rc = et_spbirths_replay((const uint8_t *)b.data, b.len, on_load_birth, h, &st);
	et_sp_host_births_changed(h); /* what was loaded is what the file says */
	if (rc >= 0 && st.stop != ET_SPR_OK)
		/* a crash during an append tears its last record: that record
		 * alone is lost, its nodes will be asked for a rebirth; the
		 * first save compacts the file, so the tail goes */
		snprintf(err, errlen,
			 "%s: %zu bytes after byte %zu skipped (%s); the %zu records before "
			 "them are taken",
			 path, b.len - st.good_bytes, st.good_bytes, et_spool_parse_name(st.stop),
			 st.records);
	et_buf_free(&b);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory reading %s", path);
	return rc;
}

/* Records gathered into writev calls: up to WB_RECS records a call, each
 * a header, its topic and its payload (none for a death). */
#define WB_RECS 64
typedef struct wbuf {
	int fd;
	int n, rc;
	uint64_t bytes;
	struct iovec iov[3 * WB_RECS];
	uint8_t hdr[WB_RECS][ET_SPOOL_HDR];
} wbuf_t;

/* writev of all of iov (n of them, consumed as written); 0 or a negative
 * errno. */
static int writev_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (; n > 0 && (size_t)w >= iov->iov_len; iov++, n--)
			w -= (ssize_t)iov->iov_len;
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static void wb_flush(wbuf_t *w)
{
	int niov = 0;
	for (int i = 0; i < w->n; i++)
		for (int k = 0; k < 3; k++)
			if (w->iov[3 * i + k].iov_len)
				w->iov[niov++] = w->iov[3 * i + k];
	if (!w->rc && niov)
		w->rc = writev_all(w->fd, w->iov, niov);
	w->n = 0;
}

static void wb_put(wbuf_t *w, uint64_t seq, const char *topic, size_t tl, const void *payload,
		   size_t len)
{
	if (w->n == WB_RECS)
		wb_flush(w);
	uint8_t *hdr = w->hdr[w->n];
	et_spool_rec_header(hdr, seq, 0, topic, (uint32_t)tl, payload, (uint32_t)len);
	struct iovec *v = &w->iov[3 * w->n++];
	v[0] = (struct iovec){hdr, ET_SPOOL_HDR};
	v[1] = (struct iovec){(void *)topic, tl};
	v[2] = (struct iovec){(void *)payload, len};
	w->bytes += ET_SPOOL_HDR + tl + len;
}

/* Bytes written to the file. */
typedef struct saver_stats {
	uint64_t appended_bytes, appends;
	uint64_t compacted_bytes, compactions;
	uint64_t written_bytes; /* both, and what a failed save wrote */
	uint64_t file_bytes;
} saver_stats_t;

/* A birth the last save wrote: its serial and a copy of its topic (no
 * reference is kept, so a replaced birth is freed at once). */
typedef struct saved {
	uint64_t serial;
	char *topic;
	size_t tl;
	bool dead; /* gone from the births: a death record is due */
} saved_t;

/* A birth of this save, in the host's order (an NBIRTH, then its DBIRTHs). */
typedef struct cur {
	uint64_t serial;
	const char *topic;
	size_t tl;
	const void *payload;
	size_t len;
	bool write;
} cur_t;

/* The saver: one save at a time on libuv's thread pool; a request while
 * one runs is remembered and made when it ends, with the births as they
 * are then. The loop only takes references on the births (a pointer a
 * birth): what changed, the bytes, the CRCs, the write and the fdatasync
 * are the worker's. Fields after `fd` are the worker's while busy. */
struct et_sphost_saver {
	uv_work_t req;
	char *dir;
	uv_loop_t *loop;
	const et_sp_host_t *h;
	uint64_t max_file;
	et_sp_birth_t **held;
	size_t nheld;
	saver_stats_t st; /* the loop's copy of w */
	int rc, last_rc;
	bool busy, again;
	/* the worker's while busy */
	int fd;		/* the births file, appending; -1: the next save compacts */
	saved_t *saved; /* sorted by serial */
	size_t nsaved;
	uint64_t seq;
	saver_stats_t w;
};

static int cmp_saved_serial(const void *a, const void *b)
{
	uint64_t x = ((const saved_t *)a)->serial, y = ((const saved_t *)b)->serial;
	return x < y ? -1 : x > y;
}

static int cmp_topic(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	return c ? c : (al > bl) - (al < bl);
}

static int cmp_cur_topic(const void *a, const void *b, void *ctx)
{
	const cur_t *cur = ctx;
	const cur_t *x = &cur[*(const size_t *)a], *y = &cur[*(const size_t *)b];
	return cmp_topic(x->topic, x->tl, y->topic, y->tl);
}

static bool saved_has(const et_sphost_saver_t *s, uint64_t serial)
{
	saved_t key = {.serial = serial};
	if (!s->nsaved)
		return false; /* bsearch takes no NULL array, even of none */
	return bsearch(&key, s->saved, s->nsaved, sizeof(key), cmp_saved_serial) != NULL;
}

/* Whether cur (by) holds the topic t. */
static bool cur_has(const cur_t *cur, const size_t *by, size_t n, const char *t, size_t tl)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp_topic(cur[by[mid]].topic, cur[by[mid]].tl, t, tl);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void saved_free(saved_t *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].topic);
	free(v);
}

/* s->saved becomes cur's births. 0 or -ENOMEM. */
static int remember(et_sphost_saver_t *s, const cur_t *cur, size_t n)
{
	saved_t *v = calloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; v && i < n; i++) {
		v[i].serial = cur[i].serial;
		v[i].tl = cur[i].tl;
		if (!(v[i].topic = malloc(cur[i].tl ? cur[i].tl : 1))) {
			saved_free(v, i);
			v = NULL;
			break;
		}
		memcpy(v[i].topic, cur[i].topic, cur[i].tl);
	}
	saved_free(s->saved, s->nsaved);
	s->saved = v;
	s->nsaved = v ? n : 0;
	if (!v)
		return -ENOMEM;
	qsort(s->saved, n, sizeof(*v), cmp_saved_serial);
	return 0;
}

/* Writes every birth of cur to a new file that replaces the births file:
 * fdatasync, rename, fsync of the directory. The new file is the one
 * appended to afterwards. */
static int compact(et_sphost_saver_t *s, const cur_t *cur, size_t n, wbuf_t *w)
{
	char path[4096], tmp[4200];
	snprintf(path, sizeof(path), "%s/%s", s->dir, ET_SP_BIRTHS_FILE);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	w->fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	if (w->fd < 0)
		return -errno;
	for (size_t i = 0; i < n; i++)
		wb_put(w, ++s->seq, cur[i].topic, cur[i].tl, cur[i].payload, cur[i].len);
	wb_flush(w);
	int rc = w->rc;
	if (!rc && fdatasync(w->fd))
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc) {
		close(w->fd);
		unlink(tmp);
		return rc;
	}
	/* the rename itself survives a power cut once the directory is synced */
	int dfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = w->fd;
	s->w.file_bytes = w->bytes;
	s->w.compacted_bytes += w->bytes;
	s->w.compactions++;
	return 0;
}

/* Appends the births of cur marked to write, then the deaths of saved,
 * and fdatasyncs. After a failure the file may end in a torn record, so
 * nothing more is appended to it: the next save compacts. */
static int append(et_sphost_saver_t *s, const cur_t *cur, size_t n, wbuf_t *w)
{
	w->fd = s->fd;
	for (size_t i = 0; i < n; i++)
		if (cur[i].write)
			wb_put(w, ++s->seq, cur[i].topic, cur[i].tl, cur[i].payload, cur[i].len);
	for (size_t i = 0; i < s->nsaved; i++)
		if (s->saved[i].dead)
			wb_put(w, ++s->seq, s->saved[i].topic, s->saved[i].tl, NULL, 0);
	wb_flush(w);
	int rc = w->rc;
	if (!rc && fdatasync(s->fd))
		rc = -errno;
	s->w.file_bytes += w->bytes;
	s->w.appended_bytes += w->bytes;
	s->w.appends++;
	return rc;
}

/* The file's bound for live bytes of births: twice the live bytes (so
 * that a compaction's cost is at most the appends since the last one),
 * at least ET_SPHOST_BIRTHS_MIN_FILE, at most max_file. */
static uint64_t file_bound(const et_sphost_saver_t *s, uint64_t live)
{
	uint64_t b = 2 * live;
	if (b < ET_SPHOST_BIRTHS_MIN_FILE)
		b = ET_SPHOST_BIRTHS_MIN_FILE;
	if (s->max_file && b > s->max_file)
		b = s->max_file;
	return b;
}

/* One save, on the worker: what changed since the last one is appended,
 * or the whole is compacted. 0 or a negative errno. */
static int births_save(et_sphost_saver_t *s)
{
	size_t n = s->nheld;
	cur_t *cur = calloc(n ? n : 1, sizeof(*cur));
	size_t *by = malloc((n ? n : 1) * sizeof(*by));
	wbuf_t *w = calloc(1, sizeof(*w));
	int rc = -ENOMEM;
	if (!cur || !by || !w)
		goto out;
	uint64_t live = 0, grow = 0;
	bool node_new = false;
	for (size_t i = 0; i < n; i++) {
		cur_t *c = &cur[i];
		c->serial = et_sp_birth_serial(s->held[i]);
		c->topic = et_sp_birth_topic(s->held[i], &c->tl);
		c->payload = et_sp_birth_payload(s->held[i], &c->len);
		bool known = saved_has(s, c->serial);
		/* a new NBIRTH ends its node's DBIRTHs before it in the
		 * replay (lib/spbirths.c): they are written after it again */
		char kind = et_spbirths_kind(c->topic, c->tl);
		if (kind == 'N')
			node_new = !known;
		c->write = !known || (kind == 'D' && node_new);
		live += ET_SPOOL_HDR + c->tl + c->len;
		if (c->write)
			grow += ET_SPOOL_HDR + c->tl + c->len;
		by[i] = i;
	}
	qsort_r(by, n, sizeof(*by), cmp_cur_topic, cur);
	for (size_t i = 0; i < s->nsaved; i++) {
		saved_t *d = &s->saved[i];
		d->dead = !cur_has(cur, by, n, d->topic, d->tl);
		if (d->dead)
			grow += ET_SPOOL_HDR + d->tl;
	}
	if (s->fd < 0 || s->w.file_bytes + grow > file_bound(s, live))
		rc = compact(s, cur, n, w);
	else if (grow)
		rc = append(s, cur, n, w);
	else
		rc = 0;
	s->w.written_bytes += w->bytes;
	if (!rc)
		rc = remember(s, cur, n);
	if (rc && s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
out:
	free(w);
	free(by);
	free(cur);
	return rc;
}

static void on_save_work(uv_work_t *req)
{
	et_sphost_saver_t *s = req->data;
	s->rc = births_save(s);
}

static void save_start(et_sphost_saver_t *s);

static void on_save_done(uv_work_t *req, int status)
{
	et_sphost_saver_t *s = req->data;
	et_sp_births_release(s->held, s->nheld);
	s->held = NULL;
	s->nheld = 0;
	s->busy = false;
	s->st = s->w;
	int rc = status ? status : s->rc;
	if (rc && rc != s->last_rc)
		log_error("sparkplug: cannot save the births in %s/%s: %s; after a crash, edge "
			  "nodes would be asked for a rebirth",
			  s->dir, ET_SP_BIRTHS_FILE,
			  rc == UV_ECANCELED ? "cancelled" : strerror(-rc));
	else if (!rc && s->last_rc)
		log_info("sparkplug: the births are saved in %s/%s again", s->dir,
			 ET_SP_BIRTHS_FILE);
	s->last_rc = rc;
	if (s->again) {
		s->again = false;
		save_start(s);
	}
}

static void save_start(et_sphost_saver_t *s)
{
	int rc = et_sp_host_births_hold(s->h, &s->held, &s->nheld);
	if (!rc) {
		s->req.data = s;
		rc = uv_queue_work(s->loop, &s->req, on_save_work, on_save_done);
		if (rc) {
			et_sp_births_release(s->held, s->nheld);
			s->held = NULL;
			s->nheld = 0;
		}
	}
	if (rc) {
		log_error("sparkplug: cannot save the births in %s/%s: %s", s->dir,
			  ET_SP_BIRTHS_FILE, rc == -ENOMEM ? "out of memory" : uv_strerror(rc));
		return;
	}
	s->busy = true;
}

et_sphost_saver_t *et_sphost_saver_new(uv_loop_t *loop, const char *dir, uint64_t max_file)
{
	et_sphost_saver_t *s = calloc(1, sizeof(*s));
	if (s && !(s->dir = strdup(dir))) {
		free(s);
		return NULL;
	}
	if (s) {
		s->loop = loop;
		s->max_file = max_file;
		s->fd = -1; /* what the file holds is unknown: the first save compacts */
	}
	return s;
}

void et_sphost_saver_save(et_sphost_saver_t *s, const et_sp_host_t *h)
{
	s->h = h;
	if (s->busy)
		s->again = true;
	else
		save_start(s);
}

void et_sphost_saver_metrics(const et_sphost_saver_t *s, et_buf_t *b)
{
	const saver_stats_t *t = &s->st;
	char m[900];
	int n = snprintf(
		m, sizeof(m),
		"# HELP enertrack_sparkplug_births_file_written_bytes_total Bytes written "
		"to the births file, by appending what changed or by compacting it.\n"
		"# TYPE enertrack_sparkplug_births_file_written_bytes_total counter\n"
		"enertrack_sparkplug_births_file_written_bytes_total{how=\"append\"} %llu\n"
		"enertrack_sparkplug_births_file_written_bytes_total{how=\"compact\"} "
		"%llu\n"
		"# HELP enertrack_sparkplug_births_file_bytes The births file's size.\n"
		"# TYPE enertrack_sparkplug_births_file_bytes gauge\n"
		"enertrack_sparkplug_births_file_bytes %llu\n",
		(unsigned long long)t->appended_bytes, (unsigned long long)t->compacted_bytes,
		(unsigned long long)t->file_bytes);
	/* out of memory: the page goes without these lines, as metrics.c's put */
	if (n > 0 && (size_t)n < sizeof(m) && et_buf_append(b, m, (size_t)n))
		return;
}

void et_sphost_saver_free(et_sphost_saver_t *s)
{
	if (!s)
		return;
	et_sp_births_release(s->held, s->nheld);
	if (s->fd >= 0)
		close(s->fd);
	saved_free(s->saved, s->nsaved);
	free(s->dir);
	free(s);
}

int et_sphost_rebirth(et_mqtt_t *m, const et_sp_topic_t *t)
{
	char topic[3 * ET_SP_ID_MAX + 32];
	et_buf_t b = ET_BUF_INIT;
	if (!m)
		return -ENOTCONN;
	snprintf(topic, sizeof(topic), "spBv1.0/%s/NCMD/%s", t->group, t->node);
	int rc = et_sp_rebirth_payload(&b, et_wall_us() / 1000);
	if (!rc)
		rc = et_mqtt_publish(m, topic, b.data, b.len, 0);
	et_buf_free(&b);
	return rc;
}
