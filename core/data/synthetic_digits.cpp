#include "core/data/synthetic_digits.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <vector>

namespace qnn {

namespace {

// Own generator and distributions: std:: distributions differ between standard
// libraries, and the dataset must be the same bytes everywhere.
struct SplitMix64 {
    uint64_t state;
    uint64_t next()
    {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    double normal()
    {
        const double u1 = std::max(uniform(), 1e-12);
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }
};

struct Pt {
    double x, y;
};
using Stroke = std::vector<Pt>;

constexpr double kPi = 3.14159265358979323846;

// Points on an ellipse arc in the unit box (y down); angles in degrees, -90 = top.
Stroke arc(double cx, double cy, double rx, double ry, double fromDeg, double toDeg)
{
    Stroke s;
    const int steps = 14;
    for (int i = 0; i <= steps; ++i) {
        const double a = (fromDeg + (toDeg - fromDeg) * i / steps) * kPi / 180.0;
        s.push_back({cx + rx * std::cos(a), cy + ry * std::sin(a)});
    }
    return s;
}

Stroke join(Stroke a, const Stroke& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

const std::vector<std::vector<Stroke>>& glyphs()
{
    static const std::vector<std::vector<Stroke>> g{
        /* 0 */ {arc(0.5, 0.5, 0.28, 0.42, 0, 360)},
        /* 1 */ {{{0.33, 0.25}, {0.52, 0.08}, {0.52, 0.92}}},
        /* 2 */ {join(arc(0.5, 0.32, 0.27, 0.24, 190, 380), Stroke{{0.2, 0.92}, {0.82, 0.92}})},
        /* 3 */ {join(arc(0.48, 0.29, 0.26, 0.21, 210, 450), arc(0.48, 0.71, 0.28, 0.21, 270, 510))},
        /* 4 */ {{{0.66, 0.92}, {0.66, 0.08}, {0.18, 0.64}, {0.86, 0.64}}},
        /* 5 */ {join(Stroke{{0.78, 0.08}, {0.32, 0.08}, {0.28, 0.44}}, arc(0.5, 0.65, 0.28, 0.26, 230, 500))},
        /* 6 */ {join(Stroke{{0.72, 0.1}, {0.42, 0.3}}, arc(0.5, 0.66, 0.26, 0.26, 200, 560))},
        /* 7 */ {{{0.18, 0.08}, {0.82, 0.08}, {0.42, 0.92}}},
        /* 8 */ {arc(0.5, 0.28, 0.21, 0.2, 0, 360), arc(0.5, 0.7, 0.26, 0.22, 0, 360)},
        /* 9 */ {join(arc(0.48, 0.32, 0.25, 0.24, -10, 350), Stroke{{0.73, 0.32}, {0.62, 0.92}})},
    };
    return g;
}

double segmentDistance(double px, double py, Pt a, Pt b)
{
    const double dx = b.x - a.x, dy = b.y - a.y;
    const double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((px - a.x) * dx + (py - a.y) * dy) / len2 : 0.0;
    t = std::clamp(t, 0.0, 1.0);
    const double ex = a.x + t * dx - px, ey = a.y + t * dy - py;
    return std::sqrt(ex * ex + ey * ey);
}

void drawDigit(int digit, SplitMix64& rng, uint8_t* out)
{
    constexpr int kSize = 28;
    // Affine map from the unit glyph box to pixels: the digit fills about 20×20
    // around the centre, as in MNIST, then jitters.
    const double angle = rng.uniform(-0.22, 0.22);
    const double scaleX = rng.uniform(15.0, 21.0);
    const double scaleY = rng.uniform(17.0, 22.0);
    const double shear = rng.uniform(-0.3, 0.3);
    const double shiftX = rng.uniform(-2.5, 2.5);
    const double shiftY = rng.uniform(-2.0, 2.0);
    const double halfWidth = rng.uniform(0.9, 2.0);
    const double ca = std::cos(angle), sa = std::sin(angle);

    std::vector<Stroke> strokes;
    for (const Stroke& s : glyphs()[static_cast<size_t>(digit)]) {
        Stroke t;
        for (const Pt& p : s) {
            // Small per-point wobble makes strokes less regular than the template.
            const double ux = p.x - 0.5 + rng.uniform(-0.025, 0.025);
            const double uy = p.y - 0.5 + rng.uniform(-0.025, 0.025);
            const double sx = (ux + shear * uy) * scaleX;
            const double sy = uy * scaleY;
            t.push_back({14.0 + shiftX + ca * sx - sa * sy, 14.0 + shiftY + sa * sx + ca * sy});
        }
        strokes.push_back(std::move(t));
    }

    // Distance from each pixel centre to the nearest stroke, visiting only the
    // pixels near each segment (about 20x fewer distance evaluations than every
    // pixel against every segment).
    double dist[kSize * kSize];
    std::fill(std::begin(dist), std::end(dist), 1e9);
    const double reach = halfWidth + 1.0;
    for (const Stroke& s : strokes) {
        for (size_t i = 1; i < s.size(); ++i) {
            const Pt a = s[i - 1], b = s[i];
            const int x0 = std::max(0, static_cast<int>(std::floor(std::min(a.x, b.x) - reach)));
            const int x1 = std::min(kSize - 1, static_cast<int>(std::ceil(std::max(a.x, b.x) + reach)));
            const int y0 = std::max(0, static_cast<int>(std::floor(std::min(a.y, b.y) - reach)));
            const int y1 = std::min(kSize - 1, static_cast<int>(std::ceil(std::max(a.y, b.y) + reach)));
            for (int y = y0; y <= y1; ++y)
                for (int x = x0; x <= x1; ++x)
                    dist[y * kSize + x] = std::min(dist[y * kSize + x], segmentDistance(x + 0.5, y + 0.5, a, b));
        }
    }
    const double noise = rng.uniform(0.0, 25.0);
    for (int p = 0; p < kSize * kSize; ++p) {
        // Soft edge over about one pixel, like an anti-aliased pen.
        double v = std::clamp(halfWidth - dist[p] + 0.5, 0.0, 1.0) * 255.0;
        v += noise * rng.normal();
        out[p] = static_cast<uint8_t>(std::clamp(std::lround(v), 0l, 255l));
    }
}

} // namespace

ImageSet generateSyntheticDigits(size_t count, uint64_t seed, size_t firstIndex)
{
    ImageSet set;
    set.channels = 1;
    set.height = 28;
    set.width = 28;
    set.classes = 10;
    set.classNames = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    set.pixels.resize(count * 784);
    set.labels.resize(count);
    for (size_t i = 0; i < count; ++i) {
        const size_t index = firstIndex + i;
        SplitMix64 rng{seed * 0x2545F4914F6CDD1Dull ^ (index + 1) * 0x9E3779B97F4A7C15ull};
        const int digit = static_cast<int>(index % 10);
        set.labels[i] = digit;
        drawDigit(digit, rng, set.pixels.data() + i * 784);
    }
    return set;
}

} // namespace qnn
