// checker/report/json_value.h
//
// Values in JSON, one convention for every JSON report (linearizability and fencing):
// nil -> null; keywords -> ":name" strings (so :timed-out and "timed-out" stay apart); big
// integers -> raw numbers; non-finite floats -> null; lists, vectors and sets -> arrays; maps ->
// objects, keys that are not strings or keywords written as their EDN text. Text that is not
// valid UTF-8 gets U+FFFD for each bad byte, so the JSON is always valid.
#ifndef FENCELINE_CHECKER_REPORT_JSON_VALUE_H_
#define FENCELINE_CHECKER_REPORT_JSON_VALUE_H_

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "fenceline/value.h"

namespace fenceline::internal {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void WriteJsonValue(JsonWriter& w, const Value& v);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_REPORT_JSON_VALUE_H_
