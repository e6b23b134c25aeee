#pragma once

#include "core/deploy/board.h"
#include "core/deploy/deployment_package.h"
#include "core/deploy/runner_result.h"

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
    /** The qnn-run build that went along ("aarch64"); empty when none did. */
    std::string runtimeArch;
    /** Seconds spent per step. */
    std::map<std::string, double> seconds;
};

/** Runs the steps of a deploy on one board: connect (and ask the board's
 *  CPU), upload into a new deployments/<name>/ with the qnn-run build for
 *  that CPU, verify every file's SHA-256 on the board, switch `current`,
 *  run. Any failure before the switch removes the new folder (and only it)
 *  and leaves `current` where it was; a run that fails after the switch
 *  switches `current` back to the deployment that was current before, and
 *  the error says which deployment is current in the end. */
class Deployer
{
public:
    explicit Deployer(Board& board);

    void setObserver(StepObserver observer) { m_observer = std::move(observer); }
    void setProgress(ProgressFn progress) { m_progress = std::move(progress); }
    /** Where the qnn-run builds are (qnn-run, qnn-run-aarch64, ...; see
     *  board_runtime.h). Empty: no qnn-run goes along, the board runs the
     *  network with what it has (its bnn overlay, a qnnw). */
    void setRuntimeDir(std::string dir) { m_runtimeDir = std::move(dir); }

    bool deploy(DeploymentPackage package, DeployResult& result, std::string& error);

private:
    // The steps, in order; each says what it does and fills `error` when it fails.
    bool connect(CurrentDeployment& before, std::string& error);
    bool addBoardRuntime(DeploymentPackage& package, std::string& arch, std::string& error);
    bool upload(const DeploymentPackage& package, std::string& error);
    bool verify(const DeploymentPackage& package, std::string& error);
    bool switchTo(const DeploymentPackage& package, std::string& error);
    bool run(const DeploymentPackage& package, const CurrentDeployment& before, nlohmann::json& board,
             std::string& error);

    /** Points `current` back at `before` after a failed run; returns the sentence that says where it points. */
    std::string rollBack(const std::string& failed, const CurrentDeployment& before);
    void say(const std::string& step, const std::string& message);

    Board& m_board;
    StepObserver m_observer;
    ProgressFn m_progress;
    std::string m_runtimeDir;
};

} // namespace qnn::deploy
