#include "core/deploy/deployer.h"

#include "core/deploy/board_runtime.h"

#include <chrono>
#include <cstdio>

namespace qnn::deploy {

namespace {

using Clock = std::chrono::steady_clock;

std::string megabytes(uint64_t bytes)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f MB", bytes / 1e6);
    return buffer;
}

// Runs one step and adds its wall time to `seconds[name]` when it succeeds.
template <typename Step>
bool timed(std::map<std::string, double>& seconds, const std::string& name, Step step)
{
    const auto start = Clock::now();
    if (!step())
        return false;
    seconds[name] += std::chrono::duration<double>(Clock::now() - start).count();
    return true;
}

std::string whereCurrentStays(const CurrentDeployment& before)
{
    return before.present ? "; current still points to " + before.folder : "; nothing was made current";
}

} // namespace

Deployer::Deployer(Board& board)
    : m_board(board)
{
}

void Deployer::say(const std::string& step, const std::string& message)
{
    if (m_observer)
        m_observer(step, message);
}

bool Deployer::deploy(DeploymentPackage package, DeployResult& result, std::string& error)
{
    result = {};
    result.deployment = package.name;
    if (!m_board.canDeploy(error))
        return false;
    auto& s = result.seconds;
    CurrentDeployment before;
    if (!timed(s, "connect", [&] { return connect(before, error); }))
        return false;
    if (!timed(s, "connect", [&] { return addBoardRuntime(package, result.runtimeArch, error); })) {
        m_board.disconnect();
        return false;
    }
    if (!timed(s, "upload", [&] { return upload(package, error); })) {
        error += whereCurrentStays(before);
        return false;
    }
    if (!timed(s, "verify", [&] { return verify(package, error); })) {
        error += whereCurrentStays(before);
        return false;
    }
    if (!timed(s, "switch", [&] { return switchTo(package, error); }))
        return false;
    if (!timed(s, "run", [&] { return run(package, before, result.board, error); }))
        return false;
    m_board.disconnect();
    return true;
}

bool Deployer::connect(CurrentDeployment& before, std::string& error)
{
    say("connect", "connecting");
    if (!m_board.connect(error))
        return false;
    std::string why;
    m_board.current(before, why);
    say("connect", "connected to " + m_board.address() +
                       (before.present ? "; current is " + before.folder : "; nothing is current yet"));
    return true;
}

bool Deployer::addBoardRuntime(DeploymentPackage& package, std::string& arch, std::string& error)
{
    arch.clear();
    if (m_runtimeDir.empty())
        return true;
    std::string machine;
    if (!m_board.machine(machine, error))
        return false;
    if (machine.empty())
        return true; // the board runs the deployment in this process
    BoardRuntime runtime;
    std::string why;
    if (!findBoardRuntime(machine, m_runtimeDir, runtime, why)) {
        if (!package.network.empty()) {
            // The overlay can still run it; only the CPU fallback is missing.
            say("connect", why + ": only the prebuilt " + package.network + " overlay can run it there");
            return true;
        }
        error = why + ". This network matches no prebuilt overlay, so the board would have nothing to run it "
                      "with; nothing was uploaded.";
        return false;
    }
    if (!addRuntime(package, runtime, error))
        return false;
    arch = runtime.arch;
    say("connect", "the board's CPU is " + machine + ": qnn-run for " + arch + " goes along");
    return true;
}

bool Deployer::upload(const DeploymentPackage& package, std::string& error)
{
    say("upload", "uploading " + std::to_string(package.files.size()) + " files (" + megabytes(package.bytes) +
                      ") into deployments/" + package.name);
    // upload() removes a folder it created and could not fill, and nothing else.
    if (!m_board.upload(package.name, package.files, m_progress, error))
        return false;
    for (const std::string& left : m_board.removedAbandoned())
        say("upload", "removed deployments/" + left + ", which an earlier deploy left half-uploaded");
    return true;
}

bool Deployer::verify(const DeploymentPackage& package, std::string& error)
{
    say("verify", "checking the SHA-256 of " + std::to_string(package.sha256.size()) + " files on the board");
    if (!m_board.verify(package.name, package.sha256, error)) {
        m_board.removeDeployment(package.name);
        error = "verification failed: " + error;
        return false;
    }
    say("verify", "all " + std::to_string(package.sha256.size()) + " files match");
    return true;
}

bool Deployer::switchTo(const DeploymentPackage& package, std::string& error)
{
    if (m_board.switchCurrent(package.name, error)) {
        say("switch", "current → deployments/" + package.name);
        return true;
    }
    // The rename may have happened before the connection broke: never remove what `current` names.
    CurrentDeployment now;
    std::string why;
    if (m_board.current(now, why) && now.folder != "deployments/" + package.name) {
        m_board.removeDeployment(package.name);
        error += whereCurrentStays(now);
    } else {
        error += "; the board's `current` could not be read back, deployments/" + package.name + " was kept";
    }
    return false;
}

bool Deployer::run(const DeploymentPackage& package, const CurrentDeployment& before, nlohmann::json& board,
                   std::string& error)
{
    say("run", "running the test images on the board");
    std::string line;
    bool ran = m_board.run(package.name, line, error) && parseRunnerResult(line, board, error);
    if (ran && board.contains("error")) {
        error = "the board could not run the model: " + board["error"].get<std::string>() +
                (board.contains("hint") ? " (" + board["hint"].get<std::string>() + ")" : "");
        ran = false;
    }
    if (!ran) {
        error += "; " + rollBack(package.name, before);
        return false;
    }
    say("run", "done (" + board["backend"].get<std::string>() + ")");
    return true;
}

std::string Deployer::rollBack(const std::string& failed, const CurrentDeployment& before)
{
    const std::string prefix = "deployments/";
    if (!before.present || before.folder.rfind(prefix, 0) != 0 || before.folder == prefix + failed)
        return "deployments/" + failed + " stays current (there was no earlier deployment to switch back to)";
    const std::string previous = before.folder.substr(prefix.size());
    std::string why;
    if (m_board.switchCurrent(previous, why)) {
        say("switch", "current → " + before.folder + " again (the new deployment failed its run)");
        return "current was switched back to " + before.folder + "; deployments/" + failed + " is kept on the board";
    }
    return "deployments/" + failed + " is still current: switching back to " + before.folder + " failed (" + why + ")";
}

} // namespace qnn::deploy
