// qnnw import: a QONNX file as a project and a run holding its weights.
#include "app/cli/cli_command.h"
#include "app/cli/onnx_check.h"

#include "core/data/dataset.h"
#include "core/onnx/qonnx_import.h"
#include "core/project/project.h"
#include "core/run/run_store.h"
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
    std::string qonnx;
    std::string dataset;
    std::string name;
    std::string data;
    bool check = false;
    size_t limit = 0;
    bool force = false;
    bool json = false;
};

int runImport(const Options& o)
{
    auto fail = [&o](const std::string& message) { return reportError(message, o.json); };
    std::error_code ec;
    if (fs::exists(o.project, ec) && !o.force)
        return fail(o.project + " exists; choose another project file or pass --force to replace it");
    QonnxImport imported;
    std::string error;
    if (!importQonnx(o.qonnx, imported, error))
        return fail(error);

    Project p;
    p.name = o.name.empty() ? fs::path(o.qonnx).stem().string() : o.name;
    p.description = "Imported from the QONNX file " + fs::path(o.qonnx).filename().string();
    p.graph = imported.graph;
    p.dataset.name = !o.dataset.empty() ? o.dataset : !imported.dataset.empty() ? imported.dataset : "synthetic-digits";

    const fs::path projectDir = fs::path(o.project).parent_path();
    if (!projectDir.empty())
        fs::create_directories(projectDir, ec);
    RunStore store;
    if (!RunStore::create(((projectDir.empty() ? fs::path(".") : projectDir) / "runs").string(),
                          "imported-" + runNameStem(p.name), store, error))
        return fail(error);
    const std::string runName = fs::path(store.dir()).filename().string();
    p.runs.push_back(runName);
    nlohmann::json config{{"format", "qnn-workbench-run"},
                          {"version", 1},
                          {"project", nlohmann::json::parse(serializeProject(p))},
                          {"project_file", o.project},
                          {"imported_from", o.qonnx},
                          {"notes", imported.notes}};
    WeightFile last = imported.weights;
    last.tag = "last";
    if (!store.writeConfig(config, error) ||
        !writeWeightFile(store.dir() + "/" + kWeightFileBest, imported.weights, error) ||
        !writeWeightFile(store.dir() + "/" + kWeightFileLast, last, error) ||
        !store.writeSummary({{"status", "imported"}, {"imported_from", o.qonnx}, {"epochs_done", 0}, {"best_epoch", 1}},
                            error) ||
        !saveProject(o.project, p, error))
        return fail(error);

    OnnxCheck check;
    if (o.check && !checkAgainstFile(p.graph, imported.weights, p.dataset.name, o.data, o.qonnx, o.limit, check, error))
        return fail("imported, but the check could not run: " + error);
    if (o.json) {
        nlohmann::json j{{"project", o.project},
                         {"run", store.dir()},
                         {"layers", p.graph.size()},
                         {"dataset", p.dataset.name},
                         {"notes", imported.notes}};
        if (o.check)
            j["check"] = {{"images", check.images},
                          {"imported_accuracy", check.modelAccuracy},
                          {"file_accuracy", check.fileAccuracy},
                          {"differ", check.differ}};
        printResult(j);
    } else {
        std::cout << "imported " << o.qonnx << " as " << o.project << " (" << p.graph.size() << " layers, dataset "
                  << p.dataset.name << ") with the run " << runName << "\n";
        for (const std::string& n : imported.notes)
            std::cout << "  " << n << "\n";
        if (o.check)
            std::cout << formatCheck(check, "the imported network (float model)") << "\n";
    }
    return o.check && check.differ != 0 ? 1 : 0;
}

} // namespace

void addImportCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<Options>();
    CLI::App* c = app.add_subcommand("import", "turn a QONNX file (FINN, Brevitas) into a project and a run with its weights");
    c->add_option("PROJECT_OUT", o->project, "the project file to create (*.qnnproj); runs/ goes beside it")->required();
    c->add_option("--qonnx", o->qonnx, "the .onnx file to read")->required()->check(CLI::ExistingFile);
    c->add_option("--dataset", o->dataset, "the project's dataset (default: mnist for 784 inputs, cifar10 for 3×32×32)")
        ->check(CLI::IsMember(knownDatasets()));
    c->add_option("--name", o->name, "the project's name (default: the file's name)");
    c->add_flag("--force", o->force, "replace PROJECT_OUT when it exists");
    c->add_flag("--check", o->check,
                "run the imported network (float model) and the file (eval-onnx) on the test images and compare");
    c->add_option("--data", o->data, "dataset folder for --check (default: shared/datasets/<name>)");
    c->add_option("--limit", o->limit, "--check on the first N test images only")->check(CLI::PositiveNumber);
    c->add_flag("--json", o->json, "what was written, as JSON");
    c->callback([o, &exitCode] { exitCode = runImport(*o); });
}

} // namespace qnn::cli
