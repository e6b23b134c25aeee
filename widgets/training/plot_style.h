#pragma once

class QCustomPlot;

/** Moves the plot's legend out of the axis rectangle into a row below it,
 *  `columns` entries wide, so that it never hides a curve. */
void putLegendBelow(QCustomPlot* plot, int columns);
