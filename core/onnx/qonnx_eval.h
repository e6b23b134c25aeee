#pragma once

#include "core/data/image_set.h"
#include "core/onnx/qonnx_interpreter.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qnn {

/** Predictions of a QONNX file on a set of images. */
struct QonnxEvalResult {
    int64_t images = 0;
    int64_t correct = 0;
    /** Index of the largest output value per image (the first on ties). */
    std::vector<int> predictions;

    double accuracy() const { return images ? static_cast<double>(correct) / static_cast<double>(images) : 0.0; }
};

/** The value a pixel byte becomes at a QONNX file's input: v / 255, in [0, 1]
 *  (what torchvision's ToTensor gives Brevitas models, and what our exports take). */
inline float qonnxPixel(uint8_t v) { return static_cast<float>(v) / 255.0f; }

/** Runs the first `limit` images (0 = all) through the file. False with a
 *  sentence when the images do not fit the input or a node fails. */
bool evaluateQonnx(const QonnxInterpreter& model, const ImageSet& images, size_t limit, QonnxEvalResult& out,
                   std::string& error);

} // namespace qnn
