// The ARM NEON kernels of the batched engine (engine_kernel.h): aarch64
// always; armhf when this file is built with -mfpu=neon (QNN_HAVE_NEON_KERNEL),
// chosen at run time from the CPU's HWCAP.
#include "core/pack/engine_kernel.h"

#if defined(__ARM_NEON) && (defined(__aarch64__) || defined(QNN_HAVE_NEON_KERNEL))
#include <arm_neon.h>

#include <cstring>

namespace qnn::pack {

namespace {

// Two int16 columns as one 32-bit value, for a broadcast (memcpy: no aliasing through int32_t*).
inline int32_t columnPair(const int16_t* x)
{
    int32_t v;
    std::memcpy(&v, x, sizeof v);
    return v;
}

// Rows in pairs of 64-bit lanes, four pairs per group of eight, four input
// vectors per weight load; byte popcounts (vcnt) summed every 31 words.
template <bool Xnor, bool Threshold>
inline void neonBlock(const uint64_t* w, int64_t groups, int64_t words, const uint64_t* x, int64_t vecs,
                      const int64_t* t, int32_t* counts, uint64_t* bits, int64_t outWords, int shift = 0,
                      bool accumulate = false)
{
    for (int64_t v0 = 0; v0 < vecs; v0 += 4) {
        const uint64_t* xb = x + v0 * words;
        for (int64_t g = 0; g < groups; ++g) {
            const uint64_t* wg = w + g * words * 8;
            uint64x2_t total[4][4];
            for (int i = 0; i < 4; ++i)
                for (int p = 0; p < 4; ++p)
                    total[i][p] = vdupq_n_u64(0);
            for (int64_t k0 = 0; k0 < words; k0 += 31) {
                const int64_t k1 = k0 + 31 < words ? k0 + 31 : words;
                uint8x16_t part[4][4];
                for (int i = 0; i < 4; ++i)
                    for (int p = 0; p < 4; ++p)
                        part[i][p] = vdupq_n_u8(0);
                for (int64_t k = k0; k < k1; ++k) {
                    uint64x2_t wv[4];
                    for (int p = 0; p < 4; ++p)
                        wv[p] = vld1q_u64(wg + k * 8 + p * 2);
                    for (int i = 0; i < 4; ++i) {
                        const uint64x2_t xv = vdupq_n_u64(xb[i * words + k]);
                        for (int p = 0; p < 4; ++p) {
                            const uint64x2_t m = Xnor ? vreinterpretq_u64_u8(vmvnq_u8(vreinterpretq_u8_u64(veorq_u64(wv[p], xv))))
                                                      : vandq_u64(wv[p], xv);
                            part[i][p] = vaddq_u8(part[i][p], vcntq_u8(vreinterpretq_u8_u64(m)));
                        }
                    }
                }
                for (int i = 0; i < 4; ++i)
                    for (int p = 0; p < 4; ++p)
                        total[i][p] = vaddq_u64(total[i][p], vpaddlq_u32(vpaddlq_u16(vpaddlq_u8(part[i][p]))));
            }
            for (int i = 0; i < 4; ++i) {
                uint64_t lanes[8];
                for (int p = 0; p < 4; ++p)
                    vst1q_u64(lanes + p * 2, total[i][p]);
                if (Threshold) {
                    uint8_t b = 0;
                    for (int j = 0; j < 8; ++j)
                        b |= uint8_t(int64_t(lanes[j]) > t[g * 8 + j]) << j;
                    reinterpret_cast<uint8_t*>(bits + (v0 + i) * outWords)[g] = b;
                } else {
                    int32_t* o = counts + (v0 + i) * groups * 8 + g * 8;
                    for (int j = 0; j < 8; ++j)
                        o[j] = (accumulate ? o[j] : 0) + (int32_t(lanes[j]) << shift);
                }
            }
        }
    }
}

void neonCounts(const uint64_t* w, int64_t groups, int64_t words, const uint64_t* x, int64_t vecs, bool xnor,
                int shift, bool accumulate, int32_t* out)
{
    if (xnor)
        neonBlock<true, false>(w, groups, words, x, vecs, nullptr, out, nullptr, 0, shift, accumulate);
    else
        neonBlock<false, false>(w, groups, words, x, vecs, nullptr, out, nullptr, 0, shift, accumulate);
}

void neonXnorThreshold(const uint64_t* w, int64_t groups, int64_t words, const uint64_t* x, int64_t vecs,
                       const int64_t* t, uint64_t* out, int64_t outWords)
{
    neonBlock<true, true>(w, groups, words, x, vecs, t, nullptr, out, outWords);
}

// Sixteen rows as eight int32x4 accumulators, each two rows × the two columns
// of a pair (vmlal_s16 against the pair repeated); the column halves are
// added pairwise at the end (vpadd_s32, which armv7 has too).
void neonDot16(const int16_t* w, int64_t groups, int64_t pairs, const int16_t* x, int64_t vecs, int32_t* out)
{
    for (int64_t v = 0; v < vecs; ++v) {
        const int16_t* xv = x + v * pairs * 2;
        for (int64_t g = 0; g < groups; ++g) {
            int32x4_t acc[8];
            for (int m = 0; m < 8; ++m)
                acc[m] = vdupq_n_s32(0);
            for (int64_t p = 0; p < pairs; ++p) {
                const int16x4_t xx = vreinterpret_s16_s32(vdup_n_s32(columnPair(xv + 2 * p)));
                const int16_t* wp = w + (g * pairs + p) * 32;
                for (int q = 0; q < 4; ++q) {
                    const int16x8_t wv = vld1q_s16(wp + q * 8);
                    acc[2 * q] = vmlal_s16(acc[2 * q], vget_low_s16(wv), xx);
                    acc[2 * q + 1] = vmlal_s16(acc[2 * q + 1], vget_high_s16(wv), xx);
                }
            }
            int32_t* o = out + (v * groups + g) * 16;
            for (int m = 0; m < 8; ++m)
                vst1_s32(o + 2 * m, vpadd_s32(vget_low_s32(acc[m]), vget_high_s32(acc[m])));
        }
    }
}

} // namespace

void portableThresholdPlanes(const int32_t* p, int64_t rows, int64_t c, int64_t s, const int64_t* t, int thresholds,
                             bool bipolar, int planes, uint64_t* out, size_t planeStride);
void portableSumsToBits(const int32_t* sums, int64_t rows, int64_t vecs, const int32_t* t, uint64_t* out,
                        int64_t outWords);
extern const EngineKernel kNeonKernel;
const EngineKernel kNeonKernel{"neon", neonCounts, neonXnorThreshold, portableThresholdPlanes, neonDot16,
                               portableSumsToBits};

} // namespace qnn::pack
#endif
