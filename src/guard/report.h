/*
 * report.h — what the Guard reporters share: structured output built as
 * cJSON trees and printed as JSON or YAML.
 */
#ifndef MAMORI_GUARD_REPORT_H
#define MAMORI_GUARD_REPORT_H

#include "../core/json.h"
#include "guard.h"
#include "value.h"

/* Append root as block-style YAML. */
void mg_report_yaml(const cJSON *root, mamori_buf *out);
/* Append root as JSON the way serde_json's pretty printer writes it. */
void mg_report_json(const cJSON *root, mamori_buf *out);
/* Print root as pretty JSON (with a final newline if asked) or YAML. */
int mg_report_print(const cJSON *root, bool yaml, bool final_newline, FILE *out);
/* A Guard value as a cJSON tree; numbers are raw items with their exact
 * text (5, 5.0, 1.5e-7). */
cJSON *mg_report_value(const mg_value *v);
/* A JSON text (evidence) as a cJSON tree, numbers kept as raw items, or a
 * string when it does not parse. */
cJSON *mg_report_json_text(const char *s);

/* s with XML's special characters escaped (text and attribute values). */
void mg_xml_escape(FILE *out, const char *s);

#endif
