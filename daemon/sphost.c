/* SPDX-License-Identifier: MIT */
/* The Sparkplug B host's I/O (the decoder and state machine are
 * lib/sparkplug.c): the births file and the NCMD rebirth request. The births
 * file uses the spool's record format (enertrack/spoolrec.h): a crash
 * while writing leaves the old file, since the new one replaces it by
 * rename only once it is on disk. It is written on libuv's thread pool,
 * never on the loop. */
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
#include "enertrack/spoolrec.h"

int et_sphost_births_load(et_sp_host_t *h, const char *dir, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, ET_SP_BIRTHS_FILE);
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
	et_sp_limits_t lim = {0};
	et_sp_sink_t none = {0};
	int births = 0;
	for (size_t off = 0; rc == 0 && off < b.len;) {
		et_spool_rec_t r;
		size_t len;
		enum et_spool_parse e =
			et_spool_rec_parse((const uint8_t *)b.data + off, b.len - off, &r, &len);
		if (e != ET_SPR_OK) {
			snprintf(err, errlen,
				 "%s: damaged at byte %zu (%s); the births before it "
				 "are taken, the edge nodes after it will be asked for a rebirth",
				 path, off, et_spool_parse_name(e));
			rc = -EINVAL;
			break;
		}
		if (et_sp_host_message(h, r.topic, r.topic_len, r.payload, r.payload_len, r.recv_us,
				       r.recv_us, &lim, true, &none) < 0) {
			rc = -ENOMEM;
			break;
		}
		births++;
		off += len;
	}
	et_sp_host_births_changed(h); /* what was loaded is what is saved */
	et_buf_free(&b);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory reading %s", path);
	return rc ? rc : births;
}

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

/* Writes the held births to dir/ET_SP_BIRTHS_FILE atomically: a new file,
 * fdatasync, rename. Any thread: it only reads the births (they do not
 * change while held) and writes files. 0 or a negative errno. */
static int births_write(et_sp_birth_t *const *v, size_t n, const char *dir)
{
	char path[4096], tmp[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, ET_SP_BIRTHS_FILE);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	int rc = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		size_t tl, len;
		const char *topic = et_sp_birth_topic(v[i], &tl);
		const void *payload = et_sp_birth_payload(v[i], &len);
		uint8_t hdr[ET_SPOOL_HDR];
		et_spool_rec_header(hdr, i + 1, 0, topic, (uint32_t)tl, payload, (uint32_t)len);
		struct iovec iov[3] = {
			{hdr, sizeof(hdr)}, {(void *)topic, tl}, {(void *)payload, len}};
		rc = writev_all(fd, iov, 3);
	}
	if (!rc && fdatasync(fd))
		rc = -errno;
	close(fd);
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

/* The saver: one write at a time on libuv's thread pool; a request while
 * one runs is remembered and made when it ends, with the births as they
 * are then. The loop only takes references on the births (a pointer a
 * birth): the bytes, the CRCs, the write and the fdatasync are the
 * worker's, so a storm of large births no longer stalls the loop. */
struct et_sphost_saver {
	uv_work_t req;
	char *dir;
	uv_loop_t *loop;
	const et_sp_host_t *h;
	et_sp_birth_t **held;
	size_t nheld;
	int rc, last_rc;
	bool busy, again;
};

static void on_save_work(uv_work_t *req)
{
	et_sphost_saver_t *s = req->data;
	s->rc = births_write(s->held, s->nheld, s->dir);
}

static void save_start(et_sphost_saver_t *s);

static void on_save_done(uv_work_t *req, int status)
{
	et_sphost_saver_t *s = req->data;
	et_sp_births_release(s->held, s->nheld);
	s->held = NULL;
	s->nheld = 0;
	s->busy = false;
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

et_sphost_saver_t *et_sphost_saver_new(uv_loop_t *loop, const char *dir)
{
	et_sphost_saver_t *s = calloc(1, sizeof(*s));
	if (s && !(s->dir = strdup(dir))) {
		free(s);
		return NULL;
	}
	if (s)
		s->loop = loop;
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

void et_sphost_saver_free(et_sphost_saver_t *s)
{
	if (!s)
		return;
	et_sp_births_release(s->held, s->nheld);
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
