#include "core/onnx/onnx_tensor.h"

namespace qnn::onnx_io {

int64_t Tensor::size() const
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return n;
}

std::vector<float> Tensor::floats() const
{
    if (!isInt)
        return f;
    return std::vector<float>(i.begin(), i.end());
}

std::vector<int64_t> Tensor::ints() const
{
    if (isInt)
        return i;
    std::vector<int64_t> out;
    out.reserve(f.size());
    for (float v : f)
        out.push_back(static_cast<int64_t>(v));
    return out;
}

Tensor Tensor::ofFloats(std::vector<int64_t> shape, std::vector<float> values)
{
    Tensor t;
    t.shape = std::move(shape);
    t.f = std::move(values);
    return t;
}

Tensor Tensor::ofInts(std::vector<int64_t> shape, std::vector<int64_t> values)
{
    Tensor t;
    t.shape = std::move(shape);
    t.isInt = true;
    t.i = std::move(values);
    return t;
}

std::string shapeText(const std::vector<int64_t>& shape)
{
    if (shape.empty())
        return "scalar";
    std::string s;
    for (size_t k = 0; k < shape.size(); ++k)
        s += (k ? "×" : "") + std::to_string(shape[k]);
    return s;
}

} // namespace qnn::onnx_io
