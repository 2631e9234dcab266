#include "recorder/etcd/gateway.h"

#include <curl/curl.h>

#include <cstdlib>
#include <utility>

#include <rapidjson/document.h>

#include "recorder/etcd/base64.h"
#include "recorder/event_log.h"

namespace fenceline::record {
namespace {

size_t AppendBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// The gateway writes int64 fields as strings; accept numbers too.
int64_t Int64Field(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject()) return 0;
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd()) return 0;
  if (it->value.IsString()) return std::strtoll(it->value.GetString(), nullptr, 10);
  if (it->value.IsInt64()) return it->value.GetInt64();
  return 0;
}

std::string BytesField(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject()) return "";
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsString()) return "";
  return Base64Decode(it->value.GetString()).value_or("");
}

bool BoolField(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject()) return false;
  auto it = obj.FindMember(name);
  return it != obj.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

// etcd's errors that say the request's fate is unknown, not that it was refused.
bool IsIndeterminate(const std::string& message, int64_t code) {
  // gRPC codes: 1 cancelled, 4 deadline exceeded, 14 unavailable.
  if (code == 1 || code == 4 || code == 14) return true;
  for (const char* s : {"timed out", "timeout", "leader changed", "no leader", "unavailable",
                        "canceled", "cancelled"}) {
    if (message.find(s) != std::string::npos) return true;
  }
  return false;
}

void ParseEvents(const rapidjson::Value& result, std::vector<WatchEvent>& out) {
  auto events = result.FindMember("events");
  if (events == result.MemberEnd() || !events->value.IsArray()) return;
  for (const auto& e : events->value.GetArray()) {
    if (!e.IsObject()) continue;
    WatchEvent w;
    auto type = e.FindMember("type");
    w.is_delete = type != e.MemberEnd() && type->value.IsString() &&
                  std::string(type->value.GetString()) == "DELETE";
    auto kv = e.FindMember("kv");
    if (kv == e.MemberEnd()) continue;
    w.key = BytesField(kv->value, "key");
    w.mod_revision = Int64Field(kv->value, "mod_revision");
    const rapidjson::Value* src = &kv->value;
    auto prev = e.FindMember("prev_kv");
    if (w.is_delete && prev != e.MemberEnd()) src = &prev->value;
    w.create_revision = Int64Field(*src, "create_revision");
    w.lease = Int64Field(*src, "lease");
    out.push_back(std::move(w));
  }
}

}  // namespace

std::string PrefixEnd(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    auto& c = reinterpret_cast<unsigned char&>(end.back());
    if (c < 0xff) {
      ++c;
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // every key
}

Gateway::Gateway(std::string endpoint) : endpoint_(std::move(endpoint)), curl_(curl_easy_init()) {}

Gateway::~Gateway() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Gateway::Raw Gateway::Post(const std::string& path, const std::string& body,
                           milliseconds timeout) {
  Raw raw;
  CURL* c = static_cast<CURL*>(curl_);
  if (c == nullptr) {
    raw.error = "curl_easy_init failed";
    return raw;
  }
  curl_easy_reset(c);
  std::string url = endpoint_ + path;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  if (!body.empty()) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &raw.body);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    raw.kind = Kind::kInfo;
    raw.error = rc == CURLE_OPERATION_TIMEDOUT ? "timeout" : curl_easy_strerror(rc);
    return raw;
  }
  long http = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
  if (http == 200) {
    raw.kind = Kind::kOk;
    return raw;
  }
  rapidjson::Document doc;
  doc.Parse(raw.body.c_str(), raw.body.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("error")) {
    raw.kind = Kind::kInfo;
    raw.error = "http " + std::to_string(http);
    return raw;
  }
  const auto& e = doc["error"];
  raw.error = e.IsString() ? e.GetString() : "http " + std::to_string(http);
  raw.kind = IsIndeterminate(raw.error, Int64Field(doc, "code")) ? Kind::kInfo : Kind::kFail;
  return raw;
}

bool Gateway::Healthy(milliseconds timeout) {
  CURL* c = static_cast<CURL*>(curl_);
  if (c == nullptr) return false;
  curl_easy_reset(c);
  std::string url = endpoint_ + "/health";
  std::string body;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  if (curl_easy_perform(c) != CURLE_OK) return false;
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  return !doc.HasParseError() && doc.IsObject() && doc.HasMember("health") &&
         doc["health"].IsString() && std::string(doc["health"].GetString()) == "true";
}

namespace {

// Parses a 200 body; a body that is not JSON makes the reply indeterminate.
bool ParseOk(const std::string& body, rapidjson::Document& doc, Reply& reply) {
  doc.Parse(body.c_str(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    reply.kind = Kind::kInfo;
    reply.error = "unparsable response";
    return false;
  }
  return true;
}

}  // namespace

LeaseGrantReply Gateway::LeaseGrant(int64_t ttl_s, milliseconds timeout) {
  Raw raw = Post("/v3/lease/grant", JsonObject({{"TTL", JsonInt(ttl_s)}}), timeout);
  LeaseGrantReply r;
  r.kind = raw.kind;
  r.error = raw.error;
  rapidjson::Document doc;
  if (raw.kind != Kind::kOk || !ParseOk(raw.body, doc, r)) return r;
  r.id = Int64Field(doc, "ID");
  r.ttl_s = Int64Field(doc, "TTL");
  if (r.id == 0) {
    r.kind = Kind::kFail;
    r.error = Int64Field(doc, "error") != 0 ? "lease grant refused" : "no lease id in response";
  }
  return r;
}

KeepAliveReply Gateway::KeepAlive(int64_t lease, milliseconds timeout) {
  // A stream in gRPC; through the gateway one request body gives one response line.
  Raw raw = Post("/v3/lease/keepalive", JsonObject({{"ID", JsonString(std::to_string(lease))}}),
                 timeout);
  KeepAliveReply r;
  r.kind = raw.kind;
  r.error = raw.error;
  rapidjson::Document doc;
  if (raw.kind != Kind::kOk) return r;
  // The stream's first line; anything after it is ignored.
  std::string first = raw.body.substr(0, raw.body.find('\n'));
  if (!ParseOk(first, doc, r)) return r;
  auto result = doc.FindMember("result");
  if (result == doc.MemberEnd()) {
    r.kind = Kind::kInfo;
    r.error = "keepalive stream gave no result";
    return r;
  }
  r.ttl_s = Int64Field(result->value, "TTL");
  if (r.ttl_s <= 0) {
    r.kind = Kind::kFail;
    r.error = "lease not found";
  }
  return r;
}

Reply Gateway::LeaseRevoke(int64_t lease, milliseconds timeout) {
  Raw raw = Post("/v3/lease/revoke", JsonObject({{"ID", JsonString(std::to_string(lease))}}),
                 timeout);
  return Reply{raw.kind, raw.error};
}

std::optional<int64_t> Gateway::TimeToLive(int64_t lease, milliseconds timeout) {
  Raw raw = Post("/v3/lease/timetolive", JsonObject({{"ID", JsonString(std::to_string(lease))}}),
                 timeout);
  if (raw.kind != Kind::kOk) return std::nullopt;
  rapidjson::Document doc;
  Reply r;
  if (!ParseOk(raw.body, doc, r)) return std::nullopt;
  return Int64Field(doc, "TTL");
}

LockReply Gateway::Lock(const std::string& name, int64_t lease, milliseconds timeout) {
  Raw raw = Post("/v3/lock/lock",
                 JsonObject({{"name", JsonString(Base64Encode(name))},
                             {"lease", JsonString(std::to_string(lease))}}),
                 timeout);
  LockReply r;
  r.kind = raw.kind;
  r.error = raw.error;
  rapidjson::Document doc;
  if (raw.kind != Kind::kOk || !ParseOk(raw.body, doc, r)) return r;
  r.key = BytesField(doc, "key");
  if (r.key.empty()) {
    r.kind = Kind::kInfo;
    r.error = "lock response without a key";
  }
  return r;
}

Reply Gateway::Unlock(const std::string& key, milliseconds timeout) {
  Raw raw = Post("/v3/lock/unlock", JsonObject({{"key", JsonString(Base64Encode(key))}}), timeout);
  return Reply{raw.kind, raw.error};
}

RangeReply Gateway::Get(const std::string& key, milliseconds timeout) {
  Raw raw = Post("/v3/kv/range", JsonObject({{"key", JsonString(Base64Encode(key))}}), timeout);
  RangeReply r;
  r.kind = raw.kind;
  r.error = raw.error;
  rapidjson::Document doc;
  if (raw.kind != Kind::kOk || !ParseOk(raw.body, doc, r)) return r;
  auto header = doc.FindMember("header");
  if (header != doc.MemberEnd()) r.revision = Int64Field(header->value, "revision");
  auto kvs = doc.FindMember("kvs");
  if (kvs != doc.MemberEnd() && kvs->value.IsArray() && !kvs->value.Empty()) {
    const auto& kv = kvs->value[0];
    r.found = true;
    r.value = BytesField(kv, "value");
    r.create_revision = Int64Field(kv, "create_revision");
    r.mod_revision = Int64Field(kv, "mod_revision");
    r.lease = Int64Field(kv, "lease");
  }
  return r;
}

Reply Gateway::Put(const std::string& key, const std::string& value, milliseconds timeout) {
  Raw raw = Post("/v3/kv/put",
                 JsonObject({{"key", JsonString(Base64Encode(key))},
                             {"value", JsonString(Base64Encode(value))}}),
                 timeout);
  return Reply{raw.kind, raw.error};
}

TxnReply Gateway::TxnPut(const std::vector<Compare>& compares, const std::string& key,
                         const std::string& value, milliseconds timeout) {
  std::string cmp = "[";
  for (size_t i = 0; i < compares.size(); ++i) {
    const Compare& c = compares[i];
    std::string operand;
    if (c.target == "CREATE") {
      operand = "\"create_revision\":" + JsonString(std::to_string(c.revision));
    } else if (c.target == "MOD") {
      operand = "\"mod_revision\":" + JsonString(std::to_string(c.revision));
    } else {
      operand = "\"value\":" + JsonString(Base64Encode(c.value));
    }
    if (i > 0) cmp += ',';
    cmp += "{\"key\":" + JsonString(Base64Encode(c.key)) + ",\"target\":" + JsonString(c.target) +
           ",\"result\":\"EQUAL\"," + operand + "}";
  }
  cmp += "]";
  std::string put = JsonObject({{"request_put", JsonObject({{"key", JsonString(Base64Encode(key))},
                                                            {"value", JsonString(Base64Encode(value))}})}});
  Raw raw = Post("/v3/kv/txn", "{\"compare\":" + cmp + ",\"success\":[" + put + "]}", timeout);
  TxnReply r;
  r.kind = raw.kind;
  r.error = raw.error;
  rapidjson::Document doc;
  if (raw.kind != Kind::kOk || !ParseOk(raw.body, doc, r)) return r;
  r.succeeded = BoolField(doc, "succeeded");  // omitted when false
  return r;
}

namespace {

struct WatchState {
  std::string buffer;
  std::string stop_reason = "connection closed";
  bool stopped = false;
  const std::function<bool()>* on_created;
  const std::function<bool(const std::vector<WatchEvent>&)>* on_events;
};

size_t OnWatchData(char* data, size_t size, size_t n, void* user) {
  auto* st = static_cast<WatchState*>(user);
  st->buffer.append(data, size * n);
  size_t nl;
  while ((nl = st->buffer.find('\n')) != std::string::npos) {
    std::string line = st->buffer.substr(0, nl);
    st->buffer.erase(0, nl + 1);
    if (line.empty()) continue;
    rapidjson::Document doc;
    doc.Parse(line.c_str(), line.size());
    if (doc.HasParseError() || !doc.IsObject()) {
      st->stop_reason = "unparsable watch response";
      return 0;
    }
    auto result = doc.FindMember("result");
    if (result == doc.MemberEnd() || !result->value.IsObject()) {
      auto err = doc.FindMember("error");
      st->stop_reason = err != doc.MemberEnd() && err->value.IsObject() &&
                                err->value.HasMember("message") && err->value["message"].IsString()
                            ? err->value["message"].GetString()
                            : "watch response without result";
      return 0;
    }
    if (BoolField(result->value, "created")) {
      if (!(*st->on_created)()) {
        st->stopped = true;
        return 0;
      }
    }
    if (BoolField(result->value, "canceled")) {
      st->stop_reason = "watch cancelled by etcd";
      return 0;
    }
    std::vector<WatchEvent> events;
    ParseEvents(result->value, events);
    if (!events.empty() && !(*st->on_events)(events)) {
      st->stopped = true;
      return 0;
    }
  }
  return size * n;
}

}  // namespace

std::string Gateway::Watch(const std::string& key, const std::string& range_end,
                           int64_t start_revision, const std::function<bool()>& on_created,
                           const std::function<bool(const std::vector<WatchEvent>&)>& on_events) {
  CURL* c = static_cast<CURL*>(curl_);
  if (c == nullptr) return "curl_easy_init failed";
  curl_easy_reset(c);
  std::string url = endpoint_ + "/v3/watch";
  std::string body = JsonObject(
      {{"create_request",
        JsonObject({{"key", JsonString(Base64Encode(key))},
                    {"range_end", JsonString(Base64Encode(range_end))},
                    {"start_revision", JsonString(std::to_string(start_revision))},
                    {"prev_kv", "true"}})}});
  WatchState st;
  st.on_created = &on_created;
  st.on_events = &on_events;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnWatchData);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &st);
  CURLcode rc = curl_easy_perform(c);
  if (st.stopped) return "";
  if (rc != CURLE_OK && rc != CURLE_WRITE_ERROR) return curl_easy_strerror(rc);
  return st.stop_reason;
}

}  // namespace fenceline::record
