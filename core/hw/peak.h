#pragma once

#include "core/hw/dataflow.h"
#include "core/hw/device.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace qnn {

/** What one operation (a multiply or an add of a multiply-accumulate) costs
 *  in the fabric at a precision: LUTs and DSP slices per op. */
struct PrecisionCost {
    int bits = 1;
    double lutPerOp = 0;
    double dspPerOp = 0;
    /** "seed" (the project's seed figures) or "interpolated". */
    std::string source;
};

/** 1, 2, 4, 8, 16 and 32 bits. The seed's figures: 2.5 LUT at 1 bit, 16 at
 *  4, 45 at 8, 15 LUT + 0.5 DSP at 16, 178 LUT + 2 DSP at 32; 2 bits is not
 *  among them and is interpolated (see peak.cpp). */
const std::vector<PrecisionCost>& precisionCosts();

/** What a device can do at one precision. */
struct PeakRow {
    PrecisionCost cost;
    /** Operations per cycle the filled LUTs allow, and the filled DSPs (infinite when no DSP is needed). */
    double lutOpsPerCycle = 0;
    double dspOpsPerCycle = 0;
    /** min of the two × the clock. */
    double opsPerSecond = 0;
    /** "LUT" or "DSP": the resource that runs out first. */
    std::string limitedBy;
};

struct PeakTable {
    std::string part;
    double clockMhz = 0;
    double fill = 0.7;
    std::vector<PeakRow> rows;
};

/** The clock the peak table assumes for a part when none is given: the
 *  device file's "peak_clock_mhz" (the seed's 250 MHz for KU115 and ZU19EG,
 *  300 MHz for VU9P), else its default clock. */
double peakClockMhz(const Device& device);

/** Peak operations per second if `fill` (0..1] of the device's LUTs and DSPs
 *  are multiply-accumulate units at each precision, at `clockMhz`. */
PeakTable peakTable(const Device& device, double clockMhz, double fill);

/** Operations one frame of the network needs: 2 per multiply-accumulate
 *  (a multiply and an add) of every Dense and Conv2D, unpadded. */
double opsPerFrame(const Dataflow& dataflow);

/** "1,234.5 T" style: ops/s with an SI prefix. */
std::string formatOps(double opsPerSecond);
/** A table for a terminal; with `requiredOps` > 0, a last line comparing it. */
std::string formatPeakTable(const PeakTable& table, double requiredOps = 0, const std::string& requiredWhat = {});
nlohmann::json peakTableToJson(const PeakTable& table);

} // namespace qnn
