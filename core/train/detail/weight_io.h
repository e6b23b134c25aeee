#pragma once
// Torch side of the weight file: between a GraphModel and the torch-free WeightFile.

#include "core/train/detail/graph_model.h"
#include "core/weights/weight_file.h"

namespace qnn::detail {

/** Every parameter and buffer of every node (Dense/Conv2D weight and bias,
 *  BatchNorm gamma, beta, running mean and variance, eps as a scalar), copied
 *  to float32 on the CPU. */
WeightFile weightFileFromModel(const Graph& graph, GraphModel& model, int epoch, const std::string& tag);

/** Copies the file's tensors into the model. Every node of the graph that has
 *  trainable tensors must be in the file with the same kind and shapes;
 *  otherwise a sentence naming the node and what differs. */
bool loadWeightFileIntoModel(const Graph& graph, const WeightFile& file, GraphModel& model, std::string& error);

} // namespace qnn::detail
