package org.ldmfiji.task;

import org.ldmfiji.image.FloatPlanes;

import java.util.List;

/**
 * Mean and population standard deviation over several samples of the same pixels, for the "mean of the samples"
 * results and their std maps (inpainting and super-resolution, ImageJ and ImgLib2 paths alike).
 */
public final class SampleStatistics {

	private SampleStatistics() {}

	/** The mean of the samples (the sample itself when there is one). */
	public static FloatPlanes mean(List<FloatPlanes> samples) {
		if (samples.size() == 1) return samples.get(0);
		FloatPlanes out = FloatPlanes.zeros(samples.get(0).channels(), samples.get(0).height(), samples.get(0).width());
		float[] d = out.data();
		for (FloatPlanes s : samples) {
			float[] v = s.data();
			for (int i = 0; i < d.length; i++) d[i] += v[i] / samples.size();
		}
		return out;
	}

	/** Population standard deviation over the samples, around their {@link #mean}. */
	public static FloatPlanes std(List<FloatPlanes> samples, FloatPlanes mean) {
		FloatPlanes out = FloatPlanes.zeros(mean.channels(), mean.height(), mean.width());
		float[] d = out.data(), mu = mean.data();
		for (FloatPlanes s : samples) {
			float[] v = s.data();
			for (int i = 0; i < d.length; i++) d[i] += (v[i] - mu[i]) * (v[i] - mu[i]);
		}
		for (int i = 0; i < d.length; i++) d[i] = (float) Math.sqrt(d[i] / samples.size());
		return out;
	}
}
