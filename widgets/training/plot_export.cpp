#include "widgets/training/plot_export.h"

#include "core/util/atomic_file.h"

#include <qcustomplot.h>

#include <QFileDialog>

#include <algorithm>
#include <QFileInfo>
#include <QMessageBox>
#include <QSvgGenerator>
#include <QTableWidget>

bool exportPlot(QCustomPlot* plot, const QString& path, QString* error)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    const int w = std::max(plot->width(), 640), h = std::max(plot->height(), 400);
    // QCustomPlot writes straight to the path; write beside it and rename so a reader never sees half a file.
    const QString temp = path + ".part." + suffix;
    bool ok = false;
    if (suffix == "png") {
        ok = plot->savePng(temp, w, h, 2.0);
    } else if (suffix == "pdf") {
        ok = plot->savePdf(temp, w, h);
    } else if (suffix == "svg") {
        QSvgGenerator svg;
        svg.setFileName(temp);
        svg.setSize(QSize(w, h));
        svg.setViewBox(QRect(0, 0, w, h));
        QCPPainter painter;
        ok = painter.begin(&svg);
        if (ok) {
            plot->toPainter(&painter, w, h);
            painter.end();
        }
    } else {
        if (error)
            *error = QObject::tr("Cannot export to %1: use a file name ending in .png, .pdf or .svg.").arg(path);
        return false;
    }
    if (!ok || !QFileInfo::exists(temp)) {
        QFile::remove(temp);
        if (error)
            *error = QObject::tr("Cannot write %1.").arg(path);
        return false;
    }
    QFile::remove(path);
    if (!QFile::rename(temp, path)) {
        QFile::remove(temp);
        if (error)
            *error = QObject::tr("Cannot write %1.").arg(path);
        return false;
    }
    return true;
}

void exportPlotInteractively(QCustomPlot* plot, QWidget* parent)
{
    const QString path = QFileDialog::getSaveFileName(parent, QObject::tr("Export plot"), QString(),
                                                      QObject::tr("PNG image (*.png);;PDF (*.pdf);;SVG (*.svg)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportPlot(plot, path, &error))
        QMessageBox::warning(parent, QObject::tr("Export plot"), error);
}

namespace {

QString csvField(const QString& s)
{
    if (!s.contains(',') && !s.contains('"') && !s.contains('\n'))
        return s;
    QString q = s;
    q.replace('"', "\"\"");
    return '"' + q + '"';
}

} // namespace

QString tableToCsv(const QTableWidget* table)
{
    QString out;
    QStringList head{QString()};
    for (int c = 0; c < table->columnCount(); ++c) {
        const QTableWidgetItem* h = table->horizontalHeaderItem(c);
        head << csvField(h ? h->text() : QString());
    }
    out += head.join(',') + "\n";
    for (int r = 0; r < table->rowCount(); ++r) {
        const QTableWidgetItem* v = table->verticalHeaderItem(r);
        QStringList row{csvField(v ? v->text() : QString())};
        for (int c = 0; c < table->columnCount(); ++c) {
            const QTableWidgetItem* it = table->item(r, c);
            row << csvField(it ? it->text() : QString());
        }
        out += row.join(',') + "\n";
    }
    return out;
}

bool exportTableCsv(const QTableWidget* table, const QString& path, QString* error)
{
    std::string e;
    if (qnn::writeFileAtomic(path.toStdString(), tableToCsv(table).toStdString(), e))
        return true;
    if (error)
        *error = QString::fromStdString(e);
    return false;
}
