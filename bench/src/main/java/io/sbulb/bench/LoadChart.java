package io.sbulb.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A line chart of delivered against offered frames a second, one line per balancer, with the
 * diagonal (nothing lost) for reference: Java2D, headless, written as PNG.
 */
final class LoadChart {

    private static final int W = 900;
    private static final int H = 560;
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 70;
    private static final Color[] COLORS = {new Color(0xd62728), new Color(0x1f77b4), new Color(0x2ca02c),
        new Color(0x9467bd)};

    private LoadChart() {
    }

    /** {@code series}: balancer -> points {offered, delivered}, frames a second. */
    static void write(Path file, Map<String, List<double[]>> series, String title) throws IOException {
        System.setProperty("java.awt.headless", "true");
        double max = 1;
        for (List<double[]> points : series.values()) {
            for (double[] p : points) {
                max = Math.max(max, Math.max(p[0], p[1]));
            }
        }
        double top = niceCeiling(max);
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;
        // grid and axes
        for (int i = 0; i <= 5; i++) {
            double v = top * i / 5;
            int x = LEFT + (int) (plotW * v / top);
            int y = TOP + plotH - (int) (plotH * v / top);
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(LEFT, y, LEFT + plotW, y);
            g.drawLine(x, TOP, x, TOP + plotH);
            g.setColor(Color.DARK_GRAY);
            String label = LabReport.kilo(v);
            g.drawString(label, LEFT - 10 - g.getFontMetrics().stringWidth(label), y + 5);
            g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, TOP + plotH + 20);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, plotW, plotH);
        g.drawString("offered frames/s", LEFT + plotW / 2 - 50, H - 25);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString("delivered frames/s", -(TOP + plotH / 2 + 60), 20);
        rotated.dispose();
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, LEFT, TOP - 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        // the diagonal: delivered = offered
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 6}, 0));
        g.drawLine(LEFT, TOP + plotH, LEFT + plotW, TOP);
        int k = 0;
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            Color c = COLORS[k % COLORS.length];
            g.setColor(c);
            g.setStroke(new BasicStroke(2.5f));
            List<double[]> points = e.getValue().stream().sorted((a, b) -> Double.compare(a[0], b[0])).toList();
            int px = -1;
            int py = -1;
            for (double[] p : points) {
                int x = LEFT + (int) (plotW * p[0] / top);
                int y = TOP + plotH - (int) (plotH * p[1] / top);
                g.fillOval(x - 4, y - 4, 8, 8);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            int ly = TOP + 20 + 20 * k;
            g.drawLine(LEFT + 15, ly - 5, LEFT + 40, ly - 5);
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), LEFT + 48, ly);
            k++;
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
