// The clock model of the fencing analysis (docs/fencing.md, "The clock model"; the header says
// how each bound is read): ordering two stamps under the skew bound, combining bounds on one
// instant, and the two questions every check asks of a grant, granted before and over before.
#include <algorithm>

#include "checker/fencing/lease_timeline.h"

namespace fenceline::internal {

Order Before(const FencingInput& in, const Stamp& a, const Stamp& b) {
  Order o;
  o.cross = a.node != b.node && in.skew_ns > 0;
  if (a.t == kNever || b.t == kPast) return o;
  if (a.t == kPast || b.t == kNever) {
    // An unknown lower bound, or a never: ordered in every world, but with no gap to show.
    if (a.t == b.t) return o;
    o.certain = o.face = true;
    o.gap = kNever;
    return o;
  }
  o.gap = b.t - a.t;
  o.face = o.gap > 0;
  o.certain = o.gap > in.SkewBetween(a, b);
  return o;
}

bool Proof::Need(const Order& o) {
  if (!o.certain) {
    certain = false;
    if (o.face && o.cross) margin = margin ? std::min(*margin, o.gap) : o.gap;
  }
  if (!o.face) face = false;
  return face;
}

Stamp FencingInput::UpperMin(const Stamp& a, const Stamp& b) const {
  if (a.t == kNever) return b;
  if (b.t == kNever) return a;
  if (a.node == b.node) return a.t <= b.t ? a : b;
  return Before(*this, b, a).certain ? b : a;
}

Stamp FencingInput::LowerMax(const Stamp& a, const Stamp& b) const {
  if (a.t == kNever || a.t == kPast) return b.t == kNever ? a : b;
  if (b.t == kNever || b.t == kPast) return a;
  if (a.node == b.node) return a.t >= b.t ? a : b;
  return Before(*this, a, b).certain ? b : a;
}

Stamp FencingInput::LowerMin(const Stamp& a, const Stamp& b) const {
  if (a.t == kNever) return b;
  if (b.t == kNever || a.t == kPast) return a;
  if (b.t == kPast) return b;
  if (a.node == b.node) return a.t <= b.t ? a : b;
  // b's instant reads at least b - skew on a's clock.
  const Nanos shifted = b.t - skew_ns;
  return Stamp{std::min(a.t, shifted), a.node};
}

Order GrantedBefore(const FencingInput& in, const Grant& g, const Stamp& x) {
  const Order a = Before(in, g.granted_hi, x);
  if (a.certain || g.granted_hi_alt.t == kNever) return a;
  const Order b = Before(in, g.granted_hi_alt, x);
  return b.certain ? b : a;
}

EndBefore LeaseOverBefore(const FencingInput& in, const Grant& g, const Stamp& x, bool face_only) {
  EndBefore best;
  auto better = [](const Order& a, const Order& b) {
    if (a.certain != b.certain) return a.certain;
    if (a.face != b.face) return a.face;
    return a.gap > b.gap;
  };
  bool any = false;
  if (face_only ? g.end_bounded_face : g.end_bounded) {
    Order all;
    all.certain = all.face = true;
    all.gap = kNever;
    Stamp latest;
    for (const Stamp& e : g.end_all) {
      const Order o = Before(in, e, x);
      all.certain = all.certain && o.certain;
      all.face = all.face && o.face;
      all.cross = all.cross || (o.cross && !o.certain);
      if (o.gap < all.gap) {
        all.gap = o.gap;
        latest = e;
      }
    }
    if (!g.end_all.empty()) {
      best.order = all;
      best.at = latest;
      any = true;
    }
  }
  for (size_t i = 0; i < g.end_caps.size(); ++i) {
    const Order o = Before(in, g.end_caps[i], x);
    if (!any || better(o, best.order)) {
      best.order = o;
      best.at = g.end_caps[i];
      best.cap = static_cast<int>(i);
      any = true;
    }
  }
  return best;
}

}  // namespace fenceline::internal
