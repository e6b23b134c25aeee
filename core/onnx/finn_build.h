#pragma once
// The hand-off to FINN's build_dataflow entry point (its reports: core/hw/finn_report.h).

#include <nlohmann/json.hpp>

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

} // namespace qnn
