#include "app/cli/onnx_check.h"

#include "core/data/dataset.h"
#include "core/data/transforms.h"
#include "core/onnx/qonnx_eval.h"
#include "core/train/float_model.h"


namespace qnn::cli {

bool checkAgainstFile(const Graph& graph, const WeightFile& weights, const std::string& datasetName,
                      const std::string& dataDir, const std::string& onnxPath, size_t limit, OnnxCheck& out,
                      std::string& error)
{
    out = OnnxCheck{};
    out.dataset = datasetName;
    DatasetRequest request;
    request.choice.name = datasetName;
    request.dataDir = dataDir;
    request.projectDir = ".";
    DatasetSplits data;
    if (!loadDataset(request, data, error))
        return false;
    ImageSet test = data.test;
    if (limit > 0)
        test.truncate(limit);

    QonnxInterpreter file;
    QonnxEvalResult fileResult;
    if (!file.load(onnxPath, error) || !evaluateQonnx(file, test, 0, fileResult, error))
        return false;

    FloatModel model;
    if (!model.load(graph, weights, error))
        return false;
    int inputBits = 32;
    int64_t classes = 0;
    for (const auto& [id, n] : graph.nodes()) {
        if (n.kind == LayerKind::Input)
            inputBits = n.quant.actBits;
        if (n.kind == LayerKind::Output)
            classes = n.attrInt("classes");
    }
    if (model.inputSize() != static_cast<int64_t>(test.imageBytes())) {
        error = "the network takes " + std::to_string(model.inputSize()) + " values per image, but the " +
                datasetName + " images have " + std::to_string(test.imageBytes());
        return false;
    }
    const Transform t = defaultTransform(datasetName, inputBits, false);
    const size_t batch = 250;
    std::vector<float> images, scores;
    std::vector<int64_t> idx(batch), labels(batch);
    int64_t correct = 0;
    for (size_t start = 0; start < test.size(); start += batch) {
        const size_t n = std::min(batch, test.size() - start);
        images.resize(n * test.imageBytes());
        for (size_t k = 0; k < n; ++k)
            idx[k] = static_cast<int64_t>(start + k);
        fillBatch(test, idx.data(), n, t, 0, images.data(), labels.data());
        model.forward(images.data(), static_cast<int64_t>(n), scores);
        for (size_t k = 0; k < n; ++k) {
            const float* s = scores.data() + k * classes;
            int best = 0;
            for (int c = 1; c < classes; ++c)
                if (s[c] > s[best])
                    best = c;
            correct += best == labels[k];
            out.differ += best != fileResult.predictions[start + k];
        }
    }
    out.images = static_cast<int64_t>(test.size());
    out.modelAccuracy = out.images ? static_cast<double>(correct) / static_cast<double>(out.images) : 0.0;
    out.fileAccuracy = fileResult.accuracy();
    return true;
}

} // namespace qnn::cli
