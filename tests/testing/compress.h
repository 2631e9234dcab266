// tests/testing/compress.h
//
// Compressed copies of a text, made with the same libraries the reader uses, so a test of
// compressed input knows exactly what the decompressed text must be.
#ifndef FENCELINE_TESTS_TESTING_COMPRESS_H_
#define FENCELINE_TESTS_TESTING_COMPRESS_H_

#include <string>

namespace fenceline::testing {

std::string Gzip(const std::string& text);  // one gzip member
std::string Zstd(const std::string& text);  // one zstd frame; "" if compression failed

}  // namespace fenceline::testing

#endif  // FENCELINE_TESTS_TESTING_COMPRESS_H_
