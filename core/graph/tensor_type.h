#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qnn {

/** A tensor shape without the batch dimension: {N} (flat) or {C, H, W}. */
using Shape = std::vector<int64_t>;

int64_t shapeSize(const Shape& shape);
/** "1024" or "3×32×32" (multiplication sign, as the editor shows it). */
std::string shapeToString(const Shape& shape);

/** What a tensor on an edge holds: its shape and the bits of its elements
 *  (32 = float, 1 = bipolar, otherwise n-bit integers). */
struct TensorType {
    Shape shape;
    int bits = 32;
    bool isSigned = true;

    bool operator==(const TensorType& o) const { return shape == o.shape && bits == o.bits && isSigned == o.isSigned; }
};

/** "float", "bipolar", "int2", "uint4". */
std::string elementTypeName(const TensorType& type);
/** "1024 · bipolar": the label an edge shows. */
std::string tensorTypeToString(const TensorType& type);

} // namespace qnn
