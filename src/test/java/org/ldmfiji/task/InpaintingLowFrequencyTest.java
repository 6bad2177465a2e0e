package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.process.ByteProcessor;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.GaussianBlur;
import org.ldmfiji.image.HarmonicFill;
import org.ldmfiji.imagej.InpaintImage;

import java.util.Random;

/**
 * A fill on the demo model continues the smooth shape of its surroundings (issue #18: biharmonic is the floor on a
 * fill's error): an uneven illumination (a paraboloid, as a vignette or a lamp's falloff) with noise on top, a box
 * taken out of it, is filled with the paraboloid's values, not the flatter membrane continuation that the fill
 * started from before, which sags by several grey levels.
 */
class InpaintingLowFrequencyTest {

	private static final int S = 128;

	@Test
	void aCurvedIlluminationIsContinuedIntoTheFill() {
		Random r = new Random(5);
		float[] truth = new float[S * S];
		ByteProcessor bp = new ByteProcessor(S, S);
		for (int y = 0; y < S; y++)
			for (int x = 0; x < S; x++) {
				truth[y * S + x] = (float) (40 + 0.015 * ((x - 40) * (x - 40) + (y - 50) * (y - 50)));
				bp.set(x, y, (int) Math.max(0, Math.min(255, Math.round(truth[y * S + x] + 2 * r.nextGaussian()))));
			}
		boolean[] mask = new boolean[S * S];
		for (int y = 56; y < 96; y++)
			for (int x = 60; x < 100; x++) mask[y * S + x] = true;
		InpaintImage.Options o = new InpaintImage.Options();
		o.sampling = DemoModel.fast(5);
		ImagePlus out = InpaintImage.run(DemoModel.get(), new ImagePlus("lamp", bp), mask, o, Progress.NONE).image;
		float[] u = new float[S * S];
		for (int i = 0; i < u.length; i++) u[i] = out.getProcessor().getf(i);
		// the low band (Gaussian sigma 4 px, beyond the noise) in the mask's interior, away from the blur's reach
		// into the known pixels
		float[] low = GaussianBlur.blur(u, S, S, 4);
		float[] source = new float[S * S];
		for (int i = 0; i < source.length; i++) source[i] = bp.getf(i);
		float[] membrane = GaussianBlur.blur(HarmonicFill.fill(source, mask, S, S), S, S, 4);
		double err = 0, sag = 0;
		int n = 0;
		for (int y = 64; y < 88; y++)
			for (int x = 68; x < 92; x++) {
				err += Math.abs(low[y * S + x] - truth[y * S + x]);
				sag += Math.abs(membrane[y * S + x] - truth[y * S + x]);
				n++;
			}
		err /= n;
		sag /= n;
		System.out.println("low band off the illumination by " + err + " grey levels, membrane " + sag);
		assertTrue(err < 0.6 * sag, "the fill's smooth part is off the illumination by " + err + " grey levels on "
			+ "average, no better than the membrane continuation's " + sag);
	}
}
