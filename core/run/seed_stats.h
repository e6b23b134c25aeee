#pragma once

#include <vector>

namespace qnn {

/** Mean and sample standard deviation (n-1 in the denominator; 0 for one value). */
struct MeanStd {
    double mean = 0;
    double std = 0;
    int count = 0;
};

MeanStd meanStd(const std::vector<double>& values);

/** Per index i: mean and std over the series that have a value at i (curves
 *  of a seed group; a series cut short by a stop counts where it has data). */
std::vector<MeanStd> meanStdPerIndex(const std::vector<std::vector<double>>& series);

} // namespace qnn
