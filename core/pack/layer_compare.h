#pragma once

#include "core/graph/graph.h"
#include "core/pack/integer_engine.h"
#include "core/pack/packed_net.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace qnn::pack {

/** Where one packed layer's thresholded codes appear in the float model: the
 *  activation node after the matrix node (value = code × scale), and the node
 *  before it (the batch-normed value the thresholds stand for). */
struct LayerProbe {
    std::string layer;
    NodeId matrixNode = kInvalidNode;
    NodeId codeNode = kInvalidNode; // kInvalidNode: the last layer (compared by class)
    NodeId preNode = kInvalidNode;
    double scale = 1.0;
    bool bipolar = true;
    /** Level boundaries of the activation in float units (a tie is a value on one). */
    std::vector<double> boundaries;
    bool conv = false;
    int64_t channels = 0;
    int64_t dim = 1;
};

/** The probes of a packed net made from this graph (layers matched by name);
 *  false with a sentence when the packed folder is not of this graph. */
bool layerProbes(const Graph& graph, const PackedNet& net, std::vector<LayerProbe>& probes, std::string& error);

/** Float vs integer, layer by layer, image by image. */
class LayerComparison
{
public:
    explicit LayerComparison(std::vector<LayerProbe> probes);

    /** One image. `codeValues[i]` and `preValues[i]`: the float outputs (C×H×W)
     *  of probe i's nodes for this image (nullptr for the last layer). */
    void add(size_t image, int label, int floatClass, const std::vector<const float*>& codeValues,
             const std::vector<const float*>& preValues, const EngineTrace& trace, int intClass);

    /** {"images", "agree", "agreement", "first_differing_layer", "layers": [{"layer", "node",
     *  "elements", "differing", "ties", "images_differing", "first_images"}], "differing_images":
     *  [{"image", "label", "float", "integer"}]}. */
    nlohmann::json toJson() const;
    std::string toText() const;

private:
    struct Tally {
        int64_t elements = 0;
        int64_t differing = 0;
        int64_t ties = 0;
        int64_t imagesDiffering = 0;
        std::vector<size_t> firstImages;
    };
    struct ImageDiff {
        size_t image;
        int label, floatClass, intClass;
    };
    std::vector<LayerProbe> m_probes;
    std::vector<Tally> m_tallies;
    std::vector<ImageDiff> m_differing;
    size_t m_images = 0;
    size_t m_agree = 0;
};

} // namespace qnn::pack
