// Structure-aware fuzzing of the QONNX importer and eval-onnx's interpreter:
// three small files in the shapes exporters write (Brevitas' constant
// subgraphs, a convolution with pooling, the onnx.brevitas domain with opset
// 9) are parsed, one to four of their parts are replaced by hostile ones
// (operator types, domains, inputs, attribute values at the integer limits,
// initializer dimensions, element types, values and external data, the graph
// input's shape, a few flipped bytes), and each result must import or be
// refused with a sentence, and run or be refused with a sentence: never a
// crash. QNN_FUZZ_CASES sets the number of cases (default 400; the asan test
// preset runs 30,000); the seed is fixed, so a failure repeats.
#include "core/onnx/onnx_proto.h"
#include "core/onnx/qonnx_import.h"
#include "core/onnx/qonnx_interpreter.h"

#include "onnx/qonnx_test_files.h"

#include <QtTest>

#include <QFile>
#include <QTemporaryDir>

#include <cstring>
#include <fstream>
#include <set>

#include <cmath>
#include <limits>
#include <random>

using qonnx_test::FileBuilder;

namespace {

int caseCount()
{
    const int fromEnv = qEnvironmentVariableIntValue("QNN_FUZZ_CASES");
    return fromEnv > 0 ? fromEnv : 400;
}

std::vector<float> values(size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.0f, 0.5f);
    std::vector<float> v(n);
    for (float& x : v)
        x = d(rng);
    return v;
}

onnx::NodeProto& quant(FileBuilder& b, const std::string& name, const std::string& x, const std::string& scale, int bits,
                       const std::string& domain)
{
    auto& n = b.node("Quant", name, {x, scale, b.scalar(name + ".zp", 0.0f), b.scalar(name + ".bits", float(bits))},
                     name + "_out", domain);
    FileBuilder::attr(n, "signed", 1);
    FileBuilder::attr(n, "narrow", 1);
    FileBuilder::attrS(n, "rounding_mode", "ROUND");
    return n;
}

// Brevitas' FC: flatten by Shape/Gather/Unsqueeze/Concat/Reshape, 2x - 1, a scale from Pow/Sub/Div.
onnx::ModelProto fcBase()
{
    const std::string d = "qonnx.custom_op.general";
    FileBuilder b(8, d, 13);
    b.input("in", {1, 1, 4, 4});
    b.node("Shape", "shape", {"in"}, "s");
    b.node("Gather", "gather", {"s", b.initInts("zero", {}, {0})}, "n");
    b.node("Unsqueeze", "unsq", {"n", b.initInts("axes", {1}, {0})}, "n1");
    FileBuilder::attr(b.node("Concat", "cat", {"n1", b.initInts("m1", {1}, {-1})}, "target"), "axis", 0);
    b.node("Reshape", "flat", {"in", "target"}, "x0");
    b.node("Mul", "mul", {"x0", b.scalar("two", 2.0f)}, "x1");
    b.node("Sub", "sub", {"x1", b.scalar("one", 1.0f)}, "x2");
    b.node("Pow", "pow", {b.scalar("base", 2.0f), b.scalar("exp", 7.0f)}, "p");
    b.node("Sub", "pm1", {"p", b.scalar("one2", 1.0f)}, "pm");
    b.node("Div", "sdiv", {b.scalar("unit", 1.0f), "pm"}, "inscale");
    quant(b, "inq", "x2", "inscale", 8, d);
    quant(b, "wq", b.init("w", {8, 16}, values(128, 1)), b.init("ws", {8, 1}, std::vector<float>(8, 0.5f)), 2, d);
    FileBuilder::attrs(b.node("Transpose", "tr", {"wq_out"}, "wt"), "perm", {1, 0});
    b.node("MatMul", "fc1", {"inq_out", "wt"}, "h");
    auto& bn = b.node("BatchNormalization", "bn", {"h", b.init("g", {8}, values(8, 2)), b.init("be", {8}, values(8, 3)),
                                                   b.init("mu", {8}, values(8, 4)), b.init("var", {8}, std::vector<float>(8, 1.0f))},
                      "hb");
    FileBuilder::attrF(bn, "epsilon", 1e-4f);
    quant(b, "aq", "hb", b.scalar("as", 1.0f), 2, d);
    b.node("Gemm", "fc2", {"aq_out", b.init("w2", {8, 3}, values(24, 5)), b.init("b2", {3}, values(3, 6))}, "y");
    b.output("y", {1, 3});
    return b.model();
}

// A convolution, BatchNorm, ReLU, an unsigned Quant, pooling, Trunc, Slice and Expand.
onnx::ModelProto convBase()
{
    const std::string d = "qonnx.custom_op.general";
    FileBuilder b(7, d, 11);
    b.input("in", {1, 2, 6, 6});
    auto& c = b.node("Conv", "conv", {"in", b.init("cw", {3, 2, 3, 3}, values(54, 7)), b.init("cb", {3}, values(3, 8))}, "c");
    FileBuilder::attrs(c, "kernel_shape", {3, 3});
    FileBuilder::attrs(c, "pads", {1, 1, 1, 1});
    FileBuilder::attrs(c, "strides", {1, 1});
    b.node("Relu", "relu", {"c"}, "r");
    auto& q = quant(b, "q", "r", b.scalar("qs", 0.25f), 3, d);
    FileBuilder::attr(q, "signed", 0);
    auto& mp = b.node("MaxPool", "mp", {"q_out"}, "m");
    FileBuilder::attrs(mp, "kernel_shape", {2, 2});
    FileBuilder::attrs(mp, "strides", {2, 2});
    auto& ap = b.node("AveragePool", "ap", {"m"}, "a");
    FileBuilder::attrs(ap, "kernel_shape", {3, 3});
    b.node("Trunc", "trunc", {"a", b.scalar("ts", 0.25f), b.scalar("tz", 0.0f), b.scalar("tib", 8.0f), b.scalar("tob", 4.0f)},
           "t", d);
    b.node("Slice", "slice", {b.init("sl", {6}, values(6, 9)), b.initInts("st", {1}, {1}), b.initInts("en", {1}, {4})}, "sv");
    b.node("Expand", "expand", {"sv", b.initInts("es", {2}, {1, 3})}, "ev");
    b.node("Flatten", "flat", {"t"}, "f");
    b.node("Add", "add", {"f", b.init("fb", {1, 3}, values(3, 10))}, "fa");
    b.node("Mul", "mulx", {"fa", b.node("Max", "mx", {"ev", b.scalar("floor", 0.1f)}, "evm").output(0)}, "y");
    b.output("y", {1, 3});
    return b.model();
}

// The onnx.brevitas domain with opset 9: initializers listed as inputs, BipolarQuant, Softmax.
onnx::ModelProto legacyBase()
{
    const std::string d = "onnx.brevitas";
    FileBuilder b(4, d, 9);
    b.initializersAsInputs = true;
    b.input("in", {1, 12});
    b.node("BipolarQuant", "inq", {"in", b.scalar("is", 1.0f)}, "x", d);
    b.node("BipolarQuant", "wq", {b.init("w", {5, 12}, values(60, 11)), b.scalar("ws", 1.0f)}, "wb", d);
    FileBuilder::attr(b.node("Gemm", "fc", {"x", "wb"}, "h"), "transB", 1);
    auto& cl = b.node("Clip", "clip", {"h"}, "hc");
    FileBuilder::attrF(cl, "min", -1.0f);
    FileBuilder::attrF(cl, "max", 1.0f);
    b.node("Constant", "k", {}, "kv").add_attribute()->CopyFrom([] {
        onnx::AttributeProto a;
        a.set_name("value_floats");
        a.set_type(onnx::AttributeProto::FLOATS);
        for (int i = 0; i < 5; ++i)
            a.add_floats(0.5f * float(i));
        return a;
    }());
    b.node("Add", "shift", {"hc", "kv"}, "hs");
    b.node("Softmax", "sm", {"hs"}, "y");
    b.output("y", {1, 5});
    return b.model();
}

class Mutator
{
public:
    explicit Mutator(unsigned seed) : m_rng(seed) {}

    void mutate(onnx::ModelProto& m)
    {
        const int count = 1 + pick(4);
        for (int k = 0; k < count; ++k) {
            switch (pick(7)) {
            case 0: mutateNodeKind(m); break;
            case 1:
            case 2: mutateAttribute(m); break;
            case 3: mutateInputs(m); break;
            case 4:
            case 5: mutateInitializer(m); break;
            default: mutateGraph(m); break;
            }
        }
    }

    std::string flipBytes(std::string bytes)
    {
        const int flips = 1 + pick(3);
        for (int k = 0; k < flips && !bytes.empty(); ++k)
            bytes[size_t(pick(int(bytes.size())))] = char(pick(256));
        return bytes;
    }

    int pick(int n) { return n <= 1 ? 0 : std::uniform_int_distribution<int>(0, n - 1)(m_rng); }

private:
    int64_t hostileInt()
    {
        static const int64_t v[] = {0, 1, -1, 2, 3, 7, -2, 1024, 65536, int64_t(1) << 31, int64_t(1) << 40,
                                    std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(), 100000};
        return v[pick(int(std::size(v)))];
    }
    float hostileFloat()
    {
        static const float v[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, 1e-30f, 1e30f, INFINITY, -INFINITY, NAN, 255.0f, 33.0f};
        return v[pick(int(std::size(v)))];
    }

    onnx::NodeProto* someNode(onnx::ModelProto& m)
    {
        auto* g = m.mutable_graph();
        return g->node_size() ? g->mutable_node(pick(g->node_size())) : nullptr;
    }

    void mutateNodeKind(onnx::ModelProto& m)
    {
        static const char* ops[] = {"Quant", "BipolarQuant", "Trunc", "MatMul", "Gemm", "Conv", "MaxPool", "AveragePool",
                                    "BatchNormalization", "Relu", "Clip", "Flatten", "Reshape", "Shape", "Gather",
                                    "Unsqueeze", "Squeeze", "Concat", "Transpose", "Mul", "Add", "Sub", "Div", "Pow",
                                    "Slice", "Expand", "ConstantOfShape", "Constant", "Softmax", "Sign", "Identity",
                                    "MultiThreshold", "Min", "Max", "Cast"};
        static const char* domains[] = {"", "qonnx.custom_op.general", "onnx.brevitas", "finn.custom_op.general", "com.x"};
        onnx::NodeProto* n = someNode(m);
        if (!n)
            return;
        if (pick(3) == 0)
            n->set_domain(domains[pick(int(std::size(domains)))]);
        else
            n->set_op_type(ops[pick(int(std::size(ops)))]);
    }

    void mutateAttribute(onnx::ModelProto& m)
    {
        static const char* names[] = {"kernel_shape", "strides", "pads", "dilations", "perm", "axis", "axes", "group",
                                      "narrow", "signed", "rounding_mode", "transB", "transA", "alpha", "beta",
                                      "epsilon", "ceil_mode", "count_include_pad", "auto_pad", "to", "min", "max",
                                      "value", "starts", "ends"};
        onnx::NodeProto* n = someNode(m);
        if (!n)
            return;
        const std::string name = names[pick(int(std::size(names)))];
        onnx::AttributeProto* a = nullptr;
        for (auto& x : *n->mutable_attribute())
            if (x.name() == name)
                a = &x;
        if (!a) {
            a = n->add_attribute();
            a->set_name(name);
        }
        switch (pick(5)) {
        case 0:
            a->set_type(onnx::AttributeProto::INT);
            a->set_i(hostileInt());
            break;
        case 1: {
            a->set_type(onnx::AttributeProto::INTS);
            a->clear_ints();
            const int len = pick(6);
            for (int k = 0; k < len; ++k)
                a->add_ints(pick(3) == 0 ? hostileInt() : pick(4));
            break;
        }
        case 2:
            a->set_type(onnx::AttributeProto::FLOAT);
            a->set_f(hostileFloat());
            break;
        case 3:
            a->set_type(onnx::AttributeProto::STRING);
            a->set_s(pick(2) ? "SAME_UPPER" : "HALF_UP");
            break;
        default:
            a->set_type(onnx::AttributeProto::TENSOR);
            *a->mutable_t() = qnn::onnx_io::tensorToProto("t", qnn::onnx_io::Tensor::ofInts({2}, {hostileInt(), 2}));
            break;
        }
    }

    void mutateInputs(onnx::ModelProto& m)
    {
        onnx::NodeProto* n = someNode(m);
        if (!n)
            return;
        const auto* g = &m.graph();
        std::vector<std::string> names{"", "nowhere", g->input(0).name()};
        for (const auto& t : g->initializer())
            names.push_back(t.name());
        for (const auto& x : g->node())
            names.push_back(x.output_size() ? x.output(0) : "");
        const std::string name = names[size_t(pick(int(names.size())))];
        switch (pick(4)) {
        case 0:
            n->add_input(name);
            break;
        case 1:
            if (n->input_size())
                n->mutable_input()->RemoveLast();
            break;
        case 2:
            if (n->input_size())
                n->set_input(pick(n->input_size()), name);
            break;
        default:
            if (n->output_size())
                n->set_output(0, name.empty() ? "fresh" : name); // may make a cycle or a second producer
            break;
        }
    }

    void mutateInitializer(onnx::ModelProto& m)
    {
        auto* g = m.mutable_graph();
        if (!g->initializer_size())
            return;
        onnx::TensorProto* t = g->mutable_initializer(pick(g->initializer_size()));
        switch (pick(6)) {
        case 0:
            if (t->dims_size())
                t->set_dims(pick(t->dims_size()), hostileInt());
            else
                t->add_dims(hostileInt());
            break;
        case 1:
            if (pick(2) && t->dims_size())
                t->mutable_dims()->RemoveLast();
            else
                t->add_dims(1 + pick(3));
            break;
        case 2: {
            std::string raw = t->raw_data();
            if (!raw.empty()) {
                if (pick(2))
                    raw.resize(size_t(pick(int(raw.size()))));
                else if (raw.size() >= 4) {
                    const float f = hostileFloat();
                    std::memcpy(&raw[4 * size_t(pick(int(raw.size() / 4)))], &f, 4);
                }
                t->set_raw_data(raw);
            }
            break;
        }
        case 3: {
            static const int types[] = {onnx::TensorProto::FLOAT, onnx::TensorProto::INT64, onnx::TensorProto::INT8,
                                        onnx::TensorProto::DOUBLE, onnx::TensorProto::FLOAT16, onnx::TensorProto::STRING,
                                        onnx::TensorProto::BOOL, 999};
            t->set_data_type(types[pick(int(std::size(types)))]);
            break;
        }
        case 4: {
            t->set_data_location(onnx::TensorProto::EXTERNAL);
            static const char* places[] = {"data.bin", "../data.bin", "/etc/passwd", "", "sub/../data.bin", "missing"};
            auto* e = t->add_external_data();
            e->set_key("location");
            e->set_value(places[pick(int(std::size(places)))]);
            if (pick(2)) {
                auto* o = t->add_external_data();
                o->set_key(pick(2) ? "offset" : "length");
                o->set_value(pick(3) ? std::to_string(hostileInt()) : "x");
            }
            break;
        }
        default:
            t->clear_raw_data();
            for (int k = pick(3); k > 0; --k)
                t->add_float_data(hostileFloat());
            break;
        }
    }

    void mutateGraph(onnx::ModelProto& m)
    {
        auto* g = m.mutable_graph();
        switch (pick(5)) {
        case 0: {
            auto* dims = g->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
            if (dims->dim_size() && pick(3))
                dims->mutable_dim(pick(dims->dim_size()))->set_dim_value(hostileInt());
            else if (pick(2) && dims->dim_size())
                dims->mutable_dim()->RemoveLast();
            else
                dims->add_dim()->set_dim_value(1 + pick(4));
            break;
        }
        case 1:
            if (g->node_size() > 1)
                g->mutable_node()->DeleteSubrange(pick(g->node_size()), 1);
            break;
        case 2:
            if (g->node_size())
                *g->add_node() = g->node(pick(g->node_size()));
            break;
        case 3:
            g->mutable_output(0)->set_name(g->node_size() ? g->node(pick(g->node_size())).output(0) : "y");
            break;
        default:
            if (g->initializer_size())
                g->mutable_initializer()->DeleteSubrange(pick(g->initializer_size()), 1);
            break;
        }
    }

    std::mt19937 m_rng;
};

} // namespace

class TestOnnxFuzz : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void basesImportAndRun()
    {
        // The unmutated files are sound: the fuzzing starts from files that work.
        QTemporaryDir dir;
        const std::pair<const char*, onnx::ModelProto> bases[] = {{"fc", fcBase()}, {"legacy", legacyBase()}};
        for (const auto& [name, model] : bases) {
            const std::string file = dir.filePath(QString(name) + ".onnx").toStdString();
            std::string error;
            QVERIFY2(qnn::onnx_io::writeModel(file, model, error), error.c_str());
            qnn::QonnxImport imported;
            QVERIFY2(qnn::importQonnx(file, imported, error), (std::string(name) + ": " + error).c_str());
            qnn::QonnxInterpreter interp;
            QVERIFY2(interp.load(file, error), error.c_str());
            std::vector<float> in(size_t(interp.inputSize()), 0.25f), out;
            QVERIFY2(interp.run(in.data(), out, error), error.c_str());
            QVERIFY(!out.empty());
        }
        // The convolution base runs in eval-onnx; the importer refuses its Trunc by name.
        const std::string conv = dir.filePath("conv.onnx").toStdString();
        std::string error;
        QVERIFY(qnn::onnx_io::writeModel(conv, convBase(), error));
        qnn::QonnxInterpreter interp;
        QVERIFY2(interp.load(conv, error), error.c_str());
        std::vector<float> in(size_t(interp.inputSize()), 0.25f), out;
        QVERIFY2(interp.run(in.data(), out, error), error.c_str());
        QCOMPARE(out.size(), size_t(3));
        qnn::QonnxImport imported;
        QVERIFY(!qnn::importQonnx(conv, imported, error));
        QVERIFY2(error.find("node 'trunc' (Trunc)") != std::string::npos, error.c_str());
    }

    void mutatedFilesNeverCrash()
    {
        QTemporaryDir dir;
        // An external data file for mutations that point at one.
        {
            QFile f(dir.filePath("data.bin"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(64, '\x01'));
        }
        const onnx::ModelProto bases[] = {fcBase(), convBase(), legacyBase()};
        const int cases = caseCount();
        Mutator mutator(20261206);
        const std::string file = dir.filePath("case.onnx").toStdString();
        int imported = 0, refused = 0, ran = 0, runRefused = 0;
        std::set<std::string> unforeseen; // refusals by the importer's last-resort catch: worth a sentence of their own
        for (int c = 0; c < cases; ++c) {
            onnx::ModelProto m = bases[c % 3];
            mutator.mutate(m);
            std::string bytes;
            m.SerializeToString(&bytes);
            if (mutator.pick(8) == 0)
                bytes = mutator.flipBytes(bytes);
            std::string error;
            {
                // A plain write: an fsync per case would make the disk, not the code, the cost.
                std::ofstream out(file, std::ios::binary | std::ios::trunc);
                out.write(bytes.data(), std::streamsize(bytes.size()));
                QVERIFY(out.good());
            }
            qnn::QonnxImport result;
            error.clear();
            if (qnn::importQonnx(file, result, error)) {
                ++imported;
            } else {
                ++refused;
                QVERIFY2(!error.empty(), qPrintable(QString("case %1: refused without a sentence").arg(c)));
                QVERIFY2(error.find("internal") == std::string::npos, qPrintable(QString("case %1: %2").arg(c).arg(error.c_str())));
                if (error.find("cannot be imported (") != std::string::npos)
                    unforeseen.insert(error.substr(error.find("cannot be imported (")));
            }
            qnn::QonnxInterpreter interp;
            error.clear();
            if (interp.load(file, error)) {
                std::vector<float> in(size_t(interp.inputSize()), 0.5f), out;
                error.clear();
                if (interp.run(in.data(), out, error))
                    ++ran;
                else
                    QVERIFY2(!error.empty(), qPrintable(QString("case %1: a run failed without a sentence").arg(c)));
                runRefused += error.empty() ? 0 : 1;
            } else {
                QVERIFY2(!error.empty(), qPrintable(QString("case %1: eval-onnx refused without a sentence").arg(c)));
            }
        }
        qInfo("%d mutated files: %d imported, %d refused with a sentence; eval-onnx ran %d, refused %d at run time",
              cases, imported, refused, ran, runRefused);
        for (const std::string& u : unforeseen)
            qInfo("refused by the last-resort catch: %s", u.c_str());
        QCOMPARE(imported + refused, cases);
        QVERIFY(refused > 0 && imported > 0); // the mutations reach both sides
    }
};

QTEST_GUILESS_MAIN(TestOnnxFuzz)
#include "tst_onnx_fuzz.moc"
