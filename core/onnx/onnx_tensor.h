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

/** The most values one tensor may hold while a file is read or run (2^28,
 *  1 GiB of float32): more is refused with a sentence, not allocated. */
constexpr int64_t kMaxTensorValues = int64_t{1} << 28;

/** The number of values of `shape`, computed without overflow: false when a
 *  dimension is negative or the count exceeds kMaxTensorValues. */
bool checkedSize(const std::vector<int64_t>& shape, int64_t& count);

/** v truncated to an integer, saturated at the int64 range; NaN gives 0
 *  (a plain cast of such values is undefined). */
int64_t toInt64(double v);

/** "1×784", "scalar": shapes in messages. */
std::string shapeText(const std::vector<int64_t>& shape);

} // namespace qnn::onnx_io
