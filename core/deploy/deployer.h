#pragma once

#include "core/deploy/board.h"
#include "core/deploy/deployment_package.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>

namespace qnn::deploy {

/** What a deploy reports as it goes: the step ("connect", "upload",
 *  "verify", "switch", "run") and a sentence. */
using StepObserver = std::function<void(const std::string& step, const std::string& message)>;

/** The outcome of a deploy that reached the run step. */
struct DeployResult {
    std::string deployment;
    /** The runner's JSON line, as the board printed it. */
    nlohmann::json board;
    /** Seconds spent per step. */
    std::map<std::string, double> seconds;
};

/** Runs the steps of a deploy on one board: connect, upload into a new
 *  deployments/<name>/, verify every file's SHA-256 on the board, switch
 *  `current`, run. Any failure before the switch removes the new folder and
 *  leaves `current` where it was. */
class Deployer
{
public:
    explicit Deployer(Board& board);

    void setObserver(StepObserver observer) { m_observer = std::move(observer); }
    void setProgress(ProgressFn progress) { m_progress = std::move(progress); }

    bool deploy(const DeploymentPackage& package, DeployResult& result, std::string& error);

private:
    void say(const std::string& step, const std::string& message);

    Board& m_board;
    StepObserver m_observer;
    ProgressFn m_progress;
};

} // namespace qnn::deploy
