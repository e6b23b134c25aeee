// The x86 kernels of the batched engine (engine_kernel.h). Compiled for the
// baseline ISA with per-function targets, so one binary runs everywhere and
// picks at run time.
#include "core/pack/engine_kernel.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include <algorithm>
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

// One body for both: with VNNI, vpdpwssd does the multiply and the add in one
// instruction. (Two functions, not one with a runtime flag: a function compiled
// for VNNI may use it anywhere.)
#define QNN_AVX512_DOT16_GROUPS(NAME, TARGET, ACCUMULATE)                                                              \
    template <int G>                                                                                                   \
    __attribute__((target(TARGET))) inline void NAME(const int16_t* w, int64_t pairs, const int16_t* x0,               \
                                                     const int16_t* x1, int64_t g0, int32_t* out0, int32_t* out1)      \
    {                                                                                                                  \
        __m512i a0[G], a1[G];                                                                                          \
        for (int j = 0; j < G; ++j)                                                                                    \
            a0[j] = a1[j] = _mm512_setzero_si512();                                                                    \
        for (int64_t p = 0; p < pairs; ++p) {                                                                          \
            const __m512i b0 = _mm512_set1_epi32(columnPair(x0 + 2 * p));                                              \
            const __m512i b1 = _mm512_set1_epi32(columnPair(x1 + 2 * p));                                              \
            for (int j = 0; j < G; ++j) {                                                                              \
                const __m512i wv = _mm512_loadu_si512(w + ((g0 + j) * pairs + p) * 32);                                \
                a0[j] = ACCUMULATE(a0[j], wv, b0);                                                                     \
                a1[j] = ACCUMULATE(a1[j], wv, b1);                                                                     \
            }                                                                                                          \
        }                                                                                                              \
        for (int j = 0; j < G; ++j) {                                                                                  \
            _mm512_storeu_si512(out0 + (g0 + j) * 16, a0[j]);                                                          \
            _mm512_storeu_si512(out1 + (g0 + j) * 16, a1[j]);                                                          \
        }                                                                                                              \
    }
#define QNN_MADD_ADD(acc, a, b) _mm512_add_epi32(acc, _mm512_madd_epi16(a, b))
QNN_AVX512_DOT16_GROUPS(avx512Dot16Groups, "avx512f,avx512bw", QNN_MADD_ADD)
QNN_AVX512_DOT16_GROUPS(avx512VnniDot16Groups, "avx512f,avx512bw,avx512vnni", _mm512_dpwssd_epi32)
#undef QNN_MADD_ADD
#undef QNN_AVX512_DOT16_GROUPS

// Sixteen rows in the sixteen 32-bit lanes: vpmaddwd multiplies a column pair
// of sixteen rows by the same pair of one vector (broadcast) and adds the two
// products; G groups and two vectors at a time so that every weight load
// serves two vectors and every broadcast G groups.
template <void (*Groups4)(const int16_t*, int64_t, const int16_t*, const int16_t*, int64_t, int32_t*, int32_t*),
          void (*Groups3)(const int16_t*, int64_t, const int16_t*, const int16_t*, int64_t, int32_t*, int32_t*),
          void (*Groups2)(const int16_t*, int64_t, const int16_t*, const int16_t*, int64_t, int32_t*, int32_t*),
          void (*Groups1)(const int16_t*, int64_t, const int16_t*, const int16_t*, int64_t, int32_t*, int32_t*)>
inline void avx512Dot16Vectors(const int16_t* w, int64_t groups, int64_t pairs, const int16_t* x, int64_t vecs,
                               int32_t* out)
{
    for (int64_t v = 0; v < vecs; v += 2) {
        const int16_t* x0 = x + v * pairs * 2;
        const int16_t* x1 = v + 1 < vecs ? x0 + pairs * 2 : x0;
        int32_t* o0 = out + v * groups * 16;
        // The last vector of an odd count is computed twice into its own row.
        int32_t* o1 = v + 1 < vecs ? o0 + groups * 16 : o0;
        int64_t g = 0;
        for (; g + 4 <= groups; g += 4)
            Groups4(w, pairs, x0, x1, g, o0, o1);
        switch (groups - g) {
        case 3: Groups3(w, pairs, x0, x1, g, o0, o1); break;
        case 2: Groups2(w, pairs, x0, x1, g, o0, o1); break;
        case 1: Groups1(w, pairs, x0, x1, g, o0, o1); break;
        default: break;
        }
    }
}

void avx512Dot16(const int16_t* w, int64_t groups, int64_t pairs, const int16_t* x, int64_t vecs, int32_t* out)
{
    static const bool vnni = __builtin_cpu_supports("avx512vnni");
    if (vnni)
        avx512Dot16Vectors<avx512VnniDot16Groups<4>, avx512VnniDot16Groups<3>, avx512VnniDot16Groups<2>,
                           avx512VnniDot16Groups<1>>(w, groups, pairs, x, vecs, out);
    else
        avx512Dot16Vectors<avx512Dot16Groups<4>, avx512Dot16Groups<3>, avx512Dot16Groups<2>, avx512Dot16Groups<1>>(
            w, groups, pairs, x, vecs, out);
}

// Sixteen rows per compare, their mask straight into the output word.
__attribute__((target("avx512f,avx512bw"))) void avx512SumsToBits(const int32_t* sums, int64_t rows, int64_t vecs,
                                                                   const int32_t* t, uint64_t* out, int64_t outWords)
{
    for (int64_t v = 0; v < vecs; ++v) {
        const int32_t* p = sums + v * rows;
        uint16_t* o = reinterpret_cast<uint16_t*>(out + v * outWords);
        for (int64_t r = 0; r < rows; r += 16)
            o[r / 16] = _mm512_cmpgt_epi32_mask(_mm512_loadu_si512(p + r), _mm512_loadu_si512(t + r));
    }
}

// Eight rows at a time: x = C·p + s in 64-bit lanes, one compare per threshold,
// the passed ones counted per lane, each plane's bits taken with one test.
__attribute__((target("avx512f,avx512dq"))) void avx512ThresholdPlanes(const int32_t* p, int64_t rows, int64_t c,
                                                                        int64_t s, const int64_t* t, int thresholds,
                                                                        bool bipolar, int planes, uint64_t* out,
                                                                        size_t planeStride)
{
    const __m512i cv = _mm512_set1_epi64(c), sv = _mm512_set1_epi64(s), one = _mm512_set1_epi64(1);
    const int64_t full = rows / 8 * 8;
    for (int64_t r0 = 0; r0 < rows; r0 += 64) {
        uint64_t words[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        const int64_t end = std::min<int64_t>(r0 + 64, full);
        for (int64_t r = r0; r < end; r += 8) {
            const __m512i pv = _mm512_cvtepi32_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + r)));
            const __m512i x = _mm512_add_epi64(_mm512_mullo_epi64(pv, cv), sv);
            __m512i u = _mm512_setzero_si512();
            for (int i = 0; i < thresholds; ++i)
                u = _mm512_mask_add_epi64(u, _mm512_cmpgt_epi64_mask(x, _mm512_loadu_si512(t + i * rows + r)), u, one);
            if (bipolar)
                u = _mm512_min_epi64(u, one);
            for (int b = 0; b < planes; ++b)
                words[b] |= uint64_t(_mm512_test_epi64_mask(u, _mm512_set1_epi64(int64_t(1) << b))) << (r - r0);
        }
        for (int64_t r = std::max(end, r0); r < std::min(r0 + 64, rows); ++r) { // the last rows past a multiple of 8
            const int64_t x = c * p[r] + s;
            uint64_t u = 0;
            for (int i = 0; i < thresholds; ++i)
                u += x > t[i * rows + r];
            if (bipolar)
                u = u > 0;
            for (int b = 0; b < planes; ++b)
                words[b] |= ((u >> b) & 1) << (r - r0);
        }
        for (int b = 0; b < planes; ++b)
            out[size_t(b) * planeStride + size_t(r0 / 64)] = words[b];
    }
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

// Two halves of eight rows per group, two groups per broadcast.
template <int G>
__attribute__((target("avx2"))) inline void avx2Dot16Groups(const int16_t* w, int64_t pairs, const int16_t* x,
                                                            int64_t g0, int32_t* out)
{
    __m256i a[G][2];
    for (int j = 0; j < G; ++j)
        a[j][0] = a[j][1] = _mm256_setzero_si256();
    for (int64_t p = 0; p < pairs; ++p) {
        const __m256i b = _mm256_set1_epi32(columnPair(x + 2 * p));
        for (int j = 0; j < G; ++j) {
            const int16_t* wp = w + ((g0 + j) * pairs + p) * 32;
            a[j][0] = _mm256_add_epi32(a[j][0], _mm256_madd_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp)), b));
            a[j][1] = _mm256_add_epi32(a[j][1],
                                       _mm256_madd_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + 16)), b));
        }
    }
    for (int j = 0; j < G; ++j) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + (g0 + j) * 16), a[j][0]);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + (g0 + j) * 16 + 8), a[j][1]);
    }
}

__attribute__((target("avx2"))) void avx2Dot16(const int16_t* w, int64_t groups, int64_t pairs, const int16_t* x,
                                                int64_t vecs, int32_t* out)
{
    for (int64_t v = 0; v < vecs; ++v) {
        const int16_t* xv = x + v * pairs * 2;
        int32_t* o = out + v * groups * 16;
        int64_t g = 0;
        for (; g + 4 <= groups; g += 4)
            avx2Dot16Groups<4>(w, pairs, xv, g, o);
        switch (groups - g) {
        case 3: avx2Dot16Groups<3>(w, pairs, xv, g, o); break;
        case 2: avx2Dot16Groups<2>(w, pairs, xv, g, o); break;
        case 1: avx2Dot16Groups<1>(w, pairs, xv, g, o); break;
        default: break;
        }
    }
}

__attribute__((target("avx2"))) void avx2SumsToBits(const int32_t* sums, int64_t rows, int64_t vecs,
                                                     const int32_t* t, uint64_t* out, int64_t outWords)
{
    for (int64_t v = 0; v < vecs; ++v) {
        const int32_t* p = sums + v * rows;
        uint8_t* o = reinterpret_cast<uint8_t*>(out + v * outWords);
        for (int64_t r = 0; r < rows; r += 8) {
            const __m256i gt = _mm256_cmpgt_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + r)),
                                                  _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + r)));
            o[r / 8] = uint8_t(_mm256_movemask_ps(_mm256_castsi256_ps(gt)));
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

void portableThresholdPlanes(const int32_t* p, int64_t rows, int64_t c, int64_t s, const int64_t* t, int thresholds,
                             bool bipolar, int planes, uint64_t* out, size_t planeStride);
extern const EngineKernel kAvx512Kernel;
extern const EngineKernel kAvx2Kernel;
const EngineKernel kAvx512Kernel{"avx512", avx512Counts, avx512XnorThreshold, avx512ThresholdPlanes, avx512Dot16,
                                 avx512SumsToBits};
// AVX2 has no 64-bit multiply or mask registers: its thresholds stay scalar.
const EngineKernel kAvx2Kernel{"avx2", avx2Counts, avx2XnorThreshold, portableThresholdPlanes, avx2Dot16,
                               avx2SumsToBits};

} // namespace qnn::pack
#endif
