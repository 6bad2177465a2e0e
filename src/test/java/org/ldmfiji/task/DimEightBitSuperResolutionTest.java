package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertTrue;

import net.imglib2.RandomAccess;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedByteType;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.Normalization;

import java.util.Locale;
import java.util.Random;

/**
 * A dim 8-bit image (a low-exposure acquisition using levels 6-37 of 0-255) through the default super-resolution is
 * normalised by its own percentiles, not by the type's range: seen as 0-255, the plane was nearly black to the model,
 * whose grain was then as large as the plane's detail. On this smooth field of blobs: 0.66 levels rms from the truth,
 * 0.80 with the type's range (bicubic 0.54: a smooth image is bicubic's best case; on the real images made dim, the
 * percentiles gain +0.65 dB over bicubic on average, the type's range −0.21, models/demo/EVALUATION.md, session 25).
 */
class DimEightBitSuperResolutionTest {

	private static final int F = 4, SIDE = 96;

	@Test
	void aDimEightBitImageIsSuperResolvedCloserToItsTruth() {
		FloatPlanes truth = FloatPlanes.zeros(1, SIDE, SIDE);
		Random r = new Random(3);
		for (int y = 0; y < SIDE; y++)
			for (int x = 0; x < SIDE; x++) // blobs on a gradient, a little noise, levels 6-37
				truth.set(0, y, x, (float) Math.round(Math.max(0, Math.min(255, 6 + 0.1 * x + 14 * Math.pow(Math.sin(x / 7.0)
					* Math.sin(y / 9.0), 2) + 8 * Math.exp(-(Math.pow(x - 50, 2) + Math.pow(y - 40, 2)) / 60.0)
					+ 0.3 * r.nextGaussian()))));
		FloatPlanes low = Consistency.areaDownsample(truth, F);
		for (int i = 0; i < low.data().length; i++) low.data()[i] = Math.round(low.data()[i]);
		double now = rms(superResolve(low, null), truth), fixed = rms(superResolve(low, Normalization.fixed(0, 255)), truth);
		double bicubic = rms(Bicubic.upsample(low, F), truth);
		String figures = String.format(Locale.ROOT, "error %.3f levels rms (with the type's range 0-255: %.3f; bicubic %.3f)",
			now, fixed, bicubic);
		assertTrue(now <= 0.9 * fixed, figures);
	}

	/** The default super-resolution of an 8-bit image (its normalisation given, or the default's for null). */
	private static FloatPlanes superResolve(FloatPlanes low, Normalization norm) {
		SuperResolutionOptions o = new SuperResolutionOptions();
		o.sampling = DemoModel.fast(5);
		byte[] px = new byte[low.data().length];
		for (int i = 0; i < px.length; i++) px[i] = (byte) low.data()[i];
		FloatPlanes sr = FloatPlanes.zeros(1, low.height() * F, low.width() * F);
		if (norm == null) {
			Img<UnsignedByteType> out = new LatentDiffusion(DemoModel.get()).superResolve(ArrayImgs.unsignedBytes(px,
				low.width(), low.height()), o, Progress.NONE);
			RandomAccess<UnsignedByteType> ra = out.randomAccess();
			for (int y = 0; y < sr.height(); y++)
				for (int x = 0; x < sr.width(); x++) sr.set(0, y, x, ra.setPositionAndGet(x, y).get());
			return sr;
		}
		SuperResolution model = new SuperResolution(DemoModel.get(), o.sampling);
		PlaneSuperResolution plane = new PlaneSuperResolution(model, DemoModel.get().manifest(), o, norm, new double[] {0, 255});
		FloatPlanes mean = SampleStatistics.mean(plane.run(low, Progress.NONE, 0, plane.steps(1)));
		for (int i = 0; i < mean.data().length; i++) mean.data()[i] = Math.max(0, Math.min(255, Math.round(mean.data()[i])));
		return mean;
	}

	private static double rms(FloatPlanes a, FloatPlanes b) {
		double se = 0;
		for (int i = 0; i < a.data().length; i++) se += (a.data()[i] - b.data()[i]) * (double) (a.data()[i] - b.data()[i]);
		return Math.sqrt(se / a.data().length);
	}
}
