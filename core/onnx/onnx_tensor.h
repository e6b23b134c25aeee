#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qnn::onnx_io {

/** A tensor of an ONNX graph while it is folded or interpreted: float32 or
 *  int64 values (every other ONNX element type is converted to one of these
 *  on reading), row-major, full ONNX shape (batch dimension included). */
struct Tensor {
    std::vector<int64_t> shape;
    bool isInt = false;
    std::vector<float> f;
    std::vector<int64_t> i;

    int64_t size() const;
    /** Element k as a double, whichever type it holds. */
    double at(int64_t k) const { return isInt ? static_cast<double>(i[k]) : static_cast<double>(f[k]); }
    /** Values as float32 (ints converted). */
    std::vector<float> floats() const;
    /** Values as int64 (floats truncated). */
    std::vector<int64_t> ints() const;

    static Tensor ofFloats(std::vector<int64_t> shape, std::vector<float> values);
    static Tensor ofInts(std::vector<int64_t> shape, std::vector<int64_t> values);
};

/** "1×784", "scalar": shapes in messages. */
std::string shapeText(const std::vector<int64_t>& shape);

} // namespace qnn::onnx_io
