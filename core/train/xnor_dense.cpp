// XNOR-popcount forward of a W1A1 Dense layer (see detail/xnor_dense.h).
//
// Why it is exact: with x = ±s and w = ±1, every product is ±s and every
// partial sum m·s with |m| <= K < 2^24; for s a power of two these are all
// floats, so any summation order of the float GEMM gives exactly
// s·(matches - mismatches) = s·(2·popcount(XNOR) - K), which is what this
// computes. The bits past K in the last word are 0 in both operands, so
// XNOR counts them as matches: they are subtracted.
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

bool powerOfTwo(float s)
{
    int e = 0;
    return std::isfinite(s) && s > 0 && std::frexp(s, &e) == 0.5f;
}

// The engine kernel's operand layouts: inputs as rows of `words` words,
// padded with zero rows to a multiple of 8; weights interleaved in groups of
// eight rows (word k of row 8g+j at (g·words + k)·8 + j).
bool packRows(const Tensor& x, float s, int64_t words, Tensor& bits)
{
    const int64_t rows = x.size(0), k = x.size(1);
    bits = torch::zeros({(rows + 7) / 8 * 8, words}, torch::kLong);
    const float* in = x.data_ptr<float>();
    uint64_t* out = reinterpret_cast<uint64_t*>(bits.data_ptr<int64_t>());
    std::atomic<bool> ok{true};
    at::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end && ok.load(std::memory_order_relaxed); ++r)
            if (!packSigns(in + r * k, k, s, out + r * words, 1))
                ok = false;
    });
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
                          const Tensor& wBits, double scale)
    {
        ctx->save_for_backward({x, w});
        const int64_t rows = x.size(0), k = x.size(1), units = w.size(0);
        const int64_t words = xBits.size(1), groups = (units + 7) / 8;
        const int64_t vecs = xBits.size(0);
        Tensor counts = torch::empty({vecs, groups * 8}, torch::kInt);
        const auto& kernel = pack::engineKernel();
        const uint64_t* wb = reinterpret_cast<const uint64_t*>(wBits.data_ptr<int64_t>());
        const uint64_t* xb = reinterpret_cast<const uint64_t*>(xBits.data_ptr<int64_t>());
        int32_t* c = counts.data_ptr<int32_t>();
        // Blocks of eight input rows, each a kernel call of its own on one thread.
        at::parallel_for(0, vecs / 8, 1, [&](int64_t begin, int64_t end) {
            kernel.counts(wb, groups, words, xb + begin * 8 * words, (end - begin) * 8, true, 0, false,
                          c + begin * 8 * groups * 8);
        });
        Tensor out = torch::empty({rows, units}, x.options());
        float* o = out.data_ptr<float>();
        const int32_t offset = static_cast<int32_t>(2 * (words * 64 - k) + k); // 2·padding + K
        const float s = static_cast<float>(scale);
        at::parallel_for(0, rows, 64, [&](int64_t begin, int64_t end) {
            for (int64_t r = begin; r < end; ++r)
                for (int64_t u = 0; u < units; ++u)
                    o[r * units + u] = static_cast<float>(2 * c[r * groups * 8 + u] - offset) * s;
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
        return {gx, gw, Tensor(), Tensor(), Tensor()};
    }
};

} // namespace

Tensor xnorLinear(const Tensor& x, const Tensor& w)
{
    if (!cpuFloat(x) || !cpuFloat(w) || x.size(1) != w.size(1) || x.size(0) == 0 || x.size(1) == 0)
        return Tensor();
    const float s = std::fabs(x.data_ptr<float>()[0]);
    if (!powerOfTwo(s))
        return Tensor();
    const int64_t words = (x.size(1) + 63) / 64;
    Tensor xBits, wBits;
    if (!packRows(x, s, words, xBits) || !packWeights(w, words, wBits))
        return Tensor();
    ++g_xnorCount;
    return XnorLinearFn::apply(x, w, xBits, wBits, static_cast<double>(s));
}

uint64_t xnorLinearCount() { return g_xnorCount.load(); }

bool xnorForwardEnabled()
{
    const char* v = std::getenv("QNN_TRAIN_XNOR");
    return !(v && std::strcmp(v, "0") == 0);
}

} // namespace qnn::detail
