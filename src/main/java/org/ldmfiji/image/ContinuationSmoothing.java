package org.ldmfiji.image;

import java.util.stream.IntStream;

/**
 * How much to smooth the known pixels before their biharmonic continuation into a hole
 * ({@link BiharmonicFill#fillDenoised}), chosen on the image itself by cross-validation (Stone 1974): the hole is
 * moved elsewhere in the window (eight cyclic shifts, which keep its shape and depth), the known pixels under each
 * moved copy are predicted from the pixels known around both with every candidate σ, and the σ of the least absolute
 * error, over all copies and channels, is taken. Each copy's continuation is one linear system for every σ and
 * channel, factorised once ({@link BiharmonicSystem}); a copy whose system is too large ({@link #MAX_ENTRIES}) is not
 * scored, and where fewer than half the copies can be, the fixed {@link BiharmonicFill#DENOISE_SIGMA} is kept (one or
 * two copies judged the largest masks badly: session 21). Square holes are judged up to about 115 px.
 * <p>
 * Why: the right amount depends on the image. Smoothing takes the noise out of the gradients that the continuation
 * extrapolates (on a noisy frame, σ = 2 px halves the error of the raw continuation), but blurs the edges and fine
 * lines of a clean photograph, whose raw continuation is the better one (there σ = 1 px adds up to a fifth to the
 * error). One fixed σ (1 px until this class) was right for neither: with the chosen one the fills' MAE on the 32
 * real images of models/demo/EVALUATION.md goes from 0.1397 to 0.1357 (biharmonic 0.1403; session 21). Its cost: a
 * fifth of a second for a 50 × 50 px hole in a 128 × 128 window on two cores (solved by iterations, one system per σ
 * and copy, it took 2 s).
 */
public final class ContinuationSmoothing {

	/**
	 * The candidates, in pixels (the raw values, σ = 0, carry the border pixels' own grain into a seam). Up to 2 px
	 * until session 26: a box in the corner of a noise background, continued from two sides only, kept enough of the
	 * border's noise to be filled a third of the noise level too dark (InpaintingTextureTest).
	 */
	static final double[] SIGMAS = {0.5, 0.7, 1, 1.5, 2, 3, 4, 6};
	/** The moved copies' offsets, as fractions of the window's height and width. */
	static final double[][] SHIFTS = {{0, .5}, {.5, 0}, {.5, .5}, {.25, .75}, {.75, .25}, {.25, .25}, {.75, .75},
		{0, .25}};
	/** A copy is scored only where it covers at least this many known pixels. */
	static final int MIN_SCORED = 16;
	/**
	 * A copy is scored only where its system's factor holds at most this many numbers (the hole with its copy about
	 * 100 × 100 px), which bounds the test's time and memory.
	 */
	static final int MAX_ENTRIES = 1 << 21;

	private ContinuationSmoothing() {}

	/**
	 * @param planes the channels, each w·h row-major; only the known pixels are read
	 * @param unknown w·h row-major, true on the hole
	 * @param cancel run before each moved copy is solved; it throws to stop (the user cancelled)
	 * @return the σ (px) for {@link BiharmonicFill#fillDenoised} of every channel; {@link BiharmonicFill#DENOISE_SIGMA}
	 *         where no copy can be scored (a hole that leaves too little known around it) or fewer than half of them
	 *         (holes too large to solve directly)
	 */
	public static double choose(float[][] planes, boolean[] unknown, int w, int h, Runnable cancel) {
		boolean[][] held = new boolean[SHIFTS.length][], scored = new boolean[SHIFTS.length][];
		for (int s = 0; s < SHIFTS.length; s++) {
			boolean[] moved = shifted(unknown, w, h, (int) (SHIFTS[s][0] * h), (int) (SHIFTS[s][1] * w));
			boolean[] union = new boolean[w * h], score = new boolean[w * h];
			int count = 0, known = 0;
			for (int i = 0; i < union.length; i++) {
				union[i] = unknown[i] || moved[i];
				score[i] = moved[i] && !unknown[i];
				if (score[i]) count++;
				if (!union[i]) known++;
			}
			if (count < MIN_SCORED || known < MIN_SCORED) continue;
			held[s] = union;
			scored[s] = score;
		}
		double[][] parts = new double[SHIFTS.length][];
		IntStream.range(0, SHIFTS.length).parallel().forEach(s -> {
			if (held[s] == null) return;
			cancel.run();
			parts[s] = errors(planes, held[s], scored[s], w, h);
		});
		double[] error = new double[SIGMAS.length];
		int usable = 0, judged = 0;
		for (int s = 0; s < SHIFTS.length; s++) {
			if (held[s] != null) usable++;
			if (parts[s] == null) continue;
			judged++;
			for (int k = 0; k < SIGMAS.length; k++) error[k] += parts[s][k];
		}
		if (judged == 0 || 2 * judged < usable) return BiharmonicFill.DENOISE_SIGMA;
		int best = 0;
		for (int k = 1; k < SIGMAS.length; k++) if (error[k] < error[best]) best = k;
		return SIGMAS[best];
	}

	/**
	 * The hole moved elsewhere in the window for another test of a fill: of the copies {@link #choose} scores, the one
	 * that hides the most known pixels; null where none hides {@link #MIN_SCORED}.
	 */
	public static boolean[] movedCopy(boolean[] unknown, int w, int h) {
		boolean[] best = null;
		int most = MIN_SCORED - 1;
		for (double[] shift : SHIFTS) {
			boolean[] moved = shifted(unknown, w, h, (int) (shift[0] * h), (int) (shift[1] * w));
			int count = 0;
			for (int i = 0; i < moved.length; i++) if (moved[i] && !unknown[i]) count++;
			if (count > most) {
				most = count;
				best = moved;
			}
		}
		return best;
	}

	/**
	 * For each candidate σ, the absolute error summed over the channels and the scored pixels of the continuation
	 * into {@code held} of the other pixels smoothed by σ; null where the part of the hole that reaches the scored
	 * pixels is too large to solve directly. Only that part is solved: unknown pixels more than 2 px apart share no
	 * equation ({@link #coupled}), so the rest of the hole does not change the fill there. One factorisation
	 * ({@link BiharmonicSystem}) serves every σ and channel.
	 */
	private static double[] errors(float[][] planes, boolean[] held, boolean[] scored, int w, int h) {
		boolean[] solved = coupled(held, scored, w, h);
		BiharmonicSystem system = BiharmonicSystem.of(solved, w, h, MAX_ENTRIES);
		if (system == null) return null;
		double[] error = new double[SIGMAS.length];
		for (float[] plane : planes)
			for (int k = 0; k < SIGMAS.length; k++) {
				float[] fill = system.fill(BiharmonicFill.smoothKnown(plane, held, w, h, SIGMAS[k]));
				for (int i = 0; i < fill.length; i++) if (scored[i]) error[k] += Math.abs(fill[i] - plane[i]);
			}
		return error;
	}

	/**
	 * The pixels of {@code unknown} connected to a pixel of {@code seeds} through unknown pixels at most 2 px apart
	 * (Manhattan distance: the reach of the Laplacian's square, whose stencil ties such pixels together).
	 */
	static boolean[] coupled(boolean[] unknown, boolean[] seeds, int w, int h) {
		boolean[] out = new boolean[w * h];
		int[] queue = new int[w * h];
		int tail = 0;
		for (int p = 0; p < w * h; p++)
			if (seeds[p] && unknown[p]) {
				out[p] = true;
				queue[tail++] = p;
			}
		for (int head = 0; head < tail; head++) {
			int p = queue[head], y = p / w, x = p % w;
			for (int dy = -2; dy <= 2; dy++)
				for (int dx = Math.abs(dy) - 2; dx <= 2 - Math.abs(dy); dx++) {
					int yy = y + dy, xx = x + dx, q = yy * w + xx;
					if (yy < 0 || yy >= h || xx < 0 || xx >= w || !unknown[q] || out[q]) continue;
					out[q] = true;
					queue[tail++] = q;
				}
		}
		return out;
	}

	/** The mask moved by (dy, dx) pixels, wrapping around the plane's edges. */
	static boolean[] shifted(boolean[] mask, int w, int h, int dy, int dx) {
		boolean[] out = new boolean[w * h];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) out[Math.floorMod(y + dy, h) * w + Math.floorMod(x + dx, w)] = mask[y * w + x];
		return out;
	}
}
