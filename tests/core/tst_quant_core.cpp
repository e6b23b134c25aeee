// The torch-free meaning of each bit-width: levels, scale, rounding, clipping.
#include "core/quant/quantization.h"

#include <QtTest>

using namespace qnn;

class TestQuantCore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void levels_data()
    {
        QTest::addColumn<int>("bits");
        QTest::addColumn<bool>("isSigned");
        QTest::addColumn<double>("range");
        QTest::addColumn<qint64>("minLevel");
        QTest::addColumn<qint64>("maxLevel");
        QTest::addColumn<double>("scale");
        QTest::addColumn<qint64>("count");
        QTest::newRow("bipolar") << 1 << true << 1.0 << qint64(-1) << qint64(1) << 1.0 << qint64(2);
        QTest::newRow("ternary") << 2 << true << 1.0 << qint64(-1) << qint64(1) << 1.0 << qint64(3);
        QTest::newRow("int3") << 3 << true << 1.5 << qint64(-3) << qint64(3) << 0.5 << qint64(7);
        QTest::newRow("int8") << 8 << true << 127.0 << qint64(-127) << qint64(127) << 1.0 << qint64(255);
        QTest::newRow("uint2") << 2 << false << 3.0 << qint64(0) << qint64(3) << 1.0 << qint64(4);
        QTest::newRow("uint4") << 4 << false << 1.0 << qint64(0) << qint64(15) << 1.0 / 15 << qint64(16);
        QTest::newRow("float") << 32 << true << 1.0 << qint64(0) << qint64(0) << 1.0 << qint64(0);
    }
    void levels()
    {
        QFETCH(int, bits);
        QFETCH(bool, isSigned);
        QFETCH(double, range);
        QFETCH(qint64, minLevel);
        QFETCH(qint64, maxLevel);
        QFETCH(double, scale);
        QFETCH(qint64, count);
        const QuantLevels q = activationLevels(bits, isSigned, range);
        QCOMPARE(q.minLevel, minLevel);
        QCOMPARE(q.maxLevel, maxLevel);
        QCOMPARE(q.scale, scale);
        QCOMPARE(q.levelCount(), count);
        QCOMPARE(q.isFloat(), bits == 32);
        if (bits < 32)
            QCOMPARE(q.maxValue(), range);
    }

    void weightsAreSigned()
    {
        const QuantLevels w = weightLevels(2, 0.3);
        QVERIFY(w.isSigned);
        QCOMPARE(w.minLevel, qint64(-1));
        QCOMPARE(w.scale, 0.3);
        QCOMPARE(weightLevels(4, 0.0).scale, 1.0 / 7); // an all-zero tensor keeps a usable step
    }

    void roundHalfEven_data()
    {
        QTest::addColumn<double>("x");
        QTest::addColumn<double>("rounded");
        QTest::newRow("0.5") << 0.5 << 0.0;
        QTest::newRow("1.5") << 1.5 << 2.0;
        QTest::newRow("2.5") << 2.5 << 2.0;
        QTest::newRow("-0.5") << -0.5 << 0.0;
        QTest::newRow("-1.5") << -1.5 << -2.0;
        QTest::newRow("-2.5") << -2.5 << -2.0;
        QTest::newRow("2.4") << 2.4 << 2.0;
        QTest::newRow("2.6") << 2.6 << 3.0;
        QTest::newRow("-2.6") << -2.6 << -3.0;
    }
    void roundHalfEven()
    {
        QFETCH(double, x);
        QFETCH(double, rounded);
        QCOMPARE(qnn::roundHalfEven(x) + 0.0, rounded); // + 0.0 turns -0 into 0
    }

    void quantizeClipsAndRounds()
    {
        const QuantLevels bip = activationLevels(1, true);
        QCOMPARE(quantizeToLevel(0.0, bip), qint64(1)); // sign(0) = +1
        QCOMPARE(quantizeToLevel(-1e-9, bip), qint64(-1));
        QCOMPARE(quantizeValue(-7.0, bip), -1.0);
        const QuantLevels tern = weightLevels(2, 1.0);
        QCOMPARE(quantizeToLevel(0.5, tern), qint64(0)); // half to even
        QCOMPARE(quantizeToLevel(0.51, tern), qint64(1));
        QCOMPARE(quantizeToLevel(-9.0, tern), qint64(-1)); // clipped
        const QuantLevels u2 = activationLevels(2, false, 1.0);
        QCOMPARE(quantizeValue(-0.4, u2), 0.0);
        QCOMPARE(quantizeValue(0.5, u2), 2.0 / 3); // 1.5 steps → 2
        QCOMPARE(quantizeValue(5.0, u2), 1.0);
        const QuantLevels fp = activationLevels(32, true);
        QCOMPARE(quantizeValue(0.123, fp), 0.123);
    }
};

QTEST_GUILESS_MAIN(TestQuantCore)
#include "tst_quant_core.moc"
