// qnnw runs: the project's runs as the workbench's Runs dock lists them.
#include "app/cli/cli_command.h"

#include "core/project/project.h"
#include "core/run/run_info.h"
#include "core/run/seed_stats.h"

#include <cstdio>
#include <iostream>
#include <map>
#include <memory>

namespace qnn::cli {

namespace {

struct RunsOptions {
    std::string project;
    bool json = false;
};

std::string percent(double v)
{
    if (v < 0)
        return "-";
    char b[32];
    std::snprintf(b, sizeof b, "%.2f%%", 100 * v);
    return b;
}

int runRuns(const RunsOptions& o)
{
    Project project;
    if (!loadProjectOrSay(o.project, project, o.json))
        return 1;
    const std::vector<RunInfo> runs = listRuns(o.project, project);
    // Seed groups: test accuracy mean ± std over their finished runs.
    std::map<std::string, std::vector<double>> groups;
    for (const RunInfo& r : runs)
        if (!r.seedGroup.empty() && r.testAccuracy >= 0)
            groups[r.seedGroup].push_back(r.testAccuracy);
    if (o.json) {
        nlohmann::json j{{"runs", nlohmann::json::array()}, {"seed_groups", nlohmann::json::array()}};
        for (const RunInfo& r : runs)
            j["runs"].push_back(runInfoJson(r));
        for (const auto& [name, values] : groups) {
            const MeanStd m = meanStd(values);
            j["seed_groups"].push_back(
                {{"name", name}, {"runs", m.count}, {"test_accuracy_mean", m.mean}, {"test_accuracy_std", m.std}});
        }
        // A run's text from disk may hold invalid UTF-8: writeEvent replaces it, so it cannot break the list.
        printResult(j);
        return 0;
    }
    if (runs.empty()) {
        std::printf("no runs yet: start one with qnnw train %s\n", o.project.c_str());
        return 0;
    }
    std::printf("%-40s %-19s %-9s %-10s %9s %9s %8s  %s\n", "run", "started", "precision", "status", "best val",
                "test", "img/s", "recipe");
    for (const RunInfo& r : runs) {
        std::string status = r.status;
        if (!r.listed)
            status += " (not listed)";
        std::printf("%-40s %-19s %-9s %-10s %9s %9s %8.0f  %s\n", r.name.c_str(), r.started.c_str(),
                    r.precision.c_str(), status.c_str(),
                    // The test set chose the epoch: there is no validation figure, only the test's.
                    r.selectBy == "test" ? "test set" : percent(r.bestValAccuracy).c_str(),
                    percent(r.testAccuracy).c_str(), r.imagesPerSecond, r.recipe.empty() ? "-" : r.recipe.c_str());
        if (!r.readable)
            std::printf("    unreadable: %s\n", r.problem.c_str());
        else if (!r.error.empty())
            std::printf("    %s%s\n", r.error.c_str(), r.resumable ? " (resumable)" : "");
    }
    for (const auto& [name, values] : groups) {
        const MeanStd m = meanStd(values);
        std::printf("seed group %s: test accuracy %.2f ± %.2f %% over %d runs\n", name.c_str(), 100 * m.mean,
                    100 * m.std, m.count);
    }
    return 0;
}

} // namespace

void addRunsCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<RunsOptions>();
    CLI::App* c = app.add_subcommand("runs", "the project's runs: status, precision, accuracies, images/s");
    addProjectArgument(*c, o->project);
    c->add_flag("--json", o->json, "the list as JSON");
    c->callback([o, &exitCode] { exitCode = runRuns(*o); });
}

} // namespace qnn::cli
