#include "core/onnx/onnx_tensor.h"

#include <cmath>

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
        out.push_back(toInt64(v));
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

bool checkedSize(const std::vector<int64_t>& shape, int64_t& count)
{
    count = 1;
    bool empty = false;
    for (int64_t d : shape) {
        if (d < 0)
            return false;
        empty = empty || d == 0;
    }
    if (empty) {
        count = 0;
        return true;
    }
    for (int64_t d : shape) {
        if (d > kMaxTensorValues / count)
            return false;
        count *= d;
    }
    return count <= kMaxTensorValues;
}

int64_t toInt64(double v)
{
    if (std::isnan(v))
        return 0;
    if (v >= 9.2e18)
        return INT64_MAX;
    if (v <= -9.2e18)
        return INT64_MIN;
    return static_cast<int64_t>(v);
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
