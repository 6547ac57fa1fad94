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
/* Print root as pretty JSON or YAML. */
int mg_report_print(const cJSON *root, bool yaml, FILE *out);
/* A Guard value as a cJSON tree. */
cJSON *mg_report_value(const mg_value *v);
/* A JSON text (evidence) as a cJSON tree, or a string when it does not parse. */
cJSON *mg_report_json_text(const char *s);

#endif
