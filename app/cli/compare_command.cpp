// qnnw compare: two runs side by side, as the workbench's Compare view shows them.
#include "app/cli/cli_command.h"

#include "core/graph/graph_summary.h"
#include "core/project/project.h"
#include "core/run/run_compare.h"
#include "core/run/run_paths.h"

#include <cstdio>
#include <iostream>
#include <memory>

namespace qnn::cli {

namespace {

struct CompareOptions {
    std::string project;
    std::string a, b;
    bool json = false;
};

bool findRunInfo(const std::string& projectPath, const std::string& name, RunInfo& out, bool json)
{
    std::string dir, error;
    if (!runDirFor(runsDirOf(projectPath), name, dir, error)) {
        reportError(error, json);
        return false;
    }
    out = readRunInfo(dir);
    if (!out.readable) {
        reportError("run '" + name + "' cannot be read: " + out.problem, json);
        return false;
    }
    return true;
}

std::string cell(const nlohmann::json& v, const char* key)
{
    const nlohmann::json& x = v[key];
    if (x.is_null())
        return "-";
    char b[64];
    if (std::string(key).find("accuracy") != std::string::npos)
        std::snprintf(b, sizeof b, "%.2f%%", 100 * x.get<double>());
    else if (std::string(key) == "weight_bits")
        return humanBytes(x.get<double>() / 8);
    else if (std::string(key) == "params" || std::string(key) == "bops")
        return humanCount(x.get<double>());
    else if (std::string(key) == "compression")
        std::snprintf(b, sizeof b, "%.1f×", x.get<double>());
    else if (std::string(key) == "wall_s")
        std::snprintf(b, sizeof b, "%.1f s", x.get<double>());
    else
        return x.is_string() ? x.get<std::string>() : x.dump();
    return b;
}

int runCompare(const CompareOptions& o)
{
    Project project;
    if (!loadProjectOrSay(o.project, project, o.json))
        return 1;
    RunInfo a, b;
    if (!findRunInfo(o.project, o.a, a, o.json) || !findRunInfo(o.project, o.b, b, o.json))
        return 1;
    const nlohmann::json c = compareRuns(a, b);
    if (o.json) {
        printResult(c);
        return 0;
    }
    const nlohmann::json& ra = c["runs"][0];
    const nlohmann::json& rb = c["runs"][1];
    std::printf("%-20s %-28s %-28s\n", "", a.name.substr(0, 28).c_str(), b.name.substr(0, 28).c_str());
    for (const char* key : {"precision", "test_accuracy", "best_val_accuracy", "final_val_accuracy", "params",
                            "weight_bits", "bops", "compression", "wall_s"})
        std::printf("%-20s %-28s %-28s\n", key, cell(ra, key).c_str(), cell(rb, key).c_str());
    if (!c["accuracy_gap_points"].is_null())
        std::printf("accuracy gap: %+.2f points (A - B)\n", c["accuracy_gap_points"].get<double>());
    if (c["graph_diff"].empty())
        std::printf("graphs: identical\n");
    for (const auto& d : c["graph_diff"])
        std::printf("layer %s (node %d): %s\n", d["name"].get<std::string>().c_str(), d["node"].get<int>(),
                    d["what"].get<std::string>().c_str());
    for (const auto& n : c["notes"])
        std::printf("note: %s\n", n.get<std::string>().c_str());
    return 0;
}

} // namespace

void addCompareCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<CompareOptions>();
    CLI::App* c = app.add_subcommand("compare", "two runs side by side: accuracies, size, BOPs, time, graph diff");
    addProjectArgument(*c, o->project);
    c->add_option("RUN_A", o->a, "a run name under runs/")->required();
    c->add_option("RUN_B", o->b, "another run name under runs/")->required();
    c->add_flag("--json", o->json, "the table as JSON");
    c->callback([o, &exitCode] { exitCode = runCompare(*o); });
}

} // namespace qnn::cli
