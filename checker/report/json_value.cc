#include "checker/report/json_value.h"

#include "checker/report/report_common.h"

#include <cmath>
#include <string>

namespace fenceline::internal {

void WriteJsonValue(JsonWriter& w, const Value& v) {
  auto str = [&](const std::string& s) { WriteJsonString(w, s); };
  switch (v.kind()) {
    case ValueKind::kNil: w.Null(); return;
    case ValueKind::kBool: w.Bool(v.bool_value()); return;
    case ValueKind::kInt: w.Int64(v.int_value()); return;
    case ValueKind::kBigInt:
      w.RawValue(v.text().data(), v.text().size(), rapidjson::kNumberType);
      return;
    case ValueKind::kFloat:
      if (std::isfinite(v.float_value())) w.Double(v.float_value());
      else w.Null();
      return;
    case ValueKind::kString:
    case ValueKind::kSymbol:
    case ValueKind::kRatio: str(v.text()); return;
    case ValueKind::kKeyword: str(":" + v.text()); return;
    case ValueKind::kList:
    case ValueKind::kVector:
    case ValueKind::kSet:
      w.StartArray();
      for (const Value& item : v.items()) WriteJsonValue(w, item);
      w.EndArray();
      return;
    case ValueKind::kMap:
      w.StartObject();
      for (size_t i = 0; i + 1 < v.items().size(); i += 2) {
        const Value& k = v.items()[i];
        const std::string key = ValidUtf8(k.is_string() || k.is_keyword() ? k.text() : k.ToEdn());
        w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
        WriteJsonValue(w, v.items()[i + 1]);
      }
      w.EndObject();
      return;
    case ValueKind::kChar:
    case ValueKind::kTagged: str(v.ToEdn()); return;
  }
  w.Null();
}

}  // namespace fenceline::internal
