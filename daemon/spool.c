/* SPDX-License-Identifier: MIT */
/* The on-disk spool; see spool.h for what it promises and enertrack/spoolrec.h
 * for the record format. */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "enertrack/log.h"

#define SEG_MIN_BYTES	 (1u << 20)
#define SEG_MAX_BYTES	 (64u << 20)
#define READ_CHUNK	 (1u << 20)
#define WAKE_EVERY	 1024
#define CHECKPOINT_WIDTH 20

struct seg {
	uint64_t first_seq;
	uint64_t size;	   /* bytes; for the open segment, what was published */
	uint64_t last_seq; /* highest seq read back from it (0: none yet) */
	bool closed;	   /* no more appends: written by an earlier run, or rotated */
	bool read_done;	   /* the loop read it to its end */
};

struct et_spool {
	char *dir;
	int dir_fd;
	int lock_fd;
	int ckpt_fd;
	int sync_ms;
	uint64_t max_bytes;
	uint64_t seg_bytes;

	pthread_mutex_t mu; /* guards everything down to `reader` */
	struct seg *segs;
	size_t nsegs, capsegs;
	int fd; /* the open segment, appended by the producer */
	uint64_t next_seq;
	uint64_t bytes;	   /* all segments on disk */
	uint64_t total_in; /* bytes ever on disk: found at open + appended */
	bool dirty;	   /* appended since the last sync */
	int64_t last_sync_ms;
	unsigned since_wake;
	uint64_t appended, syncs, append_errors;
	bool refused;	       /* an append failed since the open segment began: disk trouble */
	unsigned ckpt_failing; /* checkpoint writes failed in a row */

	/* reader: the loop thread only */
	size_t r_idx; /* segment being read */
	int r_fd;
	uint8_t *rbuf;
	size_t rcap, rlen, rpos;
	uint64_t rbase;	     /* file offset of rbuf[0] */
	uint64_t r_first;    /* its first seq (its name) */
	uint64_t r_last;     /* highest seq seen in this segment */
	uint64_t last_given; /* highest seq handed to the callback */
	bool in_damage;	     /* stepping over one stretch of damage */
	uint64_t consumed;   /* bytes read back or stepped over */
	uint64_t skip_upto;  /* the checkpoint found at open */
	uint64_t committed;
	uint64_t replayed, already_committed, damaged;
	uint64_t first_live_seq; /* seqs below come from an earlier run */
};

static void seg_name(char *buf, size_t len, uint64_t first_seq)
{
	snprintf(buf, len, "%016" PRIx64 ".seg", first_seq);
}

static int parse_seg_name(const char *name, uint64_t *first)
{
	char *end;
	if (strlen(name) != 20 || strcmp(name + 16, ".seg") != 0)
		return -1;
	for (int i = 0; i < 16; i++)
		if (!strchr("0123456789abcdef", name[i]))
			return -1;
	*first = strtoull(name, &end, 16);
	return 0;
}

static int cmp_seg(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;
	return x->first_seq < y->first_seq ? -1 : x->first_seq > y->first_seq;
}

static int push_seg(et_spool_t *sp, const struct seg *s)
{
	if (sp->nsegs == sp->capsegs) {
		size_t cap = sp->capsegs ? sp->capsegs * 2 : 16;
		struct seg *v = realloc(sp->segs, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		sp->segs = v;
		sp->capsegs = cap;
	}
	sp->segs[sp->nsegs++] = *s;
	return 0;
}

static void write_checkpoint(et_spool_t *sp)
{
	char line[CHECKPOINT_WIDTH + 2];
	snprintf(line, sizeof(line), "%0*" PRIu64 "\n", CHECKPOINT_WIDTH, sp->committed);
	/* One small pwrite: no sync; a lost checkpoint only means a longer,
	 * idempotent replay. */
	if (pwrite(sp->ckpt_fd, line, CHECKPOINT_WIDTH + 1, 0) != CHECKPOINT_WIDTH + 1) {
		if (!sp->ckpt_failing++)
			log_warn("spool: cannot record the checkpoint in %s/committed: %s (logged "
				 "once; a replay may then repeat committed records, harmlessly)",
				 sp->dir, strerror(errno));
	} else if (sp->ckpt_failing) {
		log_info("spool: recording the checkpoint again after %u failures",
			 sp->ckpt_failing);
		sp->ckpt_failing = 0;
	}
}

static uint64_t read_checkpoint(et_spool_t *sp)
{
	char line[CHECKPOINT_WIDTH + 2] = {0};
	ssize_t n = pread(sp->ckpt_fd, line, CHECKPOINT_WIDTH + 1, 0);
	if (n == 0)
		return 0;
	char *end;
	errno = 0;
	uint64_t v = strtoull(line, &end, 10);
	if (n != CHECKPOINT_WIDTH + 1 || end != line + CHECKPOINT_WIDTH || *end != '\n' || errno) {
		log_warn("spool: %s/committed is unreadable; replaying every segment (writes are "
			 "idempotent)",
			 sp->dir);
		return 0;
	}
	return v;
}

static int mkdir_p(const char *dir)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

static int scan(et_spool_t *sp, char *err, size_t errlen)
{
	DIR *d = fdopendir(dup(sp->dir_fd));
	if (!d) {
		snprintf(err, errlen, "cannot list spool_dir %s: %s", sp->dir, strerror(errno));
		return -errno;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		struct seg s = {.closed = true};
		struct stat st;
		if (parse_seg_name(e->d_name, &s.first_seq))
			continue;
		if (fstatat(sp->dir_fd, e->d_name, &st, 0) || !S_ISREG(st.st_mode))
			continue;
		s.size = (uint64_t)st.st_size;
		if (push_seg(sp, &s)) {
			closedir(d);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
	}
	closedir(d);
	if (sp->nsegs)
		qsort(sp->segs, sp->nsegs, sizeof(*sp->segs), cmp_seg);
	sp->next_seq = sp->skip_upto + 1;
	for (size_t i = 0; i < sp->nsegs; i++) {
		const struct seg *s = &sp->segs[i];
		/* every record is at least a header long: an upper bound on the
		 * seqs this segment can hold */
		uint64_t bound = s->first_seq + s->size / ET_SPOOL_HDR + 1;
		if (bound > sp->next_seq)
			sp->next_seq = bound;
		sp->bytes += s->size;
	}
	sp->total_in = sp->bytes;
	sp->first_live_seq = sp->next_seq;
	return 0;
}

int et_spool_open(et_spool_t **ret, const char *dir, int sync_ms, uint64_t max_bytes, char *err,
		  size_t errlen)
{
	et_spool_t *sp = calloc(1, sizeof(*sp));
	int rc;
	if (!sp || !(sp->dir = strdup(dir))) {
		free(sp);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	sp->dir_fd = sp->lock_fd = sp->ckpt_fd = sp->fd = sp->r_fd = -1;
	sp->sync_ms = sync_ms;
	sp->max_bytes = max_bytes;
	sp->seg_bytes = max_bytes / 8;
	if (sp->seg_bytes < SEG_MIN_BYTES)
		sp->seg_bytes = SEG_MIN_BYTES;
	if (sp->seg_bytes > SEG_MAX_BYTES)
		sp->seg_bytes = SEG_MAX_BYTES;
	pthread_mutex_init(&sp->mu, NULL);

	if ((rc = mkdir_p(dir))) {
		snprintf(err, errlen, "cannot create spool_dir %s: %s", dir, strerror(-rc));
		goto fail;
	}
	sp->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sp->dir_fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open spool_dir %s: %s", dir, strerror(errno));
		goto fail;
	}
	sp->lock_fd = openat(sp->dir_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (sp->lock_fd < 0 || flock(sp->lock_fd, LOCK_EX | LOCK_NB)) {
		rc = -errno;
		snprintf(err, errlen, "spool_dir %s: %s", dir,
			 errno == EWOULDBLOCK ? "in use by another enertrackd (each instance "
						"needs its own spool_dir)"
					      : strerror(errno));
		goto fail;
	}
	sp->ckpt_fd = openat(sp->dir_fd, "committed", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (sp->ckpt_fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open %s/committed: %s", dir, strerror(errno));
		goto fail;
	}
	sp->skip_upto = sp->committed = read_checkpoint(sp);
	if ((rc = scan(sp, err, errlen)))
		goto fail;
	sp->rcap = READ_CHUNK;
	if (!(sp->rbuf = malloc(sp->rcap))) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (sp->nsegs)
		log_info("spool: %zu segments (%.1f MB) from an earlier run in %s; replaying "
			 "what was not committed (up to seq %" PRIu64 ")",
			 sp->nsegs, sp->bytes / 1e6, dir, sp->committed);
	sp->last_sync_ms = et_mono_ms();
	*ret = sp;
	return 0;
fail:
	if (sp->dir_fd >= 0)
		close(sp->dir_fd);
	if (sp->lock_fd >= 0)
		close(sp->lock_fd);
	if (sp->ckpt_fd >= 0)
		close(sp->ckpt_fd);
	pthread_mutex_destroy(&sp->mu);
	free(sp->segs);
	free(sp->dir);
	free(sp);
	return rc ? rc : -EIO;
}

/* With mu held: closes the open segment (synced first unless all of it is
 * committed already); the producer starts a new one at its next record. */
static void seal(et_spool_t *sp, bool sync)
{
	if (sync && sp->dirty) {
		fdatasync(sp->fd);
		sp->syncs++;
	}
	sp->dirty = false;
	close(sp->fd);
	sp->fd = -1;
	sp->segs[sp->nsegs - 1].closed = true;
}

/* Producer, with mu held: closes the open segment and starts a new one.
 * The caller syncs the old segment (*ret_sync_fd, a duplicate, or -1) and
 * the directory after it lets go of mu, which the loop takes too. */
static int rotate(et_spool_t *sp, int *ret_sync_fd)
{
	char name[32];
	if (sp->fd >= 0) {
		if (sp->dirty && (*ret_sync_fd = dup(sp->fd)) >= 0)
			sp->syncs++;
		seal(sp, *ret_sync_fd < 0);
	}
	struct seg s = {.first_seq = sp->next_seq};
	seg_name(name, sizeof(name), s.first_seq);
	int fd = openat(sp->dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (push_seg(sp, &s)) {
		close(fd);
		unlinkat(sp->dir_fd, name, 0);
		return -ENOMEM;
	}
	sp->refused = false;
	sp->fd = fd;
	return 0;
}

int et_spool_append(et_spool_t *sp, const char *topic, size_t topic_len, const void *payload,
		    size_t len, int64_t recv_us)
{
	uint8_t hdr[ET_SPOOL_HDR];
	int rc = 0, sync_fd = -1;
	bool rotated = false;

	if (topic_len > ET_SPOOL_MAX_TOPIC)
		topic_len = ET_SPOOL_MAX_TOPIC;
	if (len > ET_SPOOL_MAX_PAYLOAD)
		len = ET_SPOOL_MAX_PAYLOAD;
	size_t total = ET_SPOOL_HDR + topic_len + len;

	pthread_mutex_lock(&sp->mu);
	/* a record larger than a segment gets a segment of its own */
	if (sp->fd < 0 || (sp->segs[sp->nsegs - 1].size > 0 &&
			   sp->segs[sp->nsegs - 1].size + total > sp->seg_bytes)) {
		rotated = true;
		if ((rc = rotate(sp, &sync_fd)))
			goto err;
	}
	struct seg *s = &sp->segs[sp->nsegs - 1];
	uint64_t seq = sp->next_seq;
	et_spool_rec_header(hdr, seq, recv_us, topic, (uint32_t)topic_len, payload, (uint32_t)len);
	struct iovec iov[3] = {
		{hdr, ET_SPOOL_HDR},
		{(void *)topic, topic_len},
		{(void *)payload, len},
	};
	ssize_t n = writev(sp->fd, iov, 3);
	if (n != (ssize_t)total) {
		rc = n < 0 ? -errno : -ENOSPC;
		/* take back a partial record so that the segment stays whole */
		if (n > 0 && ftruncate(sp->fd, (off_t)s->size))
			log_error("spool: cannot take back a partial record: %s", strerror(errno));
		goto err;
	}
	sp->next_seq++;
	s->size += total;
	sp->bytes += total;
	sp->total_in += total;
	sp->appended++;
	int wake = ++sp->since_wake >= WAKE_EVERY;
	if (wake)
		sp->since_wake = 0;
	if (sp->sync_ms == 0) {
		/* every message: here, before paho acknowledges it */
		fdatasync(sp->fd);
		sp->syncs++;
	} else {
		/* the loop has it synced off every thread that matters */
		sp->dirty = true;
	}
	rc = wake;
	goto out;
err:
	sp->append_errors++;
	sp->refused = true;
out:
	pthread_mutex_unlock(&sp->mu);
	/* after a rotation, the old segment's data and the new one's name (a
	 * power cut too) reach the disk before the message is acknowledged */
	if (sync_fd >= 0) {
		fdatasync(sync_fd);
		close(sync_fd);
	}
	if (rotated)
		fsync(sp->dir_fd);
	return rc;
}

int et_spool_sync_fd(et_spool_t *sp)
{
	int fd = -1;
	int64_t now = et_mono_ms();
	/* the producer holds mu while the kernel may hold back its write (100
	 * ms seen with 200 KB records): the loop does not wait, the next tick asks */
	if (pthread_mutex_trylock(&sp->mu))
		return -1;
	if (sp->dirty && sp->fd >= 0 && now - sp->last_sync_ms >= sp->sync_ms) {
		/* a duplicate: the producer may close its own meanwhile */
		fd = dup(sp->fd);
		if (fd >= 0) {
			sp->dirty = false;
			sp->last_sync_ms = now;
			sp->syncs++;
		}
	}
	pthread_mutex_unlock(&sp->mu);
	return fd;
}

/* Loop: deletes the leading segments that are read and committed. */
static void collect(et_spool_t *sp)
{
	char name[32];
	size_t k = 0;
	pthread_mutex_lock(&sp->mu);
	while (k < sp->nsegs && k < sp->r_idx && sp->segs[k].read_done &&
	       sp->segs[k].last_seq <= sp->committed) {
		seg_name(name, sizeof(name), sp->segs[k].first_seq);
		if (unlinkat(sp->dir_fd, name, 0) && errno != ENOENT) {
			log_error("spool: cannot delete %s/%s: %s", sp->dir, name, strerror(errno));
			break;
		}
		sp->bytes -= sp->segs[k].size;
		k++;
	}
	if (k) {
		memmove(sp->segs, sp->segs + k, (sp->nsegs - k) * sizeof(*sp->segs));
		sp->nsegs -= k;
		sp->r_idx -= k;
	}
	pthread_mutex_unlock(&sp->mu);
}

/* Loop: once everything was read back and committed, the open segment
 * holds nothing needed; when it has grown to half a segment, or the spool
 * to half its cap, it is closed so that it can be deleted (the producer
 * starts a new one at its next message), and at once when the disk
 * refused a record. Without this a quiet or paused producer would keep a
 * committed segment on disk for ever. */
static void maybe_seal(et_spool_t *sp)
{
	if (sp->committed < sp->last_given)
		return;
	pthread_mutex_lock(&sp->mu);
	if (sp->fd >= 0 && sp->consumed >= sp->total_in) {
		struct seg *s = &sp->segs[sp->nsegs - 1];
		if (s->size > 0 &&
		    (s->size >= sp->seg_bytes / 2 || sp->bytes >= sp->max_bytes / 2 || sp->refused))
			seal(sp, false); /* committed: no need to wait for the disk */
	}
	pthread_mutex_unlock(&sp->mu);
}

void et_spool_commit(et_spool_t *sp, uint64_t seq)
{
	if (seq <= sp->committed)
		return;
	sp->committed = seq;
	write_checkpoint(sp);
	collect(sp);
	maybe_seal(sp);
}

static void report_damage(et_spool_t *sp, uint64_t off, size_t skipped, enum et_spool_parse why,
			  bool at_end)
{
	char name[32];
	seg_name(name, sizeof(name), sp->r_first);
	if (sp->in_damage)
		return; /* the same stretch, reported when it began */
	sp->damaged++;
	if (at_end)
		log_error("spool: %s/%s: torn record at offset %" PRIu64 " (%zu bytes at the end "
			  "of the segment, %s); skipped",
			  sp->dir, name, off, skipped, et_spool_parse_name(why));
	else
		log_error("spool: %s/%s: damaged record at offset %" PRIu64 " (%s); skipped %zu "
			  "bytes to the next whole record",
			  sp->dir, name, off, et_spool_parse_name(why), skipped);
}

/* Steps over damage at rpos: to the next candidate record start, or (at
 * the end of a closed segment) to the end. */
static void step_over(et_spool_t *sp, enum et_spool_parse why, bool eof)
{
	size_t next = et_spool_rec_resync(sp->rbuf, sp->rlen, sp->rpos);
	if (next == sp->rlen && !eof && sp->rlen >= 3) {
		/* keep the last bytes: a record may start there */
		next = sp->rlen - 3 > sp->rpos ? sp->rlen - 3 : sp->rpos + 1;
	}
	report_damage(sp, sp->rbase + sp->rpos, next - sp->rpos, why, eof && next == sp->rlen);
	/* no record start found in what was read: the damage goes on */
	sp->in_damage = !eof && next + 3 >= sp->rlen && next > sp->rpos;
	sp->consumed += next - sp->rpos;
	sp->rpos = next;
}

static void finish_segment(et_spool_t *sp)
{
	close(sp->r_fd);
	sp->r_fd = -1;
	sp->consumed += sp->rlen - sp->rpos;
	pthread_mutex_lock(&sp->mu);
	sp->segs[sp->r_idx].read_done = true;
	sp->segs[sp->r_idx].last_seq = sp->r_last;
	sp->r_idx++;
	pthread_mutex_unlock(&sp->mu);
	sp->rlen = sp->rpos = 0;
	sp->rbase = 0;
	sp->r_last = 0;
	sp->in_damage = false;
	if (sp->rcap > READ_CHUNK) {
		uint8_t *b = realloc(sp->rbuf, READ_CHUNK);
		if (b) {
			sp->rbuf = b;
			sp->rcap = READ_CHUNK;
		}
	}
	collect(sp);
}

size_t et_spool_read(et_spool_t *sp, size_t max, et_spool_cb cb, void *ctx)
{
	size_t n = 0;
	bool stop = false;
	char name[32];

	while (n < max && !stop) {
		pthread_mutex_lock(&sp->mu);
		bool have = sp->r_idx < sp->nsegs;
		struct seg s = have ? sp->segs[sp->r_idx] : (struct seg){0};
		pthread_mutex_unlock(&sp->mu);
		if (!have)
			break;
		if (sp->r_fd < 0) {
			sp->r_first = s.first_seq;
			seg_name(name, sizeof(name), s.first_seq);
			sp->r_fd = openat(sp->dir_fd, name, O_RDONLY | O_CLOEXEC);
			if (sp->r_fd < 0) {
				log_error("spool: cannot open %s/%s: %s", sp->dir, name,
					  strerror(errno));
				break;
			}
		}
		/* parse what the buffer holds */
		size_t need = 0;
		while (n < max && !stop && sp->rpos < sp->rlen) {
			et_spool_rec_t r;
			size_t len;
			enum et_spool_parse p = et_spool_rec_parse(sp->rbuf + sp->rpos,
								   sp->rlen - sp->rpos, &r, &len);
			if (p == ET_SPR_SHORT) {
				need = len;
				break;
			}
			if (p != ET_SPR_OK) {
				step_over(sp, p, false);
				continue;
			}
			sp->rpos += len;
			sp->consumed += len;
			sp->in_damage = false;
			if (r.seq > sp->r_last)
				sp->r_last = r.seq;
			if (r.seq <= sp->skip_upto) {
				sp->already_committed++;
				continue;
			}
			if (r.seq < sp->first_live_seq)
				sp->replayed++;
			n++;
			sp->last_given = r.seq;
			stop = cb(ctx, &r) != 0;
		}
		if (n >= max || stop)
			break;
		/* read more: keep the unparsed tail, make room for a whole record */
		if (sp->rpos) {
			memmove(sp->rbuf, sp->rbuf + sp->rpos, sp->rlen - sp->rpos);
			sp->rbase += sp->rpos;
			sp->rlen -= sp->rpos;
			sp->rpos = 0;
		}
		if (need > sp->rcap) {
			uint8_t *b = realloc(sp->rbuf, need);
			if (!b) {
				log_error("spool: out of memory reading a %zu-byte record", need);
				break;
			}
			sp->rbuf = b;
			sp->rcap = need;
		}
		size_t want = sp->rcap - sp->rlen;
		uint64_t at = sp->rbase + sp->rlen;
		if (!s.closed) {
			uint64_t avail = s.size > at ? s.size - at : 0;
			if (want > avail)
				want = (size_t)avail;
			if (want == 0)
				break; /* caught up with the producer */
		}
		ssize_t got = pread(sp->r_fd, sp->rbuf + sp->rlen, want, (off_t)at);
		if (got < 0) {
			log_error("spool: cannot read %s: %s", sp->dir, strerror(errno));
			break;
		}
		if (got > 0) {
			sp->rlen += (size_t)got;
			continue;
		}
		if (!s.closed)
			break;
		/* end of a closed segment: what is left cannot be whole; a
		 * record may still start after a false start */
		while (sp->rpos < sp->rlen) {
			et_spool_rec_t r;
			size_t len;
			enum et_spool_parse p = et_spool_rec_parse(sp->rbuf + sp->rpos,
								   sp->rlen - sp->rpos, &r, &len);
			if (p == ET_SPR_OK)
				break;
			step_over(sp, p, true);
		}
		if (sp->rpos < sp->rlen)
			continue; /* a whole record follows: parse it above */
		finish_segment(sp);
	}
	return n;
}

bool et_spool_caught_up(et_spool_t *sp)
{
	pthread_mutex_lock(&sp->mu);
	bool r = sp->consumed >= sp->total_in;
	pthread_mutex_unlock(&sp->mu);
	return r;
}

void et_spool_stats(et_spool_t *sp, et_spool_stats_t *st)
{
	pthread_mutex_lock(&sp->mu);
	st->bytes = sp->bytes;
	st->max_bytes = sp->max_bytes;
	st->unread_bytes = sp->total_in > sp->consumed ? sp->total_in - sp->consumed : 0;
	st->segments = (uint32_t)sp->nsegs;
	st->appended = sp->appended;
	st->syncs = sp->syncs;
	st->append_errors = sp->append_errors;
	pthread_mutex_unlock(&sp->mu);
	st->replayed = sp->replayed;
	st->already_committed = sp->already_committed;
	st->damaged = sp->damaged;
}

void et_spool_close(et_spool_t *sp)
{
	char name[32];
	if (!sp)
		return;
	if (sp->fd >= 0) {
		if (sp->dirty)
			fdatasync(sp->fd);
		close(sp->fd);
		sp->fd = -1;
	}
	if (sp->r_fd >= 0)
		close(sp->r_fd);
	/* all read, and the last record read is committed (so all before it) */
	if (sp->consumed >= sp->total_in && sp->committed >= sp->last_given) {
		for (size_t k = 0; k < sp->nsegs; k++) {
			seg_name(name, sizeof(name), sp->segs[k].first_seq);
			unlinkat(sp->dir_fd, name, 0);
		}
		log_info("spool: everything committed; spool emptied");
	} else {
		log_info("spool: %.1f MB (%" PRIu64 " bytes unread) stay in %s for the next start",
			 sp->bytes / 1e6, sp->total_in - sp->consumed, sp->dir);
	}
	write_checkpoint(sp);
	close(sp->ckpt_fd);
	close(sp->lock_fd);
	close(sp->dir_fd);
	pthread_mutex_destroy(&sp->mu);
	free(sp->rbuf);
	free(sp->segs);
	free(sp->dir);
	free(sp);
}
