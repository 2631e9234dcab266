// tests/testing/matchers.h
//
// Status matchers and assertions shared by every test: errors are checked by code and message,
// never as a bare "not ok".
#ifndef FENCELINE_TESTS_TESTING_MATCHERS_H_
#define FENCELINE_TESTS_TESTING_MATCHERS_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fenceline/status.h"

namespace fenceline::testing {

MATCHER_P2(StatusIs, code, message_matcher, "") {
  const ::fenceline::Status s = [&] {
    if constexpr (std::is_same_v<std::decay_t<arg_type>, ::fenceline::Status>) return arg;
    else return arg.status();
  }();
  if (s.code() != code) {
    *result_listener << "code is " << ::fenceline::StatusCodeName(s.code()) << " (" << s.message()
                     << ")";
    return false;
  }
  return ::testing::ExplainMatchResult(message_matcher, s.message(), result_listener);
}

MATCHER(IsOk, "") {
  const ::fenceline::Status s = [&] {
    if constexpr (std::is_same_v<std::decay_t<arg_type>, ::fenceline::Status>) return arg;
    else return arg.status();
  }();
  if (!s.ok()) *result_listener << "error: " << s.message();
  return s.ok();
}

}  // namespace fenceline::testing

#define FENCELINE_TEST_CONCAT_INNER_(a, b) a##b
#define FENCELINE_TEST_CONCAT_(a, b) FENCELINE_TEST_CONCAT_INNER_(a, b)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr)              \
  auto tmp = (expr);                                            \
  ASSERT_TRUE(tmp.ok()) << "error: " << tmp.status().message(); \
  lhs = std::move(tmp).value()
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(FENCELINE_TEST_CONCAT_(statusor_, __LINE__), lhs, expr)

#endif  // FENCELINE_TESTS_TESTING_MATCHERS_H_
