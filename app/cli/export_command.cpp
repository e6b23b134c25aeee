// qnnw export: a trained run as QONNX, for FINN.
#include "app/cli/cli_command.h"
#include "app/cli/onnx_check.h"

#include "core/onnx/qonnx_export.h"
#include "core/project/project.h"
#include "core/run/run_store.h"
#include "core/util/atomic_file.h"
#include "core/weights/weight_file.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

namespace qnn::cli {

namespace fs = std::filesystem;

namespace {

struct Options {
    std::string project;
    std::string run;
    std::string qonnx;
    std::string epoch = "best";
    std::string data;
    bool check = false;
    size_t limit = 0;
    bool json = false;
};

int runExport(const Options& o)
{
    auto fail = [&o](const std::string& message) { return reportError(message, o.json); };
    Project project;
    if (!loadProjectOrSay(o.project, project, o.json))
        return 1;
    std::string error;
    const fs::path projectDir = fs::path(o.project).parent_path();
    std::error_code ec;
    const fs::path under = (projectDir.empty() ? fs::path(".") : projectDir) / "runs" / o.run;
    const std::string runDir = fs::is_directory(o.run, ec) ? o.run : under.string();
    RunStore store;
    if (!fs::is_directory(runDir, ec))
        return fail("run '" + o.run + "' not found (looked for the folder " + o.run + " and " + under.string() + ")");
    if (!RunStore::open(runDir, store, error))
        return fail(error);
    // The graph the run trained, which the project may have changed since.
    nlohmann::json config;
    if (!store.readConfig(config, error))
        return fail(error);
    Project trained = project;
    if (config.contains("project") && !parseProject(config["project"].dump(), trained, error))
        return fail(store.configPath() + ": " + error);

    const std::string weightsPath = runDir + "/" + (o.epoch == "last" ? kWeightFileLast : kWeightFileBest);
    WeightFile weights;
    if (!fs::exists(weightsPath, ec))
        return fail("run " + runDir + " has no " + fs::path(weightsPath).filename().string() +
                    " (a run written before weight files existed, or one that has not finished an epoch)");
    if (!readWeightFile(weightsPath, weights, error))
        return fail(error);

    const fs::path outDir = fs::path(o.qonnx).parent_path();
    if (!outDir.empty() && !fs::is_directory(outDir, ec) && !fs::create_directories(outDir, ec))
        return fail("cannot create the folder " + outDir.string() + ": " + ec.message());
    QonnxExportInfo info;
    info.projectName = project.name;
    info.run = fs::path(runDir).filename().string();
    info.epoch = weights.epoch;
    if (!exportQonnx(trained.graph, weights, info, o.qonnx, error))
        return fail(error);

    const Folding folding = foldingForExport(trained.graph, project.deploy.folding);
    fs::path foldingPath = fs::path(o.qonnx).parent_path() / "folding_config.json";
    if (!writeFileAtomic(foldingPath.string(), finnFoldingConfig(trained.graph, folding).dump(2) + "\n", error))
        return fail(error);

    OnnxCheck check;
    if (o.check) {
        const std::string dataDir = !o.data.empty() ? o.data : config.value("data_dir", std::string());
        if (!checkAgainstFile(trained.graph, weights, trained.dataset.name, dataDir, o.qonnx, o.limit, check, error))
            return fail("the check could not run: " + error);
    }
    if (o.json) {
        nlohmann::json j{{"qonnx", o.qonnx},
                         {"folding_config", foldingPath.string()},
                         {"folding_source", folding.source},
                         {"run", runDir},
                         {"epoch", weights.epoch},
                                    {"tag", weights.tag}};
        if (o.check)
            j["check"] = {{"images", check.images},
                          {"run_accuracy", check.modelAccuracy},
                          {"file_accuracy", check.fileAccuracy},
                          {"differ", check.differ}};
        printResult(j);
    } else {
        std::cout << "wrote " << o.qonnx << " (QONNX, opset 11, checker passed) from run " << info.run << ", epoch "
                  << weights.epoch << " (" << weights.tag << ")\n"
                  << "wrote " << foldingPath.string() << " (FINN folding, " << folding.source << ")\n";
        if (o.check)
            std::cout << formatCheck(check, "the run (float model)") << "\n";
    }
    return o.check && check.differ != 0 ? 1 : 0;
}

} // namespace

void addExportCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<Options>();
    CLI::App* c = app.add_subcommand("export", "write a trained run as QONNX for FINN, with folding_config.json beside it");
    addProjectArgument(*c, o->project);
    c->add_option("--run", o->run, "a run folder, or its name under runs/ beside the project")->required();
    c->add_option("--qonnx", o->qonnx, "the .onnx file to write")->required();
    c->add_option("--epoch", o->epoch, "best (best validation accuracy, default) or last")
        ->check(CLI::IsMember({"best", "last"}));
    c->add_flag("--check", o->check,
                "run the run's float model and the written file on the test images and compare their predictions");
    c->add_option("--data", o->data, "dataset folder for --check (default: the one the run used)");
    c->add_option("--limit", o->limit, "--check on the first N test images only")->check(CLI::PositiveNumber);
    c->add_flag("--json", o->json, "what was written, as JSON");
    c->callback([o, &exitCode] { exitCode = runExport(*o); });
}

} // namespace qnn::cli
