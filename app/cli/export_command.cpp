// qnnw export: a trained run as QONNX, for FINN.
#include "app/cli/cli_command.h"
#include "app/cli/onnx_check.h"

#include "core/onnx/finn_build.h"
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
    std::string finnBuild;
    std::string board;
    double clockMhz = 0;
    std::vector<std::string> outputs;
    std::string vitisPlatform;
    std::string epoch = "best";
    std::string data;
    bool check = false;
    size_t limit = 0;
    bool json = false;
};

int runExport(Options o)
{
    auto fail = [&o](const std::string& message) { return reportError(message, o.json); };
    if (o.qonnx.empty() == o.finnBuild.empty())
        return fail(o.qonnx.empty() ? "say where to write: --qonnx FILE or --finn-build DIR"
                                    : "--qonnx and --finn-build exclude each other (a FINN build folder holds model.onnx)");
    // A FINN build folder: model.onnx, folding_config.json and dataflow_build_config.json.
    FinnBuildSettings finn;
    if (!o.finnBuild.empty()) {
        o.qonnx = (fs::path(o.finnBuild) / "model.onnx").string();
        std::error_code ec;
        if (fs::exists(o.finnBuild, ec) && !fs::is_directory(o.finnBuild, ec))
            return fail(o.finnBuild + " exists and is not a folder");
    }
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

    nlohmann::json buildConfig;
    if (!o.finnBuild.empty()) {
        finn.board = o.board.empty() ? project.deploy.board : o.board;
        finn.clockMhz = o.clockMhz > 0 ? o.clockMhz : project.deploy.clockMhz;
        finn.outputs = o.outputs;
        finn.vitisPlatform = o.vitisPlatform;
        if (!finnBuildConfig(finn, buildConfig, error))
            return fail(error + (o.board.empty() ? " (the project's board is used unless --board names another)" : ""));
    }

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

    const fs::path buildConfigPath = fs::path(o.qonnx).parent_path() / "dataflow_build_config.json";
    if (!o.finnBuild.empty() && !writeFileAtomic(buildConfigPath.string(), buildConfig.dump(2) + "\n", error))
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
                         {"finn_build", o.finnBuild.empty() ? nlohmann::json() : nlohmann::json(o.finnBuild)},
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
        if (!o.finnBuild.empty())
            std::cout << "wrote " << buildConfigPath.string() << " (FINN build for " << buildConfig["board"].get<std::string>()
                      << " at " << finn.clockMhz << " MHz)\n"
                      << "in FINN's Docker (./run-docker.sh), build it with:\n"
                      << "  python -m finn.builder.build_dataflow " << o.finnBuild << "\n"
                      << "then read FINN's reports back with: qnnw finn-report " << o.finnBuild << "\n";
        if (o.check)
            std::cout << formatCheck(check, "the run (float model)") << "\n";
    }
    return o.check && check.differ != 0 ? 1 : 0;
}

} // namespace

void addExportCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<Options>();
    CLI::App* c = app.add_subcommand("export", "write a trained run as QONNX for FINN, with folding_config.json beside it, "
                                               "or a whole FINN build folder");
    addProjectArgument(*c, o->project);
    c->add_option("--run", o->run, "a run folder, or its name under runs/ beside the project")->required();
    c->add_option("--qonnx", o->qonnx, "the .onnx file to write");
    c->add_option("--finn-build", o->finnBuild,
                  "a folder for FINN's build_dataflow: model.onnx, folding_config.json, dataflow_build_config.json");
    c->add_option("--board", o->board, "with --finn-build: " + finnBoardList() + " (default: the project's board)");
    c->add_option("--clock-mhz", o->clockMhz, "with --finn-build: the clock FINN synthesizes for (default: the project's)")
        ->check(CLI::Range(1.0, 1000.0));
    c->add_option("--outputs", o->outputs,
                  "with --finn-build: FINN's outputs (default: estimate_reports stitched_ip bitfile pynq_driver "
                  "deployment_package)");
    c->add_option("--vitis-platform", o->vitisPlatform, "with --finn-build on an Alveo card: the Vitis platform");
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
