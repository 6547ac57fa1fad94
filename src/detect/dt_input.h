/*
 * dt_input.h — a log file as a window of decompressed bytes.
 *
 * Logs arrive plain or gzip-compressed (CloudTrail and flow logs in S3 are
 * .gz, often several gzip members concatenated).  The readers never hold a
 * whole file: they look at a window [start, end) of a buffer that fill()
 * slides forward, so memory is bounded by the longest record, not by the
 * file.  The absolute offset and the line number of the window's first
 * byte are kept so that errors say path:line:col.  A truncated or corrupt
 * gzip stream is an error remembered in `error` after the good part was
 * delivered.
 */
#ifndef MAMORI_DETECT_INPUT_H
#define MAMORI_DETECT_INPUT_H

#include "dt_util.h"
#include "mamori/aws.h"

#include <stdio.h>
#include <zlib.h>

typedef struct dt_input {
	const char *path; /* for messages */
	FILE *fp;	  /* NULL for memory input */
	mamori_s3_reader *s3; /* an S3 object (s3://bucket/key) */
	mamori_ctx *ctx;      /* for the S3 reader's errors */
	bool source_failed;   /* the S3 transfer broke: the object is unreadable */
	const unsigned char *mem; /* memory input */
	size_t mem_len, mem_pos;
	bool gz;
	bool z_ready;
	bool raw_eof;
	bool eof; /* no more decompressed bytes will come */
	z_stream z;
	unsigned char *raw;
	size_t raw_cap;

	char *buf;    /* the window; always NUL-terminated at end */
	size_t cap;
	size_t start; /* first byte not yet consumed */
	size_t end;   /* bytes valid */
	size_t max_window; /* a record longer than this is an error */

	uint64_t base_offset; /* absolute offset of buf[0] */
	uint64_t base_line;   /* line number (1-based) of buf[0] */
	uint64_t bytes_in;    /* compressed (or plain) bytes read */
	uint64_t bytes_out;   /* decompressed bytes delivered */
	char error[256];      /* "" or what went wrong (truncated gzip...) */
	/* position cursor: lines are counted forward from the last query */
	uint64_t cur_off, cur_line, cur_bol; /* absolute offset, its line, its line's start */
} dt_input;

/* Open a file ("-" = stdin).  Returns MAMORI_OK or MAMORI_EINPUT with ctx error. */
int dt_input_open(mamori_ctx *ctx, dt_input *in, const char *path);
/* Stream an S3 object ("s3://bucket/key") through session s3. */
int dt_input_open_s3(mamori_ctx *ctx, dt_input *in, mamori_s3 *s3, const char *url);
/* Read from memory (not copied; must outlive the input). */
void dt_input_open_mem(dt_input *in, const char *path, const void *data, size_t len);
void dt_input_close(dt_input *in);

/*
 * Make more bytes available after `end`: discards [0, start), grows the
 * buffer when the window is full.  Returns the number of new bytes, 0 at
 * the end of input (or when the window reached max_window: check eof).
 */
size_t dt_input_fill(dt_input *in);

/* Line and column (1-based) of window offset off (off >= start). */
void dt_input_position(const dt_input *in, size_t off, uint64_t *line, unsigned *col);

#endif
