#include "core/onnx/finn_build.h"

#include "core/util/atomic_file.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

namespace qnn {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string s)
{
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/** FINN's names (finn.util.basic: pynq_part_map, alveo_part_map) and ours. */
const std::vector<std::pair<std::string, std::string>>& boardNames()
{
    static const std::vector<std::pair<std::string, std::string>> names{
        {"pynq-z1", "Pynq-Z1"}, {"pynq-z2", "Pynq-Z2"}, {"ultra96", "Ultra96"}, {"ultra96-v2", "Ultra96-V2"},
        {"zcu104", "ZCU104"},   {"zcu102", "ZCU102"},   {"u50", "U50"},         {"u200", "U200"},
        {"u250", "U250"},       {"u280", "U280"},       {"alveo-u250", "U250"}, {"alveo-u50", "U50"},
        {"alveo-u200", "U200"}, {"alveo-u280", "U280"}};
    return names;
}

const std::vector<std::string>& outputTypes()
{
    // DataflowOutputType in build_dataflow_config.py.
    static const std::vector<std::string> types{"stitched_ip",        "estimate_reports", "out_of_context_synth",
                                                "rtlsim_performance", "bitfile",          "pynq_driver",
                                                "deployment_package"};
    return types;
}

bool readJson(const fs::path& p, nlohmann::json& j, std::string& error)
{
    std::string text;
    if (!readFile(p.string(), text, error))
        return false;
    j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        error = p.string() + " is not a JSON object";
        return false;
    }
    return true;
}

bool number(const nlohmann::json& v, double& out)
{
    if (!v.is_number())
        return false;
    out = v.get<double>();
    return std::isfinite(out);
}

/** {"layer": {"LUT": n, ...}, ..., "total": {...}}: numbers kept, other values (strings) skipped. */
bool readResources(const fs::path& p, std::vector<FinnLayerResources>& layers, FinnLayerResources& total,
                   std::string& error)
{
    nlohmann::json j;
    if (!readJson(p, j, error))
        return false;
    for (const auto& [name, entry] : j.items()) {
        if (!entry.is_object()) {
            error = p.string() + ": the entry \"" + name + "\" is not an object of resource counts";
            return false;
        }
        FinnLayerResources r;
        r.name = name;
        for (const auto& [key, v] : entry.items()) {
            double d = 0;
            if (number(v, d))
                r.values[key] = d;
        }
        if (name == "total" || name == "Total")
            total = r;
        else
            layers.push_back(r);
    }
    if (total.values.empty()) { // older reports have no total: sum the layers
        total.name = "total";
        for (const FinnLayerResources& l : layers)
            for (const auto& [k, v] : l.values)
                if (k.find("efficiency") == std::string::npos)
                    total.values[k] += v;
    }
    return true;
}

} // namespace

std::string finnBoardName(const std::string& name)
{
    const std::string l = lower(name);
    for (const auto& [ours, finn] : boardNames())
        if (l == ours || l == lower(finn))
            return finn;
    return {};
}

bool isAlveoBoard(const std::string& finnBoard) { return !finnBoard.empty() && finnBoard[0] == 'U' && finnBoard != "Ultra96" && finnBoard != "Ultra96-V2"; }

std::string finnBoardList()
{
    std::string s;
    std::vector<std::string> seen;
    for (const auto& [ours, finn] : boardNames()) {
        if (std::find(seen.begin(), seen.end(), finn) != seen.end())
            continue;
        seen.push_back(finn);
        s += (s.empty() ? "" : ", ") + finn;
    }
    return s;
}

bool finnBuildConfig(const FinnBuildSettings& s, nlohmann::json& out, std::string& error)
{
    const std::string board = finnBoardName(s.board);
    if (board.empty()) {
        error = "FINN's build has no board \"" + s.board + "\"; choose one of " + finnBoardList();
        return false;
    }
    if (!(s.clockMhz >= 1.0 && s.clockMhz <= 1000.0)) {
        error = "the clock must be between 1 and 1000 MHz";
        return false;
    }
    std::vector<std::string> outputs = s.outputs;
    if (outputs.empty())
        outputs = {"estimate_reports", "stitched_ip", "bitfile", "pynq_driver", "deployment_package"};
    for (const std::string& o : outputs)
        if (std::find(outputTypes().begin(), outputTypes().end(), o) == outputTypes().end()) {
            std::string known;
            for (const std::string& t : outputTypes())
                known += (known.empty() ? "" : ", ") + t;
            error = "\"" + o + "\" is not an output FINN's build knows (" + known + ")";
            return false;
        }
    const bool alveo = isAlveoBoard(board);
    out = nlohmann::json::object();
    out["output_dir"] = "output";
    // The period FINN synthesizes for, rounded to the picosecond.
    out["synth_clk_period_ns"] = std::round(1e6 / s.clockMhz) / 1000.0;
    out["board"] = board;
    out["shell_flow_type"] = alveo ? "vitis_alveo" : "vivado_zynq";
    if (alveo && !s.vitisPlatform.empty())
        out["vitis_platform"] = s.vitisPlatform;
    out["generate_outputs"] = outputs;
    if (!s.foldingFile.empty())
        out["folding_config_file"] = s.foldingFile;
    else if (s.targetFps > 0)
        out["target_fps"] = s.targetFps;
    out["auto_fifo_depths"] = true;
    out["save_intermediate_models"] = true;
    return true;
}

bool readFinnReport(const std::string& dir, FinnReport& out, std::string& error)
{
    out = FinnReport{};
    std::error_code ec;
    fs::path report;
    for (const fs::path& p : {fs::path(dir) / "output" / "report", fs::path(dir) / "report", fs::path(dir)})
        if (fs::exists(p / "estimate_layer_resources.json", ec) || fs::exists(p / "estimate_network_performance.json", ec) ||
            fs::exists(p / "post_synth_resources.json", ec)) {
            report = p;
            break;
        }
    if (report.empty()) {
        error = "no FINN report in " + dir + " (looked for estimate_layer_resources.json, "
                "estimate_network_performance.json and post_synth_resources.json in " + dir + "/output/report, " + dir +
                "/report and " + dir + "); run FINN's build with the estimate_reports output first";
        return false;
    }
    const fs::path layers = report / "estimate_layer_resources.json";
    if (fs::exists(layers, ec)) {
        if (!readResources(layers, out.estimateLayers, out.estimateTotal, error))
            return false;
        out.hasEstimate = true;
        out.files.push_back(layers.string());
    }
    const fs::path perf = report / "estimate_network_performance.json";
    if (fs::exists(perf, ec)) {
        nlohmann::json j;
        if (!readJson(perf, j, error))
            return false;
        auto get = [&](const char* key, double& v) {
            if (j.contains(key) && !number(j[key], v)) {
                error = perf.string() + ": \"" + key + "\" is not a number";
                return false;
            }
            return true;
        };
        if (!get("estimated_throughput_fps", out.estimatedFps) || !get("estimated_latency_ns", out.estimatedLatencyNs) ||
            !get("critical_path_cycles", out.criticalPathCycles) || !get("max_cycles", out.maxCycles))
            return false;
        if (j.contains("max_cycles_node_name") && j["max_cycles_node_name"].is_string())
            out.maxCyclesNode = j["max_cycles_node_name"].get<std::string>();
        out.hasPerformance = true;
        out.files.push_back(perf.string());
    }
    const fs::path synth = report / "post_synth_resources.json";
    if (fs::exists(synth, ec)) {
        if (!readResources(synth, out.synthLayers, out.synthTotal, error))
            return false;
        out.hasSynthesis = true;
        out.files.push_back(synth.string());
    }
    return true;
}

} // namespace qnn
