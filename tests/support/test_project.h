#pragma once

// Temporary projects for tests: an example project copied into a test's own
// folder (so that its runs/ and runs list are the test's), files written
// there, and the run folders a test's training made.
#include <QString>
#include <QTemporaryDir>

namespace qnn::test {

/** projects/<name>.qnnproj in the source tree. */
QString exampleProject(const QString& name);

/** Copies projects/<example>.qnnproj to `dir`/<as>, writable; returns its path
 *  (empty, with a warning, when the copy failed). */
QString copyExample(const QTemporaryDir& dir, const QString& example, const QString& as = "p.qnnproj");

/** Writes `bytes` to `dir`/<name>; returns the path. */
QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes);

/** The one folder under `folder` (a runs/ or an --out folder); empty unless exactly one. */
QString onlySubfolder(const QString& folder);

} // namespace qnn::test
