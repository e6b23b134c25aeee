#include "core/pack/packer.h"

#include "core/pack/pack_kinds.h"
#include "core/hw/dataflow.h"
#include "core/quant/quantization.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qnn::pack {

namespace {


/** What follows a matrix node up to the next one: the folded affine map and the output levels. */
struct Tail {
    const NodeWeights* batchNorm = nullptr;
    /** The graph's BatchNorm node after the matrix, whether or not the weight file has it. */
    std::string batchNormName;
    double eps = 1e-5;
    bool activated = false;
    QuantLevels levels;
    bool poolAfter = false;
    bool poolBeforeNorm = false;
    int poolK = 2, poolStride = 2;
};

NodeId nextInChain(const Graph& g, NodeId id)
{
    const std::vector<Edge> out = g.outEdges(id);
    return out.size() == 1 ? out[0].toNode : kInvalidNode;
}

void tailBatchNorm(Tail& t, NodeId id, const Node& n, const WeightFile& wf)
{
    if (!t.batchNormName.empty() || t.activated)
        return;
    t.batchNormName = n.name;
    t.batchNorm = wf.find(id);
    t.eps = n.attrFloat("eps");
    if (t.batchNorm) {
        auto it = t.batchNorm->scalars.find("eps");
        if (it != t.batchNorm->scalars.end())
            t.eps = it->second;
    }
    if (t.poolAfter)
        t.poolBeforeNorm = true;
}

// What follows a unit up to the next one, by each kind's role in the packer's table.
Tail readTail(const Graph& g, const WeightFile& wf, NodeId matrix)
{
    Tail t;
    for (NodeId id = nextInChain(g, matrix); id != kInvalidNode; id = nextInChain(g, id)) {
        const Node& n = *g.node(id);
        const PackRole* role = packRoles().handler(n.kind);
        if (!role)
            continue; // refused kinds: the cost model stops the graph before the packer
        switch (*role) {
        case PackRole::Unit:
        case PackRole::End:
            return t;
        case PackRole::BatchNorm:
            tailBatchNorm(t, id, n, wf);
            break;
        case PackRole::Activation:
            if (!t.activated) {
                t.activated = true;
                t.levels = activationFunctionLevels(n.attrString("function"), n.quant.actBits);
            }
            break;
        case PackRole::QuantAct:
            if (!t.activated) {
                t.activated = true;
                t.levels = activationLevels(n.quant.actBits, n.attrBool("signed"), n.attrFloat("range"),
                                            n.attrBool("narrow"));
            }
            break;
        case PackRole::MaxPool:
            t.poolAfter = true;
            t.poolK = int(n.attrInt("kernel"));
            t.poolStride = int(n.attrInt("stride"));
            break;
        case PackRole::Skip:
            break;
        }
    }
    return t;
}

const std::vector<float>* tensorValues(const NodeWeights* w, const char* name, size_t count)
{
    if (!w)
        return nullptr;
    const WeightTensor* t = w->find(name);
    return t && t->values.size() == count ? &t->values : nullptr;
}

} // namespace

std::vector<std::string> classLabels(const std::string& dataset, int64_t classes)
{
    static const std::vector<std::string> cifar{"Airplane", "Automobile", "Bird", "Cat",  "Deer",
                                                "Dog",      "Frog",       "Horse", "Ship", "Truck"};
    if (dataset == "cifar10" && classes == 10)
        return cifar;
    std::vector<std::string> out;
    for (int64_t i = 0; i < classes; ++i)
        out.push_back(std::to_string(i));
    return out;
}

namespace {

// The stream between two units: its image (0: flat) and the scale of one input code.
struct Stream {
    int64_t dim = 0;
    int64_t channels = 0;
    double scale = 1.0;
    // The largest magnitude of an input code: 2^(n-1) where the levels go one
    // below -(2^(n-1)-1) (narrow off), which bounds the accumulator.
    int64_t magnitude = 1;
};

// The graph must be a dataflow pipeline and the folding must fit it.
bool checkPackable(const Dataflow& df, const Folding& folding, std::string& error)
{
    if (!df.ok()) {
        error = df.problems.front().message;
        return false;
    }
    const std::vector<Diagnostic> foldProblems = checkFolding(df, folding);
    if (!foldProblems.empty()) {
        error = "the folding does not fit: " + foldProblems.front().message;
        return false;
    }
    return true;
}

// The network's frame and how its pixels become the first unit's codes.
PackedNet packInput(const Dataflow& df, const PackRequest& request, Stream& stream)
{
    PackedNet net;
    net.network = request.network;
    net.dataset = request.dataset;
    const Shape& in = df.inputShape;
    if (in.size() == 3)
        net.channels = int(in[0]), net.height = int(in[1]), net.width = int(in[2]);
    else
        net.channels = 1, net.height = 1, net.width = int(shapeSize(in));
    net.input.bits = df.inputBits;
    const QuantLevels inputL = inputLevels(df.inputBits, df.inputNarrow);
    net.input.scale = df.inputBits == 1 ? 1.0 : inputL.scale;
    net.input.rounding = "half-even";
    net.input.narrow = df.inputBits == 1 || df.inputNarrow;
    stream.scale = net.input.scale;
    stream.magnitude = df.inputBits == 1 ? 1 : std::max(-inputL.minLevel, inputL.maxLevel);
    if (in.size() == 3 && df.layers.front().kind == LayerKind::Conv2D)
        stream.channels = in[0], stream.dim = in[1];
    return net;
}

// The unit's shape: padded rows and columns, fold, window, pool.
bool packShape(const MatrixLayer& ml, const LayerFold& fold, const Tail& tail, PackedLayer& l, std::string& error)
{
    if (ml.kind == LayerKind::Conv2D && (ml.pad > 0 || ml.ifmH != ml.ifmW)) {
        error = ml.name + ": the packer takes square images and unpadded convolutions (the sliding-window "
                          "unit of the overlays has no zero padding); set its padding to 0";
        return false;
    }
    if (tail.poolBeforeNorm) {
        error = ml.name + ": a MaxPool between the layer and its BatchNorm cannot become thresholds; put the "
                          "MaxPool after the activation";
        return false;
    }
    const PaddedShape ps = paddedShape(ml, fold);
    l.name = ml.name;
    l.conv = ml.kind == LayerKind::Conv2D;
    l.rows = ml.mh;
    l.cols = ml.mw;
    l.mh = ps.mh;
    l.mw = ps.mw;
    l.pe = fold.pe;
    l.simd = fold.simd;
    l.weightBits = ml.weightBits;
    l.inputBits = ml.inputBits;
    l.k = ml.k;
    l.stride = ml.stride;
    l.ifmCh = ml.ifmCh;
    l.ifmDim = ml.ifmH;
    l.ofmDim = ml.ofmH;
    l.poolAfter = tail.poolAfter;
    l.poolK = tail.poolK;
    l.poolStride = tail.poolStride;
    return true;
}

// For each column of the stream, the graph weight's column it takes.
std::vector<int64_t> streamColumnOrder(const MatrixLayer& ml, const Stream& stream)
{
    auto graphColumn = [&](int64_t c) -> int64_t {
        if (ml.kind == LayerKind::Conv2D) { // stream (ky*K + kx)*C + ch ← torch [ch][ky][kx]
            const int64_t ch = c % ml.ifmCh, kk = c / ml.ifmCh;
            return ch * ml.k * ml.k + kk;
        }
        if (stream.dim > 1) { // stream (y*D + x)*C + ch ← flatten ch*D*D + y*D + x
            const int64_t ch = c % stream.channels, px = c / stream.channels;
            return ch * stream.dim * stream.dim + px;
        }
        return c;
    };
    std::vector<int64_t> fromGraph(size_t(ml.mw));
    for (int64_t c = 0; c < ml.mw; ++c)
        fromGraph[c] = graphColumn(c);
    return fromGraph;
}

// The float tensors a unit folds: its weights, bias and the batch norm after it.
struct UnitTensors {
    const std::vector<float>* weight = nullptr;
    const std::vector<float>* bias = nullptr;
    const std::vector<float>* gamma = nullptr;
    const std::vector<float>* beta = nullptr;
    const std::vector<float>* mean = nullptr;
    const std::vector<float>* var = nullptr;
    bool batchNorm = false;
};

bool readUnitWeights(const MatrixLayer& ml, const WeightFile& weights, UnitTensors& t, std::string& error)
{
    t.weight = tensorValues(weights.find(ml.node), "weight", size_t(ml.mh * ml.mw));
    if (!t.weight) {
        error = "the weight file has no weights of the right size for " + ml.name + " (" + std::to_string(ml.mh) +
                "×" + std::to_string(ml.mw) + ")";
        return false;
    }
    return true;
}

bool readBiasAndNorm(const MatrixLayer& ml, const Node& node, const WeightFile& weights, const Tail& tail,
                     UnitTensors& t, std::string& error)
{
    const NodeWeights* nw = weights.find(ml.node);
    t.bias = node.attrBool("bias") ? tensorValues(nw, "bias", size_t(ml.mh)) : nullptr;
    if (node.attrBool("bias") && !t.bias) {
        error = "the weight file has no bias of " + std::to_string(ml.mh) + " values for " + ml.name +
                ": it does not belong to this graph";
        return false;
    }
    const NodeWeights* bn = tail.batchNorm;
    // A batch norm the graph has but the weight file lacks would be left out silently, and the packed
    // model would score far below the trained one.
    if (!tail.batchNormName.empty() && !bn) {
        error = "the weight file has no tensors for the batch norm " + tail.batchNormName + " after " + ml.name +
                ": it does not belong to this graph (train the run again, or pick the right run)";
        return false;
    }
    t.batchNorm = bn != nullptr;
    t.gamma = tensorValues(bn, "weight", size_t(ml.mh));
    t.beta = tensorValues(bn, "bias", size_t(ml.mh));
    t.mean = tensorValues(bn, "running_mean", size_t(ml.mh));
    t.var = tensorValues(bn, "running_var", size_t(ml.mh));
    if (bn && !(t.gamma && t.beta && t.mean && t.var)) {
        error = "the batch norm after " + ml.name + " lacks weight, bias, running_mean or running_var of " +
                std::to_string(ml.mh) + " values in the weight file";
        return false;
    }
    return true;
}

// The unit's output levels and how many thresholds a row has: the activation
// after it, or one bipolar threshold on an MLP's last layer, or none.
bool outputLevels(const MatrixLayer& ml, const Tail& tail, bool thresholdedMlp, PackedLayer& l, QuantLevels& outLevels,
                  std::string& error)
{
    const bool thresholded = tail.activated || thresholdedMlp;
    outLevels = tail.activated ? tail.levels : activationLevels(1, true, 1.0);
    const int64_t levelCount = outLevels.isBipolar() ? 2 : outLevels.levelCount();
    if (thresholded && (outLevels.isFloat() || levelCount < 2)) {
        error = ml.name + ": its activation is not quantized, so it has no integer thresholds";
        return false;
    }
    l.thresholdsPerRow = thresholded ? int(levelCount - 1) : 0;
    l.bipolarOutput = thresholded && outLevels.isBipolar();
    l.outputBase = outLevels.isBipolar() ? -1 : int(outLevels.minLevel);
    l.popcount = ml.weightBits == 1 && ml.inputBits == 1 && l.bipolarOutput;
    return true;
}

// Weight codes, integer thresholds and (last unit) class scores, row by row:
// y = a * acc + b folds scale, bias and batch norm; a negative slope negates the row.
void foldRows(const MatrixLayer& ml, const Tail& tail, const UnitTensors& t, const std::vector<int64_t>& fromGraph,
              const QuantLevels& outLevels, double inScale, int64_t inMagnitude, PackedLayer& l)
{
    const std::vector<float>& w = *t.weight;
    const QuantLevels wl = weightLevelsOf(ml.weightBits, w.data(), w.size());
    const double wScale = ml.weightBits == 1 ? 1.0 : wl.scale;
    const bool binaryIn = ml.inputBits == 1, binaryW = ml.weightBits == 1;
    const int8_t padWeight = binaryW ? 1 : 0;
    l.weights.assign(size_t(l.mh * l.mw), padWeight);
    const bool last = ml.last;
    const int64_t npad = l.mw - l.cols;
    // Σ w_pad * x_pad: a padded binary column adds (+1)(-1); n-bit pads add 0.
    const int64_t padContribution = (binaryW && binaryIn) ? -npad : 0;
    // |acc| ≤ columns × the largest weight code × the largest input code (the
    // input's -2^(n-1) when not narrow). A threshold at `never` must lie beyond it.
    const int64_t maxAcc = l.mw * std::max<int64_t>({1, wl.maxLevel, -wl.minLevel}) *
                           (binaryIn ? 1 : std::max<int64_t>(1, inMagnitude));
    const int64_t never = maxAcc < 32767 ? 32767 : std::numeric_limits<int32_t>::max();
    l.thresholds.assign(size_t(l.mh * l.thresholdsPerRow), never);
    if (last) {
        l.scoreScale.resize(size_t(l.rows));
        l.scoreBias.resize(size_t(l.rows));
    }
    for (int64_t r = 0; r < ml.mh; ++r) {
        // y = a * acc + b, acc = Σ w_code x_code over the real columns.
        double a = wScale * inScale, b = t.bias ? (*t.bias)[r] : 0.0;
        if (t.batchNorm) {
            const double sigma = std::sqrt(double((*t.var)[r]) + tail.eps);
            const double g = (*t.gamma)[r] / sigma;
            a *= g;
            b = g * (b - (*t.mean)[r]) + (*t.beta)[r];
        }
        const int sign = a < 0 ? -1 : 1; // a negative slope: negate the row
        const float* src = w.data() + r * ml.mw;
        for (int64_t c = 0; c < ml.mw; ++c) {
            const int64_t code = binaryW ? (src[fromGraph[c]] >= 0 ? 1 : -1) : quantizeToLevel(src[fromGraph[c]], wl);
            l.weights[r * l.mw + c] = static_cast<int8_t>(sign * code);
        }
        const double slope = std::fabs(a);
        // acc' = sign * acc; hardware accumulator h: popcount → acc' = 2h - cols; dot → acc' = h - pad.
        for (int q = 0; q < l.thresholdsPerRow; ++q) {
            const double boundary = outLevels.isBipolar() ? 0.0 : (outLevels.minLevel + q + 0.5) * outLevels.scale;
            int64_t T;
            if (slope == 0) {
                T = b >= boundary ? -never - 1 : never;
            } else {
                const double th = (boundary - b) / slope; // fires when acc' >= th
                const double h = l.popcount ? (th + double(l.cols)) / 2.0 : th + double(padContribution);
                const double c = std::ceil(h) - 1.0;
                T = c >= double(never) ? never : c <= double(-never - 1) ? -never - 1 : int64_t(c);
            }
            l.thresholds[r * l.thresholdsPerRow + q] = T;
        }
        if (last) {
            // score = slope * acc' + b in terms of the hardware accumulator h.
            const double sc = slope == 0 ? 0.0 : slope;
            if (l.popcount) {
                l.scoreScale[r] = 2 * sc;
                l.scoreBias[r] = b - sc * double(l.cols);
            } else {
                l.scoreScale[r] = sc;
                l.scoreBias[r] = b - sc * double(padContribution);
            }
        }
    }
}

// The next unit's input: the scale of one code and the stream's image.
void advanceStream(const PackedLayer& l, const QuantLevels& outLevels, Stream& stream)
{
    stream.scale = l.thresholdsPerRow == 0 ? 1.0 : outLevels.scale;
    stream.magnitude = outLevels.isBipolar() ? 1 : std::max(-outLevels.minLevel, outLevels.maxLevel);
    if (l.conv) {
        stream.channels = l.mh;
        stream.dim = l.outputDim();
    } else {
        stream.channels = 0;
        stream.dim = 0;
    }
}

} // namespace

bool packGraph(const Graph& graph, const WeightFile& weights, const PackRequest& request, PackedNet& out,
               std::string& error)
{
    const Dataflow df = buildDataflow(graph);
    if (!checkPackable(df, request.folding, error))
        return false;
    Stream stream;
    PackedNet net = packInput(df, request, stream);
    for (const MatrixLayer& ml : df.layers) {
        const Tail tail = readTail(graph, weights, ml.node);
        UnitTensors tensors;
        PackedLayer l;
        QuantLevels outLevels;
        if (!readUnitWeights(ml, weights, tensors, error) ||
            !packShape(ml, *request.folding.find(ml.name), tail, l, error) ||
            !outputLevels(ml, tail, ml.last && df.isMlp(), l, outLevels, error) ||
            !readBiasAndNorm(ml, *graph.node(ml.node), weights, tail, tensors, error))
            return false;
        foldRows(ml, tail, tensors, streamColumnOrder(ml, stream), outLevels, stream.scale, stream.magnitude, l);
        advanceStream(l, outLevels, stream);
        net.layers.push_back(std::move(l));
    }
    net.classes = classLabels(request.dataset, net.layers.back().rows);
    out = std::move(net);
    return true;
}

} // namespace qnn::pack
