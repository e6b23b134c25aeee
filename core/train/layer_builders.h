#pragma once

#include "core/graph/kind_table.h"

namespace qnn {

/** The torch builder's table of layer kinds (core/train/graph_model.cpp), torch-free. */
const KindCoverage& torchBuilderKinds();

} // namespace qnn
