package io.inceptionpipeline.pipeline.loadgen;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws a run's latency over time as a PNG with XChart: one point per answered request (x: when it
 * was sent, y: its latency), predictions and dead letters apart, and the run's p50 and p99 as
 * lines. Rendering is headless (no display needed).
 */
public final class LatencyPlot {

    private LatencyPlot() {}

    public static void write(LatencyReport report, String title, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart =
                new XYChartBuilder()
                        .width(1000)
                        .height(500)
                        .title(title)
                        .xAxisTitle("sent at (s)")
                        .yAxisTitle("latency (ms)")
                        .build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(4);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        addPoints(chart, "predictions", report.points(), false);
        addPoints(chart, "dead letters", report.points(), true);
        if (!report.points().isEmpty()) {
            double end = Math.max(report.sendSeconds(), 1e-3);
            line(
                    chart,
                    String.format(Locale.ROOT, "p50 %.0f ms", report.percentileMs(0.5)),
                    end,
                    report.percentileMs(0.5));
            line(
                    chart,
                    String.format(Locale.ROOT, "p99 %.0f ms", report.percentileMs(0.99)),
                    end,
                    report.percentileMs(0.99));
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static void addPoints(
            XYChart chart, String name, List<LatencyReport.Point> points, boolean deadLetters) {
        double[] x =
                points.stream()
                        .filter(p -> p.deadLetter() == deadLetters)
                        .mapToDouble(LatencyReport.Point::sentSeconds)
                        .toArray();
        double[] y =
                points.stream()
                        .filter(p -> p.deadLetter() == deadLetters)
                        .mapToDouble(LatencyReport.Point::latencyMs)
                        .toArray();
        if (x.length > 0) {
            chart.addSeries(name, x, y).setMarker(SeriesMarkers.CIRCLE);
        }
    }

    private static void line(XYChart chart, String name, double end, double value) {
        XYSeries series = chart.addSeries(name, new double[] {0, end}, new double[] {value, value});
        series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        series.setMarker(SeriesMarkers.NONE);
    }
}
