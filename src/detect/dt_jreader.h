/*
 * dt_jreader.h — JSON log records out of a dt_input, in every shape AWS
 * hands them out:
 *   {"Records":[...]}          CloudTrail files as delivered to S3
 *   [ {...}, ... ]             bare arrays (exports, API dumps)
 *   {...}\n{...}               JSON Lines / concatenated objects (Route 53
 *                              Resolver logs, CloudTrail Lake and SIEM exports)
 *   EventBridge envelopes      {"detail-type": ..., "detail": {event}}
 *   {"eventData": "..."}       CloudTrail Lake integration events (object or
 *                              JSON string)
 * Each record is indexed (dt_json_index) and handed to a callback.  The
 * window slides record by record, so memory is bounded by the longest
 * record.  Malformed input is reported with path:line:col and reading
 * resumes at the next line when the document is line-delimited.
 */
#ifndef MAMORI_DETECT_JREADER_H
#define MAMORI_DETECT_JREADER_H

#include "dt_event.h"
#include "dt_input.h"

typedef struct dt_jreader_stats {
	uint64_t records;     /* handed to the callback */
	uint64_t not_objects; /* array elements that are not objects */
	uint64_t errors;      /* malformed places reported */
} dt_jreader_stats;

typedef struct dt_jreader {
	dt_input *in;
	const dt_paths *paths;
	dt_index *ix;
	dt_scratch *scratch;
	/* slots the reader uses to unwrap envelopes (-1 = none) */
	int slot_records, slot_detail, slot_event_data, slot_marker;
	void *ud;
	/* a record (ix filled, ix->rec its text); line = its first line */
	void (*record)(void *ud, dt_index *ix, uint64_t line);
	/* a problem at path:line:col */
	void (*problem)(void *ud, const char *path, uint64_t line, unsigned col, const char *msg);
	dt_jreader_stats stats;
} dt_jreader;

/* Read everything; returns MAMORI_OK (problems go to the callback). */
int dt_jreader_run(dt_jreader *r);

#endif
