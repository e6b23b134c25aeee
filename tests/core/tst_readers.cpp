// Files from outside are hostile: the shared readers (readFile, parseJson,
// JsonFields), AtomicFile's treatment of modes and links, the weight file and
// the packed folder's manifest. Each case here is one that crashed, hung,
// overflowed or ran silently wrong before (issue 15).
#include "tiny_packed_net.h"

#include "core/hw/device.h"
#include "core/pack/integer_engine.h"
#include "core/project/project.h"
#include "core/pack/packed_folder.h"
#include "core/util/sha256.h"
#include "core/util/atomic_file.h"
#include "core/util/json_fields.h"
#include "core/util/json_file.h"
#include "core/weights/weight_file.h"

#include <QtTest>

#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>

using namespace qnn;
using nlohmann::json;

namespace {

std::string slurp(const std::string& path)
{
    std::string bytes, error;
    readFile(path, bytes, error);
    return bytes;
}

WeightFile smallWeights()
{
    WeightFile w;
    w.epoch = 3;
    w.tag = "best";
    NodeWeights n;
    n.node = 2;
    n.nodeName = "dense1";
    n.kind = "Dense";
    WeightTensor t;
    t.name = "weight";
    t.shape = {2, 3};
    t.values = {1, 2, 3, 4, 5, 6};
    n.tensors.push_back(t);
    w.nodes[2] = n;
    return w;
}

// The weight file's two text lines and its data, split apart for editing.
struct WeightParts {
    std::string magic;
    json header;
    std::string data;
};

WeightParts splitWeights(const std::string& bytes)
{
    const size_t a = bytes.find('\n'), b = bytes.find('\n', a + 1);
    return {bytes.substr(0, a + 1), json::parse(bytes.substr(a + 1, b - a - 1)), bytes.substr(b + 1)};
}

} // namespace

class TestReaders : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::string path(const char* name) const { return (m_dir.path() + "/" + name).toStdString(); }

private Q_SLOTS:
    void readFileRefusesWhatIsNotARegularFile()
    {
        std::string out, error;
        QVERIFY(!readFile("/dev/zero", out, error));
        QVERIFY2(error.find("not a regular file") != std::string::npos, error.c_str());
        // A FIFO with no writer: before, the read waited forever.
        const std::string fifo = path("fifo");
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        QElapsedTimer timer;
        timer.start();
        QVERIFY(!readFile(fifo, out, error));
        QVERIFY(timer.elapsed() < 5000);
        QVERIFY2(error.find("not a regular file") != std::string::npos, error.c_str());
        WeightFile w;
        QVERIFY(!readWeightFile(fifo, w, error));
        QVERIFY(!readWeightFile("/dev/urandom", w, error));
        QVERIFY(!readFile(m_dir.path().toStdString(), out, error));
        QVERIFY2(error.find("it is a folder") != std::string::npos, error.c_str());
        // Larger than the caller allows: refused before a byte is read.
        QVERIFY(writeFileAtomic(path("big"), std::string(5000, 'x'), error));
        QVERIFY(!readFile(path("big"), out, error, 4096));
        QVERIFY2(error.find("it has 5000 bytes, more than the 4096") != std::string::npos, error.c_str());
        QVERIFY(readFile(path("big"), out, error, 5000));
        QCOMPARE(out.size(), size_t(5000));
        // A loop of links is a sentence, not an exception.
        QCOMPARE(::symlink(path("loop-b").c_str(), path("loop-a").c_str()), 0);
        QCOMPARE(::symlink(path("loop-a").c_str(), path("loop-b").c_str()), 0);
        QVERIFY(!readFile(path("loop-a"), out, error));
        QVERIFY2(error.find("loop of symbolic links") != std::string::npos, error.c_str());
        QVERIFY(!writeFileAtomic(path("loop-a"), "x", error));
        QVERIFY2(error.find("loop of symbolic links") != std::string::npos, error.c_str());
    }

    void atomicFileKeepsModeAndWritesThroughLinks()
    {
        std::string error;
        const std::string secret = path("secret.json");
        QVERIFY(writeFileAtomic(secret, "{}", error));
        QCOMPARE(::chmod(secret.c_str(), 0600), 0);
        QVERIFY(writeFileAtomic(secret, "{\"a\": 1}", error));
        struct stat st {};
        QCOMPARE(::stat(secret.c_str(), &st), 0);
        QCOMPARE(int(st.st_mode & 0777), 0600); // was 0666 & ~umask before
        QCOMPARE(slurp(secret), std::string("{\"a\": 1}"));

        // A link is written through: the target changes, the link stays a link.
        QDir().mkpath(m_dir.path() + "/real");
        const std::string target = path("real/project.qnnproj");
        QVERIFY(writeFileAtomic(target, "old", error));
        const std::string link = path("project-link.qnnproj");
        QCOMPARE(::symlink("real/project.qnnproj", link.c_str()), 0);
        QVERIFY2(writeFileAtomic(link, "new", error), error.c_str());
        QCOMPARE(::lstat(link.c_str(), &st), 0);
        QVERIFY(S_ISLNK(st.st_mode));
        QCOMPARE(slurp(target), std::string("new"));
        // No temporary file is left beside either.
        QCOMPARE(QDir(m_dir.path() + "/real").entryList(QDir::Files).size(), 1);
    }

    void deviceFileValuesAreShortInSentences()
    {
        // A devices file whose "bram36" is a value nested 300 deep: the
        // sentence quoted it whole (about 1.5 KB here, any size in general);
        // found by the device fuzzer at ten times its cases.
        std::string deep = "1";
        for (int i = 0; i < 300; ++i)
            deep = R"({"x": )" + deep + "}";
        DeviceDatabase db;
        std::string error;
        QVERIFY(!db.addJson(R"({"devices": [{"part": "xcdeep", "lut": 100, "ff": 100, "bram36": )" + deep +
                                R"(, "uram": 0, "dsp": 10}]})",
                            "devices.json", error));
        QVERIFY2(error.find("devices.json: device 1 (xcdeep): \"bram36\" must be a whole number") == 0, error.c_str());
        QVERIFY2(error.size() < 200, error.c_str());
        QVERIFY2(error.find("...") != std::string::npos, error.c_str());
    }

    void jsonErrorsAreSentences()
    {
        json j;
        std::string error;
        QVERIFY(!parseJson(R"({"units": 1e400})", j, error));
        QVERIFY2(error.find("too large") != std::string::npos, error.c_str());
        // Invalid UTF-8 in the text: the error itself must still be valid UTF-8 (it goes into JSON output).
        QVERIFY(!parseJson("{\"name\": \"\xff\xfe\"}", j, error));
        QCOMPARE(validUtf8(error), error);
        QVERIFY(json(error).dump().size() > 2);
        // A long string cut by a bad byte: nlohmann quotes all of it; the sentence keeps its end.
        QVERIFY(!parseJson("{\"name\": \"" + std::string(100000, 'a') + "\xff\"}", j, error));
        QVERIFY2(error.size() < 300, error.c_str());
        QVERIFY2(error.find("last read: '…aaaa") != std::string::npos, error.c_str());
        QCOMPARE(validUtf8(error), error);
        QCOMPARE(validUtf8("a\xc3\xa9z"), std::string("a\xc3\xa9z"));
        QCOMPARE(validUtf8("a\xff" "b\xc0\xaf"), std::string("a?b??"));

        const json m = json::parse(R"({"mh": 8589934592, "k": "3", "scale": 1, "name": 5, "list": [1, "x"]})");
        int64_t big = 0;
        JsonFields f(m, "manifest.json, layer \"fc0\"");
        QVERIFY(!f.integer("mh", big, 1, 1 << 20));
        QCOMPARE(QString::fromStdString(f.error()),
                 QString("manifest.json, layer \"fc0\": \"mh\" is 8589934592, expected a whole number from 1 to "
                         "1048576"));
        int k = 0;
        QVERIFY(!f.integer("k", k, 1, 64)); // sticks to the first failure
        QVERIFY(f.error().find("\"mh\"") != std::string::npos);
        JsonFields g(m, "x.json");
        QVERIFY(!g.integer("k", k, 1, 64));
        QVERIFY2(g.error() == "x.json: \"k\" is \"3\", expected a whole number from 1 to 64", g.error().c_str());
        JsonFields h(m, "x.json");
        std::string name;
        QVERIFY(!h.text("missing", name));
        QCOMPARE(h.error(), std::string("x.json: \"missing\" is missing"));
        JsonFields i(m, "x.json");
        std::vector<double> list;
        QVERIFY(!i.numbers("list", list, 10));
        QVERIFY2(i.error().find("expected a list of at most 10 finite numbers") != std::string::npos, i.error().c_str());
    }

    void requiredAttributesAreRequired_data()
    {
        QTest::addColumn<QString>("node");
        QTest::addColumn<QString>("error");
        // Each row is a complete node less one key; before, each loaded with a
        // default (64 units, float weights, ...) and `check` said "0 errors".
        QTest::newRow("Dense units") << R"({"id": 2, "kind": "Dense", "name": "fc", "attrs": {"bias": true}, "weight_bits": 1})"
                                     << R"(graph.nodes[1] (Dense "fc"): a Dense needs "attrs": {"units": ...})";
        QTest::newRow("Dense weight_bits") << R"({"id": 2, "kind": "Dense", "name": "fc", "attrs": {"units": 10}})"
                                           << R"(graph.nodes[1] (Dense "fc"): a Dense needs "weight_bits")";
        QTest::newRow("Conv2D filters")
            << R"({"id": 2, "kind": "Conv2D", "name": "c", "attrs": {"kernel": 3}, "weight_bits": 1})"
            << R"(graph.nodes[1] (Conv2D "c"): a Conv2D needs "attrs": {"filters": ...})";
        QTest::newRow("Conv2D kernel")
            << R"({"id": 2, "kind": "Conv2D", "name": "c", "attrs": {"filters": 8}, "weight_bits": 1})"
            << R"(graph.nodes[1] (Conv2D "c"): a Conv2D needs "attrs": {"kernel": ...})";
        QTest::newRow("Conv2D weight_bits")
            << R"({"id": 2, "kind": "Conv2D", "name": "c", "attrs": {"filters": 8, "kernel": 3}})"
            << R"(a Conv2D needs "weight_bits")";
        QTest::newRow("MaxPool stride") << R"({"id": 2, "kind": "MaxPool", "name": "p", "attrs": {"kernel": 2}})"
                                        << R"(graph.nodes[1] (MaxPool "p"): a MaxPool needs "attrs": {"stride": ...})";
        QTest::newRow("AvgPool kernel") << R"({"id": 2, "kind": "AvgPool", "name": "p", "attrs": {"stride": 2}})"
                                        << R"(an AvgPool needs "attrs": {"kernel": ...})";
        QTest::newRow("Activation act_bits")
            << R"({"id": 2, "kind": "Activation", "name": "a", "attrs": {"function": "sign"}})"
            << R"(graph.nodes[1] (Activation "a"): an Activation needs "act_bits")";
        QTest::newRow("Activation function") << R"({"id": 2, "kind": "Activation", "name": "a", "act_bits": 1})"
                                             << R"(an Activation needs "attrs": {"function": ...})";
        QTest::newRow("QuantAct act_bits")
            << R"({"id": 2, "kind": "QuantAct", "name": "q", "attrs": {"signed": true, "range": 2.0}})"
            << R"(graph.nodes[1] (QuantAct "q"): a QuantAct needs "act_bits")";
        // A lost range clipped at 1.0 and a lost sign dropped every negative value, silently.
        QTest::newRow("QuantAct range")
            << R"({"id": 2, "kind": "QuantAct", "name": "q", "attrs": {"signed": true}, "act_bits": 4})"
            << R"(graph.nodes[1] (QuantAct "q"): a QuantAct needs "attrs": {"range": ...})";
        QTest::newRow("QuantAct signed")
            << R"({"id": 2, "kind": "QuantAct", "name": "q", "attrs": {"range": 2.0}, "act_bits": 4})"
            << R"(graph.nodes[1] (QuantAct "q"): a QuantAct needs "attrs": {"signed": ...})";
    }

    void requiredAttributesAreRequired()
    {
        QFETCH(QString, node);
        QFETCH(QString, error);
        const std::string head = R"({"format": "qnn-workbench-project", "version": 1, "graph": {"nodes": [
            {"id": 1, "kind": "Input", "name": "in", "attrs": {"shape": [784]}, "act_bits": 32},)";
        const std::string tail = R"(,
            {"id": 3, "kind": "Output", "name": "out", "attrs": {"classes": 10}}],
            "edges": [{"from": 1, "to": 2}, {"from": 2, "to": 3}]}})";
        Project p;
        std::string why;
        QVERIFY(!parseProject(head + node.toStdString() + tail, p, why));
        QVERIFY2(why.find(error.toStdString()) != std::string::npos, why.c_str());
        QVERIFY2(why.find("add it to the node in the file") != std::string::npos, why.c_str());
        // The same node with nothing missing loads, as it always did.
        QVERIFY2(parseProject(head +
                                  R"({"id": 2, "kind": "Dense", "name": "fc", "attrs": {"units": 10}, "weight_bits": 1})" +
                                  tail,
                              p, why),
                 why.c_str());
        // An Input or an Output without its shape or classes is refused too.
        QVERIFY(!parseProject(R"({"format": "qnn-workbench-project", "version": 1, "graph": {"nodes": [
            {"id": 1, "kind": "Input", "name": "in", "act_bits": 32}], "edges": []}})",
                              p, why));
        QVERIFY2(why.find(R"(an Input needs "attrs": {"shape": ...})") != std::string::npos, why.c_str());
        QVERIFY(!parseProject(R"({"format": "qnn-workbench-project", "version": 1, "graph": {"nodes": [
            {"id": 1, "kind": "Output", "name": "out"}], "edges": []}})",
                              p, why));
        QVERIFY2(why.find(R"(an Output needs "attrs": {"classes": ...})") != std::string::npos, why.c_str());
    }

    void optionalAttributesAreTakenOrSaid()
    {
        // Defaults a user would not guess load, and the file's notes name the
        // node, the key and the value used; obvious ones (a Conv2D's stride
        // 1 and padding 0, BatchNorm's eps) load silently.
        const std::string text = R"({"format": "qnn-workbench-project", "version": 1, "graph": {"nodes": [
            {"id": 1, "kind": "Input", "name": "in", "attrs": {"shape": [1, 8, 8]}, "act_bits": 32},
            {"id": 2, "kind": "Conv2D", "name": "conv", "attrs": {"filters": 4, "kernel": 3, "bias": false},
             "weight_bits": 1},
            {"id": 3, "kind": "BatchNorm", "name": "bn"},
            {"id": 4, "kind": "QuantAct", "name": "q", "attrs": {"signed": false, "range": 2.0}, "act_bits": 4},
            {"id": 5, "kind": "Flatten", "name": "flat"},
            {"id": 6, "kind": "Dropout", "name": "drop"},
            {"id": 7, "kind": "Dense", "name": "fc", "attrs": {"units": 10}, "weight_bits": 1},
            {"id": 8, "kind": "Output", "name": "out", "attrs": {"classes": 10}}],
            "edges": [{"from": 1, "to": 2}, {"from": 2, "to": 3}, {"from": 3, "to": 4}, {"from": 4, "to": 5},
                      {"from": 5, "to": 6}, {"from": 6, "to": 7}, {"from": 7, "to": 8}]}})";
        Project p;
        std::string why;
        QVERIFY2(parseProject(text, p, why), why.c_str());
        std::vector<std::string> notes;
        for (const Diagnostic& d : p.fileNotes) {
            QCOMPARE(d.severity, Severity::Warning);
            QCOMPARE(d.category, DiagnosticCategory::Attribute);
            QVERIFY(!d.fix.empty());
            notes.push_back(std::to_string(d.node) + " " + d.message);
        }
        QCOMPARE(notes.size(), size_t(3));
        QVERIFY2(notes[0].rfind(R"(4 the file gives no "narrow", so true is used (Signed levels are symmetric)", 0) == 0,
                 notes[0].c_str());
        QVERIFY2(notes[0].find("Brevitas' default for activations is false") != std::string::npos, notes[0].c_str());
        QVERIFY2(notes[1].rfind(R"(6 the file gives no "p", so 0.2 is used)", 0) == 0, notes[1].c_str());
        QVERIFY2(notes[1].find("PyTorch's Dropout drops half (0.5)") != std::string::npos, notes[1].c_str());
        QVERIFY2(notes[2].rfind(R"(7 the file gives no "bias", so true is used)", 0) == 0, notes[2].c_str());
        // The values used are the documented defaults.
        QCOMPARE(p.graph.node(2)->attrInt("stride"), int64_t(1));
        QCOMPARE(p.graph.node(2)->attrInt("padding"), int64_t(0));
        QCOMPARE(p.graph.node(3)->attrFloat("eps"), 1e-5);
        QCOMPARE(p.graph.node(4)->attrBool("narrow"), true);
        QCOMPARE(p.graph.node(6)->attrFloat("p"), 0.2);
        QCOMPARE(p.graph.node(7)->attrBool("bias"), true);
        // Saved, the file holds every one, and read back it has nothing to say.
        Project again;
        QVERIFY2(parseProject(serializeProject(p), again, why), why.c_str());
        QVERIFY(again.fileNotes.empty());
        QVERIFY(again == p);
    }

    void weightFileBoundsAreOverflowSafe()
    {
        std::string error;
        const std::string good = path("good.qnnw");
        QVERIFY(writeWeightFile(good, smallWeights(), error));
        WeightFile back;
        QVERIFY2(readWeightFile(good, back, error), error.c_str());
        QCOMPARE(back.nodes.at(2).tensors[0].values[5], 6.0f);
        const WeightParts parts = splitWeights(slurp(good));

        const auto withTensor = [&](const json& shape, const json& offset) {
            WeightParts p = parts;
            p.header["nodes"][0]["tensors"][0]["shape"] = shape;
            p.header["nodes"][0]["tensors"][0]["offset"] = offset;
            std::string e;
            writeFileAtomic(path("edited.qnnw"), p.magic + p.header.dump() + "\n" + p.data, e);
            WeightFile w;
            const bool ok = readWeightFile(path("edited.qnnw"), w, error);
            return ok;
        };
        // INT64_MAX passed the check through signed overflow before.
        QVERIFY(!withTensor(json::array({2, 3}), std::numeric_limits<int64_t>::max()));
        QVERIFY2(error.find("lies outside the data of the file") != std::string::npos, error.c_str());
        QVERIFY(!withTensor(json::array({-1, -6}), 0)); // (-1)·(-6) = 6 values: loaded before
        QVERIFY2(error.find("impossible shape") != std::string::npos, error.c_str());
        QVERIFY(!withTensor(json::array({int64_t(1) << 32, int64_t(1) << 32}), 0)); // product overflows to 0
        QVERIFY2(error.find("impossible shape") != std::string::npos, error.c_str());
        QVERIFY(!withTensor(json::array({6}), 1));
        QVERIFY(withTensor(json::array({3}), 3));
        // A tensor of no values (a dimension of 0) reads as an empty tensor; it
        // copied 0 bytes to a null pointer before, which UBSan stops on (found
        // by the weight-file fuzzer under the asan preset).
        QVERIFY2(withTensor(json::array({4, 0}), 6), error.c_str());

        // A huge header without a newline is refused after 64 MB, not read whole.
        const std::string noNewline = path("no-newline.qnnw");
        {
            const int fd = ::open(noNewline.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const std::string head = "QNNW-WEIGHTS 1\n{";
            QCOMPARE(::write(fd, head.data(), head.size()), ssize_t(head.size()));
            QCOMPARE(::ftruncate(fd, int64_t(3) << 30), 0); // 3 GB, sparse: no disk used
            ::close(fd);
        }
        WeightFile w;
        QVERIFY(!readWeightFile(noNewline, w, error));
        QVERIFY2(error.find("no header line ends within its first 64 MB") != std::string::npos, error.c_str());
        QFile::remove(QString::fromStdString(noNewline));
    }

    void packedManifestGeometryIsChecked_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("error");
        QTest::newRow("mh 2^33") << "mh" << "8589934592" << "\"mh\" is 8589934592, expected a whole number";
        QTest::newRow("mw 2^31") << "mw" << "2147483648" << "\"mw\" is 2147483648";
        QTest::newRow("pe 0") << "pe" << "0" << "\"pe\" is 0";
        QTest::newRow("pe not dividing") << "pe" << "3" << "PE 3 must divide MH 16";
        QTest::newRow("pool stride 0") << "pool_stride" << "0" << "\"pool_stride\" is 0";
        QTest::newRow("weight_bits 3 as text") << "weight_bits" << "\"3\"" << "\"weight_bits\" is \"3\"";
        QTest::newRow("weight_bits missing") << "weight_bits" << "" << "\"weight_bits\" is missing";
        QTest::newRow("kind") << "kind" << "\"Conv3D\"" << "expected \"Dense\" or \"Conv2D\"";
        QTest::newRow("score_scale short") << "score_scale" << "[1, 2]" << "2 score_scale and 10 score_bias values";
        QTest::newRow("ofm_dim of a dense") << "ofm_dim" << "7" << "a Dense layer has ofm_dim 1";
        QTest::newRow("rows beyond mh") << "rows" << "17" << "17 rows × 64 columns in a padded 16 × 64";
    }

    void packedManifestGeometryIsChecked()
    {
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QString, error);
        const std::string dir = path("packed-geometry");
        std::string why;
        QVERIFY2(pack::writePackedFolder(dir, tinyNet(), {}, why), why.c_str());
        pack::PackedNet back;
        QVERIFY2(pack::readPackedFolder(dir, "", back, why), why.c_str());
        json m = json::parse(slurp(dir + "/manifest.json"));
        if (value.isEmpty())
            m["layers"][0].erase(key.toStdString());
        else
            m["layers"][0][key.toStdString()] = json::parse(value.toStdString());
        reseal(m);
        QVERIFY(writeFileAtomic(dir + "/manifest.json", m.dump(2), why));
        QVERIFY(!pack::readPackedFolder(dir, "", back, why));
        QVERIFY2(why.find(error.toStdString()) != std::string::npos, why.c_str());
    }

    void convGeometryIsCheckedBeforeTheEngineIndexes()
    {
        pack::PackedLayer l;
        l.name = "conv0";
        l.conv = true;
        l.k = 3;
        l.stride = 1;
        l.ifmCh = 2;
        l.ifmDim = 8;
        l.ofmDim = 6;
        l.mh = l.rows = 4;
        l.mw = l.cols = 18;
        l.simd = 2;
        std::string error;
        QVERIFY2(pack::validatePackedLayer(l, error), error.c_str());
        l.ofmDim = 9; // read past the input before
        QVERIFY(!pack::validatePackedLayer(l, error));
        QVERIFY2(error.find("ofm_dim 9, but a 3×3 kernel at stride 1 over 8×8 gives 6") != std::string::npos,
                 error.c_str());
        l.ofmDim = 6;
        l.stride = 2;
        QVERIFY(!pack::validatePackedLayer(l, error));
        l.stride = 1;
        l.poolAfter = true;
        l.poolStride = 0; // SIGFPE in IntegerEngine::load before
        QVERIFY(!pack::validatePackedLayer(l, error));
        l.poolStride = 2;
        l.poolK = 7;
        QVERIFY(!pack::validatePackedLayer(l, error));
        QVERIFY2(error.find("a 7×7 pool at stride 2 over 6×6") != std::string::npos, error.c_str());
        // The engine refuses the same layer when it is built in memory.
        pack::PackedNet net;
        net.channels = 2;
        net.height = net.width = 8;
        net.layers.push_back(l);
        pack::IntegerEngine engine;
        QVERIFY(!engine.load(net, error));
        QVERIFY2(error.find("7×7 pool") != std::string::npos, error.c_str());
    }

    void editedManifestIsCaught()
    {
        const std::string dir = path("packed-edited");
        std::string error;
        QVERIFY(pack::writePackedFolder(dir, tinyNet(), {}, error));
        json m = json::parse(slurp(dir + "/manifest.json"));
        QVERIFY(m.contains("manifest_sha256"));
        QCOMPARE(m["version"].get<int>(), pack::kManifestVersion);
        // What a hand edit does: one value changes, the checksums of the other files still match.
        m["layers"][0]["thresholds_per_row"] = 0;
        QVERIFY(writeFileAtomic(dir + "/manifest.json", m.dump(2), error));
        pack::PackedNet back;
        QVERIFY(!pack::readPackedFolder(dir, "", back, error));
        QVERIFY2(error.find("does not match its own SHA-256") != std::string::npos, error.c_str());
        // Dropping the checksum does not help either.
        m.erase("manifest_sha256");
        QVERIFY(writeFileAtomic(dir + "/manifest.json", m.dump(2), error));
        QVERIFY(!pack::readPackedFolder(dir, "", back, error));
        QVERIFY2(error.find("\"manifest_sha256\" is missing") != std::string::npos, error.c_str());
        // The untouched folder reads and runs.
        QVERIFY(pack::writePackedFolder(dir, tinyNet(), {}, error));
        QVERIFY2(pack::readPackedFolder(dir, "", back, error), error.c_str());
        pack::IntegerEngine engine;
        QVERIFY2(engine.load(back, error), error.c_str());
        std::vector<int8_t> codes(64, 1);
        const int cls = engine.classify(codes.data());
        QVERIFY(cls >= 0 && cls < 10);
    }
};

QTEST_APPLESS_MAIN(TestReaders)
#include "tst_readers.moc"
