/* SPDX-License-Identifier: MIT */
#include "enertrack/spoolrec.h"

#include <string.h>
#include <zlib.h>

static uint32_t rec_crc(const uint8_t *hdr_tail, const char *topic, uint32_t tl,
			const void *payload, uint32_t pl)
{
	uLong c = crc32(0L, Z_NULL, 0);
	c = crc32(c, hdr_tail, ET_SPOOL_HDR - 8);
	if (tl)
		c = crc32(c, (const Bytef *)topic, tl);
	if (pl)
		c = crc32(c, (const Bytef *)payload, pl);
	return (uint32_t)c;
}

void et_spool_rec_header(uint8_t hdr[ET_SPOOL_HDR], uint64_t seq, int64_t recv_us,
			 const char *topic, uint32_t topic_len, const void *payload,
			 uint32_t payload_len)
{
	uint32_t magic = ET_SPOOL_MAGIC;
	memcpy(hdr, &magic, 4);
	memcpy(hdr + 8, &seq, 8);
	memcpy(hdr + 16, &recv_us, 8);
	memcpy(hdr + 24, &topic_len, 4);
	memcpy(hdr + 28, &payload_len, 4);
	uint32_t crc = rec_crc(hdr + 8, topic, topic_len, payload, payload_len);
	memcpy(hdr + 4, &crc, 4);
}

enum et_spool_parse et_spool_rec_parse(const uint8_t *p, size_t avail, et_spool_rec_t *r,
				       size_t *reclen)
{
	uint32_t magic, crc, tl, pl;

	*reclen = ET_SPOOL_HDR;
	if (avail < 4)
		return ET_SPR_SHORT;
	memcpy(&magic, p, 4);
	if (magic != ET_SPOOL_MAGIC)
		return ET_SPR_BAD_MAGIC;
	if (avail < ET_SPOOL_HDR)
		return ET_SPR_SHORT;
	memcpy(&crc, p + 4, 4);
	memcpy(&tl, p + 24, 4);
	memcpy(&pl, p + 28, 4);
	if (tl > ET_SPOOL_MAX_TOPIC || pl > ET_SPOOL_MAX_PAYLOAD)
		return ET_SPR_BAD_LEN;
	size_t need = ET_SPOOL_HDR + (size_t)tl + pl;
	*reclen = need;
	if (avail < need)
		return ET_SPR_SHORT;
	const char *topic = (const char *)p + ET_SPOOL_HDR;
	if (rec_crc(p + 8, topic, tl, topic + tl, pl) != crc)
		return ET_SPR_BAD_CRC;
	memcpy(&r->seq, p + 8, 8);
	memcpy(&r->recv_us, p + 16, 8);
	r->topic = topic;
	r->topic_len = tl;
	r->payload = topic + tl;
	r->payload_len = pl;
	return ET_SPR_OK;
}

size_t et_spool_rec_resync(const uint8_t *p, size_t avail, size_t from)
{
	static const uint8_t m[4] = {'E', 'T', 'R', '1'};
	if (avail < 4)
		return avail;
	for (size_t i = from + 1; i + 4 <= avail; i++)
		if (p[i] == m[0] && memcmp(p + i, m, 4) == 0)
			return i;
	return avail;
}

const char *et_spool_parse_name(enum et_spool_parse e)
{
	switch (e) {
	case ET_SPR_OK:
		return "ok";
	case ET_SPR_SHORT:
		return "torn (cut short)";
	case ET_SPR_BAD_MAGIC:
		return "no record header";
	case ET_SPR_BAD_LEN:
		return "lengths out of range";
	case ET_SPR_BAD_CRC:
		return "checksum mismatch";
	}
	return "?";
}
