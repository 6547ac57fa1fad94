/*
 * dt_input.c — plain and gzip log files as a sliding window (dt_input.h).
 *
 * gzip goes through zlib's inflate with automatic header detection
 * (windowBits 15+32); at the end of one member the stream is reset so that
 * concatenated members (how S3 objects are often appended) read as one.
 */
#include "dt_input.h"

#include <errno.h>
#include <stdlib.h>

#define RAW_CHUNK (1u << 18)
#define WINDOW_CHUNK (4u << 20)
#define DEFAULT_MAX_WINDOW (256u << 20)

static void init_common(dt_input *in, const char *path)
{
	memset(in, 0, sizeof *in);
	in->path = path;
	in->base_line = 1;
	in->cur_line = 1;
	in->max_window = DEFAULT_MAX_WINDOW;
	in->cap = WINDOW_CHUNK;
	in->buf = mamori_xmalloc(in->cap + 1);
	in->buf[0] = '\0';
}

/* Read raw bytes into dst; returns count, 0 at end. */
static size_t raw_read(dt_input *in, unsigned char *dst, size_t n)
{
	if (in->fp) {
		size_t got = fread(dst, 1, n, in->fp);
		in->bytes_in += got;
		return got;
	}
	if (in->s3) {
		size_t got = 0;
		if (!in->source_failed && mamori_s3_read(in->s3, dst, n, &got) != MAMORI_OK) {
			/* the transfer broke: what came is read, the object is unreadable */
			in->source_failed = true;
			snprintf(in->error, sizeof in->error, "%s",
				 mamori_error_last(in->ctx)->message);
		}
		in->bytes_in += got;
		return got;
	}
	size_t left = in->mem_len - in->mem_pos;
	if (n > left)
		n = left;
	memcpy(dst, in->mem + in->mem_pos, n);
	in->mem_pos += n;
	in->bytes_in += n;
	return n;
}

static void peek(dt_input *in);

static void sniff(dt_input *in)
{
	in->gz = in->mem_len >= 2 && in->mem[0] == 0x1f && in->mem[1] == 0x8b;
}

int dt_input_open(mamori_ctx *ctx, dt_input *in, const char *path)
{
	init_common(in, path);
	if (strcmp(path, "-") == 0) {
		in->fp = stdin;
	} else {
		in->fp = fopen(path, "rb");
		if (!in->fp) {
			int e = errno;
			free(in->buf);
			in->buf = NULL;
			return mamori_error_set(ctx, MAMORI_EINPUT, "%s: cannot open: %s", path,
						strerror(e));
		}
	}
	peek(in);
	return MAMORI_OK;
}

int dt_input_open_s3(mamori_ctx *ctx, dt_input *in, mamori_s3 *s3, const char *url)
{
	init_common(in, url);
	in->ctx = ctx;
	char *bucket = NULL, *key = NULL;
	int rc = mamori_s3_url_parse(url, &bucket, &key) && *key
			 ? mamori_s3_reader_open(s3, bucket, key, &in->s3)
			 : mamori_error_set(ctx, MAMORI_EINPUT, "%s: not an s3://bucket/key", url);
	free(bucket);
	free(key);
	if (rc) {
		free(in->buf);
		in->buf = NULL;
		return rc;
	}
	peek(in);
	return MAMORI_OK;
}

/* Peek two bytes without ungetc games: read them into raw. */
static void peek(dt_input *in)
{
	in->raw_cap = RAW_CHUNK;
	in->raw = mamori_xmalloc(in->raw_cap);
	size_t got = raw_read(in, in->raw, 2);
	in->gz = got == 2 && in->raw[0] == 0x1f && in->raw[1] == 0x8b;
	if (in->gz) {
		in->z.next_in = in->raw;
		in->z.avail_in = (uInt)got;
	} else {
		memcpy(in->buf, in->raw, got);
		in->end = got;
		in->buf[in->end] = '\0';
		in->bytes_out = got;
	}
	if (got < 2)
		in->raw_eof = true;
}

void dt_input_open_mem(dt_input *in, const char *path, const void *data, size_t len)
{
	init_common(in, path);
	in->mem = data;
	in->mem_len = len;
	sniff(in);
	in->raw_cap = RAW_CHUNK;
	in->raw = mamori_xmalloc(in->raw_cap);
}

void dt_input_close(dt_input *in)
{
	if (in->fp && in->fp != stdin)
		fclose(in->fp);
	mamori_s3_reader_close(in->s3);
	if (in->z_ready)
		inflateEnd(&in->z);
	free(in->raw);
	free(in->buf);
	memset(in, 0, sizeof *in);
}

void dt_input_position(const dt_input *in, size_t off, uint64_t *line, unsigned *col)
{
	dt_input *w = (dt_input *)in; /* the cursor is a cache */
	uint64_t abs = in->base_offset + off;
	if (w->cur_off < in->base_offset || w->cur_off > abs) {
		w->cur_off = w->cur_bol = in->base_offset;
		w->cur_line = in->base_line;
	}
	const char *p = in->buf + (w->cur_off - in->base_offset);
	const char *e = in->buf + off;
	while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		w->cur_line++;
		p++;
		w->cur_bol = in->base_offset + (uint64_t)(p - in->buf);
	}
	w->cur_off = abs;
	*line = w->cur_line;
	uint64_t c = abs - w->cur_bol + 1;
	*col = c > 0xFFFFFFFFu ? 0xFFFFFFFFu : (unsigned)c;
}

/* Drop consumed bytes, counting their newlines. */
static void compact(dt_input *in)
{
	if (in->start == 0)
		return;
	const char *p = in->buf, *e = in->buf + in->start;
	while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		in->base_line++;
		p++;
	}
	memmove(in->buf, in->buf + in->start, in->end - in->start);
	in->base_offset += in->start;
	in->end -= in->start;
	in->start = 0;
}

static size_t plain_read(dt_input *in, char *dst, size_t n)
{
	if (in->raw_eof)
		return 0;
	size_t got = raw_read(in, (unsigned char *)dst, n);
	if (got == 0)
		in->raw_eof = true;
	return got;
}

static size_t gz_read(dt_input *in, char *dst, size_t n)
{
	if (!in->z_ready) {
		/* next_in/avail_in may already hold the sniffed bytes */
		unsigned char *ni = in->z.next_in;
		uInt ai = in->z.avail_in;
		memset(&in->z, 0, sizeof in->z);
		if (inflateInit2(&in->z, 15 + 32) != Z_OK) {
			snprintf(in->error, sizeof in->error, "cannot start gzip decompression");
			in->eof = true;
			return 0;
		}
		in->z.next_in = ni;
		in->z.avail_in = ai;
		in->z_ready = true;
	}
	in->z.next_out = (unsigned char *)dst;
	in->z.avail_out = (uInt)n;
	while (in->z.avail_out > 0) {
		if (in->z.avail_in == 0 && !in->raw_eof) {
			size_t got = raw_read(in, in->raw, in->raw_cap);
			if (got == 0)
				in->raw_eof = true;
			in->z.next_in = in->raw;
			in->z.avail_in = (uInt)got;
		}
		if (in->z.avail_in == 0 && in->raw_eof) {
			if ((in->z.total_in > 0 || in->z.total_out > 0) && !in->error[0])
				snprintf(in->error, sizeof in->error,
					 "truncated gzip stream (ends after %llu decompressed bytes)",
					 (unsigned long long)(in->bytes_out + (n - in->z.avail_out)));
			in->eof = true;
			break;
		}
		int rc = inflate(&in->z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			/* another member may follow */
			if (in->z.avail_in == 0 && !in->raw_eof) {
				size_t got = raw_read(in, in->raw, in->raw_cap);
				if (got == 0)
					in->raw_eof = true;
				in->z.next_in = in->raw;
				in->z.avail_in = (uInt)got;
			}
			if (in->z.avail_in == 0) {
				in->eof = true;
				break;
			}
			if (in->z.avail_in >= 2 && !(in->z.next_in[0] == 0x1f && in->z.next_in[1] == 0x8b)) {
				snprintf(in->error, sizeof in->error,
					 "garbage after the last gzip member ignored");
				in->eof = true;
				break;
			}
			inflateReset(&in->z);
			continue;
		}
		if (rc == Z_BUF_ERROR && in->z.avail_in == 0)
			continue; /* needs more input */
		if (rc != Z_OK) {
			snprintf(in->error, sizeof in->error, "corrupt gzip data: %s",
				 in->z.msg ? in->z.msg : "inflate failed");
			in->eof = true;
			break;
		}
	}
	return n - in->z.avail_out;
}

size_t dt_input_fill(dt_input *in)
{
	if (in->eof)
		return 0;
	compact(in);
	if (in->end == in->cap) {
		if (in->cap >= in->max_window)
			return 0;
		in->cap *= 2;
		if (in->cap > in->max_window)
			in->cap = in->max_window;
		in->buf = mamori_xrealloc(in->buf, in->cap + 1);
	}
	size_t want = in->cap - in->end;
	size_t got = in->gz ? gz_read(in, in->buf + in->end, want)
			    : plain_read(in, in->buf + in->end, want);
	if (!in->gz && got == 0)
		in->eof = true;
	in->end += got;
	in->bytes_out += got;
	in->buf[in->end] = '\0';
	return got;
}
