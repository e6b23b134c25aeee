// Every backend has an entry for every registered layer kind: a kind added to
// core/graph/layer_registry.cpp and forgotten in a backend fails here, named
// with the backend. (In tests/onnx because this folder links every backend.)
#include "core/graph/graph_summary.h"
#include "core/graph/kind_table.h"
#include "core/graph/layer_registry.h"
#include "core/hw/dataflow.h"
#include "core/onnx/qonnx_export.h"
#include "core/pack/pack_kinds.h"
#include "core/pack/packer.h"
#include "core/train/layer_builders.h"

#include <QtTest>

#include <set>

using namespace qnn;

namespace {

std::vector<const KindCoverage*> backends()
{
    return {&torchBuilderKinds(), &dataflowKinds(), &qonnxExportKinds(), &summaryKinds(), &pack::packerKinds()};
}

} // namespace

class TestLayerKinds : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyBackendHasAnEntryForEveryKind_data()
    {
        QTest::addColumn<int>("backend");
        QTest::addColumn<int>("kind");
        const auto tables = backends();
        for (size_t b = 0; b < tables.size(); ++b)
            for (LayerKind k : allLayerKinds())
                QTest::newRow((tables[b]->backend() + " / " + layerKindName(k)).c_str()) << int(b) << int(k);
    }

    void everyBackendHasAnEntryForEveryKind()
    {
        QFETCH(int, backend);
        QFETCH(int, kind);
        const KindCoverage& table = *backends()[size_t(backend)];
        const LayerKind k = static_cast<LayerKind>(kind);
        QVERIFY2(table.declares(k), ("the layer kind " + layerKindName(k) + " has no entry in " + table.backend() +
                                     "'s table; give it a handler, or KindTable::unsupported with the sentence a "
                                     "user reads (docs/ARCHITECTURE.md, adding a layer kind)")
                                        .c_str());
    }

    void noBackendDeclaresAKindTwice()
    {
        for (const KindCoverage* table : backends()) {
            const std::vector<LayerKind> declared = table->declaredKinds();
            std::set<LayerKind> unique(declared.begin(), declared.end());
            QVERIFY2(unique.size() == declared.size(), (table->backend() + " declares a kind twice").c_str());
        }
    }

    // A refusal is a sentence a user reads, not an empty string or a crash.
    void refusalsAreSentences()
    {
        QCOMPARE(dataflowKinds().refusal(LayerKind::AvgPool),
                 std::string("the FINN/BNN-PYNQ pipeline streams Dense, Conv2D and MaxPool units"));
        QVERIFY(dataflowKinds().refusal(LayerKind::Dense).empty());
        QCOMPARE(pack::packerKinds().refusal(LayerKind::Concat),
                 std::string("the packed engine streams Dense, Conv2D and MaxPool units only"));
        // A table that misses a kind says which backend and which kind.
        const KindTable<int> partial("the test backend", {{LayerKind::Dense, 1, {}}});
        QCOMPARE(partial.refusal(LayerKind::Add), std::string("the test backend has no entry for the layer kind Add"));
        QCOMPARE(partial.missingKinds().size(), allLayerKinds().size() - 1);
        QCOMPARE(*partial.handler(LayerKind::Dense), 1);
        QVERIFY(!partial.handler(LayerKind::Add));
    }

    // The manifest's kind comes from the packer's table: a unit kind reads
    // back, anything else is refused with the kinds it may be.
    void manifestKindsAreThePackersUnits()
    {
        QCOMPARE(pack::packedUnitKindNames(), (std::vector<std::string>{"Dense", "Conv2D"}));
        QCOMPARE(pack::packedUnitIsConv("Conv2D"), std::optional<bool>(true));
        QCOMPARE(pack::packedUnitIsConv("Dense"), std::optional<bool>(false));
        QVERIFY(!pack::packedUnitIsConv("MaxPool"));
        QVERIFY(!pack::packedUnitIsConv("Conv3D"));
    }
};

QTEST_GUILESS_MAIN(TestLayerKinds)
#include "tst_layer_kinds.moc"
