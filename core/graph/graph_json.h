#pragma once

#include "core/graph/diagnostic.h"
#include "core/graph/graph.h"

#include <nlohmann/json.hpp>
#include <string>

namespace qnn {

/** The one serializer of a graph: project files, the editor's clipboard and
 *  undo snapshots all use it, so they cannot drift apart. Nodes come out
 *  sorted by id and edges sorted, so the same graph gives the same bytes. */
nlohmann::json graphToJson(const Graph& graph);
nlohmann::json nodeToJson(const Node& node);

/** Reads a graph written by graphToJson (or by hand). On failure returns
 *  false and sets error to a sentence naming the place, such as
 *  "graph.nodes[3].kind: unknown layer kind 'Dens'". `where` prefixes paths. */
bool graphFromJson(const nlohmann::json& json, Graph& out, std::string& error, const std::string& where = "graph",
                   std::vector<Diagnostic>* defaulted = nullptr);
/** `defaulted`, when given, receives a warning for each attribute the node
 *  lacks whose default a user might not expect (AttrSpec::absentNote). */
bool nodeFromJson(const nlohmann::json& json, Node& out, std::string& error, const std::string& where,
                  std::vector<Diagnostic>* defaulted = nullptr);

/** The JSON type of a value in words ("a string", "an object"), for messages. */
std::string jsonTypeName(const nlohmann::json& value);

} // namespace qnn
