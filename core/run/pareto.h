#pragma once

#include <cstddef>
#include <vector>

namespace qnn {

/** One run as a point: a cost to keep low (weight bits, BOPs, later LUTs)
 *  and an accuracy to keep high. */
struct ParetoPoint {
    double cost = 0;
    double accuracy = 0;
};

/** Indices of the points no other point beats (cost ≤ and accuracy ≥, one
 *  of them strictly), ordered by cost: the front to draw. */
std::vector<size_t> paretoFront(const std::vector<ParetoPoint>& points);

} // namespace qnn
