package dev.corral.bench;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** A PNG of horizontal bar panels, one per scenario, drawn with Java2D (headless). */
final class Chart {
  private static final int WIDTH = 1000;
  private static final int BAR = 22;
  private static final int LABEL = 330;
  private static final Color CORRAL = new Color(0x2a, 0x7a, 0x3b);
  private static final Color PEER = new Color(0x8a, 0x8f, 0x98);

  private record Panel(String title, Map<String, Double> bars, String unit) {}

  private final List<Panel> panels = new ArrayList<>();

  /** Adds a panel; bars keep their order. Shorter is better unless the title says otherwise. */
  Chart panel(String title, Map<String, Double> bars, String unit) {
    panels.add(new Panel(title, new LinkedHashMap<>(bars), unit));
    return this;
  }

  void write(Path png) throws Exception {
    int height = 20;
    for (Panel p : panels) {
      height += 40 + p.bars().size() * (BAR + 6) + 16;
    }
    BufferedImage img = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, height);
    int y = 20;
    for (Panel p : panels) {
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
      g.drawString(p.title(), 10, y + 16);
      y += 30;
      // One far outlier would flatten every other bar: the axis stops at 4x the median, and a bar
      // beyond it is drawn to the edge with its true value written beside it.
      double[] vs = p.bars().values().stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).sorted().toArray();
      double max = vs.length == 0 ? 1 : vs[vs.length - 1];
      double median = vs.length == 0 ? 1 : vs[vs.length / 2];
      if (median > 0 && max > 4 * median) {
        max = 4 * median;
      }
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      for (Map.Entry<String, Double> b : p.bars().entrySet()) {
        double v = b.getValue();
        int w = max <= 0 || !Double.isFinite(v) ? 0 : (int) Math.round((WIDTH - LABEL - 150) * Math.min(v, max) / max);
        g.setColor(Color.BLACK);
        g.drawString(b.getKey(), 10, y + BAR - 6);
        g.setColor(b.getKey().startsWith("Corral") ? CORRAL : PEER);
        g.fillRect(LABEL, y, Math.max(w, 1), BAR);
        g.setColor(Color.BLACK);
        String text = String.format(java.util.Locale.ROOT, "%.1f %s", v, p.unit()) + (v > max ? " (axis cut)" : "");
        g.drawString(text, LABEL + Math.max(w, 1) + 6, y + BAR - 6);
        y += BAR + 6;
      }
      y += 16;
    }
    g.dispose();
    ImageIO.write(img, "png", png.toFile());
  }
}
