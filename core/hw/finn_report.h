#pragma once
// What FINN's build_dataflow writes under its output_dir/report: the
// estimates of its estimate_reports step and, after synthesis, the
// post-synthesis utilization. Read here (no ONNX needed) so that qnnw and the
// Hardware dock show FINN's figures next to ours.

#include <map>
#include <string>
#include <vector>

namespace qnn {

/** One layer of FINN's estimate (or post-synthesis) resources. */
struct FinnLayerResources {
    std::string name;
    /** "LUT", "BRAM_18K", "URAM", "DSP", "FF", ... as FINN names them. */
    std::map<std::string, double> values;

    /** The value under `key`, 0 when absent. */
    double value(const std::string& key) const;
    double lut() const;
    /** BRAM_18K plus two per BRAM_36K (Vivado's post-synthesis tiles). */
    double bram18() const;
    /** DSP, DSP48, DSP48E1 or DSP48E2 (the key depends on the family and FINN's version). */
    double dsp() const;
};

/** What FINN's build wrote under its output_dir/report. */
struct FinnReport {
    /** The folder the reports were found in. */
    std::string folder;
    /** estimate_layer_resources.json: per layer, "total" left out. */
    std::vector<FinnLayerResources> estimateLayers;
    FinnLayerResources estimateTotal;
    bool hasEstimate = false;
    /** estimate_layer_cycles.json: cycles per frame of each layer. */
    std::map<std::string, double> layerCycles;
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

/** A project's stored reports folder (DeployTarget::finnReports) as a path:
 *  relative ones are taken from the project file's folder. */
std::string finnReportsPath(const std::string& projectFile, const std::string& stored);
/** What a project stores for `folder`: relative to the project file's
 *  folder when inside it (so the project moves with its build), else absolute. */
std::string finnReportsToStore(const std::string& projectFile, const std::string& folder);

} // namespace qnn
