#include "core/deploy/deployment_runner.h"

#include "core/data/idx_reader.h"
#include "core/deploy/deployment_package.h"
#include "core/deploy/packed_model.h"
#include "core/util/atomic_file.h"
#include "core/util/json_file.h"
#include "core/util/json_fields.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace qnn::deploy {

namespace {

// CIFAR-10 binary records (label byte + 3×32×32) back into an ImageSet.
bool readCifarBatch(const std::string& path, ImageSet& out, std::string& error)
{
    std::string bytes;
    if (!readFile(path, bytes, error))
        return false;
    const size_t record = 1 + 3 * 32 * 32;
    if (bytes.size() % record != 0) {
        error = path + " is not a CIFAR-10 batch (" + std::to_string(bytes.size()) + " bytes is not a multiple of " +
                std::to_string(record) + ")";
        return false;
    }
    out = {};
    out.channels = 3;
    out.height = out.width = 32;
    for (size_t i = 0; i < bytes.size(); i += record) {
        out.labels.push_back(static_cast<uint8_t>(bytes[i]));
        out.pixels.insert(out.pixels.end(), bytes.begin() + i + 1, bytes.begin() + i + record);
    }
    return true;
}

} // namespace

bool runDeployment(const std::string& deploymentDir, nlohmann::json& result, std::string& error)
{
    const fs::path dir(deploymentDir);
    nlohmann::json deploy;
    if (!readJsonFile((dir / kDeployJson).string(), deploy, error))
        return false;
    JsonFields f(deploy, (dir / kDeployJson).string());
    std::string imagesName, labelsName, model = kDeployModelDir, format = "idx", run;
    f.text("images", imagesName);
    f.text("labels", labelsName);
    f.optionalText("model", model);
    f.optionalText("images_format", format);
    f.optionalText("run", run);
    for (const std::string* p : {&imagesName, &labelsName, &model})
        if (f.ok() && !isSafeDeploymentPath(*p))
            f.fail("\"" + *p + "\" is not a path inside the deployment folder");
    if (!f.ok()) {
        error = f.error();
        return false;
    }
    const std::string imagesFile = (dir / imagesName).string();
    const std::string labelsFile = (dir / labelsName).string();
    ImageSet images;
    if (format == "cifar10-bin") {
        if (!readCifarBatch(imagesFile, images, error))
            return false;
    } else if (!readIdxImages(imagesFile, images, error) || !readIdxLabels(labelsFile, images.labels, error)) {
        return false;
    }
    std::vector<int> predictions;
    double usec = 0;
    if (!runPackedImages((dir / model).string(), images, predictions,
                         usec, error))
        return false;
    size_t correct = 0;
    for (size_t i = 0; i < images.size() && i < predictions.size(); ++i)
        correct += predictions[i] == images.labels[i];
    result = {{"engine", "local"},
              {"predictions", predictions},
              {"images", images.size()},
              {"accuracy", images.size() ? double(correct) / images.size() : 0.0},
              {"usec_per_image", usec},
              {"images_per_second", usec > 0 ? 1e6 / usec : 0.0},
              {"run", run}};
    return true;
}

} // namespace qnn::deploy
