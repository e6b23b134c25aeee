#include "core/deploy/deployment_runner.h"

namespace qnn::deploy {

bool runDeployment(const std::string& deploymentDir, nlohmann::json& result, std::string& error)
{
    (void)deploymentDir;
    result = nlohmann::json::object();
    error = "the integer engine is not in this build yet";
    return false;
}

} // namespace qnn::deploy
