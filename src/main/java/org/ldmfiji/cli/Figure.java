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

/** A labelled grid of greyscale panels, shown with one display map, saved as PNG (the README's picture). */
final class Figure {

	private static final int COLUMNS = 4, LABEL = 18, GAP = 4;

	private final ValueMap display;
	private final List<String> labels = new ArrayList<>();
	private final List<FloatPlanes> panels = new ArrayList<>();

	Figure(ValueMap display) {
		this.display = display;
	}

	void add(String label, FloatPlanes panel) {
		labels.add(label);
		panels.add(panel);
	}

	void save(Path png) {
		int cw = panels.stream().mapToInt(FloatPlanes::width).max().orElse(1);
		int ch = panels.stream().mapToInt(FloatPlanes::height).max().orElse(1);
		int rows = (panels.size() + COLUMNS - 1) / COLUMNS;
		int cols = Math.min(COLUMNS, panels.size());
		ColorProcessor cp = new ColorProcessor(cols * (cw + GAP) + GAP, rows * (ch + LABEL + GAP) + GAP);
		cp.setColor(Color.WHITE);
		cp.fill();
		cp.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
		cp.setAntialiasedText(true);
		for (int k = 0; k < panels.size(); k++) {
			int x0 = GAP + (k % COLUMNS) * (cw + GAP), y0 = GAP + (k / COLUMNS) * (ch + LABEL + GAP);
			FloatPlanes p = panels.get(k);
			for (int y = 0; y < p.height(); y++)
				for (int x = 0; x < p.width(); x++) {
					double v = display.forward(p.get(0, y, x)); // model range
					int g = (int) Math.round(255 * (v - display.targetLo()) / (display.targetHi() - display.targetLo()));
					g = Math.max(0, Math.min(255, g));
					cp.set(x0 + x, y0 + LABEL + y, (g << 16) | (g << 8) | g);
				}
			cp.setColor(Color.BLACK);
			cp.drawString(labels.get(k), x0, y0 + LABEL - 3);
		}
		ImageFiles.save(new ImagePlus("demo", (ImageProcessor) cp), png);
	}
}
