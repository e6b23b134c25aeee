#pragma once
// Builds ONNX files in the shapes real exporters write, for tst_qonnx.

#include "core/onnx/onnx_proto.h"

#include <string>
#include <vector>

namespace qonnx_test {

/** A model under construction; every helper returns the name it made. */
class FileBuilder
{
public:
    FileBuilder(int irVersion, const std::string& quantDomain, int opset = 11)
        : m_domain(quantDomain)
    {
        m_model.set_ir_version(irVersion);
        m_model.set_producer_name("tst_qonnx");
        auto* o = m_model.add_opset_import();
        o->set_domain("");
        o->set_version(opset);
        if (!quantDomain.empty()) {
            auto* q = m_model.add_opset_import();
            q->set_domain(quantDomain);
            q->set_version(1);
        }
        m_model.mutable_graph()->set_name("test");
    }

    /** Initializers also listed as graph inputs, as older IR versions did. */
    bool initializersAsInputs = false;

    void input(const std::string& name, const std::vector<int64_t>& dims) { valueInfo(m_model.mutable_graph()->add_input(), name, dims); }
    void output(const std::string& name, const std::vector<int64_t>& dims) { valueInfo(m_model.mutable_graph()->add_output(), name, dims); }

    std::string init(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values)
    {
        *m_model.mutable_graph()->add_initializer() =
            qnn::onnx_io::tensorToProto(name, qnn::onnx_io::Tensor::ofFloats(dims, values));
        if (initializersAsInputs)
            valueInfo(m_model.mutable_graph()->add_input(), name, dims);
        return name;
    }
    std::string initInts(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& values)
    {
        *m_model.mutable_graph()->add_initializer() =
            qnn::onnx_io::tensorToProto(name, qnn::onnx_io::Tensor::ofInts(dims, values));
        return name;
    }
    std::string scalar(const std::string& name, float v) { return init(name, {}, {v}); }

    onnx::NodeProto& node(const std::string& op, const std::string& name, const std::vector<std::string>& in,
                          const std::string& out, const std::string& domain = "")
    {
        onnx::NodeProto& n = *m_model.mutable_graph()->add_node();
        n.set_op_type(op);
        n.set_name(name);
        n.set_domain(domain);
        for (const auto& s : in)
            n.add_input(s);
        n.add_output(out);
        return n;
    }

    /** x → Quant (n bits) or BipolarQuant (bits 1) in the builder's domain. */
    std::string quant(const std::string& name, const std::string& x, int bits, float scale, bool isSigned = true,
                      bool narrow = true, float zeropt = 0.0f)
    {
        if (bits == 1)
            return node("BipolarQuant", name, {x, scalar(name + ".scale", scale)}, name + "_out", m_domain).output(0);
        auto& n = node("Quant", name,
                       {x, scalar(name + ".scale", scale), scalar(name + ".zeropt", zeropt),
                        scalar(name + ".bitwidth", static_cast<float>(bits))},
                       name + "_out", m_domain);
        attr(n, "signed", isSigned ? 1 : 0);
        attr(n, "narrow", narrow ? 1 : 0);
        attrS(n, "rounding_mode", "ROUND");
        return n.output(0);
    }

    static void attr(onnx::NodeProto& n, const std::string& name, int64_t v) { qnn::onnx_io::setAttr(n, name, v); }
    static void attrF(onnx::NodeProto& n, const std::string& name, float v) { qnn::onnx_io::setAttr(n, name, v); }
    static void attrS(onnx::NodeProto& n, const std::string& name, const std::string& v)
    {
        qnn::onnx_io::setAttr(n, name, v);
    }
    static void attrs(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v)
    {
        qnn::onnx_io::setAttr(n, name, v);
    }

    onnx::ModelProto& model() { return m_model; }
    const std::string& domain() const { return m_domain; }

    bool save(const std::string& path)
    {
        std::string error;
        return qnn::onnx_io::writeModel(path, m_model, error);
    }

private:
    static void valueInfo(onnx::ValueInfoProto* vi, const std::string& name, const std::vector<int64_t>& dims)
    {
        vi->set_name(name);
        auto* t = vi->mutable_type()->mutable_tensor_type();
        t->set_elem_type(onnx::TensorProto::FLOAT);
        for (int64_t d : dims)
            t->mutable_shape()->add_dim()->set_dim_value(d);
    }

    onnx::ModelProto m_model;
    std::string m_domain;
};

} // namespace qonnx_test
