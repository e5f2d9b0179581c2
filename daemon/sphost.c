/* SPDX-License-Identifier: MIT */
/* The Sparkplug B host's I/O (the decoder and state machine are
 * lib/sparkplug.c): the births file and the NCMD rebirth request. The births
 * file uses the spool's record format (enertrack/spoolrec.h): a crash
 * while writing leaves the old file, since the new one replaces it by
 * rename only once it is on disk. */
#include "sphost.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

struct save_ctx {
	et_buf_t b;
	uint64_t seq;
};

static int add_birth(void *ctx, const char *topic, const void *payload, size_t len)
{
	struct save_ctx *c = ctx;
	uint8_t hdr[ET_SPOOL_HDR];
	size_t tl = strlen(topic);
	et_spool_rec_header(hdr, ++c->seq, 0, topic, (uint32_t)tl, payload, (uint32_t)len);
	if (et_buf_append(&c->b, hdr, sizeof(hdr)) || et_buf_append(&c->b, topic, tl) ||
	    et_buf_append(&c->b, payload, len))
		return -ENOMEM;
	return 0;
}

int et_sphost_births_save(const et_sp_host_t *h, const char *dir)
{
	struct save_ctx c = {.b = ET_BUF_INIT};
	char path[4096], tmp[4200];
	int rc = et_sp_host_births(h, add_birth, &c);
	if (rc)
		goto out;
	snprintf(path, sizeof(path), "%s/%s", dir, ET_SP_BIRTHS_FILE);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	size_t off = 0;
	while (off < c.b.len) {
		ssize_t w = write(fd, c.b.data + off, c.b.len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (!rc && fdatasync(fd))
		rc = -errno;
	close(fd);
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
out:
	et_buf_free(&c.b);
	return rc;
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
