#include "core/deploy/deployer.h"

#include <chrono>
#include <cmath>
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

bool parseRunnerResult(const std::string& line, nlohmann::json& out, std::string& error)
{
    out = nlohmann::json::object();
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) {
        error = "the runner on the board printed a line that is not a JSON object: " + line.substr(0, 200);
        return false;
    }
    const auto bad = [&](const std::string& key, const std::string& expected) {
        error = "the runner on the board printed \"" + key + "\": " + j[key].dump().substr(0, 80) + ", expected " +
                expected;
        return false;
    };
    for (const char* key : {"engine", "overlay", "run", "error", "hint"}) {
        if (!j.contains(key) || j[key].is_null()) {
            if (std::string(key) != "error" && std::string(key) != "hint")
                out[key] = "";
            continue;
        }
        if (!j[key].is_string())
            return bad(key, "a string");
        out[key] = j[key];
    }
    for (const char* key : {"accuracy", "usec_per_image", "images_per_second"}) {
        if (!j.contains(key) || j[key].is_null()) {
            out[key] = 0.0;
            continue;
        }
        if (!j[key].is_number() || !std::isfinite(j[key].get<double>()) || j[key].get<double>() < 0)
            return bad(key, "a number of at least 0");
        out[key] = j[key].get<double>();
    }
    out["predictions"] = nlohmann::json::array();
    if (j.contains("predictions") && !j["predictions"].is_null()) {
        if (!j["predictions"].is_array())
            return bad("predictions", "a list of class numbers");
        for (const auto& p : j["predictions"]) {
            if (!p.is_number_integer() || p.get<int64_t>() < 0 || p.get<int64_t>() > 1000000)
                return bad("predictions", "a list of class numbers (one is " + p.dump().substr(0, 40) + ")");
            out["predictions"].push_back(p.get<int64_t>());
        }
    }
    if (j.contains("images") && !j["images"].is_null()) {
        if (!j["images"].is_number_integer() || j["images"].get<int64_t>() < 0)
            return bad("images", "a count of images");
        out["images"] = j["images"].get<int64_t>();
    } else {
        out["images"] = out["predictions"].size();
    }
    return true;
}

bool Deployer::deploy(const DeploymentPackage& package, DeployResult& result, std::string& error)
{
    result = {};
    result.deployment = package.name;
    if (!m_board.canDeploy(error))
        return false;
    auto t = Clock::now();
    say("connect", "connecting");
    if (!m_board.connect(error))
        return false;
    std::string why;
    CurrentDeployment before;
    m_board.current(before, why);
    const std::string stays =
        before.present ? "; current still points to " + before.folder : "; nothing was made current";
    say("connect", "connected to " + m_board.address() +
                       (before.present ? "; current is " + before.folder : "; nothing is current yet"));
    result.seconds["connect"] = secondsSince(t);

    t = Clock::now();
    say("upload", "uploading " + std::to_string(package.files.size()) + " files (" + megabytes(package.bytes) +
                      ") into deployments/" + package.name);
    // upload() removes a folder it created and could not fill, and nothing else.
    if (!m_board.upload(package.name, package.files, m_progress, error)) {
        error += stays;
        return false;
    }
    for (const std::string& left : m_board.removedAbandoned())
        say("upload", "removed deployments/" + left + ", which an earlier deploy left half-uploaded");
    result.seconds["upload"] = secondsSince(t);

    t = Clock::now();
    say("verify", "checking the SHA-256 of " + std::to_string(package.sha256.size()) + " files on the board");
    if (!m_board.verify(package.name, package.sha256, error)) {
        m_board.removeDeployment(package.name);
        error = "verification failed: " + error + stays;
        return false;
    }
    say("verify", "all " + std::to_string(package.sha256.size()) + " files match");
    result.seconds["verify"] = secondsSince(t);

    t = Clock::now();
    if (!m_board.switchCurrent(package.name, error)) {
        // The rename may have happened before the connection broke: never remove what `current` names.
        CurrentDeployment now;
        if (m_board.current(now, why) && now.folder != "deployments/" + package.name) {
            m_board.removeDeployment(package.name);
            error += now.present ? "; current still points to " + now.folder : "; nothing was made current";
        } else {
            error += "; the board's `current` could not be read back, deployments/" + package.name + " was kept";
        }
        return false;
    }
    say("switch", "current → deployments/" + package.name);
    result.seconds["switch"] = secondsSince(t);

    t = Clock::now();
    say("run", "running the test images on the board");
    std::string line;
    bool ran = m_board.run(package.name, line, error);
    if (ran && !parseRunnerResult(line, result.board, error))
        ran = false;
    if (ran && result.board.contains("error")) {
        error = "the board could not run the model: " + result.board["error"].get<std::string>() +
                (result.board.contains("hint") ? " (" + result.board["hint"].get<std::string>() + ")" : "");
        ran = false;
    }
    if (!ran) {
        error += "; " + rollBack(package.name, before);
        return false;
    }
    result.seconds["run"] = secondsSince(t);
    say("run", "done");
    m_board.disconnect();
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
