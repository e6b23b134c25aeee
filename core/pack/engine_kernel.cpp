#include "core/pack/engine_kernel.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#if defined(__arm__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace qnn::pack {

// Defined in engine_kernel_x86.cpp and engine_kernel_neon.cpp.
#if defined(__x86_64__)
extern const EngineKernel kAvx512Kernel;
extern const EngineKernel kAvx2Kernel;
#endif
#if defined(__aarch64__) || defined(QNN_HAVE_NEON_KERNEL)
extern const EngineKernel kNeonKernel;
#endif

namespace {

inline uint64_t op(uint64_t w, uint64_t x, bool xnor) { return xnor ? ~(w ^ x) : (w & x); }

void portableCounts(const uint64_t* w, int64_t groups, int64_t words, const uint64_t* x, int64_t vecs, bool xnor,
                    int shift, bool accumulate, int32_t* out)
{
    for (int64_t v = 0; v < vecs; ++v)
        for (int64_t g = 0; g < groups; ++g)
            for (int j = 0; j < 8; ++j) {
                int32_t s = 0;
                for (int64_t k = 0; k < words; ++k)
                    s += __builtin_popcountll(op(w[(g * words + k) * 8 + j], x[v * words + k], xnor));
                int32_t& o = out[v * groups * 8 + g * 8 + j];
                o = (accumulate ? o : 0) + (s << shift);
            }
}

void portableXnorThreshold(const uint64_t* w, int64_t groups, int64_t words, const uint64_t* x, int64_t vecs,
                           const int64_t* t, uint64_t* out, int64_t outWords)
{
    for (int64_t v = 0; v < vecs; ++v) {
        uint8_t* bytes = reinterpret_cast<uint8_t*>(out + v * outWords);
        for (int64_t g = 0; g < groups; ++g) {
            uint8_t b = 0;
            for (int j = 0; j < 8; ++j) {
                int64_t s = 0;
                for (int64_t k = 0; k < words; ++k)
                    s += __builtin_popcountll(~(w[(g * words + k) * 8 + j] ^ x[v * words + k]));
                b |= uint8_t(s > t[g * 8 + j]) << j;
            }
            bytes[g] = b;
        }
    }
}

} // namespace

void portableDot16(const int16_t* w, int64_t groups, int64_t pairs, const int16_t* x, int64_t vecs, int32_t* out)
{
    for (int64_t v = 0; v < vecs; ++v) {
        const int16_t* xv = x + v * pairs * 2;
        for (int64_t g = 0; g < groups; ++g) {
            int32_t acc[16] = {0};
            for (int64_t p = 0; p < pairs; ++p) {
                const int16_t* wp = w + (g * pairs + p) * 32;
                for (int j = 0; j < 16; ++j)
                    acc[j] += int32_t(wp[j * 2]) * xv[p * 2] + int32_t(wp[j * 2 + 1]) * xv[p * 2 + 1];
            }
            std::memcpy(out + (v * groups + g) * 16, acc, sizeof acc);
        }
    }
}

void portableSumsToBits(const int32_t* sums, int64_t rows, int64_t vecs, const int32_t* t, uint64_t* out,
                        int64_t outWords)
{
    for (int64_t v = 0; v < vecs; ++v) {
        const int32_t* p = sums + v * rows;
        uint64_t* o = out + v * outWords;
        for (int64_t r0 = 0; r0 < rows; r0 += 64) {
            uint64_t word = 0;
            for (int64_t j = 0; j < 64 && r0 + j < rows; ++j)
                word |= uint64_t(p[r0 + j] > t[r0 + j]) << j;
            o[r0 / 64] = word;
        }
    }
}

void portableThresholdPlanes(const int32_t* p, int64_t rows, int64_t c, int64_t s, const int64_t* t, int thresholds,
                             bool bipolar, int planes, uint64_t* out, size_t planeStride)
{
    for (int64_t r0 = 0; r0 < rows; r0 += 64) {
        uint64_t words[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        const int64_t end = std::min<int64_t>(64, rows - r0);
        for (int64_t j = 0; j < end; ++j) {
            const int64_t x = c * p[r0 + j] + s;
            uint64_t u = 0;
            for (int i = 0; i < thresholds; ++i)
                u += x > t[i * rows + r0 + j];
            if (bipolar)
                u = u > 0;
            for (int b = 0; b < planes; ++b)
                words[b] |= ((u >> b) & 1) << j;
        }
        for (int b = 0; b < planes; ++b)
            out[size_t(b) * planeStride + size_t(r0 / 64)] = words[b];
    }
}

namespace {

const EngineKernel kPortable{"portable", portableCounts, portableXnorThreshold, portableThresholdPlanes, portableDot16,
                            portableSumsToBits};

bool cpuRuns(const EngineKernel& k)
{
    if (&k == &kPortable)
        return true;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (&k == &kAvx512Kernel)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vpopcntdq");
    if (&k == &kAvx2Kernel)
        return __builtin_cpu_supports("avx2");
#endif
#if defined(__aarch64__)
    if (&k == &kNeonKernel)
        return true; // NEON is part of ARMv8-A
#elif defined(QNN_HAVE_NEON_KERNEL)
    if (&k == &kNeonKernel)
        return (getauxval(AT_HWCAP) & HWCAP_NEON) != 0;
#endif
    return false;
}

} // namespace

const EngineKernel& portableEngineKernel() { return kPortable; }

int availableEngineKernels(const EngineKernel** out, int capacity)
{
    const EngineKernel* all[] = {
        &kPortable,
#if defined(__x86_64__)
        &kAvx2Kernel, &kAvx512Kernel,
#endif
#if defined(__aarch64__) || defined(QNN_HAVE_NEON_KERNEL)
        &kNeonKernel,
#endif
    };
    int n = 0;
    for (const EngineKernel* k : all)
        if (n < capacity && cpuRuns(*k))
            out[n++] = k;
    return n;
}

const EngineKernel& engineKernel()
{
    // The last available kernel is the widest; QNN_ENGINE_KERNEL picks another
    // (the benchmark's AVX2-only figure, or a check of the portable path).
    static const EngineKernel* chosen = [] {
        const EngineKernel* all[8];
        const int n = availableEngineKernels(all, 8);
        if (const char* wanted = std::getenv("QNN_ENGINE_KERNEL"))
            for (int i = 0; i < n; ++i)
                if (std::strcmp(all[i]->name, wanted) == 0)
                    return all[i];
        return all[n - 1];
    }();
    return *chosen;
}

} // namespace qnn::pack
