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
    /** The runner's JSON line, checked and normalized by parseRunnerResult. */
    nlohmann::json board;
    /** Seconds spent per step. */
    std::map<std::string, double> seconds;
};

/** Checks the line a board's runner printed and returns it with exactly
 *  these members, of these types: "engine", "overlay", "run" (strings),
 *  "predictions" (integers), "images" (integer), "accuracy",
 *  "usec_per_image", "images_per_second" (numbers, 0 when absent), and
 *  "error" (string, only when the runner reported one). Anything else of an
 *  unexpected type is an error that names the member and what it should be. */
bool parseRunnerResult(const std::string& line, nlohmann::json& out, std::string& error);

/** Runs the steps of a deploy on one board: connect, upload into a new
 *  deployments/<name>/, verify every file's SHA-256 on the board, switch
 *  `current`, run. Any failure before the switch removes the new folder (and
 *  only it) and leaves `current` where it was; a run that fails after the
 *  switch switches `current` back to the deployment that was current before,
 *  and the error says which deployment is current in the end. */
class Deployer
{
public:
    explicit Deployer(Board& board);

    void setObserver(StepObserver observer) { m_observer = std::move(observer); }
    void setProgress(ProgressFn progress) { m_progress = std::move(progress); }

    bool deploy(const DeploymentPackage& package, DeployResult& result, std::string& error);

private:
    /** Points `current` back at `before` after a failed run; returns the sentence that says where it points. */
    std::string rollBack(const std::string& failed, const CurrentDeployment& before);
    void say(const std::string& step, const std::string& message);

    Board& m_board;
    StepObserver m_observer;
    ProgressFn m_progress;
};

} // namespace qnn::deploy
