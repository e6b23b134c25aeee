// The x86 kernels of the batched engine (engine_kernel.h). Compiled for the
// baseline ISA with per-function targets, so one binary runs everywhere and
// picks at run time.
#include "core/pack/engine_kernel.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace qnn::pack {

namespace {

// AVX-512 with VPOPCNTDQ: eight rows in the eight 64-bit lanes, eight input
// vectors per weight load, a popcount per lane per cycle.
template <bool Xnor, bool Threshold>
__attribute__((target("avx512f,avx512vpopcntdq"))) inline void avx512Block(const uint64_t* w, int64_t groups,
                                                                           int64_t words, const uint64_t* x,
                                                                           int64_t vecs, const int64_t* t,
                                                                           int32_t* counts, uint64_t* bits,
                                                                           int64_t outWords, int shift = 0,
                                                                           bool accumulate = false)
{
    for (int64_t v0 = 0; v0 < vecs; v0 += 8) {
        const uint64_t* xb = x + v0 * words;
        for (int64_t g = 0; g < groups; ++g) {
            const uint64_t* wg = w + g * words * 8;
            __m512i acc[8];
            for (int i = 0; i < 8; ++i)
                acc[i] = _mm512_setzero_si512();
            for (int64_t k = 0; k < words; ++k) {
                const __m512i wv = _mm512_loadu_si512(wg + k * 8);
                for (int i = 0; i < 8; ++i) {
                    const __m512i xv = _mm512_set1_epi64(static_cast<long long>(xb[i * words + k]));
                    // 0xC3 = ~(a ^ b), 0x88 = a & b (vpternlogq truth tables over a, b).
                    const __m512i m = Xnor ? _mm512_ternarylogic_epi64(wv, xv, xv, 0xC3)
                                           : _mm512_and_si512(wv, xv);
                    acc[i] = _mm512_add_epi64(acc[i], _mm512_popcnt_epi64(m));
                }
            }
            if (Threshold) {
                const __m512i tv = _mm512_loadu_si512(t + g * 8);
                for (int i = 0; i < 8; ++i)
                    reinterpret_cast<uint8_t*>(bits + (v0 + i) * outWords)[g] =
                        static_cast<uint8_t>(_mm512_cmpgt_epi64_mask(acc[i], tv));
            } else {
                for (int i = 0; i < 8; ++i) {
                    __m256i* o = reinterpret_cast<__m256i*>(counts + (v0 + i) * groups * 8 + g * 8);
                    __m256i c = _mm256_slli_epi32(_mm512_cvtepi64_epi32(acc[i]), shift);
                    if (accumulate)
                        c = _mm256_add_epi32(c, _mm256_loadu_si256(o));
                    _mm256_storeu_si256(o, c);
                }
            }
        }
    }
}

void avx512Counts(const uint64_t* w, int64_t groups, int64_t words, const uint64_t* x, int64_t vecs, bool xnor,
                  int shift, bool accumulate, int32_t* out)
{
    if (xnor)
        avx512Block<true, false>(w, groups, words, x, vecs, nullptr, out, nullptr, 0, shift, accumulate);
    else
        avx512Block<false, false>(w, groups, words, x, vecs, nullptr, out, nullptr, 0, shift, accumulate);
}

void avx512XnorThreshold(const uint64_t* w, int64_t groups, int64_t words, const uint64_t* x, int64_t vecs,
                         const int64_t* t, uint64_t* out, int64_t outWords)
{
    avx512Block<true, true>(w, groups, words, x, vecs, t, nullptr, out, outWords);
}

// AVX2: two halves of four rows, four input vectors at a time; popcount by
// nibble lookup (vpshufb) into byte counters, summed per lane with vpsadbw
// every 31 words (8 bits × 31 < 256).
__attribute__((target("avx2"))) inline __m256i bytePopcount(__m256i v)
{
    const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2,
                                         2, 3, 2, 3, 3, 4);
    const __m256i low = _mm256_set1_epi8(0x0f);
    return _mm256_add_epi8(_mm256_shuffle_epi8(lut, _mm256_and_si256(v, low)),
                           _mm256_shuffle_epi8(lut, _mm256_and_si256(_mm256_srli_epi16(v, 4), low)));
}

template <bool Xnor, bool Threshold>
__attribute__((target("avx2"))) inline void avx2Block(const uint64_t* w, int64_t groups, int64_t words,
                                                      const uint64_t* x, int64_t vecs, const int64_t* t,
                                                      int32_t* counts, uint64_t* bits, int64_t outWords,
                                                      int shift = 0, bool accumulate = false)
{
    const __m256i ones = _mm256_set1_epi8(-1);
    for (int64_t v0 = 0; v0 < vecs; v0 += 4) {
        const uint64_t* xb = x + v0 * words;
        for (int64_t g = 0; g < groups; ++g) {
            const uint64_t* wg = w + g * words * 8;
            __m256i total[4][2];
            for (int i = 0; i < 4; ++i)
                total[i][0] = total[i][1] = _mm256_setzero_si256();
            for (int64_t k0 = 0; k0 < words; k0 += 31) {
                const int64_t k1 = k0 + 31 < words ? k0 + 31 : words;
                __m256i part[4][2];
                for (int i = 0; i < 4; ++i)
                    part[i][0] = part[i][1] = _mm256_setzero_si256();
                for (int64_t k = k0; k < k1; ++k) {
                    const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wg + k * 8));
                    const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wg + k * 8 + 4));
                    for (int i = 0; i < 4; ++i) {
                        const __m256i xv = _mm256_set1_epi64x(static_cast<long long>(xb[i * words + k]));
                        const __m256i m0 = Xnor ? _mm256_xor_si256(_mm256_xor_si256(w0, xv), ones)
                                                : _mm256_and_si256(w0, xv);
                        const __m256i m1 = Xnor ? _mm256_xor_si256(_mm256_xor_si256(w1, xv), ones)
                                                : _mm256_and_si256(w1, xv);
                        part[i][0] = _mm256_add_epi8(part[i][0], bytePopcount(m0));
                        part[i][1] = _mm256_add_epi8(part[i][1], bytePopcount(m1));
                    }
                }
                for (int i = 0; i < 4; ++i)
                    for (int h = 0; h < 2; ++h)
                        total[i][h] = _mm256_add_epi64(total[i][h], _mm256_sad_epu8(part[i][h], _mm256_setzero_si256()));
            }
            if (Threshold) {
                const __m256i t0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + g * 8));
                const __m256i t1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + g * 8 + 4));
                for (int i = 0; i < 4; ++i) {
                    const int lo = _mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(total[i][0], t0)));
                    const int hi = _mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(total[i][1], t1)));
                    reinterpret_cast<uint8_t*>(bits + (v0 + i) * outWords)[g] = static_cast<uint8_t>(lo | (hi << 4));
                }
            } else {
                alignas(32) int64_t lanes[8];
                for (int i = 0; i < 4; ++i) {
                    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), total[i][0]);
                    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes + 4), total[i][1]);
                    int32_t* o = counts + (v0 + i) * groups * 8 + g * 8;
                    for (int j = 0; j < 8; ++j)
                        o[j] = (accumulate ? o[j] : 0) + (static_cast<int32_t>(lanes[j]) << shift);
                }
            }
        }
    }
}

void avx2Counts(const uint64_t* w, int64_t groups, int64_t words, const uint64_t* x, int64_t vecs, bool xnor,
                int shift, bool accumulate, int32_t* out)
{
    if (xnor)
        avx2Block<true, false>(w, groups, words, x, vecs, nullptr, out, nullptr, 0, shift, accumulate);
    else
        avx2Block<false, false>(w, groups, words, x, vecs, nullptr, out, nullptr, 0, shift, accumulate);
}

void avx2XnorThreshold(const uint64_t* w, int64_t groups, int64_t words, const uint64_t* x, int64_t vecs,
                       const int64_t* t, uint64_t* out, int64_t outWords)
{
    avx2Block<true, true>(w, groups, words, x, vecs, t, nullptr, out, outWords);
}

} // namespace

extern const EngineKernel kAvx512Kernel;
extern const EngineKernel kAvx2Kernel;
const EngineKernel kAvx512Kernel{"avx512", avx512Counts, avx512XnorThreshold};
const EngineKernel kAvx2Kernel{"avx2", avx2Counts, avx2XnorThreshold};

} // namespace qnn::pack
#endif
