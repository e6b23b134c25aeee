#include "core/onnx/onnx_ops.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>

namespace qnn::onnx_io {

namespace {

using Inputs = std::vector<const Tensor*>;

struct OpError {
    std::string message;
};

[[noreturn]] void fail(const onnx::NodeProto& node, const std::string& why)
{
    throw OpError{nodeLabel(node) + ": " + why};
}

const Tensor& need(const onnx::NodeProto& node, const Inputs& in, size_t k)
{
    if (k >= in.size() || !in[k])
        fail(node, "input " + std::to_string(k + 1) + " is missing");
    return *in[k];
}

int64_t normAxis(const onnx::NodeProto& node, int64_t axis, size_t rank)
{
    const int64_t r = static_cast<int64_t>(rank);
    if (axis < -r || axis >= r)
        fail(node, "axis " + std::to_string(axis) + " is outside a tensor of rank " + std::to_string(rank));
    return axis < 0 ? axis + r : axis;
}

/** The value count of a shape an operator is about to produce; refuses negative or oversized shapes. */
int64_t sizeOf(const onnx::NodeProto& node, const std::vector<int64_t>& shape)
{
    int64_t n = 0;
    if (!checkedSize(shape, n))
        fail(node, "its result of shape " + shapeText(shape) + " is negative or holds more than 2^28 values");
    return n;
}

std::string listText(const std::vector<int64_t>& v)
{
    std::string s = "[";
    for (size_t k = 0; k < v.size(); ++k)
        s += (k ? ", " : "") + std::to_string(v[k]);
    return s + "]";
}

std::vector<int64_t> stridesOf(const std::vector<int64_t>& shape)
{
    std::vector<int64_t> s(shape.size(), 1);
    for (int k = static_cast<int>(shape.size()) - 2; k >= 0; --k)
        s[k] = s[k + 1] * shape[k + 1];
    return s;
}

// ---- element-wise with numpy broadcasting ----

Tensor broadcastBinary(const onnx::NodeProto& node, const Tensor& a, const Tensor& b,
                       const std::function<double(double, double)>& op, bool intResult)
{
    const size_t rank = std::max(a.shape.size(), b.shape.size());
    std::vector<int64_t> sa(rank, 1), sb(rank, 1), out(rank, 1);
    std::copy(a.shape.begin(), a.shape.end(), sa.begin() + (rank - a.shape.size()));
    std::copy(b.shape.begin(), b.shape.end(), sb.begin() + (rank - b.shape.size()));
    for (size_t k = 0; k < rank; ++k) {
        if (sa[k] != sb[k] && sa[k] != 1 && sb[k] != 1)
            fail(node, "cannot broadcast " + shapeText(a.shape) + " with " + shapeText(b.shape));
        out[k] = std::max(sa[k], sb[k]);
        if (sa[k] == 0 || sb[k] == 0)
            out[k] = 0;
    }
    const int64_t n = sizeOf(node, out);
    const auto stA = stridesOf(sa), stB = stridesOf(sb), stO = stridesOf(out);
    Tensor r;
    r.shape = out;
    r.isInt = intResult;
    if (intResult)
        r.i.resize(n);
    else
        r.f.resize(n);
    for (int64_t idx = 0; idx < n; ++idx) {
        int64_t ia = 0, ib = 0, rem = idx;
        for (size_t k = 0; k < rank; ++k) {
            const int64_t c = rem / stO[k];
            rem %= stO[k];
            if (sa[k] != 1)
                ia += c * stA[k];
            if (sb[k] != 1)
                ib += c * stB[k];
        }
        if (intResult)
            r.i[idx] = toInt64(op(a.at(ia), b.at(ib)));
        else if (!a.isInt && !b.isInt)
            r.f[idx] = static_cast<float>(op(a.f[ia], b.f[ib]));
        else
            r.f[idx] = static_cast<float>(op(a.at(ia), b.at(ib)));
    }
    return r;
}

// Float arithmetic is done in float32, as the exporters' runtimes do.
Tensor arith(const onnx::NodeProto& node, const Tensor& a, const Tensor& b, char op)
{
    const bool ints = a.isInt && b.isInt;
    if (ints) {
        return broadcastBinary(
            node, a, b,
            [op](double x, double y) {
                switch (op) {
                case '+': return x + y;
                case '-': return x - y;
                case '*': return x * y;
                default: return y == 0 ? 0.0 : std::trunc(x / y);
                }
            },
            true);
    }
    return broadcastBinary(
        node, a, b,
        [op](double x, double y) {
            const float fx = static_cast<float>(x), fy = static_cast<float>(y);
            switch (op) {
            case '+': return static_cast<double>(fx + fy);
            case '-': return static_cast<double>(fx - fy);
            case '*': return static_cast<double>(fx * fy);
            default: return static_cast<double>(fx / fy);
            }
        },
        false);
}

Tensor unaryFloat(const Tensor& x, const std::function<float(float)>& op)
{
    Tensor r = Tensor::ofFloats(x.shape, x.floats());
    for (float& v : r.f)
        v = op(v);
    return r;
}

// ---- QONNX ----

double roundMode(double v, const std::string& mode)
{
    if (mode == "ROUND" || mode == "HALF_EVEN")
        return std::nearbyint(v); // default FE_TONEAREST: half to even, as numpy.round
    if (mode == "CEIL")
        return std::ceil(v);
    if (mode == "FLOOR")
        return std::floor(v);
    if (mode == "ROUND_TO_ZERO")
        return std::trunc(v);
    if (mode == "HALF_UP")
        return std::floor(v + 0.5);
    return std::round(v);
}

bool knownRounding(const std::string& mode)
{
    return mode == "ROUND" || mode == "HALF_EVEN" || mode == "CEIL" || mode == "FLOOR" || mode == "ROUND_TO_ZERO" ||
           mode == "HALF_UP";
}

float scalarOf(const onnx::NodeProto& node, const Tensor& t, const char* what)
{
    if (t.size() != 1)
        fail(node, std::string(what) + " must be a single value here but has shape " + shapeText(t.shape));
    return static_cast<float>(t.at(0));
}

Tensor quantOp(const onnx::NodeProto& node, const Inputs& in)
{
    const Tensor& x = need(node, in, 0);
    const Tensor& scale = need(node, in, 1);
    const Tensor& zeropt = need(node, in, 2);
    const double bits = scalarOf(node, need(node, in, 3), "the bit width");
    const bool isSigned = attrInt(node, "signed", 1) != 0;
    const bool narrow = attrInt(node, "narrow", 0) != 0;
    const std::string rounding = attrString(node, "rounding_mode", "ROUND");
    if (!knownRounding(rounding))
        fail(node, "rounding_mode \"" + rounding + "\" is unknown");
    if (!(bits >= 1))
        fail(node, "bit width " + std::to_string(bits) + " is below 1");
    // scale and zero point broadcast against x (per-channel quantizers).
    Tensor s = broadcastBinary(node, x, scale, [](double, double b) { return b; }, false);
    Tensor z = broadcastBinary(node, x, zeropt, [](double, double b) { return b; }, false);
    Tensor r = Tensor::ofFloats(s.shape, x.floats());
    if (r.size() != x.size())
        fail(node, "scale of shape " + shapeText(scale.shape) + " does not fit the input " + shapeText(x.shape));
    for (int64_t k = 0; k < r.size(); ++k)
        r.f[k] = quantValue(r.f[k], s.f[k], z.f[k], bits, isSigned, narrow, rounding);
    return r;
}

Tensor bipolarQuantOp(const onnx::NodeProto& node, const Inputs& in)
{
    const Tensor& x = need(node, in, 0);
    Tensor s = broadcastBinary(node, x, need(node, in, 1), [](double, double b) { return b; }, false);
    if (s.size() != x.size())
        fail(node, "scale of shape " + shapeText(need(node, in, 1).shape) + " does not fit the input " +
                       shapeText(x.shape));
    Tensor r = Tensor::ofFloats(s.shape, x.floats());
    for (int64_t k = 0; k < r.size(); ++k)
        r.f[k] = (r.f[k] >= 0.0f ? 1.0f : -1.0f) * s.f[k];
    return r;
}

Tensor truncOp(const onnx::NodeProto& node, const Inputs& in)
{
    const Tensor& x = need(node, in, 0);
    const float scale = scalarOf(node, need(node, in, 1), "the scale");
    const float zeropt = scalarOf(node, need(node, in, 2), "the zero point");
    const double inBits = scalarOf(node, need(node, in, 3), "the input bit width");
    const double outBits = scalarOf(node, need(node, in, 4), "the output bit width");
    const std::string rounding = attrString(node, "rounding_mode", "FLOOR");
    if (!knownRounding(rounding))
        fail(node, "rounding_mode \"" + rounding + "\" is unknown");
    const float truncScale = static_cast<float>(std::pow(2.0, inBits - outBits));
    return unaryFloat(x, [&](float v) {
        float y = v / scale + zeropt;
        y = static_cast<float>(std::nearbyint(y));
        y = y / truncScale;
        y = static_cast<float>(roundMode(y, rounding));
        return (y - zeropt) * scale;
    });
}

// ---- linear algebra ----

/** The tensor's values as float32: in place for float tensors, else converted into `copy`. */
const float* floatData(const Tensor& t, std::vector<float>& copy)
{
    if (!t.isInt)
        return t.f.data();
    copy = t.floats();
    return copy.data();
}

Tensor matmul(const onnx::NodeProto& node, const Tensor& a, const Tensor& b)
{
    if (a.shape.size() != 2 || b.shape.size() != 2 || a.shape[1] != b.shape[0])
        fail(node, "multiplies " + shapeText(a.shape) + " by " + shapeText(b.shape) +
                       "; only 2-D matrices with matching inner sizes are supported");
    const int64_t M = a.shape[0], K = a.shape[1], N = b.shape[1];
    sizeOf(node, {M, N});
    // Float tensors are read in place: eval-onnx runs each weight matrix once per image.
    std::vector<float> copyA, copyB;
    const float* A = floatData(a, copyA);
    const float* B = floatData(b, copyB);
    Tensor r = Tensor::ofFloats({M, N}, std::vector<float>(static_cast<size_t>(M * N), 0.0f));
    for (int64_t m = 0; m < M; ++m) {
        float* row = r.f.data() + m * N;
        for (int64_t k = 0; k < K; ++k) {
            const float av = A[m * K + k];
            const float* brow = B + k * N;
            for (int64_t n = 0; n < N; ++n)
                row[n] += av * brow[n];
        }
    }
    return r;
}

Tensor transpose2d(const Tensor& t)
{
    const int64_t R = t.shape[0], C = t.shape[1];
    const std::vector<float> v = t.floats();
    Tensor r = Tensor::ofFloats({C, R}, std::vector<float>(v.size()));
    for (int64_t i = 0; i < R; ++i)
        for (int64_t j = 0; j < C; ++j)
            r.f[j * R + i] = v[i * C + j];
    return r;
}

Tensor gemm(const onnx::NodeProto& node, const Inputs& in)
{
    Tensor a = need(node, in, 0), b = need(node, in, 1);
    if (a.shape.size() != 2 || b.shape.size() != 2)
        fail(node, "Gemm needs 2-D inputs but gets " + shapeText(a.shape) + " and " + shapeText(b.shape));
    if (attrInt(node, "transA", 0))
        a = transpose2d(a);
    if (attrInt(node, "transB", 0))
        b = transpose2d(b);
    Tensor r = matmul(node, a, b);
    const float alpha = attrFloat(node, "alpha", 1.0f), beta = attrFloat(node, "beta", 1.0f);
    if (alpha != 1.0f)
        for (float& v : r.f)
            v *= alpha;
    if (in.size() > 2 && in[2]) {
        Tensor c = Tensor::ofFloats(in[2]->shape, in[2]->floats());
        if (beta != 1.0f)
            for (float& v : c.f)
                v *= beta;
        r = arith(node, r, c, '+');
        if (r.shape != std::vector<int64_t>{a.shape[0], b.shape[1]})
            fail(node, "its bias of shape " + shapeText(in[2]->shape) + " does not fit the product");
    }
    return r;
}

struct Window {
    int64_t kh = 1, kw = 1, sh = 1, sw = 1, pt = 0, pl = 0, pb = 0, pr = 0;
};

/** The window of a Conv or a pool. `fromWeights`: a Conv's kernel is its
 *  weights' kh×kw, and a kernel_shape that says otherwise is refused.
 *  Padding must be smaller than the window, as every exporter writes it. */
Window windowOf(const onnx::NodeProto& node, int64_t kh, int64_t kw, bool fromWeights)
{
    Window w;
    const auto ks = attrInts(node, "kernel_shape");
    if (!ks.empty() && ks.size() != 2)
        fail(node, "kernel_shape has " + std::to_string(ks.size()) + " values; a 2-D window needs 2");
    if (ks.size() == 2) {
        w.kh = ks[0];
        w.kw = ks[1];
        if (fromWeights && (w.kh != kh || w.kw != kw))
            fail(node, "kernel_shape " + shapeText(ks) + " does not match its weights' " + std::to_string(kh) + "×" +
                           std::to_string(kw) + " kernel");
    } else {
        w.kh = kh;
        w.kw = kw;
    }
    const auto st = attrInts(node, "strides");
    if (!st.empty() && st.size() != 2)
        fail(node, "strides has " + std::to_string(st.size()) + " values; a 2-D window needs 2");
    if (st.size() == 2) {
        w.sh = st[0];
        w.sw = st[1];
    }
    const auto pads = attrInts(node, "pads");
    if (!pads.empty() && pads.size() != 4)
        fail(node, "pads has " + std::to_string(pads.size()) + " values; a 2-D window needs 4");
    for (int64_t p : pads)
        if (p < 0 || p > 1024)
            fail(node, "a padding of " + std::to_string(p) + " is outside 0 … 1024");
    if (pads.size() == 4) {
        w.pt = pads[0];
        w.pl = pads[1];
        w.pb = pads[2];
        w.pr = pads[3];
    }
    const std::string autoPad = attrString(node, "auto_pad", "NOTSET");
    if (autoPad != "NOTSET" && autoPad != "VALID")
        fail(node, "auto_pad \"" + autoPad + "\" is not supported; write explicit pads");
    for (int64_t d : attrInts(node, "dilations"))
        if (d != 1)
            fail(node, "dilation " + std::to_string(d) + " is not supported");
    if (attrInt(node, "ceil_mode", 0))
        fail(node, "ceil_mode 1 is not supported");
    if (w.kh < 1 || w.kw < 1 || w.sh < 1 || w.sw < 1 || w.kh > 1024 || w.kw > 1024 || w.sh > 1024 || w.sw > 1024)
        fail(node, "kernel and strides must be between 1 and 1024");
    if (w.pt >= w.kh || w.pb >= w.kh || w.pl >= w.kw || w.pr >= w.kw)
        fail(node, "a padding as large as the window gives windows of padding only");
    return w;
}

Tensor conv(const onnx::NodeProto& node, const Inputs& in)
{
    const Tensor& x = need(node, in, 0);
    const Tensor& w = need(node, in, 1);
    if (x.shape.size() != 4 || w.shape.size() != 4)
        fail(node, "only 2-D convolutions (N×C×H×W input, 4-D weights) are supported");
    if (attrInt(node, "group", 1) != 1)
        fail(node, "grouped convolutions are not supported");
    const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
    const int64_t F = w.shape[0];
    if (w.shape[1] != C)
        fail(node, "weights of shape " + shapeText(w.shape) + " do not fit an input of " + std::to_string(C) +
                       " channels");
    const Window win = windowOf(node, w.shape[2], w.shape[3], true);
    const int64_t OH = (H + win.pt + win.pb - win.kh) / win.sh + 1;
    const int64_t OW = (W + win.pl + win.pr - win.kw) / win.sw + 1;
    if (OH < 1 || OW < 1)
        fail(node, "the kernel does not fit the input");
    sizeOf(node, {N, F, OH, OW});
    std::vector<float> copyX, copyW;
    const float* X = floatData(x, copyX);
    const float* Wt = floatData(w, copyW);
    std::vector<float> bias(static_cast<size_t>(F), 0.0f);
    if (in.size() > 2 && in[2]) {
        if (in[2]->size() != F)
            fail(node, "its bias has " + std::to_string(in[2]->size()) + " values for " + std::to_string(F) + " filters");
        bias = in[2]->floats();
    }
    Tensor r = Tensor::ofFloats({N, F, OH, OW}, std::vector<float>(static_cast<size_t>(N * F * OH * OW)));
    for (int64_t n = 0; n < N; ++n)
        for (int64_t f = 0; f < F; ++f)
            for (int64_t oy = 0; oy < OH; ++oy)
                for (int64_t ox = 0; ox < OW; ++ox) {
                    float acc = 0.0f;
                    for (int64_t c = 0; c < C; ++c)
                        for (int64_t ky = 0; ky < win.kh; ++ky) {
                            const int64_t iy = oy * win.sh + ky - win.pt;
                            if (iy < 0 || iy >= H)
                                continue;
                            for (int64_t kx = 0; kx < win.kw; ++kx) {
                                const int64_t ix = ox * win.sw + kx - win.pl;
                                if (ix < 0 || ix >= W)
                                    continue;
                                acc += X[((n * C + c) * H + iy) * W + ix] *
                                       Wt[((f * C + c) * win.kh + ky) * win.kw + kx];
                            }
                        }
                    r.f[((n * F + f) * OH + oy) * OW + ox] = acc + bias[f];
                }
    return r;
}

Tensor pool(const onnx::NodeProto& node, const Tensor& x, bool isMax)
{
    if (x.shape.size() != 4)
        fail(node, "only 2-D pooling over N×C×H×W is supported, the input is " + shapeText(x.shape));
    if (attrInts(node, "kernel_shape").size() != 2)
        fail(node, "kernel_shape must have two values");
    const Window win = windowOf(node, 1, 1, false);
    const bool countPad = attrInt(node, "count_include_pad", 0) != 0;
    const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
    const int64_t OH = (H + win.pt + win.pb - win.kh) / win.sh + 1;
    const int64_t OW = (W + win.pl + win.pr - win.kw) / win.sw + 1;
    if (OH < 1 || OW < 1)
        fail(node, "the window does not fit the input");
    sizeOf(node, {N, C, OH, OW});
    const std::vector<float> X = x.floats();
    Tensor r = Tensor::ofFloats({N, C, OH, OW}, std::vector<float>(static_cast<size_t>(N * C * OH * OW)));
    for (int64_t nc = 0; nc < N * C; ++nc)
        for (int64_t oy = 0; oy < OH; ++oy)
            for (int64_t ox = 0; ox < OW; ++ox) {
                float best = -std::numeric_limits<float>::infinity(), sum = 0.0f;
                int64_t count = 0;
                for (int64_t ky = 0; ky < win.kh; ++ky)
                    for (int64_t kx = 0; kx < win.kw; ++kx) {
                        const int64_t iy = oy * win.sh + ky - win.pt, ix = ox * win.sw + kx - win.pl;
                        if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
                            count += countPad;
                            continue;
                        }
                        const float v = X[(nc * H + iy) * W + ix];
                        best = std::max(best, v);
                        sum += v;
                        ++count;
                    }
                r.f[(nc * OH + oy) * OW + ox] = isMax ? best : sum / static_cast<float>(count);
            }
    return r;
}

Tensor batchNorm(const onnx::NodeProto& node, const Inputs& in)
{
    const Tensor& x = need(node, in, 0);
    if (x.shape.size() < 2)
        fail(node, "needs an input with a channel dimension, gets " + shapeText(x.shape));
    const int64_t C = x.shape[1];
    std::vector<std::vector<float>> p;
    for (size_t k = 1; k <= 4; ++k) {
        const Tensor& t = need(node, in, k);
        if (t.size() != C)
            fail(node, "parameter " + std::to_string(k + 1) + " has " + std::to_string(t.size()) + " values for " +
                           std::to_string(C) + " channels");
        p.push_back(t.floats());
    }
    const float eps = attrFloat(node, "epsilon", 1e-5f);
    int64_t inner = 1;
    for (size_t k = 2; k < x.shape.size(); ++k)
        inner *= x.shape[k];
    Tensor r = Tensor::ofFloats(x.shape, x.floats());
    for (int64_t idx = 0; idx < r.size(); ++idx) {
        const int64_t c = (idx / inner) % C;
        // As torch's CPU kernel: one multiplier and one offset per channel.
        const float alpha = 1.0f / std::sqrt(p[3][c] + eps) * p[0][c];
        const float beta = p[1][c] - p[2][c] * alpha;
        r.f[idx] = r.f[idx] * alpha + beta;
    }
    return r;
}

// ---- shapes ----

std::vector<int64_t> reshapeTarget(const onnx::NodeProto& node, const std::vector<int64_t>& from,
                                   const std::vector<int64_t>& spec)
{
    std::vector<int64_t> out = spec;
    int64_t known = 1, inferred = -1;
    int64_t total = 1;
    for (int64_t d : from)
        total *= d;
    for (size_t k = 0; k < out.size(); ++k) {
        if (out[k] == 0) {
            if (k >= from.size())
                fail(node, "a 0 in the target shape copies a dimension the input does not have");
            out[k] = from[k];
        }
        if (out[k] == -1) {
            if (inferred >= 0)
                fail(node, "the target shape has more than one -1");
            inferred = static_cast<int64_t>(k);
            continue;
        }
        if (out[k] < 0)
            fail(node, "the target shape has a negative size");
        if (out[k] > kMaxTensorValues || (known > 0 && out[k] > kMaxTensorValues / known))
            fail(node, "the target shape " + shapeText(spec) + " holds more than 2^28 values");
        known *= out[k];
    }
    if (inferred >= 0) {
        if (known == 0 || total % known != 0)
            fail(node, "cannot reshape " + shapeText(from) + " into " + shapeText(spec));
        out[inferred] = total / known;
    } else if (known != total) {
        fail(node, "cannot reshape " + shapeText(from) + " into " + shapeText(spec));
    }
    return out;
}

Tensor withShape(const Tensor& t, std::vector<int64_t> shape)
{
    Tensor r = t;
    r.shape = std::move(shape);
    return r;
}

std::vector<int64_t> axesOf(const onnx::NodeProto& node, const Inputs& in)
{
    if (in.size() > 1 && in[1])
        return in[1]->ints();
    return attrInts(node, "axes");
}

Tensor unsqueeze(const onnx::NodeProto& node, const Inputs& in)
{
    const Tensor& x = need(node, in, 0);
    std::vector<int64_t> axes = axesOf(node, in);
    const size_t rank = x.shape.size() + axes.size();
    for (int64_t& a : axes)
        a = normAxis(node, a, rank);
    std::sort(axes.begin(), axes.end());
    if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
        fail(node, "an axis appears twice");
    std::vector<int64_t> shape = x.shape;
    for (int64_t a : axes)
        shape.insert(shape.begin() + a, 1);
    return withShape(x, shape);
}

Tensor squeeze(const onnx::NodeProto& node, const Inputs& in)
{
    const Tensor& x = need(node, in, 0);
    std::vector<int64_t> axes = axesOf(node, in);
    std::vector<int64_t> shape;
    for (size_t k = 0; k < x.shape.size(); ++k) {
        bool drop = axes.empty() ? x.shape[k] == 1 : false;
        for (int64_t a : axes)
            if (normAxis(node, a, x.shape.size()) == static_cast<int64_t>(k)) {
                if (x.shape[k] != 1)
                    fail(node, "cannot squeeze axis " + std::to_string(k) + " of size " + std::to_string(x.shape[k]));
                drop = true;
            }
        if (!drop)
            shape.push_back(x.shape[k]);
    }
    return withShape(x, shape);
}

Tensor gather(const onnx::NodeProto& node, const Inputs& in)
{
    const Tensor& x = need(node, in, 0);
    const Tensor& idx = need(node, in, 1);
    if (x.shape.empty())
        fail(node, "cannot gather from a scalar");
    const int64_t axis = normAxis(node, attrInt(node, "axis", 0), x.shape.size());
    int64_t outer = 1, inner = 1;
    for (int64_t k = 0; k < axis; ++k)
        outer *= x.shape[k];
    for (size_t k = axis + 1; k < x.shape.size(); ++k)
        inner *= x.shape[k];
    const int64_t dim = x.shape[axis];
    std::vector<int64_t> ids = idx.ints();
    std::vector<int64_t> shape(x.shape.begin(), x.shape.begin() + axis);
    shape.insert(shape.end(), idx.shape.begin(), idx.shape.end());
    shape.insert(shape.end(), x.shape.begin() + axis + 1, x.shape.end());
    sizeOf(node, shape);
    Tensor r;
    r.shape = shape;
    r.isInt = x.isInt;
    for (int64_t o = 0; o < outer; ++o)
        for (int64_t id : ids) {
            const int64_t j = id < 0 ? id + dim : id;
            if (j < 0 || j >= dim)
                fail(node, "index " + std::to_string(id) + " is outside a dimension of " + std::to_string(dim));
            for (int64_t q = 0; q < inner; ++q) {
                const int64_t src = (o * dim + j) * inner + q;
                if (x.isInt)
                    r.i.push_back(x.i[src]);
                else
                    r.f.push_back(x.f[src]);
            }
        }
    return r;
}

Tensor concat(const onnx::NodeProto& node, const Inputs& in)
{
    std::vector<const Tensor*> parts;
    for (const Tensor* t : in)
        if (t)
            parts.push_back(t);
    if (parts.empty())
        fail(node, "has no inputs");
    const Tensor& first = *parts[0];
    if (first.shape.empty())
        fail(node, "joins scalars; Concat needs tensors of rank 1 or more");
    const int64_t axis = normAxis(node, attrInt(node, "axis", 0), first.shape.size());
    bool ints = true;
    for (const Tensor* t : parts)
        ints = ints && t->isInt;
    std::vector<int64_t> shape = first.shape;
    shape[axis] = 0;
    for (const Tensor* t : parts) {
        if (t->shape.size() != first.shape.size())
            fail(node, "joins tensors of different ranks");
        for (size_t k = 0; k < shape.size(); ++k)
            if (static_cast<int64_t>(k) != axis && t->shape[k] != first.shape[k])
                fail(node, "joins " + shapeText(first.shape) + " and " + shapeText(t->shape) + " along axis " +
                               std::to_string(axis));
        shape[axis] += t->shape[axis];
    }
    sizeOf(node, shape);
    int64_t outer = 1;
    for (int64_t k = 0; k < axis; ++k)
        outer *= shape[k];
    Tensor r;
    r.shape = shape;
    r.isInt = ints;
    for (int64_t o = 0; o < outer; ++o)
        for (const Tensor* t : parts) {
            const int64_t chunk = outer ? t->size() / outer : 0;
            for (int64_t q = 0; q < chunk; ++q) {
                if (ints)
                    r.i.push_back(t->i[o * chunk + q]);
                else
                    r.f.push_back(static_cast<float>(t->at(o * chunk + q)));
            }
        }
    return r;
}

Tensor transpose(const onnx::NodeProto& node, const Tensor& x)
{
    std::vector<int64_t> perm = attrInts(node, "perm");
    const size_t rank = x.shape.size();
    if (perm.empty())
        for (size_t k = 0; k < rank; ++k)
            perm.push_back(static_cast<int64_t>(rank - 1 - k));
    if (perm.size() != rank)
        fail(node, "perm has " + std::to_string(perm.size()) + " axes for a tensor of rank " + std::to_string(rank));
    std::vector<bool> seen(rank, false);
    for (int64_t& p : perm) {
        p = normAxis(node, p, rank);
        if (seen[p])
            fail(node, "perm " + listText(attrInts(node, "perm")) + " names axis " + std::to_string(p) +
                           " twice; it must be a permutation of 0 … " + std::to_string(rank - 1));
        seen[p] = true;
    }
    std::vector<int64_t> shape(rank);
    for (size_t k = 0; k < rank; ++k)
        shape[k] = x.shape[normAxis(node, perm[k], rank)];
    const auto stIn = stridesOf(x.shape), stOut = stridesOf(shape);
    Tensor r;
    r.shape = shape;
    r.isInt = x.isInt;
    const int64_t n = x.size();
    if (x.isInt)
        r.i.resize(n);
    else
        r.f.resize(n);
    for (int64_t idx = 0; idx < n; ++idx) {
        int64_t rem = idx, src = 0;
        for (size_t k = 0; k < rank; ++k) {
            const int64_t c = rem / stOut[k];
            rem %= stOut[k];
            src += c * stIn[normAxis(node, perm[k], rank)];
        }
        if (x.isInt)
            r.i[idx] = x.i[src];
        else
            r.f[idx] = x.f[src];
    }
    return r;
}

Tensor softmax(const onnx::NodeProto& node, const Tensor& x, bool logarithm)
{
    const int64_t axis = normAxis(node, attrInt(node, "axis", 1), x.shape.size());
    // Opset 11: the input is seen as 2-D, split before `axis`.
    int64_t inner = 1;
    for (size_t k = axis; k < x.shape.size(); ++k)
        inner *= x.shape[k];
    Tensor r = Tensor::ofFloats(x.shape, x.floats());
    for (int64_t start = 0; start < r.size(); start += inner) {
        float m = -std::numeric_limits<float>::infinity();
        for (int64_t q = 0; q < inner; ++q)
            m = std::max(m, r.f[start + q]);
        double sum = 0;
        for (int64_t q = 0; q < inner; ++q)
            sum += std::exp(static_cast<double>(r.f[start + q] - m));
        for (int64_t q = 0; q < inner; ++q) {
            const double e = static_cast<double>(r.f[start + q] - m);
            r.f[start + q] = static_cast<float>(logarithm ? e - std::log(sum) : std::exp(e) / sum);
        }
    }
    return r;
}

// ---- shape arithmetic that Brevitas and torch.onnx write around constants ----

Tensor expand(const onnx::NodeProto& node, const Inputs& in)
{
    const Tensor& x = need(node, in, 0);
    const std::vector<int64_t> spec = need(node, in, 1).ints();
    // The result has the broadcast of the input's shape and the requested one.
    const size_t rank = std::max(x.shape.size(), spec.size());
    std::vector<int64_t> shape(rank, 1);
    for (size_t k = 0; k < rank; ++k) {
        const int64_t a = k + x.shape.size() >= rank ? x.shape[k + x.shape.size() - rank] : 1;
        const int64_t b = k + spec.size() >= rank ? spec[k + spec.size() - rank] : 1;
        if (a != b && a != 1 && b != 1)
            fail(node, "cannot expand " + shapeText(x.shape) + " to " + listText(spec));
        shape[k] = a == 1 ? b : a;
    }
    sizeOf(node, shape);
    Tensor ones = x.isInt ? Tensor::ofInts(shape, std::vector<int64_t>(static_cast<size_t>(sizeOf(node, shape)), 0))
                          : Tensor::ofFloats(shape, std::vector<float>(static_cast<size_t>(sizeOf(node, shape)), 0.0f));
    return broadcastBinary(node, ones, x, [](double, double b) { return b; }, x.isInt);
}

Tensor constantOfShape(const onnx::NodeProto& node, const Inputs& in)
{
    const std::vector<int64_t> shape = need(node, in, 0).ints();
    const int64_t n = sizeOf(node, shape);
    Tensor value = Tensor::ofFloats({1}, {0.0f});
    if (const auto* a = findAttr(node, "value")) {
        std::string error;
        if (!a->has_t() || !tensorFromProto(a->t(), value, error) || value.size() != 1)
            fail(node, "its value must be a tensor of one element");
    }
    if (value.isInt)
        return Tensor::ofInts(shape, std::vector<int64_t>(static_cast<size_t>(n), value.i[0]));
    return Tensor::ofFloats(shape, std::vector<float>(static_cast<size_t>(n), value.f[0]));
}

Tensor slice(const onnx::NodeProto& node, const Inputs& in)
{
    const Tensor& x = need(node, in, 0);
    const size_t rank = x.shape.size();
    // Opset 10+: starts, ends, axes, steps as inputs; opset 9: attributes.
    std::vector<int64_t> starts, ends, axes, steps;
    if (in.size() > 1 && in[1]) {
        starts = need(node, in, 1).ints();
        ends = need(node, in, 2).ints();
        if (in.size() > 3 && in[3])
            axes = in[3]->ints();
        if (in.size() > 4 && in[4])
            steps = in[4]->ints();
    } else {
        starts = attrInts(node, "starts");
        ends = attrInts(node, "ends");
        axes = attrInts(node, "axes");
    }
    if (axes.empty())
        for (size_t k = 0; k < starts.size(); ++k)
            axes.push_back(static_cast<int64_t>(k));
    if (steps.empty())
        steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
        fail(node, "starts, ends, axes and steps differ in length");
    std::vector<int64_t> begin(rank, 0), step(rank, 1), shape = x.shape;
    std::vector<bool> seen(rank, false);
    for (size_t k = 0; k < starts.size(); ++k) {
        const int64_t a = normAxis(node, axes[k], rank);
        if (seen[a])
            fail(node, "the axis " + std::to_string(a) + " is sliced twice");
        seen[a] = true;
        const int64_t dim = x.shape[a];
        // Steps beyond the dimension take one element; clamping keeps the arithmetic below in range.
        const int64_t st = std::clamp<int64_t>(steps[k], -kMaxTensorValues, kMaxTensorValues);
        if (st == 0)
            fail(node, "a step of 0");
        auto clampIndex = [&](int64_t v, bool forward) {
            if (v < 0)
                v = v < -dim ? -1 : v + dim; // stays -1 only for a backward end before the start
            if (forward)
                return std::clamp<int64_t>(v, 0, dim);
            return std::clamp<int64_t>(v, -1, dim - 1);
        };
        const int64_t b = clampIndex(starts[k], st > 0), e = clampIndex(ends[k], st > 0);
        int64_t count = 0;
        if (st > 0 && e > b)
            count = (e - b - 1) / st + 1;
        else if (st < 0 && b > e)
            count = (b - e - 1) / (-st) + 1;
        begin[a] = b;
        step[a] = st;
        shape[a] = count;
    }
    const int64_t n = sizeOf(node, shape);
    const auto stIn = stridesOf(x.shape), stOut = stridesOf(shape);
    Tensor r;
    r.shape = shape;
    r.isInt = x.isInt;
    for (int64_t idx = 0; idx < n; ++idx) {
        int64_t rem = idx, src = 0;
        for (size_t k = 0; k < rank; ++k) {
            const int64_t c = rem / stOut[k];
            rem %= stOut[k];
            src += (begin[k] + c * step[k]) * stIn[k];
        }
        if (x.isInt)
            r.i.push_back(x.i[src]);
        else
            r.f.push_back(x.f[src]);
    }
    return r;
}

/** Min / Max of any number of inputs, broadcast. */
Tensor extremum(const onnx::NodeProto& node, const Inputs& in, bool isMax)
{
    Tensor r = need(node, in, 0);
    for (size_t k = 1; k < in.size(); ++k)
        r = broadcastBinary(
            node, r, need(node, in, k),
            [isMax](double a, double b) { return isMax ? std::max(a, b) : std::min(a, b); },
            r.isInt && in[k]->isInt);
    return r;
}

Tensor power(const onnx::NodeProto& node, const Tensor& a, const Tensor& b)
{
    if (a.isInt)
        return broadcastBinary(node, a, b, [](double x, double y) { return std::pow(x, y); }, true);
    return broadcastBinary(
        node, a, b,
        [](double x, double y) { return static_cast<double>(std::pow(static_cast<float>(x), static_cast<float>(y))); },
        false);
}

Tensor constantNode(const onnx::NodeProto& n)
{
    Tensor t;
    std::string error;
    if (const auto* a = findAttr(n, "value")) {
        if (!a->has_t() || !tensorFromProto(a->t(), t, error))
            fail(n, error.empty() ? std::string("its value is not a tensor") : error);
        return t;
    }
    if (const auto* a = findAttr(n, "value_float"))
        return Tensor::ofFloats({}, {a->f()});
    if (const auto* a = findAttr(n, "value_int"))
        return Tensor::ofInts({}, {a->i()});
    if (const auto* a = findAttr(n, "value_floats"))
        return Tensor::ofFloats({a->floats_size()}, std::vector<float>(a->floats().begin(), a->floats().end()));
    if (const auto* a = findAttr(n, "value_ints"))
        return Tensor::ofInts({a->ints_size()}, std::vector<int64_t>(a->ints().begin(), a->ints().end()));
    fail(n, "only Constant nodes with a value, value_float(s) or value_int(s) are supported");
}

Tensor unaryAny(const Tensor& x, const std::function<double(double)>& op)
{
    if (!x.isInt)
        return unaryFloat(x, [&op](float v) { return static_cast<float>(op(v)); });
    Tensor r = x;
    for (int64_t& v : r.i)
        v = toInt64(op(static_cast<double>(v)));
    return r;
}

using Kernel = std::function<std::vector<Tensor>(const onnx::NodeProto&, const Inputs&)>;

const std::map<std::string, Kernel>& onnxKernels()
{
    static const std::map<std::string, Kernel> k{
        {"Add", [](const auto& n, const auto& in) { return std::vector<Tensor>{arith(n, need(n, in, 0), need(n, in, 1), '+')}; }},
        {"Sub", [](const auto& n, const auto& in) { return std::vector<Tensor>{arith(n, need(n, in, 0), need(n, in, 1), '-')}; }},
        {"Mul", [](const auto& n, const auto& in) { return std::vector<Tensor>{arith(n, need(n, in, 0), need(n, in, 1), '*')}; }},
        {"Div", [](const auto& n, const auto& in) { return std::vector<Tensor>{arith(n, need(n, in, 0), need(n, in, 1), '/')}; }},
        {"MatMul", [](const auto& n, const auto& in) { return std::vector<Tensor>{matmul(n, need(n, in, 0), need(n, in, 1))}; }},
        {"Gemm", [](const auto& n, const auto& in) { return std::vector<Tensor>{gemm(n, in)}; }},
        {"Conv", [](const auto& n, const auto& in) { return std::vector<Tensor>{conv(n, in)}; }},
        {"MaxPool", [](const auto& n, const auto& in) { return std::vector<Tensor>{pool(n, need(n, in, 0), true)}; }},
        {"AveragePool", [](const auto& n, const auto& in) { return std::vector<Tensor>{pool(n, need(n, in, 0), false)}; }},
        {"BatchNormalization", [](const auto& n, const auto& in) { return std::vector<Tensor>{batchNorm(n, in)}; }},
        {"Relu", [](const auto& n, const auto& in) {
             return std::vector<Tensor>{unaryFloat(need(n, in, 0), [](float v) { return v > 0.0f ? v : 0.0f; })};
         }},
        {"Sign", [](const auto& n, const auto& in) {
             return std::vector<Tensor>{unaryFloat(need(n, in, 0), [](float v) { return v > 0.0f ? 1.0f : v < 0.0f ? -1.0f : 0.0f; })};
         }},
        {"Neg", [](const auto& n, const auto& in) { return std::vector<Tensor>{unaryFloat(need(n, in, 0), [](float v) { return -v; })}; }},
        {"Sqrt", [](const auto& n, const auto& in) { return std::vector<Tensor>{unaryFloat(need(n, in, 0), [](float v) { return std::sqrt(v); })}; }},
        {"Reciprocal", [](const auto& n, const auto& in) { return std::vector<Tensor>{unaryFloat(need(n, in, 0), [](float v) { return 1.0f / v; })}; }},
        {"Clip", [](const auto& n, const auto& in) {
             float lo = attrFloat(n, "min", -std::numeric_limits<float>::infinity());
             float hi = attrFloat(n, "max", std::numeric_limits<float>::infinity());
             if (in.size() > 1 && in[1])
                 lo = scalarOf(n, *in[1], "min");
             if (in.size() > 2 && in[2])
                 hi = scalarOf(n, *in[2], "max");
             return std::vector<Tensor>{unaryFloat(need(n, in, 0), [lo, hi](float v) { return std::min(std::max(v, lo), hi); })};
         }},
        {"Identity", [](const auto& n, const auto& in) { return std::vector<Tensor>{need(n, in, 0)}; }},
        {"Dropout", [](const auto& n, const auto& in) { return std::vector<Tensor>{need(n, in, 0)}; }},
        {"Flatten", [](const auto& n, const auto& in) {
             const Tensor& x = need(n, in, 0);
             const int64_t axis = attrInt(n, "axis", 1);
             const int64_t a = axis < 0 ? axis + static_cast<int64_t>(x.shape.size()) : axis;
             if (a < 0 || a > static_cast<int64_t>(x.shape.size()))
                 fail(n, "axis " + std::to_string(axis) + " is outside the input");
             int64_t outer = 1;
             for (int64_t k = 0; k < a; ++k)
                 outer *= x.shape[k];
             return std::vector<Tensor>{withShape(x, {outer, outer ? x.size() / outer : 0})};
         }},
        {"Reshape", [](const auto& n, const auto& in) {
             const Tensor& x = need(n, in, 0);
             return std::vector<Tensor>{withShape(x, reshapeTarget(n, x.shape, need(n, in, 1).ints()))};
         }},
        {"Shape", [](const auto& n, const auto& in) {
             const Tensor& x = need(n, in, 0);
             return std::vector<Tensor>{Tensor::ofInts({static_cast<int64_t>(x.shape.size())}, x.shape)};
         }},
        {"Gather", [](const auto& n, const auto& in) { return std::vector<Tensor>{gather(n, in)}; }},
        {"Unsqueeze", [](const auto& n, const auto& in) { return std::vector<Tensor>{unsqueeze(n, in)}; }},
        {"Squeeze", [](const auto& n, const auto& in) { return std::vector<Tensor>{squeeze(n, in)}; }},
        {"Concat", [](const auto& n, const auto& in) { return std::vector<Tensor>{concat(n, in)}; }},
        {"Transpose", [](const auto& n, const auto& in) { return std::vector<Tensor>{transpose(n, need(n, in, 0))}; }},
        {"Softmax", [](const auto& n, const auto& in) { return std::vector<Tensor>{softmax(n, need(n, in, 0), false)}; }},
        {"LogSoftmax", [](const auto& n, const auto& in) { return std::vector<Tensor>{softmax(n, need(n, in, 0), true)}; }},
        {"Cast", [](const auto& n, const auto& in) {
             const Tensor& x = need(n, in, 0);
             const int64_t to = attrInt(n, "to", onnx::TensorProto::FLOAT);
             const bool toFloat = to == onnx::TensorProto::FLOAT || to == onnx::TensorProto::DOUBLE ||
                                  to == onnx::TensorProto::FLOAT16;
             return std::vector<Tensor>{toFloat ? Tensor::ofFloats(x.shape, x.floats()) : Tensor::ofInts(x.shape, x.ints())};
         }},
        {"Constant", [](const auto& n, const auto&) { return std::vector<Tensor>{constantNode(n)}; }},
        {"Pow", [](const auto& n, const auto& in) { return std::vector<Tensor>{power(n, need(n, in, 0), need(n, in, 1))}; }},
        {"Min", [](const auto& n, const auto& in) { return std::vector<Tensor>{extremum(n, in, false)}; }},
        {"Max", [](const auto& n, const auto& in) { return std::vector<Tensor>{extremum(n, in, true)}; }},
        {"Abs", [](const auto& n, const auto& in) { return std::vector<Tensor>{unaryAny(need(n, in, 0), [](double v) { return std::fabs(v); })}; }},
        {"Floor", [](const auto& n, const auto& in) { return std::vector<Tensor>{unaryFloat(need(n, in, 0), [](float v) { return std::floor(v); })}; }},
        {"Ceil", [](const auto& n, const auto& in) { return std::vector<Tensor>{unaryFloat(need(n, in, 0), [](float v) { return std::ceil(v); })}; }},
        {"Round", [](const auto& n, const auto& in) { return std::vector<Tensor>{unaryFloat(need(n, in, 0), [](float v) { return std::nearbyint(v); })}; }},
        {"Exp", [](const auto& n, const auto& in) { return std::vector<Tensor>{unaryFloat(need(n, in, 0), [](float v) { return std::exp(v); })}; }},
        {"Log", [](const auto& n, const auto& in) { return std::vector<Tensor>{unaryFloat(need(n, in, 0), [](float v) { return std::log(v); })}; }},
        {"Tanh", [](const auto& n, const auto& in) { return std::vector<Tensor>{unaryFloat(need(n, in, 0), [](float v) { return std::tanh(v); })}; }},
        {"Sigmoid", [](const auto& n, const auto& in) { return std::vector<Tensor>{unaryFloat(need(n, in, 0), [](float v) { return 1.0f / (1.0f + std::exp(-v)); })}; }},
        {"Expand", [](const auto& n, const auto& in) { return std::vector<Tensor>{expand(n, in)}; }},
        {"ConstantOfShape", [](const auto& n, const auto& in) { return std::vector<Tensor>{constantOfShape(n, in)}; }},
        {"Slice", [](const auto& n, const auto& in) { return std::vector<Tensor>{slice(n, in)}; }},
    };
    return k;
}

const std::map<std::string, Kernel>& qonnxKernels()
{
    static const std::map<std::string, Kernel> k{
        {"Quant", [](const auto& n, const auto& in) { return std::vector<Tensor>{quantOp(n, in)}; }},
        {"IntQuant", [](const auto& n, const auto& in) { return std::vector<Tensor>{quantOp(n, in)}; }},
        {"BipolarQuant", [](const auto& n, const auto& in) { return std::vector<Tensor>{bipolarQuantOp(n, in)}; }},
        {"Trunc", [](const auto& n, const auto& in) { return std::vector<Tensor>{truncOp(n, in)}; }},
    };
    return k;
}

const Kernel* kernelFor(const onnx::NodeProto& node)
{
    const auto& table = isQonnxDomain(node.domain()) ? qonnxKernels() : onnxKernels();
    if (!node.domain().empty() && node.domain() != "ai.onnx" && !isQonnxDomain(node.domain()))
        return nullptr;
    auto it = table.find(node.op_type());
    return it == table.end() ? nullptr : &it->second;
}

} // namespace

double quantMinInt(bool isSigned, bool narrow, double bits)
{
    if (!isSigned)
        return 0.0;
    return -std::pow(2.0, bits - 1) + (narrow ? 1.0 : 0.0);
}

double quantMaxInt(bool isSigned, bool narrow, double bits)
{
    if (isSigned)
        return std::pow(2.0, bits - 1) - 1;
    return std::pow(2.0, bits) - 1 - (narrow ? 1.0 : 0.0);
}

float quantValue(float x, float scale, float zeropt, double bits, bool isSigned, bool narrow, const std::string& rounding)
{
    float y = x / scale + zeropt;
    const float lo = static_cast<float>(quantMinInt(isSigned, narrow, bits));
    const float hi = static_cast<float>(quantMaxInt(isSigned, narrow, bits));
    y = std::min(std::max(y, lo), hi);
    y = static_cast<float>(roundMode(y, rounding));
    return (y - zeropt) * scale;
}

bool isSupportedOp(const onnx::NodeProto& node) { return kernelFor(node) != nullptr; }

bool runOp(const onnx::NodeProto& node, const Inputs& inputs, std::vector<Tensor>& outputs, std::string& error)
{
    const Kernel* k = kernelFor(node);
    if (!k) {
        error = nodeLabel(node) + " is an operator " +
                (node.domain().empty() ? std::string("of ONNX") : "of the domain '" + node.domain() + "'") +
                " that this tool cannot run";
        return false;
    }
    try {
        outputs = (*k)(node, inputs);
    } catch (const OpError& e) {
        error = e.message;
        return false;
    } catch (const std::exception& e) {
        error = nodeLabel(node) + ": cannot be computed (" + e.what() + ")";
        return false;
    }
    return true;
}

} // namespace qnn::onnx_io

namespace qnn::onnx_io {

bool broadcastTo(const Tensor& t, const std::vector<int64_t>& shape, Tensor& out)
{
    if (t.shape.size() > shape.size())
        return false;
    for (size_t k = 0; k < t.shape.size(); ++k) {
        const int64_t d = t.shape[t.shape.size() - 1 - k];
        if (d != 1 && d != shape[shape.size() - 1 - k])
            return false;
    }
    onnx::NodeProto node;
    node.set_op_type("Add");
    Tensor zeros = Tensor::ofFloats(shape, std::vector<float>(static_cast<size_t>(Tensor::ofFloats(shape, {}).size()), 0.0f));
    std::vector<Tensor> outs;
    std::string error;
    const Tensor tf = Tensor::ofFloats(t.shape, t.floats());
    if (!runOp(node, {&zeros, &tf}, outs, error))
        return false;
    out = std::move(outs[0]);
    return out.shape == shape;
}

} // namespace qnn::onnx_io
