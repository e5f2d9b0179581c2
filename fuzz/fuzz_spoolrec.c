/* SPDX-License-Identifier: MIT */
/* libFuzzer harness of lib/spoolrec.c, the parser the replay runs over a
 * spool segment after a crash or disk damage. The input is a segment: the
 * harness walks it as daemon/spool.c does (parse; on damage step to the
 * next candidate record start) and checks that every record it accepts lies
 * inside the input with lengths in range and a checksum that re-encodes to
 * the same header; that every step moves forward; and that a record written
 * by et_spool_rec_header is read back exactly wherever it is planted. */
#include "fuzz_util.h"

#include <string.h>

#include "enertrack/spoolrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 0, steps = 0;
	while (pos < size) {
		et_spool_rec_t r;
		size_t len;
		enum et_spool_parse p = et_spool_rec_parse(data + pos, size - pos, &r, &len);
		if (p == ET_SPR_OK) {
			if (len != ET_SPOOL_HDR + (size_t)r.topic_len + r.payload_len ||
			    len > size - pos || r.topic_len > ET_SPOOL_MAX_TOPIC ||
			    r.payload_len > ET_SPOOL_MAX_PAYLOAD ||
			    r.topic != (const char *)data + pos + ET_SPOOL_HDR ||
			    r.payload != r.topic + r.topic_len)
				__builtin_trap();
			uint8_t hdr[ET_SPOOL_HDR];
			et_spool_rec_header(hdr, r.seq, r.recv_us, r.topic, r.topic_len, r.payload,
					    r.payload_len);
			if (memcmp(hdr, data + pos, ET_SPOOL_HDR) != 0)
				__builtin_trap();
			pos += len;
		} else {
			if (p == ET_SPR_SHORT && len < ET_SPOOL_HDR)
				__builtin_trap();
			size_t next = et_spool_rec_resync(data, size, pos);
			if (next <= pos || next > size)
				__builtin_trap();
			pos = next;
		}
		if (++steps > size + 1)
			__builtin_trap(); /* no progress */
	}

	/* a record planted after the input is found again after it */
	if (size <= 4096) {
		static uint8_t buf[4096 + ET_SPOOL_HDR + 64];
		const char topic[] = "energy/mine/m-1/raw_coal";
		const char payload[] = "{\"value\":1}";
		memcpy(buf, data, size);
		et_spool_rec_header(buf + size, 42, 7, topic, sizeof(topic) - 1, payload,
				    sizeof(payload) - 1);
		memcpy(buf + size + ET_SPOOL_HDR, topic, sizeof(topic) - 1);
		memcpy(buf + size + ET_SPOOL_HDR + sizeof(topic) - 1, payload, sizeof(payload) - 1);
		size_t total = size + ET_SPOOL_HDR + sizeof(topic) - 1 + sizeof(payload) - 1;
		et_spool_rec_t r;
		size_t len;
		if (et_spool_rec_parse(buf + size, total - size, &r, &len) != ET_SPR_OK ||
		    r.seq != 42 || r.recv_us != 7 || len != total - size)
			__builtin_trap();
		/* scanning from anywhere before it reaches it (or another whole
		 * record that the input itself holds) */
		size_t at = 0;
		while (at < size) {
			size_t next = et_spool_rec_resync(buf, total, at);
			if (next > size)
				__builtin_trap();
			if (next == size)
				break;
			at = next;
		}
	}
	return 0;
}
