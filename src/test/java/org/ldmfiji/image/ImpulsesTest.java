package org.ldmfiji.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.Random;

/** Impulses (a cosmic ray, a hot pixel) are taken out of the known pixels; edges, lines, wide spots and dense stars are not. */
class ImpulsesTest {

	private static final int W = 96, H = 80;

	private static FloatPlanes sky(long seed) {
		Random r = new Random(seed);
		FloatPlanes p = FloatPlanes.zeros(1, H, W);
		for (int i = 0; i < W * H; i++) p.data()[i] = (float) (300 + 7 * r.nextGaussian());
		return p;
	}

	private static boolean[] box(int x0, int y0, int x1, int y1) {
		boolean[] m = new boolean[W * H];
		for (int y = y0; y < y1; y++)
			for (int x = x0; x < x1; x++) m[y * W + x] = true;
		return m;
	}

	@Test
	void aCosmicRayAndAHotPixelAreReplacedByTheSky() {
		FloatPlanes p = sky(1), before = p.copy();
		for (int k = 0; k < 4; k++) p.set(0, 20 + k, 30 + k, 1700); // a short diagonal streak
		p.set(0, 60, 70, 900);
		boolean[] mask = box(40, 24, 70, 50);
		p.set(0, 30, 50, -1e6f); // masked: never read
		FloatPlanes out = Impulses.removed(p, mask);
		for (int k = 0; k < 4; k++) assertEquals(300, out.get(0, 20 + k, 30 + k), 25, "ray pixel " + k);
		assertEquals(300, out.get(0, 60, 70), 25, "hot pixel");
		int changed = 0;
		for (int i = 0; i < W * H; i++) if (!mask[i] && out.data()[i] != before.data()[i]) changed++;
		assertEquals(5, changed, "pixels replaced");
		assertEquals(-1e6f, out.get(0, 30, 50), "masked pixels as they were");
	}

	@Test
	void edgesLinesWideSpotsAndDenseStarsStay() {
		boolean[] mask = box(40, 24, 70, 50);
		FloatPlanes edge = sky(2), line = sky(3), spot = sky(4), stars = sky(5), none = sky(6);
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				if (x >= 20) edge.set(0, y, x, edge.get(0, y, x) + 1000);
				if (x == 10) line.set(0, y, x, 1700); // a thin bright line: a wire, a bolt
				double r2 = (x - 15) * (x - 15) + (y - 15) * (y - 15);
				spot.set(0, y, x, (float) (spot.get(0, y, x) + 5000 * Math.exp(-r2 / (2 * 2.5 * 2.5)))); // FWHM 6 px
			}
		Random r = new Random(7);
		for (int i = 0; i < W * H; i++) if (r.nextDouble() < 0.03) stars.data()[i] = 2000; // 3 % of the pixels
		for (FloatPlanes p : new FloatPlanes[] {edge, line, spot, stars, none}) assertSame(p, Impulses.removed(p, mask));
	}

	/**
	 * Noise has no impulses, however many pixels it has: neither white noise nor a smooth field with faint noise (an
	 * out-of-focus image). With the departure taken from the median of the 3 × 3 that holds the pixel itself, its
	 * noise's tails at about 3 σ passed for impulses (21 pixels of the smooth field).
	 */
	@Test
	void noiseHasNoImpulses() {
		int s = 256;
		Random r = new Random(3);
		float[] white = new float[s * s], smooth = new float[s * s];
		for (int i = 0; i < s * s; i++) {
			white[i] = (float) r.nextGaussian();
			smooth[i] = (float) r.nextGaussian();
		}
		float[] blurred = GaussianBlur.blur(smooth, s, s, 6);
		for (int i = 0; i < s * s; i++) smooth[i] = (float) (8 * blurred[i] + 0.02 * r.nextGaussian());
		boolean[] mask = new boolean[s * s];
		for (int y = 100; y < 140; y++)
			for (int x = 90; x < 130; x++) mask[y * s + x] = true;
		for (float[] d : new float[][] {white, smooth}) {
			FloatPlanes p = new FloatPlanes(1, s, s, d);
			assertSame(p, Impulses.removed(p, mask));
		}
	}

	@Test
	void aColourImpulseIsTakenOutOfEveryChannel() {
		FloatPlanes p = FloatPlanes.concatChannels(java.util.List.of(sky(8), sky(9), sky(10)));
		p.set(1, 10, 10, 1500); // bright in green only
		FloatPlanes out = Impulses.removed(p, box(40, 24, 70, 50));
		for (int c = 0; c < 3; c++) assertTrue(Math.abs(out.get(c, 10, 10) - 300) < 25, "channel " + c + ": " + out.get(c, 10, 10));
	}
}
