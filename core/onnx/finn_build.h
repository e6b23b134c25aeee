#pragma once
// The hand-off to FINN's build_dataflow entry point, and the reports it writes back.

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace qnn {

/** What goes into FINN's dataflow_build_config.json (the JSON form of
 *  FINN's DataflowBuildConfig dataclass, src/finn/builder/build_dataflow_config.py). */
struct FinnBuildSettings {
    /** A board FINN knows ("Pynq-Z1", "Pynq-Z2", "Ultra96", "ZCU104", "ZCU102",
     *  "U50", "U200", "U250", "U280"); our names (pynq-z1, ultra96, ...) are accepted. */
    std::string board = "Pynq-Z1";
    double clockMhz = 100.0;
    /** FINN's DataflowOutputType values; empty = estimate_reports, stitched_ip,
     *  bitfile, pynq_driver, deployment_package. */
    std::vector<std::string> outputs;
    /** Alveo only: a Vitis platform; empty = FINN's default for the card. */
    std::string vitisPlatform;
    /** The folding file beside the model (PE/SIMD per layer), or empty for target_fps. */
    std::string foldingFile = "folding_config.json";
    /** Used when there is no folding file. */
    int targetFps = 0;
};

/** FINN's board name for ours or FINN's own (case-insensitive), or empty. */
std::string finnBoardName(const std::string& name);
/** True for the Alveo cards (shell flow vitis_alveo). */
bool isAlveoBoard(const std::string& finnBoard);
/** "Pynq-Z1, Pynq-Z2, ...": the boards for messages. */
std::string finnBoardList();

/** dataflow_build_config.json; false with a sentence for an unknown board or
 *  output, or a clock outside 1 … 1000 MHz. */
bool finnBuildConfig(const FinnBuildSettings& settings, nlohmann::json& out, std::string& error);

/** One layer of FINN's estimate (or post-synthesis) resources. */
struct FinnLayerResources {
    std::string name;
    /** "LUT", "BRAM_18K", "URAM", "DSP", "FF", ... as FINN names them. */
    std::map<std::string, double> values;
};

/** What FINN's build wrote under its output_dir/report. */
struct FinnReport {
    /** estimate_layer_resources.json: per layer, "total" left out. */
    std::vector<FinnLayerResources> estimateLayers;
    FinnLayerResources estimateTotal;
    bool hasEstimate = false;
    /** estimate_network_performance.json. */
    double estimatedFps = 0;
    double estimatedLatencyNs = 0;
    double criticalPathCycles = 0;
    double maxCycles = 0;
    std::string maxCyclesNode;
    bool hasPerformance = false;
    /** post_synth_resources.json (after synthesis): per layer and the total. */
    std::vector<FinnLayerResources> synthLayers;
    FinnLayerResources synthTotal;
    bool hasSynthesis = false;
    /** The files read, for messages. */
    std::vector<std::string> files;
};

/** Reads the reports from `dir`: a FINN output_dir, its report/ folder, or a
 *  build folder written by `qnnw export --finn-build` (which reads
 *  <dir>/output/report). Missing reports are left out; false with a sentence
 *  when none is there or one is malformed (naming the file and the key). */
bool readFinnReport(const std::string& dir, FinnReport& out, std::string& error);

} // namespace qnn
