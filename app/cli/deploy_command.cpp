// qnnw deploy PROJECT --run RUN --board NAME: pack (if needed), stage the
// test images, upload with the qnn-run build for the board's CPU, verify on
// the board, switch `current`, run, and compare with the workbench's integer
// engine on the same images. One function per step, run in order by runDeploy.
#include "app/cli/board_cli.h"
#include "app/cli/cli_command.h"
#include "app/cli/deploy_report.h"
#include "app/cli/run_folder.h"

#include "core/data/dataset.h"
#include "core/deploy/board_factory.h"
#include "core/deploy/board_runtime.h"
#include "core/deploy/deployer.h"
#include "core/deploy/packed_model.h"
#include "core/project/project.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace fs = std::filesystem;

namespace qnn::cli {

namespace {

using namespace qnn::deploy;
using Clock = std::chrono::steady_clock;

std::atomic<bool> g_cancel{false};

extern "C" void onDeployInterrupt(int)
{
    // The GUI's Cancel and Ctrl-C: every step polls this flag.
    g_cancel = true;
}

struct DeployOptions {
    std::string project;
    std::string run;
    std::string board;
    size_t limit = 0;
    std::string data;
    bool acceptNewHostKey = false;
    std::string acceptHostKey;
    std::string knownHosts;
    bool passwordStdin = false;
    bool json = false;
};

double secondsSince(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// Removes the staging folder however the command ends.
struct StagingFolder {
    std::string path;
    ~StagingFolder()
    {
        std::error_code ec;
        if (!path.empty())
            fs::remove_all(path, ec);
    }
};

// What the steps hand on to each other.
struct Deployment {
    Project project;
    std::string projectDir;
    BoardConfig boardConfig;
    SshOptions ssh;
    std::string runDir;
    std::string runName;
    std::string packedDir;
    /** The prebuilt overlay the network matches; empty for none. */
    std::string network;
    double packSeconds = 0;
    ImageSet images;
    /** The workbench's integer engine on the same images. */
    std::vector<int> local;
    double localAccuracy = 0;
    StagingFolder staging;
    DeploymentPackage package;
    DeployResult result;
};

// The project, the board from the boards file, the run folder.
bool openProjectAndBoard(const DeployOptions& o, DeployReport& report, Deployment& d)
{
    if (!loadProjectOrSay(o.project, d.project, o.json))
        return false;
    d.projectDir = fs::path(o.project).parent_path().empty() ? std::string(".")
                                                             : fs::path(o.project).parent_path().string();
    BoardStore store;
    std::string error;
    if (!store.load(error))
        return report.error(error), false;
    const BoardConfig* found = store.find(o.board);
    if (!found)
        return report.error("no board named '" + o.board + "' in " + store.path() +
                            " (qnnw board add NAME --kind KIND ... adds one)"),
               false;
    d.boardConfig = *found;
    d.ssh.knownHosts = o.knownHosts;
    d.ssh.acceptNewHostKey = o.acceptNewHostKey;
    d.ssh.acceptHostKey = o.acceptHostKey;
    if (!makeBoard(d.boardConfig, d.ssh)->canDeploy(error))
        return report.error(error), false;
    if (!findRunFolder(o.run, d.projectDir, d.runDir, error))
        return report.error(error), false;
    d.runName = fs::path(d.runDir).lexically_normal().filename().string();
    return true;
}

// Packs the run once; notes which prebuilt overlay (if any) runs it.
bool pack(DeployReport& report, Deployment& d)
{
    const auto t = Clock::now();
    bool packedNow = false;
    std::string error, difference;
    if (!ensurePacked(d.project, d.runDir, packedNow, error))
        return report.error("cannot pack run " + d.runName + ": " + error), false;
    d.packedDir = packedFolderOf(d.runDir);
    d.packSeconds = secondsSince(t);
    if (!matchPrebuiltOverlay(d.packedDir, d.network, difference, error))
        return report.error(error), false;
    report.step("pack", (packedNow ? "packed " : "already packed: ") + d.packedDir +
                            (d.network.empty() ? " (matches no prebuilt overlay: the board's CPU runs it with qnn-run)"
                                               : " (runs on the prebuilt " + d.network + " overlay)"));
    return true;
}

// The test images, the workbench's own answer on them, and the package
// (model, images, labels, deploy.json, runner) in a private staging folder.
bool stage(const DeployOptions& o, DeployReport& report, Deployment& d)
{
    DatasetRequest request;
    request.choice = d.project.dataset;
    request.dataDir = o.data;
    request.projectDir = d.projectDir;
    DatasetSplits data;
    std::string error;
    if (!loadDataset(request, data, error))
        return report.error(error), false;
    d.images = std::move(data.test);
    d.images.truncate(o.limit);
    double usec = 0;
    if (!runPackedImages(d.packedDir, d.images, d.local, usec, error))
        return report.error("the workbench's integer engine cannot run " + d.packedDir + ": " + error), false;
    size_t correct = 0;
    for (size_t i = 0; i < d.images.size(); ++i)
        correct += d.local[i] == d.images.labels[i];
    d.localAccuracy = d.images.size() ? double(correct) / d.images.size() : 0.0;

    PackageRequest packageRequest;
    packageRequest.run = d.runName;
    packageRequest.packedDir = d.packedDir;
    packageRequest.network = d.network;
    if (!makeStagingFolder(d.staging.path, error))
        return report.error(error), false;
    packageRequest.stagingDir = d.staging.path;
    if (!buildDeploymentPackage(packageRequest, d.images, d.package, error))
        return report.error(error), false;
    return true;
}

// Connect, upload (with qnn-run for the board's CPU), verify, switch, run.
// False with the exit code in `exitCode` (2: no password on stdin).
bool deployToBoard(const DeployOptions& o, DeployReport& report, Deployment& d, int& exitCode)
{
    exitCode = 1;
    if (o.passwordStdin && !readPasswordFromStdin(d.ssh.password))
        return exitCode = 2, false;
    auto board = makeBoard(d.boardConfig, d.ssh);
    board->setCancelFlag(&g_cancel);
    Deployer deployer(*board);
    deployer.setObserver([&](const std::string& step, const std::string& message) { report.step(step, message); });
    deployer.setProgress([&](uint64_t done, uint64_t total) { report.progress(done, total); });
    deployer.setRuntimeDir(executableDir());
    std::string error;
    if (deployer.deploy(d.package, d.result, error))
        return true;
    // An unknown or changed host key rides on the error event, for the window to ask about.
    nlohmann::json details = nlohmann::json::object();
    if (auto* s = dynamic_cast<SshBoard*>(board.get()); s && !s->hostKeyProblem().kind.empty())
        details["host_key"] = hostKeyJson(s->hostKeyProblem());
    report.error(error, details);
    return false;
}

// The board's answer beside the workbench's (the Deployer checked every
// member's type: see parseRunnerResult).
void reportResult(DeployReport& report, const Deployment& d, double totalSeconds)
{
    const nlohmann::json& b = d.result.board;
    const auto& remote = b["predictions"];
    size_t differ = 0;
    for (size_t i = 0; i < d.images.size(); ++i)
        differ += i >= remote.size() || remote[i].get<int64_t>() != d.local[i];
    const double boardAccuracy = b["accuracy"].get<double>();
    const double usec = b["usec_per_image"].get<double>();
    const std::string backend = b["backend"].get<std::string>();
    nlohmann::json seconds = d.result.seconds;
    seconds["pack"] = d.packSeconds;
    seconds["total"] = totalSeconds;
    if (report.json()) {
        report.emit(protocol::resultEvent({{"board", d.boardConfig.name},
                                           {"deployment", d.package.name},
                                           {"engine", b["engine"]},
                                           {"backend", backend},
                                           {"arch", b["arch"]},
                                           {"overlay", d.network},
                                           {"images", d.images.size()},
                                           {"board_accuracy", boardAccuracy},
                                           {"workbench_accuracy", d.localAccuracy},
                                           {"differing_predictions", differ},
                                           {"usec_per_image", usec},
                                           {"images_per_second", usec > 0 ? 1e6 / usec : 0.0},
                                           {"seconds", seconds}}));
        return;
    }
    const bool overlay = b["engine"] == "bnn";
    std::printf("board accuracy %.2f%% on %zu images (%s%s); workbench integer engine %.2f%%; %zu "
                "predictions differ; %.0f images/s, %.2f µs/image measured on the board\n",
                100 * boardAccuracy, d.images.size(), backend.c_str(), overlay ? (" " + d.network).c_str() : "",
                100 * d.localAccuracy, differ, usec > 0 ? 1e6 / usec : 0.0, usec);
    std::printf("deployed to %s: deployments/%s is current; %.2f s in all (pack %.2f, connect %.2f, upload "
                "%.2f, verify %.2f, run %.2f)\n",
                d.boardConfig.name.c_str(), d.package.name.c_str(), totalSeconds, d.packSeconds,
                seconds.value("connect", 0.0), seconds.value("upload", 0.0), seconds.value("verify", 0.0),
                seconds.value("run", 0.0));
}

int runDeploy(const DeployOptions& o)
{
    DeployReport report(o.json);
    g_cancel = false;
    std::signal(SIGINT, onDeployInterrupt);
    std::signal(SIGTERM, onDeployInterrupt);
    const auto start = Clock::now();
    Deployment d;
    if (!openProjectAndBoard(o, report, d) || !pack(report, d) || !stage(o, report, d))
        return 1;
    int exitCode = 0;
    if (!deployToBoard(o, report, d, exitCode))
        return exitCode;
    reportResult(report, d, secondsSince(start));
    return 0;
}

} // namespace

void addDeployCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<DeployOptions>();
    CLI::App* c = app.add_subcommand(
        "deploy", "pack a run, upload it to a board, verify it there, make it current and run the test images");
    addProjectArgument(*c, o->project);
    c->add_option("--run", o->run, "run folder (name under runs/ or a path)")->required();
    c->add_option("--board", o->board, "a board from `qnnw board list`")->required();
    c->add_option("--limit", o->limit, "only the first N test images (0 = all)");
    c->add_option("--data", o->data, "dataset folder (as in qnnw eval)");
    c->add_flag("--accept-new-host-key", o->acceptNewHostKey,
                "trust the board's host key on first contact, whatever it is (never a changed one)");
    c->add_option("--accept-host-key", o->acceptHostKey,
                  "trust the board's host key on first contact only if its fingerprint is this SHA256:... "
                  "(what the window passes after you approve a key); any other key is refused");
    c->add_option("--known-hosts", o->knownHosts, "known_hosts file to check the host key against");
    c->add_flag("--password-stdin", o->passwordStdin, "read the SSH password from the first line of stdin");
    c->add_flag("--json", o->json, "protocol lines (docs/protocol.md): step, progress, then result or error (with the host key it could not check)");
    c->callback([o, &exitCode] { exitCode = runDeploy(*o); });
}

} // namespace qnn::cli
