#include "core/onnx/qonnx_eval.h"

#include "core/onnx/onnx_tensor.h"

namespace qnn {

bool evaluateQonnx(const QonnxInterpreter& model, const ImageSet& images, size_t limit, QonnxEvalResult& out,
                   std::string& error)
{
    out = QonnxEvalResult{};
    if (static_cast<int64_t>(images.imageBytes()) != model.inputSize()) {
        error = "the file's input is " + onnx_io::shapeText(model.inputShape()) + " (" +
                std::to_string(model.inputSize()) + " values per image), but the images are " +
                std::to_string(images.channels) + "×" + std::to_string(images.height) + "×" +
                std::to_string(images.width);
        return false;
    }
    const size_t n = limit == 0 ? images.size() : std::min(limit, images.size());
    std::vector<float> input(images.imageBytes()), scores;
    for (size_t i = 0; i < n; ++i) {
        const uint8_t* px = images.image(i);
        for (size_t k = 0; k < input.size(); ++k)
            input[k] = qonnxPixel(px[k]);
        if (!model.run(input.data(), scores, error))
            return false;
        if (scores.empty()) {
            error = "the file's output is empty";
            return false;
        }
        int best = 0;
        for (size_t c = 1; c < scores.size(); ++c)
            if (scores[c] > scores[static_cast<size_t>(best)])
                best = static_cast<int>(c);
        out.predictions.push_back(best);
        out.correct += best == images.labels[i];
        ++out.images;
    }
    return true;
}

} // namespace qnn
