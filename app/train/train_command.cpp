// qnnw train / qnnw eval: the training engine from a terminal.
#include "app/cli/cli_command.h"

#include "core/data/dataset.h"
#include "core/project/project.h"
#include "core/project/recipe.h"
#include "core/run/run_setup.h"
#include "core/run/run_store.h"
#include "core/train/torch_info.h"
#include "core/train/trainer.h"
#include "core/util/child_protocol.h"
#include "core/weights/weight_file.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <limits>
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
    RunRequest request;
    std::string project;
    std::string run;
    bool json = false;
    bool progress = false;
    int seeds = 1;
    int threads = -1;
    std::string data;
    /** eval: "best" (weights-best.qnnw, what the run's test accuracy and pack use) or "last". */
    std::string epoch = "best";
};

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

// A sentence for the user; with --json also an "error" event the workbench shows.
void sayError(const Options& o, const std::string& message)
{
    std::fprintf(stderr, "qnnw: %s\n", message.c_str());
    if (o.json)
        protocol::writeEvent(std::cout, protocol::errorEvent(message));
}

// What the project file left out and was given a default for, as `qnnw check`
// says it: a run trains with those defaults, so the terminal names them too.
// (The workbench shows them in its Issues list.)
void printFileNotes(const Project& p)
{
    for (const Diagnostic& d : p.fileNotes)
        std::fprintf(stderr, "qnnw: %s\n", diagnosticLine(p.graph, d).c_str());
}

int trainOne(const Options& o, const RunRequest& request)
{
    std::string error, warning;
    PreparedRun run;
    const auto loadStart = std::chrono::steady_clock::now();
    if (!prepareRun(request, run, error)) {
        sayError(o, error);
        return 1;
    }
    if (!o.json)
        printFileNotes(run.project);
    if (!o.json)
        std::fprintf(stderr, "%s: %zu train, %zu validation, %zu test images from %s (%.1f s)\n",
                     run.project.dataset.name.c_str(), run.data.train.size(), run.data.validation.size(),
                     run.data.test.size(), run.data.source.c_str(),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - loadStart).count());
    TrainOptions options;
    options.config = run.project.training;
    options.trainLimit = run.trainLimit;
    options.device = run.device;
    const TrainingConfig& c = options.config;

    Trainer trainer;
    if (!trainer.setup(run.project.graph, run.data, run.project.dataset.name, options, error)) {
        sayError(o, error);
        return 1;
    }
    if (run.resumed && !trainer.resumeFrom(run.store.checkpointPath(), error)) {
        sayError(o, error);
        return 1;
    }
    const TorchInfo info = torchInfo();
    if (!startRun(request, run, {{"threads", trainer.threads()}, {"torch", info.version}}, error, warning)) {
        sayError(o, error);
        return 1;
    }
    if (!warning.empty())
        std::fprintf(stderr, "qnnw: %s\n", warning.c_str());
    const RunStore& store = run.store;
    trainer.setRunStore(&store);
    const std::string runName = fs::path(store.dir()).filename().string();
    const size_t n = run.trainLimit > 0 ? std::min(run.trainLimit, run.data.train.size()) : run.data.train.size();
    if (o.json && o.progress) {
        nlohmann::json start{{"run", store.dir()},
                             {"name", runName},
                             {"epochs", c.epochs},
                             {"epochs_done", trainer.epochsDone()},
                             {"batches", static_cast<int64_t>((n + c.batchSize - 1) / c.batchSize)},
                             {"params", trainer.parameterCount()},
                             {"device", trainer.deviceName()},
                             {"threads", trainer.threads()},
                             {"resumed", run.resumed},
                             {"fp32_twin", run.fp32Twin}};
        nlohmann::json config;
        std::string ignored;
        if (store.readConfig(config, ignored))
            start["colour"] = config.value("colour", std::string());
        protocol::writeEvent(std::cout, protocol::stepEvent("start", "training " + runName, start));
    }
    if (!o.json)
        std::fprintf(stderr, "%s run %s: %lld parameters, %s, %d thread%s%s\n",
                     run.resumed ? "resuming" : "new", store.dir().c_str(),
                     static_cast<long long>(trainer.parameterCount()), trainer.deviceName().c_str(), trainer.threads(),
                     trainer.threads() == 1 ? "" : "s",
                     run.resumed ? (", from epoch " + std::to_string(trainer.epochsDone())).c_str() : "");

    const bool tty = !o.json && ::isatty(STDERR_FILENO);
    auto lastDraw = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    double lossSum = 0;
    int lossCount = 0;
    trainer.setBatchCallback([&](const BatchProgress& p) {
        if (!tty && !o.progress)
            return;
        lossSum += p.loss;
        ++lossCount;
        const auto now = std::chrono::steady_clock::now();
        // At most ten lines a second: the workbench redraws a few times a second anyway.
        if (p.batch != p.batches && now - lastDraw < std::chrono::milliseconds(100))
            return;
        lastDraw = now;
        if (o.json) {
            protocol::writeEvent(std::cout, protocol::progressEvent(p.batch, p.batches, "train",
                                                                    {{"epoch", p.epoch},
                                                                     {"epochs", p.epochs},
                                                                     {"loss", lossSum / std::max(1, lossCount)},
                                                                     {"accuracy", p.accuracy},
                                                                     {"lr", p.learningRate},
                                                                     {"images_per_s", p.imagesPerSecond},
                                                                     {"eta_s", p.etaSeconds}}));
            lossSum = 0;
            lossCount = 0;
            return;
        }
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
            protocol::writeEvent(std::cout, protocol::stepEvent("epoch",
                                                                "epoch " + std::to_string(m.epoch) + "/" +
                                                                    std::to_string(c.epochs),
                                                                epochJson(m)));
            return;
        }
        std::fprintf(stderr, "%sepoch %d/%d  train loss %.4f acc %.2f%%  %s loss %.4f acc %.2f%%  lr %.2g  %.0f img/s  %.1f s\n",
                     tty ? "\r\033[K" : "", m.epoch, c.epochs, m.trainLoss, 100 * m.trainAccuracy,
                     c.selectBy == "test" ? "test" : "val", m.valLoss,
                     100 * m.valAccuracy, m.learningRate, m.imagesPerSecond, m.seconds);
    });
    trainer.setCancelFlag(&g_interrupted);
    const TrainResult r = trainer.train();
    if (tty)
        std::fprintf(stderr, "\r\033[K");

    if (o.json) {
        nlohmann::json s = summaryJson(r);
        s["run"] = store.dir();
        s["name"] = runName;
        protocol::writeEvent(std::cout, protocol::resultEvent(s));
    } else {
        if (r.status == "completed") {
            if (r.selectBy == "test")
                std::printf("test accuracy %.2f%%  (epoch %d's weights; the best epoch, %d, chosen on the test set)\n",
                            100 * r.testAccuracy, r.testEpoch, r.bestEpoch);
            else
                std::printf("test accuracy %.2f%%  (epoch %d's weights; best validation %.2f%% at epoch %d)\n",
                            100 * r.testAccuracy, r.testEpoch, 100 * r.bestValAccuracy, r.bestEpoch);
            std::printf("%.0f training images/s, %.1f s in all\n", r.imagesPerSecond, r.wallSeconds);
        } else if (r.status == "stopped") {
            std::printf("stopped after epoch %d; continue with: qnnw train %s --resume %s\n", r.epochsDone,
                        o.project.c_str(), store.dir().c_str());
        } else if (r.status == "diverged") {
            std::printf("diverged: the loss became NaN or infinite in epoch %d; try a lower --lr\n", r.divergedEpoch);
        } else {
            std::printf("failed: %s\n", r.error.c_str());
        }
        std::printf("run: %s\n", store.dir().c_str());
    }
    if (r.status == "failed")
        std::fprintf(stderr, "qnnw: %s\n", r.error.c_str());
    if (!r.warning.empty())
        std::fprintf(stderr, "qnnw: warning: %s\n", r.warning.c_str());
    if (r.status == "completed")
        return 0;
    if (r.status == "stopped")
        return 130;
    return 1;
}

int runTrain(const Options& o)
{
    RunRequest request = o.request;
    request.projectPath = o.project;
    request.dataDir = o.data;
    request.threads = o.threads;
    if (o.seeds > 1 && !request.resume.empty()) {
        sayError(o, "--seeds and --resume cannot be combined: resume each run of the group on its own");
        return 2;
    }
    g_interrupted.store(false);
    auto previous = std::signal(SIGINT, onInterrupt);
    // A scheduler's time limit (Slurm, a queue) sends SIGTERM: the run stops after the batch as cancelled and
    // resumable, with its summary written, instead of staying "running".
    auto previousTerm = std::signal(SIGTERM, onInterrupt);
    // A file size limit (ulimit -f) fails a write with EFBIG, like a full disk: the run ends as failed with
    // that reason in summary.json instead of the process dying of SIGXFSZ with the run left "running".
    std::signal(SIGXFSZ, SIG_IGN);
    // The run folder is the record of a run, not the pipe: when the reader
    // goes away (the window closed and left the run to finish, a `| head`),
    // writes to it fail quietly and training goes on.
    std::signal(SIGPIPE, SIG_IGN);
    int code = 0;
    if (o.seeds <= 1) {
        code = trainOne(o, request);
    } else {
        // Seeds s..s+N-1, one run each, recorded as one group.
        Project p;
        std::string error;
        if (!loadProject(o.project, p, error)) {
            sayError(o, error);
            std::signal(SIGINT, previous);
            std::signal(SIGTERM, previousTerm);
            return 1;
        }
        const long long first = request.seed >= 0 ? request.seed : static_cast<long long>(p.training.seed);
        char stamp[32];
        const std::time_t now = std::time(nullptr);
        std::tm tm{};
        localtime_r(&now, &tm);
        std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
        request.seedGroup = runNameStem(p.name) + "-seeds-" + stamp;
        for (int i = 0; i < o.seeds && !g_interrupted.load(); ++i) {
            request.seed = first + i;
            code = trainOne(o, request);
            if (code != 0)
                break;
        }
    }
    std::signal(SIGINT, previous);
    std::signal(SIGTERM, previousTerm);
    return code;
}

int runEval(const Options& o)
{
    RunRequest request;
    request.projectPath = o.project;
    request.resume = o.run;
    request.dataDir = o.data;
    request.threads = o.threads;
    request.availableMemory = std::numeric_limits<int64_t>::max(); // evaluation keeps no optimizer state
    PreparedRun run;
    std::string error;
    if (!prepareRun(request, run, error)) {
        sayError(o, error);
        return 1;
    }
    TrainOptions options;
    options.config = run.project.training;
    Trainer trainer;
    // The weight file of the epoch asked for: the best one is what the run's
    // test accuracy, pack, export and deploy use. A run from before weight
    // files has only its checkpoint (the last epoch).
    std::error_code ec;
    const std::string weightPath = run.store.dir() + "/" + (o.epoch == "last" ? kWeightFileLast : kWeightFileBest);
    const bool fromFile = std::filesystem::exists(weightPath, ec);
    if (!fromFile && !std::filesystem::exists(run.store.checkpointPath(), ec)) {
        sayError(o, "the run " + run.store.dir() + " has neither " + weightPath + " nor a checkpoint to evaluate");
        return 1;
    }
    WeightFile weights;
    if (!trainer.setup(run.project.graph, run.data, run.project.dataset.name, options, error) ||
        (fromFile ? !readWeightFile(weightPath, weights, error) || !trainer.loadWeightFile(weights, error)
                  : !trainer.loadWeights(run.store.checkpointPath(), error))) {
        sayError(o, error);
        return 1;
    }
    const EvalResult r = trainer.evaluate(run.data.test);
    const std::string which = fromFile ? o.epoch : "checkpoint";
    const nlohmann::json epoch = fromFile ? nlohmann::json(weights.epoch) : nlohmann::json(nullptr);
    if (o.json) {
        protocol::writeEvent(std::cout, protocol::resultEvent({{"run", run.store.dir()},
                                                               {"weights", which},
                                                               {"epoch", epoch},
                                                               {"test_accuracy", r.accuracy},
                                                               {"test_loss", r.loss},
                                                               {"images", r.images},
                                                               {"confusion_matrix", r.confusion}}));
    } else {
        const std::string from = fromFile ? "the " + which + " epoch's weights, epoch " + std::to_string(weights.epoch)
                                          : std::string("the checkpoint's weights");
        std::printf("test accuracy %.2f%% (%lld images, %s), loss %.4f\n", 100 * r.accuracy,
                    static_cast<long long>(r.images), from.c_str(), r.loss);
        printConfusion(r.confusion, run.data.test.classNames);
    }
    return 0;
}

} // namespace

void addTrainCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<Options>();
    RunRequest& r = o->request;
    CLI::App* c = app.add_subcommand(
        "train", "train the graph as drawn; progress bar, --json lines, Ctrl-C stops resumably");
    addProjectArgument(*c, o->project);
    c->add_option("--data", o->data, "dataset folder (default: the project's, then shared/datasets/<name>)");
    c->add_option("--recipe", r.recipe,
                  "a recipe preset for this run: " + recipeNames() +
                      " (its settings and dropout; the other options still override it)");
    c->add_option("--epochs", r.epochs, "epochs (overrides the project's setting)")->check(CLI::PositiveNumber);
    c->add_option("--batch-size", r.batchSize, "images per batch")->check(CLI::PositiveNumber);
    c->add_option("--lr", r.lr, "learning rate")->check(CLI::PositiveNumber);
    c->add_option("--seed", r.seed, "random seed")->check(CLI::NonNegativeNumber);
    c->add_option("--seeds", o->seeds, "train N runs with seeds s..s+N-1, recorded as one seed group")
        ->check(CLI::Range(1, 100));
    c->add_flag("--fp32-twin", r.fp32Twin,
                "train the FP32 twin: the same graph and settings with every bit-width at 32");
    c->add_option("--threads", o->threads, "CPU threads (0: every core)")->check(CLI::NonNegativeNumber);
    c->add_option("--train-limit", r.trainLimit, "train on the first N training images only")
        ->check(CLI::PositiveNumber);
    c->add_option("--out", r.outDir, "where the run folder goes (default: runs/ beside the project)");
    c->add_option("--resume", r.resume, "continue a run (folder or name under runs/) from its last checkpoint");
    c->add_option("--device", r.device, "where to train")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    c->add_option("--log-every", r.logEvery, "a metrics.jsonl line every N batches (0: none)")
        ->check(CLI::NonNegativeNumber);
    c->add_flag("--json", o->json, "one JSON object per epoch instead of the progress bar");
    c->add_flag("--progress", o->progress,
                "with --json: a start event and batch events (at most ten a second) for the workbench");
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
    c->add_option("--epoch", o->epoch, "best (the weights the run's test accuracy and pack use, default) or last")
        ->check(CLI::IsMember({"best", "last"}));
    c->add_flag("--json", o->json, "accuracy, loss and confusion matrix as JSON");
    c->callback([o, &exitCode] { exitCode = runEval(*o); });
}

} // namespace qnn::cli
