/*
 * dt_event.h — one log record as the detectors and the Sigma engine see it.
 *
 * A record is the dt_index of its JSON (CloudTrail, Route 53 Resolver) plus
 * its time, where it came from (file, line) and a scratch area for decoded
 * strings that lives until the next record.  The well-known CloudTrail
 * fields have fixed slots (DT_F_*) registered first in every engine, so
 * native detectors read them without lookups.
 */
#ifndef MAMORI_DETECT_EVENT_H
#define MAMORI_DETECT_EVENT_H

#include "dt_json.h"

/* Well-known CloudTrail slots: registered in this order by dt_ct_paths_init. */
enum {
	DT_F_EVENT_NAME = 0,
	DT_F_EVENT_SOURCE,
	DT_F_EVENT_TIME,
	DT_F_EVENT_ID,
	DT_F_EVENT_TYPE,
	DT_F_AWS_REGION,
	DT_F_SOURCE_IP,
	DT_F_USER_AGENT,
	DT_F_ERROR_CODE,
	DT_F_ERROR_MESSAGE,
	DT_F_RECIPIENT_ACCOUNT,
	DT_F_UI_TYPE,
	DT_F_UI_ARN,
	DT_F_UI_ACCOUNT,
	DT_F_UI_PRINCIPAL,
	DT_F_UI_USERNAME,
	DT_F_UI_ACCESS_KEY,
	DT_F_UI_INVOKED_BY,
	DT_F_UI_ISSUER_ARN,
	DT_F_UI_ISSUER_TYPE,
	DT_F_UI_ISSUER_NAME,
	DT_F_UI_MFA,
	DT_F_REQUEST,
	DT_F_RESPONSE,
	DT_F_ADDITIONAL,
	DT_F_MFA_USED,
	DT_F_CONSOLE_LOGIN,
	DT_F_READ_ONLY,
	DT_F_RESOURCES,
	DT_F_FROM_CONSOLE, /* sessionCredentialFromConsole */
	/* envelopes and non-events, for the reader */
	DT_F_DETAIL,
	DT_F_DETAIL_TYPE,
	DT_F_EVENT_DATA,
	DT_F_DIGEST_START,
	DT_F_RECORDS,
	DT_F_COUNT
};

/* Fixed DNS slots (Route 53 Resolver query logs). */
enum {
	DT_D_QUERY_NAME = 0,
	DT_D_QUERY_TYPE,
	DT_D_RCODE,
	DT_D_SRCADDR,
	DT_D_SRCPORT,
	DT_D_TIME,
	DT_D_ACCOUNT,
	DT_D_REGION,
	DT_D_VPC,
	DT_D_INSTANCE,
	DT_D_FIREWALL_ACTION,
	DT_D_ANSWERS,
	DT_D_COUNT
};

/* Per-record scratch memory (decoded strings), reset for each record. */
typedef struct dt_scratch {
	char *chunks[64];
	size_t sizes[64];
	size_t n; /* chunks in use */
	size_t used; /* bytes used in the last chunk */
} dt_scratch;

void dt_scratch_reset(dt_scratch *s);
void dt_scratch_free(dt_scratch *s);
char *dt_scratch_alloc(dt_scratch *s, size_t n);

typedef struct dt_event {
	dt_index *ix;
	const dt_paths *paths;
	dt_scratch *scratch;
	int64_t time; /* epoch seconds; 0 when unknown */
	const char *file;
	uint64_t line;
	uint64_t seq; /* record number in the run */
} dt_event;

/* A string field's value (decoded), or NULL; *len gets its length. Numbers
 * and booleans come back as their text. */
const char *dt_event_str(const dt_event *ev, int slot, size_t *len);
/* Same for a value already in hand. */
const char *dt_event_val_str(const dt_event *ev, const dt_jval *v, size_t *len);
/* A member of an object field, decoded (e.g. requestParameters "bucketName"). */
const char *dt_event_member(const dt_event *ev, int slot, const char *key, size_t *len);
/* Equality helpers. */
bool dt_event_is(const dt_event *ev, int slot, const char *s);

/* Register the fixed slots (must be the first paths registered). */
void dt_ct_paths_init(dt_paths *ps);
void dt_dns_paths_init(dt_paths *ps);

/* Parse an ISO-8601/RFC 3339-like time ("2024-01-02T03:04:05Z", with a
 * space, fraction or offset); 0 when it is not one. */
int64_t dt_parse_time(const char *s, size_t n);

#endif
