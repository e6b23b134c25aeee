#include "core/onnx/finn_build.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace qnn {

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

} // namespace qnn
