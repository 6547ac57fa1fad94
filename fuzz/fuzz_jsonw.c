/*
 * fuzz_jsonw — the streaming JSON writer against cJSON (differential):
 * whatever text the writer takes as canonical must come out exactly as
 * cJSON's print of its parse (compact and pretty), and a finding carrying
 * the input as its ASFF extras and resource details must serialise to the
 * same bytes as the cJSON DOM writer it replaced (tests/unit/asff_oracle.h),
 * strict and lossless, compact and pretty.  Any difference aborts.
 */
#include "../tests/unit/asff_oracle.h"
#include "jsonw.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const char *want, const char *got)
{
	if (strcmp(want, got) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	size_t len = strlen(text);
	cJSON *parsed = cJSON_ParseWithLength(text, len);
	for (int pretty = 0; pretty < 2; pretty++) {
		mamori_buf b = MAMORI_BUF_INIT;
		mamori_jw w;
		mamori_jw_init(&w, &b, pretty);
		if (mamori_jw_canonical(&w, text, len)) {
			if (!parsed)
				abort();
			char *want = pretty ? cJSON_Print(parsed) : cJSON_PrintUnformatted(parsed);
			same(want, mamori_buf_cstr(&b));
			free(want);
		} else if (b.len) {
			abort();
		}
		mamori_buf_free(&b);
	}
	cJSON_Delete(parsed);

	mamori_findings fs;
	mamori_findings_init(&fs);
	mamori_finding *f = mamori_findings_add(&fs);
	f->module = "fuzz";
	f->generator_id = "r";
	f->title = "t";
	f->evidence_json = text;
	f->asff_extra_json = text;
	mamori_finding_add_type(&fs, f, "Software and Configuration Checks/X");
	mamori_resource *r = mamori_finding_add_resource(&fs, f, "Other", "x");
	r->details_json = text;
	for (unsigned flags = 0; flags < 4; flags++) {
		char *want = oracle_finding_to_asff(f, flags);
		char *got = mamori_finding_to_asff(f, flags);
		same(want, got);
		free(want);
		free(got);
	}
	mamori_findings_free(&fs);
	free(text);
	return 0;
}
