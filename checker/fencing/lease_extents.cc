// FencingLeaseExtents (include/fenceline/fencing.h): each grant's bounds from
// checker/fencing/lease_timeline.h, put on one axis. A bound on some node's clock holds on every
// other clock once widened by the skew bound (FencingInput::skew_ns, 0 on one clock): outward for
// the possible extent, inward for the certain one.
#include <algorithm>
#include <optional>
#include <vector>

#include "checker/fencing/lease_timeline.h"
#include "fenceline/fencing.h"

namespace fenceline {
namespace {

bool Known(Nanos t) { return t != kNever && t != internal::kPast; }

uint32_t LineOf(const History& h, const internal::EventRef& ref) {
  using Kind = internal::EventRef::Kind;
  if (ref.kind == Kind::kRecord) return h.other_events[ref.index].pos.line;
  const Operation& op = h.ops[ref.index];
  return ref.kind == Kind::kInvoke ? op.invoke_pos.line : op.complete_pos.line;
}

}  // namespace

StatusOr<std::vector<LeaseExtent>> FencingLeaseExtents(const History& history,
                                                       const FencingOptions& options) {
  FENCELINE_ASSIGN_OR_RETURN(internal::FencingInput in,
                             internal::BuildLeaseTimeline(history, options));
  const Nanos skew = in.skew_ns;
  std::vector<LeaseExtent> out;
  out.reserve(in.grants.size());
  for (size_t lock = 0; lock < in.per_lock.size(); ++lock) {
    for (uint32_t g : in.per_lock[lock].grants) {
      const internal::Grant& gr = in.grants[g];
      LeaseExtent e;
      e.lock = in.locks[gr.lock];
      e.client = in.clients[gr.client];
      e.token = gr.token;
      if (gr.lease_ns) e.lease_ms = static_cast<double>(*gr.lease_ns) / 1e6;
      e.from_record = gr.authoritative;
      for (const internal::EventRef& ref : gr.evidence) {
        const uint32_t line = LineOf(history, ref);
        if (line != 0 && (e.line == 0 || line < e.line)) e.line = line;
      }
      if (in.timed) {
        // Granted before both upper bounds; the client relies on it from then until live_until.
        Nanos granted = gr.granted_hi.t;
        if (Known(gr.granted_hi_alt.t)) {
          granted = Known(granted) ? std::min(granted, gr.granted_hi_alt.t) : gr.granted_hi_alt.t;
        }
        if (Known(granted) && Known(gr.live_until.t)) {
          e.certain_from = granted + skew;
          e.certain_until = gr.live_until.t - skew;
        }
        if (Known(gr.granted_lo.t)) e.possible_from = gr.granted_lo.t - skew;
        // Over once every end_all stamp has passed (when they bound it), or any end_caps one.
        std::optional<Nanos> over;
        if (gr.end_bounded && !gr.end_all.empty()) {
          Nanos latest = internal::kPast;
          for (const internal::Stamp& s : gr.end_all) latest = std::max(latest, s.t);
          if (Known(latest)) over = latest;
        }
        for (const internal::Stamp& s : gr.end_caps) {
          if (Known(s.t)) over = over ? std::min(*over, s.t) : s.t;
        }
        if (over) e.possible_until = *over + skew;
      }
      out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace fenceline
