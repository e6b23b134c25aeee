#pragma once

#include <cstdint>
#include <string>

namespace qnn::pack {

/** The inner loops of the batched integer engine (BatchedForward), one set
 *  per instruction set, chosen at run time. Weights are interleaved in groups
 *  of eight rows: word k of row g*8+j sits at w[(g*words + k)*8 + j], so that
 *  SIMD lane j holds row g*8+j and one weight load serves a whole block of
 *  input vectors (images, or output pixels of a convolution); no horizontal
 *  sums. `vecs` is a multiple of 8 (the caller pads with zero vectors). */
struct EngineKernel {
    const char* name = "";
    /** out[v*groups*8 + r] = Σ_k popcount(op(w[r][k], x[v*words + k])) << shift,
     *  added to what is there when `accumulate` (one bit-plane pair of a
     *  multi-bit layer at a time); op = XNOR when `xnor`, else AND. */
    void (*counts)(const uint64_t* w, int64_t groups, int64_t words, const uint64_t* x, int64_t vecs, bool xnor,
                   int shift, bool accumulate, int32_t* out) = nullptr;
    /** Thresholds to bits: bit r of out[v*outWords ...] = (Σ_k popcount(XNOR) > t[r]),
     *  rows g*8..g*8+7 written as byte g of vector v's output words. */
    void (*xnorThreshold)(const uint64_t* w, int64_t groups, int64_t words, const uint64_t* x, int64_t vecs,
                          const int64_t* t, uint64_t* out, int64_t outWords) = nullptr;
    /** Thresholds to bit-planes for one vector of a multi-threshold layer:
     *  u_r = Σ_i (C·p[r] + s > t[i*rows + r]) (thresholds threshold-major),
     *  or u_r = (any passed) when `bipolar`; bit b of u_r is written to bit r
     *  of out + b*planeStride (whole words, `rows` bits). */
    void (*thresholdPlanes)(const int32_t* p, int64_t rows, int64_t c, int64_t s, const int64_t* t, int thresholds,
                            bool bipolar, int planes, uint64_t* out, size_t planeStride) = nullptr;
    /** Integer dot products of a layer that takes multi-bit codes (a CNV's
     *  8-bit pixels): out[v*groups*16 + r] = Σ_c w[r][c]·x[v][c] over 2·pairs
     *  columns, exact in 32 bits (the caller checks the bound). Rows in groups
     *  of sixteen, columns in pairs: column 2p+i of row g*16+j sits at
     *  w[(g*pairs + p)*32 + j*2 + i]; vector v's columns are x[v*2*pairs ...].
     *  Cheaper than bit-planes where the input has many bits and few columns. */
    void (*dot16)(const int16_t* w, int64_t groups, int64_t pairs, const int16_t* x, int64_t vecs,
                  int32_t* out) = nullptr;
    /** dot16's sums to bits: bit r of out[v*outWords ...] = (sums[v*rows + r] > t[r]),
     *  r < rows (a multiple of 16, at most 64·outWords). */
    void (*sumsToBits)(const int32_t* sums, int64_t rows, int64_t vecs, const int32_t* t, uint64_t* out,
                       int64_t outWords) = nullptr;
};

/** The kernel the engine uses: the fastest this CPU runs (AVX-512 with
 *  VPOPCNTDQ, AVX2, NEON, portable), or the one QNN_ENGINE_KERNEL names
 *  (avx512, avx2, neon, portable) when this CPU runs it. */
const EngineKernel& engineKernel();
/** The portable kernel, the reference every other must equal. */
const EngineKernel& portableEngineKernel();
/** Every kernel this CPU runs, portable first. */
int availableEngineKernels(const EngineKernel** out, int capacity);

} // namespace qnn::pack
