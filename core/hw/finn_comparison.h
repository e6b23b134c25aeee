#pragma once
// FINN's figures next to ours, layer by layer: what `qnnw finn-report
// --project` prints and the Hardware dock shows.

#include "core/hw/dataflow.h"
#include "core/hw/estimate.h"
#include "core/hw/finn_report.h"

#include <string>
#include <vector>

namespace qnn {

/** LUT, BRAM18 and DSP of one side (ours, FINN's estimate, or synthesis). */
struct ResourceFigures {
    bool present = false;
    double lut = 0;
    /** BRAM18 tiles (one BRAM36 counts two), FINN's unit. */
    double bram18 = 0;
    double dsp = 0;
    /** Cycles per frame of the slowest unit in the row; < 0 = not known. */
    double cycles = -1;
};

/** One of our matrix layers and the FINN units that implement it. */
struct FinnComparisonRow {
    /** Ours ("dense1"), "other units" or "total". */
    std::string layer;
    /** FINN's units in the row ("MVAU_hls_0", "ConvolutionInputGenerator_0"). */
    std::vector<std::string> finnUnits;
    ResourceFigures ours, estimate, synthesis;
};

struct FinnComparison {
    /** One row per matrix layer (in order), then "other units" (our windows
     *  of pools and width converters, FINN's thresholding, FIFOs, ...) when
     *  either side has any. */
    std::vector<FinnComparisonRow> rows;
    FinnComparisonRow total;
    bool hasEstimate = false, hasPerformance = false, hasSynthesis = false;
    /** Ours (0 when our estimate failed) and FINN's estimate_network_performance. */
    double oursFps = 0, finnFps = 0;
    double oursLatencyUs = 0, finnLatencyUs = 0;
    double oursMaxCycles = 0, finnMaxCycles = 0;
    /** The slowest layer on each side, FINN's as our layer name where it maps. */
    std::string oursBottleneck, finnBottleneck;
};

/** The matrix layer a FINN unit name implements ("MVAU_hls_2",
 *  "StreamingDataflowPartition_1_MatrixVectorActivation_2" → the third matrix
 *  layer, "ConvolutionInputGenerator_1" → the second Conv2D), or nullptr. */
const MatrixLayer* finnUnitLayer(const Dataflow& dataflow, const std::string& finnUnit);

/** Pairs FINN's units with our layers; `ours` may be an estimate that failed
 *  (its figures are then left out). */
FinnComparison compareWithFinn(const Dataflow& dataflow, const Estimate& ours, const FinnReport& finn);

} // namespace qnn
