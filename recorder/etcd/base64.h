// recorder/etcd/base64.h
//
// etcd's JSON gateway carries keys and values as base64 (protobuf `bytes`), so every request
// and watch event passes through these two functions.
#ifndef FENCELINE_RECORDER_ETCD_BASE64_H_
#define FENCELINE_RECORDER_ETCD_BASE64_H_

#include <optional>
#include <string>
#include <string_view>

namespace fenceline::record {

std::string Base64Encode(std::string_view bytes);
// nullopt if `text` is not canonical padded base64.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace fenceline::record

#endif  // FENCELINE_RECORDER_ETCD_BASE64_H_
