#include "core/quant/quantization.h"

#include <algorithm>
#include <cmath>

namespace qnn {

int64_t QuantLevels::levelCount() const
{
    if (isFloat())
        return 0;
    if (isBipolar())
        return 2;
    return maxLevel - minLevel + 1;
}

namespace {

QuantLevels makeLevels(int bits, bool isSigned, double range)
{
    QuantLevels q;
    q.bits = bits;
    q.isSigned = isSigned;
    if (bits >= 32 || bits < 1) {
        q.bits = 32;
        return q;
    }
    if (bits == 1) {
        q.isSigned = true;
        q.minLevel = -1;
        q.maxLevel = 1;
        q.scale = range;
        return q;
    }
    if (isSigned) {
        q.maxLevel = (int64_t{1} << (bits - 1)) - 1;
        q.minLevel = -q.maxLevel;
    } else {
        q.minLevel = 0;
        q.maxLevel = (int64_t{1} << bits) - 1;
    }
    // A zero range (an all-zero tensor) would give a zero step and a division by zero later.
    q.scale = (range > 0 ? range : 1.0) / static_cast<double>(q.maxLevel);
    return q;
}

} // namespace

QuantLevels weightLevels(int bits, double range) { return makeLevels(bits, true, range); }

QuantLevels activationLevels(int bits, bool isSigned, double range, bool narrow)
{
    QuantLevels q = makeLevels(bits, isSigned, range);
    if (!narrow && q.isSigned && !q.isFloat() && !q.isBipolar())
        q.minLevel = -q.maxLevel - 1;
    return q;
}

double weightRange(const float* values, size_t count)
{
    double m = 0;
    for (size_t i = 0; i < count; ++i)
        m = std::max(m, static_cast<double>(std::fabs(values[i])));
    return m;
}

QuantLevels weightLevelsOf(int bits, const float* values, size_t count)
{
    if (bits <= 1 || bits >= 32)
        return weightLevels(bits);
    return weightLevels(bits, weightRange(values, count));
}

QuantLevels inputLevels(int bits, bool narrow)
{
    if (narrow || bits <= 1 || bits >= 32)
        return activationLevels(bits, true, 1.0);
    // activationLevels keeps the step range / (2^(n-1)-1) when not narrow.
    const double top = double((int64_t(1) << (bits - 1)) - 1);
    return activationLevels(bits, true, top / double(int64_t(1) << (bits - 1)), false);
}

QuantLevels activationFunctionLevels(const std::string& function, int bits)
{
    if (function == "sign")
        return activationLevels(1, true, 1.0);
    return activationLevels(bits, function != "relu", 1.0);
}

double roundHalfEven(double x)
{
    const double r = std::round(x); // ties away from zero
    if (std::fabs(x - std::trunc(x)) == 0.5)
        return 2.0 * std::round(x / 2.0);
    return r;
}

int64_t quantizeToLevel(double x, const QuantLevels& levels)
{
    if (levels.isFloat())
        return 0;
    if (levels.isBipolar())
        return x >= 0 ? 1 : -1;
    double steps = roundHalfEven(x / levels.scale);
    // NaN survives std::clamp, and casting it to an integer is undefined: it quantizes to zero.
    if (std::isnan(steps))
        steps = 0;
    return static_cast<int64_t>(
        std::clamp(steps, static_cast<double>(levels.minLevel), static_cast<double>(levels.maxLevel)));
}

double quantizeValue(double x, const QuantLevels& levels)
{
    if (levels.isFloat())
        return x;
    if (levels.isBipolar())
        return x >= 0 ? levels.scale : -levels.scale;
    return static_cast<double>(quantizeToLevel(x, levels)) * levels.scale;
}

} // namespace qnn
