#pragma once
// Element-wise loops of the training step, over raw float arrays. Torch-free:
// kernels.cpp picks AVX2/FMA versions at run time where the CPU has them;
// callers split ranges across threads.

#include <cstdint>

namespace qnn::detail {

struct AdamStep {
    float beta1 = 0.9f;
    float beta2 = 0.999f;
    float eps = 1e-8f;
    float weightDecay = 0;
    /** lr / (1 - beta1^t). */
    float stepSize = 0;
    /** 1 / sqrt(1 - beta2^t). */
    float invSqrtBias2 = 1;
    /** Clip the updated values to [-1, 1] (latent weights of quantized layers). */
    bool clip = false;
};

/** p -= stepSize * m / (sqrt(v) * invSqrtBias2 + eps) with m, v updated first; one pass. */
void adamUpdate(float* p, const float* g, float* m, float* v, int64_t n, const AdamStep& s);
/** buf = first ? g : momentum * buf + g; p -= lr * buf; then the optional clip. */
void sgdUpdate(float* p, const float* g, float* buf, int64_t n, float lr, float momentum, float weightDecay,
               bool first, bool clip);
/** out = x >= 0 ? scale : -scale; mask (when not null) = |x| <= 1. */
void signForward(const float* x, float* out, bool* mask, int64_t n, float scale);
/** out = mask ? g : 0. */
void maskedCopy(const float* g, const bool* mask, float* out, int64_t n);
/** Packs n values that are each +s or -s into bits, 1 for +s: bit b of word
 *  k holds x[64k + b]; word k is written to out[k * stride], the bits past n
 *  in the last word are 0. False as soon as a value is neither +s nor -s
 *  (out is then partly written): the XNOR forward of a Dense layer uses this
 *  to find out whether its input is binary at all. */
bool packSigns(const float* x, int64_t n, float s, uint64_t* out, int64_t stride);
/** The same for values that are +s, -s or 0 (binary activations after a
 *  dropout): two bit-planes, `plus` where x is +s and `minus` where it is -s,
 *  word k at plus[k] and minus[k]. False as soon as a value is none of the three. */
bool packTernary(const float* x, int64_t n, float s, uint64_t* plus, uint64_t* minus);

} // namespace qnn::detail
