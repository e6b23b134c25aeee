// XNOR-popcount forward of a W1A1 Dense layer (see detail/xnor_dense.h).
//
// Why it is exact: with x in {+s, -s, 0} and w = ±1, every product is ±s or 0
// and every partial sum of the float GEMM is m·s with |m| <= K. Write s as
// M·2^e with M odd: m·s is a float whenever |m|·M < 2^24, so when K·M < 2^24
// every summation order gives exactly s·(matches - mismatches), which is what
// this computes from popcounts. s = 1 (sign) and s = 2 (sign, then dropout
// 0.5) have M = 1; s = 1.25 (dropout 0.2) has M = 5.
//
// Without zeros one XNOR popcount per row pair gives it: the bits past K in
// the last word are 0 in both operands, so XNOR counts them as matches and
// they are subtracted. With zeros (a dropout before the layer) the input is
// two bit-planes, x+ and x-, and two AND popcounts against w+ give
// x·w / s = 2·pc(x+ & w+) - pc(x+) - 2·pc(x- & w+) + pc(x-).
#include "core/train/detail/xnor_dense.h"

#include "core/train/detail/kernels.h"

#include "core/pack/engine_kernel.h"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace qnn::detail {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

namespace {

std::atomic<uint64_t> g_xnorCount{0};

bool cpuFloat(const Tensor& t)
{
    return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kFloat && t.is_contiguous() &&
           t.dim() == 2;
}

// Whether every m·s with |m| <= k is a float (see the top of the file).
bool sumsExact(float s, int64_t k)
{
    if (!std::isfinite(s) || s <= 0)
        return false;
    int e = 0;
    auto mantissa = static_cast<uint64_t>(std::ldexp(std::frexp(s, &e), 24)); // odd part below
    while ((mantissa & 1) == 0)
        mantissa >>= 1;
    return static_cast<uint64_t>(k) * mantissa < (uint64_t(1) << 24);
}

// The first nonzero magnitude: the scale every other nonzero value must have.
float firstScale(const Tensor& x)
{
    const float* p = x.data_ptr<float>();
    const int64_t n = x.numel();
    for (int64_t i = 0; i < n; ++i)
        if (p[i] != 0.0f)
            return std::fabs(p[i]);
    return 0.0f;
}

// The engine kernel's operand layouts: inputs as rows of `words` words, the
// x+ plane's rows padded with zero rows to a multiple of 8, then the x-
// plane's; weights interleaved in groups of eight rows (word k of row 8g+j at
// (g·words + k)·8 + j). `ones` gets pc(x+) and pc(x-) per row; `zeros` says
// whether any value was 0 (false: x- is the complement of x+ and XNOR serves).
bool packInput(const Tensor& x, float s, int64_t words, Tensor& bits, Tensor& ones, bool& zeros)
{
    const int64_t rows = x.size(0), k = x.size(1), vecs = (rows + 7) / 8 * 8;
    bits = torch::zeros({2 * vecs, words}, torch::kLong);
    ones = torch::empty({rows, 2}, torch::kInt);
    const float* in = x.data_ptr<float>();
    uint64_t* plus = reinterpret_cast<uint64_t*>(bits.data_ptr<int64_t>());
    uint64_t* minus = plus + vecs * words;
    int32_t* count = ones.data_ptr<int32_t>();
    std::atomic<bool> ok{true}, anyZero{false};
    at::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end && ok.load(std::memory_order_relaxed); ++r) {
            if (!packTernary(in + r * k, k, s, plus + r * words, minus + r * words)) {
                ok = false;
                return;
            }
            int32_t p = 0, m = 0;
            for (int64_t w = 0; w < words; ++w) {
                p += __builtin_popcountll(plus[r * words + w]);
                m += __builtin_popcountll(minus[r * words + w]);
            }
            count[2 * r] = p;
            count[2 * r + 1] = m;
            if (p + m != k)
                anyZero = true;
        }
    });
    zeros = anyZero;
    return ok;
}

bool packWeights(const Tensor& w, int64_t words, Tensor& bits)
{
    const int64_t rows = w.size(0), k = w.size(1);
    const int64_t groups = (rows + 7) / 8;
    bits = torch::zeros({groups * words * 8}, torch::kLong);
    const float* in = w.data_ptr<float>();
    uint64_t* out = reinterpret_cast<uint64_t*>(bits.data_ptr<int64_t>());
    std::atomic<bool> ok{true};
    at::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end && ok.load(std::memory_order_relaxed); ++r)
            if (!packSigns(in + r * k, k, 1.0f, out + (r / 8 * words) * 8 + r % 8, 8))
                ok = false;
    });
    return ok;
}

struct XnorLinearFn : public torch::autograd::Function<XnorLinearFn> {
    static Tensor forward(AutogradContext* ctx, const Tensor& x, const Tensor& w, const Tensor& xBits,
                          const Tensor& ones, const Tensor& wBits, bool zeros, double scale)
    {
        ctx->save_for_backward({x, w});
        const int64_t rows = x.size(0), k = x.size(1), units = w.size(0);
        const int64_t words = xBits.size(1), groups = (units + 7) / 8;
        const int64_t vecs = xBits.size(0) / 2;
        // Without zeros only the x+ plane is multiplied (XNOR); with them both planes (AND).
        const int64_t blocks = (zeros ? 2 * vecs : vecs) / 8;
        Tensor counts = torch::empty({blocks * 8, groups * 8}, torch::kInt);
        const auto& kernel = pack::engineKernel();
        const uint64_t* wb = reinterpret_cast<const uint64_t*>(wBits.data_ptr<int64_t>());
        const uint64_t* xb = reinterpret_cast<const uint64_t*>(xBits.data_ptr<int64_t>());
        int32_t* c = counts.data_ptr<int32_t>();
        // Blocks of eight input rows, each a kernel call of its own on one thread.
        at::parallel_for(0, blocks, 1, [&](int64_t begin, int64_t end) {
            kernel.counts(wb, groups, words, xb + begin * 8 * words, (end - begin) * 8, !zeros, 0, false,
                          c + begin * 8 * groups * 8);
        });
        Tensor out = torch::empty({rows, units}, x.options());
        float* o = out.data_ptr<float>();
        const int32_t* pm = ones.data_ptr<int32_t>();
        const int64_t stride = groups * 8;
        const int32_t offset = static_cast<int32_t>(2 * (words * 64 - k) + k); // 2·padding + K
        const float s = static_cast<float>(scale);
        at::parallel_for(0, rows, 64, [&](int64_t begin, int64_t end) {
            for (int64_t r = begin; r < end; ++r) {
                const int32_t* plus = c + r * stride;
                if (!zeros) {
                    for (int64_t u = 0; u < units; ++u)
                        o[r * units + u] = static_cast<float>(2 * plus[u] - offset) * s;
                    continue;
                }
                const int32_t* minus = c + (vecs + r) * stride;
                const int32_t base = pm[2 * r + 1] - pm[2 * r];
                for (int64_t u = 0; u < units; ++u)
                    o[r * units + u] = static_cast<float>(2 * (plus[u] - minus[u]) + base) * s;
            }
        });
        return out;
    }

    // The products torch's mm backward takes for linear(x, w) = mm(x, w.t()):
    // grad·w for the input, and gradᵀ·x for w (w.t() is column-major, so mm
    // computes its gradient transposed); the same calls give the same bits.
    static tensor_list backward(AutogradContext* ctx, tensor_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const Tensor& g = grads[0];
        Tensor gx, gw;
        if (ctx->needs_input_grad(0))
            gx = g.mm(saved[1]);
        if (ctx->needs_input_grad(1))
            gw = g.t().mm(saved[0]);
        return {gx, gw, Tensor(), Tensor(), Tensor(), Tensor(), Tensor()};
    }
};

} // namespace

Tensor xnorLinear(const Tensor& x, const Tensor& w)
{
    if (!cpuFloat(x) || !cpuFloat(w) || x.size(1) != w.size(1) || x.size(0) == 0 || x.size(1) == 0)
        return Tensor();
    const int64_t k = x.size(1);
    const float s = firstScale(x);
    if (!sumsExact(s, k))
        return Tensor();
    const int64_t words = (k + 63) / 64;
    Tensor xBits, ones, wBits;
    bool zeros = false;
    if (!packInput(x, s, words, xBits, ones, zeros) || !packWeights(w, words, wBits))
        return Tensor();
    ++g_xnorCount;
    return XnorLinearFn::apply(x, w, xBits, ones, wBits, zeros, static_cast<double>(s));
}

uint64_t xnorLinearCount() { return g_xnorCount.load(); }

bool xnorForwardEnabled()
{
    const char* v = std::getenv("QNN_TRAIN_XNOR");
    return !(v && std::strcmp(v, "0") == 0);
}

} // namespace qnn::detail
