package org.ldmfiji.image;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Random;

/**
 * {@code ./ldm bench --fill}: the biharmonic fill ({@link BiharmonicFill#fill}) on square holes of growing size, its
 * time, the way it was solved, and its accuracy: on a paraboloid, whose fill is itself (it is biharmonic), and on
 * smoothed texture against the exact solution, where that can be factorised with a larger bound (holes up to 300 px).
 */
public final class FillBenchmark {

	/** Holes up to this side are also solved exactly for the comparison (about 150 MB). */
	private static final int EXACT_UP_TO = 300;

	private FillBenchmark() {}

	/** One line per hole side: a square hole with a margin of a quarter of its side (at least 16 px) around it. */
	public static void run(PrintStream out, int[] sides) {
		out.println("biharmonic fill of a centred square hole; paraboloid: the worst error over the hole relative to the "
			+ "paraboloid's range; texture (sines and noise, smoothed by 1 px): the mean error against the exact fill, relative to the "
			+ "known values' range (exact fills up to " + EXACT_UP_TO + " px)");
		out.println(String.format(Locale.ROOT, "%8s %10s %10s %12s %11s %14s", "hole px", "plane px", "solved",
			"paraboloid", "texture ms", "texture error"));
		boolean[] warm = new boolean[96 * 96];
		for (int i = 0; i < warm.length; i++) warm[i] = Math.abs(i % 96 - 48) < 32 && Math.abs(i / 96 - 48) < 32;
		for (int r = 0; r < 3; r++) BiharmonicFill.fill(new float[warm.length], warm, 96, 96); // the JIT's warm-up
		for (int side : sides) {
			int w = side + 2 * Math.max(16, side / 4), h = w, o = (w - side) / 2;
			boolean[] hole = new boolean[w * h];
			float[] parabola = new float[w * h], texture = new float[w * h];
			Random random = new Random(side);
			for (int y = 0; y < h; y++)
				for (int x = 0; x < w; x++) {
					int i = y * w + x;
					hole[i] = x >= o && x < o + side && y >= o && y < o + side;
					double dx = (x - 0.4 * w) / w, dy = (y - 0.45 * h) / h;
					parabola[i] = (float) (dx * dx + 2 * dy * dy);
					texture[i] = (float) (Math.sin(x * 0.05) + Math.cos(y * 0.031 + x * 0.01) + 0.3 * Math.sin(x * 0.4
						+ y * 0.3) + 0.1 * random.nextGaussian());
				}
			texture = BiharmonicFill.smoothKnown(texture, hole, w, h, 1);
			String solved = BiharmonicSystem.of(hole, w, h) != null ? "directly" : "two steps";
			float[] fill = BiharmonicFill.fill(parabola, hole, w, h);
			double worst = 0, top = 0;
			for (int i = 0; i < fill.length; i++) {
				top = Math.max(top, parabola[i]); // its least is 0
				if (hole[i]) worst = Math.max(worst, Math.abs(fill[i] - parabola[i]));
			}
			long t0 = System.nanoTime();
			fill = BiharmonicFill.fill(texture, hole, w, h);
			double ms = (System.nanoTime() - t0) / 1e6;
			String error = "-";
			if (side <= EXACT_UP_TO) {
				float[] exact = BiharmonicSystem.of(hole, w, h, 1 << 26).fill(texture);
				double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE, sum = 0;
				for (int i = 0; i < fill.length; i++) {
					if (hole[i]) sum += Math.abs(fill[i] - exact[i]);
					else {
						lo = Math.min(lo, texture[i]);
						hi = Math.max(hi, texture[i]);
					}
				}
				error = String.format(Locale.ROOT, "%.2e", sum / ((double) side * side) / (hi - lo));
			}
			out.println(String.format(Locale.ROOT, "%8d %10d %10s %12.2e %11.0f %14s", side, w, solved, worst / top, ms,
				error));
		}
	}
}
