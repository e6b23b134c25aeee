#pragma once

#include "core/graph/attr_value.h"
#include "core/graph/layer_kind.h"
#include "core/graph/node.h"
#include "core/graph/tensor_type.h"

#include <functional>
#include <string>
#include <vector>

namespace qnn {

enum class AttrType { Int, Float, Bool, Enum, IntList };

/** Declaration of one attribute: its type, default, range and a line of doc.
 *  The inspector builds its editors from this, validation checks against it. */
struct AttrSpec {
    std::string name;
    AttrType type = AttrType::Int;
    AttrValue defaultValue;
    double min = 0;
    double max = 0;
    /** Enum: the allowed strings. */
    std::vector<std::string> choices;
    /** IntList: allowed lengths. */
    std::vector<size_t> listLengths;
    std::string doc;
    /** A file must give it: its default would silently change the network
     *  (a Dense whose "units" is lost must not become 64 units). */
    bool required = false;
    /** Non-empty: a file without it still loads with the default, but
     *  `qnnw check` warns, naming the node, the key and the value used, and
     *  this says why a user might have expected another value. For defaults
     *  that are documented but not the one everyone would guess (PyTorch's
     *  Dropout drops half, ours a fifth). Empty and not required: the default
     *  is the obvious one (a Conv2D's stride 1) and is taken silently. */
    std::string absentNote;
    /** Written to a file even when it has its default. False for attributes
     *  added later, so that files written before them stay byte-stable. */
    bool writtenWhenDefault = true;
};

/** Result of shape inference for one node: a type, or a sentence saying why not. */
struct InferResult {
    bool ok = false;
    TensorType type;
    std::string error;
    /** The failure is a flat input where an image is needed; the analysis,
     *  which sees the graph, says what to change upstream. */
    bool needsImage = false;

    static InferResult success(TensorType t) { return {true, std::move(t), {}, false}; }
    static InferResult failure(std::string e) { return {false, {}, std::move(e), false}; }
};

using InferFn = std::function<InferResult(const Node& node, const std::vector<TensorType>& inputs)>;

/** The one declaration of a layer kind: palette, inspector, validation, the
 *  torch builder and the packer all read it. */
struct LayerSpec {
    LayerKind kind = LayerKind::Input;
    std::string name;
    /** Palette group: Inputs, Layers, Quantization, Pooling, Merge, Outputs. */
    std::string category;
    std::string doc;
    /** Fixed number of input ports, or -1 when the Int attribute named in
     *  inputCountAttr sets it (Concat). */
    int inputs = 1;
    std::string inputCountAttr;
    int outputs = 1;
    std::vector<AttrSpec> attrs;
    /** Dense and Conv2D: the node's weight bit-width means something. */
    bool hasWeights = false;
    /** Input, Activation, QuantAct: the node's activation bit-width means something. */
    bool hasActivationBits = false;
    /** Bits a new node of this kind starts with. */
    QuantSpec defaultQuant;
    InferFn infer;

    const AttrSpec* attr(const std::string& name) const;
    int inputCount(const Node& node) const;
};

/** Why `value` may not go into the attribute `spec` declares (wrong type, out
 *  of range, not a choice, wrong length), as words after the layer's name
 *  ("units is 0, out of range (allowed 1 to 65536)"); empty when it may. The
 *  one check of an attribute value: the analysis and the editor both ask it. */
std::string attributeProblem(const AttrSpec& spec, const AttrValue& value);

/** Read-only table of every layer kind; constant data, built once. */
class LayerRegistry
{
public:
    static const std::vector<LayerSpec>& all();
    static const LayerSpec& spec(LayerKind kind);
    /** The palette's groups, in display order. */
    static const std::vector<std::string>& categories();
    /** A node of this kind with every attribute at its default. */
    static Node makeNode(LayerKind kind, NodeId id = kInvalidNode, const std::string& name = {});
};

} // namespace qnn
