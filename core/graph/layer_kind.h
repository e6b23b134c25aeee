#pragma once

#include <optional>
#include <string>
#include <vector>

namespace qnn {

enum class LayerKind {
    Input,
    Dense,
    Conv2D,
    MaxPool,
    AvgPool,
    BatchNorm,
    Activation,
    QuantAct,
    Dropout,
    Flatten,
    Add,
    Concat,
    Output,
};

/** Every kind, in the registry's order. */
const std::vector<LayerKind>& allLayerKinds();
/** "Dense", as written in project files. */
std::string layerKindName(LayerKind kind);
std::optional<LayerKind> layerKindFromName(const std::string& name);

} // namespace qnn
