#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace qnn::deploy {

/** Runs a deployment folder (deploy.json, model/, images, labels) with the
 *  integer engine in this process and fills the same JSON that runner.py
 *  prints on a board: engine, predictions, accuracy, images,
 *  usec_per_image, images_per_second. */
bool runDeployment(const std::string& deploymentDir, nlohmann::json& result, std::string& error);

} // namespace qnn::deploy
