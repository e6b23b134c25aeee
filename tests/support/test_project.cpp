#include "support/test_project.h"

#include <QDir>
#include <QFile>

namespace qnn::test {

QString exampleProject(const QString& name)
{
    return QStringLiteral(QNN_SOURCE_DIR "/projects/") + name + ".qnnproj";
}

QString copyExample(const QTemporaryDir& dir, const QString& example, const QString& as)
{
    const QString path = dir.filePath(as);
    QFile::remove(path);
    if (!QFile::copy(exampleProject(example), path)) {
        qWarning("cannot copy %s to %s", qPrintable(exampleProject(example)), qPrintable(path));
        return {};
    }
    // The source tree may be read-only; the copy is the test's to change.
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
    return path;
}

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        qWarning("cannot write %s", qPrintable(path));
        return {};
    }
    f.write(bytes);
    return path;
}

QString onlySubfolder(const QString& folder)
{
    const QStringList dirs = QDir(folder).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    return dirs.size() == 1 ? folder + "/" + dirs.first() : QString();
}

} // namespace qnn::test
