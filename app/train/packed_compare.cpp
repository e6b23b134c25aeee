#include "app/cli/packed_compare.h"

#include "app/cli/cli_command.h"
#include "app/cli/run_folder.h"

#include "core/data/transforms.h"
#include "core/pack/layer_compare.h"
#include "core/project/project.h"
#include "core/run/run_project.h"
#include "core/train/float_model.h"
#include "core/weights/weight_file.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

namespace fs = std::filesystem;

namespace qnn::cli {

namespace {

int fail(const std::string& message, bool json)
{
    if (json)
        std::cout << nlohmann::json{{"event", "error"}, {"message", message}}.dump() << std::endl;
    std::fprintf(stderr, "qnnw: %s\n", message.c_str());
    return 1;
}

// The project a run folder belongs to: runs/<run>/ sits beside the project file.
bool findProjectOfRun(const std::string& runDir, std::string& projectPath, std::string& error)
{
    const fs::path runs = fs::absolute(runDir).lexically_normal().parent_path();
    const fs::path dir = runs.parent_path();
    const std::string runName = fs::absolute(runDir).lexically_normal().filename().string();
    std::vector<std::string> candidates;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".qnnproj")
            candidates.push_back(e.path().string());
    std::sort(candidates.begin(), candidates.end());
    for (const std::string& c : candidates) {
        Project p;
        std::string why;
        if (loadProject(c, p, why) && std::find(p.runs.begin(), p.runs.end(), runName) != p.runs.end()) {
            projectPath = c;
            return true;
        }
    }
    if (candidates.size() == 1) {
        projectPath = candidates.front();
        return true;
    }
    error = "cannot tell which project run " + runDir + " belongs to (" + std::to_string(candidates.size()) +
            " project files in " + dir.string() + "); give --project";
    return false;
}

} // namespace

int comparePacked(const std::string& packedDir, const pack::IntegerEngine& engine, const ImageSet& images,
                  const std::string& run, const std::string& projectPath, const std::string& epoch, bool json)
{
    std::string error, runDir, projectFile = projectPath;
    std::error_code ec;
    if (projectFile.empty()) {
        if (!fs::is_directory(run, ec))
            return fail("run folder " + run + " does not exist (give the run's folder, or --project with a run name)",
                        json);
        runDir = run;
        if (!findProjectOfRun(runDir, projectFile, error))
            return fail(error, json);
    }
    Project opened;
    if (!loadProject(projectFile, opened, error))
        return fail(error, json);
    if (runDir.empty() && !findRunFolder(run, projectFolderOf(projectFile), runDir, error))
        return fail(error, json);
    // The float side runs the graph the run trained, as the packer packed it.
    Project project;
    if (!projectOfRun(runDir, opened, project, error))
        return fail(error, json);
    WeightFile weights;
    const std::string weightPath = (fs::path(runDir) / (epoch == "last" ? kWeightFileLast : kWeightFileBest)).string();
    if (!readWeightFile(weightPath, weights, error))
        return fail(error, json);
    FloatModel model;
    if (!model.load(project.graph, weights, error))
        return fail(error, json);
    std::vector<pack::LayerProbe> probes;
    if (!pack::layerProbes(project.graph, engine.net(), probes, error))
        return fail(packedDir + " does not come from run " + runDir + ": " + error, json);
    if (model.inputSize() != int64_t(images.imageBytes()))
        return fail("the run's model takes " + std::to_string(model.inputSize()) + " values per image, the images have " +
                        std::to_string(images.imageBytes()),
                    json);

    std::map<NodeId, size_t> indexOf;
    for (size_t i = 0; i < model.order().size(); ++i)
        indexOf[model.order()[i]] = i;
    NodeId outputNode = kInvalidNode;
    for (const auto& [id, node] : project.graph.nodes())
        if (node.kind == LayerKind::Output)
            outputNode = id;
    int inputBits = 32;
    for (const auto& [id, node] : project.graph.nodes())
        if (node.kind == LayerKind::Input)
            inputBits = node.quant.actBits;
    const Transform transform = defaultTransform(project.dataset.name, inputBits, false);

    pack::LayerComparison comparison(probes);
    const size_t batch = 250, per = images.imageBytes();
    std::vector<float> floats;
    std::vector<int64_t> labels, indices;
    std::vector<std::vector<float>> outputs;
    std::vector<int8_t> codes(size_t(engine.inputSize()));
    for (size_t start = 0; start < images.size(); start += batch) {
        const size_t n = std::min(batch, images.size() - start);
        indices.resize(n);
        for (size_t i = 0; i < n; ++i)
            indices[i] = int64_t(start + i);
        floats.resize(n * per);
        labels.resize(n);
        fillBatch(images, indices.data(), n, transform, 0, floats.data(), labels.data());
        model.forwardAll(floats.data(), int64_t(n), outputs);
        for (size_t i = 0; i < n; ++i) {
            std::vector<const float*> codeValues(probes.size(), nullptr), preValues(probes.size(), nullptr);
            for (size_t p = 0; p < probes.size(); ++p) {
                if (probes[p].codeNode == kInvalidNode)
                    continue;
                const std::vector<float>& c = outputs[indexOf[probes[p].codeNode]];
                const std::vector<float>& q = outputs[indexOf[probes[p].preNode]];
                codeValues[p] = c.data() + i * (c.size() / n);
                preValues[p] = q.data() + i * (q.size() / n);
            }
            const std::vector<float>& out = outputs[indexOf[outputNode]];
            const size_t classes = out.size() / n;
            const float* o = out.data() + i * classes;
            const int floatClass = int(std::max_element(o, o + classes) - o);
            engine.encode(images.image(start + i), codes.data());
            pack::EngineTrace trace;
            const int intClass = engine.classify(codes.data(), &trace);
            comparison.add(start + i, images.labels[start + i], floatClass, codeValues, preValues, trace, intClass);
        }
    }
    if (json) {
        nlohmann::json j = comparison.toJson();
        j["event"] = "compare";
        j["folder"] = packedDir;
        j["run"] = runDir;
        j["project"] = projectFile;
        std::cout << j.dump() << std::endl;
    } else {
        std::cout << comparison.toText();
    }
    return 0;
}

} // namespace qnn::cli
