package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.DistanceTransform;
import org.ldmfiji.image.FloatPlanes;

import java.util.List;
import java.util.Random;

/**
 * Harmonization ({@link Seam#HARMONIZE}), the band blend ({@link Seam#BLEND}) and what every seam choice owes the
 * masked pixels, with the demo model.
 */
class InpaintingHarmonizeTest {

	private static final int S = 64;

	@Test
	void aCellIsMaskedWhenAnyOfItsPixelsIs() {
		int w = 12, h = 8, f = 4;
		boolean[] mask = new boolean[w * h];
		mask[1 * w + 5] = true;  // cell (1, 0)
		mask[7 * w + 11] = true; // cell (2, 1), its last pixel
		boolean[] cells = Inpainting.cellsWithMaskedPixels(mask, w, h, f);
		assertArrayEquals(new boolean[] {false, true, false, false, false, true}, cells);
	}

	/**
	 * The pixels under the mask are the defect: no seam choice may let them into the fill, neither through the
	 * conditioning, the first guess, the latents kept from it, nor the re-encoded composite. Two images that differ
	 * only there give the same fill, bit for bit.
	 */
	@Test
	void theFillNeverDependsOnTheMaskedPixels() {
		Random r = new Random(3);
		FloatPlanes a = FloatPlanes.zeros(1, S, S);
		boolean[] mask = new boolean[S * S];
		for (int i = 0; i < mask.length; i++) {
			mask[i] = Math.abs(i % S - 25) < 7 && Math.abs(i / S - 30) < 11;
			a.data()[i] = (float) (0.6 * Math.sin(i % S / 5.0) + 0.1 * r.nextGaussian());
		}
		FloatPlanes b = a.copy();
		for (int i = 0; i < mask.length; i++) if (mask[i]) b.data()[i] = r.nextBoolean() ? 1 : -1;
		for (Seam seam : Seam.values()) {
			Inpainting in = new Inpainting(DemoModel.get(), DemoModel.fast(7), 16, Inpainting.DEFAULT_STRENGTH, seam);
			FloatPlanes fa = in.run(a, mask, 1, (done, total) -> {}).get(0);
			FloatPlanes fb = in.run(b, mask, 1, (done, total) -> {}).get(0);
			for (int i = 0; i < mask.length; i++) {
				if (mask[i]) assertEquals(fa.data()[i], fb.data()[i], 0, seam + ": fill pixel " + (i % S) + "," + (i / S));
				else assertEquals(a.data()[i], fa.data()[i], 0, seam + ": known pixel " + (i % S) + "," + (i / S));
			}
		}
	}

	@Test
	void harmonizationChangesTheFill() {
		FloatPlanes x = FloatPlanes.zeros(1, S, S);
		boolean[] mask = new boolean[S * S];
		for (int i = 0; i < mask.length; i++) {
			mask[i] = Math.abs(i % S - 32) < 9 && Math.abs(i / S - 32) < 9;
			x.data()[i] = (float) (0.5 * Math.cos(i / S / 4.0) * Math.sin(i % S / 3.0));
		}
		FloatPlanes corrected = new Inpainting(DemoModel.get(), DemoModel.fast(1), 16, 0.3, Seam.CORRECT)
			.run(x, mask, 1, (d, t) -> {}).get(0);
		FloatPlanes harmonized = new Inpainting(DemoModel.get(), DemoModel.fast(1), 16, 0.3, Seam.HARMONIZE)
			.run(x, mask, 1, (d, t) -> {}).get(0);
		boolean differs = false;
		for (int i = 0; i < mask.length; i++) differs |= mask[i] && corrected.data()[i] != harmonized.data()[i];
		assertFalse(!differs, "harmonize should give another fill than correct alone");
	}

	/**
	 * The band blend lowers the step from the known pixels into the fill: the mean |difference| across the mask's
	 * border (a known pixel and its masked 4-neighbour), relative to that between known neighbours up to 8 px from
	 * the mask (the image's own roughness), on a smooth textured image, four samples: at least 5 % lower (10-12 %
	 * with the demo bundles of sessions 4 and 7).
	 */
	@Test
	void theBlendLowersTheStepAcrossTheBorder() {
		Random r = new Random(9);
		FloatPlanes x = FloatPlanes.zeros(1, S, S);
		boolean[] mask = new boolean[S * S];
		for (int i = 0; i < mask.length; i++) {
			mask[i] = Math.hypot(i % S - 31.5, i / S - 30.5) < 11;
			x.data()[i] = (float) (0.4 * Math.sin(i % S / 4.0 + i / S / 7.0) + 0.02 * r.nextGaussian());
		}
		double harmonized = borderStep(x, mask, Seam.HARMONIZE), blended = borderStep(x, mask, Seam.BLEND);
		assertTrue(blended < 0.95 * harmonized, "border step ratio: blend " + blended + ", harmonize " + harmonized);
	}

	private static double borderStep(FloatPlanes x, boolean[] mask, Seam seam) {
		List<FloatPlanes> fills = new Inpainting(DemoModel.get(), DemoModel.fast(2), 16, 0.3, seam)
			.run(x, mask, 4, (d, t) -> {});
		boolean[] known = new boolean[mask.length];
		for (int i = 0; i < mask.length; i++) known[i] = !mask[i];
		float[] toMask = DistanceTransform.toKnown(known, S, S); // distance of each known pixel to the mask
		double across = 0, ring = 0;
		int nAcross = 0, nRing = 0;
		for (FloatPlanes fill : fills) {
			float[] v = fill.data();
			for (int i = 0; i < S; i++)
				for (int j = 0; j + 1 < S; j++)
					for (int[] q : new int[][] {{i * S + j, i * S + j + 1}, {j * S + i, (j + 1) * S + i}}) {
						double step = Math.abs(v[q[0]] - v[q[1]]);
						if (mask[q[0]] != mask[q[1]]) {
							across += step;
							nAcross++;
						}
						else if (!mask[q[0]] && toMask[q[0]] <= 8 && toMask[q[1]] <= 8) {
							ring += step;
							nRing++;
						}
					}
		}
		return (across / nAcross) / (ring / nRing);
	}
}
