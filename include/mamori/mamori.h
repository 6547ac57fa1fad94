/*
 * mamori.h — the whole public API of libmamori.
 *
 *   ctx.h      library context: logging, progress, clock, errors
 *   error.h    the error convention
 *   arena.h    region allocation;  buf.h  growable buffers
 *   finding.h  the ASFF finding model
 *   store.h    the findings store (SQLite, PostgreSQL)
 *   module.h   scanner modules, registry and targets
 *   scan.h     `mamori scan` as a call
 *   output.h   table, JSON, JSONL, ASFF, SARIF, CSV and HTML
 *   detect.h   threat detection over CloudTrail, flow and DNS logs
 */
#ifndef MAMORI_H
#define MAMORI_H

#include "arena.h"
#include "aws.h"
#include "buf.h"
#include "common.h"
#include "ctx.h"
#include "detect.h"
#include "error.h"
#include "finding.h"
#include "module.h"
#include "output.h"
#include "scan.h"
#include "store.h"

#endif
