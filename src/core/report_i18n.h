/*
 * report_i18n.h — the words of the HTML report (output_html.c) in English
 * and Japanese: a small message catalogue, so that the report's layout and
 * escaping stay in one place whatever the language.
 */
#ifndef MAMORI_CORE_REPORT_I18N_H
#define MAMORI_CORE_REPORT_I18N_H

#include <stddef.h>

typedef struct mamori_message {
	const char *key;
	const char *en;
	const char *ja;
} mamori_message;

/* The text of key in lang ("ja"; anything else is English); the key itself
 * when the catalogue lacks it (a test makes sure it never does). */
const char *mamori_report_text(const char *lang, const char *key);

/* The whole catalogue, for the completeness test. */
const mamori_message *mamori_report_messages(size_t *count);

#endif
