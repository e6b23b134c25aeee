// Dataset readers, splits, transforms and the synthetic digits, on files the test writes itself.
#include "core/data/cifar10_reader.h"
#include "core/data/dataset.h"
#include "core/data/idx_reader.h"
#include "core/data/dataset_catalog.h"
#include "core/data/image_folder.h"
#include "core/data/synthetic_digits.h"
#include "core/data/transforms.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <zlib.h>

#include <sys/stat.h>

using namespace qnn;

namespace {

std::string be32(uint32_t v)
{
    return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

std::string idxImages(uint32_t count, uint32_t rows, uint32_t cols, uint32_t magic = 2051)
{
    std::string s = be32(magic) + be32(count) + be32(rows) + be32(cols);
    for (uint32_t i = 0; i < count * rows * cols; ++i)
        s += char(i % 256);
    return s;
}

std::string idxLabels(const std::vector<uint8_t>& labels, uint32_t magic = 2049)
{
    std::string s = be32(magic) + be32(static_cast<uint32_t>(labels.size()));
    for (uint8_t l : labels)
        s += char(l);
    return s;
}

void writeRaw(const std::string& path, const std::string& bytes)
{
    std::ofstream(path, std::ios::binary) << bytes;
}

void writeGz(const std::string& path, const std::string& bytes)
{
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
}

// The fuzzers' case counts: QNN_FUZZ_CASES scales them as it scales the
// project fuzzer's 3000 (the asan test preset runs ten times as many).
int fuzzCases(int ciDefault)
{
    const int fromEnv = qEnvironmentVariableIntValue("QNN_FUZZ_CASES");
    return fromEnv > 0 ? std::max(1, int(int64_t(fromEnv) * ciDefault / 3000)) : ciDefault;
}

// 8×8 JPEGs (ImageMagick, colour and grey): the fuzzer's JPEG cases start from
// these, since stb's JPEG writer shifts negative values (undefined behaviour
// that UBSan stops on) and so cannot make them under the asan preset.
const unsigned char kColourJpeg[] = {
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x08, 0x06, 0x06, 0x07, 0x06, 0x05, 0x08,
    0x07, 0x07, 0x07, 0x09, 0x09, 0x08, 0x0a, 0x0c, 0x14, 0x0d, 0x0c, 0x0b, 0x0b, 0x0c, 0x19, 0x12,
    0x13, 0x0f, 0x14, 0x1d, 0x1a, 0x1f, 0x1e, 0x1d, 0x1a, 0x1c, 0x1c, 0x20, 0x24, 0x2e, 0x27, 0x20,
    0x22, 0x2c, 0x23, 0x1c, 0x1c, 0x28, 0x37, 0x29, 0x2c, 0x30, 0x31, 0x34, 0x34, 0x34, 0x1f, 0x27,
    0x39, 0x3d, 0x38, 0x32, 0x3c, 0x2e, 0x33, 0x34, 0x32, 0xff, 0xdb, 0x00, 0x43, 0x01, 0x09, 0x09,
    0x09, 0x0c, 0x0b, 0x0c, 0x18, 0x0d, 0x0d, 0x18, 0x32, 0x21, 0x1c, 0x21, 0x32, 0x32, 0x32, 0x32,
    0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32,
    0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32,
    0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0xff, 0xc0,
    0x00, 0x11, 0x08, 0x00, 0x08, 0x00, 0x08, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11,
    0x01, 0xff, 0xc4, 0x00, 0x15, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0xff, 0xc4, 0x00, 0x1e, 0x10, 0x00, 0x01, 0x04,
    0x02, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02,
    0x03, 0x04, 0x05, 0x11, 0x13, 0x31, 0x71, 0x21, 0xff, 0xc4, 0x00, 0x15, 0x01, 0x01, 0x01, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x05, 0xff,
    0xc4, 0x00, 0x1e, 0x11, 0x00, 0x01, 0x04, 0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x03, 0x11, 0x04, 0x13, 0x21, 0x71, 0xb1, 0xf0, 0xff,
    0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3f, 0x00, 0x96, 0xaf, 0x2d,
    0xbc, 0xee, 0x62, 0x4a, 0x22, 0x78, 0x63, 0xb0, 0xd8, 0xc3, 0x0b, 0x1c, 0x37, 0xc8, 0xdf, 0xba,
    0xd1, 0x3d, 0x1e, 0xbd, 0xf4, 0x22, 0x22, 0x6d, 0x47, 0x43, 0xb4, 0x66, 0xbd, 0x4a, 0x5e, 0x76,
    0x6b, 0xe0, 0x98, 0xc6, 0xc0, 0x28, 0x57, 0x5c, 0xaf, 0xff, 0xd9,
};
const unsigned char kGreyJpeg[] = {
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x03, 0x02, 0x02, 0x02, 0x02, 0x02, 0x03,
    0x02, 0x02, 0x02, 0x03, 0x03, 0x03, 0x03, 0x04, 0x06, 0x04, 0x04, 0x04, 0x04, 0x04, 0x08, 0x06,
    0x06, 0x05, 0x06, 0x09, 0x08, 0x0a, 0x0a, 0x09, 0x08, 0x09, 0x09, 0x0a, 0x0c, 0x0f, 0x0c, 0x0a,
    0x0b, 0x0e, 0x0b, 0x09, 0x09, 0x0d, 0x11, 0x0d, 0x0e, 0x0f, 0x10, 0x10, 0x11, 0x10, 0x0a, 0x0c,
    0x12, 0x13, 0x12, 0x10, 0x13, 0x0f, 0x10, 0x10, 0x10, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x08,
    0x00, 0x08, 0x01, 0x01, 0x11, 0x00, 0xff, 0xc4, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0xc4, 0x00, 0x17,
    0x10, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x19, 0x66, 0xa3, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00, 0x15,
    0x9c, 0xe6, 0x47, 0xff, 0xd9,
};

std::string cifarRecord(uint8_t label, uint8_t fill)
{
    std::string r(1, char(label));
    for (int i = 0; i < 3072; ++i)
        r += char((fill + i / 1024) % 256); // channel c holds fill + c
    return r;
}

} // namespace

class TestData : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Dataset names are declared once (core/data/dataset.cpp); what the
    // catalogue can download is a subset, and an unknown name lists them all.
    void datasetNamesAreDeclaredOnce()
    {
        QCOMPARE(knownDatasets(),
                 (std::vector<std::string>{"synthetic-digits", "mnist", "fashion-mnist", "cifar10", "image-folder"}));
        for (const CatalogEntry& e : datasetCatalog())
            QVERIFY2(std::find(knownDatasets().begin(), knownDatasets().end(), e.name) != knownDatasets().end(),
                     e.name.c_str());
        DatasetRequest r;
        r.choice.name = "imagenet";
        DatasetSplits splits;
        std::string error;
        QVERIFY(!loadDataset(r, splits, error));
        QCOMPARE(error, std::string("unknown dataset 'imagenet'; choose one of synthetic-digits, mnist, fashion-mnist, "
                                    "cifar10, image-folder"));
    }

    // select_by "test": the held-out images join the training set and the
    // test set takes their place; splits of another size are refused whole.
    void selectingOnTheTestSet()
    {
        auto set = [](int side, std::vector<int32_t> labels) {
            ImageSet s;
            s.height = s.width = side;
            s.labels = labels;
            s.pixels.assign(labels.size() * size_t(side * side), uint8_t(labels.empty() ? 0 : labels[0]));
            return s;
        };
        DatasetSplits splits;
        splits.train = set(2, {1, 2, 3});
        splits.validation = set(2, {4, 5});
        splits.test = set(2, {6});
        std::string error;
        QVERIFY2(selectOnTestSet(splits, error), error.c_str());
        QCOMPARE(splits.train.labels, (std::vector<int32_t>{1, 2, 3, 4, 5}));
        QCOMPARE(splits.train.pixels.size(), size_t(5 * 4));
        QCOMPARE(splits.validation.labels, (std::vector<int32_t>{6}));
        QCOMPARE(splits.test.labels, (std::vector<int32_t>{6}));

        DatasetSplits odd;
        odd.train = set(2, {1});
        odd.validation = set(3, {4});
        odd.test = set(2, {6});
        QVERIFY(!selectOnTestSet(odd, error));
        QVERIFY2(QString::fromStdString(error).contains("not the size of the training images"), error.c_str());
        QCOMPARE(odd.train.size(), size_t(1));
        QCOMPARE(odd.validation.labels, (std::vector<int32_t>{4}));
    }

    void idxGzipAndRaw_data()
    {
        QTest::addColumn<bool>("gzip");
        QTest::newRow("gzip") << true;
        QTest::newRow("raw") << false;
    }
    void idxGzipAndRaw()
    {
        QFETCH(bool, gzip);
        QTemporaryDir dir;
        const std::string images = dir.filePath("img").toStdString(), labels = dir.filePath("lbl").toStdString();
        (gzip ? writeGz : writeRaw)(images, idxImages(3, 2, 4));
        (gzip ? writeGz : writeRaw)(labels, idxLabels({7, 0, 9}));
        ImageSet set;
        std::string error;
        QVERIFY2(readIdxPair(images, labels, 10, set, error), error.c_str());
        QCOMPARE(set.size(), size_t(3));
        QCOMPARE(set.height, 2);
        QCOMPARE(set.width, 4);
        QCOMPARE(set.channels, 1);
        QCOMPARE(set.labels, (std::vector<int32_t>{7, 0, 9}));
        QCOMPARE(int(set.image(2)[3]), 2 * 8 + 3);
    }

    void idxCorrupt_data()
    {
        QTest::addColumn<QByteArray>("imageBytes");
        QTest::addColumn<QByteArray>("labelBytes");
        QTest::addColumn<QString>("faultyFile");
        QTest::addColumn<QString>("message");
        auto b = [](const std::string& s) { return QByteArray(s.data(), int(s.size())); };
        const QByteArray goodImages = b(idxImages(2, 2, 2));
        const QByteArray goodLabels = b(idxLabels({1, 2}));
        QTest::newRow("images with the label magic") << b(idxImages(2, 2, 2, 2049)) << goodLabels << "img"
                                                     << "not an IDX image file (magic number 2049, expected 2051)";
        QTest::newRow("labels with the image magic") << goodImages << b(idxLabels({1, 2}, 2051)) << "lbl"
                                                     << "not an IDX label file (magic number 2051, expected 2049)";
        QTest::newRow("truncated images") << goodImages.left(goodImages.size() - 3) << goodLabels << "img"
                                          << "21 bytes (uncompressed), but the header promises 2 images of 2×2 (24 bytes)";
        QTest::newRow("truncated labels") << goodImages << goodLabels.left(9) << "lbl"
                                          << "9 bytes (uncompressed), but the header promises 2 labels (10 bytes)";
        QTest::newRow("header cut short") << goodImages.left(10) << goodLabels << "img"
                                          << "too short for an IDX image file (10 bytes, the header alone is 16)";
        QTest::newRow("count mismatch") << goodImages << b(idxLabels({1, 2, 3})) << "lbl"
                                        << "holds 3 labels, but";
        QTest::newRow("label out of range") << goodImages << b(idxLabels({1, 12})) << "lbl"
                                            << "label 12 at index 1 is outside 0..9";
        QTest::newRow("missing labels") << goodImages << QByteArray() << "lbl" << "cannot open";
    }
    void idxCorrupt()
    {
        QFETCH(QByteArray, imageBytes);
        QFETCH(QByteArray, labelBytes);
        QFETCH(QString, faultyFile);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const std::string images = dir.filePath("img").toStdString(), labels = dir.filePath("lbl").toStdString();
        writeRaw(images, imageBytes.toStdString());
        if (!labelBytes.isEmpty())
            writeRaw(labels, labelBytes.toStdString());
        ImageSet set;
        std::string error;
        QVERIFY(!readIdxPair(images, labels, 10, set, error));
        QVERIFY2(QString::fromStdString(error).contains(dir.filePath(faultyFile)), error.c_str());
        QVERIFY2(QString::fromStdString(error).contains(message), error.c_str());
    }

    void brokenGzip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("bad.gz").toStdString();
        std::string gz;
        {
            writeGz(path, idxImages(50, 28, 28));
            std::ifstream in(path, std::ios::binary);
            gz.assign(std::istreambuf_iterator<char>(in), {});
        }
        writeRaw(path, gz.substr(0, gz.size() / 2)); // cut in the middle of the deflate stream
        ImageSet set;
        std::string error;
        QVERIFY(!readIdxImages(path, set, error));
        QVERIFY2(QString::fromStdString(error).contains(QString::fromStdString(path) + ": not a readable gzip file"),
                 error.c_str());
    }

    // A gzip bomb: a small file whose header promises little but which
    // inflates to far more; and headers promising more than a file can hold.
    void idxSizeChecksBeforeReading()
    {
        QTemporaryDir dir;
        const std::string bomb = dir.filePath("bomb.gz").toStdString();
        writeGz(bomb, idxImages(2, 28, 28) + std::string(50u << 20, '\0')); // 50 MB of zeros after the images
        QVERIFY(QFileInfo(QString::fromStdString(bomb)).size() < 100000);
        ImageSet set;
        std::string error;
        QVERIFY(!readIdxImages(bomb, set, error));
        QVERIFY2(QString::fromStdString(error).contains(
                     "bomb.gz: more than 1584 bytes (uncompressed), but the header promises 2 images of 28×28 (1584 bytes)"),
                 error.c_str());

        // 2^32-1 images of 4096×4096 from a tiny gzip: refused before any allocation.
        const std::string huge = dir.filePath("huge.gz").toStdString();
        writeGz(huge, be32(2051) + be32(0xffffffffu) + be32(4096) + be32(4096) + std::string(100, '\0'));
        QVERIFY(!readIdxImages(huge, set, error));
        QVERIFY2(QString::fromStdString(error).contains("huge.gz: the header promises 72057594021150736 bytes "
                                                        "(uncompressed), more than a"),
                 error.c_str());
        QVERIFY2(QString::fromStdString(error).contains("gzip file can expand to or the 4 GiB"), error.c_str());

        // A raw file: the header is checked against the file's own size.
        const std::string raw = dir.filePath("raw").toStdString();
        writeRaw(raw, be32(2051) + be32(1000000) + be32(28) + be32(28) + std::string(784, '\0'));
        QVERIFY(!readIdxImages(raw, set, error));
        QVERIFY2(QString::fromStdString(error).contains("raw: 800 bytes (uncompressed), but the header promises "
                                                        "1000000 images of 28×28 (784000016 bytes)"),
                 error.c_str());
        std::vector<int32_t> labels;
        writeRaw(raw, be32(2049) + be32(4000000000u) + "ab");
        QVERIFY(!readIdxLabels(raw, labels, error));
        QVERIFY2(QString::fromStdString(error).contains("10 bytes (uncompressed), but the header promises 4000000000 labels"),
                 error.c_str());

        // Not a regular file: a folder (a FIFO or /dev/zero would hang a plain read).
        QVERIFY(!readIdxImages(dir.path().toStdString(), set, error));
        QVERIFY2(QString::fromStdString(error).contains("not a regular file"), error.c_str());
    }

    // Structure-aware fuzzing of the IDX reader: header fields at their
    // limits, files cut or grown, gzip or raw. Each case reads and agrees
    // with its header, or fails with a sentence naming the file; none crashes
    // or allocates what the header alone asks for.
    void idxFuzz()
    {
        QTemporaryDir dir;
        std::mt19937 rng(20261206);
        const uint32_t extremes[] = {0, 1, 2, 3, 28, 4096, 4097, 65535, 0x7fffffffu, 0x80000000u, 0xffffffffu};
        int accepted = 0, refused = 0;
        const int cases = fuzzCases(400);
        for (int i = 0; i < cases; ++i) {
            const bool images = i % 2 == 0;
            std::string bytes = images ? idxImages(3, 4, 5) : idxLabels({1, 2, 3, 4});
            const int field = static_cast<int>(rng() % (images ? 4 : 2));
            const uint32_t value = rng() % 3 == 0 ? static_cast<uint32_t>(rng()) : extremes[rng() % std::size(extremes)];
            if (rng() % 4 != 0) // a quarter keep their header: the reader must still accept those
                bytes.replace(static_cast<size_t>(4 * field), 4, be32(value));
            switch (rng() % 4) {
            case 0: bytes.resize(rng() % (bytes.size() + 1)); break;
            case 1: bytes.append(rng() % 5000, char(rng())); break;
            default: break;
            }
            const std::string path = dir.filePath(QString("case%1").arg(i)).toStdString();
            (rng() % 2 ? writeGz : writeRaw)(path, bytes);
            std::string error;
            bool ok = false;
            if (images) {
                ImageSet set;
                ok = readIdxImages(path, set, error);
                if (ok)
                    QVERIFY(set.pixels.size() + 16 == bytes.size() && set.height > 0 && set.width > 0);
            } else {
                std::vector<int32_t> labels;
                ok = readIdxLabels(path, labels, error);
                if (ok)
                    QCOMPARE(labels.size() + 8, bytes.size());
            }
            if (!ok)
                QVERIFY2(QString::fromStdString(error).contains(QString::fromStdString(path)), error.c_str());
            (ok ? accepted : refused)++;
        }
        // Both sides of the reader were reached.
        qInfo("%d cases: %d read, %d refused with a sentence", cases, accepted, refused);
        QVERIFY2(accepted > cases / 40 && refused > cases / 4,
                 qPrintable(QString("%1 accepted, %2 refused").arg(accepted).arg(refused)));
    }

    // Structure-aware fuzzing of image-folder datasets: class folders with
    // PNG and BMP files of random geometry and channel counts and JPEGs, then a
    // header byte changed, a file cut or grown, a size that differs, an empty
    // class, a FIFO, a folder or a link loop where an image goes. Each case
    // reads, with every image where it belongs, or is refused with a sentence
    // that names the folder; none crashes or hangs.
    void imageFolderFuzz()
    {
        QTemporaryDir dir;
        std::mt19937 rng(20261207);
        const int cases = fuzzCases(150);
        int accepted = 0, refused = 0;
        for (int i = 0; i < cases; ++i) {
            const std::string root = dir.filePath(QString("case%1").arg(i)).toStdString();
            const int classes = 2 + int(rng() % 2);
            const bool jpegSized = rng() % 3 == 0; // the size of the JPEGs, so that they decode whole
            const int w = jpegSized ? 8 : 1 + int(rng() % 6), h = jpegSized ? 8 : 1 + int(rng() % 6);
            std::vector<std::string> images;
            for (int c = 0; c < classes; ++c) {
                const std::string cls = root + "/class" + std::to_string(c);
                std::filesystem::create_directories(cls);
                const int count = rng() % 12 == 0 ? 0 : 1 + int(rng() % 3);
                for (int k = 0; k < count; ++k) {
                    const int comp = 1 + int(rng() % 4);
                    const bool odd = rng() % 10 == 0; // one image of another size
                    const int iw = odd ? w + 1 : w, ih = h;
                    std::vector<unsigned char> px(size_t(iw * ih * comp));
                    for (auto& v : px)
                        v = static_cast<unsigned char>(rng());
                    const std::string base = cls + "/" + std::to_string(k);
                    switch (rng() % 3) {
                    case 0: stbi_write_png((base + ".png").c_str(), iw, ih, comp, px.data(), iw * comp); images.push_back(base + ".png"); break;
                    case 1: stbi_write_bmp((base + ".bmp").c_str(), iw, ih, comp, px.data()); images.push_back(base + ".bmp"); break;
                    default: // an 8×8 JPEG: the case's other images only match it when they are 8×8 too
                        if (comp >= 3)
                            writeRaw(base + ".jpg", std::string(reinterpret_cast<const char*>(kColourJpeg), sizeof kColourJpeg));
                        else
                            writeRaw(base + ".jpg", std::string(reinterpret_cast<const char*>(kGreyJpeg), sizeof kGreyJpeg));
                        images.push_back(base + ".jpg");
                        break;
                    }
                }
            }
            if (!images.empty() && rng() % 3 != 0) {
                const std::string& victim = images[rng() % images.size()];
                std::ifstream in(victim, std::ios::binary);
                std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
                in.close();
                switch (rng() % 7) {
                case 0: // a header byte: geometry, colour type, bit depth
                    if (!bytes.empty())
                        bytes[rng() % std::min<size_t>(bytes.size(), 40)] = char(rng());
                    writeRaw(victim, bytes);
                    break;
                case 1: // any byte
                    if (!bytes.empty())
                        bytes[rng() % bytes.size()] ^= char(1 + rng() % 255);
                    writeRaw(victim, bytes);
                    break;
                case 2: bytes.resize(rng() % (bytes.size() + 1)); writeRaw(victim, bytes); break;
                case 3: bytes.append(rng() % 3000, char(rng())); writeRaw(victim, bytes); break;
                case 4:
                    std::filesystem::remove(victim);
                    QCOMPARE(::mkfifo(victim.c_str(), 0600), 0); // skipped: never opened
                    break;
                case 5:
                    std::filesystem::remove(victim);
                    std::filesystem::create_symlink(victim, victim); // a link to itself
                    break;
                default:
                    std::filesystem::remove(victim);
                    std::filesystem::create_directories(victim);
                    break;
                }
            }
            ImageSet set;
            std::string error;
            const bool ok = readImageFolder(root, set, error);
            if (ok) {
                QVERIFY(set.size() > 0 && set.size() <= images.size());
                QCOMPARE(set.labels.size(), set.size());
                QCOMPARE(set.pixels.size(), set.size() * set.imageBytes());
                QVERIFY(set.width > 0 && set.height > 0 && (set.channels == 1 || set.channels == 3));
                for (int32_t label : set.labels)
                    QVERIFY(label >= 0 && label < classes);
            } else {
                QVERIFY2(error.find(root) != std::string::npos, error.c_str());
            }
            (ok ? accepted : refused)++;
            std::filesystem::remove_all(root);
        }
        qInfo("%d cases: %d read, %d refused with a sentence", cases, accepted, refused);
        QVERIFY2(accepted > cases / 10 && refused > cases / 10,
                 qPrintable(QString("%1 accepted, %2 refused").arg(accepted).arg(refused)));
    }

    void imageFolderRefusesHugeImages()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        std::filesystem::create_directories(root + "/a");
        std::filesystem::create_directories(root + "/b");
        const std::vector<unsigned char> row(16385, 7);
        QVERIFY(stbi_write_png((root + "/a/wide.png").c_str(), 16385, 1, 1, row.data(), 16385));
        QVERIFY(stbi_write_png((root + "/b/wide.png").c_str(), 16385, 1, 1, row.data(), 16385));
        ImageSet set;
        std::string error;
        QVERIFY(!readImageFolder(root, set, error));
        QVERIFY2(QString::fromStdString(error).contains("wide.png: image is 16385×1, outside 1..16384 pixels a side"),
                 error.c_str());
    }

    void catalogue()
    {
        const std::vector<CatalogEntry>& c = datasetCatalog();
        QCOMPARE(c.size(), size_t(3));
        QCOMPARE(c[0].name, std::string("mnist"));
        QCOMPARE(c[0].totalBytes(), uint64_t(11594722));
        QCOMPARE(c[0].files[0].md5, std::string("f68b3c2dcbeaaa9fbdd348bbdeb94873"));
        QCOMPARE(c[1].totalBytes(), uint64_t(30878645));
        QCOMPARE(c[2].files[0].md5, std::string("c32a1d4ab5d03f1284b67883e8d87530"));
        for (const CatalogEntry& e : c)
            QVERIFY2(!e.sources.empty() && !e.licence.empty(), e.name.c_str());

        qputenv("XDG_DATA_HOME", "/somewhere/data");
        QCOMPARE(userDatasetsDir(), std::string("/somewhere/data/qnn-workbench/datasets"));
        qputenv("QNN_DATASETS", "");
        DatasetRequest request;
        request.choice.name = "fashion-mnist";
        const std::vector<std::string> paths = datasetSearchPaths(request);
        QVERIFY(std::find(paths.begin(), paths.end(), "/somewhere/data/qnn-workbench/datasets/fashion-mnist") !=
                paths.end());
        qunsetenv("XDG_DATA_HOME");
        qputenv("HOME", "/home/someone");
        QCOMPARE(userDatasetsDir(), std::string("/home/someone/.local/share/qnn-workbench/datasets"));

        // The test-only checksum manifest: replaces, and says what is wrong with it.
        QTemporaryDir dir;
        const std::string manifest = dir.filePath("sums.json").toStdString();
        qputenv("QNN_DATASET_CHECKSUMS", QByteArray::fromStdString(manifest));
        std::vector<CatalogEntry> withOverride;
        std::string error;
        writeRaw(manifest, R"({"cifar10": {"cifar-10-binary.tar.gz": {"sha256": ")" + std::string(64, 'a') + R"("}}})");
        QVERIFY2(datasetCatalogWithOverrides(withOverride, error), error.c_str());
        QCOMPARE(withOverride[2].files[0].sha256, std::string(64, 'a'));
        QCOMPARE(withOverride[2].files[0].md5, std::string());
        QCOMPARE(withOverride[0].files[0].md5, c[0].files[0].md5);
        writeRaw(manifest, R"({"cifar10": {"cifar-10-binary.tar.gz": {"sha256": "xyz"}}})");
        QVERIFY(!datasetCatalogWithOverrides(withOverride, error));
        QVERIFY2(QString::fromStdString(error).contains("needs a sha256 of 64 or an md5 of 32 lowercase hex digits"),
                 error.c_str());
        writeRaw(manifest, R"({"imagenet": {}})");
        QVERIFY(!datasetCatalogWithOverrides(withOverride, error));
        QVERIFY2(QString::fromStdString(error).contains("unknown dataset 'imagenet'"), error.c_str());
        qunsetenv("QNN_DATASET_CHECKSUMS");
    }

    void cifarBatch()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("data_batch_1.bin").toStdString();
        writeRaw(path, cifarRecord(3, 10) + cifarRecord(9, 20));
        ImageSet set;
        std::string error;
        QVERIFY2(readCifarBatch(path, set, error), error.c_str());
        QCOMPARE(set.size(), size_t(2));
        QCOMPARE(set.channels, 3);
        QCOMPARE(set.height, 32);
        QCOMPARE(set.labels, (std::vector<int32_t>{3, 9}));
        QCOMPARE(int(set.image(1)[0]), 20);        // red plane
        QCOMPARE(int(set.image(1)[2 * 1024]), 22); // blue plane

        writeRaw(path, cifarRecord(3, 10) + "xyz");
        QVERIFY(!readCifarBatch(path, set, error));
        QVERIFY2(QString::fromStdString(error).contains("3076 bytes is not a whole number of CIFAR-10 records"),
                 error.c_str());
        writeRaw(path, cifarRecord(11, 0));
        QVERIFY(!readCifarBatch(path, set, error));
        QVERIFY2(QString::fromStdString(error).contains("record 0 has label 11, expected 0..9"), error.c_str());

        const std::string meta = dir.filePath("batches.meta.txt").toStdString();
        writeRaw(meta, "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\n\n");
        std::vector<std::string> names;
        QVERIFY(!readCifarMeta(meta, names, error));
        QVERIFY2(QString::fromStdString(error).contains("lists 9 class names, expected 10"), error.c_str());
    }

    void cifarSplits()
    {
        QTemporaryDir dir;
        for (int i = 1; i <= 5; ++i) {
            std::string batch;
            for (int r = 0; r < 4; ++r)
                batch += cifarRecord(uint8_t(r), uint8_t(i));
            writeRaw(dir.filePath(QString("data_batch_%1.bin").arg(i)).toStdString(), batch);
        }
        writeRaw(dir.filePath("test_batch.bin").toStdString(), cifarRecord(5, 0) + cifarRecord(6, 0));
        DatasetRequest request;
        request.choice.name = "cifar10";
        request.dataDir = dir.path().toStdString();
        DatasetSplits splits;
        std::string error;
        QVERIFY2(loadDataset(request, splits, error), error.c_str());
        QCOMPARE(splits.train.size() + splits.validation.size(), size_t(20));
        QCOMPARE(splits.validation.size(), size_t(2));
        QCOMPARE(splits.test.labels, (std::vector<int32_t>{5, 6}));

        std::filesystem::remove(dir.filePath("data_batch_3.bin").toStdString());
        QVERIFY(!loadDataset(request, splits, error));
        QVERIFY2(QString::fromStdString(error).contains("data_batch_3.bin"), error.c_str());
    }

    void imageFolder()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        std::filesystem::create_directories(root + "/cat");
        std::filesystem::create_directories(root + "/dog");
        const unsigned char rgb[2 * 2 * 3] = {10, 20, 30, 11, 21, 31, 12, 22, 32, 13, 23, 33};
        const unsigned char grey[2 * 2] = {200, 201, 202, 203};
        QVERIFY(stbi_write_png((root + "/cat/a.png").c_str(), 2, 2, 3, rgb, 6));
        QVERIFY(stbi_write_png((root + "/dog/b.png").c_str(), 2, 2, 1, grey, 2));
        QVERIFY(stbi_write_bmp((root + "/dog/c.bmp").c_str(), 2, 2, 3, rgb));
        ImageSet set;
        std::string error;
        QVERIFY2(readImageFolder(root, set, error), error.c_str());
        QCOMPARE(set.size(), size_t(3));
        QCOMPARE(set.channels, 3);
        QCOMPARE(set.classes, 2);
        QCOMPARE(set.classNames, (std::vector<std::string>{"cat", "dog"}));
        QCOMPARE(set.labels, (std::vector<int32_t>{0, 1, 1}));
        // CHW: first plane red of the four pixels, then green.
        QCOMPARE(int(set.image(0)[0]), 10);
        QCOMPARE(int(set.image(0)[3]), 13);
        QCOMPARE(int(set.image(0)[4]), 20);
        QCOMPARE(int(set.image(1)[5]), 201); // grey expanded to three channels

        const unsigned char big[3 * 3] = {};
        QVERIFY(stbi_write_png((root + "/dog/d.png").c_str(), 3, 3, 1, big, 3));
        QVERIFY(!readImageFolder(root, set, error));
        QVERIFY2(QString::fromStdString(error).contains("d.png: image is 3×3, but the first image is 2×2"),
                 error.c_str());
        std::filesystem::remove(root + "/dog/d.png");
        writeRaw(root + "/dog/e.png", "not a png at all");
        QVERIFY(!readImageFolder(root, set, error));
        QVERIFY2(QString::fromStdString(error).contains("e.png: not a readable PNG or JPEG image"), error.c_str());
        std::filesystem::remove_all(root + "/dog");
        QVERIFY(!readImageFolder(root, set, error));
        QVERIFY2(QString::fromStdString(error).contains("found 1 class folders, expected at least 2"),
                 error.c_str());
        std::filesystem::create_directories(root + "/empty");
        QVERIFY(!readImageFolder(root, set, error));
        QVERIFY2(QString::fromStdString(error).contains("empty: no PNG or JPEG images in this class folder"),
                 error.c_str());
        QVERIFY(!readImageFolder(root + "/cat/a.png", set, error));
        QVERIFY2(QString::fromStdString(error).contains("a.png: not a folder"), error.c_str());
    }

    void imageFolderSplits()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        for (const char* cls : {"a", "b"}) {
            std::filesystem::create_directories(root + "/" + cls);
            for (int i = 0; i < 10; ++i) {
                const unsigned char px[4] = {static_cast<unsigned char>(i), 0, 0, 0};
                QVERIFY(stbi_write_png((root + "/" + cls + "/" + std::to_string(i) + ".png").c_str(), 2, 2, 1, px, 2));
            }
        }
        DatasetRequest request;
        request.choice.name = "image-folder";
        request.dataDir = root;
        DatasetSplits splits;
        std::string error;
        // One folder: every tenth image tests, every ninth of the rest validates.
        QVERIFY2(loadDataset(request, splits, error), error.c_str());
        QCOMPARE(splits.test.size(), size_t(2));
        QCOMPARE(splits.validation.size(), size_t(2));
        QCOMPARE(splits.train.size(), size_t(16));
        QCOMPARE(splits.test.labels, (std::vector<int32_t>{0, 1}));
        QCOMPARE(splits.train.classNames, (std::vector<std::string>{"a", "b"}));

        // train/ and test/ folders: test as given, validation from train.
        std::filesystem::create_directories(root + "/train");
        std::filesystem::rename(root + "/a", root + "/train/a");
        std::filesystem::rename(root + "/b", root + "/train/b");
        std::filesystem::create_directories(root + "/test/a");
        std::filesystem::create_directories(root + "/test/b");
        const unsigned char px[4] = {};
        QVERIFY(stbi_write_png((root + "/test/a/x.png").c_str(), 2, 2, 1, px, 2));
        QVERIFY(stbi_write_png((root + "/test/b/y.png").c_str(), 2, 2, 1, px, 2));
        QVERIFY2(loadDataset(request, splits, error), error.c_str());
        QCOMPARE(splits.test.size(), size_t(2));
        QCOMPARE(splits.train.size() + splits.validation.size(), size_t(20));
        QCOMPARE(splits.validation.size(), size_t(2));
    }

    void syntheticDigitsDeterministic()
    {
        const ImageSet a = generateSyntheticDigits(40, 7);
        const ImageSet b = generateSyntheticDigits(40, 7);
        const ImageSet c = generateSyntheticDigits(40, 8);
        const ImageSet tail = generateSyntheticDigits(10, 7, 30);
        QVERIFY(a.pixels == b.pixels);
        QVERIFY(a.pixels != c.pixels);
        QCOMPARE(a.size(), size_t(40));
        QCOMPARE(a.imageBytes(), size_t(784));
        QVERIFY(std::equal(tail.pixels.begin(), tail.pixels.end(), a.image(30)));
        QCOMPARE(a.labels[13], 3);
        // Strokes, not noise: some ink, mostly background.
        for (size_t i = 0; i < a.size(); ++i) {
            int ink = 0;
            for (size_t p = 0; p < 784; ++p)
                ink += a.image(i)[p] >= 128;
            QVERIFY2(ink > 20 && ink < 400, qPrintable(QString("image %1 has %2 ink pixels").arg(i).arg(ink)));
        }
    }

    void transforms()
    {
        Transform scale;
        QCOMPARE(transformPixel(0, 0, scale), -1.0f);
        QCOMPARE(transformPixel(255, 0, scale), 1.0f);
        Transform bin;
        bin.mode = PixelMode::Binarize;
        QCOMPARE(transformPixel(127, 0, bin), -1.0f);
        QCOMPARE(transformPixel(128, 0, bin), 1.0f);
        Transform norm;
        norm.mode = PixelMode::Normalize;
        norm.mean = {0.5f, 0.0f};
        norm.std = {0.25f, 1.0f};
        QCOMPARE(transformPixel(255, 0, norm), 2.0f);
        QCOMPARE(transformPixel(255, 1, norm), 1.0f);

        ImageSet set;
        set.channels = 1;
        set.height = 2;
        set.width = 3;
        set.pixels = {0, 51, 102, 153, 204, 255};
        set.labels = {4};
        const int64_t index = 0;
        float out[6];
        int64_t label = -1;
        fillBatch(set, &index, 1, scale, 0, out, &label);
        QCOMPARE(label, int64_t(4));
        QCOMPARE(out[1], 51 / 127.5f - 1);
        Transform flip;
        flip.horizontalFlip = true;
        // Some seed flips, some does not; a flipped row reads backwards.
        bool sawFlip = false, sawPlain = false;
        for (uint64_t seed = 0; seed < 16; ++seed) {
            fillBatch(set, &index, 1, flip, seed, out, &label);
            if (out[0] == 102 / 127.5f - 1 && out[3] == 1.0f)
                sawFlip = true;
            if (out[0] == -1.0f && out[3] == 153 / 127.5f - 1)
                sawPlain = true;
            float again[6];
            fillBatch(set, &index, 1, flip, seed, again, &label);
            QVERIFY(std::equal(out, out + 6, again));
        }
        QVERIFY(sawFlip && sawPlain);
        Transform crop;
        crop.cropPadding = 1;
        float plain[6];
        fillBatch(set, &index, 1, scale, 0, plain, &label);
        int shifted = 0;
        for (uint64_t seed = 0; seed < 16; ++seed) {
            fillBatch(set, &index, 1, crop, seed, out, &label);
            shifted += !std::equal(out, out + 6, plain);
            // A shift moves the content: the centre pixel of row 1 becomes one of its neighbours or padding.
            QVERIFY(out[4] == plain[4] || out[4] == plain[3] || out[4] == plain[5] || out[4] == plain[1] ||
                    out[4] == -1.0f || out[4] == plain[0] || out[4] == plain[2]);
        }
        QVERIFY(shifted > 0 && shifted < 16);
        QCOMPARE(defaultTransform("cifar10", 8, true).cropPadding, 4);
        QVERIFY(defaultTransform("cifar10", 8, true).horizontalFlip);
        QVERIFY(!defaultTransform("cifar10", 8, false).augments());
        QVERIFY(!defaultTransform("mnist", 1, true).augments());
        QCOMPARE(defaultTransform("mnist", 1, true, 2).cropPadding, 2);
        QVERIFY(defaultTransform("mnist", 1, true).mode == PixelMode::Binarize);
    }

    void idxFolderSplits()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        std::vector<uint8_t> labels(12);
        for (size_t i = 0; i < labels.size(); ++i)
            labels[i] = uint8_t(i % 10);
        writeGz(root + "/train-images-idx3-ubyte.gz", idxImages(12, 28, 28));
        writeGz(root + "/train-labels-idx1-ubyte.gz", idxLabels(labels));
        writeRaw(root + "/t10k-images-idx3-ubyte", idxImages(3, 28, 28)); // raw works beside gzip
        writeRaw(root + "/t10k-labels-idx1-ubyte", idxLabels({1, 2, 3}));
        DatasetRequest request;
        request.choice.name = "fashion-mnist";
        request.dataDir = root;
        DatasetSplits splits;
        std::string error;
        QVERIFY2(loadDataset(request, splits, error), error.c_str());
        QCOMPARE(splits.train.size(), size_t(10));
        QCOMPARE(splits.validation.size(), size_t(2));
        QCOMPARE(splits.validation.labels, (std::vector<int32_t>{0, 1})); // the last training images
        QCOMPARE(splits.test.size(), size_t(3));
        QCOMPARE(splits.source, root);
    }

    void missingDatasetSaysWhere()
    {
        QTemporaryDir dir;
        DatasetRequest request;
        request.choice.name = "mnist";
        request.projectDir = dir.path().toStdString();
        qputenv("QNN_DATASETS", "");
        const QString before = QDir::currentPath();
        QDir::setCurrent(dir.path()); // no shared/datasets above a temporary folder
        DatasetSplits splits;
        std::string error;
        QVERIFY(!loadDataset(request, splits, error));
        QVERIFY2(QString::fromStdString(error).startsWith(
                     "dataset 'mnist' not found; download it with `qnnw data fetch mnist` (11.6 MB, into "),
                 error.c_str());
        QVERIFY2(QString::fromStdString(error).contains("or put train-images-idx3-ubyte.gz"), error.c_str());
        QVERIFY2(QString::fromStdString(error).contains("shared/datasets/mnist"), error.c_str());
        QVERIFY2(QString::fromStdString(error).contains("or pass --data DIR"), error.c_str());

        request.dataDir = dir.filePath("nowhere").toStdString();
        QVERIFY(!loadDataset(request, splits, error));
        QVERIFY2(QString::fromStdString(error).contains(dir.filePath("nowhere")), error.c_str());

        request.choice.name = "imagenet";
        QVERIFY(!loadDataset(request, splits, error));
        QVERIFY2(QString::fromStdString(error).contains("unknown dataset 'imagenet'"), error.c_str());
        QDir::setCurrent(before);
    }

    void syntheticSplits()
    {
        DatasetRequest request; // synthetic-digits by default: no files at all
        DatasetSplits splits;
        std::string error;
        QVERIFY2(loadDataset(request, splits, error), error.c_str());
        QCOMPARE(splits.train.size(), size_t(20000));
        QCOMPARE(splits.validation.size(), size_t(2000));
        QCOMPARE(splits.test.size(), size_t(2000));
        QVERIFY(splits.validation.pixels != std::vector<uint8_t>(splits.train.pixels.begin(),
                                                                 splits.train.pixels.begin() + 2000 * 784));
    }

    void realDatasetsWhenPresent_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("firstTrain");
        QTest::addColumn<int>("firstTest");
        QTest::addColumn<int>("secondTest");
        // The well-known first labels of each distribution.
        QTest::newRow("mnist") << "mnist" << 5 << 7 << 2;
        QTest::newRow("fashion-mnist") << "fashion-mnist" << 9 << 9 << 2;
    }
    void realDatasetsWhenPresent()
    {
        QFETCH(QString, name);
        QFETCH(int, firstTrain);
        QFETCH(int, firstTest);
        QFETCH(int, secondTest);
        const std::string dir = std::string(QNN_DATASETS_DIR) + "/" + name.toStdString();
        if (!std::filesystem::exists(dir + "/train-images-idx3-ubyte.gz"))
            QSKIP("dataset not in ../shared/datasets");
        DatasetRequest request;
        request.choice.name = name.toStdString();
        request.projectDir = std::string(QNN_SOURCE_DIR) + "/projects"; // found by the default search
        DatasetSplits splits;
        std::string error;
        QVERIFY2(loadDataset(request, splits, error), error.c_str());
        QCOMPARE(splits.train.size(), size_t(50000));
        QCOMPARE(splits.validation.size(), size_t(10000));
        QCOMPARE(splits.test.size(), size_t(10000));
        QCOMPARE(splits.train.labels[0], firstTrain);
        QCOMPARE(splits.test.labels[0], firstTest);
        QCOMPARE(splits.test.labels[1], secondTest);
        QCOMPARE(splits.train.height, 28);
        QCOMPARE(splits.train.width, 28);
    }
};

QTEST_GUILESS_MAIN(TestData)
#include "tst_data.moc"
