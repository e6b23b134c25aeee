// Vectorizable loops of the training step (see detail/kernels.h). No torch here.
//
// Adam is written with AVX2/FMA intrinsics (picked at run time, with a plain
// loop for other CPUs): GCC keeps sqrt scalar unless -fno-math-errno is given
// for the whole file, and the fused Adam loop over 2.9 M parameters then costs
// about as much as a matrix product of LFC. The simple loops below vectorize
// by themselves; target_clones adds an AVX2 version of each.

#include "core/train/detail/kernels.h"

#include <cmath>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define QNN_X86 1
#define QNN_CLONES __attribute__((target_clones("arch=haswell", "default")))
#else
#define QNN_X86 0
#define QNN_CLONES
#endif

namespace qnn::detail {

namespace {

inline float clip1(float x) { return x < -1.0f ? -1.0f : (x > 1.0f ? 1.0f : x); }

void adamScalar(float* p, const float* g, float* m, float* v, int64_t begin, int64_t n, const AdamStep& s)
{
    for (int64_t j = begin; j < n; ++j) {
        const float gj = g[j] + s.weightDecay * p[j];
        const float mj = s.beta1 * m[j] + (1 - s.beta1) * gj;
        const float vj = s.beta2 * v[j] + (1 - s.beta2) * gj * gj;
        m[j] = mj;
        v[j] = vj;
        const float pj = p[j] - s.stepSize * mj / (std::sqrt(vj) * s.invSqrtBias2 + s.eps);
        p[j] = s.clip ? clip1(pj) : pj;
    }
}

#if QNN_X86
__attribute__((target("avx2,fma"))) void adamAvx2(float* p, const float* g, float* m, float* v, int64_t n,
                                                  const AdamStep& s)
{
    const __m256 b1 = _mm256_set1_ps(s.beta1), c1 = _mm256_set1_ps(1 - s.beta1);
    const __m256 b2 = _mm256_set1_ps(s.beta2), c2 = _mm256_set1_ps(1 - s.beta2);
    const __m256 wd = _mm256_set1_ps(s.weightDecay), eps = _mm256_set1_ps(s.eps);
    const __m256 step = _mm256_set1_ps(s.stepSize), inv = _mm256_set1_ps(s.invSqrtBias2);
    const __m256 lo = _mm256_set1_ps(-1.0f), hi = _mm256_set1_ps(1.0f);
    int64_t j = 0;
    for (; j + 8 <= n; j += 8) {
        __m256 pj = _mm256_loadu_ps(p + j);
        const __m256 gj = _mm256_fmadd_ps(wd, pj, _mm256_loadu_ps(g + j));
        const __m256 mj = _mm256_fmadd_ps(b1, _mm256_loadu_ps(m + j), _mm256_mul_ps(c1, gj));
        const __m256 vj = _mm256_fmadd_ps(b2, _mm256_loadu_ps(v + j), _mm256_mul_ps(c2, _mm256_mul_ps(gj, gj)));
        _mm256_storeu_ps(m + j, mj);
        _mm256_storeu_ps(v + j, vj);
        const __m256 denom = _mm256_fmadd_ps(_mm256_sqrt_ps(vj), inv, eps);
        pj = _mm256_sub_ps(pj, _mm256_div_ps(_mm256_mul_ps(step, mj), denom));
        if (s.clip)
            pj = _mm256_min_ps(hi, _mm256_max_ps(lo, pj));
        _mm256_storeu_ps(p + j, pj);
    }
    adamScalar(p, g, m, v, j, n, s);
}
#endif

} // namespace

void adamUpdate(float* p, const float* g, float* m, float* v, int64_t n, const AdamStep& s)
{
#if QNN_X86
    static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (avx2) {
        adamAvx2(p, g, m, v, n, s);
        return;
    }
#endif
    adamScalar(p, g, m, v, 0, n, s);
}

QNN_CLONES void sgdUpdate(float* __restrict p, const float* __restrict g, float* __restrict buf, int64_t n, float lr,
                          float momentum, float wd, bool first, bool clip)
{
    for (int64_t j = 0; j < n; ++j) {
        const float gj = g[j] + wd * p[j];
        const float bj = first ? gj : momentum * buf[j] + gj;
        buf[j] = bj;
        const float pj = p[j] - lr * bj;
        p[j] = clip ? clip1(pj) : pj;
    }
}

QNN_CLONES void signForward(const float* __restrict x, float* __restrict out, bool* __restrict mask, int64_t n,
                            float scale)
{
    for (int64_t i = 0; i < n; ++i)
        out[i] = x[i] >= 0.0f ? scale : -scale;
    if (mask)
        for (int64_t i = 0; i < n; ++i)
            mask[i] = x[i] >= -1.0f && x[i] <= 1.0f;
}

namespace {

bool packSignsScalar(const float* x, int64_t begin, int64_t n, float s, uint64_t* out, int64_t stride)
{
    for (int64_t i = begin; i < n; i += 64) {
        uint64_t word = 0;
        const int64_t end = i + 64 < n ? i + 64 : n;
        for (int64_t j = i; j < end; ++j) {
            if (x[j] == s)
                word |= uint64_t(1) << (j - i);
            else if (x[j] != -s)
                return false;
        }
        out[(i / 64) * stride] = word;
    }
    return true;
}

bool packTernaryScalar(const float* x, int64_t begin, int64_t n, float s, uint64_t* plus, uint64_t* minus)
{
    for (int64_t i = begin; i < n; i += 64) {
        uint64_t p = 0, m = 0;
        const int64_t end = i + 64 < n ? i + 64 : n;
        for (int64_t j = i; j < end; ++j) {
            if (x[j] == s)
                p |= uint64_t(1) << (j - i);
            else if (x[j] == -s)
                m |= uint64_t(1) << (j - i);
            else if (x[j] != 0.0f)
                return false;
        }
        plus[i / 64] = p;
        minus[i / 64] = m;
    }
    return true;
}

#if QNN_X86
__attribute__((target("avx512f"))) bool packTernaryAvx512(const float* x, int64_t n, float s, uint64_t* plus,
                                                           uint64_t* minus)
{
    const __m512 pos = _mm512_set1_ps(s), neg = _mm512_set1_ps(-s), zero = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        uint64_t pw = 0, mw = 0;
        for (int q = 0; q < 4; ++q) {
            const __m512 v = _mm512_loadu_ps(x + i + 16 * q);
            const __mmask16 p = _mm512_cmp_ps_mask(v, pos, _CMP_EQ_OQ);
            const __mmask16 m = _mm512_cmp_ps_mask(v, neg, _CMP_EQ_OQ);
            const __mmask16 z = _mm512_cmp_ps_mask(v, zero, _CMP_EQ_OQ); // -0.0 too
            if (static_cast<uint16_t>(p | m | z) != 0xFFFF)
                return false;
            pw |= uint64_t(p) << (16 * q);
            mw |= uint64_t(m) << (16 * q);
        }
        plus[i / 64] = pw;
        minus[i / 64] = mw;
    }
    return packTernaryScalar(x, i, n, s, plus, minus);
}

// Sixteen compares per instruction; both masks together must cover every lane.
__attribute__((target("avx512f"))) bool packSignsAvx512(const float* x, int64_t n, float s, uint64_t* out,
                                                         int64_t stride)
{
    const __m512 pos = _mm512_set1_ps(s), neg = _mm512_set1_ps(-s);
    int64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        uint64_t word = 0;
        for (int q = 0; q < 4; ++q) {
            const __m512 v = _mm512_loadu_ps(x + i + 16 * q);
            const __mmask16 p = _mm512_cmp_ps_mask(v, pos, _CMP_EQ_OQ);
            const __mmask16 m = _mm512_cmp_ps_mask(v, neg, _CMP_EQ_OQ);
            if (static_cast<uint16_t>(p | m) != 0xFFFF)
                return false;
            word |= uint64_t(p) << (16 * q);
        }
        out[(i / 64) * stride] = word;
    }
    return packSignsScalar(x, i, n, s, out, stride);
}
#endif

} // namespace

bool packSigns(const float* x, int64_t n, float s, uint64_t* out, int64_t stride)
{
#if QNN_X86
    static const bool avx512 = __builtin_cpu_supports("avx512f");
    if (avx512)
        return packSignsAvx512(x, n, s, out, stride);
#endif
    return packSignsScalar(x, 0, n, s, out, stride);
}

bool packTernary(const float* x, int64_t n, float s, uint64_t* plus, uint64_t* minus)
{
#if QNN_X86
    static const bool avx512 = __builtin_cpu_supports("avx512f");
    if (avx512)
        return packTernaryAvx512(x, n, s, plus, minus);
#endif
    return packTernaryScalar(x, 0, n, s, plus, minus);
}

QNN_CLONES void maskedCopy(const float* __restrict g, const bool* __restrict mask, float* __restrict out, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        out[i] = mask[i] ? g[i] : 0.0f;
}

} // namespace qnn::detail
