/* SPDX-License-Identifier: MIT */
/* The spool's record format, pure (no I/O). A record is a 32-byte header
 * and the message's topic and payload bytes:
 *
 *   u32 magic "ETR1"   u32 crc32 of bytes 8.. of the record (zlib's crc32)
 *   u64 seq            i64 recv_us (wall clock, µs)
 *   u32 topic_len      u32 payload_len          topic  payload
 *
 * in the host's byte order (a spool never moves between machines). seq
 * grows strictly within and across segments; it need not be dense. */
#ifndef ENERTRACK_SPOOLREC_H
#define ENERTRACK_SPOOLREC_H

#include <stddef.h>
#include <stdint.h>

#define ET_SPOOL_MAGIC 0x31525445u /* "ETR1" read as little-endian */
#define ET_SPOOL_HDR   32u
/* MQTT topics are at most 65535 bytes; payloads are kept up to the largest
 * max_payload_bytes plus one byte, enough for the decoder to reject them. */
#define ET_SPOOL_MAX_TOPIC   65535u
#define ET_SPOOL_MAX_PAYLOAD ((16u << 20) + 1u)
#define ET_SPOOL_MAX_RECORD  (ET_SPOOL_HDR + ET_SPOOL_MAX_TOPIC + ET_SPOOL_MAX_PAYLOAD)

typedef struct et_spool_rec {
	uint64_t seq;
	int64_t recv_us;
	const char *topic;
	uint32_t topic_len;
	const char *payload;
	uint32_t payload_len;
} et_spool_rec_t;

enum et_spool_parse {
	ET_SPR_OK = 0,
	ET_SPR_SHORT,	  /* a whole header or body is not there yet (torn at end of file) */
	ET_SPR_BAD_MAGIC, /* not the start of a record */
	ET_SPR_BAD_LEN,	  /* lengths out of range */
	ET_SPR_BAD_CRC,	  /* the bytes are damaged */
};

/* Fills hdr for a record; the checksum covers hdr[8..] and the bytes. */
void et_spool_rec_header(uint8_t hdr[ET_SPOOL_HDR], uint64_t seq, int64_t recv_us,
			 const char *topic, uint32_t topic_len, const void *payload,
			 uint32_t payload_len);

/* Parses the record at p (avail bytes there). On ET_SPR_OK fills *r (its
 * pointers point into p) and *reclen. On ET_SPR_SHORT, *reclen is how many
 * bytes the record needs when the header was whole, else ET_SPOOL_HDR. */
enum et_spool_parse et_spool_rec_parse(const uint8_t *p, size_t avail, et_spool_rec_t *r,
				       size_t *reclen);

/* Offset, after `from`, of the next place a record could start (its magic
 * number), or avail when there is none. Used to step over damage. */
size_t et_spool_rec_resync(const uint8_t *p, size_t avail, size_t from);

const char *et_spool_parse_name(enum et_spool_parse e);

#endif
