#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace qnn {

/** Runs a QONNX file as written: every node with the float semantics of its
 *  ONNX or QONNX operator (Quant, BipolarQuant, Trunc), no mapping onto the
 *  workbench's layers. `qnnw eval-onnx` uses it to say what a file computes,
 *  so that import and integer engine can be checked against the file itself. */
class QonnxInterpreter
{
public:
    QonnxInterpreter();
    ~QonnxInterpreter();
    QonnxInterpreter(const QonnxInterpreter&) = delete;
    QonnxInterpreter& operator=(const QonnxInterpreter&) = delete;

    /** False with a sentence: not ONNX, a node it cannot run (naming it), a missing initializer. */
    bool load(const std::string& path, std::string& error);
    /** The input's shape with batch 1 (e.g. 1×1×28×28). */
    const std::vector<int64_t>& inputShape() const;
    /** Values per image. */
    int64_t inputSize() const;
    /** One image (inputSize() floats) through the graph: the output's values. */
    bool run(const float* input, std::vector<float>& output, std::string& error) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace qnn
