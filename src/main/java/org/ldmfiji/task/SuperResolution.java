package org.ldmfiji.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.ldmfiji.diffusion.Conditioning;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.Manifest.InputSpec;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.tiling.Window;

/**
 * LDM super-resolution (Rombach et al. 2022, Sec. 4.4): the low-resolution image, at the latent grid's size, is
 * concatenated with z_t; the denoised latent decodes to an image f times larger. The input is padded by mirroring
 * to the latent multiple and the output cropped back, so any size gives exactly f× the input.
 */
public final class SuperResolution {

	public static final String TASK = "superres";

	private final ModelBundle bundle;
	private final SamplingSettings settings;

	public SuperResolution(ModelBundle bundle, SamplingSettings settings) {
		this.bundle = bundle;
		this.settings = settings;
		bundle.manifest().denoiser(TASK);
	}

	/** The scale factor: the autoencoder's f, since the latent has the low-resolution image's size. */
	public int factor() {
		return bundle.manifest().autoencoder.factor;
	}

	/**
	 * @param low C × H × W in the model's range
	 * @param consistency back-project so that the result, area-downsampled by f, reproduces {@code low}
	 * @return C × fH × fW in the model's range
	 */
	public FloatPlanes run(FloatPlanes low, boolean consistency, StepListener listener) {
		Manifest m = bundle.manifest();
		Manifest.DenoiserSpec spec = m.denoiser(TASK);
		int f = m.autoencoder.factor;
		Window win = Window.covering(low.width(), low.height(), spec.latentMultiple);
		FloatPlanes padded = win.extract(low);
		FloatPlanes high;
		try (NDManager manager = NDManager.newBaseManager(bundle.device())) {
			Conditioning cond = new Conditioning();
			for (InputSpec in : spec.inputs) {
				if (in.name.equals(InputSpec.LOW_RES_IMAGE)) {
					if (in.channels != low.channels()) throw new IllegalArgumentException("the '" + TASK + "' denoiser of model '"
						+ m.name + "' takes a " + in.channels + "-channel low-resolution image, got " + low.channels());
					cond.input(in.name, mapped(padded, m.imageRange, in.range).toNDArray(manager));
				}
				else if (!in.name.equals(InputSpec.NOISY_LATENT)) throw new IllegalArgumentException("the '" + TASK
					+ "' denoiser of model '" + m.name + "' takes an input '" + in.name + "' that super-resolution cannot give");
			}
			Shape latent = new Shape(1, m.autoencoder.latentChannels, win.height, win.width);
			NDArray z0 = LatentSampling.sample(bundle, TASK, cond, latent, settings, listener, manager);
			high = crop(FloatPlanes.of(bundle.decode(z0)), low.height() * f, low.width() * f);
		}
		if (consistency) Consistency.enforce(high, low, f);
		return high;
	}

	/** Linear map of values from the image range to an input's declared range (identity when equal or absent). */
	private static FloatPlanes mapped(FloatPlanes x, double[] from, double[] to) {
		if (to == null || (to[0] == from[0] && to[1] == from[1])) return x;
		FloatPlanes out = x.copy();
		float[] d = out.data();
		double scale = (to[1] - to[0]) / (from[1] - from[0]);
		for (int i = 0; i < d.length; i++) d[i] = (float) (to[0] + (d[i] - from[0]) * scale);
		return out;
	}

	static FloatPlanes crop(FloatPlanes x, int h, int w) {
		if (x.height() == h && x.width() == w) return x;
		FloatPlanes out = FloatPlanes.zeros(x.channels(), h, w);
		for (int c = 0; c < x.channels(); c++)
			for (int y = 0; y < h; y++)
				for (int i = 0; i < w; i++) out.set(c, y, i, x.get(c, y, i));
		return out;
	}
}
