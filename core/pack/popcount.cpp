#include "core/pack/popcount.h"

#include <algorithm>
#include <chrono>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define QNN_X86 1
#endif

namespace qnn::pack {

namespace {

inline int64_t portable(const uint64_t* w, const uint64_t* x, int64_t words)
{
    int64_t sum = 0;
    for (int64_t i = 0; i < words; ++i) {
        uint64_t v = ~(w[i] ^ x[i]);
        v = v - ((v >> 1) & 0x5555555555555555ull);
        v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
        v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
        sum += int64_t((v * 0x0101010101010101ull) >> 56);
    }
    return sum;
}

#ifdef QNN_X86
__attribute__((target("popcnt"))) inline int64_t popcnt(const uint64_t* w, const uint64_t* x, int64_t words)
{
    int64_t s0 = 0, s1 = 0;
    int64_t i = 0;
    for (; i + 2 <= words; i += 2) {
        s0 += _mm_popcnt_u64(~(w[i] ^ x[i]));
        s1 += _mm_popcnt_u64(~(w[i + 1] ^ x[i + 1]));
    }
    for (; i < words; ++i)
        s0 += _mm_popcnt_u64(~(w[i] ^ x[i]));
    return s0 + s1;
}

// Nibble lookup with vpshufb, summed per 64-bit lane with vpsadbw (Muła's method).
__attribute__((target("avx2,popcnt"))) inline int64_t avx2(const uint64_t* w, const uint64_t* x, int64_t words)
{
    const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2,
                                         2, 3, 2, 3, 3, 4);
    const __m256i low = _mm256_set1_epi8(0x0f);
    const __m256i ones = _mm256_set1_epi8(-1);
    __m256i total = _mm256_setzero_si256();
    int64_t i = 0;
    for (; i + 4 <= words; i += 4) {
        const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + i));
        const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i));
        const __m256i v = _mm256_xor_si256(_mm256_xor_si256(a, b), ones);
        const __m256i cnt = _mm256_add_epi8(_mm256_shuffle_epi8(lut, _mm256_and_si256(v, low)),
                                            _mm256_shuffle_epi8(lut, _mm256_and_si256(_mm256_srli_epi16(v, 4), low)));
        total = _mm256_add_epi64(total, _mm256_sad_epu8(cnt, _mm256_setzero_si256()));
    }
    int64_t sum = _mm256_extract_epi64(total, 0) + _mm256_extract_epi64(total, 1) + _mm256_extract_epi64(total, 2) +
                  _mm256_extract_epi64(total, 3);
    for (; i < words; ++i)
        sum += _mm_popcnt_u64(~(w[i] ^ x[i]));
    return sum;
}
#endif

void portableRows(const uint64_t* w, int64_t rows, int64_t words, const uint64_t* x, int64_t* out)
{
    for (int64_t r = 0; r < rows; ++r)
        out[r] = portable(w + r * words, x, words);
}

#ifdef QNN_X86
__attribute__((target("popcnt"))) void popcntRows(const uint64_t* w, int64_t rows, int64_t words, const uint64_t* x,
                                                  int64_t* out)
{
    for (int64_t r = 0; r < rows; ++r)
        out[r] = popcnt(w + r * words, x, words);
}

__attribute__((target("avx2,popcnt"))) void avx2Rows(const uint64_t* w, int64_t rows, int64_t words,
                                                     const uint64_t* x, int64_t* out)
{
    for (int64_t r = 0; r < rows; ++r)
        out[r] = avx2(w + r * words, x, words);
}
#endif

const XnorPopcountKernel kPortable{portable, portableRows, "portable"};
#ifdef QNN_X86
const XnorPopcountKernel kPopcnt{popcnt, popcntRows, "popcnt"};
const XnorPopcountKernel kAvx2{avx2, avx2Rows, "avx2"};
#endif

// Seconds one kernel takes for a few passes over 1024 rows of 16 words (an LFC layer).
double timeKernel(const XnorPopcountKernel& k)
{
    static std::vector<uint64_t> w(1024 * 16), x(16);
    static std::vector<int64_t> out(1024);
    for (size_t i = 0; i < w.size(); ++i)
        w[i] = 0x9e3779b97f4a7c15ull * (i + 1);
    for (size_t i = 0; i < x.size(); ++i)
        x[i] = 0xc2b2ae3d27d4eb4full * (i + 7);
    double best = 1e9;
    for (int trial = 0; trial < 5; ++trial) {
        const auto t0 = std::chrono::steady_clock::now();
        for (int pass = 0; pass < 20; ++pass)
            k.rows(w.data(), 1024, 16, x.data(), out.data());
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

} // namespace

const XnorPopcountKernel& portableXnorPopcountKernel() { return kPortable; }

int availableXnorPopcountKernels(const XnorPopcountKernel** out, int capacity)
{
    int n = 0;
    auto add = [&](const XnorPopcountKernel& k) {
        if (n < capacity)
            out[n++] = &k;
    };
    add(kPortable);
#ifdef QNN_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("popcnt"))
        add(kPopcnt);
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt"))
        add(kAvx2);
#endif
    return n;
}

const XnorPopcountKernel& xnorPopcountKernel()
{
    static const XnorPopcountKernel* chosen = [] {
        const XnorPopcountKernel* all[4];
        const int n = availableXnorPopcountKernels(all, 4);
        const XnorPopcountKernel* best = all[n - 1];
        double bestSeconds = 1e9;
        for (int i = 0; i < n; ++i) {
            const double s = timeKernel(*all[i]);
            if (s < bestSeconds)
                bestSeconds = s, best = all[i];
        }
        return best;
    }();
    return *chosen;
}

} // namespace qnn::pack
