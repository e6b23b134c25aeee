#pragma once
// The float model of a graph against a QONNX file on the same images: what
// `qnnw export --check` and `qnnw import --check` report.

#include "core/graph/graph.h"
#include "core/weights/weight_file.h"

#include <cstdint>
#include <string>

namespace qnn::cli {

struct OnnxCheck {
    std::string dataset;
    int64_t images = 0;
    double modelAccuracy = 0;
    double fileAccuracy = 0;
    /** Images on which the two predict different classes. */
    int64_t differ = 0;
};

/** Runs the graph's float model (with the dataset's evaluation transform) and
 *  the file (eval-onnx's interpreter, pixels / 255) on the first `limit` test
 *  images (0 = all). False with a sentence when the data or either side fails. */
bool checkAgainstFile(const Graph& graph, const WeightFile& weights, const std::string& datasetName,
                      const std::string& dataDir, const std::string& onnxPath, size_t limit, OnnxCheck& out,
                      std::string& error);

/** "checked 10000 test images of mnist: the network 98.1%, the file 98.1%, same prediction on every image" */
std::string formatCheck(const OnnxCheck& c, const std::string& modelName);

} // namespace qnn::cli
