#pragma once

#include "core/graph/graph.h"

#include <map>
#include <string>
#include <vector>

namespace qnn {

/** Longest layer name the editor accepts. */
constexpr size_t kMaxNameLength = 64;

/** Why `name` cannot name a layer, as a sentence, or empty when it can.
 *  A name is 1 to 64 characters: ASCII letters, digits, '_', '-' and '.',
 *  starting with a letter or '_'. Names appear in run folders, packed files,
 *  exported models and on the command line; these characters survive all of
 *  them without quoting. */
std::string nameProblem(const std::string& name);

/** A distinct identifier ([A-Za-z_][A-Za-z0-9_]*) for every listed node, built
 *  from its name ("conv-1" → "conv_1"); where that is unusable or taken, from
 *  its id ("node7"), with a suffix while that is taken too. For torch modules. */
std::map<NodeId, std::string> moduleNames(const Graph& graph, const std::vector<NodeId>& order);

} // namespace qnn
