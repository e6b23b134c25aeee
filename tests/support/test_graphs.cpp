#include "support/test_graphs.h"

#include "core/graph/graph_json.h"

#include <QtGlobal>

#include <nlohmann/json.hpp>

namespace qnn::test {

Graph graphFromText(const char* json)
{
    Graph g;
    std::string error;
    if (!graphFromJson(nlohmann::json::parse(json), g, error))
        qFatal("test graph does not load: %s", error.c_str());
    return g;
}

Graph smallBnn(int lastWeightBits)
{
    nlohmann::json j = nlohmann::json::parse(R"({
  "nodes": [
    {"id": 1, "kind": "Input", "name": "in", "attrs": {"shape": [784]}, "act_bits": 1},
    {"id": 2, "kind": "Dense", "name": "fc1", "attrs": {"units": 64, "bias": false}, "weight_bits": 1},
    {"id": 3, "kind": "BatchNorm", "name": "bn1"},
    {"id": 4, "kind": "Activation", "name": "act1", "attrs": {"function": "sign"}, "act_bits": 1},
    {"id": 6, "kind": "Dense", "name": "fc2", "attrs": {"units": 10, "bias": false}, "weight_bits": 1},
    {"id": 7, "kind": "BatchNorm", "name": "bn2"},
    {"id": 8, "kind": "Output", "name": "out", "attrs": {"classes": 10}}
  ],
  "edges": [{"from": 1, "to": 2}, {"from": 2, "to": 3}, {"from": 3, "to": 4}, {"from": 4, "to": 6},
            {"from": 6, "to": 7}, {"from": 7, "to": 8}]
})");
    j["nodes"][4]["weight_bits"] = lastWeightBits;
    return graphFromText(j.dump().c_str());
}

} // namespace qnn::test
