// qnnw train / qnnw eval: the training engine from a terminal.
#include "app/cli/cli_command.h"

#include "core/data/dataset.h"
#include "core/project/project.h"
#include "core/train/run_store.h"
#include "core/train/torch_info.h"
#include "core/train/trainer.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <unistd.h>

namespace qnn::cli {

namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void onInterrupt(int)
{
    g_interrupted.store(true);
    // A second Ctrl-C ends the program at once.
    std::signal(SIGINT, SIG_DFL);
    const char msg[] = "\nqnnw: stopping after this batch (Ctrl-C again to quit now)\n";
    ssize_t ignored = ::write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
}

struct Options {
    std::string project;
    std::string data;
    std::string out;
    std::string resume;
    std::string run;
    std::string device = "auto";
    bool json = false;
    // Overrides: -1 = not given, keep the project's setting.
    int epochs = -1, batchSize = -1, threads = -1, logEvery = -1;
    double lr = -1;
    long long seed = -1;
    long long trainLimit = -1;
};

std::string projectDirOf(const std::string& projectPath)
{
    const fs::path dir = fs::path(projectPath).parent_path();
    return dir.empty() ? "." : dir.string();
}

// RUN may be a path or a folder name under the runs folder.
bool findRun(const std::string& run, const std::string& runsDir, RunStore& store, std::string& error)
{
    std::error_code ec;
    if (fs::is_directory(run, ec))
        return RunStore::open(run, store, error);
    const fs::path under = fs::path(runsDir) / run;
    if (fs::is_directory(under, ec))
        return RunStore::open(under.string(), store, error);
    error = "run '" + run + "' not found (looked for the folder " + run + " and " + under.string() + ")";
    return false;
}

// The project as the run recorded it in config.json.
bool projectOfRun(const RunStore& store, Project& p, nlohmann::json& config, std::string& error)
{
    if (!store.readConfig(config, error))
        return false;
    if (!config.contains("project")) {
        error = store.configPath() + ": no \"project\" section";
        return false;
    }
    if (!parseProject(config["project"].dump(), p, error)) {
        error = store.configPath() + ": " + error;
        return false;
    }
    return true;
}

std::string formatDuration(double seconds)
{
    if (!(seconds >= 0) || seconds > 1e7)
        return "--:--";
    const long s = static_cast<long>(seconds + 0.5);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

void printConfusion(const std::vector<std::vector<int64_t>>& confusion, const std::vector<std::string>& names)
{
    std::printf("confusion matrix (rows: true class, columns: predicted)\n      ");
    for (size_t c = 0; c < confusion.size(); ++c)
        std::printf("%6.6s", c < names.size() ? names[c].c_str() : std::to_string(c).c_str());
    std::printf("\n");
    for (size_t r = 0; r < confusion.size(); ++r) {
        std::printf("%6.6s", r < names.size() ? names[r].c_str() : std::to_string(r).c_str());
        for (int64_t v : confusion[r])
            std::printf("%6lld", static_cast<long long>(v));
        std::printf("\n");
    }
}

bool loadData(const Project& p, const std::string& projectDir, const std::string& dataDir, DatasetSplits& data,
              bool quiet)
{
    DatasetRequest request;
    request.choice = p.dataset;
    request.dataDir = dataDir;
    request.projectDir = projectDir;
    std::string error;
    const auto start = std::chrono::steady_clock::now();
    if (!loadDataset(request, data, error)) {
        std::fprintf(stderr, "qnnw: %s\n", error.c_str());
        return false;
    }
    if (!quiet)
        std::fprintf(stderr, "%s: %zu train, %zu validation, %zu test images from %s (%.1f s)\n",
                     p.dataset.name.c_str(), data.train.size(), data.validation.size(), data.test.size(),
                     data.source.c_str(),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return true;
}

int runTrain(const Options& o)
{
    Project project;
    if (!loadProjectOrSay(o.project, project))
        return 1;
    std::string error;
    const std::string projectDir = projectDirOf(o.project);
    const std::string runsDir = o.out.empty() ? (fs::path(projectDir) / "runs").string() : o.out;

    TrainOptions options;
    RunStore store;
    std::string datasetDir = o.data;
    if (!o.resume.empty()) {
        // A resumed run continues with the graph and settings it started with.
        nlohmann::json config;
        if (!findRun(o.resume, runsDir, store, error) || !projectOfRun(store, project, config, error)) {
            std::fprintf(stderr, "qnnw: %s\n", error.c_str());
            return 1;
        }
        options.trainLimit = config.value("train_limit", size_t{0});
        options.device = config.value("device", std::string("auto"));
        if (datasetDir.empty())
            datasetDir = config.value("data_dir", std::string());
    }
    TrainingConfig& c = project.training;
    if (o.epochs > 0)
        c.epochs = o.epochs;
    if (o.batchSize > 0)
        c.batchSize = o.batchSize;
    if (o.lr > 0)
        c.learningRate = o.lr;
    if (o.seed >= 0)
        c.seed = static_cast<uint64_t>(o.seed);
    if (o.threads >= 0)
        c.threads = o.threads;
    if (o.logEvery >= 0)
        c.logEveryBatches = o.logEvery;
    if (o.trainLimit > 0)
        options.trainLimit = static_cast<size_t>(o.trainLimit);
    if (o.device != "auto")
        options.device = o.device;
    options.config = c;

    DatasetSplits data;
    if (!loadData(project, projectDir, datasetDir, data, o.json))
        return 1;

    Trainer trainer;
    if (!trainer.setup(project.graph, data, project.dataset.name, options, error)) {
        std::fprintf(stderr, "qnnw: %s\n", error.c_str());
        return 1;
    }
    if (!o.resume.empty()) {
        if (!trainer.resumeFrom(store.checkpointPath(), error)) {
            std::fprintf(stderr, "qnnw: %s\n", error.c_str());
            return 1;
        }
    } else {
        if (!RunStore::create(runsDir, project.name, store, error)) {
            std::fprintf(stderr, "qnnw: %s\n", error.c_str());
            return 1;
        }
    }
    // config.json is rewritten on a resume: it then records the settings of the latest session.
    const TorchInfo info = torchInfo();
    nlohmann::json config{{"format", "qnn-workbench-run"},
                          {"version", 1},
                          {"project", nlohmann::json::parse(serializeProject(project))},
                          {"project_file", o.project},
                          {"data_dir", o.data.empty() ? datasetDir : o.data},
                          {"data_source", data.source},
                          {"train_limit", options.trainLimit},
                          {"device", options.device},
                          {"threads", trainer.threads()},
                          {"torch", info.version}};
    if (!store.writeConfig(config, error)) {
        std::fprintf(stderr, "qnnw: %s\n", error.c_str());
        return 1;
    }
    trainer.setRunStore(&store);
    if (!o.json)
        std::fprintf(stderr, "%s run %s: %lld parameters, %s, %d thread%s%s\n",
                     o.resume.empty() ? "new" : "resuming", store.dir().c_str(),
                     static_cast<long long>(trainer.parameterCount()), trainer.deviceName().c_str(), trainer.threads(),
                     trainer.threads() == 1 ? "" : "s",
                     o.resume.empty() ? "" : (", from epoch " + std::to_string(trainer.epochsDone())).c_str());

    const bool tty = !o.json && ::isatty(STDERR_FILENO);
    auto lastDraw = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    trainer.setBatchCallback([&](const BatchProgress& p) {
        if (!tty)
            return;
        const auto now = std::chrono::steady_clock::now();
        if (p.batch != p.batches && now - lastDraw < std::chrono::milliseconds(100))
            return;
        lastDraw = now;
        const int width = 24;
        const int filled = static_cast<int>(width * p.batch / std::max<int64_t>(1, p.batches));
        std::string bar(static_cast<size_t>(filled), '#');
        bar.append(static_cast<size_t>(width - filled), '-');
        std::fprintf(stderr, "\r\033[Kepoch %d/%d [%s] %lld/%lld  loss %.4f  acc %5.1f%%  %5.0f img/s  ETA %s",
                     p.epoch, p.epochs, bar.c_str(), static_cast<long long>(p.batch),
                     static_cast<long long>(p.batches), p.loss, 100 * p.accuracy, p.imagesPerSecond,
                     formatDuration(p.etaSeconds).c_str());
        std::fflush(stderr);
    });
    trainer.setEpochCallback([&](const EpochMetrics& m) {
        if (o.json) {
            std::cout << epochJson(m).dump() << std::endl;
            return;
        }
        std::fprintf(stderr, "%sepoch %d/%d  train loss %.4f acc %.2f%%  val loss %.4f acc %.2f%%  lr %.2g  %.0f img/s  %.1f s\n",
                     tty ? "\r\033[K" : "", m.epoch, c.epochs, m.trainLoss, 100 * m.trainAccuracy, m.valLoss,
                     100 * m.valAccuracy, m.learningRate, m.imagesPerSecond, m.seconds);
    });
    g_interrupted.store(false);
    trainer.setCancelFlag(&g_interrupted);
    auto previous = std::signal(SIGINT, onInterrupt);
    const TrainResult r = trainer.train();
    std::signal(SIGINT, previous);
    if (tty)
        std::fprintf(stderr, "\r\033[K");

    if (o.json) {
        nlohmann::json s = summaryJson(r);
        s["type"] = "summary";
        s["run"] = store.dir();
        std::cout << s.dump() << std::endl;
    } else {
        if (r.status == "completed") {
            std::printf("test accuracy %.2f%%  (best validation %.2f%% at epoch %d)\n", 100 * r.testAccuracy,
                        100 * r.bestValAccuracy, r.bestEpoch);
            std::printf("%.0f training images/s, %.1f s in all\n", r.imagesPerSecond, r.wallSeconds);
        } else if (r.status == "cancelled") {
            std::printf("stopped after epoch %d; continue with: qnnw train %s --resume %s\n", r.epochsDone,
                        o.project.c_str(), store.dir().c_str());
        } else if (r.status == "diverged") {
            std::printf("diverged: the loss became NaN or infinite in epoch %d; try a lower --lr\n", r.divergedEpoch);
        } else {
            std::printf("failed: %s\n", r.error.c_str());
        }
        std::printf("run: %s\n", store.dir().c_str());
    }
    if (r.status == "completed")
        return 0;
    if (r.status == "cancelled")
        return 130;
    return 1;
}

int runEval(const Options& o)
{
    Project project;
    if (!loadProjectOrSay(o.project, project))
        return 1;
    std::string error;
    const std::string projectDir = projectDirOf(o.project);
    RunStore store;
    nlohmann::json config;
    if (!findRun(o.run, (fs::path(projectDir) / "runs").string(), store, error) ||
        !projectOfRun(store, project, config, error)) {
        std::fprintf(stderr, "qnnw: %s\n", error.c_str());
        return 1;
    }
    std::string dataDir = o.data.empty() ? config.value("data_dir", std::string()) : o.data;
    DatasetSplits data;
    if (!loadData(project, projectDir, dataDir, data, o.json))
        return 1;
    TrainOptions options;
    options.config = project.training;
    if (o.threads >= 0)
        options.config.threads = o.threads;
    Trainer trainer;
    if (!trainer.setup(project.graph, data, project.dataset.name, options, error) ||
        !trainer.loadWeights(store.checkpointPath(), error)) {
        std::fprintf(stderr, "qnnw: %s\n", error.c_str());
        return 1;
    }
    const EvalResult r = trainer.evaluate(data.test);
    if (o.json) {
        std::cout << nlohmann::json{{"run", store.dir()},
                                    {"test_accuracy", r.accuracy},
                                    {"test_loss", r.loss},
                                    {"images", r.images},
                                    {"confusion_matrix", r.confusion}}
                         .dump()
                  << std::endl;
    } else {
        std::printf("test accuracy %.2f%% (%lld images), loss %.4f\n", 100 * r.accuracy,
                    static_cast<long long>(r.images), r.loss);
        printConfusion(r.confusion, data.test.classNames);
    }
    return 0;
}

} // namespace

void addTrainCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<Options>();
    CLI::App* c = app.add_subcommand(
        "train", "train the graph as drawn; progress bar, --json lines, Ctrl-C stops resumably");
    addProjectArgument(*c, o->project);
    c->add_option("--data", o->data, "dataset folder (default: the project's, then shared/datasets/<name>)");
    c->add_option("--epochs", o->epochs, "epochs (overrides the project's setting)")->check(CLI::PositiveNumber);
    c->add_option("--batch-size", o->batchSize, "images per batch")->check(CLI::PositiveNumber);
    c->add_option("--lr", o->lr, "learning rate")->check(CLI::PositiveNumber);
    c->add_option("--seed", o->seed, "random seed")->check(CLI::NonNegativeNumber);
    c->add_option("--threads", o->threads, "CPU threads (0: every core)")->check(CLI::NonNegativeNumber);
    c->add_option("--train-limit", o->trainLimit, "train on the first N training images only")
        ->check(CLI::PositiveNumber);
    c->add_option("--out", o->out, "where the run folder goes (default: runs/ beside the project)");
    c->add_option("--resume", o->resume, "continue a run (folder or name under runs/) from its last checkpoint");
    c->add_option("--device", o->device, "where to train")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    c->add_option("--log-every", o->logEvery, "a metrics.jsonl line every N batches (0: none)")
        ->check(CLI::NonNegativeNumber);
    c->add_flag("--json", o->json, "one JSON object per epoch instead of the progress bar");
    c->callback([o, &exitCode] { exitCode = runTrain(*o); });
}

void addEvalCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<Options>();
    CLI::App* c = app.add_subcommand("eval", "test accuracy and confusion matrix of a run");
    addProjectArgument(*c, o->project);
    c->add_option("--run", o->run, "a run folder, or its name under runs/ beside the project")->required();
    c->add_option("--data", o->data, "dataset folder (default: the one the run used)");
    c->add_option("--threads", o->threads, "CPU threads (0: every core)")->check(CLI::NonNegativeNumber);
    c->add_flag("--json", o->json, "accuracy, loss and confusion matrix as JSON");
    c->callback([o, &exitCode] { exitCode = runEval(*o); });
}

} // namespace qnn::cli
