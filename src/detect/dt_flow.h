/*
 * dt_flow.h — VPC Flow Log records (default v2 format and any custom
 * format: the header line gives the field order; v2-v5 fields, IPv6,
 * '-' for missing values, NODATA / SKIPDATA).
 *
 * A record is parsed in place: the line is split once on spaces and only
 * the fields detectors use are converted (addresses to 16-byte IPv6 /
 * IPv4-mapped form, ports and counters to integers).
 */
#ifndef MAMORI_DETECT_FLOW_H
#define MAMORI_DETECT_FLOW_H

#include "dt_input.h"

enum dt_flow_field {
	FL_VERSION = 0,
	FL_ACCOUNT,
	FL_INTERFACE,
	FL_SRCADDR,
	FL_DSTADDR,
	FL_SRCPORT,
	FL_DSTPORT,
	FL_PROTOCOL,
	FL_PACKETS,
	FL_BYTES,
	FL_START,
	FL_END,
	FL_ACTION,
	FL_LOG_STATUS,
	FL_VPC,
	FL_SUBNET,
	FL_INSTANCE,
	FL_TCP_FLAGS,
	FL_TYPE,
	FL_PKT_SRCADDR,
	FL_PKT_DSTADDR,
	FL_REGION,
	FL_AZ,
	FL_SUBLOCATION_TYPE,
	FL_SUBLOCATION_ID,
	FL_PKT_SRC_SERVICE,
	FL_PKT_DST_SERVICE,
	FL_FLOW_DIRECTION,
	FL_TRAFFIC_PATH,
	FL_COUNT
};

typedef struct dt_flow_rec {
	const char *f[FL_COUNT]; /* field text (not NUL-terminated), NULL if absent or '-' */
	uint16_t n[FL_COUNT];
	uint8_t src[16], dst[16]; /* IPv4-mapped or IPv6 */
	bool has_src, has_dst, src_v4, dst_v4;
	int srcport, dstport, protocol, tcp_flags; /* -1 when absent */
	int64_t start, end;
	uint64_t packets, bytes;
	int action; /* 1 ACCEPT, 0 REJECT, -1 unknown */
	int direction; /* 1 ingress, 0 egress, -1 unknown */
	bool nodata;
	const char *file;
	uint64_t line;
	const char *text; /* the whole line */
	size_t text_len;
} dt_flow_rec;

/* The field order of a file (from its header, or the default v2). */
typedef struct dt_flow_format {
	int8_t map[64]; /* column -> dt_flow_field, -1 = ignored */
	size_t columns;
} dt_flow_format;

void dt_flow_format_default(dt_flow_format *fmt);
/* Parse a header ("version account-id ..."); false if it names no known field. */
bool dt_flow_format_parse(dt_flow_format *fmt, const char *line, size_t n);
/* Does this line look like a flow-log header? */
bool dt_flow_is_header(const char *line, size_t n);

/* Parse one record line; false (with *why) when malformed. */
bool dt_flow_parse(const dt_flow_format *fmt, const char *line, size_t n, dt_flow_rec *r,
		   const char **why);

/* Parse an IPv4 / IPv6 address into 16 bytes (IPv4 mapped); *v4 set. */
bool dt_ip_parse(const char *s, size_t n, uint8_t out[16], bool *v4);
/* Private (RFC 1918, ULA, link-local, loopback, CGNAT) or not. */
bool dt_ip_private(const uint8_t a[16]);
void dt_ip_format(const uint8_t a[16], char *out, size_t cap);

typedef struct dt_flow_reader {
	dt_input *in;
	void *ud;
	void (*record)(void *ud, const dt_flow_rec *r);
	void (*problem)(void *ud, const char *path, uint64_t line, unsigned col, const char *msg);
	uint64_t records, nodata, bad;
} dt_flow_reader;

int dt_flow_read(dt_flow_reader *fr);

#endif
