package org.ldmfiji.cli;

import ij.ImagePlus;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;

import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.ValueMap;

import java.awt.Color;
import java.awt.Font;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Rows of labelled greyscale panels (the first channel), each shown with its own display map, saved as PNG. */
final class Figure {

	private static final int LABEL = 18, GAP = 4;

	private static final class Panel {
		final String label;
		final FloatPlanes pixels;
		final ValueMap display;

		Panel(String label, FloatPlanes pixels, ValueMap display) {
			this.label = label;
			this.pixels = pixels;
			this.display = display;
		}
	}

	private final List<List<Panel>> rows = new ArrayList<>();

	/** Starts a new row. */
	void row() {
		rows.add(new ArrayList<>());
	}

	/** @param display maps the panel's values onto [targetLo, targetHi] = black … white */
	void add(String label, FloatPlanes panel, ValueMap display) {
		if (rows.isEmpty()) row();
		rows.get(rows.size() - 1).add(new Panel(label, panel, display));
	}

	void save(Path png) {
		List<Panel> all = new ArrayList<>();
		rows.forEach(all::addAll);
		int cw = all.stream().mapToInt(p -> p.pixels.width()).max().orElse(1);
		int ch = all.stream().mapToInt(p -> p.pixels.height()).max().orElse(1);
		int cols = Math.max(1, rows.stream().mapToInt(List::size).max().orElse(1));
		ColorProcessor cp = new ColorProcessor(cols * (cw + GAP) + GAP, rows.size() * (ch + LABEL + GAP) + GAP);
		cp.setColor(Color.WHITE);
		cp.fill();
		cp.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
		cp.setAntialiasedText(true);
		for (int r = 0; r < rows.size(); r++)
			for (int k = 0; k < rows.get(r).size(); k++) {
				Panel p = rows.get(r).get(k);
				int x0 = GAP + k * (cw + GAP), y0 = GAP + r * (ch + LABEL + GAP);
				ValueMap d = p.display;
				for (int y = 0; y < p.pixels.height(); y++)
					for (int x = 0; x < p.pixels.width(); x++) {
						double v = d.forward(p.pixels.get(0, y, x));
						int g = (int) Math.round(255 * (v - d.targetLo()) / (d.targetHi() - d.targetLo()));
						g = Math.max(0, Math.min(255, g));
						cp.set(x0 + x, y0 + LABEL + y, (g << 16) | (g << 8) | g);
					}
				cp.setColor(Color.BLACK);
				cp.drawString(p.label, x0, y0 + LABEL - 3);
			}
		ImageFiles.save(new ImagePlus("demo", (ImageProcessor) cp), png);
	}
}
