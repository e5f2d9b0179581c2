/* SPDX-License-Identifier: MIT */
/* PostgreSQL COPY text-format encoding of readings and rejected messages.
 * Appends to a caller's et_buf_t; allocates only when the buffer grows.
 * Pure; one buffer per thread. The column orders (ET_COPY_*_COLUMNS) name
 * columns of the staging table made by ingest_prepare() in
 * sql/functions/ingest_prepare.sql and of rejected_message. */
#ifndef ENERTRACK_COPYENC_H
#define ENERTRACK_COPYENC_H

#include <stddef.h>
#include <stdint.h>

#include "enertrack/buf.h"
#include "enertrack/decode.h"

#define ET_COPY_READING_COLUMNS                                                                    \
	"n, site_id, kind, county, name, metric, ts, value, unit_in, value_in, seq, source, "      \
	"counter, received_at, rollover, covers_from"
#define ET_COPY_REJECT_COLUMNS                                                                     \
	"received_at, topic, reason, detail, element, payload, payload_bytes, truncated"

/* Appends s[0..n) as a COPY text field: backslash, tab, CR, LF and other
 * control bytes are escaped. Invalid UTF-8 is replaced by U+FFFD, so that
 * whatever a peer sent can never fail a COPY. */
int et_copy_text(et_buf_t *b, const char *s, size_t n) __attribute__((warn_unused_result));

/* Appends one line for the reading (row number n, received at recv_us). */
int et_copy_reading(et_buf_t *b, uint32_t n, const et_reading_t *r, int64_t recv_us)
	__attribute__((warn_unused_result));

/* Appends one line for a rejected message: the first `keep` bytes of the
 * payload go in as bytea, with its full length and whether it was cut.
 * element < 0 is stored as NULL. */
int et_copy_reject(et_buf_t *b, int64_t recv_us, const char *topic, size_t topic_len,
		   const char *reason, const char *detail, int element, const void *payload,
		   size_t len, size_t keep) __attribute__((warn_unused_result));

#endif
