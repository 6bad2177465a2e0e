package org.ldmfiji.task;

import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.tiling.TileGrid;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A seam measure: the mean squared difference between neighbouring pixels across the given borders (a border at p
 * lies between positions p − 1 and p) divided by the same mean over the other positions of the same phase modulo
 * {@code period}. 1 means the borders look like the interior; a seam (a step between tiles) raises it.
 * <p>
 * The phase matters: decoders upsample (nearest neighbour, then convolutions) and U-Nets down- and upsample, which
 * leaves a periodic texture (period f in pixels, latent_multiple in the latent); tile borders all lie on a few
 * phases of it, so they are compared with interior positions on the same phases.
 */
public final class Seams {

	private Seams() {}

	/** [columns ratio (horizontal differences across x borders), rows ratio (vertical differences across y borders)]. */
	public static double[] ratios(FloatPlanes image, List<Integer> xBorders, List<Integer> yBorders, int period) {
		return new double[] {ratio(image, xBorders, true, period), ratio(image, yBorders, false, period)};
	}

	/** Where {@link org.ldmfiji.tiling.Blend#NONE} switches tiles: the middle of each overlap. */
	static List<Integer> cuts(TileGrid.Axis a) {
		List<Integer> out = new ArrayList<>();
		for (int i = 0; i + 1 < a.count(); i++) out.add((a.start(i) + a.tile + a.start(i + 1)) / 2);
		return out;
	}

	private static double ratio(FloatPlanes image, List<Integer> borders, boolean alongX, int period) {
		Set<Integer> on = new HashSet<>(borders);
		int n = alongX ? image.width() : image.height(), m = alongX ? image.height() : image.width();
		double[] energy = new double[n];
		for (int c = 0; c < image.channels(); c++)
			for (int p = 1; p < n; p++)
				for (int q = 0; q < m; q++) {
					double d = alongX ? image.get(c, q, p) - image.get(c, q, p - 1) : image.get(c, p, q) - image.get(c, p - 1, q);
					energy[p] += d * d;
				}
		double[] phaseSum = new double[period];
		int[] phaseCount = new int[period];
		for (int p = 1; p < n; p++) {
			if (on.contains(p)) continue;
			phaseSum[p % period] += energy[p];
			phaseCount[p % period]++;
		}
		double border = 0, expected = 0;
		for (int p : on) {
			if (p <= 0 || p >= n) continue;
			if (phaseCount[p % period] == 0) throw new IllegalArgumentException("no interior position on phase " + (p % period));
			border += energy[p];
			expected += phaseSum[p % period] / phaseCount[p % period];
		}
		if (expected == 0) throw new IllegalArgumentException("no border inside the image: nothing to measure");
		return border / expected;
	}
}
