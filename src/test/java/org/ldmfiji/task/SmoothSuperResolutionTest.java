package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.image.FloatPlanes;

import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A smooth image (slow waves, a ramp, a fine grain) through the default super-resolution (the mean of several samples) is not worse than the smooth
 * consistent interpolation of its input (Consistency applied to zero: what bicubic does, made exact) by more than
 * 0.3 dB: where the samples invent detail, each its own, the result keeps little of it ({@link SpreadShrinkage}).
 */
class SmoothSuperResolutionTest {

	/** The fine grain of a real smooth photograph (sensor noise, film grain): about 1.3 grey levels of 255. */
	private static final double GRAIN = 0.01;

	@Test
	void smoothImageIsNotWorseThanTheSmoothInterpolation() {
		SuperResolution sr = new SuperResolution(DemoModel.get(), DemoModel.fast(11));
		int f = sr.factor(), side = 96;
		FloatPlanes truth = FloatPlanes.zeros(1, side, side);
		Random grain = new Random(5);
		for (int y = 0; y < side; y++)
			for (int x = 0; x < side; x++)
				truth.set(0, y, x, (float) (0.5 * Math.sin(x / 23.0 + 0.3) * Math.cos(y / 31.0) + 0.004 * (x - y)
					+ GRAIN * grain.nextGaussian()));
		FloatPlanes low = Consistency.areaDownsample(truth, f);
		List<FloatPlanes> samples = sr.run(low, OptionTable.SR_SAMPLES.defaultInt(), 0, true, StepListener.NONE);
		FloatPlanes mean = SampleStatistics.mean(samples);
		FloatPlanes smooth = FloatPlanes.zeros(1, side, side);
		Consistency.enforce(smooth, low, f);
		double ldm = psnr(mean, truth), interpolation = psnr(smooth, truth);
		assertTrue(ldm >= interpolation - 0.3, String.format(Locale.ROOT,
			"mean of the samples %.2f dB, smooth interpolation %.2f dB", ldm, interpolation));
	}

	private static double psnr(FloatPlanes a, FloatPlanes b) {
		double se = 0;
		for (int i = 0; i < a.data().length; i++) se += (a.data()[i] - b.data()[i]) * (double) (a.data()[i] - b.data()[i]);
		return 10 * Math.log10(4 / (se / a.data().length));
	}
}
