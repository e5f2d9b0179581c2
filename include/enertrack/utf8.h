/* SPDX-License-Identifier: MIT */
/* UTF-8 validation, one sequence at a time: the single rule that decoding,
 * COPY encoding and mail building share. Pure. */
#ifndef ENERTRACK_UTF8_H
#define ENERTRACK_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length (1-4) of the valid UTF-8 sequence at p, reading at most n bytes
 * (n >= 1), or 0 when it is invalid: overlong forms, surrogates and code
 * points beyond U+10FFFF are invalid. *ret_cp (if not NULL) gets the code
 * point. */
size_t et_utf8_decode(const unsigned char *p, size_t n, unsigned *ret_cp);

/* Cuts s, of which the first len bytes are kept (len may exceed its
 * length), back to the last whole character: a multi-byte sequence that
 * len splits is dropped. Writes the NUL and returns the new length. Used
 * wherever a fixed buffer may cut text that goes into PostgreSQL or a mail,
 * which refuse half a character. */
size_t et_utf8_cut(char *s, size_t len);

/* True for a code point no text people read may hold: C0 controls, DEL,
 * C1 controls, and the bidirectional marks, embeddings, overrides and
 * isolates (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069), which
 * can make a name show as another. The one rule of MQTT messages, the
 * statistics CSV and everything else. */
bool et_utf8_is_control(unsigned cp);

#endif
