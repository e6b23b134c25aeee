// Structure-aware fuzzing of the boards file (boards.json), like
// tests/core/tst_fuzz.cpp for projects: a valid file with hostile values put
// in, keys dropped, entries or the whole file of another type, a name twice,
// cut short, nested deep or with a byte changed must load into boards that
// validate (and save and read back the same), or be refused with a short
// sentence valid as UTF-8, never crash. QNN_FUZZ_CASES / 10 sets the
// number of cases (at least 200; the asan test preset runs 3,000); the seed
// is fixed, so a failure repeats.
#include "core/deploy/board_config.h"
#include "core/util/atomic_file.h"

#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <limits>
#include <random>

using namespace qnn::deploy;
using qnn::writeFileAtomic;

class TestBoardsFuzz : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mutatedBoardsFilesLoadOrSaySentence()
    {
        QTemporaryDir work;
        QVERIFY(work.isValid());
        qputenv("XDG_CONFIG_HOME", (work.path() + "/fuzz-config").toUtf8());
        QDir().mkpath(work.path() + "/fuzz-config/qnn-workbench");
        const nlohmann::json original = nlohmann::json::parse(R"({"boards": [
            {"name": "pynq", "kind": "pynq-z1", "host": "10.0.0.2", "port": 22, "user": "xilinx", "key": "/k",
             "dir": "qnn", "known_hosts": "/kh"},
            {"name": "laptop", "kind": "local", "dir": "/tmp/b"},
            {"name": "card", "kind": "xrt", "dir": "/tmp/x", "xclbin": "a.xclbin", "device": 0}]})");
        const std::vector<nlohmann::json> hostile{nullptr, true, -1, 0, 65536, int64_t(1) << 40,
                                                  std::numeric_limits<int64_t>::min(), 1e308, "x", "\xff\xfe",
                                                  "../../etc", nlohmann::json::array(), nlohmann::json::object(),
                                                  std::string(5000, 'a')};
        const std::vector<std::string> keys{"name", "kind", "host", "port", "user", "key",
                                            "dir", "known_hosts", "xclbin", "device"};
        std::mt19937 rng(15);
        const int fromEnv = qEnvironmentVariableIntValue("QNN_FUZZ_CASES");
        const int cases = std::max(200, fromEnv / 10);
        int loaded = 0, refused = 0;
        for (int i = 0; i < cases; ++i) {
            nlohmann::json j = original;
            for (int e = 1 + int(rng() % 2); e > 0; --e) {
                nlohmann::json& entry = j["boards"][rng() % 3];
                const std::string& key = keys[rng() % keys.size()];
                if (rng() % 4 == 0)
                    entry.erase(key);
                else
                    entry[key] = hostile[rng() % hostile.size()];
            }
            // One case in five breaks the file's shape rather than a value.
            switch (rng() % 20) {
            case 0: j["boards"][rng() % 3] = hostile[rng() % hostile.size()]; break;
            case 1: j["boards"] = hostile[rng() % hostile.size()]; break;
            case 2: j = hostile[rng() % hostile.size()]; break;
            case 3: j["boards"].push_back(j["boards"][rng() % 3]); break; // a name twice
            default: break;
            }
            std::string bytes = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::ignore);
            if (rng() % 10 == 0)
                bytes.resize(rng() % (bytes.size() + 1)); // cut short
            else if (rng() % 10 == 0)
                bytes = std::string(20000, '[') + bytes; // nested past any sane depth
            else if (rng() % 10 == 0)
                bytes[rng() % bytes.size()] = char(rng());
            std::string error;
            QVERIFY(writeFileAtomic(boardsFilePath(), bytes, error));
            BoardStore store;
            if (store.load(error)) {
                ++loaded;
                for (const BoardConfig& b : store.boards())
                    QVERIFY2(validateBoard(b, error), error.c_str());
                // What loads saves, and reads back to the same file (a key the
                // kind does not use, such as a local board's "xclbin", is not kept).
                QVERIFY2(store.save(error), error.c_str());
                std::string saved, resaved;
                QVERIFY2(qnn::readFile(boardsFilePath(), saved, error), error.c_str());
                BoardStore again;
                QVERIFY2(again.load(error), error.c_str());
                QCOMPARE(again.boards().size(), store.boards().size());
                QVERIFY2(again.save(error), error.c_str());
                QVERIFY2(qnn::readFile(boardsFilePath(), resaved, error), error.c_str());
                QCOMPARE(resaved, saved);
            } else {
                ++refused;
                QVERIFY2(!error.empty() && error.size() < 2000, error.c_str());
                QVERIFY(nlohmann::json(error).dump().size() > 2); // a sentence valid as UTF-8
            }
        }
        std::printf("boards-file fuzzer: %d cases, %d loaded, %d refused with a sentence\n", cases, loaded, refused);
        QVERIFY2(loaded > cases / 20 && refused > cases / 4,
                 qPrintable(QString("%1 loaded, %2 refused").arg(loaded).arg(refused)));
    }
};

QTEST_GUILESS_MAIN(TestBoardsFuzz)
#include "tst_boards_fuzz.moc"
