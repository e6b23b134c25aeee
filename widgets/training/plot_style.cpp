#include "widgets/training/plot_style.h"

#include <qcustomplot.h>

void putLegendBelow(QCustomPlot* plot, int columns)
{
    plot->legend->setVisible(true);
    plot->axisRect()->insetLayout()->take(plot->legend);
    auto* row = new QCPLayoutGrid;
    plot->plotLayout()->addElement(1, 0, row);
    // Tight: in a low dock every pixel of the legend is one the curves lack.
    row->setMargins(QMargins(5, 0, 5, 2));
    plot->legend->setMargins(QMargins(2, 1, 2, 1));
    plot->legend->setIconSize(24, 10);
    row->addElement(0, 0, plot->legend);
    plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot->legend->setWrap(columns);
    plot->legend->setBorderPen(Qt::NoPen);
    plot->plotLayout()->setRowStretchFactor(1, 0.001);
    QFont small = plot->legend->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    plot->legend->setFont(small);
}
