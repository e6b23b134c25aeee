#include "app/cli/onnx_check.h"

#include <cstdio>

namespace qnn::cli {

std::string formatCheck(const OnnxCheck& c, const std::string& modelName)
{
    char buf[512];
    std::snprintf(buf, sizeof buf, "checked %lld test images of %s: %s %.2f%%, the file (eval-onnx) %.2f%%, %s",
                  static_cast<long long>(c.images), c.dataset.c_str(), modelName.c_str(), 100 * c.modelAccuracy,
                  100 * c.fileAccuracy,
                  c.differ == 0 ? "the same prediction on every image"
                                : (std::to_string(c.differ) + " image(s) predicted differently").c_str());
    return buf;
}

} // namespace qnn::cli
