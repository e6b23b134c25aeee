#pragma once
// Random packed layers for the engine tests, which compare the engine's
// kernels with plain reference loops on them: any values serve, so the
// layers are random but the same for a seed.

#include "core/pack/packed_net.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace qnn::test {

/** A random weight or input code of `bits` bits: ±1 for one bit, else symmetric. */
inline int randomCode(std::mt19937_64& rng, int bits)
{
    if (bits == 1)
        return (rng() & 1) ? 1 : -1;
    const int hi = (1 << (bits - 1)) - 1;
    return int(rng() % uint64_t(2 * hi + 1)) - hi;
}

/** How a random layer varies beyond its shape. */
struct RandomLayerStyle {
    /** Thresholds spread over ±max(spanMin, mw / spanDivisor) around the accumulator's middle. */
    int64_t spanMin = 8;
    int64_t spanDivisor = 4;
    /** Binary padding columns random ±1 instead of +1 (the engine must ignore them either way). */
    bool randomBinaryPadding = false;
    /** A W1A1 bipolar layer uses popcount only on a coin toss (else the signed dot). */
    bool randomPopcount = false;
};

/** rows × cols real codes padded to mh × mw; `outLevels` 2 = bipolar, else
 *  base + count; thresholds sorted per row. */
inline pack::PackedLayer randomLayer(std::mt19937_64& rng, int64_t rows, int64_t cols, int64_t mh, int64_t mw,
                                     int wBits, int inBits, int outLevels, const RandomLayerStyle& style = {})
{
    pack::PackedLayer l;
    l.name = "random";
    l.rows = rows, l.cols = cols, l.mh = mh, l.mw = mw;
    l.weightBits = wBits, l.inputBits = inBits;
    l.pe = 1, l.simd = 1;
    l.weights.resize(size_t(mh * mw));
    for (int64_t r = 0; r < mh; ++r)
        for (int64_t c = 0; c < mw; ++c) {
            const int pad = wBits != 1 ? 0 : style.randomBinaryPadding ? randomCode(rng, 1) : 1;
            l.weights[size_t(r * mw + c)] = int8_t(c < cols ? randomCode(rng, wBits) : pad);
        }
    l.bipolarOutput = outLevels == 2;
    l.thresholdsPerRow = outLevels - 1;
    l.outputBase = l.bipolarOutput ? -1 : -(outLevels / 2);
    l.popcount = wBits == 1 && inBits == 1 && l.bipolarOutput && (!style.randomPopcount || (rng() & 1));
    const int64_t span = std::max<int64_t>(style.spanMin, mw / style.spanDivisor);
    for (int64_t r = 0; r < mh; ++r) {
        std::vector<int64_t> t(size_t(l.thresholdsPerRow));
        for (auto& v : t)
            v = int64_t(rng() % uint64_t(2 * span + 1)) - span + (l.popcount ? mw / 2 : 0);
        std::sort(t.begin(), t.end());
        l.thresholds.insert(l.thresholds.end(), t.begin(), t.end());
    }
    return l;
}

} // namespace qnn::test
