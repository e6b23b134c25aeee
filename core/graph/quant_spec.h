#pragma once

#include <string>
#include <vector>

namespace qnn {

/** Bit-widths a layer may use: 1 = bipolar {-1,+1}, 2..8 = integers with a
 *  scale, 32 = plain float. */
inline const std::vector<int>& allowedBitWidths()
{
    static const std::vector<int> bits{1, 2, 3, 4, 5, 6, 7, 8, 32};
    return bits;
}

inline bool isAllowedBitWidth(int bits)
{
    for (int b : allowedBitWidths())
        if (b == bits)
            return true;
    return false;
}

/** Precision of one node: weight bits (Dense, Conv2D) and activation bits
 *  (Input, Activation, QuantAct). Kinds without weights or activations keep 32. */
struct QuantSpec {
    int weightBits = 32;
    int actBits = 32;

    bool operator==(const QuantSpec& o) const { return weightBits == o.weightBits && actBits == o.actBits; }
    bool operator!=(const QuantSpec& o) const { return !(*this == o); }
};

/** "W1A1", "W2A2", "FP32": the badge a user reads on a node. */
std::string precisionLabel(int weightBits, int actBits);

} // namespace qnn
