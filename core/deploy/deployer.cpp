#include "core/deploy/deployer.h"

#include <chrono>
#include <cstdio>

namespace qnn::deploy {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string megabytes(uint64_t bytes)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f MB", bytes / 1e6);
    return buffer;
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

bool Deployer::deploy(const DeploymentPackage& package, DeployResult& result, std::string& error)
{
    result = {};
    result.deployment = package.name;
    auto t = Clock::now();
    say("connect", "connecting");
    if (!m_board.connect(error))
        return false;
    std::string why;
    CurrentDeployment before;
    m_board.current(before, why);
    say("connect", "connected to " + m_board.address() +
                       (before.present ? "; current is " + before.folder : "; nothing is current yet"));
    result.seconds["connect"] = secondsSince(t);

    t = Clock::now();
    say("upload", "uploading " + std::to_string(package.files.size()) + " files (" + megabytes(package.bytes) +
                      ") into deployments/" + package.name);
    if (!m_board.upload(package.name, package.files, m_progress, error)) {
        m_board.removeDeployment(package.name);
        error += before.present ? "; current still points to " + before.folder : "; nothing was made current";
        return false;
    }
    result.seconds["upload"] = secondsSince(t);

    t = Clock::now();
    say("verify", "checking the SHA-256 of " + std::to_string(package.sha256.size()) + " files on the board");
    if (!m_board.verify(package.name, package.sha256, error)) {
        m_board.removeDeployment(package.name);
        error = "verification failed: " + error +
                (before.present ? "; current still points to " + before.folder : "; nothing was made current");
        return false;
    }
    say("verify", "all " + std::to_string(package.sha256.size()) + " files match");
    result.seconds["verify"] = secondsSince(t);

    t = Clock::now();
    if (!m_board.switchCurrent(package.name, error)) {
        m_board.removeDeployment(package.name);
        return false;
    }
    say("switch", "current → deployments/" + package.name);
    result.seconds["switch"] = secondsSince(t);

    t = Clock::now();
    say("run", "running the test images on the board");
    std::string line;
    if (!m_board.run(package.name, line, error))
        return false;
    result.board = nlohmann::json::parse(line, nullptr, false);
    if (!result.board.is_object()) {
        error = "the runner printed a line that is not JSON: " + line.substr(0, 200);
        return false;
    }
    if (result.board.contains("error")) {
        error = "the board could not run the model: " + result.board["error"].get<std::string>();
        return false;
    }
    result.seconds["run"] = secondsSince(t);
    say("run", "done");
    m_board.disconnect();
    return true;
}

} // namespace qnn::deploy
