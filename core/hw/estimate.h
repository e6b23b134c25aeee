#pragma once

#include "core/graph/diagnostic.h"
#include "core/hw/dataflow.h"
#include "core/hw/device.h"
#include "core/hw/folding.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace qnn {

/** Which resource model produced the figures. Cycles and FPS are the same
 *  under both (the dataflow model is exact); LUT and BRAM differ. */
enum class CostModel {
    /** FINN's analytic formulas (FPGA_NOTES.md), calibrated: one BRAM
     *  memory per PE as finn-hlslib partitions them, XNOR-popcount lanes and
     *  per-unit control fitted to the Vivado figures of the lfcW1A1 and
     *  cnvW1A1 overlays, plus the fixed infrastructure (see estimate.cpp). */
    Calibrated,
    /** FINN's formulas as published, no infrastructure: for comparison. */
    Finn,
};
std::string costModelName(CostModel model);

/** One streaming unit of the pipeline, or the infrastructure around it. */
struct UnitEstimate {
    enum class Kind { Mvtu, SlidingWindow, MaxPool, WidthConverter, Infrastructure };
    Kind kind = Kind::Mvtu;
    NodeId node = kInvalidNode;
    /** "conv1", "conv1 window", "pool2", "dwc dense3→dense4", "infrastructure". */
    std::string name;
    /** Matrix units: the padded shape, fold and memories. */
    int64_t mh = 0, mw = 0;
    int pe = 0, simd = 0;
    int64_t wmem = 0, tmem = 0;
    int64_t cycles = 0;
    double lut = 0;
    /** In BRAM36 tiles (a BRAM18 counts one half). */
    double bram36 = 0;
    int64_t uram = 0;
    int64_t dsp = 0;
    /** Where weights and thresholds sit: "BRAM", "URAM", "LUTRAM", or "-". */
    std::string weightsIn = "-";
    std::string thresholdsIn = "-";
    /** Matrix units: the BRAM36 the weights and the thresholds take (0 when
     *  they sit elsewhere), and the LUTs each would take in LUTRAM instead
     *  (what moving them there when the BRAM runs out would cost). */
    double weightBram36 = 0, weightLutramLut = 0;
    double thresholdBram36 = 0, thresholdLutramLut = 0;
    /** A few words on what the unit is ("3×3 window, 32 bits in", "64 → 8 bits"). */
    std::string detail;
};

/** How far the model's LUT and BRAM36 figures may be from Vivado's: the
 *  largest residual on the calibration designs (lfcW1A1, cnvW1A1, cnvW2A2 on
 *  the xc7z020), rounded up to a whole percent. 0 = not calibrated. */
struct ExpectedError {
    double lutPercent = 0;
    double bramPercent = 0;
};
ExpectedError expectedError(CostModel model);

/** Whether the design fits the device: over capacity, but by less than the
 *  estimate's expected error, it *may* not fit. */
enum class FitVerdict { Fits, MayNotFit, DoesNotFit };

struct EstimateOptions {
    double clockMhz = 100;
    CostModel model = CostModel::Calibrated;
    /** Capacity the totals are compared with; nullptr = no comparison. */
    const Device* device = nullptr;
};

/** Cycles, FPS, latency and resources of a graph under a folding. */
struct Estimate {
    /** False when the graph is not a dataflow or the folding is invalid;
     *  `problems` then says why (category hardware-fit, naming the layer). */
    bool ok = false;
    std::vector<Diagnostic> problems;
    Folding folding;
    CostModel model = CostModel::Calibrated;
    double clockMhz = 100;
    std::string part;
    std::vector<UnitEstimate> units;
    double lut = 0, bram36 = 0;
    int64_t uram = 0, dsp = 0;
    /** Shares of the device's capacity in %; 0 when no device was given. */
    double lutPercent = 0, bramPercent = 0, uramPercent = 0, dspPercent = 0;
    /** Everything within the device (true when no device was given). */
    bool fits = true;
    /** Fits; over capacity by no more than the expected error (LUT, BRAM36);
     *  or over by more (or over in URAM or DSP, which have no stated error). */
    FitVerdict verdict = FitVerdict::Fits;
    ExpectedError error;
    /** The slowest unit: its cycles per frame bound the throughput. */
    int64_t bottleneckCycles = 0;
    std::string bottleneck;
    NodeId bottleneckNode = kInvalidNode;
    double fps = 0;
    /** Sum of every unit's cycles per frame, as time at the clock. */
    int64_t latencyCycles = 0;
    double latencyUs = 0;

    /** "fold bnn-pynq cnvW1A1, model calibrated (FINN + Vivado), 100 MHz, xc7z020": what produced the figures. */
    std::string provenance() const;
};

Estimate estimateDesign(const Dataflow& dataflow, const Folding& folding, const EstimateOptions& options);

/** Resource-fit problems of an estimate (does not fit: LUT 130 % of xc7z020,
 *  the largest unit named), category hardware-fit: errors when it does not
 *  fit, warnings when it may not fit. Empty when it fits. */
std::vector<Diagnostic> fitProblems(const Estimate& estimate);

/** Table for a terminal: one row per unit, totals vs capacity, FPS, latency, bottleneck. */
std::string formatEstimate(const Estimate& estimate);
/** "fits", "may not fit (within the estimate's error of ±5 %)" or "does not fit". */
std::string verdictText(const Estimate& estimate);
/** "LUT ±2 %, BRAM36 ±5 % (largest residual on lfcW1A1, cnvW1A1, cnvW2A2)", or that the model is not calibrated. */
std::string expectedErrorText(const ExpectedError& error);
nlohmann::json estimateToJson(const Estimate& estimate);

/** `--fps N`: the cheapest folding (least share of the device: LUT, BRAM,
 *  URAM and DSP together) whose slowest unit still reaches `fps`. Every
 *  layer gets the cheapest (PE, SIMD) with cycles ≤ f_clk / fps, chosen
 *  jointly along the chain because width converters depend on neighbours
 *  (as FINN's balanced folding, but optimal). False with a sentence when no
 *  folding reaches it. */
bool foldForFps(const Dataflow& dataflow, double fps, const EstimateOptions& options, Folding& out,
                std::string& error);
/** `max`: the fastest folding that fits the device (options.device needed). */
bool foldForMax(const Dataflow& dataflow, const EstimateOptions& options, Folding& out, std::string& error);

} // namespace qnn
