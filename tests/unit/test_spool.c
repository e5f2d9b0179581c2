/* SPDX-License-Identifier: MIT */
/* Unit tests of daemon/spool.c on a temporary directory under /tmp (no
 * network, no other daemon module): records read back in order with their
 * seq, topic and payload; a commit deletes what is read and committed, at
 * rotation and at close; a restart replays only what was not committed; a
 * torn last record (a crash mid-write) and a damaged record in the middle
 * are stepped over and counted; the cap sizes the segments and a committed
 * open segment is closed and deleted once the spool holds half the cap; a
 * second open of the same directory is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/spool.h"
#include "enertrack/log.h"

#define MB (1ull << 20)

struct fixture {
	char dir[64];
};

/* What the read callback saw. */
struct seen {
	size_t n;
	uint64_t seq[4096]; /* the first ones */
	uint64_t last_seq;
	char last_topic[64];
	char last_payload[2048];
	size_t stop_after; /* 0: never stop */
};

static int on_record(void *ctx, const et_spool_rec_t *r)
{
	struct seen *s = ctx;
	if (s->n < sizeof(s->seq) / sizeof(s->seq[0]))
		s->seq[s->n] = r->seq;
	s->last_seq = r->seq;
	s->n++;
	snprintf(s->last_topic, sizeof(s->last_topic), "%.*s", (int)r->topic_len, r->topic);
	snprintf(s->last_payload, sizeof(s->last_payload), "%.*s", (int)r->payload_len, r->payload);
	return s->stop_after && s->n >= s->stop_after;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/et-test-spool.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	DIR *d = opendir(f->dir);
	struct dirent *e;
	char p[512];
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", f->dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(f->dir);
	free(f);
	return 0;
}

static et_spool_t *open_spool(const struct fixture *f, uint64_t max_bytes)
{
	et_spool_t *sp = NULL;
	char err[256];
	int rc = et_spool_open(&sp, f->dir, 1000, max_bytes, err, sizeof(err));
	if (rc)
		fail_msg("et_spool_open: %s", err);
	return sp;
}

/* Appends n messages "site/<i>" with payload "payload <i>" padded to len. */
static void append_n(et_spool_t *sp, size_t from, size_t n, size_t len)
{
	char topic[32], payload[2048];
	for (size_t i = from; i < from + n; i++) {
		snprintf(topic, sizeof(topic), "energy/site%zu", i);
		memset(payload, 'x', sizeof(payload));
		int k = snprintf(payload, sizeof(payload), "payload %zu;", i);
		payload[k] = 'x';
		size_t plen = len > (size_t)k ? len : (size_t)k;
		assert_true(et_spool_append(sp, topic, strlen(topic), payload, plen,
					    1000 + (int64_t)i) >= 0);
	}
}

static size_t count_segments(const struct fixture *f)
{
	DIR *d = opendir(f->dir);
	struct dirent *e;
	size_t n = 0;
	while (d && (e = readdir(d)))
		n += strlen(e->d_name) == 20 && strcmp(e->d_name + 16, ".seg") == 0;
	if (d)
		closedir(d);
	return n;
}

/* The path of the first segment file. */
static void first_segment(const struct fixture *f, char *path, size_t len)
{
	DIR *d = opendir(f->dir);
	struct dirent *e;
	char best[32] = "";
	while (d && (e = readdir(d)))
		if (strlen(e->d_name) == 20 && strcmp(e->d_name + 16, ".seg") == 0 &&
		    (!best[0] || strcmp(e->d_name, best) < 0))
			snprintf(best, sizeof(best), "%s", e->d_name);
	if (d)
		closedir(d);
	assert_true(best[0] != '\0');
	snprintf(path, len, "%s/%s", f->dir, best);
}

static void test_append_read_back(void **state)
{
	struct fixture *f = *state;
	et_spool_t *sp = open_spool(f, 64 * MB);
	struct seen s = {0};
	append_n(sp, 0, 100, 20);
	assert_false(et_spool_caught_up(sp));
	/* a bounded read stops at max, the next one goes on */
	assert_int_equal(et_spool_read(sp, 30, on_record, &s), 30);
	assert_int_equal(et_spool_read(sp, 1000, on_record, &s), 70);
	assert_int_equal(et_spool_read(sp, 1000, on_record, &s), 0);
	assert_int_equal(s.n, 100);
	for (size_t i = 0; i < 100; i++)
		assert_int_equal(s.seq[i], s.seq[0] + i);
	assert_string_equal(s.last_topic, "energy/site99");
	assert_memory_equal(s.last_payload, "payload 99;", 11);
	assert_true(et_spool_caught_up(sp));
	/* the callback stops a read */
	struct seen t = {.stop_after = 5};
	append_n(sp, 100, 10, 20);
	assert_int_equal(et_spool_read(sp, 1000, on_record, &t), 5);
	et_spool_stats_t st;
	et_spool_stats(sp, &st);
	assert_int_equal(st.appended, 110);
	assert_int_equal(st.segments, 1);
	assert_int_equal(st.damaged, 0);
	assert_true(st.unread_bytes > 0);
	et_spool_close(sp);
	/* not all read: the segment stays */
	assert_int_equal(count_segments(f), 1);
}

static void test_commit_rotation_close(void **state)
{
	struct fixture *f = *state;
	/* a 64 MB cap makes 8 MB segments; 1 KB records: 9 000 make two */
	et_spool_t *sp = open_spool(f, 64 * MB);
	struct seen s = {0};
	append_n(sp, 0, 9000, 1000);
	et_spool_stats_t st;
	et_spool_stats(sp, &st);
	assert_int_equal(st.segments, 2);
	assert_int_equal(count_segments(f), 2);
	while (et_spool_read(sp, 4096, on_record, &s) > 0)
		;
	assert_int_equal(s.n, 9000);
	assert_int_equal(s.last_seq, s.seq[0] + 8999);
	/* committed up to the middle of the first segment: nothing goes */
	et_spool_commit(sp, s.seq[0] + 100);
	assert_int_equal(count_segments(f), 2);
	/* the whole first segment: it goes; the open one stays */
	et_spool_commit(sp, s.last_seq);
	assert_int_equal(count_segments(f), 1);
	et_spool_stats(sp, &st);
	assert_int_equal(st.segments, 1);
	/* a clean stop with everything committed leaves an empty spool */
	et_spool_close(sp);
	assert_int_equal(count_segments(f), 0);
}

static void test_restart_replays_uncommitted(void **state)
{
	struct fixture *f = *state;
	et_spool_t *sp = open_spool(f, 64 * MB);
	struct seen s = {0};
	append_n(sp, 0, 50, 20);
	assert_int_equal(et_spool_read(sp, 1000, on_record, &s), 50);
	et_spool_commit(sp, s.seq[19]); /* 20 of 50 are in PostgreSQL */
	uint64_t first = s.seq[0];
	et_spool_close(sp); /* a crash would leave the same files */

	sp = open_spool(f, 64 * MB);
	struct seen r = {0};
	assert_int_equal(et_spool_read(sp, 1000, on_record, &r), 30);
	assert_int_equal(r.seq[0], first + 20);
	et_spool_stats_t st;
	et_spool_stats(sp, &st);
	assert_int_equal(st.already_committed, 20);
	assert_int_equal(st.replayed, 30);
	/* new records continue after the old seqs */
	append_n(sp, 50, 1, 20);
	struct seen n = {0};
	assert_int_equal(et_spool_read(sp, 1000, on_record, &n), 1);
	assert_true(n.seq[0] > r.seq[29]);
	et_spool_commit(sp, n.seq[0]);
	et_spool_close(sp);
	assert_int_equal(count_segments(f), 0);
}

/* Cuts the last bytes off the segment, as a crash in the middle of a write
 * leaves it. */
static void test_torn_last_record(void **state)
{
	struct fixture *f = *state;
	et_spool_t *sp = open_spool(f, 64 * MB);
	append_n(sp, 0, 10, 100);
	et_spool_close(sp);
	char path[512];
	struct stat stb;
	first_segment(f, path, sizeof(path));
	assert_int_equal(stat(path, &stb), 0);
	assert_int_equal(truncate(path, stb.st_size - 7), 0);

	sp = open_spool(f, 64 * MB);
	struct seen s = {0};
	while (et_spool_read(sp, 1000, on_record, &s) > 0)
		;
	assert_int_equal(s.n, 9);
	assert_string_equal(s.last_topic, "energy/site8");
	et_spool_stats_t st;
	et_spool_stats(sp, &st);
	assert_int_equal(st.damaged, 1);
	assert_true(et_spool_caught_up(sp));
	et_spool_close(sp);
}

/* One flipped byte in the payload of the 5th of 10 records. */
static void test_damaged_record(void **state)
{
	struct fixture *f = *state;
	et_spool_t *sp = open_spool(f, 64 * MB);
	append_n(sp, 0, 10, 100);
	et_spool_close(sp);
	char path[512];
	first_segment(f, path, sizeof(path));
	size_t rec = ET_SPOOL_HDR + strlen("energy/site0") + 100;
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	off_t at = (off_t)(4 * rec + ET_SPOOL_HDR + strlen("energy/site4") + 50);
	char c;
	assert_int_equal(pread(fd, &c, 1, at), 1);
	c ^= 0x20;
	assert_int_equal(pwrite(fd, &c, 1, at), 1);
	close(fd);

	sp = open_spool(f, 64 * MB);
	struct seen s = {0};
	while (et_spool_read(sp, 1000, on_record, &s) > 0)
		;
	assert_int_equal(s.n, 9);
	/* the one missing is the 5th; the rest in order */
	for (size_t i = 0; i < 9; i++)
		assert_int_equal(s.seq[i], s.seq[0] + i + (i >= 4));
	et_spool_stats_t st;
	et_spool_stats(sp, &st);
	assert_int_equal(st.damaged, 1);
	et_spool_commit(sp, s.seq[8]);
	et_spool_close(sp);
	assert_int_equal(count_segments(f), 0);
}

/* The cap: 1 MB. Segments are then 1 MB (the smallest). Once the spool
 * holds half the cap and all of it is committed, the open segment is closed
 * and deleted rather than kept for ever; below half it stays open. Appends
 * are not refused at the cap (the daemon pauses the broker instead). */
static void test_size_cap(void **state)
{
	struct fixture *f = *state;
	et_spool_t *sp = open_spool(f, 1 * MB);
	struct seen s = {0};
	append_n(sp, 0, 600, 1000);
	et_spool_stats_t st;
	et_spool_stats(sp, &st);
	assert_int_equal(st.max_bytes, 1 * MB);
	assert_int_equal(st.segments, 1);
	assert_true(st.bytes > MB / 2);
	while (et_spool_read(sp, 4096, on_record, &s) > 0)
		;
	assert_int_equal(s.n, 600);
	et_spool_commit(sp, s.last_seq);
	/* sealed: read to its end, then deleted */
	assert_int_equal(et_spool_read(sp, 4096, on_record, &s), 0);
	et_spool_stats(sp, &st);
	assert_int_equal(st.bytes, 0);
	assert_int_equal(st.segments, 0);
	assert_int_equal(count_segments(f), 0);

	/* 1 250 KB into a 1 MB spool: nothing refused, a second segment */
	append_n(sp, 600, 1200, 1000);
	et_spool_stats(sp, &st);
	assert_true(st.bytes > MB);
	assert_int_equal(st.segments, 2);
	assert_int_equal(st.append_errors, 0);
	while (et_spool_read(sp, 4096, on_record, &s) > 0)
		;
	assert_int_equal(s.n, 1800);
	et_spool_commit(sp, s.last_seq);
	assert_int_equal(et_spool_read(sp, 4096, on_record, &s), 0);
	/* the full one is gone; the open one (about 200 KB) stays open */
	et_spool_stats(sp, &st);
	assert_int_equal(st.segments, 1);
	assert_true(st.bytes < MB / 2);
	et_spool_close(sp);
	assert_int_equal(count_segments(f), 0);
}

static void test_one_daemon_per_dir(void **state)
{
	struct fixture *f = *state;
	et_spool_t *sp = open_spool(f, 64 * MB), *other = NULL;
	char err[256] = "";
	assert_int_equal(et_spool_open(&other, f->dir, 1000, 64 * MB, err, sizeof(err)),
			 -EWOULDBLOCK);
	assert_non_null(strstr(err, "in use by another enertrackd"));
	et_spool_close(sp);
}

int main(void)
{
	et_log_current = -1; /* quiet: the damage reports are expected */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_rotation_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_replays_uncommitted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_last_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_daemon_per_dir, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
