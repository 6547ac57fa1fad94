#include "guard.h"
int mamori_guard_write_structured(const mamori_guard_rules *rs, const mamori_guard_report *r, bool yaml, FILE *out) { (void)rs; (void)r; (void)yaml; (void)out; return -1; }
int mamori_guard_write_sarif(const mamori_guard_rules *rs, const mamori_guard_report *r, FILE *out) { (void)rs; (void)r; (void)out; return -1; }
int mamori_guard_write_junit(const mamori_guard_rules *rs, const mamori_guard_report *r, FILE *out) { (void)rs; (void)r; (void)out; return -1; }
int mamori_guard_run_tests(mamori_ctx *ctx, const mamori_guard_rules *rs, size_t ri, const char *tp, bool v, FILE *out, size_t *failed) { (void)ctx; (void)rs; (void)ri; (void)tp; (void)v; (void)out; (void)failed; return -1; }
int mamori_guard_write_parse_tree(const mg_rules_file *rf, bool json, FILE *out) { (void)rf; (void)json; (void)out; return -1; }
