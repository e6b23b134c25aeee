// qnnw deploy PROJECT --run RUN --board NAME: pack (if needed), upload,
// verify on the board, switch `current`, run, and compare with the
// workbench's integer engine on the same images.
#include "app/cli/board_cli.h"
#include "app/cli/cli_command.h"
#include "app/cli/run_folder.h"

#include "core/data/dataset.h"
#include "core/deploy/board_factory.h"
#include "core/deploy/deployer.h"
#include "core/deploy/packed_model.h"
#include "core/project/project.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <unistd.h>

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

// Text lines for a person, JSON lines for the GUI; the same events.
class Report
{
public:
    explicit Report(bool json)
        : m_json(json)
    {
    }
    void step(const std::string& step, const std::string& message)
    {
        if (m_json)
            emit({{"event", "step"}, {"step", step}, {"message", message}});
        else
            std::printf("%-8s %s\n", (step + ":").c_str(), message.c_str());
        std::fflush(stdout);
    }
    void progress(uint64_t done, uint64_t total)
    {
        // At most every 2 % so that a fast link does not flood the GUI.
        const int percent = total ? static_cast<int>(100 * done / total) : 100;
        if (percent < m_lastPercent + 2 && done != total)
            return;
        m_lastPercent = percent;
        if (m_json)
            emit({{"event", "progress"}, {"step", "upload"}, {"done", done}, {"total", total}});
    }
    void error(const std::string& message)
    {
        if (m_json)
            emit({{"event", "error"}, {"message", message}});
        std::fprintf(stderr, "qnnw: %s\n", message.c_str());
    }
    void emit(const nlohmann::json& j)
    {
        std::cout << j.dump() << std::endl;
    }
    bool json() const { return m_json; }

private:
    bool m_json;
    int m_lastPercent = -100;
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

int runDeploy(const DeployOptions& o)
{
    Report report(o.json);
    g_cancel = false;
    std::signal(SIGINT, onDeployInterrupt);
    std::signal(SIGTERM, onDeployInterrupt);
    const auto start = Clock::now();

    Project project;
    if (!loadProjectOrSay(o.project, project))
        return 1;
    const std::string projectDir = fs::path(o.project).parent_path().empty()
                                       ? std::string(".")
                                       : fs::path(o.project).parent_path().string();
    BoardStore store;
    std::string error;
    if (!store.load(error)) {
        report.error(error);
        return 1;
    }
    const BoardConfig* found = store.find(o.board);
    if (!found) {
        report.error("no board named '" + o.board + "' in " + store.path() +
                     " (qnnw board add NAME --kind KIND ... adds one)");
        return 1;
    }
    const BoardConfig boardConfig = *found;
    SshOptions ssh;
    ssh.knownHosts = o.knownHosts;
    ssh.acceptNewHostKey = o.acceptNewHostKey;
    ssh.acceptHostKey = o.acceptHostKey;
    auto board = makeBoard(boardConfig, ssh);
    if (!board->canDeploy(error)) {
        report.error(error);
        return 1;
    }
    std::string runDir;
    if (!findRunFolder(o.run, projectDir, runDir, error)) {
        report.error(error);
        return 1;
    }
    const std::string runName = fs::path(runDir).lexically_normal().filename().string();

    // 1. Pack (once per run).
    auto t = Clock::now();
    bool packedNow = false;
    if (!ensurePacked(project, runDir, packedNow, error)) {
        report.error("cannot pack run " + runName + ": " + error);
        return 1;
    }
    const std::string packedDir = packedFolderOf(runDir);
    const double packSeconds = secondsSince(t);
    std::string network, difference;
    if (!matchPrebuiltOverlay(packedDir, network, difference, error)) {
        report.error(error);
        return 1;
    }
    report.step("pack", (packedNow ? "packed " : "already packed: ") + packedDir +
                            (network.empty() ? " (matches no prebuilt overlay)"
                                             : " (runs on the prebuilt " + network + " overlay)"));
    if (network.empty() && !boardPart(boardConfig.kind).empty()) {
        report.error("the network matches no prebuilt " + boardConfig.kind + " overlay: " + difference +
                     ". Only the weights of a prebuilt bitstream can change; rebuild the bitstream from " +
                     (fs::path(packedDir) / "config.h").string() +
                     " (BNN-PYNQ's hardware scripts) to run this network. Nothing was uploaded.");
        return 1;
    }

    // 2. The test images, and the workbench's own answer on them.
    DatasetRequest request;
    request.choice = project.dataset;
    request.dataDir = o.data;
    request.projectDir = projectDir;
    DatasetSplits data;
    if (!loadDataset(request, data, error)) {
        report.error(error);
        return 1;
    }
    ImageSet images = std::move(data.test);
    images.truncate(o.limit);
    std::vector<int> local;
    double localUsec = 0;
    if (!runPackedImages(packedDir, images, local, localUsec, error)) {
        report.error("the workbench's integer engine cannot run " + packedDir + ": " + error);
        return 1;
    }
    size_t localCorrect = 0;
    for (size_t i = 0; i < images.size(); ++i)
        localCorrect += local[i] == images.labels[i];

    StagingFolder staging;
    if (!makeStagingFolder(staging.path, error)) {
        report.error(error);
        return 1;
    }
    PackageRequest packageRequest;
    packageRequest.run = runName;
    packageRequest.packedDir = packedDir;
    packageRequest.network = network;
    packageRequest.stagingDir = staging.path;
    DeploymentPackage package;
    if (!buildDeploymentPackage(packageRequest, images, package, error)) {
        report.error(error);
        return 1;
    }

    // 3. Connect, upload, verify, switch, run.
    if (o.passwordStdin) {
        if (!readPasswordFromStdin(ssh.password))
            return 2;
        board = makeBoard(boardConfig, ssh);
    }
    board->setCancelFlag(&g_cancel);
    Deployer deployer(*board);
    deployer.setObserver([&](const std::string& step, const std::string& message) { report.step(step, message); });
    deployer.setProgress([&](uint64_t done, uint64_t total) { report.progress(done, total); });
    DeployResult result;
    if (!deployer.deploy(package, result, error)) {
        if (auto* s = dynamic_cast<SshBoard*>(board.get()); s && !s->hostKeyProblem().kind.empty() && o.json) {
            nlohmann::json j = hostKeyJson(s->hostKeyProblem());
            j["event"] = "host_key";
            report.emit(j);
        }
        report.error(error);
        return 1;
    }

    // 4. Compare (the Deployer checked every member's type: see parseRunnerResult).
    const nlohmann::json& b = result.board;
    std::vector<int64_t> remote;
    for (const auto& p : b["predictions"])
        remote.push_back(p.get<int64_t>());
    size_t differ = 0;
    for (size_t i = 0; i < images.size(); ++i)
        differ += i >= remote.size() || remote[i] != local[i];
    const double boardAccuracy = b["accuracy"].get<double>();
    const double usec = b["usec_per_image"].get<double>();
    const double total = secondsSince(start);
    nlohmann::json seconds = result.seconds;
    seconds["pack"] = packSeconds;
    seconds["total"] = total;
    const double localAccuracy = images.size() ? double(localCorrect) / images.size() : 0.0;
    if (o.json) {
        report.emit({{"event", "result"},
                     {"board", boardConfig.name},
                     {"deployment", package.name},
                     {"engine", b.value("engine", std::string())},
                     {"overlay", network},
                     {"images", images.size()},
                     {"board_accuracy", boardAccuracy},
                     {"workbench_accuracy", localAccuracy},
                     {"differing_predictions", differ},
                     {"usec_per_image", usec},
                     {"images_per_second", usec > 0 ? 1e6 / usec : 0.0},
                     {"seconds", seconds}});
    } else {
        std::printf("board accuracy %.2f%% on %zu images (%s%s); workbench integer engine %.2f%%; %zu "
                    "predictions differ; %.0f images/s, %.2f µs/image measured on the board\n",
                    100 * boardAccuracy, images.size(), b.value("engine", std::string("?")).c_str(),
                    network.empty() ? "" : (", " + network + " overlay").c_str(), 100 * localAccuracy, differ,
                    usec > 0 ? 1e6 / usec : 0.0, usec);
        std::printf("deployed to %s: deployments/%s is current; %.2f s in all (pack %.2f, connect %.2f, upload "
                    "%.2f, verify %.2f, run %.2f)\n",
                    boardConfig.name.c_str(), package.name.c_str(), total, packSeconds,
                    seconds.value("connect", 0.0), seconds.value("upload", 0.0), seconds.value("verify", 0.0),
                    seconds.value("run", 0.0));
    }
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
    c->add_flag("--json", o->json, "JSON lines: step, progress, host_key, error and result events");
    c->callback([o, &exitCode] { exitCode = runDeploy(*o); });
}

} // namespace qnn::cli
