#pragma once

// Graphs for tests, from JSON text (the project file's "graph" form).
#include "core/graph/graph.h"

namespace qnn::test {

/** Parses a graph; a graph that does not load ends the test (qFatal) with why. */
Graph graphFromText(const char* json);

/** A binary MLP: Input 784 → Dense 64 (W1) → BatchNorm → Sign (A1) → Dense 10
 *  (`lastWeightBits`) → BatchNorm → Output. Node ids 1, 2, 3, 4, 6, 7, 8. */
Graph smallBnn(int lastWeightBits = 1);

} // namespace qnn::test
