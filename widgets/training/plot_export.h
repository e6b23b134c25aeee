#pragma once

#include <QString>

class QCustomPlot;
class QTableWidget;
class QWidget;

/** Writes a plot as PNG, PDF or SVG, chosen by the file's suffix; false with a sentence otherwise. */
bool exportPlot(QCustomPlot* plot, const QString& path, QString* error);
/** Asks for a file name and exports; errors are shown in a dialog. */
void exportPlotInteractively(QCustomPlot* plot, QWidget* parent);

/** The table's header and cells as CSV (RFC 4180 quoting), written atomically. */
bool exportTableCsv(const QTableWidget* table, const QString& path, QString* error);
QString tableToCsv(const QTableWidget* table);
