#include "core/run/seed_stats.h"

#include <algorithm>
#include <cmath>

namespace qnn {

MeanStd meanStd(const std::vector<double>& values)
{
    MeanStd r;
    r.count = static_cast<int>(values.size());
    if (values.empty())
        return r;
    double sum = 0;
    for (double v : values)
        sum += v;
    r.mean = sum / values.size();
    if (values.size() < 2)
        return r;
    double sq = 0;
    for (double v : values)
        sq += (v - r.mean) * (v - r.mean);
    r.std = std::sqrt(sq / (values.size() - 1));
    return r;
}

std::vector<MeanStd> meanStdPerIndex(const std::vector<std::vector<double>>& series)
{
    size_t longest = 0;
    for (const auto& s : series)
        longest = std::max(longest, s.size());
    std::vector<MeanStd> out;
    for (size_t i = 0; i < longest; ++i) {
        std::vector<double> at;
        for (const auto& s : series)
            if (i < s.size())
                at.push_back(s[i]);
        out.push_back(meanStd(at));
    }
    return out;
}

} // namespace qnn
