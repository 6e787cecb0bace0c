"""Schemathesis hooks for scripts/fuzz.sh (loaded through SCHEMATHESIS_HOOKS).

A read's parameters depend on one another in ways OpenAPI cannot state: either hour, or both from and to, with
to not before from and the range at most MAX_QUERY_HOURS; by names each field once; a cursor is only ever
copied from a Link header. Left to the document alone, nearly every generated read breaks one of these and
the fuzzer seldom reaches a valid read. So a read generated as valid ("positive") is made to keep them too,
and then must succeed; reads generated as invalid are sent exactly as generated and must be refused.
"""
import os

import schemathesis

READS = {("GET", "/flows"), ("GET", "/flow")}
MAX_QUERY_HOURS = int(os.environ["MAX_QUERY_HOURS"])  # set by scripts/fuzz.sh for the service and for this


@schemathesis.hook
def map_case(ctx, case):
    meta = case._meta  # pinned schemathesis version: the generation mode is only on the case's metadata
    if (case.method.upper(), case.path) not in READS or meta is None or not meta.generation.mode.is_positive:
        return case
    query = dict(case.query or {})
    query.pop("cursor", None)
    if "by" in query:
        query["by"] = ",".join(dict.fromkeys(query["by"].split(",")))
    if "hour" in query:
        query.pop("from", None)
        query.pop("to", None)
    elif "from" in query or "to" in query:
        # Some phases send integers as their text.
        hours = [int(query[name]) for name in ("from", "to") if name in query]
        start, end = min(hours), max(hours)
        query["from"], query["to"] = start, min(end, start + MAX_QUERY_HOURS - 1)
    else:
        query["hour"] = 0
    case.query = query
    return case
