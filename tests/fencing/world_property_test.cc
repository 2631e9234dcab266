// Property tests of CheckFencing against the true-time worlds of world_sim.h, whose truth and
// judge share no code with the checker. Over thousands of seeded worlds per variant:
//   (a) every certain error the checker reports is a violation the world contained;
//   (b) every violation the judge proves from the recorded events alone is reported, certain,
//       with the right id (and the judge's proofs hold in the world too); for an overlap the
//       judge proves only by elimination ("one of these pairs"), some pair among them;
//   (c) with every event on one clock, the skew bound changes nothing.
// The seed count is sized for ctest (a few seconds); bench/fencing/world_sweep runs more.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fenceline/fencing.h"
#include "fencing/fencing_sim.h"
#include "fencing/world_sim.h"

namespace fenceline::testing {
namespace {

struct Variant {
  const char* name;
  WorldOptions options;
};

std::vector<Variant> Variants() {
  std::vector<Variant> v;
  WorldOptions base;
  base.clients = 4;
  base.locks = 2;
  base.ops_per_client = 30;
  base.lease_ms = 300;
  base.pause_rate = 0.15;
  {
    WorldOptions o = base;
    v.push_back({"one clock, no unknowns", o});
  }
  {
    WorldOptions o = base;
    o.skew_ms = 40;
    o.drift_ppm = 200;
    o.info_rate = 0.1;
    v.push_back({"skew, drift and unknowns", o});
  }
  {
    WorldOptions o = base;
    o.skew_ms = 20;
    o.records = true;
    o.max_lag_ms = 400;
    o.revoke_rate = 0.1;
    o.info_rate = 0.1;
    v.push_back({"lagging watch records, revokes, skew and unknowns", o});
  }
  {
    WorldOptions o = base;
    o.fenced = false;
    o.info_rate = 0.05;
    o.skew_ms = 10;
    v.push_back({"storage without fencing", o});
  }
  {
    WorldOptions o = base;
    o.spurious_reject_rate = 0.2;
    o.records = true;
    o.max_lag_ms = 200;
    o.revoke_rate = 0.2;
    o.info_rate = 0.05;
    o.skew_ms = 10;
    o.idempotent_release = true;
    v.push_back({"storage that rejects current tokens, revokes, releases ok when not held", o});
  }
  {
    WorldOptions o = base;
    o.forger_rate = 0.05;
    o.thief_rate = 0.05;
    o.info_rate = 0.05;
    o.skew_ms = 20;
    v.push_back({"forgers and thieves", o});
  }
  {
    WorldOptions o = base;
    o.forger_rate = 0.05;
    o.thief_rate = 0.05;
    o.records = true;
    o.max_lag_ms = 100;
    o.info_rate = 0.1;
    v.push_back({"forgers and thieves with grant records", o});
  }
  {
    WorldOptions o = base;
    o.early_grants = true;
    o.token_reuse = true;
    o.info_rate = 0.05;
    o.skew_ms = 10;
    v.push_back({"faulty lock service", o});
  }
  {
    // Grants known only from the watch (the acquire's response lost) that overlap a live lease:
    // the judge proves them from the record, an upper bound on the grant.
    WorldOptions o = base;
    o.early_grants = true;
    o.early_grant_rate = 0.5;
    o.records = true;
    o.max_lag_ms = 100;
    o.info_rate = 0.15;
    o.skew_ms = 10;
    v.push_back({"faulty lock service, lagging watch records, lost responses", o});
  }
  {
    // Waiters queue for longer than a lease and are granted early, so a grant's instant is
    // spread over more than a lease: its overlap is only provable by elimination.
    WorldOptions o = base;
    o.locks = 1;
    o.clients = 6;
    o.ops_per_client = 25;
    o.lease_ms = 200;
    o.try_rate = 0.05;
    o.early_grants = true;
    o.early_grant_rate = 0.7;
    o.newest_first = true;
    o.info_rate = 0.05;
    o.skew_ms = 5;
    v.push_back({"faulty lock service, queues longer than a lease", o});
  }
  {
    WorldOptions o = base;
    o.locks = 1;
    o.clients = 7;
    o.ops_per_client = 20;
    o.try_rate = 0.1;
    o.info_rate = 0.05;
    o.fenced = false;
    v.push_back({"hot lock, blocking acquires", o});
  }
  {
    WorldOptions o = base;
    o.one_clock = true;
    o.info_rate = 0.1;
    o.records = true;
    o.max_lag_ms = 200;
    o.fenced = false;
    v.push_back({"every event on one named clock", o});
  }
  return v;
}

int Seeds() {
  if (const char* s = std::getenv("FENCELINE_WORLD_SEEDS")) return std::atoi(s);
  return 1200;
}

// "overlapping-leases-among|L|T1|T2|...": the judge proved by elimination that two of these
// grants of L (tokens issued once) overlapped, not which two. Whether `key`, a canonical
// overlapping-leases key, names two of them.
bool AmongCovers(const std::string& among, const std::string& key) {
  auto split = [](const std::string& s) {
    std::vector<std::string> parts;
    size_t from = 0;
    for (size_t at; (at = s.find('|', from)) != std::string::npos; from = at + 1) {
      parts.push_back(s.substr(from, at - from));
    }
    parts.push_back(s.substr(from));
    return parts;
  };
  const std::vector<std::string> a = split(among);
  const std::vector<std::string> k = split(key);
  if (k.size() != 6 || k[0] != "overlapping-leases" || k[1] != a[1]) return false;
  const std::set<std::string> tokens(a.begin() + 2, a.end());
  return tokens.contains(k[2]) && tokens.contains(k[4]);
}

// Whether `among`, a checker's key by elimination (an overlap with one client's holding), names
// only grants of `judged`, the judge's.
bool AmongWithin(const std::string& among, const std::string& judged) {
  if (!among.starts_with("overlapping-leases-among|")) return false;
  auto tokens = [](const std::string& s) {
    std::set<std::string> out;
    size_t from = s.find('|', s.find('|') + 1) + 1;  // past the id and the lock
    for (size_t at; (at = s.find('|', from)) != std::string::npos; from = at + 1) {
      out.insert(s.substr(from, at - from));
    }
    out.insert(s.substr(from));
    return out;
  };
  const std::string lock_of_among = among.substr(0, among.find('|', among.find('|') + 1));
  const std::string lock_of_judged = judged.substr(0, judged.find('|', judged.find('|') + 1));
  if (lock_of_among != lock_of_judged) return false;
  const std::set<std::string> a = tokens(among), j = tokens(judged);
  return std::includes(j.begin(), j.end(), a.begin(), a.end());
}

std::string Describe(const FencingResult& r) {
  std::string s;
  for (const Violation& v : r.violations) {
    s += "  " + v.id + " (" + std::string(CertaintyName(v.certainty)) + ") key " + ViolationKey(v) +
         ": " + v.message + "\n";
  }
  return s;
}

TEST(WorldPropertyTest, NoFalseCertainErrorsAndNoMissedProvableViolations) {
  int failures = 0;
  size_t worlds = 0, proven = 0, certain = 0;
  std::map<std::string, size_t> proven_by_id;
  for (const Variant& variant : Variants()) {
    for (int seed = 1; seed <= Seeds() && failures < 5; ++seed) {
      WorldOptions o = variant.options;
      o.seed = static_cast<uint64_t>(seed);
      World w = SimulateWorld(o);
      const std::set<std::string> judged = JudgeProvable(w.events, w.checker_options);
      StatusOr<History> h = BuildHistory(w.events);
      ASSERT_TRUE(h.ok()) << h.status().message();
      StatusOr<FencingResult> r = CheckFencing(*h, w.checker_options);
      ASSERT_TRUE(r.ok()) << r.status().message();
      ++worlds;
      const std::string where = std::string(variant.name) + ", seed " + std::to_string(seed);
      std::set<std::string> reported;
      for (const Violation& v : r->violations) {
        if (v.certainty != Certainty::kCertain) continue;
        // Of the warnings, false-rejection is keyed: a certain one must have happened too.
        if (v.severity != Severity::kError && v.id != "false-rejection") continue;
        ++certain;
        const std::string key = ViolationKey(v);
        reported.insert(key);
        // forged-token's range argument assumes increasing tokens (docs/fencing.md).
        if (o.token_reuse && v.id == "forged-token") continue;
        bool happened = w.truth.contains(key);
        if (key.starts_with("overlapping-leases-among|")) {
          for (const std::string& t : w.truth) happened = happened || AmongCovers(key, t);
        }
        if (!happened) {
          ++failures;
          ADD_FAILURE() << where << ": certain " << key << " did not happen\n" << Describe(*r);
        }
      }
      for (const std::string& key : judged) {
        ++proven;
        ++proven_by_id[key.substr(0, key.find('|'))];
        if (key.starts_with("overlapping-leases-among|")) {
          // Some pair among them happened, and the checker reports a certain one among them.
          bool happened = false, found = false;
          for (const std::string& t : w.truth) happened = happened || AmongCovers(key, t);
          for (const std::string& k : reported) {
            found = found || AmongCovers(key, k) || AmongWithin(k, key);
          }
          if (!happened) {
            ++failures;
            ADD_FAILURE() << where << ": the judge proved " << key
                          << ", but no such pair overlapped";
          } else if (!found) {
            ++failures;
            ADD_FAILURE() << where << ": provable " << key
                          << " (by elimination) has no certain overlapping-leases among them\n"
                          << Describe(*r);
          }
          continue;
        }
        if (!w.truth.contains(key)) {
          ++failures;
          ADD_FAILURE() << where << ": the judge proved " << key << ", which did not happen";
          continue;
        }
        bool found = false;
        for (const std::string& k : reported) {
          found = found || (key.back() == '|' ? k.starts_with(key) : k == key);
        }
        if (!found) {
          ++failures;
          ADD_FAILURE() << where << ": provable " << key << " not reported as certain\n"
                        << Describe(*r);
        }
      }
      if (o.one_clock) {
        FencingOptions skewed = w.checker_options;
        skewed.clock_skew_ms = 20;
        StatusOr<FencingResult> s = CheckFencing(*h, skewed);
        ASSERT_TRUE(s.ok());
        bool same = s->verdict == r->verdict && s->violations.size() == r->violations.size();
        for (size_t i = 0; same && i < s->violations.size(); ++i) {
          same = s->violations[i].id == r->violations[i].id &&
                 s->violations[i].certainty == r->violations[i].certainty;
        }
        if (!same) {
          ++failures;
          ADD_FAILURE() << where << ": --clock-skew changed the result on one clock\n"
                        << Describe(*r) << "with skew:\n"
                        << Describe(*s);
        }
      }
    }
  }
  // The worlds must contain something to prove, or the property is empty.
  EXPECT_GT(proven, worlds / 20) << worlds << " worlds";
  EXPECT_GT(certain, worlds / 20) << worlds << " worlds";
  // What the worlds gave the judge to prove, by id: each must be exercised.
  std::printf("%zu worlds, %zu certain errors reported, %zu proofs:", worlds, certain, proven);
  for (const auto& [id, n] : proven_by_id) std::printf(" %s %zu", id.c_str(), n);
  std::printf("\n");
  for (const char* id :
       {"stale-token", "forged-token", "foreign-token", "expired-lease-write", "overlapping-leases",
        "overlapping-leases-among", "non-monotonic-grant", "false-rejection"}) {
    EXPECT_GT(proven_by_id[id], 0u) << id << " never provable in these worlds";
  }
}

}  // namespace
}  // namespace fenceline::testing
